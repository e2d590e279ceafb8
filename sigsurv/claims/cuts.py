"""Secondary, cut-based hazard ratios of one test: median, tertiles and the optimal cut.

The optimal (maximally selected log-rank) cut is optimistic: its naive HR comes with a
cross-validated one (the cut is chosen on the training folds and applied to the held-out
fold, 5 folds repeated 5 times, seeded). Every HR is a
:class:`~sigsurv._results.HazardRatio` in its one JSON vocabulary.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._results import HazardRatio
from sigsurv.analysis.signature import group_within_strata
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.survival.cox import cox_fit
from sigsurv.survival.cut_rules import SECONDARY_CUTS, top_vs_bottom_fit
from sigsurv.survival.cutpoints import maxstat_cutpoint

__all__ = ["cut_rows"]


def _grouped_hr(
    time: np.ndarray, event: np.ndarray, high: np.ndarray, strata: np.ndarray | None
) -> HazardRatio:
    fit = cox_fit(time, event, pd.DataFrame({"high": high.astype(float)}), strata=strata)
    return fit.hazard_ratio("high")


def _held_out_groups(
    time: np.ndarray, event: np.ndarray, score: np.ndarray, assignment: np.ndarray, folds: int
) -> np.ndarray | None:
    """High/low per patient from the optimal cut of the other folds (None: a fold had none)."""
    high = np.zeros(time.size, dtype=bool)
    for fold in range(folds):
        train = assignment != fold
        try:
            cut = maxstat_cutpoint(score[train], time[train], event[train]).cutpoint
        except SigsurvInputError:  # e.g. a training fold without events
            return None
        high[~train] = score[~train] > cut
    return high


def _cross_validated_optimal(
    time: np.ndarray,
    event: np.ndarray,
    score: np.ndarray,
    strata: np.ndarray | None,
    seed: int,
    folds: int = 5,
    repeats: int = 5,
) -> dict[str, Any]:
    """HR of the optimal cut chosen on training folds, applied to the held-out fold."""
    rng = np.random.default_rng(seed)
    log_hrs, ses = [], []
    for _ in range(repeats):
        assignment = rng.permutation(np.arange(time.size) % folds)
        high = _held_out_groups(time, event, score, assignment, folds)
        if high is None or high.all() or not high.any():
            continue  # a training fold without a usable cut: this repeat is not counted
        row = _grouped_hr(time, event, high, strata)
        if row.coef is not None and row.se is not None:
            log_hrs.append(row.coef)
            ses.append(row.se)
    method = f"{folds}-fold cross-validation repeated {repeats} times (seed {seed})"
    if not log_hrs:
        return {
            "hr": None,
            "ci_lower": None,
            "ci_upper": None,
            "method": method,
            "repeats_used": 0,
        }
    mean_log, mean_se = float(np.mean(log_hrs)), float(np.mean(ses))
    return {
        "hr": math.exp(mean_log),
        "ci_lower": math.exp(mean_log - 1.959963984540054 * mean_se),
        "ci_upper": math.exp(mean_log + 1.959963984540054 * mean_se),
        "method": method,
        "repeats_used": len(log_hrs),
    }


def cut_rows(
    time: np.ndarray,
    event: np.ndarray,
    score: np.ndarray,
    *,
    strata: np.ndarray | None = None,
    seed: int = 20240101,
) -> list[dict[str, Any]]:
    """Secondary, cut-based HRs: median, tertiles (T3 vs T1) and the optimal cut.

    Quantile cuts are taken within strata when strata are given. The optimal cut's row
    is marked ``optimistic`` and carries a cross-validated ``corrected`` HR beside the
    naive one.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=90)
    >>> t, e = rng.exponential(np.exp(-0.6 * x)), (rng.random(90) < 0.7).astype(float)
    >>> rows = cut_rows(t, e, x, seed=1)
    >>> [r["cut"] for r in rows], rows[2]["optimistic"], rows[2]["corrected"]["hr"] is not None
    (['median', 'tertile', 'optimal'], True, True)
    """
    with warnings.catch_warnings():
        # Few-event warnings are the test's own, reported once with it.
        warnings.simplefilter("ignore", SigsurvWarning)
        return _cut_rows(time, event, score, strata, seed)


def _cut_rows(
    time: np.ndarray,
    event: np.ndarray,
    score: np.ndarray,
    strata: np.ndarray | None,
    seed: int,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for rule in SECONDARY_CUTS:
        try:
            grouping, cuts, note = group_within_strata(
                score, rule, time=time, event=event, strata_values=strata
            )
        except SigsurvInputError as error:
            rows.append({"cut": rule, "hr": None, "note": error.message})
            continue
        labels = np.asarray(grouping.labels.astype(str))
        top, bottom = grouping.levels[-1], grouping.levels[0]
        try:  # the registry's estimand: top vs bottom in one model of all groups
            fit, term = top_vs_bottom_fit(time, event, labels, grouping.levels, strata=strata)
        except SigsurvInputError as error:
            rows.append({"cut": rule, "hr": None, "note": error.message})
            continue
        estimate = fit.hazard_ratio(term).to_dict()
        row: dict[str, Any] = {
            "cut": rule,
            "comparison": f"{top} vs {bottom}",
            **estimate,
            "cut_values": [float(c) for c in grouping.cuts],
            "cuts_by_stratum": cuts or None,
            "note": note,
            "optimistic": rule == "optimal",
        }
        if rule == "optimal":
            row["corrected"] = _cross_validated_optimal(time, event, score, strata, seed)
            row["note"] = (
                "optimal cut chosen on these patients: the naive HR and CI are optimistic; "
                "the corrected HR is cross-validated" + (f"; {note}" if note else "")
            )
        rows.append(row)
    return rows
