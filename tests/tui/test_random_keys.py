"""Thousands of random key presses (2,400), from every screen, never crash the app.

A crash inside a Textual app ends `run_test` with the exception, so reaching the end of each
run is the assertion; the store is then checked to be readable and consistent.

Each round of keys is waited for as events, never as time: a callback posted after the keys
has run (every key has reached the app), the key gate holds none and has none on its way, and
no worker is left. `pilot.pause` alone guesses idleness from the clock: under load the test
left `run_test` with keys still queued, one reached the app after its screens were gone, and
the run failed with ScreenStackError (the app now drops such a key: see test_app_closing).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from tests.tui.test_flows import final_rating

KEYS = [
    *"0123456789nNjkmarsxgoevdhi?/ ",
    "enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "backspace",
    "pageup", "pagedown", "home", "end", "ctrl+n", "ctrl+s", "ctrl+t", "ctrl+d", "space",
]  # fmt: skip
"""Every key the app binds and more; ctrl+q and ctrl+p are left out (quit, palette)."""

STARTS = {
    "home": [],
    "new rating": ["n"],
    "history": ["h"],
    "instruments": ["i"],
    "rating detail": ["enter"],
    "help": ["question_mark"],
}


@pytest.mark.parametrize("start", list(STARTS))
async def test_random_keys_never_crash(
    start: str, make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue)
    rng = random.Random(f"rating-tui {start}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*STARTS[start])
        await settled(app, pilot)
        for _ in range(40):  # 400 keys: posted as the terminal would, checked every ten
            for key in rng.choices(KEYS, k=10):
                app.simulate_key(key)
            await settled(app, pilot)
    assert app.return_code in (None, 0)
    for rating in store.list(statuses=("draft", "final", "voided"), limit=None):
        assert rating.instrument.id  # every stored rating still parses


async def settled(app: RatingApp, pilot: Pilot[None], rounds: int = 5000) -> None:
    """Until every key posted so far is handled and no worker is left (see above); fails
    after `rounds` turns of the event loop rather than wait for ever."""
    reached = asyncio.Event()
    app.call_later(reached.set)  # after the keys in the app's queue
    await reached.wait()
    for _ in range(rounds):
        await pilot.pause()
        if not app.is_running:
            return  # a key quit the app (return_code is checked)
        workers = list(app.workers)
        if not workers and app.keys.quiet:
            return
        for worker in workers:
            with contextlib.suppress(WorkerCancelled):  # replaced by a newer one
                await worker.wait()
    pytest.fail(f"keys still held or workers running after {rounds} rounds")
