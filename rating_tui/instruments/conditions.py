"""Branching: `show_if`, the condition under which an item or session field is asked.

A small structured condition, not an expression language, so that it can be validated
against the scales it refers to and shown in words (codebook, review, error messages):

    { item = "infant_present", equals = 1 }
    { field = "present", includes = "infant" }
    { item = "x", in = [1, 2] }      { item = "x", not_in = [0] }
    { all = [ ... ] }                { any = [ ... ] }

A condition on a question that has no value (not answered, given a missing code, or not
asked itself) is false, whatever the operator: what depends on it is not asked until it
has a value. References must point to questions asked earlier (fields before items, each in
file order), which also rules out cycles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from rating_tui.instruments.base import Key, ReferenceProblems, Strict

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument, SessionField
    from rating_tui.instruments.scales import Scale

Operand = int | float | str
"""A value a condition compares with: a scale point, a number, a choice code."""
_OPERATORS = ("equals", "in_", "not_in", "includes")
_SPELLED = {"in_": "in"}


class Condition(Strict):
    """One test on an earlier answer, or `all` / `any` of several conditions."""

    model_config = Strict.model_config | {"populate_by_name": True}

    item: Key | None = None
    field: Key | None = None
    equals: Operand | None = None
    in_: list[Operand] | None = Field(default=None, alias="in")
    not_in: list[Operand] | None = None
    includes: Operand | None = None
    """For multiple-choice questions: the answer contains this code."""
    all: list[Condition] | None = Field(default=None, min_length=1)
    any: list[Condition] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        targets = [k for k in ("item", "field", "all", "any") if getattr(self, k) is not None]
        ops = [_SPELLED.get(k, k) for k in _OPERATORS if getattr(self, k) is not None]
        if len(targets) != 1:
            found = ", ".join(targets) or "none"
            raise ReferenceProblems(
                [("", f"expected exactly one of item, field, all, any; found {found}")]
            )
        if targets[0] in ("all", "any"):
            if ops:
                raise ReferenceProblems(
                    [(ops[0], f"{targets[0]} takes a list of conditions, not {ops[0]}")]
                )
        elif len(ops) != 1:
            found = ", ".join(ops) or "none"
            raise ReferenceProblems(
                [("", f"expected exactly one of equals, in, not_in, includes; found {found}")]
            )
        return self

    @property
    def target(self) -> tuple[str, str] | None:
        """("item" or "field", key) for a single test; None for all / any."""
        if self.item is not None:
            return ("item", self.item)
        if self.field is not None:
            return ("field", self.field)
        return None

    @property
    def operator(self) -> str:
        """ "equals", "in", "not_in" or "includes" ("" for all / any)."""
        for k in _OPERATORS:
            if getattr(self, k) is not None:
                return _SPELLED.get(k, k)
        return ""

    @property
    def operands(self) -> list[Operand]:
        """The values the test compares with (one for equals and includes)."""
        for k in ("in_", "not_in"):
            values = getattr(self, k)
            if values is not None:
                return list(values)
        single = self.equals if self.equals is not None else self.includes
        return [] if single is None else [single]

    def leaves(self) -> Iterator[tuple[str, Condition]]:
        """Every single test inside, with its key path relative to this condition."""
        groups = self.all if self.all is not None else self.any
        if groups is None:
            yield "", self
            return
        name = "all" if self.all is not None else "any"
        for n, child in enumerate(groups):
            for path, leaf in child.leaves():
                yield f"{name}[{n}]" + (f".{path}" if path else ""), leaf


# --- evaluation -------------------------------------------------------------------------------


def _same(a: object, b: object) -> bool:
    """Exact match as answers are compared: 1 and "1" differ; 1 and 1.0 are the same number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def holds(condition: Condition, values: Mapping[str, object]) -> bool:
    """Whether `condition` is true, given the values of earlier questions by key (session
    field values and item values; a question without a value is simply absent)."""
    if condition.all is not None:
        return all(holds(c, values) for c in condition.all)
    if condition.any is not None:
        return any(holds(c, values) for c in condition.any)
    target = condition.target
    assert target is not None
    value = values.get(target[1])
    if value is None or value == "" or value == []:
        return False
    op = condition.operator
    if op == "includes":
        return isinstance(value, list) and any(_same(v, condition.includes) for v in value)
    if isinstance(value, list):
        return False
    found = any(_same(value, v) for v in condition.operands)
    return not found if op == "not_in" else found


def describe(condition: Condition) -> str:
    """The condition in words, as the codebook and messages show it: `infant_present = 1`."""
    if condition.all is not None or condition.any is not None:
        parts = condition.all if condition.all is not None else condition.any
        assert parts is not None
        joiner = " and " if condition.all is not None else " or "
        inner = [describe(c) for c in parts]
        return joiner.join(f"({t})" if (" and " in t or " or " in t) else t for t in inner)
    target = condition.target
    assert target is not None
    key, op = target[1], condition.operator
    shown = [_show(v) for v in condition.operands]
    if op == "equals":
        return f"{key} = {shown[0]}"
    if op == "includes":
        return f"{key} includes {shown[0]}"
    word = "is one of" if op == "in" else "is none of"
    return f"{key} {word} {', '.join(shown)}"


def _show(value: Operand) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


# --- rules ------------------------------------------------------------------------------------


