"""Likelihood-ratio test of nested Cox models against R anova(reduced, full).

Golden: tests/data/survival/conventions/nested.json, made by nested.R.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sigsurv.errors import AnalysisError
from sigsurv.survival import cox_fit, cox_lrt
from sigsurv.survival.cox import CoxResult

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
GOLDEN = json.loads((HERE / "nested.json").read_text())
VET = pd.read_csv(HERE / "veteran.csv")
GBSG = pd.read_csv(HERE / "gbsg.csv")


def vet_fit(columns: list[str], strata: bool = False, rows: slice = slice(None)) -> CoxResult:
    d = VET.iloc[rows]
    return cox_fit(d["time"], d["status"], d[columns], strata=d["prior"] if strata else None)


def pairs(name: str) -> tuple[CoxResult, CoxResult]:
    if name == "veteran":
        return vet_fit(["trt", "karno"]), vet_fit(["trt", "karno", "celltype", "age"])
    if name == "veteran_strata":
        return vet_fit(["karno"], True), vet_fit(["karno", "trt", "age"], True)
    t, e = GBSG["rfstime"], GBSG["status"]
    small = cox_fit(t, e, GBSG[["age", "nodes"]], ties="breslow")
    big = cox_fit(t, e, GBSG[["age", "nodes", "pgr", "hormon", "size"]], ties="breslow")
    return small, big


@pytest.mark.parametrize("name", ["veteran", "veteran_strata", "gbsg_breslow"])
def test_lrt_matches_r_anova(name: str) -> None:
    r = GOLDEN[name]
    res = cox_lrt(*pairs(name))
    assert res.loglik_reduced == pytest.approx(r["loglik"][0], rel=1e-12)
    assert res.loglik_full == pytest.approx(r["loglik"][1], rel=1e-12)
    assert res.chisq == pytest.approx(r["chisq"], rel=1e-9)
    assert res.df == r["df"]
    assert res.p == pytest.approx(r["p"], rel=1e-9)


def test_nesting_and_rows_are_checked() -> None:
    small, big = pairs("veteran")
    with pytest.raises(AnalysisError, match="not nested"):
        cox_lrt(vet_fit(["trt", "prior"]), big)
    with pytest.raises(AnalysisError, match="adds no term"):
        cox_lrt(big, big)
    with pytest.raises(AnalysisError, match="same subjects"):
        cox_lrt(vet_fit(["trt", "karno"], rows=slice(0, 120)), big)
    shuffled = VET.sample(frac=1.0, random_state=1)
    other_order = cox_fit(shuffled["time"], shuffled["status"], shuffled[["trt", "karno"]])
    with pytest.raises(AnalysisError, match="times, events or strata"):
        cox_lrt(other_order, big)
    with pytest.raises(AnalysisError, match="same subjects"):
        cox_lrt(vet_fit(["karno"], True), big)
    assert cox_lrt(small, big).added_terms == ["celltype", "age"]
