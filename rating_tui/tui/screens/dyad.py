"""Dyad view: every concept's course across one dyad's sessions, on the instrument's fixed scale.

Two views of the same numbers: small multiples (one plotext chart per concept, all on the same
sessions and each on its item's whole scale) and a session x concept grid of values. Sessions
rated by several raters show the mean; a session where a concept has no value leaves a gap that
says why (n/o: a missing code, ·: not answered). The dyad's current alerts sit above both.
The ratings are read in a thread after the screen is shown, so a large data folder never holds
up the frame.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from rating_tui.instruments.model import Instrument
from rating_tui.services.alerts import Alert, current, evaluate
from rating_tui.services.trajectory import Trajectory, dated, dyad_trajectory
from rating_tui.store.tally import Tally
from rating_tui.tui.format import lost_line
from rating_tui.tui.screens.base import AppScreen


class DyadScreen(AppScreen[None]):
    """Trajectories of one dyad on one instrument (every version of its id)."""

    CSS_PATH = "dyad.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "show('course')", "Charts", id="dyad_charts"),
        Binding("v", "show('values')", "Values", id="dyad_values"),
        Binding("h", "history", "Ratings of this dyad", id="dyad_history"),
        Binding("r", "report", "Report (HTML)", id="dyad_report"),
        Binding("escape", "back", "Back", id="dyad_back"),
    ]

    def __init__(self, instrument: Instrument, dyad: str) -> None:
        super().__init__()
        self.instrument = instrument
        self.dyad = dyad
        self.trajectory: Trajectory | None = None
        """The dyad's course, once read (None while reading)."""
        self.alerts: list[Alert] = []
        """The dyad's current alerts, once read."""
        self.lost: str | None = None
        """What the read left out when the folder lost ratings (`lost_line`), or None."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Dyad {self.dyad}: reading its ratings…", id="dyad-head", markup=False)
        yield Static("", id="dyad-alerts", markup=False)
        with TabbedContent(id="dyad-tabs", initial="course"):
            with TabPane("Charts", id="course"):
                yield VerticalScroll(id="dyad-charts")
            with TabPane("Values", id="values"):
                yield DataTable(id="dyad-grid", zebra_stripes=True, cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Dyad {self.dyad}"
        self._read()

    @work(thread=True, exclusive=True, group="dyad")
    def _read(self) -> None:
        app = self.rating_app
        assert app.store is not None
        tally = Tally()
        trajectory = dyad_trajectory(app.store, self.instrument, self.dyad, tally=tally)
        alerts = current(evaluate(trajectory, today=app.today()))
        self.app.call_from_thread(self._show, trajectory, alerts, lost_line(tally))

    def _show(self, trajectory: Trajectory, alerts: list[Alert], lost: str | None = None) -> None:
        from rating_tui.tui.widgets.course_chart import CourseChart

        self.trajectory, self.alerts, self.lost = trajectory, alerts, lost
        heading = self._heading(trajectory)
        self.query_one("#dyad-head", Static).update(f"{heading}\n{lost}" if lost else heading)
        self.query_one("#dyad-alerts", Static).update(_alert_lines(alerts, trajectory))
        if trajectory.sessions:
            charts = self.query_one("#dyad-charts", VerticalScroll)
            charts.mount_all(
                CourseChart(line, trajectory.sessions, id=f"chart-{line.key}")
                for line in trajectory.lines
            )
        self._fill_grid(trajectory)

    def _heading(self, t: Trajectory) -> str:
        if not t.sessions:
            return f"Dyad {self.dyad}: no final ratings with {self.instrument.id} yet."
        first, last = t.sessions[0], t.sessions[-1]
        span = f"{first.label} {first.date} → {last.label} {last.date}"
        raters = (
            f"{t.shared_sessions} of {len(t.sessions)} by several raters: means"
            if t.several_raters
            else "one rater per session"
        )
        spacing = "spaced by date" if dated(t.sessions) else "in order (a date is unreadable)"
        return (
            f"{len(t.sessions)} session(s) {span} · {raters}\n"
            f"Whole scale · {spacing} · n/o: × not observed or n.a., ? no answer"
        )

    def _fill_grid(self, t: Trajectory) -> None:
        grid = self.query_one("#dyad-grid", DataTable)
        grid.clear(columns=True)
        grid.add_column("Session", key="session")
        grid.add_column("Date", key="date")
        for line in t.lines:
            grid.add_column(line.key, key=line.key)
        grid.add_column("Rater(s)", key="raters")
        for n in range(len(t.sessions) - 1, -1, -1):  # newest first
            s = t.sessions[n]
            cells = [line.cells[n].text for line in t.lines]
            grid.add_row(s.label, s.date, *cells, ", ".join(s.raters), key=str(n))

    def action_show(self, tab: str) -> None:
        self.query_one("#dyad-tabs", TabbedContent).active = tab

    def action_report(self) -> None:
        """Write the supervision report (as `rating-tui report --dyad`, without notes) to the
        user's documents folder, a private file."""
        from rating_tui.services.report_charts import charts_available

        if self.trajectory is None or not self.trajectory.sessions:
            self.notify("No sessions to report on yet.", severity="warning")
            return
        if not charts_available():
            self.notify(
                "The report needs pygal: pip install 'rating-tui[report]'", severity="error"
            )
            return
        self._write_report(self.trajectory)

    @work(thread=True, exclusive=True, group="dyad-report")
    def _write_report(self, trajectory: Trajectory) -> None:
        from pathlib import Path

        from rating_tui.outputs import atomic_write_text
        from rating_tui.services.report import dyad_report
        from rating_tui.services.trajectory import dyad_drafts

        app = self.rating_app
        assert app.store is not None
        today = app.today()
        alerts = evaluate(trajectory, today=today)
        drafts = dyad_drafts(app.store, self.instrument, self.dyad)
        import platformdirs

        folder = Path(platformdirs.user_documents_dir()) / "rating-tui reports"
        path = folder / f"report-{self.dyad}-{today.isoformat()}.html"
        try:
            replaced = path.is_file()  # said, as `rating-tui report` says it
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write_text(
                path,
                dyad_report(trajectory, alerts, today=today, notes=False, drafts=drafts),
                0o600,
            )
        except OSError as exc:
            message = f"The report was not written: {exc.strerror or exc}"
            self.app.call_from_thread(self.notify, message, severity="error")
            return
        # what the report leaves out is said, as the command says it: drafts, lost ratings
        left = f"; final ratings only, {drafts} draft(s) left out" if drafts else ""
        done = f"Report written (notes left out{left}): {path}"
        if replaced:
            done += " (it replaced the report written earlier today)"
        if self.lost:
            done += f"\n{self.lost}"
        self.app.call_from_thread(self.notify, done, title="Report")

    def action_history(self) -> None:
        from rating_tui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(dyad=self.dyad))


def _alert_lines(alerts: list[Alert], t: Trajectory) -> str:
    if not t.instrument.alerts:
        return f"{t.instrument.ref} defines no alert rules."
    if not alerts:
        return f"No alerts at the latest session ({len(t.instrument.alerts)} rule(s) checked)."
    lines = [f"⚠ {a.message}" for a in alerts[:4]]
    if len(alerts) > 4:
        lines.append(f"… and {len(alerts) - 4} more (rating-tui alerts --dyad {t.dyad})")
    return "\n".join(lines)
