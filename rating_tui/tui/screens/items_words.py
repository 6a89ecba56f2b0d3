"""What the items screen says about an item: its answer in words, the key that selects it,
and a paste (a clinician pasting a value copied from elsewhere) taken as typed or refused in
words. Split out of items.py, which holds the keys and the saving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rating_tui.instruments.model import Item, NumericScale, SingleChoiceScale, YesNoScale
from rating_tui.ratings.entry import key_for_value, point_keys
from rating_tui.ratings.model import Answer, Answered, Missing
from rating_tui.tui.format import answer_text
from rating_tui.tui.widgets.anchor_panel import MISSING_KEYS

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument
    from rating_tui.tui.screens.items import ItemsScreen

NUMBER_KEYS = set("0123456789.,-")
"""What can be typed into a numeric item: a decimal comma is kept, and read as a point."""


def answer_label(instrument: Instrument, item: Item, answer: Answer | None) -> str:
    """`3 Marked`, `Yes`, `Not observed`, `–`: the item's answer as its row shows it."""
    from rating_tui.views.instrument_view import scale_points

    codes = {c.code: c.label for c in instrument.missing_codes}
    scale = instrument.scale_of(item)
    text = answer_text(answer, codes)
    if isinstance(answer, Answered):
        labels = dict(scale_points(scale))
        if not isinstance(answer.value, list) and str(answer.value) in labels:
            label = labels[str(answer.value)]
            choice = isinstance(scale, SingleChoiceScale | YesNoScale)
            text = label if choice else f"{answer.value} {label}"  # `Low`, not `low Low`
    return text


def selected_key(instrument: Instrument, item: Item, answer: Answer | None) -> str | None:
    """The key of the point (or missing code) the answer picked, marked in the anchors."""
    if isinstance(answer, Missing):
        index = item.missing_codes.index(answer.missing)
        return MISSING_KEYS[index] if index < len(MISSING_KEYS) else None
    if isinstance(answer, Answered) and not isinstance(answer.value, list):
        return key_for_value(instrument.scale_of(item), answer.value)
    return None


def paste(screen: ItemsScreen, text: str) -> None:
    """A paste on the items screen: a number on a numeric item is typed (Enter enters it, as
    when typed), one key of the item's is pressed; anything else is refused in words. A paste
    went nowhere before, without a word: `3,5` pasted on a 0-4 item left it as it was."""
    item = screen.items[screen.current]
    scale = screen.session.instrument.scale_of(item)
    value = text.strip()
    if not value:
        return
    if isinstance(scale, NumericScale):
        if set(value) <= NUMBER_KEYS:
            screen.type_number(value)
            return
        screen.notify(
            f"{item.label}: the paste {value[:40]!r} was not entered: it is not a number "
            f"(expected one from {scale.min} to {scale.max}).",
            severity="warning",
        )
        return
    keys = point_keys(scale)
    if value in keys or (value in MISSING_KEYS and item.missing_codes):
        screen.press_answer_key(value)
        return
    allowed = ", ".join(keys) + (", n (not observed)" if item.missing_codes else "")
    screen.notify(
        f"{item.label}: the paste {value[:40]!r} was not entered; this item takes one key: "
        f"{allowed or 'Enter'}.",
        severity="warning",
    )
