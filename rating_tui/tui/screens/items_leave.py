"""Where the items screen leads: a now moment, the review, the session step, and back Home,
each first settling a number typed and not yet entered. Split out of items.py, which holds
the keys and the saving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rating_tui.store.errors import StoreError

if TYPE_CHECKING:
    from rating_tui.tui.screens.items import ItemsScreen


def add_moment(screen: ItemsScreen) -> None:
    """m: a now moment added to the rating, by its dialog."""
    from rating_tui.tui.screens.dialogs import MomentDialog

    instrument = screen.session.instrument
    if not instrument.now_moments.enabled:
        screen.notify("This instrument has no now-moments log.", timeout=4)
        return

    def done(result: tuple[str, list[str]] | None) -> None:
        if result is not None:
            try:
                screen.session.add_moment(*result)
            except StoreError as exc:
                screen.refused(exc)
            screen.redraw()

    screen.app.push_screen(MomentDialog(instrument), done)


def open_review(screen: ItemsScreen) -> None:
    """r: the review; the item chosen there (if any) becomes the current one."""
    from rating_tui.tui.screens.review import ReviewScreen

    screen.settle_typed(screen.items[screen.current])

    def back(target: int | None) -> None:
        if target is not None:
            screen.current = target
        screen.redraw()

    screen.app.push_screen(ReviewScreen(screen.session), back)


def open_session(screen: ItemsScreen) -> None:
    """s: the session fields again, checked as on the first step."""
    from rating_tui.tui.flow import open_rating, session_checker
    from rating_tui.tui.screens.session_form import SessionFormScreen

    screen.settle_typed(screen.items[screen.current])
    app = screen.rating_app
    values = dict(screen.session.rating.session)
    editing = "Editing final rating" if screen.session.editing_final else "Draft"
    form = SessionFormScreen(
        screen.session.instrument,
        values,
        screen.session.set_session,
        app.store,
        checker=session_checker(app, screen.session.instrument, lambda: screen.session.rating),
        on_open=lambda rating_id: open_rating(app, rating_id),
        title=f"{editing}: session",
    )
    screen.app.push_screen(form, lambda _: screen.redraw())


def leave(screen: ItemsScreen) -> None:
    """Escape: back Home, saying what was kept (a final rating's changes asked about)."""
    screen.settle_typed(screen.items[screen.current])
    if screen.session.editing_final and screen.session.dirty and _edited(screen):
        from rating_tui.tui.screens.dialogs import ConfirmDialog

        def answer(discard: bool | None) -> None:
            if discard:
                screen.dismiss()

        screen.app.push_screen(
            ConfirmDialog("Discard the changes to this final rating?", "Discard"), answer
        )
        return
    if not screen.session.editing_final and screen.session.rating.answers:
        screen.notify("The draft is saved; resume it from Home.", timeout=4)
    elif not screen.session.editing_final:  # it was kept without a word
        screen.notify(
            "The draft is saved with its session and no answers yet; resume it from "
            "Home, or x there discards it.",
            timeout=6,
        )
    screen.dismiss()


def _edited(screen: ItemsScreen) -> bool:
    """Whether the final rating on screen differs from the stored one: a key that gave an item
    the answer it had (or changed it and back) is no change to discard, and asking "Discard the
    changes?" said there were some. When the stored one cannot be read, ask as before."""
    try:
        return screen.session.edited()
    except StoreError:
        return True
