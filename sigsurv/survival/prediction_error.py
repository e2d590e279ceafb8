"""Prediction error of survival predictions: IPCW Brier score and integrated Brier score.

Graf et al. (1999) / R ``riskRegression::Score(metrics = "brier", cens.model = "km")``:

``BS(t) = 1/n sum_i w_i(t) (1{T_i <= t, event} - (1 - S_i(t)))^2`` with inverse
probability of censoring weights ``w_i(t) = 1 / G(T_i-)`` for an event at or before
``t``, ``1 / G(t)`` for a subject still at risk after ``t``, and 0 for a subject
censored at or before ``t``.

Conventions (as ``riskRegression`` 2022.11.28, whose censoring model is prodlim's
reverse Kaplan–Meier):

* ``G`` is the Kaplan–Meier curve of the censoring times, computed with
  :func:`~sigsurv.survival.km.kaplan_meier`, where at a time shared by events and
  censorings **the events come first** (they leave the censoring risk set). This is
  *not* ``survfit(Surv(time, 1 - event) ~ 1)``, which keeps them in it; the two
  differ only at such ties;
* ``G(T_i-)`` is the left limit (censorings strictly before ``T_i``; ``riskRegression``
  ``subject.times.lag = 1``), ``G(t)`` the right-continuous value at the evaluation time;
* ``se`` is ``riskRegression``'s default standard error (``conservative = FALSE``):
  ``sd(IF) / sqrt(n)`` with the influence function of the Brier score including the
  term for estimating the censoring distribution (riskRegression's C++
  ``getInfluenceFunctionBrierKMCensoringTerm``, which uses the Nelson–Aalen
  censoring hazard with everyone at risk, events included, at tied times);
  ``se_conservative`` is ``sd(residuals) / sqrt(n)`` (``conservative = TRUE``), which
  ignores that uncertainty; intervals are ``brier -/+ z se`` truncated to [0, 1];
* the integrated Brier score at ``t_k`` is ``riskRegression``'s ``IBS``:
  ``1/t_k * sum_{j<k} BS(t_j) (t_{j+1} - t_j)`` on the grid ``0 = t_0 < t_1 < ...``
  with ``BS(t_0) = 0`` (a left-endpoint step integral: it depends on the grid, so use
  a fine one, e.g. every event time, for an integral);
* the null model is the Kaplan–Meier curve of all subjects (same prediction for
  everybody); ``IPA = 1 - BS / BS_null`` (index of prediction accuracy);
* times are compared exactly, as ``prodlim`` (no ``survfit``-style merging of
  times that differ by rounding noise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin
from sigsurv.errors import SigsurvInputError
from sigsurv.survival._exact_times import exact_time_km_table
from sigsurv.survival._result_format import jsonable, one_row, records
from sigsurv.survival.endpoints import check_survival_arrays
from sigsurv.survival.km import kaplan_meier

__all__ = [
    "BrierScoreResult",
    "IntegratedBrierScoreResult",
    "brier_score",
    "integrated_brier_score",
]


def _censoring_weights(
    time: np.ndarray, event: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``G(T_i-)`` per subject and ``G(t)`` per evaluation time (events before censorings)."""
    distinct, rank = np.unique(time, return_inverse=True)
    censored = (event == 0).astype(float)
    # Order-preserving surrogate times put censorings just after events at the same time.
    surrogate = 2.0 * rank + censored
    table = kaplan_meier(surrogate, censored).curves["all"].table
    grid = table["time"].to_numpy()
    surv = np.concatenate(([1.0], table["surv"].to_numpy()))
    g_subject = surv[np.searchsorted(grid, 2.0 * rank, side="left")]
    n_upto = np.searchsorted(distinct, times, side="right")
    g_times = surv[np.searchsorted(grid, 2.0 * n_upto - 1.0, side="right")]
    return g_subject, g_times


