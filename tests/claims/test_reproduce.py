"""End-to-end: `sigsurv reproduce` and `sigsurv survival` on the bundled cohorts."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from fixtures import SMALL_MODEL_WARNINGS

from sigsurv import load_example
from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
from sigsurv.claims.reproduce import VERDICTS, reproduce_claims
from sigsurv.cli import main
from sigsurv.errors import SigsurvWarning
from sigsurv.seeds import get_claim, list_claims


@pytest.fixture(scope="module")
def reproduce_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code = main(["--quiet", "reproduce", "--out", str(out), "--null-random", "30"])
    assert code == 0
    return out


@pytest.mark.slow
def test_reproduce_writes_report_json_and_figures(reproduce_run):
    out = reproduce_run
    assert (out / "report.html").stat().st_size > 10_000
    payload = json.loads((out / "results.json").read_text())
    assert payload["cohorts"] == ["gse1992", "gse3143", "gse4335", "nki70"]
    rows = payload["rows"]
    claim_ids = {c.id for c in list_claims() if c.signature_id}
    # A row per claim x cohort (x signature, primary and proxies).
    assert {(r["claim_id"], r["cohort"]) for r in rows} == {
        (c, k) for c in claim_ids for k in payload["cohorts"]
    }
    for row in rows:
        assert row["verdict"] in VERDICTS
        assert row["reason"]
        assert row["paper"]["statistic"]
        if row["verdict"] == "not testable":
            assert row["estimate"] is None
        else:
            assert row["estimate"]["hr_grouped"]["hr"] > 0
    pngs = sorted((out / "figures").glob("*.png"))
    assert any(p.name.startswith("forest_") for p in pngs)
    assert any(p.name.startswith("km_") for p in pngs)
    assert all(p.stat().st_size > 5_000 for p in pngs)
    # The miR-21 2x2 table is recomputed with the exact test.
    mir21 = next(c for c in payload["claims"] if c["claim_id"].startswith("aacr2010_mir21"))
    table = mir21["published_table_recomputed"]
    assert table["fisher_p"] == pytest.approx(0.007042, rel=1e-3)
    # Recomputing the authors' own counts checks arithmetic, not biology (issue 11).
    assert table["verdict"] == "published table recomputed"
    assert "odds ratio" in table["reason"] and "HR" not in table["reason"]


@pytest.mark.slow
def test_report_is_self_contained(reproduce_run):
    html = (reproduce_run / "report.html").read_text()
    assert "<img" in html
    sources = re.findall(r'src="([^"]+)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in html and "https://" not in html.replace("https://doi", "")


@pytest.mark.slow
def test_report_numbers_come_from_the_survival_engine(reproduce_run):
    payload = json.loads((reproduce_run / "results.json").read_text())
    row = next(
        r
        for r in payload["rows"]
        if r["claim_id"] == "gawrzak2018_msk1_mfs_er_pos"
        and r["cohort"] == "gse1992"
        and r["signature_id"] == "msk1_rps6ka5"
    )
    direct = analyse_signature(
        load_example("gse1992"), "msk1_rps6ka5", AnalysisSpec(endpoint="rfs")
    )
    assert row["estimate"]["hr_grouped"]["hr"] == direct.hazard_ratio_grouped["hr"]
    assert row["estimate"]["hr_grouped"]["p_wald"] == direct.hazard_ratio_grouped["p_wald"]
    assert "hr_per_sd" not in row["estimate"]  # one HR, once: the row's hr_per_sd
    html = (reproduce_run / "report.html").read_text()
    per_sd = direct.hazard_ratio_per_sd  # the primary statistic since issue 11
    assert row["hr_per_sd"]["hr"] == per_sd["hr"]
    assert f"{per_sd['hr']:.2f} ({per_sd['ci_lower']:.2f}–{per_sd['ci_upper']:.2f})" in html


def test_untestable_reasons_are_specific():
    result = reproduce_claims(
        [load_example("gse4335"), load_example("nki70")],
        [get_claim("gawrzak2018_msk1_mfs_er_pos")],
        include_proxies=False,
        null_random=0,
    )
    reasons = {t.cohort: t.reason for t in result.claims[0].tests}
    assert "no matching endpoint" in reasons["gse4335"]
    assert "0 of 1 genes found" in reasons["nki70"]


@pytest.mark.slow
def test_survival_command_outputs_and_determinism(tmp_path, capsys):
    arguments = [
        "--quiet",
        "survival",
        "gse1992",
        "--signature",
        "msk1_rps6ka5",
        "--horizon",
        "60",
        "--covariates",
        "age,grade,node",
        "--cut",
        "optimal",
    ]
    assert main([*arguments, "--out", str(tmp_path / "a")]) == 0
    assert main([*arguments, "--out", str(tmp_path / "b")]) == 0
    first = (tmp_path / "a" / "results.json").read_bytes()
    assert first == (tmp_path / "b" / "results.json").read_bytes()
    for name in ("km.png", "km.pdf", "forest.png", "scores.tsv", "run.json"):
        assert (tmp_path / "a" / name).stat().st_size > 0
    results = json.loads(first)
    for key in (
        "n",
        "events",
        "cut",
        "groups",
        "logrank",
        "cox_grouped",
        "cox_continuous_per_sd",
        "concordance",
        "ph_test",
        "maxstat",
    ):
        assert key in results
    assert results["n"] == 72
    maxstat = results["maxstat"]
    # The optimal cut never comes with the naive p alone.
    assert {"p_lau92", "p_lau94", "naive_logrank_p"} <= set(maxstat)
    manifest = json.loads((tmp_path / "a" / "run.json").read_text())
    assert manifest["signatures"] == [{"id": "msk1_rps6ka5", "version": "1"}]
    assert manifest["seed"] == 20240101
    assert manifest["versions"]["sigsurv"]
    capsys.readouterr()
    assert main(["survival", "gse1992", "--signature", "msk1_rps6ka5", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["groups"][0]["group"] == "low"
    assert np.isfinite(printed["cox_grouped"]["hr"])


def test_survival_command_refuses_unsafe_subgroup(capsys):
    code = main(
        [
            "survival",
            "gse1992",
            "--signature",
            "msk1_rps6ka5",
            "--subgroup",
            "__import__('os').system('true')",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.count("error:") == 1


def test_strata_columns_come_from_the_cohort_or_the_caller():
    import dataclasses

    cohort = load_example("gse1992")
    claim = get_claim("gawrzak2018_msk1_mfs_er_pos")

    def first_test(cohorts, **options):
        # 12-13 events for 6 clinical parameters: the adjusted estimates are flagged
        with pytest.warns(SigsurvWarning, match=SMALL_MODEL_WARNINGS):
            result = reproduce_claims(
                cohorts, [claim], include_proxies=False, null_random=0, **options
            )
        return result.claims[0].tests[0]

    assert cohort.strata_columns == ()  # a bundled cohort has no technical batch
    assert first_test([cohort]).strata is None
    by_node = dataclasses.replace(cohort, strata_columns=("node",))
    assert first_test([by_node]).strata == "node"
    assert first_test([cohort], strata_columns=["node"]).strata == "node"
    assert first_test([by_node], strata_columns=[]).strata is None


@pytest.mark.slow
def test_reproduce_defects_of_issue_11_are_gone(reproduce_run):
    payload = json.loads((reproduce_run / "results.json").read_text())
    for record in payload["claims"]:
        assert record["summary"]
        for pool in record["pools"]:
            assert 0 <= pool["i2"] <= 100  # a percentage, not multiplied again
            assert all(
                set(s) == {"cohort", "hr", "lower", "upper", "weight"} for s in pool["studies"]
            )
    rows = [r for r in payload["rows"] if r["hr_per_sd"] is not None]
    assert rows
    for row in rows:
        assert row["verdict"] != "not testable"
        assert row["events"] > 0
        if row["power"]["test"] != "TOST":  # a null claim's power is TOST's, at HR 1
            assert row["power"]["min_detectable_hr"] > 0
        assert row["p_holm"] is not None and row["q_bh"] is not None
        assert set(row["adjusted"]) == {"clinical", "proliferation"}
        optimal = next(c for c in row["cut_rows"] if c["cut"] == "optimal")
        assert optimal["optimistic"] and "corrected" in optimal
    by_test = {}
    for row in rows:
        by_test.setdefault(row["test_id"], []).append(row["claim_id"])
    shared = [claims for claims in by_test.values() if len(set(claims)) > 1]
    # The two MSK1 ER+ claims run the identical test on gse1992: computed once, shared.
    assert any(
        {"gawrzak2018_msk1_mfs_er_pos", "gawrzak2018_msk1_bone_relapse_5y_er_pos"} <= set(c)
        for c in shared
    )
    # Each null row belongs to its own test (subgroup included).
    for null in payload["random_signature_null"]:
        row = next(r for r in rows if r["test_id"] == null["test_id"])
        assert null["subgroup"] == row["subgroup"] and null["n_sets"] == 30
    # A 13-event test reads "not informative", never "same direction, not significant".
    msk1 = next(
        r
        for r in rows
        if r["claim_id"] == "gawrzak2018_msk1_mfs_er_pos" and r["signature_id"] == "msk1_rps6ka5"
    )
    assert msk1["verdict"] == "not informative" and "13 events" in msk1["reason"]
    assert "p = 0.05" not in (reproduce_run / "report.html").read_text()


def test_summary_reports_proxies_when_the_claims_own_signature_is_not_measured():
    claim = get_claim("rodriguez_barrueco2017_mir424_503_loss")
    with pytest.warns(SigsurvWarning, match="clinical adjustment: 38 events for 7 parameters"):
        record = reproduce_claims([load_example("gse4335")], [claim], null_random=0).claims[0]
    own = [t for t in record.tests if t.signature_role == "primary"]
    assert own and all(t.verdict == "not testable" for t in own)
    assert "proxy mir424_503_targets (not the claim's own measurement)" in record.summary
    proxy_line = record.summary.split("proxy", 1)[1]
    # Issue 21: the contradicting cohort is named and the ER adjustment is said.
    assert "of 1 informative cohort" in proxy_line
    assert "(gse4335)" in proxy_line and "er-adjusted in gse4335" in proxy_line
