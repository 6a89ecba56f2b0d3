"""An instrument's computed score (`[[scores]]`) is analysed like an item, as an interval
variable: checked on Shrout & Fleiss (1979) Table 2 rebuilt as the sum of two items."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from rich.console import Console

from rating_tui.analysis.agreement import agreement
from rating_tui.analysis.calibration import calibrate
from rating_tui.analysis.results import ICC_FORMS
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.views.agreement_view import detail_tables, sentences, summary_table
from tests.unit.analysis.conftest import SAMPLE, RatingMaker, table_of
from tests.unit.analysis.test_icc import SHROUT_FLEISS, SHROUT_FLEISS_ICC

SCORED = (
    SAMPLE
    + """
[[scores]]
key = "total"
label = "Warmth plus presence"
items = ["warmth", "presence"]
method = "sum"
"""
)
JUDGES = ("J1", "J2", "J3", "J4")


@pytest.fixture(scope="module")
def scored() -> Instrument:
    return parse_instrument(SCORED, "scored")


def interval_alpha(matrix: np.ndarray) -> float:
    """Krippendorff's alpha, interval metric, by its definition (complete data): observed
    disagreement within units over expected disagreement between all pairable values."""
    n = matrix.size
    within = sum(
        (a - b) ** 2 / (len(row) - 1) for row in matrix for a, b in itertools.permutations(row, 2)
    )
    values = matrix.ravel()
    between = sum((a - b) ** 2 for a, b in itertools.permutations(values, 2))
    return 1 - (n - 1) * within / between


def test_a_score_is_analysed_as_an_interval_variable(
    make_rating: RatingMaker, scored: Instrument
) -> None:
    # Target i rated by judge j: presence 0, 1 or 2 and warmth the rest, so that the sum is
    # Shrout & Fleiss's rating; one more session lacks presence (no score: both needed).
    ratings = []
    for (i, j), judge in zip(itertools.product(range(6), range(4)), JUDGES * 6, strict=True):
        presence = float((i + j) % 3) if SHROUT_FLEISS[i, j] >= 2 else 0.0
        values = {"warmth": SHROUT_FLEISS[i, j] - presence, "presence": presence}
        ratings.append(make_rating(judge, values, dyad=f"D00{i}", of=scored))
    ratings += [make_rating(j, {"warmth": 3.0}, dyad="D009", of=scored) for j in JUDGES]
    table = table_of(ratings, scored)
    found = {f.item.key: f for f in agreement(table)}
    total = found["total"]
    assert total.item.is_score and total.item.kind == "score"
    assert total.sessions == 6  # the session without presence has no score
    figures = {f.statistic: f for f in total.figures}
    assert sorted(figures) == sorted([*ICC_FORMS, "alpha (interval)"])  # no kappa, no ordinal
    for form, value in zip(ICC_FORMS, SHROUT_FLEISS_ICC, strict=True):
        assert round(figures[form].estimate.value or 0, 2) == value, form
    alpha = figures["alpha (interval)"].estimate.value
    assert alpha == pytest.approx(interval_alpha(SHROUT_FLEISS), abs=1e-12)
    assert total.headline is figures["ICC(2,1)"]  # fully crossed
    # Said in the output: computed, with its formula; calibration leaves it out.
    lines = sentences([total])
    assert lines[0].startswith("total (computed score, fully crossed): ICC(2,1), two-way")
    assert lines[1] == (
        "  score: sum of warmth, presence; blank unless all of them have a value "
        "(missing codes and unanswered items do not count)"
    )
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(summary_table("scored", [total]))
    assert any(
        line.strip().startswith("total (score)  ICC(2,1)")
        for line in console.export_text().splitlines()
    )
    assert detail_tables("scored", [total])[0].title.startswith("scored · total (score) (")
    assert all(i.item.key != "total" for r in calibrate(table, "J1") for i in r.items)


def test_slim_keeps_every_answer_by_key_where_scores_need_them(
    make_rating: RatingMaker, scored: Instrument
) -> None:
    """With scores, `Slim` keeps the answers by key (a score reads items agreement does not
    analyse) and the session key as texts: the same table as the whole records give."""
    from rating_tui.analysis.pairing import collect, record_parts
    from rating_tui.analysis.records import Slim

    ratings = [
        make_rating("J1", {"warmth": 4.0, "presence": 1.0}, of=scored),
        make_rating("J2", {"warmth": 5.0, "presence": 2.0}, of=scored),
        make_rating("J3", {"warmth": 3.0}, of=scored),  # no score: presence missing
    ]
    stored = [p for r in ratings if (p := record_parts(r.model_dump(mode="json")))]
    slim = Slim(lambda *ref: scored)
    slimmed = [slim(p) for p in stored]
    assert all(isinstance(p[4], dict) and isinstance(p[3], tuple) for p in slimmed)
    a = collect(stored, lambda *ref: scored).tables[scored.id]
    b = collect(slimmed, lambda *ref: scored).tables[scored.id]
    assert (b.items, b.raters, b.sessions, b.coded) == (a.items, a.raters, a.sessions, a.coded)
    assert [repr(v) for v in b.values] == [repr(v) for v in a.values]
    total = [i.key for i in b.items].index("total")
    assert b.values[total].tolist()[:2] == [5.0, 7.0]
