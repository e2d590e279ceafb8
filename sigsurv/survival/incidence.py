"""Cumulative incidence of competing risks and Gray's K-sample test (R ``cmprsk::cuminc``).

Event codes: ``0`` = censored, ``1 .. k`` = the cause of the event. As ``cmprsk`` 2.2-11
(Gray's Fortran routines ``cinc`` and ``crstm``), so the numbers agree with ``cuminc``
to rounding: :func:`cumulative_incidence` is the Aalen–Johansen estimate
``F_k(t) = sum_{s <= t} S(s-) d_k(s) / n(s)`` with ``S`` the all-cause Kaplan–Meier
curve (on the exact times: like ``cmprsk``, and unlike ``survfit``, times are never
merged), the delta-method variance of ``cuminc`` and Gray's (1988) K-sample test
(``rho`` as ``cuminc``, optional strata). :mod:`sigsurv.survival.competing` gathers
this module, Fine–Gray regression and the cause-specific Cox model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._docstrings import fill_doc
from sigsurv._results import ResultMixin, TestResult
from sigsurv.errors import SigsurvInputError
from sigsurv.survival._exact_times import exact_time_km_table
from sigsurv.survival._result_format import jsonable, one_row, records
from sigsurv.survival._validate import check_competing_arrays
from sigsurv.survival.km import encode_groups

__all__ = ["CumulativeIncidenceResult", "GrayTest", "cumulative_incidence"]


# --------------------------------------------------------------------------------------
# Cumulative incidence (cmprsk ``cinc``) and Gray's test (cmprsk ``crstm``)
# --------------------------------------------------------------------------------------
def _incidence_curve(time: np.ndarray, event: np.ndarray, cause: int) -> pd.DataFrame:
    """Aalen–Johansen jumps of one group with cmprsk's variance (Fortran ``cinc``)."""
    km = exact_time_km_table(time, (event > 0).astype(float))
    times = km["time"].to_numpy()
    rs = km["n_risk"].to_numpy().astype(float)
    idx = np.searchsorted(times, time)
    nd1 = np.bincount(idx, weights=(event == cause), minlength=times.size)
    nd2 = km["n_event"].to_numpy() - nd1
    s_after = km["surv"].to_numpy()
    s_before = np.concatenate(([1.0], s_after[:-1]))
    cif = np.cumsum(s_before * nd1 / rs)
    v1, v2, v3 = (np.zeros(times.size) for _ in range(3))
    with np.errstate(divide="ignore", invalid="ignore"):
        for nd, is_cause in ((nd2, False), (nd1, True)):
            # ties correction of the binomial variance, as cinc
            t5 = np.where(nd > 1, 1.0 - (nd - 1.0) / (rs - 1.0), 1.0)
            t6 = s_before**2 * t5 * nd / rs**2
            t3 = np.where(s_after > 0, 1.0 / s_after, 0.0)
            t4 = 1.0 + t3 * cif if is_cause else cif * t3
            used = (nd > 0) if is_cause else (nd > 0) & (s_after > 0)
            v1 += np.where(used, t4 * t4 * t6, 0.0)
            v2 += np.where(used, t3 * t4 * t6, 0.0)
            v3 += np.where(used, t3 * t3 * t6, 0.0)
    v1, v2, v3 = np.cumsum(v1), np.cumsum(v2), np.cumsum(v3)
    jumps = nd1 > 0
    variance = v1 + cif * cif * v3 - 2.0 * cif * v2
    return pd.DataFrame(
        {
            "time": times[jumps],
            "n_risk": rs[jumps].astype(int),
            "n_event": nd1[jumps].astype(int),
            "estimate": cif[jumps],
            "variance": variance[jumps],
        }
    )


