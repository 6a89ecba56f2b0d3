"""95% intervals by resampling sessions, or whole dyads (a cluster bootstrap).

Kappa, alpha, Fleiss' kappa and AC1 have no closed-form interval that holds for every design met
here (missing values, any number of raters), so they get the percentile interval of a
bootstrap: whole sessions are drawn with replacement, `REPLICATES` times, and the 2.5th and
97.5th percentiles of the replicated statistic are reported. Sessions of one dyad are not
independent, so the dyad bootstrap draws dyads instead, each with all its sessions (then the
one-way ICC's interval comes from the same replicates rather than the F distribution). Only
sessions that carry information (two or more values on some item) are resampled. The
generator is seeded, so the same data always give the same interval.

A replicate is a vector of counts (how often each session was drawn). Both statistics are sums
over sessions, so a block of replicates is a few matrix products on per-session sums rather
than `REPLICATES` recomputations. Alpha's ordinal metric keeps the ranks of the full data, as
Hayes & Krippendorff's (2007) bootstrap keeps the metric of the observed data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.alpha import alpha_from_totals
from rating_tui.analysis.kappa import Weights, weighted_kappas

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]

REPLICATES = 1000
SEED = 2009
"""Fixed, so that an interval is reproducible (the year of Paris, Spielman & Bolton)."""
CELLS_PER_BLOCK = 500_000
"""Replicates are drawn in blocks of at most this many counts (4 MB of float64)."""
MIN_DEFINED = 0.95
"""An interval needs the statistic to be defined in at least this share of replicates (a
replicate can draw only sessions without variation); otherwise none is reported."""


def session_counts(sessions: int, replicates: int = REPLICATES) -> Iterator[Matrix]:
    """Blocks of replicates: each row counts how often each of `sessions` sessions was drawn
    (`sessions` draws with replacement)."""
    return cluster_counts(None, sessions, replicates)


def cluster_counts(
    clusters: npt.NDArray[np.int64] | None, sessions: int, replicates: int = REPLICATES
) -> Iterator[Matrix]:
    """Blocks of replicates of `sessions` sessions; with `clusters` (the cluster of each
    session, 0..C-1), C clusters are drawn with replacement and each session counts as often
    as its cluster was drawn."""
    rng = np.random.default_rng(SEED)
    units = sessions if clusters is None else int(clusters.max()) + 1 if len(clusters) else 0
    block = max(1, min(replicates, CELLS_PER_BLOCK // max(sessions, 1)))
    done = 0
    while done < replicates:
        rows = min(block, replicates - done)
        draws = rng.integers(0, max(units, 1), size=(rows, units))
        offsets = (np.arange(rows) * units)[:, None]
        counts = np.bincount((draws + offsets).ravel(), minlength=rows * units)
        drawn = counts.reshape(rows, units).astype(np.float64)
        yield drawn if clusters is None else drawn[:, clusters]
        done += rows


@dataclass(frozen=True)
class Sums:
    """Per-session sums of one statistic: `features[i]` belongs to resampled session
    `rows[i]`; with `starts`, rows are sorted into groups (pairs of raters) beginning there."""

    rows: npt.NDArray[np.int64]
    features: Matrix
    starts: npt.NDArray[np.int64] | None = None
    reduce: Callable[[Matrix], Matrix] | None = None
    """Applied to each block of replicate totals as it is made (`replicate_totals`), so that
    only what the statistic needs is kept (a pooled kappa, not every pair's sums)."""
    matrix: Any = None
    """`grouped_matrix()`, once made by `compact`."""

    def totals(self, counts: Matrix | None = None) -> Matrix:
        """Totals of the features: of the data (no `counts`; shape 1 x width, or 1 x groups
        x width) or of each replicate (a row of `counts` per replicate)."""
        weights = np.ones((1, len(self.rows))) if counts is None else counts[:, self.rows]
        if self.starts is None:
            found: Matrix = weights @ self.features
            return found
        if len(self.rows) == 0:
            return np.zeros((len(weights), 0, self.features.shape[1]))
        columns = [
            np.add.reduceat(weights * self.features[:, j], self.starts, axis=1)
            for j in range(self.features.shape[1])
        ]
        stacked: Matrix = np.stack(columns, axis=2)
        return stacked

    def grouped_matrix(self) -> Any:
        """The sums of each group as a sparse (sessions) x (groups * width) matrix, so that a
        block of replicates is one sparse product; it has rows up to the last session used."""
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped, import-not-found, unused-ignore]

        assert self.starts is not None
        width = self.features.shape[1]
        sizes = np.diff(np.r_[self.starts, len(self.rows)])
        group = np.repeat(np.arange(len(self.starts)), sizes)
        at, column = np.nonzero(self.features)  # one-hot columns: mostly zero, not stored
        return csr_matrix(
            (self.features[at, column], (self.rows[at], group[at] * width + column)),
            shape=(int(self.rows.max()) + 1 if len(self.rows) else 0, len(self.starts) * width),
        )

    def compact(self) -> Sums:
        """The same sums holding only their sparse matrix (`matrix`), for a part that waits
        for the bootstrap: a pair's one-hot columns would otherwise stay in memory."""
        if self.starts is None:
            return self
        empty = np.zeros((0, self.features.shape[1]))
        return Sums(self.rows[:0], empty, self.starts, self.reduce, self.grouped_matrix())


def replicate_totals(
    parts: list[Sums],
    sessions: int,
    clusters: npt.NDArray[np.int64] | None = None,
    replicates: int = REPLICATES,
) -> list[Matrix]:
    """Each part's totals in every replicate, all parts from the same resamples. Parts
    without groups are laid side by side over all sessions, so that a block of replicates
    is one matrix product for all of them."""
    found: list[list[Matrix]] = [[] for _ in parts]
    if not parts or sessions == 0:
        return [np.zeros((0, *p.totals().shape[1:])) for p in parts]
    plain = [i for i, p in enumerate(parts) if p.starts is None]
    widths = [parts[i].features.shape[1] for i in plain]
    edges = np.r_[0, np.cumsum(widths)].astype(np.int64)
    stacked = np.zeros((sessions, int(edges[-1])))
    for i, start, end in zip(plain, edges[:-1], edges[1:], strict=True):
        np.add.at(stacked[:, start:end], parts[i].rows, parts[i].features)
    grouped = {
        i: p.matrix if p.matrix is not None else p.grouped_matrix()
        for i, p in enumerate(parts)
        if p.starts is not None
    }
    for counts in cluster_counts(clusters, sessions, replicates):
        if plain:
            totals = counts @ stacked
            for i, start, end in zip(plain, edges[:-1], edges[1:], strict=True):
                found[i].append(_reduced(parts[i], totals[:, start:end]))
        for i, matrix in grouped.items():
            width = parts[i].features.shape[1]
            used = counts[:, : matrix.shape[0]]
            block = np.asarray(matrix.T @ used.T).T.reshape(len(counts), -1, width)
            found[i].append(_reduced(parts[i], block))
    return [np.concatenate(blocks) for blocks in found]


def _reduced(part: Sums, totals: Matrix) -> Matrix:
    return totals if part.reduce is None else part.reduce(totals)


def percentile_interval(replicated: Vector) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentiles of the defined replicates (NaN: undefined)."""
    defined = replicated[np.isfinite(replicated)]
    if len(replicated) == 0 or len(defined) < MIN_DEFINED * len(replicated):
        return None
    low, high = np.percentile(defined, [2.5, 97.5])
    return float(low), float(high)


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
