"""Small modal dialogs: choose an instrument, write text, log a now moment, give a reason,
confirm. Each returns its result through `dismiss` (None when cancelled with Escape)."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, SelectionList, TextArea
from textual.widgets.option_list import Option

from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import NowMoment
from rating_tui.tui.widgets.boxes import BoxList

CANCEL: list[BindingType] = [Binding("escape", "cancel", "Cancel")]
T = TypeVar("T")


class _Dialog(ModalScreen[T | None], Generic[T]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = CANCEL

    def action_cancel(self) -> None:
        self.dismiss(None)

    def close_asking_if(self, changed: bool) -> None:
        """Close without an answer; when something was written here (`changed`), only once
        the user confirms that it may be thrown away."""
        if not changed:
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Discard what you wrote?", "Discard"), answer)

    def too_long(self, text: str, limit: int, rest: str = "") -> bool:
        """Say so when `text` is over `limit`: what a clinician wrote is never cut."""
        if len(text) <= limit:
            return False
        self.notify(
            f"This text is {len(text):,} characters long; the instrument allows {limit:,}. "
            f"Shorten it{rest}.",
            title="Too long",
            severity="warning",
            timeout=8,
        )
        return True


class ChooseInstrument(_Dialog[Instrument]):
    """Pick the instrument for a new rating (the last one used is highlighted)."""

    def __init__(self, instruments: list[Instrument], last: str) -> None:
        super().__init__()
        self.instruments = instruments
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Rate with which instrument?", classes="dialog-title")
            yield OptionList(
                *[Option(f"{i.title} ({i.ref})", id=i.ref) for i in self.instruments],
                id="choices",
            )

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        refs = [i.ref for i in self.instruments]
        listing.highlighted = refs.index(self.last) if self.last in refs else 0
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(next(i for i in self.instruments if i.ref == event.option_id))


class TextDialog(_Dialog[str]):
    """Write or change the text answer of an item (ctrl+s keeps it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *CANCEL,
        Binding("ctrl+s", "keep", "Keep", priority=True),
    ]

    def __init__(self, title: str, text: str, multiline: bool, max_length: int) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.multiline = multiline
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.multiline:
                yield TextArea(self.text, id="text")
            else:
                # No max_length: Input would drop the characters past it silently;
                # `too_long` says so instead.
                yield Input(self.text, id="text")
            yield Label("ctrl+s keeps it · Escape cancels", classes="hint")

    def on_input_submitted(self) -> None:
        self.action_keep()

    def _typed(self) -> str:
        widget = self.query_one("#text")
        text = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        return str(text).strip()

    def action_keep(self) -> None:
        if not self.too_long(self._typed(), self.max_length):
            self.dismiss(self._typed())

    def action_cancel(self) -> None:
        """Escape asks before throwing away a changed answer, as the now-moment dialog does."""
        self.close_asking_if(self._typed() != self.text.strip())


class MomentDialog(_Dialog[tuple[str, list[str]]]):
    """Log (or edit) a now moment: a sentence or two, and the concepts it touched."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *CANCEL,
        Binding("ctrl+s", "keep", "Keep", priority=True),
        Binding("ctrl+d", "delete", "Remove", priority=True),
    ]

    def __init__(self, instrument: Instrument, moment: NowMoment | None = None) -> None:
        super().__init__()
        self.instrument = instrument
        self.moment = moment

    def compose(self) -> ComposeResult:
        labels = {i.key: i.label for i in self.instrument.items}
        tags = self.moment.tags if self.moment else []
        prompt = self.instrument.now_moments.prompt or "What happened, in a sentence or two?"
        hint = "ctrl+s keeps it · Escape cancels" + (" · ctrl+d removes it" if self.moment else "")
        with Vertical(classes="dialog"):
            # The keys first: at 80x24 the end of the dialog may be below the screen's edge.
            yield Label(f"Now moment  ({hint})", classes="dialog-title")
            yield Label(prompt, classes="hint", markup=False)
            yield TextArea(self.moment.text if self.moment else "", id="moment-text")
            yield Label("Which concepts did it touch? (space toggles)", classes="hint")
            yield BoxList[str](
                *[(labels[k], k, k in tags) for k in self.instrument.moment_tags], id="tags"
            )

    def on_mount(self) -> None:
        self.query_one("#moment-text", TextArea).focus()

    def action_cancel(self) -> None:
        """Escape asks before throwing away text written here, or concepts ticked or unticked
        (a change of tags alone was thrown away without a word)."""
        text = self.query_one("#moment-text", TextArea).text.strip()
        tags = set(self.query_one("#tags", SelectionList).selected)
        old_text, old_tags = (self.moment.text, self.moment.tags) if self.moment else ("", [])
        self.close_asking_if(text != old_text or tags != set(old_tags))

    def action_keep(self) -> None:
        text = self.query_one("#moment-text", TextArea).text.strip()
        if not text:
            self.notify("Write what happened first (or Escape to cancel).", severity="warning")
            return
        limit = self.instrument.now_moments.max_length
        if self.too_long(text, limit, ", or put the rest in the rating's notes"):
            return
        tags = list(self.query_one("#tags", SelectionList).selected)
        self.dismiss((text, tags))

    def action_delete(self) -> None:
        if self.moment is not None:
            self.dismiss(("", []))


class ReasonDialog(_Dialog[str]):
    """Ask why a final rating is edited or voided; the reason is kept in its history."""

    def __init__(self, question: str, action: str) -> None:
        super().__init__()
        self.question = question
        self.action_label = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            yield Input(placeholder="reason (kept in the rating's history)", id="reason")
            yield Label("", id="reason-error", classes="error")
            yield Button(self.action_label, variant="primary", id="confirm")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self) -> None:
        self._confirm()

    def on_button_pressed(self) -> None:
        self._confirm()

    def _confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#reason-error", Label).update("A reason is required.")
            return
        self.dismiss(reason)


class ConfirmDialog(_Dialog[bool]):
    """A yes/no question; Enter on the button or y confirms, Escape or n declines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *CANCEL,
        Binding("y", "yes", "Yes"),
        Binding("n", "cancel", "No"),
    ]

    def __init__(self, question: str, action: str) -> None:
        super().__init__()
        self.question = question
        self.action_label = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            yield Button(f"{self.action_label} (y)", variant="error", id="yes")
            yield Label("n or Escape: no", classes="hint")

    def on_button_pressed(self) -> None:
        self.action_yes()

    def action_yes(self) -> None:
        self.dismiss(True)
