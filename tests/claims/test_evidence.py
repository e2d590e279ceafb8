"""claims.evidence against R: adjusted per-SD HR, LRT of adding the score, change in C."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import R_RTOL

from sigsurv.claims.evidence import adjusted_estimate, power_record
from sigsurv.errors import SigsurvWarning

DATA = Path(__file__).parent.parent / "data" / "claims" / "adjusted_lrt"


def test_adjusted_estimate_and_lrt_match_r_coxph_and_anova():
    frame = pd.read_csv(DATA / "input.tsv", sep="\t", dtype={"grade": str})
    golden = json.loads((DATA / "goldens.json").read_text())
    covariates = frame[["age", "grade", "size_category", "node", "er"]].astype(object)
    covariates = covariates.where(covariates.notna(), None)
    covariates["age"] = frame["age"].astype(float)
    covariates["size_category"] = frame["size_category"].astype(float)
    # R's coxph warns too: grade 2/3 have no events in a level (monotone likelihood)
    with pytest.warns(SigsurvWarning, match="(reduced|full) Cox model is not well defined"):
        out = adjusted_estimate(
            frame["time"].to_numpy(float),
            frame["event"].to_numpy(float),
            frame["score_per_sd"].to_numpy(float),
            covariates,
        )
    assert (out["n"], out["events"]) == (golden["n"], golden["events"])
    assert out["dropped"] == len(frame) - golden["n"]
    # Issue 21: grade levels without events separate (monotone likelihood), so the HR
    # reported is Firth's; the maximum-likelihood one is kept beside it and equals R.
    assert out["estimate_method"].startswith("Firth")
    assert out["hr"] != pytest.approx(golden["hr"], rel=1e-3)
    ml = out["ml"]  # one HR vocabulary (HazardRatio.to_dict), never the same HR twice
    for ours, theirs in (
        ("hr", "hr"),
        ("ci_lower", "lower"),
        ("ci_upper", "upper"),
        ("p_wald", "p"),
    ):
        assert ml[ours] == pytest.approx(golden[theirs], rel=R_RTOL), ours
    for key in ("c_full", "c_base"):
        assert out[key] == pytest.approx(golden[key], rel=R_RTOL), key
    assert out["lrt"]["stat"] == pytest.approx(golden["lrt_stat"], rel=R_RTOL)
    assert out["lrt"]["df"] == golden["lrt_df"]
    assert out["lrt"]["p"] == pytest.approx(golden["lrt_p"], rel=R_RTOL)
    assert out["delta_c"] == pytest.approx(golden["c_full"] - golden["c_base"], rel=R_RTOL)
    # 33 events for 7 parameters: the warning is part of the record.
    assert "below 10" in out["warning"]


def test_power_record_by_hand():
    # Issue 21: power on the per-SD scale of the deciding test. The published HR 0.41
    # (median split) is per SD log HR / (2 phi(0) / 0.5) = log HR / 1.596; Schoenfeld
    # with variance 1: power = Phi(|log HR_sd| sqrt(D) - z_0.975), D = 13: about 0.52.
    from scipy.stats import norm

    factor = 2 * norm.pdf(0) / 0.5
    assert factor == pytest.approx(1.5958, abs=1e-4)
    by_hand = norm.cdf(abs(np.log(0.41)) / factor * np.sqrt(13) - norm.ppf(0.975))
    out = power_record(13, "protective", 0.41)
    assert out["power"] == pytest.approx(by_hand, rel=1e-12)
    assert round(out["power"], 2) == 0.52 and out["scale"] == "per SD"
    assert "1.596" in out["conversion"]
    mdhr = np.exp(-(norm.ppf(0.975) + norm.ppf(0.8)) / np.sqrt(13))
    assert out["min_detectable_hr"] == pytest.approx(mdhr, rel=1e-12)
    analogue = power_record(13, "protective", 0.41, endpoint_match="analogue")
    assert "upper bound" in analogue["endpoint_note"]
    per_sd = np.exp(-(norm.ppf(0.975) + norm.ppf(0.8)) / np.sqrt(13))
    assert out["min_detectable_hr_per_sd"] == pytest.approx(per_sd, rel=1e-12)
