"""One item's values as agreement reads them out of a session table: for each value its
session, its rater and the value (`ItemValues`), an item at a time (`TableItems`).

A table keeps most items as a byte per row (`columns.ItemColumn`); the statistics need
floats, but only of the rows in sessions where the item has two or more values. Those rows
are chosen on the bytes first (`paired_values`), so that no array of eight bytes per row of
the whole table is made: at a million ratings such arrays were most of agreement's memory
beyond what reading left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.pairing import SessionTable
from rating_tui.analysis.scales import ItemScale

Index = npt.NDArray[np.signedinteger[Any]]  # an item's sessions and raters: 32-bit, as held
Vector = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ItemValues:
    """What agreement needs of one item (or a score analysed like one): its scale, and for
    each value given, its session, its rater and the value (no missing values)."""

    item: ItemScale
    sessions: Index
    raters: Index
    values: Vector
    coded: int = 0
    """Not-observed / not-applicable codes, left out of every statistic."""


def item_values(table: SessionTable, column: int) -> ItemValues:
    """The values of one item of `table`."""
    found = table.columns[column]
    if found.levels is None:
        values = np.frombuffer(found.data, dtype=np.float64)
        valid = ~np.isnan(values)
        values = values[valid]
    else:  # codes into the distinct values (-1: none)
        codes = np.frombuffer(found.data, dtype=np.int8)
        valid = codes >= 0
        values = np.asarray(found.levels, dtype=np.float64)[codes[valid]]
    sessions = np.frombuffer(table.row_session, dtype=np.int32)[valid]
    raters = np.frombuffer(table.row_rater, dtype=np.int32)[valid]
    return ItemValues(table.items[column], sessions, raters, values, table.coded_count(column))


def paired_values(table: SessionTable, column: int) -> ItemValues:
    """The values of one item of `table` in the sessions where it has two or more (the only
    ones any statistic uses), in the table's row order. Rows are chosen on the column's
    codes (a byte per row) before a value becomes a float, so that no array of eight bytes
    per row of the whole table is made: only of the rows kept."""
    found = table.columns[column]
    sessions = np.frombuffer(table.row_session, dtype=np.int32)
    if found.levels is None:
        floats = np.frombuffer(found.data, dtype=np.float64)
        keep = ~np.isnan(floats)
    else:  # codes into the distinct values (-1: none)
        codes = np.frombuffer(found.data, dtype=np.int8)
        keep = codes >= 0
    valued = sessions[keep]
    paired = value_counts(valued, table.session_count) >= 2
    keep[keep] = paired[valued]  # in place: a byte per row
    del valued, paired
    if found.levels is None:
        values = floats[keep]
    else:
        values = np.asarray(found.levels, dtype=np.float64)[codes[keep]]
    raters = np.frombuffer(table.row_rater, dtype=np.int32)[keep]
    item = table.items[column]
    return ItemValues(item, sessions[keep], raters, values, table.coded_count(column))


def valued_sessions(table: SessionTable, column: int) -> Index:
    """The session of each row of `table` with a value of item `column`."""
    found = table.columns[column]
    if found.levels is None:
        keep = ~np.isnan(np.frombuffer(found.data, dtype=np.float64))
    else:
        keep = np.frombuffer(found.data, dtype=np.int8) >= 0
    return np.frombuffer(table.row_session, dtype=np.int32)[keep]


class TableItems(Sequence[ItemValues]):
    """The items of a table, each read out of it when asked for and not kept: one item's
    arrays at a time in memory, not every item's."""

    def __init__(self, table: SessionTable) -> None:
        self.table = table

    def __len__(self) -> int:
        return len(self.table.items)

    @overload
    def __getitem__(self, index: int) -> ItemValues: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ItemValues]: ...
    def __getitem__(self, index: int | slice) -> ItemValues | Sequence[ItemValues]:
        """The item's values in its sessions with two or more (`paired_values`)."""
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return paired_values(self.table, index)

    def sessions_of(self, index: int) -> Index:
        """The session of each value of item `index` (no floats made)."""
        return valued_sessions(self.table, index)


def value_counts(sessions: Index, count: int) -> npt.NDArray[np.int32]:
    """How many of `sessions` fall on each session 0..`count`-1, as 32-bit counts: what
    np.bincount gives, without the 64-bit copy of `sessions` it makes first and its 64-bit
    counts (16 bytes a row and 8 a session: 22 MiB at a million ratings)."""
    counts = np.zeros(count, np.int32)
    np.add.at(counts, sessions, np.int32(1))
    return counts
