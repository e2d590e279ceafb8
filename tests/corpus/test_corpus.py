"""Every malformed input of the corpus, through the Python API and through the CLI.

API: the exact error class and a message fragment (one line, naming the file).
CLI (``sigsurv.cli.main``, in process): exit code 2, exactly one ``error:`` line
with the fragment and the file name, and never a traceback. Repaired inputs load,
and the repair is visible (cohort messages, gene report, warning, CLI output).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sigsurv._cli_options import state
from sigsurv.cli import main
from sigsurv.cohorts import LoadOptions, load_cohort
from sigsurv.errors import AnalysisError, SigsurvWarning
from sigsurv.report.describe import describe_cohort

_spec = importlib.util.spec_from_file_location(
    "sigsurv_corpus_cases", Path(__file__).with_name("corpus_cases.py")
)
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus
_spec.loader.exec_module(corpus)

ERROR_CASES = corpus.ERROR_CASES
REPORT_CASES = corpus.REPORT_CASES


def _prepare(case, tmp_path, monkeypatch):
    call = case.build(tmp_path)
    for name, value in call.patch.items():
        if name == "MAX_FILE_BYTES":  # the input limit is an option now, not a module global
            monkeypatch.setitem(state, "max_file_bytes", value)
        else:
            monkeypatch.setattr(f"sigsurv.cohorts.readers.{name}", value)
    return call


def _run_api(call):
    if call.api is not None:
        return call.api()
    limit = call.patch.get("MAX_FILE_BYTES")
    extra = {} if limit is None else {"options": LoadOptions(max_file_bytes=limit)}
    cohort = load_cohort(call.source, **call.options, **extra)
    if call.subgroup is not None:
        cohort = cohort.subset(call.subgroup)
    return cohort


def test_corpus_is_large_enough():
    assert len(ERROR_CASES) >= 40
    assert len({case.name for case in ERROR_CASES + REPORT_CASES}) == len(
        ERROR_CASES + REPORT_CASES
    )


@pytest.mark.parametrize("case", ERROR_CASES, ids=str)
def test_api_refuses(case, tmp_path, monkeypatch):
    call = _prepare(case, tmp_path, monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        with pytest.raises(case.error) as info:
            _run_api(call)
    error = info.value
    assert type(error) is case.error, f"{type(error).__name__}: {error}"
    message = str(error)
    assert case.fragment in message
    assert "\n" not in message
    if call.file is not None:
        assert call.file.name in message


@pytest.mark.parametrize("case", ERROR_CASES, ids=str)
def test_cli_refuses_in_one_line(case, tmp_path, monkeypatch, capsys):
    call = _prepare(case, tmp_path, monkeypatch)
    if not call.cli:
        pytest.skip("no CLI command for this input yet (API tested above)")
    code = main(call.cli_args())
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 2, out + err
    lines = [line for line in (out + err).splitlines() if line.startswith("error:")]
    assert len(lines) == 1, out + err
    assert case.fragment in lines[0]
    if call.file is not None:
        assert call.file.name in lines[0]


def _shown(cohort, caught) -> str:
    parts = [*cohort.messages, *(str(w.message) for w in caught)]
    if cohort.gene_report is not None:
        parts.append(cohort.gene_report.to_text())
    return "\n".join(parts)


@pytest.mark.parametrize("case", REPORT_CASES, ids=str)
def test_api_repairs_visibly(case, tmp_path, monkeypatch):
    call = _prepare(case, tmp_path, monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cohort = _run_api(call)
    assert case.fragment in _shown(cohort, caught)
    assert cohort.n_samples > 0 and cohort.n_genes > 0


@pytest.mark.parametrize("case", REPORT_CASES, ids=str)
def test_cli_reports_repairs(case, tmp_path, monkeypatch, capsys):
    call = _prepare(case, tmp_path, monkeypatch)
    code = main(call.cli_args())
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 0, out + err
    assert case.fragment in " ".join((out + err).split())  # wrapped to the terminal, never cut


# ----------------------------------------------------------------------------- specific checks
def test_duplicated_genes_collapse_rule_is_reported(tmp_path):
    call = corpus._tables(
        tmp_path, expression=corpus.expression_text(genes=["TP53", "ESR1", "TP53"])
    )
    cohort = _run_api(call)
    report = cohort.gene_report
    assert report.collapsed == {"TP53": ["TP53", "TP53"]}
    assert report.collapse_rule == "max_mean"
    # max_mean keeps the row with the higher mean: row 0 or row 2 of the file.
    rows = corpus.VALUES[[0, 2]]
    kept = rows[np.argmax(rows.mean(axis=1))]
    assert cohort.expression.loc["TP53"].tolist() == kept.tolist()


def test_decimal_comma_column_values(tmp_path):
    call = corpus._tables(
        tmp_path, expression=corpus.expression_text(values=corpus._decimal_comma_column())
    )
    cohort = _run_api(call)
    assert cohort.expression["S4"].tolist() == corpus.VALUES[:, 3].tolist()


def test_excel_mangled_symbols_are_listed(tmp_path):
    call = corpus._tables(
        tmp_path, expression=corpus.expression_text(genes=["TP53", "9-Sep", "1-Mar"])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        cohort = _run_api(call)
    assert set(cohort.gene_report.excel_mangled) == {"9-Sep", "1-Mar"}
    assert "SEPTIN9" in cohort.genes


def test_no_events_loads_but_survival_analysis_refuses(tmp_path, capsys):
    from sigsurv.survival.cox import cox_fit

    call = corpus._event_column([0] * 8)(tmp_path)
    cohort = _run_api(call)
    summary = describe_cohort(cohort)
    assert summary["endpoints"]["os"]["events"] == 0
    time, event = cohort.survival("os")
    with pytest.raises(AnalysisError, match="no events"):
        cox_fit(time, event, cohort.expression.loc["TP53"].to_numpy())
    code = main([*call.cli_args(), "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    info = json.loads(out)
    assert info["endpoints"]["os"]["events"] == 0
    assert any("has no events" in message for message in info["messages"])


def test_partial_join_is_counted(tmp_path):
    call = corpus._tables(
        tmp_path, clinical=corpus.clinical_text(samples=[*corpus.SAMPLES[:6], "P7", "P8"])
    )
    with pytest.warns(SigsurvWarning, match="6 samples matched"):
        cohort = _run_api(call)
    assert cohort.join_report.expression_only == ("S7", "S8")
    assert cohort.join_report.clinical_only == ("P7", "P8")


def test_event_codes_decode_yes_no(tmp_path):
    call = corpus._event_column(corpus.YES_NO, event_codes={"yes": 1, "no": 0})(tmp_path)
    cohort = _run_api(call)
    assert cohort.survival("os")[1].tolist() == [float(e) for e in corpus.EVENTS]


def test_subgroup_never_evaluates_python(tmp_path, monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/__import__ reached by a subgroup string")

    case = next(c for c in ERROR_CASES if c.name == "subgroup __import__")
    call = case.build(tmp_path)
    cohort = load_cohort(call.source, **call.options)
    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden)
    with pytest.raises(case.error):
        cohort.subset(call.subgroup)


# ----------------------------------------------------------------------------- fuzzing regressions
def test_quotes_never_merge_rows_or_fields(tmp_path):
    """Found by fuzz/ (table): pandas' quote handling merged a quoted newline's rows."""
    from sigsurv.cohorts import read_expression_table

    path = tmp_path / "quoted.tsv"
    path.write_text('gene\ts1\ts2\n"TP53\t1\t2\nESR1"\t3\t4\nGATA3\t5\t"6"\n')
    expression, _ = read_expression_table(path)
    assert expression.index.tolist() == ["TP53", "ESR1", "GATA3"]
    assert expression.to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_unnamed_identifier_column_is_read(tmp_path):
    """Found by fuzz/ (table): an empty first header name (R's write.table) was a KeyError."""
    from sigsurv.cohorts import read_expression_table

    path = tmp_path / "r_export.tsv"
    path.write_text("\ts1\ts2\nTP53\t1\t2\n")
    expression, _ = read_expression_table(path)
    assert expression.loc["TP53"].tolist() == [1.0, 2.0]


def test_score_prints_gene_names_literally(tmp_path, capsys):
    """Gene names are user text: rich must not read '[/dim]' in them as markup."""
    call = corpus._tables(tmp_path)
    gmt = corpus.write(tmp_path / "odd.gmt", "odd\tna\tTP53\tESR1\tGATA3\t[/dim]\n")
    code = main(["score", *call.cli_args()[2:], "--signature", str(gmt)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 0, out + err
    assert "[/dim]" in err
