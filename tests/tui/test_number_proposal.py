"""The dyad's next session number is proposed by a worker thread (on a big folder the read
takes a while): Enter or ctrl+n pressed before the proposal arrives must not say "required"
and then fill the field behind the rater's back. The worker is held on an event here, so the
tests count events (keys, the worker's release), never seconds."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.widgets import Input, Label

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.store.errors import StoreError
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens import session_number
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.session_form import SessionFormScreen
from tests.tui.test_flows import final_rating


class Held:
    """`suggest_session_number` that waits until the test releases it."""

    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.fail = fail

    def __call__(self, store: Store, instrument: Any, dyad: str, exclude: str | None = None) -> int:
        self.calls += 1
        assert self.release.wait(30), "the test never released the proposal"
        if self.fail:
            raise StoreError("the month file cannot be read")
        return 5


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    hold = Held()
    monkeypatch.setattr(session_number, "suggest_session_number", hold)
    yield hold
    hold.release.set()  # never leave a worker thread waiting


async def _form_waiting(app: RatingApp, pilot: Any) -> SessionFormScreen:
    await pilot.press("n")
    form = app.screen
    assert isinstance(form, SessionFormScreen)
    form.query_one("#field-dyad", Input).value = "EC0417"
    await pilot.pause()
    return form


async def test_enter_on_the_number_before_the_proposal_moves_on_and_the_field_says_so(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, held: Held
) -> None:
    final_rating(store, catalogue, number=4)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        form = await _form_waiting(app, pilot)
        number = form.query_one("#field-session_number", Input)
        number.focus()
        await pilot.pause()
        assert held.calls == 1 and number.value == ""
        assert "finding" in number.placeholder.lower()  # the field says it is being computed
        await pilot.press("enter")
        await pilot.pause()
        error = form.query_one("#error-session_number", Label)
        assert not error.display, f"said {error.content!s} before the proposal arrived"
        assert form.focused is not number  # Enter kept the (coming) proposal and moved on
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert number.value == "5"
        assert not error.display
        assert "finding" not in number.placeholder.lower()


async def test_ctrl_n_before_the_proposal_waits_for_it_then_goes_on(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, held: Held
) -> None:
    final_rating(store, catalogue, number=4)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        form = await _form_waiting(app, pilot)
        form.query_one("#field-rater", Input).value = "RP"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is form  # not refused, not gone on without a number
        assert not form.query_one("#error-session_number", Label).display
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        assert app.screen.session.rating.session["session_number"] == 5


async def test_a_proposal_that_cannot_be_read_says_so_and_asks_for_the_number(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, held: Held
) -> None:
    held.fail = True
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        form = await _form_waiting(app, pilot)
        form.query_one("#field-rater", Input).value = "RP"
        await pilot.press("ctrl+n")
        await pilot.pause()
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is form
        number = form.query_one("#field-session_number", Input)
        assert number.value == "" and form.focused is number
        error = str(form.query_one("#error-session_number", Label).content)
        assert "cannot be read" in error and "type" in error.lower()


async def test_ctrl_n_waiting_for_a_number_that_will_not_come_says_what_is_wrong(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, held: Held
) -> None:
    """Keys typed ahead: ctrl+n while EC0417's number is being found, then more letters
    land in the dyad field and make it no code. The wait is not dropped without a word."""
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        form = await _form_waiting(app, pilot)
        form.query_one("#field-rater", Input).value = "RP"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is form and not form.query_one("#error-dyad", Label).display
        form.query_one("#field-dyad", Input).value = "EC0417RP"
        await pilot.pause()
        error = form.query_one("#error-dyad", Label)
        assert error.display and "characters long" in str(error.content)
        assert form.focused is form.query_one("#field-dyad", Input)
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is form  # the stale proposal does not go on by itself
        assert form.query_one("#field-session_number", Input).value == ""


async def test_the_number_proposed_for_a_shorter_code_is_replaced_when_the_code_grows(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """EC041 is a valid code of its own: typed at a person's pace, its proposal (1) arrived
    and then stayed for EC0417 (whose next session is 5), since a filled field was taken as
    typed; ctrl+n went on with session 1."""
    final_rating(store, catalogue, "EC0417", 4)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n", *"EC041")
        await app.workers.wait_for_complete()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessionFormScreen)
        number = form.query_one("#field-session_number", Input)
        assert number.value == "1"  # EC041's own next session
        await pilot.press("7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert number.value == "5"
        await pilot.press("backspace", "backspace")  # EC04: not yet rated either
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert number.value == "1"
