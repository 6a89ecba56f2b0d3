"""One item in the rating list: its number, label and current answer, clickable."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static


class ItemRow(Static):
    """Shows an item; a click makes it the current item."""

    class Picked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, index: int, label: str, required: bool) -> None:
        super().__init__(id=f"item-{index}", classes="item-row")
        self.index = index
        self.label = label
        self.required = required

    def show(self, answer: str, current: bool, answered: bool, pending: str = "") -> None:
        """Redraw on one line; the current row has a marker, not only a colour."""
        text = Text("▶ " if current else "  ", style="bold")
        label = f"{self.index + 1}. {self.label}" + ("" if self.required else " (optional)")
        text.append(f"{label[:44]:<45}")
        if pending:
            text.append(f"typing {pending}_", style="italic")
        elif answered:
            text.append(answer, style="bold")
        else:
            text.append("–" if self.required else "– (may stay empty)", style="dim")
        self.update(text)
        self.set_class(current, "-current")
        self.set_class(answered, "-answered")

    def on_click(self) -> None:
        self.post_message(self.Picked(self.index))
