"""The command palette: one entry about keys (Textual's own "Keys" is left out), Export, and
Agreement, which says how to run `rating-tui agreement` and offers Calibration."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Label

from rating_tui.tui.app import RatingApp
from rating_tui.tui.commands import RatingCommands
from rating_tui.tui.screens.calibration import CalibrationScreen
from rating_tui.tui.screens.dialogs import ConfirmDialog
from rating_tui.tui.screens.export import ExportScreen


async def test_one_entry_about_keys_and_export_and_agreement_are_there(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        system = [c.title for c in app.get_system_commands(app.screen)]
        ours = [name for name, _, _ in RatingCommands(app.screen)._commands()]
        titles = system + ours
        assert [t for t in titles if "key" in t.lower()] == ["Help: every key"]
        assert "Export" in titles and "Agreement" in titles and "Calibration" in titles


async def test_export_from_the_palette(make_app: Callable[..., RatingApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"export", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)


async def test_agreement_names_the_command_and_offers_calibration(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"agreement", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        text = str(app.screen.query_one(".dialog-title", Label).content)
        assert f"rating-tui agreement --data {app.data_dir}" in text
        assert "rating-tui[stats]" in text
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, CalibrationScreen)
