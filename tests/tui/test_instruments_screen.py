"""The app's instrument browser (i from home), driven with Textual's Pilot."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from textual.widgets import OptionList, Static

from rating_tui.instruments.catalogue import Source, discover
from rating_tui.tui.app import RatingApp
from tests.conftest import BUILTIN_ID, REPO
from tests.tui.conftest import static_text

BUILTIN = REPO / "instruments" / f"{BUILTIN_ID}.toml"


def app_on(folder: Path, make_app: Callable[..., RatingApp]) -> RatingApp:
    return make_app(catalogue=discover([Source(folder, "test")]))


def preview_text(app: RatingApp) -> str:
    return static_text(app.screen.query_one("#preview-body", Static))


async def test_lists_instruments_and_previews_the_highlighted_one(
    tmp_path: Path, make_app: Callable[..., RatingApp]
) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(BUILTIN, folder / "a.toml")
    (folder / "b.toml").write_text(
        BUILTIN.read_text()
        .replace('version = "0.2.0"', 'version = "0.3.0"', 1)
        .replace('title = "Seven concepts', 'title = "Second version of the seven concepts', 1)
    )
    app = app_on(folder, make_app)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("i")
        listing = app.screen.query_one("#instrument-list", OptionList)
        assert listing.option_count == 2
        assert listing.has_focus
        await pilot.pause()
        assert "Seven concepts of therapeutic change" in preview_text(app)
        await pilot.press("j")
        await pilot.pause()
        assert listing.highlighted == 1
        assert "Second version" in preview_text(app)
        await pilot.press("k")
        assert listing.highlighted == 0


async def test_files_with_problems_are_listed_with_their_errors(
    tmp_path: Path, make_app: Callable[..., RatingApp]
) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(BUILTIN, folder / "good.toml")
    (folder / "broken.toml").write_text('id = "x"\nversion = [')
    app = app_on(folder, make_app)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("i")
        listing = app.screen.query_one("#instrument-list", OptionList)
        assert listing.option_count == 2
        await pilot.press("down")
        await pilot.pause()
        text = preview_text(app)
        assert "Files that could not be used" in text
        assert "broken.toml:2: not valid TOML" in text


async def test_empty_catalogue_says_so(tmp_path: Path, make_app: Callable[..., RatingApp]) -> None:
    app = app_on(tmp_path, make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        assert "No instruments found" in preview_text(app)
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_tab_moves_to_the_preview_which_scrolls_with_the_keyboard(
    tmp_path: Path, make_app: Callable[..., RatingApp]
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("tab")
        preview = app.screen.query_one("#preview")
        assert preview.has_focus
        await pilot.press("pagedown")
        await pilot.pause()
        assert preview.scroll_y > 0
        await pilot.press("escape")
