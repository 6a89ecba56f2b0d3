"""The session bootstrap behind the kappa and alpha intervals: each replicate, computed as
matrix products on per-session sums, equals the statistic recomputed on the resampled data."""

from __future__ import annotations

import numpy as np
import pytest

from rating_tui.analysis import bootstrap
from rating_tui.analysis.alpha import (
    Level,
    alpha,
    alpha_from_totals,
    alpha_sums,
    midranks,
    pairable,
)
from rating_tui.analysis.bootstrap import (
    alpha_intervals,
    kappa_interval,
    percentile_interval,
    session_counts,
)
from rating_tui.analysis.kappa import weighted_kappa, weighted_kappas
from rating_tui.analysis.pairs import pair_rows


def alpha_interval(
    units: np.ndarray, values: np.ndarray, level: Level
) -> tuple[float, float] | None:
    """The interval of one alpha, resampling every unit given (as `agreement` does for a
    table's sessions)."""
    if len(units) == 0:
        return None
    ids, units = np.unique(units, return_inverse=True)
    return alpha_intervals(len(ids), [alpha_sums(units, values, level, len(ids))])[0]


def _drawn(counts_row: np.ndarray) -> np.ndarray:
    """The session indices a row of counts stands for (session i repeated counts[i] times)."""
    return np.repeat(np.arange(len(counts_row)), counts_row.astype(np.int64))


def _pairs(rng: np.random.Generator, n: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    truth = rng.integers(0, points, n)
    noise = rng.integers(-1, 2, n)
    return truth.astype(np.float64), np.clip(truth + noise, 0, points - 1).astype(np.float64)


def test_counts_are_draws_with_replacement_in_blocks_and_reproducible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bootstrap, "CELLS_PER_BLOCK", 70)
    blocks = list(session_counts(9, replicates=25))
    assert [len(b) for b in blocks] == [7, 7, 7, 4]
    everything = np.vstack(blocks)
    assert (everything.sum(axis=1) == 9).all() and (everything >= 0).all()
    assert len({tuple(row) for row in everything}) > 20  # not the same draw over and over
    assert (np.vstack(list(session_counts(9, replicates=25))) == everything).all()


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
@pytest.mark.parametrize("points", [5, 101])
def test_each_kappa_replicate_is_kappa_of_the_resampled_sessions(weights: str, points: int) -> None:
    a, b = _pairs(np.random.default_rng(1), 60, points)
    counts = next(session_counts(len(a), replicates=40))
    replicated = weighted_kappas(a, b, weights, counts)  # type: ignore[arg-type]
    for row, got in zip(counts, replicated, strict=True):
        drawn = _drawn(row)
        want = weighted_kappa(a[drawn], b[drawn], weights)  # type: ignore[arg-type]
        assert (want is None and np.isnan(got)) or got == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("level", ["interval", "ordinal"])
def test_each_alpha_replicate_is_alpha_of_the_resampled_sessions(level: Level) -> None:
    rng = np.random.default_rng(2)
    units = np.repeat(np.arange(30), rng.integers(1, 5, 30)).astype(np.int64)  # some single
    values = (rng.integers(0, 3, 30)[units] + rng.integers(0, 2, len(units))).astype(np.float64)
    kept, kept_values = pairable(units, values)
    x = midranks(kept_values) if level == "ordinal" else kept_values  # the full data's ranks
    sums = alpha_sums(units, values, level, 32)  # two sessions without any value, too
    counts = next(session_counts(32, replicates=40))
    replicated = alpha_from_totals(counts @ sums)
    original = np.unique(units[np.isin(units, units[np.bincount(units)[units] >= 2])])
    for row, got in zip(counts, replicated, strict=True):
        drawn = [s for s in _drawn(row) if s in original]  # a session drawn twice counts twice
        pieces = [
            (
                np.full(int((kept == np.searchsorted(original, s)).sum()), k),
                x[kept == np.searchsorted(original, s)],
            )
            for k, s in enumerate(drawn)
        ]
        new_units = np.concatenate([p[0] for p in pieces]).astype(np.int64)
        want = alpha(new_units, np.concatenate([p[1] for p in pieces]), "interval")
        assert (want is None and np.isnan(got)) or got == pytest.approx(want, abs=1e-9)


