"""2x2 tables (R fisher.test / chisq.test) and logistic regression (R glm)."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from fixtures import survset_frame as load_frame
from golden import R_RTOL
from sklearn.linear_model import LogisticRegression

from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival.binary import logistic_regression, two_by_two


@pytest.fixture(scope="module")
def goldens(test_data_dir: Path) -> dict:
    return json.loads((test_data_dir / "survival" / "basics" / "goldens.json").read_text())


def approx_or_inf(value: float, expected: float | str | None) -> None:
    # jsonlite writes R's Inf as null in basics/goldens.json
    if expected is None or expected in ("Inf", math.inf):
        assert value == math.inf
    else:
        assert value == pytest.approx(expected, rel=R_RTOL, abs=1e-300)


def test_mir21_table_matches_reference(reference_dir: Path) -> None:
    ref = json.loads((reference_dir / "fisher_2x2.json").read_text())
    cells = ref["table"]
    with pytest.warns(SigsurvWarning, match="expected count"):
        res = two_by_two(
            [[cells["a_high_yes"], cells["b_high_no"]], [cells["c_low_yes"], cells["d_low_no"]]]
        )
    two = ref["fisher_two_sided"]
    assert res.fisher.p == pytest.approx(two["p"], rel=R_RTOL)
    assert res.fisher.odds_ratio == pytest.approx(two["conditional_mle_or"], rel=R_RTOL)
    assert res.fisher.lower == pytest.approx(two["or_ci95"][0], rel=R_RTOL)
    assert res.fisher.upper == pytest.approx(two["or_ci95"][1], rel=R_RTOL)
    greater = ref["fisher_greater"]
    assert res.fisher_greater.p == pytest.approx(greater["p"], rel=R_RTOL)
    assert res.fisher_greater.lower == pytest.approx(greater["or_ci95_lower"], rel=R_RTOL)
    assert res.fisher_greater.upper == math.inf
    assert res.chisq_yates == pytest.approx(ref["chisq_yates"]["statistic"], rel=R_RTOL)
    assert res.p_chisq_yates == pytest.approx(ref["chisq_yates"]["p"], rel=R_RTOL)
    assert res.chisq == pytest.approx(ref["chisq_no_correction"]["statistic"], rel=R_RTOL)
    assert res.p_chisq == pytest.approx(ref["chisq_no_correction"]["p"], rel=R_RTOL)
    assert res.small_expected
    expected = ref["expected_counts"]
    np.testing.assert_allclose(
        res.expected.to_numpy().ravel(),
        [expected["high_yes"], expected["high_no"], expected["low_yes"], expected["low_no"]],
        rtol=R_RTOL,
    )
    sample = ref["sample_odds_ratio"]
    assert res.odds_ratio == pytest.approx(sample["or"], rel=R_RTOL)
    assert res.se_log_odds_ratio == pytest.approx(sample["se_log_or"], rel=R_RTOL)
    assert res.odds_ratio_lower == pytest.approx(sample["wald_ci95"][0], rel=R_RTOL)
    assert res.odds_ratio_upper == pytest.approx(sample["wald_ci95"][1], rel=R_RTOL)
    rr = ref["relative_risk"]
    assert res.relative_risk == pytest.approx(rr["rr"], rel=R_RTOL)
    assert res.risk_exposed == pytest.approx(rr["risk_high"], rel=R_RTOL)
    assert res.risk_unexposed == pytest.approx(rr["risk_low"], rel=R_RTOL)
    assert res.se_log_relative_risk == pytest.approx(rr["se_log_rr"], rel=R_RTOL)
    assert res.relative_risk_lower == pytest.approx(rr["wald_ci95"][0], rel=R_RTOL)
    assert res.relative_risk_upper == pytest.approx(rr["wald_ci95"][1], rel=R_RTOL)
    assert not res.zero_cell_corrected


def test_more_tables_match_r(goldens: dict) -> None:
    for case in goldens["fisher"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            res = two_by_two(tuple(case["cells"]))
        label = case["cells"]
        assert res.fisher.p == pytest.approx(case["p"], rel=R_RTOL), label
        approx_or_inf(res.fisher.odds_ratio, case["or"])
        approx_or_inf(res.fisher.lower, case["lower"])
        approx_or_inf(res.fisher.upper, case["upper"])
        assert res.fisher_greater.p == pytest.approx(case["p_greater"], rel=R_RTOL)
        approx_or_inf(res.fisher_greater.lower, case["lower_greater"])
        assert res.fisher_less.p == pytest.approx(case["p_less"], rel=R_RTOL)
        approx_or_inf(res.fisher_less.upper, case["upper_less"])
        assert res.chisq_yates == pytest.approx(case["chisq_yates"], rel=R_RTOL)
        assert res.p_chisq_yates == pytest.approx(case["p_yates"], rel=R_RTOL)
        assert res.chisq == pytest.approx(case["chisq"], rel=R_RTOL)
        assert res.p_chisq == pytest.approx(case["p_chisq"], rel=R_RTOL)
        assert res.small_expected == case["small_expected"]
        assert res.zero_cell_corrected == (0 in case["cells"])
        a, _, c, _ = case["cells"]
        assert res.rr_zero_cell_corrected == (a == 0 or c == 0)


def test_zero_cell_uses_haldane_correction() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        res = two_by_two((0, 5, 7, 3))
    assert res.zero_cell_corrected
    assert res.odds_ratio == pytest.approx((0.5 * 3.5) / (5.5 * 7.5))
    assert res.fisher.odds_ratio == 0.0 and res.fisher.lower == 0.0
    assert np.isfinite(res.odds_ratio_upper)
    assert res.rr_zero_cell_corrected and res.risk_exposed == 0.0
    assert res.relative_risk == pytest.approx((0.5 / 6) / (7.5 / 11))


def test_bad_tables() -> None:
    with pytest.raises(SigsurvInputError, match="2x2"):
        two_by_two([1, 2, 3])
    with pytest.raises(SigsurvInputError, match="non-negative integer"):
        two_by_two((1, -2, 3, 4))
    with pytest.raises(SigsurvInputError, match="non-negative integer"):
        two_by_two((1, 2.5, 3, 4))
    with pytest.raises(AnalysisError, match="empty row or column"):
        two_by_two((0, 0, 3, 4))


def test_logistic_regression_matches_r_glm(goldens: dict) -> None:
    for case in goldens["logistic"]:
        frame = load_frame(case["cohort"])
        res = logistic_regression(frame[f"num_HS_{case['gene']}"], frame["event"])
        assert res.converged and not res.separation
        table = res.coefficients
        np.testing.assert_allclose(table["coef"], case["coef"], rtol=R_RTOL)
        np.testing.assert_allclose(table["se"], case["se"], rtol=R_RTOL)
        np.testing.assert_allclose(table["z"], case["z"], rtol=R_RTOL)
        np.testing.assert_allclose(table["p"], case["p"], rtol=R_RTOL)
        assert res.deviance == pytest.approx(case["deviance"], rel=R_RTOL)
        assert res.null_deviance == pytest.approx(case["null_deviance"], rel=R_RTOL)
        assert res.aic == pytest.approx(case["aic"], rel=R_RTOL)
        assert res.lrt_p == pytest.approx(case["lrt_p"], rel=R_RTOL)


def test_logistic_regression_agrees_with_sklearn_and_numerical_hessian() -> None:
    frame = load_frame("gse4335")
    x = frame["num_HS_ESR1"].to_numpy(float)
    y = frame["event"].to_numpy()
    res = logistic_regression(x, y)
    sk = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(x[:, None], y)
    np.testing.assert_allclose(
        res.coefficients["coef"], [sk.intercept_[0], sk.coef_[0, 0]], rtol=1e-5
    )

    def loglik(beta: np.ndarray) -> float:
        eta = beta[0] + beta[1] * x
        return float(np.sum(y * eta - np.logaddexp(0, eta)))

    beta = res.coefficients["coef"].to_numpy()
    h = 1e-4
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (
                loglik(beta + ei + ej)
                - loglik(beta + ei - ej)
                - loglik(beta - ei + ej)
                + loglik(beta - ei - ej)
            ) / (4 * h * h)
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    np.testing.assert_allclose(res.coefficients["se"], se, rtol=1e-5)
    ci = res.coefficients.loc["score"]
    assert ci["odds_ratio"] == pytest.approx(math.exp(ci["coef"]))
    assert ci["lower"] == pytest.approx(ci["coef"] - 1.959963984540054 * ci["se"])


def test_logistic_separation_is_flagged() -> None:
    x = np.arange(10.0)
    y = (x > 4.5).astype(int)
    with pytest.warns(SigsurvWarning, match="did not converge"):
        res = logistic_regression(x, y)
    assert res.separation and not res.converged


def test_logistic_degenerate_inputs() -> None:
    with pytest.raises(AnalysisError, match="score is constant"):
        logistic_regression(np.ones(5), [0, 1, 0, 1, 1])
    with pytest.raises(AnalysisError, match="response is constant"):
        logistic_regression(np.arange(5.0), [1, 1, 1, 1, 1])
    with pytest.raises(SigsurvInputError, match="0/1"):
        logistic_regression(np.arange(3.0), [0, 1, 2])
    with pytest.raises(SigsurvInputError, match="equal length"):
        logistic_regression(np.arange(3.0), [0, 1])
