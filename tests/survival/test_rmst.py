"""RMST against R survival 3.5-3 and survRM2 1.0-4 (goldens in tests/data/survival/rmst)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import R_RTOL, rel_error

from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival.rmst import rmst

DATA = Path(__file__).resolve().parents[1] / "data" / "survival"


@pytest.fixture(scope="module")
def goldens() -> dict:
    return json.loads((DATA / "rmst" / "goldens.json").read_text())


def cohort(name: str) -> pd.DataFrame:
    if name == "lung":
        return pd.read_csv(DATA / "rmst" / "lung.csv")
    d = pd.read_csv(DATA / "competing" / "metabric_competing.csv", float_precision="round_trip")
    d = d.dropna(subset=["chemo"])
    return d.assign(event=(d["event"] > 0).astype(int))


CASES = [
    "metabric_chemo_60",
    "metabric_chemo_120",
    "metabric_chemo_240",
    "lung_sex_365",
    "lung_sex_at_event_time",
]


@pytest.mark.parametrize("name", CASES)
def test_rmst_matches_survfit_and_survrm2(name, goldens):
    case = goldens["cases"][name]
    d = cohort(name.split("_")[0])
    fit = rmst(d["time"], d["event"], case["tau"], d[case["group"]])
    assert fit.table.index.tolist() == case["levels"]
    assert fit.table["n"].tolist() == case["n"]
    assert fit.table["events"].tolist() == case["events"]
    for ours, r in zip(fit.table["rmst"], case["rmean"], strict=True):
        assert rel_error(ours, r) < R_RTOL
    for ours, r in zip(fit.table["se"], case["se"], strict=True):
        assert rel_error(ours, r) < R_RTOL
    cmp = fit.compare(case["arm1"], case["arm0"])
    for part in ("difference", "ratio", "rmtl_ratio"):
        for key, r in case["contrast"][part].items():
            assert rel_error(getattr(cmp, part)[key], r) < R_RTOL, (part, key)
    # survRM2's own rmst2() output (rows: difference, ratio, RMTL ratio; est, lower, upper, p)
    rows = np.asarray(case["survrm2"]["unadjusted"])
    for row, part in zip(rows, ("difference", "ratio", "rmtl_ratio"), strict=True):
        ours = getattr(cmp, part)
        for key, r in zip(("estimate", "lower", "upper", "p"), row, strict=True):
            assert rel_error(ours[key], r) < R_RTOL, (part, key)
    arm1 = fit.table.loc[case["arm1"]]
    assert rel_error(arm1["lower"], case["survrm2"]["rmst_arm1"][2]) < R_RTOL
    assert rel_error(arm1["upper"], case["survrm2"]["rmst_arm1"][3]) < R_RTOL


def test_rmst_one_group(goldens):
    d = cohort("lung")
    fit = rmst(d["time"], d["event"], 500)
    r = goldens["lung_overall_500"]
    assert rel_error(fit.table.loc["all", "rmst"], r["rmean"]) < R_RTOL
    assert rel_error(fit.table.loc["all", "se"], r["se"]) < R_RTOL
    assert rel_error(fit.table.loc["all", "rmtl"], 500 - r["rmean"]) < R_RTOL


def test_tau_before_first_time_is_tau_with_zero_se():
    fit = rmst([5, 6, 7], [1, 0, 1], tau=2)
    assert fit.table.loc["all", "rmst"] == 2.0 and fit.table.loc["all", "se"] == 0.0


def test_tau_after_last_censoring_is_refused_but_allowed_after_curve_reaches_zero():
    with pytest.raises(AnalysisError, match="not estimable"):
        rmst([1, 2, 3], [1, 1, 0], tau=4)
    fit = rmst([1, 2, 3], [1, 1, 1], tau=10)
    assert np.isclose(fit.table.loc["all", "rmst"], 2.0)
    with pytest.raises(SigsurvInputError, match="tau"):
        rmst([1, 2, 3], [1, 1, 1], tau=0)
    with pytest.raises(SigsurvInputError, match="unknown group"):
        rmst([1, 2, 3, 4], [1, 1, 1, 1], tau=1, groups=["a", "a", "b", "b"]).compare("c", "a")
