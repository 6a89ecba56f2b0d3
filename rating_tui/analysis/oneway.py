"""One-way random-effects ICC over every session with two or more values, balanced or not.

With n sessions, N values, m_i values in session i, the one-way ANOVA gives
MSB = SSB / (n - 1) and MSW = SSW / (N - n), and (Shrout & Fleiss 1979, case 1; McGraw & Wong
1996, ICC(1); for unequal m_i Searle 1971 and Donner 1986):

    ICC(1,1) = (MSB - MSW) / (MSB + (k0 - 1) MSW)      ICC(1,k) = (MSB - MSW) / MSB

where k0 = (N - sum m_i^2 / N) / (n - 1) is the adjusted mean number of raters per session
(k0 = k when every session has k values). The 95% intervals are the F-based ones with k0,
exact for balanced data and the usual approximation otherwise.

Every quantity is a sum over sessions (`oneway_sums`), so a bootstrap replicate is a weighted
total of the per-session rows (`resample.py`), as for alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.fdist import f_quantile
from rating_tui.analysis.persession import centred_sums, counts_of

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]
WIDTH = 6
"""Columns of `oneway_sums`: 1, m, m^2, sum, sum of squares, sum^2 / m (per session)."""


def oneway_sums(units: npt.NDArray[np.int64], x: Vector, sessions: int) -> Matrix:
    """Per session 0..`sessions`-1 (`units[i]` the session of `x[i]`): the one-way ANOVA's
    sums; zero rows where a session has fewer than two values. Values are centred on their
    mean first (the ICC does not change; the sums keep their precision). Each column is
    written in place, with a chunk of centred values and one vector of sessions beside the
    result (`persession.centred_sums`): the same numbers as np.bincount over every value,
    which held a 64-bit copy of the sessions and the centred values of every value."""
    out = np.zeros((sessions, WIDTH))
    if len(x) == 0:
        return out
    m, s, q, between = out[:, 1], out[:, 3], out[:, 4], out[:, 5]
    m[:] = counts_of(units, sessions)
    # the centred values' sums and their squares', a chunk of values at a time (the same
    # floats as np.bincount of all of them: `persession.centred_sums`)
    centred_sums(units, x, x.mean(), s, q)
    keep = m >= 2
    np.multiply(s, s, out=between)
    np.divide(between, m, out=between, where=keep)  # s * s / m
    np.multiply(m, m, out=out[:, 2])
    out[:, 0] = keep
    if not keep.all():
        out[~keep, 1:] = 0.0
    return out


def oneway_totals(units: npt.NDArray[np.int64], x: Vector, sessions: int) -> Matrix:
    """`oneway_sums(units, x, sessions).sum(axis=0, keepdims=True)`, the same floats,
    without the sessions x 6 matrix: each column made as a vector of its own, totalled and
    let go. numpy totals a C-ordered matrix over its rows one row after another (not in
    pairs, as it totals a vector), which is what `np.cumsum`'s last element gives. At a
    million ratings of the demo data 8.5 MiB less held while an item's ICC is computed,
    when no bootstrap needs the per-session sums (the F-based interval)."""
    totals = np.zeros((1, WIDTH))
    if len(x) == 0 or sessions == 0:
        return totals
    m = counts_of(units, sessions)  # 32-bit: whole numbers, read as floats where used
    s, q = np.zeros(sessions), np.zeros(sessions)
    centred_sums(units, x, x.mean(), s, q)
    keep = m >= 2
    if not keep.all():
        for vector in (m, s, q):
            vector[~keep] = 0
    # whole numbers (below 2**53 in total): their total is the same in any order
    totals[0, 0] = float(np.count_nonzero(keep))
    totals[0, 1] = float(m.sum(dtype=np.int64))
    totals[0, 2] = float(np.square(m, dtype=np.int64).sum())
    totals[0, 3] = _in_order(s)
    totals[0, 4] = _in_order(q)
    del q
    np.multiply(s, s, out=s)
    np.divide(s, m, out=s, where=keep)  # s * s / m (0 where zeroed above)
    totals[0, 5] = _in_order(s)
    return totals


def _in_order(vector: Vector) -> float:
    """The total of `vector` added from the first value to the last (`oneway_totals`)."""
    return float(np.cumsum(vector)[-1])


@dataclass(frozen=True)
class Anova:
    """The one-way ANOVA of the sessions with two or more values."""

    sessions: float
    values: float
    k0: float
    msb: float
    msw: float


def anova_of(totals: Matrix) -> list[Anova]:
    """The ANOVA of each row of totals of `oneway_sums` columns."""
    found = []
    for n, big_n, squares_m, s, q, between in totals.tolist():
        if n < 2 or big_n <= n:
            found.append(Anova(n, big_n, math.nan, math.nan, math.nan))
            continue
        ssb = between - s * s / big_n
        ssw = max(q - between, 0.0)
        k0 = (big_n - squares_m / big_n) / (n - 1)
        found.append(Anova(n, big_n, k0, max(ssb, 0.0) / (n - 1), ssw / (big_n - n)))
    return found


def icc_from_totals(totals: Matrix) -> tuple[Vector, Vector]:
    """ICC(1,1) and ICC(1,k) of each row of totals (NaN where undefined), vectorised."""
    n, big_n, squares_m, s, q, between = totals.T
    with np.errstate(divide="ignore", invalid="ignore"):
        msb = np.maximum(between - s * s / big_n, 0.0) / (n - 1)
        msw = np.maximum(q - between, 0.0) / (big_n - n)
        k0 = (big_n - squares_m / big_n) / (n - 1)
        ok = (n >= 2) & (big_n > n) & (msb + msw > 1e-12)
        single = np.where(ok, (msb - msw) / (msb + (k0 - 1) * msw), np.nan)
        average = np.where(ok & (msb > 1e-12), (msb - msw) / msb, np.nan)
    return single, average


def f_interval(
    anova: Anova, level: float = 0.95
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The F-based intervals of ICC(1,1) and ICC(1,k) (NaN bounds where not defined)."""
    df1, df2 = anova.sessions - 1, anova.values - anova.sessions
    if anova.msw <= 0 or df1 < 1 or df2 < 1:
        return (math.nan, math.nan), (math.nan, math.nan)
    f = anova.msb / anova.msw
    upper_q = 1 - (1 - level) / 2
    f_low = f / f_quantile(df1, df2, upper_q)
    f_high = f * f_quantile(df2, df1, upper_q)
    k0 = anova.k0

    def single(v: float) -> float:
        return (v - 1) / (v + k0 - 1)

    def average(v: float) -> float:
        return 1 - 1 / v if v else -math.inf

    return (single(f_low), single(f_high)), (average(f_low), average(f_high))
