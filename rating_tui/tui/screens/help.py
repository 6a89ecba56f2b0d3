"""Keys of the app, screen by screen (`?`)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("ctrl+q", "quit (drafts are already saved)"),
            ("?", "this help"),
            ("ctrl+p", "command palette"),
            ("ctrl+t", "light / dark theme"),
        ],
    ),
    (
        "Home",
        [
            ("n", "new rating"),
            ("h", "history"),
            ("i", "instruments"),
            ("e", "export"),
            ("r", "rate the next session of the highlighted rating's dyad"),
            ("x", "discard the highlighted draft when it holds no answer"),
            ("enter", "resume a draft / open a rating"),
        ],
    ),
    (
        "Session fields",
        [
            ("enter", "keep the value, next field"),
            ("tab", "next field"),
            ("ctrl+n", "go on to the items"),
            ("escape", "back"),
        ],
    ),
    (
        "Items",
        [
            ("0-9", "rate the current item and go to the next"),
            ("n / N", "first / second missing code (not observed...)"),
            ("j k ↑ ↓", "move"),
            ("← →", "step a numeric item"),
            ("enter", "next, or write text"),
            ("x / backspace", "clear"),
            ("m", "log a now moment"),
            ("a", "hide / show anchors"),
            ("pagedown / space / pageup", "scroll the anchors (at 80x24 a long item needs it)"),
            ("s", "session fields"),
            ("r", "review"),
            ("escape", "home (draft kept)"),
        ],
    ),
    (
        "Review",
        [
            ("enter / ctrl+s", "save"),
            ("g", "go to the first missing item"),
            ("m", "now moment"),
            ("o", "write notes"),
            ("escape", "back to the items"),
        ],
    ),
    (
        "History",
        [
            ("enter", "open"),
            ("/", "filters"),
            ("s", "date order"),
            ("c", "calibration: a trainee against a gold rater"),
            ("escape", "home"),
        ],
    ),
    (
        "A rating",
        [
            ("e", "edit (a reason is asked for a final rating)"),
            ("v", "void with a reason"),
            ("d", "the dyad's trajectory"),
            ("escape", "back"),
        ],
    ),
    (
        "A dyad's trajectory",
        [
            ("c / v", "charts on each item's fixed scale / the values by session"),
            ("r", "write the supervision report (HTML) to Documents/rating-tui reports"),
            ("h", "the dyad's ratings in History"),
            ("escape", "back"),
        ],
    ),
    (
        "Instruments",
        [
            ("j k ↑ ↓", "move"),
            ("escape", "back"),
        ],
    ),
    (
        "Export",
        [
            ("ctrl+e", "export"),
            ("escape", "home"),
        ],
    ),
    (
        "Calibration",
        [
            ("escape", "back"),
        ],
    ),
    (
        "Dialogs",
        [
            ("ctrl+s", "keep what was written"),
            ("ctrl+d", "remove the now moment being edited"),
            ("y / n", "answer a question"),
            ("o / c", "before storing a session: open the rating found / rate anyway"),
            ("escape", "cancel"),
        ],
    ),
]


class HelpScreen(ModalScreen[None]):
    """Every key, grouped by screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 95%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        table = Table(expand=True, show_edge=False, box=None)
        table.add_column("key", no_wrap=True, style="bold")
        table.add_column("does")
        for section, keys in KEYS:
            table.add_row(f"\n{section}", "", style="underline")
            for key, does in keys:
                table.add_row(key, does)
        with VerticalScroll():
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss()
