"""`rating-tui demo`: a temporary folder of synthetic ratings, opened in the app, then gone."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rating_tui import paths
from rating_tui.cli import app
from rating_tui.store.api import Store


def test_demo_opens_the_app_on_a_temporary_filled_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_launch(data, instruments, store_dir=None, prefs_file=None, temporary=False):  # type: ignore[no-untyped-def]
        seen["folder"] = store_dir
        seen["temporary"] = temporary
        seen["count"] = len(Store.open(store_dir).list(limit=None))
        drafts = Store.open(store_dir).list(statuses=("draft",), limit=None)
        seen["drafts"] = [str(r.session["session_date"]) for r in drafts]
        seen["prefs"] = prefs_file

    monkeypatch.setattr("rating_tui.tui.launch.launch", fake_launch)
    result = CliRunner().invoke(app, ["demo", "--count", "50"])
    assert result.exit_code == 0, result.output
    assert seen["temporary"] is True  # Home says the folder goes when the app closes
    assert "The demo folder was deleted, with every rating made or changed in the demo." in (
        result.stderr
    )
    folder = seen["folder"]
    assert isinstance(folder, Path) and not folder.exists()  # removed when the app closed
    assert isinstance(seen["count"], int) and 30 <= seen["count"] <= 50  # finals (not drafts)
    assert seen["prefs"] != paths.prefs_file()
    # the sessions are recent, so Home (drafts of the last six months) has drafts to resume
    old = (date.today() - timedelta(days=183)).isoformat()
    assert seen["drafts"] and all(old < day < date.today().isoformat() for day in seen["drafts"])
    assert not paths.data_dir().exists()  # the real data folder was never touched
