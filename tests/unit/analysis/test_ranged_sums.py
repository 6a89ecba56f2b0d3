"""Alpha's per-session sums made a range of sessions at a time (`alpha.alpha_ranged`),
totalled so (`parts.ranged_totals`) and grouped so (`runs.grouped_ranged`), against the
whole matrix they replace: the same floats bit for bit, the same sort, runs and rows of the
runs, and the whole matrix never made. Ranges are made small (1 to 7 sessions) so that runs
and sessions fall across their boundaries."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from rating_tui.analysis import parts, persession
from rating_tui.analysis.alpha import alpha_ranged, alpha_sums, midrank_table
from rating_tui.analysis.parts import Grouped, Remade, Sums, grouped, key_weights, ranged_totals
from rating_tui.analysis.runs import grouped_ranged
from tests.unit.analysis.test_chunked_sums import design, same_bits

Vector = npt.NDArray[np.float64]


@pytest.mark.parametrize("levels", [5, None])
@pytest.mark.parametrize("level", ["interval", "ordinal"])
def test_a_range_of_sessions_has_the_rows_of_the_whole(
    monkeypatch: pytest.MonkeyPatch, levels: int | None, level: str
) -> None:
    monkeypatch.setattr(persession, "CHUNK", 3)
    units, _, values = design(41, sessions=400, levels=levels)
    n = int(units.max()) + 1
    units, values = _paired(units, values, n)
    ranks = midrank_table(values) if level == "ordinal" else None
    whole = alpha_sums(units, values, level, n, ranks)  # type: ignore[arg-type]
    make = alpha_ranged(units, values, level, n, ranks)  # type: ignore[arg-type]
    assert make is not None
    for size in (1, 2, 7, 64, n):
        made = [make(b, min(b + size, n)) for b in range(0, n, size)]
        assert same_bits(np.vstack(made), whole), size
    monkeypatch.setattr(parts, "RANGE", 5)
    assert same_bits(ranged_totals(make, n), whole.sum(axis=0, keepdims=True))


def test_a_session_with_one_value_is_not_made_by_ranges() -> None:
    """`alpha_sums` leaves such a value out and ranks the rest anew: made whole then."""
    units = np.array([0, 0, 1, 2, 2], np.int32)
    values = np.array([1.0, 2.0, 3.0, 1.0, 1.0])
    assert alpha_ranged(units, values, "ordinal", 3) is None
    assert alpha_ranged(units[:2], values[:2], "interval", 1) is not None


def test_a_rows_product_with_the_key_weights_is_the_same_in_any_matrix() -> None:
    """What `grouped_ranged` relies on to give `grouped`'s sort: a row's key does not depend
    on the rows made with it."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(2, 5000))
        rows = rng.standard_normal((n, 4)) * rng.choice([1.0, 1e6, 1e-6], size=(n, 1))
        whole = rows @ key_weights(4)
        begin = int(rng.integers(0, n))
        end = int(rng.integers(begin + 1, n + 1))
        assert same_bits(rows[begin:end] @ key_weights(4), whole[begin:end])


@pytest.mark.parametrize("size", [1, 2, 5, 1 << 15])
def test_ranged_sums_group_as_the_whole_ones_without_making_them(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(parts, "RANGE", size)
    units, _, values = design(43, sessions=3000, levels=3)
    n = int(units.max()) + 1
    units, values = _paired(units, values, n)
    rows = np.arange(n, dtype=np.int64) + 3  # rows among 3 + n resampled sessions
    made = [alpha_sums(units, values, level, n) for level in ("interval", "ordinal")]
    ranged = [_never_whole(rows, units, values, level, n) for level in ("interval", "ordinal")]
    found = grouped_ranged(ranged, n + 3)
    expected = grouped([Sums(rows, f) for f in made], n + 3)
    assert found is not None and len(found) == 2
    for a, b in zip(found, expected, strict=True):
        assert isinstance(a, Grouped) and isinstance(b, Grouped)
        assert (a.order == b.order).all() and a.order.dtype == b.order.dtype
        assert (a.starts == b.starts).all()
        assert same_bits(a.features, b.features)


def test_sums_that_do_not_repeat_are_spread_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "RANGE", 7)
    units, _, values = design(44, sessions=300, levels=None)  # finely spread values
    n = int(units.max()) + 1
    units, values = _paired(units, values, n)
    rows = np.arange(n, dtype=np.int64)
    [found] = grouped_ranged([_never_whole(rows, units, values, "interval", n)], n + 2) or [None]
    [expected] = grouped([Sums(rows, alpha_sums(units, values, "interval", n))], n + 2)
    assert isinstance(found, Sums) and isinstance(expected, Sums)
    assert same_bits(found.features, expected.features)


def test_rows_with_nan_or_negative_zero_are_left_to_the_comparison_of_rows() -> None:
    """Their bytes differ where the values are equal (-0.0) or equal where they are not
    (NaN): `grouped` compares them as values."""
    rows = np.arange(4, dtype=np.int64)
    for odd in (np.nan, -0.0):
        sums = np.ones((4, 2))
        sums[1, 1] = odd

        def make(begin: int, end: int, sums: Vector = sums) -> Vector:
            return sums[begin:end].copy()

        assert grouped_ranged([Remade(rows, lambda s=sums: s, make)], 4) is None
    held = Sums(rows, np.ones((4, 2)))
    assert grouped_ranged([held], 4) is None  # not made by ranges: `grouped` groups it


def _paired(
    units: npt.NDArray[np.int32], values: Vector, n: int
) -> tuple[npt.NDArray[np.int32], Vector]:
    """Agreement's values: those of sessions with two or more."""
    keep = (np.bincount(units, minlength=n) >= 2)[units]
    return units[keep], values[keep]


def _never_whole(
    rows: npt.NDArray[np.int64], units: npt.NDArray[np.int32], values: Vector, level: str, n: int
) -> Remade:
    def whole() -> Vector:
        raise AssertionError("the whole matrix was made")

    make = alpha_ranged(units, values, level, n)  # type: ignore[arg-type]
    assert make is not None
    return Remade(rows, whole, make)
