"""A dyad's ratings kept compactly while a whole caseload is read (`read_caseload`).

Reading every rating of a folder for the alerts once kept a named tuple and a dict of answers
per rating: about 600 bytes each, 60 MB at 100,000 ratings, more than the app itself. A
`Course` keeps, per rating, only what a trajectory is built from: the session date and rater
(shared strings), the session number, and per numeric item one small integer or float and one
byte saying whether it is a value, a missing code or no answer: about 40 bytes per rating.
`observations` gives back the very `Observation`s the trajectory builder took before (numeric
items only, no now moments or notes, which the caseload read never kept), for the sessions
asked for, so the alerts and the caseload report come out the same.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from rating_tui.services.trajectory import Observation

NO_ANSWER = 0
VALUE = 1
FIRST_CODE = 2
"""Kinds of an item's answer: none, a value, or (FIRST_CODE + n) the n-th missing code of the
caseload's shared `Codes`."""

_SMALL = range(-128, 128)


class Codes:
    """Missing codes and other repeated text (dates, raters) of one caseload read, each kept
    once, codes numbered in the order first seen."""

    __slots__ = ("codes", "numbers", "texts")

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.numbers: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    def kind(self, code: str) -> int:
        n = self.numbers.get(code)
        if n is None:
            n = self.numbers[code] = FIRST_CODE + len(self.codes)
            self.codes.append(code)
        return n

    def shared(self, text: str) -> str:
        """The one copy of `text` kept for this read."""
        return self.texts.setdefault(text, text)


class Course:
    """The ratings of one dyad with one instrument id, in the order read. `keys` are the
    numeric items of the newest version of the id (the items its trajectory lays out)."""

    __slots__ = ("codes", "dates", "keys", "kinds", "numbers", "raters", "values")

    def __init__(self, keys: Sequence[str], codes: Codes) -> None:
        self.keys = tuple(keys)
        self.codes = codes
        self.dates: list[str] = []
        self.raters: list[str] = []
        self.numbers: array[int] | list[int] = array("l")
        """Session numbers, -1 for none (the trajectory builder files both alike)."""
        self.values: array[Any] = array("b")
        """len(keys) per rating; bytes while every value is a small integer."""
        self.kinds: array[int] | list[int] = array("B")

    def __len__(self) -> int:
        return len(self.dates)

    def add(self, day: str, number: int | None, rater: str, answers: Mapping[str, Any]) -> bool:
        """Keep one rating; False (nothing kept) when a numeric item's answer is neither a
        number nor a missing code (not the stored form: the store validates that record)."""
        values: list[int | float] = []
        kinds: list[int] = []
        for key in self.keys:
            a = answers.get(key)
            if a is None:
                values.append(0)
                kinds.append(NO_ANSWER)
            elif type(a) is str:
                values.append(0)
                kinds.append(self.codes.kind(a))
            elif type(a) in (int, float, bool):
                values.append(a)
                kinds.append(VALUE)
            else:
                return False
        self._extend(values, kinds)
        self.dates.append(self.codes.shared(day))
        self.raters.append(self.codes.shared(rater))
        n = -1 if number is None else number
        try:
            self.numbers.append(n)
        except OverflowError:  # a number beyond a C long: keep them as Python ints
            self.numbers = [*self.numbers, n]
        return True

    def _extend(self, values: list[int | float], kinds: list[int]) -> None:
        if self.values.typecode == "b" and not all(
            type(v) is not float and v in _SMALL for v in values
        ):
            self.values = array("d", self.values)
        if self.values.typecode == "d":
            self.values.extend(array("d", (float(v) for v in values)))
        else:
            self.values.extend(array("b", (int(v) for v in values)))
        try:
            self.kinds.extend(kinds)
        except OverflowError:  # more than 253 distinct missing codes
            self.kinds = [*self.kinds, *kinds]

    def sessions(self) -> dict[tuple[str, int], list[int]]:
        """(date, number or -1) -> positions of its ratings, in the order read."""
        grouped: dict[tuple[str, int], list[int]] = {}
        for i, (day, number) in enumerate(zip(self.dates, self.numbers, strict=True)):
            grouped.setdefault((day, number), []).append(i)
        return grouped

    def observations(self, positions: Iterable[int] | None = None) -> Iterator[Observation]:
        """The ratings at `positions` (all, in the order read, when None) as observations."""
        width = len(self.keys)
        codes = self.codes.codes
        for i in range(len(self.dates)) if positions is None else positions:
            answers: dict[str, float | str] = {}
            start = i * width
            for j, key in enumerate(self.keys):
                kind = self.kinds[start + j]
                if kind == VALUE:
                    answers[key] = self.values[start + j]
                elif kind != NO_ANSWER:
                    answers[key] = codes[kind - FIRST_CODE]
            number = self.numbers[i]
            yield Observation(
                self.dates[i], None if number == -1 else number, self.raters[i], answers
            )

    @classmethod
    def of(cls, keys: Sequence[str], observations: Iterable[Observation]) -> Course:
        """A course holding `observations` (their numeric items among `keys`)."""
        course = cls(keys, Codes())
        for o in observations:
            if not course.add(o.date, o.number, o.rater, o.answers):
                raise ValueError(f"not a number or a missing code in {o.answers!r}")
        return course
