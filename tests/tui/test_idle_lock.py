"""Issue 16, the idle lock: an encrypted folder's app locks after N minutes without a key
press or mouse event, forgets the key, hides everything, keeps what was being typed, and asks
for the passphrase again. The clock is injected: the tests move it and call the check."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from textual.pilot import Pilot
from textual.widgets import Input, Label
from textual.worker import WorkerCancelled

from rating_tui import passphrase
from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store import Store, crypto
from rating_tui.store.convert import encrypt_folder
from rating_tui.tui.app import RatingApp
from rating_tui.tui.idle import IdleClock, LockAfter
from rating_tui.tui.launch import build_app
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.lock import LockScreen
from rating_tui.tui.screens.session_form import SessionFormScreen
from tests.tui.conftest import TODAY
from tests.tui.test_flows import final_rating

SECRET = "right one"


class Clock:
    """Minutes that pass when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def wait(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def sealed(store: Store, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    final_rating(store, catalogue)
    encrypt_folder(store.data_dir, SECRET)
    crypto.forget_keys()
    monkeypatch.setenv(passphrase.ENV, SECRET)  # opened at start; restored after the test
    return store.data_dir


def _app(folder: Path, tmp_path: Path, clock: Clock, minutes: int = 5) -> RatingApp:
    app = build_app(None, [], folder, tmp_path / "prefs.json")
    app.idle = IdleClock(LockAfter(minutes), clock)
    return app


async def _settled(pilot: Pilot[None], app: RatingApp) -> None:
    """Until no worker is left, those that others start included: Home's alerts are read by
    a worker that the opening starts, so one `wait_for_complete` could return before it ran;
    a reload then cancelled it mid-read, and waiting raised WorkerCancelled (under load).
    Events, not time: each worker's end, then a pause for what it posted."""
    await pilot.pause()
    for _ in range(1000):
        workers = list(app.workers)
        if not workers:
            return
        for worker in workers:
            with contextlib.suppress(WorkerCancelled):  # replaced by a newer read
                await worker.wait()
        await pilot.pause()
    pytest.fail("workers still running after 1000 rounds")


async def _opened(pilot: Pilot[None], app: RatingApp) -> None:
    await _settled(pilot, app)
    assert isinstance(app.screen, HomeScreen) and app.store is not None


async def _typing_a_dyad(pilot: Pilot[None], app: RatingApp) -> Input:
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, SessionFormScreen)
    field = app.screen.query_one("#field-dyad", Input)
    field.focus()
    await pilot.press(*"EC07")
    return field


async def _submit(pilot: Pilot[None], app: RatingApp, secret: str) -> None:
    app.screen.query_one("#passphrase", Input).value = secret
    await pilot.press("enter")
    await _settled(pilot, app)


def _message(app: RatingApp) -> str:
    return str(app.screen.query_one("#lock-error", Label).content)


async def test_it_locks_after_the_pause_hides_everything_and_keeps_the_typing(
    sealed: Path, tmp_path: Path
) -> None:
    clock = Clock()
    app = _app(sealed, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, app)
        field = await _typing_a_dyad(pilot, app)
        clock.wait(4)
        app.check_idle_lock()
        assert not isinstance(app.screen, LockScreen)
        await pilot.press("1")  # a key press puts the lock off
        clock.wait(4)
        app.check_idle_lock()
        assert not isinstance(app.screen, LockScreen)
        clock.wait(1)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        shown = app.export_screenshot()
        assert "EC07" not in shown and "EC0417" not in shown and "Session" not in shown
        # the key is forgotten: nothing can be read or written, and the export child's copy of
        # the passphrase is gone from the environment
        assert app.store is not None
        with pytest.raises(crypto.FolderLockedError):
            app.store.list()
        assert passphrase.ENV not in os.environ
        await pilot.press("x")  # typed into the passphrase field, not into the form
        assert field.value == "EC071"

        await _submit(pilot, app, "wrong")
        assert isinstance(app.screen, LockScreen)
        assert "The passphrase is wrong" in _message(app) and "2 tries left" in _message(app)
        await _submit(pilot, app, SECRET)
        assert isinstance(app.screen, SessionFormScreen)
        assert app.screen.query_one("#field-dyad", Input).value == "EC071"
        assert [r.session["dyad"] for r in app.store.list()] == ["EC0417"]
        assert os.environ[passphrase.ENV] == SECRET
        clock.wait(4)  # the pause starts again from the unlock
        app.check_idle_lock()
        assert not isinstance(app.screen, LockScreen)


async def test_three_wrong_passphrases_pause_then_allow_more_and_lose_nothing(
    sealed: Path, tmp_path: Path
) -> None:
    clock = Clock()
    app = _app(sealed, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, app)
        field = await _typing_a_dyad(pilot, app)
        clock.wait(5)
        app.check_idle_lock()
        await pilot.pause()
        for _ in range(3):
            await _submit(pilot, app, "wrong")
        assert isinstance(app.screen, LockScreen)
        assert "3 wrong passphrases" in _message(app) and "kept" in _message(app)
        assert app.screen.query_one("#passphrase", Input).disabled
        app.screen.allow_again()  # the one-minute timer's callback
        await pilot.pause()
        assert not app.screen.query_one("#passphrase", Input).disabled
        await _submit(pilot, app, SECRET)
        assert isinstance(app.screen, SessionFormScreen) and field.value == "EC07"


async def test_quitting_while_locked_asks_first(sealed: Path, tmp_path: Path) -> None:
    clock = Clock()
    app = _app(sealed, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, app)
        clock.wait(5)
        app.check_idle_lock()
        await pilot.pause()
        await pilot.press("ctrl+p", "question_mark")  # nothing opens over the lock
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, LockScreen) and app.return_code is None
        assert "Press ctrl+q again" in _message(app)
        await pilot.press("ctrl+q")
        assert app.return_code == 0