def _gray_stratum(
    status: np.ndarray, group: np.ndarray, block: np.ndarray, ng: int, rho: float
) -> tuple[np.ndarray, np.ndarray]:
    """Score and variance of Gray's test in one stratum (Fortran ``crst``).

    ``status`` is 0 / 1 (cause of interest) / 2 (other cause), sorted by time;
    ``block`` numbers the distinct times.
    """
    ng1 = ng - 1
    n_blocks = int(block[-1]) + 1
    d = np.zeros((n_blocks, 3, ng))
    np.add.at(d, (block, status, group), 1.0)
    rs = np.bincount(group, minlength=ng).astype(float)
    f1m, f1, skmm, skm = np.zeros(ng), np.zeros(ng), np.ones(ng), np.ones(ng)
    v3, v2, c = np.zeros(ng), np.zeros((ng1, ng)), np.zeros((ng, ng))
    score, var = np.zeros(ng1), np.zeros((ng1, ng1))
    fm = 0.0
    for b in range(n_blocks):
        d1, d2 = d[b, 1], d[b, 2]
        nd1, nd2 = d1.sum(), d2.sum()
        if nd1 > 0 or nd2 > 0:
            pos = rs > 0
            safe = np.where(pos, skmm, 1.0)
            skm = np.where(pos, skmm * (rs - d1 - d2) / np.where(pos, rs, 1.0), skm)
            f1 = np.where(pos, f1m + skmm * d1 / np.where(pos, rs, 1.0), f1)
            h = np.where(pos, rs / safe, 0.0)
            tr = h.sum()
            tq = np.where(pos, rs * (1.0 - f1m) / safe, 0.0).sum()
            f = fm + nd1 / tr
            fb = (1.0 - fm) ** rho
            a = fb * (np.diag(h) - np.outer(h, h) / tr)
            if nd1 > 0:
                c = c + np.where(a != 0, a * nd1 / (tr * (1.0 - fm)), 0.0)
            score += np.where(pos, fb * (d1 - nd1 * h * (1.0 - f1m) / tq), 0.0)[:ng1]
            for k in np.flatnonzero(pos) if nd1 > 0 else ():
                t4 = 1.0 - (1.0 - f) / skm[k] if skm[k] > 0 else 1.0
                t5 = 1.0 - (nd1 - 1.0) / (tr * skmm[k] - 1.0) if nd1 > 1 else 1.0
                t3 = t5 * skmm[k] * nd1 / (tr * rs[k])
                v3[k] += t4 * t4 * t3
                t1 = a[:ng1, k] - t4 * c[:ng1, k]
                v2[:, k] += t1 * t4 * t3
                var += t3 * np.outer(t1, t1)
            for k in np.flatnonzero((skm > 0) & (d2 > 0)) if nd2 > 0 else ():
                t4 = (1.0 - f) / skm[k]
                t5 = 1.0 - (d2[k] - 1.0) / (rs[k] - 1.0) if d2[k] > 1 else 1.0
                t3 = t5 * skmm[k] ** 2 * d2[k] / rs[k] ** 2
                v3[k] += t4 * t4 * t3
                t1 = t4 * c[:ng1, k]
                v2[:, k] -= t1 * t4 * t3
                var += t3 * np.outer(t1, t1)
            fm = f
        rs -= d[b].sum(axis=0)
        f1m, skmm = f1.copy(), skm.copy()
    c1 = c[:ng1]
    var += c1 @ np.diag(v3) @ c1.T + c1 @ v2.T + v2 @ c1.T
    return score, var


@dataclass(frozen=True)
class GrayTest(ResultMixin):
    """Gray's K-sample test of equal cumulative incidence (cmprsk ``cuminc$Tests``).

    ``statistic`` is NaN (R reports -1) when the score variance is singular.

    Examples
    --------
    >>> GrayTest(statistic=3.84, df=1, p=0.05, strata=1).df
    1
    """

    statistic: float
    df: int
    p: float
    strata: int

    @property
    def test(self) -> TestResult:
        """The test as a :class:`~sigsurv._results.TestResult` (method ``"Gray"``).

        Examples
        --------
        >>> GrayTest(statistic=3.84, df=1, p=0.05, strata=1).test.method
        'Gray'
        """
        return TestResult(statistic=self.statistic, df=self.df, p=self.p, method="Gray")

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``statistic, df, p, strata``."""
        values = {"statistic": self.statistic, "df": self.df, "p": self.p, "strata": self.strata}
        return one_row(values, "Gray", "method")

    def title(self) -> str:
        """The test in one line."""
        return self.test.to_text()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``statistic, df, p, strata`` and the ``test``.

        Examples
        --------
        >>> GrayTest(statistic=float("nan"), df=1, p=float("nan"), strata=1).to_dict()["p"] is None
        True
        """
        fields = {"statistic": self.statistic, "df": self.df, "p": self.p, "strata": self.strata}
        return jsonable({**fields, "test": self.test.to_dict()})


