"""Cohen's kappa for every pair of raters who share sessions, and pooled over the pairs.

Kappa does not need the whole item to have exactly two raters: each pair of raters is compared
on the sessions where both gave a value, so a stray rating by a third rater takes nothing away.
For a pair with marginal counts a_i, b_j over T shared sessions and disagreement weights w
(0/1 for unweighted kappa, |i - j| linear, (i - j)^2 quadratic; Cohen 1960, 1968):

    kappa = 1 - T * sum_s w(a_s, b_s) / sum_ij a_i b_j w_ij

The pooled kappa (De Vries et al. 2008) is 1 - sum_p O_p / sum_p E_p over the pairs, O_p the
pair's observed and E_p its expected disagreement totals, so pairs count by the sessions they
share. Every term comes from the pair's K x K table of categories, whose cells are sums over
the pair's sessions (`pair_rows`), so a bootstrap replicate is a weighted total as for the
other statistics: no one-hot column per category and row is ever made.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]
IntVector = npt.NDArray[np.int64]
MAX_CATEGORIES = 30
"""A scale with more distinct values than this gets no kappa (the ICC serves it)."""


@dataclass(frozen=True)
class PairRows:
    """Every (session, pair) of an item as a cell of that pair's K x K table of categories:
    one row per pair of raters per shared session, sorted by cell."""

    pairs: list[tuple[int, int]]
    """(rater, rater) of each pair, the lower index first."""
    sessions: npt.NDArray[np.int32]
    """The session of each row."""
    cells: IntVector
    """The cells that hold rows (pair * K * K + first rater's category * K + second's), and
    where their rows begin (`starts`): a cell's count is a sum over its sessions."""
    starts: IntVector
    categories: int

    def counts(self) -> Matrix:
        """How many rows each cell holds (1 x cells): the data's counts."""
        found: Matrix = np.diff(np.r_[self.starts, len(self.sessions)]).astype(np.float64)
        return found[None, :]

    def kappas(
        self, counts: Matrix, positions: Vector, weightings: list[str]
    ) -> tuple[dict[str, Matrix], dict[str, Vector], Matrix]:
        """`kappas_from_margins` of each row of cell `counts` (replicates x cells), and the
        sessions each pair shares (replicates x pairs)."""
        k, n = self.categories, len(self.pairs)
        by_pair, by_first, by_second = self._groupings
        r = len(counts)
        shared = by_pair.sums(counts)
        margin_a = by_first.sums(counts).reshape(r, n, k)
        margin_b = by_second.sums(counts).reshape(r, n, k)
        observed = {w: by_pair.sums(counts * self._cell_weights(positions, w)) for w in weightings}
        per_pair, pooled = kappas_from_margins(
            shared, observed, margin_a, margin_b, positions, weightings
        )
        return per_pair, pooled, shared

    def _cell_weights(self, positions: Vector, weights: str) -> Vector:
        """The disagreement weight of each cell, made once per weighting and positions (a
        bootstrap calls `kappas` for every few replicates)."""
        key = (weights, positions.tobytes())
        found = self._weights.get(key)
        if found is None:
            k = self.categories
            found = self._weights[key] = weight_matrix(positions, weights)[
                self.cells // k % k, self.cells % k
            ]
        return found

    @cached_property
    def _weights(self) -> dict[tuple[str, bytes], Vector]:
        return {}

    @cached_property
    def _groupings(self) -> tuple[Grouping, Grouping, Grouping]:
        """The cells grouped by pair, by (pair, first rater's category) and by (pair,
        second rater's category): sorted once, used for every block of replicates."""
        k, n = self.categories, len(self.pairs)
        pair, first, second = self.cells // (k * k), self.cells // k % k, self.cells % k
        return (
            Grouping.of(pair, n),
            Grouping.of(pair * k + first, n * k),
            Grouping.of(pair * k + second, n * k),
        )


