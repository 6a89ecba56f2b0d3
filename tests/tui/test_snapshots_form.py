"""The session form and the dialogs the small-size snapshots had not covered, at 80x24 and
60x20: tick boxes that differ without colour (the tests run with NO_COLOR), field hints that
keep their rule, the text-answer dialog and the choose-instrument dialog fully visible."""

# ruff: noqa: F401, F811
# (each test takes the imported `snapshot_app` fixture by name)
from __future__ import annotations

import pytest
from textual.widgets import Input, SelectionList

from rating_tui.tui.app import RatingApp
from tests.tui.test_snapshots import snapshot_app  # the fixture
from tests.tui.test_snapshots_small import SIZES, settle


async def to_boxes(pilot) -> None:  # type: ignore[no-untyped-def]
    """The form, with "Who was present" in view: Infant ticked, the other boxes empty."""
    await pilot.press("n")
    await pilot.pause()
    form = pilot.app.screen
    form.query_one("#field-dyad", Input).value = "EC0417"
    boxes = form.query_one("#field-present", SelectionList)
    boxes.focus(scroll_visible=False)
    boxes.scroll_visible(animate=False)  # no animation: the same picture on a slow machine
    await pilot.press("space")  # unticks Mother (Mother and Infant are the default)
    await settle(pilot)


def test_boxes_differ_without_colour(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=to_boxes)


async def to_rater(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await pilot.pause()
    rater = pilot.app.screen.query_one("#field-rater", Input)
    rater.cursor_blink = False  # the same picture at any moment
    rater.focus(scroll_visible=False)
    rater.scroll_visible(animate=False)
    await settle(pilot)


def test_the_rule_of_the_focused_field_is_whole(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=to_rater)


async def test_the_rule_stays_readable_at_80x24(snapshot_app: RatingApp) -> None:
    from textual.widgets import Label

    async with snapshot_app.run_test(size=(80, 24)) as pilot:
        await to_rater(pilot)
        form = pilot.app.screen
        hint = form.query_one("#hint-rater", Label)
        assert (
            hint.display
            and "letters, digits, '.', '_' or '-' (e.g. RP or clin_03); no spaces"
            in str(hint.content)
        )
        assert hint.region.right <= 80 and hint.region.height >= 2  # wrapped, not cut
        assert not form.query_one("#hint-dyad", Label).display  # only the focused field's
        await pilot.press("R", "P")  # the placeholder is gone once typed; the rule stays
        assert hint.display


async def to_text_dialog(pilot) -> None:  # type: ignore[no-untyped-def]
    from rating_tui.tui.screens.dialogs import TextDialog

    title = "What did the mother say about her own mother? (free text, up to 2,000 characters)"
    text = "She said her mother never held her when she cried.\nShe laughed when the baby did."
    await pilot.app.push_screen(TextDialog(title, text, multiline=True, max_length=2000))
    pilot.app.screen.query_one("#text").cursor_blink = False  # the same picture at any moment
    await settle(pilot)


async def to_choose_instrument(pilot) -> None:  # type: ignore[no-untyped-def]
    from rating_tui.tui.screens.dialogs import ChooseInstrument

    found = [li.instrument for li in pilot.app.catalogue.instruments]
    await pilot.app.push_screen(ChooseInstrument(found, found[-1].ref))
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_text_dialog(snap_compare, snapshot_app: RatingApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app, terminal_size=size, run_before=to_text_dialog)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_choose_instrument_dialog(
    snap_compare, snapshot_app: RatingApp, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app, terminal_size=size, run_before=to_choose_instrument)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("dialog", [to_text_dialog, to_choose_instrument], ids=["text", "choose"])
async def test_dialogs_are_fully_visible(  # type: ignore[no-untyped-def]
    snapshot_app: RatingApp, size: tuple[int, int], dialog
) -> None:
    from textual.containers import Vertical

    async with snapshot_app.run_test(size=size) as pilot:
        await dialog(pilot)
        box = pilot.app.screen.query_one(".dialog", Vertical)
        assert box.region.x >= 0 and box.region.y >= 0
        assert box.region.right <= size[0] and box.region.bottom <= size[1]
        for child in box.children:
            assert child.region.height > 0 and child.region.bottom <= box.region.bottom
