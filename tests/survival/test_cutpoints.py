"""Grouping rules and the maximally selected log-rank cut-point, against R maxstat / survminer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import survset_frame as load_frame
from golden import R_RTOL

from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival.cutpoints import (
    group_by_cut,
    logrank_scores,
    maxstat_cutpoint,
    p_lausen92,
    p_lausen94,
)


@pytest.fixture(scope="module")
def cutpoint_ref(reference_dir: Path) -> list[dict]:
    return json.loads((reference_dir / "cutpoint.json").read_text())["results"]


@pytest.fixture(scope="module")
def goldens(test_data_dir: Path) -> dict:
    return json.loads((test_data_dir / "survival" / "basics" / "goldens.json").read_text())


def test_optimal_cutpoints_match_r_maxstat(cutpoint_ref: list[dict]) -> None:
    assert len(cutpoint_ref) == 6
    for row in cutpoint_ref:
        frame = load_frame(row["cohort"])
        x = frame[f"num_HS_{row['gene']}"]
        res = maxstat_cutpoint(x, frame["time"], frame["event"], minprop=0.1, maxprop=0.9)
        assert res.cutpoint == pytest.approx(row["maxstat_estimate"], rel=1e-12)
        assert res.cutpoint == pytest.approx(row["surv_cutpoint_cutpoint"], rel=1e-12)
        assert res.statistic == pytest.approx(row["maxstat_statistic"], rel=R_RTOL)
        assert res.statistic == pytest.approx(row["surv_cutpoint_statistic"], rel=R_RTOL)
        assert res.p_lau92 == pytest.approx(row["p_Lau92"], rel=R_RTOL)
        assert res.p_lau94 == pytest.approx(row["p_Lau94"], rel=R_RTOL)
        assert (res.n, res.n_low, res.n_high) == (row["n"], row["n_low"], row["n_high"])
        assert res.naive_logrank_chisq == pytest.approx(row["naive_logrank_chisq"], rel=R_RTOL)
        assert res.naive_logrank_p == pytest.approx(row["naive_logrank_p"], rel=R_RTOL)
        curve = pd.DataFrame(row["curve"])
        np.testing.assert_allclose(res.curve["cut"], curve["cut"], rtol=1e-12)
        np.testing.assert_allclose(res.curve["statistic"], curve["statistic"], rtol=R_RTOL)
        # the naive p never travels alone
        summary = res.to_dict()
        assert {"naive_logrank_p", "p_lau92", "p_lau94", "p_adjusted"} <= summary.keys()
        assert res.p_adjusted >= res.naive_logrank_p


def test_optimal_cutpoints_other_proportions_match_r(goldens: dict) -> None:
    for case in goldens["maxstat"]:
        frame = load_frame(case["cohort"])
        res = maxstat_cutpoint(
            frame[f"num_HS_{case['gene']}"],
            frame["time"],
            frame["event"],
            minprop=case["minprop"],
            maxprop=case["maxprop"],
        )
        assert res.statistic == pytest.approx(case["statistic"], rel=R_RTOL)
        assert res.cutpoint == pytest.approx(case["estimate"], rel=1e-12)
        assert res.p_lau92 == pytest.approx(case["p_Lau92"], rel=R_RTOL)
        assert res.p_lau94 == pytest.approx(case["p_Lau94"], rel=R_RTOL)
        assert len(res.curve) == case["n_cuts"]


@pytest.mark.parametrize("cohort", ["gse1992", "gse4335"])
def test_logrank_scores_match_exactranktests(cohort: str, goldens: dict) -> None:
    frame = load_frame(cohort)
    np.testing.assert_allclose(
        logrank_scores(frame["time"], frame["event"]),
        goldens["cscores"][cohort],
        rtol=1e-12,
        atol=1e-14,
    )


def test_lausen_p_values_edge_rules() -> None:
    assert p_lausen92(0.9) == 1.0  # M < 1
    assert p_lausen94(0.5, 100, np.arange(10, 91)) > 1  # an upper bound, not clipped
    assert p_lausen94(2.0, 100, [50]) == pytest.approx(2 * (1 - 0.9772498680518208), rel=1e-9)


def test_permutation_p_is_seeded_and_close_to_exact_gauss(cutpoint_ref: list[dict]) -> None:
    row = cutpoint_ref[0]  # gse1992 RPS6KA5, exactGauss p 0.124 (+/- 1e-3)
    frame = load_frame(row["cohort"])
    x = frame[f"num_HS_{row['gene']}"]
    a = maxstat_cutpoint(x, frame["time"], frame["event"], n_permutations=4000, seed=11)
    b = maxstat_cutpoint(x, frame["time"], frame["event"], n_permutations=4000, seed=11)
    assert a.p_permutation == b.p_permutation
    assert a.p_adjusted == a.p_permutation
    # Monte Carlo SE with 4000 draws ~ 0.005
    assert abs(a.p_permutation - row["p_exactGauss"]) < 0.025
    assert a.n_permutations == 4000 and a.seed == 11
    with pytest.raises(SigsurvInputError, match="explicit seed"):
        maxstat_cutpoint(x, frame["time"], frame["event"], n_permutations=10)


def test_median_rule_matches_reference_split(reference_dir: Path) -> None:
    ref = json.loads((reference_dir / "gse1992.median_split.json").read_text())
    frame = load_frame("gse1992")
    for row in ref["results"]:
        grouping = group_by_cut(frame[f"num_HS_{row['gene']}"], "median")
        assert grouping.cuts[0] == pytest.approx(row["cutoff"], rel=1e-12)
        assert grouping.counts.tolist() == [row["n_low"], row["n_high"]]
        assert grouping.levels == ["low", "high"]
        assert grouping.labels.index.equals(frame.index)


def test_tertile_and_quartile_groups_match_r_cut(goldens: dict) -> None:
    frames = {c: load_frame(c) for c in ("gse1992", "gse4335")}
    for case in goldens["quantile_groups"]:
        x = frames[case["cohort"]][f"num_HS_{case['gene']}"]
        grouping = group_by_cut(x, case["rule"])
        np.testing.assert_allclose(grouping.cuts, case["breaks"], rtol=1e-12)
        assert grouping.labels.astype(str).tolist() == case["groups"]
        assert grouping.labels.cat.ordered


def test_optimal_rule_groups_low_at_or_below_cut(cutpoint_ref: list[dict]) -> None:
    row = cutpoint_ref[2]
    frame = load_frame(row["cohort"])
    grouping = group_by_cut(
        frame[f"num_HS_{row['gene']}"], "optimal", time=frame["time"], event=frame["event"]
    )
    assert grouping.rule == "optimal"
    assert grouping.maxstat is not None
    assert grouping.counts.tolist() == [row["n_low"], row["n_high"]]


def test_fixed_cut() -> None:
    grouping = group_by_cut(np.array([0.5, 1.0, 1.5]), 1.0)
    assert grouping.labels.tolist() == ["low", "low", "high"]
    assert grouping.rule == "fixed"


def test_degenerate_inputs() -> None:
    rng = np.random.default_rng(3)
    time = rng.exponential(10, 50)
    event = (rng.random(50) < 0.6).astype(float)
    with pytest.raises(AnalysisError, match="constant"):
        maxstat_cutpoint(np.ones(50), time, event)
    with pytest.raises(AnalysisError, match="constant"):
        group_by_cut(np.ones(50), "median")
    with pytest.raises(AnalysisError, match="no events"):
        maxstat_cutpoint(rng.normal(size=50), time, np.zeros(50))
    with pytest.warns(SigsurvWarning, match="only 4 events"):
        maxstat_cutpoint(rng.normal(size=50), time, np.r_[np.ones(4), np.zeros(46)])
    with pytest.raises(AnalysisError, match="one group"):
        group_by_cut(rng.normal(size=50), 100.0)
    # 80% of the scores tied at the maximum: nothing is above the median
    with pytest.raises(AnalysisError, match="empty"):
        group_by_cut(np.r_[np.arange(10.0), np.full(40, 10.0)], "median")
    with pytest.raises(AnalysisError, match="not distinct"):
        group_by_cut(np.r_[np.zeros(40), np.arange(1.0, 11.0)], "tertile")
    # two distinct values, low group 95%: no cut within [0.1, 0.9]
    with pytest.raises(AnalysisError, match="no candidate cut"):
        maxstat_cutpoint(np.r_[np.zeros(48), np.ones(2)], time, event)
    with pytest.raises(SigsurvInputError, match="unknown grouping rule"):
        group_by_cut(rng.normal(size=50), "decile")
    with pytest.raises(SigsurvInputError, match="needs time and event"):
        group_by_cut(rng.normal(size=50), "optimal")
    with pytest.raises(SigsurvInputError, match="missing"):
        group_by_cut(np.r_[np.nan, rng.normal(size=49)], "median")
