"""The focused item's anchors (one per scale point, each clickable), then its definition.

Anchors come first: they are what the rater decides with, and at 80x24 the definition may
need a scroll."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from rating_tui.instruments.model import Instrument, Item, NumericScale, TextScale
from rating_tui.ratings.entry import point_keys
from rating_tui.views.instrument_view import scale_points, scale_summary

MISSING_KEYS = ("n", "N")
"""Keys for an item's first and second missing code (e.g. not observed, not applicable)."""


class PointChoice(Static):
    """A scale point or missing code; clicking it answers the item."""

    class Chosen(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, key: str, text: Text, selected: bool) -> None:
        super().__init__(text, classes="point" + (" -selected" if selected else ""))
        self.key = key

    def on_click(self) -> None:
        self.post_message(self.Chosen(self.key))


class AnchorPanel(VerticalScroll, can_focus=False):
    """Definition, points with their anchors and keys, and the allowed missing codes."""

    def __init__(self) -> None:
        super().__init__(id="anchors")
        self.border_title = "Anchors (a hides)"

    def compose(self) -> ComposeResult:
        yield Static(id="anchor-head")
        yield Static(id="anchor-definition")

    def show(self, instrument: Instrument, item: Item, selected_key: str | None) -> None:
        """Replace the content with `item`'s anchors; `selected_key` marks the current answer."""
        scale = instrument.scale_of(item)
        head = Text(item.label, style="bold")
        head.append(f"  ({scale_summary(scale)})", style="dim")
        self.query_one("#anchor-head", Static).update(head)
        definition = self.query_one("#anchor-definition", Static)
        definition.update(Text(item.help.strip(), style="italic") if item.help else "")
        for old in self.query(PointChoice):
            old.remove()
        choices: list[PointChoice] = []
        keys = {str(v): k for k, v in point_keys(scale).items()}
        for value, label in scale_points(scale):
            key = keys.get(value, "")
            text = Text(f"[{key}] " if key else "    ", style="bold")
            text.append(label, style="bold")
            anchor = item.anchors.get(value)
            if anchor:
                text.append(f" — {anchor}")
            choices.append(PointChoice(key, text, selected_key == key))
        if isinstance(scale, NumericScale):
            hint = f"Type a number from {scale.min} to {scale.max} and press Enter; ←/→ step."
            choices.append(PointChoice("", Text(hint, style="italic"), False))
            for value, anchor in item.anchors.items():
                choices.append(PointChoice("", Text(f"{value}: {anchor}"), False))
        if isinstance(scale, TextScale):
            choices.append(PointChoice("", Text("Press Enter to write.", style="italic"), False))
        codes = {c.code: c for c in instrument.missing_codes}
        for key, code in zip(MISSING_KEYS, item.missing_codes, strict=False):
            text = Text(f"[{key}] ", style="bold")
            text.append(codes[code].label, style="italic")
            choices.append(PointChoice(key, text, selected_key == key))
        self.mount_all(choices, before=definition)
        self.scroll_home(animate=False)
        self.call_after_refresh(self.mark_overflow)

    def mark_overflow(self) -> None:
        """Say under the panel when anchors are out of sight, and which key shows them."""
        below = self.max_scroll_y - self.scroll_y
        if below > 0:
            self.border_subtitle = "more below: PgDn / space"
        elif self.scroll_y > 0:
            self.border_subtitle = "PgUp: back to the top"
        else:
            self.border_subtitle = ""
