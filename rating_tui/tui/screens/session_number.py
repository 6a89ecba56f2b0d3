"""The session number the form proposes for a dyad code, read off the UI thread.

Once the dyad code is valid the form fills in that dyad's next session number, unless the
rater typed one. The proposal is read by a worker (a second with 100,000 ratings), so it may
arrive after the rater has typed on: it never overwrites a number typed, is replaced when the
code changes, and a ctrl+n pressed while it is on its way goes on once it is in (the keys
typed meanwhile are held by the app's key gate, `holds_keys`, for the items).
"""

from __future__ import annotations

from textwrap import shorten

from textual import work
from textual.widgets import Input

from rating_tui.instruments.model import Instrument, SessionField
from rating_tui.ratings.model import Value
from rating_tui.ratings.value_checks import field_value_problem
from rating_tui.services.draft_session import suggest_session_number
from rating_tui.store.api import Store
from rating_tui.store.errors import StoreError
from rating_tui.tui.screens.base import AppScreen


def field_hint(f: SessionField) -> str:
    """What a field expects, in words: its pattern's rule, else its help, else the format."""
    return f.pattern_hint or f.help or {"date": "YYYY-MM-DD"}.get(f.type, "")


class NumberProposal(AppScreen[bool]):
    """The proposal's state and steps; the form (`SessionFormScreen`) reads its fields."""

    instrument: Instrument
    store: Store | None

    def _start_proposals(self, number_typed: bool) -> None:
        """The state of the proposal, before any code is typed (`number_typed`: the form
        starts with a session number, which is the rater's)."""
        self._number_typed = number_typed
        self._proposing: str | None = None
        """The dyad whose next session number a worker is reading (None: none pending)."""
        self._proposed: str | None = None
        """The number this form put in the field (a proposal, not typed): replaced when the
        code changes, so EC041's proposal never stays for EC0417."""
        self._own_values: list[str] = []
        """Values the form wrote into the number field whose Changed message is still to
        come: not typed by the rater, even with the cursor in the field."""
        self._next_when_proposed = False
        """ctrl+n was pressed while the number was pending: go on once it is in (the keys
        typed meanwhile are held by the app, `holds_keys`, and go to the items)."""

    def _value(self, f: SessionField) -> Value | None:
        raise NotImplementedError  # the form's reading of a field

    def _show_error(self, key: str, problem: str | None) -> None:
        raise NotImplementedError

    def action_next(self) -> None:
        raise NotImplementedError

    @property
    def holds_keys(self) -> bool:
        """While ctrl+n waits for the proposed number, keys typed are held for the screen
        that comes next (the items), not typed into the field that has the cursor."""
        return self._next_when_proposed

    def _waiting_to_go_on(self, waiting: bool) -> None:
        self._next_when_proposed = waiting
        if not waiting:
            self.rating_app.keys.release()  # the keys held go where the cursor is now

    def _suggest_number(self, dyad_field: SessionField) -> None:
        key = self.instrument.key_for("session_number")
        dyad = self._value(dyad_field)
        if key is None or self._number_typed or self.store is None:
            return
        self._drop_proposal(key)  # another code: the number proposed for the last one is not its
        if isinstance(dyad, str) and field_value_problem(dyad_field, dyad) is None:
            self._pending(dyad)
            self._suggest_for(dyad_field, dyad, key)
        else:
            self._pending(None)
            self._go_on_if_asked()  # ctrl+n waited for a number that will not come: say why

    def _drop_proposal(self, key: str) -> None:
        editor = self.query_one(f"#field-{key}", Input)
        if self._proposed is not None and editor.value == self._proposed:
            self._own_values.append("")
            editor.value = ""
        self._proposed = None

    @work(thread=True, exclusive=True, group="session-number")
    def _suggest_for(self, dyad_field: SessionField, dyad: str, key: str) -> None:
        """Read the dyad's last session number off the UI thread: with 100,000 ratings in
        the folder each read took a second, on every keystroke that made a valid code, and
        keys typed meanwhile landed in the dyad field."""
        assert self.store is not None
        try:
            number: int | str = suggest_session_number(self.store, self.instrument, dyad)
        except StoreError as exc:
            number = str(exc)
        self.app.call_from_thread(self._suggested, dyad_field, dyad, key, number)

    def _suggested(self, dyad_field: SessionField, dyad: str, key: str, number: int | str) -> None:
        """Fill in the proposed number (or say why there is none), unless the rater typed one
        or changed the dyad; then go on if ctrl+n was waiting for it."""
        if self._number_typed or self._value(dyad_field) != dyad or self._proposing != dyad:
            if self._proposing == dyad:  # typed meanwhile: the rater's number, not this one
                self._pending(None)
                self._go_on_if_asked()  # never keep a ctrl+n (and the keys held) waiting
            return
        editor = self.query_one(f"#field-{key}", Input)
        if editor.value.strip():  # typed, its Changed message not yet handled: never overwrite
            return
        self._pending(None)
        if isinstance(number, str):
            self._show_error(key, f"{dyad}'s sessions cannot be read ({number}): type the number")
            editor.focus()
            self._waiting_to_go_on(False)
            return
        self._own_values.append(str(number))
        editor.value = self._proposed = str(number)
        self._go_on_if_asked()

    def _pending(self, dyad: str | None) -> None:
        """Mark the session number as being found for `dyad` (its field says so while empty),
        or as no longer pending."""
        self._proposing = dyad
        key = self.instrument.key_for("session_number")
        if key is None:
            return
        f = next(f for f in self.instrument.fields if f.key == key)
        editor = self.query_one(f"#field-{key}", Input)
        if dyad is None:
            editor.placeholder = shorten(field_hint(f), 50, placeholder="…")
        else:
            editor.placeholder = f"finding {dyad}'s next session number…"

    def _go_on_if_asked(self) -> None:
        """Do what ctrl+n asked while the number was pending, now that it is not: go on, or
        mark what is wrong (never a promise to go on that is then dropped)."""
        if self._next_when_proposed:
            self._next_when_proposed = False
            self.action_next()
            self._waiting_to_go_on(False)

    def _awaited(self, f: SessionField) -> bool:
        """Whether `f` is the session number, still empty, with its proposal on the way."""
        return (
            f.role == "session_number"
            and self._proposing is not None
            and not (self.query_one(f"#field-{f.key}", Input).value.strip())
        )
