"""$RATING_TUI_PASSPHRASE set for a folder that is not encrypted: the app says, once, that its
ratings are stored as plain text (whoever set it may believe otherwise); unset, nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui import passphrase
from rating_tui.store import Store
from rating_tui.tui.launch import build_app
from tests.tui.test_idle_lock import _settled


async def _notes(store: Store, prefs: Path) -> list[str]:
    app = build_app(None, [], store.data_dir, prefs)  # opened as `rating-tui` opens it
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await _settled(pilot, app)
        return [n.message for n in app._notifications if "not encrypted" in n.message]


async def test_a_passphrase_for_a_plain_folder_is_said_unused(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(passphrase.ENV, raising=False)
    assert await _notes(store, tmp_path / "prefs.json") == []
    monkeypatch.setenv(passphrase.ENV, "a secret")
    said = await _notes(store, tmp_path / "prefs.json")
    assert len(said) == 1 and "stored as plain text" in said[0], said