async def test_zero_minutes_never_locks(sealed: Path, tmp_path: Path) -> None:
    clock = Clock()
    app = _app(sealed, tmp_path, clock, minutes=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, app)
        clock.wait(24 * 60)
        app.check_idle_lock()
        assert isinstance(app.screen, HomeScreen)


async def test_a_plain_folder_has_nothing_to_lock_and_says_so(store: Store, tmp_path: Path) -> None:
    clock = Clock()
    app = build_app(
        None, [], store.data_dir, tmp_path / "prefs.json", LockAfter(3, "--lock-after 3")
    )
    app.idle.clock = clock
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _settled(pilot, app)
        notes = [n.message for n in app._notifications]
        assert any("--lock-after 3 is not used" in m and "not encrypted" in m for m in notes)
        clock.wait(60)
        app.check_idle_lock()
        assert isinstance(app.screen, HomeScreen)


@pytest.fixture
def snapshot_sealed(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[RatingApp]:
    """An encrypted folder whose path is the same on every machine (it is on the lock
    screen), one snapshot test at a time."""
    folder = Path(tempfile.gettempdir()) / "rating-tui-lock-snapshot"
    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setenv(passphrase.ENV, SECRET)
    with FileLock(f"{folder}.lock"):
        shutil.rmtree(folder, ignore_errors=True)
        final_rating(Store.open(folder), catalogue)
        encrypt_folder(folder, SECRET)
        crypto.forget_keys()
        store = Store.open(folder)
        app = RatingApp(
            catalogue=catalogue, store=store, data_dir=folder, today=lambda: TODAY, prefs_file=None
        )
        app.idle = IdleClock(LockAfter(10), Clock())
        yield app


def test_lock_screen_snapshot(snap_compare, snapshot_sealed: RatingApp) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await _typing_a_dyad(pilot, pilot.app)  # type: ignore[arg-type]
        clock = pilot.app.idle.clock  # type: ignore[attr-defined]
        clock.wait(10)
        pilot.app.check_idle_lock()  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(snapshot_sealed, terminal_size=(80, 24), run_before=run_before)


async def test_a_lock_that_comes_while_home_reads_its_alerts_is_no_crash(
    sealed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The idle lock can come while Home's alerts are read by a thread (a big folder takes
    seconds): the read raised FolderLockedError, the worker failed and the app stopped."""
    from rating_tui.services import caseload

    clock = Clock()
    app = _app(sealed, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, app)

        def locked(*_: object, **__: object) -> None:
            raise crypto.FolderLockedError("The data folder is locked")

        monkeypatch.setattr(caseload, "caseload_alerts", locked)
        app.screen.query_one("#alerts").reload()  # type: ignore[attr-defined]
        await _settled(pilot, app)
        assert app.return_code is None and isinstance(app.screen, HomeScreen)


async def test_lists_to_refresh_while_locked_wait_for_the_unlock(
    sealed: Path, tmp_path: Path
) -> None:
    """Home asked to refresh its lists (the folder's opening landing late, under load) after
    the idle lock forgot the key: the read raised FolderLockedError and the app crashed with a
    traceback. Home now reads them again when it is back on top."""
    from rating_tui.tui.app import Loaded

    clock = Clock()
    app = _app(sealed, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, app)
        home = app.screen
        clock.wait(5)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        home.post_message(Loaded())
        await pilot.pause()
        assert isinstance(app.screen, LockScreen) and app.return_code is None
        await _submit(pilot, app, SECRET)
        await _settled(pilot, app)
        assert app.screen is home and app.return_code is None
