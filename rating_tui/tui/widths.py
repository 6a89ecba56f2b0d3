"""Characters that terminals draw at different widths, taken out of what is typed.

Textual measures text with Rich, which counts an emoji with a skin-tone modifier (👍🏽) as
one 2-cell glyph and a symbol followed by the emoji-style mark U+FE0F (❤️) as 2 cells. Many
terminals (tmux, xterm, the Linux console) draw the modifier as a second 2-cell glyph and the
marked symbol in 1 cell, so every cell after it on the line moves and the box around the text
breaks. Nothing can tell the app which way the terminal draws it, so these marks are not kept:
👍🏽 becomes 👍 and ❤️ becomes ❤, and the app says so in words.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widgets import Input, TextArea

_AMBIGUOUS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
"""The five skin-tone modifiers and the emoji presentation selector."""


def drawable(text: str) -> str:
    """`text` without the marks whose drawn width differs between terminals."""
    return _AMBIGUOUS.sub("", text)


def changed_words(before: str) -> str:
    """What was changed, for the message: the first affected emoji, as typed and as kept."""
    found = _AMBIGUOUS.search(before)
    if found is None:
        return ""
    start = max(0, found.start() - 1)
    shown = before[start : found.end()]
    return (
        f"{shown} is kept as {drawable(shown)}: terminals draw an emoji's skin tone (and the "
        "emoji mark after a symbol) at different widths, which breaks the boxes on screen."
    )


def tidy_area(area: TextArea) -> str | None:
    """Take the marks out of a text box, the cursor kept after the same character; what was
    changed, for the message (None: nothing was)."""
    text = area.text
    if drawable(text) == text:
        return None
    row, column = area.cursor_location
    line = area.document.get_line(row)
    area.load_text(drawable(text))
    area.cursor_location = (row, len(drawable(line[:column])))
    return changed_words(text)


def tidy_input(field: Input) -> str | None:
    """The same for a one-line input."""
    value = field.value
    if drawable(value) == value:
        return None
    position = len(drawable(value[: field.cursor_position]))
    field.value = drawable(value)
    field.cursor_position = position
    return changed_words(value)
