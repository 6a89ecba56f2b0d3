"""History: a dyad or rater typed with full-width characters (an East Asian input method) is
matched as it is, and the line says so with the code meant, where it said "0 rating(s)"."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Input, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.history import HistoryScreen
from tests.tui.conftest import static_text
from tests.tui.test_history_filters import SIZE, filled


async def test_full_width_characters_are_said_with_the_code_meant(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    filled(store, catalogue)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        screen.query_one("#f-dyad", Input).value = "ＥＣ０４１７"
        await pilot.pause()
        said = static_text(screen.query_one("#history-status", Static), width=200)
        assert screen.query_one(DataTable).row_count == 0
        assert "has full-width or other look-alike characters" in said
        assert "did you mean EC0417?" in said
        screen.query_one("#f-dyad", Input).value = "EC0417"
        await pilot.pause()
        said = static_text(screen.query_one("#history-status", Static), width=200)
        assert "look-alike" not in said and screen.query_one(DataTable).row_count == 2
