"""The app's instrument browser, driven with Textual's Pilot and compared with snapshots."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from rich.console import Console
from textual.widgets import OptionList, Static

from rating_tui.instruments.catalogue import Source, discover
from rating_tui.tui.app import RatingApp
from tests.conftest import BUILTIN_ID, REPO

BUILTIN = REPO / "instruments" / f"{BUILTIN_ID}.toml"


def make_app(folder: Path, tmp_path: Path) -> RatingApp:
    """An app on a fixed folder of instruments, so snapshots do not depend on the machine."""
    return RatingApp(catalogue=discover([Source(folder, "test")]), data_dir=tmp_path / "data")


def preview_text(app: RatingApp) -> str:
    """The preview's content as plain text, rendered the way Rich would print it."""
    static = app.screen.query_one("#preview-body", Static)
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(static.content)
    return " ".join(console.export_text().split())


async def test_lists_instruments_and_previews_the_highlighted_one(tmp_path: Path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(BUILTIN, folder / "a.toml")
    (folder / "b.toml").write_text(
        BUILTIN.read_text()
        .replace('version = "0.1.0"', 'version = "0.2.0"', 1)
        .replace('title = "Seven concepts', 'title = "Second version of the seven concepts', 1)
    )
    app = make_app(folder, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
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


async def test_files_with_problems_are_listed_with_their_errors(tmp_path: Path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(BUILTIN, folder / "good.toml")
    (folder / "broken.toml").write_text('id = "x"\nversion = [')
    app = make_app(folder, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        listing = app.screen.query_one("#instrument-list", OptionList)
        assert listing.option_count == 2
        await pilot.press("down")
        await pilot.pause()
        text = preview_text(app)
        assert "Files that could not be used" in text
        assert "broken.toml:2: not valid TOML" in text


async def test_empty_catalogue_says_so_and_quits_cleanly(tmp_path: Path) -> None:
    app = make_app(tmp_path, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "No instruments found" in preview_text(app)
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+q")
    assert app.return_code == 0


def test_snapshot_instruments_screen_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(BUILTIN, folder / "a.toml")
    assert snap_compare(make_app(folder, tmp_path), terminal_size=(80, 24))


async def test_tab_moves_to_the_preview_which_scrolls_with_the_keyboard(tmp_path: Path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(BUILTIN, folder / "a.toml")
    app = make_app(folder, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        preview = app.screen.query_one("#preview")
        assert preview.has_focus
        await pilot.press("pagedown")
        await pilot.pause()
        assert preview.scroll_y > 0
