"""The app object: built from injected parts (catalogue, data folder) by the CLI and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.tui.screens.instruments import InstrumentsScreen


class RatingApp(App[None]):
    """rating-tui's terminal app."""

    TITLE = "rating-tui"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit"),
        Binding("q", "quit", "Quit", show=False, id="quit_q"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="theme"),
    ]

    def __init__(self, catalogue: Catalogue, data_dir: Path) -> None:
        super().__init__()
        self.catalogue = catalogue
        """The instruments found at start, and the files that could not be used."""
        self.data_dir = data_dir
        """Where ratings are kept (used once the store lands)."""

    def on_mount(self) -> None:
        self.push_screen(InstrumentsScreen(self.catalogue))

    def action_toggle_theme(self) -> None:
        """Switch between the light and dark built-in themes."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
