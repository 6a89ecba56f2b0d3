"""The statistics' per-session sums made a chunk at a time, and an item's sums made again when
grouped, against the straightforward computation they replace: bit for bit, on data with
sessions without values (gaps), ties, 2 to 5 raters a session, likert (ordinal), numeric,
score-like and nominal items. Chunks are made small (1 to 7 values or sessions) so that a
session's values and a run's sessions fall across chunk boundaries; a wrong boundary (a
value skipped or counted twice, a sum restarted) changes a bit and fails. The reference for
a sum is numpy's own `np.bincount`, an independent implementation of the same sums; for
the runs, comparing every session's row with the previous one at once."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import numpy.typing as npt
import pytest

from rating_tui.analysis import parts, persession
from rating_tui.analysis.agreement import ItemValues, agreement_of
from rating_tui.analysis.alpha import alpha_sums, midrank_table
from rating_tui.analysis.categorical import Context, codes_of
from rating_tui.analysis.oneway import WIDTH, oneway_sums
from rating_tui.analysis.pairs import pair_rows
from rating_tui.analysis.parts import Grouped, Remade, Sums, grouped
from rating_tui.analysis.scales import ItemScale

LIKERT = ItemScale("narration", "Narration", "likert", (0.0, 1.0, 2.0, 3.0, 4.0), 0, 4, 1)
NUMERIC = ItemScale("warmth", "Warmth", "numeric", (), 0.0, 100.0, 0.5)
CHOICE = ItemScale("focus", "Focus", "choice", (0.0, 1.0, 2.0, 3.0), 0, 3, 1, tuple("abcd"))
RATERS = [f"R{i}" for i in range(8)]
Vector = npt.NDArray[np.float64]


def design(
    seed: int, sessions: int = 60, levels: int | None = 5
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], Vector]:
    """Sessions rated by 2 to 5 of 8 raters, a few sessions left without values (gaps), in a
    shuffled row order (a session's values apart from each other, as in a table); values
    from `levels` ties (None: finely spread)."""
    rng = np.random.default_rng(seed)
    units, raters = [], []
    for s in range(sessions):
        if s % 7 == 3:
            continue  # a session without values
        taken = rng.choice(8, int(rng.integers(2, 6)), replace=False)
        units += [s] * len(taken)
        raters += taken.tolist()
    order = rng.permutation(len(units))
    u = np.asarray(units, np.int32)[order]
    r = np.asarray(raters, np.int32)[order]
    truth = rng.normal(2, 1, sessions)[u]
    noisy = truth + rng.normal(0, 0.8, len(u))
    if levels is None:
        return u, r, np.round(noisy * 37.3, 3)
    return u, r, np.clip(np.round(noisy), 0, levels - 1).astype(np.float64)


def same_bits(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def reference_oneway(units: npt.NDArray[np.int32], x: Vector, sessions: int) -> Vector:
    """The one-way ANOVA's sums as they were computed over every value at once."""
    out = np.zeros((sessions, WIDTH))
    x = x - x.mean()
    m = np.bincount(units, minlength=sessions).astype(np.float64)
    s = np.bincount(units, weights=x, minlength=sessions)
    q = np.bincount(units, weights=x * x, minlength=sessions)
    keep = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 5] = np.where(keep, s * s / m, s * s)
    out[:, 1], out[:, 2], out[:, 3], out[:, 4], out[:, 0] = m, m * m, s, q, keep
    out[~keep, 1:] = 0.0
    return out


