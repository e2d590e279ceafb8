"""Schoenfeld power and TOST equivalence against hand calculations.

powerSurvEpi (R) is not packaged in Debian 12, so the reference numbers are worked by hand
below; the normal CDF is evaluated with ``math.erfc`` (independent of scipy).
"""

from __future__ import annotations

import math

import pytest

from sigsurv.errors import SigsurvInputError
from sigsurv.survival.power import (
    cox_power,
    min_detectable_hr,
    schoenfeld_power,
    tost_log_hr,
)

Z_975 = 1.959963984540054  # qnorm(0.975)
Z_80 = 0.8416212335729143  # qnorm(0.80)


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))  # erfc keeps the lower tail accurate


def test_power_median_split_issue_example() -> None:
    # gse1992 ER+: 13 events, published HR 0.41, median split (p = 0.5).
    # |ln 0.41| = 0.891598; sqrt(13 * 0.25) = 1.802776; product 1.607351;
    # 1.607351 - 1.959964 = -0.352613; Phi(-0.352613) = 0.362189  ("36% power").
    assert schoenfeld_power(13, 0.41, proportion=0.5) == pytest.approx(0.36218943892806, rel=1e-9)


def test_power_per_sd() -> None:
    # per-SD HR 0.67, 40 events, V = 1: 0.400478 * sqrt(40) = 2.532843 - 1.959964 = 0.572879
    # Phi(0.572879) = 0.716637
    assert schoenfeld_power(40, 0.67) == pytest.approx(0.71663653208639, rel=1e-9)
    # a continuous score with SD 2 has V = 4: the same as four times the events
    assert schoenfeld_power(10, 0.67, sd=2.0) == pytest.approx(schoenfeld_power(40, 0.67))
    # the direction does not matter
    assert schoenfeld_power(40, 1 / 0.67) == pytest.approx(schoenfeld_power(40, 0.67))


def test_textbook_events_for_hr_half() -> None:
    # D = 4 (z_.975 + z_.80)^2 / ln(2)^2 = 65.3457 events for HR 0.5 with 1:1 groups
    events = 4 * (Z_975 + Z_80) ** 2 / math.log(2) ** 2
    assert events == pytest.approx(65.34565925887, rel=1e-10)
    assert schoenfeld_power(events, 0.5, proportion=0.5) == pytest.approx(0.8, rel=1e-12)
    assert (
        schoenfeld_power(65, 0.5, proportion=0.5) < 0.8 < schoenfeld_power(66, 0.5, proportion=0.5)
    )
    assert min_detectable_hr(events, proportion=0.5) == pytest.approx(2.0, rel=1e-12)
    assert min_detectable_hr(events, proportion=0.5, protective=True) == pytest.approx(0.5)


def test_min_detectable_hr_hand() -> None:
    # 100 events, 30/70 split: exp(2.801585 / sqrt(100 * 0.21)) = exp(0.611357) = 1.842929
    assert min_detectable_hr(100, proportion=0.3) == pytest.approx(1.8429287453307, rel=1e-9)
    # per SD, 57 events, protective: exp(-2.801585 / sqrt(57)) = 0.689989
    assert min_detectable_hr(57, protective=True) == pytest.approx(0.68998941144078, rel=1e-9)


def test_power_at_null_is_half_alpha() -> None:
    assert schoenfeld_power(50, 1.0) == pytest.approx(0.025, rel=1e-9)
    assert schoenfeld_power(50, 1.0, alpha=0.10) == pytest.approx(0.05, rel=1e-9)


def test_cox_power_orients_the_detectable_hr_like_the_target() -> None:
    protective = cox_power(40, 0.67)
    assert protective.power == pytest.approx(0.71663653208639)
    assert protective.min_detectable_hr < 1 and protective.scale == "per SD"
    harmful = cox_power(40, 1.5, proportion=0.5)
    assert harmful.min_detectable_hr > 1 and harmful.scale == "dichotomised"
    assert harmful.min_detectable_hr == pytest.approx(math.exp((Z_975 + Z_80) / math.sqrt(10)))
    record = harmful.to_dict()
    assert {"target_hr", "power", "min_detectable_hr"} <= set(record)
    assert schoenfeld_power(40, harmful.min_detectable_hr, proportion=0.5) == pytest.approx(0.8)


def test_tost_hand() -> None:
    # log HR 0.1, se 0.06, margins 0.8-1.25:
    # p_upper = Phi((0.1 - ln 1.25) / 0.06) = Phi(-2.052393) = 0.020066
    # p_lower = 1 - Phi((0.1 - ln 0.8) / 0.06) = 1 - Phi(5.385) = 3.6e-8
    res = tost_log_hr(0.1, 0.06)
    assert res.p_upper == pytest.approx(0.02006576535175, rel=1e-7)
    assert res.p_lower == pytest.approx(3.607643372927e-08, rel=1e-5)
    assert res.p == res.p_upper and res.equivalent and not res.not_equivalent
    # 90% CI: exp(0.1 -+ 1.644854 * 0.06)
    assert res.ci_upper == pytest.approx(math.exp(0.1 + 1.6448536269514722 * 0.06))
    assert res.ci_upper < 1.25


def test_tost_not_equivalent_and_inconclusive() -> None:
    far = tost_log_hr(math.log(2.0), 0.1)  # 90% CI 1.70-2.36, all above 1.25
    assert not far.equivalent and far.not_equivalent and far.p_upper > 0.99
    vague = tost_log_hr(0.0, 0.5)  # wide CI spanning both margins
    assert not vague.equivalent and not vague.not_equivalent
    narrow_margin = tost_log_hr(0.1, 0.06, margins=(0.9, 1.1))
    assert not narrow_margin.equivalent


def test_tost_matches_90_percent_ci_rule() -> None:
    for log_hr, se in [(0.0, 0.1), (0.15, 0.03), (-0.2, 0.05), (0.22, 0.001)]:
        res = tost_log_hr(log_hr, se)
        inside = res.ci_lower > 0.8 and res.ci_upper < 1.25
        assert res.equivalent == inside, (log_hr, se)
        assert phi((log_hr - math.log(1.25)) / se) == pytest.approx(
            res.p_upper, rel=1e-9, abs=1e-300
        )


def test_input_errors() -> None:
    with pytest.raises(SigsurvInputError, match="events"):
        schoenfeld_power(0, 0.5)
    with pytest.raises(SigsurvInputError, match="hazard ratio"):
        schoenfeld_power(10, -1.0)
    with pytest.raises(SigsurvInputError, match="proportion"):
        schoenfeld_power(10, 0.5, proportion=1.0)
    with pytest.raises(SigsurvInputError, match="power"):
        min_detectable_hr(10, power=1.0)
    with pytest.raises(SigsurvInputError, match="margins"):
        tost_log_hr(0.0, 0.1, margins=(1.1, 1.25))
    with pytest.raises(SigsurvInputError, match="se"):
        tost_log_hr(0.0, 0.0)
