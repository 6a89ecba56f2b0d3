"""The now-moments log from the items screen: write a moment, tag it, keep it in the draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Label, SelectionList, TextArea

from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dialogs import MomentDialog
from rating_tui.tui.screens.items import ItemsScreen
from tests.tui.test_rating_flow import fill_session


async def open_moment_dialog(pilot) -> MomentDialog:  # type: ignore[no-untyped-def]
    """From Home: a new rating's session fields, then `m` on the first item."""
    await pilot.press("n")
    await fill_session(pilot)
    await pilot.press("m")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, MomentDialog)
    return dialog


async def test_a_tagged_moment_is_kept_in_the_draft(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        dialog = await open_moment_dialog(pilot)
        prompt = dialog.query(Label)[1]
        assert "which concepts did it touch?" in str(prompt.content)
        assert prompt.region.height >= 2  # the instrument's whole prompt, wrapped
        await pilot.press(*"She laughed with the baby", "tab", "space")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
    [draft] = store.list(statuses=("draft",))
    [moment] = draft.now_moments
    assert moment.text == "She laughed with the baby" and moment.tags == ["narration"]


async def test_a_moment_longer_than_allowed_is_refused_not_cut(
    make_app: Callable[..., RatingApp], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    told: list[str] = []
    real_notify = app.notify

    def notify(message: str, **options: Any) -> None:
        told.append(message)
        real_notify(message, **options)

    monkeypatch.setattr(app, "notify", notify)
    async with app.run_test(size=(100, 36)) as pilot:
        dialog = await open_moment_dialog(pilot)
        limit = dialog.instrument.now_moments.max_length
        dialog.query_one("#moment-text", TextArea).text = "x" * (limit + 1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # still open, with the text as written
        assert len(dialog.query_one("#moment-text", TextArea).text) == limit + 1
        assert any("allows" in message for message in told)
        assert dialog.query_one("#tags", SelectionList).selected == []
    [draft] = store.list(statuses=("draft",))
    assert draft.now_moments == []


async def test_escape_after_ticking_concepts_asks_before_throwing_them_away(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    """Before: Escape asked only when text had changed; concepts ticked or unticked were
    thrown away without a word."""
    from rating_tui.tui.screens.dialogs import ConfirmDialog

    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        dialog = await open_moment_dialog(pilot)
        await pilot.press("tab", "space")  # a concept ticked, no text yet
        await pilot.pause()
        assert dialog.query_one("#tags", SelectionList).selected == ["narration"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
