"""One cut-rule registry; one estimand for the grouped HR of survival and reproduce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigsurv import load_example
from sigsurv.analysis import analyse_signature
from sigsurv.analysis.spec import CUT_RULES as SPEC_RULES
from sigsurv.analysis.spec import AnalysisSpec, parse_cut
from sigsurv.claims.evidence import cut_rows
from sigsurv.survival import cox_fit, group_by_cut
from sigsurv.survival.cut_rules import (
    CUT_RULES,
    QUANTILE_RULES,
    RULE_NAMES,
    SECONDARY_CUTS,
    top_vs_bottom_fit,
)
from sigsurv.survival.cutpoints import RULES


def test_every_layer_reads_the_one_registry():
    assert RULES is RULE_NAMES and SPEC_RULES is RULE_NAMES
    assert set(SECONDARY_CUTS) <= set(RULE_NAMES)
    assert QUANTILE_RULES == tuple(r for r in RULE_NAMES if r != "optimal")
    for alias in ("tertiles", "quartiles", "maxstat"):
        assert parse_cut(alias) in RULE_NAMES


@pytest.mark.parametrize("name", [r for r in RULE_NAMES if r != "optimal"])
def test_registry_groups_are_the_engine_groups(name):
    x = np.linspace(0.0, 1.0, 24)
    assert tuple(group_by_cut(x, name).levels) == CUT_RULES[name].groups


def test_optimal_groups_are_the_engine_groups():
    rng = np.random.default_rng(2)
    x = rng.normal(size=80)
    t, e = rng.exponential(np.exp(-x)), np.ones(80)
    assert tuple(group_by_cut(x, "optimal", time=t, event=e).levels) == CUT_RULES["optimal"].groups


def test_tertile_hr_is_t3_in_the_three_group_model_on_all_patients():
    rng = np.random.default_rng(11)
    x = rng.normal(size=150)
    t, e = rng.exponential(np.exp(-0.5 * x)), (rng.random(150) < 0.8).astype(float)
    labels = np.asarray(group_by_cut(x, "tertile").labels.astype(str))
    fit, term = top_vs_bottom_fit(t, e, labels, ("T1", "T2", "T3"))
    assert fit.n == 150 and term == "groupT3"
    refit_without_t2 = cox_fit(
        t[labels != "T2"],
        e[labels != "T2"],
        pd.DataFrame({"high": (labels[labels != "T2"] == "T3") * 1.0}),
    )
    # a different estimand: the numbers differ (this is what the registry settles)
    assert fit.summary.loc[term, "hr"] != pytest.approx(refit_without_t2.summary["hr"].iloc[0])
    row = next(r for r in cut_rows(t, e, x, seed=1) if r["cut"] == "tertile")
    assert row["hr"] == fit.summary.loc[term, "hr"] and row["comparison"] == "T3 vs T1"


@pytest.mark.parametrize("subgroup", [None, "er == 'positive'"])
def test_survival_and_reproduce_tertile_rows_agree(subgroup):
    """`survival --cut tertile` and reproduce's tertile row: same patients, same HR."""
    cohort = load_example("gse1992")
    spec = AnalysisSpec(cut="tertile", subgroup=subgroup, population=False)
    result = analyse_signature(cohort, "msk1_rps6ka5", spec)
    row = next(
        r
        for r in cut_rows(result.survival.time, result.survival.event, result.scores.to_numpy())
        if r["cut"] == "tertile"
    )
    expected = result.cox_grouped.summary.loc["groupT3"]
    assert (row["hr"], row["ci_lower"], row["ci_upper"]) == (
        expected["hr"],
        expected["ci_lower"],
        expected["ci_upper"],
    )
