"""The copy-number comparison of a claim about a genetic alteration (loss of miR-424/503).

On a cohort with copy-number calls, the test's patients with the claim's alteration are
compared with those without it (a Cox HR, on the same strata), with or without a
scorable signature. The record is oriented to the claim: a loss of a protective locus
is expected to be harmful.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.claims.plan import NotTestable, stratifying_column
from sigsurv.claims.populations import copy_number_column, copy_number_groups
from sigsurv.claims.verdicts import hr_verdict, orient_hr, reason_from_error
from sigsurv.cohorts.model import Cohort
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.seeds.schema import Claim
from sigsurv.survival.endpoints import SurvivalData

__all__ = ["copy_number_test", "copy_number_without_scores", "copy_number_words", "has_copy_number"]


def has_copy_number(claim: Claim, cohort: Cohort) -> bool:
    """The claim is about an alteration and the cohort has its calls."""
    return claim.copy_number is not None and bool(copy_number_column(claim, cohort))


def copy_number_test(
    claim: Claim, cohort: Cohort, survival: SurvivalData, strata_values: np.ndarray | None
) -> dict[str, Any]:
    """Cox HR of the claim's copy-number alteration vs none, on the test's patients.

    The claim's direction is about expression; a loss lowers expression, so a claim that
    a higher score is protective expects a loss to be harmful (a gain keeps the direction).
    The HR is a :class:`~sigsurv._results.HazardRatio` record (``hr``, ``ci_lower``,
    ``ci_upper``, ``p_wald``...) beside the counts, the oriented HR and the verdict.
    """
    from sigsurv.survival.cox import cox_fit

    group = claim.copy_number
    assert group is not None
    labels = copy_number_groups(claim, cohort).reindex(survival.samples)
    known = labels.notna().to_numpy()
    altered = (labels[known] == group.alteration).to_numpy(dtype=float)
    record: dict[str, Any] = {
        "column": copy_number_column(claim, cohort),
        "alteration": group.alteration,
        "calls": list(group.calls),
        "n": int(known.sum()),
        "altered": int(altered.sum()),
        "comparison": f"{group.alteration} vs no {group.alteration}",
    }
    expected = claim.expected_direction
    if group.alteration == "loss" and expected in ("protective", "harmful"):
        expected = "harmful" if expected == "protective" else "protective"
    record["expected_direction"] = expected
    time = np.asarray(survival.time, dtype=float)[known]
    event = np.asarray(survival.event, dtype=float)[known]
    strata = None if strata_values is None else strata_values[known]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            fit = cox_fit(time, event, pd.DataFrame({group.alteration: altered}), strata=strata)
    except SigsurvInputError as error:
        return record | {"not_computed": reason_from_error(error)}
    hr = fit.hazard_ratio(group.alteration)
    verdict = hr_verdict(
        hr.hr if fit.well_defined else None,
        hr.ci_lower,
        hr.ci_upper,
        events=int(event.sum()),
        expected_direction=expected,
        published_proportion=None,
    )
    oriented = (
        None
        if hr.hr is None or hr.ci_lower is None or hr.ci_upper is None
        else dict(
            zip(
                ("hr", "ci_lower", "ci_upper"),
                orient_hr(hr.hr, hr.ci_lower, hr.ci_upper, expected),
                strict=True,
            )
        )
    )
    return record | {
        "events": int(event.sum()),
        **hr.to_dict(),
        "hr_oriented": oriented,
        "verdict": verdict.verdict,
        "reason": verdict.reason,
    }


def copy_number_words(record: dict[str, Any]) -> str:
    """The copy-number comparison in one phrase for the test's reason."""
    head = f"copy number ({record['column']}): {record['comparison']}"
    if "not_computed" in record:
        return f"{head} not computed: {record['not_computed']}"
    if record.get("hr") is None:
        return f"{head} HR not estimable, {record['altered']} of {record['n']}: {record['verdict']}"
    return (
        f"{head} HR {record['hr']:.2f} ({record['ci_lower']:.2f}-{record['ci_upper']:.2f}), "
        f"{record['altered']} of {record['n']} with a {record['alteration']}: {record['verdict']}"
    )


def copy_number_without_scores(
    failed: NotTestable, cohort: Cohort, strata_columns: Sequence[str]
) -> dict[str, Any] | None:
    """The copy-number comparison of a test whose signature cannot be scored (None: none)."""
    from sigsurv.analysis.data import prepare_survival

    claim = failed.claim
    if not has_copy_number(claim, cohort):
        return None
    horizon = claim.horizon
    subgroup = None if failed.population is None else failed.population.expression
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            data, survival = prepare_survival(
                cohort,
                failed.endpoint,
                horizon=None if horizon is None else float(horizon.value),
                horizon_unit=None if horizon is None else horizon.unit,
                subgroup=subgroup,
            )
    except SigsurvInputError as error:
        return {"not_computed": reason_from_error(error)}
    column = stratifying_column(data, strata_columns)
    strata = None if column is None else data.clinical[column].astype(str).to_numpy()
    return copy_number_test(claim, cohort, survival, strata)
