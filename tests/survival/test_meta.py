"""Meta-analysis against R metafor rma(method = "FE" / "DL") goldens."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival.meta import meta_analysis

REL = 1e-6


@pytest.fixture(scope="module")
def goldens(test_data_dir: Path) -> dict:
    return json.loads((test_data_dir / "survival" / "r_goldens.json").read_text())


def test_meta_analysis_matches_metafor(goldens: dict) -> None:
    cases = goldens["meta"]
    assert len(cases) == 6  # BCG trials, a homogeneous set, 4 genes x 2 reference cohorts
    for case in cases:
        res = meta_analysis(case["yi"], case["sei"])
        for ours, ref in ((res.fixed, case["fe"]), (res.random, case["dl"])):
            assert ours.log_hr == pytest.approx(ref["b"], rel=REL), case["name"]
            assert ours.se == pytest.approx(ref["se"], rel=REL)
            assert ours.z == pytest.approx(ref["z"], rel=REL)
            assert ours.p == pytest.approx(ref["p"], rel=REL)
            assert ours.lower == pytest.approx(np.exp(ref["lower"]), rel=REL)
            assert ours.upper == pytest.approx(np.exp(ref["upper"]), rel=REL)
            assert ours.hr == pytest.approx(np.exp(ref["b"]), rel=REL)
        np.testing.assert_allclose(res.studies["weight_fixed"], case["fe"]["weights"], rtol=REL)
        np.testing.assert_allclose(res.studies["weight_random"], case["dl"]["weights"], rtol=REL)
        assert res.q == pytest.approx(case["Q"], rel=REL)
        assert res.q_p == pytest.approx(case["Q_p"], rel=REL)
        assert res.q_df == len(case["yi"]) - 1
        assert res.tau2 == pytest.approx(case["tau2"], rel=REL, abs=1e-12)
        assert res.i2 == pytest.approx(case["I2"], rel=REL, abs=1e-12)
        assert res.i2 == pytest.approx(case["I2_fe"], rel=REL, abs=1e-12)
        assert res.h2 == pytest.approx(case["H2"], rel=REL)


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
