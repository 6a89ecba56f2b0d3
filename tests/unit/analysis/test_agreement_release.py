"""What agreement lets go while it runs on the command line's table: the narrowed rows'
raters and dyad codes, each item's column once read (`consume`), the ICC's per-session
sums when only their totals are needed, and the heap's free pages between items. Counted
in array types, lengths and calls, never timed; the figures are compared for equality."""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from rating_tui.analysis import agreement as module
from rating_tui.analysis import categorical
from rating_tui.analysis.agreement import agreement
from rating_tui.analysis.alpha import RANKED, midrank_table
from rating_tui.analysis.categorical import Context
from rating_tui.analysis.itemvalues import TableItems, paired_values
from rating_tui.analysis.oneway import oneway_sums, oneway_totals
from rating_tui.analysis.pairing import SessionTable
from rating_tui.analysis.pairs import _run_sizes
from rating_tui.analysis.persession import CHUNK, centred_sums
from rating_tui.analysis.ratersets import MASK_CHUNK, rater_sets
from rating_tui.analysis.sessiontable import narrowest
from rating_tui.instruments.model import Instrument
from tests.unit.analysis.conftest import RatingMaker
from tests.unit.analysis.test_agreement_memory import sparse_table, template  # noqa: F401


def test_codes_are_narrowed_to_the_fewest_bytes_holding_the_same_numbers() -> None:
    assert narrowest(array("i", [0, 5, 2]), 6) == array("B", [0, 5, 2])
    assert narrowest(array("i", [0, 5, 2]), 6).typecode == "B"
    assert narrowest(array("i", [0, 300]), 301).typecode == "H"
    assert narrowest(array("i", [0, 70_000]), 70_001).typecode == "i"
    assert narrowest(array("i", [-1, 3]), 4).typecode == "i"  # a code for no part: kept
    kept = array("B", [1])
    assert narrowest(kept, 2) is kept and narrowest(array("i"), 0).typecode == "i"


def test_keeping_counts_only_narrows_the_raters_and_dyads(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    from tests.unit.analysis.conftest import table_of

    ratings = [
        make_rating(r, {"warmth": 3}, day=f"2026-03-{d:02d}") for d in (10, 11) for r in ("A", "B")
    ]
    table = table_of(ratings, instrument)
    raters, dyads = list(table.row_rater), list(table.dyad_codes())
    table.keep_counts_only()
    assert table.row_rater.typecode == "B" and list(table.row_rater) == raters
    assert table.dyad_codes().typecode == "B" and list(table.dyad_codes()) == dyads


def test_consuming_a_table_lets_go_of_each_column_and_then_the_rows(
    template: SessionTable,  # noqa: F811
) -> None:
    kept = agreement(sparse_table(template, singles=40))
    table = sparse_table(template, singles=40)
    table.keep_counts_only()  # as the command line's table: a byte a row's rater
    assert table.row_rater.typecode == "B"
    consumed = agreement(table, consume=True)
    assert consumed == kept  # every figure the same
    assert [len(c.data) for c in table.columns] == [0] * len(table.columns)
    assert (len(table.row_session), len(table.row_rater)) == (0, 0)
    assert all(c.levels for c in table.columns)  # the levels kept (a few values each)
    whole = sparse_table(template, singles=40)
    agreement(whole)  # not consumed: whole
    assert min(len(c.data) for c in whole.columns) == len(whole.row_session) > 0


@pytest.mark.parametrize("singles", [0, 5])
def test_oneway_totals_are_the_sums_totalled_bit_for_bit(singles: int) -> None:
    rng = np.random.default_rng(7)
    sessions = 20_000
    units = np.r_[
        np.repeat(np.arange(sessions - singles), 3), sessions - singles + np.arange(singles)
    ]
    units = units.astype(np.int32)
    x = rng.integers(0, 5, len(units)) + rng.random(len(units)) * 1e-3
    expected = oneway_sums(units, x, sessions).sum(axis=0, keepdims=True)
    found = oneway_totals(units, x, sessions)
    assert found.shape == (1, 6) and found.tobytes() == expected.tobytes()
    assert (oneway_totals(units[:0], x[:0], 0) == 0).all()


def test_free_pages_are_handed_back_after_each_item_when_asked(
    template: SessionTable,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(module, "release_free_pages", lambda: calls.append(1))
    table = sparse_table(template, singles=40)
    items = TableItems(table)
    found = module.agreement_of(items, table.raters, table.session_count, trim=True)
    assert len(calls) == len(found) == len(table.items)
    assert module.agreement_of(items, table.raters, table.session_count) == found
    assert len(calls) == len(table.items)  # not asked: not called


def test_an_items_raters_stay_a_byte_each_from_a_narrowed_table(
    template: SessionTable,  # noqa: F811
) -> None:
    table = sparse_table(template, singles=40)
    assert paired_values(table, 0).raters.dtype == np.int32  # as the table holds them
    table.keep_counts_only()
    found = paired_values(table, 0)
    assert found.raters.dtype == np.uint8 and found.raters.nbytes == len(found.values)


def test_chunked_steps_give_what_the_whole_arrays_gave() -> None:
    rng = np.random.default_rng(11)
    n = 3 * RANKED + 17  # several chunks and a part of one
    values = rng.integers(0, 7, n).astype(np.float64) / 2
    ranks = midrank_table(values)
    whole = replace(ranks, mean=ranks.of(values).mean())  # the mean of every rank at once
    assert ranks.mean.tobytes() == whole.mean.tobytes()
    s = np.sort(rng.integers(0, n // 3, n)).astype(np.int32)
    for runs in (s, s[:1], s[:0]):
        expected = np.diff(np.r_[np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]]), len(runs)])
        assert _run_sizes(runs).tolist() == expected.tolist()
    sessions = rng.integers(0, 5_000, 2 * MASK_CHUNK + 5).astype(np.int32)
    raters = rng.integers(0, 40, len(sessions)).astype(np.uint8)
    masks: dict[int, int] = {}
    for session, rater in zip(sessions.tolist(), raters.tolist(), strict=True):
        masks[session] = masks.get(session, 0) | (1 << rater)
    assert rater_sets(sessions, raters, [f"R{r}" for r in range(40)]) == Counter(masks.values())


def test_sums_added_straight_into_vectors_match_those_copied_into_columns() -> None:
    rng = np.random.default_rng(5)
    units = rng.integers(0, 3_000, 3 * CHUNK + 9).astype(np.int32)
    values = rng.random(len(units)) * 4
    matrix = np.full((3_000, 2), 9.0)  # strided columns: added into one vector, copied
    centred_sums(units, values, values.mean(), matrix[:, 0], matrix[:, 1])
    sums, squares = np.full(3_000, 9.0), np.full(3_000, 9.0)  # vectors: added in place
    centred_sums(units, values, values.mean(), sums, squares)
    assert sums.tobytes() == matrix[:, 0].copy().tobytes()
    assert squares.tobytes() == matrix[:, 1].copy().tobytes()


def test_kappa_runs_without_the_items_values(
    template: SessionTable,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, object]] = []
    kappa = categorical.kappa_figures

    def recorded(c: Context, *args: Any) -> Any:
        seen.append((c.x.nbytes, c.x.base))  # no values, and no view keeping them
        return kappa(c, *args)

    monkeypatch.setattr(module, "kappa_figures", recorded)
    table = sparse_table(template, singles=40)
    agreement(table)
    assert seen and all(found == (0, None) for found in seen)
