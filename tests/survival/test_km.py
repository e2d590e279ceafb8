"""Kaplan–Meier against R survfit (reference median splits + extra goldens) and lifelines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import survset_frame as load_frame
from golden import R_RTOL
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from sigsurv.errors import SigsurvInputError
from sigsurv.survival.km import encode_groups, kaplan_meier

COHORTS = ["gse1992", "gse4335"]


def median_split(x: np.ndarray) -> pd.Categorical:
    return pd.Categorical(np.where(x > np.median(x), "high", "low"), categories=["low", "high"])


def rel_diff(a: float, b: float) -> float:
    return abs(a - b) / abs(b) if b != 0 else abs(a)


@pytest.fixture(scope="module", params=COHORTS)
def median_split_case(request: pytest.FixtureRequest, reference_dir: Path) -> tuple:
    ref = json.loads((reference_dir / f"{request.param}.median_split.json").read_text())
    return load_frame(request.param), ref


def test_km_landmarks_match_r(median_split_case: tuple) -> None:
    frame, ref = median_split_case
    worst = 0.0
    n_beyond = 0
    for row in ref["results"]:
        groups = median_split(frame[f"num_HS_{row['gene']}"].to_numpy(float))
        fit = kaplan_meier(frame["time"], frame["event"], groups)
        table = fit.survival_at(ref["km_times"])
        for group in ("low", "high"):
            ours = table[table["group"] == group].reset_index(drop=True)
            for i, expected in enumerate(row["km"][group]):
                got = ours.iloc[i]
                assert got["time"] == expected["time"]
                assert got["n_risk"] == expected["n_risk"]
                assert got["n_event"] == expected["n_event_cum_interval"]
                assert bool(got["beyond_last_time"]) == expected["beyond_last_time"]
                n_beyond += expected["beyond_last_time"]
                for ours_key, ref_key in [
                    ("surv", "surv"),
                    ("std_err", "std_err"),
                    ("lower", "lower95"),
                    ("upper", "upper95"),
                ]:
                    worst = max(worst, rel_diff(float(got[ours_key]), expected[ref_key]))
    assert worst <= R_RTOL
    if ref["cohort"] == "gse1992":
        assert n_beyond > 0  # e.g. IRF7-high at 60 months is carried forward


def test_km_median_survival_matches_r(median_split_case: tuple) -> None:
    frame, ref = median_split_case
    for row in ref["results"]:
        groups = median_split(frame[f"num_HS_{row['gene']}"].to_numpy(float))
        fit = kaplan_meier(frame["time"], frame["event"], groups)
        medians = fit.median_survival()
        for group in ("low", "high"):
            got = medians[group]
            expected = row["median_survival"][group]
            assert (got.median, got.lower, got.upper) == (
                expected["median"],
                expected["lower95"],
                expected["upper95"],
            ), (row["gene"], group)
            assert fit.curves[group].table["time"].max() == expected["max_followup"]


def test_km_other_conf_types_match_r(test_data_dir: Path) -> None:
    goldens = json.loads((test_data_dir / "survival" / "basics" / "goldens.json").read_text())
    for case in goldens["km_conf_types"]:
        frame = load_frame(case["cohort"])
        fit = kaplan_meier(frame["time"], frame["event"], conf_type=case["conf_type"])
        got = fit.survival_at(case["time"])
        for key in ("surv", "std_err", "lower", "upper"):
            np.testing.assert_allclose(got[key], case[key], rtol=R_RTOL, atol=0)
        med = fit.median_survival()["all"]
        assert [med.median, med.lower, med.upper] == case["median"]


@pytest.mark.parametrize("cohort", COHORTS)
def test_km_agrees_with_lifelines(cohort: str) -> None:
    frame = load_frame(cohort)
    fit = kaplan_meier(frame["time"], frame["event"])
    kmf = KaplanMeierFitter().fit(frame["time"], frame["event"])
    table = fit.curves["all"].table
    theirs = kmf.survival_function_.loc[table["time"].to_numpy(), "KM_estimate"].to_numpy()
    np.testing.assert_allclose(table["surv"], theirs, rtol=1e-12)
    median = fit.median_survival()["all"].median
    assert (np.inf if median is None else median) == kmf.median_survival_time_
    at_risk = kmf.event_table.loc[table["time"].to_numpy(), "at_risk"].to_numpy()
    np.testing.assert_array_equal(table["n_risk"], at_risk)


def test_km_zero_survival_is_nan_error_like_r() -> None:
    # R: survfit(Surv(c(1,2,2,3,4,5), c(1,1,0,1,1,1)) ~ 1)
    fit = kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 1, 1])
    table = fit.curves["all"].table
    np.testing.assert_allclose(table["surv"], [5 / 6, 2 / 3, 4 / 9, 2 / 9, 0.0], rtol=1e-12)
    np.testing.assert_allclose(
        table["lower"][:4], [0.5826548, 0.3786065, 0.1668079, 0.0407029], rtol=R_RTOL
    )
    assert table["upper"][:4].tolist() == [1.0] * 4
    assert np.isnan(table["std_err"].iloc[-1]) and np.isnan(table["lower"].iloc[-1])
    land = fit.survival_at([0.5, 3, 6])
    assert land["n_risk"].tolist() == [6, 3, 0]
    assert land["n_event"].tolist() == [0, 3, 2]
    assert land["std_err"].iloc[1] == pytest.approx(0.2222222, rel=R_RTOL)
    assert land["surv"].iloc[0] == 1.0 and land["beyond_last_time"].tolist() == [
        False,
        False,
        True,
    ]


def test_survival_at_without_extend_drops_late_times() -> None:
    fit = kaplan_meier([1, 2, 3], [1, 0, 1])
    assert fit.survival_at([2, 10], extend=False)["time"].tolist() == [2.0]


def test_survival_at_rejects_unsorted_times() -> None:
    fit = kaplan_meier([1, 2, 3], [1, 0, 1])
    with pytest.raises(SigsurvInputError, match="increasing"):
        fit.survival_at([36, 12])


def test_at_risk_table_counts_time_at_least_t() -> None:
    frame = load_frame("gse1992")
    groups = median_split(frame["num_HS_BCL2"].to_numpy(float))
    fit = kaplan_meier(frame["time"], frame["event"], groups)
    times = [0, 12, 24, 60, 120]
    table = fit.at_risk_table(times)
    for group in ("low", "high"):
        t = frame["time"].to_numpy()[np.asarray(groups == group)]
        assert table.loc[group].tolist() == [int((t >= x).sum()) for x in times]
    assert table.index.tolist() == ["low", "high"]


def test_group_order_follows_categories_and_rejects_missing() -> None:
    codes, levels = encode_groups(pd.Categorical(["b", "a"], categories=["b", "a", "z"]), 2)
    assert levels == ["b", "a"] and codes.tolist() == [0, 1]
    with pytest.raises(SigsurvInputError, match="missing labels"):
        encode_groups(pd.Series(["a", None]), 2)
    with pytest.raises(SigsurvInputError, match="wrong length"):
        kaplan_meier([1, 2], [1, 1], groups=["a"])


def test_conf_options_are_checked() -> None:
    with pytest.raises(SigsurvInputError, match="confidence interval type"):
        kaplan_meier([1, 2], [1, 1], conf_type="arcsin")
    with pytest.raises(SigsurvInputError, match="conf_level"):
        kaplan_meier([1, 2], [1, 1], conf_level=95)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.booleans(), st.sampled_from("ab")),
        min_size=2,
        max_size=60,
    )
)
def test_km_matches_lifelines_on_random_tied_data(rows: list) -> None:
    time = np.array([r[0] for r in rows], dtype=float)
    event = np.array([r[1] for r in rows], dtype=float)
    groups = np.array([r[2] for r in rows])
    fit = kaplan_meier(time, event, groups)
    for g in fit.groups:
        mask = groups == g
        kmf = KaplanMeierFitter().fit(time[mask], event[mask])
        table = fit.curves[g].table
        theirs = kmf.survival_function_.loc[table["time"].to_numpy(), "KM_estimate"]
        np.testing.assert_allclose(table["surv"], theirs.to_numpy(), rtol=1e-12, atol=1e-15)
        assert table["n_event"].sum() == event[mask].sum()
        assert (table["n_event"] + table["n_censor"]).sum() == mask.sum()
        assert not table["surv"].isna().any()
