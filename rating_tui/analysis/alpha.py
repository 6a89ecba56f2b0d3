"""Krippendorff's alpha, interval and ordinal, for any number of raters and missing values.

alpha = 1 - D_o / D_e over the pairable values (those in units with two or more values). With
the interval metric (c - k)^2 both sums have a closed form in sums of squares:

    alpha = 1 - (n - 1) * sum_u [m_u * SS_u / (m_u - 1)] / (n * SS_total)

where m_u is the number of values in unit u, SS_u their squared deviations from the unit mean,
and n the number of pairable values. Krippendorff's ordinal metric,
(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, is the interval metric applied to the values' mid-ranks
(tied values share the mean of their ranks), so one vectorised routine serves both and a
numeric scale with many distinct values costs no value-by-value table. The sums are kept per
session (`alpha_sums`), so a bootstrap replicate is a weighted total of them (`bootstrap.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.persession import centred_sums, counts_of

Level = Literal["interval", "ordinal"]
Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]


RANKED = 1 << 16
"""Values ranked at a time for the mean mid-rank (`midrank_table`)."""


@dataclass(frozen=True)
class Ranks:
    """The mid-ranks of some values (`midrank_table`): the distinct values, sorted, each
    one's mid-rank, and the mean of the values' mid-ranks (as `midranks(values).mean()`)."""

    levels: npt.NDArray[np.float64]
    ranked: npt.NDArray[np.float64]
    mean: np.float64

    def of(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The mid-rank of each of `values` (values among `levels`)."""
        # each value's level found among the few distinct ones: what np.unique's inverse
        # gives, without the index arrays it sorts to make it
        found: npt.NDArray[np.float64] = self.ranked[np.searchsorted(self.levels, values)]
        return found


def midrank_table(values: npt.NDArray[np.float64]) -> Ranks:
    """The mid-ranks of `values` (no NaN): ties share the mean of their ranks."""
    levels, counts = np.unique(values, return_counts=True)
    below = np.cumsum(counts) - counts
    table = Ranks(levels, below + (counts + 1) / 2.0, np.float64(0.0))
    # every value's mid-rank, a chunk at a time into one vector (not beside a 64-bit index
    # per value as well), then their mean: the same floats as `table.of(values).mean()`
    ranks = np.empty(len(values))
    for start in range(0, len(values), RANKED):
        ranks[start : start + RANKED] = table.of(values[start : start + RANKED])
    return replace(table, mean=ranks.mean())


def midranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each value's rank among `values`, ties sharing the mean of their ranks (no NaN)."""
    return midrank_table(values).of(values)