def test_alphas_of_several_items_share_one_set_of_resamples() -> None:
    rng = np.random.default_rng(5)
    units = np.repeat(np.arange(50), 3).astype(np.int64)
    first = (rng.integers(0, 3, 50)[units] + rng.integers(0, 2, 150)).astype(np.float64)
    second = (rng.integers(0, 5, 50)[units] + rng.integers(0, 2, 150)).astype(np.float64)
    parts = [alpha_sums(units, v, "interval", 50) for v in (first, second)]
    together = alpha_intervals(50, parts)
    alone = [alpha_interval(units, v, "interval") for v in (first, second)]
    assert all(t is not None for t in together)
    assert together == [pytest.approx(interval, abs=1e-12) for interval in alone]


def test_intervals_hold_the_estimate_and_narrow_with_more_sessions() -> None:
    rng = np.random.default_rng(3)
    widths = []
    for n in (40, 640):
        a, b = _pairs(rng, n, 5)
        estimate = weighted_kappa(a, b, "quadratic")
        interval = kappa_interval(a, b, "quadratic")
        assert estimate is not None and interval is not None
        assert interval[0] < estimate < interval[1] <= 1
        widths.append(interval[1] - interval[0])
        units = np.repeat(np.arange(n), 2).astype(np.int64)
        values = np.column_stack([a, b]).ravel()
        found = alpha(units, values, "ordinal")
        around = alpha_interval(units, values, "ordinal")
        assert found is not None and around is not None and around[0] < found < around[1]
    assert widths[1] < widths[0] / 2  # 16 times the sessions: about a quarter of the width
    assert kappa_interval(a, b, "quadratic") == kappa_interval(a, b, "quadratic")


def test_no_interval_when_the_statistic_is_mostly_undefined() -> None:
    assert percentile_interval(np.array([0.5, np.nan, np.nan, 0.7])) is None
    assert percentile_interval(np.array([])) is None
    low, high = percentile_interval(np.linspace(0, 1, 101)) or (None, None)
    assert low == pytest.approx(0.025) and high == pytest.approx(0.975)
    # two sessions that do not vary at all: alpha is undefined in every replicate
    flat = np.ones(4)
    assert alpha_interval(np.array([0, 0, 1, 1], dtype=np.int64), flat, "interval") is None


def test_dyad_bootstrap_draws_whole_dyads() -> None:
    # Sessions 0-2 belong to dyad 0, 3-4 to dyad 1, 5 to dyad 2: a replicate counts every
    # session of a dyad as often as the dyad was drawn, and draws as many dyads as there are.
    clusters = np.array([0, 0, 0, 1, 1, 2], dtype=np.int64)
    counts = np.vstack(list(bootstrap.cluster_counts(clusters, 6, replicates=50)))
    assert (counts[:, 0] == counts[:, 1]).all() and (counts[:, 1] == counts[:, 2]).all()
    assert (counts[:, 3] == counts[:, 4]).all()
    drawn = counts[:, [0, 3, 5]]
    assert (drawn.sum(axis=1) == 3).all()
    assert len({tuple(row) for row in drawn}) > 3


def test_cells_sum_their_sessions_counts_in_every_replicate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bootstrap, "CELLS_PER_BLOCK", 45)  # slices of the gathered rows too
    rng = np.random.default_rng(9)
    rows = np.sort(rng.integers(0, 20, 30)).astype(np.int32)
    starts = np.array([0, 10, 25], dtype=np.int64)
    part = bootstrap.Cells(rows, starts, lambda cells: cells)
    counts = np.vstack(list(session_counts(20, replicates=7)))
    [found] = bootstrap.replicate_totals([part], 20, replicates=7)
    want = np.column_stack(
        [counts[:, rows[a:b]].sum(axis=1) for a, b in zip(starts, [*starts[1:], 30], strict=True)]
    )
    assert found == pytest.approx(want)


