"""Inter-rater agreement per item: the design, which sessions each statistic uses, the figures.

Every statistic uses every session with two or more values wherever its model allows:
- one-way random ICC(1,1) and ICC(1,k): all such sessions, whoever rated them (unbalanced
  designs included; k is the adjusted mean number of raters per session, `oneway.py`);
- two-way ICCs need raters crossed with sessions: all sessions when the design is fully
  crossed, the largest complete block for a fixed team with gaps (said with its size), and
  for rotating raters no number, only how many sessions that block would hold;
- Krippendorff's alpha (ordinal, interval, nominal), Fleiss' kappa, Gwet's AC1: all sessions;
- Cohen's kappa (weighted on ordered scales, unweighted on nominal ones): per pair of raters on
  the sessions both rated, and pooled over the pairs (`pairs.py`).
An instrument's computed score (`[[scores]]`) is an interval variable: the ICCs and interval
alpha, no ordinal alpha and no kappa.
Each item gets a recommended statistic for its design (`ItemAgreement.headline`).

ICC intervals are F-based; the others come from one bootstrap shared by every item
(`bootstrap.py`), over sessions or, with `resample="dyad"`, over dyads (then the one-way ICC's
interval too). It runs in rounds of a few items (`BOOTSTRAP_BYTES`), each round drawing the
same resamples from the seed, so that only those items' per-session sums are held at once.
Needs numpy (`rating-tui[stats]`): check `results.stats_missing()`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from rating_tui.analysis import design as designs
from rating_tui.analysis.alpha import (
    Ranks,
    alpha_from_totals,
    alpha_ranged,
    alpha_sums,
    midrank_table,
)
from rating_tui.analysis.bootstrap import (
    Part,
    Remade,
    Sums,
    grouped,
    part_arrays,
    percentile_interval,
    replicate_totals,
    sums_part,
)
from rating_tui.analysis.categorical import (
    NO_VARIATION,
    Context,
    Pending,
    codes_of,
    kappa_figures,
    nominal_figures,
)
from rating_tui.analysis.design import Design, design_of
from rating_tui.analysis.itemscale import ItemScale
from rating_tui.analysis.itemvalues import (
    Index,
    ItemValues,
    TableItems,
    item_values,
    paired_values,
    value_counts,
)
from rating_tui.analysis.libc import map_large_arrays, release_free_pages
from rating_tui.analysis.oneway import (
    anova_of,
    f_interval,
    icc_from_totals,
    oneway_sums,
    oneway_totals,
)
from rating_tui.analysis.parts import totals_and_part
from rating_tui.analysis.ratersets import rater_sets
from rating_tui.analysis.results import (
    ALPHAS,
    MIN_SESSIONS,
    Estimate,
    Figure,
    Figures,
    missing,
    too_few,
)
from rating_tui.analysis.runs import grouped_ranged
from rating_tui.analysis.sessiontable import SessionTable
from rating_tui.analysis.twoway import two_way_figures

__all__ = [
    "ItemAgreement",
    "ItemValues",
    "agreement",
    "agreement_of",
    "item_values",
    "paired_values",
]
Resample = Literal["session", "dyad"]
BOOTSTRAP_BYTES = 5 << 20
"""The per-session sums of the items waiting for the bootstrap are resampled once they hold
this much: the items read so far get their intervals and their sums are let go. Each round
draws the same resamples again from the seed (`bootstrap.SEED`), so an interval does not
depend on the round its item fell in; a round costs the draws again, fewer rounds hold more
memory."""
IntVector = npt.NDArray[np.int64]
Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]
Maker = Callable[[], Matrix]


@dataclass(frozen=True)
class ItemAgreement:
    """Every statistic of one item, its design, and what was set aside."""

    item: ItemScale
    sessions: int
    """Sessions with values from two or more raters."""
    coded: int
    design: Design
    figures: Figures
    """Its figures (a sequence: kappa per pair of many raters made when read)."""
    recommended: int | None = None
    """Index in `figures` of the statistic recommended for the design."""

    @property
    def headline(self) -> Figure | None:
        return None if self.recommended is None else self.figures[self.recommended]


def agreement(
    table: SessionTable, resample: Resample = "session", consume: bool = False
) -> list[ItemAgreement]:
    """Every analysed item of `table`, in the instrument's order (for a large table, the C
    library's heap set up for the statistics first: `map_large_arrays`). `consume`: the
    table is read for this analysis only, and its columns are let go as the items are read
    (`TableItems.release`): it is then no longer whole."""
    large = len(table.row_session) >= MAPPED_FROM_ROWS
    if large:
        map_large_arrays()
    dyads = table.dyad_codes() if table.dyad_first else None
    items = TableItems(table, consume)
    return agreement_of(items, table.raters, table.session_count, dyads, resample, trim=large)


MAPPED_FROM_ROWS = 500_000
"""Tables of this many rows or more get `map_large_arrays`: at 100,000 ratings it saved no
memory and cost 0.3 s of system time (the arrays of about 1 MiB made again and again were
then mapped and faulted in each time), against 8 MiB less at a million for 0.4 s."""


def agreement_of(
    items: Sequence[ItemValues],
    raters: list[str],
    sessions: int,
    dyads: Sequence[Hashable] | None = None,
    resample: Resample = "session",
    trim: bool = False,
) -> list[ItemAgreement]:
    """Agreement of several items (or scores) rated in the same `sessions` sessions by
    `raters`; `dyads[s]` is session s's dyad (needed for `resample="dyad"`). `trim`: after
    each item, hand the heap's free pages back (`release_free_pages`)."""
    paired = np.zeros(sessions, bool)  # sessions with two or more values on some item
    for column in range(len(items)):
        if isinstance(items, TableItems):
            paired |= items.paired_sessions(column)
        else:
            paired |= value_counts(items[column].sessions, sessions) >= 2
    # the sessions resampled, in order: session informative[i] is the bootstrap's row i (each
    # item's found by a binary search, not a table of every session: 4 bytes a session)
    informative = np.flatnonzero(paired).astype(np.int32)  # < 2**31 as sessions are
    del paired
    clusters = None
    if resample == "dyad":
        if dyads is None:
            raise ValueError("the dyad bootstrap needs a dyad field in the instrument")
        codes: dict[Hashable, int] = {}
        clusters = np.array(
            [codes.setdefault(dyads[s], len(codes)) for s in informative.tolist()], np.int64
        )
    method = f"{resample} bootstrap"
    results: list[ItemAgreement] = []
    waiting: list[Pending] = []
    held = 0
    for i in range(len(items)):
        result, pending = _item(items, raters, informative, sessions, i, method, resample == "dyad")
        results.append(result)
        waiting += pending
        held += sum(
            a.nbytes
            for a in {
                id(a): a for p in pending for part in p.parts for a in part_arrays(part)
            }.values()
        )
        del pending  # held by `waiting` alone, so gone with it
        if held >= BOOTSTRAP_BYTES:
            _intervals(waiting, results, len(informative), clusters)
            waiting, held = [], 0
        if trim:
            release_free_pages()
    _intervals(waiting, results, len(informative), clusters)
    return results


