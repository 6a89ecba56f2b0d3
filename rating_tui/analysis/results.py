"""What the agreement statistics return: a value with its interval, or the reason there is none.

A statistic that cannot be computed (too few sessions, no variation, the wrong number of raters)
is an `Estimate` with `value=None` and a `note` saying why, never a number that looks real.
Plain Python, so that the CLI can print results without importing numpy itself.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

INSTALL_HINT = "pip install 'rating-tui[stats]'"

MIN_SESSIONS = 5
"""Below this many sessions a statistic is reported as "too few sessions", not as a number.
A floor against noise, not a recommendation: Koo & Li (2016) advise at least 30 sessions and 3
raters for a reliability study."""

ICC_FORMS = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")
"""Shrout & Fleiss (1979): 1 one-way random, 2 two-way random (absolute agreement), 3 two-way
mixed (consistency); ",1" one rater's rating, ",k" the mean of the k raters."""
KAPPAS = ("kappa (linear)", "kappa (quadratic)")
ALPHAS = ("alpha (ordinal)", "alpha (interval)")
STATISTICS = ICC_FORMS + KAPPAS + ALPHAS


def stats_missing() -> str | None:
    """None when numpy and scipy can be imported, else what to install, as a message."""
    absent = [m for m in ("numpy", "scipy") if importlib.util.find_spec(m) is None]
    if not absent:
        return None
    return f"agreement statistics need {' and '.join(absent)}: install them with {INSTALL_HINT}"


@dataclass(frozen=True)
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


def interpretation(estimate: Estimate) -> str:
    """The Koo & Li band of an ICC, and the bands its interval spans when they differ (Koo &
    Li judge by the interval, not the point estimate alone)."""
    if estimate.value is None:
        return ""
    band = koo_li(estimate.value)
    if estimate.low is None or estimate.high is None:
        return band
    low, high = koo_li(estimate.low), koo_li(estimate.high)
    return band if low == high else f"{band} (CI: {low} to {high})"


@dataclass(frozen=True)
class Figure:
    """One row of the agreement report: a statistic of one item, on which data."""

    statistic: str
    estimate: Estimate
    sessions: int
    """Sessions the statistic used."""
    raters: tuple[str, ...]
    """Raters it used (for alpha: every rater with a value)."""

    @property
    def interpretation(self) -> str:
        return interpretation(self.estimate) if self.statistic.startswith("ICC") else ""
