"""Weighted kappa against published values, and its closed form against the K x K table."""

from __future__ import annotations

import numpy as np
import pytest

from rating_tui.analysis.kappa import Weights, expected_disagreement, weighted_kappa


def pairs_of(table: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """A rater A (rows) x rater B (columns) table of counts -> paired category positions."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return np.array(a, dtype=float), np.array(b, dtype=float)


def test_sas_proc_freq_example() -> None:
    """SAS PROC FREQ's weighted kappa (default Cicchetti-Allison weights, i.e. linear) of a
    3 x 3 table, 0.4701, as printed by SAS and reproduced in statsmodels' test suite
    (statsmodels/stats/tests/test_inter_rater.py, table10)."""
    a, b = pairs_of([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert weighted_kappa(a, b, "linear") == pytest.approx(0.4701, abs=5e-5)


# The `anxiety` data of R's irr package (Gamer, Lemon, Fellows & Singh): 20 subjects rated
# 1-6 by three raters. irr::kappa2(anxiety[, 2:3], "equal") = 0.1459075 and
# kappa2(anxiety[, 2:3], "squared") = 0.2520325 (values quoted in statsmodels' test suite).
RATER2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
RATER3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


def test_r_irr_kappa2_anxiety() -> None:
    # irr uses the levels that occur (1, 2, 3, 4, 6) as categories 0..4: value 5 is unused.
    levels = np.array([1, 2, 3, 4, 6])
    a = np.searchsorted(levels, RATER2).astype(float)
    b = np.searchsorted(levels, RATER3).astype(float)
    assert weighted_kappa(a, b, "linear") == pytest.approx(0.1459075, abs=5e-8)
    assert weighted_kappa(a, b, "quadratic") == pytest.approx(0.2520325, abs=5e-8)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
@pytest.mark.parametrize("seed", range(4))
def test_expected_disagreement_equals_the_full_table(weights: Weights, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 7, size=50).astype(float)
    b = np.clip(a + rng.integers(-2, 3, size=50), 0, 6).astype(float)
    k = np.arange(7.0)
    pa = np.array([(a == v).mean() for v in k])
    pb = np.array([(b == v).mean() for v in k])
    power = 1 if weights == "linear" else 2
    table = np.abs(k[:, None] - k[None, :]) ** power
    full = float((np.outer(pa, pb) * table).sum())
    assert expected_disagreement(a, b, weights) == pytest.approx(full)


def test_perfect_agreement_and_no_variation() -> None:
    a = np.array([0.0, 1, 2, 3, 4])
    assert weighted_kappa(a, a.copy(), "quadratic") == pytest.approx(1.0)
    assert weighted_kappa(np.full(5, 2.0), np.full(5, 2.0), "linear") is None
