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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._deprecation import deprecated_alias
from sigsurv._docstrings import fill_doc
from sigsurv._results import HazardRatio, ResultMixin
from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival._design import Design, prepare_cox_inputs
from sigsurv.survival._linalg import TOLER_CHOL, cholesky2, chsolve2
from sigsurv.survival._newton import FitState, newton_raphson
from sigsurv.survival._risk_sets import Stratum, build_strata, loglik_derivs
from sigsurv.survival._validate import (
    MIN_EVENTS,
)
from sigsurv.survival.concordance import ConcordanceResult, _harrell
from sigsurv.survival.zph import ZphInputs, ph_test

__all__ = ["MIN_EVENTS", "TOLER_CHOL", "CoxResult", "cox_fit", "standardise"]


def standardise(x: Any) -> np.ndarray:
    """Z-score a vector with the sample standard deviation (``ddof=1``, R's ``sd``).

    The hazard ratio *per standard deviation* of a score is the hazard ratio
    of ``standardise(score)``.

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
    >>> standardise([1.0, 2.0, 3.0]).tolist()
    [-1.0, 0.0, 1.0]
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise SigsurvInputError(
            "standardise needs a 1-D vector of at least 2 values",
            expected="1-D array",
            found=f"shape {arr.shape}",
        )
    if not np.isfinite(arr).all():
        raise SigsurvInputError(
            "cannot standardise missing or infinite values", expected="finite", found="NA/inf"
        )
    sd = arr.std(ddof=1)
    if sd == 0:
        raise AnalysisError(
            "cannot standardise a constant vector",
            expected="varying values",
            found=f"all {arr[0]:g}",
        )
    return (arr - arr.mean()) / sd


standardize = deprecated_alias(standardise, "standardize")


# --------------------------------------------------------------------------------------
# Public result and fitter
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoxResult(ResultMixin):
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
    strata
        Number of strata.
    zph_inputs
        Data kept for :func:`sigsurv.survival.zph.cox_zph` (other transforms,
        scaled Schoenfeld residuals).
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
    zph_inputs: ZphInputs | None = field(default=None, repr=False, compare=False)

    @property
    def params_(self) -> pd.Series:
        """Coefficients indexed by term (lifelines name)."""
        return self.summary["coef"]

    @property
    def hazard_ratios_(self) -> pd.Series:
        """Hazard ratios indexed by term (lifelines name)."""
        return self.summary["hr"]

    def hazard_ratio(self, term: str) -> HazardRatio:
        """One term's :class:`~sigsurv._results.HazardRatio` (the one usability rule).

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=40)
        >>> res = cox_fit(rng.exponential(np.exp(-x)), (rng.uniform(size=40) < 0.7), x)
        >>> hr = res.hazard_ratio("x")
        >>> hr.estimable, bool(hr.hr == res.summary.loc["x", "hr"])
        (True, True)
        """
        level = self.fit_data.get("conf_level", 0.95) if self.fit_data else 0.95
        return HazardRatio.from_row(
            term,
            self.summary.loc[term].to_dict(),
            converged=self.converged,
            conf_level=level,
            problems=tuple(self.problems),
        )

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

    def title(self) -> str:
        """``Cox model (<ties> ties): n=..., events=...``."""
        return f"Cox model ({self.ties} ties): n={self.n}, events={self.events}"

    def to_text(self) -> str:
        """The model in a few lines: each term's HR with CI and p, the LRT and C.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=40)
        >>> res = cox_fit(rng.exponential(np.exp(-x)), (rng.uniform(size=40) < 0.7), x)
        >>> res.to_text().splitlines()[0]
        'Cox model (efron ties): n=40, events=19'
        """
        return str(self)

    def __str__(self) -> str:
        lines = [self.title()]
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


@fill_doc
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
    timefix: bool = True,
) -> CoxResult:
    """Fit a Cox proportional-hazards model exactly as R's ``coxph``.

    Parameters
    ----------
    %(time_event)s
    covariates
        ``DataFrame`` (numeric columns as they are; categorical, object and
        bool columns as treatment dummies ``<column><level>`` against a
        reference level, by default the first observed level in sorted order,
        or the first category of a pandas ``Categorical``), ``Series``, or a
        1-D/2-D numeric array. Rows with missing values are refused (select
        complete cases explicitly).
    %(ties)s
    strata
        Optional stratum per subject (e.g. sequencing platform): separate
        baseline hazards, as ``+ strata(s)`` in R.
    reference_levels
        Mapping column -> reference level, e.g. ``{"grade": "1"}``.
    max_iter, eps
        R's ``coxph.control(iter.max, eps)``.
    conf_level
        Level of the hazard-ratio confidence intervals.
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.

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

    References
    ----------
    .. [1] Cox DR. Regression models and life-tables. J R Stat Soc B. 1972;34(2):187-220.
    .. [2] Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat Assoc.
           1977;72(359):557-565.
    .. [3] Breslow N. Covariance analysis of censored survival data. Biometrics. 1974;30(1):89-99.
    .. [4] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model. New York:
           Springer; 2000.

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
    t, e, design, strata_arr = prepare_cox_inputs(
        time,
        event,
        covariates,
        strata=strata,
        reference_levels=reference_levels,
        conf_level=conf_level,
        timefix=timefix,
        model="Cox",
    )
    result = _fit_design(t, e, design, ties, strata_arr, max_iter, eps, conf_level)
    fit_data = {
        "time": t,
        "event": e,
        "design": pd.DataFrame(design.matrix, columns=list(design.columns)),
        "strata": strata_arr,
        "conf_level": float(conf_level),
    }
    return replace(result, fit_data=fit_data)


