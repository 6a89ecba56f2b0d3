"""Instruments screen: every instrument found, a preview of the highlighted one, and the files
that could not be used, listed with their problems instead of crashing the app."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.tui.screens.base import AppScreen
from rating_tui.views.instrument_view import instrument_view

PROBLEMS_ID = "problems"


class InstrumentsScreen(AppScreen[None]):
    """Browse instruments; the preview shows what `rating-tui instruments show` shows."""

    CSS_PATH = "instruments.tcss"
    SUB_TITLE = "Instruments"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("escape", "back", "Back", id="instruments_back"),
    ]

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__()
        self.catalogue = catalogue
        """What discovery found; shown as it is, never re-read behind the user's back."""

    def compose(self) -> ComposeResult:
        yield Header()
        options = [
            Option(Text(li.instrument.title).append(f"\n{li.ref}\n{li.source}", "dim"), id=li.ref)
            for li in self.catalogue.instruments
        ]
        if self.catalogue.problems:
            files = len({p.file for p in self.catalogue.problems})
            options.append(Option(Text(f"⚠ {files} file(s) with problems"), id=PROBLEMS_ID))
        with Horizontal():
            yield OptionList(*options, id="instrument-list")
            with VerticalScroll(id="preview"):
                yield Static(id="preview-body")
        yield Footer()

    def on_mount(self) -> None:
        listing = self.query_one("#instrument-list", OptionList)
        listing.focus()
        if listing.option_count:
            listing.highlighted = 0
        else:
            self._show(Text("No instruments found."))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_id == PROBLEMS_ID:
            lines = [Text("Files that could not be used\n", style="bold")]
            lines += [Text(f"• {p}") for p in self.catalogue.problems]
            self._show(Text("\n").join(lines))
        elif event.option_id is not None:
            self._show(instrument_view(self.catalogue.get(event.option_id)))

    def _show(self, renderable: object) -> None:
        self.query_one("#preview-body", Static).update(renderable)  # type: ignore[arg-type]
        self.query_one("#preview", VerticalScroll).scroll_home(animate=False)

    def action_cursor_down(self) -> None:
        self.query_one("#instrument-list", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#instrument-list", OptionList).action_cursor_up()
