"""Session fields with `show_if` in the form: hidden and shown as the answers before them
change, skipped by the keyboard, neither required nor stored while hidden."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, SelectionList

from rating_tui.instruments.catalogue import Source, discover
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.session_form import SessionFormScreen

FIELDS = """
id = "field-branching"
version = "1.0.0"
title = "Field branching"

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

[[fields]]
key = "present"
label = "Who was present"
type = "multiple_choice"
required = false
choices = [{ code = "mother", label = "Mother" }, { code = "infant", label = "Infant" }]

[[fields]]
key = "infant_age"
label = "Infant age (months)"
type = "number"
min = 0
max = 36
show_if = { field = "present", includes = "infant" }

[[items]]
key = "narration"
label = "Narration"
scale = { type = "yes_no" }
"""


def _app(tmp_path: Path, make_app: Callable[..., RatingApp]) -> RatingApp:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "fields.toml").write_text(FIELDS)
    return make_app(catalogue=discover([Source(folder, "test")]))


async def _form(app: RatingApp, pilot) -> SessionFormScreen:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await pilot.pause()
    form = app.screen
    assert isinstance(form, SessionFormScreen)
    form.query_one("#field-dyad", Input).value = "D1"
    form.query_one("#field-rater", Input).value = "RP"
    await pilot.pause()
    return form


async def test_a_hidden_field_is_skipped_not_required_and_not_stored(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = _app(tmp_path, make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _form(app, pilot)
        assert not form.query_one("#row-infant_age").display
        form.query_one("#field-present", SelectionList).focus()
        await pilot.press("enter")  # the last field asked: Enter goes on to the items
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
    [draft] = store.list(statuses=("draft",))
    assert "infant_age" not in draft.session


async def test_a_field_shown_by_an_answer_is_asked_and_required(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = _app(tmp_path, make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _form(app, pilot)
        boxes = form.query_one("#field-present", SelectionList)
        boxes.select("infant")
        await pilot.pause()
        assert form.query_one("#row-infant_age").display
        boxes.focus()
        await pilot.press("enter")  # no longer the last field: Enter moves to the age
        await pilot.pause()
        assert form.focused is form.query_one("#field-infant_age", Input)
        await pilot.press("ctrl+n")  # the age is now required
        await pilot.pause()
        assert app.screen is form
        await pilot.press("4", ",", "5", "ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
    [draft] = store.list(statuses=("draft",))
    assert draft.session["infant_age"] == 4.5
    assert draft.session["present"] == ["infant"]


async def test_unticking_hides_the_field_again_and_its_value_is_not_stored(
    tmp_path: Path, make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = _app(tmp_path, make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _form(app, pilot)
        boxes = form.query_one("#field-present", SelectionList)
        boxes.select("infant")
        await pilot.pause()
        form.query_one("#field-infant_age", Input).value = "4"
        boxes.deselect("infant")
        await pilot.pause()
        assert not form.query_one("#row-infant_age").display
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
    [draft] = store.list(statuses=("draft",))
    assert "infant_age" not in draft.session
