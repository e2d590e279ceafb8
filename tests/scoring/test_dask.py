"""The Dask backend of score(): identical to in-memory scoring for every method.

Clusters run on 127.0.0.1 only (no dashboard).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.scoring import METHODS, score

distributed = pytest.importorskip("distributed")

RTOL = 1e-12


def _local_cluster(n_workers: int, processes: bool):
    return distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=processes,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
    )


@pytest.fixture(scope="module")
def client():
    with _local_cluster(2, processes=False) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    from sigsurv.cohorts.examples import load_example

    expression = load_example("gse1992").expression
    return expression.iloc[:4000]  # a bundled cohort, first 4,000 genes x 124 samples


@pytest.fixture(scope="module")
def signatures(cohort) -> dict:
    genes = list(cohort.index)
    return {
        "up": genes[10:40],
        "signed": {**{g: 1.5 for g in genes[100:115]}, **{g: -0.5 for g in genes[200:210]}},
        "small": genes[3000:3003],
    }


def _options(method: str) -> list[dict]:
    return {
        "ssgsea": [{}, {"normalise": True, "ties": "gsva_1.46"}],
        "gsva": [{}, {"kcdf": "none", "max_diff": False}],
        "single_gene": [{}, {"standardise": True}],
    }.get(method, [{}])


def _sets_for(method: str, signatures: dict, cohort: pd.DataFrame) -> dict:
    if method == "single_gene":
        return {"one": [cohort.index[5]], "other": {cohort.index[7]: -1.0}}
    return signatures


def _quiet_score(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)  # ignored weights, ties
        return score(*args, **kwargs)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_is_identical_on_dask(client, cohort, signatures, method):
    sets = _sets_for(method, signatures, cohort)
    for options in _options(method):
        in_memory = _quiet_score(cohort, sets, method, **options)
        on_dask = _quiet_score(
            cohort,
            sets,
            method,
            backend="dask",
            scheduler=client,
            chunk_size=37,
            gene_chunk_size=900,
            **options,
        )
        assert list(on_dask.index) == list(in_memory.index)
        assert list(on_dask.columns) == list(in_memory.columns)
        np.testing.assert_allclose(on_dask, in_memory, rtol=RTOL, atol=0, err_msg=str(options))


@pytest.fixture(scope="module")
def scanb() -> pd.DataFrame:
    """A real cohort from ../shared/data: SCAN-B (GSE96058), 10,000 genes x 400 samples,
    heavily tied values (4 significant digits)."""
    from fixtures import require_shared

    path = require_shared("data", "SCANB_GSE96058_cosinet_subset", "expression.tsv.gz")
    return pd.read_csv(path, sep="\t", index_col=0).iloc[:3000]


@pytest.mark.slow
@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_is_identical_on_dask_on_a_shared_real_cohort(client, scanb, method):
    genes = list(scanb.index)
    sets = (
        {"one": [genes[5]]}
        if method == "single_gene"
        else {"a": genes[20:60], "b": {**{g: 1.0 for g in genes[300:320]}, genes[900]: -1.0}}
    )
    in_memory = _quiet_score(scanb, sets, method)
    on_dask = _quiet_score(
        scanb, sets, method, backend="dask", scheduler=client, chunk_size=53, gene_chunk_size=700
    )
    np.testing.assert_allclose(on_dask, in_memory, rtol=RTOL, atol=0)


@pytest.mark.parametrize("method", ["ssgsea", "gsva", "singscore"])
def test_dask_scores_do_not_depend_on_chunk_sizes(client, cohort, signatures, method):
    options = {"normalise": True} if method == "ssgsea" else {}
    runs = [
        _quiet_score(
            cohort,
            signatures,
            method,
            backend="dask",
            scheduler=client,
            chunk_size=chunk,
            gene_chunk_size=genes,
            **options,
        ).to_numpy()
        for chunk, genes in ((1, 4000), (50, 333), (500, 97))
    ]
    for other in runs[1:]:
        np.testing.assert_allclose(other, runs[0], rtol=RTOL, atol=0)


def test_dask_ssgsea_warns_about_ties_over_the_whole_cohort(client):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(60, 10)), index=[f"G{i}" for i in range(60)])
    frame.iloc[:2] = frame.iloc[30].to_numpy()  # 2 of 10 set genes tied in every sample
    sets = {"a": [f"G{i}" for i in range(10)]}
    with pytest.warns(SigsurvWarning, match="ties='gsva_1.46'"):
        score(frame, sets, "ssgsea", backend="dask", scheduler=client, chunk_size=3)


def test_dask_progress_reports_every_task(client, cohort, signatures):
    calls = []
    with pytest.warns(SigsurvWarning, match="singscore ignores gene weights"):
        score(
            cohort,
            signatures,
            "singscore",
            backend="dask",
            scheduler=client,
            chunk_size=40,
            progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_dask_errors_come_back_as_sigsurv_errors(client, cohort):
    constant = cohort.iloc[:50].copy()
    constant.iloc[0] = 1.0
    with pytest.raises(Exception, match="constant expression"):
        score(constant, {"a": [constant.index[0]]}, "zscore", backend="dask", scheduler=client)


def test_backend_options_are_checked(cohort, signatures):
    with pytest.raises(SigsurvInputError, match="backend"):
        score(cohort, signatures, "ssgsea", backend="spark")
    with pytest.raises(SigsurvInputError, match="need backend='dask'"):
        score(cohort, signatures, "ssgsea", workers=2)
    with (
        pytest.warns(SigsurvWarning, match="ssgsea ignores gene weights"),
        pytest.raises(SigsurvInputError, match="scheduler"),
    ):
        score(cohort, signatures, "ssgsea", backend="dask", scheduler=42)


@pytest.mark.slow
def test_process_workers_by_address_and_local_cluster_give_identical_scores(cohort, signatures):
    # Separate worker processes (data pickled to them): by scheduler address, and the
    # LocalCluster that score() starts itself with 1 worker.
    reference = _quiet_score(cohort, signatures, "gsva")
    ssgsea = _quiet_score(cohort, signatures, "ssgsea", normalise=True)
    with _local_cluster(2, processes=True) as cluster:
        by_address = _quiet_score(
            cohort, signatures, "gsva", backend="dask", scheduler=cluster.scheduler_address
        )
        ssgsea_by_address = _quiet_score(
            cohort,
            signatures,
            "ssgsea",
            normalise=True,
            backend="dask",
            scheduler=cluster.scheduler_address,
        )
    own_cluster = _quiet_score(cohort, signatures, "gsva", backend="dask", workers=1)
    np.testing.assert_allclose(by_address, reference, rtol=RTOL, atol=0)
    np.testing.assert_allclose(ssgsea_by_address, ssgsea, rtol=RTOL, atol=0)
    np.testing.assert_allclose(own_cluster, reference, rtol=RTOL, atol=0)


@pytest.fixture(scope="module")
def stores(cohort, tmp_path_factory) -> dict:
    from sigsurv._dask import read_parquet_expression, read_zarr_expression, write_zarr_expression

    folder = tmp_path_factory.mktemp("stores")
    write_zarr_expression(cohort, folder / "cohort.zarr", chunks=(700, 50))
    table = cohort.reset_index(names="gene")
    table.to_parquet(folder / "cohort.parquet", row_group_size=1500)
    return {
        "zarr": read_zarr_expression(folder / "cohort.zarr"),
        "parquet": read_parquet_expression(folder / "cohort.parquet"),
    }


@pytest.mark.parametrize("kind", ["zarr", "parquet"])
@pytest.mark.parametrize("method", ["ssgsea", "gsva", "zscore", "singscore", "plage"])
def test_lazy_stores_score_like_the_dataframe(client, cohort, signatures, stores, kind, method):
    store = stores[kind]
    assert list(store.genes) == list(cohort.index)
    assert list(store.samples) == list(cohort.columns)
    in_memory = _quiet_score(cohort, signatures, method)
    lazily = _quiet_score(store, signatures, method, backend="dask", scheduler=client)
    read_whole = _quiet_score(store, signatures, method)  # backend="memory" reads it all
    assert list(lazily.index) == list(in_memory.index)
    np.testing.assert_allclose(lazily, in_memory, rtol=RTOL, atol=0)
    np.testing.assert_allclose(read_whole, in_memory, rtol=RTOL, atol=0)


def test_lazy_store_with_missing_values_is_refused(client, cohort, tmp_path):
    from sigsurv._dask import read_zarr_expression, write_zarr_expression
    from sigsurv.errors import CohortValidationError

    broken = cohort.iloc[:100].copy()
    broken.iloc[5, 7] = np.nan
    write_zarr_expression(broken, tmp_path / "broken.zarr", chunks=(30, 30))
    store = read_zarr_expression(tmp_path / "broken.zarr")
    with pytest.raises(CohortValidationError, match="1 missing or infinite"):
        score(store, {"a": list(broken.index[:5])}, "ssgsea", backend="dask", scheduler=client)
