"""Home filled again keeps what the user had: the full read landing after the preview, or a
refresh on coming back to Home, highlights the same rating and leaves the focus where it was
(it used to put the cursor on the first row of the drafts and move the focus there, so Enter
opened another rating than the one the user was looking at)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.ratings.model import Rating
from rating_tui.store.api import Store
from rating_tui.tui import home_cache
from rating_tui.tui.app import Opened, RatingApp
from rating_tui.tui.home_cache import HomeCache
from rating_tui.tui.screens.dyad import DyadScreen
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.rating_detail import RatingDetailScreen
from rating_tui.tui.widgets.alerts_panel import AlertsPanel
from tests.conftest import BUILTIN_ID
from tests.tui.conftest import TODAY
from tests.tui.test_flows import final_rating
from tests.tui.test_home_preview import SOURCES


@pytest.fixture(autouse=True)
def _no_racy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test are seconds old: the racy guard is tested on its own."""
    monkeypatch.setattr(home_cache, "RACY_SECONDS", -60.0)
    monkeypatch.setattr(home_cache, "FINE_RACY_SECONDS", -60.0)


def _draft(store: Store, catalogue: Catalogue, dyad: str) -> Rating:
    instrument = catalogue.get(BUILTIN_ID).instrument
    rating = Rating.new(instrument, "RP").replace(
        session={"dyad": dyad, "session_date": "2026-03-10", "rater": "RP"}
    )
    return store.save_draft(rating, instrument)


def _ratings(store: Store, catalogue: Catalogue) -> list[Rating]:
    """One draft and four final ratings (Home lists the final ones newest first)."""
    _draft(store, catalogue, "EC0100")
    return [
        final_rating(store, catalogue, dyad=f"EC020{n}", when=f"2026-03-0{n}") for n in range(1, 5)
    ]


def _lists(app: RatingApp) -> tuple[OptionList, OptionList]:
    return app.screen.query_one("#drafts", OptionList), app.screen.query_one("#recent", OptionList)


def _under_cursor(listing: OptionList) -> str | None:
    assert listing.highlighted is not None
    return listing.get_option_at_index(listing.highlighted).id


async def _settled(app: RatingApp, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_refresh_keeps_the_focus_and_the_highlighted_rating(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    _ratings(store, catalogue)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await _settled(app, pilot)
        drafts, recent = _lists(app)
        assert app.screen.focused is drafts  # the first fill: drafts to resume come first
        recent.focus()
        recent.highlighted = 2
        chosen = _under_cursor(recent)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        screen.refresh_lists()  # what a save, a resume or the full read does
        await pilot.pause()
        assert app.screen.focused is recent
        assert _under_cursor(recent) == chosen
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingDetailScreen) and app.screen.rating.id == chosen


async def test_coming_back_from_a_rating_keeps_the_cursor_on_it(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    _ratings(store, catalogue)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await _settled(app, pilot)
        _, recent = _lists(app)
        await pilot.press("tab")  # from the drafts to the recent ratings
        assert app.screen.focused is recent
        await pilot.press("down", "down", "down")
        chosen = _under_cursor(recent)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingDetailScreen)
        await pilot.press("escape")
        await _settled(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.focused is _lists(app)[1]
        assert _under_cursor(_lists(app)[1]) == chosen


async def test_a_refresh_leaves_the_focus_on_the_alerts(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, number=1, when="2026-01-05", values=(3, 3, 3, 3, 3, 3, 3))
    final_rating(store, catalogue, number=2, when="2026-02-02", values=(1, 1, 1, 1, 1, 1, 1))
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await _settled(app, pilot)
        alerts = app.screen.query_one(AlertsPanel).query_one("#alerts-list", OptionList)
        assert alerts.option_count == 1
        alerts.focus()
        alerts.highlighted = 0
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        screen.refresh_lists()
        await _settled(app, pilot)
        assert app.screen.focused is alerts
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DyadScreen)


async def test_the_focus_moves_on_when_its_list_empties(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """Discarding the only draft hides its list: the recent ratings take the focus."""
    _ratings(store, catalogue)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await _settled(app, pilot)
        drafts, recent = _lists(app)
        assert app.screen.focused is drafts
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await _settled(app, pilot)
        assert not drafts.display and app.screen.focused is recent
        assert recent.highlighted == 0


async def test_the_full_read_after_the_preview_keeps_what_the_user_chose(
    store: Store, catalogue: Catalogue
) -> None:
    """The preview is on screen, the folder still opening (held by the test): the user clicks
    a recent rating; the full read then lands and the same rating stays under the cursor,
    the focus on its list."""
    _ratings(store, catalogue)
    cache = HomeCache.inside(store.data_dir, SOURCES)
    gate = threading.Event()

    def opener() -> Opened:
        gate.wait(timeout=10)
        return Opened(catalogue, store)

    app = RatingApp(data_dir=store.data_dir, opener=opener, today=lambda: TODAY, home_cache=cache)
    async with app.run_test(size=(100, 36)) as pilot:
        drafts, recent = _lists(app)
        for _ in range(100):  # the preview comes from the opener's thread
            await pilot.pause(0.02)
            if recent.option_count:
                break
        await pilot.pause()  # Home's own refresh on its first show
        assert not app.loaded and recent.option_count == 4
        assert app.screen.focused is drafts
        assert await pilot.click(recent, offset=(5, 2))  # the third line
        assert app.screen.focused is recent
        chosen = _under_cursor(recent)
        assert chosen != recent.get_option_at_index(0).id
        gate.set()
        await _settled(app, pilot)
        assert app.loaded
        assert app.screen.focused is recent
        assert _under_cursor(recent) == chosen
