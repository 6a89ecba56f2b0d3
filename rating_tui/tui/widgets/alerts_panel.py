"""Home's list of dyads needing attention, by their instrument's [[alerts]] rules.

It is filled in by a thread after Home is shown: reading every rating of a large data folder
takes a moment, and the first frame must not wait for it. It stays hidden while reading and
when no dyad has a current alert; choosing a dyad opens its dyad view.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from rating_tui.services.caseload import CaseloadAlerts, DyadStatus
    from rating_tui.tui.app import RatingApp

SHOWN = 20
"""Dyads listed at most (the rest: `rating-tui alerts`)."""


class AlertsPanel(Vertical):
    """Dyads with current alerts, newest alert first."""

    DEFAULT_CSS = """
    AlertsPanel {
        height: auto;
        display: none;
    }
    AlertsPanel > OptionList {
        height: auto;
        max-height: 6;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.flagged: list[DyadStatus] = []
        """The dyads listed, once read."""

    def compose(self) -> ComposeResult:
        yield Label("Dyads needing attention", classes="section-title", id="alerts-title")
        yield OptionList(id="alerts-list")

    def reload(self) -> None:
        """Read the alerts again, in a thread (after a save, on resume)."""
        app = cast("RatingApp", self.app)
        if app.loaded and app.store is not None:
            self._read()

    @work(thread=True, exclusive=True, group="home-alerts")
    def _read(self) -> None:
        # Wait for the next frame (Home's lists) first: reading every rating holds the GIL,
        # and the lists must not wait for it.
        painted = threading.Event()
        self.app.call_from_thread(self.call_after_refresh, painted.set)
        painted.wait(timeout=2.0)  # bounded: the app may be closing
        from rating_tui.services.caseload import caseload_alerts

        app = cast("RatingApp", self.app)
        assert app.store is not None
        instruments = [li.instrument for li in app.catalogue.instruments]
        from rating_tui.store.crypto import FolderLockedError

        try:
            found = caseload_alerts(app.store, instruments, today=app.today(), full=False)
        except FolderLockedError:
            return  # the idle lock came mid-read: read again when Home is back (on resume)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: CaseloadAlerts) -> None:
        self.flagged = found.flagged[:SHOWN]
        listing = self.query_one("#alerts-list", OptionList)
        was = listing.highlighted
        kept = listing.get_option_at_index(was).id if was is not None else None
        listing.clear_options()
        listing.add_options(Option(_line(d), id=_key(d)) for d in self.flagged)
        if self.flagged and was is not None:  # read again: the cursor stays on its dyad
            keys = [_key(d) for d in self.flagged]
            listing.highlighted = keys.index(kept) if kept in keys else min(was, len(keys) - 1)
        more = len(found.flagged) - len(self.flagged)
        title = "Dyads needing attention" + (f" ({more} more: rating-tui alerts)" if more else "")
        lost = sum(found.tally.missing().values())
        if lost:  # alerts resting on part of the ratings say so
            title += f"; {lost:,} stored rating(s) not found: run rating-tui doctor"
        self.query_one("#alerts-title", Label).update(title)
        had_focus = listing.has_focus
        self.display = bool(self.flagged) or bool(lost)
        if had_focus and not self.flagged:  # nothing left to choose here: on to the ratings
            self.screen.focus_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        from rating_tui.tui.screens.dyad import DyadScreen

        chosen = next(
            (d for d in self.flagged if _key(d) == event.option_id),
            None,
        )
        if chosen is not None:
            self.app.push_screen(DyadScreen(chosen.trajectory.instrument, chosen.trajectory.dyad))


def _key(d: DyadStatus) -> str:
    return f"{d.trajectory.instrument.id}|{d.trajectory.dyad}"


def _line(d: DyadStatus) -> str:
    newest = max(d.alerts, key=lambda a: a.date)
    what = f"{newest.kind} {newest.item}" if newest.item else newest.kind
    more = f" (+{len(d.alerts) - 1})" if len(d.alerts) > 1 else ""
    return f"{d.trajectory.dyad:<8} {newest.date}  {what}{more}"
