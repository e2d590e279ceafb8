"""Uno's C and time-dependent AUC with R's G(t-) weights, against R.

Golden: tests/data/survival/conventions/discrimination.json, made by discrimination.R
(survival::concordance(timewt = "n/G2", ymax = tau) and riskRegression::Score AUC)
on the gbsg and veteran data exported by export_datasets.R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigsurv.errors import OptionError
from sigsurv.survival import time_dependent_auc, uno_c

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
GOLDEN = json.loads((HERE / "discrimination.json").read_text())


def case_data(case: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = pd.read_csv(HERE / f"{case['data']}.csv")
    x = d[case["predictor"]].to_numpy(dtype=float) * case["sign"]
    return d[case["time"]].to_numpy(dtype=float), d[case["status"]].to_numpy(), x


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: f"{c['data']}-{c['predictor']}")
def test_uno_c_matches_r_concordance_n_over_g2(case: dict) -> None:
    t, e, x = case_data(case)
    for tau, expected in zip(case["tau"], case["uno_c"], strict=True):
        assert uno_c(t, e, x, tau=tau).estimate == pytest.approx(expected, rel=1e-12, abs=0)
    assert uno_c(t, e, x).estimate == pytest.approx(case["uno_c_all"], rel=1e-12, abs=0)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: f"{c['data']}-{c['predictor']}")
def test_auc_matches_risk_regression(case: dict) -> None:
    t, e, x = case_data(case)
    auc = time_dependent_auc(t, e, x, case["horizons"])
    np.testing.assert_allclose(auc, case["auc"], rtol=1e-12, atol=0)


def test_conventions_differ_where_censorings_share_event_times() -> None:
    t, e, x = case_data(GOLDEN["cases"][0])  # gbsg: 35 times with events and censorings
    tau = GOLDEN["cases"][0]["tau"][0]  # an event time: R includes it, sksurv does not
    r_value = uno_c(t, e, x, tau=tau).estimate
    sk_value = uno_c(t, e, x, tau=tau, convention="sksurv").estimate
    assert r_value != sk_value
    assert r_value == pytest.approx(GOLDEN["cases"][0]["uno_c"][0], rel=1e-12)
    with pytest.raises(OptionError, match="IPCW convention"):
        uno_c(t, e, x, convention="python")
    with pytest.raises(OptionError, match="IPCW convention"):
        time_dependent_auc(t, e, x, 500.0, convention="G(t)")
