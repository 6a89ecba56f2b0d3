"""A drop-down and a list of boxes on which Enter keeps the value and moves on, as in a text
field: the session form's choice fields (its `keep_choice` action does the moving on)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Select

from rating_tui.tui.widgets.boxes import BoxList


class KeepSelect(Select[int | str]):
    """A drop-down on which Enter keeps the value and moves on, as in a text field (space
    and the arrows open it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.keep_choice", "Keep", show=False)
    ]


class KeepSelectionList(BoxList[int | str]):
    """Boxes on which Enter keeps the ticks and moves on (space ticks)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.keep_choice", "Keep", show=False)
    ]
