"""Home: drafts to resume, the most recent ratings, and the way to every action."""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Span, Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Header, Label, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from rating_tui.tui.app import Loaded, Previewed
from rating_tui.tui.home_cache import Line, Preview, line_of
from rating_tui.tui.screens.base import AppScreen
from rating_tui.tui.widgets.alerts_panel import AlertsPanel
from rating_tui.tui.widgets.footer import AppFooter

if TYPE_CHECKING:
    from rating_tui.ratings.model import Rating, Status

RECENT = 8
DRAFT_DAYS = 183
"""Home offers drafts of sessions from the last six months; older ones are in History. This
keeps the start fast with years of ratings stored (a month is read only when it may match)."""
DRAFTS: tuple[Status] = ("draft",)
DRAFTS_LISTED = 20
"""Drafts Home lists at most (the newest sessions'); it says so when there are more."""
KEEP_RETRY = 2.5
"""Seconds after a refresh whose files were too new to keep the preview by, to try again."""
KEEP_TRIES = 3


def text_of(line: Line) -> Text:
    """A kept line as shown."""
    return Text(line.plain, spans=[Span(start, end, style) for start, end, style in line.spans])


def _highlighted_id(listing: OptionList) -> str | None:
    """The id of the option under a list's cursor (None: nothing highlighted)."""
    if listing.highlighted is None or listing.highlighted >= listing.option_count:
        return None
    return listing.get_option_at_index(listing.highlighted).id


def _row_of(listing: OptionList, rating_id: str | None, row: int | None) -> int:
    """Where the cursor goes in a list filled again: on the same rating if it is still
    listed; else on the row it was on (the rating that took its place), or the first."""
    if rating_id is not None:
        with contextlib.suppress(OptionDoesNotExist):
            return listing.get_option_index(rating_id)
    return min(row or 0, listing.option_count - 1)


