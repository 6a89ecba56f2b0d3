"""Exports of a branching instrument with scores: a question not asked is an empty cell with
its condition in the codebook; scores are computed columns after the items, with formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rating_tui.export.codebook import codebook_csv, codebook_markdown
from rating_tui.export.plan import Plan
from rating_tui.export.records import wide_rows as record_wide_rows
from rating_tui.export.tables import wide_header, wide_row
from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.ratings.validate import validate_rating

STUDY = Path(__file__).resolve().parents[2] / "data" / "branching_study.toml"


@pytest.fixture(scope="module")
def study() -> Instrument:
    return load_instrument(STUDY).instrument


def _rating(study: Instrument, present: list[str], **answers) -> Rating:
    rating = Rating.new(study, "AB")
    rating = rating.replace(
        status="final",
        session=rating.session | {"dyad": "D1", "session_date": "2026-01-02", "present": present},
        answers=answers,
    )
    assert validate_rating(rating, study) == []
    return rating


def test_scores_follow_the_items_and_questions_not_asked_are_empty(study):
    plan = Plan([study])
    header = wide_header(plan)
    at = header.index("affective")
    assert header[at + 1 : at + 3] == ["process_mean", "process_sum"]
    assert header[at + 3] == "created"
    shown = _rating(
        study,
        ["infant"],
        infant_awake=Answered(value=1),
        modeling=Missing(missing="not_observed"),
        narration=Answered(value=2),
        affective=Answered(value=1),
    )
    hidden = _rating(study, ["mother"], narration=Answered(value=0))
    rows = [dict(zip(header, wide_row(plan, r), strict=True)) for r in (shown, hidden)]
    assert [rows[0][k] for k in ("modeling", "process_mean", "process_sum")] == ["-9", "1.5", ""]
    assert [rows[1][k] for k in ("infant_awake", "modeling", "affective")] == ["", "", ""]
    assert rows[1]["process_mean"] == ""  # one value of the two needed
    # the fast path over stored records writes the same cells
    records = [r.model_dump(mode="json") for r in (shown, hidden)]
    assert list(record_wide_rows(plan, records)) == [wide_row(plan, r) for r in (shown, hidden)]


def test_codebook_shows_conditions_and_score_formulas(study):
    plan = Plan([study])
    rows = {r["column"]: r for r in csv.DictReader(io.StringIO("".join(codebook_csv(plan))))}
    assert "asked only if infant_awake = 1" in rows["modeling"]["note"]
    assert 'asked only if present includes "infant"' in rows["infant_awake"]["note"]
    assert rows["process_mean"]["source"] == "score"
    assert rows["process_mean"]["note"].startswith(
        "computed: mean of modeling, narration, affective; blank unless at least 2 of 3"
    )
    assert rows["process_sum"]["type"] == "integer"
    assert "sum of modeling, narration, affective" in rows["process_sum"]["note"]
    assert "`process_mean`" in codebook_markdown(plan)
