"""Hand sigsurv survival results to lifelines, fitted on the same data.

Users who know lifelines keep its plotting and prediction API:
:func:`to_lifelines` turns a Kaplan–Meier result into fitted
``lifelines.KaplanMeierFitter`` objects and a Cox result into a fitted
``lifelines.CoxPHFitter``. Where the two engines differ:

* **Confidence intervals of S(t).** lifelines has one KM interval, the
  "exponential Greenwood" (R ``conf.type = "log-log"``); sigsurv's default is R's
  ``conf.type = "log"``. Curves and medians agree whatever the type; the intervals
  agree only when the sigsurv curve was made with ``conf_type="log-log"``.
* **Median.** sigsurv follows R: when S(t) is exactly 0.5 on an interval the median
  is the midpoint of that interval; lifelines returns its start. The two differ only
  then.
* **Ties in Cox models.** lifelines implements Efron's approximation only; a sigsurv
  Cox result fitted with ``ties="breslow"`` is refused.
* **Convergence.** sigsurv stops like R (relative change of the log partial
  likelihood <= 1e-9); lifelines' own defaults stop earlier (step norm < 1e-7). The
  lifelines model is fitted here with step-norm precision 1e-12 so both land on the
  same maximum (coefficients agree to ~1e-9 relative).
* **At-risk counts.** Both count subjects with time >= t (censored at t still at
  risk at t); lifelines' ``event_table`` also has a row at time 0 and an
  ``entrance`` column, sigsurv's table starts at the first observed time.
* **timefix.** sigsurv's Cox fit keeps the times it actually used (after any
  tie correction), and those are what lifelines receives.

Needs the optional package ``lifelines``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError

__all__ = ["km_data", "to_lifelines"]

#: Newton–Raphson settings making lifelines converge to sigsurv's (R's) maximum.
LIFELINES_FIT_OPTIONS: dict[str, float] = {
    "precision": 1e-12,
    "r_precision": 0.0,
    "max_steps": 500,
}


def _lifelines() -> Any:
    try:
        import lifelines
    except ImportError:
        raise SigsurvInputError(
            "to_lifelines needs the optional package lifelines", hint="pip install lifelines"
        ) from None
    return lifelines


def km_data(curve: Any) -> tuple[np.ndarray, np.ndarray]:
    """The (durations, events) a Kaplan–Meier curve was estimated from.

    A curve's table holds, for every distinct time, its events and censorings, which
    is the data itself up to the order of the subjects.

    Parameters
    ----------
    curve
        A :class:`~sigsurv.survival.km.KaplanMeierCurve`.

    Returns
    -------
    tuple of numpy.ndarray
        Durations (sorted) and 0/1 event indicators.

    Examples
    --------
    >>> from sigsurv.survival.km import kaplan_meier
    >>> curve = kaplan_meier([3, 1, 2, 2], [1, 1, 0, 1]).curves["all"]
    >>> [a.tolist() for a in km_data(curve)]
    [[1.0, 2.0, 2.0, 3.0], [1, 1, 0, 1]]
    """
    table = curve.table
    time = table["time"].to_numpy(dtype=float)
    n_event = table["n_event"].to_numpy(dtype=int)
    n_censor = table["n_censor"].to_numpy(dtype=int)
    # Per time: its events first, then its censorings (order within a time is irrelevant).
    counts = np.column_stack([n_event, n_censor]).ravel()
    durations = np.repeat(np.repeat(time, 2), counts)
    events = np.repeat(np.tile([1, 0], time.size), counts)
    return durations, events


def _kmf(curve: Any) -> Any:
    lifelines = _lifelines()
    durations, events = km_data(curve)
    fitter = lifelines.KaplanMeierFitter(alpha=1.0 - curve.conf_level)
    return fitter.fit(durations, event_observed=events, label=str(curve.group))


def _cox(result: Any) -> Any:
    lifelines = _lifelines()
    if result.ties != "efron":
        raise OptionError(
            "lifelines' CoxPHFitter implements Efron ties only",
            expected="a Cox result fitted with ties='efron'",
            found=f"ties={result.ties!r}",
        )
    data = _cox_fit_data(result)
    frame = data["design"].copy()
    names = {"time": "_sigsurv_time", "event": "_sigsurv_event", "strata": "_sigsurv_strata"}
    frame[names["time"]] = data["time"]
    frame[names["event"]] = data["event"]
    strata = None
    if data["strata"] is not None:
        frame[names["strata"]] = pd.Series(data["strata"], index=frame.index).astype(str)
        strata = [names["strata"]]
    fitter = lifelines.CoxPHFitter(alpha=1.0 - data["conf_level"])
    return fitter.fit(
        frame,
        duration_col=names["time"],
        event_col=names["event"],
        strata=strata,
        fit_options=dict(LIFELINES_FIT_OPTIONS),
    )


def _cox_fit_data(result: Any) -> dict[str, Any]:
    """Time, event, design frame, strata and confidence level a Cox result was fitted on.

    ``CoxResult.fit_data`` when present; otherwise the ``zph_inputs`` a Cox fit keeps
    for ``cox.zph`` (estimable columns only), with the confidence level read back from
    the coefficient table.
    """
    data = getattr(result, "fit_data", None)
    if data is not None:
        return dict(data)
    zph = getattr(result, "zph_inputs", None)
    if zph is None:
        raise AnalysisError(
            "this Cox result does not keep the data it was fitted on",
            hint="fit it with sigsurv.survival.cox.cox_fit, whose results keep it",
        )
    table = result.summary
    z = (table["coef"] - np.log(table["ci_lower"])) / table["se"]
    z = z[np.isfinite(z)]
    return {
        "time": zph.time,
        "event": zph.event,
        "design": pd.DataFrame(zph.x, columns=list(zph.columns)),
        "strata": zph.strata_labels,
        "conf_level": float(2.0 * stats.norm.cdf(z.iloc[0]) - 1.0) if len(z) else 0.95,
    }


def to_lifelines(result: Any) -> Any:
    """A fitted lifelines object for a sigsurv Kaplan–Meier or Cox result.

    Parameters
    ----------
    result
        A :class:`~sigsurv.survival.km.KaplanMeierResult` (one fitter per group), a
        :class:`~sigsurv.survival.km.KaplanMeierCurve`, or a
        :class:`~sigsurv.survival.cox.CoxResult` from
        :func:`~sigsurv.survival.cox.cox_fit` (Efron ties).

    Returns
    -------
    object
        ``dict group -> lifelines.KaplanMeierFitter`` for a KM result, a
        ``KaplanMeierFitter`` for a curve, a ``lifelines.CoxPHFitter`` for a Cox
        result (the duration, event and strata columns are named
        ``_sigsurv_time``, ``_sigsurv_event`` and ``_sigsurv_strata``; covariates keep
        their design-column names, e.g. ``grade3``).

    Raises
    ------
    OptionError
        A Cox result fitted with Breslow ties.
    AnalysisError
        A Cox result that does not keep its data.

    Examples
    --------
    >>> from sigsurv.survival.km import kaplan_meier
    >>> fit = kaplan_meier([6, 7, 10, 15, 19, 25], [1, 0, 1, 1, 0, 1])
    >>> kmf = to_lifelines(fit)["all"]
    >>> float(kmf.median_survival_time_), fit.median_survival()["all"].median
    (15.0, 15.0)
    """
    # Recognised by their fields: the result modules import this one (no import cycle).
    if hasattr(result, "curves") and hasattr(result, "conf_type"):
        return {group: _kmf(curve) for group, curve in result.curves.items()}
    if hasattr(result, "table") and hasattr(result, "group") and hasattr(result, "conf_type"):
        return _kmf(result)
    if hasattr(result, "summary") and hasattr(result, "ties") and hasattr(result, "loglik"):
        return _cox(result)
    raise SigsurvInputError(
        "no lifelines counterpart for this object",
        expected="KaplanMeierResult, KaplanMeierCurve or CoxResult",
        found=type(result).__name__,
    )
