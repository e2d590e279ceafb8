"""Weighted log-rank tests against R: survdiff(rho = ) and Fleming–Harrington G(p, q).

Golden: tests/data/survival/conventions/weighted_logrank.json, made by weighted_logrank.R
(survival::survdiff, survMisc::comp for k > 2 groups, and a by-hand R computation for
two groups; the script says why) on veteran, gbsg and lung (export_datasets.R).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigsurv.errors import SigsurvInputError
from sigsurv.survival import logrank_test, logrank_trend_test

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
GOLDEN = json.loads((HERE / "weighted_logrank.json").read_text())


def data(name: str) -> tuple[np.ndarray, np.ndarray, pd.Series, pd.Series | None]:
    if name.startswith("veteran"):
        d = pd.read_csv(HERE / "veteran.csv")
        group = d["trt"] if name == "veteran_trt" else d["celltype"]
        strata = d["prior"] if name.endswith("strata_prior") else None
        return d["time"].to_numpy(float), d["status"].to_numpy(), group, strata
    if name == "gbsg_grade":
        d = pd.read_csv(HERE / "gbsg.csv")
        return d["rfstime"].to_numpy(float), d["status"].to_numpy(), d["grade"], None
    d = pd.read_csv(HERE / "lung.csv")
    return d["time"].to_numpy(float), d["status"].to_numpy() - 1, d["sex"], None


@pytest.mark.parametrize("case", GOLDEN["survdiff"], ids=lambda c: f"{c['name']}-rho{c['rho']}")
def test_rho_matches_survdiff(case: dict) -> None:
    t, e, g, s = data(case["name"])
    res = logrank_test(t, e, g, strata=s, rho=case["rho"])
    assert res.chisq == pytest.approx(case["chisq"], rel=1e-10)
    k = len(res.groups)
    # with strata R keeps a groups x strata matrix (column-major in the JSON)
    np.testing.assert_allclose(res.observed, np.reshape(case["obs"], (-1, k)).sum(0), rtol=1e-12)
    np.testing.assert_allclose(res.expected, np.reshape(case["exp"], (-1, k)).sum(0), rtol=1e-12)
    np.testing.assert_allclose(
        res.variance.to_numpy(), np.reshape(case["var"], (k, k), order="F"), rtol=1e-10
    )
    assert res.weighting == f"FH({case['rho']:g}, 0)"


@pytest.mark.parametrize(
    "case", GOLDEN["fh_survmisc"], ids=lambda c: f"{c['name']}-p{c['p']}-q{c['q']}"
)
def test_fleming_harrington_matches_survmisc(case: dict) -> None:
    t, e, g, _ = data(case["name"])
    res = logrank_test(t, e, g, fleming_harrington=(case["p"], case["q"]))
    assert res.chisq == pytest.approx(case["chisq"], rel=1e-10)
    assert res.df == case["df"]


@pytest.mark.parametrize(
    "case", GOLDEN["fh_by_hand"], ids=lambda c: f"{c['name']}-p{c['p']}-q{c['q']}"
)
def test_fleming_harrington_two_groups(case: dict) -> None:
    t, e, g, _ = data(case["name"])
    res = logrank_test(t, e, g, fleming_harrington=(case["p"], case["q"]))
    first = res.groups[0]
    assert res.observed[first] - res.expected[first] == pytest.approx(case["o_minus_e"], rel=1e-10)
    assert res.variance.iloc[0, 0] == pytest.approx(case["var"], rel=1e-10)
    assert res.chisq == pytest.approx(case["chisq"], rel=1e-10)


def test_weights_reduce_to_log_rank_and_are_checked() -> None:
    t, e, g, _ = data("veteran_celltype")
    plain = logrank_test(t, e, g)
    assert plain.weighting == "log-rank"
    same = logrank_test(t, e, g, fleming_harrington=(0, 0))
    assert same.chisq == plain.chisq
    assert (
        logrank_test(t, e, g, rho=1).chisq == logrank_test(t, e, g, fleming_harrington=(1, 0)).chisq
    )
    with pytest.raises(SigsurvInputError, match="not both"):
        logrank_test(t, e, g, rho=1, fleming_harrington=(1, 1))
    with pytest.raises(SigsurvInputError, match=">= 0"):
        logrank_test(t, e, g, rho=-1)
    with pytest.raises(SigsurvInputError, match="pair"):
        logrank_test(t, e, g, fleming_harrington=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "case", GOLDEN["trend"], ids=lambda c: f"{c['source']}-p{c['p']}-q{c['q']}"
)
def test_weighted_trend_test(case: dict) -> None:
    t, e, g, _ = data(case["name"])
    res = logrank_trend_test(t, e, g, fleming_harrington=(case["p"], case["q"]))
    sign = -1.0 if case["source"] == "survMisc" else 1.0  # survMisc reports E - O
    assert res.u == pytest.approx(sign * case["u"], rel=1e-10)
    assert res.variance_u == pytest.approx(case["var"], rel=1e-10)
    assert res.chisq == pytest.approx(case["chisq"], rel=1e-10)
    assert res.logrank.weighting == f"FH({case['p']:g}, {case['q']:g})"
