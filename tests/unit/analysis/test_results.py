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


def test_without_numpy_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert stats_missing() is None
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "numpy" else real(name)
    )
    assert stats_missing() == (
        "agreement statistics need numpy: install it with pip install 'rating-tui[stats]'"
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


def test_agreement_needs_no_scipy() -> None:
    # Any part of scipy costs agreement about 26 MiB and a second of start-up (issue 12's
    # memory target): the F quantile is computed here, kappa's resampling without sparse
    # matrices. Every statistic of an item with pairs, one-way and two-way ICCs included.
    probe = (
        "import sys\n"
        "sys.modules['scipy'] = None\n"  # any import of scipy now fails
        "import numpy as np\n"
        "from rating_tui.analysis.agreement import ItemValues, agreement_of\n"
        "from rating_tui.analysis.scales import ItemScale\n"
        "rng = np.random.default_rng(1)\n"
        "sessions = np.repeat(np.arange(30), 3)\n"
        "raters = np.tile(np.arange(3), 30)\n"
        "x = (rng.integers(0, 5, 30)[sessions] + rng.integers(0, 2, 90)).clip(0, 4)\n"
        "item = ItemScale('a', 'A', 'likert', (0.0, 1.0, 2.0, 3.0, 4.0), 0.0, 4.0, 1.0)\n"
        "found = ItemValues(item, sessions, raters, x.astype(float))\n"
        "dyads = [f'D{s % 7}' for s in range(30)]\n"
        "[result] = agreement_of([found], ['R1', 'R2', 'R3'], 30, dyads, 'dyad')\n"
        "print(sum(f.estimate.low is not None for f in result.figures))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 10  # six ICCs, two alphas, pooled and per-pair kappas
