"""One item's values in a session table, a byte per rating where the item allows it.

Most items take a few distinct values (the points of a likert scale, yes/no, a choice's
options, a slider's steps), so a column keeps each row's value as a small code into the
distinct values met so far (`levels`, in the order first met): one byte per row instead of
eight, which is most of a table of 100,000 ratings. A column that meets more than
`MAX_LEVELS` distinct values (a computed score, a fine slider) turns into the values
themselves from then on. Either way a row reads back as exactly the float it was given;
no value (unanswered, coded not observed / not applicable, or NaN) reads back as NaN.
`Texts` keeps a session key part's distinct texts as one joined text once reading is done.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from typing import Any, overload

MAX_LEVELS = 127
"""Distinct values a column codes in one signed byte (-1 is no value)."""
NONE = -1
CODED = -2
"""The code of a row that gave a not-observed / not-applicable code, in a column read by
`stored` (no value, as -1: every negative code is none; `CodedRows` reads the mark)."""


class ItemColumn:
    """The value of each row of one item (see the module's docstring)."""

    __slots__ = ("code_of", "data", "levels")

    def __init__(self, rows: int = 0) -> None:
        self.data: array[Any] = array("b", [NONE]) * rows
        """A code per row (`levels` given), else the value per row (NaN: none)."""
        self.levels: list[float] | None = []
        """The distinct values by code; None once the column holds the values themselves."""
        self.code_of: dict[float, int] = {}
        """Code by value while the column codes its values (empty once it holds them)."""

    def __len__(self) -> int:
        return len(self.data)

    def set(self, row: int, value: float) -> None:
        """Row `row`'s value (an int or a float; NaN counts as no value)."""
        if self.levels is None:
            self.data[row] = value
            return
        code = self.code_of.get(value)
        if code is None:
            if value != value:  # NaN: no value, as in a column of floats
                self.data[row] = NONE
                return
            if len(self.levels) == MAX_LEVELS:
                self._widen()
                self.data[row] = value
                return
            code = self.code_of[value] = len(self.levels)
            self.levels.append(float(value))
        self.data[row] = code

    def clear(self, row: int) -> None:
        """Row `row` has no value."""
        self.data[row] = NONE if self.levels is not None else math.nan

    def grow(self, rows: int) -> None:
        """`rows` more rows, without a value."""
        if self.levels is None:
            self.data.extend(array("d", [math.nan]) * rows)
        else:
            self.data.extend(array("b", [NONE]) * rows)

    def trim(self, rows: int) -> None:
        """Keep the first `rows` rows only."""
        del self.data[rows:]

    def floats(self) -> array[float]:
        """Every row's value as a float (NaN where none), made when asked."""
        if self.levels is None:
            return array("d", self.data)
        levels = [*self.levels, math.nan, math.nan]  # codes -1 and -2 read NaN
        return array("d", [levels[code] for code in self.data])

    def _widen(self) -> None:
        """From codes to the values themselves: too many distinct values to code."""
        self.data = self.floats()
        self.levels = None
        self.code_of = {}


class FloatColumns(Sequence["array[float]"]):
    """The float values of each column, made when asked for (`SessionTable.values`)."""

    def __init__(self, columns: list[ItemColumn]) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(self._columns)

    @overload
    def __getitem__(self, index: int) -> array[float]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[array[float]]: ...
    def __getitem__(self, index: int | slice) -> array[float] | Sequence[array[float]]:
        if isinstance(index, slice):
            return [c.floats() for c in self._columns[index]]
        return self._columns[index].floats()


class CodedRows(Sequence["array[int]"]):
    """Per column, 1 where the row's code is `CODED`, made when asked: a table read by
    `stored` keeps that mark in the column's byte instead of a byte per row of its own (a
    column of floats has no such mark: all 0)."""

    def __init__(self, columns: list[ItemColumn]) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(self._columns)

    @overload
    def __getitem__(self, index: int) -> array[int]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[array[int]]: ...
    def __getitem__(self, index: int | slice) -> array[int] | Sequence[array[int]]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        column = self._columns[index]
        if column.levels is None:
            return array("b", bytes(len(column)))
        return array("b", column.data.tobytes().translate(_MARKS))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


_MARKS = bytes(254) + b"\x01\x00"
"""A column's byte -> 1 for `CODED` (0xFE), else 0."""


class Texts(Sequence[str]):
    """Texts kept as one joined text and where each ends: a session key part's distinct
    values (a dyad code, a date) after reading. The texts met while reading were made among
    the parsed ratings of their month, and each kept one would keep that memory in use
    after the month is gone (Python hands a block of its small objects back only when all
    of it is free): joined, they are one object and that memory is freed."""

    __slots__ = ("_ends", "_joined")

    def __init__(self, texts: Sequence[str]) -> None:
        self._joined = "".join(texts)
        ends, at = array("q"), 0
        for text in texts:
            at += len(text)
            ends.append(at)
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        end = self._ends[index]  # IndexError as a list gives it
        start = self._ends[index - 1] if index % len(self._ends) else 0
        return self._joined[start:end]
