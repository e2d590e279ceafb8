"""The one result language: HazardRatio's usability rule and TestResult's shape."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sigsurv._results import HAZARD_RATIO_FIELDS, HazardRatio, TestResult
from sigsurv.survival.competing import fine_gray
from sigsurv.survival.cox import cox_fit

ROW = {
    "hr": 2.0,
    "ci_lower": 1.1,
    "ci_upper": 3.6,
    "coef": np.log(2.0),
    "se": 0.3,
    "z": np.log(2.0) / 0.3,
    "p_wald": 0.021,
    "may_be_infinite": False,
}


def test_an_estimable_term_keeps_every_number():
    hr = HazardRatio.from_row("score", ROW, converged=True, problems=["x3 may be infinite"])
    assert hr.estimable and hr.reason is None
    assert [hr.to_dict()[k] for k in HAZARD_RATIO_FIELDS] == pytest.approx(
        [ROW[k] for k in HAZARD_RATIO_FIELDS]
    )
    # another term's problem travels with the estimate without voiding it
    assert hr.to_dict()["problems"] == ["x3 may be infinite"]


@pytest.mark.parametrize(
    ("change", "converged", "reason"),
    [
        ({}, False, "did not converge"),
        ({"may_be_infinite": True}, True, "may be infinite"),
        ({"se": np.inf}, True, "not finite"),
        ({"coef": np.nan}, True, "not finite"),
    ],
)
def test_one_rule_voids_every_number_of_an_unusable_term(change, converged, reason):
    hr = HazardRatio.from_row("score", {**ROW, **change}, converged=converged)
    assert not hr.estimable and reason in hr.reason
    assert all(hr.to_dict()[k] is None for k in HAZARD_RATIO_FIELDS)
    assert "not estimable" in hr.to_text()


def test_fine_gray_p_is_read_as_the_wald_p_and_z_is_derived():
    row = {k: v for k, v in ROW.items() if k not in {"p_wald", "z"}} | {"p": 0.021}
    hr = HazardRatio.from_row("score", row, converged=True, kind="subdistribution")
    assert hr.p_wald == 0.021 and hr.z == pytest.approx(ROW["z"])
    assert "subdistribution" in hr.title()


def test_hazard_ratio_speaks_json_text_and_html():
    hr = HazardRatio.from_row("score", ROW, converged=True)
    assert json.loads(json.dumps(hr.to_dict()))["term"] == "score"
    assert hr.to_text() == "score: hazard ratio: 2 (95% CI 1.1-3.6), p = 0.021"
    assert "<table" in hr._repr_html_() and list(hr.summary.columns) == list(HAZARD_RATIO_FIELDS)


def test_cox_result_hazard_ratio_is_its_summary_row():
    rng = np.random.default_rng(3)
    x = rng.normal(size=80)
    res = cox_fit(rng.exponential(np.exp(-x)), rng.uniform(size=80) < 0.7, x)
    hr = res.hazard_ratio("x")
    assert hr.estimable
    assert hr.hr == res.summary.loc["x", "hr"] and hr.p_wald == res.summary.loc["x", "p_wald"]


def test_an_infinite_other_term_leaves_the_score_estimable():
    # grade 3 has no events: its coefficient runs to minus infinity, the score's converges
    rng = np.random.default_rng(5)
    n = 120
    score = rng.normal(size=n)
    grade = np.where(np.arange(n) < 20, "3", "1")
    time = rng.exponential(np.exp(-0.5 * score))
    event = (rng.uniform(size=n) < 0.8) & (grade != "3")
    with pytest.warns(Warning):
        res = cox_fit(time, event, pd.DataFrame({"score": score, "grade": grade}))
    assert not res.hazard_ratio("grade3").estimable
    assert res.hazard_ratio("score").estimable


def test_fine_gray_hazard_ratio():
    res = fine_gray(
        [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0], [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2]
    )
    hr = res.hazard_ratio("x")
    assert hr.kind == "subdistribution" and hr.hr == pytest.approx(float(res.hr["x"]))


def test_test_result_has_one_shape():
    test = TestResult(statistic=np.float64(3.5), df=2.0, p=0.17, method="Gray")
    assert test.to_dict() == {"statistic": 3.5, "df": 2, "p": 0.17, "method": "Gray"}
    assert TestResult(1.0, None, 0.3, "TOST").to_dict()["df"] is None
    assert test.summary.loc["Gray", "p"] == 0.17
    assert "<table" in test._repr_html_()
