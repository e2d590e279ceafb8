"""``sigsurv survival``: fixed times, ``--by``, units and options that do not apply (issue 22).

The R goldens are in tests/data/survival_command (script ``r_goldens.R``, inputs from
``export_survival_command_inputs.py``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigsurv.cli import main

GOLDENS = Path(__file__).parent / "data" / "survival_command"
TCGA = Path(os.environ.get("SIGSURV_SHARED", "../shared")) / "data" / "TCGA_BRCA"


def run(capsys, *arguments):
    code = main(list(arguments))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def run_json(capsys, *arguments):
    code, out, err = run(capsys, *arguments, "--json")
    assert code == 0, err
    return json.loads(out)


def test_times_equal_r_summary_survfit(capsys):
    record = run_json(
        capsys,
        "survival",
        "gse1992",
        "-s",
        "msk1_rps6ka5",
        "--times",
        "12,24,60",
        "--times-unit",
        "months",
    )
    golden = pd.read_csv(GOLDENS / "r_at_times.csv")
    ours = pd.DataFrame(record["at_times"])
    assert set(ours["unit"]) == {"months"} and record["display_unit"] == "months"
    merged = golden.merge(ours, on=["group", "time"], how="outer", validate="1:1")
    assert len(merged) == len(golden) == 6
    np.testing.assert_allclose(merged["estimate"], merged["surv"], rtol=1e-12)
    np.testing.assert_allclose(merged["lower_y"], merged["lower_x"], rtol=1e-12)
    np.testing.assert_allclose(merged["upper_y"], merged["upper_x"], rtol=1e-12)
    assert (merged["n_risk_x"] == merged["n_risk_y"]).all()


def test_times_in_years_are_the_same_survival_shown_in_years(capsys):
    record = run_json(
        capsys,
        "survival",
        "gse1992",
        "-s",
        "msk1_rps6ka5",
        "--times",
        "1,2,5",
        "--times-unit",
        "years",
    )
    golden = pd.read_csv(GOLDENS / "r_at_times.csv").sort_values(["group", "time"])
    ours = pd.DataFrame(record["at_times"]).sort_values(["group", "time"])
    assert record["display_unit"] == "years" and set(ours["unit"]) == {"years"}
    np.testing.assert_allclose(ours["estimate"].to_numpy(), golden["surv"].to_numpy())


def test_survival_by_er_equals_r_survdiff_and_coxph(capsys):
    record = run_json(capsys, "survival", "gse1992", "--by", "er")
    golden = pd.read_csv(GOLDENS / "r_logrank_er.csv").iloc[0]
    assert record["logrank"]["chisq"] == pytest.approx(golden["chisq"], rel=1e-10)
    assert record["logrank"]["p"] == pytest.approx(golden["p"], rel=1e-8)
    groups = {row["group"]: row for row in record["groups"]}
    assert groups["negative"]["n"] == golden["n_negative"]
    assert groups["positive"]["events"] == golden["observed_positive"]
    cox = pd.read_csv(GOLDENS / "r_cox_er.csv").iloc[0]
    assert record["cox_grouped"][0]["hr"] == pytest.approx(cox["hr"], rel=1e-6)


def test_survival_by_ordered_levels_has_a_trend_test(capsys):
    record = run_json(capsys, "survival", "gse1992", "--by", "grade")
    assert record["levels"] == ["1", "2", "3"]
    assert record["logrank"]["df"] == 2
    assert 0 < record["logrank_trend"]["p"] < 0.01


def test_survival_by_writes_the_same_outputs(capsys, tmp_path):
    out = tmp_path / "by"
    code, _, err = run(
        capsys, "survival", "gse1992", "--by", "er", "-o", str(out), "--formats", "png"
    )
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "groups.tsv",
        "km.png",
        "results.json",
        "run.json",
    ]


def test_survival_by_a_mistyped_column_suggests_the_column(capsys):
    code, _, err = run(capsys, "survival", "gse1992", "--by", "grad")
    assert code == 2
    assert "did you mean 'grade'" in err


@pytest.mark.parametrize(
    ("arguments", "flag"),
    [
        (["--horizons", "12"], "--horizons"),
        (["--horizon-unit", "months"], "--horizon-unit"),
        (["--permutations", "10"], "--permutations"),
        (["--cause", "1", "--permutations", "10", "--cut", "optimal"], "--permutations"),
        (["--cause", "1", "--horizon", "60"], "--horizon"),
    ],
)
def test_options_that_do_not_apply_are_refused_in_one_line(capsys, arguments, flag):
    code, _, err = run(capsys, "survival", "gse1992", "-s", "msk1_rps6ka5", *arguments)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and flag in lines[0] and "does not apply" in lines[0]


def test_signature_or_by_but_not_both(capsys):
    code, _, err = run(capsys, "survival", "gse1992", "-s", "msk1_rps6ka5", "--by", "er")
    assert code == 2 and "--signature or --by" in err


@pytest.mark.parametrize("chosen", [["-s", "msk1_rps6ka5"], ["--by", "er"]])
def test_times_unit_alone_sets_the_display_unit(capsys, chosen):
    record = run_json(capsys, "survival", "gse1992", *chosen, "--times-unit", "years")
    assert record["display_unit"] == "years" and record["at_times"] == []


def test_one_display_unit_for_terminal_and_json(capsys):
    code, out, _ = run(
        capsys, "survival", "gse1992", "-s", "msk1_rps6ka5", "--times", "2", "--times-unit", "years"
    )
    assert code == 0
    assert "median survival (years)" in out and "2 years" in out


@pytest.mark.slow
@pytest.mark.skipif(not TCGA.exists(), reason="needs the shared TCGA_BRCA data")
def test_tcga_bone_relapse_incidence_at_60_months_is_not_zero(capsys, tmp_path):
    out = tmp_path / "cif"
    record = run_json(
        capsys,
        "survival",
        str(TCGA),
        "-s",
        "mir424_503_mirna",
        "--endpoint",
        "bone_relapse_cr",
        "--cause",
        "bone relapse",
        "--times",
        "12,24,60",
        "--times-unit",
        "months",
        "-o",
        str(out),
        "--formats",
        "png",
    )
    at_60 = [row for row in record["at_times"] if row["time"] == 60]
    assert record["display_unit"] == "months" and len(at_60) == 2
    assert all(
        row["estimate"] > 0 and row["lower"] < row["estimate"] < row["upper"] for row in at_60
    )
    assert (out / "cumulative_incidence.png").exists()
    for key in ("cause_specific_per_sd", "fine_gray_grouped"):  # one HR vocabulary (issue 23)
        assert "p" not in record[key] and 0 < record[key]["p_wald"] < 1
    assert record["models"]["fine_gray_per_sd"]["events"] == record["events"]["bone relapse"]
    assert record["analysis"]["cause"] == "bone relapse"


def test_optimal_cut_writes_its_cut_point_scan(capsys, tmp_path):
    out = tmp_path / "optimal"
    code, _, err = run(
        capsys,
        "survival",
        "gse1992",
        "-s",
        "msk1_rps6ka5",
        "--cut",
        "optimal",
        "-o",
        str(out),
        "--formats",
        "png",
    )
    assert code == 0, err
    assert (out / "cut_scan.png").exists() and (out / "km.png").exists()
    record = json.loads((out / "results.json").read_text())
    scan = record["cut_scan"]
    assert len(scan["cut"]) == len(scan["statistic"]) > 10
    assert scan["selected_cut"] == record["maxstat"]["cutpoint"]
    assert max(abs(s) for s in scan["statistic"]) == pytest.approx(abs(scan["max_statistic"]))
    assert 0 <= scan["p_lau92"] <= 1


def test_a_mistyped_signature_id_suggests_the_id(capsys):
    code, _, err = run(capsys, "survival", "gse1992", "-s", "msk1_rps6k5")
    assert code == 2 and "did you mean 'msk1_rps6ka5'" in err


def test_a_mistyped_subgroup_level_lists_the_levels(capsys):
    code, _, err = run(
        capsys,
        "survival",
        "gse1992",
        "-s",
        "msk1_rps6ka5",
        "--all-patients",
        "--subgroup",
        "er == 'negativ'",
    )
    assert code == 2
    assert "did you mean 'negative'" in err and "negative, positive" in err


def test_engine_warnings_name_the_cohort(capsys):
    code, _, err = run(capsys, "survival", "gse1992", "--by", "grade")
    assert code == 0
    assert "warning: gse1992, by grade: Cox model not well defined" in err


def test_terminal_lines_fit_80_columns(capsys, monkeypatch):
    from sigsurv import _cli_options

    monkeypatch.setattr(_cli_options.stdout, "_width", 80)
    for arguments in (
        [
            "survival",
            "gse1992",
            "-s",
            "msk1_rps6ka5",
            "--covariates",
            "age,grade",
            "--times",
            "12,60",
        ],
        ["signatures", "list"],
    ):
        code, out, _ = run(capsys, *arguments)
        assert code == 0
        assert max(len(line) for line in out.splitlines()) <= 80
    code, out, _ = run(capsys, "signatures", "list")
    assert "aigner_mir200_family_targets" in out  # the longest id, whole


def test_covariates_print_the_adjusted_model(capsys):
    code, out, _ = run(
        capsys, "survival", "gse1992", "-s", "msk1_rps6ka5", "--covariates", "age,grade"
    )
    assert code == 0
    assert "Multivariable Cox" in out and "score (per SD), adjusted" in out


def test_shell_completion_of_signature_ids_and_methods():
    from sigsurv.cli import _complete_method, _complete_signature

    assert _complete_signature("msk1") == ["msk1_luminal", "msk1_rps6ka5"]
    assert _complete_method("s") == ["ssgsea", "singscore", "single_gene"]
