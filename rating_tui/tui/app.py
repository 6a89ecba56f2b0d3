"""The app object, built from injected parts (store, catalogue, clock) by the CLI and the tests.

Screens are pushed, not switched: home is the base, and each flow (rating, history,
instruments) returns to it when done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.commands import RatingCommands


class RatingApp(App[None]):
    """rating-tui's terminal app."""

    TITLE = "rating-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {RatingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="theme"),
    ]

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        store: Store | None,
        data_dir: Path,
        today: Callable[[], date] = date.today,
        store_problem: str | None = None,
        prefs_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.catalogue = catalogue
        """The instruments found at start, and the files that could not be used."""
        self.store = store
        """Where ratings are saved; None when the data folder could not be opened."""
        self.data_dir = data_dir
        self.today = today
        """The clock for default session dates (fixed in snapshot tests)."""
        self.store_problem = store_problem
        """Why the store could not be opened, shown on the home screen instead of crashing."""
        self.prefs_file = prefs_file
        """Where the last rater and instrument are remembered (None: not remembered)."""

    def on_mount(self) -> None:
        from rating_tui.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())

    def action_toggle_theme(self) -> None:
        """Switch between the light and dark built-in themes."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        from rating_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