def _compact(pending: list[Pending], sessions: int) -> list[Pending]:
    """One item's figures waiting for the bootstrap, their per-session sums grouped into
    runs of equal rows where they repeat (`bootstrap.grouped`), else spread over the
    `sessions` resampled sessions."""
    sums = [part for p in pending for part in p.parts if isinstance(part, Sums | Remade)]
    runs = grouped_ranged(sums, sessions) or grouped(sums, sessions)
    made = dict(zip(map(id, sums), runs, strict=True))
    return [replace(p, parts=[made.get(id(part), part) for part in p.parts]) for p in pending]


def _intervals(
    pending: list[Pending],
    results: list[ItemAgreement],
    sessions: int,
    clusters: IntVector | None,
) -> None:
    """The bootstrap intervals of the `pending` figures, set in `results`."""
    if not pending:
        return
    parts = [part for p in pending for part in p.parts]
    totals = replicate_totals(parts, sessions, clusters)
    del parts
    at = 0
    for p in pending:
        replicated = p.finish(totals[at : at + len(p.parts)])
        at += len(p.parts)
        figures = results[p.item].figures
        for column, f in enumerate(p.figures):
            figure = figures[f]
            interval = percentile_interval(replicated[:, column])
            assert figure.estimate.value is not None
            estimate = _with_interval(figure.estimate.value, interval, figure.estimate.note)
            figures[f] = replace(figure, estimate=estimate, interval=p.method)


