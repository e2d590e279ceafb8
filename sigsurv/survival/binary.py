"""Binary response analysis: 2x2 tables and logistic regression on a continuous score.

2x2 tables follow R exactly:

* Fisher's exact test as ``fisher.test``: two-sided p sums the tables whose
  probability is <= that of the observed table times ``1 + 1e-7``; the conditional
  maximum-likelihood odds ratio and its exact confidence limits are roots found with
  R's own root finder (``uniroot``: Brent's ``zeroin`` with tolerance
  ``.Machine$double.eps^0.25``, ported here), so they agree with R to the last digits
  (they differ from the exact roots by up to ~1e-3 relative, as R's do);
* Pearson's chi-square as ``chisq.test`` with and without Yates' correction
  (``min(0.5, |O - E|)``), flagging expected counts below 5;
* the sample odds ratio ``ad / bc`` with Woolf's log-scale CI and the relative risk
  ``(a / (a + b)) / (c / (c + d))`` with its log-scale CI. When they are undefined (a
  zero cell for the odds ratio; ``a`` or ``c`` zero for the relative risk) they are
  computed after adding 0.5 to every cell (Haldane–Anscombe), and flagged.

Table layout: rows = exposure (e.g. score high, score low), columns = outcome
(event yes, no): ``[[a, b], [c, d]]``. Note that R's ``matrix(c(a, c, b, d), 2)``
fills by column.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin, TestResult
from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival._result_format import jsonable, one_row, records

__all__ = [
    "BinaryResult",
    "FisherResult",
    "LogisticResult",
    "logistic_regression",
    "two_by_two",
]

_EPS = float(np.finfo(float).eps)
_UNIROOT_TOL = _EPS**0.25


def _zeroin(f: Any, ax: float, bx: float, tol: float = _UNIROOT_TOL, maxit: int = 1000) -> float:
    """Brent's root finder exactly as R's ``R_zeroin2`` (what ``uniroot`` calls).

    R's ``fisher.test`` results depend on this algorithm's stopping rule, so it is
    reproduced step for step rather than replaced by a tighter solver.
    """
    a, b = ax, bx
    fa, fb = f(a), f(b)
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    raise AnalysisError("root finding did not converge")  # pragma: no cover


class _NoncentralHypergeometric:
    """R ``fisher.test``'s helpers ``dnhyper``, ``mnhyper`` and ``pnhyper``."""

    def __init__(self, a: int, b: int, c: int, d: int) -> None:
        self.m = a + c  # first column total
        self.n = b + d  # second column total
        self.k = a + b  # first row total
        self.x = a
        self.lo = max(0, self.k - self.n)
        self.hi = min(self.k, self.m)
        self.support = np.arange(self.lo, self.hi + 1)
        self.logdc = stats.hypergeom.logpmf(self.support, self.m + self.n, self.m, self.k)

    def density(self, ncp: float) -> np.ndarray:
        d = self.logdc + math.log(ncp) * self.support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(self, ncp: float) -> float:
        if ncp == 0:
            return float(self.lo)
        if ncp == math.inf:
            return float(self.hi)
        return float((self.support * self.density(ncp)).sum())

    def cdf(self, q: int, ncp: float, upper_tail: bool = False) -> float:
        if ncp == 1:
            dist = stats.hypergeom(self.m + self.n, self.m, self.k)
            return float(dist.sf(self.x - 1) if upper_tail else dist.cdf(self.x))
        if ncp == 0:
            return float(q <= self.lo if upper_tail else q >= self.lo)
        if ncp == math.inf:
            return float(q <= self.hi if upper_tail else q >= self.hi)
        dens = self.density(ncp)
        return float(dens[self.support >= q].sum() if upper_tail else dens[self.support <= q].sum())

    def mle(self) -> float:
        x = self.x
        if x == self.lo:
            return 0.0
        if x == self.hi:
            return math.inf
        mu = self.mean(1.0)
        if mu > x:
            return _zeroin(lambda t: self.mean(t) - x, 0.0, 1.0)
        if mu < x:
            return 1.0 / _zeroin(lambda t: self.mean(1.0 / t) - x, _EPS, 1.0)
        return 1.0

    def upper_limit(self, alpha: float) -> float:
        x = self.x
        if x == self.hi:
            return math.inf
        p = self.cdf(x, 1.0)
        if p < alpha:
            return _zeroin(lambda t: self.cdf(x, t) - alpha, 0.0, 1.0)
        if p > alpha:
            return 1.0 / _zeroin(lambda t: self.cdf(x, 1.0 / t) - alpha, _EPS, 1.0)
        return 1.0

    def lower_limit(self, alpha: float) -> float:
        x = self.x
        if x == self.lo:
            return 0.0
        p = self.cdf(x, 1.0, upper_tail=True)
        if p > alpha:
            return _zeroin(lambda t: self.cdf(x, t, upper_tail=True) - alpha, 0.0, 1.0)
        if p < alpha:
            return 1.0 / _zeroin(lambda t: self.cdf(x, 1.0 / t, upper_tail=True) - alpha, _EPS, 1.0)
        return 1.0

    def p_two_sided(self) -> float:
        d = self.density(1.0)
        return float(min(1.0, d[d <= d[self.x - self.lo] * (1 + 1e-7)].sum()))


