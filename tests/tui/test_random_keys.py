"""Thousands of random key presses (2,400), from every screen, never crash the app.

A crash inside a Textual app ends `run_test` with the exception, so reaching the end of each
run is the assertion; the store is then checked to be readable and consistent.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

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
        for _ in range(40):  # 400 keys: posted as the terminal would, checked every ten
            for key in rng.choices(KEYS, k=10):
                app.simulate_key(key)
            await pilot.pause()
        await pilot.pause()
    assert app.return_code in (None, 0)
    for rating in store.list(statuses=("draft", "final", "voided"), limit=None):
        assert rating.instrument.id  # every stored rating still parses
