"""Alert rules of the instrument format: `[[alerts]]` tables a researcher tunes per instrument.

    [[alerts]]
    kind = "drop"        # an item falls by `points` or more since the previous rated session
    points = 2
    items = ["narration", "future"]   # optional; default: every item with a numeric scale

Kinds and their keys: drop (points), low (cutoff, sessions), not_observed (sessions, codes),
gap (days). One model holds every kind, so that a key given to the wrong kind is reported by
name ("`cutoff` is for kind low, not drop") rather than as a failed union branch. Rules that
need the rest of the instrument (items exist and have numeric scales, codes are defined, the
cutoff lies on the scale) are in `alert_problems`, run with the other cross-references.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from rating_tui.instruments.base import Key, ReferenceProblems, Strict, listed_twice, listing

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument

AlertKind = Literal["drop", "low", "not_observed", "gap"]

_KEYS: dict[str, tuple[str, ...]] = {
    "drop": ("points",),
    "low": ("cutoff", "sessions"),
    "not_observed": ("sessions", "codes"),
    "gap": ("days",),
}
"""The kind-specific keys each kind takes (`kind`, `items` and `message` are common)."""
_REQUIRED: dict[str, tuple[str, ...]] = {
    "drop": ("points",),
    "low": ("cutoff", "sessions"),
    "not_observed": ("sessions",),
    "gap": ("days",),
}


class AlertRule(Strict):
    """When a dyad needs attention; evaluated by `rating_tui.services.alerts`."""

    kind: AlertKind
    items: list[Key] | None = None
    """Item keys the rule watches; default every item with a numeric scale (not for gap)."""
    message: str = ""
    """Shown before the computed detail, e.g. "Check the alliance"."""
    points: int | float | None = Field(default=None, gt=0)
    """drop: how many points down, from the previous rated session to this one."""
    cutoff: int | float | None = None
    """low: a value at or below this counts as low."""
    sessions: int | None = Field(default=None, ge=1, le=100)
    """low, not_observed: how many rated sessions in a row."""
    codes: list[Key] | None = None
    """not_observed: which missing codes count (default: any missing code)."""
    days: int | None = Field(default=None, ge=1, le=3650)
    """gap: days without a rated session."""

    @model_validator(mode="after")
    def _keys_fit_kind(self) -> AlertRule:
        problems: list[tuple[str, str]] = []
        for name in ("points", "cutoff", "sessions", "codes", "days"):
            given = getattr(self, name) is not None
            if given and name not in _KEYS[self.kind]:
                users = [k for k, keys in _KEYS.items() if name in keys]
                problems.append(
                    (name, f"{name} is for kind {' and '.join(users)}, not {self.kind}")
                )
        for name in _REQUIRED[self.kind]:
            if getattr(self, name) is None:
                problems.append((name, f"required key for kind {self.kind} is missing"))
        for name in ("points", "cutoff"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                problems.append((name, f"expected a finite number, found {value}"))
        if self.kind == "gap" and self.items is not None:
            problems.append(("items", "a gap is about the dyad's sessions, not items"))
        if problems:
            raise ReferenceProblems(problems)
        return self

    def describe(self) -> str:
        """The rule in words, for lists and reports."""
        if self.kind == "drop":
            return f"drop of {self.points:g}+ points since the previous session"
        if self.kind == "low":
            return f"at or below {self.cutoff:g} for {self.sessions} sessions in a row"
        if self.kind == "not_observed":
            codes = ", ".join(self.codes) if self.codes else "any missing code"
            return f"not rated ({codes}) for {self.sessions} sessions in a row"
        return f"no rated session for {self.days} days"


def alert_problems(ins: Instrument, kept: bool = False) -> list[tuple[str, str]]:
    """Rules that need the rest of the instrument, as (key path, message) pairs."""
    from rating_tui.instruments.scales import LikertScale, NumericScale, YesNoScale

    numeric = {
        i.key
        for i in ins.items
        if not isinstance(i.scale, str) or i.scale in ins.scales
        if isinstance(ins.scale_of(i), LikertScale | NumericScale | YesNoScale)
    }
    items = {i.key: i for i in ins.items}
    codes = {c.code for c in ins.missing_codes}
    out: list[tuple[str, str]] = []
    for n, rule in enumerate(ins.alerts):
        where = f"alerts[{n}]"
        for k, key in enumerate(rule.items or []):
            if key in (rule.items or [])[:k] and not kept:
                out.append((f"{where}.items[{k}]", listed_twice(key, "item")))
            elif key not in items:
                out.append(
                    (f"{where}.items[{k}]", f"{key!r} names no item (items: {listing(items)})")
                )
            elif key not in numeric and rule.kind != "not_observed" and _resolved(ins, key):
                out.append(
                    (
                        f"{where}.items[{k}]",
                        f"{key!r} has no numeric scale, so a {rule.kind} rule cannot watch it "
                        f"(numeric items: {listing(numeric)})",
                    )
                )
        for k, code in enumerate(rule.codes or []):
            if code in (rule.codes or [])[:k] and not kept:
                out.append((f"{where}.codes[{k}]", listed_twice(code, "code")))
            elif code not in codes:
                out.append(
                    (
                        f"{where}.codes[{k}]",
                        f"{code!r} is not defined in [[missing_codes]] (defined: {listing(codes)})",
                    )
                )
        if rule.kind == "drop" and rule.points is not None:
            # a drop larger than the scale's span can never happen: the rule would watch in
            # silence, and a supervisor would read "no alert" as "no sharp drop". Named for an
            # item the rule lists; for a rule over every numeric item, when no item can fall
            # that far (items on smaller scales beside them are normal)
            watched = [items[k] for k in (rule.items or numeric) if k in items and k in numeric]
            spans = {i.key: scale_range(ins, i.key) for i in watched}
            short = [k for k, (low, high) in spans.items() if rule.points > high - low]
            if not rule.items:  # named by the widest scale: not even it can fall that far
                short.sort(key=lambda k: spans[k][0] - spans[k][1])
            if short and (rule.items or len(short) == len(spans)):
                low, high = spans[short[0]]
                out.append(
                    (
                        f"{where}.points",
                        f"a drop of {rule.points:g} points cannot happen on {short[0]!r}'s "
                        f"scale ({low:g} to {high:g}, at most {high - low:g}), so this rule "
                        "would never raise an alert" + ("" if rule.items else " on any item"),
                    )
                )
        if (
            rule.kind == "drop"
            and rule.points is not None
            and not float(rule.points).is_integer()
            and not kept  # a kept copy's ratings stay readable (model.KEPT)
        ):
            # one rater's values differ by whole points there, so 2.5 would act as 3 unsaid
            keys = [k for k in (rule.items or numeric) if k in items and k in numeric]
            whole = sorted(k for k in keys if whole_points(ins, k))
            if whole:
                below, above = math.floor(rule.points), math.ceil(rule.points)
                out.append(
                    (
                        f"{where}.points",
                        f"{rule.points:g} is not a whole number, but {whole[0]!r}'s scale takes "
                        f"whole numbers only: a rater's drop of {rule.points:g} or more is one of "
                        f"{above} or more; write points = {above} (or {below}), or give the "
                        "scale a finer step",
                    )
                )
        if rule.kind == "low" and rule.cutoff is not None:
            watched = [items[k] for k in (rule.items or numeric) if k in items and k in numeric]
            for item in watched:
                low, high = scale_range(ins, item.key)
                if not low <= rule.cutoff < high:
                    out.append(
                        (
                            f"{where}.cutoff",
                            f"{rule.cutoff:g} is not inside {item.key!r}'s scale "
                            f"({low:g} to {high:g}, below its top)",
                        )
                    )
                    break
    return out


def _resolved(ins: Instrument, key: str) -> bool:
    """Whether the item's scale exists (a dangling reference is reported elsewhere)."""
    item = next(i for i in ins.items if i.key == key)
    return not isinstance(item.scale, str) or item.scale in ins.scales


def whole_points(ins: Instrument, key: str) -> bool:
    """Whether every value of a numeric item's scale is a whole number (likert, yes/no, or
    numeric from a whole number in whole steps)."""
    from rating_tui.instruments.scales import NumericScale

    item = next(i for i in ins.items if i.key == key)
    scale = ins.scale_of(item)
    if isinstance(scale, NumericScale):
        return float(scale.min).is_integer() and float(scale.step).is_integer()
    return True


def scale_range(ins: Instrument, key: str) -> tuple[float, float]:
    """The lowest and highest value of a numeric item's scale (yes/no is 0 to 1)."""
    from rating_tui.instruments.scales import LikertScale, NumericScale

    item = next(i for i in ins.items if i.key == key)
    scale = ins.scale_of(item)
    if isinstance(scale, LikertScale):
        values = [p.value for p in scale.points]
        return float(min(values)), float(max(values))
    if isinstance(scale, NumericScale):
        return float(scale.min), float(scale.max)
    return 0.0, 1.0
