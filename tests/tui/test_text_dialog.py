"""The text-answer dialog: Escape asks before throwing away what was written (as the
now-moment dialog does), and closes at once when nothing changed."""

from __future__ import annotations

from collections.abc import Callable

from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dialogs import ConfirmDialog, TextDialog


async def test_escape_asks_before_discarding_written_text(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    results: list[str | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = TextDialog("Summary", "", multiline=True, max_length=500)
        await app.push_screen(dialog, results.append)
        await pilot.press(*"She sang")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep writing: the text is still there
        await pilot.pause()
        assert app.screen is dialog and dialog._typed() == "She sang"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert results == [None] and app.screen is not dialog


async def test_escape_closes_at_once_when_nothing_changed(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    results: list[str | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(TextDialog("Summary", "As before", False, 500), results.append)
        await pilot.press("escape")
        await pilot.pause()
        assert results == [None] and not isinstance(app.screen, ConfirmDialog)
