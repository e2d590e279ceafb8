"""The compiled adjusted cox_scan kernel against the batched NumPy path (the reference).

Both engines are R's coxfit6 per gene with covariates and strata; sums run in a
different order, so they agree to rounding (1e-12 relative), never bit for bit,
with identical iteration counts and flags: Efron and Breslow ties, tied times,
whatever the threads and block size, at the ``max_iter`` edge cases, and on
degenerate genes (collinear with a covariate, monotone likelihood).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("numba")
scan_module = importlib.import_module("sigsurv.survival.cox_scan")
kernel = importlib.import_module("sigsurv.survival._cox_adjusted_kernel")
cox_scan = scan_module.cox_scan

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
GENES = json.loads((HERE / "scan.json").read_text())["genes"]
EXACT = ["iterations", "converged", "nonconvergence_warning"]
COVARIATES = ["age", "node", "grade"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    frame = pd.read_csv(HERE / "scan_gse1992.csv", index_col="sample")
    # Coarsened times: many tied event times, so Efron's correction is exercised.
    return frame.assign(rfs_time=(frame["rfs_time"] / 3).round() * 3 + 1)


def numpy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_module, "_compiled_kernel_available", lambda: False)


def scan(
    data: pd.DataFrame,
    expr: pd.DataFrame,
    covariates: list[str] = COVARIATES,
    **options: object,
) -> pd.DataFrame:
    return cox_scan(
        expr,
        data["rfs_time"].to_numpy(),
        data["rfs_event"].to_numpy(),
        covariates=data[covariates],
        **options,  # type: ignore[arg-type]
    )


def assert_same(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 1e-12) -> None:
    assert a.index.equals(b.index) and a.columns.equals(b.columns)
    for column in EXACT:
        np.testing.assert_array_equal(a[column], b[column], err_msg=column)
    # A coefficient near 0 is known to rounding relative to its standard error, not
    # to itself: compare coefficients and z on that scale, everything else relatively.
    on_se = ["coef", "z", "coef_per_sd"]
    scale = {"coef": b["se"], "z": 1.0, "coef_per_sd": b["se"] * b["coef_per_sd"] / b["coef"]}
    for column in on_se:
        gap = np.abs(a[column] - b[column])
        assert np.all(gap <= rtol * (np.abs(b[column]) + np.abs(scale[column]))), column
    # The score statistic is a squared z: compare its square root on the z scale.
    root_a, root_b = np.sqrt(a["score_stat"]), np.sqrt(b["score_stat"])
    assert np.all(np.abs(root_a - root_b) <= rtol * (root_b + 1.0)), "score_stat"
    skip = EXACT + on_se + ["lrt_stat", "p_lrt", "score_stat"]
    numeric = [c for c in a.columns if c not in skip]
    pd.testing.assert_frame_equal(a[numeric], b[numeric], rtol=rtol, atol=0)
    np.testing.assert_allclose(a["lrt_stat"], b["lrt_stat"], rtol=0, atol=1e-9)


# Gene + covariates: p = 4 (node is a factor), p = 3 (the kernel's own loop for
# three columns, accumulated in registers) and p = 2.
@pytest.mark.parametrize("covariates", [COVARIATES, ["age", "grade"], ["age"]])
@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("stratified", [False, True])
def test_compiled_equals_numpy(
    data: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    ties: str,
    stratified: bool,
    covariates: list[str],
) -> None:
    expr = data[GENES].T
    options = {"ties": ties, "strata": data["er"] if stratified else None}
    compiled = scan(data, expr, covariates, **options)
    one_thread = scan(data, expr, covariates, threads=1, block_size=7, **options)
    numpy_path(monkeypatch)
    reference = scan(data, expr, covariates, **options)
    assert_same(compiled, reference)
    assert_same(one_thread, reference)


@pytest.mark.filterwarnings("ignore::sigsurv.errors.SigsurvWarning")
@pytest.mark.parametrize("max_iter", [0, 1, 2])
def test_max_iter_edge_cases_match_numpy(
    data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, max_iter: int
) -> None:
    expr = data[GENES[:30]].T
    compiled = scan(data, expr, strata=data["er"], max_iter=max_iter)
    numpy_path(monkeypatch)
    reference = scan(data, expr, strata=data["er"], max_iter=max_iter)
    np.testing.assert_array_equal(compiled["iterations"], reference["iterations"])
    np.testing.assert_array_equal(compiled["converged"], reference["converged"])
    for column in ("coef", "se", "score_stat"):
        np.testing.assert_allclose(compiled[column], reference[column], rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sigsurv.errors.SigsurvWarning")
def test_degenerate_genes_flagged_alike(
    data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    expr = data[GENES[:3]].T.copy()
    time = data["rfs_time"].to_numpy()
    # Collinear with age: R's cholesky2 finds the zero pivot, the coefficient is NA.
    expr.loc["collinear"] = 2.0 * data["age"].to_numpy() + 1.0
    # Monotone likelihood: high values all fail early; the coefficient runs to infinity.
    expr.loc["separating"] = (time < np.median(time)) * 5.0 + 0.1
    compiled = scan(data, expr)
    numpy_path(monkeypatch)
    reference = scan(data, expr)
    assert np.isnan(compiled.loc["collinear", "coef"]) and np.isnan(
        reference.loc["collinear", "coef"]
    )
    assert compiled.loc["separating", "nonconvergence_warning"]
    for column in EXACT:
        np.testing.assert_array_equal(compiled[column], reference[column], err_msg=column)
    # q-values mix in the degenerate genes' p-values: compare the regular genes without them.
    regular = GENES[:3]
    columns = [c for c in compiled.columns if c != "q_value"]
    assert_same(compiled.loc[regular, columns], reference.loc[regular, columns])


def test_walk_layout_has_every_event_once(data: pd.DataFrame) -> None:
    t, e = data["rfs_time"].to_numpy(), data["rfs_event"].to_numpy()
    layout = kernel.walk_layout(t, e, data["er"].to_numpy())
    assert sorted(layout.order.tolist()) == list(range(len(t)))
    assert layout.block_size.sum() == e.sum() == layout.death_walk.size
    assert np.all(np.diff(layout.block_end) > 0)
    walked = layout.order[layout.death_walk]
    assert np.all(e[walked] == 1)
    # Every event sits at or before its block's end (its risk set is complete there).
    owner = np.repeat(np.arange(layout.block_end.size), layout.block_size)
    assert np.all(layout.death_walk <= layout.block_end[owner])


def test_stratum_without_events(data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stratum of censored samples only (first, middle or last in R's sorted labels)
    # adds no risk set; the engines must still agree.
    censored = np.flatnonzero(data["rfs_event"].to_numpy() == 0)[:3]
    expr = data[GENES[:20]].T
    for label in ("aaa", "m", "zzz"):
        strata = data["er"].to_numpy(dtype=object).copy()
        strata[censored] = label
        compiled = scan(data, expr, strata=strata)
        with monkeypatch.context() as patch:
            numpy_path(patch)
            reference = scan(data, expr, strata=strata)
        assert_same(compiled, reference)
