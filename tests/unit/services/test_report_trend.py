"""The caseload page's trend compares like with like: the items with a value at both ends."""

from __future__ import annotations

from datetime import date
from html import unescape

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


def test_items_on_different_scales_are_put_on_a_common_footing_and_say_so() -> None:
    """holding is 0-2, attunement 0-10: the raw means read "2.0 → 4.0" (the wide scale
    swamped the narrow one); each as a share of its range, 0% and 40% → 100% and 60%."""
    page = _page(
        Observation("2026-01-05", 1, "AB", {"holding": 0.0, "attunement": 4.0}),
        Observation("2026-01-12", 2, "AB", {"holding": 2.0, "attunement": 6.0}),
    )
    assert "<td>20% → 80% of each item's scale</td>" in unescape(page)
    assert "2.0 → 4.0" not in page
    assert "each value is first put as a share of its item's scale" in unescape(page)


def test_a_half_percent_is_rounded_up() -> None:
    page = _page(  # (1/2 * 100 + 25) / 2 = 37.5
        Observation("2026-01-05", 1, "AB", {"holding": 1.0, "attunement": 2.5}),
        Observation("2026-01-12", 2, "AB", {"holding": 1.0, "attunement": 2.5}),
    )
    assert "<td>38% → 38% of each item's scale</td>" in unescape(page)


def test_items_on_one_scale_are_a_plain_mean() -> None:
    page = _page(
        Observation("2026-01-05", 1, "AB", {"holding": 0.0, "attunement": "not_observed"}),
        Observation("2026-01-12", 2, "AB", {"holding": 2.0, "attunement": "not_observed"}),
    )
    assert "<td>0.0 → 2.0 (1 of 2 items)</td>" in page


def test_one_session_on_different_scales_is_in_percent_too() -> None:
    page = _page(Observation("2026-01-05", 1, "AB", {"holding": 2.0, "attunement": 0.0}))
    assert "<td>50% (one session) of each item's scale</td>" in unescape(page)


def test_no_item_at_both_ends_says_so() -> None:
    page = _page(
        Observation("2026-01-05", 1, "AB", {"holding": 1.0}),
        Observation("2026-01-12", 2, "AB", {"attunement": 6.0}),
    )
    assert "<td>no item has a value at both the first and the latest session</td>" in page