def _check_predictions(predicted_survival: Any, n: int, times: np.ndarray) -> np.ndarray:
    pred = np.asarray(predicted_survival, dtype=float)
    if pred.ndim == 1 and times.size == 1:
        pred = pred[:, None]
    if pred.shape != (n, times.size):
        raise SigsurvInputError(
            "predicted_survival must have one row per subject and one column per time",
            expected=f"shape ({n}, {times.size})",
            found=f"shape {pred.shape}",
        )
    if not np.isfinite(pred).all() or (pred < 0).any() or (pred > 1).any():
        raise SigsurvInputError(
            "predicted_survival must hold probabilities in [0, 1] without missing values",
            found=f"range {np.nanmin(pred)} .. {np.nanmax(pred)}",
        )
    return pred


def _check_times(times: Any) -> np.ndarray:
    t = np.asarray(times, dtype=float).ravel()
    if t.size == 0 or not np.isfinite(t).all() or (t <= 0).any() or (np.diff(t) <= 0).any():
        raise SigsurvInputError(
            "times must be finite, > 0 and strictly increasing",
            found=np.asarray(times).tolist(),
        )
    return t


def _residuals(
    time: np.ndarray,
    event: np.ndarray,
    pred: np.ndarray,
    times: np.ndarray,
    g_subject: np.ndarray,
    g_times: np.ndarray,
) -> np.ndarray:
    """n x len(times) matrix of weighted squared residuals (riskRegression ``residuals``)."""
    died = (time[:, None] <= times[None, :]) & (event[:, None] == 1)
    alive = time[:, None] > times[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(died, pred**2 / g_subject[:, None], 0.0)
        out = np.where(alive, (1.0 - pred) ** 2 / g_times[None, :], out)
    return out


def _ibs(times: np.ndarray, brier: np.ndarray) -> np.ndarray:
    """riskRegression's IBS at each time: left-endpoint step integral from 0, over t."""
    grid = np.concatenate(([0.0], times))
    values = np.concatenate(([0.0], brier))
    area = np.concatenate(([0.0], np.cumsum(values[:-1] * np.diff(grid))))
    return area[1:] / times


@dataclass(frozen=True)
class BrierScoreResult(ResultMixin):
    """Brier scores of a prediction and of the Kaplan–Meier null model.

    Attributes
    ----------
    table
        One row per evaluation time: ``time, brier, se, lower, upper, ibs,
        se_conservative, null_brier, null_se, null_ibs, ipa``.
    n
        Subjects.
    conf_level
        Level of the confidence intervals (truncated to [0, 1]).

    Examples
    --------
    >>> res = brier_score([1, 2, 3, 4], [1, 0, 1, 0], [[0.9], [0.8], [0.7], [0.6]], [2.5])
    >>> res.table.columns.tolist()[:4]
    ['time', 'brier', 'se', 'lower']
    """

    table: pd.DataFrame
    n: int
    conf_level: float

    @property
    def integrated(self) -> float:
        """Integrated Brier score at the last evaluation time (riskRegression ``IBS``).

        Examples
        --------
        >>> pred = [[0.9, 0.8], [0.8, 0.6], [0.7, 0.5], [0.6, 0.4]]
        >>> res = brier_score([1, 2, 3, 4], [1, 0, 1, 0], pred, [1.5, 3.5])
        >>> round(res.integrated, 4)  # riskRegression IBS: 0.1571429
        0.1571
        """
        return float(self.table["ibs"].iloc[-1])

    @property
    def summary(self) -> pd.DataFrame:
        """The per-time table (:attr:`table`)."""
        return self.table

    def title(self) -> str:
        """``Brier score (n = ...), IBS ... at time ...``."""
        last = float(self.table["time"].iloc[-1])
        return f"Brier score (n = {self.n}); IBS {self.integrated:.4g} over (0, {last:g}]"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``n, conf_level, integrated`` and the ``table`` as records.

        Examples
        --------
        >>> res = brier_score([1, 2, 3, 4], [1, 0, 1, 0], [[0.9], [0.8], [0.7], [0.6]], [2.5])
        >>> sorted(res.to_dict())
        ['conf_level', 'integrated', 'n', 'table']
        """
        return jsonable(
            {
                "n": self.n,
                "conf_level": self.conf_level,
                "integrated": self.integrated,
                "table": records(self.table),
            }
        )


@dataclass(frozen=True)
class IntegratedBrierScoreResult(ResultMixin):
    """Integrated Brier score of a prediction and of the Kaplan–Meier null model.

    Attributes
    ----------
    estimate
        Integrated Brier score over ``(0, horizon]`` (riskRegression ``IBS``).
    null_estimate
        The same for the Kaplan–Meier null model.
    horizon
        The last evaluation time.
    n
        Subjects.
    brier
        The per-time :class:`BrierScoreResult` it integrates.

    Examples
    --------
    >>> pred = [[0.9, 0.8], [0.8, 0.6], [0.7, 0.5], [0.6, 0.4]]
    >>> res = integrated_brier_score([1, 2, 3, 4], [1, 0, 1, 0], pred, [1.5, 3.5])
    >>> round(res.estimate, 4), res.horizon
    (0.1571, 3.5)
    """

    estimate: float
    null_estimate: float
    horizon: float
    n: int
    brier: BrierScoreResult = field(repr=False, compare=False)

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``estimate, null_estimate, horizon, n``."""
        values = {
            "estimate": self.estimate,
            "null_estimate": self.null_estimate,
            "horizon": self.horizon,
            "n": self.n,
        }
        return one_row(values, "IBS", "statistic")

    def title(self) -> str:
        """``Integrated Brier score ... over (0, horizon]``."""
        return f"Integrated Brier score {self.estimate:.4g} over (0, {self.horizon:g}]"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``estimate, null_estimate, horizon, n`` (not the per-time table).

        Examples
        --------
        >>> pred = [[0.9, 0.8], [0.8, 0.6], [0.7, 0.5], [0.6, 0.4]]
        >>> integrated_brier_score([1, 2, 3, 4], [1, 0, 1, 0], pred, [1.5, 3.5]).to_dict()["n"]
        4
        """
        return jsonable(
            {
                "estimate": self.estimate,
                "null_estimate": self.null_estimate,
                "horizon": self.horizon,
                "n": self.n,
            }
        )


def _censoring_influence(
    time: np.ndarray, event: np.ndarray, residuals: np.ndarray, tau: float
) -> np.ndarray:
    """Censoring term of the Brier score's influence function at ``tau``.

    A vectorised transcription of riskRegression's C++
    ``getInfluenceFunctionBrierKMCensoringTerm`` (subjects sorted by time).
    """
    n = time.size
    distinct, block, n_block = np.unique(time, return_inverse=True, return_counts=True)
    at_risk = n - np.concatenate(([0], np.cumsum(n_block)[:-1])).astype(float)
    censored = np.bincount(block, weights=(event == 0), minlength=distinct.size)
    mc = np.cumsum(censored * n / at_risk**2)
    early_event = np.where((event == 1) & (time <= tau), residuals, 0.0)
    block_events = np.bincount(block, weights=early_event, minlength=distinct.size)
    later_events = block_events.sum() - np.cumsum(block_events)
    earlier = np.concatenate(([0.0], np.cumsum(block_events[1:] * mc[:-1])))
    last_before = np.searchsorted(time, tau, side="right") - 1
    fi = np.where(event == 0, n / at_risk[block], 0.0) - mc[block]
    if last_before < 0:
        fi = np.zeros(n)
    else:
        fi = np.where(np.arange(n) > last_before, -mc[block[last_before]], fi)
    after_tau = residuals[time > tau].sum() / n
    return (-earlier[block] + fi * later_events[block]) / n + after_tau * fi


def _brier_columns(
    time: np.ndarray, event: np.ndarray, residuals: np.ndarray, times: np.ndarray, z: float
) -> dict[str, np.ndarray]:
    """Brier, SEs, CIs and IBS; ``time``/``event``/``residuals`` sorted by time."""
    n = residuals.shape[0]
    brier = residuals.mean(axis=0)
    centred = residuals - brier
    influence = np.column_stack(
        [
            centred[:, k] + _censoring_influence(time, event, residuals[:, k], tau)
            for k, tau in enumerate(times)
        ]
    )
    se = influence.std(axis=0, ddof=1) / np.sqrt(n)
    se_conservative = residuals.std(axis=0, ddof=1) / np.sqrt(n)
    return {
        "brier": brier,
        "se": se,
        "lower": np.maximum(0.0, brier - z * se),
        "upper": np.minimum(1.0, brier + z * se),
        "ibs": _ibs(times, brier),
        "se_conservative": se_conservative,
    }


def brier_score(
    time: Any,
    event: Any,
    predicted_survival: Any,
    times: Any,
    *,
    conf_level: float = 0.95,
) -> BrierScoreResult:
    """IPCW Brier score at each time, integrated Brier score and IPA.

    Parameters
    ----------
    time
        Observed follow-up times (finite, >= 0).
    event
        1 = event, 0 = censored.
    predicted_survival
        ``n x len(times)`` predicted probabilities ``S_i(t)`` of being event-free at
        each evaluation time (a 1-d array when there is one time).
    times
        Evaluation times, > 0 and strictly increasing.
    conf_level
        Level of the confidence intervals.

    Returns
    -------
    BrierScoreResult
        Table of Brier scores (model and null model), IBS and IPA per time.

    Raises
    ------
    CohortValidationError
        Invalid times or events.
    SigsurvInputError
        Predictions of the wrong shape or outside [0, 1]; bad ``times``.

    References
    ----------
    .. [1] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of
           prognostic classification schemes for survival data. Stat Med.
           1999;18(17-18):2529-2545.

    Examples
    --------
    >>> time = [2, 3, 4, 5, 6, 7, 8, 9]
    >>> event = [1, 1, 0, 1, 0, 1, 1, 0]
    >>> pred = [[0.6], [0.5], [0.9], [0.7], [0.8], [0.6], [0.9], [0.95]]
    >>> res = brier_score(time, event, pred, [5])
    >>> res.table[["time", "brier", "null_brier", "ipa"]].round(4)  # R: 0.181625, 0.24
       time   brier  null_brier     ipa
    0   5.0  0.1816        0.24  0.2432
    """
    t, e = check_survival_arrays(time, event)
    grid = _check_times(times)
    pred = _check_predictions(predicted_survival, t.size, grid)
    if not 0.0 < float(conf_level) < 1.0:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    z = float(stats.norm.ppf(0.5 + float(conf_level) / 2.0))
    order = np.argsort(t, kind="stable")
    t, e, pred = t[order], e[order], pred[order]
    g_subject, g_times = _censoring_weights(t, e, grid)
    model = _brier_columns(t, e, _residuals(t, e, pred, grid, g_subject, g_times), grid, z)
    km_table = exact_time_km_table(t, e)
    km_surv = np.concatenate(([1.0], km_table["surv"].to_numpy()))
    km = km_surv[np.searchsorted(km_table["time"].to_numpy(), grid, side="right")]
    null_pred = np.broadcast_to(km, pred.shape)
    null = _brier_columns(t, e, _residuals(t, e, null_pred, grid, g_subject, g_times), grid, z)
    table = pd.DataFrame({"time": grid, **model})
    table["null_brier"] = null["brier"]
    table["null_se"] = null["se"]
    table["null_ibs"] = null["ibs"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ipa"] = 1.0 - model["brier"] / null["brier"]
    return BrierScoreResult(table=table, n=int(t.size), conf_level=float(conf_level))


def integrated_brier_score(
    time: Any, event: Any, predicted_survival: Any, times: Any
) -> IntegratedBrierScoreResult:
    """Integrated Brier score over ``(0, times[-1]]`` (riskRegression ``IBS``).

    See :func:`brier_score` for the arguments; the integral is the left-endpoint step
    integral of the Brier scores on ``times``, divided by ``times[-1]``.

    Returns
    -------
    IntegratedBrierScoreResult
        ``.estimate`` (the IBS), ``.null_estimate`` (Kaplan–Meier null model),
        ``.horizon`` and the per-time ``.brier`` result.

    Examples
    --------
    >>> pred = [[0.9, 0.8], [0.8, 0.6], [0.7, 0.5], [0.6, 0.4]]
    >>> round(integrated_brier_score([1, 2, 3, 4], [1, 0, 1, 0], pred, [1.5, 3.5]).estimate, 4)
    0.1571
    """
    brier = brier_score(time, event, predicted_survival, times)
    last = brier.table.iloc[-1]
    return IntegratedBrierScoreResult(
        estimate=brier.integrated,
        null_estimate=float(last["null_ibs"]),
        horizon=float(last["time"]),
        n=brier.n,
        brier=brier,
    )
