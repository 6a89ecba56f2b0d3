"""Figures of categories: the nominal statistics of an item and Cohen's kappa per pair of
raters and pooled (`agreement.py` gathers them with the ICCs and alphas of each item).

Each figure whose interval needs the shared bootstrap leaves a `Pending` with its per-session
sums and how to turn replicate totals into the statistic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.bootstrap import Cells, Part, row_type, sums_part
from rating_tui.analysis.design import Design
from rating_tui.analysis.itemscale import ItemScale
from rating_tui.analysis.nominal import category_counts, category_sums, nominal_from_totals
from rating_tui.analysis.pairs import MAX_CATEGORIES, pair_rows
from rating_tui.analysis.results import (
    MIN_SESSIONS,
    Estimate,
    Figure,
    PairFigures,
    missing,
    too_few,
)

IntVector = npt.NDArray[np.int64]
Codes = npt.NDArray[np.signedinteger[Any]]
"""Category indices: 8-bit where they fit, else 64-bit."""
Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]
NO_VARIATION = "no variation: every value is the same"
WEIGHTINGS = {"kappa (linear)": "linear", "kappa (quadratic)": "quadratic"}
MAX_RESAMPLED_PAIRS = 45
"""With more pairs of raters than this (all pairs of ten raters), kappa per pair and pooled
is given without an interval: resampling every pair's sums (1,770 pairs in a demo data set
of 60 raters) costs many times the rest of the analysis, and alpha and the ICC carry
intervals over the same sessions."""


@dataclass(frozen=True)
class Context:
    item: ItemScale
    sessions: npt.NDArray[np.signedinteger[Any]]
    """Each value's session, numbered 0..n-1 over the item's sessions with two values."""
    raters: npt.NDArray[np.integer[Any]]
    """Each value's rater: a byte each where the table holds them so (`itemvalues.Raters`)."""
    x: Vector
    n: int
    rows: npt.NDArray[np.signedinteger[Any]]
    """Each of those sessions' row in the shared bootstrap (32-bit)."""
    resampled: int
    """How many sessions the shared bootstrap resamples."""
    everyone: tuple[str, ...]
    design: Design
    names: list[str]
    """Every rater of the table, by index."""


@dataclass(frozen=True)
class Pending:
    """Figures whose intervals wait for the shared bootstrap: `finish` turns the replicate
    totals of `parts` into one column of replicated values per figure."""

    item: int
    figures: list[int]
    parts: list[Part]
    finish: Callable[[list[Matrix]], Matrix]
    method: str


def codes_of(c: Context) -> tuple[Codes, Vector] | None:
    """Each value as a category index, and the categories' positions on the scale (None when
    a numeric scale has too many distinct values for kappa)."""
    item = c.item
    if item.kind in ("likert", "yes_no", "choice"):
        points = np.asarray(item.points)
        codes = np.searchsorted(points, c.x) if item.kind != "choice" else c.x
        return _narrow(codes), np.arange(len(points), dtype=np.float64)
    steps = np.round((c.x - item.low) / item.step, 6)
    positions, codes = np.unique(steps, return_inverse=True)
    if len(positions) > MAX_CATEGORIES:
        return None
    return _narrow(codes), positions.astype(np.float64)


def _narrow(codes: npt.ArrayLike) -> Codes:
    """Category indices a byte each where they fit (at most `MAX_CATEGORIES` are used, but
    a choice item's codes are its values), else 64-bit: held through the item's kappa."""
    found = np.asarray(codes)
    if len(found) and found.min() >= -128 and found.max() < 128:
        return found.astype(np.int8)
    return found.astype(np.int64)


def nominal_figures(
    c: Context, figures: list[Figure], pending: list[Pending], position: int, method: str
) -> None:
    """Alpha (nominal), Fleiss' kappa and Gwet's AC1 over all sessions."""
    names = ("alpha (nominal)", "Fleiss' kappa", "Gwet's AC1")
    if c.n < MIN_SESSIONS:
        estimate = too_few(c.n, "with two or more values")
        figures += [Figure(n, estimate, c.n, c.everyone) for n in names]
        return
    coded = codes_of(c)
    assert coded is not None
    codes, positions = coded
    q = len(positions)
    sums = category_sums(category_counts(c.sessions, codes, c.n, q))
    values = nominal_from_totals(sums.sum(axis=0, keepdims=True), q)
    part = sums_part(
        c.rows, sums, lambda: category_sums(category_counts(c.sessions, codes, c.n, q))
    )
    del sums  # held by `part` if small, else made again when grouped (`Remade`)
    first = len(figures)
    defined = []
    for name in names:
        value = float(values[name][0])
        if math.isnan(value):
            figures.append(Figure(name, missing(NO_VARIATION), c.n, c.everyone))
        else:
            defined.append(name)
            figures.append(Figure(name, Estimate(value), c.n, c.everyone))
    if defined:
        pending.append(
            Pending(
                position,
                [first + names.index(n) for n in defined],
                [part],
                lambda t: np.column_stack([nominal_from_totals(t[0], q)[n] for n in defined]),
                method,
            )
        )


