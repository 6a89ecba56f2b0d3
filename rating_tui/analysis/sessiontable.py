"""The compact per-instrument tables that reading ratings fills (`pairing`, `stored`) and the
statistics read (`SessionTable`, `Collected`): plain Python (the `array` module), and apart
from the instrument and rating models (pydantic) that reading needs, so that tables read in
a child process (`cli/analysis_read.py`) come back without importing them (about 14 MiB)."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from rating_tui.analysis.columns import FloatColumns, ItemColumn
from rating_tui.analysis.itemscale import ItemScale


@dataclass
class SessionTable:
    """One instrument's final ratings: a row per (session, rater), a column per item, then
    one per score (computed from the rating's answers as the exports compute it)."""

    instrument_id: str
    items: list[ItemScale] = field(default_factory=list)
    raters: list[str] = field(default_factory=list)
    session_codes: list[array[int]] = field(default_factory=list)
    """Per part of the session key (dyad, date, number), each session's code of it: an
    index into `key_values` (-1 where a key has fewer parts). Codes, not a tuple of texts per
    session: tens of thousands of sessions cost a few bytes each."""
    key_values: list[Sequence[str]] = field(default_factory=list)
    """Per part of the session key, its texts by code (`Texts` once read)."""
    row_session: array[int] = field(default_factory=lambda: array("i"))
    row_rater: array[int] = field(default_factory=lambda: array("i"))
    columns: list[ItemColumn] = field(default_factory=list)
    """Per item, the value of each row (a byte per row where the item allows it)."""
    coded: Sequence[array[int]] = field(default_factory=list)
    """Per item, 1 where the row gave a not-observed / not-applicable code (a table read by
    `stored` keeps that mark in the column's byte, `columns.CODED`, and makes these arrays
    when asked: `columns.CodedRows`)."""
    replaced: int = 0
    dyad_first: bool = False
    """Whether each session key starts with the dyad code (the instrument has a dyad field):
    what the dyad (cluster) bootstrap groups sessions by."""

    @property
    def rows(self) -> int:
        return len(self.row_session)

    @property
    def session_count(self) -> int:
        return len(self.session_codes[0]) if self.session_codes else 0

    @property
    def sessions(self) -> list[tuple[str, ...]]:
        """The session key (dyad, date, number) of each session index, made when asked."""
        if len(self.key_values) != len(self.session_codes):
            raise ValueError("the session keys were let go (`keep_counts_only`)")
        parts = list(zip(self.key_values, self.session_codes, strict=True))
        return [
            tuple(texts[codes[s]] for texts, codes in parts if codes[s] >= 0)
            for s in range(self.session_count)
        ]

    def keep_counts_only(self) -> None:
        """Let go of the session keys' texts and of the codes of their parts after the first
        (the date's and number's): agreement reads of the sessions only their count and, for
        the dyad bootstrap, the first part's codes (`dyad_codes`). 3 MiB at a million
        ratings, freed before the statistics allocate. `sessions` is then refused.

        The rows' raters and the sessions' dyad codes are narrowed to the fewest bytes their
        largest code needs (`narrowest`: a byte per row for up to 256 raters, two bytes a
        session for up to 65,536 dyads; the same numbers): at a million ratings of the demo
        data 3.7 MiB less held under the statistics."""
        self.row_rater = narrowest(self.row_rater, len(self.raters))
        if not self.session_codes:
            return
        first = self.session_codes[0]
        self.session_codes[0] = narrowest(first, max(first, default=-1) + 1)
        typecodes = [codes.typecode for codes in self.session_codes[1:]]
        self.session_codes[1:] = [array(t) for t in typecodes]
        self.key_values = []

    def dyad_codes(self) -> array[int]:
        """Each session's dyad as a code (sessions of one dyad share it), when the session
        key starts with the dyad (`dyad_first`)."""
        return self.session_codes[0]

    def coded_count(self, item: int) -> int:
        return sum(self.coded[item])

    @property
    def values(self) -> Sequence[array[float]]:
        """Per item, the value of each row as a float; NaN when coded missing or
        unanswered. Each item's floats are made when asked for."""
        return FloatColumns(self.columns)


def narrowest(codes: array[int], distinct: int) -> array[int]:
    """`codes` (each 0..`distinct`-1) as unsigned bytes, or 16 bits, where they fit; else
    (or with a negative code) as they are. The same numbers either way: numpy reads them by
    their type (`np.frombuffer(codes, dtype=codes.typecode)`)."""
    if not codes or min(codes) < 0:
        return codes
    for typecode in ("B", "H"):
        if distinct <= 1 << (8 * array(typecode).itemsize):
            return codes if codes.typecode == typecode else array(typecode, codes)
    return codes


@dataclass
class Collected:
    """Every instrument's table, and the ratings that could not be placed in a session."""

    tables: dict[str, SessionTable] = field(default_factory=dict)
    ratings: int = 0
    """Ratings read (after the rater filter)."""
    unkeyed: int = 0
    """Ratings without a dyad, date or session number: no session to pair them in."""
    unknown: int = 0
    """Ratings whose instrument version is not known (left out)."""
