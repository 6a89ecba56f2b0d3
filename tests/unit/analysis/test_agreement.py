"""Agreement per item from ratings: which sessions and raters each statistic uses."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from rating_tui.analysis.agreement import agreement
from rating_tui.analysis.alpha import alpha
from rating_tui.analysis.bootstrap import kappa_interval
from rating_tui.analysis.design import MAX_ENUMERATED, best_block
from rating_tui.analysis.kappa import weighted_kappa
from rating_tui.analysis.results import ICC_FORMS, MIN_SESSIONS, Figure
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating
from tests.unit.analysis.conftest import RatingMaker, table_of
from tests.unit.analysis.test_icc import SHROUT_FLEISS, SHROUT_FLEISS_ICC

JUDGES = ("J1", "J2", "J3", "J4")


STATISTICS = (*ICC_FORMS, "alpha (ordinal)", "alpha (interval)", "kappa (linear)",
              "kappa (quadratic)")  # fmt: skip


def by_name(figures: list[Figure]) -> dict[str, Figure]:
    """The item-level figures by name (kappa: the pooled one; pairs are listed after)."""
    return {f.statistic: f for f in figures if f.scope != "pair"}


def shrout_fleiss_ratings(make: RatingMaker) -> list[Rating]:
    """Shrout & Fleiss (1979) Table 2 as ratings: target i is dyad D00i, judge j a rater."""
    return [
        make(judge, {"warmth": float(SHROUT_FLEISS[i, j])}, dyad=f"D00{i}")
        for i in range(6)
        for j, judge in enumerate(JUDGES)
    ]


def test_shrout_fleiss_from_ratings(make_rating: RatingMaker, instrument: Instrument) -> None:
    table = table_of(shrout_fleiss_ratings(make_rating), instrument)
    warmth = agreement(table)[0]
    figures = by_name(warmth.figures)
    assert sorted(figures) == sorted(STATISTICS)
    for form, value in zip(ICC_FORMS, SHROUT_FLEISS_ICC, strict=True):
        assert round(figures[form].estimate.value or 0, 2) == value
        assert (figures[form].sessions, figures[form].raters) == (6, JUDGES)
    assert figures["ICC(3,k)"].interpretation == "excellent (CI: moderate to excellent)"
    assert warmth.design.kind == "fully crossed"
    # Kappa for every pair of the four judges (6 sessions each), and pooled over the six pairs.
    pairs = [f for f in warmth.figures if f.scope == "pair" and f.statistic == "kappa (linear)"]
    assert len(pairs) == 6 and all(f.sessions == 6 for f in pairs)
    assert "pooled over 6 pair(s)" in figures["kappa (linear)"].estimate.note
    # The other items were not answered: no pairs at all.
    presence = by_name(agreement(table)[1].figures)
    assert presence["ICC(1,1)"].estimate.note.startswith("too few sessions: 0 ")


def test_missing_values_leave_icc_but_not_alpha(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = shrout_fleiss_ratings(make_rating)
    ratings[0] = make_rating("J1", {"warmth": "NO"}, dyad="D000")  # not observed
    warmth = agreement(table_of(ratings, instrument))[0]
    figures = by_name(warmth.figures)
    assert (warmth.sessions, warmth.coded) == (6, 1)
    # One-way ICC: all six sessions; two-way: the complete block of the 5 complete sessions.
    assert figures["ICC(1,1)"].sessions == 6
    assert figures["ICC(2,1)"].sessions == 5 and warmth.design.kind == "fixed team with gaps"
    assert figures["ICC(2,1)"].estimate.note == "complete block: 5 of 6 sessions"
    # Alpha: every session with two or more values, the incomplete one included.
    units = np.repeat(np.arange(6), 4)[1:].astype(np.int64)
    expected = alpha(units, SHROUT_FLEISS.ravel()[1:], "interval")
    assert figures["alpha (interval)"].estimate.value == pytest.approx(expected)
    assert figures["alpha (interval)"].sessions == 6


def test_kappa_with_exactly_two_raters_on_scale_points(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    # Likert points 0, 1, 2, 4: kappa's categories are the points' ranks 0..3.
    gold = [0, 1, 2, 4, 4, 2, 1]
    other = [0, 2, 2, 4, 2, 1, 1]
    ratings = [
        make_rating(rater, {"presence": v}, number=n)
        for n, (a, b) in enumerate(zip(gold, other, strict=True))
        for rater, v in (("AB", a), ("CD", b))
    ]
    figures = by_name(agreement(table_of(ratings, instrument))[1].figures)
    rank = {0: 0, 1: 1, 2: 2, 4: 3}
    a = np.array([rank[v] for v in gold], dtype=float)
    b = np.array([rank[v] for v in other], dtype=float)
    for weights in ("linear", "quadratic"):
        found = next(
            f for f in agreement(table_of(ratings, instrument))[1].figures
            if f.scope == "pair" and f.statistic == f"kappa ({weights})"
        )  # fmt: skip
        expected = weighted_kappa(a, b, "linear" if weights == "linear" else "quadratic")
        assert found.estimate.value == pytest.approx(expected)
        assert (found.sessions, found.raters) == (7, ("AB", "CD"))
        interval = kappa_interval(a, b, "linear" if weights == "linear" else "quadratic")
        assert interval is not None  # every session is informative: the same resamples
        assert (found.estimate.low, found.estimate.high) == pytest.approx(interval)
        assert interval[0] <= (found.estimate.value or 0) <= interval[1]
        assert figures[f"kappa ({weights})"].estimate.value == pytest.approx(expected)
    alpha_figure = figures["alpha (ordinal)"].estimate
    assert alpha_figure.low is not None and alpha_figure.high is not None
    assert alpha_figure.low <= (alpha_figure.value or 0) <= alpha_figure.high


def test_too_few_sessions_say_so(make_rating: RatingMaker, instrument: Instrument) -> None:
    ratings = [
        make_rating(rater, {"warmth": n + len(rater)}, number=n)
        for n in range(MIN_SESSIONS - 1)
        for rater in ("AB", "CD")
    ]
    figures = by_name(agreement(table_of(ratings, instrument))[0].figures)
    note = f"too few sessions: {MIN_SESSIONS - 1} with two or more values, "
    assert figures["ICC(1,1)"].estimate.note == note + f"at least {MIN_SESSIONS} needed"
    assert all(f.estimate.value is None for f in figures.values())
    assert figures["kappa (linear)"].estimate.note.startswith("too few sessions: 4 rated by a")
    assert figures["alpha (ordinal)"].estimate.note.startswith("too few sessions: 4 with two")


NAMES = ["AB", "CD", "EF", "GH"]


def mask(*names: str) -> int:
    return sum(1 << NAMES.index(n) for n in names)


def test_block_prefers_the_most_values() -> None:
    # 50 sessions by AB, 10 by ABC: AB covers 60 sessions x 2 raters > ABC's 10 x 3.
    assert best_block(Counter({mask("AB", "CD"): 50, mask("AB", "CD", "EF"): 10}), NAMES) == mask(
        "AB", "CD"
    )
    # 40 by ABC, 10 by AB: ABC's 40 x 3 = 120 beats AB's 50 x 2 = 100.
    found = best_block(Counter({mask("AB", "CD"): 10, mask("AB", "CD", "EF"): 40}), NAMES)
    assert found == mask("AB", "CD", "EF")
    # A subset nobody rated alone can be the best: ABC and ABD share AB.
    found = best_block(Counter({mask("AB", "CD", "EF"): 5, mask("AB", "CD", "GH"): 5}), NAMES)
    assert found == mask("AB", "CD")
    # Ties: more sessions first, then rater codes.
    assert best_block(Counter({mask("EF", "GH"): 5, mask("AB", "CD"): 5}), NAMES) == mask(
        "AB", "CD"
    )
    assert best_block(Counter(), NAMES) == 0


def test_block_with_a_workshop_of_many_raters() -> None:
    names = [f"R{i:02d}" for i in range(MAX_ENUMERATED + 8)]
    everyone = (1 << len(names)) - 1
    pair = 0b11
    # 10 sessions by all 20 raters, 30 by the first two: 200 values against 80.
    assert best_block(Counter({everyone: 10, pair: 30}), names) == everyone
    # 3 sessions by all 20 (60 values) against 35 by the pair, whose count includes them.
    assert best_block(Counter({everyone: 3, pair: 35}), names) == pair


@pytest.mark.parametrize("resample", ["session", "dyad"])
def test_intervals_do_not_depend_on_how_many_items_share_a_bootstrap_round(
    make_rating: RatingMaker, instrument: Instrument, monkeypatch: pytest.MonkeyPatch, resample: str
) -> None:
    rng = np.random.default_rng(5)
    ratings = []
    for n in range(40):
        true = rng.integers(0, 8)
        for rater in rng.choice(["AB", "CD", "EF", "GH"], size=rng.integers(1, 4), replace=False):
            values = {
                "warmth": float(min(10, true + rng.integers(0, 3))),
                "presence": [0, 1, 2, 4][min(3, true // 2)],
                "held": int(rng.random() < 0.5),
                "focus": "1" if true < 4 else "2",
            }
            ratings.append(make_rating(str(rater), values, dyad=f"D{n % 9}", number=n))
    table = table_of(ratings, instrument)
    runs = []
    for budget in (0, 1 << 40):  # a round per item; every item in one round
        monkeypatch.setattr("rating_tui.analysis.agreement.BOOTSTRAP_BYTES", budget)
        runs.append([i.figures for i in agreement(table, resample)])  # type: ignore[arg-type]
    assert runs[0] == runs[1]
    intervals = [f for figures in runs[0] for f in figures if f.interval.endswith("bootstrap")]
    assert len({f.statistic for f in intervals}) >= 6  # alphas, nominal, kappas: resampled
