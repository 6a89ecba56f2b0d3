"""Step 1: the session fields, each validated in words at the field, defaults kept with Enter.

The dyad code completes from dyads already rated and, once valid, fills in the dyad's next
session number (unless the rater typed one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from textwrap import shorten
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Label, Select, SelectionList, Static

from rating_tui.instruments.model import Instrument, SessionField
from rating_tui.ratings.entry import parse_field_text
from rating_tui.ratings.model import Value
from rating_tui.ratings.validate import RatingProblem, field_value_problem
from rating_tui.services.draft_session import known_dyads, suggest_session_number
from rating_tui.store.api import Store
from rating_tui.store.errors import StoreError

Submit = Callable[[dict[str, Value | None]], list[RatingProblem]]


class SessionFormScreen(Screen[bool]):
    """Dismisses with True once the values are valid and saved by `submit`."""

    CSS_PATH = "session_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next: items", id="form_next", priority=True),
        Binding("escape", "cancel", "Back", id="form_back"),
    ]

    def __init__(
        self,
        instrument: Instrument,
        values: Mapping[str, Value | None],
        submit: Submit,
        store: Store | None,
    ) -> None:
        super().__init__()
        self.instrument = instrument
        self.values = dict(values)
        """The values the form starts with (defaults, remembered rater, a draft's values)."""
        self.submit = submit
        self.store = store
        self._number_typed = values.get(self.instrument.key_for("session_number") or "") is not None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(
                f"{self.instrument.title} — session. Enter keeps a value and moves on; "
                "ctrl+n goes to the items.",
                classes="hint",
            )
            for f in self.instrument.fields:
                with Horizontal(classes="row"):
                    label = f.label + ("" if f.required else " (optional)")
                    yield Label(label, classes="field-label")
                    yield self._editor(f)
                yield Label("", id=f"error-{f.key}", classes="error field-error")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "New rating: session"
        first_empty = next(
            (f for f in self.instrument.fields if self.values.get(f.key) in (None, "", [])), None
        )
        target = first_empty or self.instrument.fields[0]
        self.query_one(f"#field-{target.key}").focus()

    def _editor(self, f: SessionField) -> Widget:
        value = self.values.get(f.key)
        wid = f"field-{f.key}"
        if f.type == "single_choice":
            options = [(c.label, c.code) for c in f.choices]
            initial = value if isinstance(value, int | str) else Select.NULL
            return Select(options, value=initial, id=wid, compact=True, allow_blank=not f.required)
        if f.type == "multiple_choice":
            chosen = value if isinstance(value, list) else []
            items = [(c.label, c.code, c.code in chosen) for c in f.choices]
            return SelectionList[int | str](*items, id=wid, compact=True)
        suggester = None
        if f.role == "dyad" and self.store is not None:
            suggester = SuggestFromList(known_dyads(self.store, self.instrument))
        placeholder = f.pattern_hint or f.help or {"date": "YYYY-MM-DD"}.get(f.type, "")
        return Input(
            "" if value is None else str(value),
            placeholder=shorten(placeholder, 50, placeholder="…"),  # fits at 80 columns
            id=wid,
            compact=True,
            suggester=suggester,
            type="integer" if f.type == "integer" else "number" if f.type == "number" else "text",
        )

    # --- reading values ----------------------------------------------------------------------

    def _value(self, f: SessionField) -> Value | None:
        widget = self.query_one(f"#field-{f.key}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value  # type: ignore[return-value]
        if isinstance(widget, SelectionList):
            return list(widget.selected) or None
        assert isinstance(widget, Input)
        return parse_field_text(f, widget.value)

    def _check(self, f: SessionField) -> str | None:
        value = self._value(f)
        problem = None
        if value is None:
            problem = f"{f.label} is required" if f.required else None
        else:
            problem = field_value_problem(f, value)
        self._show_error(f.key, problem)
        return problem

    def _show_error(self, key: str, problem: str | None) -> None:
        label = self.query_one(f"#error-{key}", Label)
        label.update(problem or "")
        label.display = problem is not None

    def _field(self, widget_id: str | None) -> SessionField | None:
        key = (widget_id or "").removeprefix("field-")
        return next((f for f in self.instrument.fields if f.key == key), None)

    # --- events ------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        f = self._field(event.input.id)
        if f is not None and self._check(f) is None:
            if f is self.instrument.fields[-1]:
                self.action_next()
            else:
                self.focus_next()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        f = self._field(event.input.id)
        if f is None:
            return
        if f.role == "session_number" and event.input.has_focus:
            self._number_typed = True
        if f.role == "dyad":
            self._suggest_number(f)
        self._show_error(f.key, None)

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        f = self._field(event.input.id)
        if f is not None and event.input.value:
            self._check(f)

    def _suggest_number(self, dyad_field: SessionField) -> None:
        key = self.instrument.key_for("session_number")
        dyad = self._value(dyad_field)
        if key is None or self._number_typed or self.store is None or not isinstance(dyad, str):
            return
        if field_value_problem(dyad_field, dyad) is None:
            number = suggest_session_number(self.store, self.instrument, dyad)
            self.query_one(f"#field-{key}", Input).value = str(number)

    def action_next(self) -> None:
        problems = [p for f in self.instrument.fields if (p := self._check(f))]
        if problems:
            self.notify("Fix the fields marked in red first.", severity="warning")
            return
        values = {f.key: self._value(f) for f in self.instrument.fields}
        try:
            refused = self.submit(values)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=12)
            return
        for problem in refused:
            self._show_error(problem.path, problem.message)
        if not refused:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
