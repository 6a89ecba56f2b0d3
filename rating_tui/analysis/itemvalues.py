"""One item's values as agreement reads them out of a session table: for each value its
session, its rater and the value (`ItemValues`), an item at a time (`TableItems`).

A table keeps most items as a byte per row (`columns.ItemColumn`); the statistics need
floats, but only of the rows in sessions where the item has two or more values. Those rows
are chosen on the bytes first (`paired_values`), so that no array of eight bytes per row of
the whole table is made: at a million ratings such arrays were most of agreement's memory
beyond what reading left.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.itemscale import ItemScale
from rating_tui.analysis.sessiontable import SessionTable

Index = npt.NDArray[np.signedinteger[Any]]  # an item's sessions: 32-bit, as held
Raters = npt.NDArray[np.integer[Any]]
"""An item's raters: as the table holds them (a byte each for up to 256 raters, else 32-bit;
`SessionTable.keep_counts_only`)."""
Vector = npt.NDArray[np.float64]
CHUNK = 1 << 16
"""Rows taken at a time where a step needs a few bytes per row for the rows it looks at."""


@dataclass(frozen=True)
class ItemValues:
    """What agreement needs of one item (or a score analysed like one): its scale, and for
    each value given, its session, its rater and the value (no missing values)."""

    item: ItemScale
    sessions: Index
    raters: Raters
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
    raters = rater_codes(table)[valid].astype(np.int32, copy=False)
    return ItemValues(table.items[column], sessions, raters, values, table.coded_count(column))


def paired_values(table: SessionTable, column: int) -> ItemValues:
    """The values of one item of `table` in the sessions where it has two or more (the only
    ones any statistic uses), in the table's row order. Rows are chosen on the column's
    codes (a byte per row) before a value becomes a float, so that no array of eight bytes
    per row of the whole table is made: only of the rows kept."""
    found = table.columns[column]
    sessions = np.frombuffer(table.row_session, dtype=np.int32)
    keep = has_value(table, column)
    paired = paired_sessions(table, column, keep)
    for start in range(0, len(keep), CHUNK):  # in place, a chunk of rows at a time
        end = start + CHUNK
        keep[start:end] &= paired[sessions[start:end]]
    del paired
    if found.levels is None:
        values = np.frombuffer(found.data, dtype=np.float64)[keep]
    else:
        codes = np.frombuffer(found.data, dtype=np.int8)[keep]
        values = np.asarray(found.levels, dtype=np.float64)[codes]
        del codes
    raters = rater_codes(table)[keep]  # as the table holds them: a byte each, most often
    item = table.items[column]
    return ItemValues(item, sessions[keep], raters, values, table.coded_count(column))


def rater_codes(table: SessionTable) -> npt.NDArray[np.integer[Any]]:
    """Each row's rater, as the table holds them (`SessionTable.keep_counts_only` narrows
    them to a byte where there are 256 raters or fewer)."""
    return np.frombuffer(table.row_rater, dtype=np.dtype(table.row_rater.typecode))


def has_value(table: SessionTable, column: int) -> npt.NDArray[np.bool_]:
    """Whether each row of `table` has a value of item `column` (a byte per row)."""
    found = table.columns[column]
    if found.levels is None:
        return ~np.isnan(np.frombuffer(found.data, dtype=np.float64))
    return np.frombuffer(found.data, dtype=np.int8) >= 0  # codes (-1: none)


def paired_sessions(
    table: SessionTable, column: int, valued: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.bool_]:
    """Whether each session of `table` has two or more values of item `column` (`valued`:
    its rows with a value, when the caller has them). Counted a chunk of rows at a time into
    32-bit counts: no copy of the rows' sessions, and none of np.bincount's 64-bit ones."""
    sessions = np.frombuffer(table.row_session, dtype=np.int32)
    valued = has_value(table, column) if valued is None else valued
    counts = np.zeros(table.session_count, np.int32)
    for start in range(0, len(valued), CHUNK):
        end = start + CHUNK
        np.add.at(counts, sessions[start:end][valued[start:end]], np.int32(1))
    paired: npt.NDArray[np.bool_] = counts >= 2
    return paired


class TableItems(Sequence[ItemValues]):
    """The items of a table, each read out of it when asked for and not kept: one item's
    arrays at a time in memory, not every item's."""

    def __init__(self, table: SessionTable, consume: bool = False) -> None:
        self.table = table
        self.consume = consume
        """Let go of each item's column once its values are read, and of the rows' sessions
        and raters once the last item's are (`release`): the caller never reads the table
        again (the command line's, read for this one analysis)."""

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
        found = paired_values(self.table, index)
        if self.consume:
            self.release(index)
        return found

    def release(self, index: int) -> None:
        """Empty item `index`'s column (its levels kept); after the last item, the rows'
        sessions and raters too. Each item's statistics then run without the columns of the
        items before it, and the last one's without the rows (at a million ratings of the
        demo data a MiB a column, 5 MiB of rows: what the statistics' parts waiting for the
        bootstrap grow by meanwhile)."""
        table = self.table
        column = table.columns[index]
        column.data = array(column.data.typecode)  # a new one: a view may hold the old
        if index == len(self) - 1:
            table.row_session = array(table.row_session.typecode)
            table.row_rater = array(table.row_rater.typecode)

    def paired_sessions(self, index: int) -> npt.NDArray[np.bool_]:
        """Whether each session has two or more values of item `index` (no floats made)."""
        return paired_sessions(self.table, index)


def value_counts(sessions: Index, count: int) -> npt.NDArray[np.int32]:
    """How many of `sessions` fall on each session 0..`count`-1, as 32-bit counts: what
    np.bincount gives, without the 64-bit copy of `sessions` it makes first and its 64-bit
    counts (16 bytes a row and 8 a session: 22 MiB at a million ratings)."""
    counts = np.zeros(count, np.int32)
    np.add.at(counts, sessions, np.int32(1))
    return counts
