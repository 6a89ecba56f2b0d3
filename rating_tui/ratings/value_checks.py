"""Whether one value fits a session field or an item's scale, said in words.

The checks of a single value, apart from the walk over a whole rating (`validate.py`): the
session form, the items screen and an import's cells ask them of one value at a time.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from rating_tui.instruments.model import (
    Instrument,
    Item,
    LikertScale,
    MultipleChoiceScale,
    NumericScale,
    SessionField,
    SingleChoiceScale,
    TextScale,
    YesNoScale,
)
from rating_tui.ratings.dates import impossible_date, is_day
from rating_tui.ratings.model import Value

_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


def field_value_problem(f: SessionField, value: Value) -> str | None:
    """Why `value` does not fit session field `f`, or None when it does."""
    found = f"found {value!r}"
    codes = [c.code for c in f.choices]
    if f.type == "text":
        if not isinstance(value, str):
            return f"expected text, {found}"
        if f.pattern is not None and value != value.strip():  # a code: not "8 characters long"
            return f"{value!r} has spaces before or after it"
        if len(value) > f.max_length:
            return f"is {len(value)} characters long; at most {f.max_length} are allowed"
        if f.pattern is not None and re.fullmatch(f.pattern, value) is None:
            return f"{value!r} does not match the expected form: {f.pattern_hint or f.pattern}"
    elif f.type == "date":
        if not isinstance(value, str) or not is_day(value):
            # `2026-02-30` is shaped right: say why it is no date, not which shape to use
            return (isinstance(value, str) and impossible_date(value)) or (
                f"expected a date like 2026-01-31, {found}"
            )
    elif f.type in ("integer", "number"):
        return _number_problem(f, value)
    elif f.type == "single_choice":
        if not _is_code(value, codes):
            return f"expected one of {_codes(codes)}, {found}"
    elif not isinstance(value, list) or not all(_is_code(v, codes) for v in value):
        return f"expected a list of codes from {_codes(codes)}, {found}"
    elif len(set(map(str, value))) != len(value):
        return f"a code is given twice, {found}"
    return None


def _number_problem(f: SessionField, value: Value) -> str | None:
    found = f"found {value!r}"
    if f.type == "number" and isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip()):
        # 1,5 from a spreadsheet: not read as 1.5 (it may be 1,500), but said what to write
        point = value.strip().replace(",", ".")
        return f"expected a number written with a decimal point (e.g. {point}), {found}"
    if f.type == "integer" and type(value) is not int:
        return f"expected a whole number{written_out(value)}, {found}"
    if not isinstance(value, int | float) or not _is_number(value):
        return f"expected a number{written_out(value)}, {found}"
    if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
        return f"expected a number from {_bound(f.min)} to {_bound(f.max)}, {found}"
    return None


_POWER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+")


def written_out(value: object) -> str:
    """` written out in digits (1000 for 1e3)` for a number written as a power of ten, which
    an import keeps as the text it is (`imports.cells.number`); "" for anything else."""
    if not isinstance(value, str) or not _POWER.fullmatch(value.strip()):
        return ""
    if not math.isfinite(float(value)):  # 1e400: too large for any number field anyway
        return ""
    digits = format(Decimal(value.strip()), "f")
    example = f" ({digits} for {value.strip()})" if len(digits) <= 24 else ""
    return f" written out in digits{example}"


def _is_number(value: object) -> bool:
    """An int or float (not a bool), and not NaN or infinite."""
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


def _is_code(value: object, codes: list[int | str]) -> bool:
    """Exact match: the code 1 and the text "1" are different answers."""
    return any(type(value) is type(c) and value == c for c in codes)


def _codes(codes: list[int | str]) -> str:
    return ", ".join(repr(c) for c in codes)


def _bound(bound: float | None) -> str:
    return "any" if bound is None else str(bound)


def item_value_problem(instrument: Instrument, item: Item, value: Value) -> str | None:
    """Why `value` is not a valid answer to `item`, or None when it is."""
    scale = instrument.scale_of(item)
    found = f"found {value!r}"
    if isinstance(scale, LikertScale):
        points = [p.value for p in scale.points]
        if not _is_code(value, list(points)):
            return f"expected one of the scale points {_codes(list(points))}, {found}"
    elif isinstance(scale, NumericScale):
        if not isinstance(value, int | float) or not _is_number(value) or not scale.contains(value):
            steps = f"in steps of {scale.step}"
            out = written_out(value)
            return f"expected a number from {scale.min} to {scale.max} {steps}{out}, {found}"
    elif isinstance(scale, YesNoScale):
        if not _is_code(value, [1, 0]):
            return f"expected 1 (yes) or 0 (no), {found}"
    elif isinstance(scale, SingleChoiceScale):
        codes = [c.code for c in scale.choices]
        if not _is_code(value, codes):
            return f"expected one of {_codes(codes)}, {found}"
    elif isinstance(scale, MultipleChoiceScale):
        codes = [c.code for c in scale.choices]
        if not isinstance(value, list) or not all(_is_code(v, codes) for v in value):
            return f"expected a list of codes from {_codes(codes)}, {found}"
        if len(set(map(str, value))) != len(value):
            return f"a code is given twice, {found}"
    elif isinstance(scale, TextScale):
        if not isinstance(value, str):
            return f"expected text, {found}"
        if len(value) > scale.max_length:
            return f"is {len(value)} characters long; at most {scale.max_length} are allowed"
        if not scale.multiline and "\n" in value:
            return "expected a single line of text"
    return None
