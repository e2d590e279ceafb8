"""Meta-analysis of log hazard ratios across cohorts (inverse variance, DerSimonian–Laird).

With estimates y_i (log HR), standard errors s_i and weights w_i = 1 / s_i^2:

* fixed effect: ``mu = sum w y / sum w``, ``se = 1 / sqrt(sum w)``;
* Cochran's ``Q = sum w (y - mu_FE)^2`` on k - 1 df;
* DerSimonian–Laird ``tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w))``;
  random-effects weights ``1 / (s_i^2 + tau^2)``;
* ``I^2 = max(0, (Q - (k - 1)) / Q)`` (equal to metafor's ``tau^2 / (tau^2 + s^2)`` with
  the typical within-study variance ``s^2 = (k - 1) / (sum w - sum w^2 / sum w)`` for the
  DL estimator) and ``H^2 = (tau^2 + s^2) / s^2`` (metafor's DL value: Q / (k - 1) when
  Q > k - 1, else 1).

z tests and Wald CIs use the normal distribution, as R ``metafor::rma(method = "FE" |
"DL")`` with its default ``test = "z"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv.errors import AnalysisError, SigsurvInputError

__all__ = ["MetaAnalysisResult", "PooledEstimate", "meta_analysis"]


@dataclass(frozen=True)
class PooledEstimate:
    """A pooled log hazard ratio.

    Attributes
    ----------
    model
        ``fixed`` or ``random``.
    log_hr, se, z, p
        Pooled log-HR, its standard error, z statistic and two-sided p.
    hr, lower, upper
        Hazard ratio and its confidence interval.

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


@dataclass(frozen=True)
class MetaAnalysisResult:
    """Fixed- and random-effects meta-analysis with heterogeneity statistics.

    Attributes
    ----------
    fixed, random
        Inverse-variance fixed-effect and DerSimonian–Laird random-effects estimates.
    q, q_df, q_p
        Cochran's Q, its degrees of freedom and p-value.
    i2
        I^2 in percent.
    h2
        H^2 = (tau^2 + s^2) / s^2 (metafor, DL); >= 1.
    tau2
        DerSimonian–Laird between-study variance.
    studies
        Per study: ``log_hr, se, hr, lower, upper, weight_fixed, weight_random`` (weights
        in percent).
    conf_level
        Confidence level.

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


def _pooled(model: str, y: np.ndarray, w: np.ndarray, zq: float) -> PooledEstimate:
    mu = float((w * y).sum() / w.sum())
    se = float(1.0 / np.sqrt(w.sum()))
    z = mu / se
    return PooledEstimate(
        model=model,
        log_hr=mu,
        se=se,
        z=z,
        p=float(2 * stats.norm.sf(abs(z))),
        hr=float(np.exp(mu)),
        lower=float(np.exp(mu - zq * se)),
        upper=float(np.exp(mu + zq * se)),
    )


def meta_analysis(
    log_hr: Any, se: Any, labels: Any = None, *, conf_level: float = 0.95
) -> MetaAnalysisResult:
    """Pool log hazard ratios of several cohorts (R ``metafor::rma`` FE and DL).

    Parameters
    ----------
    log_hr
        Log hazard ratio per cohort.
    se
        Its standard error (> 0).
    labels
        Cohort names (default ``study1``, ``study2``, ...).
    conf_level
        Confidence level of all intervals.

    Returns
    -------
    MetaAnalysisResult

    Raises
    ------
    SigsurvInputError
        Unequal lengths, missing values, non-positive standard errors or duplicated labels.
    AnalysisError
        Fewer than two cohorts.

    Examples
    --------
    >>> res = meta_analysis([-0.51, -0.22, -0.80], [0.25, 0.18, 0.30])
    >>> print(f"{res.fixed.hr:.4f} {res.random.hr:.4f} {res.q:.4f} {res.tau2:.4f} {res.i2:.1f}")
    0.6629 0.6410 2.9641 0.0275 32.5
    """
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
    k = y.size
    if k < 2:
        raise AnalysisError("a meta-analysis needs at least two cohorts", found=k)
    if not 0.0 < conf_level < 1.0:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    zq = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    w = 1.0 / s**2
    fixed = _pooled("fixed", y, w, zq)
    q = float((w * (y - fixed.log_hr) ** 2).sum())
    df = k - 1
    c = w.sum() - (w**2).sum() / w.sum()
    tau2 = max(0.0, (q - df) / c)
    w_random = 1.0 / (s**2 + tau2)
    random = _pooled("random", y, w_random, zq)
    studies = pd.DataFrame(
        {
            "log_hr": y,
            "se": s,
            "hr": np.exp(y),
            "lower": np.exp(y - zq * s),
            "upper": np.exp(y + zq * s),
            "weight_fixed": 100 * w / w.sum(),
            "weight_random": 100 * w_random / w_random.sum(),
        },
        index=names,
    )
    return MetaAnalysisResult(
        fixed=fixed,
        random=random,
        q=q,
        q_df=df,
        q_p=float(stats.chi2.sf(q, df)),
        i2=float(100 * max(0.0, (q - df) / q)) if q > 0 else 0.0,
        h2=float(1.0 + tau2 * c / df),
        tau2=float(tau2),
        studies=studies,
        conf_level=conf_level,
    )
