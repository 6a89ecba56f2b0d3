"""A draft changed in another window meanwhile: the app says so in words, shows what the
rater typed, and reloads on request; nothing is overwritten (issue 10)."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Label

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.ratings.model import Answered, Rating
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dialogs import ConfirmDialog
from rating_tui.tui.screens.items import ItemsScreen
from tests.conftest import BUILTIN_ID
from tests.tui.test_flows import ITEMS, final_rating


async def test_a_draft_changed_elsewhere_is_shown_in_words_and_can_be_reloaded(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    instrument = catalogue.get(BUILTIN_ID).instrument
    base = final_rating(store, catalogue, when="2026-03-10")
    draft = Rating.new(instrument, "RP").replace(
        session=base.session, answers={k: Answered(value=1) for k in ITEMS[:3]}
    )
    draft = store.save_draft(draft, instrument)
    other_window = Store.open(store.data_dir)
    app = make_app()
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await pilot.press("enter")  # resume the draft
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        other_window.save_draft(draft.replace(notes="written in the other window"), instrument)
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        text = " ".join(str(label.content) for label in app.screen.query(Label))
        assert "was saved by RP at" in text and "modeling: 4" in text
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        await pilot.press("4")
        await pilot.pause()
    stored = store.get(draft.id)
    assert stored.notes == "written in the other window"  # theirs kept
    assert stored.answers["modeling"] == Answered(value=4)  # mine re-entered on their version


async def test_a_draft_opens_with_the_kept_instrument_when_its_file_is_gone(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    from rating_tui.instruments.catalogue import discover

    instrument = catalogue.get(BUILTIN_ID).instrument
    base = final_rating(store, catalogue, when="2026-03-10")
    draft = Rating.new(instrument, "RP").replace(session=base.session)
    draft = store.save_draft(draft, instrument)
    app = make_app(catalogue=discover([]))  # no instrument file found at all
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await pilot.press("enter")  # resume the draft
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        await pilot.press("3")
        await pilot.pause()
    assert store.get(draft.id).answers["narration"] == Answered(value=3)