def reference_alpha(units: npt.NDArray[np.int32], values: Vector, level: str, n: int) -> Vector:
    """Alpha's per-session sums as they were computed over every value at once."""
    counts = np.bincount(units, minlength=n)
    keep = (counts >= 2)[units]
    units, values = units[keep], values[keep]
    out = np.zeros((n, 4))
    if level == "ordinal":
        levels, c = np.unique(values, return_counts=True)
        x = (np.cumsum(c) - c + (c + 1) / 2.0)[np.searchsorted(levels, values)]
        x -= x.mean()
    else:
        x = values - values.mean()
    out[:, 0] = np.bincount(units, minlength=n)
    out[:, 1] = np.bincount(units, weights=x, minlength=n)
    out[:, 2] = np.bincount(units, weights=x**2, minlength=n)
    m, sums, squares = out[:, 0], out[:, 1], out[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 3] = np.where(m >= 2, np.maximum(squares - sums**2 / m, 0.0) * m / (m - 1), 0.0)
    return out


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 16])
@pytest.mark.parametrize("levels", [5, None])
def test_chunked_sums_are_bincounts_bits(
    monkeypatch: pytest.MonkeyPatch, chunk: int, levels: int | None
) -> None:
    monkeypatch.setattr(persession, "CHUNK", chunk)
    for seed in range(4):
        units, _, values = design(seed, levels=levels)
        n = int(units.max()) + 2  # the last session without values too
        counts = persession.counts_of(units, n)
        assert counts.dtype == np.int32
        assert (counts == np.bincount(units, minlength=n)).all()
        assert same_bits(oneway_sums(units, values, n), reference_oneway(units, values, n))
        for level in ("interval", "ordinal"):
            expected = reference_alpha(units, values, level, n)
            assert same_bits(alpha_sums(units, values, level, n), expected)
        # the ranks' table made once and given (agreement's way) is the same again
        table = midrank_table(values)
        assert same_bits(alpha_sums(units, values, "ordinal", n, table), expected)


def test_a_session_rated_once_is_left_out_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(persession, "CHUNK", 3)
    units, _, values = design(5)
    units = np.r_[units, np.int32(units.max() + 1)]  # one more session, a single value
    values = np.r_[values, 4.0]
    n = int(units.max()) + 1
    table = midrank_table(values)  # of every value: not used once one is left out
    for level in ("interval", "ordinal"):
        expected = reference_alpha(units, values, level, n)
        assert same_bits(alpha_sums(units, values, level, n, table), expected)


def runs_straight(features: list[Vector], sessions: int) -> tuple[Vector, Vector]:
    """The grouping's sort and runs as first computed: every session compared at once."""
    key = np.zeros(len(features[0]))
    for f in features:
        key += f @ (1.0 + 0.6180339887498949 * np.arange(f.shape[1]))
    order = np.argsort(key, kind="stable")
    new = np.zeros(len(key), bool)
    new[0] = True
    for f in features:
        ordered = f[order]
        new[1:] |= (ordered[1:] != ordered[:-1]).any(axis=1)
    return order, np.flatnonzero(new)


@pytest.mark.parametrize("compared", [1, 2, 5, 1 << 14])
def test_remade_sums_group_as_the_held_ones(monkeypatch: pytest.MonkeyPatch, compared: int) -> None:
    monkeypatch.setattr(parts, "COMPARED", compared)
    units, _, values = design(11, sessions=3000, levels=3)
    n = int(units.max()) + 1
    rows = np.arange(n, dtype=np.int64) + 3  # rows among 3 + n resampled sessions
    made: list[Vector] = [
        oneway_sums(units, values, n),
        alpha_sums(units, values, "interval", n),
        alpha_sums(units, values, "ordinal", n),
    ]
    calls = {i: 0 for i in range(3)}

    def maker(i: int) -> Remade:
        def make() -> Vector:
            calls[i] += 1
            return made[i].copy()  # a new array each time, as the statistics make it

        return Remade(rows, make)

    remade = grouped([maker(i) for i in range(3)], n + 3)
    held = grouped([Sums(rows, f) for f in made], n + 3)
    order, starts = runs_straight(made, n + 3)
    assert all(isinstance(p, Grouped) for p in remade + held)
    assert calls == {0: 3, 1: 3, 2: 3}  # read for the key, the runs and the runs' rows
    for a, b, f in zip(remade, held, made, strict=True):
        assert isinstance(a, Grouped) and isinstance(b, Grouped)
        assert (a.order == rows[order]).all() and (b.order == a.order).all()
        assert (a.starts == starts).all() and (b.starts == starts).all()
        assert same_bits(a.features, f[order[starts]]) and same_bits(b.features, a.features)


