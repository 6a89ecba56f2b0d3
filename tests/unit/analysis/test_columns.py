"""The compact stores of a session table: an item's values a byte per row while few distinct
values are met (`columns.py`), and the session index in flat arrays (`keyindex.py`)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from rating_tui.analysis.agreement import item_values
from rating_tui.analysis.columns import MAX_LEVELS, ItemColumn, Texts
from rating_tui.analysis.keyindex import KEY_LIMIT, KeyIndex
from rating_tui.analysis.pairing import _Builder
from rating_tui.instruments.model import Instrument
from tests.unit.analysis.conftest import RatingMaker, table_of


def floats(column: ItemColumn) -> list[float | None]:
    return [None if math.isnan(v) else v for v in column.floats()]


def test_gaps_read_back_as_no_value() -> None:
    column = ItemColumn(5)
    column.set(1, 3)
    column.set(3, 0.5)
    column.set(4, 3.0)  # the int 3 and the float 3.0 are one value
    assert floats(column) == [None, 3.0, None, 0.5, 3.0]
    assert column.levels == [3.0, 0.5] and list(column.data) == [-1, 0, -1, 1, 0]


def test_nan_and_cleared_rows_have_no_value() -> None:
    column = ItemColumn(3)
    column.set(0, math.nan)
    column.set(1, 2)
    column.set(2, 4)
    column.clear(2)  # a newer rating of the row without this item
    assert floats(column) == [None, 2.0, None] and column.levels == [2.0, 4.0]


def test_too_many_distinct_values_turn_into_floats_exactly() -> None:
    rng = random.Random(7)
    given = [rng.uniform(0, 100) for _ in range(3 * MAX_LEVELS)]  # a computed score
    column = ItemColumn(len(given) + 2)
    for row, value in enumerate(given):
        column.set(row, value)
    assert column.levels is None  # widened on the 128th distinct value
    column.set(len(given), 1)
    column.clear(0)
    assert floats(column) == [None, *given[1:], 1.0, None]


def test_growing_and_trimming_keep_the_mode() -> None:
    column = ItemColumn()
    column.grow(3)
    column.set(2, 1)
    column.trim(2)
    assert floats(column) == [None, None]
    for row in range(MAX_LEVELS + 1):
        column.grow(1)
        column.set(len(column) - 1, row)
    column.grow(2)
    assert column.levels is None and len(column) == MAX_LEVELS + 5
    assert floats(column)[-3:] == [MAX_LEVELS, None, None]


def test_item_values_read_codes_and_floats_alike(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = [
        make_rating("AB", {"warmth": 5}),
        make_rating("CD", {"warmth": 6}),
        make_rating("EF", {}),  # a rater with one rating and no value: a gap
        make_rating("AB", {"warmth": 2}, number=2),
    ]
    table = table_of(ratings, instrument)
    found = item_values(table, 0)
    assert found.values.tolist() == [5.0, 6.0, 2.0]
    assert found.sessions.tolist() == [0, 0, 1] and found.raters.tolist() == [0, 1, 0]
    table.columns[0]._widen()  # the same table with the values kept as floats
    again = item_values(table, 0)
    assert again.values.tolist() == found.values.tolist()
    assert np.array_equal(again.sessions, found.sessions)


def test_key_index_is_a_dict_of_session_indices() -> None:
    rng = random.Random(3)
    index, reference = KeyIndex(bits=2), dict[int, int]()
    for _ in range(20_000):  # grows many times; neighbouring keys collide in low bits
        key = rng.choice((rng.randrange(64), rng.randrange(KEY_LIMIT)))
        assert index.setdefault(key, len(reference)) == reference.setdefault(key, len(reference))
    assert len(index) == len(reference)
    with pytest.raises(ValueError):
        index.setdefault(KEY_LIMIT, 0)


def test_sessions_with_huge_key_codes_stay_apart() -> None:
    builder = _Builder("x")
    big = 1 << 20  # past what packs 20 bits a part: kept apart in the dict
    sessions = [
        builder._session_of(codes, n)
        for n, codes in enumerate([[0, 1, 2], [0, 1, big + 2], [1, 1, 2], [0, 1, big + 2]])
    ]
    assert sessions == [0, 1, 2, 1]


def test_texts_read_back_like_the_list_they_were_made_from() -> None:
    given = ["D001", "", "Ärztin-7", "2026-03-01", "x" * 600]
    texts = Texts(given)
    assert len(texts) == len(given)
    assert [texts[i] for i in range(len(given))] == given
    assert (texts[-1], texts[-5], list(texts[1:4])) == (given[-1], given[0], given[1:4])
    assert list(texts) == given and list(Texts([])) == []
    with pytest.raises(IndexError):
        texts[len(given)]
