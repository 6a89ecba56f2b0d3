"""Editing a final rating and saving it unchanged: nothing is saved, no reason is asked, and
the app says so (it asked "Why is this final rating changed?" and then said "Changes saved"
of a rating the store left as it was)."""

from __future__ import annotations

from collections.abc import Callable

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dialogs import ReasonDialog
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.rating_detail import RatingDetailScreen
from rating_tui.tui.screens.review import ReviewScreen
from tests.tui.test_flows import final_rating


async def test_saving_an_unchanged_edit_says_nothing_changed_and_asks_no_reason(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    original = final_rating(store, catalogue)
    app = make_app()
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await pilot.press("enter")  # the recent rating
        await pilot.pause()
        assert isinstance(app.screen, RatingDetailScreen)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        await pilot.press("3", "k")  # narration 1 -> 3, then back to it ...
        await pilot.press("1")  # ... and 3 -> 1 again: the same content as stored
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ReasonDialog)
        assert isinstance(app.screen, HomeScreen)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Nothing changed, so nothing was saved") for m in messages)
        assert not any("Changes saved" in m for m in messages)
    assert store.get(original.id) == original


async def test_leaving_an_unchanged_edit_asks_nothing_about_changes(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """Escape on an edit whose keys gave the answers already stored: no "Discard the changes
    to this final rating?" (there are none); a real change still asks."""
    from rating_tui.tui.screens.dialogs import ConfirmDialog

    original = final_rating(store, catalogue)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("enter", "e")  # the recent rating, edited
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        await pilot.press("1")  # narration was 1: the same answer
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert isinstance(app.screen, RatingDetailScreen)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("3", "escape")  # a real change: asked about
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
    assert store.get(original.id).content() == original.content()
