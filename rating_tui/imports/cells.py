"""A CSV cell back into the value the export wrote it from (the inverse of `export.columns`).

Codes or labels, whichever the cell holds: a cell that is a code is read as the code,
otherwise as a label. A cell the question cannot hold is kept as text, so that validation
says in words what was found and what is expected.
"""

from __future__ import annotations

import math
import re

from rating_tui.export.cells import CODE_SEPARATOR, LABEL_SEPARATOR, is_formula, scalar_cell
from rating_tui.instruments.model import (
    Choice,
    Instrument,
    Item,
    LikertScale,
    MultipleChoiceScale,
    NumericScale,
    SessionField,
    SingleChoiceScale,
    TextScale,
    YesNoScale,
)
from rating_tui.ratings.model import Answer, Answered, Missing, Value

_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")
_PLAIN = re.compile(r"-?(\d+\.\d*|\.\d+)")


def text(cell: str) -> str:
    """Text as typed: the leading `'` that the export's formula guard adds taken off again."""
    if cell.startswith("'") and is_formula(cell[1:]):
        return cell[1:]
    return cell


def number(cell: str) -> Value:
    """`3` -> 3, `7.5` and `2.0` -> floats (as written from floats); anything else stays text,
    a number too large for a float (`1e400`) too: refused as typed, not as `inf`. A power of
    ten (`1e3`) is read only as the export writes one (`1e-05`, `1e+16`): any other stays
    text, so that a refusal quotes the cell as written, not `1000.0` (and says to write it
    out, as the app's number fields, which take no `1e3`, say it is no number)."""
    if _INT.fullmatch(cell):
        return int(cell)
    if not _FLOAT.fullmatch(cell) or not math.isfinite(value := float(cell)):
        return text(cell)
    if _PLAIN.fullmatch(cell) or repr(value) == cell:
        return value
    return text(cell)


def _pick(cell: str, options: list[tuple[str, str, int | str]]) -> Value:
    """(code as written, label, code): the code the cell names, by code first, then label."""
    for written, _, code in options:
        if cell == written:
            return code
    for _, label, code in options:
        if cell == label:
            return code
    return number(cell)


def _choices(choices: list[Choice]) -> list[tuple[str, str, int | str]]:
    return [(scalar_cell(c.code), c.label, c.code) for c in choices]


def _many(cell: str, options: list[tuple[str, str, int | str]]) -> Value:
    codes = {written: code for written, _, code in options}
    parts = cell.split(CODE_SEPARATOR)
    if all(p in codes for p in parts):
        return [codes[p] for p in parts]
    labels = {label: code for _, label, code in options}
    parts = cell.split(LABEL_SEPARATOR)
    if all(p in labels for p in parts):
        return [labels[p] for p in parts]
    return text(cell)


def field_value(f: SessionField, cell: str, *, defused: bool = True) -> Value | None:
    """A session field's cell as its value; None for an empty cell. `defused`: the file
    was written for spreadsheets (our CSV), so text may carry a leading `'`."""
    if cell == "":
        return None
    if f.type in ("text", "date"):
        return text(cell) if defused else cell
    if f.type in ("integer", "number"):
        return number(cell)
    if f.type == "single_choice":
        return _pick(cell, _choices(f.choices))
    return _many(cell, _choices(f.choices))


def item_answer(ins: Instrument, item: Item, cell: str, *, defused: bool = True) -> Answer | None:
    """An item's cell as its answer: a value, a missing code (by export value or label), or
    None for an empty cell (not answered, or not asked)."""
    if cell == "":
        return None
    by_code = {c.code: c for c in ins.missing_codes}
    for key in item.missing_codes:
        code = by_code.get(key)
        if code is not None and cell in (scalar_cell(code.export_value), code.label):
            return Missing(missing=key)
    scale = ins.scale_of(item)
    value: Value
    if isinstance(scale, LikertScale):
        value = _pick(cell, [(str(p.value), p.label, p.value) for p in scale.points])
    elif isinstance(scale, YesNoScale):
        value = _pick(cell, [("1", scale.yes_label, 1), ("0", scale.no_label, 0)])
    elif isinstance(scale, SingleChoiceScale):
        value = _pick(cell, _choices(scale.choices))
    elif isinstance(scale, MultipleChoiceScale):
        value = _many(cell, _choices(scale.choices))
    elif isinstance(scale, NumericScale):
        value = number(cell)
    else:
        assert isinstance(scale, TextScale)
        value = text(cell) if defused else cell
    return Answered(value=value)