@dataclass(frozen=True)
class FisherResult(ResultMixin):
    """Fisher's exact test of one alternative (R ``fisher.test``).

    Attributes
    ----------
    alternative
        ``two-sided``, ``greater`` or ``less``.
    p
        Exact p-value.
    odds_ratio
        Conditional maximum-likelihood odds ratio.
    lower, upper
        Exact confidence limits (``inf`` for an open upper limit).
    conf_level
        Confidence level.

    Examples
    --------
    >>> two_by_two((6, 1, 8, 22)).fisher.alternative
    'two-sided'
    """

    alternative: str
    p: float
    odds_ratio: float
    lower: float
    upper: float
    conf_level: float

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``odds_ratio, lower, upper, p``, indexed by the alternative."""
        values = {"odds_ratio": self.odds_ratio, "lower": self.lower, "upper": self.upper}
        return one_row({**values, "p": self.p}, self.alternative, "alternative")

    def title(self) -> str:
        """``Fisher's exact test (<alternative>)``."""
        return f"Fisher's exact test ({self.alternative})"

    def to_dict(self) -> dict[str, Any]:
        """The fields, JSON-ready (an open limit becomes None).

        Examples
        --------
        >>> two_by_two((6, 1, 8, 22)).fisher_greater.to_dict()["upper"] is None
        True
        """
        return jsonable(
            {
                "alternative": self.alternative,
                "p": self.p,
                "odds_ratio": self.odds_ratio,
                "lower": self.lower,
                "upper": self.upper,
                "conf_level": self.conf_level,
            }
        )


@dataclass(frozen=True)
class BinaryResult(ResultMixin):
    """Every standard analysis of a 2x2 table ``[[a, b], [c, d]]``.

    Attributes
    ----------
    table
        The table (rows exposure, columns outcome yes/no).
    fisher, fisher_greater, fisher_less
        Fisher's exact test, two-sided and one-sided.
    chisq_yates, p_chisq_yates
        Pearson chi-square with Yates' continuity correction and its p (1 df).
    chisq, p_chisq
        Pearson chi-square without correction and its p.
    expected
        Expected counts under independence.
    small_expected
        True when an expected count is below 5 (R's "Chi-squared approximation may
        be incorrect"): prefer Fisher's test.
    odds_ratio, se_log_odds_ratio, odds_ratio_lower, odds_ratio_upper
        Sample odds ratio ``ad / bc`` with Woolf's log-scale CI.
    risk_exposed, risk_unexposed, relative_risk
        Risks ``a / (a + b)``, ``c / (c + d)`` and their ratio.
    se_log_relative_risk, relative_risk_lower, relative_risk_upper
        Standard error of the log relative risk and the log-scale CI.
    zero_cell_corrected
        True when a cell is 0 and 0.5 was added to every cell for the sample odds ratio.
    rr_zero_cell_corrected
        True when ``a`` or ``c`` is 0 and 0.5 was added to every cell for the relative
        risk (the risks ``risk_exposed``, ``risk_unexposed`` are always the raw ones).
    conf_level
        Confidence level of all intervals.

    Examples
    --------
    >>> res = two_by_two([[6, 1], [8, 22]])
    >>> round(res.odds_ratio, 1), round(res.relative_risk, 4)
    (16.5, 3.2143)
    """

    table: pd.DataFrame
    fisher: FisherResult
    fisher_greater: FisherResult
    fisher_less: FisherResult
    chisq_yates: float
    p_chisq_yates: float
    chisq: float
    p_chisq: float
    expected: pd.DataFrame
    small_expected: bool
    odds_ratio: float
    se_log_odds_ratio: float
    odds_ratio_lower: float
    odds_ratio_upper: float
    risk_exposed: float
    risk_unexposed: float
    relative_risk: float
    se_log_relative_risk: float
    relative_risk_lower: float
    relative_risk_upper: float
    zero_cell_corrected: bool
    rr_zero_cell_corrected: bool
    conf_level: float

    @property
    def summary(self) -> pd.DataFrame:
        """The measures: ``estimate, lower, upper, p`` for the odds ratios and relative risk.

        Rows: ``odds ratio (Fisher)`` (conditional MLE with the exact test),
        ``odds ratio (Woolf)`` (sample OR with the Yates chi-square p) and
        ``relative risk`` (with the Yates chi-square p). The 2x2 counts are :attr:`table`.

        Examples
        --------
        >>> two_by_two([[6, 1], [8, 22]]).summary.index.tolist()
        ['odds ratio (Fisher)', 'odds ratio (Woolf)', 'relative risk']
        """
        rows = {
            "odds ratio (Fisher)": (
                self.fisher.odds_ratio,
                self.fisher.lower,
                self.fisher.upper,
                self.fisher.p,
            ),
            "odds ratio (Woolf)": (
                self.odds_ratio,
                self.odds_ratio_lower,
                self.odds_ratio_upper,
                self.p_chisq_yates,
            ),
            "relative risk": (
                self.relative_risk,
                self.relative_risk_lower,
                self.relative_risk_upper,
                self.p_chisq_yates,
            ),
        }
        return pd.DataFrame.from_dict(
            rows, orient="index", columns=["estimate", "lower", "upper", "p"]
        ).rename_axis("measure")

    def title(self) -> str:
        """``2x2 table [[a, b], [c, d]]``."""
        return f"2x2 table {self.table.to_numpy().tolist()}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every number, the three Fisher tests and the ``table`` as records.

        Examples
        --------
        >>> d = two_by_two([[6, 1], [8, 22]]).to_dict()
        >>> d["fisher"]["alternative"], round(d["odds_ratio"], 1)
        ('two-sided', 16.5)
        """
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, FisherResult):
                out[name] = value.to_dict()
            elif isinstance(value, pd.DataFrame):
                out[name] = records(value)
            else:
                out[name] = value
        return jsonable(out)


def _cells(table: Any) -> tuple[int, int, int, int]:
    arr = np.asarray(table.to_numpy() if isinstance(table, pd.DataFrame) else table, dtype=float)
    if arr.shape == (2, 2):
        arr = arr.ravel()
    if arr.shape != (4,):
        raise SigsurvInputError(
            "a 2x2 table is needed", expected="[[a, b], [c, d]] or (a, b, c, d)", found=arr.shape
        )
    if not np.isfinite(arr).all() or (arr < 0).any() or (arr != np.round(arr)).any():
        raise SigsurvInputError("2x2 cells must be non-negative integer counts", found=arr.tolist())
    a, b, c, d = (int(v) for v in arr)
    return a, b, c, d


def _fisher_tests(
    a: int, b: int, c: int, d: int, conf_level: float
) -> tuple[FisherResult, FisherResult, FisherResult]:
    """Fisher's exact test, two-sided, greater and less (R ``fisher.test``)."""
    nh = _NoncentralHypergeometric(a, b, c, d)
    mle = nh.mle()
    alpha2 = (1 - conf_level) / 2
    fisher = FisherResult(
        "two-sided",
        nh.p_two_sided(),
        mle,
        nh.lower_limit(alpha2),
        nh.upper_limit(alpha2),
        conf_level,
    )
    greater = FisherResult(
        "greater",
        nh.cdf(a, 1.0, upper_tail=True),
        mle,
        nh.lower_limit(1 - conf_level),
        math.inf,
        conf_level,
    )
    less = FisherResult(
        "less", nh.cdf(a, 1.0), mle, 0.0, nh.upper_limit(1 - conf_level), conf_level
    )
    return fisher, greater, less


