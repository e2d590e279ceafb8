"""Claims on their exact endpoints and populations: bone relapse with competing risks on
TCGA-CDR, HER2+ trastuzumab-treated patients, copy-number loss groups."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from sigsurv.claims.populations import copy_number_groups, population_for
from sigsurv.claims.site_specific import choose_site_endpoint, test_site_specific
from sigsurv.cohorts.cbioportal import load_cbioportal
from sigsurv.cohorts.copy_number import read_cna_table
from sigsurv.cohorts.tcga import load_tcga
from sigsurv.seeds import get_claim
from sigsurv.seeds.schema import CopyNumberGroup
from sigsurv.survival.competing import cause_specific_cox, fine_gray

BONE_CLAIMS = ["bidwell2012_irf7_bmfs", "gawrzak2018_msk1_bone_relapse_5y_er_pos"]


@pytest.fixture(scope="module")
def tcga(data_dir, tmp_path_factory):
    """TCGA-CDR + Firehose clinical, with one seeded random expression row."""
    folder = data_dir / "TCGA_BRCA"
    cdr = folder / "survival_tcga_cdr_brca.tsv"
    barcodes = pd.read_csv(cdr, sep="\t", usecols=["bcr_patient_barcode"])["bcr_patient_barcode"]
    rng = np.random.default_rng(11)
    expression = pd.DataFrame(
        rng.normal(size=(1, len(barcodes))),
        index=pd.Index(["MIR21"], name="gene"),
        columns=[f"{b}-01A" for b in barcodes],
    )
    path = tmp_path_factory.mktemp("tcga_claims") / "expression.tsv"
    expression.to_csv(path, sep="\t")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_tcga(
            path,
            [cdr, folder / "clinical_firehose_merged.tsv.gz"],
            harmonise=False,
            transform="none",
        )


@pytest.mark.parametrize("claim_id", BONE_CLAIMS)
def test_bone_claims_use_the_competing_risk_endpoint(tcga, claim_id):
    endpoint, cause, exactness, reason = choose_site_endpoint(get_claim(claim_id), tcga)
    assert (endpoint, cause, exactness) == ("bone_relapse_cr", 1, "exact")
    assert "death without new tumour event" in reason


def test_site_specific_test_on_tcga_matches_the_direct_fits(tcga):
    scores = tcga.expression.loc["MIR21"]
    out = test_site_specific(tcga, scores, "bone_relapse_cr", 1, horizon=60, horizon_unit="months")
    assert out["method"] == "competing_risks" and out["horizon"] == pytest.approx(1826.25)
    time, cause = tcga.competing_risks("bone_relapse_cr")
    known = np.isfinite(time) & np.isfinite(cause)
    time, cause = time[known], cause[known]
    cause = np.where(time > 1826.25, 0, cause)
    time = np.minimum(time, 1826.25)
    z = scores[tcga.samples[known]].to_numpy()
    z = (z - z.mean()) / z.std(ddof=1)
    covariate = pd.DataFrame({"score_per_sd": z})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs = cause_specific_cox(time, cause, covariate, cause=1)
        fg = fine_gray(time, cause, covariate, cause=1)
    assert out["primary"]["per_sd"]["coef"] == pytest.approx(cs.summary.loc["score_per_sd", "coef"])
    assert out["secondary"]["per_sd"]["coef"] == pytest.approx(fg.coef["score_per_sd"])
    assert out["events"]["bone relapse"] == int((cause == 1).sum())
    assert out["events"]["bone relapse"] <= 34


def test_claim_falls_back_to_a_labelled_analogue():
    from sigsurv import load_example

    cohort = load_example("gse1992")
    endpoint, cause, exactness, reason = choose_site_endpoint(get_claim(BONE_CLAIMS[0]), cohort)
    assert (endpoint, cause, exactness) == ("rfs", None, "analogue")
    assert "records no bone relapse" in reason
    out = test_site_specific(cohort, cohort.expression.loc["ESR1"], endpoint, cause)
    assert out["secondary"] is None and out["method"] == "cox"


def test_mir21_population_is_her2_trastuzumab_on_tcga(tcga):
    claim = get_claim("aacr2010_mir21_trastuzumab_her2_pos")
    expression, label, exactness, reason = population_for(claim, tcga)
    assert expression == "her2 == 'positive' and trastuzumab == 'yes'"
    assert exactness == "exact" and reason == ""
    clinical = tcga.clinical
    expected = int(((clinical["her2"] == "positive") & (clinical["trastuzumab"] == "yes")).sum())
    # Issue 12: TCGA records trastuzumab for 66 of 197 HER2+ patients.
    assert tcga.subset(expression).n_samples == expected == 66
    assert int((clinical["her2"] == "positive").sum()) == 197
    without = dataclasses.replace(tcga, clinical=clinical.drop(columns="trastuzumab"))
    expression, label, exactness, reason = population_for(claim, without)
    assert (expression, exactness) == ("her2 == 'positive'", "analogue")
    assert "trastuzumab" in reason and "analogue" in label


def test_copy_number_loss_groups_on_study_es_0(data_dir):
    study = data_dir / "formats" / "cBioPortal_study_es_0" / "study_es_0"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = load_cbioportal(study, copy_number_genes=["AGRN"])
    claim = get_claim("rodriguez_barrueco2017_mir424_503_loss")
    # No MIR424/MIR503 call in this study: analogue (expression), reason in words.
    expression, label, exactness, reason = population_for(claim, cohort)
    assert expression is None and "expression stands in" in label
    assert exactness == "analogue" and "no copy-number call of MIR424, MIR503" in reason
    # The same claim on a locus the study has (AGRN) is exact, with the file's counts.
    agrn = dataclasses.replace(
        claim, copy_number=CopyNumberGroup(genes=("AGRN",), locus="1p36.33", calls=(-2, -1))
    )
    expression, _, exactness, reason = population_for(agrn, cohort)
    assert exactness == "exact" and expression == "cna_AGRN >= -2"
    groups = copy_number_groups(agrn, cohort)
    calls = read_cna_table(study / "data_cna_discrete.txt").loc["AGRN"].reindex(cohort.samples)
    assert int((groups == "loss").sum()) == int(calls.isin([-2, -1]).sum())
    assert int(groups.isna().sum()) == int(calls.isna().sum())
    assert cohort.subset(expression).n_samples == int(calls.notna().sum())


def test_assess_site_claim_on_tcga(tcga):
    from sigsurv.claims.site_specific import assess_site_claim

    claim = get_claim("gawrzak2018_msk1_bone_relapse_5y_er_pos")
    out = assess_site_claim(claim, tcga, tcga.expression.loc["MIR21"])
    assert out["testable"] and out["population"]["subgroup"] == "er == 'positive'"
    assert (out["endpoint"], out["cause"], out["endpoint_exactness"]) == (
        "bone_relapse_cr",
        1,
        "exact",
    )
    assert out["horizon"] == pytest.approx(1826.25)  # 60 months in days
    er_positive = tcga.subset("er == 'positive'")
    direct = test_site_specific(
        er_positive, tcga.expression.loc["MIR21"], "bone_relapse_cr", 1, 60, horizon_unit="months"
    )
    assert out["primary"] == direct["primary"] and out["secondary"] == direct["secondary"]
