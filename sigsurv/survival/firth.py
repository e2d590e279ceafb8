"""Firth-penalised Cox regression for monotone likelihood (Heinze & Schemper 2001).

When a covariate separates the events (e.g. a level of a factor without events,
or a gene whose highest values always fail first) the Cox partial likelihood
keeps increasing as a coefficient goes to infinity: ``coxph`` stops with huge,
meaningless estimates. Firth's penalty makes the estimates finite:

``l*(beta) = l(beta) + 0.5 log det I(beta)``

with ``l`` the log partial likelihood (Breslow ties, as R's ``coxphf``) and ``I``
its information matrix (Jeffreys prior). The penalised score is
``U*_j = U_j + 0.5 tr(I^-1 dI/dbeta_j)``; ``dI/dbeta_j`` needs the third
moments of the covariates over each risk set. Iteration is ``coxphf``'s
Newton–Raphson: step ``I^-1 U*``, at most ``max_step`` in any coordinate, halved
while the penalised likelihood goes down. Standard errors are ``sqrt(diag I^-1)``
at the estimate (Wald); the global test is the penalised likelihood ratio
``2 (l*(beta) - l*(0))``.

Like ``coxphf(pl = TRUE)``, p-values and confidence limits also come from the
profile penalised likelihood: ``2 (l*(beta) - max l* with beta_j = b)`` against
the chi-square(1) quantile (limits by root finding).

Differences to R ``coxphf`` (not in Debian, so not compared here): coxphf stops when
steps and scores are below 1e-6 / 1e-4; this port iterates to ``tol = 1e-9`` and is
validated against a direct numerical maximisation of ``l*``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sigsurv._results import ResultMixin
from sigsurv.errors import SigsurvWarning
from sigsurv.survival._design import build_design, prepare_cox_inputs
from sigsurv.survival._result_format import jsonable, records
from sigsurv.survival._risk_sets import Stratum, build_strata, reverse_cumsum
from sigsurv.survival._validate import (
    check_strata,
    survival_arrays,
)

__all__ = ["FirthCoxResult", "cox_firth", "firth_penalised_loglik"]


@dataclass(frozen=True)
class _Derivs:
    loglik: float
    score: np.ndarray
    info: np.ndarray
    info_derivative: np.ndarray  # dI/dbeta_j stacked on the last axis (p x p x p)


def _stratum_derivs(
    s: Stratum, x: np.ndarray, beta: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Breslow log-likelihood, score, information and its derivative for one stratum."""
    xs = x[s.rows]
    eta = xs @ beta
    risk = np.exp(eta - eta.max())  # common factor cancels in every ratio below
    r1 = risk[:, None] * xs
    r2 = r1[:, :, None] * xs[:, None, :]
    r3 = r2[:, :, :, None] * xs[:, None, None, :]
    at = s.group_start[s.death_group]  # each event's risk set starts at its time
    s0 = reverse_cumsum(risk)[at]
    e1 = reverse_cumsum(r1)[at] / s0[:, None]
    e2 = reverse_cumsum(r2)[at] / s0[:, None, None]
    e3 = reverse_cumsum(r3)[at] / s0[:, None, None, None]
    dead = xs[s.death_pos]
    loglik = float((eta[s.death_pos] - eta.max() - np.log(s0)).sum())
    score = (dead - e1).sum(axis=0)
    info = (e2 - e1[:, :, None] * e1[:, None, :]).sum(axis=0)
    # d/dbeta_j of E[xx'] - E[x]E[x]' with dE[f]/dbeta_j = E[f x_j] - E[f] E[x_j]
    c2 = e3 - e2[:, :, :, None] * e1[:, None, None, :]
    c1 = e2 - e1[:, :, None] * e1[:, None, :]
    d_info = (
        c2 - c1[:, :, None, :] * e1[:, None, :, None] - e1[:, :, None, None] * c1[:, None, :, :]
    )
    return loglik, score, info, d_info.sum(axis=0)


