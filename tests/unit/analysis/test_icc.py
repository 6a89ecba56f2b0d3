"""ICC in Shrout & Fleiss's six forms, checked against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from rating_tui.analysis.icc import icc
from rating_tui.analysis.results import ICC_FORMS

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428: Table 2, 6 targets rated by 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)
# Their published ICC(1,1), (2,1), (3,1), (1,4), (2,4), (3,4).
SHROUT_FLEISS_ICC = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
# 95% limits for the same data printed by R's psych::ICC (Revelle), the reference that
# pingouin's test suite checks its intraclass_corr against.
PSYCH_LOWER = [-0.13, 0.02, 0.34, -0.88, 0.07, 0.68]
PSYCH_UPPER = [0.72, 0.76, 0.95, 0.91, 0.93, 0.99]

# Real Statistics Resource Pack's ICC example (8 wines x 4 judges), also in pingouin's test
# suite ("icc" data set) with these values, checked there against psych::ICC.
WINE = np.array(
    [[1, 2, 0, 1], [1, 3, 3, 2], [3, 8, 1, 4], [6, 4, 3, 3],
     [6, 5, 5, 6], [7, 5, 6, 2], [8, 7, 7, 9], [9, 9, 9, 8]],
    dtype=float,
)  # fmt: skip
WINE_ICC = [0.73, 0.73, 0.73, 0.91, 0.91, 0.92]
WINE_LOWER = [0.43, 0.43, 0.43, 0.75, 0.75, 0.75]
WINE_UPPER = [0.93, 0.93, 0.93, 0.98, 0.98, 0.98]


@pytest.mark.parametrize(
    ("data", "values", "lower", "upper"),
    [
        (SHROUT_FLEISS, SHROUT_FLEISS_ICC, PSYCH_LOWER, PSYCH_UPPER),
        (WINE, WINE_ICC, WINE_LOWER, WINE_UPPER),
    ],
    ids=["shrout-fleiss-1979-table-2", "real-statistics-wine"],
)
def test_published_examples(
    data: np.ndarray, values: list[float], lower: list[float], upper: list[float]
) -> None:
    found = icc(data)
    assert list(found) == list(ICC_FORMS)
    for form, value, low, high in zip(ICC_FORMS, values, lower, upper, strict=True):
        e = found[form]
        assert e.value is not None and e.low is not None and e.high is not None
        assert round(e.value, 2) == value, form
        assert round(e.low, 2) == low, form
        assert round(e.high, 2) == high, form


def test_shrout_fleiss_from_their_mean_squares() -> None:
    """The same example from the mean squares of their Table 3 (BMS 11.24, WMS 6.26, JMS
    32.49, EMS 1.02) put into their formulas by hand."""
    found = icc(SHROUT_FLEISS)
    bms, wms, jms, ems, n, k = 11.24, 6.26, 32.49, 1.02, 6, 4
    by_hand = {
        "ICC(1,1)": (bms - wms) / (bms + (k - 1) * wms),
        "ICC(2,1)": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC(3,1)": (bms - ems) / (bms + (k - 1) * ems),
        "ICC(1,k)": (bms - wms) / bms,
        "ICC(2,k)": (bms - ems) / (bms + (jms - ems) / n),
        "ICC(3,k)": (bms - ems) / bms,
    }
    for form, value in by_hand.items():
        assert found[form].value == pytest.approx(value, abs=0.002), form


def test_perfect_agreement_is_one_with_a_degenerate_interval() -> None:
    data = np.array([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]], dtype=float)
    found = icc(data)
    for form in ICC_FORMS:
        assert found[form].value == pytest.approx(1.0), form
    assert found["ICC(3,1)"].low == pytest.approx(1.0)


def test_no_variation_at_all_gives_no_number() -> None:
    found = icc(np.full((6, 3), 2.0))
    assert all(e.value is None for e in found.values())
    assert found["ICC(1,1)"].note == "no variation: every rating is the same"


def test_too_small_a_matrix_gives_no_number() -> None:
    found = icc(np.array([[1.0, 2.0]]))
    assert found["ICC(2,1)"].value is None
    assert "at least 2 sessions" in found["ICC(2,1)"].note