@pytest.mark.parametrize("weights", ["nominal", "linear", "quadratic"])
def test_each_pair_kappa_replicate_is_kappa_of_the_resampled_sessions(weights: str) -> None:
    # Three raters, 40 sessions, each rated by two or three of them: a replicate's kappas
    # per pair and pooled, from cell counts, equal those of the sessions it drew, copied out.
    rng = np.random.default_rng(11)
    sessions, raters, codes = [], [], []
    for s in range(40):
        truth = int(rng.integers(0, 4))
        for r in sorted(rng.choice(3, size=int(rng.integers(2, 4)), replace=False).tolist()):
            sessions.append(s)
            raters.append(r)
            codes.append(int(np.clip(truth + rng.integers(-1, 2), 0, 3)))
    s_, r_, c_ = (np.array(v, dtype=np.int64) for v in (sessions, raters, codes))
    positions = np.arange(4.0)
    found = pair_rows(s_, r_, c_, 4)
    part = bootstrap.Cells(
        found.sessions.astype(np.int32),
        found.starts,
        lambda cells: np.column_stack(
            [
                found.kappas(cells, positions, [weights])[0][weights],
                found.kappas(cells, positions, [weights])[1][weights],
            ]
        ),
    )
    counts = next(session_counts(40, replicates=20))
    [replicated] = bootstrap.replicate_totals([part], 40, replicates=20)
    for row, got in zip(counts, replicated, strict=True):
        drawn = _drawn(row)
        pieces = [np.flatnonzero(s_ == s) for s in drawn]
        new_s = np.concatenate([np.full(len(p), k) for k, p in enumerate(pieces)])
        index = np.concatenate(pieces)
        again = pair_rows(new_s.astype(np.int64), r_[index], c_[index], 4)
        each, pooled, _ = again.kappas(again.counts(), positions, [weights])
        by_pair = dict(zip(again.pairs, each[weights][0], strict=True))
        want = [by_pair.get(p, np.nan) for p in found.pairs] + [pooled[weights][0]]
        assert got == pytest.approx(np.array(want), abs=1e-9, nan_ok=True)


@pytest.mark.parametrize("gathered", [1, 7, 1 << 16])
def test_cell_counts_are_the_counts_of_their_sessions_summed_however_gathered(
    monkeypatch: pytest.MonkeyPatch, gathered: int
) -> None:
    monkeypatch.setattr(bootstrap, "GATHERED", gathered)
    rng = np.random.default_rng(4)
    cell_of_row = np.sort(rng.integers(0, 12, 200))
    rows = rng.integers(0, 30, 200).astype(np.int32)  # sessions, repeated across cells
    starts = np.flatnonzero(np.r_[True, cell_of_row[1:] != cell_of_row[:-1]])
    counts = next(session_counts(30, replicates=9))
    part = bootstrap.Cells(rows, starts.astype(np.int64), lambda c: c)
    found = bootstrap._cell_counts(part, counts)
    cells = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(rows)]))
    for replicate, got in zip(counts, found, strict=True):
        want = np.bincount(cells, weights=replicate[rows], minlength=len(starts))
        assert np.array_equal(got, want)


def test_percentiles_are_numpys_to_the_last_bit() -> None:
    """`percentiles` (no np.percentile, which imports numpy.ma) gives the very floats of
    np.percentile's linear method: any count of values, ties, -0.0 and 0.0, huge values."""
    rng = np.random.default_rng(5)
    for trial in range(2000):
        n = int(rng.choice([1, 2, 3, 39, 40, 41, 949, 950, 1000]))
        kind = trial % 4
        if kind == 0:
            values = rng.normal(size=n)
        elif kind == 1:
            values = rng.integers(-3, 4, size=n) / 7.0
        elif kind == 2:
            values = np.where(rng.random(n) < 0.5, 0.0, -0.0) + rng.integers(0, 2, size=n)
        else:
            values = rng.normal(size=n) * 1e300
        kept = values.copy()
        expected = np.percentile(values, [2.5, 97.5])
        assert bootstrap.percentiles(values).tobytes() == expected.tobytes(), (n, kind)
        assert values.tobytes() == kept.tobytes()  # the input is left as it was
