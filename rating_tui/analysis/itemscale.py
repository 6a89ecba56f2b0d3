"""An analysed item and its scale (`ItemScale`), apart from the instrument models that
`scales` builds it from: what agreement's tables carry, so that a table can be read back
(`cli/analysis_read.py` reads it in a child process) without importing the instrument and
rating models (pydantic; about 14 MiB of memory)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass


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
