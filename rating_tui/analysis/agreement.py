"""Inter-rater agreement per item: which sessions each statistic uses, and the figures.

How each statistic treats missing values (not-observed / not-applicable codes and unanswered
items alike count as "no value"):
- ICC needs a complete sessions x raters matrix. It uses the largest complete block: the set of
  raters who, together, gave a value in the most sessions (counting sessions x raters, so that
  a team of three that rated 40 sessions beats a pair that rated 50), and only those sessions.
- Weighted kappa needs exactly two raters with values on the item (pick two with a filter);
  it uses the sessions where both gave a value.
- Krippendorff's alpha uses every session with two or more values, whoever gave them.

ICC intervals are the F-based ones of the ICC forms; kappa and alpha intervals come from a
session bootstrap (`bootstrap.py`).

Needs numpy and scipy (`rating-tui[stats]`): check `results.stats_missing()` before importing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.alpha import Level, Matrix, alpha_of, alpha_sums
from rating_tui.analysis.bootstrap import alpha_intervals, kappa_interval
from rating_tui.analysis.icc import icc
from rating_tui.analysis.kappa import Weights, weighted_kappa
from rating_tui.analysis.pairing import ItemScale, SessionTable
from rating_tui.analysis.results import (
    ICC_FORMS,
    KAPPAS,
    MIN_SESSIONS,
    Estimate,
    Figure,
    missing,
    too_few,
)

NO_VARIATION = "no variation: every value is the same"
Vector = npt.NDArray[np.int64]
Pending = tuple[int, Matrix]
"""An alpha figure's index among its item's figures, and its `alpha.alpha_sums`."""
MAX_ENUMERATED = 12
"""Rater sets larger than this (a workshop where 20 trainees rate one video) are taken whole
as candidate blocks; smaller ones contribute every subset of two or more raters."""


@dataclass(frozen=True)
class ItemAgreement:
    """Every statistic of one item, and what was set aside."""

    item: ItemScale
    sessions: int
    """Sessions with values from two or more raters."""
    coded: int
    """Not-observed / not-applicable codes, left out of every statistic."""
    figures: list[Figure]


def _subsets(mask: int) -> list[int]:
    """Every sub-mask of `mask` with at least two bits set."""
    found, sub = [], mask
    while sub:
        if sub.bit_count() >= 2:
            found.append(sub)
        sub = (sub - 1) & mask
    return found


def best_block(masks: Counter[int], names: list[str]) -> int:
    """The rater set (a bit mask over `names`) that covers the most values: sessions whose
    raters include the whole set, times its size; ties go to more sessions, then names."""
    coverage: Counter[int] = Counter()
    large = {m: c for m, c in masks.items() if m.bit_count() > MAX_ENUMERATED}
    for mask, count in masks.items():
        if mask not in large:
            for sub in _subsets(mask):
                coverage[sub] += count
    for mask in large:
        coverage[mask] += 0
    for candidate in list(coverage):
        coverage[candidate] += sum(c for m, c in large.items() if m & candidate == candidate)
    if not coverage:
        return 0

    def rank(mask: int) -> tuple[int, int, list[str]]:
        members = [names[i] for i in range(len(names)) if mask >> i & 1]
        return (-coverage[mask] * mask.bit_count(), -coverage[mask], members)

    return min(coverage, key=rank)


def _positions(item: ItemScale, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Values as scale points (vectorised `ItemScale.position`)."""
    if item.kind == "likert":
        points = np.asarray(item.points)
        return np.searchsorted(points, x).astype(np.float64)
    return (x - item.low) / item.step


