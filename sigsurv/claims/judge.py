"""Judging one test: the verdict from a per-SD HR, confounding, and the random-signature null.

:func:`judge` applies the verdict rules of :mod:`sigsurv.claims.verdicts` to a
:class:`~sigsurv._results.HazardRatio` in the direction the plan's
:class:`~sigsurv.claims.plan.Orientation` predicts; :func:`judge_confounded` re-judges a
signature that names confounders on the adjusted HR (or marks it ``confounded, not
adjusted``); :func:`qualify_by_null` qualifies a consistent score that does not beat
matched random signatures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._results import HAZARD_RATIO_FIELDS, HazardRatio
from sigsurv.analysis.signature import SignatureSurvival, standardise_within
from sigsurv.claims.confounding import adjusted_for_confounders, confounder_design
from sigsurv.claims.equivalence import equivalence_verdict
from sigsurv.claims.plan import Orientation, subgroup_columns
from sigsurv.claims.verdicts import (
    CONFOUNDED,
    CONSISTENT,
    CONSISTENT_NOT_BEYOND_NULL,
    NOT_INFORMATIVE,
    NOT_TESTABLE,
    Verdict,
    hr_verdict,
)
from sigsurv.cohorts.model import Cohort

__all__ = [
    "NULL_P_MAX",
    "UNADJUSTED",
    "Confounding",
    "hazard_ratio_of",
    "judge",
    "judge_confounded",
    "qualify_by_null",
]

UNADJUSTED = "unadjusted per-SD HR"
#: Empirical p of the random-signature null above which "consistent" is qualified.
NULL_P_MAX = 0.05


def hazard_ratio_of(record: Mapping[str, Any]) -> HazardRatio:
    """A :class:`~sigsurv._results.HazardRatio` from its ``to_dict()`` record.

    Examples
    --------
    >>> hr = HazardRatio("x", 2.0, 1.1, 3.6, 0.69, 0.3, 2.3, 0.02)
    >>> hazard_ratio_of(hr.to_dict()) == hr
    True
    """
    return HazardRatio(
        term=str(record["term"]),
        **{key: record.get(key) for key in HAZARD_RATIO_FIELDS},
        conf_level=float(record.get("conf_level", 0.95)),
        kind=str(record.get("kind", "hazard")),
        estimable=bool(record.get("estimable", True)),
        reason=record.get("reason"),
        problems=tuple(record.get("problems") or ()),
    )


def judge(
    estimate: HazardRatio, events: int, orientation: Orientation, margins: tuple[float, float]
) -> Verdict:
    """The verdict of one per-SD HR: directional, or TOST for a claim of no association.

    Examples
    --------
    >>> from sigsurv.claims.plan import Orientation, subgroup_columns
    >>> way = Orientation("protective", "same", "protective", None, 0.5, "")
    >>> hr = HazardRatio("score_per_sd", 0.6, 0.45, 0.8, -0.51, 0.15, -3.4, 0.0007)
    >>> judge(hr, 80, way, (0.8, 1.25)).verdict
    'consistent'
    """
    if orientation.expected_direction == "none":
        return equivalence_verdict(estimate.coef, estimate.se, events=events, margins=margins)
    return hr_verdict(
        estimate.hr,
        estimate.ci_lower,
        estimate.ci_upper,
        events=events,
        expected_direction=orientation.expected_direction,
        published_hr=orientation.published_hr,
        published_proportion=orientation.published_proportion,
    )


@dataclass(frozen=True)
class Confounding:
    """What adjusting for a signature's named confounders gave.

    ``record`` is the row's ``confounding`` (None: no confounder named), ``verdict`` the
    verdict after it, ``basis`` which per-SD HR decided and ``estimate`` that HR (None
    when the row is ``confounded, not adjusted``).
    """

    record: dict[str, Any] | None
    verdict: Verdict
    basis: str
    estimate: HazardRatio | None


def judge_confounded(
    detail: Verdict,
    per_sd: HazardRatio,
    confounders: tuple[str, ...],
    analysis: SignatureSurvival,
    cohort: Cohort,
    subgroup: str | None,
    proliferation: np.ndarray | None,
    orientation: Orientation,
    margins: tuple[float, float],
) -> Confounding:
    """Judge on the HR adjusted for the signature's confounders, or mark it confounded."""
    if not confounders or detail.verdict == NOT_TESTABLE:
        return Confounding(None, detail, UNADJUSTED, per_sd)
    survival, strata = analysis.survival, analysis.strata_values
    frame, measures = confounder_design(
        cohort,
        pd.Index(survival.samples),
        confounders,
        restricted=subgroup_columns(subgroup) if subgroup else set(),
        proliferation=proliferation,
        strata=strata,
    )
    names = ", ".join(confounders)
    record: dict[str, Any] = {"confounders": list(confounders), "measures": measures}
    if all(m["status"] == "restricted" for m in measures):
        record |= {"status": "controlled by restriction", "adjusted": None}
        return Confounding(record, detail, UNADJUSTED, per_sd)
    reading = detail.ci_reading or detail.verdict
    if frame is None:
        missing = "; ".join(m["how"] for m in measures if m["status"] == "none")
        record |= {"status": "not measured", "adjusted": None}
        why = f"{names} not measured ({missing})"
        return _confounded(record, detail, reading, why, per_sd)
    z = standardise_within(analysis.scores.to_numpy(float), strata)
    adjusted = adjusted_for_confounders(survival.time, survival.event, z, frame, strata)
    record |= {"status": "adjusted", "adjusted": adjusted}
    if adjusted["hr"] is None:
        why = adjusted.get("not_computed") or "no estimate"
        return _confounded(record, detail, reading, f"the {names}-adjusted model: {why}", per_sd)
    covariates = ", ".join(frame.columns)
    estimate = hazard_ratio_of(adjusted)
    new = judge(estimate, int(adjusted["events"]), orientation, margins)
    unadjusted = (
        f"unadjusted per-SD HR {per_sd.hr:.2f} ({per_sd.ci_lower:.2f}–{per_sd.ci_upper:.2f})"
    )
    how = "; ".join(m["how"] for m in measures)
    verdict = Verdict(
        new.verdict,
        f"adjusted for {covariates} ({how}): {new.reason}; {unadjusted}",
        new.ci_reading,
        new.power,
        new.target_hr,
        new.target_source,
    )
    return Confounding(record, verdict, f"per-SD HR adjusted for {covariates}", estimate)


