"""Cohen's weighted kappa for two raters, with linear or quadratic disagreement weights.

kappa_w = 1 - sum(w * observed) / sum(w * expected), where w(i, j) = |i - j| (linear) or
(i - j)^2 (quadratic) on the categories' positions (Cohen 1968). Scaling the weights (e.g. by
1 / (K - 1)^2) cancels out, so the positions may be scale points or values; categories neither
rater used add nothing. The expected disagreement comes from the two raters' marginal
distributions in closed form (O(K) after sorting), so a fine numeric scale costs no K x K table.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Weights = Literal["linear", "quadratic"]
Vector = npt.NDArray[np.float64]


def _marginal(x: Vector, support: Vector) -> Vector:
    counts = np.bincount(np.searchsorted(support, x), minlength=len(support))
    return counts.astype(np.float64) / len(x)


def expected_disagreement(a: Vector, b: Vector, weights: Weights) -> float:
    """Mean weight of a pair drawn from the raters' marginals independently."""
    if weights == "quadratic":
        return float((a**2).mean() + (b**2).mean() - 2 * a.mean() * b.mean())
    support = np.union1d(a, b)
    pa, pb = _marginal(a, support), _marginal(b, support)
    below = np.cumsum(pb)  # P(B <= v_i)
    mass_below = np.cumsum(pb * support)  # E[B; B <= v_i]
    mean_b = mass_below[-1]
    per_value = support * below - mass_below + (mean_b - mass_below) - support * (1 - below)
    return float((pa * per_value).sum())


def weighted_kappa(a: Vector, b: Vector, weights: Weights) -> float | None:
    """Kappa of paired positions `a` and `b` (same sessions, same order); None when the
    raters' marginals leave no disagreement to expect (both used one and the same value)."""
    power = 1 if weights == "linear" else 2
    observed = float((np.abs(a - b) ** power).mean())
    expected = expected_disagreement(a, b, weights)
    if expected <= 0:
        return None
    return 1 - observed / expected
