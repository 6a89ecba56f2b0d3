"""Rating a session from the home screen to the saved rating, with the keyboard alone."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from rating_tui.ratings.model import Answered, Missing
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.review import ReviewScreen
from rating_tui.tui.screens.session_form import SessionFormScreen
from tests.tui.conftest import TODAY


async def fill_session(pilot, dyad: str = "EC0417", rater: str = "RP") -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, SessionFormScreen)
    screen.query_one("#field-dyad", Input).value = dyad
    screen.query_one("#field-rater", Input).value = rater
    await pilot.pause()  # the dyad's next session number is filled in as the code changes
    await pilot.press("ctrl+n")
    await pilot.pause()


async def test_seven_items_and_save_take_nine_keys(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        await fill_session(pilot)
        assert isinstance(app.screen, ItemsScreen)
        keys = ["3", "2", "4", "1", "0", "2", "3", "r", "enter"]
        await pilot.press(*keys)
        await pilot.pause()
        assert len(keys) == 9
        assert isinstance(app.screen, HomeScreen)
    [rating] = store.list()
    assert rating.status == "final"
    values = [
        rating.answers[i].value
        for i in (  # type: ignore[union-attr]
            "narration",
            "processing",
            "past_present",
            "modeling",
            "affective",
            "future",
            "reflective",
        )
    ]
    assert values == [3, 2, 4, 1, 0, 2, 3]
    assert rating.session["dyad"] == "EC0417"
    assert rating.session["session_date"] == TODAY.isoformat()
    assert rating.session["session_number"] == 1
    assert rating.rater == "RP"


async def test_not_observed_code_and_missing_items_block_saving(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        await fill_session(pilot)
        await pilot.press("n", "2")  # first item not observed, second rated 2
        await pilot.press("r", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)  # not saved: five required items missing
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        assert app.screen.current == 2
    [draft] = store.list(statuses=("draft",))
    assert draft.answers["narration"] == Missing(missing="not_observed")
    assert draft.answers["processing"] == Answered(value=2)
    assert store.list() == []
