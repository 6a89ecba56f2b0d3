"""What the pre-store checks found (`ratings.checks`), before a rating's session is stored.

Errors cannot be confirmed: the rater opens the rating found or goes back to the form.
Warnings can: `c` rates anyway (a second rater of a session, a date that is right after all).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from rating_tui.ratings.checks import Finding
from rating_tui.tui.screens.dialogs import CANCEL, _Dialog


class ChecksDialog(_Dialog[str]):
    """Dismisses with "continue", "open:<rating id>", or None (back to the form)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *CANCEL,
        Binding("o", "open", "Open it"),
        Binding("c", "go_on", "Rate anyway"),
    ]

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__()
        self.findings = findings
        self.blocked = any(f.severity == "error" for f in findings)
        self.other = next((f.other for f in findings if f.other), None)

    def compose(self) -> ComposeResult:
        title = "Cannot store this session yet" if self.blocked else "Check before going on"
        with Vertical(classes="dialog", id="checks"):
            yield Label(title, classes="dialog-title")
            for finding in self.findings:
                text = Text(f"{finding.severity.capitalize()}: ", style="bold")
                text.append(finding.message[:1].upper() + finding.message[1:])
                yield Static(text, classes="finding")
            with Horizontal(classes="dialog-buttons"):
                if self.other:
                    yield Button("Open it (o)", id="open", compact=True)
                if not self.blocked:
                    yield Button("Rate anyway (c)", id="go-on", variant="warning", compact=True)
                yield Button("Back to the form (Esc)", id="back", compact=True)
            if self.blocked:
                yield Label(
                    "A second rater needs their own rater code; or change the session number.",
                    classes="hint",
                )

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"open": self.action_open, "go-on": self.action_go_on}.get(
            event.button.id or "", self.action_cancel
        )()

    def action_open(self) -> None:
        if self.other:
            self.dismiss(f"open:{self.other}")

    def action_go_on(self) -> None:
        if not self.blocked:
            self.dismiss("continue")
