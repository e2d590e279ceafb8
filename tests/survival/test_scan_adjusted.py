"""Adjusted and stratified cox_scan against an R loop of coxph over 300 genes.

Golden: tests/data/survival/conventions/scan.json, made by scan.R from scan_gse1992.csv
(export_scan_inputs.py: 300 genes of the bundled gse1992 cohort, complete cases).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import rel_error
from scipy import stats

from sigsurv.survival import cox_fit, cox_scan

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
GOLDEN = json.loads((HERE / "scan.json").read_text())
DESIGNS = {
    "adjusted_stratified": (["age", "node", "grade"], True),
    "adjusted": (["age", "node", "grade"], False),
    "stratified": ([], True),
    "adjusted_stratified_breslow": (["age", "node", "grade"], True),
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "scan_gse1992.csv", index_col="sample")


def run(data: pd.DataFrame, design: str, **options: object) -> pd.DataFrame:
    columns, stratified = DESIGNS[design]
    expression = data[GOLDEN["genes"]].T
    return cox_scan(
        expression,
        data["rfs_time"].to_numpy(),
        data["rfs_event"].to_numpy(),
        covariates=data[columns] if columns else None,
        strata=data["er"] if stratified else None,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("design", list(DESIGNS))
def test_scan_matches_r_coxph_loop(data: pd.DataFrame, design: str) -> None:
    r = GOLDEN["designs"][design]
    res = run(data, design, ties="breslow" if design.endswith("breslow") else "efron")
    assert res.index.tolist() == GOLDEN["genes"]
    assert rel_error(res["coef"], r["coef"]) < 1e-9
    assert rel_error(res["se"], r["se"]) < 1e-9
    assert rel_error(res["p_wald"], r["p"]) < 1e-9
    assert res["iterations"].tolist() == r["iter"]
    lrt = 2 * (np.asarray(r["loglik"]) - r["loglik_reduced"])
    # R's log-likelihoods (~ -100) come with 15 digits: compare the difference absolutely
    assert np.max(np.abs(res["lrt_stat"] - lrt)) < 1e-9
    assert rel_error(res["score_stat"], r["score"]) < 1e-8
    assert res["converged"].all() and not res["nonconvergence_warning"].any()


def test_blocks_and_a_single_gene_agree_with_cox_fit(data: pd.DataFrame) -> None:
    whole = run(data, "adjusted_stratified")
    blocked = run(data, "adjusted_stratified", block_size=7)
    pd.testing.assert_frame_equal(whole, blocked, rtol=1e-12)
    gene = GOLDEN["genes"][5]
    single = cox_fit(
        data["rfs_time"],
        data["rfs_event"],
        data[[gene, "age", "node", "grade"]],
        strata=data["er"],
    )
    assert single.summary.loc[gene, "coef"] == pytest.approx(whole.loc[gene, "coef"], rel=1e-9)
    assert single.summary.loc[gene, "se"] == pytest.approx(whole.loc[gene, "se"], rel=1e-9)
    assert whole.loc[gene, "p_lrt"] == pytest.approx(
        stats.chi2.sf(whole.loc[gene, "lrt_stat"], 1), rel=1e-12
    )
