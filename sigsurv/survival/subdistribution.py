"""Fine–Gray proportional subdistribution-hazards regression (R ``cmprsk::crr``).

Event codes: ``0`` = censored, ``1 .. k`` = the cause of the event. :func:`fine_gray`
fits the model by the censoring-weighted score equations of Fine & Gray (1999)
(Breslow handling of ties, one censoring distribution estimated by Kaplan–Meier at
``t-``) with ``crr``'s Newton–Raphson steps, convergence rule and robust (sandwich)
variance (Gray's Fortran routines ``crrfsv`` and ``crrvv``), so the numbers agree
with ``crr`` to rounding. :mod:`sigsurv.survival.competing` gathers this module, the
cumulative incidence and the cause-specific Cox model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._docstrings import fill_doc
from sigsurv._results import HazardRatio, ResultMixin
from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival._design import build_design
from sigsurv.survival._exact_times import exact_time_km_table
from sigsurv.survival._result_format import jsonable, records
from sigsurv.survival._validate import check_competing_arrays

__all__ = ["FineGrayResult", "fine_gray"]


# --------------------------------------------------------------------------------------
# Fine–Gray regression (cmprsk ``crr``)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _FineGrayData:
    """Sorted data and the pieces of the weighted risk sets that do not depend on beta."""

    time: np.ndarray  # sorted follow-up times
    status: np.ndarray  # 0 censored, 1 cause of interest, 2 other cause
    x: np.ndarray  # n x p design, sorted like time
    g_left: np.ndarray  # censoring KM just before each time, G(t-)
    fail_times: np.ndarray  # distinct times of the cause, ascending
    n_fail: np.ndarray  # events of the cause at each of them
    g_fail: np.ndarray  # G(t-) at each of them
    first_at_risk: np.ndarray  # first sorted row with time >= each failure time
    n_other_before: np.ndarray  # other-cause rows with time < each failure time
    other_rows: np.ndarray  # sorted rows with an other-cause event


def _censoring_left(time: np.ndarray, censored: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Censoring Kaplan–Meier ``G(t-)`` at ``at``, as ``crr``.

    ``crr`` evaluates the step function at ``t (1 - 100 eps)``: at ``t = 0`` that
    is ``G(0)`` itself, so censorings at time 0 count there.
    """
    table = exact_time_km_table(time, censored.astype(float))
    grid, surv = table["time"].to_numpy(), table["surv"].to_numpy()
    idx = np.where(
        at > 0, np.searchsorted(grid, at, side="left"), np.searchsorted(grid, at, "right")
    )
    return np.concatenate(([1.0], surv))[idx]


def _fine_gray_data(t: np.ndarray, e: np.ndarray, x: np.ndarray, cause: int) -> _FineGrayData:
    order = np.argsort(t, kind="stable")
    time, code, xs = t[order], e[order], x[order]
    status = np.where(code == cause, 1, np.where(code > 0, 2, 0))
    fail_times, n_fail = np.unique(time[status == 1], return_counts=True)
    other_rows = np.flatnonzero(status == 2)
    return _FineGrayData(
        time=time,
        status=status,
        x=xs,
        g_left=_censoring_left(time, status == 0, time),
        fail_times=fail_times,
        n_fail=n_fail.astype(float),
        g_fail=_censoring_left(time, status == 0, fail_times),
        first_at_risk=np.searchsorted(time, fail_times, side="left"),
        n_other_before=np.searchsorted(time[other_rows], fail_times, side="left"),
        other_rows=other_rows,
    )


