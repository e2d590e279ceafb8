"""Harrell's C (R survival 3.5), Uno's C and time-dependent AUC (scikit-survival goldens)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fixtures import survset_frame as load
from golden import R_RTOL

from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival.concordance import concordance_index, time_dependent_auc, uno_c


@pytest.mark.parametrize("cohort", ["gse1992", "gse4335"])
def test_harrell_matches_r_counts_and_se(reference_dir: Path, cohort: str) -> None:
    df = load(cohort)
    uni = json.loads((reference_dir / f"{cohort}.cox_univariate.json").read_text())["results"]
    split = json.loads((reference_dir / f"{cohort}.median_split.json").read_text())["results"]
    cases = []
    for r in uni:
        if r["scaling"] == "raw" and r["ties"] == "efron":
            cases.append((r["coef"] * df[f"num_HS_{r['gene']}"].to_numpy(), r))
    for r in split:  # two-valued predictor: many ties in x
        x = df[f"num_HS_{r['gene']}"].to_numpy()
        row = r["cox"]["efron"]
        cases.append((row["coef"] * (x > np.median(x)), row))
    for lp, r in cases:
        c = concordance_index(df["time"], df["event"], lp, reverse=True)
        assert (c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy) == (
            r["conc_concordant"],
            r["conc_discordant"],
            r["conc_tied_x"],
            r["conc_tied_y"],
            r["conc_tied_xy"],
        )
        assert abs(c.concordance - r["concordance"]) <= R_RTOL * r["concordance"]
        assert abs(c.std - r["concordance_se"]) <= R_RTOL * r["concordance_se"]
    # R's default orientation is the mirror image
    lp, r = cases[0]
    c = concordance_index(df["time"], df["event"], lp)
    assert c.concordant == r["conc_discordant"]
    assert abs(c.concordance - (1 - r["concordance"])) < 1e-12


def test_small_example_by_hand() -> None:
    # pairs (event first): (1,2) (1,3) (1,4) (2,3) (2,4) (4 censored at 8 > 6? no: 3 censored)
    res = concordance_index([2, 4, 6, 8], [1, 1, 0, 1], [0.9, 0.5, 0.7, 0.1], reverse=True)
    # comparable: (1,2) (1,3) (1,4) (2,3) (2,4); risk 0.9>0.5,0.7,0.1 ok; 0.5<0.7 wrong; 0.5>0.1 ok
    assert (res.concordant, res.discordant, res.tied_x) == (4.0, 1.0, 0.0)
    assert res.concordance == 0.8
    with pytest.raises(AnalysisError, match="no comparable pairs"):
        concordance_index([1, 2, 3], [0, 0, 0], [1.0, 2.0, 3.0])
    with pytest.raises(SigsurvInputError):
        concordance_index([1, 2, 3], [1, 0, 1], [1.0, np.nan, 3.0])


def test_uno_and_auc_match_scikit_survival_goldens(test_data_dir: Path) -> None:
    gold = json.loads(
        (test_data_dir / "survival" / "cox" / "discrimination_sksurv.json").read_text()
    )
    for case in gold["cases"]:
        df = load(case["cohort"])
        x = df[f"num_HS_{case['gene']}"].to_numpy()
        t, e = df["time"].to_numpy(), df["event"].to_numpy()
        sk = "sksurv"  # scikit-survival's G(t) weights (the default is R's G(t-))
        assert abs(uno_c(t, e, x, convention=sk).estimate - case["uno_c"]) <= 1e-10
        assert abs(uno_c(t, e, x, tau=60, convention=sk).estimate - case["uno_c_tau60"]) <= 1e-10
        np.testing.assert_allclose(
            time_dependent_auc(t, e, x, case["horizons"], convention=sk), case["auc"], rtol=1e-10
        )
        single = time_dependent_auc(t, e, x, case["horizons"][1], convention=sk)
        assert isinstance(single, float) and abs(single - case["auc"][1]) <= 1e-10


def test_auc_horizon_checked() -> None:
    t = [2, 4, 6, 8, 9]
    e = [1, 0, 1, 1, 0]
    with pytest.raises(SigsurvInputError, match="horizon"):
        time_dependent_auc(t, e, [1, 2, 3, 4, 5], 9)
