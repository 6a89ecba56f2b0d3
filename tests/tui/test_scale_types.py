"""The items screen with every scale type: slider (numeric), yes/no, single and multiple
choice, free text and an optional item, all with the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, TextArea

from rating_tui.instruments.catalogue import Source, discover
from rating_tui.ratings.model import Answered
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dialogs import TextDialog
from rating_tui.tui.screens.items import ItemsScreen

MIXED = """
id = "mixed"
version = "1.0.0"
title = "Every scale type"

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

[[items]]
key = "alliance"
label = "Alliance"
scale = { type = "numeric", min = 0, max = 100, step = 5 }

[[items]]
key = "baby_present"
label = "Baby present"
scale = { type = "yes_no" }

[[items]]
key = "focus"
label = "Focus"
[items.scale]
type = "single_choice"
choices = [{ code = "m", label = "Mother" }, { code = "b", label = "Baby" }]

[[items]]
key = "techniques"
label = "Techniques"
[items.scale]
type = "multiple_choice"
choices = [
  { code = 1, label = "Play" }, { code = 2, label = "Talk" }, { code = 3, label = "Feed" }
]

[[items]]
key = "summary"
label = "Summary"
scale = { type = "text", multiline = true }

[[items]]
key = "extra"
label = "Extra"
required = false
scale = { type = "numeric", min = 0, max = 10 }
"""


async def test_every_scale_type_with_the_keyboard(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "mixed.toml").write_text(MIXED)
    app = make_app(catalogue=discover([Source(folder, "test")]))
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-dyad", Input).value = "D1"
        app.screen.query_one("#field-rater", Input).value = "RP"
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        items = app.screen
        assert isinstance(items, ItemsScreen)
        await pilot.press("7", "3", "enter")  # 73 is not on a step of 5: refused
        assert "alliance" not in items.session.rating.answers
        await pilot.press("7", "5", "enter")  # slider by typing
        await pilot.press("k", "right", "j")  # and one step up with the arrow
        await pilot.press("1")  # yes
        await pilot.press("2")  # the second choice: baby
        await pilot.press("1", "3", "1", "j")  # toggle Play, Feed, Play again: Feed only
        await pilot.press("enter")  # text: a dialog
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        too_long = "x" * (app.screen.max_length + 1)
        app.screen.query_one(TextArea).text = too_long
        await pilot.press("ctrl+s")  # refused with a message, never cut
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        assert app.screen.query_one(TextArea).text == too_long
        app.screen.query_one(TextArea).text = "Played on the floor,\nthen fed."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is items
        await pilot.press("r", "enter")  # the optional item may stay empty
        await pilot.pause()
    [rating] = store.list()
    answers = rating.answers
    assert answers["alliance"] == Answered(value=80)
    assert answers["baby_present"] == Answered(value=1)
    assert answers["focus"] == Answered(value="b")
    assert answers["techniques"] == Answered(value=[3])
    assert answers["summary"] == Answered(value="Played on the floor,\nthen fed.")
    assert "extra" not in answers


async def test_a_typed_number_not_entered_is_saved_or_said_when_the_rater_moves_on(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
    """'75' typed on the slider item then j: the number was dropped without a word and the
    item left empty (the row showed 75 as typed)."""
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "mixed.toml").write_text(MIXED)
    app = make_app(catalogue=discover([Source(folder, "test")]))
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-dyad", Input).value = "D1"
        app.screen.query_one("#field-rater", Input).value = "RP"
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        items = app.screen
        assert isinstance(items, ItemsScreen)
        await pilot.press("7", "5", "j")  # moved on without Enter: kept
        await pilot.pause()
        assert items.session.rating.answers["alliance"] == Answered(value=75)
        said = [n.message for n in app._notifications]
        assert any("75 saved" in m for m in said), said
        await pilot.press("k", "7", "3", "j")  # 73 is off the steps: said, not saved
        await pilot.pause()
        assert items.session.rating.answers["alliance"] == Answered(value=75)
        said = [n.message for n in app._notifications]
        assert any("'73' was not saved: expected a number from 0 to 100" in m for m in said), said
