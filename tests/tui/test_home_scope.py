"""Home never says less than the folder holds: "No ratings yet" only in an empty folder (not
when its only ratings are drafts older than six months or voided ones, which Home does not
list), and a drafts list cut at `DRAFTS_LISTED` says that there are more and where they are."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Label, OptionList, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.ratings.model import Rating
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens import home
from tests.conftest import BUILTIN_ID
from tests.tui.conftest import static_text
from tests.tui.test_home_refill import _settled


def _draft(store: Store, catalogue: Catalogue, dyad: str, day: str) -> Rating:
    instrument = catalogue.get(BUILTIN_ID).instrument
    rating = Rating.new(instrument, "RP").replace(
        session={"dyad": dyad, "session_date": day, "rater": "RP"}
    )
    return store.save_draft(rating, instrument)


async def _home(app: RatingApp) -> tuple[str, str, OptionList]:
    async with app.run_test(size=(120, 36)) as pilot:
        await _settled(app, pilot)
        status = static_text(app.screen.query_one("#status", Static), 120)
        title = str(app.screen.query_one("#drafts-title", Label).render())
        return status, title, app.screen.query_one("#drafts", OptionList)


async def test_an_empty_folder_says_no_ratings_yet(make_app: Callable[..., RatingApp]) -> None:
    status, _, drafts = await _home(make_app())
    assert "No ratings yet" in status and drafts.option_count == 0


async def test_a_folder_of_old_drafts_is_not_called_empty(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    _draft(store, catalogue, "EC0100", "2025-01-10")  # over six months before TODAY
    _draft(store, catalogue, "EC0101", "2025-02-11")
    status, _, drafts = await _home(make_app())
    assert drafts.option_count == 0  # Home lists the last six months' drafts only
    assert "No ratings yet" not in status
    assert "the 2 rating(s) it holds" in " ".join(status.split()) and "History" in status


async def test_more_drafts_than_listed_are_said_to_be_there(
    make_app: Callable[..., RatingApp],
    store: Store,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(home, "DRAFTS_LISTED", 3)
    for n in range(4):
        _draft(store, catalogue, f"EC02{n:02d}", f"2026-03-0{n + 1}")
    _, title, drafts = await _home(make_app())
    assert drafts.option_count == 3
    assert "the 3 newest sessions' of more" in title and "History" in title
    monkeypatch.setattr(home, "DRAFTS_LISTED", 4)
    _, title, drafts = await _home(make_app())
    assert drafts.option_count == 4 and title == "Drafts to resume"