def item_agreement(table: SessionTable, column: int) -> tuple[ItemAgreement, list[Pending]]:
    """All statistics of one item of `table`, and the alphas whose intervals are still to
    be computed (`agreement` computes those of every item from one set of resamples)."""
    item = table.items[column]
    values = np.frombuffer(table.values[column], dtype=np.float64)
    valid = ~np.isnan(values)
    sessions = np.frombuffer(table.row_session, dtype=np.int64)[valid]
    raters = np.frombuffer(table.row_rater, dtype=np.int64)[valid]
    x = values[valid]
    masks: dict[int, int] = {}
    for s, r in zip(sessions.tolist(), raters.tolist(), strict=True):
        masks[s] = masks.get(s, 0) | (1 << r)
    sets = Counter(m for m in masks.values() if m.bit_count() >= 2)
    paired = sum(sets.values())
    block = best_block(sets, table.raters)
    members = sorted(
        (i for i in range(len(table.raters)) if block >> i & 1), key=table.raters.__getitem__
    )
    names = tuple(table.raters[i] for i in members)
    rows = [s for s, m in masks.items() if block and m & block == block]
    matrix = _block_matrix(table, sessions, raters, x, rows, members)

    figures = _icc_figures(matrix, names)
    figures += _kappa_figures(item, len(np.unique(raters)), matrix, names)
    everyone = tuple(sorted(table.raters[i] for i in np.unique(raters).tolist()))
    pending: list[Pending] = []
    for level in ("ordinal", "interval"):
        if paired < MIN_SESSIONS:
            estimate = too_few(paired, "with two or more values")
        else:
            metric: Level = "ordinal" if level == "ordinal" else "interval"
            sums = alpha_sums(sessions, x, metric, len(table.sessions))
            value = alpha_of(sums)
            estimate = Estimate(value) if value is not None else missing(NO_VARIATION)
            if value is not None:
                pending.append((len(figures), sums))
        figures.append(Figure(f"alpha ({level})", estimate, paired, everyone))
    return ItemAgreement(item, paired, table.coded_count(column), figures), pending


def _block_matrix(
    table: SessionTable,
    sessions: Vector,
    raters: Vector,
    x: npt.NDArray[np.float64],
    rows: list[int],
    members: list[int],
) -> npt.NDArray[np.float64]:
    """The complete sessions x raters matrix of the block (rows: `rows`, columns: `members`)."""
    row_of = np.full(len(table.sessions), -1, np.int64)
    row_of[rows] = np.arange(len(rows))
    col_of = np.full(len(table.raters), -1, np.int64)
    col_of[members] = np.arange(len(members))
    keep = (row_of[sessions] >= 0) & (col_of[raters] >= 0)
    matrix = np.full((len(rows), len(members)), np.nan)
    matrix[row_of[sessions[keep]], col_of[raters[keep]]] = x[keep]
    return matrix


def _icc_figures(matrix: npt.NDArray[np.float64], names: tuple[str, ...]) -> list[Figure]:
    n = len(matrix)
    if n < MIN_SESSIONS:
        estimate = too_few(n, "rated by the same two or more raters")
        return [Figure(form, estimate, n, names) for form in ICC_FORMS]
    return [Figure(form, e, n, names) for form, e in icc(matrix).items()]


def _kappa_figures(
    item: ItemScale, found: int, matrix: npt.NDArray[np.float64], names: tuple[str, ...]
) -> list[Figure]:
    """Kappa where exactly two raters rated the item (the block is then that pair)."""
    n = len(matrix)
    if found != 2:
        estimate = missing(f"needs exactly two raters; {found} rated this item")
        return [Figure(kind, estimate, 0, ()) for kind in KAPPAS]
    if n < MIN_SESSIONS:
        return [Figure(kind, too_few(n, "rated by both"), n, names) for kind in KAPPAS]
    a, b = _positions(item, matrix[:, 0]), _positions(item, matrix[:, 1])
    figures = []
    for kind, weights in zip(KAPPAS, ("linear", "quadratic"), strict=True):
        kind_of: Weights = "linear" if weights == "linear" else "quadratic"
        value = weighted_kappa(a, b, kind_of)
        estimate = (
            _with_interval(value, kappa_interval(a, b, kind_of))
            if value is not None
            else missing(NO_VARIATION)
        )
        figures.append(Figure(kind, estimate, n, names))
    return figures


def _with_interval(value: float, interval: tuple[float, float] | None) -> Estimate:
    return Estimate(value, *interval) if interval else Estimate(value)


def agreement(table: SessionTable) -> list[ItemAgreement]:
    """Every analysed item of `table`, in the instrument's order."""
    found = [item_agreement(table, column) for column in range(len(table.items))]
    waiting = [(i, index, sums) for i, (_, pending) in enumerate(found) for index, sums in pending]
    intervals = alpha_intervals(len(table.sessions), [sums for _, _, sums in waiting])
    results = [result for result, _ in found]
    for (i, index, _), interval in zip(waiting, intervals, strict=True):
        figure = results[i].figures[index]
        assert figure.estimate.value is not None
        results[i].figures[index] = replace(
            figure, estimate=_with_interval(figure.estimate.value, interval)
        )
    return results
