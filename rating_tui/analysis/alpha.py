"""Krippendorff's alpha, interval and ordinal, for any number of raters and missing values.

alpha = 1 - D_o / D_e over the pairable values (those in units with two or more values). With
the interval metric (c - k)^2 both sums have a closed form in sums of squares:

    alpha = 1 - (n - 1) * sum_u [m_u * SS_u / (m_u - 1)] / (n * SS_total)

where m_u is the number of values in unit u, SS_u their squared deviations from the unit mean,
and n the number of pairable values. Krippendorff's ordinal metric,
(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, is the interval metric applied to the values' mid-ranks
(tied values share the mean of their ranks), so one vectorised routine serves both and a
numeric scale with many distinct values costs no value-by-value table.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Level = Literal["interval", "ordinal"]


def midranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each value's rank among `values`, ties sharing the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    below = np.cumsum(counts) - counts
    ranks: npt.NDArray[np.float64] = (below + (counts + 1) / 2.0)[inverse]
    return ranks


def pairable(
    units: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The values of units with at least two values, each unit renumbered from 0."""
    _, inverse, counts = np.unique(units, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= 2
    _, renumbered = np.unique(inverse[keep], return_inverse=True)
    return renumbered.astype(np.int64), values[keep]


def alpha(
    units: npt.NDArray[np.int64], values: npt.NDArray[np.float64], level: Level
) -> float | None:
    """Alpha of `values` (no NaN), `units[i]` being the unit (session) of `values[i]`; None
    when no unit is pairable or the pairable values do not vary (alpha is then undefined)."""
    units, values = pairable(units, values)
    n = len(values)
    if n < 2:
        return None
    x = midranks(values) if level == "ordinal" else values
    x = x - x.mean()
    ss_total = float((x**2).sum())
    if ss_total <= 0:
        return None
    m = np.bincount(units).astype(np.float64)
    sums = np.bincount(units, weights=x)
    squares = np.bincount(units, weights=x**2)
    ss_units = np.maximum(squares - sums**2 / m, 0.0)
    within = float((m * ss_units / (m - 1)).sum())
    return 1 - (n - 1) * within / (n * ss_total)
