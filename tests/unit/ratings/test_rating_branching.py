"""Ratings of a branching instrument: an answer to a question not asked is refused, naming
the condition; a question not asked is not required; scores follow the answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.ratings.shown import not_asked, scores_of
from rating_tui.ratings.validate import validate_rating

STUDY = Path(__file__).resolve().parents[2] / "data" / "branching_study.toml"


@pytest.fixture(scope="module")
def study() -> Instrument:
    return load_instrument(STUDY).instrument


def _rating(study: Instrument, present: list[str], **answers) -> Rating:
    rating = Rating.new(study, "AB")
    return rating.replace(
        status="final",
        session=rating.session | {"dyad": "D1", "session_date": "2026-01-02", "present": present},
        answers=answers,
    )


def test_a_question_not_asked_is_not_required(study):
    rating = _rating(study, ["mother"], narration=Answered(value=0))
    assert validate_rating(rating, study) == []
    assert set(not_asked(study, rating)) == {"infant_awake", "modeling", "affective"}


def test_an_answer_to_a_question_not_asked_is_refused_naming_the_condition(study):
    rating = _rating(study, ["mother"], narration=Answered(value=0), modeling=Answered(value=2))
    problems = [str(p) for p in validate_rating(rating, study)]
    assert problems == [
        "items.modeling: answered, but not asked: it is asked only if infant_awake = 1"
    ]


def test_a_missing_code_for_a_question_not_asked_is_refused_too(study):
    rating = _rating(
        study, ["mother"], narration=Answered(value=0), affective=Missing(missing="not_observed")
    )
    (problem,) = validate_rating(rating, study)
    assert problem.path == "items.affective"
    assert "narration is one of 1, 2 or modeling is none of 0" in problem.message


def test_a_question_asked_is_required_as_before(study):
    rating = _rating(study, ["mother", "infant"], narration=Answered(value=0))
    problems = {p.path for p in validate_rating(rating, study)}
    assert problems == {"items.infant_awake"}


def test_scores_count_values_only(study):
    rating = _rating(
        study,
        ["infant"],
        infant_awake=Answered(value=1),
        modeling=Missing(missing="not_observed"),
        narration=Answered(value=2),
        affective=Answered(value=1),
    )
    assert validate_rating(rating, study) == []
    mean, total = scores_of(study, rating)
    assert (mean.value, mean.answered, mean.needed) == (1.5, 2, 2)
    # the sum takes every likert item by default (not the yes/no one); modeling has a code
    assert (total.value, total.answered, total.needed) == (None, 2, 3)


def test_too_few_values_give_no_score(study):
    rating = _rating(study, ["mother"], narration=Answered(value=2))
    mean, _ = scores_of(study, rating)
    assert mean.value is None
    assert mean.answered == 1
