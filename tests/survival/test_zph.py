"""cox_zph (transforms km / identity / rank / log, scaled Schoenfeld residuals) against R.

Golden: tests/data/survival/conventions/zph.json, made by zph.R (R cox.zph) on veteran
and gbsg (export_datasets.R).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import rel_error

from sigsurv.errors import OptionError
from sigsurv.survival import cox_fit, cox_zph
from sigsurv.survival.cox import CoxResult

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
GOLDEN = {m["name"]: m for m in json.loads((HERE / "zph.json").read_text())["models"]}
TRANSFORMS = ["km", "identity", "rank", "log"]


def fit(name: str) -> CoxResult:
    if name.startswith("veteran"):
        d = pd.read_csv(HERE / "veteran.csv")
        t, e = d["time"], d["status"]
        if name == "veteran":
            return cox_fit(t, e, d[["trt", "celltype", "karno", "age"]])
        return cox_fit(t, e, d[["trt", "karno", "age"]], strata=d["prior"])
    d = pd.read_csv(HERE / "gbsg.csv")
    covariates = d[["age", "size", "nodes", "pgr", "hormon"]]
    return cox_fit(d["rfstime"], d["status"], covariates, ties="breslow")


@pytest.fixture(scope="module", params=list(GOLDEN))
def model(request: pytest.FixtureRequest) -> tuple[CoxResult, dict]:
    name = request.param
    return fit(name), GOLDEN[name]


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_cox_zph_matches_r(model: tuple[CoxResult, dict], transform: str) -> None:
    result, golden = model
    r = golden[transform]
    assert rel_error(result.summary["coef"], golden["coef"]) < 1e-9
    zph = cox_zph(result, transform)
    assert zph.table.index.tolist() == r["term"]
    assert rel_error(zph.table["chisq"], r["chisq"]) < 1e-8
    assert zph.table["df"].tolist() == r["df"]
    assert rel_error(zph.time, r["time"]) < 1e-14
    assert rel_error(zph.x, r["x"]) < 1e-12
    assert zph.residuals.columns.tolist() == r["y_names"]
    y = np.column_stack(r["y"])
    assert np.array_equal(np.isnan(zph.residuals.to_numpy()), np.isnan(y))
    assert rel_error(zph.residuals, y) < 1e-8
    assert rel_error(zph.var, np.reshape(r["var"], zph.var.shape, order="F")) < 1e-8


def test_default_ph_test_is_the_km_transform(model: tuple[CoxResult, dict]) -> None:
    result, golden = model
    assert rel_error(result.ph_test["chisq"], golden["km"]["chisq"]) < 1e-8


def test_one_test_per_column(model: tuple[CoxResult, dict]) -> None:
    result, golden = model
    zph = cox_zph(result, terms=False)
    assert zph.table.index.tolist() == golden["columns_km"]["term"]
    assert rel_error(zph.table["chisq"], golden["columns_km"]["chisq"]) < 1e-8
    assert rel_error(zph.residuals, np.column_stack(golden["columns_km"]["y"])) < 1e-8


def test_unknown_transform_refused() -> None:
    with pytest.raises(OptionError, match="time transform"):
        cox_zph(fit("veteran"), "sqrt")
