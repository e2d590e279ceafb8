"""AnnData in and out: Cohort <-> AnnData round trip, score(adata), key_added, orientation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from fixtures import SSGSEA_TIES_WARNING, warns_if

from sigsurv.cohorts import load_cohort
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import CohortValidationError, CoverageError, OptionError
from sigsurv.scoring import score, signature_coverage

anndata = pytest.importorskip("anndata")

BUNDLED = ["gse1992", "gse4335", "gse3143", "nki70"]


def _bundled(name: str) -> Cohort:
    from sigsurv import load_example

    return load_example(name)


def _assert_same_cohort(a: Cohort, b: Cohort) -> None:
    pd.testing.assert_frame_equal(a.expression, b.expression, check_exact=True)
    pd.testing.assert_frame_equal(a.clinical, b.clinical, check_exact=True)
    assert a.expression.to_numpy().tobytes() == b.expression.to_numpy().tobytes()
    assert a.name == b.name
    assert a.endpoints == b.endpoints
    assert a.provenance == b.provenance
    assert a.join_report == b.join_report
    assert a.messages == b.messages


@pytest.mark.parametrize("name", BUNDLED)
def test_round_trip_in_memory_is_bit_identical(name: str) -> None:
    cohort = _bundled(name)
    adata = cohort.to_anndata()
    assert adata.shape == (cohort.n_samples, cohort.n_genes)
    assert list(adata.obs_names) == list(cohort.samples)
    _assert_same_cohort(cohort, Cohort.from_anndata(adata))


def test_round_trip_through_h5ad_file_is_bit_identical(tmp_path: Path) -> None:
    cohort = _bundled("nki70")  # has object, categorical, Int8 and float clinical columns
    cohort = cohort.truncate(None, 60.0)  # a horizon and a message to carry over
    path = tmp_path / "nki70.h5ad"
    cohort.to_anndata().write_h5ad(path)
    _assert_same_cohort(cohort, Cohort.from_anndata(anndata.read_h5ad(path)))


def _coded_anndata() -> object:
    obs = pd.DataFrame(
        {
            "t": [5.0, 9.0, 2.0],
            "status": ["DECEASED", "LIVING", "DECEASED"],
            "dead": [1, 0, 1],
        },
        index=["a", "b", "c"],
    )
    return anndata.AnnData(
        np.arange(6, dtype=float).reshape(3, 2), obs=obs, var=pd.DataFrame(index=["G1", "G2"])
    )


def test_from_anndata_declares_an_endpoint_on_numeric_obs_columns() -> None:
    cohort = Cohort.from_anndata(
        _coded_anndata(), time="t", event="dead", endpoint="os", time_unit="months"
    )
    endpoint = cohort.endpoint()
    assert (endpoint.name, endpoint.time, endpoint.event, endpoint.unit) == (
        "os",
        "t",
        "dead",
        "months",
    )
    assert cohort.survival()[1].tolist() == [1.0, 0.0, 1.0]
    assert cohort.expression.loc["G2"].tolist() == [1.0, 3.0, 5.0]
    with pytest.raises(CohortValidationError, match="not coded 0/1") as info:
        Cohort.from_anndata(_coded_anndata(), time="t", event="status", time_unit="months")
    assert "load_cohort" in str(info.value)
    with pytest.raises(OptionError, match="time_unit"):
        Cohort.from_anndata(_coded_anndata(), time="t", event="dead")


def test_load_cohort_decodes_coded_obs_columns() -> None:
    cohort = load_cohort(
        _coded_anndata(), time="t", event="status", endpoint="os", time_unit="months"
    )
    assert cohort.endpoint().name == "os"
    assert cohort.clinical["os_event"].tolist() == [1, 0, 1]
    assert cohort.clinical["status"].tolist() == ["DECEASED", "LIVING", "DECEASED"]


def test_from_anndata_layer_sparse_and_integer_counts() -> None:
    counts = np.array([[1, 0], [3, 4], [0, 2]], dtype=np.int64)
    adata = anndata.AnnData(
        np.zeros((3, 2)),
        obs=pd.DataFrame(index=["a", "b", "c"]),
        var=pd.DataFrame(index=["G1", "G2"]),
        layers={"counts": scipy.sparse.csr_matrix(counts)},
    )
    cohort = Cohort.from_anndata(adata, layer="counts")
    assert cohort.expression.to_numpy().tolist() == counts.T.astype(float).tolist()
    assert cohort.expression.dtypes.unique().tolist() == [np.dtype("float64")]
    assert "integer AnnData values converted to float64" in cohort.messages
    with pytest.raises(CohortValidationError, match="no such layer"):
        Cohort.from_anndata(adata, layer="logcounts")


def test_load_cohort_accepts_an_in_memory_anndata() -> None:
    cohort = _bundled("gse1992")
    loaded = load_cohort(cohort.to_anndata())
    _assert_same_cohort(cohort, loaded)
    extra = load_cohort(
        cohort.to_anndata(), time="rfs_time", event="rfs_event", endpoint="dfs", time_unit="months"
    )
    assert set(extra.endpoints) == {"rfs", "dfs"}
    assert extra.endpoints["dfs"] == dataclasses.replace(
        extra.endpoints["dfs"], time="dfs_time", event="dfs_event"
    )


METHODS = ["mean_z", "weighted", "zscore", "plage", "ssgsea", "gsva", "singscore"]


@pytest.mark.parametrize("method", METHODS)
def test_score_anndata_equals_score_cohort(method: str) -> None:
    cohort = _bundled("gse1992")
    genes = cohort.genes.tolist()
    signatures = {
        "up": genes[:12],
        "signed": {g: (1.0 if i % 2 else -1.0) for i, g in enumerate(genes[20:30])},
    }
    with warns_if(method == "ssgsea", SSGSEA_TIES_WARNING):
        expected = score(cohort, signatures, method=method)
    with warns_if(method == "ssgsea", SSGSEA_TIES_WARNING):
        got = score(cohort.to_anndata(), signatures, method=method)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.attrs == expected.attrs


def test_score_key_added_writes_obsm_and_uns() -> None:
    cohort = _bundled("gse4335")
    adata = cohort.to_anndata()
    genes = cohort.genes.tolist()
    signatures = {"a": genes[:5], "b": [*genes[5:8], "NOT_A_GENE"]}
    scores = score(adata, signatures, key_added="sigsurv_mean_z")
    stored = adata.obsm["sigsurv_mean_z"]
    assert isinstance(stored, pd.DataFrame)
    assert stored.index.equals(adata.obs_names)
    np.testing.assert_array_equal(stored.to_numpy(), scores.to_numpy())
    assert stored.columns.tolist() == ["a", "b"]
    coverage = adata.uns["sigsurv_mean_z_coverage"]
    assert coverage.loc["b", "n_found"] == 3
    assert coverage.loc["b", "missing"] == "NOT_A_GENE"
    assert adata.uns["sigsurv_mean_z_method"]["method"] == "mean_z"


def test_key_added_needs_anndata() -> None:
    expr = pd.DataFrame([[1.0, 2.0, 3.0]], index=["A"], columns=["s1", "s2", "s3"])
    with pytest.raises(CohortValidationError, match="key_added needs AnnData"):
        score(expr, {"a": ["A"]}, key_added="x")


def test_score_layer_of_anndata() -> None:
    cohort = _bundled("gse1992")
    adata = cohort.to_anndata()
    adata.layers["doubled"] = adata.X * 2.0
    signatures = {"a": cohort.genes[:6].tolist()}
    raw = score(adata, signatures, method="zscore")
    doubled = score(adata, signatures, method="zscore", layer="doubled")
    np.testing.assert_allclose(raw.to_numpy(), doubled.to_numpy(), rtol=1e-12)
    raw_mean = score(adata, signatures, standardise=False)
    doubled_mean = score(adata, signatures, standardise=False, layer="doubled")
    np.testing.assert_allclose(doubled_mean.to_numpy(), 2 * raw_mean.to_numpy(), rtol=1e-12)


def test_samples_by_genes_dataframe_with_explicit_orientation() -> None:
    cohort = _bundled("gse1992")
    signatures = {"a": cohort.genes[:8].tolist()}
    transposed = cohort.expression.T
    got = score(transposed, signatures, orientation="samples_x_genes")
    pd.testing.assert_frame_equal(got, score(cohort, signatures), check_exact=True)
    cov = signature_coverage(transposed, signatures, orientation="samples_x_genes")
    assert int(cov.loc["a", "n_found"]) == 8


def test_transposed_dataframe_error_suggests_transposing() -> None:
    cohort = _bundled("gse1992")
    signatures = {"a": cohort.genes[:3].tolist()}
    with pytest.raises(CoverageError, match="transpose\\?") as info:
        score(cohort.expression.T, signatures)
    assert "orientation='samples_x_genes'" in str(info.value)


def test_genuinely_missing_genes_get_no_transpose_hint() -> None:
    cohort = _bundled("gse1992")
    with pytest.raises(CoverageError) as info:
        score(cohort, {"a": ["NOT_A_GENE_1", "NOT_A_GENE_2"]})
    assert "transpose" not in str(info.value)


def test_orientation_and_layer_are_refused_where_they_do_not_apply() -> None:
    cohort = _bundled("gse1992")
    signatures = {"a": cohort.genes[:3].tolist()}
    with pytest.raises(CohortValidationError, match="orientation= only applies"):
        score(cohort, signatures, orientation="samples_x_genes")
    with pytest.raises(CohortValidationError, match="layer= only applies"):
        score(cohort, signatures, layer="counts")
    with pytest.raises(CohortValidationError, match="unknown orientation"):
        score(cohort.expression, signatures, orientation="rows")


def test_endpoint_fields_survive_round_trip() -> None:
    cohort = _bundled("gse1992")
    endpoint = cohort.endpoint()
    assert isinstance(endpoint, Endpoint)
    back = Cohort.from_anndata(cohort.truncate("rfs", 5, unit="years").to_anndata())
    assert back.endpoint().horizon == 60.0


@dataclasses.dataclass
class _CohortWithTextField(Cohort):
    """A stand-in for Cohort fields added later (e.g. strata columns)."""

    batch_columns: tuple[str, ...] = ()


def test_further_text_fields_round_trip(tmp_path: Path) -> None:
    base = _bundled("gse1992")
    cohort = _CohortWithTextField(
        base.name,
        base.expression,
        base.clinical,
        base.endpoints,
        base.provenance,
        batch_columns=("er", "node"),
    )
    path = tmp_path / "c.h5ad"
    cohort.to_anndata().write_h5ad(path)
    back = _CohortWithTextField.from_anndata(anndata.read_h5ad(path))
    assert back.batch_columns == ("er", "node")
    _assert_same_cohort(cohort, back)
