"""Competing risks: cumulative incidence, Gray's test, Fine–Gray and cause-specific Cox.

Event codes: ``0`` = censored, ``1 .. k`` = the cause of the event. Everything follows
R's ``cmprsk`` 2.2-11 (Gray's Fortran routines ``cinc``, ``crstm``, ``crrfsv``,
``crrvv``), so the numbers agree with ``cuminc`` / ``crr`` to rounding:

* :func:`cumulative_incidence` is the Aalen–Johansen estimate
  ``F_k(t) = sum_{s <= t} S(s-) d_k(s) / n(s)`` with ``S`` the all-cause Kaplan–Meier
  curve (computed by :func:`~sigsurv.survival.km.kaplan_meier` on the exact times:
  like ``cmprsk``, and unlike ``survfit``, times are never merged), the delta-method
  variance of ``cuminc`` and Gray's (1988) K-sample test (``rho`` as ``cuminc``,
  optional strata).
* :func:`fine_gray` fits the proportional subdistribution-hazards model by the
  censoring-weighted score equations of Fine & Gray (1999) (Breslow handling of ties,
  one censoring distribution estimated by Kaplan–Meier at ``t-``) with ``crr``'s
  Newton–Raphson steps, convergence rule and robust (sandwich) variance.
* :func:`cause_specific_cox` is :func:`~sigsurv.survival.cox.cox_fit` with the other
  causes treated as censored.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._docstrings import fill_doc
from sigsurv._results import HazardRatio
from sigsurv.errors import AnalysisError, CohortValidationError, SigsurvInputError, SigsurvWarning
from sigsurv.survival._design import build_design
from sigsurv.survival._exact_times import exact_time_km_table
from sigsurv.survival.cox import CoxResult, cox_fit
from sigsurv.survival.km import encode_groups

__all__ = [
    "CumulativeIncidenceResult",
    "FineGrayResult",
    "GrayTest",
    "cause_specific_cox",
    "cumulative_incidence",
    "fine_gray",
]


def check_competing_arrays(time: Any, event: Any, cause: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate times and competing-risk event codes (0 = censored, 1..k = causes).

    Parameters
    ----------
    time
        Follow-up times, finite and >= 0.
    event
        Integer event codes: 0 = censored, 1, 2, ... = cause of the event.
    cause
        The cause of interest; it must occur at least once.

    Returns
    -------
    tuple of numpy.ndarray
        ``(time, event)`` as float64 and int64 arrays in the input order.

    Raises
    ------
    CohortValidationError
        Shapes, missing or negative times, codes that are not integers >= 0.
    AnalysisError
        No event of ``cause``.

    Examples
    --------
    >>> t, e = check_competing_arrays([3, 1, 2], [2, 0, 1], cause=1)
    >>> e.tolist()
    [2, 0, 1]
    """
    t = np.asarray(time)
    e = np.asarray(event)
    if t.ndim != 1 or e.ndim != 1 or t.shape != e.shape or t.size == 0:
        raise CohortValidationError(
            "time and event must be non-empty 1-d arrays of equal length",
            found=f"shapes {t.shape} and {e.shape}",
        )
    try:
        tf = t.astype(np.float64)
        ef = e.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise CohortValidationError(
            "time and event must be numeric", found=str(exc).splitlines()[0]
        ) from None
    bad_t = ~np.isfinite(tf) | (tf < 0)
    if bad_t.any():
        first = int(np.flatnonzero(bad_t)[0])
        raise CohortValidationError(
            f"time must be finite and >= 0; first bad value at position {first}",
            expected="follow-up times >= 0 (select complete cases first)",
            found=t[first],
        )
    bad_e = ~np.isfinite(ef) | (ef < 0) | (ef != np.round(ef))
    if bad_e.any():
        first = int(np.flatnonzero(bad_e)[0])
        raise CohortValidationError(
            f"event codes must be integers >= 0; first bad value at position {first}",
            expected="0 = censored, 1..k = cause of the event",
            found=e[first],
        )
    if isinstance(cause, bool) or not isinstance(cause, int | np.integer) or cause < 1:
        raise SigsurvInputError("cause must be an integer >= 1", found=cause)
    codes = ef.astype(np.int64)
    if not (codes == cause).any():
        raise AnalysisError(
            f"no event of cause {cause}",
            expected=f"at least one event coded {cause}",
            found=f"codes {sorted(set(codes.tolist()))}",
        )
    return tf, codes


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
class GrayTest:
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
class CumulativeIncidenceResult:
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
class FineGrayResult:
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


@fill_doc
def cause_specific_cox(
    time: Any, event: Any, covariates: Any, cause: int = 1, **cox_options: Any
) -> CoxResult:
    """Cause-specific Cox model: :func:`~sigsurv.survival.cox.cox_fit` with the other
    causes treated as censored (R ``coxph(Surv(time, event == cause) ~ ...)``).

    Parameters
    ----------
    %(time_cause)s
    covariates
        As :func:`~sigsurv.survival.cox.cox_fit`.
    cause
        Event code of the cause of interest.
    **cox_options
        Passed to :func:`~sigsurv.survival.cox.cox_fit` (``ties``, ``strata``,
        ``reference_levels``, ``conf_level`` ...).

    Returns
    -------
    CoxResult
        The cause-specific hazard model.

    References
    ----------
    .. [1] Putter H, Fiocco M, Geskus RB. Tutorial in biostatistics: competing risks and multi-state
           models. Stat Med. 2007;26(11):2389-2430.

    Examples
    --------
    >>> time = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    >>> event = [1, 2, 1, 0, 1, 2, 0, 1, 2, 1, 0, 0]
    >>> age = [70, 50, 66, 45, 62, 58, 40, 60, 52, 55, 48, 43]
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = cause_specific_cox(time, event, pd.DataFrame({"age": age}), cause=1)
    >>> res.events
    5
    """
    t, e = check_competing_arrays(time, event, cause)
    return cox_fit(t, (e == cause).astype(np.int64), covariates, **cox_options)
