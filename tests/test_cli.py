"""The CLI's successful paths: every command runs on real data and prints what it promises."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sigsurv.cli import main


def run(capsys, *arguments):
    code = main(list(arguments))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_cohort_info_json(capsys):
    code, out, _ = run(capsys, "cohort", "info", "gse1992", "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["samples"] == 124
    assert summary["endpoints"]["rfs"] == {
        **summary["endpoints"]["rfs"],
        "events": 35,
        "unit": "months",
        "n": 124,
    }
    assert summary["gene_identifiers"]["renamed"]["TMEM49"] == "VMP1"


def test_cohort_info_table_and_subgroup(capsys):
    code, out, _ = run(capsys, "cohort", "info", "gse1992", "--subgroup", "er == 'negative'")
    assert code == 0
    assert "50 samples" in out
    assert "relapse-free survival" in out


def test_cohorts_list(capsys):
    code, out, _ = run(capsys, "cohorts", "list", "--json")
    assert code == 0
    assert [row["name"] for row in json.loads(out)] == ["gse1992", "gse3143", "gse4335", "nki70"]


def test_signatures_list_json_has_provenance(capsys):
    code, out, _ = run(capsys, "signatures", "list", "--json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["msk1_rps6ka5"]["n_genes"] == 1
    assert rows["msk1_rps6ka5"]["doi"] == "10.1038/s41556-017-0021-z"
    assert rows["msk1_rps6ka5"]["seed_document"] == "004_5c88e53fffd63dd8.txt"
    # Every claim signature cites its seed; the proliferation reference covariates have none.
    reference = {"pam50_proliferation", "oncotype_proliferation"}
    assert all(row["seed_document"] for row in rows.values() if row["id"] not in reference)
    assert all(not rows[name]["seed_document"] for name in reference)


def test_signatures_show_and_export_round_trip(capsys, tmp_path):
    code, out, _ = run(capsys, "signatures", "show", "mir424_503_targets", "--json")
    assert code == 0
    record = json.loads(out)
    assert [g["symbol"] for g in record["genes"]] == ["BCL2", "IGF1R", "CDC25A"]
    assert any("ER" in caveat for caveat in record["caveats"])
    code, out, _ = run(capsys, "signatures", "export", "msk1_luminal", "--format", "gmt")
    assert code == 0
    assert out.split("\t")[0] == "msk1_luminal"
    gmt = tmp_path / "mine.gmt"
    gmt.write_text(out)
    code, out, _ = run(capsys, "signatures", "show", str(gmt), "--json")
    assert code == 0
    assert [g["symbol"] for g in json.loads(out)["genes"]] == ["RPS6KA5", "GATA3", "FOXA1"]


def test_score_command_writes_tsv_and_parquet(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "--quiet",
        "score",
        "gse4335",
        "-s",
        "irf7_bone_proxy",
        "-s",
        "msk1_luminal",
        "--method",
        "ssgsea",
    )
    assert code == 0
    printed = pd.read_csv(pd.io.common.StringIO(out), sep="\t", index_col=0)
    assert printed.shape == (115, 2)
    parquet = tmp_path / "scores.parquet"
    code, _, _ = run(
        capsys, "--quiet", "score", "gse4335", "-s", "irf7_bone_proxy", "--out", str(parquet)
    )
    assert code == 0
    assert pd.read_parquet(parquet).shape == (115, 1)


def test_score_refuses_a_signature_without_genes(capsys):
    code, _, err = run(capsys, "score", "nki70", "-s", "msk1_rps6ka5")
    assert code == 2
    assert err.count("error:") == 1
    assert "0 of 1 genes" in err


def test_survival_prints_tables(capsys):
    code, out, _ = run(
        capsys, "survival", "gse4335", "--signature", "irf7_bone_proxy", "--cut", "tertile"
    )
    assert code == 0
    assert "Hazard ratios" in out
    assert "T3" in out


@pytest.mark.parametrize("flag", ["--help"])
def test_every_command_has_help(capsys, flag):
    for command in (
        ["cohort", "info"],
        ["cohorts", "list"],
        ["signatures", "list"],
        ["score"],
        ["survival"],
        ["reproduce"],
        ["scan"],
    ):
        code, out, _ = run(capsys, *command, flag)
        assert code == 0
        assert "Usage" in out


def test_survival_records_the_subgroup_in_results_and_manifest(capsys, tmp_path):
    code, _, _ = run(
        capsys,
        "--quiet",
        "survival",
        "gse1992",
        "-s",
        "msk1_rps6ka5",
        "--subgroup",
        "node == 'positive'",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["endpoint"]["subgroup"] == "(node == 'positive') and (er == 'positive')"
    assert results["analysis"]["subgroup"] == "node == 'positive'"
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert manifest["options"]["analysis"] == results["analysis"]
    definition = manifest["signature_definitions"][0]
    assert definition["id"] == "msk1_rps6ka5" and len(definition["sha256"]) == 64
    assert definition["file"] in [entry["path"] for entry in manifest["inputs"]]
    engine = manifest["options"]["scoring_engine"]
    assert engine["used"] in ("numba", "numpy") and engine["method"] == results["method"]
    assert "numba" in manifest["versions"] and engine["numba"] == manifest["versions"]["numba"]


def test_version_and_json_never_contain_nan(capsys):
    from sigsurv._version import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"sigsurv {__version__}"
    code, out, _ = run(capsys, "survival", "gse4335", "-s", "irf7_bone_proxy", "--json")
    assert code == 0
    assert "NaN" not in out and "Infinity" not in out
    json.loads(out)


def test_cli_method_list_matches_the_registry():
    from sigsurv.cli import SCORING_METHODS
    from sigsurv.scoring import list_methods

    assert set(SCORING_METHODS) == set(list_methods().index)


def test_score_json_threads_and_global_options_after_the_subcommand(capsys):
    arguments = ["gse1992", "-s", "msk1_luminal", "-m", "ssgsea", "--threads", "1", "--json"]
    code, out, err = run(capsys, "score", *arguments, "-q")
    assert code == 0 and "note:" not in err  # -q after the subcommand: no notes
    payload = json.loads(out)
    assert payload["method"] == "ssgsea" and len(payload["scores"]) == 124
    assert set(payload["scores"][0]) == {"sample", "msk1_luminal"}
    code, _, err = run(capsys, "score", "gse1992", "-s", "msk1_luminal", "--threads", "2")
    assert code == 2 and "--threads does not apply to method mean_z" in err


def test_citation_file_names_the_package_version():
    from pathlib import Path

    from sigsurv._version import __version__

    citation = (Path(__file__).resolve().parents[1] / "CITATION.cff").read_text()
    assert f"\nversion: {__version__}\n" in citation
