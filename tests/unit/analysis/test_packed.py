"""The bootstrap's block arithmetic: counts of several replicates packed into 64-bit words
(`Packed`), summed per cell or run exactly as one replicate at a time, whatever the lane
width and however the rows are cut into chunks; the draws, one stream from the seed however
the blocks are cut and their arrays reused (`Scratch`)."""

from __future__ import annotations

import numpy as np
import pytest

from rating_tui.analysis import bootstrap
from rating_tui.analysis.packed import Packed, Plan, Scratch
from rating_tui.analysis.pairs import kappas_from_margins, weight_matrix


def _groups(rng: np.random.Generator, rows: int, sessions: int) -> tuple[np.ndarray, np.ndarray]:
    """`rows` sessions (repeated, as a session can be in several cells) in groups of 1 to
    40 rows, and where each group begins."""
    sizes = []
    while sum(sizes) < rows:
        sizes.append(int(rng.integers(1, 41)))
    sizes[-1] -= sum(sizes) - rows
    sizes = [s for s in sizes if s > 0]
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
    return rng.integers(0, sessions, rows).astype(np.uint16), starts


@pytest.mark.parametrize(
    ("top", "bits"),
    [(9, 16), (2_000, 32), (1 << 27, 64)],  # a sum fits 16 bits, 32 bits, neither
)
@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_packed_sums_are_the_sums_of_each_replicate(top: int, bits: int, chunk: int) -> None:
    rng = np.random.default_rng(top + chunk)
    sessions, replicates = 300, 7  # not a multiple of the lanes a word holds
    counts = rng.integers(0, top + 1, (replicates, sessions)).astype(np.int32)
    counts[0, 0] = top
    rows, starts = _groups(rng, 900, sessions)
    plan = Plan.of(starts, len(rows), chunk)
    assert plan.longest * top >= (1 << 16 if bits > 16 else 0)
    assert plan.longest * top < (1 << 32 if bits < 64 else 1 << 63)
    found = Packed(counts, Scratch()).sums(rows, plan)
    ends = np.r_[starts[1:], len(rows)]
    wide = counts.astype(np.int64)
    sums = [wide[:, rows[a:b]].sum(axis=1) for a, b in zip(starts, ends, strict=True)]
    want = np.column_stack(sums)
    assert found.dtype == np.float64 and found.flags.c_contiguous
    assert np.array_equal(found, want.astype(np.float64))


def test_packed_sums_of_an_empty_part_are_zeros() -> None:
    counts = np.ones((4, 10), np.int32)
    empty = np.zeros(0, np.uint16)
    found = Packed(counts).sums(empty, Plan.of(np.zeros(0, np.int64), 0, 8))
    assert found.shape == (4, 0)


def _one_draw(clusters: np.ndarray | None, sessions: int, replicates: int) -> np.ndarray:
    """The counts as drawn before blocks were counted a replicate at a time: one call for
    every replicate, counted with np.bincount."""
    rng = np.random.default_rng(bootstrap.SEED)
    units = sessions if clusters is None else int(clusters.max()) + 1
    draws = rng.integers(0, units, size=(replicates, units), dtype=np.int32)
    counted = np.vstack([np.bincount(row, minlength=units) for row in draws])
    return counted if clusters is None else counted[:, clusters]


@pytest.mark.parametrize("sessions", [1, 9, 40, 57])
@pytest.mark.parametrize("cells", [1, 100, 10_000])
def test_blocks_are_one_stream_however_cut_and_reused(sessions: int, cells: int) -> None:
    want = _one_draw(None, sessions, 30)
    scratch = Scratch()
    blocks = [b.copy() for b in bootstrap._counted(None, sessions, 30, cells, scratch)]
    assert np.array_equal(np.vstack(blocks), want)
    assert len(blocks) == -(-30 // max(1, min(30, cells // sessions)))
    clusters = np.array([0, 0, 1, 2, 2, 2, 3, 4, 4, 5, 1], np.int64)
    want = _one_draw(clusters, len(clusters), 30)
    blocks = [b.copy() for b in bootstrap._counted(clusters, len(clusters), 30, cells, scratch)]
    assert np.array_equal(np.vstack(blocks), want)


def test_scratch_hands_back_its_arrays_and_grows_when_asked() -> None:
    scratch = Scratch()
    first = scratch.array("counts", (4, 10), np.int32)
    again = scratch.array("counts", (3, 10), np.int32)  # a last, smaller block
    assert np.shares_memory(first, again) and again.shape == (3, 10)
    larger = scratch.array("counts", (5, 10), np.int32)
    assert not np.shares_memory(first, larger) and larger.shape == (5, 10)
    other = scratch.array("counts", (5, 10), np.float64)  # another type: its own array
    assert other.dtype == np.float64 and not np.shares_memory(other, larger)


@pytest.mark.parametrize("weights", ["nominal", "linear", "quadratic"])
def test_expected_disagreement_is_the_double_sum_over_categories(weights: str) -> None:
    # (margins_a @ w * margins_b).sum: sum_ij a_i w_ij b_j, as the einsum it replaced
    rng = np.random.default_rng(3)
    k, pairs, replicates = 5, 4, 6
    a = rng.integers(0, 30, (replicates, pairs, k)).astype(np.float64)
    b = rng.integers(0, 30, (replicates, pairs, k)).astype(np.float64)
    shared = a.sum(axis=2)
    b *= (shared / b.sum(axis=2))[:, :, None]  # the same sessions on both sides
    observed = {weights: rng.integers(0, 20, (replicates, pairs)).astype(np.float64)}
    positions = np.array([0.0, 1.0, 2.5, 3.0, 4.0])  # not all integers
    per_pair, pooled = kappas_from_margins(shared, observed, a, b, positions, [weights])
    w = weight_matrix(positions, weights)
    expected = np.einsum("rpi,ij,rpj->rp", a, w, b) / shared
    assert per_pair[weights] == pytest.approx(1 - observed[weights] / expected, rel=1e-12)
    total = 1 - observed[weights].sum(axis=1) / expected.sum(axis=1)
    assert pooled[weights] == pytest.approx(total, rel=1e-12)