def _confounded(
    record: dict[str, Any], detail: Verdict, reading: str, why: str, per_sd: HazardRatio
) -> Confounding:
    """``confounded, not adjusted`` keeping the unadjusted reading (design verdicts stay)."""
    if detail.verdict in (NOT_INFORMATIVE, NOT_TESTABLE):
        verdict = Verdict(
            detail.verdict,
            f"{detail.reason}; confounded, not adjusted: {why}",
            detail.ci_reading,
            detail.power,
            detail.target_hr,
            detail.target_source,
        )
        return Confounding(record, verdict, UNADJUSTED, per_sd)
    verdict = Verdict(
        CONFOUNDED,
        f"confounded, not adjusted: {why}; unadjusted {detail.reason}",
        reading,
        detail.power,
        detail.target_hr,
        detail.target_source,
    )
    return Confounding(record, verdict, UNADJUSTED, None)


def qualify_by_null(detail: Verdict, null: Mapping[str, Any] | None) -> Verdict:
    """A consistent score that does not beat matched random signatures says so.

    Examples
    --------
    >>> v = qualify_by_null(Verdict(CONSISTENT, "CI below 1"),
    ...                     {"p_empirical": 0.3, "percentile": 70.0, "n_sets": 100})
    >>> v.verdict
    'consistent, not better than random signatures'
    """
    if detail.verdict != CONSISTENT:
        return detail
    p = (null or {}).get("p_empirical")
    if p is None or p <= NULL_P_MAX:
        return detail
    assert null is not None
    words = (
        f"not better than random signatures: empirical p {p:.3f} (percentile "
        f"{null.get('percentile', float('nan')):.0f} of {null.get('n_sets')} matched random "
        f"sets, signed in the claim's direction)"
    )
    return Verdict(
        CONSISTENT_NOT_BEYOND_NULL,
        f"{detail.reason}; {words}",
        CONSISTENT,
        detail.power,
        detail.target_hr,
        detail.target_source,
    )
