"""to_lifelines(): lifelines objects fitted on the same data agree with sigsurv."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sigsurv.cohorts.model import Cohort
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError
from sigsurv.scoring import score
from sigsurv.survival.cox import CoxResult, cox_fit
from sigsurv.survival.km import kaplan_meier
from sigsurv.survival.lifelines_bridge import km_data, to_lifelines

lifelines = pytest.importorskip("lifelines")

RTOL = 1e-6


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    from sigsurv import load_example

    return load_example("gse1992").complete_cases("rfs")


def _esr1_groups(cohort: Cohort) -> np.ndarray:
    esr1 = cohort.expression.loc["ESR1"]
    return np.where(esr1 > esr1.median(), "high", "low")


def _median(value: float | None) -> float:
    return float("inf") if value is None else float(value)


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_km_curves_medians_and_at_risk_agree(cohort: Cohort, conf_type: str) -> None:
    time, event = cohort.survival("rfs")
    fit = kaplan_meier(time, event, _esr1_groups(cohort), conf_type=conf_type)
    fitters = fit.to_lifelines()
    assert set(fitters) == {"high", "low"}
    for group, kmf in fitters.items():
        assert isinstance(kmf, lifelines.KaplanMeierFitter)
        table = fit.curves[group].table
        surv = kmf.survival_function_.iloc[:, 0].reindex(table["time"]).to_numpy()
        np.testing.assert_allclose(surv, table["surv"].to_numpy(), rtol=RTOL, atol=1e-12)
        events = kmf.event_table.loc[table["time"]]
        np.testing.assert_array_equal(events["at_risk"].to_numpy(), table["n_risk"].to_numpy())
        np.testing.assert_array_equal(events["observed"].to_numpy(), table["n_event"].to_numpy())
        assert kmf.median_survival_time_ == _median(fit.median_survival()[group].median)
        assert kmf.alpha == pytest.approx(0.05)


def test_km_confidence_interval_is_the_log_log_type(cohort: Cohort) -> None:
    time, event = cohort.survival("rfs")
    loglog = kaplan_meier(time, event, conf_type="log-log").curves["all"]
    log = kaplan_meier(time, event, conf_type="log").curves["all"]
    kmf = loglog.to_lifelines()
    ci = kmf.confidence_interval_.reindex(loglog.table["time"]).to_numpy()
    np.testing.assert_allclose(ci[:, 0], loglog.table["lower"].to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(ci[:, 1], loglog.table["upper"].to_numpy(), rtol=RTOL)
    # sigsurv's default (R's "log") interval is not what lifelines computes.
    assert np.nanmax(np.abs(ci[:, 0] - log.table["lower"].to_numpy())) > 1e-3


def test_km_data_reconstructs_the_sample(cohort: Cohort) -> None:
    time, event = cohort.survival("rfs")
    durations, events = km_data(kaplan_meier(time, event).curves["all"])
    order = np.lexsort((-event, time))
    np.testing.assert_array_equal(durations, time[order])
    np.testing.assert_array_equal(events, event[order].astype(int))


def test_median_midpoint_rule_is_where_the_engines_differ() -> None:
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])  # S = 0.5 exactly on [2, 3)
    assert fit.median_survival()["all"].median == 2.5  # R survfit
    assert fit.to_lifelines()["all"].median_survival_time_ == 2.0  # lifelines


def _cox_data(cohort: Cohort) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, np.ndarray]:
    time, event = cohort.survival("rfs")
    clinical = cohort.clinical
    covariates = pd.DataFrame(
        {
            "score": score(cohort, {"esr": ["ESR1", "PGR"]})["esr"].to_numpy(),
            "age": clinical["age"].to_numpy(),
            "grade": clinical["grade"].to_numpy(),
            "node": clinical["node"].astype(object).to_numpy(),
        }
    )
    keep = covariates.notna().all(axis=1).to_numpy() & clinical["er"].notna().to_numpy()
    strata = clinical["er"].astype(str).to_numpy()[keep]
    return time[keep], event[keep], covariates[keep].reset_index(drop=True), strata


@pytest.mark.parametrize("stratified", [False, True])
def test_cox_coefficients_agree(cohort: Cohort, stratified: bool) -> None:
    time, event, covariates, strata = _cox_data(cohort)
    result = cox_fit(time, event, covariates, strata=strata if stratified else None)
    cph = result.to_lifelines()
    assert isinstance(cph, lifelines.CoxPHFitter)
    assert cph.params_.index.tolist() == ["score", "age", "grade", "nodepositive"]
    np.testing.assert_allclose(cph.params_.to_numpy(), result.params_.to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(
        cph.standard_errors_.to_numpy(), result.summary["se"].to_numpy(), rtol=RTOL
    )
    assert cph.log_likelihood_ == pytest.approx(result.loglik, rel=1e-9)
    assert cph.concordance_index_ == pytest.approx(result.concordance.concordance, rel=1e-9)
    np.testing.assert_allclose(
        cph.confidence_intervals_.to_numpy(),
        np.log(result.summary[["ci_lower", "ci_upper"]].to_numpy()),
        rtol=RTOL,
    )


def test_cox_breslow_ties_are_refused(cohort: Cohort) -> None:
    time, event, covariates, _ = _cox_data(cohort)
    result = cox_fit(time, event, covariates, ties="breslow")
    with pytest.raises(OptionError, match="Efron ties only"):
        result.to_lifelines()


def _without_kept_data(result: CoxResult) -> CoxResult:
    names = {f.name for f in dataclasses.fields(result)} & {"fit_data", "zph_inputs"}
    return dataclasses.replace(result, **dict.fromkeys(names))


def test_cox_result_without_data_is_refused(cohort: Cohort) -> None:
    time, event, covariates, _ = _cox_data(cohort)
    result = _without_kept_data(cox_fit(time, event, covariates))
    with pytest.raises(AnalysisError, match="does not keep the data"):
        to_lifelines(result)


def test_cox_refit_from_zph_inputs(cohort: Cohort) -> None:
    """Results that keep only the cox.zph inputs (time, event, x, strata) refit too."""
    time, event, covariates, strata = _cox_data(cohort)
    result = cox_fit(time, event, covariates, strata=strata, conf_level=0.9)
    design = covariates.assign(node=(covariates["node"] == "positive").astype(float))
    design = design.rename(columns={"node": "nodepositive"})
    kept = dataclasses.replace(
        _without_kept_data(result),
        zph_inputs=SimpleNamespace(  # type: ignore[arg-type]
            time=time,
            event=event,
            x=design.to_numpy(dtype=float),
            columns=list(design.columns),
            strata_labels=strata,
        ),
    )
    cph = to_lifelines(kept)
    assert cph.alpha == pytest.approx(0.1, rel=1e-9)
    np.testing.assert_allclose(cph.params_.to_numpy(), result.params_.to_numpy(), rtol=RTOL)


def test_other_objects_are_refused() -> None:
    with pytest.raises(SigsurvInputError, match="no lifelines counterpart"):
        to_lifelines(pd.DataFrame())
