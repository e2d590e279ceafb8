"""Kaplan–Meier tables on the exact observed times, for the ports of ``cmprsk`` and
``riskRegression`` (private).

:func:`~sigsurv.survival.km.kaplan_meier` follows R ``survfit``, which may merge times
that differ only by floating-point noise (R's ``aeqSurv`` "timefix"). ``cmprsk`` and
``prodlim`` (used by ``riskRegression``) compare times exactly. Running the one
Kaplan–Meier implementation on the ranks of the distinct times (integers, never merged)
and mapping the ranks back gives their convention without a second product-limit code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sigsurv.survival.km import kaplan_meier

__all__ = ["exact_time_km_table"]


def exact_time_km_table(time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """Kaplan–Meier table (``kaplan_meier``'s columns) over the exact distinct times.

    Parameters
    ----------
    time
        Follow-up times (float array, validated by the caller).
    event
        1 = event, 0 = censored (float or int array).

    Returns
    -------
    pandas.DataFrame
        One row per distinct time: ``time, n_risk, n_event, n_censor, surv, ...``.

    Examples
    --------
    >>> tab = exact_time_km_table(np.array([2.0, 1.0, 2.0]), np.array([1, 0, 1]))
    >>> tab[["time", "n_risk", "surv"]].values.tolist()
    [[1.0, 3.0, 1.0], [2.0, 2.0, 0.0]]
    """
    distinct, rank = np.unique(time, return_inverse=True)
    table = kaplan_meier(rank.astype(float), np.asarray(event, dtype=float)).curves["all"].table
    table = table.copy()
    table["time"] = distinct[table["time"].to_numpy().astype(int)]
    return table
