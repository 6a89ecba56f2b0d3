"""80x24 and 60x20 are first-class sizes: the items screen on the longest item (every anchor
and missing code in sight or one PgDn away), the review and every dialog the built-in
instrument reaches, compared with committed SVGs; and the message below 60x20."""

# ruff: noqa: F401, F811
# (each test takes the imported `snapshot_app` fixture by name)
from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from rating_tui.tui.app import RatingApp
from tests.tui.test_snapshots import snapshot_app  # the fixture

SIZES = [(80, 24), (60, 20)]


async def to_items(pilot, number: str = "4") -> None:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await pilot.pause()
    form = pilot.app.screen
    form.query_one("#field-dyad", Input).value = "EC0417"
    form.query_one("#field-rater", Input).value = "RP"
    await pilot.pause()
    form.query_one("#field-session_number", Input).value = number
    await pilot.pause()
    await pilot.press("ctrl+n")
    await settle(pilot)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the items list centre the current item (after a refresh) before the picture."""
    for _ in range(3):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()


async def to_next_screen(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    """Press a key that opens a screen and wait for it (counting pauses, not seconds): a key
    sent while the screen before is still opening would reach the wrong screen."""
    before = pilot.app.screen
    await pilot.press(key)
    for _ in range(1000):
        if pilot.app.screen is not before:
            return
        await pilot.pause()
    raise AssertionError(f"{key!r} opened no screen")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_longest_item(snap_compare, snapshot_app: RatingApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_items(pilot)
        await pilot.press("2", "2", "2")  # item 4, modeling: the longest, two missing codes

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_longest_item_scrolled(  # type: ignore[no-untyped-def]
    snap_compare,
    snapshot_app: RatingApp,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_items(pilot)
        await pilot.press("2", "2", "2", "pagedown")

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_review_small(snap_compare, snapshot_app: RatingApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_items(pilot)
        await pilot.press("3", "2", "n", "1", "r")

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_moment_dialog_fits(snapshot_app: RatingApp, size: tuple[int, int]) -> None:
    """Checked by regions, not a picture: the dialog's SVG varies from run to run in an
    unused style entry (the picture itself is the same)."""
    from textual.widgets import Label, SelectionList

    async with snapshot_app.run_test(size=size) as pilot:
        await to_items(pilot)
        await pilot.press("m")
        await settle(pilot)
        screen = pilot.app.screen
        title = screen.query_one(".dialog-title", Label)
        assert "ctrl+s keeps it" in str(title.content)
        for widget in (title, screen.query_one(TextArea), screen.query_one(SelectionList)):
            region = widget.region
            assert region.y >= 0 and region.bottom <= size[1] and region.right <= size[0]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_discard_question(snap_compare, snapshot_app: RatingApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_items(pilot)
        await pilot.press("m")
        await pilot.pause()
        pilot.app.screen.query_one("#moment-text", TextArea).text = "She laughed with him."
        await pilot.press("escape")
        await pilot.pause()

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checks_dialog(snap_compare, snapshot_app: RatingApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_items(pilot, number="3")  # EC0417 session 3 is already rated by RP

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reason_dialog(snap_compare, snapshot_app: RatingApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        for key in ("enter", "e"):
            await to_next_screen(pilot, key)
        await pilot.press("3")  # a change (saved unchanged, no reason is asked)
        for key in ("r", "enter"):  # edit a final rating: why?
            await to_next_screen(pilot, key)
        await settle(pilot)

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


def test_below_the_smallest_size(snap_compare, snapshot_app: RatingApp) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)  # Home is the default screen: the notice is pushed over it

    assert snap_compare(snapshot_app, terminal_size=(50, 15), run_before=run_before)
