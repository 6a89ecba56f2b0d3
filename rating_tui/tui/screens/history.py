"""History: every rating in a table, filtered by dyad, rater, dates, instrument and status."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from rating_tui.ratings.dates import parse_day
from rating_tui.ratings.model import STATUSES, Rating, Status
from rating_tui.safetext import escape
from rating_tui.store.tally import Tally
from rating_tui.tui.format import instrument_of, lost_line, progress, session_value
from rating_tui.tui.screens.base import AppScreen
from rating_tui.tui.widgets.footer import AppFooter

LIMIT = 1000
STATUS_CHOICES: list[tuple[str, tuple[Status, ...]]] = [
    ("final", ("final",)),
    ("drafts", ("draft",)),
    ("voided", ("voided",)),
    ("all", STATUSES),
]


class HistoryScreen(AppScreen[None]):
    """A table of ratings; Enter opens one, s flips the date order."""

    CSS_PATH = "history.tcss"
    SUB_TITLE = "History"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "flip_order", "Sort by date", id="sort"),
        Binding("slash", "filters", "Filter", id="filter"),
        Binding("c", "calibration", "Calibration", id="calibration"),
        Binding("escape", "back", "Home", id="history_back"),
    ]

    def __init__(self, dyad: str = "") -> None:
        super().__init__()
        self.newest_first = True
        self._dyad = dyad
        self._ratings: dict[str, Rating] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(self._dyad, placeholder="dyad", id="f-dyad", compact=True)
            yield Input(placeholder="rater", id="f-rater", compact=True)
            yield Input(placeholder="from YYYY-MM-DD", id="f-from", compact=True)
            yield Input(placeholder="to YYYY-MM-DD", id="f-to", compact=True)
            instruments = sorted({li.instrument.id for li in self.rating_app.catalogue.instruments})
            yield Select(
                [(i, i) for i in instruments], prompt="instrument", id="f-instrument", compact=True
            )
            yield Select(
                [(label, n) for n, (label, _) in enumerate(STATUS_CHOICES)],
                value=0,
                allow_blank=False,
                id="f-status",
                compact=True,
            )
        yield Static(id="history-status", classes="hint")
        yield DataTable(id="ratings", cursor_type="row", zebra_stripes=True)
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in [
            ("date", "date"),
            ("dyad", "dyad"),
            ("#", "number"),
            ("rater", "rater"),
            ("instrument", "instrument"),
            ("status", "status"),
            ("done", "done"),
        ]:
            table.add_column(label, key=key)
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def _filters(self) -> dict[str, object] | str:
        def text(wid: str) -> str:
            return self.query_one(wid, Input).value.strip()

        bounds: dict[str, date | None] = {}
        for wid, name in (("#f-from", "date_from"), ("#f-to", "date_to")):
            value = text(wid)
            day = parse_day(value) if value else None
            if isinstance(day, str):
                return f"{name.removeprefix('date_')} {day}"
            bounds[name] = day
        first, last = bounds["date_from"], bounds["date_to"]
        if first is not None and last is not None and first > last:  # it listed 0 ratings
            return f"from {first} is after to {last}: no day is in between"
        instrument = self.query_one("#f-instrument", Select).value
        status = self.query_one("#f-status", Select).value
        return {
            "instrument": None if instrument is Select.NULL else instrument,
            "statuses": STATUS_CHOICES[status if isinstance(status, int) else 0][1],
            **bounds,
        }

    def reload(self) -> None:
        """Query the store with the filters and refill the table."""
        store = self.rating_app.store
        status = self.query_one("#history-status", Static)
        filters = self._filters()
        if store is None:
            return
        if isinstance(filters, str):  # the rows stay those of the filters before it
            status.update(f"{filters}; the list below is as it was before")
            return
        dyad = self.query_one("#f-dyad", Input).value.strip().casefold()
        rater = self.query_one("#f-rater", Input).value.strip().casefold()
        catalogue = self.rating_app.catalogue
        # Part of a dyad code matches (0417 finds EC0417), and rater codes match whatever
        # their case: so the store is read without those two filters and the rows are picked
        # here, up to the limit.
        ratings = []
        tally = Tally()
        listed = store.list(limit=None if dyad or rater else LIMIT, tally=tally, **filters)  # type: ignore[arg-type]
        for r in listed:
            ins = instrument_of(catalogue, r, store)
            if dyad and dyad not in session_value(r, ins, "dyad").casefold():
                continue
            if rater and rater != r.rater.casefold():
                continue
            ratings.append(r)
            if len(ratings) == LIMIT:
                break
        if not self.newest_first:
            ratings.reverse()
        self._ratings = {r.id: r for r in ratings}
        table = self.query_one(DataTable)
        kept = self._cursor_key(table)
        table.clear()
        for r in ratings:
            ins = instrument_of(catalogue, r, store)
            done, total = progress(r, ins)
            table.add_row(
                escape(session_value(r, ins, "session_date")),
                escape(session_value(r, ins, "dyad")),
                escape(session_value(r, ins, "session_number")),
                escape(r.rater),
                r.instrument.ref,
                r.status,
                f"{done}/{total}",
                key=r.id,
            )
        if kept in self._ratings:  # back from a rating: the cursor stays on it
            table.move_cursor(row=table.get_row_index(kept), animate=False)
        more = " (the first 1000; narrow the filters)" if len(ratings) == LIMIT else ""
        order = "newest" if self.newest_first else "oldest"
        said = f"{len(ratings)} rating(s), {order} first{more}" + self._look_alike()
        lost = lost_line(tally)
        status.update(f"{said}\n{lost}" if lost else said)

    def _look_alike(self) -> str:
        """A note when the dyad or rater typed has full-width or other look-alike characters
        (ＥＣ０４１７ from an East Asian input method): they are matched as they are, so the
        list said "0 rating(s)" as if the dyad had none."""
        notes = []
        for wid, role in (("#f-dyad", "dyad"), ("#f-rater", "rater")):
            typed = self.query_one(wid, Input).value.strip()
            plain = unicodedata.normalize("NFKC", typed)
            if plain != typed:
                notes.append(
                    f"\nthe {role} {typed!r} has full-width or other look-alike characters, "
                    f"matched as they are: did you mean {plain}?"
                )
        return "".join(notes)

    @staticmethod
    def _cursor_key(table: DataTable[object]) -> str | None:
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    @on(Input.Changed)
    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from rating_tui.tui.screens.rating_detail import RatingDetailScreen

        rating = self._ratings.get(str(event.row_key.value))
        if rating is not None:
            self.app.push_screen(RatingDetailScreen(rating))

    def action_flip_order(self) -> None:
        self.newest_first = not self.newest_first
        self.reload()

    def action_filters(self) -> None:
        self.query_one("#f-dyad", Input).focus()

    def action_back(self) -> None:
        if not self.query_one(DataTable).has_focus:
            self.query_one(DataTable).focus()
            return
        self.dismiss()

    def action_calibration(self) -> None:
        """A trainee's ratings against a gold rater's; the rater filter is the trainee."""
        from rating_tui.tui.screens.calibration import CalibrationScreen

        trainee = self.query_one("#f-rater", Input).value.strip()
        self.app.push_screen(CalibrationScreen(trainee=trainee))
