"""Genome-wide Cox scan against R (``*.cox_genomewide.tsv.gz``) and against cox_fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import survset_frame
from golden import R_RTOL
from scipy import stats

from sigsurv.errors import AnalysisError, SampleJoinError, SigsurvInputError, SigsurvWarning
from sigsurv.survival.cox import cox_fit
from sigsurv.survival.cox_scan import benjamini_hochberg, cox_scan


def load(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = survset_frame(name)
    genes = [c for c in df.columns if c.startswith("num_HS_")]
    expr = df[genes].T
    expr.index = [g.removeprefix("num_HS_") for g in genes]
    return df, expr


@pytest.mark.parametrize("cohort", ["gse1992", "gse4335"])
def test_every_gene_matches_r(reference_dir: Path, cohort: str) -> None:
    ref = pd.read_csv(reference_dir / f"{cohort}.cox_genomewide.tsv.gz", sep="\t", index_col="gene")
    df, expr = load(cohort)
    res = cox_scan(expr, df["time"].to_numpy(), df["event"].to_numpy())
    assert list(res.index) == list(ref.index)  # every gene, same order
    pairs = {
        "coef": "coef",
        "se": "se",
        "hr": "HR",
        "p_wald": "wald_p",
        "p_lrt": "lrt_p",
        "score_stat": "score_stat",
        "p_score": "score_p",
        "coef_per_sd": "coef_per_sd",
    }
    for ours, theirs in pairs.items():
        d = (res[ours] - ref[theirs]).abs() / ref[theirs].abs()
        assert d.max() <= R_RTOL, (ours, d.idxmax(), d.max())
    # LRT statistics near 0 are a difference of two logliks printed with 15 digits.
    np.testing.assert_allclose(res["lrt_stat"], ref["lrt_stat"], rtol=R_RTOL, atol=1e-9)
    np.testing.assert_array_equal(res["iterations"], ref["iter"])
    np.testing.assert_array_equal(
        res["nonconvergence_warning"].astype(int), ref["nonconvergence_warning"]
    )
    assert res["converged"].all()
    np.testing.assert_allclose(
        res["q_value"], stats.false_discovery_control(res["p_wald"]), rtol=1e-12
    )


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_scan_equals_single_fit(ties: str) -> None:
    df, expr = load("gse4335")
    genes = ["ESR1", "ERBB2", "MKI67", "AURKA", "GATA3", "STAT1"]
    res = cox_scan(expr.loc[genes], df["time"], df["event"], ties=ties, block_size=4)
    for g in genes:
        fit = cox_fit(df["time"], df["event"], expr.loc[g].to_numpy(), ties=ties)
        row = res.loc[g]
        s = fit.summary.iloc[0]
        for ours, theirs in [
            (row.coef, s.coef),
            (row.se, s.se),
            (row.p_wald, s.p_wald),
            (row.lrt_stat, fit.lrt["stat"]),
            (row.score_stat, fit.score["stat"]),
        ]:
            assert abs(ours - theirs) <= 1e-10 * abs(theirs)
        assert row.iterations == fit.iterations


def test_block_size_does_not_change_results() -> None:
    df, expr = load("gse1992")
    sub = expr.iloc[:300]
    a = cox_scan(sub, df["time"], df["event"], block_size=7)
    b = cox_scan(sub, df["time"], df["event"])
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_nonconvergence_flagged_like_single_fit() -> None:
    rng = np.random.default_rng(3)
    n = 50
    t = rng.exponential(10, n).round(1) + 0.1
    e = (rng.uniform(size=n) < 0.6).astype(int)
    expr = np.vstack([rng.normal(size=n), -t])  # second gene separates perfectly
    with pytest.warns(SigsurvWarning, match="1 gene"):
        res = cox_scan(expr, t, e, gene_names=["ok", "separating"])
    assert not res.loc["ok", "nonconvergence_warning"]
    assert res.loc["separating", "nonconvergence_warning"]
    with pytest.warns(SigsurvWarning):
        fit = cox_fit(t, e, -t)
    assert fit.well_defined is False
    assert res.loc["separating", "converged"] == fit.converged
    assert res.loc["separating", "iterations"] == fit.iterations
    assert abs(res.loc["separating", "coef"] / fit.summary["coef"].iloc[0] - 1) < 1e-10


def test_benjamini_hochberg_matches_scipy() -> None:
    p = np.random.default_rng(0).uniform(size=200) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p))
    assert np.isnan(benjamini_hochberg([0.1, np.nan])[1])


def test_scan_errors() -> None:
    df, expr = load("gse1992")
    sub = expr.iloc[:5].copy()
    with pytest.raises(AnalysisError, match="no events"):
        cox_scan(sub, df["time"], np.zeros(len(df)))
    flat = sub.copy()
    flat.iloc[2] = 1.0
    with pytest.raises(AnalysisError, match=flat.index[2]):
        cox_scan(flat, df["time"], df["event"])
    holes = sub.copy()
    holes.iloc[1, 3] = np.nan
    with pytest.raises(SigsurvInputError, match=holes.index[1]):
        cox_scan(holes, df["time"], df["event"])
    with pytest.raises(SigsurvInputError, match="samples"):
        cox_scan(sub.iloc[:, :-1], df["time"], df["event"])
    with pytest.raises(SampleJoinError):
        cox_scan(
            sub,
            pd.Series(df["time"].to_numpy(), index=[f"s{i}" for i in range(len(df))]),
            df["event"],
        )
    few = np.zeros(len(df), dtype=int)
    few[:4] = 1
    with pytest.warns(SigsurvWarning, match="only 4 events"):
        cox_scan(sub, df["time"], few)
