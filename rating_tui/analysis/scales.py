"""What analysing an item means for its scale: points, range and step, whether its values are
categories (nominal) or positions on a line, and a score analysed as an interval variable.
Shared by pairing (which columns a table has), agreement, calibration and the categorical
statistics."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from rating_tui.instruments.model import (
    Instrument,
    LikertScale,
    NumericScale,
    SingleChoiceScale,
    YesNoScale,
)
from rating_tui.instruments.scores import Score, formula


@dataclass(frozen=True)
class ItemScale:
    """An analysed item and its scale, as the newest version of the instrument defines it."""

    key: str
    label: str
    kind: str
    """likert, numeric, yes_no, choice (single choice), or score (an instrument's computed
    score: an interval variable)."""
    points: tuple[float, ...]
    """The likert point values in ascending order (yes/no: 0 and 1; numeric: none)."""
    low: float
    high: float
    step: float
    codes: tuple[str, ...] = ()
    """A choice item's option codes (as text), in the scale's order: a value is an index."""
    formula: str = ""
    """A score's formula in words (`instruments.scores.formula`); empty for an item."""

    @property
    def is_score(self) -> bool:
        return self.kind == "score"

    @property
    def nominal(self) -> bool:
        """Whether the values are categories without order (yes/no, single choice)."""
        return self.kind in ("yes_no", "choice")

    @property
    def categories(self) -> int:
        """How many categories a nominal or likert scale has (0 for a numeric scale)."""
        return len(self.points)

    @property
    def span(self) -> float:
        """The scale's range in its own units (a 0–4 likert scale: 4)."""
        return self.high - self.low

    def position(self, value: float) -> float:
        """`value` counted in scale points from the bottom (likert: the point's rank), so that
        "within one point" and kappa's categories mean the same on every scale."""
        if self.kind == "likert":
            rank = bisect_left(self.points, value)
            exact = rank < len(self.points) and self.points[rank] == value
            return float(rank) if exact else rank - 0.5
        return (value - self.low) / self.step


def item_scale(instrument: Instrument, key: str) -> ItemScale | None:
    """The analysable scale of item `key`, or None for choices, text or an unknown key."""
    item = next((i for i in instrument.items if i.key == key), None)
    if item is None:
        return None
    scale = instrument.scale_of(item)
    if isinstance(scale, LikertScale):
        points = tuple(sorted(float(p.value) for p in scale.points))
        return ItemScale(key, item.label, "likert", points, points[0], points[-1], 1.0)
    if isinstance(scale, YesNoScale):
        return ItemScale(key, item.label, "yes_no", (0.0, 1.0), 0.0, 1.0, 1.0)
    if isinstance(scale, NumericScale):
        low, high, step = float(scale.min), float(scale.max), float(scale.step)
        return ItemScale(key, item.label, "numeric", (), low, high, step)
    if isinstance(scale, SingleChoiceScale):
        codes = tuple(str(c.code) for c in scale.choices)
        points = tuple(float(i) for i in range(len(codes)))
        return ItemScale(key, item.label, "choice", points, 0.0, points[-1], 1.0, codes)
    return None


def score_scale(instrument: Instrument, score: Score) -> ItemScale:
    """A score analysed like an item: an interval variable, no points, no categories."""
    return ItemScale(
        score.key, score.label, "score", (), 0.0, 0.0, 1.0, formula=formula(instrument, score)
    )
