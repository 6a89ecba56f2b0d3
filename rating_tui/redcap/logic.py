"""REDCap branching logic and calculations <-> our `show_if` conditions and scores.

Written: every condition has an exact REDCap form. A question without a value makes our
condition false, so `not_in` also needs the answer to be there (`[x] <> '' and [x] <> '0'`).
Read: the simple forms REDCap users write (`[x] = '1'`, `[x] <> "2"`, `[cb(3)] = '1'`)
joined by `and` and `or` (and binding tighter, as in REDCap) and brackets; anything else
(other operators, functions, events) is reported as not carried.
"""

from __future__ import annotations

import re
from typing import Any

from rating_tui.instruments.conditions import Condition
from rating_tui.instruments.scores import Score


def _quote(value: object) -> str:
    return f"'{value}'"


def branching_logic(condition: Condition, checkboxes: set[str]) -> str:
    """`condition` in REDCap's branching logic syntax (`checkboxes`: multiple-choice keys)."""
    if condition.all is not None or condition.any is not None:
        parts = condition.all if condition.all is not None else condition.any
        assert parts is not None
        joiner = " and " if condition.all is not None else " or "
        return joiner.join(f"({branching_logic(c, checkboxes)})" for c in parts)
    target = condition.target
    assert target is not None
    key, op = target[1], condition.operator
    if op == "includes":
        return f"[{key}({condition.includes})] = '1'"
    if op == "equals":
        return f"[{key}] = {_quote(condition.equals)}"
    if op == "in":
        return " or ".join(f"[{key}] = {_quote(v)}" for v in condition.operands)
    return " and ".join(
        [f"[{key}] <> ''"] + [f"[{key}] <> {_quote(v)}" for v in condition.operands]
    )


def calculation(score: Score, keys: list[str]) -> str:
    """A REDCap calc expression for the score (REDCap's mean and sum skip blank fields)."""
    return f"{score.method}({','.join(f'[{k}]' for k in keys)})"


_TEST = re.compile(
    r"""^\[(?P<key>[a-z][a-z0-9_]*)(?:\((?P<code>[^)]+)\))?\]\s*(?P<op>=|<>|!=)\s*"""
    r"""(?P<q>['"]?)(?P<value>[^'"]*)(?P=q)$"""
)
_CALC = re.compile(
    r"^(?P<method>mean|sum)\(\s*(?P<args>\[[a-z][a-z0-9_]*\](?:\s*,\s*\[[a-z][a-z0-9_]*\])*)\s*\)$"
)


def _value(text: str) -> int | float | str:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def _strip_brackets(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def read_branching(logic: str) -> dict[str, Any] | None:
    """The `show_if` table for simple REDCap branching logic, or None when it has no such form.
    A test on a key that is not a question of the instrument is left to the validator."""
    found = _read_part(logic)
    return None if found is None or "answered" in found else found


def _read_part(logic: str) -> dict[str, Any] | None:
    text = _strip_brackets(" ".join(logic.split()))
    for joiner, name in ((" or ", "any"), (" and ", "all")):
        parts = _split(text, joiner)
        if len(parts) > 1:
            read = [_read_part(p) for p in parts]
            if any(r is None for r in read):
                return None
            return _merge(name, [r for r in read if r is not None])
    match = _TEST.match(text)
    if match is None:
        return None
    key, code, op, value = match["key"], match["code"], match["op"], _value(match["value"])
    if code is not None:
        if value not in (1, 0):
            return None
        includes = {"field": key, "includes": _value(code)}  # field or item: fixed by caller
        return includes if (value == 1) == (op == "=") else None
    if op == "=":
        return {"item": key, "equals": value}
    return {"item": key, "answered": True} if value == "" else {"item": key, "not_in": [value]}


def _split(text: str, joiner: str) -> list[str]:
    """`text` split at `joiner` outside brackets."""
    parts, depth, start, i = [], 0, 0, 0
    lower = text.lower()
    while i < len(text):
        char = text[i]
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and lower.startswith(joiner, i):
            parts.append(text[start:i])
            i += len(joiner)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _merge(name: str, parts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Several tests joined: `[x] = 1 or [x] = 2` becomes `in = [1, 2]`; `[x] <> '' and
    [x] <> 0` (as we write `not_in`) becomes `not_in = [0]`."""
    keys = {p.get("item") for p in parts}
    if len(keys) == 1 and None not in keys:
        if name == "any" and all("equals" in p for p in parts):
            return {"item": parts[0]["item"], "in": [p["equals"] for p in parts]}
        tests = [p for p in parts if "answered" not in p]
        if name == "all" and tests and all("not_in" in p for p in tests):
            return {"item": parts[0]["item"], "not_in": [v for p in tests for v in p["not_in"]]}
    if any("answered" in p for p in parts):
        return None  # "has an answer" alone is not a condition we can hold
    return {name: parts}


def read_calculation(calc: str) -> tuple[str, list[str]] | None:
    """(method, item keys) of `mean([a],[b])` or `sum(...)`, or None for anything else."""
    match = _CALC.match(" ".join(calc.split()).lower())
    if match is None:
        return None
    return match["method"], re.findall(r"\[([a-z][a-z0-9_]*)\]", match["args"])
