"""The parts of the bootstrap: what each statistic leaves waiting for the shared resamples
(`bootstrap.replicate_totals`), and how an item's per-session sums are held while they wait.

An item's statistics are sums over its sessions (the one-way ANOVA's, alpha's, the nominal
statistics'). While the item is computed, each statistic's per-session sums are made, totalled
for the estimate and let go (`Remade`): they are made again, one statistic at a time, when the
item's sums are grouped into runs of equal rows (`grouped`), instead of every statistic's
being held at once beside the item's values. The numbers are the same each time they are made
(the same operations on the same arrays), so the runs, their rows and every replicate are those
of sums made once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
Rows = npt.NDArray[np.integer[Any]]
"""Resampled sessions' numbers, 16-bit where they fit (`row_type`), else 32-bit."""
COMPARED = 1 << 14
"""Sessions whose rows are compared with the previous session's at a time when the runs of
equal rows are found: a chunk's rows gathered in order (not every session's at once)."""


def row_type(sessions: int) -> np.dtype[np.integer[Any]]:
    """The type of a row number among `sessions` resampled sessions, as the parts waiting for
    the bootstrap hold them: 16-bit up to 65,536 sessions (half the memory), else 32-bit."""
    return np.dtype(np.uint16) if sessions <= 1 << 16 else np.dtype(np.int32)


@lru_cache(maxsize=2)
def every_row(sessions: int) -> npt.NDArray[np.int64]:
    """0..`sessions`-1, one read-only array shared by every spread part."""
    rows = np.arange(sessions, dtype=np.int64)
    rows.flags.writeable = False
    return rows


@dataclass(frozen=True)
class Sums:
    """Per-session sums of one statistic: `features[i]` belongs to resampled session
    `rows[i]` (each session at most once)."""

    rows: npt.NDArray[np.int64]
    features: Matrix

    def spread(self, sessions: int) -> Sums:
        """The same sums with a row for each of `sessions` resampled sessions (zero where
        none), so that a block of replicates is one matrix product: made when the part is,
        rather than kept twice while resampling."""
        if len(self.rows) == sessions and (self.rows == np.arange(sessions)).all():
            return self
        features = np.zeros((sessions, self.features.shape[1]))
        features[self.rows] = self.features  # rows are distinct: no sum needed
        return Sums(every_row(sessions), features)

    def totals(self, counts: Matrix | None = None) -> Matrix:
        """Totals of the features: of the data (no `counts`; shape 1 x width) or of each
        replicate (a row of `counts` per replicate)."""
        weights = np.ones((1, len(self.rows))) if counts is None else counts[:, self.rows]
        found: Matrix = weights @ self.features
        return found


@dataclass(frozen=True)
class Cells:
    """Counts that are sums over sessions, one per cell (a pair of raters' K x K table):
    the rows of cell j are `rows[starts[j]:starts[j + 1]]` (resampled sessions, repeated
    where a session holds several rows), so a replicate's counts are one gather and one
    `np.add.reduceat`. `reduce` turns each block of replicate counts into the figures at
    once, so only those are kept."""

    rows: Rows
    starts: npt.NDArray[np.int64]
    reduce: Callable[[Matrix], Matrix]


@dataclass(frozen=True)
class Grouped:
    """Per-session sums that take few distinct rows (a likert item's sessions: some hundred
    combinations of values): the resampled sessions of the item in `order`, sorted so that
    sessions with equal rows are together, each run of them beginning at `starts`, and the
    run's row of sums (`features`, a row per run). A block of replicates is a gather of the
    sessions' counts, a sum per run and a small matrix product: the totals of a product over
    every session, added in another order. The parts of one item share `order` and
    `starts` (the runs of every statistic of the item at once), so those are held once."""

    order: Rows
    starts: npt.NDArray[np.intp]
    features: Matrix


MAX_RUNS_SHARE = 0.25
"""Sums are grouped when their sessions fall into at most this share as many runs of equal
rows: below it the runs cost less to hold and to resample than a row per session."""


def part_bytes(part: Part) -> int:
    """The memory a part holds while it waits for the bootstrap."""
    return sum(a.nbytes for a in part_arrays(part))


def part_arrays(part: Part) -> tuple[npt.NDArray[np.generic], ...]:
    """The arrays a part holds (a `Grouped` part shares some with its item's others)."""
    if isinstance(part, Sums):
        return (part.features,)
    if isinstance(part, Grouped):
        return (part.order, part.starts, part.features)
    if isinstance(part, Remade):
        return ()  # made when read
    return (part.rows, part.starts)


@dataclass(frozen=True)
class Remade:
    """Per-session sums of one statistic (as `Sums`: row i of `make()` belongs to resampled
    session `rows[i]`), not held: `make` makes them again when `grouped` reads them, each
    time the same numbers, so that an item's statistics hold one statistic's sums at a
    time rather than every one's until they are grouped."""

    rows: npt.NDArray[np.int64]
    make: Callable[[], Matrix]
    ranged: Callable[[int, int], Matrix] | None = None
    """What makes rows begin..end-1 of `make()` alone, the same floats, where the statistic
    can (`runs.grouped_ranged` then groups them a range at a time)."""


Part = Sums | Cells | Grouped | Remade
"""What a statistic leaves waiting for the bootstrap (a `Remade` part is grouped or spread
before the bootstrap reads it: `agreement._compact`)."""


