"""The compiled (numba) cox_scan kernel against the NumPy path it replaces.

Both paths are R's coxfit6 per gene; they must agree to rounding (1e-12 relative)
on every statistic, with identical iteration counts and flags, for Efron and
Breslow ties, with and without strata, whatever the threads and block size.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pandas as pd
import pytest
from fixtures import survset_frame

from sigsurv.errors import SigsurvInputError

pytest.importorskip("numba")
scan_module = importlib.import_module("sigsurv.survival.cox_scan")
cox_scan = scan_module.cox_scan

EXACT = ["iterations", "converged", "nonconvergence_warning"]


@pytest.fixture(scope="module")
def cohort() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = survset_frame("gse1992")
    genes = [c for c in df.columns if c.startswith("num_HS_")][:150]
    expr = df[genes].T
    # Coarsened times: many tied event times, so Efron's correction is exercised.
    df = df.assign(time=(df["time"] / 6).round() * 6 + 1)
    return df, expr


def numpy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_module, "_compiled_kernel_available", lambda: False)


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert a.index.equals(b.index) and a.columns.equals(b.columns)
    for column in EXACT:
        np.testing.assert_array_equal(a[column], b[column], err_msg=column)
    numeric = [c for c in a.columns if c not in EXACT and c not in ("lrt_stat", "p_lrt")]
    pd.testing.assert_frame_equal(a[numeric], b[numeric], rtol=1e-12, atol=0)
    # The LRT is a difference of two log-likelihoods: compare it on their scale.
    np.testing.assert_allclose(a["lrt_stat"], b["lrt_stat"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("stratified", [False, True])
def test_compiled_equals_numpy(
    cohort: tuple[pd.DataFrame, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    ties: str,
    stratified: bool,
) -> None:
    df, expr = cohort
    strata = df["fac_er_positive"] if stratified else None
    compiled = cox_scan(expr, df["time"], df["event"], ties=ties, strata=strata)
    one_thread = cox_scan(
        expr, df["time"], df["event"], ties=ties, strata=strata, threads=1, block_size=11
    )
    numpy_path(monkeypatch)
    reference = cox_scan(expr, df["time"], df["event"], ties=ties, strata=strata)
    assert_same(compiled, reference)
    assert_same(one_thread, reference)


def test_stratified_kernel_equals_batched_adjusted_path(
    cohort: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    df, expr = cohort
    strata = (df.index % 3).to_numpy()
    compiled = cox_scan(expr, df["time"], df["event"], strata=strata)
    t, e = df["time"].to_numpy(float), df["event"].to_numpy(float)
    batched = scan_module._adjusted(
        expr.to_numpy(float), t, e, np.empty((len(t), 0)), strata, "efron", 20, 1e-9, None
    )
    np.testing.assert_allclose(compiled["coef"], batched["coef"], rtol=1e-12)
    np.testing.assert_allclose(compiled["se"] ** 2, batched["var"], rtol=1e-12)
    np.testing.assert_allclose(compiled["score_stat"], batched["score_stat"], rtol=1e-12)
    np.testing.assert_array_equal(compiled["iterations"], batched["iterations"])


@pytest.mark.filterwarnings("ignore::sigsurv.errors.SigsurvWarning")
def test_max_iter_edge_cases_match_numpy(
    cohort: tuple[pd.DataFrame, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    df, expr = cohort
    sub = expr.iloc[:20]
    compiled = [cox_scan(sub, df["time"], df["event"], max_iter=m) for m in (0, 1, 2)]
    numpy_path(monkeypatch)
    for m, res in zip((0, 1, 2), compiled, strict=True):
        reference = cox_scan(sub, df["time"], df["event"], max_iter=m)
        np.testing.assert_array_equal(res["iterations"], reference["iterations"])
        np.testing.assert_allclose(res["coef"], reference["coef"], rtol=1e-12)
        np.testing.assert_allclose(res["se"], reference["se"], rtol=1e-12)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_threads_must_be_a_positive_integer(
    cohort: tuple[pd.DataFrame, pd.DataFrame], bad: object
) -> None:
    df, expr = cohort
    with pytest.raises(SigsurvInputError, match="threads"):
        cox_scan(expr.iloc[:3], df["time"], df["event"], threads=bad)  # type: ignore[arg-type]


def ulps_apart(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.spacing(np.maximum(np.abs(a), np.abs(b)))))


def test_vectorised_exp_and_log_within_one_ulp_of_libm() -> None:
    # Both are faithfully rounded (below 1 ulp of the exact value; libm below 0.51):
    # two doubles that close are at most 1 ulp apart.
    kernel = importlib.import_module("sigsurv.survival._cox_scan_kernel")
    rng = np.random.default_rng(3)
    t = np.concatenate([rng.uniform(-700, 700, 20_000), rng.uniform(-1, 1, 20_000)])
    t = np.concatenate([t, [0.0, -0.0, 700.0, -700.0, 1e-300, np.log(2) / 2]])
    risk, spare = np.empty(t.size), np.empty(t.size)
    kernel._exp_weights(t, 1.0, t.size, risk, spare)
    assert ulps_apart(risk, np.array([math.exp(v) for v in t])) <= 1
    assert risk[-6] == risk[-5] == 1.0
    values = np.concatenate([risk, rng.uniform(0.5, 2.0, 20_000), [1.0, 2.0, 1e-307, 1e307]])
    logs = np.empty(values.size)
    kernel._logs(values, logs, np.empty(values.size))
    assert ulps_apart(logs, np.array([math.log(v) for v in values])) <= 1
    assert logs[-4] == 0.0


def test_exp_and_log_outside_their_range_are_libm() -> None:
    kernel = importlib.import_module("sigsurv.survival._cox_scan_kernel")
    x = np.array([-2.0, 0.5, 3.0, 1000.0])
    risk = np.empty(4)
    kernel._risk_weights(x, 0.9, 1000.0, 4, risk, np.empty(4))  # |x beta| up to 900
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(risk, [math.exp(v * 0.9) for v in x[:3]] + [np.inf])
    kernel._risk_weights(x, 0.0, 1000.0, 3, risk, np.empty(4))
    np.testing.assert_array_equal(risk[:3], 1.0)
    odd = np.array([3.0, 0.0, -1.0, np.inf, np.nan, 5e-324])
    logs = np.empty(odd.size)
    kernel._logs(odd, logs, np.empty(odd.size))
    assert logs[0] == math.log(3.0) and logs[1] == -np.inf and np.isnan(logs[2])
    assert logs[3] == np.inf and np.isnan(logs[4]) and logs[5] == math.log(5e-324)
