"""Grouping rules for a continuous score, including the honest optimal cut-point.

Rules (:func:`group_by_cut`):

* ``"median"``: cut = R ``median(x)`` (mean of the two middle values for even n);
  **high = x > cut**, low = x <= cut (survminer ``surv_categorize``).
* ``"tertile"`` / ``"quartile"``: cuts = R ``quantile(x, type = 7)`` (numpy's default
  linear interpolation) at 1/3, 2/3 (or 1/4, 1/2, 3/4); groups are right-closed
  intervals as R ``cut(x, quantile(...), include.lowest = TRUE)``: T1 = x <= q1,
  T2 = q1 < x <= q2, ...
* a number c: high = x > c.
* ``"optimal"``: the maximally selected log-rank statistic (R ``maxstat.test(Surv(time,
  event) ~ x, smethod = "LogRank", minprop = 0.1, maxprop = 0.9)``, survminer
  ``surv_cutpoint``); low = x <= cut. Its p-value is always reported adjusted for the
  selection (:func:`maxstat_cutpoint`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin
from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival._result_format import jsonable, one_row
from sigsurv.survival._validate import require_events, survival_arrays, warn_few_events
from sigsurv.survival.cut_rules import RULE_NAMES
from sigsurv.survival.logrank import LogRankResult, logrank_test

__all__ = [
    "RULES",
    "Grouping",
    "MaxstatResult",
    "group_by_cut",
    "logrank_scores",
    "maxstat_cutpoint",
    "p_lausen92",
    "p_lausen94",
]

#: The rule names, from the one registry (:mod:`sigsurv.survival.cut_rules`).
RULES = RULE_NAMES

_PERMUTATION_BLOCK = 512


def logrank_scores(time: Any, event: Any) -> np.ndarray:
    """Log-rank scores of censored survival times (``exactRankTests::cscores``).

    ``a_i = d_i - sum_{j: r_j <= r_i} d_j / (N - r_j + 1)`` with ``r`` the max-rank of
    the times (tied times share the highest rank).

    Examples
    --------
    >>> logrank_scores([1, 2, 2, 3], [1, 1, 0, 1]).round(4).tolist()
    [0.75, 0.25, -0.75, -0.75]
    """
    t, e = survival_arrays(time, event)
    n = t.size
    order = np.argsort(t, kind="stable")
    max_rank = np.searchsorted(t[order], t, side="right")  # 1-based max-rank
    fact = e / (n - max_rank + 1)
    cum = np.cumsum(fact[order])
    return e - cum[max_rank - 1]


def p_lausen92(statistic: float, minprop: float = 0.1, maxprop: float = 0.9) -> float:
    """Lausen & Schumacher (1992) approximate p-value of a maximally selected statistic.

    ``4 phi(b)/b + phi(b) (b - 1/b) log(maxprop (1 - minprop) / ((1 - maxprop) minprop))``,
    1 when b < 1 and at least 0 (R ``maxstat:::pLausen92``).

    Examples
    --------
    >>> round(p_lausen92(2.56237874778813), 6)
    0.166241
    """
    b = float(statistic)
    if b < 1:
        return 1.0
    db = stats.norm.pdf(b)
    p = 4 * db / b + db * (b - 1 / b) * math.log(
        (maxprop * (1 - minprop)) / ((1 - maxprop) * minprop)
    )
    return float(max(p, 0.0))


def p_lausen94(statistic: float, n: int, m: Any) -> float:
    """Lausen, Sauerbrei & Schumacher (1994) improved Bonferroni bound (R ``pLausen94``).

    ``1 - (Phi(b) - Phi(-b)) + sum_i exp(-b^2/2)/pi (t_i - (b^2/4 - 1) t_i^3 / 6)`` with
    ``t_i = sqrt(1 - m_i (N - m_{i+1}) / ((N - m_i) m_{i+1}))`` over consecutive
    candidate group sizes ``m``. An upper bound: **not clipped, it can exceed 1**.

    Examples
    --------
    >>> round(p_lausen94(3.0, 100, [10, 20, 30]), 6)
    0.007115
    """
    b = float(statistic)
    m = np.asarray(m, dtype=float)
    d = 0.0
    if m.size > 1:
        m1, m2 = m[:-1], m[1:]
        t = np.sqrt(1 - m1 * (n - m2) / ((n - m1) * m2))
        d = float(np.sum(1 / np.pi * np.exp(-(b**2) / 2) * (t - (b**2 / 4 - 1) * t**3 / 6)))
    return float(1 - (stats.norm.cdf(b) - stats.norm.cdf(-b)) + d)


@dataclass(frozen=True)
class MaxstatResult(ResultMixin):
    """A maximally selected log-rank cut-point with selection-adjusted p-values.

    The naive log-rank test at the chosen cut is optimistic by construction and is
    only ever shown next to the adjusted p-values.

    Attributes
    ----------
    cutpoint
        The chosen cut (low = score <= cutpoint).
    statistic
        The maximal standardised log-rank statistic M.
    p_lau92, p_lau94
        Lausen–Schumacher 1992 and Lausen et al. 1994 p-values (Lau94 is an upper
        bound and may exceed 1, as in R).
    p_permutation
        Permutation p-value ``(1 + #{M* >= M}) / (1 + B)`` (``None`` unless
        ``n_permutations > 0``).
    n_permutations, seed
        Permutations drawn and the seed used.
    minprop, maxprop
        Allowed range of the low-group proportion.
    n, n_low, n_high
        Samples, and group sizes at the cut.
    curve
        Every candidate cut: ``cut, n_low, statistic``.
    naive_logrank
        survdiff log-rank test of low vs high at the chosen cut (ignores the selection).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=60); time = np.exp(-x + rng.normal(size=60)); event = np.ones(60)
    >>> res = maxstat_cutpoint(x, time, event)
    >>> bool(res.p_adjusted >= res.naive_logrank_p)
    True
    """

    cutpoint: float
    statistic: float
    p_lau92: float
    p_lau94: float
    p_permutation: float | None
    n_permutations: int
    seed: int | None
    minprop: float
    maxprop: float
    n: int
    n_low: int
    n_high: int
    curve: pd.DataFrame
    naive_logrank: LogRankResult

    @property
    def naive_logrank_chisq(self) -> float:
        """Log-rank chi-square at the chosen cut, ignoring the selection."""
        return self.naive_logrank.chisq

    @property
    def naive_logrank_p(self) -> float:
        """Log-rank p at the chosen cut, ignoring the selection (optimistic)."""
        return self.naive_logrank.p

    @property
    def p_adjusted(self) -> float:
        """The selection-adjusted p to quote.

        The permutation p when computed; otherwise the more conservative of Lau92
        and Lau94, capped at 1.
        """
        if self.p_permutation is not None:
            return self.p_permutation
        return min(1.0, max(self.p_lau92, self.p_lau94))

    @property
    def summary(self) -> pd.DataFrame:
        """One row: the cut, M, the adjusted p-values and the naive log-rank p."""
        keys = ("cutpoint", "statistic", "p_lau92", "p_lau94", "p_permutation", "p_adjusted")
        values = {key: self.to_dict()[key] for key in (*keys, "naive_logrank_p")}
        values["p_permutation"] = float("nan") if self.p_permutation is None else self.p_permutation
        return one_row(values, "maxstat", "statistic")

    def title(self) -> str:
        """``Maximally selected log-rank cut-point ... (adjusted p ...)``."""
        return (
            f"Maximally selected log-rank cut-point {self.cutpoint:.4g}:"
            f" n_low={self.n_low}, n_high={self.n_high}, adjusted p = {self.p_adjusted:.3g}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; the naive p always comes with the adjusted ones.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> x = rng.normal(size=60); t = np.exp(-x + rng.normal(size=60))
        >>> sorted(maxstat_cutpoint(x, t, np.ones(60)).to_dict())[:3]
        ['cutpoint', 'maxprop', 'minprop']
        """
        return {
            "cutpoint": self.cutpoint,
            "statistic": self.statistic,
            "p_lau92": self.p_lau92,
            "p_lau94": self.p_lau94,
            "p_permutation": self.p_permutation,
            "n_permutations": self.n_permutations,
            "seed": self.seed,
            "p_adjusted": self.p_adjusted,
            "minprop": self.minprop,
            "maxprop": self.maxprop,
            "n": self.n,
            "n_low": self.n_low,
            "n_high": self.n_high,
            "naive_logrank_chisq": self.naive_logrank_chisq,
            "naive_logrank_p": self.naive_logrank_p,
        }


