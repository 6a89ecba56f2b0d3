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
    boxes.focus()
    await pilot.press("space")  # unticks Mother (Mother and Infant are the default)
    await settle(pilot)


def test_boxes_differ_without_colour(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=to_boxes)


async def to_rater(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await pilot.pause()
    pilot.app.screen.query_one("#field-rater", Input).focus()
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
