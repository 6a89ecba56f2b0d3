"""95% intervals by resampling sessions, or whole dyads (a cluster bootstrap).

Kappa, alpha, Fleiss' kappa and AC1 have no closed-form interval that holds for every design met
here (missing values, any number of raters), so they get the percentile interval of a
bootstrap: whole sessions are drawn with replacement, `REPLICATES` times, and the 2.5th and
97.5th percentiles of the replicated statistic are reported. Sessions of one dyad are not
independent, so the dyad bootstrap draws dyads instead, each with all its sessions (then the
one-way ICC's interval comes from the same replicates rather than the F distribution). Only
sessions that carry information (two or more values on some item) are resampled. The
generator is seeded, so the same data always give the same interval.

A replicate is a vector of counts (how often each session was drawn). Every statistic is built
from sums over sessions, so a block of replicates is a few matrix products on per-session sums
(or, for the cells of the pairs' tables, a gather and a segmented sum) rather than
`REPLICATES` recomputations. Alpha's ordinal metric keeps the ranks of the full data, as
Hayes & Krippendorff's (2007) bootstrap keeps the metric of the observed data.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.alpha import alpha_from_totals
from rating_tui.analysis.kappa import Weights, weighted_kappas
from rating_tui.analysis.packed import GATHERED, Packed, Plan, Scratch
from rating_tui.analysis.parts import (
    MAX_RUNS_SHARE,
    Cells,
    Grouped,
    Part,
    Remade,
    Rows,
    Sums,
    every_row,
    grouped,
    part_arrays,
    part_bytes,
    row_type,
    sums_part,
)

__all__ = [
    "MAX_RUNS_SHARE",
    "Cells",
    "Grouped",
    "Part",
    "Remade",
    "Sums",
    "every_row",
    "grouped",
    "part_arrays",
    "part_bytes",
    "replicate_totals",
    "row_type",
    "sums_part",
]

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]

REPLICATES = 1000
SEED = 2009
"""Fixed, so that an interval is reproducible (the year of Paris, Spielman & Bolton)."""
CELLS_PER_BLOCK = 125_000
"""Replicates are drawn in blocks of at most this many counts (0.5 MB as 32-bit integers, 1 MB
as floats where a `Sums` part needs them), so that the bootstrap's memory stays small beside
the data's. 250,000 held 2.4 MiB more at the peak of the benchmark's own 100,000 ratings (its
round of six items, now the command's peak) for 0.1-0.15 s less CPU, which reading in a
child process (`cli/analysis_read.read_apart`) left room for. From about 125,000 resampled
sessions on, a block is one replicate either way."""
GROUPED_PER_BLOCK = 1 << 16
"""Counts of a block when every part is `Grouped`: a block's counts of each run's sessions
are gathered, and larger blocks save little time."""
WAITING_CELLS = 1 << 14
"""Replicate counts of a `Cells` part's cells (as float64: 128 KiB) turned into its figures at
once: a block of a few replicates at a time made many small calls."""
MIN_DEFINED = 0.95
"""An interval needs the statistic to be defined in at least this share of replicates (a
replicate can draw only sessions without variation); otherwise none is reported."""


def session_counts(sessions: int, replicates: int = REPLICATES) -> Iterator[Matrix]:
    """Blocks of replicates: each row counts how often each of `sessions` sessions was drawn
    (`sessions` draws with replacement)."""
    return cluster_counts(None, sessions, replicates)


def cluster_counts(
    clusters: npt.NDArray[np.int64] | None,
    sessions: int,
    replicates: int = REPLICATES,
    cells: int | None = None,
) -> Iterator[Matrix]:
    """Blocks of replicates of `sessions` sessions (at most `cells` counts a block, at least
    one replicate); with `clusters` (the cluster of each session, 0..C-1), C clusters are
    drawn with replacement and each session counts as often as its cluster was drawn. The
    draws do not depend on the block size: one stream from the seed, taken in order."""
    for counted in _counted(clusters, sessions, replicates, cells):
        yield counted.astype(np.float64)


def _counted(
    clusters: npt.NDArray[np.int64] | None,
    sessions: int,
    replicates: int = REPLICATES,
    cells: int | None = None,
    scratch: Scratch | None = None,
) -> Iterator[npt.NDArray[np.int32]]:
    """`cluster_counts` as 32-bit integers (replicates x sessions), each block written over
    the previous one's array (`scratch`): use a block before asking for the next."""
    rng = np.random.default_rng(SEED)
    scratch = Scratch() if scratch is None else scratch
    units = sessions if clusters is None else int(clusters.max()) + 1 if len(clusters) else 0
    cells = CELLS_PER_BLOCK if cells is None else cells
    block = max(1, min(replicates, cells // max(sessions, 1)))
    done = 0
    while done < replicates:
        rows = min(block, replicates - done)
        drawn = scratch.array("drawn", (rows, units), np.int32)
        drawn.fill(0)
        for row in drawn:
            # a replicate at a time: the same numbers as one call for the block (one stream),
            # without a block of draws beside the counts; int32: the same numbers as int64
            # draws (the same generator path), half the memory
            draws = rng.integers(0, max(units, 1), size=units, dtype=np.int32)
            # counted into 32-bit integers by np.add.at (its fast path when the counts, the
            # draws and the one added share a type: twice as fast as counting into floats,
            # and np.bincount copies the draws to 64 bits first)
            np.add.at(row, draws, np.int32(1))
        if clusters is None:
            yield drawn
        else:
            # each session counted as its cluster; "clip" (clusters are in range): with
            # "raise", numpy takes into a copy of its own first
            into = scratch.array("by session", (rows, sessions), np.int32)
            yield np.take(drawn, clusters, axis=1, out=into, mode="clip")
        done += rows


def replicate_totals(
    parts: list[Part],
    sessions: int,
    clusters: npt.NDArray[np.int64] | None = None,
    replicates: int = REPLICATES,
) -> list[Matrix]:
    """Each part's totals in every replicate, all parts from the same resamples (a `Cells`
    part: its `reduce`d figures). A `Sums` part is spread over all sessions first, so that
    a block of replicates is one matrix product per part; a `Grouped` part sums its
    sessions' counts per run, once a block for the parts sharing its runs; a `Cells` part
    sums its rows' counts per cell, and turns them into figures once `WAITING_CELLS` counts
    of its cells wait (a replicate's figures depend on its counts alone, so this only makes
    fewer, larger calls). Both sums gather each session's counts of the block's replicates
    packed into 64-bit words (`Packed`). Called again with the same `sessions`, `clusters`
    and `replicates`, it draws the same resamples (`agreement` runs it in rounds)."""
    # a part not yet grouped (`agreement` groups them all first) is made here
    ready: list[Sums | Cells | Grouped] = [
        Sums(p.rows, p.make()) if isinstance(p, Remade) else p for p in parts
    ]
    del parts
    if not ready or sessions == 0:
        return [
            np.zeros((0, p.features.shape[1])) if not isinstance(p, Cells) else np.zeros((0, 0))
            for p in ready
        ]
    # each part's replicates written in place as their blocks come (no list of blocks joined
    # at the end, which held every result twice)
    found: list[Matrix | None] = [
        None if isinstance(p, Cells) else np.empty((replicates, p.features.shape[1])) for p in ready
    ]
    spread = {i: p.spread(sessions).features for i, p in enumerate(ready) if isinstance(p, Sums)}
    waiting: dict[int, list[Matrix]] = {i: [] for i, p in enumerate(ready) if isinstance(p, Cells)}
    reduced = dict.fromkeys(waiting, 0)  # replicates of each Cells part turned into figures
    only_runs = all(isinstance(p, Grouped) for p in ready)
    block = GROUPED_PER_BLOCK if only_runs else CELLS_PER_BLOCK
    chunk = max(1, GATHERED // max(1, min(replicates, block // sessions)))
    plans = {
        i: Plan.of(p.starts, len(_rows(p)), chunk)
        for i, p in enumerate(ready)
        if not isinstance(p, Sums)
    }

    def reduce(i: int, part: Cells) -> None:
        blocks = waiting[i]
        figures = part.reduce(blocks[0] if len(blocks) == 1 else np.concatenate(blocks))
        waiting[i] = []
        out = found[i]
        if out is None:
            out = found[i] = np.empty((replicates, figures.shape[1]))
        out[reduced[i] : reduced[i] + len(figures)] = figures
        reduced[i] += len(figures)

    done = 0
    scratch = Scratch()
    for counted in _counted(clusters, sessions, replicates, block, scratch):
        counts = None
        if spread:
            counts = scratch.array("counts", counted.shape, np.float64)
            np.copyto(counts, counted)
        packed = Packed(counted, scratch)
        runs: dict[int, Matrix] = {}  # each grouping's counts per run, once a block
        rows = slice(done, done + len(counted))
        for i, part in enumerate(ready):
            if isinstance(part, Sums):
                assert counts is not None and found[i] is not None
                found[i][rows] = counts @ spread[i]  # type: ignore[index]
            elif isinstance(part, Grouped):
                per_run = runs.get(id(part.order))
                if per_run is None:
                    per_run = packed.sums(part.order, plans[i])
                    runs[id(part.order)] = per_run
                found[i][rows] = per_run @ part.features  # type: ignore[index]
            else:
                waiting[i].append(packed.sums(part.rows, plans[i]))
                if sum(block.size for block in waiting[i]) >= WAITING_CELLS:
                    reduce(i, part)
        done += len(counted)
        del counts, packed, runs
    for i, blocks in waiting.items():
        part = ready[i]
        if blocks and isinstance(part, Cells):
            reduce(i, part)
    return [np.zeros((0, 0)) if out is None else out for out in found]


def _rows(part: Cells | Grouped) -> Rows:
    return part.rows if isinstance(part, Cells) else part.order


def _cell_counts(part: Cells, counts: Matrix) -> Matrix:
    """Each cell's total count in each replicate of `counts` (replicates x cells)."""
    packed = Packed(counts.astype(np.int32))
    chunk = max(1, GATHERED // max(len(counts), 1))
    return packed.sums(part.rows, Plan.of(part.starts, len(part.rows), chunk))


def percentile_interval(replicated: Vector) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentiles of the defined replicates (NaN: undefined)."""
    defined = replicated[np.isfinite(replicated)]
    if len(replicated) == 0 or len(defined) < MIN_DEFINED * len(replicated):
        return None
    low, high = percentiles(defined)
    return float(low), float(high)


PERCENTILES = np.true_divide(np.asarray([2.5, 97.5]), 100)


def percentiles(values: Vector) -> Vector:
    """`np.percentile(values, [2.5, 97.5])` (its default, linear method) for finite values,
    by numpy's own steps (the same partition, the same floats): np.percentile asks np.unique
    for its partition points, and np.unique imports numpy.ma (1 MiB, 20 ms) to ask whether
    they are masked."""
    arr = values.flatten()  # a copy, partitioned in place
    n = len(arr)
    virtual = (n - 1) * PERCENTILES
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1  # the last value (n == 1)
    previous[above] = -1
    following[above] = -1
    below, above_ = previous.astype(np.intp), following.astype(np.intp)
    arr.partition(np.asarray(sorted({0, -1, *below.tolist(), *above_.tolist()})), axis=0)
    a, b = arr[below], arr[above_]
    gamma = np.asarray(virtual - below, dtype=virtual.dtype)
    diff = b - a
    found: Vector = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=found, where=gamma >= 0.5, casting="unsafe")
    return found


def kappa_interval(a: Vector, b: Vector, weights: Weights) -> tuple[float, float] | None:
    """The bootstrap 95% interval of the weighted kappa of `a` and `b`."""
    blocks = [weighted_kappas(a, b, weights, c) for c in session_counts(len(a))]
    return percentile_interval(np.concatenate(blocks))


def alpha_intervals(sessions: int, parts: list[Matrix]) -> list[tuple[float, float] | None]:
    """The bootstrap 95% interval of each alpha whose `alpha_sums` are in `parts`, all from
    the same resampled sessions (every item and level of a table in one pass)."""
    if not parts:
        return []
    rows = np.arange(sessions, dtype=np.int64)
    totals = replicate_totals([Sums(rows, part) for part in parts], sessions)
    return [percentile_interval(alpha_from_totals(t)) for t in totals]
