"""`rating-tui demo`: a temporary folder of synthetic ratings, opened in the app, then gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rating_tui import paths
from rating_tui.cli import app
from rating_tui.store.api import Store


def test_demo_opens_the_app_on_a_temporary_filled_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_launch(data, instruments, store_dir=None, prefs_file=None):  # type: ignore[no-untyped-def]
        seen["folder"] = store_dir
        seen["count"] = len(Store.open(store_dir).list(limit=None))
        seen["prefs"] = prefs_file

    monkeypatch.setattr("rating_tui.tui.launch.launch", fake_launch)
    result = CliRunner().invoke(app, ["demo", "--count", "50"])
    assert result.exit_code == 0, result.output
    folder = seen["folder"]
    assert isinstance(folder, Path) and not folder.exists()  # removed when the app closed
    assert isinstance(seen["count"], int) and 30 <= seen["count"] <= 50  # finals (not drafts)
    assert seen["prefs"] != paths.prefs_file()
    assert not paths.data_dir().exists()  # the real data folder was never touched
