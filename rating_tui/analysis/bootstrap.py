"""95% intervals for weighted kappa and Krippendorff's alpha, by resampling sessions.

Neither statistic has a closed-form interval that holds for every design met here (alpha with
missing values and any number of raters), so both get the percentile interval of a session
bootstrap: whole sessions are drawn with replacement, `REPLICATES` times, and the 2.5th and
97.5th percentiles of the replicated statistic are reported. The generator is seeded, so the
same data always give the same interval.

A replicate is a vector of counts (how often each session was drawn). Both statistics are sums
over sessions, so a block of replicates is a few matrix products on per-session sums rather
than `REPLICATES` recomputations. Alpha's ordinal metric keeps the ranks of the full data, as
Hayes & Krippendorff's (2007) bootstrap keeps the metric of the observed data.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.alpha import alpha_from_totals
from rating_tui.analysis.kappa import Weights, weighted_kappas

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]

REPLICATES = 1000
SEED = 2009
"""Fixed, so that an interval is reproducible (the year of Paris, Spielman & Bolton)."""
CELLS_PER_BLOCK = 2_000_000
"""Replicates are drawn in blocks of at most this many counts (16 MB of float64)."""
MIN_DEFINED = 0.95
"""An interval needs the statistic to be defined in at least this share of replicates (a
replicate can draw only sessions without variation); otherwise none is reported."""


def session_counts(sessions: int, replicates: int = REPLICATES) -> Iterator[Matrix]:
    """Blocks of replicates: each row counts how often each of `sessions` sessions was drawn
    (`sessions` draws with replacement)."""
    rng = np.random.default_rng(SEED)
    block = max(1, min(replicates, CELLS_PER_BLOCK // max(sessions, 1)))
    done = 0
    while done < replicates:
        rows = min(block, replicates - done)
        draws = rng.integers(0, sessions, size=(rows, sessions))
        offsets = (np.arange(rows) * sessions)[:, None]
        counts = np.bincount((draws + offsets).ravel(), minlength=rows * sessions)
        yield counts.reshape(rows, sessions).astype(np.float64)
        done += rows


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
    stacked = np.hstack(parts)
    replicated: list[list[Vector]] = [[] for _ in parts]
    for counts in session_counts(sessions):
        totals = counts @ stacked
        for i, found in enumerate(replicated):
            found.append(alpha_from_totals(totals[:, 4 * i : 4 * i + 4]))
    return [percentile_interval(np.concatenate(found)) for found in replicated]
