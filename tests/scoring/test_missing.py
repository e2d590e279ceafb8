"""NA cells in expression: each sample is scored from the signature genes it has."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigsurv.errors import AnalysisError, CohortValidationError, SigsurvWarning
from sigsurv.scoring import score, score_signatures
from sigsurv.scoring.gsva import kernel_cdf_statistic, walk_scores

SETS = {"up": ["G0", "G1", "G2", "G3"], "signed": {"G4": 1.0, "G5": 1.0, "G6": -1.0}}


@pytest.fixture()
def complete() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        rng.normal(size=(30, 8)),
        index=[f"G{i}" for i in range(30)],
        columns=[f"s{j}" for j in range(8)],
    )


@pytest.fixture()
def with_na(complete: pd.DataFrame) -> pd.DataFrame:
    x = complete.copy()
    x.loc["G1", "s2"] = np.nan  # a signature gene
    x.loc["G6", "s5"] = np.nan  # the only DN gene of the signed signature
    x.loc["G20", "s3"] = np.nan  # a gene outside every signature
    return x


def _z_present(x: pd.DataFrame) -> pd.DataFrame:
    """z-scores from the samples that have each gene (sd with n - 1)."""
    return x.sub(x.mean(axis=1), axis=0).div(x.std(axis=1, ddof=1), axis=0)


def test_mean_type_methods_average_the_genes_present(with_na):
    z = _z_present(with_na)
    result = score_signatures(with_na, SETS, "mean_z")
    expected_up = z.loc[SETS["up"]].mean(axis=0)  # pandas skips NA
    np.testing.assert_allclose(result.scores["up"], expected_up, rtol=1e-12)
    signed = pd.concat([z.loc[["G4", "G5"]], -z.loc[["G6"]]])
    np.testing.assert_allclose(result.scores["signed"], signed.mean(axis=0), rtol=1e-12)
    zscore = score(with_na, SETS, "zscore")
    counts = z.loc[SETS["up"]].notna().sum(axis=0)
    np.testing.assert_allclose(
        zscore["up"], z.loc[SETS["up"]].sum(axis=0) / np.sqrt(counts), rtol=1e-12
    )
    assert result.gene_counts["up"].tolist() == [4, 4, 3, 4, 4, 4, 4, 4]
    assert result.gene_counts["signed"].tolist() == [3, 3, 3, 3, 3, 2, 3, 3]
    assert result.not_scored.empty  # 3 of 4 and 2 of 3 are above the default 50%


def test_weighted_uses_the_weights_and_shares_of_the_genes_present(with_na):
    z = _z_present(with_na)
    weights = {"G4": 2.0, "G5": 1.0, "G6": -1.0}
    got = score(with_na, {"w": weights}, "weighted")["w"]
    up = (2 * z.loc["G4"] + z.loc["G5"]) / 3
    expected = (2 / 3) * up - (1 / 3) * z.loc["G6"]
    expected["s5"] = up["s5"]  # no DN gene measured there: the UP part is the score
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_complete_samples_of_rank_methods_do_not_change(complete, with_na):
    for method in ("ssgsea", "singscore"):
        full = score(complete, SETS, method)
        partial = score(with_na, SETS, method)
        untouched = ["s0", "s1", "s4", "s6", "s7"]
        pd.testing.assert_frame_equal(full.loc[untouched], partial.loc[untouched])


@pytest.mark.parametrize("method", ["ssgsea", "singscore"])
def test_rank_methods_rank_the_genes_present(complete, with_na, method):
    partial = score(with_na, SETS, method)
    for sample, gene in (("s2", "G1"), ("s3", "G20")):
        # the sample alone, on the genes it has (both are single-sample methods)
        alone = score(complete.drop(index=gene)[[sample]], SETS, method)
        np.testing.assert_allclose(partial.loc[sample], alone.loc[sample], rtol=1e-12)
    # s5 has no DN gene: its signed score is undefined and says so, UP-only is not faked
    result = score_signatures(with_na, SETS, method)
    assert np.isnan(result.scores.loc["s5", "signed"])
    row = result.not_scored.set_index(["sample", "signature"]).loc[("s5", "signed")]
    assert "a signed part has no gene measured" in row["reason"]


def test_gsva_kernel_and_walk_use_the_values_present(with_na):
    result = score(with_na, {"up": SETS["up"]}, "gsva")
    x = with_na.to_numpy()
    stat = np.full(x.shape, np.nan)
    for g in range(x.shape[0]):  # gene by gene on its samples present
        present = ~np.isnan(x[g])
        stat[g, present] = kernel_cdf_statistic(x[g, present][None, :])[0]
    up = np.array([0, 1, 2, 3])
    for j in range(x.shape[1]):  # sample by sample on its genes present
        present = ~np.isnan(stat[:, j])
        rows = np.cumsum(present) - 1
        part = rows[up[present[up]]]
        expected = walk_scores(stat[present, j][:, None], [part])[0, 0]
        assert result["up"].iloc[j] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_sample_below_min_coverage_is_na_with_its_reason(with_na):
    x = with_na.copy()
    x.loc[["G0", "G2", "G3"], "s7"] = np.nan  # s7 keeps 0 of 4 "up" genes (G1 too)
    x.loc["G1", "s7"] = np.nan
    x.loc[["G0", "G2"], "s6"] = np.nan  # s6 keeps 2 of 4: 50%
    result = score_signatures(x, SETS, "mean_z", min_coverage=0.75)
    assert result.gene_counts.loc["s7", "up"] == 0
    assert np.isnan(result.scores.loc["s7", "up"]) and np.isnan(result.scores.loc["s6", "up"])
    assert np.isfinite(result.scores.loc["s2", "up"])  # 3 of 4 genes = 75%
    reasons = result.not_scored.set_index(["sample", "signature"])["reason"]
    assert reasons[("s6", "up")] == (
        "2 of 4 genes measured in this sample (50%), below min_coverage 75%"
    )
    assert reasons[("s7", "up")].startswith("0 of 4 genes measured")
    assert int(result.coverage.loc["up", "n_not_scored"]) == 2
    assert int(result.coverage.loc["up", "min_genes_per_sample"]) == 0
    assert result.coverage_record("up")["n_not_scored"] == 2
    assert "2 sample(s) not scored" in result.to_text()
    assert result.to_dict()["scores"]["up"][7] is None


def test_plage_refuses_na_in_its_genes_and_dask_refuses_na(with_na):
    with pytest.raises(AnalysisError, match="plage needs every gene in every sample"):
        score(with_na, {"up": SETS["up"]}, "plage")
    assert np.isfinite(score(with_na, {"s": ["G7", "G8"]}, "plage")).all().all()
    with pytest.raises(CohortValidationError, match="3 missing or infinite"):
        score(with_na, {"up": SETS["up"]}, backend="dask", workers=1)


def test_single_gene_is_na_where_the_gene_is(with_na):
    result = score_signatures(with_na, {"G1": ["G1"]}, "single_gene")
    assert result.scores["G1"].isna().tolist() == [False, False, True] + [False] * 5
    assert result.not_scored["sample"].tolist() == ["s2"]


def _nkis() -> pd.DataFrame | None:
    shared = Path(os.environ.get("SIGSURV_SHARED", "../shared"))
    folder = shared / "data" / "genefu_VDXs_NKIs_subsets"
    if not (folder / "nkis_expression.tsv.gz").exists():
        return None
    expression = pd.read_csv(folder / "nkis_expression.tsv.gz", sep="\t", index_col=0)
    annotation = pd.read_csv(folder / "nkis_probe_annotation.tsv", sep="\t", index_col=0)
    symbols = annotation["HUGO.gene.symbol"].reindex(expression.index)
    unique = symbols.notna() & ~symbols.duplicated(keep=False)
    return expression.loc[unique.to_numpy()].set_axis(symbols[unique].to_numpy(), axis=0)


def test_real_nki_matrix_with_na_cells_is_scored_for_every_sample_with_enough_genes():
    """NKI (van de Vijver 2002, genefu's nkis): log ratios with NA cells, as published."""
    expression = _nkis()
    if expression is None:
        pytest.skip("the shared NKIs subset is not available")
    na_genes = expression.index[expression.isna().any(axis=1)]
    assert len(na_genes) > 100 and expression.isna().to_numpy().sum() > 200
    # a signature of genes with NA cells plus complete ones (luminal / basal markers)
    genes = [g for g in ("TFF1", "GFRA1", "FOXC1", "SOX10", "KRT17", "FABP7") if g in na_genes]
    genes += ["ESR1"]
    assert len(genes) == 7
    per_sample = expression.loc[genes].notna().sum(axis=0)
    assert per_sample.min() < len(genes)  # some sample misses a signature gene
    for method in ("mean_z", "zscore", "ssgsea", "singscore", "gsva"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            result = score_signatures(expression, {"sig": genes}, method, min_coverage=0.9)
        enough = per_sample / len(genes) >= 0.9
        assert result.gene_counts["sig"].tolist() == per_sample.tolist()
        assert result.scores["sig"].notna().tolist() == enough.tolist(), method
        assert set(result.not_scored["sample"]) == set(per_sample.index[~enough])
        assert int(enough.sum()) == expression.shape[1] - len(result.not_scored)