def _with_interval(value: float, interval: tuple[float, float] | None, note: str = "") -> Estimate:
    if interval is None:
        return Estimate(value, note=note or "no interval: too little variation in resamples")
    return Estimate(value, *interval, note=note)


def _item(
    items: Sequence[ItemValues],
    names: list[str],
    informative: Index,
    count: int,
    position: int,
    method: str,
    dyad: bool,
) -> tuple[ItemAgreement, list[Pending]]:
    found = items[position]  # read here, so that it is gone before the statistics run
    item, coded = found.item, found.coded
    sessions, raters, x = found.sessions, found.raters, found.values
    del found
    two = value_counts(sessions, count) >= 2  # a byte per session: its counts let go
    paired = np.flatnonzero(two)
    keep = two[sessions]  # a byte per value, not 8 as m[sessions] would take
    del two
    if not keep.all():  # one array at a time, each copy replacing its original
        sessions = sessions[keep]
        raters = raters[keep]
        x = x[keep]
    del keep
    local_of = np.full(count, -1, np.int32)
    local_of[paired] = np.arange(len(paired), dtype=np.int32)
    local = local_of[sessions]  # each session numbered among `paired`
    del sessions, local_of
    design = design_of(rater_sets(local, raters, names), names)
    # the raters present; np.unique would import numpy.ma (1 MiB) to ask if raters is masked
    everyone = tuple(sorted(names[i] for i in np.flatnonzero(np.bincount(raters)).tolist()))
    rows = np.searchsorted(informative, paired).astype(np.int32)  # each one's bootstrap row
    n = len(paired)
    del paired  # 8 bytes a session, held by nothing else under the statistics' arrays
    resampled = len(informative)
    context = Context(item, local, raters, x, n, rows, resampled, everyone, design, names)
    figures: list[Figure] = []
    pending: list[Pending] = []
    if item.nominal:
        nominal_figures(context, figures, pending, position, method)
        recommended = 0 if figures[0].estimate.value is not None else None
    else:
        _icc(context, figures, pending, position, method if dyad else "")
        _alphas(context, figures, pending, position, method)
        recommended = _recommend(figures, design)
    # the per-session sums grouped (or spread) now, before kappa's arrays are made beside them
    pending = _compact(pending, resampled)
    tail: Sequence[Figure] = ()
    if not item.is_score:  # a score is an interval variable: no categories for kappa
        categories = codes_of(context) if context.n else None
        # kappa reads the categories alone: the values are let go under its arrays
        context = replace(context, x=np.zeros(0))  # not a view: that would keep them
        del x
        tail = kappa_figures(context, names, figures, pending, position, method, categories)
    result = ItemAgreement(item, n, coded, design, Figures(figures, tail), recommended)
    return result, pending


def _recommend(figures: list[Figure], design: Design) -> int | None:
    """ICC(2,1) where raters are crossed with all sessions, else ICC(1,1) over all sessions."""
    names = [f.statistic for f in figures]
    if design.kind == designs.CROSSED:
        two_way = names.index("ICC(2,1)")
        if figures[two_way].estimate.value is not None:
            return two_way
    one_way = names.index("ICC(1,1)")
    return one_way if figures[one_way].estimate.value is not None else None


