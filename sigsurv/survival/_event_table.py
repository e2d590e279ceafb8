"""The one event table behind every product-limit estimate (private).

:func:`event_table` counts, at each distinct observed time, the subjects at risk
(time >= t), the events and the censorings. From it come the Kaplan–Meier curve
(:mod:`sigsurv.survival.km`), the reverse Kaplan–Meier follow-up
(:mod:`sigsurv.survival.endpoints`), the censoring distribution of the IPCW
statistics (:mod:`sigsurv.survival.concordance`), the Kaplan–Meier time transform
of ``cox.zph`` (:mod:`sigsurv.survival.zph`) and the per-group counts of the
log-rank tests (:mod:`sigsurv.survival.logrank`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EventTable", "event_table", "step_values"]


@dataclass(frozen=True)
class EventTable:
    """Counts at each distinct observed time (ascending).

    Attributes
    ----------
    time
        Distinct observed times (events or censorings), ascending.
    n_risk
        Subjects with time >= t.
    n_event, n_censor
        Events and censorings at t.
    inverse
        For each subject (input order), the row of its time.
    subject_event
        Each subject's 0/1 event indicator (input order).

    Examples
    --------
    >>> tab = event_table(np.array([2.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0]))
    >>> tab.time.tolist(), tab.n_risk.tolist(), tab.n_event.tolist(), tab.n_censor.tolist()
    ([1.0, 2.0], [3.0, 2.0], [1.0, 1.0], [0.0, 1.0])
    """

    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    inverse: np.ndarray
    subject_event: np.ndarray

    @property
    def n_total(self) -> np.ndarray:
        """Subjects whose observed time is t (events + censorings)."""
        return self.n_event + self.n_censor

    def product_limit(self) -> np.ndarray:
        """Kaplan–Meier survival just after each time: ``prod (1 - d / n)``.

        Examples
        --------
        >>> event_table(np.array([1.0, 2.0, 2.0, 3.0]), np.array([1.0, 1.0, 0.0, 1.0])
        ...             ).product_limit().tolist()
        [0.75, 0.5, 0.0]
        """
        return np.cumprod(1.0 - self.n_event / self.n_risk)

    def censoring_product_limit(self) -> np.ndarray:
        """Kaplan–Meier of the censoring distribution, G(t) = P(C > t), after each time.

        An event at t is taken to happen before a censoring at t, so the subjects
        with an event at t are not at risk of being censored at t (the convention
        of the IPCW estimators).

        Examples
        --------
        >>> event_table(np.array([1.0, 2.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0, 1.0])
        ...             ).censoring_product_limit().tolist()
        [0.75, 0.375, 0.375]
        """
        denom = self.n_risk - self.n_event
        ratio = np.divide(
            self.n_censor, denom, out=np.zeros_like(self.n_censor), where=self.n_censor != 0
        )
        return np.cumprod(1.0 - ratio)

    def reversed(self) -> EventTable:
        """The table with events and censorings swapped (R ``Surv(time, 1 - event)``).

        Examples
        --------
        >>> event_table(np.array([1.0, 2.0]), np.array([1.0, 0.0])).reversed().n_event.tolist()
        [0.0, 1.0]
        """
        return EventTable(
            self.time,
            self.n_risk,
            self.n_censor,
            self.n_event,
            self.inverse,
            1.0 - self.subject_event,
        )

    def by_group(self, codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """At risk and events per time (rows) and group (columns ``0..k-1``).

        Examples
        --------
        >>> tab = event_table(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 0.0]))
        >>> n_risk, n_event = tab.by_group(np.array([0, 1, 0]), 2)
        >>> n_risk.tolist(), n_event.tolist()
        ([[2.0, 1.0], [1.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        """
        m = self.time.size
        flat = self.inverse * k + codes
        at_time = np.bincount(flat, minlength=m * k).reshape(m, k).astype(float)
        events = np.bincount(flat, weights=self.subject_event, minlength=m * k).reshape(m, k)
        return np.cumsum(at_time[::-1], axis=0)[::-1], events


def event_table(time: np.ndarray, event: np.ndarray) -> EventTable:
    """Build the :class:`EventTable` of validated ``time`` and 0/1 ``event`` arrays.

    Examples
    --------
    >>> event_table(np.array([3.0, 1.0]), np.array([0.0, 1.0])).inverse.tolist()
    [1, 0]
    """
    times, inverse, counts = np.unique(time, return_inverse=True, return_counts=True)
    n_event = np.bincount(inverse, weights=event, minlength=times.size)
    n_risk = time.size - np.concatenate(([0.0], np.cumsum(counts)[:-1]))
    subject_event = np.asarray(event, dtype=float)
    return EventTable(
        times, n_risk.astype(float), n_event, counts - n_event, inverse, subject_event
    )


def step_values(
    time: np.ndarray, curve: np.ndarray, at: np.ndarray, *, left: bool = False
) -> np.ndarray:
    """Evaluate a right-continuous step curve (1 before the first time) at ``at``.

    ``left=True`` gives the left limit ``curve(t-)``: the value just before ``t``.

    Examples
    --------
    >>> t = np.array([1.0, 2.0]); s = np.array([0.5, 0.25])
    >>> step_values(t, s, np.array([0.5, 1.0, 2.0, 3.0])).tolist()
    [1.0, 0.5, 0.25, 0.25]
    >>> step_values(t, s, np.array([0.5, 1.0, 2.0, 3.0]), left=True).tolist()
    [1.0, 1.0, 0.5, 0.25]
    """
    pos = np.searchsorted(time, at, side="left" if left else "right") - 1
    return np.where(pos >= 0, curve[np.clip(pos, 0, None)], 1.0)
