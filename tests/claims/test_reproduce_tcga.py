"""miR-21 and miR-424/503 claims on TCGA miRNA (log2 RPM+1, primary tumours, CDR endpoints)."""

from __future__ import annotations

import json
import warnings

import pytest

from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
from sigsurv.claims.reproduce import reproduce_claims
from sigsurv.cli import main
from sigsurv.cohorts import load_tcga_folder
from sigsurv.errors import SigsurvWarning
from sigsurv.seeds import get_claim

CLAIMS = ("aacr2010_mir21_trastuzumab_her2_pos", "rodriguez_barrueco2017_mir424_503_loss")


@pytest.fixture(scope="module")
def tcga(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        return load_tcga_folder(data_dir / "TCGA_BRCA")


@pytest.mark.slow
def test_mirna_claims_are_tested_on_tcga(tcga):
    # the treated HER2+ subgroup has 4 PFI events: sigsurv's data-quality warnings (few
    # events, a monotone likelihood) are expected; any other warning is still an error
    with pytest.warns(SigsurvWarning) as caught:
        result = reproduce_claims([tcga], [get_claim(c) for c in CLAIMS], null_random=20)
    assert any("only 4 events" in str(w.message) for w in caught)
    tests = {(t.claim_id, t.signature_id): t for r in result.claims for t in r.tests}
    mir21 = tests[("aacr2010_mir21_trastuzumab_her2_pos", "mir21_mirna")]
    assert mir21.analysis is not None
    assert mir21.endpoint == "pfi" and mir21.endpoint_match == "analogue"
    # The exact population: TCGA's drug table records trastuzumab.
    assert mir21.subgroup == "her2 == 'positive' and trastuzumab == 'yes'"
    assert mir21.population["exactness"] == "exact"
    assert mir21.strata == "machine"  # the sequencing platform stratifies the models
    her2_positive = int((tcga.clinical["her2"] == "positive").sum())
    treated = int(
        ((tcga.clinical["her2"] == "positive") & (tcga.clinical["trastuzumab"] == "yes")).sum()
    )
    assert 0 < mir21.analysis.survival.n <= treated < her2_positive
    loss = tests[("rodriguez_barrueco2017_mir424_503_loss", "mir424_503_mirna")]
    # Issue 21: the closest analogue first (dss before os: deaths from other causes).
    assert loss.analysis is not None and loss.endpoint == "dss"
    assert list(loss.analysis.coverage["found"]) == ["MIR424", "MIR503"]
    # The target-level proxies need mRNA, which TCGA's miRNA matrix does not have.
    assert tests[("rodriguez_barrueco2017_mir424_503_loss", "mir424_503_targets")].verdict == (
        "not testable"
    )
    # Same numbers as a direct, stratified analysis.
    direct = analyse_signature(
        tcga,
        "mir424_503_mirna",
        AnalysisSpec(endpoint="dss", subgroup=None, population=False, strata=loss.strata),
    )
    assert loss.analysis.hazard_ratio_grouped == direct.hazard_ratio_grouped


@pytest.mark.slow
def test_reproduce_cli_with_tcga_shows_mirna_rows_in_report(tmp_path, data_dir):
    code = main(
        [
            "--quiet",
            "reproduce",
            "--cohort",
            str(data_dir / "TCGA_BRCA"),
            "--claim",
            CLAIMS[0],
            "--claim",
            CLAIMS[1],
            "--null-random",
            "0",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    payload = json.loads((tmp_path / "results.json").read_text())
    testable = [r for r in payload["rows"] if r["estimate"] is not None]
    assert {r["signature_id"] for r in testable} == {"mir21_mirna", "mir424_503_mirna"}
    html = (tmp_path / "report.html").read_text()
    assert "mir21_mirna" in html and "TCGA_BRCA" in html


@pytest.mark.slow
def test_tcga_tests_are_stratified_within_machine_with_their_own_null(tcga):
    with pytest.warns(SigsurvWarning) as caught:  # treated HER2+: 4 PFI events
        result = reproduce_claims(
            [tcga], [get_claim(c) for c in CLAIMS], null_random=20, null_random_adjusted=10
        )
    assert any("only 4 events" in str(w.message) for w in caught)
    rows = [row for row in result.rows() if row["hr_per_sd"] is not None]
    assert {r["signature_id"] for r in rows} == {"mir21_mirna", "mir424_503_mirna"}
    for row in rows:
        assert row["strata"] == "machine"
        assert any(note.endswith("cut taken within each stratum") for note in row["notes"])
        assert row["null"]["stratified"] is True and row["null"]["n_sets"] == 10
        assert row["null"]["direction"] in ("protective", "harmful")
        assert row["proxy"] is None  # MIR21 / MIR424 are measured as miRNAs in TCGA
        # The TCGA loader now harmonises age into "age" (the cohorts merge), chosen first.
        covariates = row["adjusted"]["clinical"]["covariates"]
        assert {"age", "age_at_initial_pathologic_diagnosis"} & set(covariates)
        # No mRNA: the proliferation adjustment says why it is missing.
        assert "cannot be scored" in row["adjusted"]["proliferation"]["not_computed"]
        assert row["verdict"] in (
            "consistent",
            "consistent, not better than random signatures",
            "contradicted",
            "effect of the claimed size excluded",
            "inconclusive",
            "not informative",
        )
    mir21 = next(r for r in rows if r["signature_id"] == "mir21_mirna")
    assert mir21["subgroup"] == "her2 == 'positive' and trastuzumab == 'yes'"
    assert "er" in mir21["adjusted"]["clinical"]["covariates"]
