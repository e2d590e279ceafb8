"""Cox proportional-hazards regression, numerically identical to R survival 3.5.

The fitter is a vectorised port of R survival's ``coxph.fit`` / ``coxfit6``
(the engine of ``coxph()`` for right-censored data):

* covariates whose values are not all in {-1, 0, 1} are centred and scaled by
  ``n / sum|x - mean|`` before fitting (``coxph``'s ``nocenter = c(-1, 0, 1)``);
  results are transformed back, exactly as R does;
* Newton–Raphson starts at 0; iteration ``k`` evaluates the log partial
  likelihood at the proposed coefficients and stops when
  ``|1 - loglik_best / loglik_new| <= eps`` (default 1e-9, max 20 iterations);
  if the likelihood went down (or overflowed) the step is shrunk towards the
  last accepted coefficients, ``beta_new = (beta_new + h * beta) / (h + 1)``
  with ``h`` the number of consecutive failures (R's "step halving");
* ties by Efron (default) or Breslow, the information matrix factored with
  R's ``cholesky2`` (tolerance ``eps^0.75`` of machine precision) so that
  singular columns are detected the same way;
* R's warnings become flags: "Ran out of iterations and did not converge"
  and "Loglik converged before variable ...; coefficient may be infinite"
  (``|u V| > eps`` and ``> sqrt(eps) |coef|`` for the last step ``u V``).
  A flagged model has ``well_defined = False`` and its ``problems`` say why.

The proportional-hazards check is R's ``cox.zph(fit, transform = "km")``
(score test for ``x * g(t)`` terms with ``g`` = 1 - left-continuous KM,
centred on the event times), per term and GLOBAL. Concordance is
``concordance(fit)``: Harrell's C of the linear predictor (see
:mod:`sigsurv.survival.concordance`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival._design import Design, build_design, validate_survival
from sigsurv.survival.concordance import ConcordanceResult, _harrell

__all__ = ["CoxResult", "cox_fit", "standardize"]

#: R's ``coxph.control()$toler.chol``.
TOLER_CHOL = float(np.finfo(float).eps ** 0.75)
#: Fewer events than this trigger a :class:`SigsurvWarning`.
MIN_EVENTS = 10


def standardize(x: Any) -> np.ndarray:
    """Z-score a vector with the sample standard deviation (``ddof=1``, R's ``sd``).

    The hazard ratio *per standard deviation* of a score is the hazard ratio
    of ``standardize(score)``.

    Parameters
    ----------
    x
        Values (1-D, finite, not constant).

    Returns
    -------
    numpy.ndarray
        ``(x - mean(x)) / sd(x)``.

    Raises
    ------
    AnalysisError
        Constant ``x`` (the standard deviation is 0).

    Examples
    --------
    >>> standardize([1.0, 2.0, 3.0]).tolist()
    [-1.0, 0.0, 1.0]
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise SigsurvInputError(
            "standardize needs a 1-D vector of at least 2 values",
            expected="1-D array",
            found=f"shape {arr.shape}",
        )
    if not np.isfinite(arr).all():
        raise SigsurvInputError(
            "cannot standardize missing or infinite values", expected="finite", found="NA/inf"
        )
    sd = arr.std(ddof=1)
    if sd == 0:
        raise AnalysisError(
            "cannot standardize a constant vector",
            expected="varying values",
            found=f"all {arr[0]:g}",
        )
    return (arr - arr.mean()) / sd


# --------------------------------------------------------------------------------------
# R's Cholesky routines (cholesky2 / chsolve2 / chinv2), generalised LDL' with
# singularity detection. Ports keep R's semantics, including the zeroed pivots.
# --------------------------------------------------------------------------------------
def _cholesky2(matrix: np.ndarray, toler: float) -> tuple[np.ndarray, int]:
    n = matrix.shape[0]
    m = np.array(matrix, dtype=np.float64, copy=True)
    m = np.triu(m) + np.triu(m, 1).T  # lower triangle mirrors the upper
    diag = np.diag(m)
    eps = 0.0
    for i in range(n):
        if diag[i] > eps:
            eps = diag[i]
    if eps == 0:
        return m, 0
    eps *= toler
    rank = 0
    nonneg = 1
    for i in range(n):
        pivot = m[i, i]
        if not np.isfinite(pivot) or pivot < eps:
            m[i, i] = 0.0
            if pivot < -8 * eps:
                nonneg = -1
        else:
            rank += 1
            for j in range(i + 1, n):
                temp = m[j, i] / pivot
                m[j, i] = temp
                m[j, j] -= temp * temp * pivot
                m[j + 1 :, j] -= temp * m[j + 1 :, i]
    return m, rank * nonneg


def _chsolve2(chol: np.ndarray, y: np.ndarray) -> np.ndarray:
    n = chol.shape[0]
    b = np.array(y, dtype=np.float64, copy=True)
    for i in range(n):
        b[i] = b[i] - np.dot(b[:i], chol[i, :i])
    for i in range(n - 1, -1, -1):
        if chol[i, i] == 0:
            b[i] = 0.0
        else:
            b[i] = b[i] / chol[i, i] - np.dot(b[i + 1 :], chol[i + 1 :, i])
    return b


def _chinv2(chol: np.ndarray) -> np.ndarray:
    n = chol.shape[0]
    m = chol.copy()
    for i in range(n):
        if m[i, i] > 0:
            m[i, i] = 1.0 / m[i, i]
            for j in range(i + 1, n):
                m[j, i] = -m[j, i]
                m[j, :i] += m[j, i] * m[i, :i]
    for i in range(n):
        if m[i, i] == 0:
            m[:i, i] = 0.0
            m[i, i:] = 0.0
        else:
            for j in range(i + 1, n):
                temp = m[j, i] * m[j, j]
                m[i, j] = temp
                m[i, i:j] += temp * m[j, i:j]
    upper = np.triu(m)
    return upper + np.triu(upper, 1).T


# --------------------------------------------------------------------------------------
# Risk-set bookkeeping and the log partial likelihood with its derivatives
# --------------------------------------------------------------------------------------
@dataclass
class _Stratum:
    """One stratum, sorted by time, with the tie structure the likelihood needs."""

    rows: np.ndarray  # indices into the caller's arrays, sorted by time
    group_start: np.ndarray  # first sorted position of each distinct time
    death_pos: np.ndarray  # sorted positions of the events
    death_group: np.ndarray  # distinct-time index of each event
    death_bounds: np.ndarray  # reduceat boundaries of events grouped by time
    death_frac: np.ndarray  # Efron fraction k/d of each event (0 for Breslow)
    group_has_death: np.ndarray  # distinct-time index of each block in death_bounds


def _build_strata(
    time: np.ndarray, event: np.ndarray, strata: np.ndarray | None, efron: bool
) -> list[_Stratum]:
    if strata is None:
        stratum_rows = [np.arange(time.shape[0])]
    else:
        codes = pd.factorize(pd.Series(strata), sort=True)[0]
        stratum_rows = [np.flatnonzero(codes == c) for c in range(codes.max() + 1)]
    out = []
    for rows in stratum_rows:
        order = rows[np.argsort(time[rows], kind="stable")]
        t = time[order]
        e = event[order]
        new_group = np.concatenate([[True], t[1:] != t[:-1]])
        group_id = np.cumsum(new_group) - 1
        group_start = np.flatnonzero(new_group)
        death_pos = np.flatnonzero(e == 1)
        death_group = group_id[death_pos]
        first_of_block = np.concatenate([[True], death_group[1:] != death_group[:-1]])
        death_bounds = np.flatnonzero(first_of_block)
        block_sizes = np.diff(np.concatenate([death_bounds, [death_pos.shape[0]]]))
        rank_in_block = np.arange(death_pos.shape[0]) - np.repeat(death_bounds, block_sizes)
        ndead = np.repeat(block_sizes, block_sizes)
        frac = rank_in_block / ndead if efron else np.zeros(death_pos.shape[0])
        out.append(
            _Stratum(
                rows=order,
                group_start=group_start,
                death_pos=death_pos,
                death_group=death_group,
                death_bounds=death_bounds,
                death_frac=frac,
                group_has_death=death_group[death_bounds],
            )
        )
    return out


def _reverse_cumsum(a: np.ndarray) -> np.ndarray:
    """Sum from each position to the end along axis 0 (R's backwards accumulation)."""
    return np.cumsum(a[::-1], axis=0)[::-1]


def _event_moments(
    s: _Stratum, xs: np.ndarray, risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event: risk-set denominator, weighted mean of x and weighted E[x x'].

    With Efron ties the k-th of d tied events (k = 0..d-1) sees the risk set
    minus k/d of the tied events' weight (Breslow: ``death_frac`` is 0).
    """
    rx = risk[:, None] * xs
    rxx = rx[:, :, None] * xs[:, None, :]
    s0 = _reverse_cumsum(risk)[s.group_start]
    s1 = _reverse_cumsum(rx)[s.group_start]
    s2 = _reverse_cumsum(rxx)[s.group_start]
    dp = s.death_pos
    sizes = np.diff(np.concatenate([s.death_bounds, [dp.shape[0]]]))
    block = np.repeat(np.arange(s.death_bounds.shape[0]), sizes)
    d0 = np.add.reduceat(risk[dp], s.death_bounds)[block]
    d1 = np.add.reduceat(rx[dp], s.death_bounds, axis=0)[block]
    d2 = np.add.reduceat(rxx[dp], s.death_bounds, axis=0)[block]
    g = s.death_group
    f = s.death_frac
    denom = s0[g] - f * d0
    mean = (s1[g] - f[:, None] * d1) / denom[:, None]
    second = (s2[g] - f[:, None, None] * d2) / denom[:, None, None]
    return denom, mean, second


def _loglik_derivs(
    beta: np.ndarray, x: np.ndarray, strata: list[_Stratum]
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information at ``beta`` (x already centred/scaled)."""
    p = x.shape[1]
    loglik = 0.0
    u = np.zeros(p)
    imat = np.zeros((p, p))
    # Overflow (huge trial coefficients) is caught by the caller's finiteness check.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for s in strata:
            if s.death_pos.size == 0:
                continue
            xs = x[s.rows]
            eta = xs @ beta
            denom, mean, second = _event_moments(s, xs, np.exp(eta))
            dp = s.death_pos
            loglik += float(eta[dp].sum() - np.log(denom).sum())
            u += xs[dp].sum(axis=0) - mean.sum(axis=0)
            imat += second.sum(axis=0) - mean.T @ mean
    return loglik, u, imat


@dataclass
class _FitState:
    coef: np.ndarray
    var: np.ndarray
    u: np.ndarray
    loglik0: float
    loglik: float
    score_test: float
    iterations: int
    flag: int
    means: np.ndarray


def _coxfit6(
    x: np.ndarray,
    kernel: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray, np.ndarray]],
    doscale: np.ndarray,
    max_iter: int,
    eps: float,
    toler: float,
) -> _FitState:
    """Newton–Raphson exactly as R's ``coxfit6`` (iteration count, halving, flags)."""
    n, p = x.shape
    means = np.where(doscale, x.mean(axis=0), 0.0)
    xc = x - means
    mad = np.abs(xc).sum(axis=0)
    scale = np.where(doscale & (mad > 0), n / np.where(mad > 0, mad, 1.0), 1.0)
    xc = xc * scale

    def evaluate(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        return kernel(xc, b)

    beta = np.zeros(p)
    loglik0, u, imat = evaluate(beta)
    chol, flag = _cholesky2(imat, toler)
    a = _chsolve2(chol, u)
    score_test = float(u @ a)
    best = loglik0
    if max_iter == 0 or not np.isfinite(loglik0):
        var = _chinv2(chol)
        return _FitState(
            beta * scale,
            var * np.outer(scale, scale),
            u / scale,
            loglik0,
            loglik0,
            score_test,
            0,
            flag,
            means,
        )
    newbeta = beta + a
    halving = 0
    iteration = 1
    while iteration <= max_iter:
        newlk, u, imat = evaluate(newbeta)
        chol, flag = _cholesky2(imat, toler)
        finite = bool(np.isfinite(u).all() and np.isfinite(imat).all() and np.isfinite(newlk))
        if finite and abs(1.0 - best / newlk) <= eps:
            var = _chinv2(chol)
            if halving:
                flag = -2
            return _FitState(
                newbeta * scale,
                var * np.outer(scale, scale),
                u / scale,
                loglik0,
                newlk,
                score_test,
                iteration,
                flag,
                means,
            )
        if not finite or newlk < best:
            halving += 1
            newbeta = (newbeta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best = newlk
            step = _chsolve2(chol, u)
            beta = newbeta
            newbeta = newbeta + step
        iteration += 1
    # Ran out of iterations: report the last accepted coefficients. Like coxfit6,
    # recompute u and the information there and invert the *unfactored* matrix with
    # chinv2, which yields diag(1 / I_jj): R's variance for a fit that ran out.
    if max_iter > 1:
        best, u, imat = evaluate(beta)
        d = np.diag(imat)
        with np.errstate(divide="ignore"):
            var = np.diag(np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), d))
    else:
        var = _chinv2(chol)
    return _FitState(
        beta * scale,
        var * np.outer(scale, scale),
        u / scale,
        loglik0,
        best,
        score_test,
        iteration,
        1000,
        means,
    )


# --------------------------------------------------------------------------------------
# Proportional-hazards test (R cox.zph, transform = "km")
# --------------------------------------------------------------------------------------
def _km_left(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """1 - S(t-) of the pooled Kaplan–Meier estimate, at each subject's time."""
    utime, inverse = np.unique(time, return_inverse=True)
    n_event = np.bincount(inverse, weights=event.astype(float), minlength=utime.size)
    n_total = np.bincount(inverse, minlength=utime.size).astype(float)
    at_risk = time.shape[0] - np.concatenate([[0.0], np.cumsum(n_total)[:-1]])
    surv = np.cumprod(1.0 - n_event / at_risk)
    left = np.concatenate([[1.0], surv[:-1]])
    return 1.0 - left[inverse]


def _zph(
    time: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    eta: np.ndarray,
    strata: list[_Stratum],
    terms: dict[str, list[int]],
) -> pd.DataFrame:
    p = x.shape[1]
    ttimes = _km_left(time, event)
    gtime = ttimes - ttimes[event == 1].mean()
    xc = x - x.mean(axis=0)
    u2 = np.zeros(p)
    imat = np.zeros((2 * p, 2 * p))
    for s in strata:
        if s.death_pos.size == 0:
            continue
        xs = xc[s.rows]
        _, mean, second = _event_moments(s, xs, np.exp(eta[s.rows]))
        v = second - mean[:, :, None] * mean[:, None, :]
        dp = s.death_pos
        gt = gtime[s.rows][dp]
        u2 += (gt[:, None] * (xs[dp] - mean)).sum(axis=0)
        imat[:p, :p] += v.sum(axis=0)
        imat[:p, p:] += (gt[:, None, None] * v).sum(axis=0)
        imat[p:, p:] += (gt[:, None, None] ** 2 * v).sum(axis=0)
    imat[p:, :p] = imat[:p, p:].T
    score = np.concatenate([np.zeros(p), u2])

    def quad(sub: np.ndarray, uu: np.ndarray) -> float:
        try:
            return float(np.linalg.solve(sub, uu) @ uu)
        except np.linalg.LinAlgError:
            # e.g. all events at one time: g(t) has no spread, the test does not exist.
            return float("nan")

    rows = []
    for name, cols in terms.items():
        kk = list(range(p)) + [p + j for j in cols]
        rows.append((name, quad(imat[np.ix_(kk, kk)], score[kk]), len(cols)))
    rows.append(("GLOBAL", quad(imat, score), p))
    table = pd.DataFrame(rows, columns=["term", "chisq", "df"]).set_index("term")
    table["p"] = stats.chi2.sf(table["chisq"], table["df"])
    return table


# --------------------------------------------------------------------------------------
# Public result and fitter
# --------------------------------------------------------------------------------------
@dataclass
class CoxResult:
    """A fitted Cox model (lifelines-style result object).

    Attributes
    ----------
    summary
        One row per design column: ``term, coef, se, hr, ci_lower, ci_upper, z,
        p_wald, may_be_infinite``. When ``well_defined`` is False the numbers of
        flagged rows are *not* estimates (they depend on when iteration stopped).
    n, events
        Subjects and events used.
    ties
        ``"efron"`` or ``"breslow"``.
    loglik_null, loglik
        Log partial likelihood at 0 and at the estimate.
    lrt, wald, score
        Global tests, each ``{"stat", "df", "p"}``.
    concordance
        Harrell's C of the linear predictor (R ``fit$concordance``).
    iterations
        Newton–Raphson iterations (R ``fit$iter``).
    converged
        False when the iteration limit was reached.
    well_defined
        False when R would warn (non-convergence, infinite coefficient) or a
        column is singular.
    problems
        Human-readable reasons for ``well_defined = False``.
    ph_test
        Scaled Schoenfeld residual test (R ``cox.zph``, ``transform="km"``)
        per term and GLOBAL: ``chisq, df, p``.
    reference_levels
        Reference level of each categorical covariate.
    terms
        Covariate (term) -> its design columns.
    fit_data
        The data the model was fitted on (``time``, ``event`` as used, ``design``
        DataFrame of design columns, ``strata`` or None, ``conf_level``), kept so
        that :meth:`to_lifelines` can refit it; None for results made elsewhere.
    var
        Variance–covariance matrix of the coefficients.
    linear_predictor
        ``X beta`` centred as R's ``fit$linear.predictors`` (input order).
    """

    summary: pd.DataFrame
    n: int
    events: int
    ties: str
    loglik_null: float
    loglik: float
    lrt: dict[str, float]
    wald: dict[str, float]
    score: dict[str, float]
    concordance: ConcordanceResult
    iterations: int
    converged: bool
    well_defined: bool
    problems: list[str]
    ph_test: pd.DataFrame
    reference_levels: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, list[str]] = field(default_factory=dict)
    fit_data: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    var: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    linear_predictor: np.ndarray = field(default_factory=lambda: np.empty(0))
    strata: int = 1

    @property
    def params_(self) -> pd.Series:
        """Coefficients indexed by term (lifelines name)."""
        return self.summary["coef"]

    @property
    def hazard_ratios_(self) -> pd.Series:
        """Hazard ratios indexed by term (lifelines name)."""
        return self.summary["hr"]

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation (JSON-ready; infinite values become None).

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=40)
        >>> res = cox_fit(rng.exponential(np.exp(-x)), (rng.uniform(size=40) < 0.7), x)
        >>> d = res.to_dict()
        >>> d["well_defined"], d["coefficients"][0]["term"], d["ph_test"][-1]["term"]
        (True, 'x', 'GLOBAL')
        """

        def clean(v: Any) -> Any:
            if isinstance(v, dict):
                return {str(k): clean(w) for k, w in v.items()}
            if isinstance(v, list | tuple):
                return [clean(w) for w in v]
            if isinstance(v, np.bool_ | bool):
                return bool(v)
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, float | np.floating):
                return float(v) if np.isfinite(v) else None
            return v

        return clean(
            {
                "n": self.n,
                "events": self.events,
                "ties": self.ties,
                "strata": self.strata,
                "coefficients": self.summary.reset_index().to_dict(orient="records"),
                "loglik_null": self.loglik_null,
                "loglik": self.loglik,
                "lrt": self.lrt,
                "wald": self.wald,
                "score": self.score,
                "concordance": self.concordance.to_dict(),
                "iterations": self.iterations,
                "converged": self.converged,
                "well_defined": self.well_defined,
                "problems": list(self.problems),
                "ph_test": self.ph_test.reset_index().to_dict(orient="records"),
                "reference_levels": {k: str(v) for k, v in self.reference_levels.items()},
            }
        )

    def __str__(self) -> str:
        lines = [f"Cox model ({self.ties} ties): n={self.n}, events={self.events}"]
        if not self.well_defined:
            lines.append("NOT WELL DEFINED: " + "; ".join(self.problems))
        for term, row in self.summary.iterrows():
            if not self.converged:
                lines.append(f"  {term}: not estimated (iteration did not converge)")
            elif row["may_be_infinite"] or not np.isfinite(row["coef"]):
                lines.append(f"  {term}: not estimable (coefficient may be infinite)")
            else:
                lines.append(
                    f"  {term}: HR {row['hr']:.4g} ({row['ci_lower']:.4g}-{row['ci_upper']:.4g}),"
                    f" p={row['p_wald']:.3g}"
                )
        lines.append(
            f"  LRT {self.lrt['stat']:.4g} on {self.lrt['df']:g} df, p={self.lrt['p']:.3g};"
            f" C={self.concordance.concordance:.3f}"
        )
        return "\n".join(lines)

    def to_lifelines(self) -> Any:
        """The same model as a fitted ``lifelines.CoxPHFitter`` (Efron ties only).

        See :func:`sigsurv.survival.lifelines_bridge.to_lifelines`.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=40)
        >>> res = cox_fit(rng.exponential(np.exp(-x)), (rng.uniform(size=40) < 0.7), x)
        >>> cph = res.to_lifelines()
        >>> bool(abs(cph.params_["x"] - res.params_["x"]) < 1e-6)
        True
        """
        from sigsurv.survival.lifelines_bridge import to_lifelines

        return to_lifelines(self)


def _chi2_test(stat: float, df: int) -> dict[str, float]:
    return {"stat": float(stat), "df": float(df), "p": float(stats.chi2.sf(stat, df))}


def cox_fit(
    time: Any,
    event: Any,
    covariates: Any,
    *,
    ties: str = "efron",
    strata: Any = None,
    reference_levels: Mapping[str, Any] | None = None,
    max_iter: int = 20,
    eps: float = 1e-9,
    conf_level: float = 0.95,
) -> CoxResult:
    """Fit a Cox proportional-hazards model exactly as R's ``coxph``.

    Parameters
    ----------
    time, event
        Follow-up times and 0/1 event indicators (no missing values).
    covariates
        ``DataFrame`` (numeric columns as they are; categorical, object and
        bool columns as treatment dummies ``<column><level>`` against a
        reference level, by default the first observed level in sorted order,
        or the first category of a pandas ``Categorical``), ``Series``, or a
        1-D/2-D numeric array. Rows with missing values are refused (select
        complete cases explicitly).
    ties
        ``"efron"`` (R's default) or ``"breslow"``.
    strata
        Optional stratum per subject (e.g. sequencing platform): separate
        baseline hazards, as ``+ strata(s)`` in R.
    reference_levels
        Mapping column -> reference level, e.g. ``{"grade": "1"}``.
    max_iter, eps
        R's ``coxph.control(iter.max, eps)``.
    conf_level
        Level of the hazard-ratio confidence intervals.

    Returns
    -------
    CoxResult
        Coefficients, tests, concordance, PH test and convergence flags.

    Raises
    ------
    AnalysisError
        No events, a constant covariate, a categorical covariate with one level.
    SigsurvInputError
        Malformed input (lengths, missing values, unknown ties method...).

    Warns
    -----
    SigsurvWarning
        Fewer than 10 events, or a model that is not well defined.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=40)
    >>> t = rng.exponential(np.exp(-0.7 * x)).round(2) + 0.01
    >>> e = (rng.uniform(size=40) < 0.7).astype(int)
    >>> res = cox_fit(t, e, pd.DataFrame({"score": x}))
    >>> round(float(res.summary.loc["score", "coef"]), 4), res.events
    (1.5611, 19)
    >>> res.iterations, res.well_defined
    (5, True)
    """
    if ties not in ("efron", "breslow"):
        raise SigsurvInputError("unknown ties method", expected="'efron' or 'breslow'", found=ties)
    if not 0 < conf_level < 1:
        raise SigsurvInputError(
            "conf_level must be in (0, 1)", expected="e.g. 0.95", found=conf_level
        )
    t, e = validate_survival(time, event)
    design = build_design(covariates, reference_levels)
    if design.matrix.shape[0] != t.shape[0]:
        raise SigsurvInputError(
            "covariates and time have different numbers of rows",
            expected=f"{t.shape[0]} rows",
            found=design.matrix.shape[0],
        )
    strata_arr = None
    if strata is not None:
        strata_arr = np.asarray(strata, dtype=object)
        if strata_arr.shape != t.shape:
            raise SigsurvInputError(
                "strata must have one value per subject",
                expected=f"{t.shape[0]} values",
                found=f"shape {strata_arr.shape}",
            )
        if pd.isna(pd.Series(strata_arr)).any():
            raise SigsurvInputError(
                "strata has missing values", column="strata", expected="complete cases", found="NA"
            )
    n_events = int(e.sum())
    if n_events == 0:
        raise AnalysisError(
            "no events: a Cox model cannot be fitted", expected=">= 1 event", found="0 events"
        )
    if n_events < MIN_EVENTS:
        warnings.warn(
            f"only {n_events} events: Cox estimates are unreliable (fewer than {MIN_EVENTS})",
            SigsurvWarning,
            stacklevel=2,
        )
    result = _fit_design(t, e, design, ties, strata_arr, max_iter, eps, conf_level)
    result.fit_data = {
        "time": t,
        "event": e,
        "design": pd.DataFrame(design.matrix, columns=list(design.columns)),
        "strata": strata_arr,
        "conf_level": float(conf_level),
    }
    return result


def _fit_design(
    t: np.ndarray,
    e: np.ndarray,
    design: Design,
    ties: str,
    strata_arr: np.ndarray | None,
    max_iter: int,
    eps: float,
    conf_level: float,
) -> CoxResult:
    x = design.matrix
    n, p = x.shape
    risk_sets = _build_strata(t, e, strata_arr, ties == "efron")
    doscale = ~np.all(np.isin(x, (-1.0, 0.0, 1.0)), axis=0)

    def kernel(xs: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        return _loglik_derivs(b, xs, risk_sets)

    state = _coxfit6(x, kernel, doscale, max_iter, eps, TOLER_CHOL)
    coef = state.coef.copy()
    var = state.var
    problems: list[str] = []
    singular = np.zeros(p, dtype=bool)
    if 0 <= state.flag < p:
        singular = np.diag(var) == 0
        for j in np.flatnonzero(singular):
            problems.append(
                f"{design.columns[j]}: column is linearly dependent on the others"
                " (coefficient not estimable)"
            )
        coef[singular] = np.nan
    infinite = np.zeros(p, dtype=bool)
    converged = state.flag != 1000
    if max_iter > 1:
        if not converged:
            problems.append(f"ran out of iterations ({max_iter}) and did not converge")
            lp_check = x @ np.nan_to_num(coef) - float(np.sum(np.nan_to_num(coef) * state.means))
            if lp_check.max() > 500 or not np.isfinite(state.u @ var).all():
                problems.append("one or more coefficients may be infinite")
        else:
            step = np.abs(state.u @ var)
            infinite = ~np.isfinite(state.u) | (
                (step > eps) & (step > np.sqrt(eps) * np.abs(np.nan_to_num(coef)))
            )
            if infinite.any():
                names = ", ".join(design.columns[j] for j in np.flatnonzero(infinite))
                problems.append(
                    f"log-likelihood converged before {names}: coefficient may be infinite"
                    " (monotone likelihood, e.g. a level without events)"
                )
    with np.errstate(invalid="ignore"):
        # A negative variance only occurs for singular terms, which are set to NaN here.
        se = np.sqrt(np.diag(var))
    se = np.where(singular, np.nan, se)
    zq = stats.norm.ppf(1 - (1 - conf_level) / 2)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z = coef / se
        summary = pd.DataFrame(
            {
                "coef": coef,
                "se": se,
                "hr": np.exp(coef),
                "ci_lower": np.exp(coef - zq * se),
                "ci_upper": np.exp(coef + zq * se),
                "z": z,
                "p_wald": 2 * stats.norm.sf(np.abs(z)),
                "may_be_infinite": infinite,
            },
            index=pd.Index(design.columns, name="term"),
        )
    ok = ~singular
    df = int(ok.sum())
    lrt = _chi2_test(2 * (state.loglik - state.loglik0), df)
    b = coef[ok]
    v = var[np.ix_(ok, ok)]
    # R's coxph.wtest: solve with the same rank-revealing Cholesky (toler.chol).
    wald_stat = float(b @ _chsolve2(_cholesky2(v, TOLER_CHOL)[0], b)) if df else 0.0
    wald = _chi2_test(wald_stat, df)
    score = _chi2_test(state.score_test, df)
    lp = x @ np.nan_to_num(coef) - float(np.sum(np.nan_to_num(coef) * state.means))
    try:
        conc = _harrell(t, e, lp, strata_arr, reverse=True)
    except AnalysisError:
        # R still fits the model when no pair is comparable; C is then undefined (NA).
        conc = ConcordanceResult(
            concordance=float("nan"),
            concordant=0.0,
            discordant=0.0,
            tied_x=0.0,
            tied_y=0.0,
            tied_xy=0.0,
            std=float("nan"),
            n=n,
        )
        warnings.warn(
            "no comparable pair of subjects: the concordance is undefined (NaN)",
            SigsurvWarning,
            stacklevel=3,
        )
    terms_used = {k: [j for j in v_ if ok[j]] for k, v_ in design.terms.items()}
    terms_used = {k: v_ for k, v_ in terms_used.items() if v_}
    ph = _zph(
        t,
        e,
        x[:, ok],
        lp,
        risk_sets,
        {
            k: [int(np.flatnonzero(np.flatnonzero(ok) == j)[0]) for j in v_]
            for k, v_ in terms_used.items()
        },
    )
    if ph["chisq"].isna().any():
        warnings.warn(
            "proportional-hazards test not computable (singular information, e.g. all events"
            " at one time); ph_test holds NaN",
            SigsurvWarning,
            stacklevel=3,
        )
    well_defined = not problems
    if not well_defined:
        warnings.warn(
            "Cox model not well defined: " + "; ".join(problems), SigsurvWarning, stacklevel=3
        )
    return CoxResult(
        summary=summary,
        n=n,
        events=int(e.sum()),
        ties=ties,
        loglik_null=state.loglik0,
        loglik=state.loglik,
        lrt=lrt,
        wald=wald,
        score=score,
        concordance=conc,
        iterations=state.iterations,
        converged=converged,
        well_defined=well_defined,
        problems=problems,
        ph_test=ph,
        reference_levels=dict(design.reference_levels),
        terms={k: [design.columns[j] for j in v_] for k, v_ in design.terms.items()},
        var=var,
        linear_predictor=lp,
        strata=len(risk_sets),
    )
