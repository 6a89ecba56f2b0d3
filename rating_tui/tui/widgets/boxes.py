"""Tick boxes that differ by their glyph, not only by colour.

Textual's `SelectionList` draws the same `X` in every box and tells ticked from unticked by
colour alone: with NO_COLOR (or a monochrome terminal, or for a colour-blind rater) a ticked
box and an empty one looked the same. Here an unticked box is drawn empty.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

T = TypeVar("T")
EMPTY = " "


class BoxList(SelectionList[T]):
    """A `SelectionList` whose unticked boxes are empty (`▐ ▌`) and ticked ones hold `X`."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        if len(segments) < 3 or segments[1].text != Checkbox.BUTTON_INNER:
            return line
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        if option.value in self.selected:
            return line
        segments[1] = Segment(EMPTY * len(Checkbox.BUTTON_INNER), segments[1].style)
        return Strip(segments, line.cell_length)
