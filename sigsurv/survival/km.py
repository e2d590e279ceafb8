"""Kaplan–Meier estimates with Greenwood standard errors, as R ``survival::survfit``.

Conventions (R survival 3.5):

* one row per distinct observed time (event or censoring), like a ``survfit`` object;
  ``n_risk`` = samples with time >= t, ``surv`` = product of (1 - d/n);
* ``std_err`` is the Greenwood standard error **of S(t)** (what ``summary.survfit``
  prints): ``S(t) * sqrt(sum d / (n (n - d)))``;
* confidence intervals: ``conf_type="log"`` (R default) ``exp(log S -/+ z se_log)``
  with the upper limit capped at 1; ``"log-log"`` and ``"plain"`` as R. As in R, the
  error and the interval are undefined (NaN) once S(t) = 0;
* the median (and its CI) is the first time the curve (the lower / upper limit) is
  <= 0.5, with R's midpoint rule on an exact 0.5 plateau; ``None`` = not reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin
from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival._event_table import event_table
from sigsurv.survival._result_format import jsonable, one_row, records
from sigsurv.survival._validate import survival_arrays
from sigsurv.survival.endpoints import first_time_at_or_below_half

__all__ = [
    "KaplanMeierCurve",
    "KaplanMeierResult",
    "MedianSurvival",
    "encode_groups",
    "kaplan_meier",
]

CONF_TYPES = ("log", "log-log", "plain")


def encode_groups(groups: Any, n: int, *, name: str = "groups") -> tuple[np.ndarray, list[Any]]:
    """Turn group labels into integer codes and the ordered list of levels.

    Level order: the categories of a pandas ``Categorical`` (empty categories are
    dropped), otherwise the sorted distinct labels (as R's ``factor``).

    Parameters
    ----------
    groups
        One label per sample (array-like, ``pandas.Series`` or ``Categorical``).
    n
        Expected number of samples.
    name
        Argument name used in error messages.

    Returns
    -------
    tuple
        ``(codes, levels)``: ``codes[i]`` indexes ``levels``.

    Raises
    ------
    SigsurvInputError
        Wrong length or missing labels.

    Examples
    --------
    >>> codes, levels = encode_groups(["b", "a", "b"], 3)
    >>> codes.tolist(), levels
    ([1, 0, 1], ['a', 'b'])
    """
    if isinstance(groups, pd.Series | pd.Index):
        groups = groups.array
    if isinstance(groups, pd.Categorical):
        cat = groups
    else:
        values = np.asarray(groups)
        if values.ndim != 1:
            raise SigsurvInputError(f"{name} must be 1-d", found=f"shape {values.shape}")
        cat = pd.Categorical(values)
    if len(cat) != n:
        raise SigsurvInputError(
            f"{name} has the wrong length", expected=f"{n} labels", found=len(cat)
        )
    codes = np.asarray(cat.codes)
    if (codes < 0).any():
        raise SigsurvInputError(
            f"{name} has missing labels",
            found=f"{int((codes < 0).sum())} missing, first at {int(np.argmax(codes < 0))}",
            hint="drop or label those samples",
        )
    used = np.unique(codes)
    levels = [cat.categories[i] for i in used]
    remap = np.full(len(cat.categories), -1)
    remap[used] = np.arange(used.size)
    return remap[codes], levels


def _confidence_limits(
    surv: np.ndarray, se_log: np.ndarray, conf_level: float, conf_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """R ``survfit`` confidence limits from S and the standard error of log S."""
    z = stats.norm.ppf(1.0 - (1.0 - conf_level) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            s = np.where(surv == 0, np.nan, surv)
            lower = np.exp(np.log(s) - z * se_log)
            upper = np.minimum(np.exp(np.log(s) + z * se_log), 1.0)
        elif conf_type == "log-log":
            s = np.where((surv == 0) | (surv == 1), np.nan, surv)
            log_s = np.log(s)
            centre = np.log(-log_s)
            lower = np.exp(-np.exp(centre - z * se_log / log_s))
            upper = np.exp(-np.exp(centre + z * se_log / log_s))
            # S = 1 has zero variance: the interval is the point (R leaves NA).
            lower = np.where(surv == 1, 1.0, lower)
            upper = np.where(surv == 1, 1.0, upper)
        else:
            lower = np.maximum(surv - z * se_log * surv, 0.0)
            upper = np.minimum(surv + z * se_log * surv, 1.0)
        upper = np.where(np.isnan(lower), np.nan, upper)
    return lower, upper


@dataclass(frozen=True)
class MedianSurvival(ResultMixin):
    """Median survival of one curve with its confidence interval (R ``survfit`` table).

    ``None`` means not reached.

    Examples
    --------
    >>> MedianSurvival(median=59.0, lower=36.0, upper=None).upper is None
    True
    """

    median: float | None
    lower: float | None
    upper: float | None

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``median, lower, upper`` (NaN = not reached)."""
        nan = float("nan")
        values = {k: nan if v is None else v for k, v in self.to_dict().items()}
        return one_row(values, "median", "statistic")

    def title(self) -> str:
        """``Median survival`` (None = not reached)."""
        return "Median survival (NaN = not reached)"

    def to_dict(self) -> dict[str, Any]:
        """``{median, lower, upper}`` (None = not reached).

        Examples
        --------
        >>> MedianSurvival(median=59.0, lower=36.0, upper=None).to_dict()
        {'median': 59.0, 'lower': 36.0, 'upper': None}
        """
        return jsonable({"median": self.median, "lower": self.lower, "upper": self.upper})


@dataclass(frozen=True)
class KaplanMeierCurve(ResultMixin):
    """The Kaplan–Meier estimate of one group.

    Attributes
    ----------
    group
        The group label.
    table
        One row per distinct observed time: ``time, n_risk, n_event, n_censor, surv,
        std_err`` (Greenwood SE of S), ``lower, upper``.
    n, events
        Samples and events in the group.
    conf_level, conf_type
        Confidence level and interval type.

    Examples
    --------
    >>> curve = kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1]).curves["all"]
    >>> curve.table["surv"].round(4).tolist()
    [0.75, 0.5, 0.0]
    """

    group: Any
    table: pd.DataFrame
    n: int
    events: int
    conf_level: float
    conf_type: str

    @property
    def summary(self) -> pd.DataFrame:
        """The curve's table (:attr:`table`)."""
        return self.table

    def title(self) -> str:
        """``Kaplan-Meier curve <group>: n=..., events=...``."""
        return f"Kaplan-Meier curve {self.group}: n={self.n}, events={self.events}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``group, n, events, conf_level, conf_type, median`` and the ``table``.

        Examples
        --------
        >>> kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1]).curves["all"].to_dict()["median"]["median"]
        2.5
        """
        return jsonable(
            {
                "group": str(self.group),
                "n": self.n,
                "events": self.events,
                "conf_level": self.conf_level,
                "conf_type": self.conf_type,
                "median": self.median_survival().to_dict(),
                "table": records(self.table),
            }
        )

    @property
    def _se_log(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.table["std_err"].to_numpy() / self.table["surv"].to_numpy()

    def survival_at(self, times: Any, extend: bool = True) -> pd.DataFrame:
        """Survival at given times, as R ``summary(fit, times, extend=TRUE)``.

        Parameters
        ----------
        times
            Increasing landmark times (>= 0).
        extend
            Keep times after the last observed time: the estimate is carried
            forward with ``n_risk`` 0 and ``beyond_last_time`` True (R
            ``extend=TRUE``). If False those rows are left out (R default).

        Returns
        -------
        pandas.DataFrame
            ``time, n_risk`` (at risk at t), ``n_event, n_censor`` (in the interval
            since the previous landmark), ``surv, std_err, lower, upper,
            beyond_last_time``.

        Examples
        --------
        >>> curve = kaplan_meier([1, 2, 2, 3, 5], [1, 1, 0, 1, 0]).curves["all"]
        >>> curve.survival_at([2, 6])[["time", "n_risk", "surv", "beyond_last_time"]]
           time  n_risk  surv  beyond_last_time
        0   2.0       4   0.6             False
        1   6.0       0   0.3              True
        """
        t = np.asarray(times, dtype=float).ravel()
        if t.size == 0 or not np.isfinite(t).all() or (t < 0).any():
            raise SigsurvInputError(
                "landmark times must be finite and >= 0", found=np.asarray(times).tolist()
            )
        if (np.diff(t) <= 0).any():
            raise SigsurvInputError("landmark times must be strictly increasing", found=t.tolist())
        tab = self.table
        grid = tab["time"].to_numpy()
        last = grid[-1]
        if not extend:
            t = t[t <= last]
        # index of the last time <= t (-1 = before the first time)
        at = np.searchsorted(grid, t, side="right") - 1
        # first time >= t: the risk set at t
        nxt = np.searchsorted(grid, t, side="left")
        n_risk_all = tab["n_risk"].to_numpy()
        n_risk = np.where(nxt < grid.size, n_risk_all[np.minimum(nxt, grid.size - 1)], 0)
        cum_event = np.concatenate(([0], np.cumsum(tab["n_event"].to_numpy())))
        cum_censor = np.concatenate(([0], np.cumsum(tab["n_censor"].to_numpy())))
        ev = cum_event[at + 1]
        ce = cum_censor[at + 1]
        before = at < 0
        idx = np.maximum(at, 0)
        surv = np.where(before, 1.0, tab["surv"].to_numpy()[idx])
        std_err = np.where(before, 0.0, tab["std_err"].to_numpy()[idx])
        lower = np.where(before, 1.0, tab["lower"].to_numpy()[idx])
        upper = np.where(before, 1.0, tab["upper"].to_numpy()[idx])
        return pd.DataFrame(
            {
                "time": t,
                "n_risk": n_risk.astype(int),
                "n_event": np.diff(np.concatenate(([0], ev))).astype(int),
                "n_censor": np.diff(np.concatenate(([0], ce))).astype(int),
                "surv": surv,
                "std_err": std_err,
                "lower": lower,
                "upper": upper,
                "beyond_last_time": t > last,
            }
        )

    def median_survival(self) -> MedianSurvival:
        """Median survival with confidence interval (R ``summary(fit)$table``).

        Examples
        --------
        >>> kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0]).curves["all"].median_survival()
        MedianSurvival(median=4.0, lower=2.0, upper=None)
        """
        times = self.table["time"].to_numpy()
        return MedianSurvival(
            median=first_time_at_or_below_half(times, self.table["surv"].to_numpy()),
            lower=first_time_at_or_below_half(times, self.table["lower"].to_numpy()),
            upper=first_time_at_or_below_half(times, self.table["upper"].to_numpy()),
        )

    def n_at_risk(self, times: Any) -> np.ndarray:
        """Numbers at risk (time >= t) at each of ``times``.

        Examples
        --------
        >>> kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1]).curves["all"].n_at_risk([0, 2, 4]).tolist()
        [4, 3, 0]
        """
        t = np.asarray(times, dtype=float).ravel()
        grid = self.table["time"].to_numpy()
        nxt = np.searchsorted(grid, t, side="left")
        n_risk_all = self.table["n_risk"].to_numpy()
        return np.where(nxt < grid.size, n_risk_all[np.minimum(nxt, grid.size - 1)], 0).astype(int)

    def to_lifelines(self) -> Any:
        """This curve as a fitted ``lifelines.KaplanMeierFitter`` (same data).

        lifelines' interval is R's ``log-log`` type; see
        :func:`sigsurv.survival.lifelines_bridge.to_lifelines`.

        Examples
        --------
        >>> kmf = kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1]).curves["all"].to_lifelines()
        >>> kmf.survival_function_.iloc[:, 0].round(4).tolist()
        [1.0, 0.75, 0.5, 0.0]
        """
        from sigsurv.survival.lifelines_bridge import to_lifelines

        return to_lifelines(self)


@dataclass(frozen=True)
class KaplanMeierResult(ResultMixin):
    """Kaplan–Meier curves of one or several groups.

    Attributes
    ----------
    groups
        Group labels in level order (``["all"]`` without groups).
    curves
        One :class:`KaplanMeierCurve` per group.
    conf_level, conf_type
        Confidence level and interval type.

    Examples
    --------
    >>> fit = kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1], groups=["a", "b", "a", "b"])
    >>> fit.groups
    ['a', 'b']
    """

    groups: list[Any]
    curves: dict[Any, KaplanMeierCurve]
    conf_level: float
    conf_type: str

    @property
    def summary(self) -> pd.DataFrame:
        """Per group, as R ``print(survfit)``: ``n, events, median, lower, upper``.

        The whole curves are :attr:`table`; a median not reached is NaN.

        Examples
        --------
        >>> kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0]).summary.loc["all"].tolist()
        [6.0, 4.0, 4.0, 2.0, nan]
        """
        nan = float("nan")
        rows = {}
        for g in self.groups:
            curve = self.curves[g]
            median = curve.median_survival()
            rows[g] = {
                "n": float(curve.n),
                "events": float(curve.events),
                "median": nan if median.median is None else median.median,
                "lower": nan if median.lower is None else median.lower,
                "upper": nan if median.upper is None else median.upper,
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")

    def title(self) -> str:
        """``Kaplan-Meier (k groups, 95% log CI)``."""
        k = len(self.groups)
        return (
            f"Kaplan-Meier ({k} group{'s' if k != 1 else ''},"
            f" {100 * self.conf_level:g}% {self.conf_type} CI)"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``groups, conf_level, conf_type, summary`` and each group's ``curves``.

        Examples
        --------
        >>> d = kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1], groups=["a", "b", "a", "b"]).to_dict()
        >>> d["groups"], d["summary"][0]["group"]
        (['a', 'b'], 'a')
        """
        return jsonable(
            {
                "groups": [str(g) for g in self.groups],
                "conf_level": self.conf_level,
                "conf_type": self.conf_type,
                "summary": records(self.summary),
                "curves": {str(g): records(c.table) for g, c in self.curves.items()},
            }
        )

    @property
    def table(self) -> pd.DataFrame:
        """All curves' tables stacked, with a leading ``group`` column.

        Examples
        --------
        >>> kaplan_meier([1, 2], [1, 0]).table.columns.tolist()[:3]
        ['group', 'time', 'n_risk']
        """
        return pd.concat(
            [c.table.assign(group=g)[["group", *c.table.columns]] for g, c in self.curves.items()],
            ignore_index=True,
        )

    def survival_at(self, times: Any, extend: bool = True) -> pd.DataFrame:
        """Survival of every group at landmark times (see :meth:`KaplanMeierCurve.survival_at`).

        Examples
        --------
        >>> fit = kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1], groups=["a", "b", "a", "b"])
        >>> fit.survival_at([2])[["group", "surv"]]
          group  surv
        0     a   0.5
        1     b   1.0
        """
        frames = [
            c.survival_at(times, extend=extend).assign(group=g) for g, c in self.curves.items()
        ]
        out = pd.concat(frames, ignore_index=True)
        return out[["group", *[c for c in out.columns if c != "group"]]]

    def median_survival(self) -> dict[Any, MedianSurvival]:
        """Median survival with CI per group (``None`` = not reached).

        Examples
        --------
        >>> fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
        >>> fit.median_survival()["all"].median  # S = 0.5 on [2, 3): R's midpoint rule
        2.5
        """
        return {g: c.median_survival() for g, c in self.curves.items()}

    def at_risk_table(self, times: Any) -> pd.DataFrame:
        """Numbers at risk per group (rows) at the given times (columns), for plots.

        Examples
        --------
        >>> fit = kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1], groups=["a", "b", "a", "b"])
        >>> fit.at_risk_table([0, 2, 5])
           0.0  2.0  5.0
        a    2    1    0
        b    2    2    0
        """
        t = np.asarray(times, dtype=float).ravel()
        if not np.isfinite(t).all():
            raise SigsurvInputError("at-risk times must be finite", found=t.tolist())
        return pd.DataFrame(
            np.vstack([self.curves[g].n_at_risk(t) for g in self.groups]),
            index=pd.Index(self.groups),
            columns=pd.Index(t),
        )

    def to_lifelines(self) -> dict[Any, Any]:
        """One fitted ``lifelines.KaplanMeierFitter`` per group (same data).

        See :func:`sigsurv.survival.lifelines_bridge.to_lifelines`.

        Examples
        --------
        >>> fit = kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1], groups=["a", "b", "a", "b"])
        >>> sorted(fit.to_lifelines())
        ['a', 'b']
        """
        from sigsurv.survival.lifelines_bridge import to_lifelines

        result: dict[Any, Any] = to_lifelines(self)
        return result


