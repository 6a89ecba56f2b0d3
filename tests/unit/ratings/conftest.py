"""The ratings tests use the store tests' sample instrument (every scale and field type)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating

INSTRUMENT_FILE = Path(__file__).parent.parent / "store" / "sample_instrument.toml"


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load_instrument(INSTRUMENT_FILE).instrument


@pytest.fixture
def complete(instrument: Instrument) -> Rating:
    """A final rating with no problems, to break one thing at a time."""
    rating = Rating.new(instrument, "AB")
    return rating.replace(
        status="final",
        session=rating.session
        | {"dyad": "D017", "session_date": "2025-03-04", "session_number": 4},
        answers={
            "narration": Answered(value=3),
            "processing": Missing(missing="not_observed"),
            "past_present": Answered(value=0),
        },
        now_moments=[NowMoment(text="the baby reaches out", tags=["narration", "processing"])],
    )
