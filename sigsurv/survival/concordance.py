"""Discrimination of a risk score: Harrell's C (R survival 3.5), Uno's C, time-dependent AUC.

Harrell's C follows R survival's ``concordance()`` (survival 3.5, default
``timewt = "n"``) exactly:

* a pair ``(i, j)`` is *comparable* when ``i`` has an event at ``t_i`` and
  ``j`` was still under observation after it: ``t_j > t_i``, or ``t_j == t_i``
  with ``j`` censored (a subject censored at ``t`` is at risk at ``t``);
* with R's default orientation a comparable pair is *concordant* when the
  subject who lived longer (``j``) has the larger predictor, *discordant* when
  it has the smaller one and *tied.x* when the predictors are equal;
  ``reverse=True`` swaps concordant and discordant, which is what ``coxph``
  does for its linear predictor (a higher risk score should mean earlier death);
* pairs of events at the same time are not comparable: they are counted in
  ``tied.y`` (or ``tied.xy`` when the predictors are also equal);
* ``C = (concordant + tied.x / 2) / (concordant + discordant + tied.x)``;
* ``std`` is R's infinitesimal-jackknife standard error of C:
  with ``npair = concordant + discordant + tied.x``, Somers'
  ``d = (concordant - discordant) / npair`` and, for each subject, its counts
  ``c_i, d_i, t_i`` of concordant / discordant / tied.x pairs it belongs to,
  ``dfbeta_i = (c_i - d_i) / npair - d (c_i + d_i + t_i) / npair`` and
  ``std = sqrt(sum(dfbeta_i^2) / 4)``.

Predictor ties are exact (equal floating-point values), as in R.
Uno's C and the cumulative/dynamic AUC use inverse probability of censoring
weights from the Kaplan–Meier estimate G of the censoring distribution of the
same data (events before censorings at tied times). By default they follow R:
the left limit ``G(t_i-)`` at each event time and events up to and including
``tau`` (survival's ``concordance(timewt = "n/G2", ymax = tau)``,
riskRegression's ``Score(metrics = "auc")``); ``convention="sksurv"`` gives
scikit-survival's ``concordance_index_ipcw`` / ``cumulative_dynamic_auc``
(right-continuous ``G(t_i)``, events before ``tau``). Predictor ties are exact
here; scikit-survival uses an absolute tolerance of 1e-8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._docstrings import fill_doc
from sigsurv._results import ResultMixin
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError
from sigsurv.survival._event_table import event_table, step_values
from sigsurv.survival._result_format import jsonable, one_row
from sigsurv.survival._validate import check_strata, survival_arrays

__all__ = [
    "ConcordanceResult",
    "UnoCResult",
    "concordance_index",
    "time_dependent_auc",
    "uno_c",
]

# Number of event rows compared at once with all subjects (bounded memory).
_CHUNK = 256


@dataclass(frozen=True)
class ConcordanceResult(ResultMixin):
    """Harrell's concordance as R ``survival::concordance`` reports it.

    Attributes
    ----------
    concordance
        C statistic.
    concordant, discordant, tied_x, tied_y, tied_xy
        Pair counts (R's ``count`` vector).
    std
        Infinitesimal-jackknife standard error of C (R's ``sqrt(var)``).
    n
        Number of subjects.
    """

    concordance: float
    concordant: float
    discordant: float
    tied_x: float
    tied_y: float
    tied_xy: float
    std: float
    n: int

    @property
    def estimate(self) -> float:
        """The C statistic (:attr:`concordance`), as :class:`UnoCResult` names it."""
        return self.concordance

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``concordance, std`` and the pair counts."""
        return one_row(asdict(self), "Harrell's C", "statistic")

    def title(self) -> str:
        """``Harrell's C = 0.xxx (se 0.0xx), n = ...``."""
        return f"Harrell's C = {self.concordance:.4g} (se {self.std:.3g}), n = {self.n}"

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dictionary (JSON-ready: NaN becomes None).

        Examples
        --------
        >>> r = concordance_index([1, 2, 3], [1, 1, 0], [1.0, 2.0, 3.0])
        >>> r.to_dict()["concordance"]
        1.0
        """
        return jsonable(asdict(self))


@dataclass(frozen=True)
class UnoCResult(ResultMixin):
    """Uno's inverse-probability-of-censoring-weighted C statistic.

    Attributes
    ----------
    concordance
        Uno's C (also :attr:`estimate`).
    tau
        Truncation time (``None``: all events).
    convention
        ``"R"`` or ``"sksurv"`` (see :func:`uno_c`).
    n
        Subjects.
    events
        Events up to ``tau`` that weigh in the statistic.

    Examples
    --------
    >>> res = uno_c([2, 4, 6, 8, 9], [1, 0, 1, 1, 0], [0.9, 0.5, 0.7, 0.1, 0.2])
    >>> round(res.estimate, 6), res.events
    (0.809524, 3)
    """

    concordance: float
    tau: float | None
    convention: str
    n: int
    events: int

    @property
    def estimate(self) -> float:
        """Uno's C (the same as :attr:`concordance`)."""
        return self.concordance

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``concordance, tau, convention, n, events``."""
        return one_row(asdict(self), "Uno's C", "statistic")

    def title(self) -> str:
        """``Uno's C = 0.xxx (tau ..., convention ...)``."""
        tau = "all events" if self.tau is None else f"tau {self.tau:g}"
        return f"Uno's C = {self.concordance:.4g} ({tau}, {self.convention} convention)"

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dictionary.

        Examples
        --------
        >>> res = uno_c([2, 4, 6, 8, 9], [1, 0, 1, 1, 0], [0.9, 0.5, 0.7, 0.1, 0.2], tau=8)
        >>> res.to_dict()["tau"], res.to_dict()["events"]
        (8.0, 3)
        """
        return jsonable(asdict(self))


def _pair_counts(
    time: np.ndarray, event: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Counts (conc, disc, tied.x, tied.y, tied.xy) and per-subject influence (n x 3)."""
    n = time.shape[0]
    influence = np.zeros((n, 3))
    counts = np.zeros(5)
    deaths = np.flatnonzero(event == 1)
    for start in range(0, deaths.shape[0], _CHUNK):
        idx = deaths[start : start + _CHUNK]
        t_i = time[idx][:, None]
        x_i = x[idx][:, None]
        comparable = (time[None, :] > t_i) | ((time[None, :] == t_i) & (event[None, :] == 0))
        larger = x[None, :] > x_i
        smaller = x[None, :] < x_i
        for k, rel in enumerate((larger, smaller, ~(larger | smaller))):
            pair = comparable & rel
            counts[k] += pair.sum()
            influence[idx, k] += pair.sum(axis=1)
            influence[:, k] += pair.sum(axis=0)
    # Events tied in time: pairs of events sharing a time, split by tied predictor.
    if deaths.size:
        td = time[deaths]
        xd = x[deaths]
        _, time_counts = np.unique(td, return_counts=True)
        counts_y = float((time_counts * (time_counts - 1) // 2).sum())
        pairs = np.unique(np.column_stack([td, xd]), axis=0, return_counts=True)[1]
        counts_xy = float((pairs * (pairs - 1) // 2).sum())
        counts[3] = counts_y - counts_xy
        counts[4] = counts_xy
    return counts, influence


def _harrell(
    time: np.ndarray, event: np.ndarray, x: np.ndarray, strata: np.ndarray | None, reverse: bool
) -> ConcordanceResult:
    n = time.shape[0]
    counts = np.zeros(5)
    influence = np.zeros((n, 3))
    groups = (
        [np.arange(n)]
        if strata is None
        else [np.flatnonzero(strata == s) for s in np.unique(strata)]
    )
    for rows in groups:
        c, inf = _pair_counts(time[rows], event[rows], x[rows])
        counts += c
        influence[rows] = inf
    npair = counts[0] + counts[1] + counts[2]
    if npair == 0:
        raise AnalysisError(
            "no comparable pairs for the concordance",
            expected="at least one event followed by a longer follow-up",
            found="none",
        )
    somers = (counts[0] - counts[1]) / npair
    dfbeta = (influence[:, 0] - influence[:, 1]) / npair - (somers / npair) * influence.sum(axis=1)
    std = float(np.sqrt(np.sum(dfbeta**2) / 4.0))
    concordance = (somers + 1.0) / 2.0
    conc, disc = counts[0], counts[1]
    if reverse:
        concordance = 1.0 - concordance
        conc, disc = disc, conc
    return ConcordanceResult(
        concordance=float(concordance),
        concordant=float(conc),
        discordant=float(disc),
        tied_x=float(counts[2]),
        tied_y=float(counts[3]),
        tied_xy=float(counts[4]),
        std=std,
        n=n,
    )


def _predictor(predictor: Any, n: int) -> np.ndarray:
    x = np.asarray(predictor, dtype=np.float64)
    if x.ndim != 1 or x.shape[0] != n:
        raise SigsurvInputError(
            "predictor must be 1-D with one value per subject",
            expected=f"{n} values",
            found=f"shape {x.shape}",
        )
    if not np.isfinite(x).all():
        first = int(np.flatnonzero(~np.isfinite(x))[0])
        raise SigsurvInputError(
            f"predictor has missing or infinite values, first at position {first}",
            expected="finite numbers",
            found=x[first],
        )
    return x


@fill_doc
def concordance_index(
    time: Any,
    event: Any,
    predictor: Any,
    *,
    reverse: bool = False,
    strata: Any = None,
    timefix: bool = True,
) -> ConcordanceResult:
    """Harrell's C with R survival 3.5's definition, counts and standard error.

    Parameters
    ----------
    %(time_event)s
    predictor
        One value per subject.
    reverse
        ``False`` (R's default): a pair is concordant when the subject who
        lives longer has the larger predictor (predicted survival times).
        ``True``: concordant when the subject with the larger predictor dies
        first — use this for risk scores and Cox linear predictors (``coxph``
        reports ``concordance(..., reverse=TRUE)`` of its linear predictor).
    strata
        Optional stratum per subject: only pairs within a stratum are compared.
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.

    Returns
    -------
    ConcordanceResult
        C, the five pair counts and the jackknife standard error.

    Raises
    ------
    AnalysisError
        No comparable pair (e.g. no events).

    References
    ----------
    .. [1] Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of medical
           tests. JAMA. 1982;247(18):2543-2546.
    .. [2] Harrell FE, Lee KL, Mark DB. Multivariable prognostic models: issues in developing
           models, evaluating assumptions and adequacy, and measuring and reducing errors. Stat Med.
           1996;15(4):361-387.
    .. [3] Therneau TM, Atkinson EJ. Concordance. Vignette of the R package ``survival``.

    Examples
    --------
    >>> r = concordance_index([2, 4, 6, 8], [1, 1, 0, 1], [0.9, 0.5, 0.7, 0.1], reverse=True)
    >>> r.concordance, r.concordant, r.discordant
    (0.8, 4.0, 1.0)
    """
    t, e = survival_arrays(time, event, timefix=timefix)
    x = _predictor(predictor, t.shape[0])
    strata_arr = None if strata is None else check_strata(strata, t.shape[0])
    return _harrell(t, e, x, strata_arr, reverse)


#: IPCW conventions: "R" = G(t-) weights, events at tau included (survival::concordance
#: timewt = "n/G2", riskRegression::Score); "sksurv" = G(t) weights, events before tau
#: (scikit-survival's concordance_index_ipcw and cumulative_dynamic_auc).
IPCW_CONVENTIONS = ("R", "sksurv")


def _check_convention(convention: str) -> bool:
    """True for R's left-limit convention, False for scikit-survival's."""
    if convention not in IPCW_CONVENTIONS:
        raise OptionError("unknown IPCW convention", expected="'R' or 'sksurv'", found=convention)
    return convention == "R"


def _censoring_survival(
    time: np.ndarray, event: np.ndarray, at: np.ndarray, *, left: bool = False
) -> np.ndarray:
    """Kaplan–Meier of the censoring distribution G(t) = P(C > t) at ``at``.

    Events at t come before censorings at t (R's ``fastkm1``, scikit-survival).
    ``left=True`` gives the left limit G(t-) (R ``concordance``, riskRegression),
    otherwise the right-continuous G(t) (scikit-survival).
    """
    tab = event_table(time, event)
    return step_values(tab.time, tab.censoring_product_limit(), at, left=left)


def _ipcw(time: np.ndarray, event: np.ndarray, at: np.ndarray, left: bool) -> np.ndarray:
    g = _censoring_survival(time, event, at, left=left)
    if (g <= 0).any():
        raise AnalysisError(
            "censoring survival is 0 at an event time: IPCW weights undefined",
            expected="tau before the last censoring (censoring survival > 0)",
            found=f"G = 0 at time {at[np.argmax(g <= 0)]:g}",
        )
    return g


@fill_doc
def uno_c(
    time: Any,
    event: Any,
    predictor: Any,
    tau: float | None = None,
    *,
    convention: str = "R",
    timefix: bool = True,
) -> UnoCResult:
    """Uno's inverse-probability-of-censoring-weighted C statistic.

    Every event up to ``tau`` is weighted by ``1 / G(t_i-)^2``, with ``G`` the
    Kaplan–Meier estimate of the censoring distribution (from the same data,
    events before censorings at tied times); comparable pairs are as in
    :func:`concordance_index`; a pair is concordant when the subject with the
    **larger predictor (risk)** has the event first; predictor ties count one half.
    This is R's ``concordance(Surv(time, event) ~ predictor, timewt = "n/G2",
    ymax = tau, reverse = TRUE)``.

    Parameters
    ----------
    %(time_event)s
    predictor
        Risk score (higher = earlier event expected).
    tau
        Truncation time. ``None`` uses all events. Choose ``tau`` where
        censoring is not complete.
    convention
        ``"R"`` (default): weights ``1 / G(t_i-)^2`` and events with ``t_i <= tau``
        (R survival ``concordance``). ``"sksurv"``: weights ``1 / G(t_i)^2`` and
        events with ``t_i < tau`` (scikit-survival ``concordance_index_ipcw``).
        They differ when censorings share an event's time, or an event is at ``tau``.
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.

    Returns
    -------
    UnoCResult
        Uno's C (``.estimate``, also ``.concordance``), with ``tau``, the convention,
        the number of subjects and of the events weighed.

    Raises
    ------
    AnalysisError
        No comparable pair, or the censoring survival reaches 0 at an event time.
    OptionError
        Unknown ``convention``.

    References
    ----------
    .. [1] Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for evaluating
           overall adequacy of risk prediction procedures with censored survival data. Stat Med.
           2011;30(10):1105-1117.

    Examples
    --------
    >>> t, e, x = [2, 4, 6, 8, 9], [1, 0, 1, 1, 0], [0.9, 0.5, 0.7, 0.1, 0.2]
    >>> round(uno_c(t, e, x).estimate, 6), round(uno_c(t, e, x, convention="sksurv").estimate, 6)
    (0.809524, 0.809524)
    """
    left = _check_convention(convention)
    t, e = survival_arrays(time, event, timefix=timefix)
    x = _predictor(predictor, t.shape[0])
    use = e == 1
    if tau is not None:
        use &= (t <= tau) if left else (t < tau)
    weights = np.zeros(t.shape[0])
    weights[use] = 1.0 / _ipcw(t, e, t[use], left) ** 2
    numerator = 0.0
    denominator = 0.0
    rows = np.flatnonzero(use)
    for start in range(0, rows.shape[0], _CHUNK):
        idx = rows[start : start + _CHUNK]
        t_i = t[idx][:, None]
        comparable = (t[None, :] > t_i) | ((t[None, :] == t_i) & (e[None, :] == 0))
        score = (x[None, :] < x[idx][:, None]) + 0.5 * (x[None, :] == x[idx][:, None])
        numerator += float(np.sum(weights[idx] * np.sum(comparable * score, axis=1)))
        denominator += float(np.sum(weights[idx] * comparable.sum(axis=1)))
    if denominator == 0:
        raise AnalysisError(
            "no comparable pairs for Uno's C", expected="events before tau", found="none"
        )
    return UnoCResult(
        concordance=numerator / denominator,
        tau=None if tau is None else float(tau),
        convention=convention,
        n=int(t.shape[0]),
        events=int(use.sum()),
    )


@fill_doc
def time_dependent_auc(
    time: Any,
    event: Any,
    predictor: Any,
    horizon: float | Sequence[float],
    *,
    convention: str = "R",
    timefix: bool = True,
) -> float | np.ndarray:
    """Cumulative/dynamic time-dependent AUC at one or more horizons.

    Cases at horizon ``h`` are subjects with an event at ``t_i <= h``,
    weighted by ``1 / G(t_i-)`` (IPCW, censoring Kaplan–Meier of the same
    data); controls are subjects still event-free after ``h`` (``t_j > h``;
    their common weight ``1 / G(h)`` cancels). ``AUC(h)`` is the weighted
    proportion of case–control pairs in which the case has the larger
    predictor (ties count one half) — the estimator of Uno et al. (2007) and
    Hung & Chiang (2010), as R ``riskRegression::Score(..., metrics = "auc",
    cens.model = "km")``.

    Parameters
    ----------
    %(time_event)s
    predictor
        Risk score (higher = earlier event expected).
    horizon
        A time or a sequence of times, each within
        ``[min(time), max(time))``.
    convention
        ``"R"`` (default): case weights ``1 / G(t_i-)`` (riskRegression).
        ``"sksurv"``: ``1 / G(t_i)`` (scikit-survival ``cumulative_dynamic_auc``).
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.

    Returns
    -------
    float or numpy.ndarray
        The AUC (one value per horizon for a sequence).

    Raises
    ------
    SigsurvInputError
        A horizon outside the follow-up range.
    AnalysisError
        No case or no control at a horizon.
    OptionError
        Unknown ``convention``.

    Examples
    --------
    >>> auc = time_dependent_auc([2, 4, 6, 8, 9], [1, 0, 1, 1, 0], [0.9, 0.5, 0.7, 0.1, 0.2], 6)
    >>> round(float(auc), 6)
    1.0
    """
    left = _check_convention(convention)
    t, e = survival_arrays(time, event, timefix=timefix)
    x = _predictor(predictor, t.shape[0])
    scalar = np.ndim(horizon) == 0
    horizons = np.atleast_1d(np.asarray(horizon, dtype=np.float64))
    if (horizons >= t.max()).any() or (horizons < t.min()).any():
        raise SigsurvInputError(
            "horizon outside the follow-up range",
            expected=f"times in [{t.min():g}, {t.max():g})",
            found=horizons.tolist(),
        )
    ipcw = np.zeros(t.shape[0])
    events = e == 1
    ipcw[events] = 1.0 / _ipcw(t, e, t[events], left)
    out = np.empty(horizons.shape[0])
    for k, h in enumerate(horizons):
        cases = np.flatnonzero(events & (t <= h))
        controls = x[t > h]
        if cases.size == 0 or controls.size == 0:
            raise AnalysisError(
                "no case or no control at the horizon",
                expected="events before and subjects event-free after the horizon",
                found=f"{cases.size} cases, {controls.size} controls at {h:g}",
            )
        controls_sorted = np.sort(controls)
        below = np.searchsorted(controls_sorted, x[cases], side="left")
        equal = np.searchsorted(controls_sorted, x[cases], side="right") - below
        score = below + 0.5 * equal
        out[k] = float(np.sum(ipcw[cases] * score) / (np.sum(ipcw[cases]) * controls.size))
    return float(out[0]) if scalar else out
