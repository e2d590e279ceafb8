"""One score on a competing-risk endpoint against R (coxph, cmprsk::crr, cmprsk::cuminc)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from golden import assert_matches_r

from sigsurv import load_example
from sigsurv.analysis.competing import (
    analyse_cohort_competing,
    analyse_competing_risks,
    analyse_signature_competing,
)
from sigsurv.analysis.spec import AnalysisSpec, ScoringSpec
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


HR_KEYS = {
    "term", "hr", "ci_lower", "ci_upper", "coef", "se", "z", "p_wald",
    "conf_level", "kind", "estimable", "reason", "problems",
}  # fmt: skip


def test_hazard_ratio_records_share_one_vocabulary(metabric):
    result = analyse_competing_risks(
        metabric["npi"], metabric["time"], metabric["event"], 1, horizons=[60]
    )
    record = result.to_dict()
    for key, kind in (
        ("cause_specific_per_sd", "hazard"),
        ("cause_specific_grouped", "hazard"),
        ("fine_gray_per_sd", "subdistribution"),
        ("fine_gray_grouped", "subdistribution"),
    ):
        assert set(record[key]) == HR_KEYS and record[key]["kind"] == kind
        assert record[key]["estimable"] is True
        fit = getattr(result, key)
        term = record[key]["term"]
        assert record[key]["coef"] == float(fit.summary.loc[term, "coef"])
    wald = result.cause_specific_per_sd.summary.loc["score_per_sd", "p_wald"]
    assert record["cause_specific_per_sd"]["p_wald"] == float(wald)
    assert record["fine_gray_per_sd"]["p_wald"] == float(result.fine_gray_per_sd.p["score_per_sd"])
    sizes = record["models"]
    assert sizes["cause_specific_per_sd"] == {
        "n": result.n,
        "events": result.events["cause 1"],
    }
    assert sizes["fine_gray_grouped"]["competing_events"] == result.events["cause 2"]


@pytest.fixture(scope="module")
def gse1992_competing():
    cohort = load_example("gse1992")
    clinical = cohort.clinical.copy()
    rng = np.random.default_rng(2)
    clinical["cr"] = np.where(clinical["rfs_event"] == 1, rng.choice([1, 2], len(clinical)), 0)
    endpoint = Endpoint("rfs_cr", "rfs_time", "cr", causes=("bone", "other site"))
    return dataclasses.replace(cohort, clinical=clinical, competing_endpoints={"rfs_cr": endpoint})


def test_a_spec_requests_the_competing_analysis_and_the_former_call_warns(gse1992_competing):
    spec = AnalysisSpec(cause="bone", population=False, scoring=ScoringSpec(method="zscore"))
    by_spec = analyse_signature_competing(gse1992_competing, "msk1_rps6ka5", spec)
    by_spec = by_spec.with_times([2, 5], "years")
    with pytest.warns(DeprecationWarning, match=r"spec=AnalysisSpec"):
        former, scores, chosen = analyse_signature_competing(
            gse1992_competing,
            "msk1_rps6ka5",
            None,
            "bone",
            method="zscore",
            population=False,
            horizons=[2, 5],
            times_unit="years",
        )
    assert former.to_dict() == by_spec.to_dict()
    assert chosen is None and by_spec.subgroup is None and by_spec.n == 124
    assert scores.equals(by_spec.scores) and by_spec.spec == spec
    assert by_spec.horizons == (24.0, 60.0) and by_spec.display_unit == "years"
    assert [row["time"] for row in by_spec.incidence_at_times()][:2] == [2.0, 5.0]
    assert by_spec.with_times([]).horizons == () and by_spec.with_times(None).horizons == (24, 60)


def test_a_competing_spec_refuses_what_does_not_apply(gse1992_competing):
    for spec in (
        AnalysisSpec(),
        AnalysisSpec(cause=1, horizon=60),
        AnalysisSpec(cause=1, covariates=["age"]),
        AnalysisSpec(cause=1, cut="optimal", permutations=10),
    ):
        with pytest.raises(OptionError):
            analyse_signature_competing(gse1992_competing, "msk1_rps6ka5", spec)
    with pytest.raises(OptionError, match="not both"):
        analyse_signature_competing(
            gse1992_competing, "msk1_rps6ka5", AnalysisSpec(cause=1), cut="tertile"
        )
