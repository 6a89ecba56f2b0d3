"""A digit key of another script rates as its digit: the session form reads ٤٥ as 45 and ١٢
as 12, but on the items ٣ (an Arabic keyboard's 3) was "not a point of this scale"."""

from __future__ import annotations

from collections.abc import Callable

from rating_tui.ratings.model import Answered
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.items import ItemsScreen
from tests.tui.test_flows import ITEMS
from tests.tui.test_rating_flow import fill_session


async def test_arabic_indic_and_full_width_digits_rate_as_their_digits(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        await fill_session(pilot)
        assert isinstance(app.screen, ItemsScreen)
        await pilot.press("٣", "２", "²")  # Arabic-Indic 3, full-width 2, superscript 2
        await pilot.pause()
    [draft] = store.list(statuses=("draft",))
    assert [draft.answers.get(k) for k in ITEMS[:3]] == [
        Answered(value=3),
        Answered(value=2),
        None,  # a superscript is no digit to type: refused in words, as before
    ]
