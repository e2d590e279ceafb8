"""Endpoints: reverse-KM median follow-up (vs R) and prepare_survival on a real cohort."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from fixtures import survset_frame as load_frame

from sigsurv.analysis.data import prepare_survival
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import AnalysisError, CohortValidationError, SigsurvWarning
from sigsurv.report.describe import describe_cohort
from sigsurv.survival.endpoints import (
    SurvivalData,
    check_survival_arrays,
    first_time_at_or_below_half,
    median_follow_up,
)


def make_cohort(name: str) -> Cohort:
    frame = load_frame(name).set_index("pid")
    genes = [c for c in frame.columns if c.startswith("num_HS_")][:5]
    expression = frame[genes].T.astype(float)
    expression.index = [g.removeprefix("num_HS_") for g in genes]
    clinical = frame.drop(columns=genes).assign(
        time=lambda f: f["time"].astype(float), event=lambda f: f["event"].astype(int)
    )
    return Cohort(name, expression, clinical, {"rfs": Endpoint("rfs", "time", "event")})


@pytest.fixture(scope="module")
def goldens(test_data_dir: Path) -> dict:
    return json.loads((test_data_dir / "survival" / "basics" / "goldens.json").read_text())


@pytest.mark.parametrize("cohort", ["gse1992", "gse4335"])
def test_median_follow_up_matches_r_reverse_km(cohort: str, goldens: dict) -> None:
    frame = load_frame(cohort)
    value = median_follow_up(frame["time"], frame["event"])
    assert value == pytest.approx(goldens["median_follow_up"][cohort], rel=1e-12)


def test_median_follow_up_midpoint_rule_and_not_reached() -> None:
    # reverse curve is exactly 0.5 on [6, 10): R returns the midpoint 8
    assert median_follow_up([2, 4, 6, 8, 10], [1, 0, 0, 1, 0]) == 8.0
    # no censoring at all: the reverse curve never drops
    assert median_follow_up([1, 2, 3], [1, 1, 1]) is None
    assert median_follow_up([], []) is None


def test_median_rule_helper_skips_nan() -> None:
    times = np.array([1.0, 2.0, 3.0])
    assert first_time_at_or_below_half(times, np.array([np.nan, 0.4, 0.2])) == 2.0


@pytest.mark.parametrize(
    ("time", "event", "match"),
    [
        ([1.0, np.nan], [1, 0], "missing or infinite"),
        ([1.0, -2.0], [1, 0], "negative"),
        ([1.0, 2.0], [1, 2], "0/1"),
        ([1.0, 2.0], [1], "differ in length"),
        ([[1.0]], [[1]], "1-d"),
    ],
)
def test_survival_arrays_are_validated(time: list, event: list, match: str) -> None:
    with pytest.raises(CohortValidationError, match=match):
        check_survival_arrays(time, event)


def test_prepare_survival_whole_cohort() -> None:
    cohort = make_cohort("gse1992")
    sub, data = prepare_survival(cohort, "rfs")
    assert isinstance(data, SurvivalData)
    assert (data.n, data.events) == (124, 35)
    assert data.unit == "months"
    assert list(data.samples) == list(cohort.samples)
    assert data.median_follow_up == median_follow_up(*cohort.survival("rfs"))
    assert sub.n_samples == 124


def test_prepare_survival_horizon_censors_later_events() -> None:
    cohort = make_cohort("gse1992")
    time, event = cohort.survival("rfs")
    _, data = prepare_survival(cohort, "rfs", horizon=2, horizon_unit="years")
    assert data.time.max() == 24.0
    assert data.events == int(((time <= 24) & (event == 1)).sum())
    assert data.horizon == 24.0
    assert "within 24 months" in data.label
    # the order of samples is kept
    np.testing.assert_array_equal(data.time, np.minimum(time, 24.0))


def test_prepare_survival_drops_incomplete_samples_with_a_message() -> None:
    cohort = make_cohort("gse4335")
    clinical = cohort.clinical.copy()
    clinical.iloc[:3, clinical.columns.get_loc("time")] = np.nan
    cohort = Cohort("holes", cohort.expression, clinical, cohort.endpoints)
    sub, data = prepare_survival(cohort)
    assert data.n == cohort.n_samples - 3
    assert any("3 samples without rfs data excluded" in m for m in sub.messages)


def test_prepare_survival_no_event_and_few_events() -> None:
    cohort = make_cohort("gse1992")
    with pytest.raises(AnalysisError, match="no rfs event"):
        prepare_survival(cohort, horizon=0.5)
    with pytest.warns(SigsurvWarning, match="only .* events"):
        _, data = prepare_survival(cohort, horizon=4)
    assert 0 < data.events < 10


def test_prepare_survival_unknown_endpoint() -> None:
    with pytest.raises(AnalysisError, match="no endpoint"):
        prepare_survival(make_cohort("gse1992"), "os")


def test_prepare_survival_subgroup() -> None:
    pytest.importorskip("sigsurv.cohorts.subgroup")
    cohort = make_cohort("gse1992")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        sub, data = prepare_survival(cohort, subgroup="fac_er_positive == '1'")
    assert data.n == 72
    assert data.subgroup == "fac_er_positive == '1'"
    assert data.n == sub.n_samples


@pytest.mark.slow
def test_cohort_summary_reports_reverse_km_follow_up(test_data_dir: Path) -> None:
    goldens = json.loads((test_data_dir / "survival" / "basics" / "goldens.json").read_text())
    summary = describe_cohort(make_cohort("gse1992"))["endpoints"]["rfs"]
    assert summary["median_follow_up"] == goldens["median_follow_up"]["gse1992"]
    assert (summary["n"], summary["events"]) == (124, 35)
