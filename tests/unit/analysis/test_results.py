"""Interpretation bands, and the message when the statistics extra is not installed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from rating_tui.analysis.results import Estimate, interpretation, koo_li, stats_missing
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (-0.2, "poor"),
        (0.49, "poor"),
        (0.5, "moderate"),
        (0.749, "moderate"),
        (0.75, "good"),
        (0.9, "good"),
        (0.901, "excellent"),
    ],
)
def test_koo_and_li_2016_bands(value: float, band: str) -> None:
    # Koo, T. K. & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
    # correlation coefficients for reliability research. J Chiropr Med 15(2), 155-163:
    # < .50 poor, .50-.75 moderate, .75-.90 good, > .90 excellent.
    assert koo_li(value) == band


def test_interpretation_names_the_bands_of_the_interval() -> None:
    assert interpretation(Estimate(0.8, 0.76, 0.85)) == "good"
    assert interpretation(Estimate(0.8, 0.4, 0.95)) == "good (CI: poor to excellent)"
    assert interpretation(Estimate(None, note="too few")) == ""


def test_without_numpy_and_scipy_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert stats_missing() is None
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "scipy" else real(name)
    )
    assert stats_missing() == (
        "agreement statistics need scipy: install them with pip install 'rating-tui[stats]'"
    )


def test_calibration_and_the_results_need_no_numpy() -> None:
    probe = (
        "import sys\n"
        "sys.modules['numpy'] = None\n"  # any import of numpy now fails
        "import rating_tui.analysis.calibration, rating_tui.analysis.report\n"
        "import rating_tui.analysis.results, rating_tui.analysis.pairing\n"
        "print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr
