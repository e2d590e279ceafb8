"""Log-rank tests: k-sample (R ``survdiff``, rho = 0) and the test for trend.

Notation: at each distinct event time t_j, n_j at risk and d_j events overall,
n_gj at risk and O_gj events in group g. Then

* expected ``E_g = sum_j n_gj d_j / n_j``;
* variance ``V_gh = sum_j c_j p_gj (delta_gh - p_hj)`` with ``p_gj = n_gj / n_j`` and the
  hypergeometric factor ``c_j = d_j (n_j - d_j) / (n_j - 1)`` (0 when n_j = 1);
* ``chisq = (O - E)' V^- (O - E)`` computed as R: groups with E_g = 0 are left out, the
  first remaining group is dropped and the (k'-1)-square system solved; df = k' - 1.

With ``strata``, O, E and V are summed over strata (R ``survdiff(... + strata(s))``).

**Trend test** for ordered groups with scores w (default 1, 2, ..., k):
``U = w'(O - E)``, ``Var(U) = w' V w``, ``chisq = U^2 / Var(U)`` on 1 df, z = U / sqrt(Var U)
(the classic log-rank test for trend, e.g. Collett, *Modelling Survival Data in Medical
Research*, section 2.6; computed from R ``survdiff``'s ``obs``, ``exp`` and ``var``, which
is how the goldens in ``tests/data/survival/basics/make.R`` are made). It is invariant
to shifting or rescaling w, and for two groups equals the log-rank test. Without tied
event times it equals the score test of a Breslow Cox model with the group score as
covariate (checked against R ``coxph`` in the tests).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin, TestResult
from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival._event_table import EventTable, event_table
from sigsurv.survival._result_format import jsonable
from sigsurv.survival._validate import require_events, survival_arrays, warn_few_events
from sigsurv.survival.km import encode_groups

__all__ = ["LogRankResult", "LogRankTrendResult", "logrank_test", "logrank_trend_test"]


@dataclass(frozen=True)
class LogRankResult(ResultMixin):
    """A k-sample log-rank test (R ``survdiff``).

    Attributes
    ----------
    chisq, df, p
        Statistic, degrees of freedom and p-value (chi-square upper tail).
    groups
        Group labels in level order.
    n
        Samples per group.
    observed, expected
        Observed and expected events per group (summed over strata).
    variance
        Variance-covariance matrix of O - E (groups x groups).
    n_strata
        Number of strata (1 without ``strata``).
    weighting
        ``"log-rank"`` or the Fleming–Harrington weights ``"FH(p, q)"`` used
        (R ``survdiff(rho = r)`` is ``FH(r, 0)``).

    Examples
    --------
    >>> res = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 1], ["a", "a", "a", "b", "b", "b"])
    >>> round(res.chisq, 4), res.df
    (2.4694, 1)
    """

    chisq: float
    df: int
    p: float
    groups: list[Any]
    n: pd.Series
    observed: pd.Series
    expected: pd.Series
    variance: pd.DataFrame
    n_strata: int = 1
    weighting: str = "log-rank"

    @property
    def summary(self) -> pd.DataFrame:
        """Per-group table as R's ``survdiff`` prints: N, O, E, (O-E)^2/E, (O-E)^2/V.

        Examples
        --------
        >>> res = logrank_test([1, 2, 3, 4], [1, 1, 1, 1], ["a", "b", "a", "b"])
        >>> res.summary.columns.tolist()
        ['n', 'observed', 'expected', '(O-E)^2/E', '(O-E)^2/V']
        """
        diff = self.observed - self.expected
        var = pd.Series(np.diag(self.variance.to_numpy()), index=self.variance.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            return pd.DataFrame(
                {
                    "n": self.n,
                    "observed": self.observed,
                    "expected": self.expected,
                    "(O-E)^2/E": diff**2 / self.expected,
                    "(O-E)^2/V": diff**2 / var,
                }
            )

    def to_frame(self) -> pd.DataFrame:
        """The per-group table :attr:`summary` (the older name).

        Examples
        --------
        >>> res = logrank_test([1, 2, 3, 4], [1, 1, 1, 1], ["a", "b", "a", "b"])
        >>> res.to_frame().equals(res.summary)
        True
        """
        return self.summary

    @property
    def test(self) -> TestResult:
        """The test as a :class:`~sigsurv._results.TestResult` (method: the weighting).

        Examples
        --------
        >>> logrank_test([1, 2, 3, 4], [1, 1, 1, 1], ["a", "b", "a", "b"]).test.method
        'log-rank'
        """
        return TestResult(statistic=self.chisq, df=self.df, p=self.p, method=self.weighting)

    def title(self) -> str:
        """The test in one line."""
        return self.test.to_text()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``chisq, df, p, test, groups, n_strata, weighting, table``.

        Examples
        --------
        >>> d = logrank_test([1, 2, 3, 4], [1, 1, 1, 1], ["a", "b", "a", "b"]).to_dict()
        >>> d["test"]["method"], d["table"][0]["group"]
        ('log-rank', 'a')
        """
        return jsonable(
            {
                "chisq": self.chisq,
                "df": self.df,
                "p": self.p,
                "test": self.test.to_dict(),
                "groups": [str(g) for g in self.groups],
                "n_strata": self.n_strata,
                "weighting": self.weighting,
                "table": [
                    {"group": str(group), **row}
                    for group, row in self.summary.to_dict(orient="index").items()
                ],
            }
        )


@dataclass(frozen=True)
class LogRankTrendResult(ResultMixin):
    """The log-rank test for trend across ordered groups.

    Attributes
    ----------
    chisq, df, p
        ``U^2 / Var(U)`` on 1 degree of freedom and its p-value.
    z
        Signed statistic ``U / sqrt(Var U)``: positive when groups with higher
        scores have more events than expected.
    u, variance_u
        ``w'(O - E)`` and ``w' V w``.
    scores
        The scores per group (level order).
    logrank
        The underlying k-sample test (O, E, V).

    Examples
    --------
    >>> res = logrank_trend_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], [3, 3, 2, 2, 1, 1])
    >>> res.z > 0  # the highest-scored group fails first
    True
    """

    chisq: float
    df: int
    p: float
    z: float
    u: float
    variance_u: float
    scores: pd.Series
    logrank: LogRankResult

    @property
    def test(self) -> TestResult:
        """The trend test as a :class:`~sigsurv._results.TestResult`.

        Examples
        --------
        >>> res = logrank_trend_test([1, 2, 3, 4, 5, 6], [1] * 6, [3, 3, 2, 2, 1, 1])
        >>> res.test.method, res.test.df
        ('log-rank trend', 1)
        """
        return TestResult(statistic=self.chisq, df=self.df, p=self.p, method="log-rank trend")

    @property
    def summary(self) -> pd.DataFrame:
        """Per group (level order): ``score`` and the log-rank table (N, O, E, ...).

        Examples
        --------
        >>> res = logrank_trend_test([1, 2, 3, 4, 5, 6], [1] * 6, [3, 3, 2, 2, 1, 1])
        >>> res.summary["score"].tolist()
        [1.0, 2.0, 3.0]
        """
        table = self.logrank.summary
        return pd.concat([self.scores.rename("score").reindex(table.index), table], axis=1)

    def title(self) -> str:
        """The test in one line, with the signed z."""
        return f"{self.test.to_text()}; z = {self.z:.4g}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``chisq, df, p, z, u, variance_u, test, scores, logrank``.

        Examples
        --------
        >>> res = logrank_trend_test([1, 2, 3, 4, 5, 6], [1] * 6, [3, 3, 2, 2, 1, 1])
        >>> res.to_dict()["test"]["p"] == res.p
        True
        """
        return jsonable(
            {
                "chisq": self.chisq,
                "df": self.df,
                "p": self.p,
                "z": self.z,
                "u": self.u,
                "variance_u": self.variance_u,
                "test": self.test.to_dict(),
                "scores": {str(g): float(w) for g, w in self.scores.items()},
                "logrank": self.logrank.to_dict(),
            }
        )


def _time_weights(tab: EventTable, p: float, q: float) -> np.ndarray:
    """Fleming–Harrington weights ``S(t-)^p (1 - S(t-))^q`` at each distinct time.

    ``S(t-)`` is the left-continuous pooled Kaplan–Meier estimate of the stratum,
    as R ``survdiff``'s C code (``survdiff2.c``) computes it for ``rho`` (= p, q = 0).
    """
    surv = tab.product_limit()
    left = np.concatenate([[1.0], surv[:-1]])
    return left**p * (1.0 - left) ** q


def _observed_expected_variance(
    time: np.ndarray, event: np.ndarray, codes: np.ndarray, k: int, p: float, q: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Weighted) O, E and V of one stratum (vectorised over distinct event times)."""
    tab = event_table(time, event)
    n_risk_g, deaths = tab.by_group(codes, k)
    keep = deaths.sum(axis=1) > 0
    n_risk_g = n_risk_g[keep]
    deaths = deaths[keep]
    n_risk = n_risk_g.sum(axis=1)
    d = deaths.sum(axis=1)
    share = n_risk_g / n_risk[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(n_risk > 1, d * (n_risk - d) / (n_risk - 1), 0.0)
    if p == 0 and q == 0:
        observed = deaths.sum(axis=0)
        expected = (share * d[:, None]).sum(axis=0)
    else:
        w = _time_weights(tab, p, q)[keep]
        observed = (w[:, None] * deaths).sum(axis=0)
        expected = (share * (w * d)[:, None]).sum(axis=0)
        c = c * w * w
    weighted = share * c[:, None]
    variance = np.diag(weighted.sum(axis=0)) - weighted.T @ share
    return observed, expected, variance


def _prepare(
    time: Any, event: Any, groups: Any, strata: Any, timefix: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any], np.ndarray, int]:
    t, e = survival_arrays(time, event, timefix=timefix)
    if groups is None:
        raise SigsurvInputError("logrank_test needs group labels", expected="one label per sample")
    codes, levels = encode_groups(groups, t.size)
    if len(levels) < 2:
        raise AnalysisError(
            "all samples are in one group; a log-rank test needs at least two groups",
            found=repr(levels[0]),
        )
    if strata is None:
        s_codes = np.zeros(t.size, dtype=int)
        n_strata = 1
    else:
        s_codes, s_levels = encode_groups(strata, t.size, name="strata")
        n_strata = len(s_levels)
    warn_few_events(require_events(e, "the log-rank test"), "the log-rank test", stacklevel=4)
    return t, e, codes, levels, s_codes, n_strata


def _oev(
    t: np.ndarray,
    e: np.ndarray,
    codes: np.ndarray,
    k: int,
    s_codes: np.ndarray,
    n_strata: int,
    weights: tuple[float, float] = (0.0, 0.0),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    observed = np.zeros(k)
    expected = np.zeros(k)
    variance = np.zeros((k, k))
    for s in range(n_strata):
        mask = s_codes == s
        o, ex, v = _observed_expected_variance(t[mask], e[mask], codes[mask], k, *weights)
        observed += o
        expected += ex
        variance += v
    return observed, expected, variance


def _result(
    levels: list[Any],
    codes: np.ndarray,
    observed: np.ndarray,
    expected: np.ndarray,
    variance: np.ndarray,
    n_strata: int,
) -> LogRankResult:
    """The k-sample statistic from O, E, V, exactly as R ``survdiff``."""
    usable = expected > 0
    if usable.sum() < 2:
        raise AnalysisError(
            "fewer than two groups are at risk at any event time; no log-rank test",
            found=", ".join(f"{g}: E={x:g}" for g, x in zip(levels, expected, strict=True)),
        )
    if not usable.all():
        warnings.warn(
            "groups with no expected events are left out of the log-rank statistic: "
            + ", ".join(str(g) for g, u in zip(levels, usable, strict=True) if not u),
            SigsurvWarning,
            stacklevel=3,
        )
    diff = (observed - expected)[usable][1:]
    vv = variance[np.ix_(usable, usable)][1:, 1:]
    try:
        chisq = float(diff @ np.linalg.solve(vv, diff))
    except np.linalg.LinAlgError:
        raise AnalysisError(
            "the log-rank variance matrix is singular", hint="merge sparse groups"
        ) from None
    df = int(usable.sum()) - 1
    k = len(levels)
    index = pd.Index(levels)
    return LogRankResult(
        chisq=chisq,
        df=df,
        p=float(stats.chi2.sf(chisq, df)),
        groups=list(levels),
        n=pd.Series(np.bincount(codes, minlength=k), index=index),
        observed=pd.Series(observed, index=index),
        expected=pd.Series(expected, index=index),
        variance=pd.DataFrame(variance, index=index, columns=index),
        n_strata=n_strata,
    )


def _weight_exponents(
    rho: float, fleming_harrington: tuple[float, float] | None
) -> tuple[float, float]:
    if fleming_harrington is None:
        p, q = float(rho), 0.0
    else:
        if rho != 0:
            raise SigsurvInputError(
                "give either rho or fleming_harrington, not both",
                found=f"rho={rho}, fleming_harrington={fleming_harrington}",
            )
        try:
            p, q = (float(v) for v in fleming_harrington)
        except (TypeError, ValueError):
            raise SigsurvInputError(
                "fleming_harrington must be a pair (p, q)", found=repr(fleming_harrington)
            ) from None
    if not (np.isfinite(p) and np.isfinite(q) and p >= 0 and q >= 0):
        raise SigsurvInputError(
            "weight exponents must be finite and >= 0", expected="p, q >= 0", found=(p, q)
        )
    return p, q


def logrank_test(
    time: Any,
    event: Any,
    groups: Any,
    *,
    strata: Any = None,
    timefix: bool = True,
    rho: float = 0.0,
    fleming_harrington: tuple[float, float] | None = None,
) -> LogRankResult:
    """Log-rank test of equal survival across groups, as R ``survdiff``; weighted variants.

    Each distinct event time gets a weight ``w(t)``: 1 for the log-rank test
    (``rho = 0``, R's default); ``S(t-)^rho`` for R's ``survdiff(rho = )``
    (``rho = 1``: the Peto & Peto modification of the Gehan–Wilcoxon test); and
    ``S(t-)^p (1 - S(t-))^q`` for the Fleming–Harrington ``G(p, q)`` family
    (``q > 0`` emphasises late differences). ``S(t-)`` is the left-continuous
    Kaplan–Meier estimate of all groups pooled (within each stratum). O and E are
    sums of ``w d``, the variance of ``w^2`` times the hypergeometric variance.

    Parameters
    ----------
    time
        Follow-up times (finite, >= 0).
    event
        1 = event, 0 = censored.
    groups
        One label per sample (two or more groups); level order as
        :func:`sigsurv.survival.km.encode_groups` (categories of a Categorical, else sorted).
    strata
        Optional stratum label per sample: the stratified log-rank test.
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.
    rho
        R ``survdiff``'s ``rho``: weights ``S(t-)^rho`` (>= 0).
    fleming_harrington
        ``(p, q)``: Fleming–Harrington weights ``S(t-)^p (1 - S(t-))^q``;
        ``(rho, 0)`` equals ``rho``. Give ``rho`` or this, not both.

    Returns
    -------
    LogRankResult
        Chi-square, df, p, (weighted) observed, expected, the variance matrix and
        the ``weighting`` used.

    Raises
    ------
    AnalysisError
        No events, or all samples in one group.
    SigsurvInputError
        Negative or non-finite weight exponents, or both ``rho`` and
        ``fleming_harrington``.

    Warns
    -----
    SigsurvWarning
        Fewer than 10 events; a group with no expected events (left out of the
        statistic, as R does).

    References
    ----------
    .. [1] Mantel N. Evaluation of survival data and two new rank order statistics arising in its
           consideration. Cancer Chemother Rep. 1966;50(3):163-170.
    .. [2] Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat Soc A.
           1972;135(2):185-207.
    .. [3] Harrington DP, Fleming TR. A class of rank test procedures for censored survival data.
           Biometrika. 1982;69(3):553-566.

    Examples
    --------
    >>> res = logrank_test([2, 3, 5, 7, 8, 9, 11, 12], [1, 1, 0, 1, 1, 0, 1, 1],
    ...                    ["x", "x", "x", "x", "y", "y", "y", "y"])
    >>> print(f"{res.chisq:.4f} {res.p:.4f}")
    5.3478 0.0207
    >>> res.observed.tolist(), res.expected.round(4).tolist()
    ([3.0, 3.0], [1.1286, 4.8714])
    >>> peto = logrank_test([2, 3, 5, 7, 8, 9, 11, 12], [1, 1, 0, 1, 1, 0, 1, 1],
    ...                     ["x", "x", "x", "x", "y", "y", "y", "y"], rho=1)
    >>> print(f"{peto.chisq:.4f} {peto.weighting}")
    4.8531 FH(1, 0)
    """
    p, q = _weight_exponents(rho, fleming_harrington)
    t, e, codes, levels, s_codes, n_strata = _prepare(time, event, groups, strata, timefix)
    k = len(levels)
    observed, expected, variance = _oev(t, e, codes, k, s_codes, n_strata, (p, q))
    result = _result(levels, codes, observed, expected, variance, n_strata)
    if p == 0 and q == 0:
        return result
    return replace(result, weighting=f"FH({p:g}, {q:g})")


def logrank_trend_test(
    time: Any,
    event: Any,
    groups: Any,
    scores: Any = None,
    *,
    strata: Any = None,
    timefix: bool = True,
    rho: float = 0.0,
    fleming_harrington: tuple[float, float] | None = None,
) -> LogRankTrendResult:
    """Log-rank test for trend across ordered groups.

    ``chisq = (w'(O - E))^2 / (w' V w)`` on 1 df, with O, E, V of the k-sample
    log-rank test (R ``survdiff``) and group scores w; see the module docstring.

    Parameters
    ----------
    time
        Follow-up times.
    event
        1 = event, 0 = censored.
    groups
        Ordered group labels; the order is the categories of an (ordered)
        Categorical, else the sorted labels.
    scores
        One score per group in that order (default 1, 2, ..., k), or a mapping
        label -> score.
    strata
        Optional stratum label per sample.
    rho, fleming_harrington
        Weights of the underlying test, as :func:`logrank_test` (default: none).
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.

    Returns
    -------
    LogRankTrendResult

    Raises
    ------
    AnalysisError
        No events, one group, or scores that do not vary.

    References
    ----------
    .. [1] Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat Soc A.
           1972;135(2):185-207.
    .. [2] Collett D. Modelling Survival Data in Medical Research. 3rd ed. Boca Raton: CRC Press;
           2015 (section 2.6, the log-rank test for trend).

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.Categorical(["T1"] * 4 + ["T2"] * 4 + ["T3"] * 4, categories=["T1", "T2", "T3"])
    >>> time = [9, 12, 15, 20, 5, 8, 11, 14, 2, 4, 6, 7]
    >>> res = logrank_trend_test(time, [1] * 12, g)
    >>> res.z > 0, res.df, round(res.p, 4)
    (True, 1, 0.0023)
    """
    p, q = _weight_exponents(rho, fleming_harrington)
    t, e, codes, levels, s_codes, n_strata = _prepare(time, event, groups, strata, timefix)
    k = len(levels)
    if scores is None:
        w = np.arange(1.0, k + 1.0)
    elif isinstance(scores, dict):
        missing = [g for g in levels if g not in scores]
        if missing:
            raise SigsurvInputError("scores missing for groups", found=", ".join(map(str, missing)))
        w = np.array([float(scores[g]) for g in levels])
    else:
        w = np.asarray(scores, dtype=float).ravel()
        if w.size != k:
            raise SigsurvInputError(
                "one score per group is needed", expected=f"{k} scores", found=w.size
            )
    if not np.isfinite(w).all() or np.ptp(w) == 0:
        raise AnalysisError("group scores must be finite and not all equal", found=w.tolist())
    observed, expected, variance = _oev(t, e, codes, k, s_codes, n_strata, (p, q))
    u = float(w @ (observed - expected))
    var_u = float(w @ variance @ w)
    if not var_u > 0:
        raise AnalysisError("the trend statistic has zero variance", found=var_u)
    chisq = u * u / var_u
    base = _result(levels, codes, observed, expected, variance, n_strata)
    if p != 0 or q != 0:
        base = replace(base, weighting=f"FH({p:g}, {q:g})")
    return LogRankTrendResult(
        chisq=chisq,
        df=1,
        p=float(stats.chi2.sf(chisq, 1)),
        z=float(u / np.sqrt(var_u)),
        u=u,
        variance_u=var_u,
        scores=pd.Series(w, index=pd.Index(levels)),
        logrank=base,
    )
