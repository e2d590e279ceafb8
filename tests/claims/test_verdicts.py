"""Each verdict rule pinned on constructed data."""

from __future__ import annotations

import math

import pytest

from sigsurv.claims.equivalence import equivalence_verdict
from sigsurv.claims.summary import claim_summary, published_table_verdict
from sigsurv.claims.verdicts import (
    CONSISTENT,
    CONTRADICTED,
    DEFINITIONS,
    DIFFERENT,
    DIRECTIONAL_VERDICTS,
    EFFECT_EXCLUDED,
    EQUIVALENCE_VERDICTS,
    EQUIVALENT,
    EQUIVALENT_AND_DIFFERENT,
    INCONCLUSIVE,
    NEITHER,
    NOT_INFORMATIVE,
    NOT_TESTABLE,
    PUBLISHED_TABLE_RECOMPUTED,
    combined_direction,
    format_p,
    hr_verdict,
    not_testable,
    orient_hr,
    reason_from_error,
)
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError
from sigsurv.survival.meta import meta_analysis
from sigsurv.survival.power import per_sd_from_dichotomised, schoenfeld_power

MANY = 200  # events: power ~1 for HR 0.67 per SD
Z975 = 1.959963984540054


# ---- directional claims -------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "hr", "lower", "upper", "expected"),
    [
        ("protective", 0.70, 0.55, 0.89, CONSISTENT),
        ("protective", 1.40, 1.10, 1.80, CONTRADICTED),
        ("protective", 0.90, 0.60, 1.35, INCONCLUSIVE),
        ("harmful", 1.40, 1.10, 1.80, CONSISTENT),
        ("harmful", 0.70, 0.55, 0.89, CONTRADICTED),
        ("harmful", 1.10, 0.80, 1.55, INCONCLUSIVE),
        ("protective", 0.80, 0.64, 1.00, INCONCLUSIVE),  # touching 1 does not exclude it
        ("harmful", 1.30, 1.00, 1.69, INCONCLUSIVE),
        # Issue 21: the CI includes 1 but excludes the target 0.67 / 1.5 per SD.
        ("protective", 0.90, 0.70, 1.15, EFFECT_EXCLUDED),
        ("protective", 1.15, 0.98, 1.35, EFFECT_EXCLUDED),  # IRF7 proxy on the DRFS cohort
        ("harmful", 1.10, 0.90, 1.35, EFFECT_EXCLUDED),
        ("protective", 0.90, 0.67, 1.20, INCONCLUSIVE),  # touching the target keeps it
    ],
)
def test_ci_rules(direction: str, hr: float, lower: float, upper: float, expected: str) -> None:
    verdict = hr_verdict(hr, lower, upper, events=MANY, expected_direction=direction)
    assert verdict.verdict == expected
    assert verdict.ci_reading is None and verdict.power is not None and verdict.power > 0.99
    assert verdict.target_source == "conventional"


def test_not_informative_for_published_effect_regardless_of_ci() -> None:
    # 10 events, published HR 0.41 (median split) = per-SD HR 0.572: power 42%
    target = per_sd_from_dichotomised(0.41, 0.5)
    for ci, reading in (
        ((0.2, 0.9), CONSISTENT),
        ((0.5, 2.0), INCONCLUSIVE),
        ((1.2, 4), CONTRADICTED),
    ):
        hr = math.sqrt(ci[0] * ci[1])
        v = hr_verdict(hr, *ci, events=10, expected_direction="protective", published_hr=0.41)
        assert v.verdict == NOT_INFORMATIVE and v.ci_reading == reading
        assert v.power == pytest.approx(schoenfeld_power(10, target), rel=1e-12)
        assert v.target_hr == pytest.approx(0.5719, abs=1e-4) and v.target_source == "published"
        assert "the published HR 0.41 (50/50 split) as per-SD HR 0.57" in v.reason


def test_gse1992_er_pos_msk1_power_is_on_the_per_sd_scale() -> None:
    # Issue 21: 13 events, HR 0.41: 36% for a 50/50 split, about 52% per SD.
    v = hr_verdict(0.93, 0.55, 1.59, events=13, expected_direction="protective", published_hr=0.41)
    assert v.power == pytest.approx(0.52, abs=0.005) and v.verdict == INCONCLUSIVE


def test_combined_direction_inverts_for_an_inverse_score() -> None:
    assert combined_direction("harmful", "inverse") == "protective"
    assert combined_direction("protective", "inverse") == "harmful"
    assert combined_direction("none", "inverse") == "none"
    with pytest.raises(OptionError):
        combined_direction("harmful", "sideways")