def condition_problems(ins: Instrument) -> list[tuple[str, str]]:
    """References that do not exist or come later, and values outside the referenced scale."""
    out: list[tuple[str, str]] = []
    fields = {f.key: (n, f) for n, f in enumerate(ins.fields)}
    items = {i.key: n for n, i in enumerate(ins.items)}
    for n, f in enumerate(ins.fields):
        if f.show_if is not None:
            out += _check(ins, f.show_if, f"fields[{n}].show_if", ("field", n), fields, items)
    for n, item in enumerate(ins.items):
        if item.show_if is not None:
            out += _check(ins, item.show_if, f"items[{n}].show_if", ("item", n), fields, items)
    return out


def _check(
    ins: Instrument,
    condition: Condition,
    where: str,
    asker: tuple[str, int],
    fields: Mapping[str, tuple[int, SessionField]],
    items: Mapping[str, int],
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rel, leaf in condition.leaves():
        path = f"{where}.{rel}" if rel else where
        kind, key = leaf.target or ("", "")
        problem = _reference_problem(kind, key, asker, fields, items)
        if problem:
            out.append((f"{path}.{kind}", problem))
            continue
        if kind == "field":
            problem = _field_value_problem(fields[key][1], leaf)
        else:
            problem = _scale_value_problem(ins.scale_of(ins.items[items[key]]), leaf)
        if problem:
            out.append((f"{path}.{_op_key(leaf)}", problem))
    return out


def _reference_problem(
    kind: str,
    key: str,
    asker: tuple[str, int],
    fields: Mapping[str, tuple[int, SessionField]],
    items: Mapping[str, int],
) -> str | None:
    own_kind, own_index = asker
    if kind == "field":
        if key not in fields:
            return f"{key!r} is not a session field (fields: {', '.join(fields)})"
        index = fields[key][0]
        if own_kind == "field" and index == own_index:
            return f"{key!r} refers to itself: a question cannot depend on its own answer"
        if own_kind == "field" and index > own_index:
            return f"{key!r} is asked later; a condition may refer only to earlier questions"
        return None
    if key not in items:
        return f"{key!r} is not an item (items: {', '.join(items)})"
    if own_kind == "field":
        return (
            f"{key!r} is an item, asked after the session fields; "
            "a field may refer only to earlier fields"
        )
    if items[key] == own_index:
        return f"{key!r} refers to itself: a question cannot depend on its own answer"
    if items[key] > own_index:
        return f"{key!r} is asked later; a condition may refer only to earlier questions"
    return None


def _op_key(leaf: Condition) -> str:
    return leaf.operator


def _scale_value_problem(scale: Scale, leaf: Condition) -> str | None:
    from rating_tui.instruments.scales import (
        LikertScale,
        MultipleChoiceScale,
        NumericScale,
        TextScale,
        YesNoScale,
    )

    op = leaf.operator
    if isinstance(scale, TextScale):
        return "a free-text answer cannot be a condition; refer to a scale or choice question"
    if isinstance(scale, MultipleChoiceScale):
        if op != "includes":
            return f"{leaf.target and leaf.target[1]!r} is multiple choice: use includes = CODE"
        allowed: Sequence[Operand] = [c.code for c in scale.choices]
    elif op == "includes":
        return "includes is for multiple-choice questions; use equals, in or not_in"
    elif isinstance(scale, NumericScale):
        bad = [v for v in leaf.operands if isinstance(v, str | bool) or not scale.contains(v)]
        if bad:
            return (
                f"{_show(bad[0])} is not a point of the scale (a number from {scale.min} to "
                f"{scale.max} in steps of {scale.step})"
            )
        return None
    elif isinstance(scale, LikertScale):
        allowed = [p.value for p in scale.points]
    elif isinstance(scale, YesNoScale):
        allowed = [1, 0]
    else:
        allowed = [c.code for c in scale.choices]
    return _outside(leaf.operands, allowed)


def _field_value_problem(f: SessionField, leaf: Condition) -> str | None:
    op = leaf.operator
    if f.type in ("text", "date"):
        return f"a {f.type} field cannot be a condition; refer to a choice or number field"
    if f.type == "multiple_choice":
        if op != "includes":
            return f"{f.key!r} is multiple choice: use includes = CODE"
        return _outside(leaf.operands, [c.code for c in f.choices])
    if op == "includes":
        return "includes is for multiple-choice questions; use equals, in or not_in"
    if f.type == "single_choice":
        return _outside(leaf.operands, [c.code for c in f.choices])
    for v in leaf.operands:
        if isinstance(v, str) or (f.type == "integer" and not isinstance(v, int)):
            return f"{_show(v)} is not a {'whole ' if f.type == 'integer' else ''}number"
        if (f.min is not None and v < f.min) or (f.max is not None and v > f.max):
            return f"{_show(v)} is outside the field's range ({f.min} to {f.max})"
    return None


def _outside(values: Sequence[Operand], allowed: Sequence[Any]) -> str | None:
    for v in values:
        if not any(_same(v, a) for a in allowed):
            return (
                f"{_show(v)} is not a value of the question it refers to "
                f"(expected one of {', '.join(_show(a) for a in allowed)})"
            )
    return None


# --- which questions are asked ----------------------------------------------------------------


def hidden_questions(
    ins: Instrument, session: Mapping[str, object], items: Mapping[str, object]
) -> dict[str, Condition]:
    """The session fields and items not asked, by key, each with its (false) condition.

    `session` and `items` hold the values given (item values only: a missing code is no
    value). Questions are taken in the order they are asked, and a question not asked has no
    value for the conditions after it, so a chain hides together.
    """
    known: dict[str, object] = {}
    out: dict[str, Condition] = {}
    for key, condition, given in [
        *((f.key, f.show_if, session) for f in ins.fields),
        *((i.key, i.show_if, items) for i in ins.items),
    ]:
        if condition is not None and not holds(condition, known):
            out[key] = condition
        elif key in given:
            known[key] = given[key]
    return out
