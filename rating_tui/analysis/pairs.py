"""Cohen's kappa for every pair of raters who share sessions, and pooled over the pairs.

Kappa does not need the whole item to have exactly two raters: each pair of raters is compared
on the sessions where both gave a value, so a stray rating by a third rater takes nothing away.
For a pair with marginal counts a_i, b_j over T shared sessions and disagreement weights w
(0/1 for unweighted kappa, |i - j| linear, (i - j)^2 quadratic; Cohen 1960, 1968):

    kappa = 1 - T * sum_s w(a_s, b_s) / sum_ij a_i b_j w_ij

The pooled kappa (De Vries et al. 2008) is 1 - sum_p O_p / sum_p E_p over the pairs, O_p the
pair's observed and E_p its expected disagreement totals, so pairs count by the sessions they
share. Every term is a sum over the pair's sessions (`pair_rows`), so bootstrap replicates are
weighted totals as for the other statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]
IntVector = npt.NDArray[np.int64]
MAX_CATEGORIES = 30
"""A scale with more distinct values than this gets no kappa (the ICC serves it)."""


@dataclass(frozen=True)
class PairRows:
    """Every (session, pair) of an item: one row per pair of raters per shared session,
    sorted by pair, and their per-row sums."""

    pairs: list[tuple[int, int]]
    """(rater, rater) of each pair, the lower index first."""
    starts: IntVector
    """Where each pair's rows begin (for `np.add.reduceat`)."""
    sessions: IntVector
    """The session of each row."""
    features: Matrix
    """Per row: 1, one disagreement column per weighting, then a one-hot of each rater's
    category (K columns each)."""
    categories: int


def weight_matrix(positions: Vector, weights: str) -> Matrix:
    """w_ij over the categories' positions: 0/1 ("nominal"), |i - j| or (i - j)^2."""
    gap = positions[:, None] - positions[None, :]
    if weights == "nominal":
        nominal: Matrix = (gap != 0).astype(np.float64)
        return nominal
    found: Matrix = np.abs(gap) if weights == "linear" else gap * gap
    return found


def pair_rows(
    sessions: IntVector,
    raters: IntVector,
    codes: IntVector,
    positions: Vector,
    weightings: list[str],
) -> PairRows:
    """Every pair of raters in every session (values given as category indices `codes` into
    `positions`), with the sums kappa needs under each of `weightings`."""
    order = np.lexsort((raters, sessions))
    s, r, c = sessions[order], raters[order], codes[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    sizes = np.diff(np.r_[starts, len(s)])
    first, second = [], []
    for gap in range(1, int(sizes.max()) if len(sizes) else 1):
        # value i paired with value i + gap of the same session, for every gap
        i = np.flatnonzero(np.r_[s[gap:] == s[:-gap], np.zeros(gap, bool)])
        first.append(i)
        second.append(i + gap)
    a = np.concatenate(first) if first else np.zeros(0, np.int64)
    b = np.concatenate(second) if second else np.zeros(0, np.int64)
    k = len(positions)
    pair_code = r[a] * (int(r.max()) + 1 if len(r) else 1) + r[b]
    order = np.argsort(pair_code, kind="stable")
    a, b, pair_code = a[order], b[order], pair_code[order]
    bounds = (
        np.flatnonzero(np.r_[True, pair_code[1:] != pair_code[:-1]])
        if len(a)
        else np.zeros(0, np.int64)
    )
    features = np.zeros((len(a), 1 + len(weightings) + 2 * k))
    features[:, 0] = 1
    for j, weights in enumerate(weightings):
        features[:, 1 + j] = weight_matrix(positions, weights)[c[a], c[b]]
    rows = np.arange(len(a))
    base = 1 + len(weightings)
    features[rows, base + c[a]] = 1
    features[rows, base + k + c[b]] = 1
    pairs = [(int(r[a[i]]), int(r[b[i]])) for i in bounds.tolist()]
    return PairRows(pairs, bounds.astype(np.int64), s[a], features, k)


def kappas_from_totals(
    totals: Matrix, positions: Vector, weightings: list[str]
) -> tuple[dict[str, Matrix], dict[str, Vector]]:
    """Per weighting: kappa of each pair (replicates x pairs) and the pooled kappa (per
    replicate), from totals of `PairRows.features` per pair (replicates x pairs x columns)."""
    k = len(positions)
    base = 1 + len(weightings)
    t = totals[:, :, 0]
    margin_a, margin_b = totals[:, :, base : base + k], totals[:, :, base + k :]
    per_pair, pooled = {}, {}
    for j, weights in enumerate(weightings):
        w = weight_matrix(positions, weights)
        observed = totals[:, :, 1 + j]
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = np.einsum("rpi,ij,rpj->rp", margin_a, w, margin_b) / t
            per_pair[weights] = np.where(
                (t > 0) & (expected > 1e-12), 1 - observed / expected, np.nan
            )
            expected = np.where(t > 0, expected, 0.0)
            total_e = expected.sum(axis=1)
            pooled[weights] = np.where(total_e > 1e-12, 1 - observed.sum(axis=1) / total_e, np.nan)
    return per_pair, pooled
