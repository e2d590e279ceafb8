"""timefix (R survival's aeqSurv) against R: coxph, survfit, survdiff, univariate scans.

Golden: tests/data/survival/conventions/timefix.json, made by timefix.R from the
rotterdam data exported by export_datasets.R (R 4.2.2, survival 3.5-3).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import rel_error

from sigsurv.survival import (
    concordance_index,
    cox_fit,
    cox_scan,
    kaplan_meier,
    logrank_test,
    median_follow_up,
    uno_c,
)
from sigsurv.survival._validate import merge_close_times

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
COVARIATES = ["age", "meno", "size", "grade", "nodes", "pgr", "er", "hormon", "chemo"]


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads((HERE / "timefix.json").read_text())


@pytest.fixture(scope="module")
def rotterdam() -> pd.DataFrame:
    d = pd.read_csv(HERE / "rotterdam.csv")
    d["size"] = pd.Categorical(d["size"], categories=["<=20", "20-50", ">50"])
    days = d["dtime"].to_numpy(dtype=float)
    # Same two computations as timefix.R: equal in days, not always equal as doubles.
    d["months"] = np.where(d["pid"] % 2 == 1, days / 30.4375, (days / 365.25) * 12)
    return d


def test_months_really_differ_in_the_last_bits(rotterdam: pd.DataFrame, golden: dict) -> None:
    months = rotterdam["months"].to_numpy()
    assert np.unique(months).size == golden["n_distinct_raw"]
    assert np.unique(merge_close_times(months)).size == golden["n_distinct_fixed"]


@pytest.mark.parametrize("key", ["timefix", "exact"])
def test_cox_matches_r(rotterdam: pd.DataFrame, golden: dict, key: str) -> None:
    r = golden[key]["cox"]
    fit = cox_fit(
        rotterdam["months"], rotterdam["death"], rotterdam[COVARIATES], timefix=key == "timefix"
    )
    assert fit.summary.index.tolist() == r["terms"]
    assert rel_error(fit.summary["coef"], r["coef"]) < 1e-9
    assert rel_error(fit.summary["se"], r["se"]) < 1e-9
    assert rel_error([fit.loglik_null, fit.loglik], r["loglik"]) < 1e-12
    assert fit.iterations == r["iter"]
    assert rel_error(fit.concordance.concordance, r["concordance"]) < 1e-12
    assert rel_error(fit.ph_test["chisq"], r["zph_chisq"]) < 1e-7


def test_timefix_is_the_default_and_matters(rotterdam: pd.DataFrame, golden: dict) -> None:
    default = cox_fit(rotterdam["months"], rotterdam["death"], rotterdam[COVARIATES])
    assert rel_error(default.summary["coef"], golden["timefix"]["cox"]["coef"]) < 1e-9
    # the exact-ties fit differs by far more than the tolerance
    assert rel_error(golden["exact"]["cox"]["coef"], golden["timefix"]["cox"]["coef"]) > 1e-7


@pytest.mark.parametrize("key", ["timefix", "exact"])
def test_scan_matches_r_univariate(rotterdam: pd.DataFrame, golden: dict, key: str) -> None:
    rows = golden[key]["univariate"]
    genes = [row["gene"] for row in rows]
    expr = rotterdam[genes].T.astype(float)
    res = cox_scan(expr, rotterdam["months"], rotterdam["death"], timefix=key == "timefix")
    assert rel_error(res["coef"], [row["coef"] for row in rows]) < 1e-9
    assert rel_error(res["se"], [row["se"] for row in rows]) < 1e-9
    assert rel_error(res["lrt_stat"], [2 * np.diff(row["loglik"])[0] for row in rows]) < 1e-8
    assert rel_error(res["score_stat"], [row["score"] for row in rows]) < 1e-9


@pytest.mark.parametrize("key", ["timefix", "exact"])
def test_km_and_logrank_match_r(rotterdam: pd.DataFrame, golden: dict, key: str) -> None:
    r = golden[key]
    fix = key == "timefix"
    km = kaplan_meier(rotterdam["months"], rotterdam["death"], rotterdam["hormon"], timefix=fix)
    table = km.table
    assert len(table) == len(r["km"]["time"])
    assert rel_error(table["time"], r["km"]["time"]) < 1e-13  # JSON keeps 15 digits
    assert table["n_risk"].tolist() == r["km"]["n_risk"]
    assert table["n_event"].tolist() == r["km"]["n_event"]
    assert rel_error(table["surv"], r["km"]["surv"]) < 1e-12
    se_log = (table["std_err"] / table["surv"]).to_numpy()
    r_se = np.asarray(r["km"]["std_err"], dtype=float)
    ok = np.isfinite(se_log) & np.isfinite(r_se) & (r_se > 0)
    assert rel_error(se_log[ok], r_se[ok]) < 1e-10
    lr = logrank_test(rotterdam["months"], rotterdam["death"], rotterdam["size"], timefix=fix)
    assert rel_error(lr.chisq, r["logrank"]["chisq"]) < 1e-10
    assert rel_error(lr.expected, r["logrank"]["exp"]) < 1e-12


@pytest.mark.parametrize("key", ["timefix", "exact"])
def test_follow_up_and_concordance_match_r(rotterdam: pd.DataFrame, golden: dict, key: str) -> None:
    r = golden[key]
    fix = key == "timefix"
    t, e, x = rotterdam["months"], rotterdam["death"], rotterdam["nodes"]
    assert median_follow_up(t, e, timefix=fix) == pytest.approx(r["follow_up"], rel=1e-12)
    harrell = concordance_index(t, e, x, reverse=True, timefix=fix)
    counts = [harrell.concordant, harrell.discordant, harrell.tied_x, harrell.tied_y]
    assert [*counts, harrell.tied_xy] == r["harrell_count"]
    assert harrell.concordance == pytest.approx(r["harrell"], rel=1e-12)
    assert uno_c(t, e, x, tau=60, timefix=fix).estimate == pytest.approx(r["uno"], rel=1e-12)
