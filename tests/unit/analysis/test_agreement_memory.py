"""What agreement holds in memory: no array of eight bytes per row of the whole table (a
demo-data table has most of its rows in sessions rated once, which no statistic uses), the
bootstrap's grouped per-session sums, and kappa per pair made when read. Sizes are counted
with tracemalloc (numpy reports its arrays to it), never timed."""

from __future__ import annotations

import math
import tracemalloc
from array import array

import numpy as np
import pytest

from rating_tui.analysis import bootstrap
from rating_tui.analysis.agreement import agreement, paired_values
from rating_tui.analysis.alpha import alpha_sums
from rating_tui.analysis.bootstrap import Grouped, Sums, grouped, replicate_totals
from rating_tui.analysis.columns import ItemColumn
from rating_tui.analysis.pairing import SessionTable
from rating_tui.analysis.results import Estimate, Figure, Figures, PairFigures, missing
from rating_tui.instruments.model import Instrument
from tests.unit.analysis.conftest import RatingMaker, table_of

PAIRED = 300
"""Sessions rated by three raters with a value each."""


def sparse_table(template: SessionTable, singles: int, seed: int = 1) -> SessionTable:
    """`template`'s items, with `PAIRED` sessions rated by three raters and `singles`
    sessions of two rows each where only the first has values: most rows are in sessions
    that no statistic uses, as in a real program's data."""
    rng = np.random.default_rng(seed)
    sessions = np.r_[np.repeat(np.arange(PAIRED), 3), np.repeat(np.arange(singles), 2) + PAIRED]
    raters = np.r_[np.tile([0, 1, 2], PAIRED), np.tile([0, 1], singles)]
    valued = np.r_[np.ones(3 * PAIRED, bool), np.tile([True, False], singles)]
    rows = len(sessions)
    columns = []
    for _ in template.items:
        column = ItemColumn()
        column.levels, column.code_of = [0.0, 1.0], {0.0: 0, 1.0: 1}
        truth = rng.integers(0, 2, PAIRED + singles)[sessions]
        codes = np.where(rng.random(rows) < 0.8, truth, 1 - truth)
        column.data = array("b", np.where(valued, codes, -1).astype(np.int8).tobytes())
        columns.append(column)
    return SessionTable(
        template.instrument_id,
        items=template.items,
        raters=["R0", "R1", "R2"],
        session_codes=[array("i", range(PAIRED + singles))],
        key_values=[[str(s) for s in range(PAIRED + singles)]],
        row_session=array("i", sessions.astype(np.int32).tobytes()),
        row_rater=array("i", raters.astype(np.int32).tobytes()),
        columns=columns,
        coded=[array("b", bytes(rows)) for _ in template.items],
    )


@pytest.fixture
def template(make_rating: RatingMaker, instrument: Instrument) -> SessionTable:
    values = {"warmth": 1, "presence": 1, "held": 1, "focus": "1"}
    return table_of([make_rating(r, values) for r in ("AB", "CD")], instrument)


def traced_peak(run: object) -> int:
    """The most memory (bytes) traced above what was in use while `run()` ran."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_no_array_of_eight_bytes_per_row_of_the_table(
    template: SessionTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    # small bootstrap blocks, so that the peak is the items' arrays, not the resamples'
    monkeypatch.setattr(bootstrap, "CELLS_PER_BLOCK", 3_000)
    small, table = sparse_table(template, singles=20_000), sparse_table(template, singles=80_000)
    agreement(sparse_table(template, singles=50))  # modules and numpy.random imported
    found = paired_values(table, 1)
    assert len(found.values) == 3 * PAIRED  # only the rows of sessions with two values
    # a float per valued row alone would be 4 bytes a row here (half the rows have values),
    # with its sessions and raters 8: choosing rows on the codes takes a byte a row and
    # 32-bit counts per session (2 bytes a row: two rows a session)
    assert traced_peak(lambda: paired_values(table, 1)) < 6 * table.rows
    # the whole analysis: what more rows in sessions rated once add to its peak (2 bytes a
    # row; 14 when each item's values were floats of every valued row, cut afterwards)
    more = traced_peak(lambda: agreement(table)) - traced_peak(lambda: agreement(small))
    assert more < 6 * (table.rows - small.rows)


def test_grouped_sums_resample_as_the_spread_ones() -> None:
    rng = np.random.default_rng(3)
    n, sessions = 4_000, 5_000
    units = np.repeat(np.arange(n), 3)
    values = rng.integers(0, 5, len(units)).astype(np.float64)  # a likert item's values
    rows = np.arange(n) + 500  # the item's sessions among those resampled, shared
    parts = [Sums(rows, alpha_sums(units, values, level, n)) for level in ("interval", "ordinal")]
    made = grouped(parts, sessions)
    assert all(isinstance(p, Grouped) for p in made)
    assert made[0].order is made[1].order  # one grouping held for the item's statistics
    assert len(made[0].starts) < n // 10  # runs of equal rows: a few per triple of values
    spread = [p.spread(sessions) for p in parts]
    for a, b in zip(
        replicate_totals(made, sessions), replicate_totals(spread, sessions), strict=True
    ):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-9)
    distinct = [Sums(np.arange(n), rng.random((n, 4)))]  # every row its own: kept spread
    assert isinstance(grouped(distinct, n)[0], Sums)


def test_draws_do_not_depend_on_the_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    small = np.vstack(list(bootstrap.cluster_counts(None, 50, 40, cells=120)))
    large = np.vstack(list(bootstrap.cluster_counts(None, 50, 40, cells=10_000)))
    assert small.shape == (40, 50) and (small == large).all()


def test_pair_figures_are_made_when_read() -> None:
    pairs = PairFigures(("kappa (linear)", "kappa (quadratic)"), "no interval", "no variation")
    pairs.add([0.5, 0.75], 12, ("A", "B"))
    pairs.add([math.nan, 0.25], 7, ("A", "C"))
    held = [
        Figure("kappa (linear)", Estimate(0.5, note="no interval"), 12, ("A", "B"), "pair"),
        Figure("kappa (quadratic)", Estimate(0.75, note="no interval"), 12, ("A", "B"), "pair"),
        Figure("kappa (linear)", missing("no variation"), 7, ("A", "C"), "pair"),
        Figure("kappa (quadratic)", Estimate(0.25, note="no interval"), 7, ("A", "C"), "pair"),
    ]
    assert list(pairs) == held and pairs[-1] == held[-1] and pairs[1:3] == held[1:3]
    head = [Figure("ICC(1,1)", Estimate(0.4), 30, ("A", "B", "C"))]
    figures = Figures(list(head), pairs)
    assert figures == head + held and len(figures) == 5 and figures[2] == held[1]
    figures[0] = Figure("ICC(1,1)", Estimate(0.4, 0.1, 0.6), 30, ("A", "B", "C"))
    assert figures[0].estimate.low == 0.1 and figures != head + held
    with pytest.raises(IndexError):
        pairs[4]
