"""The passphrase dialog of an encrypted data folder (issue 16): three tries, then a clear
message. The key is derived in a thread (scrypt takes a noticeable fraction of a second), and
neither the passphrase nor the key is kept by the dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from rating_tui.tui.screens.dialogs import _Dialog

if TYPE_CHECKING:
    from rating_tui.store import Store

TRIES = 3


class UnlockDialog(_Dialog["Store"]):
    """Ask for the passphrase; dismissed with the opened store, or None after `TRIES` wrong
    ones or Escape."""

    def __init__(self, folder: str, unlock: Callable[[str], Store]) -> None:
        super().__init__()
        self.folder = folder
        self.unlock = unlock
        self.failed = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"The data folder {self.folder} is encrypted.", classes="dialog-title", markup=False
            )
            yield Input(placeholder="passphrase", password=True, id="passphrase")
            yield Label("", id="unlock-error", classes="error", markup=False)
            yield Label("Enter: open  Escape: do not open", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        secret = event.value
        event.input.value = ""
        if not secret:
            self.query_one("#unlock-error", Label).update("Type the folder's passphrase.")
            return
        event.input.disabled = True
        self.query_one("#unlock-error", Label).update("Opening…")
        self._try(secret)

    @work(thread=True, exclusive=True)
    def _try(self, secret: str) -> None:
        from rating_tui.store import StoreError

        try:
            store = self.unlock(secret)
        except StoreError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, store)

    def _refused(self, why: str) -> None:
        self.failed += 1
        if self.failed >= TRIES:
            self.dismiss(None)
            return
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.focus()
        left = TRIES - self.failed
        self.query_one("#unlock-error", Label).update(
            f"{why} {left} tr{'y' if left == 1 else 'ies'} left."
        )
