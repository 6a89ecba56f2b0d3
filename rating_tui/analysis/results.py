"""What the agreement statistics return: a value with its interval, or the reason there is none.

A statistic that cannot be computed (too few sessions, no variation, no pair of raters) is an
`Estimate` with `value=None` and a `note` saying why, never a number that looks real. Plain
Python, so that the CLI can print results without importing numpy itself.
"""

from __future__ import annotations

import importlib.util
import math
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

INSTALL_HINT = "pip install 'rating-tui[stats]'"

MIN_SESSIONS = 5
"""Below this many sessions a statistic is reported as "too few sessions", not as a number.
A floor against noise, not a recommendation: Koo & Li (2016) advise at least 30 sessions and 3
raters for a reliability study."""
SMALL_SAMPLE = 20
"""Intervals from fewer sessions than this carry a caveat: they are wide and approximate."""

ONE_WAY = ("ICC(1,1)", "ICC(1,k)")
"""One-way random effects over every session with two or more values (any design)."""
TWO_WAY = ("ICC(2,1)", "ICC(3,1)", "ICC(2,k)", "ICC(3,k)")
"""Two-way forms: they need raters crossed with sessions (a complete block)."""
ICC_FORMS = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")
"""Shrout & Fleiss (1979): 1 one-way random, 2 two-way random (absolute agreement), 3 two-way
mixed (consistency); ",1" one rater's rating, ",k" the mean of the k raters."""
KAPPAS = ("kappa (linear)", "kappa (quadratic)")
ALPHAS = ("alpha (ordinal)", "alpha (interval)")
NOMINAL = ("alpha (nominal)", "Fleiss' kappa", "Gwet's AC1", "kappa")
"""Statistics of nominal items (yes/no, single choice); "kappa" is Cohen's, unweighted."""

MODELS = {
    "ICC(1,1)": "one-way random effects, absolute agreement, single rater",
    "ICC(1,k)": "one-way random effects, absolute agreement, mean of k raters",
    "ICC(2,1)": "two-way random effects, absolute agreement, single rater",
    "ICC(2,k)": "two-way random effects, absolute agreement, mean of k raters",
    "ICC(3,1)": "two-way mixed effects, consistency, single rater",
    "ICC(3,k)": "two-way mixed effects, consistency, mean of k raters",
    "alpha (nominal)": "Krippendorff's alpha, nominal metric",
    "alpha (ordinal)": "Krippendorff's alpha, ordinal metric",
    "alpha (interval)": "Krippendorff's alpha, interval metric",
}
"""Each statistic's model in words, for the sentence a researcher copies into a paper."""


def stats_missing() -> str | None:
    """None when numpy can be imported, else what to install, as a message."""
    if importlib.util.find_spec("numpy") is not None:
        return None
    return f"agreement statistics need numpy: install it with {INSTALL_HINT}"


@dataclass(frozen=True, slots=True)  # slots: tens of thousands of pairs' figures
class Estimate:
    """One statistic: its value and 95% interval (None when not computed) and why not."""

    value: float | None
    low: float | None = None
    high: float | None = None
    note: str = ""


def missing(note: str) -> Estimate:
    return Estimate(None, note=note)


def too_few(found: int, what: str = "sessions") -> Estimate:
    return missing(f"too few sessions: {found} {what}, at least {MIN_SESSIONS} needed")


def koo_li(value: float) -> str:
    """Koo & Li (2016) band of an ICC: < .50 poor, .50–.75 moderate, .75–.90 good,
    > .90 excellent."""
    if value < 0.5:
        return "poor"
    if value < 0.75:
        return "moderate"
    if value <= 0.9:
        return "good"
    return "excellent"


def landis_koch(value: float) -> str:
    """Landis & Koch (1977) band of a kappa-type coefficient."""
    for limit, band in ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate")):
        if value < limit or (limit > 0 and value <= limit):
            return band
    return "substantial" if value <= 0.8 else "almost perfect"


def krippendorff_band(value: float) -> str:
    """Krippendorff (2004): alpha >= .800 reliable, .667 to .800 tentative, below unreliable."""
    if value >= 0.8:
        return "reliable"
    return "tentative" if value >= 0.667 else "unreliable"


