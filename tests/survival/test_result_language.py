"""Every result of the engine speaks one language (architecture issue 23).

Each public result class of :mod:`sigsurv.survival`, built from a small real fit
(METABRIC, the competing-risks extract of ``tests/data/survival/competing``), is a
frozen dataclass with ``summary`` (a DataFrame), ``to_dict()`` (strict JSON),
``to_text()`` and ``_repr_html_()``; every test-bearing result has ``.test``, a
:class:`~sigsurv._results.TestResult` whose p is the result's p, also under ``"test"``
in its ``to_dict()``.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sigsurv.survival
from sigsurv._results import ResultMixin, TestResult
from sigsurv.survival import (
    brier_score,
    concordance_index,
    cox_firth,
    cox_fit,
    cox_lrt,
    cox_zph,
    cumulative_incidence,
    d_index,
    fine_gray,
    group_by_cut,
    integrated_brier_score,
    kaplan_meier,
    logistic_regression,
    logrank_test,
    logrank_trend_test,
    maxstat_cutpoint,
    meta_analysis,
    rmst,
    two_by_two,
    uno_c,
)
from sigsurv.survival.power import cox_power, tost_log_hr

DATA = Path(__file__).resolve().parents[1] / "data" / "survival" / "competing"

# Public dataclasses of the engine that are not results: inputs and definitions.
NOT_RESULTS = {"SurvivalData", "CutRule", "ZphInputs"}


@cache
def cohort() -> pd.DataFrame:
    """400 complete METABRIC cases: time (months), cause (0/1/2), event, covariates."""
    d = pd.read_csv(DATA / "metabric_competing.csv", float_precision="round_trip")
    d = d.dropna(subset=["age", "npi", "chemo"]).head(400).reset_index(drop=True)
    return d.assign(cause=d["event"].astype(int), event=(d["event"] > 0).astype(int))


@cache
def cox_pair() -> tuple[Any, Any]:
    d = cohort()
    reduced = cox_fit(d["time"], d["event"], d[["age"]])
    full = cox_fit(d["time"], d["event"], d[["age", "npi"]])
    return reduced, full


def _km() -> Any:
    d = cohort()
    return kaplan_meier(d["time"], d["event"], groups=d["chemo"])


def _predicted_survival() -> tuple[np.ndarray, list[float]]:
    times = [24.0, 60.0, 120.0]
    lp = cox_pair()[1].linear_predictor
    return np.exp(-np.outer(np.exp(lp), np.array(times) / 300.0)), times


def _brier() -> Any:
    d = cohort()
    pred, times = _predicted_survival()
    return brier_score(d["time"], d["event"], pred, times)


def _ibs() -> Any:
    d = cohort()
    pred, times = _predicted_survival()
    return integrated_brier_score(d["time"], d["event"], pred, times)


def _incidence() -> Any:
    d = cohort()
    return cumulative_incidence(d["time"], d["cause"], cause=1, groups=d["chemo"])


def _meta() -> Any:
    d = cohort()
    fits = [cox_fit(part["time"], part["event"], part[["npi"]]) for part in np.array_split(d, 3)]
    log_hr = [float(fit.summary.loc["npi", "coef"]) for fit in fits]
    se = [float(fit.summary.loc["npi", "se"]) for fit in fits]
    return meta_analysis(log_hr, se, labels=["a", "b", "c"])


def _two_by_two() -> Any:
    d = cohort()
    early = ((d["event"] == 1) & (d["time"] <= 60)).to_numpy()
    chemo = (d["chemo"] == "YES").to_numpy()
    cells = [
        int(((chemo == exposed) & (early == outcome)).sum())
        for exposed in (True, False)
        for outcome in (True, False)
    ]
    return two_by_two(cells)


def _tost() -> Any:
    row = cox_pair()[1].summary.loc["age"]
    return tost_log_hr(float(row["coef"]), float(row["se"]))


def _rmst() -> Any:
    d = cohort()
    return rmst(d["time"], d["event"], tau=120, groups=d["chemo"])


FACTORIES: dict[str, Callable[[], Any]] = {
    "KaplanMeierResult": _km,
    "KaplanMeierCurve": lambda: _km().curves["NO"],
    "MedianSurvival": lambda: _km().curves["NO"].median_survival(),
    "LogRankResult": lambda: logrank_test(cohort()["time"], cohort()["event"], cohort()["chemo"]),
    "LogRankTrendResult": lambda: logrank_trend_test(
        cohort()["time"], cohort()["event"], group_by_cut(cohort()["npi"], "tertile").labels
    ),
    "CoxResult": lambda: cox_pair()[1],
    "NestedLRTResult": lambda: cox_lrt(*cox_pair()),
    "ZphResult": lambda: cox_zph(cox_pair()[1]),
    "ConcordanceResult": lambda: concordance_index(
        cohort()["time"], cohort()["event"], cohort()["npi"]
    ),
    "UnoCResult": lambda: uno_c(cohort()["time"], cohort()["event"], cohort()["npi"], tau=120),
    "BrierScoreResult": _brier,
    "IntegratedBrierScoreResult": _ibs,
    "CumulativeIncidenceResult": _incidence,
    "GrayTest": lambda: _incidence().gray_test,
    "FineGrayResult": lambda: fine_gray(cohort()["time"], cohort()["cause"], cohort()[["age"]]),
    "FirthCoxResult": lambda: cox_firth(cohort()["time"], cohort()["event"], cohort()[["npi"]]),
    "MaxstatResult": lambda: maxstat_cutpoint(cohort()["npi"], cohort()["time"], cohort()["event"]),
    "Grouping": lambda: group_by_cut(cohort()["npi"], "median"),
    "DIndexResult": lambda: d_index(cohort()["time"], cohort()["event"], cohort()["npi"]),
    "MetaAnalysisResult": _meta,
    "PooledEstimate": lambda: _meta().random,
    "RMSTResult": _rmst,
    "RMSTComparison": lambda: _rmst().compare("YES", "NO"),
    "BinaryResult": _two_by_two,
    "FisherResult": lambda: _two_by_two().fisher,
    "LogisticResult": lambda: logistic_regression(cohort()["npi"], cohort()["event"]),
    "CoxPower": lambda: cox_power(int(cohort()["event"].sum()), 0.8),
    "TostResult": _tost,
}

# Test-bearing results: how to read the p-value their ``.test`` must carry.
TEST_P: dict[str, Callable[[Any], float]] = {
    "LogRankResult": lambda r: r.p,
    "LogRankTrendResult": lambda r: r.p,
    "GrayTest": lambda r: r.p,
    "NestedLRTResult": lambda r: r.p,
    "ZphResult": lambda r: float(r.table.loc["GLOBAL", "p"]),
    "TostResult": lambda r: max(r.p_lower, r.p_upper),
    "LogisticResult": lambda r: r.lrt_p,
}


@cache
def build(name: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few-event and chi-square-approximation notes
        return FACTORIES[name]()


def _public_result_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(sigsurv.survival.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"sigsurv.survival.{info.name}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (
                isinstance(obj, type)
                and dataclasses.is_dataclass(obj)
                and obj.__module__ == module.__name__
                and name not in NOT_RESULTS
            ):
                found[name] = obj
    return found


def test_every_public_result_class_is_walked() -> None:
    assert set(_public_result_classes()) == set(FACTORIES)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_result_speaks_the_language(name: str) -> None:
    result = build(name)
    cls = _public_result_classes()[name]
    assert type(result) is cls
    assert isinstance(result, ResultMixin)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    field = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, field, None)
    assert isinstance(result.summary, pd.DataFrame)
    assert not result.summary.empty
    payload = result.to_dict()
    assert isinstance(payload, dict)
    text = json.dumps(payload, allow_nan=False)  # strict JSON: no NaN, no Infinity
    assert json.loads(text) == payload
    assert isinstance(result.to_text(), str)
    assert result.to_text().strip()
    assert result.title().strip()
    assert "<table" in result._repr_html_()


@pytest.mark.parametrize("name", sorted(TEST_P))
def test_tests_have_one_shape(name: str) -> None:
    result = build(name)
    test = result.test
    assert isinstance(test, TestResult)
    assert test.p == TEST_P[name](result)
    assert np.isfinite(test.statistic)
    assert result.to_dict()["test"] == test.to_dict()


def test_tost_test_is_the_deciding_one_sided_z() -> None:
    result = build("TostResult")
    assert result.test.df is None
    assert result.test.statistic == min(result.z_lower, result.z_upper)
    from scipy import stats

    assert stats.norm.sf(result.test.statistic) == pytest.approx(result.p, rel=1e-12)


def test_zph_test_is_the_global_row() -> None:
    result = build("ZphResult")
    row = result.table.loc["GLOBAL"]
    assert (result.test.statistic, result.test.df) == (row["chisq"], row["df"])


def test_old_table_names_still_work() -> None:
    logrank = build("LogRankResult")
    assert logrank.to_frame().equals(logrank.summary)
    for name in ("ZphResult", "BrierScoreResult", "RMSTResult"):
        result = build(name)
        assert result.table.equals(result.summary)
    assert build("LogisticResult").coefficients.equals(build("LogisticResult").summary)


def test_uno_c_and_ibs_are_results_with_an_estimate() -> None:
    uno = build("UnoCResult")
    assert uno.estimate == uno.concordance
    assert 0.5 < uno.estimate < 1.0
    ibs = build("IntegratedBrierScoreResult")
    assert ibs.estimate == build("BrierScoreResult").integrated
    assert ibs.horizon == 120.0


def test_existing_to_dict_keys_are_kept() -> None:
    """Consumers read these keys: the result language only adds to them."""
    cox = build("CoxResult").to_dict()
    assert {"coefficients", "lrt", "wald", "score", "concordance", "ph_test"} <= set(cox)
    assert {"cutpoint", "p_adjusted", "naive_logrank_p"} <= set(build("MaxstatResult").to_dict())
    assert {"hr", "lower", "upper", "p", "i2", "studies"} <= set(
        build("MetaAnalysisResult").to_dict()
    )
    assert {"d", "se", "r2_d"} <= set(build("DIndexResult").to_dict())
    assert {"target_hr", "power", "min_detectable_hr"} <= set(build("CoxPower").to_dict())
