"""The evidence around one test's per-SD hazard ratio: power, adjustment, cuts, C, null.

Each function takes one test's patients (time, event, score, strata, clinical table) and
returns a JSON-ready record. They compose the survival layer's single implementations
(:func:`~sigsurv.survival.cox.cox_fit`, :func:`~sigsurv.survival.power.cox_power`,
:func:`~sigsurv.analysis.null.random_signature_null`...):

* **adjustment**: the score per SD beside the clinical covariates the cohort has (age,
  grade as a factor, size, node, ER unless ER defines the subgroup), or beside the
  ``pam50_proliferation`` score; complete cases; a warning below 10 events per
  parameter. The likelihood-ratio test of adding the signature to the clinical model
  is :func:`~sigsurv.survival.nested.cox_lrt` (R ``anova``), with the change in Harrell's C;
* **cut rows**: median, tertiles (top vs bottom), and the optimal (maximally selected
  log-rank) cut, which is optimistic: its naive HR comes with a cross-validated one
  (the cut is chosen on the training folds and applied to the held-out fold, 5 folds
  repeated 5 times, seeded);
* **power** by Schoenfeld's formula for the published HR (dichotomised at the median)
  or a conventional per-SD HR, and the minimum detectable HR at 80% power.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.analysis.signature import group_within_strata
from sigsurv.claims.verdicts import DEFAULT_TARGET_HR
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.survival.concordance import concordance_index
from sigsurv.survival.cox import CoxResult, cox_fit
from sigsurv.survival.cut_rules import SECONDARY_CUTS, top_vs_bottom_fit
from sigsurv.survival.cutpoints import maxstat_cutpoint
from sigsurv.survival.nested import cox_lrt
from sigsurv.survival.power import cox_power

__all__ = [
    "CLINICAL_CANDIDATES",
    "MIN_EVENTS_PER_PARAMETER",
    "adjusted_estimate",
    "claim_direction_concordance",
    "clinical_covariates",
    "cut_rows",
    "nested_lrt",
    "power_record",
]

#: Clinical variables adjusted for, each with the column names a cohort may use.
CLINICAL_CANDIDATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("age", ("age", "age_at_diagnosis", "age_at_initial_pathologic_diagnosis")),
    ("grade", ("grade", "histological_grade")),
    ("size", ("size", "size_category", "diameter", "tumor_size", "tumour_size")),
    ("node", ("node", "nodes", "node_category", "node_status")),
    ("er", ("er", "er_status", "er_level")),
)
MIN_EVENTS_PER_PARAMETER = 10


def _hr_row(fit: CoxResult, term: str) -> dict[str, Any]:
    """The term's HR, or None values when that coefficient is not an estimate.

    A monotone likelihood in another term (a grade level without events) leaves the
    term's own coefficient finite: it is kept, and the fit's problems are reported.
    """
    row = fit.summary.loc[term]
    usable = bool(fit.converged) and not bool(row["may_be_infinite"])
    usable = usable and bool(np.isfinite(row["se"]))
    return {
        "hr": float(row["hr"]) if usable else None,
        "lower": float(row["ci_lower"]) if usable else None,
        "upper": float(row["ci_upper"]) if usable else None,
        "p": float(row["p_wald"]) if usable else None,
        "log_hr": float(row["coef"]) if usable else None,
        "se": float(row["se"]) if usable else None,
    }


def _level_text(value: Any) -> str | None:
    if pd.isna(value):
        return None
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def clinical_covariates(
    clinical: pd.DataFrame, excluded: Iterable[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """The clinical covariates a cohort has, as model columns (grade as a factor).

    Parameters
    ----------
    clinical
        The test's patients' clinical table.
    excluded
        Columns that define the subgroup (e.g. ``er`` for an ER+ claim): a filter
        variable is constant in the subgroup and is not adjusted for.

    Returns
    -------
    tuple
        ``(frame, names)``: one column per variable found with more than one level,
        named as in the cohort.

    Examples
    --------
    >>> clinical = pd.DataFrame({"age": [50, 60, 70], "grade": [1.0, 2.0, 3.0],
    ...                          "er": ["positive"] * 3})
    >>> frame, names = clinical_covariates(clinical, excluded={"er"})
    >>> names, frame["grade"].tolist()
    (['age', 'grade'], ['1', '2', '3'])
    """
    skip = set(excluded)
    columns: dict[str, pd.Series] = {}
    for role, candidates in CLINICAL_CANDIDATES:
        if any(c in skip for c in candidates):
            continue
        name = next(
            (c for c in candidates if c in clinical.columns and clinical[c].nunique() > 1), None
        )
        if name is None:
            continue
        values = clinical[name]
        numeric = pd.api.types.is_numeric_dtype(values)
        if role == "grade" or not numeric:
            columns[name] = values.map(_level_text).astype(object)
        else:
            columns[name] = values.astype(float)
    return pd.DataFrame(columns, index=clinical.index), list(columns)


def nested_lrt(base: CoxResult, full: CoxResult) -> dict[str, float]:
    """Likelihood-ratio test of adding the signature to a model (R ``anova``), as a record.

    A JSON-ready view of :func:`sigsurv.survival.nested.cox_lrt`, which checks that the
    two fits are nested and share their patients.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> t, e = rng.exponential(size=60), np.ones(60)
    >>> x = pd.DataFrame({"x": rng.normal(size=60), "z": rng.normal(size=60)})
    >>> lrt = nested_lrt(cox_fit(t, e, x[["x"]]), cox_fit(t, e, x))
    >>> lrt["df"]
    1
    """
    result = cox_lrt(base, full)
    return {"stat": float(result.chisq), "df": int(result.df), "p": float(result.p)}


def adjusted_estimate(
    time: np.ndarray,
    event: np.ndarray,
    score_per_sd: np.ndarray,
    covariates: pd.DataFrame,
    *,
    strata: np.ndarray | None = None,
) -> dict[str, Any]:
    """The score's per-SD HR adjusted for ``covariates``, with the LRT and change in C.

    Parameters
    ----------
    time, event, score_per_sd
        The test's patients, the score already standardised.
    covariates
        Adjustment columns (one row per patient); rows with a missing value are left
        out (complete cases, counted in ``dropped``).
    strata
        Stratum per patient, as in the test.

    Returns
    -------
    dict
        ``hr, lower, upper, p, covariates, n, events, dropped, events_per_parameter,
        warning, lrt {stat, df, p}, c_base, c_full, delta_c``.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> n = 80
    >>> x, age = rng.normal(size=n), rng.normal(60, 10, size=n)
    >>> t = rng.exponential(np.exp(-0.5 * x))
    >>> out = adjusted_estimate(t, np.ones(n), x, pd.DataFrame({"age": age}))
    >>> out["covariates"], out["hr"] > 1, out["lrt"]["df"]
    (['age'], True, 1)
    """
    names = [str(c) for c in covariates.columns]
    complete = covariates.notna().all(axis=1).to_numpy()
    rows = np.flatnonzero(complete)
    t, e = time[rows], event[rows]
    s = None if strata is None else strata[rows]
    cov = covariates.iloc[rows].reset_index(drop=True)
    design = pd.concat([pd.DataFrame({"score_per_sd": score_per_sd[rows]}), cov], axis=1)
    with warnings.catch_warnings():
        # A model that is not well defined is reported in "problems", not as a warning.
        warnings.simplefilter("ignore", SigsurvWarning)
        full = cox_fit(t, e, design, strata=s)
        base = cox_fit(t, e, cov, strata=s) if names else None
    out: dict[str, Any] = {**_hr_row(full, "score_per_sd"), "covariates": names}
    n_parameters = len(full.summary)
    events = int(e.sum())
    out |= {
        "n": int(rows.size),
        "events": events,
        "dropped": int((~complete).sum()),
        "n_parameters": n_parameters,
        "events_per_parameter": events / n_parameters,
        "warning": None,
        "problems": list(full.problems),
    }
    if events / n_parameters < MIN_EVENTS_PER_PARAMETER:
        out["warning"] = (
            f"{events} events for {n_parameters} parameters "
            f"({events / n_parameters:.1f} per parameter, below {MIN_EVENTS_PER_PARAMETER}): "
            "the adjusted estimate is unstable"
        )
    if base is not None:
        c_base = float(base.concordance.concordance)
        lrt = nested_lrt(base, full)
    else:
        c_base = 0.5
        lrt = {"stat": full.lrt["stat"], "df": int(full.lrt["df"]), "p": full.lrt["p"]}
    c_full = float(full.concordance.concordance)
    out |= {"lrt": lrt, "c_base": c_base, "c_full": c_full, "delta_c": c_full - c_base}
    return out


def claim_direction_concordance(
    time: np.ndarray,
    event: np.ndarray,
    score: np.ndarray,
    expected_direction: str,
    *,
    strata: np.ndarray | None = None,
) -> dict[str, Any]:
    """Harrell's C of the score read in the claim's direction (never flipped to the fit).

    A protective claim predicts lower risk for a higher score, so C is that of ``-score``
    as a risk; a harmful (or null) claim reads ``score`` as a risk. C < 0.5 means the
    score ranks patients against the claim.

    Examples
    --------
    >>> t = np.array([1.0, 2.0, 3.0, 4.0]); e = np.ones(4)
    >>> claim_direction_concordance(t, e, np.array([1.0, 2.0, 3.0, 4.0]), "protective")["c"]
    1.0
    >>> claim_direction_concordance(t, e, np.array([1.0, 2.0, 3.0, 4.0]), "harmful")["c"]
    0.0
    """
    sign = -1.0 if expected_direction == "protective" else 1.0
    result = concordance_index(time, event, sign * score, reverse=True, strata=strata)
    read = "higher score = lower risk" if sign < 0 else "higher score = higher risk"
    return {"c": float(result.concordance), "se": float(result.std), "read_as": read}


def _grouped_hr(
    time: np.ndarray, event: np.ndarray, high: np.ndarray, strata: np.ndarray | None
) -> dict[str, Any]:
    fit = cox_fit(time, event, pd.DataFrame({"high": high.astype(float)}), strata=strata)
    return _hr_row(fit, "high")


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
        if row["log_hr"] is not None:
            log_hrs.append(row["log_hr"])
            ses.append(row["se"])
    method = f"{folds}-fold cross-validation repeated {repeats} times (seed {seed})"
    if not log_hrs:
        return {"hr": None, "lower": None, "upper": None, "method": method, "repeats_used": 0}
    mean_log, mean_se = float(np.mean(log_hrs)), float(np.mean(ses))
    return {
        "hr": math.exp(mean_log),
        "lower": math.exp(mean_log - 1.959963984540054 * mean_se),
        "upper": math.exp(mean_log + 1.959963984540054 * mean_se),
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
            estimate = _hr_row(
                *top_vs_bottom_fit(time, event, labels, grouping.levels, strata=strata)
            )
        except SigsurvInputError as error:
            rows.append({"cut": rule, "hr": None, "note": error.message})
            continue
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


def power_record(
    events: int, expected_direction: str, published_hr: float | None
) -> dict[str, Any] | None:
    """Schoenfeld power for the published HR (median split) or a conventional per-SD HR.

    Returns ``{target_hr, power, min_detectable_hr, scale, target_source,
    min_detectable_hr_per_sd}`` (None without events). The minimum detectable HR is at
    80% power, two-sided alpha 0.05, on the target's scale and side of 1.

    Examples
    --------
    >>> out = power_record(13, "protective", 0.41)
    >>> round(out["power"], 3), out["scale"]
    (0.362, 'dichotomised')
    """
    if events <= 0:
        return None
    direction = expected_direction if expected_direction in DEFAULT_TARGET_HR else "protective"
    if published_hr is not None:
        power = cox_power(events, published_hr, proportion=0.5)
        source = "published"
    else:
        power = cox_power(events, DEFAULT_TARGET_HR[direction])
        source = "conventional"
    per_sd = cox_power(events, DEFAULT_TARGET_HR[direction])
    return {
        **power.to_dict(),
        "target_source": source,
        "min_detectable_hr_per_sd": per_sd.min_detectable_hr,
    }
