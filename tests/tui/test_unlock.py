"""Issue 16 in the app: an encrypted data folder is opened with its passphrase typed in a
dialog (never shown); three wrong ones leave it closed with a clear message, nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from rating_tui import passphrase
from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store import Store, crypto
from rating_tui.store.convert import encrypt_folder
from rating_tui.tui.app import RatingApp
from rating_tui.tui.launch import build_app
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.unlock import UnlockDialog
from tests.tui.test_flows import final_rating


@pytest.fixture
def sealed(store: Store, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    final_rating(store, catalogue)
    encrypt_folder(store.data_dir, "right one")
    crypto.forget_keys()
    return store.data_dir


async def _submit(pilot: Pilot[None], app: RatingApp, secret: str) -> None:
    field = app.screen.query_one("#passphrase", Input)
    field.value = secret
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_right_passphrase_opens_the_folder(
    sealed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(passphrase.ENV, raising=False)  # restored after the test
    app = build_app(None, [], sealed, tmp_path / "prefs.json")
    async with app.run_test(size=(100, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UnlockDialog)
        assert app.screen.query_one("#passphrase", Input).password
        behind = str(app.screen_stack[-2].query_one("#status", Static).content)
        assert "waits for its passphrase" in behind  # not "set RATING_TUI_PASSPHRASE"
        assert passphrase.ENV not in behind
        await _submit(pilot, app, "wrong")
        assert isinstance(app.screen, UnlockDialog)
        assert "2 tries left" in str(app.screen.query_one("#unlock-error", Label).content)
        await _submit(pilot, app, "right one")
        assert isinstance(app.screen, HomeScreen) and app.store is not None
        assert "EC0417" in str(app.screen.query_one("#recent").get_option_at_index(0).prompt)
    # the export screen's child process (`rating-tui export`) finds it in its environment
    assert os.environ[passphrase.ENV] == "right one"


async def test_three_wrong_passphrases_leave_it_closed_and_say_so(
    sealed: Path, tmp_path: Path
) -> None:
    before = {p: p.read_bytes() for p in sealed.rglob("*") if p.is_file()}
    app = build_app(None, [], sealed, tmp_path / "prefs.json")
    async with app.run_test(size=(100, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(3):
            await _submit(pilot, app, "wrong")
        assert isinstance(app.screen, HomeScreen) and app.store is None
        status = str(app.screen.query_one("#status", Static).content)
        assert "wrong three times" in status and "nothing was changed" in status
    assert {p: p.read_bytes() for p in sealed.rglob("*") if p.is_file()} == before