def test_not_informative_with_conventional_target_says_so() -> None:
    # no published effect: per-SD HR 0.67 (protective) / 1.5 (harmful)
    events = 20  # power for 0.67 per SD: Phi(0.400478 * sqrt(20) - 1.96) = 0.41
    v = hr_verdict(0.5, 0.3, 0.83, events=events, expected_direction="protective")
    assert v.verdict == NOT_INFORMATIVE and v.target_hr == 0.67
    assert v.power == pytest.approx(schoenfeld_power(events, 0.67))
    assert "conventional target" in v.reason and "0.67" in v.reason
    harmful = hr_verdict(2.0, 1.2, 3.3, events=events, expected_direction="harmful")
    assert harmful.target_hr == 1.5 and "1.5" in harmful.reason


def test_power_threshold_is_fifty_percent() -> None:
    # events where power for per-SD HR 0.67 crosses 50%: |ln 0.67| sqrt(D) = 1.96
    crossing = (Z975 / abs(math.log(0.67))) ** 2  # 23.95 events
    below = hr_verdict(0.8, 0.6, 1.1, events=math.floor(crossing), expected_direction="protective")
    above = hr_verdict(0.8, 0.6, 1.1, events=math.ceil(crossing), expected_direction="protective")
    assert below.verdict == NOT_INFORMATIVE and above.verdict == INCONCLUSIVE


def test_published_per_sd_hr_uses_the_per_sd_scale() -> None:
    v = hr_verdict(
        0.8,
        0.7,
        0.9,
        events=30,
        expected_direction="protective",
        published_hr=0.6,
        published_proportion=None,
    )
    assert v.power == pytest.approx(schoenfeld_power(30, 0.6))
    assert "published per-SD HR 0.60" in v.reason


@pytest.mark.parametrize(
    ("hr", "lower", "upper", "events"),
    [
        (None, None, None, 50),
        (math.nan, 0.5, 2.0, 50),
        (0.8, 0.6, math.inf, 50),
        (0.8, 0.6, 1.1, 0),
    ],
)
def test_not_testable(
    hr: float | None, lower: float | None, upper: float | None, events: int
) -> None:
    v = hr_verdict(hr, lower, upper, events=events, expected_direction="protective")
    assert v.verdict == NOT_TESTABLE and v.reason
    assert "Error" not in v.reason


def test_not_testable_reason_in_words() -> None:
    reason = reason_from_error(AnalysisError("too few events", expected="at least 2", found=1))
    assert reason == "too few events (expected at least 2, found 1)"
    assert "AnalysisError" not in reason
    assert not_testable(reason).verdict == NOT_TESTABLE
    with pytest.raises(SigsurvInputError):
        not_testable("  ")


def test_directional_verdict_refuses_a_null_claim() -> None:
    with pytest.raises(OptionError, match="equivalence_verdict"):
        hr_verdict(0.9, 0.8, 1.0, events=50, expected_direction="none")
    with pytest.raises(OptionError, match="direction"):
        hr_verdict(0.9, 0.8, 1.0, events=50, expected_direction="up")


def test_orientation() -> None:
    assert orient_hr(0.5, 0.25, 0.8, "protective") == (0.5, 0.25, 0.8)
    assert orient_hr(2.0, 1.25, 4.0, "harmful") == (0.5, 0.25, 0.8)


# ---- null claims: TOST ----------------------------------------------------------------


def test_equivalence_rules() -> None:
    z95 = 1.6448536269514722  # 90% CI for alpha 0.05
    # within: 90% CI exp(0.02 -+ 1.645 * 0.05) = 0.94-1.11, 95% CI includes 1
    assert equivalence_verdict(0.02, 0.05).verdict == EQUIVALENT
    # outside: 95% CI excludes 1 and the 90% CI is beyond the margins
    assert equivalence_verdict(0.9, 0.1).verdict == DIFFERENT
    assert equivalence_verdict(-0.9, 0.1).verdict == DIFFERENT
    # both: a precise, small difference (HR 1.16, 95% CI 1.10-1.23, inside 0.8-1.25)
    assert equivalence_verdict(0.15, 0.03).verdict == EQUIVALENT_AND_DIFFERENT
    # neither (with enough events for TOST)
    assert equivalence_verdict(0.1, 0.3, events=400).verdict == NEITHER
    # the CI upper bound just inside / outside the upper margin 1.25
    se = 0.05
    inside = math.log(1.25) - z95 * se - 1e-6
    assert equivalence_verdict(inside, se).verdict == EQUIVALENT_AND_DIFFERENT
    assert equivalence_verdict(inside + 2e-6, se).verdict == DIFFERENT
    assert equivalence_verdict(0.05, se).verdict == EQUIVALENT
    # custom margins
    assert equivalence_verdict(0.05, 0.03, margins=(0.9, 1.01)).verdict == NEITHER
    assert equivalence_verdict(None, None).verdict == NOT_TESTABLE
    assert equivalence_verdict(0.1, 0.0).verdict == NOT_TESTABLE


