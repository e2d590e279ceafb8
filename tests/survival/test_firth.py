"""Firth-penalised Cox: validated against a direct numerical maximisation of the
penalised log partial likelihood, written here independently (explicit loops over
events and risk sets, numerical derivatives), on veteran with a covariate that
causes monotone likelihood; and against R's coxphf 1.13.4 (built from its CRAN source:
it is not packaged for Debian 12) on Heinze & Schemper's published breast-cancer example
(tests/data/survival/firth/make.R).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import R_RTOL
from scipy import optimize, stats

from sigsurv.errors import SigsurvWarning
from sigsurv.survival import cox_firth, cox_fit
from sigsurv.survival.firth import firth_penalised_loglik

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "conventions"
COLUMNS = ["early", "karno", "trt"]


@pytest.fixture(scope="module")
def veteran() -> pd.DataFrame:
    d = pd.read_csv(HERE / "veteran.csv")
    # Every early death has early = 1 and everyone still at risk later has 0:
    # the ordinary Cox likelihood increases forever in this coefficient.
    d["early"] = ((d["time"] < 25) & (d["status"] == 1)).astype(int)
    return d


def reference_terms(
    t: np.ndarray, e: np.ndarray, x: np.ndarray, beta: np.ndarray
) -> tuple[float, np.ndarray]:
    """Breslow log-likelihood and information by explicit loops (no sigsurv code)."""
    p = x.shape[1]
    loglik, info = 0.0, np.zeros((p, p))
    for i in np.flatnonzero(e == 1):
        at_risk = t >= t[i]
        w = np.exp(x[at_risk] @ beta)
        mean = (w[:, None] * x[at_risk]).sum(0) / w.sum()
        centred = x[at_risk] - mean
        info += (w[:, None, None] * centred[:, :, None] * centred[:, None, :]).sum(0) / w.sum()
        loglik += x[i] @ beta - np.log(w.sum())
    return loglik, info


def reference_penalised(t: np.ndarray, e: np.ndarray, x: np.ndarray, beta: np.ndarray) -> float:
    loglik, info = reference_terms(t, e, x, beta)
    return float(loglik + 0.5 * np.linalg.slogdet(info)[1])


def arrays(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return d["time"].to_numpy(float), d["status"].to_numpy(), d[COLUMNS].to_numpy(float)


def test_penalised_loglik_matches_reference(veteran: pd.DataFrame) -> None:
    t, e, x = arrays(veteran)
    rng = np.random.default_rng(3)
    for beta in [np.zeros(3), rng.normal(scale=[1.0, 0.02, 0.3])]:
        ours = firth_penalised_loglik(t, e, veteran[COLUMNS], beta)
        assert ours == pytest.approx(reference_penalised(t, e, x, beta), rel=1e-12)


def test_estimate_is_the_maximum_of_the_penalised_likelihood(veteran: pd.DataFrame) -> None:
    t, e, x = arrays(veteran)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        ordinary = cox_fit(t, e, veteran[COLUMNS])
    assert not ordinary.well_defined  # monotone likelihood: coxph's "may be infinite"
    fit = cox_firth(t, e, veteran[COLUMNS])
    assert fit.converged
    beta = fit.summary["coef"].to_numpy()
    assert 3 < beta[0] < 10  # finite, unlike the ordinary estimate
    # direct numerical maximisation from 0 lands on the same point
    found = optimize.minimize(
        lambda b: -reference_penalised(t, e, x, b),
        np.zeros(3),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000, "maxfev": 40000},
    )
    np.testing.assert_allclose(beta, found.x, rtol=1e-6, atol=1e-8)
    assert fit.loglik == pytest.approx(-found.fun, rel=1e-12)
    # the numerical gradient of the reference is zero at the estimate
    h = 1e-6 * np.maximum(np.abs(beta), 1e-2)
    grad = [
        (reference_penalised(t, e, x, beta + h[j] * np.eye(3)[j])
         - reference_penalised(t, e, x, beta - h[j] * np.eye(3)[j])) / (2 * h[j])
        for j in range(3)
    ]  # fmt: skip
    assert np.max(np.abs(grad)) < 1e-5
    # standard errors: inverse of the (unpenalised) information at the estimate
    info = reference_terms(t, e, x, beta)[1]
    np.testing.assert_allclose(fit.var, np.linalg.inv(info), rtol=1e-9)
    assert fit.lrt["stat"] == pytest.approx(
        2 * (fit.loglik - reference_penalised(t, e, x, np.zeros(3))), rel=1e-10
    )


def test_firth_is_close_to_cox_without_separation(veteran: pd.DataFrame) -> None:
    covariates = veteran[["karno", "trt", "age"]]
    ordinary = cox_fit(veteran["time"], veteran["status"], covariates, ties="breslow")
    firth = cox_firth(veteran["time"], veteran["status"], covariates)
    # the penalty shrinks a little towards 0 (bias of order 1/n) but not more
    diff = (firth.summary["coef"] - ordinary.summary["coef"]).abs()
    assert (diff < 0.1 * ordinary.summary["se"]).all()


def test_stratified_penalised_loglik_and_maximum(veteran: pd.DataFrame) -> None:
    t, e, x = arrays(veteran)
    prior = veteran["prior"].to_numpy()

    def reference(beta: np.ndarray) -> float:
        loglik, info = 0.0, np.zeros((3, 3))
        for level in np.unique(prior):
            rows = prior == level
            lk, inf = reference_terms(t[rows], e[rows], x[rows], beta)
            loglik, info = loglik + lk, info + inf
        return float(loglik + 0.5 * np.linalg.slogdet(info)[1])

    fit = cox_firth(t, e, veteran[COLUMNS], strata=prior)
    beta = fit.summary["coef"].to_numpy()
    assert fit.loglik == pytest.approx(reference(beta), rel=1e-12)
    found = optimize.minimize(
        lambda b: -reference(b),
        beta + 0.05,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000, "maxfev": 40000},
    )
    np.testing.assert_allclose(beta, found.x, rtol=1e-6, atol=1e-8)


def test_profile_likelihood_p_values_and_limits(veteran: pd.DataFrame) -> None:
    t, e, x = arrays(veteran)
    fit = cox_firth(t, e, veteran[COLUMNS])
    beta = fit.summary["coef"].to_numpy()
    cutoff = stats.chi2.ppf(0.95, 1)

    def reference_profile(j: int, value: float) -> float:
        free = [k for k in range(3) if k != j]

        def negative(b_free: np.ndarray) -> float:
            b = np.empty(3)
            b[j], b[free] = value, b_free
            return -reference_penalised(t, e, x, b)

        found = optimize.minimize(
            negative,
            beta[free],
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000, "maxfev": 40000},
        )
        return -float(found.fun)

    for j, term in [(0, "early"), (2, "trt")]:  # the separating covariate and a null one
        row = fit.summary.loc[term]
        deviance_at_zero = 2 * (fit.loglik - reference_profile(j, 0.0))
        assert row["p_pl"] == pytest.approx(stats.chi2.sf(deviance_at_zero, 1), rel=1e-6)
        for limit in ("ci_lower_pl", "ci_upper_pl"):
            deviance = 2 * (fit.loglik - reference_profile(j, np.log(row[limit])))
            assert deviance == pytest.approx(cutoff, abs=1e-7)


GOLDENS = Path(__file__).resolve().parents[1] / "data" / "survival" / "firth"


@pytest.mark.parametrize("case", ["breast", "veteran_monotone"])
def test_matches_r_coxphf_on_the_published_breast_example(case: str) -> None:
    """coxphf 1.13.4 (Heinze & Ploner) on Heinze & Schemper's (2001) breast-cancer example
    and on veteran with monotone likelihood; R script beside the golden file."""
    import json

    golden = json.loads((GOLDENS / "goldens.json").read_text())[case]
    if case == "breast":
        data = pd.read_csv(GOLDENS / "breast.csv")
        t, e, x = data["TIME"], data["CENS"], data[golden["terms"]]
    else:
        data = pd.read_csv(HERE / "veteran.csv")
        data["early"] = ((data["time"] < 25) & (data["status"] == 1)).astype(int)
        t, e, x = data["time"], data["status"], data[golden["terms"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        result = cox_firth(t, e, x)
    table = result.summary.loc[golden["terms"]]
    for ours, theirs in (
        ("coef", "coef"),
        ("se", "se"),
        ("p_pl", "p_pl"),
        ("ci_lower_pl", "ci_lower_pl"),
        ("ci_upper_pl", "ci_upper_pl"),
    ):
        # R's 1 - pchisq underflows to 0 where the p-value is below ~1e-16.
        atol = 1e-15 if ours == "p_pl" else 0.0
        np.testing.assert_allclose(
            table[ours], golden[theirs], rtol=R_RTOL, atol=atol, err_msg=ours
        )
    # coxphf reports the penalised log-likelihoods of internally standardised covariates:
    # the penalty 0.5 log det I then differs by a constant, so compare the fit's gain.
    gain = result.loglik - result.loglik_null
    np.testing.assert_allclose(gain, golden["loglik"][1] - golden["loglik"][0], rtol=1e-8)
