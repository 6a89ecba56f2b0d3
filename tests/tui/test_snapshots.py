"""Screenshots of the main screens at 80x24, compared with the committed SVGs.

Data, dates and the data folder are fixed, so a difference means the screen changed: review
`snapshot_report.html`, then update with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from textual.widgets import Input, TextArea

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from tests.tui.conftest import TODAY
from tests.tui.test_flows import final_rating

SIZE = (80, 24)


@pytest.fixture
def snapshot_app(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> Iterator[RatingApp]:
    """Three dyads' ratings in a data folder whose path is the same on every machine.

    The folder is shared by every test run on the machine (and by the parallel workers of one
    run), so a file lock keeps it to one snapshot test at a time. Text cursors do not blink: a
    blink is a half-second timer, so a busy machine would catch the cursor on or off by chance;
    it stays on, as in the first half second after a field gets focus.
    """
    folder = Path(tempfile.gettempdir()) / "rating-tui-snapshots"
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    with FileLock(f"{folder}.lock"):
        shutil.rmtree(folder, ignore_errors=True)
        store = Store.open(folder)
        final_rating(store, catalogue, "EC0417", 1, "2026-01-08", values=(1, 1, 0, 1, 0, 0, 1))
        final_rating(store, catalogue, "EC0417", 2, "2026-01-22", values=(2, 1, 1, 2, 1, 1, 1))
        final_rating(store, catalogue, "EC0417", 3, "2026-02-05", values=(3, 2, 2, 2, 2, 1, 2))
        final_rating(store, catalogue, "EC0417", 3, "2026-02-05", "KL", (3, 3, 2, 3, 2, 2, 2))
        final_rating(store, catalogue, "MB0021", 1, "2026-02-11", values=(2, 2, 1, 0, 1, 1, 0))
        yield RatingApp(
            catalogue=catalogue, store=store, data_dir=folder, today=lambda: TODAY, prefs_file=None
        )


def test_home(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app, terminal_size=SIZE)


async def _to_items(pilot) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    await pilot.press("n")
    await pilot.pause()
    pilot.app.screen.query_one("#field-dyad", Input).value = "EC0417"
    pilot.app.screen.query_one("#field-rater", Input).value = "RP"
    await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()


def test_rating(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _to_items(pilot)
        await pilot.press("3", "2", "n")

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


def test_review(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _to_items(pilot)
        await pilot.press("3", "2", "4", "1", "r")

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


def test_history(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app, terminal_size=SIZE, press=["h"])


def test_dyad_view(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("down", "enter", "d")  # the older EC0417 rating, then its dyad
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the dyad's ratings are read in a thread
        await pilot.pause()

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)
