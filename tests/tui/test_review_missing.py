"""Saving from the review with items still to rate names the first three and counts the rest
(it ended with "…", which said there were more but not how many)."""

from __future__ import annotations

from collections.abc import Callable

from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.review import ReviewScreen
from tests.tui.test_rating_flow import fill_session


async def test_the_items_still_to_rate_are_counted_past_the_three_named(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await pilot.press("n")
        await fill_session(pilot)
        await pilot.press("1", "2", "r")  # two of seven items rated
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("enter")
        await pilot.pause()
        [said] = [n.message for n in app._notifications if n.message.startswith("Not saved")]
    assert said.count("is required") == 3
    assert "; and 2 more. Press g to go to the first." in said
