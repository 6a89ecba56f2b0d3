"""Home's preview on a folder it cannot write: kept nowhere, never a crash. Before, the app
stopped with a traceback on a read-only data folder (a study folder on a read-only share):
the clean-up of the preview's temp file raised EROFS (here ENOTDIR) after the write had."""

from __future__ import annotations

from pathlib import Path

from rating_tui.instruments.catalogue import Source
from rating_tui.tui.home_cache import HomeCache, Preview
from tests.conftest import REPO


def test_a_preview_that_cannot_be_written_is_not_kept_and_raises_nothing(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the folder would be\n")
    cache = HomeCache.inside(not_a_folder, [Source(REPO / "instruments", "built-in")])
    assert cache.write("key", Preview((), ())) is False
    assert not_a_folder.read_text() == "a file where the folder would be\n"
