"""Chance-corrected agreement on categories, for any number of raters and missing values:
Krippendorff's alpha (nominal), Fleiss' kappa and Gwet's AC1.

All three start from the number of values n_uk of each category k in each session u (m_u
values in the session) and are built from sums over sessions, so a bootstrap replicate is a
weighted total of per-session rows (`category_sums`), as for the other statistics:

- alpha = 1 - (n - 1) * sum_u D_u / (n^2 - sum_k n_k^2), D_u = (m_u^2 - sum_k n_uk^2) /
  (m_u - 1), over the sessions with two or more values (Krippendorff 2011, nominal metric);
- Fleiss' kappa = (p_a - p_e) / (1 - p_e) with p_a the mean over those sessions of
  sum_k n_uk (n_uk - 1) / (m_u (m_u - 1)), pi_k the mean share of category k per session, and
  p_e = sum_k pi_k^2 (Fleiss 1971; for unequal m_u, Gwet 2014, as irrCAC computes it);
- Gwet's AC1: the same p_a, with p_e = sum_k pi_k (1 - pi_k) / (q - 1), q the number of
  categories of the scale (Gwet 2008).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]
FIXED = 5
"""Leading columns of `category_sums`: pairable, m, D_u, p_a term, counted in pi."""


def category_counts(
    units: npt.NDArray[np.int64], codes: npt.NDArray[np.int64], sessions: int, categories: int
) -> Matrix:
    """n_uk: how many values of category `codes[i]` (0..categories-1) each session holds."""
    flat = np.bincount(units * categories + codes, minlength=sessions * categories)
    return flat.reshape(sessions, categories).astype(np.float64)


def category_sums(counts: Matrix, single_in_pi: bool = False) -> Matrix:
    """Per session: pairable (m >= 2), m, D_u, the p_a term, whether the session counts in
    pi, then pi's terms n_uk / m_u, then n_uk (pairable sessions only). With `single_in_pi`,
    sessions with one value count in pi too, as irrCAC does for Gwet's published examples."""
    m = counts.sum(axis=1)
    pairable = m >= 2
    in_pi = (m >= 1) if single_in_pi else pairable
    with np.errstate(divide="ignore", invalid="ignore"):
        squares = (counts * counts).sum(axis=1)
        disagreement = np.where(pairable, (m * m - squares) / (m - 1), 0.0)
        agreement = np.where(pairable, (squares - m) / (m * (m - 1)), 0.0)
        shares = np.where(in_pi[:, None], counts / m[:, None], 0.0)
    k = counts.shape[1]
    out = np.zeros((len(counts), FIXED + 2 * k))
    out[:, 0], out[:, 1], out[:, 2] = pairable, np.where(pairable, m, 0), disagreement
    out[:, 3], out[:, 4] = agreement, in_pi
    out[:, FIXED : FIXED + k] = shares
    out[:, FIXED + k :] = np.where(pairable[:, None], counts, 0.0)
    return out


def nominal_from_totals(totals: Matrix, scale_categories: int) -> dict[str, Vector]:
    """Alpha (nominal), Fleiss' kappa and AC1 of each row of totals of `category_sums`
    (NaN where undefined); `scale_categories` is q for AC1."""
    k = (totals.shape[1] - FIXED) // 2
    sessions, n, disagreement, agreement, in_pi = totals[:, :FIXED].T
    shares, values = totals[:, FIXED : FIXED + k], totals[:, FIXED + k :]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = n * n - (values * values).sum(axis=1)
        alpha = np.where(
            (n >= 2) & (expected > 1e-12), 1 - (n - 1) * disagreement / expected, np.nan
        )
        p_a = agreement / sessions
        pi = shares / in_pi[:, None]
        p_fleiss = (pi * pi).sum(axis=1)
        fleiss = np.where(
            (sessions > 0) & (p_fleiss < 1 - 1e-12), (p_a - p_fleiss) / (1 - p_fleiss), np.nan
        )
        q = max(scale_categories, 2)
        p_gwet = (pi * (1 - pi)).sum(axis=1) / (q - 1)
        ac1 = np.where((sessions > 0) & (p_gwet < 1 - 1e-12), (p_a - p_gwet) / (1 - p_gwet), np.nan)
    return {"alpha (nominal)": alpha, "Fleiss' kappa": fleiss, "Gwet's AC1": ac1}
