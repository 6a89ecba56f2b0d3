"""validate_rating: every problem is found, and each names the field, item or moment."""

from __future__ import annotations

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, InstrumentRef, Missing, NowMoment, Rating
from rating_tui.ratings.validate import validate_rating


def problems(rating: Rating, instrument: Instrument) -> dict[str, str]:
    found = validate_rating(rating, instrument)
    return {p.path: p.message for p in found}


def test_a_complete_rating_has_no_problems(complete: Rating, instrument: Instrument) -> None:
    assert validate_rating(complete, instrument) == []


def test_a_draft_may_be_incomplete_but_a_final_rating_may_not(
    instrument: Instrument,
) -> None:
    empty = Rating.new(instrument, "AB")
    assert validate_rating(empty, instrument) == []
    found = problems(empty.replace(status="final"), instrument)
    assert set(found) == {
        "fields.dyad",
        "fields.session_date",
        "fields.session_number",
        "items.narration",
        "items.processing",
        "items.past_present",
    }
    assert "not_observed, not_applicable" in found["items.past_present"]
    assert "Connecting past and present" in found["items.past_present"]


def test_optional_items_and_fields_may_stay_unanswered(
    complete: Rating, instrument: Instrument
) -> None:
    for key in ("alliance", "baby_present", "focus", "techniques", "summary"):
        assert key not in complete.answers
    assert "setting" not in complete.session
    assert validate_rating(complete, instrument) == []


@pytest.mark.parametrize(
    ("item", "value", "expected"),
    [
        ("narration", 5, "0, 1, 2, 3, 4"),
        ("narration", "3", "found '3'"),  # text is not a scale point
        ("narration", 2.0, "found 2.0"),
        ("alliance", 10.5, "from 0 to 10"),
        ("alliance", 7.25, "steps of 0.5"),
        ("alliance", float("nan"), "from 0 to 10"),
        ("baby_present", 2, "1 (yes) or 0 (no)"),
        ("focus", 4, "1, 2, 3"),
        ("focus", "1", "found '1'"),  # the code is the number 1
        ("techniques", ["a", "z"], "'a', 'b'"),
        ("techniques", ["a", "a"], "twice"),
        ("techniques", "a", "a list"),
        ("summary", "x" * 501, "at most 500"),
        ("summary", "two\nlines", "single line"),
    ],
)
def test_values_outside_the_scale_are_named(
    complete: Rating, instrument: Instrument, item: str, value: object, expected: str
) -> None:
    rating = complete.with_answer(item, Answered(value=value))  # type: ignore[arg-type]
    found = problems(rating, instrument)
    assert list(found) == [f"items.{item}"]
    assert expected in found[f"items.{item}"]


@pytest.mark.parametrize(
    ("item", "value"),
    [
        ("alliance", 0),
        ("alliance", 9.5),
        ("baby_present", 0),
        ("focus", 3),
        ("techniques", []),  # none of them: an answer, not a blank
        ("techniques", ["b", "a"]),
        ("summary", "short"),
    ],
)
def test_values_inside_the_scale_pass(
    complete: Rating, instrument: Instrument, item: str, value: object
) -> None:
    rating = complete.with_answer(item, Answered(value=value))  # type: ignore[arg-type]
    assert validate_rating(rating, instrument) == []


def test_missing_codes_must_be_allowed_for_the_item(
    complete: Rating, instrument: Instrument
) -> None:
    ok = complete.with_answer("past_present", Missing(missing="not_applicable"))
    assert validate_rating(ok, instrument) == []
    found = problems(
        complete.with_answer("narration", Missing(missing="not_applicable")), instrument
    )
    assert found == {"items.narration": "code 'not_applicable' is not allowed (not_observed)"}
    found = problems(complete.with_answer("alliance", Missing(missing="not_observed")), instrument)
    assert "none for this item" in found["items.alliance"]


def test_an_empty_text_answer_counts_as_unanswered(
    complete: Rating, instrument: Instrument
) -> None:
    assert validate_rating(complete.with_answer("summary", Answered(value="")), instrument) == []


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("dyad", "Jane Doe", "D and three digits"),  # the dyad pattern keeps names out
        ("dyad", "D17", "D and three digits"),
        ("dyad", " D017 ", "' D017 ' has spaces before or after it"),
        ("session_date", "04/03/2025", "2026-01-31"),
        ("session_date", "2025-02-30", "February 2025 has 28 days"),
        ("session_number", 0, "from 1 to 200"),
        ("session_number", 2.5, "whole number"),
        ("session_number", "3", "whole number"),
        ("session_number", "3,0", "expected a whole number, found '3,0'"),
        ("setting", 3, "1, 2"),
        ("present", ["mother", "grandma"], "'mother', 'infant', 'partner'"),
        ("rater", "CD", "differs from the rating's rater 'AB'"),
    ],
)
def test_session_fields_are_checked_by_type_pattern_and_range(
    complete: Rating, instrument: Instrument, key: str, value: object, expected: str
) -> None:
    found = problems(complete.with_field(key, value), instrument)  # type: ignore[arg-type]
    assert list(found) == [f"fields.{key}"]
    assert expected in found[f"fields.{key}"]


def test_unknown_fields_and_items_are_named(complete: Rating, instrument: Instrument) -> None:
    rating = complete.with_field("weather", "sunny").with_answer("mood", Answered(value=1))
    found = problems(rating, instrument)
    assert set(found) == {"fields.weather", "items.mood"}
    assert "narration" in found["items.mood"]  # lists what exists


def test_now_moments_need_text_known_tags_and_a_reasonable_length(
    complete: Rating, instrument: Instrument
) -> None:
    moments = [
        NowMoment(text="ok", tags=["narration"]),
        NowMoment(text="  ", tags=[]),
        NowMoment(text="x" * 301, tags=["alliance", "narration", "narration"]),
    ]
    found = validate_rating(complete.replace(now_moments=moments), instrument)
    assert [p.path for p in found] == [
        "now_moments[1].text",
        "now_moments[2].text",
        "now_moments[2].tags",
        "now_moments[2].tags",
    ]
    assert "'alliance' is not a tag" in str(found[2])
    draft = complete.replace(status="draft", now_moments=[NowMoment(text="")])
    assert validate_rating(draft, instrument) == []  # being typed


def test_the_rating_must_be_made_with_this_exact_instrument(
    complete: Rating, instrument: Instrument
) -> None:
    other = instrument.model_copy(update={"version": "2.0.0"})
    assert problems(complete, other) == {
        "instrument": "the rating was made with sample-process@1.0.0, not sample-process@2.0.0"
    }
    changed = instrument.model_copy(update={"title": "edited in place"})
    found = problems(complete, changed)
    assert "new version number" in found["instrument.hash"]
    assert validate_rating(complete.replace(instrument=InstrumentRef.of(changed)), changed) == []


def test_every_problem_is_reported_not_only_the_first(
    complete: Rating, instrument: Instrument
) -> None:
    rating = (
        complete.with_field("dyad", "x")
        .with_answer("narration", Answered(value=9))
        .with_answer("processing", None)
    )
    found = validate_rating(rating, instrument)
    assert [str(p).split(":")[0] for p in found] == [
        "fields.dyad",
        "items.narration",
        "items.processing",
    ]
