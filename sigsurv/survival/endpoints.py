"""Survival data of one analysis: validated ``(time, event)`` arrays and their description.

:class:`SurvivalData` holds the arrays an analysis runs on (built from a cohort by
:func:`sigsurv.analysis.prepare_survival`); :func:`median_follow_up` is the reverse
Kaplan–Meier median follow-up (R: the median of ``survfit(Surv(time, 1 - event) ~ 1)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.survival._event_table import event_table
from sigsurv.survival._validate import MIN_EVENTS, survival_arrays

__all__ = [
    "MIN_EVENTS",
    "SurvivalData",
    "check_survival_arrays",
    "median_follow_up",
]


def check_survival_arrays(time: Any, event: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate follow-up times and event indicators and return them as float arrays.

    The one survival validator of sigsurv (every survival entry point uses it).

    Parameters
    ----------
    time
        Follow-up times: finite, non-negative numbers.
    event
        Event indicators: 1 = event, 0 = censored (booleans accepted).

    Returns
    -------
    tuple of numpy.ndarray
        ``(time, event)`` as 1-d float arrays, in the input order.

    Raises
    ------
    CohortValidationError
        If the arrays are not 1-d, differ in length, are empty or hold missing,
        negative or non-0/1 values.

    Examples
    --------
    >>> time, event = check_survival_arrays([5, 8, 2], [True, False, True])
    >>> event
    array([1., 0., 1.])
    """
    return survival_arrays(time, event)


def first_time_at_or_below_half(times: np.ndarray, curve: np.ndarray) -> float | None:
    """R survival's median rule (``survmean``'s ``minmin``) on a step curve.

    The first time the curve is <= 0.5 (tolerance ``sqrt(eps)``); when the curve is
    exactly 0.5 on a flat stretch, the midpoint between that time and the next time
    the curve drops. ``None`` when the curve never reaches 0.5. NaN points are skipped.

    Examples
    --------
    >>> first_time_at_or_below_half(np.array([1.0, 2.0, 3.0]), np.array([0.8, 0.4, 0.2]))
    2.0
    >>> first_time_at_or_below_half(np.array([3.0, 4.0, 5.0]), np.array([0.5, 0.5, 0.25]))
    4.0
    >>> first_time_at_or_below_half(np.array([1.0]), np.array([0.9])) is None
    True
    """
    tolerance = np.sqrt(np.finfo(float).eps)
    keep = ~np.isnan(curve) & (curve < 0.5 + tolerance)
    if not keep.any():
        return None
    x = times[keep]
    y = curve[keep]
    if abs(y[0] - 0.5) < tolerance and (y < y[0]).any():
        return float((x[0] + x[np.argmax(y < y[0])]) / 2.0)
    return float(x[0])


def median_follow_up(time: Any, event: Any, *, timefix: bool = True) -> float | None:
    """Median follow-up by the reverse Kaplan–Meier method.

    Censoring is treated as the event and events as censoring; the median of that
    curve (R ``survfit(Surv(time, 1 - event) ~ 1)``, first time S(t) <= 0.5, with
    R's midpoint rule on an exact 0.5 plateau) is the median potential follow-up.

    Parameters
    ----------
    time
        Follow-up times (finite, >= 0).
    event
        Event indicators (1 = event, 0 = censored).
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.

    Returns
    -------
    float or None
        The median follow-up in the unit of ``time``; ``None`` if there are no
        samples or the reverse curve never reaches 0.5 (e.g. almost no censoring).

    Examples
    --------
    >>> median_follow_up([2, 4, 6, 8, 10], [1, 0, 0, 1, 0])
    8.0
    >>> median_follow_up([], []) is None
    True
    """
    if np.asarray(time).size == 0 and np.asarray(event).size == 0:
        return None
    t, e = survival_arrays(time, event, timefix=timefix)
    reverse = event_table(t, e).reversed()
    return first_time_at_or_below_half(reverse.time, reverse.product_limit())


@dataclass(frozen=True)
class SurvivalData:
    """The survival data of one analysis, with its description.

    Attributes
    ----------
    time, event
        Follow-up times and 0/1 event indicators (float arrays, cohort sample order).
    unit
        Unit of ``time`` (``days``, ``months`` or ``years``).
    n, events
        Number of samples and of events.
    median_follow_up
        Reverse Kaplan–Meier median follow-up (``None`` if not reached).
    label
        Human-readable description: endpoint, horizon and subgroup.
    endpoint
        Endpoint name.
    samples
        Sample identifiers, aligned with ``time`` and ``event``.
    horizon
        Truncation horizon in ``unit``, if any.
    subgroup
        The subgroup expression, if any.

    Examples
    --------
    >>> import numpy as np
    >>> data = SurvivalData(np.array([5.0, 8.0]), np.array([1.0, 0.0]), "months", 2, 1, 8.0,
    ...                     "os")
    >>> data.events
    1
    """

    time: np.ndarray
    event: np.ndarray
    unit: str
    n: int
    events: int
    median_follow_up: float | None
    label: str
    endpoint: str = ""
    samples: pd.Index = field(default_factory=lambda: pd.Index([]))
    horizon: float | None = None
    subgroup: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (without the arrays).

        Examples
        --------
        >>> import numpy as np
        >>> data = SurvivalData(np.array([5.0]), np.array([1.0]), "months", 1, 1, None, "os")
        >>> data.to_dict()["n"]
        1
        """
        return {
            "endpoint": self.endpoint,
            "label": self.label,
            "unit": self.unit,
            "n": self.n,
            "events": self.events,
            "median_follow_up": self.median_follow_up,
            "horizon": self.horizon,
            "subgroup": self.subgroup,
        }
