"""A dyad's course keeps each item on its scale's fixed range and every session in line."""

from __future__ import annotations

from rating_tui.instruments.loader import parse_instrument
from rating_tui.services.trajectory import Observation, build
from tests.unit.instruments.conftest import MINIMAL_TOML


def test_items_carry_their_fixed_scale_and_line_up_on_the_same_sessions() -> None:
    ins = parse_instrument(MINIMAL_TOML, "mini.toml")
    obs = [
        Observation("2026-01-05", 1, "AB", {"holding": 2.0, "attunement": 7.0}),
        Observation("2026-01-12", 2, "AB", {"holding": "not_observed", "attunement": 9.0}),
        Observation("2026-01-19", 3, "AB", {"attunement": 9.0}),
    ]
    t = build("D1", ins, obs)
    holding, attunement = t.lines
    assert (holding.low, holding.high) == (0.0, 2.0)
    assert (attunement.low, attunement.high) == (0.0, 10.0)
    assert [s.label for s in t.sessions] == ["#1", "#2", "#3"]
    assert holding.values == [2.0, None, None]  # gaps stay where they are, not closed up
    assert [c.text for c in holding.cells] == ["2", "n/o", "·"]  # coded vs unanswered
    assert attunement.values == [7.0, 9.0, 9.0]


def test_sessions_without_a_number_are_labelled_by_date_and_sorted_by_it() -> None:
    ins = parse_instrument(MINIMAL_TOML, "mini.toml")
    obs = [
        Observation("2026-02-01", None, "AB", {"holding": 1.0}),
        Observation("2026-01-01", None, "AB", {"holding": 0.0}),
    ]
    t = build("D1", ins, obs)
    assert [s.label for s in t.sessions] == ["2026-01-01", "2026-02-01"]
    assert t.lines[0].values == [0.0, 1.0]


def test_the_note_counts_the_sessions_that_are_means_of_several_raters() -> None:
    """Before: "sessions rated by several raters show their mean", without how many (the
    report and the dyad view said it alike for one shared session as for all)."""
    ins = parse_instrument(MINIMAL_TOML, "mini.toml")
    obs = [
        Observation("2026-01-05", 1, "AB", {"holding": 2.0}),
        Observation("2026-01-12", 2, "AB", {"holding": 1.0}),
        Observation("2026-01-12", 2, "CD", {"holding": 2.0}),
        Observation("2026-01-19", 3, "AB", {"holding": 0.0}),
    ]
    t = build("D1", ins, obs)
    assert t.shared_sessions == 1
    assert t.scale_note == "1 of 3 sessions were rated by several raters and show their mean"
    assert t.lines[0].values == [2.0, 1.5, 0.0]
