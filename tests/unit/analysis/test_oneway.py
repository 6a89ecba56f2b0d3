"""The one-way ICC over every session, unbalanced designs included, against a one-way ANOVA
computed here independently (plain Python, textbook sums of squares), and the design of
rotating raters where the old complete-block ICC used 8 of 120 sessions."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from rating_tui.analysis.agreement import ItemValues, agreement_of
from rating_tui.analysis.design import CROSSED, GAPS, ROTATING, design_of
from rating_tui.analysis.icc import icc
from rating_tui.analysis.oneway import anova_of, f_interval, icc_from_totals, oneway_sums
from rating_tui.analysis.scales import ItemScale
from tests.unit.analysis.test_icc import SHROUT_FLEISS, SHROUT_FLEISS_ICC

NUMERIC = ItemScale("warmth", "Warmth", "numeric", (), 0.0, 100.0, 0.01)


def textbook_oneway(groups: list[list[float]]) -> tuple[float, float, float]:
    """ICC(1,1), ICC(1,k0) and k0 from a one-way ANOVA written out by hand: sessions with
    one value are left out, as they carry no information on agreement."""
    groups = [g for g in groups if len(g) >= 2]
    n = len(groups)
    big_n = sum(len(g) for g in groups)
    grand = sum(sum(g) for g in groups) / big_n
    ssb = sum(len(g) * (sum(g) / len(g) - grand) ** 2 for g in groups)
    ssw = sum(sum((v - sum(g) / len(g)) ** 2 for v in g) for g in groups)
    msb, msw = ssb / (n - 1), ssw / (big_n - n)
    k0 = (big_n - sum(len(g) ** 2 for g in groups) / big_n) / (n - 1)
    return (msb - msw) / (msb + (k0 - 1) * msw), (msb - msw) / msb, k0


def rotating(seed: int, sessions: int, raters: int, per_session: tuple[int, ...], noise: float):
    """Sessions each rated by a random few of `raters` raters (a true score plus noise)."""
    rng = np.random.default_rng(seed)
    s, r, v = [], [], []
    for i in range(sessions):
        true = rng.normal(50, 10)
        for rater in rng.choice(raters, int(rng.choice(per_session)), replace=False):
            s.append(i)
            r.append(int(rater))
            v.append(round(true + rng.normal(0, noise), 2))
    return np.array(s, np.int64), np.array(r, np.int64), np.array(v)


def groups_of(s: np.ndarray, v: np.ndarray) -> list[list[float]]:
    found: dict[int, list[float]] = {}
    for session, value in zip(s.tolist(), v.tolist(), strict=True):
        found.setdefault(session, []).append(value)
    return list(found.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unbalanced_oneway_icc_equals_the_textbook_anova(seed: int) -> None:
    # 1 to 4 values per session: unbalanced, and some sessions carry a single value
    s, _, v = rotating(seed, 80, 8, (1, 2, 2, 3, 4), noise=6)
    sums = oneway_sums(s, v, 80)
    single, average = icc_from_totals(sums.sum(axis=0, keepdims=True))
    want_single, want_average, k0 = textbook_oneway(groups_of(s, v))
    assert single[0] == pytest.approx(want_single, abs=1e-10)
    assert average[0] == pytest.approx(want_average, abs=1e-10)
    anova = anova_of(sums.sum(axis=0, keepdims=True))[0]
    assert anova.k0 == pytest.approx(k0) and 2 < k0 < 4


def test_interval_is_the_f_interval_with_k0() -> None:
    s, _, v = rotating(4, 60, 6, (2, 3), noise=8)
    anova = anova_of(oneway_sums(s, v, 60).sum(axis=0, keepdims=True))[0]
    (low, high), (low_k, high_k) = f_interval(anova)
    f = anova.msb / anova.msw
    df1, df2 = anova.sessions - 1, anova.values - anova.sessions
    f_low, f_high = f / stats.f.ppf(0.975, df1, df2), f * stats.f.ppf(0.975, df2, df1)
    assert low == pytest.approx((f_low - 1) / (f_low + anova.k0 - 1))
    assert high == pytest.approx((f_high - 1) / (f_high + anova.k0 - 1))
    assert (low_k, high_k) == pytest.approx((1 - 1 / f_low, 1 - 1 / f_high))


def test_balanced_data_give_shrout_and_fleiss_case_1() -> None:
    # Shrout & Fleiss (1979) Table 2: ICC(1,1) = .17 and ICC(1,4) = .44, and the same
    # intervals as the complete-matrix formulas.
    units = np.repeat(np.arange(6), 4).astype(np.int64)
    sums = oneway_sums(units, SHROUT_FLEISS.ravel().astype(float), 6)
    single, average = icc_from_totals(sums.sum(axis=0, keepdims=True))
    assert round(float(single[0]), 2) == SHROUT_FLEISS_ICC[0]
    assert round(float(average[0]), 2) == SHROUT_FLEISS_ICC[3]
    (low, high), _ = f_interval(anova_of(sums.sum(axis=0, keepdims=True))[0])
    full = icc(SHROUT_FLEISS.astype(float))["ICC(1,1)"]
    assert (low, high) == pytest.approx((full.low, full.high))


def test_rotating_two_of_eight_uses_all_120_sessions() -> None:
    # The case: 120 sessions, each by 2 of 8 raters. The old table used the largest
    # complete block (about 8 sessions of one pair); the headline now uses all 120.
    s, r, v = rotating(12, 120, 8, (2,), noise=7)
    names = [f"R{i}" for i in range(8)]
    found = agreement_of([ItemValues(NUMERIC, s, r, v)], names, 120)[0]
    assert found.design.kind == ROTATING
    assert found.design.rated_by() == "120 sessions rated by 2 of 8 raters"
    assert found.design.block_sessions < 20  # what the old ICC rested on
    headline = found.headline
    assert headline is not None and headline.statistic == "ICC(1,1)"
    assert headline.sessions == 120 and headline.k == pytest.approx(2.0)
    want, _, _ = textbook_oneway(groups_of(s, v))
    assert headline.estimate.value == pytest.approx(want, abs=1e-10)
    assert headline.interval == "F"
    two_way = next(f for f in found.figures if f.statistic == "ICC(2,1)")
    assert two_way.estimate.value is None
    assert f"complete block holds {found.design.block_sessions} of 120 sessions" in (
        two_way.estimate.note
    )


def test_crossed_design_recommends_the_two_way_icc() -> None:
    units = np.repeat(np.arange(6), 4).astype(np.int64)
    raters = np.tile(np.arange(4), 6).astype(np.int64)
    item = ItemValues(NUMERIC, units, raters, SHROUT_FLEISS.ravel().astype(float))
    found = agreement_of([item], ["J1", "J2", "J3", "J4"], 6)[0]
    assert found.design.kind == CROSSED
    assert found.headline is not None and found.headline.statistic == "ICC(2,1)"
    assert round(found.headline.estimate.value or 0, 2) == SHROUT_FLEISS_ICC[1]
    assert found.headline.scope == "all sessions"


def test_designs_are_told_apart() -> None:
    names = ["A", "B", "C", "D"]
    ab, abc, cd = 0b0011, 0b0111, 0b1100
    assert design_of(Counter({abc: 10}), names).kind == CROSSED
    gaps = design_of(Counter({abc: 10, ab: 3}), names)
    assert gaps.kind == GAPS and (gaps.block_sessions, gaps.block_raters) == (10, ("A", "B", "C"))
    assert design_of(Counter({ab: 10, cd: 10}), names).kind == ROTATING
    assert math.isclose(design_of(Counter({ab: 5, abc: 5}), names).fewest, 2)