def two_by_two(table: Any, *, conf_level: float = 0.95) -> BinaryResult:
    """Fisher, chi-square, odds ratio and relative risk of a 2x2 table, as R.

    Parameters
    ----------
    table
        ``[[a, b], [c, d]]`` (rows exposed / unexposed, columns event yes / no), a 2x2
        DataFrame in that layout, or the tuple ``(a, b, c, d)``.
    conf_level
        Confidence level of every interval.

    Returns
    -------
    BinaryResult

    Raises
    ------
    SigsurvInputError
        Not a 2x2 table of non-negative integer counts.
    AnalysisError
        A row or a column of the table is empty (no test is possible).

    Warns
    -----
    SigsurvWarning
        An expected count below 5 (chi-square approximation doubtful).

    References
    ----------
    .. [1] Fisher RA. On the interpretation of chi-square from contingency tables, and the
           calculation of P. J R Stat Soc. 1922;85(1):87-94.
    .. [2] Agresti A. Categorical Data Analysis. 3rd ed. Hoboken: Wiley; 2013.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> res = two_by_two((6, 1, 8, 22))
    >>> print(f"{res.fisher.p:.6f} {res.fisher.odds_ratio:.4f}")
    0.007042 15.1382
    >>> print(f"{res.chisq_yates:.4f} {res.chisq:.4f} {res.small_expected}")
    6.0902 8.4134 True
    """
    a, b, c, d = _cells(table)
    if not 0.0 < conf_level < 1.0:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    obs = np.array([[a, b], [c, d]], dtype=float)
    rows = obs.sum(axis=1)
    cols = obs.sum(axis=0)
    if (rows == 0).any() or (cols == 0).any():
        raise AnalysisError(
            "the 2x2 table has an empty row or column; no association can be tested",
            found=f"a={a}, b={b}, c={c}, d={d}",
        )
    total = obs.sum()
    expected = np.outer(rows, cols) / total
    small = bool((expected < 5).any())
    if small:
        warnings.warn(
            f"2x2 table with an expected count of {expected.min():.3g} < 5: "
            "the chi-square approximation may be incorrect; use Fisher's exact test",
            SigsurvWarning,
            stacklevel=2,
        )
    dev = np.abs(obs - expected)
    yates = min(0.5, float(dev.min()))
    chisq_yates = float((((dev - yates) ** 2) / expected).sum())
    chisq = float(((dev**2) / expected).sum())

    fisher, greater, less = _fisher_tests(a, b, c, d, conf_level)
    z = stats.norm.ppf(1 - (1 - conf_level) / 2)
    corrected = 0 in (a, b, c, d)
    fa, fb, fc, fd = (v + 0.5 for v in (a, b, c, d)) if corrected else (a, b, c, d)
    odds_ratio = fa * fd / (fb * fc)
    se_or = math.sqrt(1 / fa + 1 / fb + 1 / fc + 1 / fd)
    # the relative risk only breaks down when an exposure group has no event
    rr_corrected = a == 0 or c == 0
    ra, rb, rc, rd = (v + 0.5 for v in (a, b, c, d)) if rr_corrected else (a, b, c, d)
    rr = (ra / (ra + rb)) / (rc / (rc + rd))
    se_rr = math.sqrt(1 / ra - 1 / (ra + rb) + 1 / rc - 1 / (rc + rd))
    labels_r = pd.Index(["exposed", "unexposed"])
    labels_c = pd.Index(["event", "no_event"])
    return BinaryResult(
        table=pd.DataFrame(obs.astype(int), index=labels_r, columns=labels_c),
        fisher=fisher,
        fisher_greater=greater,
        fisher_less=less,
        chisq_yates=chisq_yates,
        p_chisq_yates=float(stats.chi2.sf(chisq_yates, 1)),
        chisq=chisq,
        p_chisq=float(stats.chi2.sf(chisq, 1)),
        expected=pd.DataFrame(expected, index=labels_r, columns=labels_c),
        small_expected=small,
        odds_ratio=odds_ratio,
        se_log_odds_ratio=se_or,
        odds_ratio_lower=math.exp(math.log(odds_ratio) - z * se_or),
        odds_ratio_upper=math.exp(math.log(odds_ratio) + z * se_or),
        risk_exposed=a / (a + b),
        risk_unexposed=c / (c + d),
        relative_risk=rr,
        se_log_relative_risk=se_rr,
        relative_risk_lower=math.exp(math.log(rr) - z * se_rr),
        relative_risk_upper=math.exp(math.log(rr) + z * se_rr),
        zero_cell_corrected=corrected,
        rr_zero_cell_corrected=rr_corrected,
        conf_level=conf_level,
    )


