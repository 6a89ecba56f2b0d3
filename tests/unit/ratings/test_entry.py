"""Typed text as people type it: decimal commas, spaces, lower-case codes, impossible dates."""

from __future__ import annotations

import pytest

from rating_tui.instruments.model import Instrument, SessionField
from rating_tui.ratings.entry import parse_field_text, parse_number, typed_problem
from rating_tui.services.demo import builtin_instrument


@pytest.fixture(scope="module")
def paris() -> Instrument:
    return builtin_instrument()


def field(instrument: Instrument, key: str) -> SessionField:
    return next(f for f in instrument.fields if f.key == key)


@pytest.mark.parametrize(
    ("text", "number"),
    [("3,5", 3.5), ("3.5", 3.5), (" 3,5 ", 3.5), ("12", 12), ("-2", -2), (",5", 0.5), ("4.", 4.0)],
)
def test_a_decimal_comma_or_point_is_a_number(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["3,5,1", "3 5", "abc", "1e3", "nan", "", "--1"])
def test_what_is_not_a_number_is_not_taken_as_one(text: str) -> None:
    assert parse_number(text) is None


def test_the_comma_of_an_infant_age_is_never_dropped(paris: Instrument) -> None:
    age = field(paris, "infant_age_months")
    assert parse_field_text(age, "3,5") == 3.5  # not 35
    assert typed_problem(age, 3.5) is None


def test_a_number_out_of_range_names_the_bounds(paris: Instrument) -> None:
    age = field(paris, "infant_age_months")
    assert typed_problem(age, 60) == "60 is out of range: Infant age (months) goes from 0 to 48"
    duration = field(paris, "duration_min")
    assert typed_problem(duration, parse_field_text(duration, "45,5")) == (  # type: ignore[arg-type]
        "'45,5' is not a whole number; expected one from 5 to 300"
    )
    assert typed_problem(duration, parse_field_text(duration, "sixty")) == (  # type: ignore[arg-type]
        "'sixty' is not a whole number; expected one from 5 to 300"
    )


def test_a_lower_case_dyad_code_is_upper_cased_and_a_name_is_not(paris: Instrument) -> None:
    dyad = field(paris, "dyad")
    assert parse_field_text(dyad, " ec0417 ") == "EC0417"
    assert parse_field_text(dyad, "jane") == "jane"  # refused by the pattern, as typed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "February 2026 has 28 days"),
        ("2028-02-30", "February 2028 has 29 days"),
        ("2026-04-31", "April 2026 has 30 days"),
        ("2026-13-01", "there is no month 13"),
        ("2026-3-1", "write the date as 2026-03-01"),
        ("31/01/2026", "expected a date like 2026-01-31"),
    ],
)
def test_an_impossible_date_says_why(paris: Instrument, text: str, message: str) -> None:
    problem = typed_problem(field(paris, "session_date"), text)
    assert problem is not None and message in problem


@pytest.mark.parametrize("text", ["1,000", "12,500", "-3,250"])
def test_a_comma_before_three_digits_is_not_read_as_a_decimal_comma(text: str) -> None:
    """Before: '1,000' typed as an infant age was taken as 1.0 months (in range), where one
    thousand would have been refused as out of range."""
    assert parse_number(text) is None


def test_a_thousands_comma_says_both_readings(paris: Instrument) -> None:
    age = field(paris, "infant_age_months")
    value = parse_field_text(age, "1,000")
    assert value == "1,000"
    assert typed_problem(age, value) == (
        "'1,000' could be 1.000 or 1000: type a decimal point for a fraction, or no comma for "
        "thousands; expected a number from 0 to 48"
    )
    assert parse_field_text(age, "1,00") == 1.0  # two digits: a decimal comma


def test_a_code_typed_in_full_width_characters_says_the_code_meant(paris: Instrument) -> None:
    """`ＥＣ０４１７` (an East Asian input method) said only that it did not match the form."""
    dyad, rater = field(paris, "dyad"), field(paris, "rater")
    assert typed_problem(dyad, "ＥＣ０４１７") == (
        "'ＥＣ０４１７' has full-width or other look-alike characters: type EC0417"
    )
    assert typed_problem(rater, "ｃｌｉｎ_01") == (
        "'ｃｌｉｎ_01' has full-width or other look-alike characters: type clin_01"
    )
    assert "look-alike" not in str(typed_problem(dyad, "ＥＣ０４１７８９"))  # too long anyway