class HomeScreen(AppScreen[None]):
    """Where the app opens, and where every flow returns."""

    CSS_PATH = "home.tcss"
    SUB_TITLE = "Home"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_rating", "New rating", id="new_rating"),
        Binding("h", "history", "History", id="history"),
        Binding("i", "instruments", "Instruments", id="instruments"),
        Binding("e", "export", "Export", id="export"),
        Binding("r", "rate_next", "Next session", id="rate_next"),
        Binding("x", "discard_draft", "Discard empty draft", id="discard_draft", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._ratings: dict[str, Rating] = {}
        self._keep_tries = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(id="status")
            yield Label("Drafts to resume", classes="section-title", id="drafts-title")
            yield OptionList(id="drafts")
            yield AlertsPanel(id="alerts")
            yield Label("Recent ratings", classes="section-title", id="recent-title")
            yield OptionList(id="recent")
        yield AppFooter()

    def on_mount(self) -> None:
        self.refresh_lists()

    def on_screen_resume(self) -> None:
        self.refresh_lists()

    def on_loaded(self, _: Loaded) -> None:
        self.refresh_lists()

    def on_previewed(self, message: Previewed) -> None:
        self.refresh_lists()
        self.call_after_refresh(message.painted)

    def refresh_lists(self) -> None:
        """Re-read drafts and recent ratings (after a save, a void, a resume); while the
        data folder is still opening, the preview of them kept from last time, if any."""
        app = self.rating_app
        status = self.query_one("#status", Static)
        if not app.loaded:
            if app.preview is None:
                status.update("Opening the data folder…")
            else:
                self._show(app.preview)
            return
        cache = app.home_cache
        if app.store is None:
            self.query_one("#drafts", OptionList).clear_options()
            self.query_one("#recent", OptionList).clear_options()
            status.update(f"The data folder cannot be used: {app.store_problem}")
            status.add_class("error")
            if cache is not None:
                cache.forget()
            return
        status.remove_class("error")  # (an encrypted folder opened after its dialog)
        if cache is not None and app.store.encrypted:
            cache.forget()  # no rating data outside an encrypted folder
            cache = None
        key = cache.key(app.today()) if cache is not None else None  # before reading
        from rating_tui.store.crypto import FolderLockedError

        try:
            drafts, recent, preview = self._read_lists()
        except FolderLockedError:  # the idle lock came first (a refresh landing late): the
            return  # lists are read again when Home is back on top (on resume, once unlocked)
        self._ratings = {r.id: r for r in [*drafts, *recent]}
        self._show(preview, read=True)
        self.query_one(AlertsPanel).reload()  # by a thread, once these lists are on screen
        if key is not None:
            app.keep_home(key, preview)
        elif cache is not None:  # just saved: the files are too new to tell a change by
            self._keep_tries = KEEP_TRIES
            self.set_timer(KEEP_RETRY, self._keep_later, name="keep Home's lists")

    def _read_lists(self) -> tuple[list[Rating], list[Rating], Preview]:
        app = self.rating_app
        assert app.store is not None
        from rating_tui.store.tally import Tally
        from rating_tui.tui.format import rating_line

        recent_months = app.today() - timedelta(days=DRAFT_DAYS)
        tally = Tally()  # the manifest's counts: how many ratings the folder holds
        drafts = app.store.list(
            statuses=DRAFTS, date_from=recent_months, limit=DRAFTS_LISTED + 1, tally=tally
        )
        more = len(drafts) > DRAFTS_LISTED
        del drafts[DRAFTS_LISTED:]
        drafts.sort(key=lambda r: r.updated, reverse=True)
        recent = app.store.list(limit=RECENT)
        preview = Preview(
            tuple(line_of(r.id, rating_line(r, app.catalogue, app.store)) for r in drafts),
            tuple(line_of(r.id, rating_line(r, app.catalogue, app.store)) for r in recent),
            more,
            sum(tally.expected.values()) if tally.unchecked is None else None,
        )
        return drafts, recent, preview

    def _keep_later(self) -> None:
        """Keep the preview once the files saved a moment ago are old enough to be told
        apart from a later change: the lists are read again (not redrawn: the cursor stays)."""
        app = self.rating_app
        cache = app.home_cache
        if cache is None or app.store is None or app.store.encrypted or not self.is_current:
            return  # another screen is on top: Home keeps it when it comes back
        key = cache.key(app.today())
        if key is not None:
            app.keep_home(key, self._read_lists()[2])
        elif self._keep_tries > 1:  # changed again meanwhile (another process saving)
            self._keep_tries -= 1
            self.set_timer(KEEP_RETRY, self._keep_later, name="keep Home's lists")

    def _show(self, lists: Preview, read: bool = False) -> None:
        """Fill both lists and the status line, from the store (`read`) or from the preview
        shown before the store is read (kept from last time, or glanced at the files).

        Filled again (the full read landing after the preview, a refresh on coming back), the
        lists keep what the user had: each highlights the same rating while it is still listed
        (the row that took its place otherwise), and the focus stays where it was. Home takes
        the focus only when nothing on it has it, or the list that had it is now empty."""
        app = self.rating_app
        status = self.query_one("#status", Static)
        drafts_list = self.query_one("#drafts", OptionList)
        recent_list = self.query_one("#recent", OptionList)
        focused = self.focused
        for listing, shown in ((drafts_list, lists.drafts), (recent_list, lists.recent)):
            was = _highlighted_id(listing), listing.highlighted
            listing.clear_options()
            listing.add_options([Option(text_of(line), id=line.id) for line in shown])
            listing.display = bool(shown)
            if shown:
                listing.highlighted = _row_of(listing, *was)
        title = self.query_one("#drafts-title", Label)
        title.display = bool(lists.drafts)
        title.update(
            f"Drafts to resume: the {DRAFTS_LISTED} newest sessions' of more (History, h, "
            "lists them all with the status drafts)"
            if lists.more_drafts
            else "Drafts to resume"
        )
        self.query_one("#recent-title").display = bool(lists.recent)
        if app.temporary:  # `rating-tui demo`: "saved in" a folder about to be deleted
            status.update(
                f"A demo: ratings are saved in {app.data_dir}, a temporary folder deleted "
                "when the app closes, with every rating made or changed here."
            )
        elif not lists.drafts and not lists.recent:
            status.update(_nothing_listed(lists.held, read, app.data_dir))
        elif not os.access(app.data_dir, os.W_OK):  # read-only: "saved in" was untrue
            status.update(
                f"Ratings are read from {app.data_dir}, which cannot be written to: nothing "
                "can be saved there (a read-only folder?)"
            )
        else:
            status.update(f"Ratings are saved in {app.data_dir}")
        lost = focused is None or (focused in (drafts_list, recent_list) and not focused.display)
        if lost and (lists.drafts or lists.recent):
            (drafts_list if lists.drafts else recent_list).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        rating = self._ratings.get(event.option_id or "")
        if rating is None:
            return
        if rating.status == "draft":
            self._resume(rating)
        else:
            from rating_tui.tui.screens.rating_detail import RatingDetailScreen

            self.app.push_screen(RatingDetailScreen(rating))

    def _resume(self, rating: Rating) -> None:
        from rating_tui.tui.flow import resume_rating

        resume_rating(self.rating_app, rating)

    def action_new_rating(self) -> None:
        if not self.rating_app.loaded:
            return
        from rating_tui.tui.flow import start_rating

        start_rating(self.rating_app)

    def action_history(self) -> None:
        if not self.rating_app.loaded:
            return
        from rating_tui.tui.screens.history import HistoryScreen

        if self.rating_app.store is not None:
            self.app.push_screen(HistoryScreen())

    def action_instruments(self) -> None:
        if not self.rating_app.loaded:
            return
        from rating_tui.tui.screens.instruments import InstrumentsScreen

        self.app.push_screen(InstrumentsScreen(self.rating_app.catalogue))

    def action_export(self) -> None:
        if not self.rating_app.loaded:
            return
        from rating_tui.tui.screens.export import ExportScreen

        if self.rating_app.store is not None:
            self.app.push_screen(ExportScreen())

    def _highlighted(self) -> Rating | None:
        """The rating under the cursor of the list that has the focus."""
        listing = self.focused if isinstance(self.focused, OptionList) else None
        if listing is None or listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self._ratings.get(option.id or "")

    def action_rate_next(self) -> None:
        """Rate the next session of the highlighted rating's dyad: its code and next session
        number are filled in (a returning rater's common case, in few keys)."""
        from rating_tui.tui.flow import start_rating
        from rating_tui.tui.format import instrument_of, session_value

        rating = self._highlighted()
        if not self.rating_app.loaded or rating is None:
            self.notify("Highlight a rating of the dyad first (↑/↓), or press n.", timeout=4)
            return
        ins = instrument_of(self.rating_app.catalogue, rating, self.rating_app.store)
        start_rating(self.rating_app, session_value(rating, ins, "dyad") or None)

    def action_discard_draft(self) -> None:
        """Discard a draft with no answer yet (voided with a reason: nothing is deleted)."""
        from rating_tui.prefs import load_prefs
        from rating_tui.tui.screens.dialogs import ConfirmDialog

        app = self.rating_app
        rating = self._highlighted()
        if rating is None or rating.status != "draft" or app.store is None:
            self.notify("Highlight a draft under 'Drafts to resume' first.", timeout=4)
            return
        if rating.answers or rating.now_moments or rating.notes:
            self.notify(
                "This draft holds answers: resume it (Enter), or void it from History.",
                severity="warning",
                timeout=6,
            )
            return

        def answer(discard: bool | None) -> None:
            if not discard or app.store is None:
                return
            by = load_prefs(app.prefs_file).rater or rating.rater
            app.store.void(rating.id, by=by, reason="empty draft discarded from Home")
            self.notify("Discarded (kept as voided in History).", timeout=4)
            self.refresh_lists()

        self.app.push_screen(ConfirmDialog("Discard this empty draft?", "Discard"), answer)


def _nothing_listed(held: int | None, read: bool, data_dir: Path) -> str:
    """The status line when neither list has a line: "No ratings yet" only when the folder
    holds none (drafts older than six months and voided ratings are not listed here)."""
    if held is None and not read:  # a preview that does not know: the store will say
        return "Opening the data folder…"
    if held == 0:
        return (
            "No ratings yet.\nPress n to rate a session: you need the dyad's code and "
            f"a minute right after the visit. Ratings will be saved in {data_dir}"
        )
    count = "its ratings" if held is None else f"the {held} rating(s) it holds"
    return (
        "No draft from the last six months and no final rating to list here: press h for "
        f"History and choose the status all to see {count} (older drafts, voided ratings). "
        f"Press n to rate a session. Ratings are saved in {data_dir}"
    )