def _derivs(x: np.ndarray, beta: np.ndarray, strata: list[Stratum]) -> _Derivs:
    p = x.shape[1]
    total = _Derivs(0.0, np.zeros(p), np.zeros((p, p)), np.zeros((p, p, p)))
    loglik, score, info, d_info = total.loglik, total.score, total.info, total.info_derivative
    for s in strata:
        if s.death_pos.size:
            lk, u, i_mat, d_i = _stratum_derivs(s, x, beta)
            loglik, score, info, d_info = loglik + lk, score + u, info + i_mat, d_info + d_i
    return _Derivs(loglik, score, info, d_info)


def _penalised(d: _Derivs) -> tuple[float, np.ndarray]:
    """Penalised log-likelihood and score (NaN when I is not positive definite)."""
    undefined = float("nan"), np.full(d.score.shape, np.nan)
    if not np.all(np.isfinite(d.info)):  # overflowed risk sets: no determinant to take
        return undefined
    with np.errstate(invalid="ignore"):  # a singular I is answered below, not warned
        sign, logdet = np.linalg.slogdet(d.info)
    if not sign > 0 or not np.isfinite(logdet):
        return undefined
    inverse = np.linalg.inv(d.info)
    trace = np.einsum("ab,baj->j", inverse, d.info_derivative)
    return float(d.loglik + 0.5 * logdet), d.score + 0.5 * trace


def firth_penalised_loglik(
    time: Any, event: Any, covariates: Any, beta: Any, *, strata: Any = None
) -> float:
    """Firth-penalised log partial likelihood ``l(beta) + 0.5 log det I(beta)`` (Breslow).

    Parameters
    ----------
    time, event
        Follow-up times and 0/1 event indicators (exact ties only).
    covariates
        Numeric covariates (array or DataFrame, as :func:`cox_firth`).
    beta
        Coefficients, one per design column.
    strata
        Optional stratum per subject.

    Returns
    -------
    float
        The penalised log-likelihood (NaN if the information is singular).

    Examples
    --------
    >>> round(firth_penalised_loglik([1, 2, 3, 4], [1, 1, 0, 1], [0.5, 1.0, 0.0, 2.0], [0.0]), 4)
    -2.3881
    """
    t, e = survival_arrays(time, event)
    x = build_design(covariates).matrix
    strata_arr = None if strata is None else check_strata(strata, t.shape[0])
    risk_sets = build_strata(t, e, strata_arr, efron=False)
    return _penalised(_derivs(x, np.asarray(beta, dtype=float), risk_sets))[0]


