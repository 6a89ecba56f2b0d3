"""Leaving a step says what was kept: Escape on the session form once dropped what was typed
without a word, and Escape from the items before any answer kept a draft without a word."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from rating_tui.ratings.model import STATUSES
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.session_form import SessionFormScreen


def _said(app: RatingApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_escape_on_the_session_form_says_what_was_typed_was_not_kept(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SessionFormScreen)
        await pilot.press("escape")  # nothing typed: nothing to say
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert not any("Not started" in m for m in _said(app))
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-dyad", Input).value = "EC0417"
        app.screen.query_one("#field-rater", Input).value = "RP"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any(m.startswith("Not started: nothing was saved") for m in _said(app)), _said(app)
    assert store.list(statuses=STATUSES) == []


async def test_escape_from_the_items_before_any_answer_says_the_draft_is_kept(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-dyad", Input).value = "EC0417"
        app.screen.query_one("#field-rater", Input).value = "RP"
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        await pilot.press("escape")
        await pilot.pause()
        said = _said(app)
        assert any("draft is saved with its session and no answers yet" in m for m in said), said
    [draft] = store.list(statuses=STATUSES)
    assert draft.status == "draft" and draft.answers == {}