def _gray_test(
    time: np.ndarray,
    event: np.ndarray,
    cause: int,
    codes: np.ndarray,
    ng: int,
    strata: np.ndarray,
    rho: float,
) -> GrayTest:
    status = np.where(event == cause, 1, np.where(event > 0, 2, 0))
    score, var = np.zeros(ng - 1), np.zeros((ng - 1, ng - 1))
    for s in np.unique(strata):
        rows = np.flatnonzero(strata == s)
        rows = rows[np.argsort(time[rows], kind="stable")]
        block = np.concatenate(([0], np.cumsum(np.diff(time[rows]) > 0)))
        sc, vr = _gray_stratum(status[rows], codes[rows], block, ng, rho)
        score += sc
        var += vr
    if np.linalg.matrix_rank(var) < ng - 1:
        stat = float("nan")
    else:
        stat = float(score @ np.linalg.solve(var, score))
    return GrayTest(
        statistic=stat,
        df=ng - 1,
        p=float(stats.chi2.sf(stat, ng - 1)),
        strata=int(np.unique(strata).size),
    )


@dataclass(frozen=True)
class CumulativeIncidenceResult(ResultMixin):
    """Cumulative incidence of one cause per group (R ``cmprsk::cuminc``).

    Attributes
    ----------
    cause
        The event code of the cause.
    groups
        Group labels in level order (``["all"]`` without groups).
    curves
        Per group, one row per time with an event of the cause: ``time, n_risk,
        n_event, estimate, variance`` (the estimate just after the jump).
    last_time
        Per group, the largest follow-up time; the estimate is undefined beyond it.
    gray_test
        Gray's test across the groups (``None`` with a single group).

    Examples
    --------
    >>> res = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 1, 0, 1], cause=1)
    >>> res.curves["all"][["time", "estimate"]]
       time  estimate
    0   1.0       0.2
    1   3.0       0.4
    2   5.0       0.8
    """

    cause: int
    groups: list[Any]
    curves: dict[Any, pd.DataFrame]
    last_time: dict[Any, float]
    gray_test: GrayTest | None

    @property
    def summary(self) -> pd.DataFrame:
        """Per group: ``events`` of the cause, ``last_time`` and the ``estimate`` there.

        The estimate is the cumulative incidence after the group's last jump, which
        holds up to ``last_time``.

        Examples
        --------
        >>> res = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 1, 0, 1], cause=1)
        >>> res.summary.loc["all", ["events", "estimate"]].tolist()
        [3.0, 0.8]
        """
        rows = {}
        for g in self.groups:
            curve = self.curves[g]
            last = curve.iloc[-1] if len(curve) else None
            rows[g] = {
                "events": float(curve["n_event"].sum()),
                "last_time": self.last_time[g],
                "estimate": float(last["estimate"]) if last is not None else 0.0,
                "variance": float(last["variance"]) if last is not None else 0.0,
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")

    def title(self) -> str:
        """``Cumulative incidence of cause <k>`` and Gray's test when there are groups."""
        head = f"Cumulative incidence of cause {self.cause}"
        return head if self.gray_test is None else f"{head}; {self.gray_test.test.to_text()}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``cause, groups, last_time, gray_test, summary, curves``.

        Examples
        --------
        >>> d = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 1, 0, 1], cause=1).to_dict()
        >>> d["gray_test"] is None, d["curves"]["all"][-1]["estimate"]
        (True, 0.8)
        """
        return jsonable(
            {
                "cause": self.cause,
                "groups": [str(g) for g in self.groups],
                "last_time": {str(g): t for g, t in self.last_time.items()},
                "gray_test": None if self.gray_test is None else self.gray_test.to_dict(),
                "summary": records(self.summary),
                "curves": {str(g): records(curve) for g, curve in self.curves.items()},
            }
        )

    def _lookup(self, times: Any, column: str) -> pd.DataFrame:
        t = np.asarray(times, dtype=float).ravel()
        if t.size == 0 or not np.isfinite(t).all() or (t < 0).any():
            raise SigsurvInputError(
                "times must be finite and >= 0", found=np.asarray(times).tolist()
            )
        out = {}
        for g in self.groups:
            curve = self.curves[g]
            at = np.searchsorted(curve["time"].to_numpy(), t, side="right") - 1
            values = np.concatenate(([0.0], curve[column].to_numpy()))[at + 1]
            out[g] = np.where(t > self.last_time[g], np.nan, values)
        return pd.DataFrame(out, index=pd.Index(t, name="time"), columns=pd.Index(self.groups))

    def at(self, times: Any) -> pd.DataFrame:
        """Cumulative incidence at ``times`` (R ``timepoints(fit, times)$est``).

        Right-continuous step function; NaN after a group's last follow-up time.

        Parameters
        ----------
        times
            Times >= 0, any order.

        Returns
        -------
        pandas.DataFrame
            Rows = times, columns = groups.

        Examples
        --------
        >>> res = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 1, 0, 1], cause=1)
        >>> res.at([0, 3, 6]).round(2)["all"].tolist()
        [0.0, 0.4, nan]
        """
        return self._lookup(times, "estimate")

    def variance_at(self, times: Any) -> pd.DataFrame:
        """Variance of the estimate at ``times`` (R ``timepoints(fit, times)$var``).

        Examples
        --------
        >>> res = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 1, 0, 1], cause=1)
        >>> res.variance_at([1, 5]).round(4)["all"].tolist()  # R: 0.04, 0.2025
        [0.04, 0.2025]
        """
        return self._lookup(times, "variance")


@fill_doc
def cumulative_incidence(
    time: Any,
    event: Any,
    cause: int = 1,
    groups: Any = None,
    *,
    strata: Any = None,
    rho: float = 0.0,
) -> CumulativeIncidenceResult:
    """Cumulative incidence of one cause with Gray's test, as R ``cmprsk::cuminc``.

    Parameters
    ----------
    %(time_cause)s
    cause
        Event code of the cause of interest (the others compete).
    groups
        Optional group label per sample (level order as :func:`~sigsurv.survival.km.encode_groups`).
    strata
        Optional stratum per sample for Gray's test (``cuminc(..., strata=)``); the
        curves are not stratified, as in R.
    rho
        Power of the weight ``(1 - F(t-))^rho`` in Gray's test (R default 0).

    Returns
    -------
    CumulativeIncidenceResult
        Curves, ``.at(times)``, ``.variance_at(times)`` and ``.gray_test``.

    Raises
    ------
    CohortValidationError
        Bad times or event codes.
    AnalysisError
        No event of ``cause``.
    SigsurvInputError
        Bad ``groups`` / ``strata``.

    References
    ----------
    .. [1] Aalen OO, Johansen S. An empirical transition matrix for non-homogeneous Markov chains
           based on censored observations. Scand J Stat. 1978;5(3):141-150.
    .. [2] Gray RJ. A class of K-sample tests for comparing the cumulative incidence of a competing
           risk. Ann Stat. 1988;16(3):1141-1154.

    Examples
    --------
    >>> time = [2, 3, 3, 5, 6, 7, 8, 9, 11, 12]
    >>> event = [1, 2, 1, 0, 1, 1, 2, 0, 1, 0]
    >>> arm = ["a", "a", "b", "b", "a", "b", "a", "b", "a", "b"]
    >>> res = cumulative_incidence(time, event, cause=1, groups=arm)
    >>> res.at([5, 12]).round(3)
            a      b
    time
    5.0   0.2  0.200
    12.0  NaN  0.467
    >>> round(res.gray_test.statistic, 4), res.gray_test.df  # R cuminc: 0.04496874
    (0.045, 1)
    """
    t, e = check_competing_arrays(time, event, cause)
    if groups is None:
        codes, levels = np.zeros(t.size, dtype=int), ["all"]
    else:
        codes, levels = encode_groups(groups, t.size)
    curves, last = {}, {}
    for k, level in enumerate(levels):
        rows = codes == k
        curves[level] = _incidence_curve(t[rows], e[rows], cause)
        last[level] = float(t[rows].max())
    gray = None
    if len(levels) > 1:
        strata_codes = (
            np.zeros(t.size, dtype=int)
            if strata is None
            else encode_groups(strata, t.size, name="strata")[0]
        )
        gray = _gray_test(t, e, cause, codes, len(levels), strata_codes, float(rho))
    return CumulativeIncidenceResult(
        cause=int(cause), groups=list(levels), curves=curves, last_time=last, gray_test=gray
    )
