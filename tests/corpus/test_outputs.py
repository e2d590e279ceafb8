"""Outputs are atomic, exclusive, validated before reading, bounded in name and spreadsheet-safe.

The kill tests run ``python -m sigsurv reproduce`` in a subprocess on a small
configuration (bundled gse1992, one claim, no random null), wait until the hidden
staging folder appears beside ``--out`` and kill the run with SIGTERM or SIGKILL. The
destination must then hold exactly the previous complete output (byte for byte) or
nothing, never a mix.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from fixtures import SMALL_MODEL_WARNINGS

from sigsurv._atomic import (
    COMPLETE_MARKER,
    is_complete_output,
    output_folder,
    safe_file_stem,
)
from sigsurv.cli import main
from sigsurv.errors import OptionError, SigsurvWarning
from sigsurv.report.outputs import scores_tsv, spreadsheet_safe, write_scores

REPO = Path(__file__).resolve().parents[2]
SMALL_REPRODUCE = [
    "--quiet",
    "reproduce",
    "--cohort",
    "gse1992",
    "--claim",
    "gawrzak2018_msk1_mfs_er_pos",
    "--null-random",
    "0",
]


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _sigsurv(*arguments: str) -> subprocess.Popen[str]:
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "sigsurv", *arguments],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _staging_folders(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*.sigsurv-tmp"))


def _wait_for_staging(process: subprocess.Popen[str], out: Path) -> None:
    deadline = time.monotonic() + 120  # a liveness bound, not a timing assertion
    while not _staging_folders(out):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the staging folder never appeared"
        time.sleep(0.005)


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reproduce") / "report"
    assert main([*SMALL_REPRODUCE, "--out", str(out)]) == 0
    assert is_complete_output(out)
    return out


@pytest.mark.parametrize("kill_signal", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
@pytest.mark.parametrize("had_output", [True, False], ids=["previous", "none"])
def test_killed_reproduce_leaves_previous_output_or_none(
    kill_signal, had_output, previous_output, tmp_path
):
    out = tmp_path / "report"
    before: dict[str, str] = {}
    if had_output:
        subprocess.run(["cp", "-a", str(previous_output), str(out)], check=True)
        before = _snapshot(out)
    process = _sigsurv(*SMALL_REPRODUCE, "--out", str(out), "--force")
    _wait_for_staging(process, out)
    process.send_signal(kill_signal)
    process.communicate(timeout=120)
    assert process.returncode != 0
    if had_output:
        assert _snapshot(out) == before
    else:
        assert not out.exists()
    if kill_signal == signal.SIGTERM:  # unwound: the staging folder is removed
        assert _staging_folders(out) == []
    # The lock died with the process: the next run succeeds and removes any leftover.
    assert main([*SMALL_REPRODUCE, "--out", str(out), "--force"]) == 0
    assert is_complete_output(out)
    assert _staging_folders(out) == []


def test_two_concurrent_runs_into_one_out_cannot_mix(tmp_path):
    out = tmp_path / "report"
    runs = [_sigsurv(*SMALL_REPRODUCE, "--out", str(out)) for _ in range(2)]
    results = [(run.wait(timeout=300), run.communicate()[1]) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    refusal = next(err for code, err in results if code == 2)
    assert len(refusal.strip().splitlines()) == 1
    assert "Traceback" not in refusal
    assert "being written by another sigsurv run" in refusal or "already holds" in refusal
    assert is_complete_output(out)
    assert _staging_folders(out) == []
    assert "report.html" in _snapshot(out)


def test_a_run_into_a_locked_out_is_refused_before_reading(tmp_path, capsys):
    out = tmp_path / "report"
    with output_folder(out):
        code = main([*SMALL_REPRODUCE, "--out", str(out)])
    assert code == 2
    error = capsys.readouterr().err
    assert "being written by another sigsurv run" in error
    assert len(error.strip().splitlines()) == 1


def _one_error_line(capsys, arguments: list[str], fragment: str) -> None:
    assert main(arguments) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error:") and fragment in lines[0], lines[0]
    assert "Traceback" not in captured.err and "unexpected error" not in captured.err


@pytest.mark.parametrize("command", ["reproduce", "survival", "scan"])
def test_out_that_is_a_file_is_refused_before_loading(command, tmp_path, capsys):
    target = tmp_path / "report"
    target.write_text("not a folder")
    # The source does not exist: the --out error must come first.
    arguments = {
        "reproduce": ["reproduce", "--cohort", str(tmp_path / "missing")],
        "survival": ["survival", str(tmp_path / "missing"), "-s", "msk1_rps6ka5"],
        "scan": ["scan", str(tmp_path / "missing")],
    }[command]
    _one_error_line(capsys, [*arguments, "--out", str(target)], "--out is a file, not a folder")
    assert target.read_text() == "not a folder"


def test_out_below_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    arguments = ["reproduce", "--cohort", "missing", "--out", str(tmp_path / "file" / "report")]
    _one_error_line(capsys, arguments, "is a file, not a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_out_is_refused(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    arguments = ["reproduce", "--cohort", "missing", "--out", str(locked / "report")]
    _one_error_line(capsys, arguments, "no write permission")


def test_existing_output_needs_force_and_foreign_folders_are_never_replaced(
    previous_output, tmp_path, capsys
):
    out = tmp_path / "report"
    subprocess.run(["cp", "-a", str(previous_output), str(out)], check=True)
    _one_error_line(capsys, ["reproduce", "--out", str(out)], "already holds a sigsurv output")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    arguments = ["reproduce", "--cohort", "missing", "--out", str(foreign), "--force"]
    _one_error_line(capsys, arguments, "not empty and not a sigsurv output")
    assert (foreign / "thesis.tex").read_text() == "precious"


def test_force_replaces_a_complete_output_whole(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / COMPLETE_MARKER).write_text("{}")
    (out / "km_from_an_older_run.png").write_bytes(b"old")
    assert main([*SMALL_REPRODUCE, "--out", str(out), "--force"]) == 0
    assert not (out / "km_from_an_older_run.png").exists()  # no file of the old run survives
    assert (out / "report.html").is_file() and is_complete_output(out)


def test_score_out_file_is_atomic_and_needs_force(tmp_path, capsys):
    target = tmp_path / "scores.tsv"
    arguments = ["--quiet", "score", "gse1992", "-s", "msk1_rps6ka5", "--out", str(target)]
    assert main(arguments) == 0
    first = target.read_text()
    assert first.startswith("sample\t")
    _one_error_line(capsys, arguments, "--out already exists")
    assert main([*arguments, "--force"]) == 0
    assert target.read_text() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.tsv"]
    _one_error_line(capsys, [*arguments[:-1], str(tmp_path)], "--out is a folder, not a file")


def test_file_names_from_long_or_hostile_names_are_bounded_and_distinct():
    long_a, long_b = "cohort_" + "a" * 400, "cohort_" + "a" * 399 + "b"
    assert len(safe_file_stem(long_a)) <= 80
    assert safe_file_stem(long_a) != safe_file_stem(long_b)
    for hostile in ["../../etc/passwd", "-rf", ".hidden", "a\x00b", "é" * 300, ""]:
        stem = safe_file_stem(hostile)
        assert stem and len(stem) <= 80 and "/" not in stem and "\x00" not in stem
        assert not stem.startswith((".", "-"))


def test_reproduce_with_a_long_cohort_name_writes_bounded_file_names(tmp_path):
    from sigsurv import load_example
    from sigsurv.claims import reproduce_claims
    from sigsurv.report.html import write_reproduction
    from sigsurv.seeds import get_claim

    cohort = load_example("gse1992")
    cohort.name = "GSE1992 " + "very long cohort name " * 20
    with pytest.warns(SigsurvWarning, match=SMALL_MODEL_WARNINGS):
        result = reproduce_claims(
            [cohort], [get_claim("gawrzak2018_msk1_mfs_er_pos")], null_random=0
        )
    files = write_reproduction(result, tmp_path, {"command": "test"})
    figures = [path for name, path in files.items() if name.startswith("figures/km_")]
    assert figures
    assert all(len(path.name) < 255 and path.is_file() for path in figures)


FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


def test_tsv_cells_a_spreadsheet_would_execute_are_neutralised(tmp_path):
    scores = pd.DataFrame({"msk1": [0.5] * 6, "note": FORMULAS}, index=FORMULAS)
    text = scores_tsv(scores)
    for formula in FORMULAS:
        assert "\n" + formula not in text and "\t" + formula + "\n" not in text
    written = write_scores(scores, tmp_path / "scores.tsv")
    printable = FORMULAS[:4]  # tab and CR cells are quoted by the TSV writer: checked as text
    table = pd.read_csv(written, sep="\t", index_col=0, keep_default_na=False).iloc[:4]
    assert table.index.tolist() == ["'" + value for value in printable]
    assert table["note"].tolist() == ["'" + value for value in printable]
    assert table["msk1"].tolist() == ["0.5"] * 4  # numbers untouched (column read as text)
    raw = written.read_bytes()
    assert b'"\'\tx"' in raw and b"'\rx" in raw
    safe = spreadsheet_safe(pd.DataFrame({"=x": [-1.0]}))
    assert list(safe.columns) == ["'=x"] and safe.iloc[0, 0] == -1.0
    parquet = write_scores(scores, tmp_path / "scores.parquet")
    assert pd.read_parquet(parquet).index.tolist() == FORMULAS  # data formats keep ids


def test_output_folder_refusals_are_option_errors(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OptionError, match="is a file"), output_folder(tmp_path / "file"):
        pass
