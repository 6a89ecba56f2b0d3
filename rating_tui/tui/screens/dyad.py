"""Dyad view: each concept's course across one dyad's sessions, as a sparkline with numbers.

Sessions rated by several raters show the mean of their values; missing codes and unanswered
items leave a gap in the numbers and are skipped by the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Sparkline, Static

from rating_tui.instruments.model import Instrument
from rating_tui.safetext import escape
from rating_tui.services.trajectory import Trajectory, dyad_trajectory

if TYPE_CHECKING:
    from rating_tui.tui.app import RatingApp


class DyadScreen(Screen[None]):
    """Trajectories of one dyad on one instrument (all its versions with the same items)."""

    CSS_PATH = "dyad.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "history", "Ratings of this dyad", id="dyad_history"),
        Binding("escape", "back", "Back", id="dyad_back"),
    ]

    def __init__(self, instrument: Instrument, dyad: str) -> None:
        super().__init__()
        self.instrument = instrument
        self.dyad = dyad

    def compose(self) -> ComposeResult:
        app = cast("RatingApp", self.app)
        assert app.store is not None
        trajectory = dyad_trajectory(app.store, self.instrument, self.dyad)
        yield Header()
        with VerticalScroll(id="dyad"):
            yield Static(self._heading(trajectory), id="dyad-head")
            for line in trajectory.lines:
                with Horizontal(classes="trajectory"):
                    yield Label(line.label, classes="trajectory-label", markup=False)
                    yield Sparkline(
                        [v for v in line.values if v is not None] or [0],
                        classes="trajectory-line",
                    )
                    yield Label(line.numbers(), classes="trajectory-values", markup=False)
        yield Footer()

    def _heading(self, trajectory: Trajectory) -> str:
        if not trajectory.sessions:
            return f"Dyad {escape(self.dyad)}: no final ratings with {self.instrument.id} yet."
        first, last = trajectory.sessions[0], trajectory.sessions[-1]
        return (
            f"Dyad {escape(self.dyad)} · {len(trajectory.sessions)} session(s) "
            f"from {first} to {last} · {trajectory.scale_note}"
        )

    def on_mount(self) -> None:
        self.sub_title = f"Dyad {escape(self.dyad)}"

    def action_history(self) -> None:
        from rating_tui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(dyad=self.dyad))

    def action_back(self) -> None:
        self.dismiss()
