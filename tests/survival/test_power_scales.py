"""Per-SD conversion of a dichotomised HR and TOST power (issue 21), by hand and by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sigsurv.errors import SigsurvInputError
from sigsurv.survival.power import (
    per_sd_from_dichotomised,
    schoenfeld_power,
    split_mean_difference,
    tost_log_hr,
    tost_power,
)


def test_median_split_mean_difference_is_2_sqrt_2_over_pi():
    assert split_mean_difference(0.5) == pytest.approx(2 * math.sqrt(2 / math.pi), rel=1e-12)
    # Any split: E[Z | Z > z] - E[Z | Z < z] with P(Z > z) = p.
    rng = np.random.default_rng(1)
    z = rng.normal(size=2_000_000)
    for p in (0.5, 1 / 3):
        cut = np.quantile(z, 1 - p)
        simulated = z[z > cut].mean() - z[z <= cut].mean()
        assert split_mean_difference(p) == pytest.approx(simulated, rel=5e-3)


def test_gse1992_er_positive_msk1_power_per_sd():
    per_sd = per_sd_from_dichotomised(0.41)
    assert math.log(per_sd) == pytest.approx(math.log(0.41) / 1.5958, rel=1e-4)
    assert schoenfeld_power(13, per_sd) == pytest.approx(0.52, abs=0.005)
    assert schoenfeld_power(13, 0.41, proportion=0.5) == pytest.approx(0.362, abs=0.001)
    with pytest.raises(SigsurvInputError):
        per_sd_from_dichotomised(0.0)
    with pytest.raises(SigsurvInputError):
        split_mean_difference(1.0)


@pytest.mark.parametrize("events", [60, 150, 300])
def test_tost_power_matches_simulation_at_hr_1(events):
    se = 1 / math.sqrt(events)
    rng = np.random.default_rng(events)
    estimates = rng.normal(0.0, se, 20_000)
    shown = np.mean([tost_log_hr(b, se).equivalent for b in estimates[:4000]])
    assert tost_power(events) == pytest.approx(shown, abs=0.025)
    z = stats.norm.ppf(0.95)
    by_hand = stats.norm.cdf(math.log(1.25) / se - z) - stats.norm.cdf(math.log(0.8) / se + z)
    assert tost_power(events) == pytest.approx(max(0.0, by_hand), rel=1e-12)
