"""Meta-analysis against R metafor rma(method = "FE" / "DL") goldens."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from golden import R_RTOL

from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival.meta import meta_analysis


@pytest.fixture(scope="module")
def goldens(test_data_dir: Path) -> dict:
    return json.loads((test_data_dir / "survival" / "basics" / "goldens.json").read_text())


def test_meta_analysis_matches_metafor(goldens: dict) -> None:
    cases = goldens["meta"]
    assert len(cases) == 6  # BCG trials, a homogeneous set, 4 genes x 2 reference cohorts
    for case in cases:
        res = meta_analysis(case["yi"], case["sei"])
        for ours, ref in ((res.fixed, case["fe"]), (res.random, case["dl"])):
            assert ours.log_hr == pytest.approx(ref["b"], rel=R_RTOL), case["name"]
            assert ours.se == pytest.approx(ref["se"], rel=R_RTOL)
            assert ours.z == pytest.approx(ref["z"], rel=R_RTOL)
            assert ours.p == pytest.approx(ref["p"], rel=R_RTOL)
            assert ours.lower == pytest.approx(np.exp(ref["lower"]), rel=R_RTOL)
            assert ours.upper == pytest.approx(np.exp(ref["upper"]), rel=R_RTOL)
            assert ours.hr == pytest.approx(np.exp(ref["b"]), rel=R_RTOL)
        np.testing.assert_allclose(res.studies["weight_fixed"], case["fe"]["weights"], rtol=R_RTOL)
        np.testing.assert_allclose(res.studies["weight_random"], case["dl"]["weights"], rtol=R_RTOL)
        assert res.q == pytest.approx(case["Q"], rel=R_RTOL)
        assert res.q_p == pytest.approx(case["Q_p"], rel=R_RTOL)
        assert res.q_df == len(case["yi"]) - 1
        assert res.tau2 == pytest.approx(case["tau2"], rel=R_RTOL, abs=1e-12)
        assert res.i2 == pytest.approx(case["I2"], rel=R_RTOL, abs=1e-12)
        assert res.i2 == pytest.approx(case["I2_fe"], rel=R_RTOL, abs=1e-12)
        assert res.h2 == pytest.approx(case["H2"], rel=R_RTOL)


def test_zero_heterogeneity_gives_equal_models() -> None:
    res = meta_analysis([0.3, 0.3, 0.3], [0.1, 0.2, 0.3], labels=["a", "b", "c"])
    assert res.tau2 == 0.0 and res.i2 == 0.0 and res.q == pytest.approx(0.0, abs=1e-20)
    assert res.random.log_hr == pytest.approx(res.fixed.log_hr)
    assert res.studies.index.tolist() == ["a", "b", "c"]


def test_meta_analysis_errors() -> None:
    with pytest.raises(AnalysisError, match="at least two"):
        meta_analysis([0.1], [0.2])
    with pytest.raises(SigsurvInputError, match="> 0"):
        meta_analysis([0.1, 0.2], [0.2, 0.0])
    with pytest.raises(SigsurvInputError, match="finite"):
        meta_analysis([0.1, np.nan], [0.2, 0.1])
    with pytest.raises(SigsurvInputError, match="differ in length"):
        meta_analysis([0.1, 0.2], [0.2])
    with pytest.raises(SigsurvInputError, match="duplicated"):
        meta_analysis([0.1, 0.2], [0.2, 0.1], labels=["x", "x"])


# ---- every method x test against metafor (tests/data/survival/meta/make.R) ----


@pytest.fixture(scope="module")
def rma_cases(test_data_dir: Path) -> list[dict]:
    path = test_data_dir / "survival" / "meta" / "goldens.json"
    return json.loads(path.read_text())["cases"]


def _case_id(case: dict) -> str:
    return f"{case['name']} {case['method']} {case['test']}"


def test_goldens_cover_every_method_and_test(rma_cases: list[dict]) -> None:
    combos = {(c["name"], c["method"], c["test"]) for c in rma_cases}
    names = {c["name"] for c in rma_cases}
    assert len(names) >= 2
    assert combos == {
        (n, m, t) for n in names for m in ("REML", "PM", "DL", "FE") for t in ("z", "knha")
    }


def test_rma_every_method_and_test(rma_cases: list[dict]) -> None:
    for case in rma_cases:
        cid = _case_id(case)
        res = meta_analysis(
            case["yi"], case["sei"], case["labels"], method=case["method"], test=case["test"]
        )
        est = res.pooled
        assert est.log_hr == pytest.approx(case["b"], rel=R_RTOL), cid
        assert est.se == pytest.approx(case["se"], rel=R_RTOL), cid
        assert est.z == pytest.approx(case["zval"], rel=R_RTOL), cid
        assert est.p == pytest.approx(case["pval"], rel=R_RTOL), cid
        assert est.lower == pytest.approx(np.exp(case["ci_lb"]), rel=R_RTOL), cid
        assert est.upper == pytest.approx(np.exp(case["ci_ub"]), rel=R_RTOL), cid
        assert est.df == (len(case["yi"]) - 1 if case["test"] == "knha" else None)
        assert res.tau2 == pytest.approx(case["tau2"], rel=R_RTOL, abs=1e-12), cid
        assert res.i2 == pytest.approx(case["I2"], rel=R_RTOL, abs=1e-10), cid
        assert 0.0 <= res.i2 <= 100.0
        assert res.h2 == pytest.approx(case["H2"], rel=R_RTOL), cid
        assert res.q == pytest.approx(case["QE"], rel=R_RTOL), cid
        assert res.q_p == pytest.approx(case["QEp"], rel=R_RTOL), cid
        np.testing.assert_allclose(res.studies["weight"], case["weights"], rtol=R_RTOL, err_msg=cid)
        if case["method"] == "FE":  # metafor's predict() gives no PI for a common effect
            assert case["pi_lb"] == {} and res.prediction_lower is None
            assert res.prediction_upper is None
        else:
            assert res.prediction_lower == pytest.approx(np.exp(case["pi_lb"]), rel=R_RTOL), cid
            assert res.prediction_upper == pytest.approx(np.exp(case["pi_ub"]), rel=R_RTOL), cid


def test_leave_one_out_matches_metafor(rma_cases: list[dict]) -> None:
    columns = {
        "log_hr": "estimate",
        "se": "se",
        "z": "zval",
        "p": "pval",
        "q": "Q",
        "q_p": "Qp",
        "tau2": "tau2",
        "i2": "I2",
        "h2": "H2",
    }
    for case in rma_cases:
        res = meta_analysis(
            case["yi"], case["sei"], case["labels"], method=case["method"], test=case["test"]
        )
        loo = res.leave_one_out()
        assert loo.index.tolist() == case["labels"]
        ref = case["leave1out"]
        for ours, theirs in columns.items():
            np.testing.assert_allclose(
                loo[ours], ref[theirs], rtol=R_RTOL, atol=1e-10, err_msg=f"{_case_id(case)} {ours}"
            )
        np.testing.assert_allclose(loo["lower"], np.exp(ref["ci_lb"]), rtol=R_RTOL)
        np.testing.assert_allclose(loo["upper"], np.exp(ref["ci_ub"]), rtol=R_RTOL)


def test_fixed_and_random_access_with_reml() -> None:
    res = meta_analysis([0.95, -0.20, 1.40], [0.30, 0.25, 0.45], method="REML", test="knha")
    assert res.random is res.pooled and res.random.model == "random"
    assert res.random.method == "REML" and res.fixed.method == "FE"
    assert res.fixed.test == "knha" and res.fixed.df == 2
    fe = meta_analysis([0.95, -0.20, 1.40], [0.30, 0.25, 0.45], method="FE")
    assert fe.random is fe.fixed and fe.tau2 == 0.0


def test_study_records_and_pool_record() -> None:
    res = meta_analysis([0.2, -0.1, 0.5], [0.1, 0.2, 0.3], ["GSE1", "GSE2", "TCGA"], method="PM")
    records = res.study_records()
    assert [r["cohort"] for r in records] == ["GSE1", "GSE2", "TCGA"]
    assert set(records[0]) == {"cohort", "hr", "lower", "upper", "weight"}
    assert sum(r["weight"] for r in records) == pytest.approx(100.0)
    assert records[1]["hr"] == pytest.approx(np.exp(-0.1))
    pool = res.to_dict()
    assert pool["studies"] == records and pool["method"] == "PM" and pool["k"] == 3
    assert pool["i2"] == res.i2 and pool["prediction_lower"] == res.prediction_lower
    json.dumps(pool)  # plain Python types only


def test_i2_is_a_percentage_not_multiplied_twice() -> None:
    res = meta_analysis([0.9, -0.6, 1.2], [0.1, 0.1, 0.1], method="REML")
    assert 90.0 < res.i2 <= 100.0


def test_leave_one_out_needs_three_cohorts() -> None:
    with pytest.raises(AnalysisError, match="three"):
        meta_analysis([0.1, 0.2], [0.2, 0.1]).leave_one_out()


def test_unknown_method_or_test() -> None:
    with pytest.raises(SigsurvInputError, match="method"):
        meta_analysis([0.1, 0.2], [0.2, 0.1], method="SJ")
    with pytest.raises(SigsurvInputError, match="test"):
        meta_analysis([0.1, 0.2], [0.2, 0.1], test="t")
