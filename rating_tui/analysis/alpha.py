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

from typing import Literal

import numpy as np
import numpy.typing as npt

Level = Literal["interval", "ordinal"]
Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]


def midranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each value's rank among `values`, ties sharing the mean of their ranks (no NaN)."""
    levels, counts = np.unique(values, return_counts=True)
    below = np.cumsum(counts) - counts
    # each value's level found among the few distinct ones: what np.unique's inverse gives,
    # without the index arrays it sorts to make it
    ranks: npt.NDArray[np.float64] = (below + (counts + 1) / 2.0)[np.searchsorted(levels, values)]
    return ranks


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
    units: npt.NDArray[np.int64], values: npt.NDArray[np.float64], level: Level, sessions: int
) -> Matrix:
    """What alpha is built from, per session: one row per session 0..`sessions`-1 (`units[i]`
    is the session of `values[i]`) holding the number of values, their sum and sum of squares
    (centred), and the within-session term; zero rows where a session has fewer than two."""
    # the sessions as given (agreement's are 32-bit; bincount widens them a call at a time,
    # not a copy held throughout: 8 bytes a value at the item's peak)
    units, values = np.asarray(units), np.asarray(values, np.float64)
    if units.dtype.kind not in "iu":
        units = units.astype(np.int64)
    counts = np.bincount(units, minlength=sessions)
    if (counts == 1).any():  # a session with one value; none in agreement's
        keep = (counts >= 2)[units]
        units, values = units[keep], values[keep]
        del keep
    del counts
    out = np.zeros((sessions, 4))
    if len(values) == 0:
        return out
    if level == "ordinal":
        x = midranks(values)
        x -= x.mean()  # in place: the ranks are a new array
    else:
        x = values - values.mean()
    # each column written where it is kept, x squared in place once its sums are taken: the
    # same numbers as separate arrays, without four of them per session beside `out`
    out[:, 0] = np.bincount(units, minlength=sessions)
    out[:, 1] = np.bincount(units, weights=x, minlength=sessions)
    np.square(x, out=x)  # what x**2 gives, in its own array
    out[:, 2] = np.bincount(units, weights=x, minlength=sessions)
    del x
    m, sums, squares = out[:, 0], out[:, 1], out[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 3] = np.where(m >= 2, np.maximum(squares - sums**2 / m, 0.0) * m / (m - 1), 0.0)
    return out


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
