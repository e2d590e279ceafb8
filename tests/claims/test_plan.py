"""Planning a claim x cohort test (issue 23): pure, pinned without fitting anything.

Every test here forbids the model fits (Cox, scoring, the analysis): a plan reads the
claim record and the cohort's fields only.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sigsurv.analysis.signature import AnalysisSpec
from sigsurv.claims.plan import NotTestable, TestPlan, plan_test, subgroup_columns
from sigsurv.claims.spec import ReproduceSpec, parse_margins
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import OptionError
from sigsurv.seeds import get_claim
from sigsurv.signatures import get_signature

MSK1_ER_POS = "gawrzak2018_msk1_mfs_er_pos"
BONE = "gawrzak2018_msk1_bone_relapse_5y_er_pos"


@pytest.fixture(autouse=True)
def _no_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning must not fit or score: any such call fails the test."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a plan fitted or scored something")

    import sigsurv.analysis.signature as signature_module
    import sigsurv.scoring as scoring
    import sigsurv.survival.cox as cox

    monkeypatch.setattr(cox, "cox_fit", forbidden)
    monkeypatch.setattr(scoring, "score", forbidden)
    monkeypatch.setattr(signature_module, "analyse_signature", forbidden)


def _cohort(endpoints: dict[str, Endpoint], clinical: dict[str, object], n: int = 40) -> Cohort:
    rng = np.random.default_rng(1)
    samples = [f"s{i:02d}" for i in range(n)]
    expression = pd.DataFrame(rng.normal(size=(2, n)), index=["RPS6KA5", "GATA3"], columns=samples)
    table = pd.DataFrame(
        {"t": rng.exponential(30, n), "e": rng.integers(0, 2, n), **clinical}, index=samples
    )
    return Cohort("planned", expression, table, endpoints)


def test_exact_endpoint_and_population_give_a_plan_with_the_claims_horizon() -> None:
    claim = get_claim(MSK1_ER_POS)
    exact = claim.endpoint_match.exact[0]
    cohort = _cohort({exact: Endpoint(exact, "t", "e")}, {"er": ["positive", "negative"] * 20})
    plan = plan_test(claim, cohort, get_signature("msk1_rps6ka5"), "primary", [])
    assert isinstance(plan, TestPlan)
    assert (plan.endpoint, plan.endpoint_match) == (exact, "exact")
    assert plan.population.exactness == "exact"
    assert plan.population.expression == "er == 'positive'"
    assert plan.design is not None and isinstance(plan.design.spec, AnalysisSpec)
    spec = plan.design.spec
    assert spec.subgroup == plan.population.expression and spec.population is False
    horizon = claim.horizon
    assert spec.horizon == (None if horizon is None else float(horizon.value))
    assert plan.signature.id == "msk1_rps6ka5" and plan.claim is claim
    assert plan.site is None and plan.fallback is None


def test_analogue_endpoint_is_labelled_and_no_endpoint_is_not_testable_with_the_reason() -> None:
    claim = get_claim(MSK1_ER_POS)
    analogue = claim.endpoint_match.analogue[0]
    er = {"er": ["positive"] * 40}
    plan = plan_test(
        claim,
        _cohort({analogue: Endpoint(analogue, "t", "e")}, er),
        get_signature("msk1_rps6ka5"),
        "primary",
        [],
    )
    assert isinstance(plan, TestPlan) and plan.endpoint_match == "analogue"
    none = plan_test(
        claim,
        _cohort({"xyz": Endpoint("xyz", "t", "e")}, er),
        get_signature("msk1_rps6ka5"),
        "primary",
        [],
    )
    assert isinstance(none, NotTestable)
    assert none.reason.startswith("no matching endpoint") and "xyz" in none.reason
    assert none.endpoint is None and none.population is not None


def test_missing_population_field_is_not_testable_and_says_why() -> None:
    claim = get_claim(MSK1_ER_POS)
    exact = claim.endpoint_match.exact[0]
    plan = plan_test(
        claim,
        _cohort({exact: Endpoint(exact, "t", "e")}, {}),
        get_signature("msk1_rps6ka5"),
        "primary",
        [],
    )
    assert isinstance(plan, NotTestable)
    assert plan.population is not None and plan.population.exactness is None
    assert plan.reason == plan.population.reason and "er" in plan.reason


def test_an_inverse_score_flips_the_direction_and_the_published_hr() -> None:
    claim = dataclasses.replace(get_claim(MSK1_ER_POS), value=0.5, statistic="hazard_ratio")
    signature = dataclasses.replace(get_signature("msk1_rps6ka5"), score_relation="inverse")
    exact = claim.endpoint_match.exact[0]
    cohort = _cohort({exact: Endpoint(exact, "t", "e")}, {"er": ["positive"] * 40})
    plan = plan_test(claim, cohort, signature, "proxy", [])
    way = plan.orientation
    assert way.claim_direction == "protective" and way.expected_direction == "harmful"
    assert way.published_hr == pytest.approx(2.0)
    assert "predicts higher risk with a higher score" in way.words


def test_strata_column_needs_two_levels_and_the_key_leaves_the_horizon_out() -> None:
    claim = get_claim(MSK1_ER_POS)
    exact = claim.endpoint_match.exact[0]
    clinical = {"er": ["positive"] * 40, "batch": ["a", "b"] * 20, "site": ["x"] * 40}
    cohort = _cohort({exact: Endpoint(exact, "t", "e")}, clinical)
    signature = get_signature("msk1_rps6ka5")
    plan = plan_test(claim, cohort, signature, "primary", ["site", "batch"])
    assert isinstance(plan, TestPlan) and plan.design is not None
    assert plan.design.strata_column == "batch"  # "site" has one level
    later = plan_test(dataclasses.replace(claim, horizon=None), cohort, signature, "primary", [])
    assert isinstance(later, TestPlan)
    assert plan.key("batch") == later.key("batch")  # the data digest decides the rest


def test_a_site_claim_plans_the_competing_risk_endpoint_with_a_fallback() -> None:
    claim = get_claim(BONE)
    cr = Endpoint("bone_relapse_cr", "t", "c", causes=("bone relapse", "other", "death"))
    rng = np.random.default_rng(2)
    cohort = _cohort({}, {"er": ["positive"] * 40, "c": rng.integers(0, 4, 40)})
    cohort = dataclasses.replace(cohort, competing_endpoints={"bone_relapse_cr": cr})
    plan = plan_test(claim, cohort, get_signature("msk1_rps6ka5"), "primary", [])
    assert isinstance(plan, TestPlan) and plan.site is not None
    assert (plan.site.endpoint, plan.site.cause) == ("bone_relapse_cr", 1)
    assert plan.design is None and isinstance(plan.fallback, NotTestable)


def test_subgroup_columns_reads_every_comparison() -> None:
    assert subgroup_columns("not (er == 'positive') or grade >= 2") == {"er", "grade"}


def test_reproduce_spec_checks_once_and_is_the_manifest() -> None:
    spec = ReproduceSpec(null_random=0, equivalence_margins=parse_margins("0.8,1.25"))
    assert spec.to_dict()["equivalence_margins"] == "0.8,1.25"
    assert spec.to_dict()["null_random"] == 0 and spec.to_dict()["proxies"] is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.seed = 1  # type: ignore[misc]
    with pytest.raises(OptionError, match="0 < low < 1 < high"):
        ReproduceSpec(equivalence_margins=(1.2, 0.9))
    with pytest.raises(OptionError, match="two numbers"):
        parse_margins("0.8")
    with pytest.raises(OptionError):
        ReproduceSpec(null_random=-1)
