"""Step 3: every value at a glance, missing required items marked in words, notes, save.

Enter (or ctrl+s anywhere) saves; `g` jumps to the first missing item. Dismisses with the
index of an item to go back to, or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from rating_tui.prefs import load_prefs
from rating_tui.ratings.model import NowMoment
from rating_tui.ratings.shown import not_asked, scores_of
from rating_tui.safetext import escape
from rating_tui.services.draft_session import DraftSession
from rating_tui.store.errors import StoreError
from rating_tui.tui.conflict import offer_reload
from rating_tui.tui.format import labelled_answer, score_text
from rating_tui.tui.screens.base import AppScreen
from rating_tui.tui.widgets.footer import AppFooter

if TYPE_CHECKING:
    from rating_tui.tui.app import RatingApp


class ReviewScreen(AppScreen[int | None]):
    """The last look before saving."""

    CSS_PATH = "review.tcss"
    SUB_TITLE = "Review: Enter saves"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "Save", id="save"),
        Binding("ctrl+s", "save", "Save", show=False, priority=True),
        Binding("g", "goto_missing", "Go to missing", id="goto_missing"),
        Binding("m", "moment", "Now moment", id="review_moment"),
        Binding("o", "notes", "Notes", id="notes"),
        Binding("escape", "back", "Back to items", id="review_back"),
    ]

    def __init__(self, session: DraftSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="review"):
            yield Static(id="summary")
            yield Label(
                "Now moments (Enter edits one)", classes="section-title", id="moments-title"
            )
            yield OptionList(id="moments")
            yield Label("Notes (o to write; ctrl+s saves)", classes="section-title")
            yield TextArea(self.session.rating.notes, id="notes")
        yield AppFooter()

    def on_mount(self) -> None:
        self._draw()
        self.query_one("#review", VerticalScroll).focus()

    def _draw(self) -> None:
        self.query_one("#summary", Static).update(self._summary())
        moments = self.query_one("#moments", OptionList)
        moments.clear_options()
        labels = {i.key: i.label for i in self.session.instrument.items}
        for n, moment in enumerate(self.session.rating.now_moments):
            tags = ", ".join(labels.get(t, t) for t in moment.tags) or "no concept tagged"
            moments.add_option(Option(Text(escape(f"{moment.text}\n  {tags}")), id=str(n)))
        shown = bool(self.session.rating.now_moments)
        moments.display = shown
        self.query_one("#moments-title").display = shown

    def _summary(self) -> Table:
        ins = self.session.instrument
        rating = self.session.rating
        missing = {p.path.removeprefix("items.") for p in self.session.missing()}
        codes = {c.code: c.label for c in ins.missing_codes}
        table = Table(expand=True, show_edge=False, pad_edge=False)
        table.add_column("", no_wrap=True)
        table.add_column("item", ratio=1)
        table.add_column("rating", ratio=1)
        session = " · ".join(str(rating.session.get(f.key, "")) for f in ins.fields[:4])
        table.title = Text(session, style="bold")
        hidden = not_asked(ins, rating)
        for n, item in enumerate(ins.items, start=1):
            text = labelled_answer(rating.answers.get(item.key), ins.scale_of(item), codes)
            if item.key in hidden:
                cell = Text("not asked", style="dim italic")
            elif item.key in missing:
                cell = Text("MISSING – required", style="bold reverse")
            else:
                cell = Text(text)
            table.add_row(str(n), Text(item.label), cell)
        for result in scores_of(ins, rating):
            table.add_row("=", Text(result.score.label, style="italic"), Text(score_text(result)))
        return table

    def _missing_index(self) -> int | None:
        missing = {p.path.removeprefix("items.") for p in self.session.missing()}
        return next(
            (n for n, i in enumerate(self.session.instrument.items) if i.key in missing), None
        )

    # --- actions ------------------------------------------------------------------------------

    def action_save(self) -> None:
        from rating_tui.tui.flow import saved

        self._keep_notes()
        problems = self.session.missing()
        if problems:
            self._draw()
            self.notify(
                "Not saved yet: "
                + "; ".join(str(p) for p in problems[:3])
                + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
                + ". Press g to go to the first.",
                severity="warning",
                timeout=8,
            )
            return
        app = self.rating_app
        if self.session.editing_final:
            self._save_edit(app)
            return
        try:
            rating = self.session.finalise()
        except StoreError as exc:
            if not offer_reload(self, self.session, exc, self._draw):
                self.refused(exc)
            return
        saved(app, rating)

    def _save_edit(self, app: RatingApp) -> None:
        from rating_tui.tui.flow import saved
        from rating_tui.tui.screens.dialogs import ReasonDialog

        try:
            edited = self.session.edited()
        except StoreError as exc:
            self.refused(exc)
            return
        if not edited:  # it asked why, then said "Changes saved" of a rating left as it was
            verb = "Nothing changed, so nothing was saved and no reason is needed"
            saved(app, self.session.rating, verb, title="Rating as it was")
            return

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return
            by = load_prefs(app.prefs_file).rater or self.session.rating.rater
            try:
                rating = self.session.save_edit(by, reason)
            except StoreError as exc:
                if not offer_reload(self, self.session, exc, self._draw):
                    self.refused(exc)
                return
            saved(app, rating, "Changes saved")

        self.app.push_screen(
            ReasonDialog("Why is this final rating changed?", "Save changes"), with_reason
        )

    def _keep_notes(self) -> None:
        notes = self.query_one("#notes", TextArea).text.strip()
        try:
            self.session.set_notes(notes)
        except StoreError as exc:
            if not offer_reload(self, self.session, exc, self._draw):
                self.refused(exc)

    def action_goto_missing(self) -> None:
        index = self._missing_index()
        if index is None:
            self.notify("Nothing required is missing.", timeout=3)
            return
        self._keep_notes()
        self.dismiss(index)

    def action_notes(self) -> None:
        self.query_one("#notes", TextArea).focus()

    def action_back(self) -> None:
        if self.query_one("#notes", TextArea).has_focus:
            self.query_one("#review", VerticalScroll).focus()
            return
        self._keep_notes()
        self.dismiss(None)

    def action_moment(self) -> None:
        self._edit_moment(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._edit_moment(int(event.option_id or 0))

    def _edit_moment(self, index: int | None) -> None:
        from rating_tui.tui.screens.dialogs import MomentDialog

        if not self.session.instrument.now_moments.enabled:
            return
        old = self.session.rating.now_moments[index] if index is not None else None

        def done(result: tuple[str, list[str]] | None) -> None:
            if result is None:
                return
            text, tags = result
            try:
                if index is None:
                    self.session.add_moment(text, tags)
                else:
                    moment = NowMoment(text=text, tags=tags) if text else None
                    self.session.replace_moment(index, moment)
            except StoreError as exc:
                self.refused(exc)
            self._draw()

        self.app.push_screen(MomentDialog(self.session.instrument, old), done)
