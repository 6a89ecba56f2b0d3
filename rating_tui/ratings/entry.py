"""Rules of fast data entry, kept out of the UI so they can be tested without a terminal:
which key picks which scale point, what a session field starts as, how typed text becomes a
value.
"""

from __future__ import annotations

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
from rating_tui.ratings.model import Value


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


def parse_field_text(f: SessionField, text: str) -> Value | None:
    """Typed text as the value the field stores (None when blank); the value may still be
    invalid, which `validate.field_value_problem` then says in words."""
    text = text.strip()
    if not text:
        return None
    if f.type == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if f.type == "number":
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return text
    return text


def next_session_number(previous: int | None) -> int:
    """The suggested number of a dyad's next session: the last one + 1, or 1."""
    return 1 if previous is None else previous + 1


def field_keys(instrument: Instrument) -> dict[str, str]:
    """role -> field key, for the roles an instrument defines."""
    return {f.role: f.key for f in instrument.fields if f.role}
