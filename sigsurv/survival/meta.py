"""Meta-analysis of log hazard ratios across cohorts (R ``metafor::rma``, intercept only).

With estimates y_i (log HR), sampling variances v_i = s_i^2 and weights
w_i = 1 / (v_i + tau^2):

* pooled ``mu = sum w y / sum w``, ``se = 1 / sqrt(sum w)``; the fixed (common) effect
  model has ``tau^2 = 0``;
* between-study variance ``tau^2`` by ``method``:

  - ``"DL"`` DerSimonian–Laird, ``max(0, (Q - (k - 1)) / (sum w0 - sum w0^2 / sum w0))``
    with ``w0 = 1 / v``;
  - ``"PM"`` Paule–Mandel, the root of ``Q(tau^2) = k - 1`` (0 when ``Q(0) < k - 1``);
  - ``"REML"`` restricted maximum likelihood by Fisher scoring from the Hedges estimate,
    with metafor's step halving at 0 and its check that the result beats ``tau^2 = 0``;
  - ``"FE"`` none (``tau^2 = 0``);

* ``test="z"``: Wald z test and normal CI; ``test="knha"`` (Knapp–Hartung): the variance
  is multiplied by ``sum w (y - mu)^2 / (k - 1)`` (not truncated at 1, as metafor) and
  the test and CI use t with k - 1 df; ``test="adhoc"`` (metafor's ``test="adhoc"``,
  the truncated Knapp–Hartung of Knapp & Hartung 2003 / Jackson et al. 2017) uses the
  factor ``max(1, sum w (y - mu)^2 / (k - 1))``, so its interval is never narrower than
  the z interval widened to t; with two or three cohorts and Q < k - 1 the untruncated
  factor is below 1 and gives an interval narrower than the data support;
* Cochran's ``Q = sum w0 (y - mu_FE)^2`` on k - 1 df;
* ``I^2 = 100 tau^2 / (tau^2 + s^2)`` and ``H^2 = (tau^2 + s^2) / s^2`` with the typical
  within-study variance ``s^2 = (k - 1) / (sum w0 - sum w0^2 / sum w0)``; for ``"FE"``
  metafor's ``I^2 = 100 max(0, (Q - (k - 1)) / Q)`` and ``H^2 = Q / (k - 1)``;
* 95% prediction interval (metafor ``predict.rma``): ``mu -+ crit sqrt(se^2 + tau^2)``
  where ``se`` is the (Knapp–Hartung scaled, with ``"knha"`` / ``"adhoc"``) standard error
  of ``mu`` and ``crit`` the normal quantile for ``test="z"`` or the t(k - 1) quantile
  for ``"knha"`` and ``"adhoc"``;
  no prediction interval for ``"FE"`` (metafor reports none).

The iterative estimators run to convergence (tau^2 change below 1e-13 for REML, root
tolerance 1e-13 for PM); metafor's defaults stop earlier (1e-5 / ~1.2e-4), so results
agree with ``rma(..., control = list(threshold = 1e-13, tol = 1e-13))`` to 1e-6 and with
default-control ``rma`` to about 1e-4 relative for PM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sigsurv._results import ResultMixin
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError
from sigsurv.survival._result_format import jsonable, one_row

__all__ = ["METHODS", "TESTS", "MetaAnalysisResult", "PooledEstimate", "meta_analysis"]

METHODS = ("REML", "PM", "DL", "FE")
TESTS = ("z", "knha", "adhoc")

_THRESHOLD = 1e-13  # convergence of tau^2 (REML change, PM root)
_MAXITER = 10_000
_LL_TOL = 1e-13  # metafor's ll0check tolerance, at the tight control used for goldens


@dataclass(frozen=True)
class PooledEstimate(ResultMixin):
    """A pooled log hazard ratio.

    Attributes
    ----------
    model
        ``fixed`` or ``random``.
    log_hr, se, z, p
        Pooled log-HR, its standard error (Knapp–Hartung scaled with ``test="knha"``),
        test statistic (z, or t with ``df`` degrees of freedom) and two-sided p.
    hr, lower, upper
        Hazard ratio and its confidence interval.
    method, test
        Between-study variance estimator and test (see :func:`meta_analysis`).
    df
        Degrees of freedom of the t distribution (``test="knha"``), else ``None``.

    Examples
    --------
    >>> res = meta_analysis([0.2, 0.4], [0.1, 0.2])
    >>> res.fixed.model
    'fixed'
    """

    model: str
    log_hr: float
    se: float
    z: float
    p: float
    hr: float
    lower: float
    upper: float
    method: str = "FE"
    test: str = "z"
    df: int | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """One row indexed by the model: the numbers of :meth:`to_dict`."""
        values = {k: v for k, v in self.to_dict().items() if k not in ("model", "method", "test")}
        values["df"] = float("nan") if self.df is None else float(self.df)
        return one_row(values, self.model, "model")

    def title(self) -> str:
        """``Pooled log HR (<model>, <method>, <test>)``."""
        return f"Pooled log HR ({self.model}, {self.method}, {self.test} test)"

    def to_dict(self) -> dict[str, Any]:
        """The fields, JSON-ready.

        Examples
        --------
        >>> meta_analysis([0.2, 0.4], [0.1, 0.2]).fixed.to_dict()["model"]
        'fixed'
        """
        return jsonable({name: getattr(self, name) for name in self.__dataclass_fields__})


@dataclass(frozen=True)
class MetaAnalysisResult(ResultMixin):
    """Fixed- and random-effects meta-analysis with heterogeneity statistics.

    Attributes
    ----------
    fixed
        Common-effect (inverse-variance) estimate, with the same ``test``.
    random
        Random-effects estimate with ``method``; the same as ``fixed`` when
        ``method="FE"``. This is the primary estimate (also :attr:`pooled`).
    q, q_df, q_p
        Cochran's Q, its degrees of freedom and p-value.
    i2
        I^2 in percent (0–100).
    h2
        H^2 (>= 1 except for ``"FE"``, where it is Q / (k - 1)).
    tau2
        Between-study variance (0 for ``"FE"``).
    studies
        DataFrame indexed by label: ``log_hr, se, hr, lower, upper, weight_fixed,
        weight_random, weight`` (weights in percent; ``weight`` is the primary model's).
        For JSON use :meth:`study_records`.
    conf_level
        Confidence level of the CIs and the prediction interval.
    method, test
        As given to :func:`meta_analysis`.
    prediction_lower, prediction_upper
        Prediction interval for the HR of a new cohort (``None`` for ``"FE"``).

    Examples
    --------
    >>> res = meta_analysis([0.2, 0.4, -0.1], [0.1, 0.2, 0.15], labels=["a", "b", "c"])
    >>> res.studies.index.tolist()
    ['a', 'b', 'c']
    """

    fixed: PooledEstimate
    random: PooledEstimate
    q: float
    q_df: int
    q_p: float
    i2: float
    h2: float
    tau2: float
    studies: pd.DataFrame
    conf_level: float
    method: str = "DL"
    test: str = "z"
    prediction_lower: float | None = None
    prediction_upper: float | None = None

    @property
    def pooled(self) -> PooledEstimate:
        """The estimate of the chosen ``method`` (``random``, or ``fixed`` for ``"FE"``).

        Examples
        --------
        >>> meta_analysis([0.2, 0.4], [0.1, 0.2], method="FE").pooled.model
        'fixed'
        """
        return self.fixed if self.method == "FE" else self.random

    @property
    def summary(self) -> pd.DataFrame:
        """The pooled estimates: rows ``fixed`` and ``random`` (see :class:`PooledEstimate`).

        The per-cohort table is :attr:`studies`.

        Examples
        --------
        >>> meta_analysis([0.2, 0.4], [0.1, 0.2]).summary.index.tolist()
        ['fixed', 'random']
        """
        return pd.concat([self.fixed.summary, self.random.summary])

    def title(self) -> str:
        """``Meta-analysis of k cohorts (<method>, <test>): I2 ..., Q p ...``."""
        return (
            f"Meta-analysis of {len(self.studies)} cohorts ({self.method}, {self.test} test):"
            f" I2 = {self.i2:.3g}%, Q p = {self.q_p:.3g}"
        )

    def study_records(self) -> list[dict[str, Any]]:
        """Per cohort ``{cohort, hr, lower, upper, weight}`` (weight in percent).

        Examples
        --------
        >>> res = meta_analysis([0.2, 0.4], [0.1, 0.1], labels=["x", "y"])
        >>> [(r["cohort"], round(r["weight"], 1)) for r in res.study_records()]
        [('x', 50.0), ('y', 50.0)]
        """
        return [
            {
                "cohort": str(label),
                "hr": float(row.hr),
                "lower": float(row.lower),
                "upper": float(row.upper),
                "weight": float(row.weight),
            }
            for label, row in self.studies.iterrows()
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready pool record (HR scale); the caller adds the endpoint.

        Examples
        --------
        >>> d = meta_analysis([0.2, 0.4, 0.1], [0.1, 0.2, 0.15], method="REML").to_dict()
        >>> sorted(d)[:4], d["method"], d["test"]
        (['hr', 'i2', 'k', 'lower'], 'REML', 'z')
        """
        est = self.pooled
        return {
            "method": self.method,
            "test": self.test,
            "k": len(self.studies),
            "hr": est.hr,
            "lower": est.lower,
            "upper": est.upper,
            "p": est.p,
            "prediction_lower": self.prediction_lower,
            "prediction_upper": self.prediction_upper,
            "tau2": self.tau2,
            "i2": self.i2,
            "q": self.q,
            "q_p": self.q_p,
            "studies": self.study_records(),
        }

    def leave_one_out(self) -> pd.DataFrame:
        """Refit without each cohort in turn (R ``metafor::leave1out``).

        Returns
        -------
        pandas.DataFrame
            Indexed by the left-out cohort: ``log_hr, se, z, p, hr, lower, upper, q, q_p,
            tau2, i2, h2`` of the pooled estimate (:attr:`pooled`) of the others, with the
            same ``method``, ``test`` and ``conf_level``.

        Raises
        ------
        AnalysisError
            Fewer than three cohorts (one cohort left is not a meta-analysis).

        Examples
        --------
        >>> res = meta_analysis([0.2, 0.4, -0.1], [0.1, 0.2, 0.15], labels=["a", "b", "c"])
        >>> res.leave_one_out().index.tolist()
        ['a', 'b', 'c']
        """
        k = len(self.studies)
        if k < 3:
            raise AnalysisError("leave-one-out needs at least three cohorts", found=k)
        rows = []
        for label in self.studies.index:
            rest = self.studies.drop(index=label)
            fit = meta_analysis(
                rest["log_hr"].to_numpy(),
                rest["se"].to_numpy(),
                labels=rest.index,
                method=self.method,
                test=self.test,
                conf_level=self.conf_level,
            )
            est = fit.pooled
            rows.append(
                {
                    "log_hr": est.log_hr,
                    "se": est.se,
                    "z": est.z,
                    "p": est.p,
                    "hr": est.hr,
                    "lower": est.lower,
                    "upper": est.upper,
                    "q": fit.q,
                    "q_p": fit.q_p,
                    "tau2": fit.tau2,
                    "i2": fit.i2,
                    "h2": fit.h2,
                }
            )
        return pd.DataFrame(rows, index=self.studies.index)


def _q_statistic(y: np.ndarray, w: np.ndarray) -> float:
    """Weighted residual sum of squares about the weighted mean."""
    mu = (w * y).sum() / w.sum()
    return float((w * (y - mu) ** 2).sum())


def _tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / v
    c = w.sum() - (w**2).sum() / w.sum()
    return max(0.0, (_q_statistic(y, w) - (y.size - 1)) / c)


def _tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule–Mandel: Q(tau^2) = k - 1, searched on metafor's [0, tau2.max]."""
    target = y.size - 1
    if _q_statistic(y, 1.0 / v) < target:
        return 0.0
    mad = 1.4826 * float(np.median(np.abs(y - np.median(y))))
    upper = max(100.0, 10.0 * mad**2)
    if _q_statistic(y, 1.0 / (v + upper)) > target:
        raise AnalysisError(
            "Paule–Mandel tau^2 exceeds its search limit", found=upper, hint="use method='DL'"
        )
    root = optimize.brentq(
        lambda t2: _q_statistic(y, 1.0 / (v + t2)) - target, 0.0, upper, xtol=_THRESHOLD
    )
    return float(root)


def _restricted_loglik(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    w = 1.0 / (v + tau2)
    rss = _q_statistic(y, w)
    k = y.size
    return float(
        -0.5 * (k - 1) * np.log(2 * np.pi)
        - 0.5 * np.log(v + tau2).sum()
        - 0.5 * np.log(w.sum())
        - 0.5 * rss
    )


def _tau2_reml(y: np.ndarray, v: np.ndarray) -> float:
    """REML by metafor's Fisher scoring (Hedges start, step halving at 0, ll0 check)."""
    k = y.size
    centred = y - y.mean()
    tau2 = max(0.0, float((centred**2).sum() - v.sum() * (1 - 1 / k)) / (k - 1))
    for _ in range(_MAXITER):
        w = 1.0 / (v + tau2)
        # P = W - w w' / sum w; P y, tr(P) and tr(P P) in closed form for one intercept.
        py = w * (y - (w * y).sum() / w.sum())
        tr_p = w.sum() - (w**2).sum() / w.sum()
        tr_pp = (w**2).sum() - 2 * (w**3).sum() / w.sum() + ((w**2).sum() / w.sum()) ** 2
        step = float(((py**2).sum() - tr_p) / tr_pp)
        while tau2 + step < 0:
            step /= 2
        tau2 += step
        if abs(step) <= _THRESHOLD:
            break
    else:
        raise AnalysisError("REML Fisher scoring did not converge", hint="use method='DL'")
    gain = _restricted_loglik(y, v, 0.0) - _restricted_loglik(y, v, tau2)
    if gain > _LL_TOL and tau2 > _THRESHOLD:
        return 0.0  # metafor: scoring stuck at a local maximum below tau^2 = 0's likelihood
    return tau2


_TAU2_ESTIMATORS = {"DL": _tau2_dl, "PM": _tau2_pm, "REML": _tau2_reml}


def _pooled(
    model: str, y: np.ndarray, total_var: np.ndarray, method: str, test: str, level: float
) -> PooledEstimate:
    w = 1.0 / total_var
    k = y.size
    mu = float((w * y).sum() / w.sum())
    var = 1.0 / w.sum()
    df: int | None = None
    if test in ("knha", "adhoc"):
        rss = float((w * (y - mu) ** 2).sum())
        factor = 0.0 if rss <= np.finfo(float).eps else rss / (k - 1)
        var *= max(1.0, factor) if test == "adhoc" else factor
        df = k - 1
    se = float(np.sqrt(var))
    with np.errstate(divide="ignore"):
        stat = mu / se if se > 0 else float(np.sign(mu) * np.inf)
    if df is None:
        p = float(2 * stats.norm.sf(abs(stat)))
        crit = float(stats.norm.ppf(1 - (1 - level) / 2))
    else:
        p = float(2 * stats.t.sf(abs(stat), df))
        crit = float(stats.t.ppf(1 - (1 - level) / 2, df))
    return PooledEstimate(
        model=model,
        log_hr=mu,
        se=se,
        z=float(stat),
        p=p,
        hr=float(np.exp(mu)),
        lower=float(np.exp(mu - crit * se)),
        upper=float(np.exp(mu + crit * se)),
        method=method,
        test=test,
        df=df,
    )


def _checked_inputs(
    log_hr: Any, se: Any, labels: Any, method: str, test: str, conf_level: float
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    y = np.asarray(log_hr, dtype=float).ravel()
    s = np.asarray(se, dtype=float).ravel()
    if y.size != s.size:
        raise SigsurvInputError(
            "log_hr and se differ in length", expected=str(y.size), found=s.size
        )
    if not (np.isfinite(y).all() and np.isfinite(s).all()):
        raise SigsurvInputError(
            "log_hr and se must be finite",
            hint="drop cohorts whose Cox model did not converge",
        )
    if (s <= 0).any():
        raise SigsurvInputError("standard errors must be > 0", found=s[s <= 0][0])
    if labels is None:
        labels = [f"study{i + 1}" for i in range(y.size)]
    names = pd.Index([str(v) for v in labels])
    if len(names) != y.size:
        raise SigsurvInputError(
            "one label per cohort is needed", expected=str(y.size), found=len(names)
        )
    if names.has_duplicates:
        raise SigsurvInputError(
            "duplicated cohort labels", found=", ".join(names[names.duplicated()].unique())
        )
    if y.size < 2:
        raise AnalysisError("a meta-analysis needs at least two cohorts", found=y.size)
    if method not in METHODS:
        raise OptionError(
            "unknown meta-analysis method", expected=" | ".join(METHODS), found=method
        )
    if test not in TESTS:
        raise OptionError("unknown meta-analysis test", expected=" | ".join(TESTS), found=test)
    if not 0.0 < conf_level < 1.0:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    return y, s, names


def meta_analysis(
    log_hr: Any,
    se: Any,
    labels: Any = None,
    *,
    method: str = "DL",
    test: str = "z",
    conf_level: float = 0.95,
) -> MetaAnalysisResult:
    """Pool log hazard ratios of several cohorts (R ``metafor::rma``).

    Parameters
    ----------
    log_hr
        Log hazard ratio per cohort.
    se
        Its standard error (> 0).
    labels
        Cohort names (default ``study1``, ``study2``, ...).
    method
        Between-study variance estimator: ``"REML"``, ``"PM"`` (Paule–Mandel), ``"DL"``
        (DerSimonian–Laird; the default, for compatibility with earlier releases) or
        ``"FE"`` (fixed / common effect). REML with ``test="knha"`` is the usual choice
        for a few cohorts.
    test
        ``"z"`` (Wald), ``"knha"`` (Knapp–Hartung, t with k - 1 df) or ``"adhoc"``
        (Knapp–Hartung with its factor truncated at 1), as metafor's ``test``.
    conf_level
        Confidence level of all intervals, including the prediction interval.

    Returns
    -------
    MetaAnalysisResult

    Raises
    ------
    SigsurvInputError
        Unequal lengths, missing values, non-positive standard errors or duplicated labels.
    OptionError
        Unknown ``method`` or ``test``.
    AnalysisError
        Fewer than two cohorts, or a tau^2 estimator that does not converge.

    References
    ----------
    .. [1] DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials.
           1986;7(3):177-188.
    .. [2] Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the
           random-effects model. J Educ Behav Stat. 2005;30(3):261-293 (REML).
    .. [3] Paule RC, Mandel J. Consensus values and weighting factors. J Res Natl Bur Stand.
           1982;87(5):377-385.
    .. [4] Knapp G, Hartung J. Improved tests for a random effects meta-regression with a single
           covariate. Stat Med. 2003;22(17):2693-2710.
    .. [5] Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med.
           2002;21(11):1539-1558.
    .. [6] Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw.
           2010;36(3):1-48.

    Examples
    --------
    >>> res = meta_analysis([-0.51, -0.22, -0.80], [0.25, 0.18, 0.30])
    >>> print(f"{res.fixed.hr:.4f} {res.random.hr:.4f} {res.q:.4f} {res.tau2:.4f} {res.i2:.1f}")
    0.6629 0.6410 2.9641 0.0275 32.5
    >>> reml = meta_analysis([0.95, -0.20, 1.40], [0.30, 0.25, 0.45], method="REML",
    ...                      test="knha")
    >>> print(f"{reml.random.hr:.3f} p={reml.random.p:.3f} "
    ...       f"PI {reml.prediction_lower:.3f}-{reml.prediction_upper:.2f}")
    1.953 p=0.296 PI 0.041-93.65
    """
    y, s, names = _checked_inputs(log_hr, se, labels, method, test, conf_level)
    k = y.size
    v = s**2
    w_fixed = 1.0 / v
    tau2_value = 0.0 if method == "FE" else _TAU2_ESTIMATORS[method](y, v)
    fixed = _pooled("fixed", y, v, "FE", test, conf_level)
    random = (
        fixed if method == "FE" else _pooled("random", y, v + tau2_value, method, test, conf_level)
    )
    q = _q_statistic(y, w_fixed)
    df = k - 1
    typical_var = df / (w_fixed.sum() - (w_fixed**2).sum() / w_fixed.sum())
    if method == "FE":
        i2 = 100 * max(0.0, (q - df) / q) if q > 0 else 0.0
        h2 = q / df
        pi_lower = pi_upper = None
    else:
        i2 = 100 * tau2_value / (typical_var + tau2_value)
        h2 = tau2_value / typical_var + 1
        crit = (
            stats.norm.ppf(1 - (1 - conf_level) / 2)
            if test == "z"
            else stats.t.ppf(1 - (1 - conf_level) / 2, df)
        )
        half = float(crit * np.sqrt(random.se**2 + tau2_value))
        pi_lower = float(np.exp(random.log_hr - half))
        pi_upper = float(np.exp(random.log_hr + half))
    w_random = 1.0 / (v + tau2_value)
    zq = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    studies = pd.DataFrame(
        {
            "log_hr": y,
            "se": s,
            "hr": np.exp(y),
            "lower": np.exp(y - zq * s),
            "upper": np.exp(y + zq * s),
            "weight_fixed": 100 * w_fixed / w_fixed.sum(),
            "weight_random": 100 * w_random / w_random.sum(),
        },
        index=names,
    )
    studies["weight"] = studies["weight_fixed" if method == "FE" else "weight_random"]
    return MetaAnalysisResult(
        fixed=fixed,
        random=random,
        q=q,
        q_df=df,
        q_p=float(stats.chi2.sf(q, df)),
        i2=float(i2),
        h2=float(h2),
        tau2=tau2_value,
        studies=studies,
        conf_level=conf_level,
        method=method,
        test=test,
        prediction_lower=pi_lower,
        prediction_upper=pi_upper,
    )