def _standardised(
    cums: np.ndarray, m: np.ndarray, n: int, total: float, total_sq: float
) -> np.ndarray:
    """|S_m - m/N sum a| / sqrt(m (N - m) / (N^2 (N - 1)) (N sum a^2 - (sum a)^2))."""
    expected = m / n * total
    variance = m * (n - m) / (n**2 * (n - 1)) * (n * total_sq - total**2)
    return np.abs(cums - expected) / np.sqrt(variance)


def _permutation_p(
    a_sorted: np.ndarray,
    m: np.ndarray,
    sums: tuple[float, float],
    statistic: float,
    n_permutations: int,
    seed: Any,
) -> float:
    """Permutation p-value of the maximally selected statistic (blocks of permutations).

    ``sums`` are the sum and the sum of squares of the log-rank scores.
    """
    n = a_sorted.shape[0]
    total, total_sq = sums
    rng = np.random.default_rng(seed)
    exceed = 0
    done = 0
    while done < n_permutations:
        size = min(_PERMUTATION_BLOCK, n_permutations - done)
        perm = rng.permuted(np.broadcast_to(a_sorted, (size, n)), axis=1)
        perm_stat = _standardised(np.cumsum(perm, axis=1)[:, m - 1], m, n, total, total_sq)
        # tolerance: permutations reproducing the observed split must count as ties
        exceed += int((perm_stat.max(axis=1) >= statistic * (1 - 1e-12)).sum())
        done += size
    return (1 + exceed) / (1 + n_permutations)


