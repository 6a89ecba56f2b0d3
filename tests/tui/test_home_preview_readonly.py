"""Home's preview on a folder it cannot write: kept nowhere, never a crash. Before, the app
stopped with a traceback on a read-only data folder (a study folder on a read-only share):
the clean-up of the preview's temp file raised EROFS (here ENOTDIR) after the write had."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from rating_tui.instruments.catalogue import Catalogue, Source
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.home_cache import HomeCache, Preview
from rating_tui.tui.screens import home as home_screen
from tests.conftest import REPO
from tests.tui.conftest import static_text
from tests.tui.test_flows import final_rating


def test_a_preview_that_cannot_be_written_is_not_kept_and_raises_nothing(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the folder would be\n")
    cache = HomeCache.inside(not_a_folder, [Source(REPO / "instruments", "built-in")])
    assert cache.write("key", Preview((), ())) is False
    assert not_a_folder.read_text() == "a file where the folder would be\n"


async def test_home_does_not_say_ratings_are_saved_in_a_folder_it_cannot_write(
    make_app: Callable[..., RatingApp],
    store: Store,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: "Ratings are saved in DIR" on a read-only folder, where every save is refused."""
    final_rating(store, catalogue)
    real_access = os.access
    data_dir = store.data_dir

    def access(path: object, mode: int) -> bool:
        if Path(str(path)) == data_dir and mode == os.W_OK:
            return False  # as on a read-only mount, whoever runs the test
        return real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(home_screen.os, "access", access)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = static_text(app.screen.query_one("#status", Static))
    assert f"Ratings are read from {data_dir}, which cannot be written to" in said
    assert "saved in" not in said