@dataclass(frozen=True)
class LogisticResult(ResultMixin):
    """Unpenalised logistic regression of a binary response on one score.

    Attributes
    ----------
    coefficients
        Rows ``intercept`` and ``score``; columns ``coef, se, z, p`` (Wald),
        ``lower, upper`` (Wald CI of the coefficient), ``odds_ratio, or_lower, or_upper``.
    lrt_stat, lrt_df, lrt_p
        Likelihood-ratio test of the score (null deviance - residual deviance).
    deviance, null_deviance, aic
        As R ``glm``.
    n, n_events
        Samples and responses equal to 1.
    iterations
        Newton–Raphson iterations.
    converged
        False when the fit did not converge (e.g. separation): then the coefficient
        table must not be read as estimates.
    separation
        True when fitted probabilities reach 0 or 1 (complete or quasi-complete
        separation): the MLE does not exist.
    conf_level
        Confidence level.

    Examples
    --------
    >>> res = logistic_regression([0.1, 0.5, 0.9, 1.3, 1.7, 2.1], [0, 0, 1, 0, 1, 1])
    >>> res.converged, res.coefficients.index.tolist()
    (True, ['intercept', 'score'])
    """

    coefficients: pd.DataFrame
    lrt_stat: float
    lrt_df: int
    lrt_p: float
    deviance: float
    null_deviance: float
    aic: float
    n: int
    n_events: int
    iterations: int
    converged: bool
    separation: bool
    conf_level: float

    @property
    def summary(self) -> pd.DataFrame:
        """The coefficient table (:attr:`coefficients`)."""
        return self.coefficients

    @property
    def test(self) -> TestResult:
        """The likelihood-ratio test of the score as a :class:`~sigsurv._results.TestResult`.

        Examples
        --------
        >>> res = logistic_regression([0.1, 0.5, 0.9, 1.3, 1.7, 2.1], [0, 0, 1, 0, 1, 1])
        >>> res.test.p == res.lrt_p, res.test.method
        (True, 'likelihood ratio')
        """
        return TestResult(
            statistic=self.lrt_stat, df=self.lrt_df, p=self.lrt_p, method="likelihood ratio"
        )

    def title(self) -> str:
        """``Logistic regression: n=..., events=..., LRT ...`` with a warning if unusable."""
        flag = ""
        if self.separation:
            flag = " (SEPARATION: no MLE)"
        elif not self.converged:
            flag = " (NOT CONVERGED)"
        return (
            f"Logistic regression: n={self.n}, events={self.n_events};"
            f" LRT {self.lrt_stat:.4g} on {self.lrt_df} df, p = {self.lrt_p:.3g}{flag}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the ``coefficients`` as records and every other field.

        Examples
        --------
        >>> res = logistic_regression([0.1, 0.5, 0.9, 1.3, 1.7, 2.1], [0, 0, 1, 0, 1, 1])
        >>> [row["term"] for row in res.to_dict()["coefficients"]]
        ['intercept', 'score']
        """
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        fields["coefficients"] = records(self.coefficients.rename_axis("term"))
        return jsonable({**fields, "test": self.test.to_dict()})


def _binary_deviance(y: np.ndarray, p: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y == 1, np.log(p), np.log1p(-p))
    return float(-2.0 * terms.sum())


def _logistic_inputs(score: Any, response: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """Checked score and 0/1 response as floats, and the number of responses equal to 1."""
    x = np.asarray(score, dtype=float).ravel()
    y = np.asarray(response).ravel()
    if x.size != y.size or x.size == 0:
        raise SigsurvInputError(
            "score and response must be non-empty and of equal length",
            found=f"{x.size} and {y.size}",
        )
    if not np.isfinite(x).all():
        raise SigsurvInputError("score has missing or infinite values")
    try:
        y = y.astype(float)
    except (TypeError, ValueError):
        raise SigsurvInputError("response must be 0/1", found=str(y[:3].tolist())) from None
    if not np.isin(y, (0.0, 1.0)).all():
        bad = y[~np.isin(y, (0.0, 1.0))][0]
        raise SigsurvInputError("response must be 0/1", expected="0 or 1", found=bad)
    if np.ptp(x) == 0:
        raise AnalysisError("the score is constant: no logistic regression", found=f"{x[0]:g}")
    n_events = int(y.sum())
    if n_events in (0, y.size):
        raise AnalysisError(
            "the response is constant: no logistic regression",
            found=f"{n_events} of {y.size} responses are 1",
        )
    return x, y, n_events


def _irls(X: np.ndarray, y: np.ndarray, max_iter: int, tol: float) -> tuple[np.ndarray, int, bool]:
    """Newton–Raphson (IRLS) for the logistic likelihood, as R's glm.fit."""
    beta = np.zeros(2)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        eta = X @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        try:
            step = np.linalg.solve(info, X.T @ (y - p))
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            converged = True
            break
    return beta, iterations, converged


def logistic_regression(
    score: Any,
    response: Any,
    *,
    conf_level: float = 0.95,
    max_iter: int = 50,
    tol: float = 1e-12,
) -> LogisticResult:
    """Logistic regression ``logit P(response = 1) = b0 + b1 * score`` (R ``glm(binomial)``).

    Fitted by Newton–Raphson (= IRLS for the canonical link) from zero, until the
    largest Newton step is below ``tol``. Standard errors from the inverse Fisher
    information, Wald z tests and CIs, and the likelihood-ratio test against the
    intercept-only model.

    Parameters
    ----------
    score
        Continuous predictor (finite).
    response
        0/1 (or boolean) response.
    conf_level
        Confidence level of the Wald intervals.
    max_iter, tol
        Iteration limit and convergence tolerance on the Newton step.

    Returns
    -------
    LogisticResult

    Raises
    ------
    SigsurvInputError
        Bad shapes, missing values or a response that is not 0/1.
    AnalysisError
        A constant score or a constant response.

    Warns
    -----
    SigsurvWarning
        Separation or non-convergence (the result is flagged).

    References
    ----------
    .. [1] McCullagh P, Nelder JA. Generalized Linear Models. 2nd ed. London: Chapman & Hall;
           1989.

    Examples
    --------
    >>> res = logistic_regression([0.1, 0.5, 0.9, 1.3, 1.7, 2.1], [0, 0, 1, 0, 1, 1])
    >>> print(f"{res.coefficients.loc['score', 'coef']:.4f} {res.lrt_p:.4f}")
    3.0351 0.0667
    """
    x, y, n_events = _logistic_inputs(score, response)
    X = np.column_stack([np.ones_like(x), x])
    beta, iterations, converged = _irls(X, y, max_iter, tol)
    eta = X @ beta
    p = 1.0 / (1.0 + np.exp(-eta))
    w = p * (1 - p)
    separation = bool((np.abs(eta) > 30).any() and (w < 1e-12).any())
    if separation or not converged:
        warnings.warn(
            "logistic regression did not converge (the score separates the responses); "
            "coefficients are not estimates",
            SigsurvWarning,
            stacklevel=2,
        )
    info = X.T @ (X * w[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            cov = np.linalg.inv(info)
        except np.linalg.LinAlgError:
            cov = np.full((2, 2), np.inf)
    se = np.sqrt(np.diag(cov))
    z = beta / se
    zq = stats.norm.ppf(1 - (1 - conf_level) / 2)
    lower = beta - zq * se
    upper = beta + zq * se
    coefficients = pd.DataFrame(
        {
            "coef": beta,
            "se": se,
            "z": z,
            "p": 2 * stats.norm.sf(np.abs(z)),
            "lower": lower,
            "upper": upper,
            "odds_ratio": np.exp(beta),
            "or_lower": np.exp(lower),
            "or_upper": np.exp(upper),
        },
        index=pd.Index(["intercept", "score"]),
    )
    deviance = _binary_deviance(y, p)
    p0 = y.mean()
    null_deviance = _binary_deviance(y, np.full_like(y, p0))
    lrt = max(null_deviance - deviance, 0.0)
    return LogisticResult(
        coefficients=coefficients,
        lrt_stat=lrt,
        lrt_df=1,
        lrt_p=float(stats.chi2.sf(lrt, 1)),
        deviance=deviance,
        null_deviance=null_deviance,
        aic=deviance + 4.0,
        n=int(y.size),
        n_events=n_events,
        iterations=iterations,
        converged=converged and not separation,
        separation=separation,
        conf_level=conf_level,
    )
