"""The common case in few keys: a returning rater rates the next session of a dyad they
follow from Home, and the last item's digit goes straight to the review."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dialogs import ConfirmDialog
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.review import ReviewScreen
from tests.tui.conftest import TODAY
from tests.tui.test_flows import final_rating
from tests.tui.test_rating_flow import fill_session


async def test_next_session_of_a_known_dyad_in_ten_keys_from_home(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue, "EC0417", 1, "2026-03-01")
    (tmp_path / "prefs.json").write_text(json.dumps({"rater": "RP"}))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        keys = ["r", "ctrl+n", "3", "2", "4", "1", "0", "2", "3", "enter"]
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert len(keys) == 10  # the README counts them
    [_, second] = sorted(store.list(), key=lambda r: r.session["session_number"])  # type: ignore[arg-type, return-value]
    assert second.status == "final" and second.rater == "RP"
    assert second.session["dyad"] == "EC0417" and second.session["session_number"] == 2
    assert second.session["session_date"] == TODAY.isoformat()


async def test_the_last_digit_opens_the_review_only_when_nothing_is_missing(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        await fill_session(pilot)
        await pilot.press("k", "k", "k", "k", "k", "k", "k")  # to the top, then the last item
        await pilot.press("j", "j", "j", "j", "j", "j", "3")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)  # six items still to rate
        await pilot.press("k", "k", "k", "k", "k", "k", "1", "2", "3", "4", "0", "1")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)  # the sixth item's digit: item 7 next
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_an_empty_draft_is_discarded_from_home(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        await fill_session(pilot)  # a draft with session fields, no answer
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
    assert store.list(statuses=("draft",)) == []
    [voided] = store.list(statuses=("voided",))
    assert voided.void_reason == "empty draft discarded from Home"
