"""Fixtures for the store tests: the sample instrument, a fresh data folder, rating factories.

`child_writer.py` (run as a separate process by the crash and concurrency tests) builds its
ratings the same way, from the same instrument file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating
from rating_tui.store import Store, journal
from rating_tui.store.layout import Layout

HERE = Path(__file__).parent
INSTRUMENT_FILE = HERE / "sample_instrument.toml"
CHILD = HERE / "child_writer.py"


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load_instrument(INSTRUMENT_FILE).instrument


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Store:
    return Store.open(data_dir)


@pytest.fixture(scope="session")
def writer_command() -> list[str]:
    """The command that runs `child_writer.py`; its arguments follow (see its docstring)."""
    return [sys.executable, str(CHILD), "--instrument", str(INSTRUMENT_FILE)]


@pytest.fixture
def make_rating(instrument: Instrument) -> Callable[..., Rating]:
    """A complete rating of the sample instrument; keyword arguments change parts of it."""

    def make(
        dyad: str = "D001",
        day: str = "2025-03-04",
        rater: str = "AB",
        number: int = 1,
        notes: str = "",
        **changes: Any,
    ) -> Rating:
        rating = Rating.new(instrument, rater)
        return rating.replace(
            session=rating.session | {"dyad": dyad, "session_date": day, "session_number": number},
            answers={
                "narration": Answered(value=3),
                "processing": Missing(missing="not_observed"),
                "past_present": Answered(value=1),
                "alliance": Answered(value=7.5),
            },
            now_moments=[NowMoment(text="mother laughs with the baby", tags=["narration"])],
            notes=notes,
            **changes,
        )

    return make


def unfinished_journal(data_dir: Path) -> bool:
    """Whether `data_dir` holds the journal of a change not completely applied. (A finished
    journal may stay until the process's next change: `journal.Unsynced`.)"""
    return journal.unfinished(Layout(data_dir)) is not None