@lru_cache(maxsize=1 << 16)
def pair_name(a: str, b: str) -> tuple[str, ...]:
    """Two raters' codes in order, one tuple per pair for every item's figures (the demo
    data's items list 3,500 pairs each)."""
    return tuple(sorted((a, b)))


def kappa_figures(
    c: Context,
    names: list[str],
    figures: list[Figure],
    pending: list[Pending],
    position: int,
    method: str,
    coded: tuple[Codes, Vector] | None,
) -> Sequence[Figure]:
    """Cohen's kappa per pair of raters who share sessions, and pooled over the pairs: added
    to `figures`, or for more pairs than are resampled, the pairs' figures returned as a
    `PairFigures` (made when read) to follow them. `coded`: `codes_of(c)` (None when
    `c.n` is 0), made by the caller so that `c`'s values can be let go first."""
    kinds = {"kappa": "nominal"} if c.item.nominal else WEIGHTINGS
    if coded is None or c.n == 0:
        note = (
            "no two raters share a session"
            if c.n == 0
            else (f"more than {MAX_CATEGORIES} distinct values: see the ICC")
        )
        figures += [Figure(k, missing(note), 0, (), "pooled pairs") for k in kinds]
        return ()
    codes, positions = coded
    weightings = list(kinds.values())
    found = pair_rows(c.sessions, c.raters, codes, len(positions))
    per_pair, pooled, sessions_shared = found.kappas(found.counts(), positions, weightings)
    shared = sessions_shared[0].astype(np.int64)
    pair_names = [pair_name(names[a], names[b]) for a, b in found.pairs]
    shown = [p for p in range(len(found.pairs)) if shared[p] >= MIN_SESSIONS]
    few = len(found.pairs) - len(shown)
    order = sorted(shown, key=lambda p: (-shared[p], pair_names[p]))
    columns: list[tuple[str, int | None]] = []
    indices: list[int] = []
    rated = tuple(sorted({n for p in pair_names for n in p}))
    for kind, weights in kinds.items():
        value = float(pooled[weights][0])
        note = f"pooled over {len(found.pairs)} pair(s) of raters"
        if few:
            note += f"; {few} share(s) fewer than {MIN_SESSIONS} sessions"
        if math.isnan(value):
            estimate = missing(NO_VARIATION)
        elif c.n < MIN_SESSIONS:
            estimate = too_few(c.n, "rated by a pair")
        elif len(found.pairs) > MAX_RESAMPLED_PAIRS:
            estimate = Estimate(value, note=f"{note}; no interval: more than {MAX_RESAMPLED_PAIRS}")
        else:
            estimate = Estimate(value, note=note)
            columns.append((weights, None))
            indices.append(len(figures))
        figures.append(Figure(kind, estimate, c.n, rated, "pooled pairs"))
    resampled = len(found.pairs) <= MAX_RESAMPLED_PAIRS
    why = (
        ""
        if resampled
        else f"no interval: {len(found.pairs)} pairs of raters, more than "
        f"{MAX_RESAMPLED_PAIRS} to resample"
    )
    if not resampled:  # made when read: no interval will be set in them
        tail = PairFigures(tuple(kinds), why, NO_VARIATION)
        for p in order:
            values = [float(per_pair[weights][0, p]) for weights in kinds.values()]
            tail.add(values, int(shared[p]), pair_names[p])
        return tail
    for p in order:
        for kind, weights in kinds.items():
            value = float(per_pair[weights][0, p])
            estimate = missing(NO_VARIATION) if math.isnan(value) else Estimate(value, note=why)
            if not math.isnan(value):
                columns.append((weights, p))
                indices.append(len(figures))
            figures.append(Figure(kind, estimate, int(shared[p]), pair_names[p], "pair"))
    if columns:
        # only what `kappas` reads (an empty view would keep the sessions' memory)
        cells = replace(found, sessions=np.zeros(0, np.int32))

        # each figure's column among [each weighting's pairs..., each weighting's pooled]
        pairs_count = len(found.pairs)
        taken = np.array(
            [
                len(weightings) * pairs_count + weightings.index(w)
                if p is None
                else weightings.index(w) * pairs_count + p
                for w, p in columns
            ],
            np.intp,
        )

        def replicated(counts: Matrix) -> Matrix:
            """Each block of cell counts, turned into the figures' kappas at once."""
            each, pooled_, _ = cells.kappas(counts, positions, weightings)
            every = [each[w] for w in weightings] + [pooled_[w][:, None] for w in weightings]
            return np.concatenate(every, axis=1)[:, taken]

        rows, starts = c.rows[found.sessions].astype(row_type(c.resampled)), found.starts
        part = Cells(rows, starts, replicated)
        pending.append(Pending(position, indices, [part], lambda t: t[0], method))
    return ()
