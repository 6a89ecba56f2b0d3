"""History: part of a dyad code and a rater code in any case find ratings; the cursor and
the filtered list are where they were after opening, editing and saving a rating."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Input

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.history import HistoryScreen
from rating_tui.tui.screens.rating_detail import RatingDetailScreen
from tests.tui.conftest import static_text
from tests.tui.test_flows import final_rating

SIZE = (100, 36)


def filled(store: Store, catalogue: Catalogue) -> None:
    final_rating(store, catalogue, "EC0417", 1, "2026-01-08")
    final_rating(store, catalogue, "EC0417", 2, "2026-01-15", "KL")
    final_rating(store, catalogue, "MB0021", 1, "2026-01-20")


async def test_part_of_a_dyad_code_and_a_rater_in_any_case_filter(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    filled(store, catalogue)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one(DataTable)
        screen.query_one("#f-dyad", Input).value = "0417"
        await pilot.pause()
        assert table.row_count == 2
        screen.query_one("#f-rater", Input).value = "kl"
        await pilot.pause()
        assert table.row_count == 1


async def test_the_cursor_stays_after_escape_and_an_edit_returns_to_the_list(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    filled(store, catalogue)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        history = app.screen
        assert isinstance(history, HistoryScreen)
        history.query_one("#f-dyad", Input).value = "ec04"
        await pilot.pause()
        table = history.query_one(DataTable)
        table.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingDetailScreen)
        opened = app.screen.rating
        await pilot.press("escape")
        await pilot.pause()
        assert table.cursor_row == 1  # not back at the top
        await pilot.press("enter", "e")  # edit: narration 1 -> 4, then save with a reason
        await pilot.pause()
        await pilot.press("4", "r", "enter")
        await pilot.pause()
        await pilot.press(*"mis-keyed", "enter")
        await pilot.pause()
        assert app.screen is history  # the filtered list, not Home
        assert history.query_one("#f-dyad", Input).value == "ec04"
        assert table.row_count == 2
    edited = store.get(opened.id)
    assert edited.revisions and edited.revisions[-1].reason == "mis-keyed"


async def test_a_revision_says_what_it_changed(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    rating = final_rating(store, catalogue, values=(3, 2, 3, 2, 1, 0, 4))
    instrument = catalogue.get(rating.instrument.ref).instrument
    from rating_tui.ratings.model import Answered

    store.update(
        rating.with_answer("narration", Answered(value=4)), instrument, by="RP", reason="typo"
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingDetailScreen)
        text = static_text(app.screen.query_one("#detail-body"), width=120)  # type: ignore[arg-type]
        assert "2. since" in text and "typo" in text
        assert "Narration of the experience 3 -> 4" in text


async def test_dates_swapped_impossible_or_in_another_form_are_said_not_listed_as_none(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """from after to listed "0 rating(s)", as if there were none; 2026-02-30 was "not a date
    like 2026-01-31"; 20260108 was read as a day without a word."""
    from textual.widgets import Static

    filled(store, catalogue)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        status = screen.query_one("#history-status", Static)
        said = {
            ("2026-01-20", "2026-01-08"): "from 2026-01-20 is after to 2026-01-08",
            ("2026-02-30", ""): "from '2026-02-30': February 2026 has 28 days",
            ("", "20260108"): "to '20260108': expected a date like 2026-01-31",
        }
        for (first, last), message in said.items():
            screen.query_one("#f-from", Input).value = first
            screen.query_one("#f-to", Input).value = last
            await pilot.pause()
            assert message in static_text(status), static_text(status)
            assert "0 rating(s)" not in static_text(status)
            # the rows left below are not filtered by it, and the line says so
            assert "the list below is as it was before" in static_text(status)
