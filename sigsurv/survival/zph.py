"""Proportional-hazards test of a Cox fit, as R ``cox.zph(fit, transform = "km")``.

The score test for adding ``x * g(t)`` terms to the fitted model, with ``g`` the
time transform centred on the event times; per term and GLOBAL (all terms).
With ``transform = "km"`` (R's default), ``g(t) = 1 - S(t-)``, one minus the
left-continuous pooled Kaplan–Meier estimate (:mod:`sigsurv.survival._event_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv.survival._event_table import event_table
from sigsurv.survival._risk_sets import Stratum, event_moments

__all__ = ["km_transform", "ph_test"]


def km_transform(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """``1 - S(t-)`` of the pooled Kaplan–Meier estimate, at each subject's time.

    Examples
    --------
    >>> km_transform(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 0.0, 1.0])).tolist()
    [0.0, 0.25, 0.5, 0.5]
    """
    tab = event_table(time, np.asarray(event, dtype=float))
    surv = tab.product_limit()
    left = np.concatenate([[1.0], surv[:-1]])
    return 1.0 - left[tab.inverse]


def _score_and_information(
    xc: np.ndarray, eta: np.ndarray, gtime: np.ndarray, strata: list[Stratum]
) -> tuple[np.ndarray, np.ndarray]:
    """Score of the ``x * g(t)`` terms (the ``x`` part is 0 at the fit) and the information."""
    p = xc.shape[1]
    u2 = np.zeros(p)
    imat = np.zeros((2 * p, 2 * p))
    for s in strata:
        if s.death_pos.size == 0:
            continue
        xs = xc[s.rows]
        _, mean, second = event_moments(s, xs, np.exp(eta[s.rows]))
        v = second - mean[:, :, None] * mean[:, None, :]
        dp = s.death_pos
        gt = gtime[s.rows][dp]
        u2 += (gt[:, None] * (xs[dp] - mean)).sum(axis=0)
        imat[:p, :p] += v.sum(axis=0)
        imat[:p, p:] += (gt[:, None, None] * v).sum(axis=0)
        imat[p:, p:] += (gt[:, None, None] ** 2 * v).sum(axis=0)
    imat[p:, :p] = imat[:p, p:].T
    return np.concatenate([np.zeros(p), u2]), imat


def _quadratic_form(sub: np.ndarray, uu: np.ndarray) -> float:
    try:
        return float(np.linalg.solve(sub, uu) @ uu)
    except np.linalg.LinAlgError:
        # e.g. all events at one time: g(t) has no spread, the test does not exist.
        return float("nan")


def ph_test(
    time: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    eta: np.ndarray,
    strata: list[Stratum],
    terms: dict[str, list[int]],
) -> pd.DataFrame:
    """``cox.zph`` table (``chisq, df, p`` per term and GLOBAL) of a fitted model.

    ``x`` holds the estimable design columns, ``eta`` the linear predictor at the
    estimate, ``terms`` maps each term to its columns of ``x``.
    """
    p = x.shape[1]
    ttimes = km_transform(time, event)
    gtime = ttimes - ttimes[event == 1].mean()
    score, imat = _score_and_information(x - x.mean(axis=0), eta, gtime, strata)
    rows = []
    for name, cols in terms.items():
        kk = list(range(p)) + [p + j for j in cols]
        rows.append((name, _quadratic_form(imat[np.ix_(kk, kk)], score[kk]), len(cols)))
    rows.append(("GLOBAL", _quadratic_form(imat, score), p))
    table = pd.DataFrame(rows, columns=["term", "chisq", "df"]).set_index("term")
    table["p"] = stats.chi2.sf(table["chisq"], table["df"])
    return table