def _icc(
    c: Context, figures: list[Figure], pending: list[Pending], position: int, method: str
) -> None:
    """ICC(1,1) and ICC(1,k) over all sessions; the two-way forms as the design allows."""
    part: Part | None = None
    if method:  # the dyad bootstrap's interval: the per-session sums wait for it
        sums = oneway_sums(c.sessions, c.x, c.n)
        totals = sums.sum(axis=0, keepdims=True)
        part = sums_part(c.rows, sums, lambda: oneway_sums(c.sessions, c.x, c.n))
        del sums  # held by `part` if small, else made again when grouped (`Remade`)
    else:  # F-based intervals: the totals alone, the same floats (`oneway_totals`)
        totals = oneway_totals(c.sessions, c.x, c.n)
    anova = anova_of(totals)[0]
    single, average = (float(v[0]) for v in icc_from_totals(totals))
    k0 = None if math.isnan(anova.k0) else anova.k0
    if c.n < MIN_SESSIONS:
        estimate = too_few(c.n, "with two or more values")
        estimates = [estimate, estimate]
    elif math.isnan(single):
        estimates = [missing(NO_VARIATION), missing(NO_VARIATION)]
    else:
        (low1, high1), (lowk, highk) = f_interval(anova)
        estimates = [_bounded(single, low1, high1), _bounded(average, lowk, highk)]
    first = len(figures)
    for name, estimate in zip(("ICC(1,1)", "ICC(1,k)"), estimates, strict=True):
        interval = "F" if estimate.low is not None else ""
        figures.append(Figure(name, estimate, c.n, c.everyone, "all sessions", interval, k0))
    if part is not None and estimates[0].value is not None:
        pending.append(
            Pending(
                position,
                [first, first + 1],
                [part],
                lambda t: np.column_stack(icc_from_totals(t[0])),
                method,
            )
        )
    figures += two_way_figures(c)


def _bounded(value: float, low: float, high: float) -> Estimate:
    if math.isfinite(low) and math.isfinite(high):
        return Estimate(value, low, high)
    return Estimate(value, note="no confidence interval (no variation within sessions)")


def _alphas(
    c: Context, figures: list[Figure], pending: list[Pending], position: int, method: str
) -> None:
    for name in ALPHAS:
        if c.item.is_score and name != "alpha (interval)":
            continue  # a computed score is an interval variable
        if c.n < MIN_SESSIONS:
            figures.append(Figure(name, too_few(c.n, "with two or more values"), c.n, c.everyone))
            continue
        level: Literal["ordinal", "interval"] = "ordinal" if "ordinal" in name else "interval"
        ranks = midrank_table(c.x) if level == "ordinal" else None
        totals, part = _alpha_sums(c, level, ranks)
        value = alpha_from_totals(totals)[0]
        if math.isnan(value):
            figures.append(Figure(name, missing(NO_VARIATION), c.n, c.everyone))
            continue
        pending.append(
            Pending(
                position,
                [len(figures)],
                [part],
                lambda t: alpha_from_totals(t[0])[:, None],
                method,
            )
        )
        figures.append(Figure(name, Estimate(float(value)), c.n, c.everyone))


def _alpha_sums(
    c: Context, level: Literal["ordinal", "interval"], ranks: Ranks | None
) -> tuple[Matrix, Part]:
    """The item's `alpha_sums` at `level` totalled, and the part left for the bootstrap;
    large ones made a range of sessions at a time, never whole (`parts.totals_and_part`)."""
    return totals_and_part(
        c.rows,
        4,
        lambda: alpha_sums(c.sessions, c.x, level, c.n, ranks),
        lambda: alpha_ranged(c.sessions, c.x, level, c.n, ranks),
    )
