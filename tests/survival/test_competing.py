"""Competing risks against R cmprsk 2.2-11 (goldens in tests/data/survival/competing)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import R_RTOL, rel_error

from sigsurv.errors import AnalysisError, CohortValidationError
from sigsurv.survival.competing import (
    cause_specific_cox,
    cumulative_incidence,
    fine_gray,
)

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "competing"


@pytest.fixture(scope="module")
def goldens() -> dict:
    return json.loads((HERE / "goldens.json").read_text())


@pytest.fixture(scope="module")
def cohorts() -> dict[str, pd.DataFrame]:
    return {
        "metabric": pd.read_csv(HERE / "metabric_competing.csv", float_precision="round_trip"),
        "mgus2": pd.read_csv(HERE / "mgus2_competing.csv", float_precision="round_trip"),
    }


CUMINC_CASES = [
    "metabric_all",
    "metabric_chemo",
    "metabric_chemo_strata_er",
    "metabric_cellularity",
    "metabric_cellularity_strata_menopause",
    "mgus2_sex",
    "metabric_cellularity_rho1",
    "mgus2_sex_rho2_strata_anemia",
]


# complete cases of these columns, as make.R selects them
CUMINC_COMPLETE = {
    "metabric_all": [],
    "metabric_chemo": ["chemo", "er"],
    "metabric_chemo_strata_er": ["chemo", "er"],
    "metabric_cellularity": ["cellularity"],
    "metabric_cellularity_strata_menopause": ["cellularity", "menopause"],
    "mgus2_sex": [],
    "metabric_cellularity_rho1": ["cellularity"],
    "mgus2_sex_rho2_strata_anemia": ["hgb"],
}


def _cuminc_data(name: str, cohorts: dict) -> pd.DataFrame:
    d = cohorts[name.split("_")[0]].dropna(subset=CUMINC_COMPLETE[name])
    return d.assign(anemia=d["hgb"] < 12) if "hgb" in d else d


@pytest.mark.parametrize("name", CUMINC_CASES)
@pytest.mark.parametrize("cause", [1, 2])
def test_cumulative_incidence_matches_cuminc(name, cause, goldens, cohorts):
    case = goldens["cuminc"][name]
    d = _cuminc_data(name, cohorts)
    groups = None if case["group"] is None else d[case["group"]]
    strata = None if case["strata"] is None else d[case["strata"]]
    res = cumulative_incidence(d["time"], d["event"], cause, groups, strata=strata, rho=case["rho"])
    for g in res.groups:
        key = f"{1 if groups is None else g} {cause}"
        r_curve = case["curves"][key]
        # cinc's step-function corners: (0, 0), then (t, F(t-)), (t, F(t)) per jump, then the end
        assert np.allclose(res.curves[g]["time"], r_curve["time"][2:-1:2], rtol=0, atol=0)
        assert rel_error(res.curves[g]["estimate"], r_curve["est"][2:-1:2]) < R_RTOL
        assert rel_error(res.curves[g]["variance"], r_curve["var"][2:-1:2]) < R_RTOL
        row = case["at_rows"].index(key)
        assert rel_error(res.at(case["times"])[g], case["at_est"][str(row + 1)]) < R_RTOL
        assert rel_error(res.variance_at(case["times"])[g], case["at_var"][str(row + 1)]) < R_RTOL
    if case["tests"] is None:
        assert res.gray_test is None
        return
    i = case["tests"]["cause"].index(str(cause))
    assert rel_error(res.gray_test.statistic, case["tests"]["stat"][i]) < R_RTOL
    assert res.gray_test.df == case["tests"]["df"][i]
    r_p = case["tests"]["p"][i]
    # R reports 1 - pchisq(), exact only to ~1e-16 absolute: compare where that is < 1e-6 relative
    if r_p > 1e-9:
        assert rel_error(res.gray_test.p, r_p) < R_RTOL
    else:
        assert res.gray_test.p < 1e-9


CRR_CASES = [
    "metabric_cause1",
    "metabric_cause2",
    "metabric_age_cause1",
    "mgus2_cause1",
    "mgus2_cause2",
]


@pytest.mark.parametrize("name", CRR_CASES)
def test_fine_gray_matches_crr(name, goldens, cohorts):
    case = goldens["crr"][name]
    d = cohorts[name.split("_")[0]].copy()
    for source, level, derived in (
        ("chemo", "YES", "chemo_yes"),
        ("er", "pos", "er_pos"),
        ("sex", "M", "male"),
    ):
        if source in d:
            d[derived] = (d[source] == level).astype(float).where(d[source].notna())
    cov = case["covariates"] if isinstance(case["covariates"], list) else [case["covariates"]]
    d = d.dropna(subset=cov)
    assert d.iloc[:, 0].tolist() == case["rows"]
    res = fine_gray(d["time"], d["event"], d[cov], cause=case["failcode"])
    assert res.converged is case["converged"]
    assert res.n == case["n"]
    assert res.coef.index.tolist() == cov
    assert rel_error(res.coef, case["coef"]) < R_RTOL
    assert rel_error(res.se, case["se"]) < R_RTOL
    assert rel_error(res.var.to_numpy(), case["var"]) < R_RTOL
    assert rel_error(res.hr, case["hr"]) < R_RTOL
    assert rel_error(res.ci_lower, case["lower"]) < R_RTOL
    assert rel_error(res.ci_upper, case["upper"]) < R_RTOL
    assert rel_error(res.z, case["z"]) < R_RTOL
    assert rel_error(res.p, case["p"]) < R_RTOL
    assert rel_error(res.loglik, case["loglik"]) < R_RTOL
    assert rel_error(res.loglik_null, case["loglik_null"]) < R_RTOL
    assert rel_error(res.baseline["time"], case["uftime"]) == 0.0
    assert rel_error(res.baseline["hazard"], case["bfitj"]) < R_RTOL
    profiles = pd.DataFrame(case["predict_profiles"], columns=cov)
    assert rel_error(res.predict(profiles).to_numpy(), case["predict"]) < R_RTOL


def test_cause_specific_cox_matches_coxph(goldens, cohorts):
    case = goldens["cause_specific_cox"]
    d = cohorts["metabric"].dropna(subset=["age", "npi", "chemo", "er"])
    cov = pd.DataFrame(
        {
            "age": d["age"],
            "npi": d["npi"],
            "chemo_yes": (d["chemo"] == "YES").astype(float),
            "er_pos": (d["er"] == "pos").astype(float),
        }
    )
    res = cause_specific_cox(d["time"], d["event"], cov, cause=1)
    assert res.n == case["n"] and res.events == case["nevent"]
    assert rel_error(res.summary["coef"], case["coef"]) < R_RTOL
    assert rel_error(res.summary["se"], case["se"]) < R_RTOL
    assert rel_error([res.loglik_null, res.loglik], case["loglik"]) < R_RTOL


def test_competing_inputs_are_refused():
    with pytest.raises(CohortValidationError, match="integers >= 0"):
        cumulative_incidence([1, 2, 3], [0, 1.5, 2])
    with pytest.raises(CohortValidationError, match="finite and >= 0"):
        cumulative_incidence([1, -2, 3], [0, 1, 2])
    with pytest.raises(AnalysisError, match="no event of cause 3"):
        fine_gray([1, 2, 3, 4], [0, 1, 2, 1], [0.1, 0.5, 0.2, 0.9], cause=3)


def test_one_group_has_no_gray_test_and_at_is_nan_after_follow_up():
    res = cumulative_incidence([1, 2, 3], [1, 0, 2], cause=1)
    assert res.gray_test is None
    out = res.at([0.5, 1, 3, 3.5])["all"].tolist()
    assert out[:3] == [0.0, 1 / 3, 1 / 3] and np.isnan(out[3])


def test_cause_labels_do_not_depend_on_row_order():
    rng = np.random.default_rng(3)
    t = rng.exponential(size=60).round(1)
    e = rng.integers(0, 3, size=60)
    g = rng.integers(0, 3, size=60)
    perm = rng.permutation(60)
    a = cumulative_incidence(t, e, 2, g)
    b = cumulative_incidence(t[perm], e[perm], 2, g[perm])
    assert np.isclose(a.gray_test.statistic, b.gray_test.statistic, rtol=1e-12)
    x = rng.normal(size=60)
    fa = fine_gray(t, e, x, cause=1)
    fb = fine_gray(t[perm], e[perm], x[perm], cause=1)
    assert np.allclose(fa.coef, fb.coef, rtol=1e-10) and np.allclose(fa.se, fb.se, rtol=1e-10)


def test_fine_gray_warns_when_crr_rule_is_not_met():
    from sigsurv.errors import SigsurvWarning

    rng = np.random.default_rng(5)
    x = rng.normal(size=50)
    t = rng.exponential(np.exp(-x))
    e = rng.choice([0, 1, 2], size=50)
    with pytest.warns(SigsurvWarning, match="did not converge"):
        res = fine_gray(t, e, x, cause=1, max_iter=0)
    assert not res.converged and (res.coef == 0).all()


def test_fine_gray_refuses_collinear_covariates():
    x = np.arange(12.0) % 5
    cov = pd.DataFrame({"a": x, "b": 2 * x})
    t = np.arange(1.0, 13.0)
    e = np.array([1, 2, 1, 0, 1, 2, 0, 1, 2, 1, 0, 0])
    with pytest.raises(AnalysisError):
        fine_gray(t, e, cov, cause=1)


def test_times_are_compared_exactly_as_cmprsk():
    # survfit would merge these two times (aeqSurv); cmprsk's cinc keeps them apart
    res = cumulative_incidence([1.0, 1.0 + 1e-12, 2.0, 3.0], [1, 1, 0, 1], cause=1)
    assert res.curves["all"]["time"].tolist() == [1.0, 1.0 + 1e-12, 3.0]
    assert res.curves["all"]["n_risk"].tolist() == [4, 3, 1]
