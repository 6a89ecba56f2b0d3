"""Cohen's weighted kappa for two raters, with linear or quadratic disagreement weights.

kappa_w = 1 - sum(w * observed) / sum(w * expected), where w(i, j) = |i - j| (linear) or
(i - j)^2 (quadratic) on the categories' positions (Cohen 1968). Scaling the weights (e.g. by
1 / (K - 1)^2) cancels out, so the positions may be scale points or values; categories neither
rater used add nothing. The expected disagreement comes from the two raters' marginal
distributions in closed form (O(K) after sorting), so a fine numeric scale costs no K x K table.
The plural forms take a matrix of pair counts, one row per bootstrap replicate (see
`bootstrap.py`); the statistic of the data itself is the row of ones.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Weights = Literal["linear", "quadratic"]
Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]


def expected_disagreement(a: Vector, b: Vector, weights: Weights) -> float:
    """Mean weight of a pair drawn from the raters' marginals independently."""
    return float(expected_disagreements(a, b, weights, np.ones((1, len(a))))[0])


def weighted_kappa(a: Vector, b: Vector, weights: Weights) -> float | None:
    """Kappa of paired positions `a` and `b` (same sessions, same order); None when the
    raters' marginals leave no disagreement to expect (both used one and the same value)."""
    value = weighted_kappas(a, b, weights, np.ones((1, len(a))))[0]
    return None if np.isnan(value) else float(value)


def weighted_kappas(a: Vector, b: Vector, weights: Weights, counts: Matrix) -> Vector:
    """Kappa with each pair counted `counts[r, i]` times, for every row r (a bootstrap
    replicate; a row of ones is the data itself); NaN where it is undefined."""
    power = 1 if weights == "linear" else 2
    observed = counts @ (np.abs(a - b) ** power) / len(a)
    expected = expected_disagreements(a, b, weights, counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappas: Vector = np.where(expected > 1e-12, 1 - observed / expected, np.nan)
    return kappas


def expected_disagreements(a: Vector, b: Vector, weights: Weights, counts: Matrix) -> Vector:
    """`expected_disagreement` for each row of pair counts, at once."""
    n = len(a)
    if weights == "quadratic":
        mean_a, mean_b = counts @ a / n, counts @ b / n
        quadratic: Vector = counts @ (a**2) / n + counts @ (b**2) / n - 2 * mean_a * mean_b
        return quadratic
    support = np.union1d(a, b)
    pa, pb = _marginals(a, support, counts), _marginals(b, support, counts)
    below = np.cumsum(pb, axis=1)  # P(B <= v_i)
    mass_below = np.cumsum(pb * support, axis=1)  # E[B; B <= v_i]
    mean_b = mass_below[:, -1:]
    per_value = support * below - mass_below + (mean_b - mass_below) - support * (1 - below)
    linear: Vector = (pa * per_value).sum(axis=1)
    return linear


def _marginals(x: Vector, support: Vector, counts: Matrix) -> Matrix:
    """Each row's distribution of `x` over `support` (one column per support value)."""
    column = np.searchsorted(support, x)
    order = np.argsort(column, kind="stable")
    present, starts = np.unique(column[order], return_index=True)
    out = np.zeros((len(counts), len(support)))
    out[:, present] = np.add.reduceat(counts[:, order], starts, axis=1) / len(x)
    return out
