"""What loading a cohort said is shown by the command that uses it and recorded in results.json."""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path

import pytest

from sigsurv.cli import main
from sigsurv.cohorts import load_cohort
from sigsurv.cohorts.clinical import check_time_unit
from sigsurv.errors import SigsurvWarning

_spec = importlib.util.spec_from_file_location(
    "sigsurv_corpus_cases_notes", Path(__file__).with_name("corpus_cases.py")
)
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus
_spec.loader.exec_module(corpus)

DAYS = [t * 30.44 + 900 for t in corpus.TIMES]  # median about 1,900: days, not months


def _months_column_holding_days(root: Path):
    lines = ["id\tOS_MONTHS\tstatus"]
    rows = zip(corpus.SAMPLES, DAYS, corpus.EVENTS, strict=True)
    lines += [f"{s}\t{t:.1f}\t{e}" for s, t, e in rows]
    clinical = corpus.write(root / "clin.tsv", "\n".join(lines) + "\n")
    expression = corpus.write(root / "expr.tsv", corpus.expression_text())
    gmt = corpus.write(root / "sig.gmt", "toy\tna\tTP53\tESR1\tGATA3\tFOXA1\n")
    flags = ["--clinical", str(clinical), "--time", "OS_MONTHS", "--event", "status"]
    return expression, flags, gmt


def test_months_column_holding_days_warns_through_the_api(tmp_path):
    expression, flags, _ = _months_column_holding_days(tmp_path)
    with pytest.warns(SigsurvWarning, match="time unit months .* is doubtful"):
        load_cohort(expression, clinical=flags[1], time="OS_MONTHS", event="status")


def test_plausible_units_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SigsurvWarning)
        assert check_time_unit([60.0, 24.0, 120.0], "months") is None
        assert check_time_unit([1800.0, 700.0], "days") is None
        assert check_time_unit([5.0, 2.5], "years") is None


def test_survival_shows_and_records_the_unit_doubt(tmp_path, capsys):
    expression, flags, gmt = _months_column_holding_days(tmp_path)
    out = tmp_path / "out"
    arguments = ["survival", str(expression), *flags, "-s", str(gmt), "--out", str(out)]
    assert main(arguments) == 0, capsys.readouterr()
    err = capsys.readouterr().err
    assert "is doubtful" in err
    results = json.loads((out / "results.json").read_text())
    assert any("is doubtful" in note for note in results["cohort_notes"])
    assert main([*arguments[:-2], "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert any("is doubtful" in note for note in payload["cohort_notes"])


def test_score_shows_what_loading_changed(tmp_path, capsys):
    call = corpus._tables(
        tmp_path, expression=corpus.expression_text(values=corpus._with_cells({(0, 1): "NA"}))
    )
    gmt = corpus.write(tmp_path / "sig.gmt", "toy\tna\tESR1\tGATA3\tFOXA1\n")
    code = main(["score", *call.cli_args()[2:], "--signature", str(gmt)])
    captured = capsys.readouterr()
    # The NA cell (TP53) is kept and reported as a note before the scores are written.
    assert code == 0, captured.err
    lines = captured.err.splitlines()
    assert lines[0].startswith("note:"), captured.err
    notes = [line for line in lines if line.startswith("note:")]
    assert any("missing values" in line and "TP53" in line for line in notes), captured.err