def maxstat_cutpoint(
    score: Any,
    time: Any,
    event: Any,
    *,
    minprop: float = 0.1,
    maxprop: float = 0.9,
    n_permutations: int = 0,
    seed: int | None = None,
) -> MaxstatResult:
    """Optimal cut-point by the maximally selected log-rank statistic (R ``maxstat``).

    Exactly R ``maxstat.test(Surv(time, event) ~ x, smethod = "LogRank", minprop,
    maxprop)``: log-rank scores :func:`logrank_scores`; candidate cuts are the distinct
    score values whose count of samples <= cut, m, satisfies
    ``max(1, floor(minprop N)) <= m <= floor(maxprop N)``; the statistic of a cut is
    the standardised sum of the scores of the low group; the cut is the smallest
    value attaining the maximum. Adjusted p-values: Lau92, Lau94 (both as R) and, if
    ``n_permutations > 0``, a permutation p with a seeded generator.

    Parameters
    ----------
    score
        Continuous score per sample.
    time, event
        Follow-up times and 0/1 events.
    minprop, maxprop
        Allowed range of the low-group proportion.
    n_permutations
        Number of permutations of the scores for a permutation p (0 = none).
    seed
        Seed of the permutation generator (required when ``n_permutations > 0``).

    Returns
    -------
    MaxstatResult

    Raises
    ------
    AnalysisError
        No events, a constant score or no candidate cut in [minprop, maxprop].

    Warns
    -----
    SigsurvWarning
        Fewer than 10 events.

    References
    ----------
    .. [1] Lausen B, Schumacher M. Maximally selected rank statistics. Biometrics. 1992;48(1):73-85.
    .. [2] Lausen B, Sauerbrei W, Schumacher M. Classification and regression trees (CART) used for
           the exploration of prognostic factors measured on different scales. In: Dirschedl P,
           Ostermann R, eds. Computational Statistics. Heidelberg: Physica; 1994:483-496.
    .. [3] Hothorn T, Lausen B. On the exact distribution of maximally selected rank statistics.
           Comput Stat Data Anal. 2003;43(2):121-137.
    .. [4] Altman DG, Lausen B, Sauerbrei W, Schumacher M. Dangers of using "optimal" cutpoints in
           the evaluation of prognostic factors. J Natl Cancer Inst. 1994;86(11):829-835.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> x = rng.normal(size=100)
    >>> time = rng.exponential(np.where(x > 0.5, 5.0, 20.0)); event = np.ones(100)
    >>> res = maxstat_cutpoint(x, time, event, n_permutations=200, seed=1)
    >>> bool(res.p_lau92 < 0.05), res.n_low + res.n_high
    (True, 100)
    """
    t, e = survival_arrays(time, event)
    x = np.asarray(score, dtype=float).ravel()
    n = t.size
    if x.size != n:
        raise SigsurvInputError("score and time differ in length", expected=str(n), found=x.size)
    if not np.isfinite(x).all():
        raise SigsurvInputError(
            "score has missing or infinite values",
            found=f"{int((~np.isfinite(x)).sum())} values",
        )
    if not (0 <= minprop < maxprop <= 1):
        raise SigsurvInputError(
            "need 0 <= minprop < maxprop <= 1", found=f"minprop={minprop}, maxprop={maxprop}"
        )
    if n_permutations < 0 or (n_permutations > 0 and seed is None):
        raise SigsurvInputError(
            "permutations need a non-negative count and an explicit seed",
            found=f"n_permutations={n_permutations}, seed={seed}",
        )
    events = require_events(e, "the optimal cut-point")
    if np.ptp(x) == 0:
        raise AnalysisError("the score is constant: no cut-point", found=f"{x[0]:g}")
    warn_few_events(events, "the optimal cut-point")
    a = logrank_scores(t, e)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    a_sorted = a[order]
    first = np.flatnonzero(np.concatenate(([True], xs[1:] != xs[:-1])))
    m = first  # samples strictly below each distinct value = samples <= the previous value
    if minprop == 0 and maxprop == 1:
        m = m[1:-1]  # R drops the first and the last candidate here
    else:
        m = m[(m >= max(1, math.floor(n * minprop))) & (m <= math.floor(n * maxprop))]
    if m.size == 0:
        raise AnalysisError(
            "no candidate cut leaves both groups within the allowed proportions",
            expected=f"low group between {minprop:g} and {maxprop:g} of {n}",
            hint="the score has too few distinct values",
        )
    total = float(a.sum())
    total_sq = float((a**2).sum())
    if not n * total_sq - total**2 > 0:
        raise AnalysisError("the log-rank scores do not vary (all events tied); no cut-point")
    cums = np.cumsum(a_sorted)[m - 1]
    curve_stat = _standardised(cums, m, n, total, total_sq)
    best = int(np.argmax(curve_stat))  # first maximum = smallest cut
    statistic = float(curve_stat[best])
    cut = float(xs[m[best] - 1])

    p_perm = None
    if n_permutations > 0:
        sums = (total, total_sq)
        p_perm = _permutation_p(a_sorted, m, sums, statistic, n_permutations, seed)

    low = x <= cut
    groups = pd.Categorical(np.where(low, "low", "high"), categories=["low", "high"])
    naive = logrank_test(t, e, groups)
    curve = pd.DataFrame({"cut": xs[m - 1], "n_low": m.astype(int), "statistic": curve_stat})
    return MaxstatResult(
        cutpoint=cut,
        statistic=statistic,
        p_lau92=p_lausen92(statistic, minprop, maxprop),
        p_lau94=p_lausen94(statistic, n, m),
        p_permutation=p_perm,
        n_permutations=int(n_permutations),
        seed=seed,
        minprop=float(minprop),
        maxprop=float(maxprop),
        n=n,
        n_low=int(low.sum()),
        n_high=int((~low).sum()),
        curve=curve,
        naive_logrank=naive,
    )


