"""Intraclass correlations in the six forms of Shrout & Fleiss (1979), with 95% intervals.

Input is a complete n sessions x k raters matrix (every rater rated every session). The mean
squares come from one two-way ANOVA; the intervals are the F-based ones of Shrout & Fleiss
(1979) and McGraw & Wong (1996), with Satterthwaite's degrees of freedom for ICC(2,1), and the
average-measure ICC(2,k) interval from ICC(2,1)'s by Spearman-Brown (as R's psych::ICC does).
Needs numpy (the `stats` extra); `fdist.f_quantile` is the F quantile.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.fdist import f_quantile
from rating_tui.analysis.results import ICC_FORMS, Estimate, missing

Matrix = npt.NDArray[np.float64]


def _quantile(dfn: float, dfd: float, level: float) -> float:
    """The upper (1 - level) / 2 quantile of F(dfn, dfd)."""
    return f_quantile(dfn, dfd, 1 - (1 - level) / 2)


def _div(num: float, den: float) -> float:
    """num / den, with x/0 as ±inf (or NaN for 0/0) instead of an exception."""
    if den == 0:
        return math.copysign(math.inf, num) if num else math.nan
    return num / den


def _estimate(value: float, low: float, high: float) -> Estimate:
    if not math.isfinite(value):
        return missing("not defined for these data (no variation)")
    bounds = [b if math.isfinite(b) else None for b in (low, high)]
    note = "" if None not in bounds else "no confidence interval (no residual variation)"
    return Estimate(value, bounds[0], bounds[1], note)


def _single(f_low: float, f_high: float, k: int) -> tuple[float, float]:
    """Interval of a single-rater ICC from the interval of its F ratio (an infinite F, from
    no residual variation at all, is an ICC of 1)."""

    def bound(f: float) -> float:
        return 1.0 if math.isinf(f) and f > 0 else _div(f - 1, f + k - 1)

    return (bound(f_low), bound(f_high))


def _average(f_low: float, f_high: float) -> tuple[float, float]:
    """Interval of an average-measure ICC from the interval of its F ratio."""
    return (1 - _div(1, f_low), 1 - _div(1, f_high))


def _spearman_brown(r: float, k: int) -> float:
    return _div(k * r, 1 + (k - 1) * r)


def icc(x: Matrix, level: float = 0.95) -> dict[str, Estimate]:
    """The six ICCs of `x` (rows: sessions, columns: raters, no missing cells), by name."""
    n, k = x.shape
    if n < 2 or k < 2:
        return {form: missing("needs at least 2 sessions and 2 raters") for form in ICC_FORMS}
    grand = float(x.mean())
    ss_rows = k * float(((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((x.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((x - grand) ** 2).sum())
    ss_err = max(ss_total - ss_rows - ss_cols, 0.0)
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_err / ((n - 1) * (k - 1))
    msw = (ss_cols + ss_err) / (n * (k - 1))
    if msr == 0 and msw == 0:
        return {form: missing("no variation: every rating is the same") for form in ICC_FORMS}

    icc1 = _div(msr - msw, msr + (k - 1) * msw)
    icc2 = _div(msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n)
    icc3 = _div(msr - mse, msr + (k - 1) * mse)
    icc1k = _div(msr - msw, msr)
    icc2k = _div(msr - mse, msr + (msc - mse) / n)
    icc3k = _div(msr - mse, msr)

    # One-way (case 1): F = MSR / MSW on (n - 1, n(k - 1)) degrees of freedom.
    f1 = _div(msr, msw)
    df1, df1w = n - 1, n * (k - 1)
    f1_low = _div(f1, _quantile(df1, df1w, level))
    f1_high = f1 * _quantile(df1w, df1, level)
    # Two-way mixed (case 3): F = MSR / MSE on (n - 1, (n - 1)(k - 1)).
    f3 = _div(msr, mse)
    df3e = (n - 1) * (k - 1)
    f3_low = _div(f3, _quantile(df1, df3e, level))
    f3_high = f3 * _quantile(df3e, df1, level)
    # Two-way random (case 2): Satterthwaite's approximate denominator degrees of freedom.
    fj = _div(msc, mse)
    pull = n * (1 + (k - 1) * icc2) - k * icc2
    v = _div(
        (k - 1) * (n - 1) * (k * icc2 * fj + pull) ** 2,
        (n - 1) * (k * icc2 * fj) ** 2 + pull**2,
    )
    if math.isfinite(v) and v > 0:
        fs_low, fs_high = _quantile(df1, v, level), _quantile(v, df1, level)
        spread = k * msc + (k * n - k - n) * mse
        low2 = _div(n * (msr - fs_low * mse), fs_low * spread + n * msr)
        high2 = _div(n * (fs_high * msr - mse), spread + n * fs_high * msr)
    else:
        low2 = high2 = math.nan
    return {
        "ICC(1,1)": _estimate(icc1, *_single(f1_low, f1_high, k)),
        "ICC(2,1)": _estimate(icc2, low2, high2),
        "ICC(3,1)": _estimate(icc3, *_single(f3_low, f3_high, k)),
        "ICC(1,k)": _estimate(icc1k, *_average(f1_low, f1_high)),
        "ICC(2,k)": _estimate(icc2k, _spearman_brown(low2, k), _spearman_brown(high2, k)),
        "ICC(3,k)": _estimate(icc3k, *_average(f3_low, f3_high)),
    }
