"""Stratified analyses: the score is z-scored and cut within each stratum (issue 11)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sigsurv import load_example
from sigsurv.analysis.signature import analyse_scores, group_within_strata, standardise_within
from sigsurv.errors import AnalysisError
from sigsurv.survival.cox import cox_fit


def test_per_sd_hr_is_standardised_within_strata():
    cohort = load_example("gse1992")
    strata = np.where(np.arange(cohort.clinical.shape[0]) % 2 == 0, "A", "B")
    cohort = dataclasses.replace(cohort, clinical=cohort.clinical.assign(batch=strata))
    esr1 = cohort.expression.loc["ESR1"].copy()
    esr1[strata == "B"] += 5.0  # a batch shift must not change the within-stratum model
    result = analyse_scores(cohort, esr1, strata="batch", subgroup=None)
    time, event = result.survival.time, result.survival.event
    within = standardise_within(result.scores.to_numpy(float), result.strata_values)
    direct = cox_fit(time, event, pd.DataFrame({"score_per_sd": within}), strata=strata)
    assert result.hazard_ratio_per_sd["hr"] == pytest.approx(
        float(direct.summary.loc["score_per_sd", "hr"]), rel=1e-12
    )
    unshifted = analyse_scores(cohort, cohort.expression.loc["ESR1"], strata="batch")
    assert result.hazard_ratio_per_sd["hr"] == pytest.approx(
        unshifted.hazard_ratio_per_sd["hr"], rel=1e-9
    )
    assert set(result.cuts_by_stratum) == {"A", "B"}
    assert result.to_dict()["cut"]["values_by_stratum"] == result.cuts_by_stratum


def test_fixed_and_optimal_cuts_stay_global_with_a_note():
    values = np.arange(12, dtype=float)
    strata = np.array(list("AAAAAABBBBBB"))
    grouping, cuts, note = group_within_strata(
        values, 5.5, time=np.arange(1, 13.0), event=np.ones(12), strata_values=strata
    )
    assert cuts == {} and note == "5.5 cut taken over all strata together"
    assert grouping.labels.astype(str).tolist() == ["low"] * 6 + ["high"] * 6


def test_standardising_refuses_a_stratum_of_one():
    with pytest.raises(AnalysisError, match="within a stratum"):
        standardise_within(np.array([1.0, 2.0, 3.0]), np.array(["a", "a", "b"]))
