"""Rules of fast data entry, kept out of the UI so they can be tested without a terminal:
which key picks which scale point, what a session field starts as, how typed text becomes a
value.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from rating_tui.instruments.model import (
    Instrument,
    LikertScale,
    MultipleChoiceScale,
    Scale,
    SessionField,
    SingleChoiceScale,
    YesNoScale,
)
from rating_tui.ratings.dates import impossible_date
from rating_tui.ratings.model import Value
from rating_tui.ratings.value_checks import field_value_problem


def point_keys(scale: Scale) -> dict[str, Value]:
    """The digit keys that pick a point of `scale`, and the value each picks.

    A likert scale whose points are all single digits uses the value itself (press 3 for 3);
    otherwise points are numbered 1-9 in order. Yes/no uses 1 and 0, as stored.
    """
    if isinstance(scale, YesNoScale):
        return {"1": 1, "0": 0}
    if isinstance(scale, LikertScale):
        values = [p.value for p in scale.points]
        if all(0 <= v <= 9 for v in values):
            return {str(v): v for v in values}
        return {str(n): v for n, v in enumerate(values[:9], start=1)}
    if isinstance(scale, SingleChoiceScale | MultipleChoiceScale):
        return {str(n): c.code for n, c in enumerate(scale.choices[:9], start=1)}
    return {}


def key_for_value(scale: Scale, value: Value) -> str | None:
    """The key that picks `value` (shown beside each point on screen)."""
    return next((k for k, v in point_keys(scale).items() if v == value), None)


def field_default(f: SessionField, today: date, next_session: int | None = None) -> Value | None:
    """What a session field starts as: its default, with "today" and "next" worked out."""
    d = f.default
    if d == "today":
        return today.isoformat()
    if d == "next":
        return next_session
    return d


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_WHOLE = re.compile(r"[+-]?\d+")


_THOUSANDS = re.compile(r"[+-]?\d{1,3},\d{3}")
"""`1,000`: one thousand to some, 1.0 to others: never read as either."""


def parse_number(text: str) -> int | float | None:
    """A number as people type it: surrounding spaces, a decimal point or a decimal comma
    (`3,5` is 3.5, never 35). None when the text is not a number, or when a comma may be a
    thousands separator (`1,000` was read as 1.0, in range where 1000 was not)."""
    text = text.strip()
    if not _NUMBER.fullmatch(text) or _THOUSANDS.fullmatch(text):
        return None
    if _WHOLE.fullmatch(text):
        return int(text)
    return float(text.replace(",", "."))


def parse_field_text(f: SessionField, text: str) -> Value | None:
    """Typed text as the value the field stores (None when blank); the value may still be
    invalid, which `typed_problem` then says in words. Nothing typed is dropped: text that is
    not a number stays text, so the message can quote it."""
    text = text.strip()
    if not text:
        return None
    if f.type in ("integer", "number"):
        number = parse_number(text)
        if number is None:
            return text
        return text if f.type == "integer" and isinstance(number, float) else number
    if f.role == "dyad" and f.pattern is not None:
        upper = text.upper()
        if re.fullmatch(f.pattern, text) is None and re.fullmatch(f.pattern, upper) is not None:
            return upper  # ec0417 is meant as EC0417
    return text


def typed_problem(f: SessionField, value: Value) -> str | None:
    """Why a typed value does not fit `f`, in the words of someone typing it: the bounds of a
    number by name, the length of the month for an impossible date. None when it fits."""
    if f.type in ("integer", "number") and isinstance(value, str):
        kind = "whole number" if f.type == "integer" else "number"
        bounds = _range(f)
        if _THOUSANDS.fullmatch(value.strip()):
            whole, part = value.strip().split(",")
            return (
                f"{value!r} could be {whole}.{part} or {whole}{part}: type a decimal point "
                "for a fraction, or no comma for thousands"
            ) + (f"; expected a {kind} {bounds}" if bounds else "")
        return f"{value!r} is not a {kind}" + (f"; expected one {bounds}" if bounds else "")
    if f.type in ("integer", "number") and isinstance(value, int | float):
        low = f.min is not None and value < f.min
        high = f.max is not None and value > f.max
        if low or high:
            return f"{_shown(value)} is out of range: {f.label} goes {_range(f)}"
    if f.type == "date" and isinstance(value, str):
        impossible = impossible_date(value)
        if impossible:
            return impossible
    problem = field_value_problem(f, value)
    if problem and isinstance(value, str):
        plain = unicodedata.normalize("NFKC", value)
        if plain != value and field_value_problem(f, plain) is None:  # ＥＣ０４１７ from an IME
            return f"{value!r} has full-width or other look-alike characters: type {plain}"
    return problem


def _shown(number: float) -> str:
    return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)


def _range(f: SessionField) -> str:
    """`from 0 to 48`, `from 1 up`, `up to 300`, or "" for a field without bounds."""
    if f.min is not None and f.max is not None:
        return f"from {_shown(f.min)} to {_shown(f.max)}"
    if f.min is not None:
        return f"from {_shown(f.min)} up"
    if f.max is not None:
        return f"up to {_shown(f.max)}"
    return ""


def next_session_number(previous: int | None) -> int:
    """The suggested number of a dyad's next session: the last one + 1, or 1."""
    return 1 if previous is None else previous + 1


def field_keys(instrument: Instrument) -> dict[str, str]:
    """role -> field key, for the roles an instrument defines."""
    return {f.role: f.key for f in instrument.fields if f.role}
