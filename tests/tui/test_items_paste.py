"""A paste on the items screen is taken as typed or refused in words: before, Textual handed
it to no one and it went nowhere, without a word (`3,5` pasted on a 0-4 item, `62,5` on a
numeric one: the item stayed as it was and nothing said so)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.widgets import Input

from rating_tui.instruments.catalogue import Source, discover
from rating_tui.ratings.model import Answered
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.items import ItemsScreen
from tests.tui.test_scale_types import MIXED


async def test_a_paste_is_typed_on_a_numeric_item_pressed_as_a_key_or_refused_in_words(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
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

        def said() -> list[str]:
            return [n.message for n in app._notifications]

        app.post_message(events.Paste("about 60"))  # numeric item: not a number
        await pilot.pause()
        assert "alliance" not in items.session.rating.answers
        assert any("the paste 'about 60' was not entered: it is not a number" in m for m in said())
        app.post_message(events.Paste(" 62,5\n"))  # a decimal comma, as typed: then Enter
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "alliance" not in items.session.rating.answers  # off the steps of 5: refused
        assert any("62,5" in m and "from 0 to 100" in m for m in said()), said()
        app.post_message(events.Paste("65"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert items.session.rating.answers["alliance"] == Answered(value=65)
        assert items.current == 1  # yes/no: one key
        app.post_message(events.Paste("yes"))
        await pilot.pause()
        assert "baby_present" not in items.session.rating.answers
        assert any("Baby present: the paste 'yes' was not entered" in m for m in said())
        assert any("this item takes one key: 1, 0" in m for m in said()), said()
        app.post_message(events.Paste("1"))
        await pilot.pause()
        assert items.session.rating.answers["baby_present"] == Answered(value=1)