@dataclass(frozen=True)
class Grouping:
    """Columns summed by group: `order` sorts them by group, `starts` begins each present
    group (`present`), out of `groups`."""

    order: IntVector | None
    """None when the columns are in order already (by pair, by pair and first category)."""
    starts: IntVector
    present: IntVector
    groups: int

    @classmethod
    def of(cls, group: IntVector, groups: int) -> Grouping:
        order = np.argsort(group, kind="stable")
        g = group[order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else g[:0]
        in_order = bool((order == np.arange(len(order))).all())
        return cls(None if in_order else order, starts, g[starts], groups)

    def sums(self, counts: Matrix) -> Matrix:
        """The columns of `counts` summed by group: replicates x groups."""
        out = np.zeros((len(counts), self.groups))
        if len(self.starts):
            # the columns in group order: the same C-ordered numbers either way
            ordered = np.ascontiguousarray(counts if self.order is None else counts[:, self.order])
            out[:, self.present] = np.add.reduceat(ordered, self.starts, axis=1)
        return out


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
    raters: npt.NDArray[np.integer[Any]],
    codes: IntVector,
    categories: int,
) -> PairRows:
    """Every pair of raters in every session, values given as category indices `codes`
    (0..`categories` - 1)."""
    # int32 throughout, each array let go once used: these are the item's largest arrays
    width = int(raters.max()) + 1 if len(raters) else 1
    # by session, then rater: np.lexsort's order, from one stable sort of a single key
    # (the key 32-bit where it fits: the same order, half the bytes)
    top = (int(sessions.max()) + 1) * width if len(sessions) else 0
    key: npt.NDArray[np.signedinteger[Any]]
    key = sessions.astype(np.int32 if top < 1 << 31 else np.int64)
    key *= width
    key += raters
    order = np.argsort(key, kind="stable")
    del key
    if len(order) < 1 << 31:  # 32-bit positions: half the bytes under s, r and c below
        order = order.astype(np.int32)
    # each taken in order once, in its own type (32-bit sessions and raters, byte codes
    # where they fit): no second copy converted
    s = sessions[order].astype(np.int32, copy=False)
    r = raters[order].astype(np.int32, copy=False)
    c = codes[order]
    if c.dtype.itemsize > 4:
        c = c.astype(np.int32)
    del order
    sizes = _run_sizes(s)
    a, b = _pairs_within(s, sizes)
    del sizes
    k = categories
    # the pairs met, in the order of their codes, and each row's pair among them: what
    # np.unique gives, counted over the few possible codes instead of sorting every row
    code: npt.NDArray[np.signedinteger[Any]]
    code = r[a].astype(np.int64 if width * width >= 1 << 31 else np.int32)
    code *= width
    code += r[b]
    del r
    met = np.flatnonzero(np.bincount(code, minlength=width * width))
    pairs = [(int(p // width), int(p % width)) for p in met]
    wide = len(pairs) * k * k >= 1 << 31  # cells numbered in int32 where they fit
    pair_of = np.zeros(width * width, np.int64 if wide else np.int32)
    pair_of[met] = np.arange(len(met))
    cell = pair_of[code]
    del code, pair_of
    cell *= k
    cell += c[a]
    cell *= k
    cell += c[b]
    rows = s[a]
    del c, s, a, b
    # stable: one order, whatever the dtype; 16-bit cells are sorted by radix, faster
    small = len(cell) and int(cell.max()) < 1 << 15
    order = np.argsort(cell.astype(np.int16) if small else cell, kind="stable")
    cell = cell[order]
    rows = rows[order]
    del order
    bounds = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else cell[:0]
    return PairRows(pairs, rows, cell[bounds].astype(np.int64), bounds.astype(np.int64), k)


def _run_sizes(s: npt.NDArray[np.int32]) -> IntVector:
    """The length of each run of equal values of `s`, in order: what
    `np.diff(np.r_[np.flatnonzero(np.r_[True, s[1:] != s[:-1]]), len(s)])` gives, with one
    vector of the runs' starts beside the result rather than three made in turn."""
    if len(s) == 0:
        return np.zeros(1, np.int64)
    change = np.empty(len(s), bool)
    change[0] = True
    np.not_equal(s[1:], s[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    del change
    sizes = np.empty(len(starts), np.int64)
    np.subtract(starts[1:], starts[:-1], out=sizes[:-1])
    sizes[-1] = len(s) - starts[-1]
    return sizes


def _pairs_within(
    s: npt.NDArray[np.int32], sizes: IntVector
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Positions (i, j), i < j, of every two values of one session in `s` (sorted by
    session, `sizes` values each): i paired with i + 1 of the same session, then with i + 2,
    and so on, filled into two arrays made once at their full length."""
    total = int((sizes * (sizes - 1) // 2).sum())
    a, b = np.empty(total, np.int32), np.empty(total, np.int32)
    at = 0
    for gap in range(1, int(sizes.max()) if len(sizes) else 1):
        i = np.flatnonzero(s[gap:] == s[:-gap])
        a[at : at + len(i)] = i
        i += gap
        b[at : at + len(i)] = i
        at += len(i)
    return a, b


def kappas_from_margins(
    shared: Matrix,
    observed: dict[str, Matrix],
    margin_a: Matrix,
    margin_b: Matrix,
    positions: Vector,
    weightings: list[str],
) -> tuple[dict[str, Matrix], dict[str, Vector]]:
    """Per weighting: kappa of each pair (replicates x pairs) and the pooled kappa (per
    replicate), from each pair's shared sessions T (replicates x pairs), observed
    disagreement totals and the two raters' category counts (replicates x pairs x K)."""
    t = shared
    per_pair, pooled = {}, {}
    for weights in weightings:
        w = weight_matrix(positions, weights)
        with np.errstate(divide="ignore", invalid="ignore"):
            # sum_ij a_i w_ij b_j per replicate and pair (what einsum "rpi,ij,rpj->rp" gives,
            # several times faster; exact for the integer weights of categories' positions)
            expected = (margin_a @ w * margin_b).sum(axis=2) / t
            per_pair[weights] = np.where(
                (t > 0) & (expected > 1e-12), 1 - observed[weights] / expected, np.nan
            )
            expected = np.where(t > 0, expected, 0.0)
            total_e = expected.sum(axis=1)
            pooled[weights] = np.where(
                total_e > 1e-12, 1 - observed[weights].sum(axis=1) / total_e, np.nan
            )
    return per_pair, pooled
