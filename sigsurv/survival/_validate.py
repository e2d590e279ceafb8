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
    "TIMEFIX_TOLERANCE",
    "check_competing_arrays",
    "check_strata",
    "merge_close_times",
    "require_events",
    "survival_arrays",
    "warn_collapsing_times",
    "warn_few_events",
]

#: Below this many events survival statistics are unstable; analyses warn.
MIN_EVENTS = 10
#: R survival's ``aeqSurv`` tolerance: ``sqrt(.Machine$double.eps)``.
TIMEFIX_TOLERANCE = float(np.sqrt(np.finfo(float).eps))


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


def merge_close_times(time: np.ndarray, tolerance: float = TIMEFIX_TOLERANCE) -> np.ndarray:
    """Treat times closer than ``tolerance`` as tied, as R survival's ``aeqSurv``.

    Distinct sorted times ``y`` are tied to their predecessor when
    ``diff(y) <= tolerance`` or ``diff(y) / mean(|y|) <= tolerance``; each run of
    tied times is replaced by its smallest member. This is what R's ``coxph``,
    ``survfit``, ``survdiff`` and ``concordance`` do by default (``timefix = TRUE``),
    so that times computed two ways (e.g. days / 30.4375 and days / 365.25 * 12)
    that differ in the last bits still count as ties.

    Parameters
    ----------
    time
        Validated follow-up times.
    tolerance
        Merge tolerance; ``<= 0`` returns ``time`` unchanged.

    Returns
    -------
    numpy.ndarray
        The times with close values merged (the input itself when nothing merges).

    Examples
    --------
    >>> t = np.array([3.0, 1.0, 1.0 + 1e-12, 2.0])
    >>> merge_close_times(t).tolist()
    [3.0, 1.0, 1.0, 2.0]
    """
    if tolerance <= 0 or time.size < 2:
        return time
    y, tied = _tied_neighbours(time, tolerance)
    if not tied.any():
        return time
    cuts = y[np.concatenate([[True], ~tied])]
    return cuts[np.searchsorted(cuts, time, side="right") - 1]


def _tied_neighbours(time: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Distinct sorted times and whether each is tied to the next (``aeqSurv``'s rule)."""
    y = np.unique(time)
    dy = np.diff(y)
    scale = np.mean(np.abs(y))
    with np.errstate(divide="ignore", invalid="ignore"):
        tied = (dy <= tolerance) | (dy / scale <= tolerance)
    return y, tied


def warn_collapsing_times(time: np.ndarray, tolerance: float = TIMEFIX_TOLERANCE) -> None:
    """Warn when timefix would tie times that are distinct at their own scale.

    Rounding near-ties (times computed two ways) differ by a few ulps, far below
    ``tolerance`` times their size. Times merged only because they are closer than
    ``tolerance`` *absolutely* while differing by more than that *relatively* (a time
    unit so small that real differences fall under R's absolute tolerance, e.g.
    times scaled by 1e-300) change the analysis: R merges them silently; here a
    :class:`SigsurvWarning` names the first such pair.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_collapsing_times(np.array([1e-300, 2e-300, 3e-300]))
    >>> str(caught[0].message).split(":")[0]
    'timefix ties 2 pair(s) of times that differ by more than 1.5e-08 of their size'
    """
    if tolerance <= 0 or time.size < 2:
        return
    y, tied = _tied_neighbours(time, tolerance)
    dy = np.diff(y)
    size = np.maximum(np.abs(y[:-1]), np.abs(y[1:]))
    distinct = tied & (dy > tolerance * size)
    if distinct.any():
        first = int(np.argmax(distinct))
        warnings.warn(
            f"timefix ties {int(distinct.sum())} pair(s) of times that differ by more than"
            f" {tolerance:.2g} of their size: e.g. {y[first]:.6g} and {y[first + 1]:.6g} are"
            f" closer than {tolerance:.2g} in absolute terms (R's timefix rule); if the time"
            " unit is that small, rescale the times or pass timefix=False",
            SigsurvWarning,
            stacklevel=4,
        )


def survival_arrays(
    time: Any, event: Any, *, timefix: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Validate follow-up times and event indicators; return them as float arrays.

    Parameters
    ----------
    time
        Follow-up times: finite, non-negative numbers (1-D).
    event
        Event indicators: 1 = event, 0 = censored (booleans accepted), same length.
    timefix
        Merge times closer than ``sqrt(eps)`` (:func:`merge_close_times`, R's
        ``timefix = TRUE``). Entry points pass their own ``timefix`` option.

    Returns
    -------
    tuple of numpy.ndarray
        ``(time, event)`` as 1-d float64 arrays, in the input order.

    Raises
    ------
    CohortValidationError
        Not 1-d, lengths differ, empty, non-numeric, missing/infinite or negative
        time, event other than 0/1. The message names the first offending position.

    Warns
    -----
    SigsurvWarning
        With ``timefix``: times tied although distinct at their own scale
        (:func:`warn_collapsing_times`).

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
    if timefix:
        warn_collapsing_times(t)
        t = merge_close_times(t)
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