@dataclass(frozen=True)
class FirthCoxResult(ResultMixin):
    """A Firth-penalised Cox fit.

    Attributes
    ----------
    summary
        Per design column: ``coef, se, hr, ci_lower, ci_upper, z, p_wald`` (Wald
        intervals and tests from the information at the estimate) and, with
        ``profile=True``, ``ci_lower_pl, ci_upper_pl, p_pl`` from the profile
        penalised likelihood (hazard-ratio scale; an infinite limit if the profile
        never drops below the cut-off).
    n, events
        Subjects and events.
    loglik_null, loglik
        Penalised log-likelihood at 0 and at the estimate.
    lrt
        Penalised likelihood-ratio test ``{"stat", "df", "p"}``.
    iterations, converged
        Newton–Raphson iterations and whether the tolerances were met.
    var
        ``I^-1`` at the estimate.
    """

    summary: pd.DataFrame
    n: int
    events: int
    loglik_null: float
    loglik: float
    lrt: dict[str, float]
    iterations: int
    converged: bool
    var: np.ndarray

    def title(self) -> str:
        """``Firth-penalised Cox model: n=..., events=...`` (flagged if not converged)."""
        flag = "" if self.converged else " (NOT CONVERGED)"
        return f"Firth-penalised Cox model: n={self.n}, events={self.events}{flag}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``coefficients`` (summary records), sizes, likelihoods, ``lrt``.

        Examples
        --------
        >>> res = cox_firth([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1])
        >>> res.to_dict()["coefficients"][0]["term"]
        'x'
        """
        return jsonable(
            {
                "n": self.n,
                "events": self.events,
                "coefficients": records(self.summary.rename_axis("term")),
                "loglik_null": self.loglik_null,
                "loglik": self.loglik,
                "lrt": self.lrt,
                "iterations": self.iterations,
                "converged": self.converged,
            }
        )


@dataclass(frozen=True)
class _Controls:
    max_iter: int
    max_half: int
    max_step: float
    tol: float


def _newton(
    x: np.ndarray,
    risk_sets: list[Stratum],
    start: np.ndarray,
    free: np.ndarray,
    controls: _Controls,
) -> tuple[np.ndarray, float, _Derivs, int, bool]:
    """coxphf's iteration on the ``free`` coefficients (the others stay at ``start``).

    Capped Newton steps ``I^-1 U*`` (at most ``max_step`` in any coordinate),
    halved while the penalised likelihood decreases.
    """
    beta = start.astype(float).copy()
    d = _derivs(x, beta, risk_sets)
    loglik, score = _penalised(d)
    if not free.any():
        return beta, loglik, d, 0, True
    for iteration in range(1, controls.max_iter + 1):
        step = np.zeros_like(beta)
        step[free] = np.linalg.solve(d.info[np.ix_(free, free)], score[free])
        largest = np.max(np.abs(step))
        if largest > controls.max_step:
            step *= controls.max_step / largest
        for _ in range(controls.max_half + 1):
            trial = _derivs(x, beta + step, risk_sets)
            new_loglik, new_score = _penalised(trial)
            if np.isfinite(new_loglik) and new_loglik >= loglik:
                break
            step = step / 2.0
        beta, d, loglik, score = beta + step, trial, new_loglik, new_score
        if max(np.max(np.abs(step)), np.max(np.abs(score[free]))) <= controls.tol:
            return beta, loglik, d, iteration, True
    return beta, loglik, d, controls.max_iter, False


def _profile(
    x: np.ndarray,
    risk_sets: list[Stratum],
    beta: np.ndarray,
    j: int,
    value: float,
    controls: _Controls,
) -> float:
    """Profile penalised log-likelihood: maximum over the others with ``beta_j = value``."""
    start = beta.copy()
    start[j] = value
    free = np.ones(beta.shape[0], dtype=bool)
    free[j] = False
    return _newton(x, risk_sets, start, free, controls)[1]


def _profile_limits(
    x: np.ndarray,
    risk_sets: list[Stratum],
    beta: np.ndarray,
    se: np.ndarray,
    loglik: float,
    conf_level: float,
    controls: _Controls,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Profile-penalised-likelihood p-values and confidence limits (coxphf ``pl = TRUE``)."""
    cutoff = stats.chi2.ppf(conf_level, 1)
    p_values, lower, upper = (np.full(beta.shape[0], np.nan) for _ in range(3))
    for j in range(beta.shape[0]):

        def excess(b: float, j: int = j) -> float:
            return 2.0 * (loglik - _profile(x, risk_sets, beta, j, b, controls)) - cutoff

        p_values[j] = stats.chi2.sf(excess(0.0) + cutoff, 1)
        for sign, out in ((-1.0, lower), (1.0, upper)):
            width = 2.0 * se[j]
            for _ in range(30):  # widen until the profile drops below the cut-off
                if excess(beta[j] + sign * width) > 0:
                    ends = sorted((beta[j], beta[j] + sign * width))
                    out[j] = optimize.brentq(excess, *ends, xtol=1e-10, rtol=1e-12)
                    break
                width *= 2.0
            else:
                out[j] = sign * np.inf
    return p_values, lower, upper


