"""What analysing an item means for its scale: points, range and step, whether its values are
categories (nominal) or positions on a line, and a score analysed as an interval variable.
Shared by pairing (which columns a table has), agreement, calibration and the categorical
statistics."""

from __future__ import annotations

from rating_tui.analysis.itemscale import ItemScale
from rating_tui.instruments.model import (
    Instrument,
    LikertScale,
    NumericScale,
    SingleChoiceScale,
    YesNoScale,
)
from rating_tui.instruments.scores import Score, formula

__all__ = ["ItemScale", "item_scale", "score_scale"]


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
