"""Branching in the app: the keyboard flow skips items not asked, an answer that hides an
item removes that item's answer (saying so), and the review lists it as "not asked" beside
the computed scores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Static

from rating_tui.instruments.catalogue import Source, discover
from rating_tui.ratings.model import Answered
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.rating_detail import RatingDetailScreen
from rating_tui.tui.screens.review import ReviewScreen
from tests.tui.conftest import static_text

BRANCHING = """
id = "branching"
version = "1.0.0"
title = "Branching"

[[fields]]
key = "dyad"
label = "Dyad"
type = "text"
role = "dyad"

[[fields]]
key = "day"
label = "Date"
type = "date"
role = "session_date"
default = "today"

[[fields]]
key = "rater"
label = "Rater"
type = "text"
role = "rater"

[scales.presence]
type = "likert"
points = [{ value = 0, label = "absent" }, { value = 1, label = "present" },
          { value = 2, label = "central" }]

[[items]]
key = "infant_awake"
label = "Infant awake"
scale = { type = "yes_no" }

[[items]]
key = "modeling"
label = "Modeling"
scale = "presence"
show_if = { item = "infant_awake", equals = 1 }

[[items]]
key = "narration"
label = "Narration"
scale = "presence"

[[scores]]
key = "process"
label = "Process mean"
min_answered = 1
"""


async def _items_screen(app: RatingApp, pilot) -> ItemsScreen:
    await pilot.press("n")
    await pilot.pause()
    app.screen.query_one("#field-dyad", Input).value = "D1"
    app.screen.query_one("#field-rater", Input).value = "RP"
    await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert isinstance(app.screen, ItemsScreen)
    return app.screen


def _app(tmp_path: Path, make_app: Callable[..., RatingApp]) -> RatingApp:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "branching.toml").write_text(BRANCHING)
    return make_app(catalogue=discover([Source(folder, "test")]))


async def test_the_keyboard_skips_an_item_not_asked_and_review_lists_it(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = _app(tmp_path, make_app)
    async with app.run_test(size=(100, 36)) as pilot:
        items = await _items_screen(app, pilot)
        await pilot.press("0")  # infant not awake: modeling is not asked
        await pilot.pause()
        assert items.items[items.current].key == "narration"
        await pilot.press("k")  # moving back skips it too
        assert items.items[items.current].key == "infant_awake"
        await pilot.press("j", "2", "r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        summary = static_text(app.screen.query_one("#summary", Static))
        assert "Modeling │ not asked" in summary
        assert "Process mean │ 2.00 (mean over 1 of 2 items)" in summary
        await pilot.press("enter")
        await pilot.pause()
        [saved] = store.list()
        await app.push_screen(RatingDetailScreen(saved))
        await pilot.pause()
        detail = static_text(app.screen.query_one("#detail-body", Static))
        assert "Modeling │ not asked" in detail
        assert "Process mean │ 2.00 (mean over 1 of 2 items)" in detail
    [rating] = store.list()
    assert rating.status == "final"
    assert rating.answers == {"infant_awake": Answered(value=0), "narration": Answered(value=2)}


async def test_an_answer_that_hides_an_item_removes_its_answer_and_says_so(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = _app(tmp_path, make_app)
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        items = await _items_screen(app, pilot)
        await pilot.press("1")  # awake: modeling is asked next
        assert items.items[items.current].key == "modeling"
        await pilot.press("2", "k", "k", "0")
        await pilot.pause()
        assert "modeling" not in items.session.rating.answers
        messages = [n.message for n in app._notifications]
        assert any("No longer asked, answer removed: Modeling" in m for m in messages)
    [draft] = store.list(statuses=("draft",))
    assert draft.answers == {"infant_awake": Answered(value=0)}