def cox_firth(
    time: Any,
    event: Any,
    covariates: Any,
    *,
    strata: Any = None,
    reference_levels: Mapping[str, Any] | None = None,
    max_iter: int = 50,
    max_half: int = 5,
    max_step: float = 0.5,
    tol: float = 1e-9,
    conf_level: float = 0.95,
    timefix: bool = True,
    profile: bool = True,
) -> FirthCoxResult:
    """Firth-penalised Cox model (Heinze & Schemper 2001; R ``coxphf``-style penalty).

    Parameters
    ----------
    time, event
        Follow-up times and 0/1 event indicators. Tied times use Breslow's method.
    covariates
        ``DataFrame``, ``Series`` or numeric array, coded as :func:`sigsurv.survival.cox.cox_fit`.
    strata
        Optional stratum per subject (separate baseline hazards).
    reference_levels
        Reference level per categorical covariate.
    max_iter, max_half, max_step
        Newton–Raphson iterations, step halvings per iteration and the largest
        change of any coefficient in one step (coxphf's ``maxit``, ``maxhs``, ``maxstep``).
    tol
        Convergence: every step and every penalised score component below ``tol``.
    conf_level
        Level of the Wald confidence intervals.
    timefix
        Treat times closer than ``sqrt(eps)`` as tied (R's default).
    profile
        Also compute coxphf's default profile-penalised-likelihood p-values and
        confidence limits (``p_pl``, ``ci_lower_pl``, ``ci_upper_pl``; one
        constrained fit per coefficient and limit search).

    Returns
    -------
    FirthCoxResult
        Finite estimates even under monotone likelihood.

    Raises
    ------
    AnalysisError
        No events, constant covariates.
    SigsurvInputError
        Malformed input.

    Warns
    -----
    SigsurvWarning
        Fewer than 10 events; no convergence.

    References
    ----------
    .. [1] Firth D. Bias reduction of maximum likelihood estimates. Biometrika. 1993;80(1):27-38.
    .. [2] Heinze G, Schemper M. A solution to the problem of monotone likelihood in Cox regression.
           Biometrics. 2001;57(1):114-119.

    Examples
    --------
    >>> t = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> e = np.array([1, 1, 1, 0, 1, 0, 1, 0])
    >>> x = np.array([1, 1, 1, 1, 0, 0, 0, 0])  # all early events in group 1
    >>> import warnings; warnings.simplefilter("ignore")
    >>> fit = cox_firth(t, e, pd.DataFrame({"group": x}))
    >>> fit.converged, bool(np.isfinite(fit.summary.loc["group", "coef"]))
    (True, True)
    """
    t, e, design, strata_arr = prepare_cox_inputs(
        time,
        event,
        covariates,
        strata=strata,
        reference_levels=reference_levels,
        conf_level=conf_level,
        timefix=timefix,
        model="Firth Cox",
    )
    risk_sets = build_strata(t, e, strata_arr, efron=False)
    x = design.matrix - design.matrix.mean(axis=0)  # centring changes nothing but stability
    controls = _Controls(max_iter, max_half, max_step, tol)
    everything = np.ones(x.shape[1], dtype=bool)
    start = np.zeros(x.shape[1])
    beta, loglik, d, iterations, converged = _newton(x, risk_sets, start, everything, controls)
    loglik0 = _penalised(_derivs(x, start, risk_sets))[0]
    var = np.linalg.inv(d.info)
    if not converged:
        warnings.warn(
            f"Firth Cox model did not converge in {max_iter} iterations",
            SigsurvWarning,
            stacklevel=2,
        )
    se = np.sqrt(np.diag(var))
    zq = stats.norm.ppf(1 - (1 - conf_level) / 2)
    z = beta / se
    summary = pd.DataFrame(
        {
            "coef": beta,
            "se": se,
            "hr": np.exp(beta),
            "ci_lower": np.exp(beta - zq * se),
            "ci_upper": np.exp(beta + zq * se),
            "z": z,
            "p_wald": 2 * stats.norm.sf(np.abs(z)),
        },
        index=pd.Index(design.columns, name="term"),
    )
    if profile:
        p_pl, low, high = _profile_limits(x, risk_sets, beta, se, loglik, conf_level, controls)
        summary["ci_lower_pl"] = np.exp(low)
        summary["ci_upper_pl"] = np.exp(high)
        summary["p_pl"] = p_pl
    stat = 2.0 * (loglik - loglik0)
    df = x.shape[1]
    return FirthCoxResult(
        summary=summary,
        n=t.shape[0],
        events=int(e.sum()),
        loglik_null=loglik0,
        loglik=loglik,
        lrt={"stat": stat, "df": float(df), "p": float(stats.chi2.sf(stat, df))},
        iterations=iterations,
        converged=converged,
        var=var,
    )
