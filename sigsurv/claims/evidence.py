"""The evidence around one test's per-SD hazard ratio: power, adjustment, cuts, C, null.

Each function takes one test's patients (time, event, score, strata, clinical table) and
returns a JSON-ready record. They compose the survival layer's single implementations
(:func:`~sigsurv.survival.cox.cox_fit`, :func:`~sigsurv.survival.power.cox_power`,
:func:`~sigsurv.analysis.null.random_signature_null`...):

* **adjustment**: the score per SD beside the clinical covariates the cohort has (age,
  grade as a factor, size, node, ER unless ER defines the subgroup), or beside the
  ``pam50_proliferation`` score; complete cases; a warning below 10 events per
  parameter. Where a term separates the events (monotone likelihood) the score's HR is
  the Firth-penalised one (:func:`~sigsurv.survival.firth.cox_firth`); otherwise below
  5 events per parameter no adjusted HR is reported ("too few events"). The
  likelihood-ratio test of adding the signature to the clinical model is
  :func:`~sigsurv.survival.nested.cox_lrt` (R ``anova``), with the change in Harrell's C;
* **cut rows** (:mod:`sigsurv.claims.cuts`, re-exported here): median, tertiles and
  the optimal cut with its cross-validated HR;
* **power** by Schoenfeld's formula for the published HR (dichotomised at the median)
  or a conventional per-SD HR, and the minimum detectable HR at 80% power.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._results import HazardRatio
from sigsurv.claims.cuts import cut_rows
from sigsurv.claims.verdicts import DEFAULT_TARGET_HR, power_target
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.survival.concordance import concordance_index
from sigsurv.survival.cox import CoxResult, cox_fit
from sigsurv.survival.firth import cox_firth
from sigsurv.survival.nested import cox_lrt
from sigsurv.survival.power import cox_power, split_mean_difference, tost_power

__all__ = [
    "CLINICAL_CANDIDATES",
    "MIN_EVENTS_PER_PARAMETER",
    "MIN_EVENTS_PER_PARAMETER_REPORTED",
    "adjusted_estimate",
    "claim_direction_concordance",
    "clinical_covariates",
    "cut_rows",
    "nested_lrt",
    "not_estimated",
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
#: Below this many events per parameter an adjusted HR is not reported (unless Firth).
MIN_EVENTS_PER_PARAMETER_REPORTED = 5


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
        The reported estimate as :meth:`HazardRatio.to_dict` (``hr, ci_lower, ci_upper,
        coef, se, z, p_wald, ..., problems``), then ``covariates, n, events, dropped,
        n_parameters, events_per_parameter, warning, estimate_method`` (Cox partial
        likelihood, Firth-penalised under separation, or None with ``not_computed`` below
        5 events per parameter), ``ml`` (the maximum-likelihood HR when another estimate,
        or none, is reported; else None: one HR is never carried twice), ``lrt {stat, df,
        p}``, ``c_base``, ``c_full`` and ``delta_c``.

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
    ml = full.hazard_ratio("score_per_sd")
    n_parameters = len(full.summary)
    events = int(e.sum())
    out: dict[str, Any] = {
        "covariates": names,
        "n": int(rows.size),
        "events": events,
        "dropped": int((~complete).sum()),
        "n_parameters": n_parameters,
        "events_per_parameter": events / n_parameters,
        "warning": None,
    }
    if events / n_parameters < MIN_EVENTS_PER_PARAMETER:
        out["warning"] = (
            f"{events} events for {n_parameters} parameters "
            f"({events / n_parameters:.1f} per parameter, below {MIN_EVENTS_PER_PARAMETER}): "
            "the adjusted estimate is unstable"
        )
    reported, rule = _estimate_rule(full, ml, t, e, design, s, events, n_parameters)
    # The maximum-likelihood estimate is kept beside another reported estimate (once).
    out = {**reported.to_dict(), **out, **rule, "ml": None if reported is ml else ml.to_dict()}
    if base is not None:
        c_base = float(base.concordance.concordance)
        lrt = nested_lrt(base, full)
    else:
        c_base = 0.5
        lrt = {"stat": full.lrt["stat"], "df": int(full.lrt["df"]), "p": full.lrt["p"]}
    c_full = float(full.concordance.concordance)
    out |= {"lrt": lrt, "c_base": c_base, "c_full": c_full, "delta_c": c_full - c_base}
    return out


def _estimate_rule(
    full: CoxResult,
    ml: HazardRatio,
    time: np.ndarray,
    event: np.ndarray,
    design: pd.DataFrame,
    strata: np.ndarray | None,
    events: int,
    n_parameters: int,
) -> tuple[HazardRatio, dict[str, Any]]:
    """Which adjusted estimate is reported: ML, Firth (separation) or none (too few events)."""
    if bool(full.summary["may_be_infinite"].any()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SigsurvWarning)
                firth = cox_firth(time, event, design, strata=strata, profile=False)
        except SigsurvInputError as error:
            return not_estimated(error.message), {
                "estimate_method": None,
                "not_computed": error.message,
            }
        row = firth.summary.loc["score_per_sd"].to_dict()
        estimate = HazardRatio.from_row(
            "score_per_sd", row, converged=bool(firth.converged), problems=full.problems
        )
        return estimate, {
            "estimate_method": "Firth-penalised Cox (monotone likelihood in the ML fit)"
        }
    if events / n_parameters < MIN_EVENTS_PER_PARAMETER_REPORTED:
        reason = (
            f"too few events: {events} for {n_parameters} parameters "
            f"({events / n_parameters:.1f} per parameter, below "
            f"{MIN_EVENTS_PER_PARAMETER_REPORTED}); no adjusted estimate reported"
        )
        return not_estimated(reason), {"estimate_method": None, "not_computed": reason}
    return ml, {"estimate_method": "Cox partial likelihood"}


def not_estimated(reason: str, term: str = "score_per_sd") -> HazardRatio:
    """A :class:`~sigsurv._results.HazardRatio` without numbers, saying why.

    Examples
    --------
    >>> hr = not_estimated("no clinical covariate in this cohort")
    >>> hr.estimable, hr.to_dict()["hr"], hr.reason
    (False, None, 'no clinical covariate in this cohort')
    """
    return HazardRatio(
        term, None, None, None, None, None, None, None, estimable=False, reason=reason
    )


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


def power_record(
    events: int,
    expected_direction: str,
    published_hr: float | None,
    *,
    published_proportion: float | None = 0.5,
    endpoint_match: str | None = None,
    margins: tuple[float, float] = (0.8, 1.25),
) -> dict[str, Any] | None:
    """Schoenfeld power on the per-SD scale of the deciding test, for the claim's target.

    For a claim of no association (``expected_direction="none"``) the deciding test is
    TOST: the record gives its power at a true HR of 1 with these events
    (:func:`~sigsurv.survival.power.tost_power`, ``test="TOST"``).

    A published HR between groups (``published_proportion`` in one group; a median
    split, 0.5, also when the record's scale is unknown) is converted to per SD
    (``log HR / 1.596`` for a median split: normal score, log-linear hazard); a published
    HR per unit (``published_proportion=None``) is used as it is; without one the conventional
    per-SD HR 0.67 / 1.5 is the target. Returns ``{target_hr, power, min_detectable_hr,
    scale, target_source, published_hr, conversion, min_detectable_hr_per_sd,
    endpoint_note}`` (None without events). The minimum detectable HR is at 80% power,
    two-sided alpha 0.05, per SD, on the target's side of 1.

    Examples
    --------
    >>> out = power_record(13, "protective", 0.41)
    >>> round(out["power"], 2), out["scale"], round(out["target_hr"], 3)
    (0.52, 'per SD', 0.572)
    >>> power_record(22, "none", None)["power"], power_record(22, "none", None)["test"]
    (0.0, 'TOST')
    """
    if events <= 0:
        return None
    if expected_direction == "none":
        return {
            "test": "TOST",
            "target_hr": 1.0,
            "power": tost_power(events, margins=margins),
            "margins": list(margins),
            "events": events,
            "scale": "per SD",
            "alpha": 0.05,
            "target_source": "equivalence at HR 1",
            "endpoint_note": None,
            # The directional record's keys, empty: one schema for every row.
            "min_detectable_hr": None,
            "min_detectable_hr_per_sd": None,
            "proportion": None,
            "target_power": None,
        }
    direction = expected_direction if expected_direction in DEFAULT_TARGET_HR else "protective"
    target, source, words = power_target(direction, published_hr, published_proportion)
    power = cox_power(events, target)
    per_sd = cox_power(events, DEFAULT_TARGET_HR[direction])
    conversion = None
    if published_hr is not None and published_proportion is not None:
        conversion = (
            f"published HR {published_hr:g} taken as between groups of "
            f"{100 * published_proportion:.0f}/{100 * (1 - published_proportion):.0f}; per-SD "
            f"log HR = log HR / {split_mean_difference(published_proportion):.3f} (normal "
            "score, log-linear hazard)"
        )
    note = None
    if endpoint_match == "analogue":
        note = (
            "target effect is the claim's own endpoint's; on an analogue endpoint the "
            "effect is expected to be diluted, so this power is an upper bound"
        )
    return {
        **power.to_dict(),
        "test": "Cox Wald, per SD",
        "target_source": source,
        "target_words": words,
        "published_hr": published_hr,
        "conversion": conversion,
        "min_detectable_hr_per_sd": per_sd.min_detectable_hr,
        "endpoint_note": note,
    }