def pairable(
    units: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The values of units with at least two values, each unit renumbered from 0."""
    units, values = _in_pairable_units(units, values)
    _, renumbered = np.unique(units, return_inverse=True)
    return renumbered.astype(np.int64), values


def _in_pairable_units(
    units: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The values of units with at least two values, under their own unit numbers."""
    _, inverse, counts = np.unique(units, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= 2
    return units[keep], values[keep]


def alpha(
    units: npt.NDArray[np.int64], values: npt.NDArray[np.float64], level: Level
) -> float | None:
    """Alpha of `values` (no NaN), `units[i]` being the unit (session) of `values[i]`; None
    when no unit is pairable or the pairable values do not vary (alpha is then undefined)."""
    if len(units) == 0:
        return None
    _, units = np.unique(units, return_inverse=True)
    return alpha_of(alpha_sums(units, values, level, int(units.max()) + 1))


def alpha_of(sums: Matrix) -> float | None:
    """Alpha of the data whose per-session `alpha_sums` these are; None when undefined."""
    value = alpha_from_totals(sums.sum(axis=0, keepdims=True))[0]
    return None if np.isnan(value) else float(value)


def alpha_sums(
    units: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    level: Level,
    sessions: int,
    ranks: Ranks | None = None,
) -> Matrix:
    """What alpha is built from, per session: one row per session 0..`sessions`-1 (`units[i]`
    is the session of `values[i]`) holding the number of values, their sum and sum of squares
    (centred), and the within-session term; zero rows where a session has fewer than two.
    `ranks`: `midrank_table(values)` for the ordinal level, when the caller has it (used
    only when every session has two or more values, as the table is of all `values`)."""
    # the sessions as given (agreement's are 32-bit), counted a chunk at a time into 32-bit
    # counts, and the centred values' sums a chunk at a time (`persession`): no copy of
    # the sessions or of the values is made for all of them at once
    units, values = np.asarray(units), np.asarray(values, np.float64)
    if units.dtype.kind not in "iu":
        units = units.astype(np.int64)
    counts = counts_of(units, sessions)
    if (counts == 1).any():  # a session with one value; none in agreement's
        keep = (counts >= 2)[units]
        units, values = units[keep], values[keep]
        del keep
        counts = counts_of(units, sessions)
        ranks = None  # it was of the values left out too
    out = np.zeros((sessions, 4))
    if len(values) == 0:
        return out
    out[:, 0] = counts
    del counts
    if level == "ordinal":
        ranks = midrank_table(values) if ranks is None else ranks
        centred_sums(units, values, ranks.mean, out[:, 1], out[:, 2], ranks.of)
    else:
        centred_sums(units, values, values.mean(), out[:, 1], out[:, 2])
    _within(out)
    return out


def _within(out: Matrix) -> None:
    """Write `alpha_sums`' last column from its first three (see there)."""
    m, sums, squares = out[:, 0], out[:, 1], out[:, 2]
    # the within-session term, max(squares - sums ** 2 / m, 0) * m / (m - 1) where m >= 2,
    # step by step in one vector (the same operations, in the same order)
    within = out[:, 3]  # written in place: not a vector of its own beside the result
    np.square(sums, out=within)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(within, m, out=within)
        np.subtract(squares, within, out=within)
        np.maximum(within, 0.0, out=within)
        np.multiply(within, m, out=within)
        np.divide(within, m - 1, out=within)
    within[m < 2] = 0.0


def alpha_ranged(
    units: npt.NDArray[np.integer[Any]],
    values: npt.NDArray[np.float64],
    level: Level,
    sessions: int,
    ranks: Ranks | None = None,
) -> Callable[[int, int], Matrix] | None:
    """What makes `alpha_sums(units, values, level, sessions, ranks)[begin:end]` from the
    values of sessions begin..end-1 alone: each session's values are added in the same
    order from the same centre (the mean of all values, or of all their mid-ranks), so the
    rows are the same floats, and a large item's sums can be totalled and grouped a range
    of sessions at a time instead of as one matrix of every session. None where a session
    has a single value (`alpha_sums` leaves those values out and ranks the rest anew)."""
    units = np.asarray(units)
    if units.dtype.kind not in "iu" or len(units) == 0 or (counts_of(units, sessions) == 1).any():
        return None
    if level == "ordinal":
        table = midrank_table(values) if ranks is None else ranks
        center, transform = table.mean, table.of
    else:
        center, transform = np.asarray(values, np.float64).mean(), None

    def rows(begin: int, end: int) -> Matrix:
        at = np.flatnonzero((units >= begin) & (units < end))
        inside = units[at] - units.dtype.type(begin)
        taken = np.asarray(values[at], np.float64)
        del at
        out = np.zeros((end - begin, 4))
        out[:, 0] = counts_of(inside, end - begin)
        centred_sums(inside, taken, center, out[:, 1], out[:, 2], transform)
        _within(out)
        return out

    return rows


def alpha_from_totals(totals: Matrix) -> Vector:
    """Alpha from totals of the `alpha_sums` columns, one row per weighting of the sessions
    (a bootstrap replicate; the plain sum is the data itself); NaN where it is undefined."""
    n, sums, squares, within = totals.T
    with np.errstate(divide="ignore", invalid="ignore"):
        total = squares - sums**2 / n
        alphas: Vector = np.where(
            (n >= 2) & (total > 1e-12), 1 - (n - 1) * within / (n * total), np.nan
        )
    return alphas
