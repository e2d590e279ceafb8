"""Log-rank (R survdiff) and the trend test, against R goldens and independent computations."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import survset_frame as load_frame
from golden import R_RTOL
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lifelines.statistics import multivariate_logrank_test

from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival.logrank import logrank_test, logrank_trend_test

COHORTS = ["gse1992", "gse4335"]


@pytest.fixture(scope="module")
def goldens(test_data_dir: Path) -> dict:
    return json.loads((test_data_dir / "survival" / "basics" / "goldens.json").read_text())


@pytest.mark.parametrize("cohort", COHORTS)
def test_median_split_logrank_matches_r(cohort: str, reference_dir: Path) -> None:
    ref = json.loads((reference_dir / f"{cohort}.median_split.json").read_text())
    frame = load_frame(cohort)
    for row in ref["results"]:
        x = frame[f"num_HS_{row['gene']}"].to_numpy(float)
        assert np.median(x) == pytest.approx(row["cutoff"], rel=1e-12)
        groups = pd.Categorical(np.where(x > row["cutoff"], "high", "low"), ["low", "high"])
        res = logrank_test(frame["time"], frame["event"], groups)
        lr = row["logrank"]
        assert res.df == lr["df"] == 1
        assert res.chisq == pytest.approx(lr["chisq"], rel=R_RTOL)
        assert res.p == pytest.approx(lr["p"], rel=R_RTOL)
        for g in ("low", "high"):
            assert res.observed[g] == lr["observed"][g]
            assert res.expected[g] == pytest.approx(lr["expected"][g], rel=R_RTOL)
        assert res.variance.loc["low", "low"] == pytest.approx(lr["variance_low"], rel=R_RTOL)
        # 2 groups: V is [[v, -v], [-v, v]]
        assert res.variance.loc["low", "high"] == pytest.approx(-lr["variance_low"], rel=R_RTOL)
        assert res.n.tolist() == [row["n_low"], row["n_high"]]


def test_k_group_and_stratified_logrank_match_r(goldens: dict) -> None:
    frames = {c: load_frame(c) for c in COHORTS}
    for case in goldens["quantile_groups"]:
        frame = frames[case["cohort"]]
        k = len(case["observed"])
        levels = [("T" if k == 3 else "Q") + str(i) for i in range(1, k + 1)]
        groups = pd.Categorical(case["groups"], categories=levels)
        res = logrank_test(frame["time"], frame["event"], groups)
        assert res.df == k - 1
        assert res.chisq == pytest.approx(case["chisq"], rel=R_RTOL)
        assert res.p == pytest.approx(case["p"], rel=R_RTOL)
        np.testing.assert_array_equal(res.observed, case["observed"])
        np.testing.assert_allclose(res.expected, case["expected"], rtol=R_RTOL)
        np.testing.assert_allclose(res.variance, case["variance"], rtol=R_RTOL, atol=1e-12)

        trend = logrank_trend_test(frame["time"], frame["event"], groups)
        assert trend.chisq == pytest.approx(case["trend_chisq"], rel=R_RTOL)
        assert trend.p == pytest.approx(case["trend_p"], rel=R_RTOL)
        assert trend.u == pytest.approx(case["trend_u"], rel=R_RTOL)
        assert trend.variance_u == pytest.approx(case["trend_var"], rel=R_RTOL)

        strata = frame[case["strata_column"]].astype(str)
        keep = strata.isin(["0", "1"]).to_numpy()
        stratified = logrank_test(
            frame["time"][keep], frame["event"][keep], groups[keep], strata=strata[keep]
        )
        assert stratified.n_strata == 2
        assert stratified.chisq == pytest.approx(case["strata_chisq"], rel=R_RTOL)
        assert stratified.p == pytest.approx(case["strata_p"], rel=R_RTOL)
        np.testing.assert_allclose(stratified.expected, case["strata_expected"], rtol=R_RTOL)
        np.testing.assert_allclose(
            stratified.variance, case["strata_variance"], rtol=R_RTOL, atol=1e-12
        )
        strat_trend = logrank_trend_test(
            frame["time"][keep], frame["event"][keep], groups[keep], strata=strata[keep]
        )
        assert strat_trend.chisq == pytest.approx(case["strata_trend_chisq"], rel=R_RTOL)


def test_k_group_logrank_agrees_with_lifelines() -> None:
    frame = load_frame("gse4335")
    x = frame["num_HS_MKI67"].to_numpy(float)
    groups = np.digitize(x, np.quantile(x, [0.25, 0.5, 0.75]), right=True)
    ours = logrank_test(frame["time"], frame["event"], groups)
    theirs = multivariate_logrank_test(frame["time"], groups, frame["event"])
    assert ours.chisq == pytest.approx(theirs.test_statistic, rel=1e-9)
    assert ours.df == theirs.degrees_of_freedom


def _trend_by_loop(time: np.ndarray, event: np.ndarray, group: np.ndarray, w: np.ndarray) -> float:
    """Textbook trend statistic, one event time at a time (independent of the vectorised code)."""
    u = 0.0
    v = 0.0
    for t in np.unique(time[event == 1]):
        at_risk = time >= t
        n = at_risk.sum()
        d = ((time == t) & (event == 1)).sum()
        scores = w[group[at_risk]]
        mean = scores.mean()
        observed = w[group[(time == t) & (event == 1)]].sum()
        u += observed - d * mean
        if n > 1:
            v += d * (n - d) / (n - 1) * ((scores - mean) ** 2).mean()
    return u * u / v


def test_trend_matches_loop_and_cox_score_test(goldens: dict) -> None:
    case = goldens["trend_untied"]
    time = np.asarray(case["time"])
    event = np.asarray(case["event"])
    group = np.asarray(case["group"])
    res = logrank_trend_test(time, event, group)
    assert res.chisq == pytest.approx(case["trend_chisq"], rel=R_RTOL)
    # no tied event times: identical to the Breslow Cox score test of the group score
    assert not case["any_tied_event_times"]
    assert res.chisq == pytest.approx(case["cox_breslow_score"], rel=R_RTOL)
    # tied real data: the loop form of the formula
    frame = load_frame("gse1992")
    x = frame["num_HS_BCL2"].to_numpy(float)
    g = np.digitize(x, np.quantile(x, [1 / 3, 2 / 3]), right=True)
    w = np.array([0.0, 1.0, 3.0])
    res = logrank_trend_test(frame["time"], frame["event"], g, scores=w)
    loop = _trend_by_loop(frame["time"].to_numpy(float), frame["event"].to_numpy(), g, w)
    assert res.chisq == pytest.approx(loop, rel=1e-10)
    # scores are used up to an affine map; a mapping gives the same answer
    again = logrank_trend_test(frame["time"], frame["event"], g, scores={0: 5, 1: 7, 2: 11})
    assert again.chisq == pytest.approx(res.chisq, rel=1e-12)


def test_trend_with_two_groups_is_the_logrank_test() -> None:
    frame = load_frame("gse1992")
    g = (frame["num_HS_RPS6KA5"] > frame["num_HS_RPS6KA5"].median()).to_numpy()
    trend = logrank_trend_test(frame["time"], frame["event"], g)
    assert trend.chisq == pytest.approx(logrank_test(frame["time"], frame["event"], g).chisq)
    assert trend.z < 0  # high RPS6KA5: fewer relapses than expected


def test_degenerate_inputs() -> None:
    time = np.arange(1.0, 21.0)
    event = np.ones(20)
    with pytest.raises(AnalysisError, match="one group"):
        logrank_test(time, event, ["a"] * 20)
    with pytest.raises(AnalysisError, match="no events"):
        logrank_test(time, np.zeros(20), ["a", "b"] * 10)
    with pytest.warns(SigsurvWarning, match="only 3 events"):
        res = logrank_test(time, np.r_[np.ones(3), np.zeros(17)], ["a", "b"] * 10)
    assert np.isfinite(res.chisq)
    with pytest.raises(AnalysisError, match="not all equal"):
        logrank_trend_test(time, event, ["a", "b"] * 10, scores=[1, 1])
    with pytest.raises(SigsurvInputError, match="one score per group"):
        logrank_trend_test(time, event, ["a", "b"] * 10, scores=[1, 2, 3])
    with pytest.raises(SigsurvInputError, match="needs group labels"):
        logrank_test(time, event, None)


def test_group_without_expected_events_is_left_out_with_a_warning() -> None:
    # group "c" is censored before the first event: E = 0, R drops it from the statistic
    time = np.r_[np.arange(2.0, 22.0), [0.5, 0.7]]
    event = np.r_[np.ones(20), [0, 0]]
    groups = ["a", "b"] * 10 + ["c", "c"]
    with pytest.warns(SigsurvWarning, match="no expected events"):
        res = logrank_test(time, event, groups)
    assert res.df == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        two = logrank_test(time[:20], event[:20], groups[:20])
    assert res.chisq == pytest.approx(two.chisq)


def test_ties_everywhere() -> None:
    # everyone fails at the same time: the variance is 0 (R's solve() fails): clear error
    with pytest.raises(AnalysisError, match="singular"):
        logrank_test(np.ones(12), np.ones(12), ["a", "b", "c"] * 4)
    # heavy ties (three distinct times) still give a finite test equal to lifelines'
    time = np.repeat([1.0, 2.0, 3.0], 8)
    event = np.tile([1, 1, 0, 1], 6)
    groups = np.tile(["a", "b", "c"], 8)
    res = logrank_test(time, event, groups)
    theirs = multivariate_logrank_test(time, groups, event)
    assert res.chisq == pytest.approx(theirs.test_statistic, rel=1e-9)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 15), st.booleans(), st.sampled_from("abc")),
        min_size=12,
        max_size=60,
    )
)
def test_logrank_matches_lifelines_and_ignores_sample_order(rows: list) -> None:
    time = np.array([r[0] for r in rows], dtype=float)
    event = np.array([r[1] for r in rows], dtype=float)
    groups = np.array([r[2] for r in rows])
    assume(event.sum() > 0 and len(set(groups.tolist())) > 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        try:
            res = logrank_test(time, event, groups)
        except AnalysisError:
            return  # zero variance / one group at risk: reported, never NaN
        order = np.random.default_rng(0).permutation(time.size)
        again = logrank_test(time[order], event[order], groups[order])
    assert np.isfinite(res.chisq) and 0 <= res.p <= 1
    assert again.chisq == pytest.approx(res.chisq, rel=1e-9, abs=1e-12)
    if (res.expected > 0).all():
        theirs = multivariate_logrank_test(time, groups, event)
        assert res.chisq == pytest.approx(theirs.test_statistic, rel=1e-7, abs=1e-10)
