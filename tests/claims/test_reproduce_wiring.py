"""reproduce on the claims' exact populations and endpoints: competing risks for bone
relapse, HER2+ trastuzumab-treated patients, copy-number loss groups, AnnData input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from fixtures import SMALL_MODEL_WARNINGS

from sigsurv.analysis.signature import AnalysisSpec, analyse_scores, analyse_signature
from sigsurv.claims.reproduce import reproduce_claims
from sigsurv.cli import main
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.errors import SigsurvWarning
from sigsurv.seeds import get_claim
from sigsurv.survival.competing import cause_specific_cox, fine_gray

BONE = "gawrzak2018_msk1_bone_relapse_5y_er_pos"
MIR21 = "aacr2010_mir21_trastuzumab_her2_pos"
LOSS = "rodriguez_barrueco2017_mir424_503_loss"


def _bone_cohort(n: int = 300, seed: int = 7) -> Cohort:
    """Seeded cohort: MSK1 (RPS6KA5) lowers the bone-relapse hazard; two competing causes."""
    rng = np.random.default_rng(seed)
    samples = [f"P{i:03d}" for i in range(n)]
    genes = ["RPS6KA5", "GATA3", "FOXA1", "ESR1", "MKI67"]
    expression = pd.DataFrame(rng.normal(size=(len(genes), n)), index=genes, columns=samples)
    z = expression.loc["RPS6KA5"].to_numpy()
    hazards = np.column_stack(
        [0.012 * np.exp(-0.7 * z), np.full(n, 0.006), np.full(n, 0.004)]
    )  # per month: bone relapse, other first relapse, death
    times = rng.exponential(1.0 / hazards)
    first = times.argmin(axis=1)
    event_time = times.min(axis=1)
    censor = rng.uniform(24, 150, size=n)
    cause = np.where(event_time <= censor, first + 1, 0)
    clinical = pd.DataFrame(
        {
            "cr_time": np.minimum(event_time, censor),
            "cr_cause": cause,
            "er": rng.choice(["positive", "negative"], size=n, p=[0.8, 0.2]),
        },
        index=pd.Index(samples, name="sample"),
    )
    endpoint = Endpoint(
        "bone_relapse_cr",
        "cr_time",
        "cr_cause",
        unit="months",
        causes=("bone relapse", "other first relapse", "death"),
    )
    return Cohort(
        "synthetic_bone", expression, clinical, competing_endpoints={"bone_relapse_cr": endpoint}
    )


def test_bone_claim_is_tested_on_the_exact_competing_risk_endpoint():
    cohort = _bone_cohort()
    result = reproduce_claims([cohort], [get_claim(BONE)], include_proxies=False, null_random=0)
    payload = json.loads(json.dumps(result.to_dict(), default=str))
    (row,) = payload["rows"]
    assert row["endpoint"] == "bone_relapse_cr" and row["endpoint_exactness"] == "exact"
    assert row["population"]["expression"] == "er == 'positive'"
    assert row["population"]["exactness"] == "exact"
    cr = row["competing_risks"]
    assert (cr["method"], cr["cause"], cr["cause_label"]) == ("competing_risks", 1, "bone relapse")
    assert cr["horizon"] == pytest.approx(60.0)  # the claim's 5 years, in months
    assert set(cr["gray_test"]) >= {"statistic", "p"}
    assert cr["cumulative_incidence"] and all(
        r["time"] == pytest.approx(60.0) for r in cr["cumulative_incidence"]
    )
    # The primary statistic is the cause-specific HR per SD, recomputed directly.
    er_pos = cohort.subset("er == 'positive'")
    time, cause = er_pos.competing_risks("bone_relapse_cr")
    cause = np.where(time > 60, 0, cause)
    time = np.minimum(time, 60)
    score = er_pos.expression.loc["RPS6KA5"].to_numpy()
    covariate = pd.DataFrame({"score_per_sd": (score - score.mean()) / score.std(ddof=1)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        cs = cause_specific_cox(time, cause, covariate, cause=1)
        fg = fine_gray(time, cause, covariate, cause=1)
    expected_hr = float(np.exp(cs.summary.loc["score_per_sd", "coef"]))
    assert "cause_specific" not in cr  # the row's hr_per_sd: one HR, once
    assert row["hr_per_sd"]["hr"] == pytest.approx(expected_hr, rel=1e-9)
    assert cr["fine_gray"]["kind"] == "subdistribution"
    assert cr["fine_gray"]["hr"] == pytest.approx(float(np.exp(fg.coef["score_per_sd"])), rel=1e-9)
    # Simulated protective effect (log HR -0.7 per SD): the verdict follows the claim.
    assert expected_hr < 1 and row["verdict"] == "consistent"
    assert row["events"] == int((cause == 1).sum())
    assert row["adjusted"]["not_computed"].startswith("not computed on a competing-risk")
    assert row["p_holm"] == pytest.approx(row["hr_per_sd"]["p_wald"])


def test_bone_claim_without_sites_uses_the_labelled_analogue():
    from sigsurv import load_example

    # 12-13 events for the clinical model: flagged unstable / not well defined
    with pytest.warns(SigsurvWarning, match=SMALL_MODEL_WARNINGS):
        result = reproduce_claims(
            [load_example("gse1992")], [get_claim(BONE)], include_proxies=False, null_random=0
        )
    (row,) = result.rows()
    assert row["competing_risks"] is None
    assert row["endpoint"] == "rfs" and row["endpoint_exactness"] == "analogue"
    assert "analogue" in row["reason"]


def _mirna_cohort(n: int = 200, seed: int = 3) -> Cohort:
    """Seeded cohort with MIR424/MIR503, HER2 and trastuzumab fields and MIR424 calls."""
    rng = np.random.default_rng(seed)
    samples = [f"S{i:03d}" for i in range(n)]
    expression = pd.DataFrame(
        rng.normal(size=(4, n)), index=["MIR424", "MIR503", "MIR21", "MIR155"], columns=samples
    )
    calls = rng.choice([-2, -1, 0, 0, 0, 1], size=n)
    loss = calls < 0
    time = rng.exponential(80 / np.where(loss, 2.0, 1.0))
    censor = rng.uniform(20, 150, size=n)
    clinical = pd.DataFrame(
        {
            "os_time": np.minimum(time, censor),
            "os_event": (time <= censor).astype(int),
            "pfi_time": np.minimum(time, censor),
            "pfi_event": (time <= censor).astype(int),
            "her2": rng.choice(["positive", "negative"], size=n),
            "trastuzumab": rng.choice(["yes", "no"], size=n),
            "cna_MIR424": pd.array(calls, dtype="Int8"),
        },
        index=pd.Index(samples, name="sample"),
    )
    endpoints = {
        name: Endpoint(name, f"{name}_time", f"{name}_event", unit="months")
        for name in ("os", "pfi")
    }
    return Cohort("synthetic_mirna", expression, clinical, endpoints=endpoints)


def test_loss_claim_compares_loss_with_no_loss_when_calls_exist():
    from sigsurv.survival.cox import cox_fit

    cohort = _mirna_cohort()
    result = reproduce_claims([cohort], [get_claim(LOSS)], include_proxies=False, null_random=0)
    (row,) = result.rows()
    assert row["population"]["exactness"] == "exact"
    assert "cna_MIR424" in row["population"]["expression"]
    record = row["copy_number"]
    assert record["comparison"] == "loss vs no loss"
    assert record["expected_direction"] == "harmful"  # loss of a protective locus
    os_time, os_event = cohort.survival("os")
    loss = (cohort.clinical["cna_MIR424"] < 0).to_numpy(dtype=float)
    direct = cox_fit(os_time, os_event, pd.DataFrame({"loss": loss}))
    assert record["hr"] == pytest.approx(float(direct.summary.loc["loss", "hr"]), rel=1e-9)
    assert record["altered"] == int(loss.sum()) and record["n"] == cohort.n_samples
    assert record["hr"] > 1 and record["verdict"] == "consistent"
    assert "copy number (cna_MIR424): loss vs no loss HR" in row["reason"]


def test_loss_claim_without_calls_is_the_labelled_expression_analogue():
    cohort = _mirna_cohort()
    cohort = Cohort(
        cohort.name,
        cohort.expression,
        cohort.clinical.drop(columns="cna_MIR424"),
        endpoints=cohort.endpoints,
    )
    result = reproduce_claims([cohort], [get_claim(LOSS)], include_proxies=False, null_random=0)
    (row,) = result.rows()
    assert row["copy_number"] is None
    assert row["population"]["exactness"] == "analogue"
    assert "no copy-number call" in row["population"]["reason"]
    assert "used as an analogue" in row["reason"]


def test_mir21_claim_uses_the_treated_population_when_recorded():
    cohort = _mirna_cohort()
    result = reproduce_claims([cohort], [get_claim(MIR21)], include_proxies=False, null_random=0)
    (row,) = result.rows()
    assert row["subgroup"] == "her2 == 'positive' and trastuzumab == 'yes'"
    assert row["population"]["exactness"] == "exact"
    treated = (cohort.clinical["her2"] == "positive") & (cohort.clinical["trastuzumab"] == "yes")
    assert row["n"] == int(treated.sum())


def test_analyses_accept_an_anndata_cohort():
    pytest.importorskip("anndata")
    from sigsurv import load_example

    cohort = load_example("gse1992")
    adata = cohort.to_anndata()
    from_adata = analyse_signature(adata, "msk1_rps6ka5", AnalysisSpec(endpoint="rfs"))
    direct = analyse_signature(cohort, "msk1_rps6ka5", AnalysisSpec(endpoint="rfs"))
    assert from_adata.hazard_ratio_per_sd == direct.hazard_ratio_per_sd
    esr1 = cohort.expression.loc["ESR1"]
    scored = analyse_scores(adata, esr1, signature_id="ESR1", endpoint="rfs")
    assert (
        scored.hazard_ratio_grouped
        == analyse_scores(cohort, esr1, signature_id="ESR1", endpoint="rfs").hazard_ratio_grouped
    )


@pytest.mark.slow
def test_reproduce_on_tcga_bone_claims_and_treated_mir21(tmp_path, data_dir):
    """TCGA has the exact bone-relapse endpoint but only miRNA: the bone claims' genes
    (IRF7 proxy, RPS6KA5) are absent, so they are not testable there, saying so."""
    claims = [BONE, "bidwell2012_irf7_bmfs", MIR21]
    args = ["--quiet", "reproduce", "--cohort", str(data_dir / "TCGA_BRCA")]
    for claim in claims:
        args += ["--claim", claim]
    assert main([*args, "--null-random", "0", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "results.json").read_text())["rows"]
    bone = [r for r in rows if r["claim_id"] in claims[:2]]
    assert bone
    for row in bone:
        assert row["verdict"] == "not testable"
        assert row["endpoint"] == "bone_relapse_cr" and row["endpoint_exactness"] == "exact"
        assert "genes found" in row["reason"] and "competing risks" in row["reason"]
    (mir21,) = [r for r in rows if r["signature_id"] == "mir21_mirna"]
    assert mir21["population"] == {
        "expression": "her2 == 'positive' and trastuzumab == 'yes'",
        "label": "HER2+ patients treated with trastuzumab",
        "exactness": "exact",
        "reason": "",
    }
    assert 0 < mir21["n"] <= 66


def test_loss_comparison_runs_when_the_signature_cannot_be_scored():
    from sigsurv.survival.cox import cox_fit

    cohort = _mirna_cohort()
    cohort = Cohort(
        cohort.name,
        cohort.expression.drop(index=["MIR424", "MIR503"]),
        cohort.clinical,
        endpoints=cohort.endpoints,
    )
    result = reproduce_claims([cohort], [get_claim(LOSS)], include_proxies=False, null_random=0)
    (row,) = result.rows()
    assert row["verdict"] == "not testable" and "genes found" in row["reason"]
    os_time, os_event = cohort.survival("os")
    loss = (cohort.clinical["cna_MIR424"] < 0).to_numpy(dtype=float)
    direct = cox_fit(os_time, os_event, pd.DataFrame({"loss": loss}))
    assert row["copy_number"]["hr"] == pytest.approx(float(direct.summary.loc["loss", "hr"]))
    assert "loss vs no loss HR" in row["reason"]
