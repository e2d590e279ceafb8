"""What one distinct test computes once for every claim that runs it.

Two claims testing the same signature on the same patients, endpoint and strata share
one computation (:mod:`sigsurv.claims.run` finds them by digest): the clinically and
proliferation-adjusted per-SD HRs (:func:`~sigsurv.claims.evidence.adjusted_estimate`),
the cut-based rows (:func:`~sigsurv.claims.cuts.cut_rows`) and, per claim direction,
the random-signature null (:func:`random_null`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.analysis.signature import SignatureSurvival, standardise_within
from sigsurv.claims.cuts import cut_rows
from sigsurv.claims.evidence import adjusted_estimate, clinical_covariates, not_estimated
from sigsurv.claims.plan import subgroup_columns
from sigsurv.claims.spec import ReproduceSpec
from sigsurv.claims.verdicts import reason_from_error
from sigsurv.cohorts.model import Cohort
from sigsurv.errors import SigsurvInputError, SigsurvWarning

__all__ = ["PROLIFERATION_SIGNATURE", "SharedTest", "random_null", "shared_test"]

PROLIFERATION_SIGNATURE = "pam50_proliferation"


@dataclass
class SharedTest:
    """One distinct test's shared evidence (filled during the run, then read-only).

    ``nulls`` gains one random-signature null per claim direction that asks for it;
    ``claim_ids`` every claim that ran this test.
    """

    test_id: str
    adjusted: dict[str, Any]
    cut_rows: list[dict[str, Any]]
    proliferation: np.ndarray | None
    warnings: list[str]
    claim_ids: list[str] = field(default_factory=list)
    nulls: dict[str, dict[str, Any]] = field(default_factory=dict)


def shared_test(
    test_id: str,
    cohort: Cohort,
    analysis: SignatureSurvival,
    subgroup: str | None,
    messages: list[str],
    seed: int,
) -> SharedTest:
    """Compute once what every claim sharing this test reads: adjustments and cut rows."""
    adjusted, proliferation = _adjustments(cohort, analysis, subgroup)
    return SharedTest(
        test_id=test_id,
        adjusted=adjusted,
        cut_rows=cut_rows(
            analysis.survival.time,
            analysis.survival.event,
            analysis.scores.to_numpy(float),
            strata=analysis.strata_values,
            seed=seed,
        ),
        proliferation=proliferation,
        warnings=messages
        + [
            f"{model} adjustment: {record['warning']}"
            for model, record in adjusted.items()
            if record.get("warning")
        ],
    )


def _score_in(cohort: Cohort, signature_id: str, samples: pd.Index) -> np.ndarray | None:
    from sigsurv.scoring import score
    from sigsurv.signatures import get_signature

    definition = get_signature(signature_id)
    try:
        scores = score(cohort, definition, method=definition.default_method)
    except SigsurvInputError:
        return None
    return scores[definition.id].reindex(samples).to_numpy(dtype=float)


def _not_adjusted(reason: str, covariates: list[str]) -> dict[str, Any]:
    """An adjusted model that could not be fitted: the same keys, no numbers, the reason."""
    return {**not_estimated(reason).to_dict(), "covariates": covariates, "not_computed": reason}


def _adjustments(
    cohort: Cohort, analysis: SignatureSurvival, subgroup: str | None
) -> tuple[dict[str, Any], np.ndarray | None]:
    """Clinically and proliferation-adjusted per-SD HRs of one test."""
    survival = analysis.survival
    strata = analysis.strata_values
    z = standardise_within(analysis.scores.to_numpy(float), strata)
    clinical = cohort.clinical.loc[survival.samples]
    excluded = subgroup_columns(subgroup) if subgroup else set()
    frame, names = clinical_covariates(clinical, excluded)
    out: dict[str, Any] = {}
    if names:
        try:
            out["clinical"] = adjusted_estimate(
                survival.time, survival.event, z, frame.reset_index(drop=True), strata=strata
            )
        except SigsurvInputError as error:
            out["clinical"] = _not_adjusted(reason_from_error(error), names)
    else:
        out["clinical"] = _not_adjusted("no clinical covariate in this cohort", [])
    proliferation = _score_in(cohort, PROLIFERATION_SIGNATURE, survival.samples)
    if proliferation is None or not np.isfinite(proliferation).all() or np.ptp(proliferation) == 0:
        out["proliferation"] = _not_adjusted(
            f"{PROLIFERATION_SIGNATURE} cannot be scored in this cohort "
            "(too few of its genes measured)",
            [PROLIFERATION_SIGNATURE],
        )
        return out, None
    prolif_z = standardise_within(proliferation, strata)
    try:
        out["proliferation"] = adjusted_estimate(
            survival.time,
            survival.event,
            z,
            pd.DataFrame({PROLIFERATION_SIGNATURE: prolif_z}),
            strata=strata,
        )
    except SigsurvInputError as error:
        out["proliferation"] = _not_adjusted(reason_from_error(error), [PROLIFERATION_SIGNATURE])
    return out, prolif_z


def random_null(
    cohort: Cohort,
    analysis: SignatureSurvival,
    proliferation: np.ndarray | None,
    direction: str,
    spec: ReproduceSpec,
) -> dict[str, Any]:
    """Random-signature null of one test in one claim direction (unadjusted + proliferation)."""
    from sigsurv.analysis.null import random_signature_null

    survival = analysis.survival
    if analysis.signature is None:
        return {"not_computed": "no signature definition"}
    data = cohort.expression.loc[:, survival.samples]
    strata = analysis.strata_values
    common: dict[str, Any] = {
        "method": analysis.method,
        "seed": spec.seed,
        "expected_direction": direction,
        "strata": strata,
        "standardise_within_strata": strata is not None,
    }
    # A stratified model needs one Cox fit per set (cox_scan has no strata): fewer sets.
    n_unadjusted = spec.null_random if strata is None else spec.null_random_adjusted
    args = (data, survival.time, survival.event, analysis.signature)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            record = dict(random_signature_null(*args, n_random=n_unadjusted, **common).to_dict())
    except SigsurvInputError as error:
        return {"not_computed": reason_from_error(error)}
    if proliferation is None or spec.null_random_adjusted <= 0:
        record["proliferation_adjusted"] = {
            "not_computed": "no proliferation score in this cohort"
            if proliferation is None
            else "switched off"
        }
        return record
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            adjusted = random_signature_null(
                *args,
                n_random=spec.null_random_adjusted,
                covariates=pd.DataFrame({PROLIFERATION_SIGNATURE: proliferation}),
                **common,
            )
        record["proliferation_adjusted"] = dict(adjusted.to_dict())
    except SigsurvInputError as error:
        record["proliferation_adjusted"] = {"not_computed": reason_from_error(error)}
    return record
