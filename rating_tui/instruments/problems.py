"""Problems found in instrument files, phrased for the researcher who has to fix them.

Each problem names the file, the line where one can be found, the key path (`items[3].scale`),
what was found and what was expected. Pydantic's raw errors are translated here, so that the
rest of the program never shows one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from rating_tui.instruments.locate import key_lines, line_of, quote_key
from rating_tui.safetext import escape


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file."""

    file: str
    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return escape(text)  # a key or file name from the file itself may hold ESC or U+202E


class InstrumentError(Exception):
    """An instrument file (or set of files) that cannot be used; carries every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


_EXPECTED = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "string_type": "text in quotes",
    "bool_type": "true or false",
    "list_type": "a list, e.g. [1, 2]",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}
_PATTERN_HINTS = {
    "version": 'a semantic version such as "1.0.0"',
    "id": 'a lower-case id such as "my-instrument" (letters, digits, - _ .)',
}


@dataclass(frozen=True)
class _Located:
    """Where a pydantic error points in the raw data, with union-branch labels set apart."""

    keys: tuple[str | int, ...]
    """The real keys and list indexes, in order."""
    branches: tuple[str, ...]
    """Labels of union branches pydantic added after the last real key (`str`, `numeric`,
    `tagged-union[...]`): the error is about which branch the value fits. Labels followed by
    real keys are left out: the error is then inside a branch, about a value of its own."""

    @property
    def path(self) -> str:
        return render_path(self.keys)


MAX_ERRORS = 200
"""Validation errors described per file: a hostile file of 10,000 unknown keys would take
seconds of spelling suggestions, and nobody reads past the first screens anyway."""


def from_validation_error(
    exc: ValidationError, data: dict[str, Any], file: str, text: str, model: type[BaseModel]
) -> list[Problem]:
    """Translate pydantic's errors into problems, one per key path, with lines from `text`.

    Errors from different branches of one union at one path are alternatives ("expected one
    of: ..."); other errors at one path are separate problems.
    """
    lines = key_lines(text)
    found: list[tuple[str, str, bool]] = []  # path, message, from a union branch
    errors = exc.errors(include_url=False)
    for err in errors[:MAX_ERRORS]:
        where = _locate(err["loc"], data, err["type"])
        if _wrong_branch(err, where):
            continue
        nested = getattr((err.get("ctx") or {}).get("error"), "problems", None)
        if nested is not None:  # rules spanning several keys report paths of their own
            for sub, message in nested:
                full = f"{where.path}.{sub}" if where.path and sub else where.path or sub
                found.append((full, message, False))
            continue
        found.append((where.path, _describe(err, where, data, model), bool(where.branches)))
    by_path: dict[str, list[tuple[str, bool]]] = {}
    for path, message, branch in found:
        by_path.setdefault(path, []).append((message, branch))
    problems = []
    for path, here in by_path.items():
        alternatives = list(dict.fromkeys(m for m, branch in here if branch))
        separate = list(dict.fromkeys(m for m, branch in here if not branch))
        if len(alternatives) > 1:
            separate.append("expected one of: " + "; or ".join(alternatives))
        else:
            separate += alternatives
        line = line_of(path, lines)
        problems += [Problem(file, message, path, line) for message in separate]
    if len(errors) > MAX_ERRORS:
        problems.append(more_problems(file, len(errors) - MAX_ERRORS))
    return problems


_MORE = re.compile(r"\.\.\. and ([\d,]+) more problem\(s\) like these, not shown")


def more_problems(file: str, more: int) -> Problem:
    """The line that counts the problems not described."""
    return Problem(file, f"... and {more:,} more problem(s) like these, not shown")


def capped(problems: list[Problem], file: str) -> list[Problem]:
    """`problems` (several lists joined, each perhaps ending with its `more_problems` line)
    with at most `MAX_ERRORS` described, in order, then one line counting all the rest."""
    described: list[Problem] = []
    more = 0
    for problem in problems:
        counted = None if problem.path else _MORE.fullmatch(problem.message)
        if counted:
            more += int(counted.group(1).replace(",", ""))
        else:
            described.append(problem)
    more += max(0, len(described) - MAX_ERRORS)
    return described[:MAX_ERRORS] + ([more_problems(file, more)] if more else [])


def render_path(keys: tuple[str | int, ...]) -> str:
    """`items[3].scale`; keys that are not bare TOML keys are quoted (`"title.en"`)."""
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += ("." if out else "") + quote_key(key)
    return out


def _locate(loc: tuple[int | str, ...], data: Any, kind: str) -> _Located:
    keys: list[str | int] = []
    branches: list[str] = []
    node = data
    for i, part in enumerate(loc):
        in_table = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_table or in_list:
            node = node[part]
            keys.append(part)
        elif i == len(loc) - 1 and kind in ("missing", "extra_forbidden"):
            keys.append(part)  # the missing or unknown key itself
        else:
            branches.append(str(part))
            continue
        branches.clear()
    return _Located(tuple(keys), tuple(branches))


_STRING_ERRORS = {"string_type", "string_pattern_mismatch"}
_TABLE_ERRORS = {"dict_type", "model_type", "model_attributes_type", "union_tag_invalid"}


def _wrong_branch(err: Any, where: _Located) -> bool:
    """True for an error from the union branch that the value plainly was not meant for:
    `scale = {...}` needs no complaint that it is not a key, `scale = "X"` none about tables.
    Outside unions nothing is dropped: `label = {}` is reported as a table, not text.
    """
    if not where.branches:
        return False
    value = err.get("input")
    if isinstance(value, dict):
        return bool(err["type"] in _STRING_ERRORS)
    if isinstance(value, str):
        return err["type"] in _TABLE_ERRORS and any("union" in b for b in where.branches)
    return False


def _describe(err: Any, where: _Located, data: Any, model: type[BaseModel]) -> str:
    kind = err["type"]
    found = _found(err.get("input"))
    last = str(where.keys[-1]) if where.keys else ""
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = last
        allowed = _allowed_keys(model, where.keys, data)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r}{hint} (allowed here: {', '.join(allowed)})"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {found}"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(
            last,
            "a lower-case key: a letter, then letters, digits or _ (at most 63)",
        )
        return f"expected {hint}, found {found}"
    if kind == "literal_error":
        return f"expected {err['ctx']['expected']}, found {found}"
    if kind == "union_tag_invalid":
        return f"type {err['ctx']['tag']} is not known; expected {err['ctx']['expected_tags']}"
    if kind == "union_tag_not_found":
        return "required key 'type' is missing (likert, numeric, yes_no, single_choice, ...)"
    if kind in ("too_short", "too_long"):
        return f"{err['msg'].lower()}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return f"{err['msg']}, found {found}"


def _found(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(model: type[BaseModel], keys: tuple[str | int, ...], data: Any) -> list[str]:
    """The keys allowed in the table that holds the last of `keys`, by walking model and data."""
    annotation: Any = model
    node = data
    for key in keys[:-1]:
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
            continue
        cls = _pick_model(annotation, node)
        if cls is not None and key in cls.model_fields:
            annotation = cls.model_fields[key].annotation
        node = node.get(key) if isinstance(node, dict) else None
    cls = _pick_model(annotation, node)
    if cls is None:
        return []
    return sorted(info.alias or name for name, info in cls.model_fields.items())


def _pick_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model inside `annotation` that `node` is meant to be (by its `type`, for scales)."""
    models = list(_models_in(annotation))
    wanted = node.get("type") if isinstance(node, dict) else None
    for cls in models:
        field = cls.model_fields.get("type")
        if field is not None and wanted in getattr(field.annotation, "__args__", ()):
            return cls
    return models[0] if models else None


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    for meta in getattr(annotation, "__metadata__", ()) or ():
        yield from _models_in(meta)
