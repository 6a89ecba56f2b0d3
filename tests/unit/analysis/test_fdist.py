"""The F quantile behind the ICC intervals, against scipy.special.fdtri (an independent
implementation: Cephes' incomplete beta inverse)."""

from __future__ import annotations

import itertools
import math

import pytest
from scipy.special import fdtri

from rating_tui.analysis.fdist import beta_cdf, f_quantile

DEGREES = [1, 1.5, 2, 3, 4.7, 9.99, 10, 29, 119, 999, 28_500, 71_234.5, 1e6]


@pytest.mark.parametrize("p", [0.001, 0.025, 0.5, 0.975, 0.999])
def test_f_quantile_matches_scipy(p: float) -> None:
    for dfn, dfd in itertools.product(DEGREES, DEGREES):
        want = float(fdtri(dfn, dfd, p))
        assert f_quantile(dfn, dfd, p) == pytest.approx(want, rel=1e-10), (dfn, dfd)


def test_beta_cdf_known_values() -> None:
    # I_y(1, 1) = y; I_y(a, 1) = y^a; I_0.5(a, a) = 0.5 by symmetry.
    assert beta_cdf(0.3, 1, 1) == pytest.approx(0.3, rel=1e-14)
    assert beta_cdf(0.7, 3.5, 1) == pytest.approx(0.7**3.5, rel=1e-13)
    assert beta_cdf(0.5, 40_000, 40_000) == pytest.approx(0.5, rel=1e-10)


def test_outside_the_domain_is_nan() -> None:
    for dfn, dfd, p in [(0, 5, 0.5), (5, -1, 0.5), (5, 5, 0), (5, 5, 1), (math.inf, 5, 0.5)]:
        assert math.isnan(f_quantile(dfn, dfd, p))
