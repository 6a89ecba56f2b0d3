"""Calibration view: a trainee's ratings next to a gold-standard rater's, item by item.

For a supervisor going over them with the trainee: on the sessions both rated, the bias (the
trainee minus the gold rater), the mean absolute difference, the share of exact and of
within-one-point agreement, and a verdict in words ("diverges most: rates higher than RP"),
so that nothing is said by colour alone. The same figures as `rating-tui calibrate`, from the
same functions, the final ratings read by the same reader (`analysis.stored.collect_folder`:
a few bytes per rating while a month is sorted); in a worker thread, so that a large store
does not freeze the app.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Select, Static

from rating_tui.analysis.calibration import RaterCalibration, calibrate
from rating_tui.analysis.pairing import Collected, SessionTable
from rating_tui.analysis.report import number, percent, signed
from rating_tui.analysis.stored import collect_folder
from rating_tui.export.select import Instruments
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import InstrumentRef
from rating_tui.safetext import escape
from rating_tui.store.tally import Tally
from rating_tui.tui.format import lost_line
from rating_tui.tui.screens.base import AppScreen

COLUMNS = ("Item", "Verdict", "Sessions", "Bias", "Abs diff", "Exact", "Within 1")
ITEM_WIDTH = 24
"""Longer item labels are cut short so that the verdict stays on screen at 100 columns."""


class CalibrationScreen(AppScreen[None]):
    """Choose a gold rater and a trainee among the raters found; see where they differ."""

    CSS_PATH = "calibration.tcss"
    SUB_TITLE = "Calibration against a gold rater"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="calibration_back"),
    ]

    def __init__(self, gold: str = "", trainee: str = "") -> None:
        super().__init__()
        self._wanted = (gold, trainee)
        """Raters to preselect once the ratings are read (e.g. from the history)."""
        self._tables: dict[str, SessionTable] = {}
        self._left_out = ""
        """What the figures leave out, said under the status line (`left_out`)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="cal-choices"):
            yield Select[str]([], prompt="instrument", id="cal-instrument", compact=True)
            yield Select[str]([], prompt="gold rater", id="cal-gold", compact=True)
            yield Select[str]([], prompt="trainee", id="cal-trainee", compact=True)
        yield Static("Reading the final ratings…", id="cal-status", markup=False)
        yield DataTable(id="cal-items", cursor_type="row", zebra_stripes=True)
        yield Static(id="cal-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#cal-items", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name, width=ITEM_WIDTH if name == "Item" else None)
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        store = self.rating_app.store
        if store is None:
            self.app.call_from_thread(self._status, "No data folder is open: nothing to compare.")
            return
        known = Instruments(li.instrument for li in self.rating_app.catalogue.instruments)
        known.add_kept(store.stored_instruments())  # as `calibrate`: for lost or edited files

        def instrument_of(instrument_id: str, version: str, hash_: str) -> Instrument | None:
            return known.find(InstrumentRef(id=instrument_id, version=version, hash=hash_))

        tally = Tally()
        found = collect_folder(  # as `rating-tui calibrate` reads one folder
            lambda read: store.iter_records(read, read_in_file_order=True, tally=tally),
            instrument_of,
        )
        self.app.call_from_thread(self._loaded, found, left_out(found, tally))

    def _loaded(self, found: Collected, left: str = "") -> None:
        self._left_out = left
        self._tables = {k: t for k, t in found.tables.items() if len(t.raters) >= 2}
        if not self._tables:
            self._status("Calibration needs final ratings of one session by two raters or more.")
            return
        ids = sorted(self._tables, key=lambda k: -self._tables[k].rows)
        select = self.query_one("#cal-instrument", Select)
        select.set_options([(i, i) for i in ids])
        select.value = ids[0]
        self._raters()

    @on(Select.Changed, "#cal-instrument")
    def _raters(self) -> None:
        table = self._table()
        if table is None:
            return
        raters = sorted(table.raters)
        for wid, wanted in zip(("#cal-gold", "#cal-trainee"), self._wanted, strict=True):
            select = self.query_one(wid, Select)
            select.set_options([(r, r) for r in raters])
            if wanted in raters:
                select.value = wanted
        self._show()

    def _table(self) -> SessionTable | None:
        chosen = self.query_one("#cal-instrument", Select).value
        return self._tables.get(chosen) if isinstance(chosen, str) else None

    @on(Select.Changed, "#cal-gold")
    @on(Select.Changed, "#cal-trainee")
    def _show(self) -> None:
        grid = self.query_one("#cal-items", DataTable)
        grid.clear()
        self.query_one("#cal-summary", Static).update("")
        gold = self.query_one("#cal-gold", Select).value
        trainee = self.query_one("#cal-trainee", Select).value
        table = self._table()
        if table is None or not isinstance(gold, str) or not isinstance(trainee, str):
            self._status("Choose the gold rater and the trainee.")
            return
        if gold == trainee:
            self._status("Choose two different raters.")
            return
        result = calibrate(table, gold, [trainee])[0]
        self._status(
            f"{trainee} against {gold} on {table.instrument_id}: {result.coverage}. Bias is "
            "the trainee minus the gold rater; within 1 means at most one scale point apart."
        )
        self._fill(grid, result)

    def _fill(self, grid: DataTable[Text], result: RaterCalibration) -> None:
        for item in result.items:
            label = item.item.label
            cells = (
                label if len(label) <= ITEM_WIDTH else label[: ITEM_WIDTH - 1] + "…",
                result.note(item),
                str(item.sessions),
                signed(item.bias),
                number(item.mad, 2),
                percent(item.exact),
                percent(item.within_one),
            )
            aligned = [
                Text(escape(c), justify="left" if n < 2 else "right") for n, c in enumerate(cells)
            ]
            grid.add_row(*aligned, key=item.item.key)
        summary = result.verdict(lambda item: item.label)
        self.query_one("#cal-summary", Static).update(summary)

    def _status(self, text: str) -> None:
        """The status line, and under it what the figures leave out (`left_out`)."""
        left = self._left_out
        self.query_one("#cal-status", Static).update(f"{text}\n{left}" if left else text)


def left_out(found: Collected, tally: Tally) -> str:
    """What the figures do not rest on, with counts: ratings the folder lost, ratings of an
    instrument version found nowhere, ratings with no session to pair them in, a rater's
    earlier rating of a session rated again ("" for none).
    They were left out without a word, the figures shown as if from every rating."""
    lines = []
    lost = lost_line(tally)
    if lost:
        lines.append(lost)
    if found.unknown:
        lines.append(
            f"{found.unknown:,} final rating(s) left out: their instrument version is in no "
            "instruments folder and not kept in the data folder (rating-tui doctor)."
        )
    if found.unkeyed:
        lines.append(
            f"{found.unkeyed:,} final rating(s) left out: no dyad, date or session number "
            "to pair them by."
        )
    replaced = sum(t.replaced for t in found.tables.values())
    if replaced:
        lines.append(
            f"{replaced:,} earlier final rating(s) of a session by the same rater set aside: "
            "the newest counts."
        )
    return "\n".join(lines)
