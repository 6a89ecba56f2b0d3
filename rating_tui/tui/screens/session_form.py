"""Step 1: the session fields, each validated in words at the field, defaults kept with Enter.

The dyad code completes from dyads already rated and, once valid, fills in the dyad's next
session number (unless the rater typed one). A field whose `show_if` is false is hidden as
the answers before it change: the keyboard skips it, and it is neither required nor stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from textwrap import shorten
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import DescendantFocus
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Header, Input, Label, Select, SelectionList, Static

from rating_tui.instruments.conditions import hidden_questions
from rating_tui.instruments.model import Instrument, SessionField
from rating_tui.ratings.checks import Finding
from rating_tui.ratings.entry import parse_field_text, typed_problem
from rating_tui.ratings.model import Value
from rating_tui.ratings.validate import RatingProblem
from rating_tui.services.draft_session import known_dyads
from rating_tui.store.api import Store
from rating_tui.store.errors import StoreError
from rating_tui.tui.screens.session_number import NumberProposal, field_hint
from rating_tui.tui.widgets.footer import AppFooter
from rating_tui.tui.widgets.keep import KeepSelect, KeepSelectionList

Submit = Callable[[dict[str, Value | None]], list[RatingProblem]]
Checker = Callable[[dict[str, Value | None]], list[Finding]]
"""The pre-store checks (duplicate session, future date, order) for valid values."""


class SessionFormScreen(NumberProposal):
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
        *,
        checker: Checker | None = None,
        on_open: Callable[[str], None] | None = None,
        keep: Callable[[dict[str, Value | None]], None] | None = None,
        title: str = "New rating: session",
    ) -> None:
        super().__init__()
        self.instrument = instrument
        self.values = dict(values)
        """The values the form starts with (defaults, remembered rater, a draft's values)."""
        self.submit = submit
        self.store = store
        self.checker = checker
        self.on_open = on_open
        """Opens a rating the checks found (a duplicate), after the form is closed."""
        self.keep = keep
        """Saves what was typed as a draft when the app quits from this step (ctrl+q)."""
        self.title_text = title
        self._start_proposals(
            values.get(self.instrument.key_for("session_number") or "") is not None
        )

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(
                f"{self.instrument.title} — session. Enter keeps a value and moves on; "
                "ctrl+n goes to the items.",
                classes="hint",
            )
            for f in self.instrument.fields:
                with Horizontal(classes="row", id=f"row-{f.key}"):
                    label = f.label + ("" if f.required else " (optional)")
                    yield Label(label, classes="field-label")
                    yield self._editor(f)
                yield Label("", id=f"error-{f.key}", classes="error field-error")
                if field_hint(f):
                    yield Label(
                        field_hint(f), id=f"hint-{f.key}", classes="field-hint", markup=False
                    )
        yield AppFooter()

    def on_mount(self) -> None:
        self.sub_title = self.title_text
        self._show_asked()
        shown = self._shown_fields()
        first_empty = next((f for f in shown if self.values.get(f.key) in (None, "", [])), None)
        target = first_empty or shown[0]
        self.query_one(f"#field-{target.key}").focus()

    def _editor(self, f: SessionField) -> Widget:
        value = self.values.get(f.key)
        wid = f"field-{f.key}"
        if f.type == "single_choice":
            options = [(c.label, c.code) for c in f.choices]
            initial = value if isinstance(value, int | str) else Select.NULL
            return KeepSelect(
                options, value=initial, id=wid, compact=True, allow_blank=not f.required
            )
        if f.type == "multiple_choice":
            chosen = value if isinstance(value, list) else []
            items = [(c.label, c.code, c.code in chosen) for c in f.choices]
            return KeepSelectionList(*items, id=wid, compact=True)
        suggester = None
        if f.role == "dyad" and self.store is not None:
            suggester = SuggestFromList(known_dyads(self.store, self.instrument))
        placeholder = field_hint(f)
        return Input(
            "" if value is None else str(value),
            placeholder=shorten(placeholder, 50, placeholder="…"),  # fits at 80 columns
            id=wid,
            compact=True,
            suggester=suggester,
            # No `type=`: Textual's number inputs drop what they do not accept (the comma of
            # 3,5 would give 35). Everything typed is kept and read by `parse_field_text`.
        )

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """The focused field's rule in full under it (the placeholder is cut at 80 columns,
        and it is gone once something is typed); the other fields' rules hidden."""
        focused = self._field(event.widget.id)
        for f in self.instrument.fields:
            if field_hint(f):
                self.query_one(f"#hint-{f.key}").display = f is focused

    # --- reading values ----------------------------------------------------------------------

    def _value(self, f: SessionField) -> Value | None:
        widget = self.query_one(f"#field-{f.key}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value  # type: ignore[return-value]
        if isinstance(widget, SelectionList):
            return list(widget.selected) or None
        assert isinstance(widget, Input)
        return parse_field_text(f, widget.value)

    # --- branching ---------------------------------------------------------------------------

    def _hidden(self) -> set[str]:
        """Keys of the fields not asked, given the valid values of the fields before them."""
        if all(f.show_if is None for f in self.instrument.fields):
            return set()
        values = {}
        for f in self.instrument.fields:
            value = self._value(f)
            if value is not None and typed_problem(f, value) is None:
                values[f.key] = value
        return set(hidden_questions(self.instrument, values, {}))

    def _shown_fields(self) -> list[SessionField]:
        hidden = self._hidden()
        return [f for f in self.instrument.fields if f.key not in hidden]

    def _show_asked(self) -> None:
        """Hide the rows of fields not asked and show the others (after every change)."""
        hidden = self._hidden()
        for f in self.instrument.fields:
            if f.show_if is not None:
                self.query_one(f"#row-{f.key}").display = f.key not in hidden
                if f.key in hidden:
                    self._show_error(f.key, None)

    def _is_last(self, f: SessionField) -> bool:
        """Whether `f` is the last field asked (Enter there goes on to the items)."""
        shown = self._shown_fields()
        return bool(shown) and f is shown[-1]

    def _check(self, f: SessionField) -> str | None:
        if f.show_if is not None and f.key in self._hidden():
            self._show_error(f.key, None)
            return None  # not asked: not required, and not stored
        value = self._value(f)
        problem = None
        if value is None:
            problem = f"{f.label} is required" if f.required else None
        else:
            problem = typed_problem(f, value)
        widget = self.query_one(f"#field-{f.key}")
        shown = None if value is None else str(value)
        if problem is None and isinstance(widget, Input) and shown not in (None, widget.value):
            widget.value = str(shown)  # shown as taken: EC0417 for ec0417, 3.5 for 3,5
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
        self._complete(event.input)
        f = self._field(event.input.id)
        if f is not None and self._awaited(f):
            # Enter keeps the proposal that is on its way (as it keeps one that is shown):
            # the field says it is being found and fills in when it arrives
            if self._is_last(f):
                self.action_next()
            else:
                self.focus_next()
            return
        if f is not None and self._check(f) is None:
            if self._is_last(f):
                self.action_next()
            else:
                self.focus_next()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        f = self._field(event.input.id)
        if f is None:
            return
        self._show_error(f.key, None)
        self._show_asked()
        own = f.role == "session_number" and event.value in self._own_values
        if own:
            self._own_values.remove(event.value)
        if f.role == "session_number" and event.input.has_focus and not own:
            self._number_typed = True
            if event.input.value:
                self._pending(None)  # the rater's number, not the proposal
                self._go_on_if_asked()
        if f.role == "dyad":
            self._suggest_number(f)  # last: a ctrl+n that waited may now mark this field

    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _chosen(self) -> None:
        self._show_asked()

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        f = self._field(event.input.id)
        if f is not None and event.input.value:
            self._check(f)

    def action_keep_choice(self) -> None:
        """Enter on a drop-down or a list of boxes keeps its value and moves on, as in a text
        field (space opens or toggles); elsewhere Enter does what the widget does."""
        focused = self.focused
        if not isinstance(focused, Select | SelectionList):
            return
        f = self._field(focused.id)
        if f is not None and self._check(f) is None:
            if self._is_last(f):
                self.action_next()
            else:
                self.focus_next()

    def _complete(self, editor: Input) -> None:
        """Enter takes the completion shown (`EC` -> `EC0417`) when what is typed is not a
        valid code by itself; a valid code stays as typed (`EC04` is a dyad of its own)."""
        f = self._field(editor.id)
        if f is None or f.role != "dyad" or not editor.cursor_at_end:
            return
        value = parse_field_text(f, editor.value)
        if value is not None and typed_problem(f, value) is not None:
            editor.action_cursor_right()  # Textual's public way to accept a suggestion

    def action_next(self) -> None:
        waiting = next((f for f in self.instrument.fields if self._awaited(f)), None)
        if waiting is not None:  # go on once the proposed number is in, not "required"
            self._waiting_to_go_on(True)
            self.notify(f"Finding {self._proposing}'s next session number; the items follow.")
            return
        problems = [f for f in self.instrument.fields if self._check(f)]
        if problems:
            self.query_one(f"#field-{problems[0].key}").focus()  # the next key lands there
            self.notify(
                f"Fix the field{'s' if len(problems) > 1 else ''} marked in red first: "
                + ", ".join(f.label for f in problems),
                severity="warning",
            )
            return
        hidden = self._hidden()
        values = {
            f.key: None if f.key in hidden else self._value(f) for f in self.instrument.fields
        }
        findings = self.checker(values) if self.checker is not None else []
        if not findings:
            self._submit(values)
            return
        from rating_tui.tui.screens.checks_dialog import ChecksDialog

        def answered(choice: str | None) -> None:
            if choice == "continue":
                self._submit(values)
            elif choice is not None and choice.startswith("open:"):
                self.dismiss(False)
                if self.on_open is not None:
                    self.on_open(choice.removeprefix("open:"))
            else:
                self._focus_finding(findings)

        self.app.push_screen(ChecksDialog(findings), answered)

    def _focus_finding(self, findings: list[Finding]) -> None:
        """Back to the form at the field most likely to be wrong."""
        role = "session_date" if findings[0].kind in ("future", "order") else "session_number"
        key = self.instrument.key_for(role)  # type: ignore[arg-type]
        if key is not None:
            self.query_one(f"#field-{key}").focus()

    def _submit(self, values: dict[str, Value | None]) -> None:
        try:
            refused = self.submit(values)
        except StoreError as exc:
            self.refused(exc)
            return
        for problem in refused:
            self._show_error(problem.path, problem.message)
        if not refused:
            self.dismiss(True)

    def keep_on_quit(self) -> list[str]:
        """Save the valid values as a draft (when anything was typed); the labels of fields
        whose text is not valid and so cannot be kept."""
        if self.keep is None:
            return []
        values: dict[str, Value | None] = {}
        invalid = []
        hidden = self._hidden()
        for f in self.instrument.fields:
            value = None if f.key in hidden else self._value(f)
            if value is not None and typed_problem(f, value) is not None:
                invalid.append(f.label)
                value = None
            values[f.key] = value
        if any(values[k] != self.values.get(k) for k in values):
            self.keep(values)
        return invalid

    def action_cancel(self) -> None:
        """Back without storing what was typed, said when anything was: Escape once left
        without a word, and a session typed in full was gone."""
        if self._typed_anything():
            self.notify(
                "Not started: nothing was saved (ctrl+q on this step keeps what you typed as a "
                "draft)."
                if self.keep is not None
                else "The session fields are as they were: what you typed was not kept "
                "(ctrl+n keeps it).",
                timeout=6,
            )
        self.dismiss(False)

    def _typed_anything(self) -> bool:
        return any(self._value(f) != self.values.get(f.key) for f in self.instrument.fields)
