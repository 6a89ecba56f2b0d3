"""What is shown: half-up rounding, no negative zero, APA figures and the sentence that names
the model in words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rating_tui.analysis.agreement import ItemAgreement
from rating_tui.analysis.design import ROTATING, Design
from rating_tui.analysis.report import apa, caveats, number, percent, rounded, sentence, signed
from rating_tui.analysis.results import Estimate, Figure, landis_koch, missing
from rating_tui.analysis.scales import ItemScale
from rating_tui.views.agreement_view import pair_lines

ITEM = ItemScale("narration", "Narration", "likert", (0, 1, 2, 3, 4), 0, 4, 1)


@pytest.mark.parametrize(
    ("share", "shown"), [(0.375, "38%"), (0.625, "63%"), (0.125, "13%"), (0.0, "0%")]
)
def test_percentages_round_half_up(share: float, shown: str) -> None:
    # Python's own formatting rounds half to even: f"{62.5:.0f}" is "62".
    assert percent(share) == shown


def test_no_negative_zero() -> None:
    assert number(-0.0004, 3) == "0.000" and number(-0.0, 2) == "0.00"
    assert apa(-0.004) == ".00" and signed(-0.001) == "+0.00"
    assert rounded(0.125, 2) == "0.13" and rounded(-0.125, 2) == "-0.13"


def test_apa_drops_the_leading_zero() -> None:
    assert (apa(0.5672), apa(-0.05), apa(1.0), apa(None)) == (".57", "-.05", "1.00", "")


def test_sentence_names_the_model_in_words() -> None:
    design = Design(ROTATING, 120, 8, 2, 2, 8, ("R1", "R6"))
    figure = Figure(
        "ICC(1,1)", Estimate(0.5712, 0.4349, 0.6771), 120, ("R1",), "all sessions", "F", 2.0
    )
    found = ItemAgreement(ITEM, 120, 0, design, [figure], 0)
    assert sentence(found, figure) == (
        "ICC(1,1), one-way random effects, absolute agreement, single rater = .57, "
        "95% CI [.43, .68], 120 sessions rated by 2 of 8 raters (adjusted mean 2.00 raters "
        "per session); F-based interval."
    )
    assert caveats(found, figure) == []
    small = Figure("alpha (nominal)", Estimate(0.7, 0.4, 0.9), 12, (), "all sessions",
                   "dyad bootstrap")  # fmt: skip
    found = ItemAgreement(ITEM, 12, 0, design, [small], 0)
    assert sentence(found, small).startswith("Krippendorff's alpha, nominal metric = .70")
    assert sentence(found, small).endswith("; dyad bootstrap.")
    assert "rests on 12 sessions (fewer than 20)" in caveats(found, small)[0]


@pytest.mark.parametrize(
    ("value", "band"),
    [(-0.1, "poor"), (0.2, "slight"), (0.21, "fair"), (0.6, "moderate"), (0.8, "substantial"),
     (0.81, "almost perfect")],
)  # fmt: skip
def test_landis_and_koch_1977_bands(value: float, band: str) -> None:
    assert landis_koch(value) == band


def test_pair_lines_fit_the_width_and_say_each_note_once() -> None:
    item = ItemScale("focus", "Focus", "likert", (0, 1, 2), 0, 2, 1)
    why = "no interval: 1,770 pairs of raters, more than 45 to resample"
    long = ("a-rater-with-a-very-long-code-" * 3, "RP\x1b[2J")
    figures = [
        Figure("kappa (linear)", Estimate(0.5), 40, ("AB", "RP"), "pooled pairs"),
        Figure("kappa (linear)", Estimate(0.61, note=why), 12, ("AB", "RP"), "pair"),
        Figure("kappa (quadratic)", Estimate(0.7, note=why), 12, ("AB", "RP"), "pair"),
        Figure("kappa (linear)", missing("no variation"), 5, long, "pair"),
        Figure("kappa (quadratic)", Estimate(-0.004, note=why), 5, long, "pair"),
    ]
    found = ItemAgreement(item, 40, 0, Design(ROTATING, 40, 3, 2, 2, 0, ()), figures)
    lines = pair_lines(found, 80)
    assert lines[:3] == [
        "focus: kappa per pair of raters sharing 5 or more sessions",
        f"  {why}",
        "  no variation",
    ]
    assert lines[4].split() == ["AB,", "RP", "12", ".61", "substantial", ".70", "substantial"]
    assert (
        "…" in lines[5]
        and "\x1b" not in lines[5]
        and lines[5].split()[-4:] == ["5", "-", ".00", "poor"]
    )
    assert all(len(line) <= 80 for line in lines)
    assert pair_lines(replace(found, figures=figures[:1])) == []
