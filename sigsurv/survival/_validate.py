"""One validator for the survival inputs of every survival entry point (private).

Kaplan–Meier, log-rank, cut-points, Cox fits and scans, concordance and follow-up
all check ``(time, event)`` here, so the same problem raises the same
:class:`~sigsurv.errors.CohortValidationError` with the same message wherever it
is found, and "too few events" is judged against one :data:`MIN_EVENTS`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.errors import AnalysisError, CohortValidationError, SigsurvInputError, SigsurvWarning

__all__ = [
    "MIN_EVENTS",
    "check_strata",
    "require_events",
    "survival_arrays",
    "warn_few_events",
]

#: Below this many events survival statistics are unstable; analyses warn.
MIN_EVENTS = 10


def _as_1d(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise CohortValidationError(
            f"{name} must be a 1-d array", expected="1-D array", found=f"shape {arr.shape}"
        )
    return arr


def _numeric(arr: np.ndarray, name: str, expected: str) -> np.ndarray:
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError):
        raise CohortValidationError(
            f"{name} is not numeric", expected=expected, found=str(arr.dtype)
        ) from None


def survival_arrays(time: Any, event: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate follow-up times and event indicators; return them as float arrays.

    Parameters
    ----------
    time
        Follow-up times: finite, non-negative numbers (1-D).
    event
        Event indicators: 1 = event, 0 = censored (booleans accepted), same length.

    Returns
    -------
    tuple of numpy.ndarray
        ``(time, event)`` as 1-d float64 arrays, in the input order.

    Raises
    ------
    CohortValidationError
        Not 1-d, lengths differ, empty, non-numeric, missing/infinite or negative
        time, event other than 0/1. The message names the first offending position.

    Examples
    --------
    >>> t, e = survival_arrays([5, 3, 9], [True, False, True])
    >>> t.tolist(), e.tolist()
    ([5.0, 3.0, 9.0], [1.0, 0.0, 1.0])
    """
    t_raw = _as_1d(time, "time")
    e_raw = _as_1d(event, "event")
    if t_raw.shape[0] != e_raw.shape[0]:
        raise CohortValidationError(
            "time and event differ in length",
            expected=f"{t_raw.shape[0]} event values",
            found=e_raw.shape[0],
        )
    if t_raw.shape[0] == 0:
        raise CohortValidationError("no samples: time and event are empty")
    t = _numeric(t_raw, "time", "numbers")
    e = _numeric(e_raw, "event", "0/1 or True/False")
    bad_t = ~np.isfinite(t)
    if bad_t.any():
        first = int(np.argmax(bad_t))
        raise CohortValidationError(
            f"missing or infinite follow-up time: {int(bad_t.sum())} value(s),"
            f" first at position {first}",
            expected="finite times",
            found=t_raw[first],
            hint="select complete cases first (Cohort.complete_cases)",
        )
    if (t < 0).any():
        first = int(np.argmax(t < 0))
        raise CohortValidationError(
            f"negative follow-up time, first at position {first}",
            expected="times >= 0",
            found=t_raw[first],
        )
    bad_e = ~np.isin(e, (0.0, 1.0))
    if bad_e.any():
        first = int(np.argmax(bad_e))
        raise CohortValidationError(
            f"event indicator must be 0/1, first other value at position {first}",
            expected="0 (censored) or 1 (event)",
            found=e_raw[first],
        )
    return t, e


def check_strata(strata: Any, n: int) -> np.ndarray:
    """Validate a stratum label per subject (no missing labels); return an object array.

    Examples
    --------
    >>> check_strata(["a", "b", "a"], 3).tolist()
    ['a', 'b', 'a']
    """
    arr = np.asarray(strata, dtype=object)
    if arr.shape != (n,):
        raise SigsurvInputError(
            "strata must have one value per subject",
            expected=f"{n} values",
            found=f"shape {arr.shape}",
        )
    if pd.isna(pd.Series(arr)).any():
        raise SigsurvInputError(
            "strata has missing values", column="strata", expected="complete cases", found="NA"
        )
    return arr


def require_events(event: np.ndarray, statistic: str) -> int:
    """Number of events; :class:`AnalysisError` when there is none.

    Examples
    --------
    >>> require_events(np.array([1.0, 0.0, 1.0]), "the log-rank test")
    2
    """
    events = int(event.sum())
    if events == 0:
        raise AnalysisError(
            f"no events: {statistic} is undefined",
            expected=">= 1 event",
            found=f"0 events in {event.shape[0]} samples",
        )
    return events


def warn_few_events(events: int, statistic: str, stacklevel: int = 3) -> None:
    """Warn (:class:`SigsurvWarning`) when fewer than :data:`MIN_EVENTS` events.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_few_events(4, "Cox estimates")
    >>> str(caught[0].message)
    'only 4 events (fewer than 10): Cox estimates may be unreliable'
    """
    if events < MIN_EVENTS:
        warnings.warn(
            f"only {events} events (fewer than {MIN_EVENTS}): {statistic} may be unreliable",
            SigsurvWarning,
            stacklevel=stacklevel,
        )
