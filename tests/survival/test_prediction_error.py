"""IPCW Brier scores against R riskRegression 2022.11.28 (tests/data/survival/prediction_error)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from golden import R_RTOL, rel_error

from sigsurv.errors import SigsurvInputError
from sigsurv.survival.prediction_error import (
    _censoring_weights,
    brier_score,
    integrated_brier_score,
)

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "prediction_error"


@pytest.fixture(scope="module")
def goldens() -> dict:
    return json.loads((HERE / "goldens.json").read_text())


@pytest.mark.parametrize("name", ["metabric", "lung"])
def test_brier_matches_riskregression_score(name, goldens):
    case = goldens[name]
    pred = np.column_stack(case["surv"])
    res = brier_score(case["time"], case["status"], pred, case["times"])
    tab = res.table
    for ours, theirs in (
        ("brier", "brier"),
        ("se", "se"),
        ("lower", "lower"),
        ("upper", "upper"),
        ("ibs", "ibs"),
    ):
        assert rel_error(tab[ours], case["cox"][theirs]) < R_RTOL, ours
    assert rel_error(tab["null_brier"], case["null"]["brier"]) < R_RTOL
    assert rel_error(tab["null_se"], case["null"]["se"]) < R_RTOL
    assert rel_error(tab["null_ibs"], case["null"]["ibs"]) < R_RTOL
    assert rel_error(tab["ipa"], case["cox"]["ipa"]) < R_RTOL
    ibs = integrated_brier_score(case["time"], case["status"], pred, case["times"]).estimate
    assert rel_error(ibs, case["cox"]["ibs"][-1]) < R_RTOL


def test_censoring_weights_put_events_before_censorings_at_ties():
    # prodlim(Hist(t, s) ~ 1, reverse = TRUE): 1, .75, .625, .46875, .46875, 0 at 1..6
    t = np.array([1, 2, 2, 2, 3, 4, 4, 5, 6, 6], dtype=float)
    s = np.array([1, 1, 0, 0, 0, 1, 0, 1, 0, 1], dtype=float)
    g_sub, g_t = _censoring_weights(t, s, np.array([1.0, 2.0, 2.5, 4.0, 6.0, 7.0]))
    assert np.allclose(g_t, [1, 0.75, 0.75, 0.46875, 0, 0])
    # predictSurvIndividual(lag = 1): G just before each subject's time
    assert np.allclose(g_sub, [1, 1, 1, 1, 0.75, 0.625, 0.625, 0.46875, 0.46875, 0.46875])


def test_perfect_prediction_has_zero_brier_and_bad_inputs_are_refused():
    t = np.array([1.0, 2.0, 3.0, 4.0])
    e = np.array([1, 1, 1, 1])
    perfect = (t > 2.5).astype(float)
    res = brier_score(t, e, perfect, [2.5])
    assert res.table["brier"].iloc[0] == 0.0 and res.table["ipa"].iloc[0] == 1.0
    with pytest.raises(SigsurvInputError, match="one row per subject"):
        brier_score(t, e, np.ones((4, 2)), [2.5])
    with pytest.raises(SigsurvInputError, match=r"\[0, 1\]"):
        brier_score(t, e, np.full(4, 1.5), [2.5])
    with pytest.raises(SigsurvInputError, match="strictly increasing"):
        brier_score(t, e, np.ones((4, 2)), [3, 2])