def _risk_sums(
    data: _FineGrayData, beta: np.ndarray, order: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted risk-set sums S0, S1 (and S2 if ``order == 2``) at each failure time.

    Risk set at a failure time ``u``: everyone with time >= u (weight ``exp(x b)``)
    plus other-cause failures before ``u`` (weight ``exp(x b) G(u-) / G(t_i-)``).
    """
    x = data.x
    w = np.exp(x @ beta)
    terms = [w[:, None], w[:, None] * x]
    if order == 2:
        terms.append((w[:, None, None] * x[:, :, None] * x[:, None, :]).reshape(x.shape[0], -1))
    sums = []
    for term in terms:
        tail = np.vstack([np.cumsum(term[::-1], axis=0)[::-1], np.zeros((1, term.shape[1]))])
        other = term[data.other_rows] / data.g_left[data.other_rows, None]
        head = np.vstack([np.zeros((1, term.shape[1])), np.cumsum(other, axis=0)])
        sums.append(tail[data.first_at_risk] + data.g_fail[:, None] * head[data.n_other_before])
    s0 = sums[0][:, 0]
    s2 = sums[2].reshape(-1, x.shape[1], x.shape[1]) if order == 2 else np.empty(0)
    return s0, sums[1], s2


def _neg_loglik(
    data: _FineGrayData, beta: np.ndarray, derivatives: bool
) -> tuple[float, np.ndarray, np.ndarray]:
    """``crrfsv``: minus the log pseudo-likelihood, its gradient and Hessian (Breslow ties)."""
    s0, s1, s2 = _risk_sums(data, beta, 2 if derivatives else 1)
    cases = data.status == 1
    lik = -float((data.x[cases] @ beta).sum()) + float((data.n_fail * np.log(s0)).sum())
    if not derivatives:
        return lik, np.empty(0), np.empty(0)
    xbar = s1 / s0[:, None]
    grad = -data.x[cases].sum(axis=0) + (data.n_fail[:, None] * xbar).sum(axis=0)
    cov = s2 / s0[:, None, None] - xbar[:, :, None] * xbar[:, None, :]
    hess = (data.n_fail[:, None, None] * cov).sum(axis=0)
    return lik, grad, hess


def _newton(
    data: _FineGrayData, beta: np.ndarray, max_iter: int, gtol: float
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, bool, int]:
    """``crr``'s Newton–Raphson with Armijo backtracking and its convergence rule."""
    for it in range(max_iter + 1):
        lik, grad, hess = _neg_loglik(data, beta, True)
        if np.max(np.abs(grad) * np.maximum(np.abs(beta), 1.0)) < max(abs(lik), 1.0) * gtol:
            return beta, lik, grad, hess, True, it
        if it == max_iter:
            break
        step = -np.linalg.solve(hess, grad)
        for _ in range(21):
            new = beta + step
            with np.errstate(over="ignore", invalid="ignore"):
                new_lik = _neg_loglik(data, new, False)[0]
            if np.isfinite(new_lik) and new_lik <= lik + 1e-4 * float(step @ grad):
                break
            step = step * 0.5
        else:
            return beta, lik, grad, hess, False, it
        beta = new
    return beta, lik, grad, hess, False, max_iter


def _sandwich_middle(data: _FineGrayData, beta: np.ndarray) -> np.ndarray:
    """``crrvv``: sum over subjects of (eta_i + psi_i)(eta_i + psi_i)^T.

    ``eta_i`` is subject i's score residual with the failure-time integral, ``psi_i``
    the term from estimating the censoring distribution (Fine & Gray 1999, sec. 3).
    """
    x, time, status, g_left = data.x, data.time, data.status, data.g_left
    n, _p = x.shape
    w = np.exp(x @ beta)
    s0, s1, _ = _risk_sums(data, beta, 1)
    xbar = s1 / s0[:, None]
    d_s0 = data.n_fail / s0
    d_g_s0 = d_s0 * data.g_fail

    def prefix(a: np.ndarray) -> np.ndarray:
        return np.concatenate([np.zeros((1, *a.shape[1:])), np.cumsum(a, axis=0)])

    def suffix(a: np.ndarray) -> np.ndarray:
        return np.concatenate([np.cumsum(a[::-1], axis=0)[::-1], np.zeros((1, *a.shape[1:]))])

    n_fail_upto = np.searchsorted(data.fail_times, time, side="right")
    cum0, cum1 = prefix(d_s0), prefix(d_s0[:, None] * xbar)
    eta = -w[:, None] * (x * cum0[n_fail_upto, None] - cum1[n_fail_upto])
    rev0, rev1 = suffix(d_g_s0), suffix(d_g_s0[:, None] * xbar)
    other = status == 2
    eta[other] -= (w[other] / g_left[other])[:, None] * (
        x[other] * rev0[n_fail_upto[other], None] - rev1[n_fail_upto[other]]
    )
    cases = status == 1
    eta[cases] += x[cases] - xbar[np.searchsorted(data.fail_times, time[cases])]

    cens_times, n_cens = np.unique(time[status == 0], return_counts=True)
    at_risk = n - np.searchsorted(time, cens_times, side="left")
    other_w = (w[other] / g_left[other])[:, None]
    b0 = prefix(other_w[:, 0])[np.searchsorted(time[other], cens_times, side="left")]
    b1 = prefix(other_w * x[other])[np.searchsorted(time[other], cens_times, side="left")]
    k = np.searchsorted(data.fail_times, cens_times, side="left")
    q = b1 * suffix(d_g_s0)[k, None] - b0[:, None] * rev1[k]
    psi = -prefix((n_cens / at_risk**2)[:, None] * q)[np.searchsorted(cens_times, time, "right")]
    cens = status == 0
    at = np.searchsorted(cens_times, time[cens])
    psi[cens] += q[at] / at_risk[at, None]
    resid = eta + psi
    return resid.T @ resid


@dataclass(frozen=True)
class FineGrayResult(ResultMixin):
    """A Fine–Gray subdistribution-hazards fit (R ``cmprsk::crr``).

    Attributes
    ----------
    coef, se
        Coefficients and robust standard errors, indexed by design column.
    var
        Robust (sandwich) variance matrix of the coefficients.
    cause
        Event code of the cause of interest.
    n, events, competing_events
        Subjects, events of the cause, events of other causes.
    loglik, loglik_null
        Log pseudo-likelihood at the estimate and at 0 (R ``fit$loglik``,
        ``fit$loglik.null``).
    converged, iterations
        Whether ``crr``'s convergence rule was met, and after how many Newton steps.
    conf_level
        Level of the confidence intervals.
    reference_levels
        Reference level of each categorical covariate.
    baseline
        ``time, hazard``: jumps of the baseline cumulative subdistribution hazard at
        the distinct event times of the cause (``crr``'s ``uftime``, ``bfitj``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200)
    >>> t = rng.exponential(np.exp(-0.5 * x))
    >>> e = rng.choice([0, 1, 2], size=200, p=[0.2, 0.5, 0.3])
    >>> res = fine_gray(t, e, pd.DataFrame({"x": x}), cause=1)
    >>> res.summary.columns.tolist()
    ['coef', 'se', 'hr', 'ci_lower', 'ci_upper', 'z', 'p']
    """

    coef: pd.Series
    se: pd.Series
    var: pd.DataFrame
    cause: int
    n: int
    events: int
    competing_events: int
    loglik: float
    loglik_null: float
    converged: bool
    iterations: int
    conf_level: float
    reference_levels: dict[str, Any] = field(default_factory=dict)
    baseline: pd.DataFrame = field(default_factory=pd.DataFrame)

    def predict(self, covariates: Any, times: Any = None) -> pd.DataFrame:
        """Cumulative incidence ``1 - exp(-exp(x b) Lambda0(t))`` for covariate profiles.

        As R ``predict.crr``: ``Lambda0`` is the Breslow-type baseline cumulative
        subdistribution hazard at ``b`` (``crr``'s ``bfitj``), covariates are used
        uncentred.

        Parameters
        ----------
        covariates
            ``DataFrame`` with one numeric column per design column of the fit
            (named as :attr:`coef`'s index, e.g. ``grade2`` for a dummy), one row
            per profile.
        times
            Times to evaluate (step function; 0 before the first event time).
            Default: the distinct event times of the cause (``crr``'s ``uftime``).

        Returns
        -------
        pandas.DataFrame
            Rows = times, columns = the profiles' row labels.

        Raises
        ------
        SigsurvInputError
            Missing design columns or non-numeric / missing values.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> res.predict(pd.DataFrame({"x": [0.0, 2.0]}), times=[0.5, 8]).shape
        (2, 2)
        """
        frame = covariates if isinstance(covariates, pd.DataFrame) else pd.DataFrame(covariates)
        missing = [c for c in self.coef.index if c not in frame.columns]
        if missing:
            raise SigsurvInputError(
                "covariates lack design columns of the fit",
                expected=", ".join(self.coef.index),
                found=", ".join(map(str, frame.columns)),
            )
        try:
            x = frame[list(self.coef.index)].to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise SigsurvInputError(
                "prediction covariates must be numeric design columns",
                found=str(frame.dtypes.to_dict()),
            ) from None
        if not np.isfinite(x).all():
            raise SigsurvInputError("prediction covariates have missing values")
        event_times = self.baseline["time"].to_numpy()
        cum_hazard = np.cumsum(self.baseline["hazard"].to_numpy())
        grid = event_times if times is None else np.asarray(times, dtype=float).ravel()
        at = np.searchsorted(event_times, grid, side="right")
        lam = np.concatenate(([0.0], cum_hazard))[at]
        risk = np.exp(x @ self.coef.to_numpy())
        return pd.DataFrame(
            1.0 - np.exp(-np.outer(lam, risk)),
            index=pd.Index(grid, name="time"),
            columns=frame.index,
        )

    def hazard_ratio(self, term: str) -> HazardRatio:
        """One term's subdistribution :class:`~sigsurv._results.HazardRatio`.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> res.hazard_ratio("x").kind
        'subdistribution'
        """
        problems = () if self.converged else ("crr did not converge",)
        return HazardRatio.from_row(
            term,
            self.summary.loc[term].to_dict(),
            converged=self.converged,
            conf_level=self.conf_level,
            kind="subdistribution",
            problems=problems,
        )

    @property
    def hr(self) -> pd.Series:
        """Subdistribution hazard ratios ``exp(coef)``.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> bool(res.hr["x"] == np.exp(res.coef["x"]))
        True
        """
        return np.exp(self.coef).rename("hr")

    @property
    def z(self) -> pd.Series:
        """Wald statistics ``coef / se``.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> bool(res.z["x"] == res.coef["x"] / res.se["x"])
        True
        """
        return (self.coef / self.se).rename("z")

    @property
    def p(self) -> pd.Series:
        """Two-sided Wald p-values.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> bool(0 < res.p["x"] < 1)
        True
        """
        return pd.Series(2.0 * stats.norm.sf(np.abs(self.z)), index=self.coef.index, name="p")

    @property
    def ci_lower(self) -> pd.Series:
        """Lower confidence limit of the hazard ratio.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> bool(res.ci_lower["x"] < res.hr["x"])
        True
        """
        z = stats.norm.ppf(0.5 + self.conf_level / 2.0)
        return np.exp(self.coef - z * self.se).rename("ci_lower")

    @property
    def ci_upper(self) -> pd.Series:
        """Upper confidence limit of the hazard ratio.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> bool(res.ci_upper["x"] > res.hr["x"])
        True
        """
        z = stats.norm.ppf(0.5 + self.conf_level / 2.0)
        return np.exp(self.coef + z * self.se).rename("ci_upper")

    @property
    def lrt(self) -> dict[str, float]:
        """Pseudo likelihood-ratio test (``summary.crr``'s ``logtest``).

        Not a valid test of the model, since the pseudo-likelihood is weighted:
        prefer the Wald tests.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> sorted(res.lrt)
        ['df', 'p', 'stat']
        """
        stat = 2.0 * (self.loglik - self.loglik_null)
        df = float(self.coef.size)
        return {"stat": stat, "df": df, "p": float(stats.chi2.sf(stat, df))}

    @property
    def summary(self) -> pd.DataFrame:
        """One row per design column: ``coef, se, hr, ci_lower, ci_upper, z, p``.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> res.summary.index.tolist()
        ['x']
        """
        return pd.concat(
            [
                self.coef.rename("coef"),
                self.se.rename("se"),
                self.hr,
                self.ci_lower,
                self.ci_upper,
                self.z,
                self.p,
            ],
            axis=1,
        )

    def title(self) -> str:
        """``Fine-Gray model (cause k): n=..., events=..., competing=...``."""
        flag = "" if self.converged else " (NOT CONVERGED)"
        return (
            f"Fine-Gray model (cause {self.cause}): n={self.n}, events={self.events},"
            f" competing={self.competing_events}{flag}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: sizes, ``coefficients`` (summary records), likelihoods, ``lrt``, flags.

        Examples
        --------
        >>> res = fine_gray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 1, 2, 1, 0],
        ...                 [3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.2, 1.2])
        >>> d = res.to_dict()
        >>> d["coefficients"][0]["term"], d["cause"]
        ('x', 1)
        """
        return jsonable(
            {
                "cause": self.cause,
                "n": self.n,
                "events": self.events,
                "competing_events": self.competing_events,
                "coefficients": records(self.summary.rename_axis("term")),
                "loglik": self.loglik,
                "loglik_null": self.loglik_null,
                "lrt": self.lrt,
                "converged": self.converged,
                "iterations": self.iterations,
                "conf_level": self.conf_level,
                "reference_levels": {k: str(v) for k, v in self.reference_levels.items()},
            }
        )


@fill_doc
def fine_gray(
    time: Any,
    event: Any,
    covariates: Any,
    cause: int = 1,
    *,
    reference_levels: dict[str, Any] | None = None,
    max_iter: int = 10,
    gtol: float = 1e-6,
    conf_level: float = 0.95,
) -> FineGrayResult:
    """Fine–Gray proportional subdistribution-hazards regression, as R ``cmprsk::crr``.

    Parameters
    ----------
    %(time_cause)s
    covariates
        ``DataFrame``, ``Series`` or numeric array; categorical columns become
        treatment dummies exactly as in :func:`~sigsurv.survival.cox.cox_fit`.
        Rows with missing values are refused (select complete cases first;
        ``crr`` drops them silently).
    cause
        Event code of the cause of interest (``crr``'s ``failcode``).
    reference_levels
        Mapping column -> reference level of a categorical covariate.
    max_iter, gtol
        ``crr``'s ``maxiter`` and ``gtol``.
    conf_level
        Level of the hazard-ratio confidence intervals.

    Returns
    -------
    FineGrayResult
        Coefficients, robust standard errors, hazard ratios with CI and p-values.

    Raises
    ------
    CohortValidationError
        Bad times or event codes.
    AnalysisError
        No event of ``cause``; a constant covariate; a singular information matrix.
    SigsurvInputError
        Malformed covariates.

    Warns
    -----
    SigsurvWarning
        ``crr``'s convergence rule not met within ``max_iter`` Newton steps.

    References
    ----------
    .. [1] Fine JP, Gray RJ. A proportional hazards model for the subdistribution of a competing
           risk. J Am Stat Assoc. 1999;94(446):496-509.

    Examples
    --------
    >>> time = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    >>> event = [1, 2, 1, 0, 1, 2, 0, 1, 2, 1, 0, 0]
    >>> age = [70, 50, 66, 45, 62, 58, 40, 60, 52, 55, 48, 43]
    >>> res = fine_gray(time, event, pd.DataFrame({"age": age}), cause=1)
    >>> res.coef.round(4).to_dict(), res.se.round(4).to_dict()  # R crr: 0.6095917, 0.18222
    ({'age': 0.6096}, {'age': 0.1822})
    """
    t, e = check_competing_arrays(time, event, cause)
    if not 0 < conf_level < 1:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    design = build_design(covariates, reference_levels)
    if design.matrix.shape[0] != t.size:
        raise SigsurvInputError(
            "covariates and time have different numbers of rows",
            expected=f"{t.size} rows",
            found=design.matrix.shape[0],
        )
    data = _fine_gray_data(t, e, design.matrix, cause)
    p = design.matrix.shape[1]
    try:
        beta, lik, _, hess, converged, iterations = _newton(data, np.zeros(p), max_iter, gtol)
        bread = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        raise AnalysisError(
            "the Fine-Gray information matrix is singular (collinear covariates or a "
            "covariate that separates the events)",
            found=", ".join(design.columns),
        ) from None
    if not converged:
        warnings.warn(
            f"Fine-Gray fit did not converge in {iterations} iterations (crr's rule): "
            "the estimates are not reliable",
            SigsurvWarning,
            stacklevel=2,
        )
    var = bread @ _sandwich_middle(data, beta) @ bread.T
    names = pd.Index(design.columns)
    return FineGrayResult(
        coef=pd.Series(beta, index=names, name="coef"),
        se=pd.Series(np.sqrt(np.diag(var)), index=names, name="se"),
        var=pd.DataFrame(var, index=names, columns=names),
        cause=int(cause),
        n=int(t.size),
        events=int((e == cause).sum()),
        competing_events=int(((e > 0) & (e != cause)).sum()),
        loglik=-lik,
        loglik_null=-_neg_loglik(data, np.zeros(p), False)[0],
        converged=converged,
        iterations=iterations,
        conf_level=float(conf_level),
        reference_levels=dict(design.reference_levels),
        baseline=pd.DataFrame(
            {"time": data.fail_times, "hazard": data.n_fail / _risk_sums(data, beta, 1)[0]}
        ),
    )
