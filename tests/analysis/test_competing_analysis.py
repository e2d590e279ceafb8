"""One score on a competing-risk endpoint against R (coxph, cmprsk::crr, cmprsk::cuminc)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from golden import assert_matches_r

from sigsurv.analysis.competing import (
    analyse_cohort_competing,
    analyse_competing_risks,
)
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import AnalysisError, OptionError


@pytest.fixture(scope="module")
def metabric(test_data_dir):
    frame = pd.read_csv(test_data_dir / "survival" / "competing" / "metabric_competing.csv")
    return frame[frame["npi"].notna() & frame["er"].notna()].reset_index(drop=True)


@pytest.fixture(scope="module")
def golden(test_data_dir):
    path = test_data_dir / "survival" / "competing_analysis" / "goldens.json"
    return json.loads(path.read_text())


def _check(result, expected):
    assert result.cut_rule == "median"
    for key, term in (
        ("cause_specific_per_sd", "score_per_sd"),
        ("cause_specific_grouped", "grouphigh"),
    ):
        row = getattr(result, key).summary.loc[term]
        assert_matches_r(row["coef"], expected[key]["coef"])
        assert_matches_r(row["se"], expected[key]["se"])
    for key, term in (("fine_gray_per_sd", "score_per_sd"), ("fine_gray_grouped", "grouphigh")):
        fit = getattr(result, key)
        assert_matches_r(fit.coef[term], expected[key]["coef"])
        assert_matches_r(fit.se[term], expected[key]["se"])
    incidence = result.incidence_at_horizons()
    variance = result.incidence.variance_at(list(result.horizons))
    for group in ("high", "low"):
        assert_matches_r(incidence[group], expected["incidence"][group])
        assert_matches_r(variance[group], expected["variance"][group])
    assert_matches_r(result.incidence.gray_test.statistic, expected["gray"]["stat"])


@pytest.mark.parametrize("cause", [1, 2])
def test_matches_r_unstratified(metabric, golden, cause):
    result = analyse_competing_risks(
        metabric["npi"],
        metabric["time"],
        metabric["event"],
        cause,
        causes=("died of disease", "died of other causes"),
        horizons=golden["horizons"],
    )
    assert result.n == golden["n"]
    assert result.cuts == (golden["median"],)
    _check(result, golden[f"cause{cause}"])


def test_matches_r_stratified_by_er(metabric, golden):
    result = analyse_competing_risks(
        metabric["npi"],
        metabric["time"],
        metabric["event"],
        1,
        horizons=golden["horizons"],
        strata=metabric["er"].to_numpy(),
        strata_name="er",
    )
    _check(result, golden["cause1_strata_er"])
    assert any("not stratified" in note for note in result.notes)


def _cohort(metabric):
    samples = metabric["patient"].tolist()
    expression = pd.DataFrame([metabric["npi"].to_numpy(float)], index=["NPI"], columns=samples)
    clinical = metabric.set_index("patient")[["time", "event", "er"]].copy()
    clinical.loc[samples[0], "time"] = np.nan  # one patient without follow-up
    endpoint = Endpoint(
        "os_cr", "time", "event", unit="months", causes=("died of disease", "died of other causes")
    )
    return Cohort("metabric", expression, clinical, competing_endpoints={"os_cr": endpoint})


def test_cohort_analysis_by_label_excludes_unknown_follow_up(metabric):
    cohort = _cohort(metabric)
    result = analyse_cohort_competing(
        cohort, cohort.expression.loc["NPI"], "os_cr", "died of disease", horizons=[60]
    )
    assert result.cause == 1 and result.n == len(metabric) - 1
    assert result.events["died of disease"] == int((metabric["event"][1:] == 1).sum())
    assert any("1 samples without a time" in note for note in result.notes)
    assert list(result.labels.index) == metabric["patient"].tolist()[1:]
    record = result.to_dict()
    json.dumps(record)
    assert record["primary"] == "cause_specific"
    assert record["cause_specific_per_sd"]["hr"] > 1
    assert {row["group"] for row in record["cumulative_incidence"]} == {"low", "high"}


def test_cohort_analysis_errors(metabric):
    cohort = _cohort(metabric)
    scores = cohort.expression.loc["NPI"]
    with pytest.raises(OptionError, match="unknown cause"):
        analyse_cohort_competing(cohort, scores, "os_cr", "bone relapse")
    with pytest.raises(AnalysisError, match="no competing-risk endpoint"):
        analyse_cohort_competing(cohort, scores, "bmfs_cr", 1)
    with pytest.raises(AnalysisError, match="without a score"):
        analyse_cohort_competing(cohort, scores.iloc[5:], "os_cr", 1)
    with pytest.raises(AnalysisError, match="no clinical column"):
        analyse_cohort_competing(cohort, scores, "os_cr", 1, strata="machine")


def test_short_follow_up_and_unlabelled_codes():
    rng = np.random.default_rng(4)
    score, time = rng.normal(size=60), rng.uniform(0.1, 0.5, size=60)  # all < 1 year
    cause = rng.choice([0, 1, 2], size=60)
    result = analyse_competing_risks(score, time, cause, 1, unit="years")
    assert result.horizons == ()
    assert result.to_dict()["cumulative_incidence"] == []
    with pytest.raises(AnalysisError, match="more cause codes than cause labels"):
        analyse_competing_risks(score, time, cause, 1, causes=("bone",))
