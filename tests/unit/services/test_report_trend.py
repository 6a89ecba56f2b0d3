"""The caseload page's trend compares like with like: the items with a value at both ends."""

from __future__ import annotations

from datetime import date

from rating_tui.instruments.loader import parse_instrument
from rating_tui.services.caseload import DyadStatus
from rating_tui.services.report import caseload_report
from rating_tui.services.trajectory import Observation, build
from tests.unit.instruments.conftest import MINIMAL_TOML


def _page(*observations: Observation) -> str:
    ins = parse_instrument(MINIMAL_TOML, "mini.toml")
    t = build("D1", ins, observations)
    return caseload_report("AB", [DyadStatus(t, [])], today=date(2026, 3, 1))


def test_an_item_without_a_value_at_one_end_is_left_out_and_counted() -> None:
    """Before: "0.0 → 5.0": the first mean took holding alone (attunement not observed), the
    latest holding and attunement, so an unchanged dyad read as a steep rise."""
    page = _page(
        Observation("2026-01-05", 1, "AB", {"holding": 0.0, "attunement": "not_observed"}),
        Observation("2026-01-12", 2, "AB", {"holding": 0.0, "attunement": 10.0}),
    )
    assert "<td>0.0 → 0.0 (1 of 2 items)</td>" in page
    assert "5.0" not in page


def test_every_item_at_both_ends_is_a_plain_trend() -> None:
    page = _page(
        Observation("2026-01-05", 1, "AB", {"holding": 0.0, "attunement": 4.0}),
        Observation("2026-01-12", 2, "AB", {"holding": 2.0, "attunement": 6.0}),
    )
    assert "<td>2.0 → 4.0</td>" in page


def test_no_item_at_both_ends_says_so() -> None:
    page = _page(
        Observation("2026-01-05", 1, "AB", {"holding": 1.0}),
        Observation("2026-01-12", 2, "AB", {"attunement": 6.0}),
    )
    assert "<td>no item has a value at both the first and the latest session</td>" in page
