"""``sigsurv claims ...`` and ``sigsurv reproduce --claims``: user claim records on the CLI."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from sigsurv.cli import main

HAND_WRITTEN = Path(__file__).resolve().parent / "data" / "claims" / "proliferation_rfs.yaml"
CLAIM_ID = "example2024_proliferation_rfs"


def run(capsys, *arguments):
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


def test_claims_validate_accepts_the_hand_written_record(capsys):
    code, out, _ = run(capsys, "claims", "validate", HAND_WRITTEN)
    assert code == 0
    said = " ".join(out.split())  # wrapped at the terminal's width, never cut
    assert f"{HAND_WRITTEN}: valid claim record (source 10.1000/182), 1 claim: {CLAIM_ID}" in said
    code, out, _ = run(capsys, "claims", "validate", HAND_WRITTEN, "--json")
    info = json.loads(out)[0]
    assert info["claims"] == [CLAIM_ID] and len(info["sha256"]) == 64


def _variant(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_claims_validate_refuses_in_one_line_naming_file_line_and_key(capsys, tmp_path):
    text = HAND_WRITTEN.read_text()
    start, end = text.index("    endpoint_match:"), text.index("    population: all")
    missing = _variant(tmp_path, "missing.yaml", text[:start] + text[end:])
    code, _, err = run(capsys, "claims", "validate", missing)
    assert code == 2
    line = _one_error_line(err)
    assert re.match(rf"{re.escape(str(missing))}:15:5: .*required key 'endpoint_match'", line)

    unknown = _variant(
        tmp_path,
        "unknown.yaml",
        text.replace("    value: 1.5\n", "    value: 1.5\n    pvalue: 1\n"),
    )
    code, _, err = run(capsys, "claims", "validate", unknown)
    assert code == 2
    line = _one_error_line(err)
    assert re.match(rf"{re.escape(str(unknown))}:21:5: unknown field 'pvalue'", line)
    assert "did you mean 'p_value'?" in line

    start, end = text.index("  - id: example2024"), text.index("signatures:")
    duplicated = _variant(tmp_path, "dup.yaml", text[:end] + text[start:end] + text[end:])
    code, _, err = run(capsys, "claims", "validate", duplicated)
    assert code == 2
    line = _one_error_line(err)
    assert re.match(rf"{re.escape(str(duplicated))}:39:5: duplicate claim id", line)
    assert CLAIM_ID in line and "first given at line 15" in line


def test_claims_validate_refuses_an_alias_bomb_at_once(capsys, tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = _variant(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    start = time.perf_counter()
    code, _, err = run(capsys, "claims", "validate", bomb)
    assert time.perf_counter() - start < 2.0
    assert code == 2
    assert "YAML aliases expand to too many nodes" in _one_error_line(err)


def test_claims_list_show_and_new(capsys, tmp_path):
    code, out, _ = run(capsys, "claims", "list", "--claims", HAND_WRITTEN, "--json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[CLAIM_ID]["origin"] == "source 10.1000/182"
    assert rows["gawrzak2018_msk1_mfs_er_pos"]["origin"].startswith("seed 004_")
    code, out, _ = run(
        capsys, "claims", "list", "--claims", HAND_WRITTEN, "--no-builtin-claims", "--json"
    )
    assert [row["id"] for row in json.loads(out)] == [CLAIM_ID]

    code, out, _ = run(capsys, "claims", "show", CLAIM_ID, "--claims", HAND_WRITTEN)
    assert code == 0 and "source: 10.1000/182" in out and "value: 1.5" in out
    code, out, _ = run(capsys, "claims", "show", "gawrzak2018_msk1_mfs_er_pos", "--json")
    assert json.loads(out)["value"] == 0.48
    code, _, err = run(capsys, "claims", "show", "gawrzak2018_msk1_mfs_er_po")
    assert code == 2 and "did you mean 'gawrzak2018_msk1_mfs_er_pos'?" in err

    target = tmp_path / "new.yaml"
    assert run(capsys, "claims", "new", "--out", target)[0] == 0
    assert target.read_text().startswith("# A claim record")
    code, _, err = run(capsys, "claims", "new", "--out", target)
    assert code == 2 and "exists" in err
    code, out, _ = run(capsys, "claims", "validate", target)
    assert code == 0 and "my_paper_proliferation_rfs" in out


def test_reproduce_without_claims_to_test_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "reproduce", "--no-builtin-claims", "--out", tmp_path / "r")
    assert code == 2 and "--no-builtin-claims needs at least one --claims FILE" in err


@pytest.mark.slow
def test_reproduce_runs_a_user_claim_like_a_builtin_one(capsys, tmp_path):
    out_dir = tmp_path / "report"
    code, out, err = run(
        capsys,
        "reproduce",
        "--claims",
        HAND_WRITTEN,
        "--cohort",
        "gse1992",
        "--claim",
        CLAIM_ID,
        "--claim",
        "gawrzak2018_msk1_mfs_er_pos",
        "--null-random",
        "100",
        "--null-random-adjusted",
        "10",
        "--out",
        out_dir,
        "--json",
    )
    assert code == 0, err
    results = json.loads(out)
    rows = {row["claim_id"]: row for row in results["rows"] if row["signature_role"] == "primary"}
    mine = rows[CLAIM_ID]
    assert mine["verdict"] in results["verdicts"] and mine["verdict"] != "not testable"
    assert mine["hr_per_sd"]["hr"] > 0 and mine["power"]["target_hr"] == 1.5
    assert mine["null"]["n_random"] == 100
    assert rows["gawrzak2018_msk1_mfs_er_pos"]["verdict"] in results["verdicts"]
    claims = {c["claim_id"]: c for c in results["claims"]}
    assert claims[CLAIM_ID]["source"] == "10.1000/182"
    manifest = json.loads((out_dir / "run.json").read_text())
    assert manifest["claim_files"] == [
        {
            "path": str(HAND_WRITTEN),
            "sha256": claims_sha(HAND_WRITTEN),
            "source": "10.1000/182",
            "claims": [CLAIM_ID],
            "inline_signatures": ["example_proliferation"],
        }
    ]
    assert "10.1000/182" in (out_dir / "report.html").read_text()


def claims_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_claims_validate_with_a_signature_file(capsys, tmp_path):
    from sigsurv.signatures import Signature, write_yaml

    signature_file = write_yaml(
        Signature.from_genes("my_prolif", ["MKI67", "TOP2A"]), tmp_path / "mine.yaml"
    )
    text = HAND_WRITTEN.read_text().replace(
        "signature_id: example_proliferation", "signature_id: my_prolif"
    )
    claims = _variant(tmp_path, "claims.yaml", text)
    code, _, err = run(capsys, "claims", "validate", claims)
    assert code == 2 and "unknown signature id; found 'my_prolif'" in _one_error_line(err)
    code, out, _ = run(capsys, "claims", "validate", claims, "--signature", signature_file)
    assert code == 0 and "valid claim record" in out