def _curve(
    group: Any, time: np.ndarray, event: np.ndarray, conf_level: float, conf_type: str
) -> KaplanMeierCurve:
    tab = event_table(time, event)
    n_risk, n_event = tab.n_risk, tab.n_event
    surv = tab.product_limit()
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood; a time where everyone at risk fails makes the variance infinite (R).
        term = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        se_log = np.sqrt(np.cumsum(term))
        std_err = np.where(surv == 0, np.nan, surv * se_log)
    lower, upper = _confidence_limits(surv, se_log, conf_level, conf_type)
    table = pd.DataFrame(
        {
            "time": tab.time,
            "n_risk": n_risk.astype(int),
            "n_event": n_event.astype(int),
            "n_censor": tab.n_censor.astype(int),
            "surv": surv,
            "std_err": std_err,
            "lower": lower,
            "upper": upper,
        }
    )
    return KaplanMeierCurve(
        group=group,
        table=table,
        n=int(time.size),
        events=int(event.sum()),
        conf_level=conf_level,
        conf_type=conf_type,
    )


def kaplan_meier(
    time: Any,
    event: Any,
    groups: Any = None,
    *,
    conf_level: float = 0.95,
    conf_type: str = "log",
    timefix: bool = True,
) -> KaplanMeierResult:
    """Kaplan–Meier estimates per group, as R ``survfit(Surv(time, event) ~ groups)``.

    Parameters
    ----------
    time
        Follow-up times (finite, >= 0).
    event
        1 = event, 0 = censored.
    groups
        Optional group label per sample; level order as :func:`encode_groups`.
    conf_level
        Confidence level of the pointwise intervals.
    conf_type
        ``"log"`` (R default), ``"log-log"`` or ``"plain"``.
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.

    Returns
    -------
    KaplanMeierResult
        Curves with the event-time tables, landmark survival, medians and numbers
        at risk.

    Raises
    ------
    CohortValidationError
        Invalid times or events.
    SigsurvInputError
        Bad ``groups``, ``conf_level`` or ``conf_type``.

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat
           Assoc. 1958;53(282):457-481.
    .. [2] Greenwood M. The natural duration of cancer. Reports on Public Health and Medical
           Subjects 33. London: HMSO; 1926.
    .. [3] Therneau TM. A Package for Survival Analysis in R (``survival``, ``survfit``). CRAN.

    Examples
    --------
    >>> fit = kaplan_meier([6, 7, 10, 15, 19, 25], [1, 0, 1, 1, 0, 1])
    >>> fit.curves["all"].table[["time", "n_risk", "surv"]].round(4)
       time  n_risk    surv
    0   6.0       6  0.8333
    1   7.0       5  0.8333
    2  10.0       4  0.6250
    3  15.0       3  0.4167
    4  19.0       2  0.4167
    5  25.0       1  0.0000
    >>> fit.median_survival()["all"].median
    15.0
    """
    t, e = survival_arrays(time, event, timefix=timefix)
    if conf_type not in CONF_TYPES:
        raise SigsurvInputError(
            "unknown confidence interval type", expected=" | ".join(CONF_TYPES), found=conf_type
        )
    if not 0.0 < float(conf_level) < 1.0:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    if groups is None:
        codes = np.zeros(t.size, dtype=int)
        levels: list[Any] = ["all"]
    else:
        codes, levels = encode_groups(groups, t.size)
    curves = {}
    for k, level in enumerate(levels):
        mask = codes == k
        if not mask.any():  # pragma: no cover - encode_groups drops empty levels
            raise AnalysisError(f"group {level!r} has no sample")
        curves[level] = _curve(level, t[mask], e[mask], float(conf_level), conf_type)
    return KaplanMeierResult(
        groups=list(levels), curves=curves, conf_level=float(conf_level), conf_type=conf_type
    )
