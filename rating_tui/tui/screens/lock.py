"""The idle lock (issue 16): a whole screen over everything, so nothing of the data shows,
asking for the passphrase again. The screens under it, and what was being typed in them, stay
in memory as they were; the folder's key is forgotten until the passphrase is typed, so
nothing can be read or written meanwhile. Three wrong passphrases pause the field for a
minute, then three more tries; the app never gives up what was typed on its own."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label

TRIES = 3
PAUSE = 60.0
"""Seconds the field stays closed after `TRIES` wrong passphrases."""


class LockScreen(Screen[None]):
    """Dismissed once `unlock(passphrase)` returns (it raises `StoreError` when wrong)."""

    CSS_PATH = "lock.tcss"

    def __init__(self, folder: str, minutes: int, unlock: Callable[[str], None]) -> None:
        super().__init__()
        self.folder = folder
        self.minutes = minutes
        self.unlock = unlock
        self.failed = 0
        self.quit_warned = False

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Label("rating-tui is locked", id="lock-title")
            yield Label(
                f"Nothing was pressed for {self.minutes} minute{'s' * (self.minutes != 1)}. "
                f"The data folder {self.folder} is encrypted: type its passphrase to go on. "
                "What you were typing is kept, as it was.",
                id="lock-why",
                markup=False,
            )
            yield Input(placeholder="passphrase", password=True, id="passphrase")
            yield Label("", id="lock-error", markup=False)
            yield Label("Enter: unlock  ctrl+q: quit", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def _say(self, text: str) -> None:
        self.query_one("#lock-error", Label).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        secret = event.value
        event.input.value = ""
        if not secret:
            self._say("Type the folder's passphrase.")
            return
        event.input.disabled = True
        self._say("Unlocking…")
        self._try(secret)

    @work(thread=True, exclusive=True)
    def _try(self, secret: str) -> None:
        from rating_tui.store.errors import StoreError

        try:
            self.unlock(secret)
        except StoreError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, None)

    def _refused(self, why: str) -> None:
        self.failed += 1
        if self.failed >= TRIES:
            self._say(
                f"{TRIES} wrong passphrases. The app stays locked; what you were typing is kept "
                f"behind this screen (not saved: it cannot be without the passphrase). "
                f"{TRIES} more tries in {PAUSE:.0f} seconds."
            )
            self.set_timer(PAUSE, self.allow_again)
            return
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.focus()
        left = TRIES - self.failed
        self._say(f"{why} {left} tr{'y' if left == 1 else 'ies'} left.")

    def allow_again(self) -> None:
        """After the pause: `TRIES` more tries."""
        self.failed = 0
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.focus()
        self._say(f"Type the passphrase again ({TRIES} tries).")

    def confirm_quit(self) -> bool:
        """ctrl+q: the first press says what quitting loses; the second quits."""
        if self.quit_warned:
            return True
        self.quit_warned = True
        self._say(
            "Quit now? What you were typing and had not saved is lost: it cannot be saved "
            "without the passphrase. Press ctrl+q again to quit, or unlock first."
        )
        return False
