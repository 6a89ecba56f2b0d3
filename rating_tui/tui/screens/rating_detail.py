"""One rating in full: session, values, now moments, notes and every revision.

From here a final rating is edited (with a reason) or voided (with a reason), and the dyad's
trajectory is one key away.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from rating_tui.prefs import load_prefs
from rating_tui.ratings.model import Rating
from rating_tui.ratings.shown import not_asked, scores_of
from rating_tui.safetext import escape
from rating_tui.store.errors import StoreError
from rating_tui.tui.format import (
    changes,
    instrument_of,
    labelled_answer,
    labelled_field_value,
    score_text,
    session_value,
)
from rating_tui.tui.screens.base import AppScreen
from rating_tui.tui.widgets.footer import AppFooter


class RatingDetailScreen(AppScreen[None]):
    """Everything stored about one rating."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", id="edit"),
        Binding("v", "void", "Void", id="void"),
        Binding("d", "dyad", "Dyad trajectory", id="dyad"),
        Binding("escape", "back", "Back", id="detail_back"),
    ]

    def __init__(self, rating: Rating) -> None:
        super().__init__()
        self.rating = rating

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(id="detail-body")
        yield AppFooter()

    def on_mount(self) -> None:
        self._draw()
        self.query_one("#detail").focus()

    def on_screen_resume(self) -> None:
        store = self.rating_app.store
        if store is not None:
            self.rating = store.get(self.rating.id)
        self._draw()

    def _draw(self) -> None:
        self.sub_title = f"Rating {self.rating.id[:8]} ({self.rating.status})"
        self.query_one("#detail-body", Static).update(self.render_rating())

    def render_rating(self) -> RenderableType:
        r = self.rating
        ins = instrument_of(self.rating_app.catalogue, r, self.rating_app.store)
        rater = escape(r.rater)
        head = Text(f"{r.instrument.ref}  ·  {r.status}  ·  rater {rater}\n", style="bold")
        head.append(
            f"id {r.id}\ncreated {r.created:%Y-%m-%d %H:%M} UTC, "
            f"updated {r.updated:%Y-%m-%d %H:%M} UTC"
        )
        if r.void_reason:
            head.append(f"\nVOIDED: {escape(r.void_reason)}", style="bold")
        session = Table(show_header=False, box=None, pad_edge=False)
        fields = {f.key: f for f in ins.fields} if ins else {}
        for key, value in r.session.items():
            f = fields.get(key)
            shown = labelled_field_value(value, f)
            session.add_row(Text(f.label if f else key, style="dim"), Text(escape(shown)))
        items = Table(expand=True, show_edge=False)
        items.add_column("item", ratio=1)
        items.add_column("rating", ratio=1)
        codes = {c.code: c.label for c in ins.missing_codes} if ins else {}
        keys = [i.key for i in ins.items] if ins else list(r.answers)
        item_labels = {i.key: i.label for i in ins.items} if ins else {}
        scales = {i.key: ins.scale_of(i) for i in ins.items} if ins else {}
        hidden = not_asked(ins, r) if ins else {}
        for key in keys:
            shown = labelled_answer(r.answers.get(key), scales.get(key), codes)
            shown = "not asked" if key in hidden else shown
            items.add_row(Text(escape(item_labels.get(key, key))), Text(escape(shown)))
        for result in scores_of(ins, r) if ins else []:
            label = Text(escape(result.score.label), style="italic")
            items.add_row(label, Text(score_text(result)))
        parts: list[RenderableType] = [head, Text(""), session, Text(""), items]
        if r.now_moments:
            parts.append(Text("\nNow moments", style="bold underline"))
            for m in r.now_moments:
                tags = ", ".join(item_labels.get(t, t) for t in m.tags)
                parts.append(Text(escape(f"• {m.text}" + (f"  [{tags}]" if tags else ""))))
        if r.notes:
            parts += [Text("\nNotes", style="bold underline"), Text(escape(r.notes))]
        history = r.history()
        if len(history) > 1:
            parts.append(Text("\nRevisions", style="bold underline"))
            for before, entry in zip([None, *history], history, strict=False):
                line = f"{entry.number}. since {entry.since:%Y-%m-%d %H:%M} by {entry.by}"
                line += f": {entry.reason}" if entry.reason else " (first version)"
                line += "  ← current" if entry.current else ""
                parts.append(Text(escape(line)))
                if before is not None:  # what this version changed, e.g. narration 3 -> 4
                    what = changes(before.content, entry.content, ins)
                    parts.append(Text(f"   {escape(what)}", style="dim"))
        return Group(*parts)

    # --- actions ------------------------------------------------------------------------------

    def action_edit(self) -> None:
        from rating_tui.tui.flow import resume_rating

        if self.rating.status == "voided":
            self.notify("A voided rating cannot be edited.", severity="warning")
            return
        resume_rating(self.rating_app, self.rating, edit=True)

    def action_void(self) -> None:
        from rating_tui.tui.screens.dialogs import ReasonDialog

        app = self.rating_app
        if self.rating.status == "voided" or app.store is None:
            self.notify("This rating is already voided.", severity="warning")
            return

        def with_reason(reason: str | None) -> None:
            if reason is None or app.store is None:
                return
            by = load_prefs(app.prefs_file).rater or self.rating.rater
            try:
                self.rating = app.store.void(self.rating.id, by=by, reason=reason)
            except StoreError as exc:
                self.refused(exc, "Not voided")
                return
            self.notify("Voided; it stays in the history with your reason.")
            self._draw()

        self.app.push_screen(ReasonDialog("Why is this rating voided?", "Void"), with_reason)

    def action_dyad(self) -> None:
        from rating_tui.tui.screens.dyad import DyadScreen

        ins = instrument_of(self.rating_app.catalogue, self.rating, self.rating_app.store)
        dyad = session_value(self.rating, ins, "dyad")
        if ins is not None and dyad:
            self.app.push_screen(DyadScreen(ins, dyad))