@dataclass(frozen=True)
class Grouping(ResultMixin):
    """Samples grouped by a score.

    Attributes
    ----------
    labels
        Ordered categorical group per sample, in input order (index of the score if
        it was a Series): ``low/high``, ``T1..T3`` or ``Q1..Q4``.
    cuts
        The cut values (upper limits of all groups but the last, right-closed).
    rule
        The rule used (``median``, ``tertile``, ``quartile``, ``fixed``, ``optimal``).
    maxstat
        For ``optimal``: the :class:`MaxstatResult` with the adjusted p-values.

    Examples
    --------
    >>> g = group_by_cut([1.0, 2.0, 3.0, 4.0], "median")
    >>> g.labels.tolist(), g.cuts
    (['low', 'low', 'high', 'high'], (2.5,))
    """

    labels: pd.Series
    cuts: tuple[float, ...]
    rule: str
    maxstat: MaxstatResult | None = None
    quantile_type: str = field(default="R type 7")

    @property
    def levels(self) -> list[str]:
        """Group names, low to high."""
        return list(self.labels.cat.categories)

    @property
    def counts(self) -> pd.Series:
        """Samples per group."""
        return self.labels.value_counts(sort=False)

    @property
    def summary(self) -> pd.DataFrame:
        """Per group, low to high: ``n`` and the ``upper`` cut (NaN for the top group).

        Examples
        --------
        >>> group_by_cut([1.0, 2.0, 3.0, 4.0], "median").summary["upper"].tolist()
        [2.5, nan]
        """
        counts = self.counts
        upper = [*self.cuts, float("nan")]
        return pd.DataFrame(
            {"n": [int(counts.get(level, 0)) for level in self.levels], "upper": upper},
            index=pd.Index(self.levels, name="group"),
        )

    def title(self) -> str:
        """``Grouping by <rule>``."""
        return f"Grouping by {self.rule} ({self.quantile_type})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``rule, cuts, levels, counts, quantile_type, maxstat`` (not the labels).

        Examples
        --------
        >>> group_by_cut([1.0, 2.0, 3.0, 4.0], "median").to_dict()["counts"]
        {'low': 2, 'high': 2}
        """
        return jsonable(
            {
                "rule": self.rule,
                "cuts": list(self.cuts),
                "levels": self.levels,
                "counts": {str(k): int(v) for k, v in self.counts.items()},
                "quantile_type": self.quantile_type,
                "maxstat": None if self.maxstat is None else self.maxstat.to_dict(),
            }
        )


def group_by_cut(
    score: Any,
    rule: str | float,
    *,
    time: Any = None,
    event: Any = None,
    minprop: float = 0.1,
    maxprop: float = 0.9,
    n_permutations: int = 0,
    seed: int | None = None,
) -> Grouping:
    """Group samples by a score: median, tertiles, quartiles, a fixed cut or the optimal cut.

    Parameters
    ----------
    score
        Score per sample (array-like or Series; a Series keeps its index).
    rule
        ``"median"``, ``"tertile"``, ``"quartile"``, ``"top_tertile"`` / ``"top_quartile"``
        (the top third / quarter vs the rest), ``"optimal"`` or a number (fixed cut).
    time, event
        Survival data, required for ``"optimal"``.
    minprop, maxprop, n_permutations, seed
        Passed to :func:`maxstat_cutpoint` for ``"optimal"``.

    Returns
    -------
    Grouping

    Raises
    ------
    SigsurvInputError
        Unknown rule, missing scores, or ``optimal`` without survival data.
    AnalysisError
        Constant score, tied quantiles, or a rule that leaves a group empty.

    Examples
    --------
    >>> g = group_by_cut([5, 1, 4, 2, 3, 6], "tertile")
    >>> g.labels.tolist()
    ['T3', 'T1', 'T2', 'T1', 'T2', 'T3']
    >>> group_by_cut([0.2, 1.5, 0.9], 1.0).labels.tolist()
    ['low', 'high', 'low']
    >>> group_by_cut([5, 1, 4, 2, 3, 6], "top_tertile").labels.tolist()
    ['top', 'rest', 'rest', 'rest', 'rest', 'top']
    """
    index = score.index if isinstance(score, pd.Series) else None
    x = np.asarray(score, dtype=float).ravel()
    if x.size == 0:
        raise SigsurvInputError("score is empty")
    if not np.isfinite(x).all():
        raise SigsurvInputError(
            "score has missing or infinite values",
            found=f"{int((~np.isfinite(x)).sum())} of {x.size}",
            hint="drop those samples first",
        )
    if np.ptp(x) == 0:
        raise AnalysisError("the score is constant: samples cannot be grouped", found=f"{x[0]:g}")
    maxstat = None
    if isinstance(rule, Real) and not isinstance(rule, bool):
        cuts: tuple[float, ...] = (float(rule),)
        names = ["low", "high"]
        rule_name = "fixed"
    elif rule == "median":
        cuts = (float(np.median(x)),)
        names = ["low", "high"]
        rule_name = "median"
    elif rule in ("tertile", "quartile"):
        k = 3 if rule == "tertile" else 4
        q = np.quantile(x, np.arange(1, k) / k)  # numpy "linear" = R type 7
        if (np.diff(np.concatenate(([x.min()], q, [x.max()]))) <= 0).any():
            raise AnalysisError(
                f"{rule} limits are not distinct (too many tied scores)",
                found=", ".join(f"{v:g}" for v in q),
            )
        cuts = tuple(float(v) for v in q)
        names = [("T" if k == 3 else "Q") + str(i) for i in range(1, k + 1)]
        rule_name = rule
    elif rule in ("top_tertile", "top_quartile"):
        # "high vs the rest" (e.g. high vs low-or-medium miR-21): one cut at the upper
        # tertile / quartile limit, R type-7 quantile.
        fraction = 2 / 3 if rule == "top_tertile" else 3 / 4
        cuts = (float(np.quantile(x, fraction)),)
        names = ["rest", "top"]
        rule_name = rule
    elif rule == "optimal":
        if time is None or event is None:
            raise SigsurvInputError("the optimal cut-point needs time and event")
        maxstat = maxstat_cutpoint(
            x,
            time,
            event,
            minprop=minprop,
            maxprop=maxprop,
            n_permutations=n_permutations,
            seed=seed,
        )
        cuts = (maxstat.cutpoint,)
        names = ["low", "high"]
        rule_name = "optimal"
    else:
        raise SigsurvInputError(
            "unknown grouping rule", expected=" | ".join(RULES) + " | a number", found=str(rule)
        )
    codes = np.searchsorted(np.asarray(cuts), x, side="left")  # right-closed intervals
    counts = np.bincount(codes, minlength=len(names))
    if (counts == 0).any():
        empty = [nm for nm, c in zip(names, counts, strict=True) if c == 0]
        raise AnalysisError(
            f"rule {rule_name!r} leaves group(s) {', '.join(empty)} empty; "
            "all samples fall in one group",
            found=f"cut(s) {', '.join(f'{c:g}' for c in cuts)}",
        )
    labels = pd.Series(
        pd.Categorical.from_codes(codes, categories=pd.Index(names), ordered=True), index=index
    )
    return Grouping(labels=labels, cuts=cuts, rule=rule_name, maxstat=maxstat)
