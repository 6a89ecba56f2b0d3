"""The Rating record: three item states, strict values, UTC times, revisions and history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, InstrumentRef, Missing, Rating, RatingContent, Revision


def test_value_missing_code_and_unanswered_stay_distinct_through_json(complete: Rating) -> None:
    rating = complete.with_answer("alliance", None)
    data = json.loads(rating.model_dump_json())
    assert data["answers"]["narration"] == {"value": 3}
    assert data["answers"]["processing"] == {"missing": "not_observed"}
    assert "alliance" not in data["answers"]
    again = Rating.model_validate_json(rating.model_dump_json())
    assert again == rating
    assert isinstance(again.answers["processing"], Missing)
    assert isinstance(again.answers["narration"], Answered)


@pytest.mark.parametrize(
    "answer",
    [
        {"value": 3, "missing": "not_observed"},  # both at once
        {},  # neither
        {"value": True},  # a bool is not a scale point
        {"value": None},
        {"missing": "Not Observed"},  # codes are keys
        {"value": 3, "comment": "x"},  # unknown key
    ],
)
def test_an_answer_is_exactly_a_value_or_a_code(complete: Rating, answer: object) -> None:
    data = complete.model_dump(mode="json")
    data["answers"]["narration"] = answer
    with pytest.raises(ValidationError):
        Rating.model_validate(data)


def test_unknown_keys_are_rejected_at_every_level(complete: Rating) -> None:
    data = complete.model_dump(mode="json")
    with pytest.raises(ValidationError, match="statsu"):
        Rating.model_validate(data | {"statsu": "final"})
    data["instrument"]["hashh"] = "x"
    with pytest.raises(ValidationError):
        Rating.model_validate(data)


def test_times_are_utc_and_written_with_an_offset(instrument: Instrument) -> None:
    paris = timezone(timedelta(hours=1))
    rating = Rating.new(instrument, "AB", now=datetime(2025, 3, 4, 15, 30, tzinfo=paris))
    assert rating.created == datetime(2025, 3, 4, 14, 30, tzinfo=UTC)
    assert json.loads(rating.model_dump_json())["created"] == "2025-03-04T14:30:00.000000+00:00"
    data = rating.model_dump(mode="json") | {"updated": "2025-03-04T14:30:00"}
    with pytest.raises(ValidationError, match="UTC offset"):
        Rating.model_validate(data)


def test_ids_and_hashes_have_one_spelling(complete: Rating) -> None:
    data = complete.model_dump(mode="json")
    with pytest.raises(ValidationError):
        Rating.model_validate(data | {"id": complete.id.upper()})
    with pytest.raises(ValidationError):
        Rating.model_validate(data | {"id": "not-a-uuid"})
    with pytest.raises(ValidationError):
        InstrumentRef(id="x", version="1.0.0", hash="abc")


def test_a_new_rating_is_a_draft_that_names_its_exact_instrument(instrument: Instrument) -> None:
    rating = Rating.new(instrument, "AB")
    assert rating.status == "draft"
    assert rating.instrument.ref == "sample-process@1.0.0"
    assert len(rating.instrument.hash) == 64
    assert rating.session == {"rater": "AB"}
    assert Rating.new(instrument, "AB").id != rating.id


def test_history_lists_every_version_with_who_when_and_why(complete: Rating) -> None:
    t0 = complete.created
    v1 = complete.content()
    v2 = complete.with_answer("narration", Answered(value=1)).content()
    edit = Revision(at=t0 + timedelta(days=1), by="CD", reason="typo", action="update", previous=v1)
    void = Revision(at=t0 + timedelta(days=2), by="EF", reason="dup", action="void", previous=v2)
    rating = complete.with_content(
        v2.model_copy(update={"status": "voided"}), revisions=[edit, void]
    )
    history = rating.history()
    assert [h.number for h in history] == [1, 2, 3]
    assert [h.content.answers["narration"] for h in history] == [
        Answered(value=3),
        Answered(value=1),
        Answered(value=1),
    ]
    assert [(h.by, h.reason) for h in history] == [("AB", ""), ("CD", "typo"), ("EF", "dup")]
    assert [h.since for h in history] == [t0, edit.at, void.at]
    assert [h.current for h in history] == [False, False, True]
    assert rating.void_reason == "dup"
    assert complete.void_reason is None


def test_ratings_are_immutable_and_copies_are_validated(complete: Rating) -> None:
    with pytest.raises(ValidationError):
        complete.notes = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        complete.replace(status="deleted")
    assert isinstance(complete.content(), RatingContent)
    assert not isinstance(complete.content(), Rating)
