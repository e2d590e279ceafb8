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

The first lives in :mod:`sigsurv.survival.incidence`, the second in
:mod:`sigsurv.survival.subdistribution`; this module gathers every name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sigsurv._docstrings import fill_doc
from sigsurv.survival._validate import check_competing_arrays
from sigsurv.survival.cox import CoxResult, cox_fit
from sigsurv.survival.incidence import CumulativeIncidenceResult, GrayTest, cumulative_incidence
from sigsurv.survival.subdistribution import FineGrayResult, fine_gray

__all__ = [
    "CumulativeIncidenceResult",
    "FineGrayResult",
    "GrayTest",
    "cause_specific_cox",
    "check_competing_arrays",
    "cumulative_incidence",
    "fine_gray",
]


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
    >>> import pandas as pd
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = cause_specific_cox(time, event, pd.DataFrame({"age": age}), cause=1)
    >>> res.events
    5
    """
    t, e = check_competing_arrays(time, event, cause)
    return cox_fit(t, (e == cause).astype(np.int64), covariates, **cox_options)
