"""A rating whose instrument file is in no instruments folder (lost, or given with
--instruments last time only) is listed with its session from the copy the data folder keeps:
Home said "(no dyad yet)" of it, with no date or number, and History's dyad filter missed it."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Input, OptionList

from rating_tui.instruments.catalogue import Catalogue, discover
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.history import HistoryScreen
from tests.tui.test_flows import final_rating


async def test_home_and_history_list_the_session_from_the_kept_copy(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, "EC0417", 3, "2026-03-01")
    app = make_app(catalogue=discover([]))  # no instruments folder holds its file
    async with app.run_test(size=(100, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        recent = app.screen.query_one("#recent", OptionList)
        line = str(recent.get_option_at_index(0).prompt)
        assert "EC0417" in line and "#3" in line and "2026-03-01" in line, line
        assert "no dyad" not in line
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        app.screen.query_one("#f-dyad", Input).value = "0417"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][:3] == ["2026-03-01", "EC0417", "3"]
