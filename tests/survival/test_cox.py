"""Cox regression against R survival 3.5-3 (shared reference + goldens in tests/data)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures import survset_frame as load_cohort
from golden import R_RTOL, rel_error

from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.survival.cox import cox_fit, standardise


@pytest.fixture(scope="module")
def goldens(test_data_dir: Path) -> dict:
    return json.loads((test_data_dir / "survival" / "cox" / "goldens.json").read_text())


@pytest.fixture(scope="module")
def inputs(test_data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(
        test_data_dir / "survival" / "cox" / "cox_inputs.csv",
        dtype={"er": str, "node": str, "grade": str},
        float_precision="round_trip",
    )


def cox_row_values(res) -> dict[str, float]:
    s = res.summary.iloc[0]
    c = res.concordance
    return {
        "coef": s.coef,
        "se": s.se,
        "HR": s.hr,
        "HR_lower95": s.ci_lower,
        "HR_upper95": s.ci_upper,
        "wald_z": s.z,
        "wald_p": s.p_wald,
        "lrt_stat": res.lrt["stat"],
        "lrt_p": res.lrt["p"],
        "score_stat": res.score["stat"],
        "score_p": res.score["p"],
        "loglik_null": res.loglik_null,
        "loglik_fit": res.loglik,
        "concordance": c.concordance,
        "concordance_se": c.std,
        "conc_concordant": c.concordant,
        "conc_discordant": c.discordant,
        "conc_tied_x": c.tied_x,
        "conc_tied_y": c.tied_y,
        "conc_tied_xy": c.tied_xy,
        "iter": res.iterations,
        "n": res.n,
        "nevent": res.events,
    }


@pytest.mark.parametrize("cohort", ["gse1992", "gse4335"])
def test_univariate_matches_r(reference_dir: Path, cohort: str) -> None:
    ref = json.loads((reference_dir / f"{cohort}.cox_univariate.json").read_text())
    df = load_cohort(cohort)
    assert len(ref["results"]) == 4 * (12 - len(ref["requested_genes_absent"]))
    worst = 0.0
    for row in ref["results"]:
        x = df[f"num_HS_{row['gene']}"].to_numpy(dtype=float)
        if row["scaling"] == "zscore":
            x = standardise(x)
        res = cox_fit(df["time"], df["event"], x, ties=row["ties"])
        assert res.well_defined and res.converged
        for key, value in cox_row_values(res).items():
            d = rel_error(value, row[key])
            worst = max(worst, d)
            assert d <= R_RTOL, (row["gene"], row["scaling"], row["ties"], key, value, row[key])
    assert worst < 1e-9  # in practice ~1e-11


@pytest.mark.parametrize("cohort", ["gse1992", "gse4335"])
def test_median_split_cox_rows(reference_dir: Path, cohort: str) -> None:
    ref = json.loads((reference_dir / f"{cohort}.median_split.json").read_text())
    df = load_cohort(cohort)
    for row in ref["results"]:
        x = df[f"num_HS_{row['gene']}"].to_numpy(dtype=float)
        high = (x > np.median(x)).astype(float)
        assert int(high.sum()) == row["n_high"]
        for ties in ("efron", "breslow"):
            res = cox_fit(df["time"], df["event"], pd.DataFrame({"high_vs_low": high}), ties=ties)
            expected = row["cox"][ties]
            for key, value in cox_row_values(res).items():
                assert rel_error(value, expected[key]) <= R_RTOL, (row["gene"], ties, key)


def multivariable_covariates(
    inputs: pd.DataFrame, variant: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    complete = inputs[(inputs[["er", "node", "grade"]] != "missing").all(axis=1)]
    complete = complete.reset_index(drop=True)
    if variant == "complete_case_grade_linear":
        cov = pd.DataFrame(
            {
                "IFN_z": complete["IFN_z"],
                "age": complete["age"],
                "er_positive": complete["er"].astype(float),
                "node_status": complete["node"].astype(float),
                "grade": complete["grade"].astype(float),
            }
        )
        return complete, cov
    if variant == "complete_case_grade_factor":
        cov = pd.DataFrame(
            {
                "IFN_z": complete["IFN_z"],
                "age": complete["age"],
                "er_positive": complete["er"].astype(float),
                "node_status": complete["node"].astype(float),
                "grade": complete["grade"],
            }
        )
        return complete, cov
    cov = pd.DataFrame(
        {
            "IFN_z": inputs["IFN_z"],
            "age": inputs["age"],
            "er_positive": inputs["er"],
            "node_status": inputs["node"],
            "grade": inputs["grade"],
        }
    )
    return inputs, cov


def test_inputs_csv_matches_pickle(inputs: pd.DataFrame) -> None:
    df = load_cohort("gse1992")
    assert (inputs["pid"].to_numpy() == df["pid"].to_numpy()).all()
    np.testing.assert_array_equal(inputs["time"], df["time"])
    np.testing.assert_array_equal(inputs["IRF7"], df["num_HS_IRF7"])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_multivariable_well_defined_model(
    reference_dir: Path, inputs: pd.DataFrame, ties: str
) -> None:
    ref = json.loads((reference_dir / "gse1992.multivariable_cox.json").read_text())
    model = next(
        m
        for m in ref["models"]
        if m["variant"] == "complete_case_grade_linear" and m["ties"] == ties
    )
    data, cov = multivariable_covariates(inputs, model["variant"])
    res = cox_fit(data["time"], data["event"], cov, ties=ties)
    assert res.well_defined and res.problems == []
    assert (res.n, res.events) == (model["n"], model["nevent"])
    for c in model["coefficients"]:
        s = res.summary.loc[c["term"]]
        for key, ours in [
            ("coef", s.coef),
            ("se", s.se),
            ("HR", s.hr),
            ("HR_lower95", s.ci_lower),
            ("HR_upper95", s.ci_upper),
            ("z", s.z),
            ("p", s.p_wald),
        ]:
            assert rel_error(ours, c[key]) <= R_RTOL, (c["term"], key)
    for key in ("lrt", "score"):
        assert rel_error(getattr(res, key)["stat"], model[f"{key}_stat"]) <= R_RTOL
        assert rel_error(getattr(res, key)["p"], model[f"{key}_p"]) <= R_RTOL
        assert getattr(res, key)["df"] == model["lrt_df"]
    assert rel_error(res.wald["p"], model["wald_p"]) <= R_RTOL
    assert abs(res.wald["stat"] - model["wald_stat"]) <= 0.005  # R's summary rounds to 2 dp
    assert rel_error(res.concordance.concordance, model["concordance"]) <= R_RTOL
    assert rel_error(res.concordance.std, model["concordance_se"]) <= R_RTOL
    assert rel_error(res.loglik_null, model["loglik"][0]) <= R_RTOL
    assert rel_error(res.loglik, model["loglik"][1]) <= R_RTOL


@pytest.mark.parametrize("variant", ["complete_case_grade_factor", "missing_as_level"])
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_multivariable_infinite_models_flagged(
    reference_dir: Path, inputs: pd.DataFrame, variant: str, ties: str
) -> None:
    ref = json.loads((reference_dir / "gse1992.multivariable_cox.json").read_text())
    model = next(m for m in ref["models"] if m["variant"] == variant and m["ties"] == ties)
    data, cov = multivariable_covariates(inputs, variant)
    with pytest.warns(SigsurvWarning, match="not well defined"):
        res = cox_fit(data["time"], data["event"], cov, ties=ties)
    assert res.well_defined is False and model["well_defined"] is False
    # R: "Loglik converged before variable 5,6 ; coefficient may be infinite."
    flagged_r = [int(v) for v in model["warnings"][0].split("variable")[1].split(";")[0].split(",")]
    flagged = list(np.flatnonzero(res.summary["may_be_infinite"].to_numpy()) + 1)
    assert flagged == flagged_r
    assert any("may be infinite" in p for p in res.problems)
    assert "not estimable" in str(res)
    # Loose comparison only: these numbers depend on when iteration stopped.
    terms = [c["term"] for c in model["coefficients"]]
    assert list(res.summary.index) == terms
    for c in model["coefficients"]:
        assert rel_error(res.summary.loc[c["term"], "coef"], c["coef"]) <= 1e-4
    assert rel_error(res.lrt["stat"], model["lrt_stat"]) <= R_RTOL
    assert abs(res.wald["stat"] - model["wald_stat"]) <= 0.01


def golden_fit(inputs: pd.DataFrame, case: str):
    ties = case.rsplit("_", 1)[1]
    d = inputs
    complete = inputs[(inputs[["er", "node", "grade"]] != "missing").all(axis=1)].reset_index(
        drop=True
    )
    if case.startswith("irf7"):
        return cox_fit(d["time"], d["event"], d[["IRF7"]], ties=ties)
    if case.startswith("mv_linear"):
        cov = pd.DataFrame(
            {
                "IFN_z": complete["IFN_z"],
                "age": complete["age"],
                "er_n": complete["er"].astype(float),
                "node_n": complete["node"].astype(float),
                "grade_n": complete["grade"].astype(float),
            }
        )
        return cox_fit(complete["time"], complete["event"], cov, ties=ties)
    if case.startswith("mv_missing"):
        cov = pd.DataFrame(
            {
                "IFN_z": d["IFN_z"],
                "age": d["age"],
                "er_f": d["er"],
                "node_f": d["node"],
                "grade_f": d["grade"],
            }
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            return cox_fit(d["time"], d["event"], cov, ties=ties)
    if case.startswith("strata_er"):
        return cox_fit(
            complete["time"],
            complete["event"],
            complete[["IFN_z", "age"]],
            ties=ties,
            strata=complete["er"],
        )
    if case.startswith("ties_years"):
        return cox_fit(np.ceil(d["time"] / 12), d["event"], d[["IRF7", "ESR1"]], ties=ties)
    if case.startswith("iter2"):
        with pytest.warns(SigsurvWarning, match="ran out of iterations"):
            return cox_fit(d["time"], d["event"], d[["IRF7", "ESR1"]], ties=ties, max_iter=2)
    raise AssertionError(case)


CASES = [
    f"{c}_{t}"
    for c in ("irf7", "mv_linear", "mv_missing", "strata_er", "ties_years", "iter2")
    for t in ("efron", "breslow")
]


@pytest.mark.parametrize("case", CASES)
def test_r_goldens(goldens: dict, inputs: pd.DataFrame, case: str) -> None:
    g = goldens[case]
    res = golden_fit(inputs, case)
    tol = 1e-4 if case.startswith("mv_missing") else R_RTOL  # non-converging model: loose
    r_names = np.atleast_1d(g["terms"])
    assert len(res.summary) == len(r_names)
    for ours, theirs in zip(res.summary["coef"], np.atleast_1d(g["coef"]), strict=True):
        assert rel_error(ours, theirs) <= tol
    for ours, theirs in zip(res.summary["se"], np.atleast_1d(g["se"]), strict=True):
        assert rel_error(ours, theirs) <= tol
    assert rel_error(res.loglik_null, g["loglik"][0]) <= R_RTOL
    assert rel_error(res.loglik, g["loglik"][1]) <= R_RTOL
    assert rel_error(res.score["stat"], g["score"]) <= R_RTOL
    assert rel_error(res.wald["stat"], g["wald"]) <= tol
    assert res.iterations == g["iter"]
    conc = g["concordance"]
    assert rel_error(res.concordance.concordance, conc["concordance"]) <= R_RTOL
    assert rel_error(res.concordance.std, conc["std"]) <= R_RTOL
    assert (
        res.concordance.concordant,
        res.concordance.discordant,
        res.concordance.tied_x,
        res.concordance.tied_y,
        res.concordance.tied_xy,
    ) == (conc["concordant"], conc["discordant"], conc["tied.x"], conc["tied.y"], conc["tied.xy"])
    zph = g["zph"]
    assert len(res.ph_test) == len(np.atleast_1d(zph["term"]))
    assert res.ph_test.index[-1] == "GLOBAL"
    np.testing.assert_allclose(res.ph_test["chisq"], zph["chisq"], rtol=tol)
    np.testing.assert_allclose(res.ph_test["p"], zph["p"], rtol=tol)
    np.testing.assert_array_equal(res.ph_test["df"], zph["df"])
    if case.startswith("iter2"):
        assert res.converged is False and res.well_defined is False
        assert g["warnings"] == "Ran out of iterations and did not converge"


def test_lifelines_agreement_efron() -> None:
    from lifelines import CoxPHFitter

    df = load_cohort("gse4335")
    for gene in ("ESR1", "MKI67", "BCL2"):
        data = df[["time", "event", f"num_HS_{gene}"]].rename(columns={f"num_HS_{gene}": "x"})
        cph = CoxPHFitter().fit(data, "time", "event")
        ours = cox_fit(data["time"], data["event"], data[["x"]])
        # lifelines stops on its own (looser) criterion: agreement to ~1e-5 only.
        assert rel_error(ours.summary.loc["x", "coef"], cph.params_["x"]) <= 1e-4
        assert rel_error(ours.summary.loc["x", "se"], cph.standard_errors_["x"]) <= 1e-4
        assert rel_error(ours.loglik, cph.log_likelihood_) <= 1e-8


def test_reference_levels_and_categoricals() -> None:
    df = load_cohort("gse1992")
    complete = df[df["fac_er_positive"] != "missing"].reset_index(drop=True)
    er_num = complete["fac_er_positive"].astype(str).astype(float)
    numeric = cox_fit(complete["time"], complete["event"], pd.DataFrame({"er": er_num}))
    as_cat = cox_fit(
        complete["time"],
        complete["event"],
        pd.DataFrame({"er": complete["fac_er_positive"].astype(str)}),
    )
    flipped = cox_fit(
        complete["time"],
        complete["event"],
        pd.DataFrame({"er": complete["fac_er_positive"].astype(str)}),
        reference_levels={"er": "1"},
    )
    assert list(as_cat.summary.index) == ["er1"] and as_cat.reference_levels == {"er": "0"}
    assert list(flipped.summary.index) == ["er0"] and flipped.reference_levels == {"er": "1"}
    assert rel_error(as_cat.summary["coef"].iloc[0], numeric.summary["coef"].iloc[0]) < 1e-12
    assert rel_error(flipped.summary["coef"].iloc[0], -numeric.summary["coef"].iloc[0]) < 1e-9
    # Unused categories of a pandas Categorical are not turned into all-zero columns.
    cat = cox_fit(complete["time"], complete["event"], complete[["fac_er_positive"]])
    assert list(cat.summary.index) == ["fac_er_positive1"]
    with pytest.raises(SigsurvInputError, match="reference level not found"):
        cox_fit(
            complete["time"],
            complete["event"],
            pd.DataFrame({"er": complete["fac_er_positive"].astype(str)}),
            reference_levels={"er": "7"},
        )


def test_ph_test_terms_group_dummies(inputs: pd.DataFrame) -> None:
    cov = pd.DataFrame({"IRF7": inputs["IRF7"], "grade": inputs["grade"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        res = cox_fit(inputs["time"], inputs["event"], cov)
    assert list(res.ph_test.index) == ["IRF7", "grade", "GLOBAL"]
    assert res.ph_test.loc["grade", "df"] == 3 and res.ph_test.loc["GLOBAL", "df"] == 4
    assert res.terms["grade"] == ["grade2", "grade3", "grademissing"]


def test_to_dict_is_json_ready() -> None:
    df = load_cohort("gse1992")
    res = cox_fit(df["time"], df["event"], df[["num_HS_ESR1"]])
    text = json.dumps(res.to_dict())
    back = json.loads(text)
    assert back["well_defined"] is True
    assert back["coefficients"][0]["term"] == "num_HS_ESR1"
    assert back["ph_test"][-1]["term"] == "GLOBAL"


def test_standardise_gives_hr_per_sd(reference_dir: Path) -> None:
    genomewide = pd.read_csv(
        reference_dir / "gse1992.cox_genomewide.tsv.gz", sep="\t", index_col="gene"
    )
    df = load_cohort("gse1992")
    res = cox_fit(df["time"], df["event"], standardise(df["num_HS_MKI67"]))
    assert rel_error(res.summary["coef"].iloc[0], genomewide.loc["MKI67", "coef_per_sd"]) <= R_RTOL
    with pytest.raises(AnalysisError):
        standardise([2.0, 2.0, 2.0])


# ------------------------------------------------------------------ degenerate inputs
def small_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n = 60
    x = rng.normal(size=n)
    t = rng.exponential(10 * np.exp(-0.5 * x)).round(1) + 0.1
    e = (rng.uniform(size=n) < 0.6).astype(int)
    return t, e, x


def test_no_events_is_an_error() -> None:
    t, _, x = small_data()
    with pytest.raises(AnalysisError, match="no events"):
        cox_fit(t, np.zeros_like(t), x)


def test_constant_covariate_named() -> None:
    t, e, x = small_data()
    cov = pd.DataFrame({"score": x, "flat": np.full_like(x, 3.0)})
    with pytest.raises(AnalysisError, match=r"'flat'.*constant"):
        cox_fit(t, e, cov)


def test_all_in_one_group_is_an_error() -> None:
    t, e, _ = small_data()
    with pytest.raises(AnalysisError, match="single level"):
        cox_fit(t, e, pd.DataFrame({"group": ["high"] * len(t)}))
    with pytest.raises(AnalysisError, match="constant"):
        cox_fit(t, e, pd.DataFrame({"high": np.ones(len(t))}))


def test_few_events_warn() -> None:
    t, _, x = small_data()
    e = np.zeros(len(t), dtype=int)
    e[:5] = 1
    with pytest.warns(SigsurvWarning, match="only 5 events"):
        res = cox_fit(t, e, x)
    assert res.events == 5


def test_missing_values_refused_with_column() -> None:
    t, e, x = small_data()
    x = x.copy()
    x[3] = np.nan
    with pytest.raises(SigsurvInputError, match=r"column 'score'.*missing"):
        cox_fit(t, e, pd.DataFrame({"score": x}))
    with pytest.raises(SigsurvInputError, match="time"):
        cox_fit(np.where(np.arange(len(t)) == 2, np.nan, t), e, pd.DataFrame({"s": x}).fillna(0))


def test_ties_everywhere() -> None:
    t, e, x = small_data()
    same = np.full_like(t, 5.0)
    for ties in ("efron", "breslow"):
        with pytest.warns(SigsurvWarning, match="proportional-hazards test not computable"):
            res = cox_fit(same, e, x, ties=ties)
        assert res.well_defined and np.isfinite(res.summary["coef"]).all()
        # every pair of events is tied in time: no comparable pair but censored ones
        assert res.concordance.tied_y + res.concordance.tied_xy == e.sum() * (e.sum() - 1) / 2
    coarse = np.ceil(t / 5)
    res_e = cox_fit(coarse, e, x, ties="efron")
    res_b = cox_fit(coarse, e, x, ties="breslow")
    assert res_e.well_defined and res_b.well_defined
    # Breslow's approximation attenuates the coefficient under heavy ties
    assert abs(res_e.summary["coef"].iloc[0]) > abs(res_b.summary["coef"].iloc[0])


def test_separation_flagged_not_printed() -> None:
    t, e, _ = small_data()
    x = -t  # every death has the largest value of its risk set: monotone likelihood
    with pytest.warns(SigsurvWarning, match="ran out of iterations"):
        res = cox_fit(t, e, pd.DataFrame({"separating": x}))
    # R 3.5-3 on the same data: iter 21, coef 18.98921, se 8.88886, "Ran out of iterations"
    assert res.iterations == 21 and res.converged is False
    assert rel_error(res.summary["coef"].iloc[0], 18.98921) < R_RTOL
    assert rel_error(res.summary["se"].iloc[0], 8.88886) < 1e-5
    assert res.well_defined is False
    assert "NOT WELL DEFINED" in str(res)


def test_bad_arguments() -> None:
    t, e, x = small_data()
    with pytest.raises(SigsurvInputError, match="ties"):
        cox_fit(t, e, x, ties="exact")
    with pytest.raises(SigsurvInputError, match="event"):
        cox_fit(t, e * 2, x)
    with pytest.raises(SigsurvInputError, match="rows"):
        cox_fit(t, e, x[:-1])


def test_model_without_comparable_pairs_still_fits_with_undefined_concordance():
    time = event = [1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0]
    x = np.zeros(19)
    x[-1] = 0.1
    with (
        pytest.warns(SigsurvWarning, match="only 8 events"),
        pytest.warns(SigsurvWarning, match="proportional-hazards test not computable"),
        pytest.warns(SigsurvWarning, match="concordance is undefined"),
    ):
        result = cox_fit(time, event, x)
    assert np.isnan(result.concordance.concordance)
