"""Keys typed in one burst (a fast typist, a paste into the terminal, tmux send-keys) go
where the user meant: the terminal hands them to the app all at once, before the screens and
fields they are meant for exist or have focus. `burst` posts every key message at once, as the
terminal driver does (Pilot's `press` waits for the app to settle after each key, which hides
the problem); the tests then count what landed where, never seconds."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input
from textual.worker import WorkerCancelled

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import Opened, RatingApp
from rating_tui.tui.screens import session_number
from rating_tui.tui.screens.home import HomeScreen
from tests.tui.conftest import TODAY
from tests.tui.test_flows import ITEMS, final_rating
from tests.tui.test_number_proposal import Held

SIZE = (80, 24)
DIGITS = ("3", "2", "4", "1", "0", "2", "3")


def burst(app: RatingApp, *keys: str) -> None:
    """Every key message posted at once, as the terminal driver posts a burst it read."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settle(app: RatingApp, pilot: Any, until: Callable[[], bool], rounds: int = 1000) -> None:
    """Let the app handle what it was sent (workers included) until `until` holds."""
    for _ in range(rounds):
        with contextlib.suppress(WorkerCancelled):  # a proposal replaced by a newer one
            await app.workers.wait_for_complete()
        await pilot.pause()
        if until():
            return


def where_keys_went(app: RatingApp) -> str:
    fields = {w.id: w.value for w in app.screen.query(Input)}
    return f"on {app.screen} with {fields}, held {app.keys.held}, overdue {app.keys.overdue}"


def saved(store: Store, dyad: str) -> list[Any]:
    return [r for r in store.list(statuses=("final",)) if r.session["dyad"] == dyad]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    hold = Held()
    monkeypatch.setattr(session_number, "suggest_session_number", hold)
    yield hold
    hold.release.set()


async def test_a_whole_rating_typed_in_one_burst_lands_field_by_field(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = ["n", *"EC0499", "enter", "enter", "enter", "R", "P", "ctrl+n", *DIGITS, "enter"]
        burst(app, *keys)
        home = lambda: isinstance(app.screen, HomeScreen)  # noqa: E731
        await settle(app, pilot, lambda: bool(saved(store, "EC0499")) and home())
        assert home(), where_keys_went(app)
    [rating] = saved(store, "EC0499")
    assert rating.rater == "RP" and rating.session["session_number"] == 1
    assert [rating.answers[k].value for k in ITEMS] == [int(d) for d in DIGITS]


async def test_rating_keys_typed_while_the_number_is_found_go_to_the_items(
    make_app: Callable[..., RatingApp],
    store: Store,
    catalogue: Catalogue,
    tmp_path: Path,
    held: Held,
) -> None:
    final_rating(store, catalogue, "EC0418", 4)
    (tmp_path / "prefs.json").write_text(json.dumps({"rater": "RP"}))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "n", *"EC0418", "ctrl+n", *DIGITS, "enter")
        await settle(app, pilot, lambda: held.calls > 0)
        dyad = app.screen.query_one("#field-dyad", Input)
        held.release.set()
        await settle(app, pilot, lambda: len(saved(store, "EC0418")) == 2)
        assert dyad.value == "EC0418"  # no rating key typed into the code
        assert isinstance(app.screen, HomeScreen)
    new = next(r for r in saved(store, "EC0418") if r.session["session_number"] == 5)
    assert [new.answers[k].value for k in ITEMS] == [int(d) for d in DIGITS]


async def test_a_burst_typed_while_the_data_folder_opens_lands_field_by_field(
    catalogue: Catalogue, store: Store, tmp_path: Path
) -> None:
    release = threading.Event()

    def opener() -> Opened:
        release.wait(timeout=30)
        return Opened(catalogue, store)

    app = RatingApp(
        data_dir=store.data_dir, opener=opener, today=lambda: TODAY, prefs_file=tmp_path / "p"
    )
    async with app.run_test(size=SIZE) as pilot:
        # typed before the app set the terminal up: the terminal sent each Enter as a line
        # feed, which Textual reads as ctrl+j
        keys = ["n", *"EC0499", "ctrl+j", "enter", "ctrl+j", "R", "P", "ctrl+n", *DIGITS, "enter"]
        burst(app, *keys)
        await pilot.pause()
        assert not app.loaded
        release.set()
        await settle(app, pilot, lambda: bool(saved(store, "EC0499")))
        assert saved(store, "EC0499"), where_keys_went(app)
    [rating] = saved(store, "EC0499")
    assert rating.rater == "RP"
    assert [rating.answers[k].value for k in ITEMS] == [int(d) for d in DIGITS]


async def test_a_pasted_code_enter_and_digits_are_typed_line_by_line(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(app, pilot, lambda: bool(app.screen.query("#field-dyad")))
        # Textual's own paste into a field kept "EC0499" and dropped the other lines
        app.post_message(events.Paste("EC0499\n\n\nRP\n\n\n\n"))
        await settle(app, pilot, lambda: app.screen.query_one("#field-rater", Input).value == "RP")
        form = app.screen
        assert form.query_one("#field-dyad", Input).value == "EC0499"
        assert form.query_one("#field-rater", Input).value == "RP"
        burst(app, "ctrl+n", *DIGITS, "enter")
        await settle(app, pilot, lambda: bool(saved(store, "EC0499")))
    [rating] = saved(store, "EC0499")
    assert [rating.answers[k].value for k in ITEMS] == [int(d) for d in DIGITS]