def band_of(statistic: str, value: float) -> str:
    """The reading band of `statistic` at `value`: Koo & Li for ICCs, Krippendorff for alpha,
    Landis & Koch for kappa and AC1."""
    if statistic.startswith("ICC"):
        return koo_li(value)
    if statistic.startswith("alpha"):
        return krippendorff_band(value)
    return landis_koch(value)


def interpretation(estimate: Estimate, statistic: str = "ICC") -> str:
    """The band of the estimate, and the bands its interval spans when they differ (Koo &
    Li judge by the interval, not the point estimate alone)."""
    if estimate.value is None:
        return ""
    band = band_of(statistic, estimate.value)
    if estimate.low is None or estimate.high is None:
        return band
    low, high = band_of(statistic, estimate.low), band_of(statistic, estimate.high)
    return band if low == high else f"{band} (CI: {low} to {high})"


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the agreement report: a statistic of one item, on which data."""

    statistic: str
    estimate: Estimate
    sessions: int
    """Sessions the statistic used."""
    raters: tuple[str, ...]
    """Raters it used (for alpha and the one-way ICC: every rater with a value)."""
    scope: str = "all sessions"
    """Which sessions: "all sessions", "complete block", "pair" or "pooled pairs"."""
    interval: str = ""
    """How the 95% interval was made: "F", "session bootstrap" or "dyad bootstrap"."""
    k: float | None = None
    """Raters per session the ",k" forms and the one-way model assume (adjusted mean)."""

    @property
    def interpretation(self) -> str:
        return interpretation(self.estimate, self.statistic)


class PairFigures(Sequence[Figure]):
    """Kappa per pair of raters where the pairs get no interval (more pairs than are
    resampled), each figure made when read: a value and a count per pair and statistic
    instead of a `Figure` and an `Estimate` held for each (the demo data's 24,000 figures
    took 4.5 MiB that way, for the whole run)."""

    __slots__ = ("_kinds", "_none", "_note", "_pairs", "_sessions", "_values")

    def __init__(self, kinds: tuple[str, ...], note: str, none: str) -> None:
        self._kinds = kinds
        self._note = note
        """The note of every figure with a value."""
        self._none = none
        """Why a figure without a value (NaN) has none."""
        self._values: array[float] = array("d")
        self._sessions: array[int] = array("q")
        self._pairs: list[tuple[str, ...]] = []

    def add(self, values: Sequence[float], sessions: int, pair: tuple[str, ...]) -> None:
        """One pair's figures: a value (NaN: none) per statistic in `kinds`."""
        self._values.extend(values)
        self._sessions.append(sessions)
        self._pairs.append(pair)

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, index: int) -> Figure: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Figure]: ...
    def __getitem__(self, index: int | slice) -> Figure | Sequence[Figure]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        value = self._values[index]  # IndexError as a list gives it
        pair, kind = divmod(index % len(self._values), len(self._kinds))
        estimate = missing(self._none) if math.isnan(value) else Estimate(value, note=self._note)
        return Figure(self._kinds[kind], estimate, self._sessions[pair], self._pairs[pair], "pair")


class Figures(Sequence[Figure]):
    """An item's figures: those held as `Figure`s (`head`, where intervals are set), then
    those made when read (`tail`, kappa per pair of raters without intervals)."""

    __slots__ = ("head", "tail")

    def __init__(self, head: list[Figure], tail: Sequence[Figure] = ()) -> None:
        self.head = head
        self.tail = tail

    def __len__(self) -> int:
        return len(self.head) + len(self.tail)

    @overload
    def __getitem__(self, index: int) -> Figure: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Figure]: ...
    def __getitem__(self, index: int | slice) -> Figure | Sequence[Figure]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if 0 <= index < len(self.head):
            return self.head[index]
        return self.tail[index - len(self.head)]

    def __setitem__(self, index: int, figure: Figure) -> None:
        """Replace a held figure (one whose interval the bootstrap has set)."""
        self.head[index] = figure

    def __iter__(self) -> Iterator[Figure]:
        yield from self.head
        yield from self.tail

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal by contents, as a list
