"""Command-line options that used to crash (exit 1) or be silently ignored or changed.

Each case must exit with code 2 and exactly one ``error:`` line naming what is wrong,
never a traceback or "unexpected error". Options that do not apply to the detected
source kind are refused with an :class:`~sigsurv.errors.OptionError` naming the kind.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from sigsurv._cli_options import (
    SourceOptions,
    check_count,
    check_options_apply,
    check_seed,
    parse_covariates,
    parse_event_codes,
)
from sigsurv.cli import main
from sigsurv.errors import OptionError

_spec = importlib.util.spec_from_file_location(
    "sigsurv_corpus_cases_cli", Path(__file__).with_name("corpus_cases.py")
)
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus
_spec.loader.exec_module(corpus)

SURVIVAL = ["survival", "gse1992", "-s", "msk1_rps6ka5"]

# (name, arguments, fragment of the one error line)
OPTION_CASES = [
    ("duplicated covariates", [*SURVIVAL, "--covariates", "age,node,age"], "names a column twice"),
    ("empty covariate", [*SURVIVAL, "--covariates", "age,,node"], "empty column name"),
    (
        "negative permutations",
        [*SURVIVAL, "--cut", "optimal", "--permutations", "-5"],
        "--permutations must be >= 0",
    ),
    ("zero scan permutations", ["scan", "gse1992", "--permutations", "0"], "must be >= 1"),
    ("negative seed", [*SURVIVAL, "--seed", "-1"], "--seed must be between 0 and"),
    ("huge seed", [*SURVIVAL, "--seed", str(2**64)], "--seed must be between 0 and"),
    ("negative null-random", ["reproduce", "--null-random", "-3"], "--null-random must be >= 0"),
    (
        "contradictory event codes",
        ["cohort", "info", "TABLE", "--event-codes", "yes=1,no=0,YES=0"],
        "two codes",
    ),
    ("empty event code name", ["cohort", "info", "TABLE", "--event-codes", "=1"], "empty value"),
    (
        "400-digit subgroup integer",
        [*SURVIVAL, "--subgroup", "age > " + "9" * 400],
        "number too large",
    ),
    ("quoted grade on a numeric column", [*SURVIVAL, "--subgroup", "grade == '3'"], "numeric"),
    ("non-integer permutations", [*SURVIVAL, "--permutations", "2.5"], "--permutations"),
]

BUNDLED_ONLY = ["--time", "--event", "--clinical", "--platform", "--orientation", "--event-codes"]
OPTION_VALUES = {
    "--time": "OS_MONTHS",
    "--event": "OS_STATUS",
    "--clinical": "clin.tsv",
    "--platform": "gpl.txt",
    "--orientation": "samples_x_genes",
    "--event-codes": "yes=1,no=0",
}


def _check_one_line(capsys, arguments: list[str], fragment: str) -> str:
    code = main(arguments)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "unexpected error" not in out + err
    assert code == 2, out + err
    lines = [line for line in (out + err).strip().splitlines() if line.strip()]
    assert len(lines) == 1, out + err
    assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("name", "arguments", "fragment"), OPTION_CASES, ids=lambda v: v)
def test_option_refused_in_one_line(name, arguments, fragment, tmp_path, capsys):
    table = corpus._tables(tmp_path)
    arguments = [table.source if a == "TABLE" else a for a in arguments]
    if arguments[0] == "cohort":
        arguments += [item for pair in _table_flags(table) for item in pair]
    if arguments[0] in ("scan", "reproduce"):
        arguments += ["--out", str(tmp_path / "out")]
    _check_one_line(capsys, arguments, fragment)
    assert not (tmp_path / "out").exists()


def _table_flags(table) -> list[tuple[str, str]]:
    return [
        ("--clinical", str(table.options["clinical"])),
        ("--time", "time"),
        ("--event", "status"),
        ("--endpoint-name", "os"),
    ]


@pytest.mark.parametrize("flag", BUNDLED_ONLY)
def test_options_ignored_by_a_bundled_cohort_are_refused(flag, capsys):
    line = _check_one_line(
        capsys, ["cohort", "info", "gse1992", flag, OPTION_VALUES[flag]], "does not apply"
    )
    assert flag in line and "a bundled cohort" in line


@pytest.mark.parametrize("flag", BUNDLED_ONLY)
def test_options_ignored_by_a_cbioportal_folder_are_refused(flag, tmp_path, capsys):
    study = corpus._cbio(tmp_path)
    line = _check_one_line(
        capsys, ["cohort", "info", study.source, flag, OPTION_VALUES[flag]], "does not apply"
    )
    assert flag in line and "cBioPortal" in line


def test_orientation_given_for_a_series_matrix_is_refused(tmp_path, capsys):
    geo = corpus._geo(tmp_path, corpus.series_matrix())
    arguments = geo.cli_args()
    assert main(["--quiet", *arguments]) == 0  # the options that apply are accepted
    capsys.readouterr()
    line = _check_one_line(
        capsys, [*arguments, "--orientation", "samples_x_genes"], "--orientation does not apply"
    )
    assert "a GEO series matrix" in line


def test_options_that_apply_to_a_plain_table_are_accepted(tmp_path):
    table = corpus._tables(tmp_path)
    flags = [item for pair in _table_flags(table) for item in pair]
    assert main(["--quiet", "cohort", "info", table.source, *flags, "--collapse", "mean"]) == 0


def test_survival_refuses_ignored_options_before_analysing(capsys):
    _check_one_line(capsys, [*SURVIVAL, "--time", "t"], "--time does not apply to gse1992")


# ---- the same checks through the Python helpers the CLI uses
def test_api_helpers_raise_option_errors():
    with pytest.raises(OptionError, match="twice"):
        parse_covariates("age,age")
    with pytest.raises(OptionError, match="two codes"):
        parse_event_codes("dead=1,dead=0")
    assert parse_event_codes("dead=1,dead=1") == {"dead": 1}  # repeated, not contradictory
    with pytest.raises(OptionError, match=">= 1"):
        check_count("--permutations", 0, minimum=1)
    with pytest.raises(OptionError, match="--seed"):
        check_seed(-1)
    with pytest.raises(OptionError, match="source kind 'cbioportal'"):
        check_options_apply("study/", "cbioportal", SourceOptions(orientation="samples_x_genes"))
    check_options_apply("study/", "cbioportal", SourceOptions(collapse="mean"))
    check_options_apply("x.h5ad", "a-kind-added-later", SourceOptions(time="t"))


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"permutations": 2.5}, "permutations must be an integer"),
        ({"permutations": "10"}, "permutations must be an integer"),
        ({"permutations": True}, "not a bool"),
        ({"permutations": -1}, "permutations must be >= 0"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"seed": -1}, "seed must be between 0 and"),
    ],
    ids=str,
)
def test_api_refuses_non_integer_counts_and_seeds(arguments, fragment):
    from sigsurv.analysis.signature import AnalysisSpec

    with pytest.raises(OptionError, match=fragment):
        AnalysisSpec(**arguments)


@pytest.mark.parametrize(
    "arguments",
    [{"null_random": 2.5}, {"null_random": -1}, {"null_random_adjusted": "5"}, {"seed": 0.5}],
    ids=str,
)
def test_reproduce_claims_refuses_bad_counts_before_any_work(arguments):
    from sigsurv.claims import reproduce_claims

    with pytest.raises(OptionError):
        reproduce_claims([], None, **arguments)
