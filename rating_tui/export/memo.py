"""Each column's memo of cells (`Memo`): the cell of a value seen before is looked up, not
encoded again. Codes, scale points, dates and dyad codes repeat from row to row; free text
simply passes through a bounded dict. `quoted` gives a column's memo of cells in their CSV
form, for the wide line (`rowcode.compile_wide_line`)."""

from __future__ import annotations

from rating_tui.export.columns import Encoder
from rating_tui.export.csvout import csv_field
from rating_tui.export.forms import plain_list

MEMO_SIZE = 2048
"""Cells a column remembers before it starts afresh (bounds memory on free text)."""


class Memo(dict[object, str]):
    """value -> cell for one column. Keys are ints, strs and (for lists) tuples only, so
    that 1, 1.0 and True, equal as keys but not as cells, never meet; floats have their own
    dict (where only 0.0 and -0.0 would meet, so zero is not remembered)."""

    def __init__(self, encode: Encoder) -> None:
        super().__init__({"": ""})
        self.encode = encode
        self.floats: dict[float, str] = {}

    def miss(self, key: object, value: object) -> str:
        cell = self.encode(value)
        if len(self) >= MEMO_SIZE:
            self.clear()
            self[""] = ""
        self[key] = cell
        return cell

    def float_cell(self, value: float) -> str:
        cell = self.floats.get(value)
        if cell is None:
            cell = self.encode(value)
            if value:
                if len(self.floats) >= MEMO_SIZE:
                    self.floats.clear()
                self.floats[value] = cell
        return cell


def quoted(memo: Memo) -> Memo:
    """A memo of the same column whose cells are in their CSV form (`csvout.csv_field`)."""
    encode = memo.encode
    return Memo(lambda value: csv_field(encode(value)))


def cell(value: object, memo: Memo) -> str | None:
    """The cell of a stored value (as `tables` writes it); None for what is not one."""
    kind = type(value)
    if kind is int or kind is str:
        cell = memo.get(value)
        return cell if cell is not None else memo.miss(value, value)
    if kind is float:
        return memo.float_cell(value)  # type: ignore[arg-type]  # a float, mypy cannot tell
    if kind is not list or not isinstance(value, list) or not plain_list(value):
        return None
    if not value:
        return ""
    key = tuple(value)
    cell = memo.get(key)
    return cell if cell is not None else memo.miss(key, value)
