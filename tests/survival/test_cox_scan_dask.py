"""cox_scan and the random-signature null on Dask equal the in-memory path.

A LocalCluster of 2 single-threaded worker processes on 127.0.0.1 (dashboard off),
started once for the module; the bundled gse1992 cohort, with and without strata
and covariates, cut into chunks of several sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fixtures import survset_frame

from sigsurv.errors import SigsurvInputError
from sigsurv.survival import cox_scan

distributed = pytest.importorskip("distributed")
pytestmark = [
    pytest.mark.slow,
    # the workers' HTTP (metrics) servers fall back to a free port: harmless
    pytest.mark.filterwarnings("ignore:Port .* is already in use"),
]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as dask_client,
    ):
        yield dask_client


@pytest.fixture(scope="module")
def cohort() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = survset_frame("gse1992")
    genes = [c for c in df.columns if c.startswith("num_HS_")][:400]
    expr = df[genes].T
    expr.index = [g.removeprefix("num_HS_") for g in genes]
    return df, expr


DESIGNS = {
    "univariate": {},
    "stratified": {"strata": "fac_er_positive"},
    "adjusted_stratified": {"strata": "fac_er_positive", "covariates": ["num_age"]},
}


@pytest.mark.parametrize("design", list(DESIGNS))
@pytest.mark.parametrize("chunk", [None, 37])
def test_dask_scan_equals_memory(
    client: Any, cohort: tuple[pd.DataFrame, pd.DataFrame], design: str, chunk: int | None
) -> None:
    df, expr = cohort
    spec = DESIGNS[design]
    options: dict[str, Any] = {}
    if "strata" in spec:
        options["strata"] = df[spec["strata"]].to_numpy()
    if "covariates" in spec:
        options["covariates"] = df[spec["covariates"]]
    memory = cox_scan(expr, df["time"], df["event"], **options)
    on_dask = cox_scan(
        expr,
        df["time"],
        df["event"],
        backend="dask",
        scheduler=client,
        block_size=chunk,
        **options,
    )
    pd.testing.assert_frame_equal(on_dask, memory, rtol=1e-12, atol=0)


def test_dask_scan_by_scheduler_address(
    client: Any, cohort: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    df, expr = cohort
    sub = expr.iloc[:50]
    memory = cox_scan(sub, df["time"], df["event"])
    on_dask = cox_scan(
        sub, df["time"], df["event"], backend="dask", scheduler=client.scheduler.address
    )
    pd.testing.assert_frame_equal(on_dask, memory, rtol=1e-12, atol=0)


def test_unknown_backend(cohort: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    df, expr = cohort
    with pytest.raises(SigsurvInputError, match="backend"):
        cox_scan(expr.iloc[:3], df["time"], df["event"], backend="spark")


def test_dask_scan_keeps_gene_order(client: Any, cohort: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    df, expr = cohort
    shuffled = expr.iloc[np.random.default_rng(4).permutation(120)]
    on_dask = cox_scan(
        shuffled, df["time"], df["event"], backend="dask", scheduler=client, block_size=13
    )
    assert on_dask.index.tolist() == shuffled.index.tolist()
    memory = cox_scan(shuffled, df["time"], df["event"])
    np.testing.assert_allclose(on_dask["coef"], memory["coef"], rtol=1e-12)


@pytest.fixture(scope="module")
def example() -> Any:
    from sigsurv import load_example

    return load_example("gse1992")


@pytest.mark.parametrize(
    ("adjusted", "chunk"), [(False, 7), (False, 100), (True, 9)], ids=["chunk7", "chunk100", "adj"]
)
def test_dask_null_equals_memory(client: Any, example: Any, adjusted: bool, chunk: int) -> None:
    from sigsurv.analysis.null import random_signature_null
    from sigsurv.signatures import get_signature

    time, event = example.survival()
    options: dict[str, Any] = {"n_random": 30, "seed": 7, "expected_direction": "protective"}
    if adjusted:
        rng = np.random.default_rng(0)
        options["covariates"] = pd.DataFrame({"age": rng.normal(60, 8, len(time))})
        options["strata"] = np.arange(len(time)) % 2
    signature = get_signature("irf7_bone_proxy")
    memory = random_signature_null(example.expression, time, event, signature, **options)
    on_dask = random_signature_null(
        example.expression,
        time,
        event,
        signature,
        backend="dask",
        scheduler=client,
        chunk_size=chunk,
        **options,
    )
    np.testing.assert_allclose(on_dask.random_z, memory.random_z, rtol=1e-12, atol=0)
    assert on_dask.observed_z == pytest.approx(memory.observed_z, rel=1e-12, abs=0)
    assert (on_dask.percentile, on_dask.p_empirical, on_dask.n_failed) == (
        memory.percentile,
        memory.p_empirical,
        memory.n_failed,
    )
