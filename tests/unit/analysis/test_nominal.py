"""Nominal agreement against published worked examples: Fleiss' kappa, Krippendorff's alpha
(nominal), Gwet's AC1 and Cohen's unweighted kappa, per pair and pooled."""

from __future__ import annotations

import numpy as np
import pytest

from rating_tui.analysis.agreement import ItemValues, agreement_of
from rating_tui.analysis.nominal import category_counts, category_sums, nominal_from_totals
from rating_tui.analysis.pairs import pair_rows
from rating_tui.analysis.scales import ItemScale
from tests.unit.analysis.test_alpha import KRIPPENDORFF_2011, long_form
from tests.unit.analysis.test_kappa import RATER2, RATER3

CHOICE = ItemScale("focus", "Focus", "choice", (0.0, 1.0, 2.0, 3.0, 4.0), 0, 4, 1, tuple("abcde"))


def from_table(table: list[list[int]]) -> dict[str, float]:
    """The statistics of a subjects x categories table of counts."""
    counts = np.array(table, dtype=float)
    totals = category_sums(counts).sum(axis=0, keepdims=True)
    return {k: float(v[0]) for k, v in nominal_from_totals(totals, counts.shape[1]).items()}


def test_fleiss_1971_thirty_patients_six_psychiatrists() -> None:
    # Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
    # Bulletin 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses;
    # kappa = .430 (R irr::kappam.fleiss(diagnoses) = 0.4302445, quoted in statsmodels' tests).
    diagnoses = [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]  # fmt: skip
    table = [[row.count(c) for c in range(1, 6)] for row in diagnoses]
    assert from_table(table)["Fleiss' kappa"] == pytest.approx(0.4302445, abs=5e-8)


def test_fleiss_kappa_ten_subjects_fourteen_raters() -> None:
    # The 10 subjects x 14 raters x 5 categories example of Wikipedia's "Fleiss' kappa"
    # article (used in statsmodels' tests): P-bar = 0.378, P_e = 0.213, kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    assert round(from_table(table)["Fleiss' kappa"], 3) == 0.210


def test_krippendorff_2011_nominal_and_gwet_2014_on_the_same_data() -> None:
    # Krippendorff (2011), 4 observers x 12 units with missing values: nominal alpha .743.
    # The same data are Gwet's (2014) Handbook of Inter-Rater Reliability, 4th ed., p. 120
    # example (irrCAC's cac.raw4raters): AC1 = .775 (p_a .818, p_e .190) and Fleiss' kappa
    # generalised to unequal raters per unit = .761 (p_e .239), as irrCAC prints them.
    # Gwet counts unit 12, rated once, in the category shares pi_k (single_in_pi).
    units, values = long_form(KRIPPENDORFF_2011)
    counts = category_counts(units, (values - 1).astype(np.int64), 12, 5)
    alpha = nominal_from_totals(category_sums(counts).sum(axis=0, keepdims=True), 5)
    assert round(float(alpha["alpha (nominal)"][0]), 3) == 0.743
    totals = category_sums(counts, single_in_pi=True).sum(axis=0, keepdims=True)
    gwet = nominal_from_totals(totals, 5)
    assert round(float(gwet["Gwet's AC1"][0]), 3) == 0.775
    assert round(float(gwet["Fleiss' kappa"][0]), 3) == 0.761


def test_gwet_ac1_and_cohen_two_raters() -> None:
    # Gwet's handbook example in irrCAC's vignette, cont3x3abstractors (2 abstractors, 100
    # pregnancies, 3 categories): Gwet's AC1 0.8493305, Cohen's kappa 0.7964094,
    # Krippendorff's alpha 0.7972585.
    table = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    a = np.repeat([0, 0, 0, 1, 1, 1, 2, 2, 2], np.ravel(table))
    b = np.repeat([0, 1, 2, 0, 1, 2, 0, 1, 2], np.ravel(table))
    units = np.repeat(np.arange(len(a)), 2).astype(np.int64)
    codes = np.column_stack([a, b]).ravel().astype(np.int64)
    counts = category_counts(units, codes, len(a), 3)
    found = nominal_from_totals(category_sums(counts).sum(axis=0, keepdims=True), 3)
    assert float(found["Gwet's AC1"][0]) == pytest.approx(0.8493305, abs=5e-8)
    assert float(found["alpha (nominal)"][0]) == pytest.approx(0.7972585, abs=5e-8)
    raters = np.tile([0, 1], len(a)).astype(np.int64)
    rows = pair_rows(units, raters, codes, 3)
    per_pair, pooled, _ = rows.kappas(rows.counts(), np.arange(3.0), ["nominal"])
    assert float(per_pair["nominal"][0, 0]) == pytest.approx(0.7964094, abs=5e-8)
    assert float(pooled["nominal"][0]) == pytest.approx(0.7964094, abs=5e-8)


def test_cohen_unweighted_published_values() -> None:
    # SAS PROC FREQ's simple kappa 0.4842 of statsmodels' table10, and R irr::kappa2 on the
    # anxiety data (raters 2 and 3, unweighted) = -0.006289308 (quoted in statsmodels' tests).
    sas_a = np.repeat([0, 0, 1, 2, 2], [4, 1, 8, 1, 5])  # table10 = [[0,4,1],[0,8,0],[0,1,5]]
    sas_b = np.repeat([1, 2, 1, 1, 2], [4, 1, 8, 1, 5])
    for a, b, want, tol in [
        (sas_a, sas_b, 0.4842, 5e-5),
        (np.array(RATER2), np.array(RATER3), -0.006289308, 5e-9),
    ]:
        units = np.repeat(np.arange(len(a)), 2).astype(np.int64)
        levels = np.unique(np.r_[a, b])
        codes = np.searchsorted(levels, np.column_stack([a, b]).ravel()).astype(np.int64)
        raters = np.tile([0, 1], len(a)).astype(np.int64)
        positions = np.arange(len(levels), dtype=float)
        rows = pair_rows(units, raters, codes, len(levels))
        per_pair, _, _ = rows.kappas(rows.counts(), positions, ["nominal"])
        assert float(per_pair["nominal"][0, 0]) == pytest.approx(want, abs=tol)


def test_a_stray_third_rater_does_not_disable_kappa() -> None:
    # 30 sessions by A and B, one more session also rated by C: kappa for A-B is there, and
    # the pooled kappa lists every pair.
    rng = np.random.default_rng(7)
    s, r, v = [], [], []
    for i in range(30):
        truth = int(rng.integers(0, 5))
        for rater in (0, 1):
            s.append(i)
            r.append(rater)
            v.append(truth if rng.random() < 0.8 else int(rng.integers(0, 5)))
    s.append(29)
    r.append(2)
    v.append(v[-1])
    item = ItemValues(CHOICE, np.array(s, np.int64), np.array(r, np.int64), np.array(v, float))
    found = agreement_of([item], ["A", "B", "C"], 30)[0]
    kappas = [f for f in found.figures if f.statistic == "kappa"]
    pooled = next(f for f in kappas if f.scope == "pooled pairs")
    pair = next(f for f in kappas if f.scope == "pair")
    assert pair.raters == ("A", "B") and pair.sessions == 30
    assert pair.estimate.value is not None and pair.estimate.low is not None
    assert pooled.estimate.value is not None
    assert "pooled over 3 pair(s)" in pooled.estimate.note
    assert "2 share(s) fewer than 5 sessions" in pooled.estimate.note
    assert found.headline is not None and found.headline.statistic == "alpha (nominal)"
    assert found.headline.sessions == 30 and found.headline.interval == "session bootstrap"