def test_remade_sums_that_do_not_repeat_are_spread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "COMPARED", 3)
    units, _, values = design(12, sessions=200, levels=None)  # a score's fine values
    n = int(units.max()) + 1
    rows = np.arange(n, dtype=np.int64)
    sums = oneway_sums(units, values, n)
    found = grouped([Remade(rows, lambda: oneway_sums(units, values, n))], n + 2)
    assert isinstance(found[0], Sums)
    assert same_bits(found[0].features, Sums(rows, sums).spread(n + 2).features)


@pytest.mark.parametrize("item", [LIKERT, CHOICE, NUMERIC])
def test_pair_rows_of_byte_codes_are_those_of_64_bit_codes(item: ItemScale) -> None:
    units, raters, values = design(21, sessions=150, levels=4)
    values = values * (item.step or 1.0)  # numeric: steps of 0.5
    context = Context(item, units, raters, values, 150, units, 150, (), None, RATERS)  # type: ignore[arg-type]
    coded = codes_of(context)
    assert coded is not None
    codes, positions = coded
    assert codes.dtype == np.int8
    narrow = pair_rows(units, raters, codes, len(positions))
    wide = pair_rows(
        units.astype(np.int64), raters.astype(np.int64), codes.astype(np.int64), len(positions)
    )
    assert narrow.pairs == wide.pairs
    assert (narrow.sessions == wide.sessions).all() and (narrow.cells == wide.cells).all()
    assert (narrow.starts == wide.starts).all()


def figures_of(items: list[ItemValues], dyads: list[int]) -> list[object]:
    found = agreement_of(items, RATERS, 80, dyads, "dyad")
    return [(r.sessions, r.design, list(r.figures), r.recommended) for r in found]


def test_agreement_is_the_same_whatever_the_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every figure and interval of likert, numeric and nominal items (the bootstrap's
    grouped, spread and nominal sums) with one-value chunks and every statistic's sums made
    again, and with the usual chunks and the sums held."""
    items = []
    for seed, item in enumerate((LIKERT, NUMERIC, CHOICE, LIKERT)):
        units, raters, values = design(
            seed + 30, sessions=80, levels=None if item is NUMERIC else 4
        )
        items.append(ItemValues(item, units, raters, values))
    dyads = [s % 9 for s in range(80)]
    usual = figures_of(items, dyads)  # sums this small are held (`parts.sums_part`)
    monkeypatch.setattr(persession, "CHUNK", 1)
    monkeypatch.setattr(parts, "COMPARED", 1)
    monkeypatch.setattr(parts, "REMADE_FROM_BYTES", 0)  # every statistic's sums remade
    assert figures_of(items, dyads) == usual
    monkeypatch.setattr(parts, "RANGE", 3)  # alpha's made, totalled and grouped by ranges
    assert figures_of(items, dyads) == usual


def test_agreement_maps_large_arrays_on_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """`agreement` of a large table asks glibc once to map arrays of 512 KiB or more on their
    own (mallopt M_MMAP_THRESHOLD, -3); of a small one, or `agreement_of`, it does not."""
    import ctypes
    import sys

    from rating_tui.analysis import agreement as module

    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: Libc())
    module.map_large_arrays()
    assert calls == [(-3, 1 << 19)]
    units, raters, values = design(3)
    agreement_of([ItemValues(LIKERT, units, raters, values)], RATERS, 60)
    assert calls == [(-3, 1 << 19)]
    small = SimpleNamespace(row_session=range(10))
    monkeypatch.setattr(module, "agreement_of", lambda *args, trim=False: [])
    monkeypatch.setattr(module, "TableItems", lambda table, consume=False: [])
    table = SimpleNamespace(dyad_first=None, raters=[], session_count=0, **small.__dict__)
    module.agreement(table)  # type: ignore[arg-type]
    assert calls == [(-3, 1 << 19)]  # 10 rows: not asked
    table.row_session = range(module.MAPPED_FROM_ROWS)
    module.agreement(table)  # type: ignore[arg-type]
    assert calls == [(-3, 1 << 19)] * 2
