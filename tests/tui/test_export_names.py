"""A second export from the app on the same day keeps the first one's files: the new files
get a number after the date, and the screen says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.export import free_base
from tests.conftest import BUILTIN_ID
from tests.tui.test_flows import final_rating


def test_a_free_name_never_matches_a_file_there(tmp_path: Path) -> None:
    assert free_base(tmp_path, "x-wide-2026-03-14") == "x-wide-2026-03-14"
    (tmp_path / "x-wide-2026-03-14-moments.csv").write_text("")
    assert free_base(tmp_path, "x-wide-2026-03-14") == "x-wide-2026-03-14-2"
    (tmp_path / "x-wide-2026-03-14-2.csv").write_text("")
    assert free_base(tmp_path, "x-wide-2026-03-14") == "x-wide-2026-03-14-3"


async def test_exporting_twice_on_a_day_keeps_the_first_files(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue)
    out = tmp_path / "exports"
    first = out / f"{BUILTIN_ID}-wide-2026-03-14.csv"
    second = out / f"{BUILTIN_ID}-wide-2026-03-14-2.csv"
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#x-folder", Input).value = str(out)
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        first.write_text("kept\n")  # what a researcher did with the first export
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = str(app.screen.query_one("#x-result", Static).content)
    assert first.read_text() == "kept\n"
    assert "EC0417" in second.read_text(encoding="utf-8")
    assert (out / f"{BUILTIN_ID}-wide-2026-03-14-2-codebook.csv").exists()
    assert str(second) in result
    assert "An earlier export of the same day is in this folder" in result


async def test_an_empty_folder_is_refused_not_read_as_the_current_one(
    make_app: Callable[..., RatingApp],
    store: Store,
    catalogue: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An empty Folder was read as ".", the folder the app was started in, without a word."""
    final_rating(store, catalogue)
    started, said = await _export_from_elsewhere(make_app(), tmp_path, monkeypatch, "  ")
    assert "Give the folder to write the files to (Folder is empty)." in said
    assert list(started.iterdir()) == []


def test_the_reason_nothing_matched_names_what_this_screen_exports() -> None:
    import subprocess

    from rating_tui.tui.screens.export import result_text

    said = (
        "error: no ratings match --instrument x (status: final); nothing was written\n"
        "  --instrument x matches 2 draft(s), but none of status final (--status chooses which)"
    )
    done = subprocess.CompletedProcess([], 1, "", said)
    text = result_text(done, [], renamed=False)
    assert "none of status final (this screen exports final ratings)" in text
    assert "--status" not in text


async def test_a_relative_folder_is_said_in_full(
    make_app: Callable[..., RatingApp],
    store: Store,
    catalogue: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`out` is the folder the app was started in: "Written: out/x.csv" did not say where."""
    final_rating(store, catalogue)
    started, said = await _export_from_elsewhere(make_app(), tmp_path, monkeypatch, "out")
    table = started / "out" / f"{BUILTIN_ID}-wide-2026-03-14.csv"
    assert table.exists()
    assert f"  {table}\n" in said + "\n"


async def _export_from_elsewhere(
    app: RatingApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> tuple[Path, str]:
    """(the folder the app was started in, what the export screen said) after an export to
    `folder` as typed in its Folder field."""
    started = tmp_path / "started-here"
    started.mkdir()
    monkeypatch.chdir(started)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#x-folder", Input).value = folder
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        return started, str(app.screen.query_one("#x-result", Static).content)
