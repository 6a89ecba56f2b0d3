"""Shown over everything while the terminal is below the smallest size the app is laid out
for, instead of a screen whose keys and anchors are cut off."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 60, 20


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(ModalScreen[None]):
    """Closes itself once the terminal is large enough again; nothing underneath is lost."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen > Static { width: 100%; height: auto; text-align: center; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self._say(self.app.size.width, self.app.size.height)

    def on_resize(self, event: Resize) -> None:
        if not too_small(event.size.width, event.size.height):
            self.dismiss()
            return
        self._say(event.size.width, event.size.height)

    def _say(self, width: int, height: int) -> None:
        self.query_one(Static).update(
            f"This terminal is {width}x{height}; rating-tui needs at least "
            f"{MIN_WIDTH}x{MIN_HEIGHT} to show every anchor and key. Enlarge the window "
            "(or make the font smaller). Nothing is lost meanwhile; ctrl+q quits."
        )
