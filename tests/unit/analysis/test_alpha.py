"""Krippendorff's alpha (interval and ordinal) against published worked examples."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from rating_tui.analysis.alpha import alpha, midranks

NA = math.nan

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication, University of Pennsylvania (repository.upenn.edu/asc_papers/43), section C:
# 4 observers x 12 units with missing values. Published: ordinal .815, interval .849
# (nominal .743 and ratio .797 are not computed here).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]
# Wikipedia, "Krippendorff's alpha", A computational example: 3 coders x 15 units; interval
# alpha 0.811 (0.810845 in the test suite of the `krippendorff` package, fast-krippendorff).
WIKIPEDIA = [
    [NA, NA, NA, NA, NA, 3, 4, 1, 2, 1, 1, 3, 3, NA, 3],
    [1, NA, 2, 1, 3, 3, 4, 3, NA, NA, NA, NA, NA, NA, NA],
    [NA, NA, 2, 1, 3, 4, 4, NA, 2, 1, 1, 3, 3, NA, 4],
]


def long_form(matrix: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Coders x units reliability data -> (unit of each value, value), missing dropped."""
    data = np.array(matrix, dtype=float)
    units = np.tile(np.arange(data.shape[1]), data.shape[0]).astype(np.int64)
    values = data.ravel()
    keep = ~np.isnan(values)
    return units[keep], values[keep]


def test_krippendorff_2011_interval_and_ordinal() -> None:
    units, values = long_form(KRIPPENDORFF_2011)
    assert round(alpha(units, values, "interval") or 0, 3) == 0.849
    assert round(alpha(units, values, "ordinal") or 0, 3) == 0.815


def test_wikipedia_interval() -> None:
    units, values = long_form(WIKIPEDIA)
    assert alpha(units, values, "interval") == pytest.approx(0.810845, abs=5e-7)


def brute_force(units: np.ndarray, values: np.ndarray, ordinal: bool) -> float:
    """Alpha straight from Krippendorff's definition: coincidences of every ordered pair of
    values within a unit, weighted 1 / (m_u - 1), and his ordinal metric on the value counts."""
    by_unit: dict[int, list[float]] = {}
    for u, v in zip(units.tolist(), values.tolist(), strict=True):
        by_unit.setdefault(u, []).append(v)
    pairable = {u: vs for u, vs in by_unit.items() if len(vs) >= 2}
    every = [v for vs in pairable.values() for v in vs]
    n = len(every)
    counts = {v: every.count(v) for v in set(every)}
    ordered = sorted(counts)

    def delta(c: float, k: float) -> float:
        if not ordinal:
            return (c - k) ** 2
        lo, hi = sorted((ordered.index(c), ordered.index(k)))
        between = sum(counts[g] for g in ordered[lo : hi + 1])
        return (between - (counts[c] + counts[k]) / 2) ** 2

    observed = sum(
        delta(a, b) / (len(vs) - 1)
        for vs in pairable.values()
        for a, b in itertools.permutations(vs, 2)
    )
    expected = sum(delta(a, b) for a, b in itertools.permutations(every, 2))
    return 1 - (n - 1) * observed / expected


@pytest.mark.parametrize("seed", range(5))
def test_closed_form_matches_the_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    units = rng.integers(0, 15, size=60).astype(np.int64)
    values = rng.integers(0, 5, size=60).astype(float) + (units % 3 == 0)
    for level in ("interval", "ordinal"):
        expected = brute_force(units, values, level == "ordinal")
        assert alpha(units, values, level) == pytest.approx(expected), level


def test_units_with_one_value_do_not_count() -> None:
    units = np.array([0, 0, 1, 1, 2], dtype=np.int64)
    with_lone = alpha(units, np.array([1.0, 2, 3, 3, 9]), "interval")
    without = alpha(units[:4], np.array([1.0, 2, 3, 3]), "interval")
    assert with_lone == pytest.approx(without)


def test_no_pairable_value_or_no_variation_gives_none() -> None:
    assert alpha(np.array([0, 1], dtype=np.int64), np.array([1.0, 2.0]), "interval") is None
    same = alpha(np.array([0, 0, 1, 1], dtype=np.int64), np.full(4, 3.0), "ordinal")
    assert same is None


def test_midranks_share_ties() -> None:
    assert midranks(np.array([5.0, 1.0, 5.0, 3.0])).tolist() == [3.5, 1.0, 3.5, 2.0]