REMADE_FROM_BYTES = 2 << 20
"""Per-session sums of this many bytes or more are let go and made again when grouped
(`Remade`); smaller ones are held (`Sums`): making them again costs CPU that matters at
100,000 ratings (0.1 s on the benchmark's own set-up) and saves little memory there."""


def sums_part(rows: npt.NDArray[np.int64], made: Matrix, make: Callable[[], Matrix]) -> Part:
    """The part for per-session sums `made` (what `make` makes): held while small, else
    `Remade` (the caller lets `made` go)."""
    return Sums(rows, made) if made.nbytes < REMADE_FROM_BYTES else Remade(rows, make)


def totals_and_part(
    rows: npt.NDArray[np.int64],
    width: int,
    make: Callable[[], Matrix],
    ranged: Callable[[], Callable[[int, int], Matrix] | None],
) -> tuple[Matrix, Part]:
    """A statistic's per-session sums (what `make` makes, `width` columns) totalled, and the
    part it leaves for the bootstrap: held while small (`sums_part`); when large and
    `ranged()` gives a maker of a range of sessions' rows, totalled a range at a time and
    `Remade` with it, never made whole (`ranged_totals`, `runs.grouped_ranged`)."""
    if len(rows) * width * 8 >= REMADE_FROM_BYTES:
        by_range = ranged()
        if by_range is not None:
            return ranged_totals(by_range, len(rows)), Remade(rows, make, by_range)
    sums = make()
    return sums.sum(axis=0, keepdims=True), sums_part(rows, sums, make)


def features_of(part: Sums | Remade) -> Matrix:
    """The per-session sums of a part, made again if it is `Remade`."""
    return part.features if isinstance(part, Sums) else part.make()


def grouped(parts: Sequence[Sums | Remade], sessions: int) -> list[Part]:
    """One item's per-session sums (over the same sessions `rows`) as `Grouped` parts sharing
    one grouping, when their rows repeat enough (`MAX_RUNS_SHARE`); else each spread over
    the `sessions` resampled sessions (`Sums.spread`). Each part's sums are read (made, if
    `Remade`) once for the sort key, once for the runs and once for the runs' rows, one
    part at a time; the runs are found a chunk of sessions at a time (`COMPARED`)."""
    n = len(parts[0].rows) if parts else 0
    if n < 2 or any(p.rows is not parts[0].rows for p in parts):
        return [spread(p, sessions) for p in parts]
    # sessions sorted by a weighted sum of their sums, then runs of equal rows: two
    # different rows with the same key only split a run (more runs, the same totals)
    key = np.zeros(n)
    for p in parts:
        features = features_of(p)
        key += features @ key_weights(features.shape[1])
        del features
    order = np.argsort(key, kind="stable")
    del key
    new = np.zeros(n, bool)
    new[0] = True
    for p in parts:
        features = features_of(p)
        for begin in range(0, n - 1, COMPARED):
            # sessions begin..end in order: each (but the first) compared with the one before
            end = min(begin + COMPARED, n - 1)
            ordered = features[order[begin : end + 1]]
            new[begin + 1 : end + 1] |= (ordered[1:] != ordered[:-1]).any(axis=1)
        del features
    starts = np.flatnonzero(new)
    del new
    if len(starts) > MAX_RUNS_SHARE * n:
        del order, starts
        return [spread(p, sessions) for p in parts]
    first = order[starts]
    rows = parts[0].rows[order].astype(row_type(sessions))
    del order
    return [Grouped(rows, starts, features_of(p)[first]) for p in parts]


def key_weights(width: int) -> npt.NDArray[np.float64]:
    """What a row of sums is multiplied by for the key sessions are sorted by (`grouped`)."""
    return np.arange(width, dtype=np.float64) * 0.6180339887498949 + 1.0


def ranged_totals(make: Callable[[int, int], Matrix], sessions: int) -> Matrix:
    """`make(0, sessions).sum(axis=0, keepdims=True)`, the same floats, made a range of
    sessions at a time (`Remade.ranged`): numpy totals a C-ordered matrix's rows one after
    another, so each range's rows continue from the total so far."""
    total: Matrix | None = None
    for begin in range(0, sessions, RANGE):
        rows = make(begin, min(begin + RANGE, sessions))
        total = (
            rows.sum(axis=0, keepdims=True)
            if total is None
            else np.vstack([total, rows]).sum(axis=0, keepdims=True)
        )
    assert total is not None
    return total


RANGE = 1 << 15
"""Sessions whose rows a `ranged` maker makes at a time (a MiB of alpha's sums)."""


def spread(part: Sums | Remade, sessions: int) -> Sums:
    """The part spread over every resampled session, made (if `Remade`) only now: a range
    of sessions at a time where it can be (`Remade.ranged`), not whole beside its spread."""
    if isinstance(part, Remade) and part.ranged is not None and len(part.rows):
        n = len(part.rows)
        made = part.ranged(0, min(RANGE, n))
        features = np.zeros((sessions, made.shape[1]))
        for begin in range(0, n, RANGE):
            end = min(begin + RANGE, n)
            features[part.rows[begin:end]] = made if begin == 0 else part.ranged(begin, end)
        return Sums(every_row(sessions), features)
    return (part if isinstance(part, Sums) else Sums(part.rows, part.make())).spread(sessions)
