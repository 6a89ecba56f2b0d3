"""Fixtures for the analysis tests: a small instrument with every analysed scale (numeric 0-10,
likert 0-4, yes/no) plus a choice and a text item that are not analysed, and a rating maker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import pytest

from rating_tui.analysis.pairing import SessionTable, collect
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Answer, Answered, Missing, Rating

T0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
SAMPLE = """
id = "agreement-sample"
version = "1.0.0"
title = "Agreement sample"

[[fields]]
key = "family"
label = "Dyad"
type = "text"
role = "dyad"

[[fields]]
key = "day"
label = "Date"
type = "date"
role = "session_date"

[[fields]]
key = "number"
label = "Session number"
type = "integer"
role = "session_number"

[[fields]]
key = "rater"
label = "Rater"
type = "text"
role = "rater"

[[missing_codes]]
code = "not_observed"
label = "Not observed"
export_value = -9

[[items]]
key = "warmth"
label = "Warmth"
scale = { type = "numeric", min = 0, max = 10, step = 1 }
missing_codes = ["not_observed"]

[[items]]
key = "presence"
label = "Presence"
missing_codes = ["not_observed"]

[items.scale]
type = "likert"
points = [
  { value = 0, label = "none" },
  { value = 1, label = "some" },
  { value = 2, label = "much" },
  { value = 4, label = "all" },
]

[[items]]
key = "held"
label = "Baby held"
scale = { type = "yes_no" }

[[items]]
key = "focus"
label = "Focus"
scale = { type = "single_choice", choices = [{ code = 1, label = "a" }, { code = 2, label = "b" }] }

[[items]]
key = "summary"
label = "Summary"
required = false
scale = { type = "text" }
"""


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return parse_instrument(SAMPLE, "sample")


RatingMaker = Callable[..., Rating]


@pytest.fixture
def make_rating(instrument: Instrument) -> RatingMaker:
    """A final rating of session (dyad, day, number) by `rater`; answers given as numbers,
    "NO" for the not-observed code, or None for unanswered."""
    counter = iter(range(100_000))

    def make(
        rater: str,
        values: dict[str, float | str | None],
        dyad: str = "D001",
        day: str = "2026-03-01",
        number: int = 1,
        status: str = "final",
        of: Instrument | None = None,
    ) -> Rating:
        ins = of or instrument
        moment = T0 + timedelta(minutes=next(counter))
        answers: dict[str, Answer] = {}
        for key, value in values.items():
            if value == "NO":
                answers[key] = Missing(missing="not_observed")
            elif value is not None:
                answers[key] = Answered(value=value)
        session = {"family": dyad, "day": day, "number": number, "rater": rater}
        return Rating.new(ins, rater, now=moment).replace(
            session=session, answers=answers, status=status
        )

    return make


def table_of(ratings: Iterable[Rating], instrument: Instrument) -> SessionTable:
    """The one session table of `ratings` (all made with `instrument`)."""
    found = collect(ratings, lambda *ref: instrument)
    return found.tables[instrument.id]
