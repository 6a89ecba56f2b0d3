"""Fixtures for the export tests: an instrument with every scale type, ratings with hostile
text, and a second version of the instrument for the multi-version cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rating_tui.instruments.loader import load_instrument, parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating

HERE = Path(__file__).parent
INSTRUMENT_FILE = HERE / "export_instrument.toml"
T0 = datetime(2025, 3, 4, 18, 0, tzinfo=UTC)
HOSTILE = ['=HYPERLINK("http://x")', "+SUM(1)", "-2+3", "@cmd", "\tTAB", "\rCR"]


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load_instrument(INSTRUMENT_FILE).instrument


@pytest.fixture(scope="session")
def instrument_v3() -> Instrument:
    """Version 3.0.0: `focus` dropped, new item `warmth`, `alliance` becomes 0-10 whole."""
    text = INSTRUMENT_FILE.read_text()
    text = text.replace('version = "2.0.0"', 'version = "3.0.0"')
    text = text.replace("min = 0, max = 10, step = 0.5", "min = 0, max = 10, step = 1")
    start = text.index('[[items]]\nkey = "focus"')
    end = text.index("[[items]]", start + 5)
    warmth = '[[items]]\nkey = "warmth"\nlabel = "Warmth"\nscale = "presence"\nrequired = false\n\n'
    return parse_instrument(text[:start] + warmth + text[end:], "v3")


@pytest.fixture
def make_rating(instrument: Instrument) -> Callable[..., Rating]:
    """A final rating; keyword arguments replace parts of it."""
    counter = iter(range(10_000))

    def make(
        dyad: str = "D001",
        day: str = "2025-03-04",
        rater: str = "AB",
        notes: str = "",
        of: Instrument | None = None,
        **changes: Any,
    ) -> Rating:
        ins = of or instrument
        n = next(counter)
        rating = Rating.new(ins, rater, now=T0 + timedelta(minutes=n))
        answers: dict[str, Answered | Missing] = {
            "narration": Answered(value=3),
            "processing": Missing(missing="not_observed"),
            "mood_shift": Answered(value=-2),
        }
        parts: dict[str, Any] = {
            "status": "final",
            "session": rating.session | {"dyad": dyad, "session_date": day, "session_number": 1},
            "answers": answers,
            "now_moments": [NowMoment(text="mother laughs with the baby", tags=["narration"])],
            "notes": notes,
        }
        return rating.replace(**(parts | changes))

    return make