def _convergence_problems(
    state: FitState, x: np.ndarray, columns: list[str], max_iter: int, eps: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """R's warnings as text, with the singular and possibly infinite coefficients."""
    p = x.shape[1]
    coef, var = state.coef, state.var
    problems: list[str] = []
    singular = np.zeros(p, dtype=bool)
    if 0 <= state.flag < p:
        singular = np.diag(var) == 0
        for j in np.flatnonzero(singular):
            problems.append(
                f"{columns[j]}: column is linearly dependent on the others"
                " (coefficient not estimable)"
            )
    infinite = np.zeros(p, dtype=bool)
    if max_iter <= 1:
        return problems, singular, infinite
    coef0 = np.nan_to_num(np.where(singular, np.nan, coef))
    if state.flag == 1000:
        problems.append(f"ran out of iterations ({max_iter}) and did not converge")
        lp_check = x @ coef0 - float(np.sum(coef0 * state.means))
        if lp_check.max() > 500 or not np.isfinite(state.u @ var).all():
            problems.append("one or more coefficients may be infinite")
        return problems, singular, infinite
    step = np.abs(state.u @ var)
    infinite = ~np.isfinite(state.u) | ((step > eps) & (step > np.sqrt(eps) * np.abs(coef0)))
    if infinite.any():
        names = ", ".join(columns[j] for j in np.flatnonzero(infinite))
        problems.append(
            f"log-likelihood converged before {names}: coefficient may be infinite"
            " (monotone likelihood, e.g. a level without events)"
        )
    return problems, singular, infinite


def _coefficient_table(
    coef: np.ndarray,
    var: np.ndarray,
    singular: np.ndarray,
    infinite: np.ndarray,
    columns: list[str],
    conf_level: float,
) -> pd.DataFrame:
    with np.errstate(invalid="ignore"):
        # A negative variance only occurs for singular terms, which are set to NaN here.
        se = np.sqrt(np.diag(var))
    se = np.where(singular, np.nan, se)
    zq = stats.norm.ppf(1 - (1 - conf_level) / 2)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z = coef / se
        return pd.DataFrame(
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
            index=pd.Index(columns, name="term"),
        )


def _global_tests(
    state: FitState, coef: np.ndarray, ok: np.ndarray
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Likelihood-ratio, Wald and score tests on the estimable columns."""
    df = int(ok.sum())
    lrt = _chi2_test(2 * (state.loglik - state.loglik0), df)
    b = coef[ok]
    v = state.var[np.ix_(ok, ok)]
    # R's coxph.wtest: solve with the same rank-revealing Cholesky (toler.chol).
    wald_stat = float(b @ chsolve2(cholesky2(v, TOLER_CHOL)[0], b)) if df else 0.0
    return lrt, _chi2_test(wald_stat, df), _chi2_test(state.score_test, df)


def _fit_concordance(
    t: np.ndarray, e: np.ndarray, lp: np.ndarray, strata_arr: np.ndarray | None
) -> ConcordanceResult:
    try:
        return _harrell(t, e, lp, strata_arr, reverse=True)
    except AnalysisError:
        # R still fits the model when no pair is comparable; C is then undefined (NA).
        warnings.warn(
            "no comparable pair of subjects: the concordance is undefined (NaN)",
            SigsurvWarning,
            stacklevel=4,
        )
        nan = float("nan")
        return ConcordanceResult(nan, 0.0, 0.0, 0.0, 0.0, 0.0, nan, t.shape[0])


def _ph_table(
    t: np.ndarray,
    e: np.ndarray,
    design: Design,
    ok: np.ndarray,
    coef: np.ndarray,
    lp: np.ndarray,
    risk_sets: list[Stratum],
    strata_arr: np.ndarray | None,
) -> tuple[pd.DataFrame, ZphInputs]:
    """``cox.zph`` on the estimable columns, terms re-indexed into them."""
    position = {int(j): k for k, j in enumerate(np.flatnonzero(ok))}
    terms = {
        name: [position[j] for j in cols if ok[j]]
        for name, cols in design.terms.items()
        if any(ok[j] for j in cols)
    }
    columns = [c for c, keep in zip(design.columns, ok, strict=True) if keep]
    inputs = ZphInputs(
        t, e, design.matrix[:, ok], lp, coef[ok], columns, terms, risk_sets, strata_arr
    )
    ph = ph_test(inputs)
    if ph["chisq"].isna().any():
        warnings.warn(
            "proportional-hazards test not computable (singular information, e.g. all events"
            " at one time); ph_test holds NaN",
            SigsurvWarning,
            stacklevel=4,
        )
    return ph, inputs


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
    risk_sets = build_strata(t, e, strata_arr, ties == "efron")
    doscale = ~np.all(np.isin(x, (-1.0, 0.0, 1.0)), axis=0)

    def kernel(xs: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        return loglik_derivs(b, xs, risk_sets)

    state = newton_raphson(x, kernel, doscale, max_iter, eps, TOLER_CHOL)
    problems, singular, infinite = _convergence_problems(state, x, design.columns, max_iter, eps)
    coef = np.where(singular, np.nan, state.coef)
    ok = ~singular
    lrt, wald, score = _global_tests(state, coef, ok)
    lp = x @ np.nan_to_num(coef) - float(np.sum(np.nan_to_num(coef) * state.means))
    conc = _fit_concordance(t, e, lp, strata_arr)
    ph, zph_inputs = _ph_table(t, e, design, ok, coef, lp, risk_sets, strata_arr)
    if problems:
        warnings.warn(
            "Cox model not well defined: " + "; ".join(problems), SigsurvWarning, stacklevel=3
        )
    return CoxResult(
        summary=_coefficient_table(coef, state.var, singular, infinite, design.columns, conf_level),
        n=x.shape[0],
        events=int(e.sum()),
        ties=ties,
        loglik_null=state.loglik0,
        loglik=state.loglik,
        lrt=lrt,
        wald=wald,
        score=score,
        concordance=conc,
        iterations=state.iterations,
        converged=state.flag != 1000,
        well_defined=not problems,
        problems=problems,
        ph_test=ph,
        reference_levels=dict(design.reference_levels),
        terms={k: [design.columns[j] for j in v_] for k, v_ in design.terms.items()},
        var=state.var,
        linear_predictor=lp,
        strata=len(risk_sets),
        zph_inputs=zph_inputs,
    )