def test_absence_of_evidence_is_not_equivalence() -> None:
    # p >= 0.05 in a small cohort is not "no difference": TOST power at HR 1 is 0%
    v = equivalence_verdict(math.log(1.1), 0.4, events=25)
    assert v.verdict == NOT_INFORMATIVE and "0.8–1.25" in v.reason
    assert v.ci_reading == NEITHER and v.power == pytest.approx(0.0)


def test_gse1992_er_negative_difference_is_not_inconclusive_or_equivalent() -> None:
    # Issue 21: per-SD HR 0.60 (0.38-0.94), 22 events, against "no difference".
    log_hr = math.log(0.60)
    se = (math.log(0.94) - math.log(0.38)) / (2 * Z975)
    v = equivalence_verdict(log_hr, se, events=22)
    assert v.verdict == DIFFERENT
    assert v.verdict not in (INCONCLUSIVE, EQUIVALENT, NOT_INFORMATIVE)


def test_one_legend_defines_every_verdict() -> None:
    for verdict in {*DIRECTIONAL_VERDICTS, *EQUIVALENCE_VERDICTS, PUBLISHED_TABLE_RECOMPUTED}:
        assert DEFINITIONS[verdict], verdict
    assert "Holm" in DEFINITIONS["alpha"] and "nominal" in DEFINITIONS["alpha"]


# ---- published tables -------------------------------------------------------------------


def test_published_table_is_never_a_verdict_on_biology() -> None:
    v = published_table_verdict(3.2, 1.1, 9.5, 0.031)
    assert v.verdict == PUBLISHED_TABLE_RECOMPUTED
    assert "odds ratio 3.20" in v.reason and "HR" not in v.reason
    assert published_table_verdict(0.4, None, None, 0.2).reason.startswith(
        "odds ratio 0.40, p 0.20"
    )


# ---- p-values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.0535, "0.054"),
        (0.05, "0.050"),
        (0.049, "0.049"),
        (0.5, "0.50"),
        (1.0, "1.0"),
        (0.99971, "1.0"),
        (0.0995, "0.10"),
        (0.00999, "0.010"),
        (0.001, "0.0010"),
        (0.00099, "< 0.001"),
        (0.0, "< 0.001"),
        (1e-30, "< 0.001"),
        (0.12345, "0.12"),
        (0.125, "0.13"),
        (None, "NA"),
        (math.nan, "NA"),
    ],
)
def test_format_p(p: float | None, text: str) -> None:
    assert format_p(p) == text


def test_format_p_refuses_impossible_values() -> None:
    with pytest.raises(SigsurvInputError):
        format_p(1.2)


# ---- claim summary ---------------------------------------------------------------------


def test_claim_summary_counts_every_verdict_and_names_contradictions() -> None:
    pool = meta_analysis(
        [-0.6, -0.1, -0.35], [0.1, 0.12, 0.15], ["a", "b", "c"], method="REML", test="adhoc"
    )
    verdicts = [CONSISTENT, CONSISTENT, INCONCLUSIVE, NOT_INFORMATIVE, NOT_TESTABLE, CONTRADICTED]
    cohorts = ["a", "b", "c", "d", "e", "gse4335"]
    line = claim_summary(verdicts, pool, cohorts=cohorts)
    assert line.startswith(
        "2 consistent, 1 contradicted (gse4335), 1 inconclusive of 4 informative cohorts "
        "(1 not informative, 1 not testable); pooled per-SD HR "
    )
    est = pool.pooled
    assert f"{est.hr:.2f} (95% CI {est.lower:.2f}–{est.upper:.2f}; " in line
    assert f"PI {pool.prediction_lower:.2f}–{pool.prediction_upper:.2f})" in line


def test_claim_summary_without_pool_and_with_two_cohorts() -> None:
    assert claim_summary([NOT_INFORMATIVE]) == (
        "0 consistent of 0 informative cohorts (1 not informative); not pooled"
    )
    two = meta_analysis([-0.3, -0.2], [0.1, 0.1], method="REML", test="adhoc")
    line = claim_summary([CONSISTENT, CONSISTENT], two, pool_label="OS")
    assert "no PI: 2 cohorts" in line and "pooled per-SD HR for OS " in line


def test_claim_summary_for_null_claims() -> None:
    line = claim_summary([EQUIVALENT, NEITHER, DIFFERENT, NOT_TESTABLE], cohorts="abcd")
    assert line == (
        "1 equivalent, 1 different (c), 1 neither equivalent nor different of 3 informative "
        "cohorts (1 not testable); not pooled"
    )
