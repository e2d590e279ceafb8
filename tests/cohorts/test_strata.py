"""Issue 20 item 3: a cohort of the user's own in ``reproduce`` (SOURCE options, --strata)."""

from __future__ import annotations

import json

import pytest

from sigsurv import load_example
from sigsurv.cli import main
from sigsurv.cohorts import load_cohort
from sigsurv.errors import CohortValidationError


@pytest.fixture(scope="module")
def two_study_table(tmp_path_factory):
    """gse1992 written as a plain table: time column "time" (says no endpoint), two studies."""
    folder = tmp_path_factory.mktemp("two_study")
    cohort = load_example("gse1992")
    expression = cohort.expression.rename_axis("gene")
    expression.to_csv(folder / "expr.tsv", sep="\t")
    clinical = cohort.clinical[["rfs_time", "rfs_event", "er"]].rename(
        columns={"rfs_time": "time", "rfs_event": "status"}
    )
    clinical["study"] = ["A", "B"] * (len(clinical) // 2)
    clinical.rename_axis("id").to_csv(folder / "clin.tsv", sep="\t")
    return folder


def _source(folder) -> list[str]:
    return [str(folder / "expr.tsv"), "--clinical", str(folder / "clin.tsv"), "--time", "time"]


def test_load_cohort_sets_a_validated_strata(two_study_table):
    options = {"time": "time", "event": "status", "endpoint": "dmfs", "time_unit": "months"}
    cohort = load_cohort(
        two_study_table / "expr.tsv",
        clinical=two_study_table / "clin.tsv",
        strata="study",
        **options,
    )
    assert cohort.strata == "study"
    assert cohort.subset("er == 'positive'").strata == "study"  # kept by derivations
    with pytest.raises(CohortValidationError, match="strata column not found"):
        load_cohort(
            two_study_table / "expr.tsv",
            clinical=two_study_table / "clin.tsv",
            strata="batch",
            **options,
        )
    with pytest.raises(CohortValidationError, match="fewer than two levels"):
        cohort.subset("study == 'A'").with_strata("study")


def test_strata_survives_the_anndata_round_trip():
    cohort = load_example("gse1992").with_strata("er")
    assert type(cohort).from_anndata(cohort.to_anndata()).strata == "er"


def test_reproduce_takes_the_source_options_and_strata(two_study_table, tmp_path, capsys):
    out = tmp_path / "out"
    arguments = ["reproduce", "--cohort", *_source(two_study_table), "--event", "status"]
    arguments += ["--endpoint-name", "dmfs", "--time-unit", "months", "--strata", "study"]
    arguments += ["--claim", "gawrzak2018_msk1_mfs_er_pos", "--null-random", "0"]
    arguments += ["--null-random-adjusted", "0", "--no-proxies", "--out", str(out), "--json"]
    code = main(arguments)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    run = json.loads((out / "run.json").read_text())
    assert run["options"]["strata"] == "study"
    assert run["options"]["source_options"]["endpoint_name"] == "dmfs"
    tests = [t for claim in json.loads(captured.out)["claims"] for t in claim["tests"]]
    assert tests and {t["endpoint"] for t in tests} == {"dmfs"}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--event", "status"], "does not say which endpoint"),
        (["--event", "status", "--endpoint-name", "dmfs", "--strata", "batch"], "'batch'"),
    ],
)
def test_reproduce_refuses_in_one_line(two_study_table, tmp_path, capsys, extra, fragment):
    arguments = ["reproduce", "--cohort", *_source(two_study_table), *extra, "--time-unit"]
    arguments += ["months", "--null-random", "0", "--out", str(tmp_path / "out")]
    code = main(arguments)
    out, err = capsys.readouterr()
    errors = [line for line in (out + err).splitlines() if line.startswith("error:")]
    assert code == 2 and len(errors) == 1 and fragment in errors[0], out + err


def test_reproduce_source_options_must_fit_exactly_one_cohort(tmp_path, capsys):
    arguments = ["reproduce", "--cohort", "gse1992", "--cohort", "gse4335", "--time", "t"]
    code = main([*arguments, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "must apply to exactly one --cohort" in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_cohort_spec_with_local_files_carries_its_strata(two_study_table):
    from sigsurv.cohorts.fetch import FetchResult
    from sigsurv.cohorts.recipe import parse_recipe
    from sigsurv.cohorts.resolve import load_recipe_cohort

    recipe = parse_recipe(
        "id: pooled\nloader: table\nfiles:\n"
        "  expression: {url: 'http://127.0.0.1/e.tsv'}\n"
        "  clinical: {url: 'http://127.0.0.1/c.tsv'}\n"
        "options: {time: time, event: status, time_unit: months, endpoint_name: dmfs,\n"
        "          strata: study}\n"
    )
    paths = {"expression": two_study_table / "expr.tsv", "clinical": two_study_table / "clin.tsv"}
    cohort = load_recipe_cohort(FetchResult(recipe, paths))
    assert cohort.strata == "study" and list(cohort.endpoints) == ["dmfs"]


def test_an_in_memory_anndata_with_infinities_is_refused():
    import anndata
    import numpy as np
    import pandas as pd

    adata = anndata.AnnData(
        np.array([[1.0, np.inf], [2.0, 3.0]]),
        obs=pd.DataFrame(index=["a", "b"]),
        var=pd.DataFrame(index=["TP53", "ESR1"]),
    )
    with pytest.raises(CohortValidationError, match="1 infinite value"):
        load_cohort(adata)


def test_reproduce_asks_only_for_options_it_has(two_study_table, tmp_path, capsys):
    arguments = ["reproduce", "--cohort", str(two_study_table / "expr.tsv")]
    code = main([*arguments, "--null-random", "0", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "--clinical" in err, err
    # ...and --clinical is an option of reproduce now: given, the table loads.
    arguments += ["--clinical", str(two_study_table / "clin.tsv"), "--time", "time"]
    arguments += ["--event", "status", "--endpoint-name", "dmfs", "--time-unit", "months"]
    arguments += ["--claim", "gawrzak2018_msk1_mfs_er_pos", "--null-random", "0", "--json"]
    arguments += ["--null-random-adjusted", "0", "--no-proxies", "--out", str(tmp_path / "o2")]
    assert main(arguments) == 0, capsys.readouterr().err


def test_a_subgroup_with_one_stratum_left_is_analysed_unstratified_and_says_so():
    # Real case: VDX pools GSE2034 with its ER- companion GSE5327; the ER+ subgroup holds
    # one series only. Subsetting must not fail the strata check; it drops the strata.
    import pandas as pd

    from sigsurv.cohorts.model import Cohort, Endpoint

    expression = pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], index=["ESR1"], columns=list("abcd"))
    clinical = pd.DataFrame(
        {
            "t": [5.0, 8.0, 2.0, 9.0],
            "e": [1, 0, 1, 1],
            "study": ["A", "A", "B", "B"],
            "er": ["positive", "positive", "negative", "negative"],
        },
        index=expression.columns,
    )
    cohort = Cohort("toy", expression, clinical, {"dmfs": Endpoint("dmfs", "t", "e")})
    stratified = cohort.with_strata("study")
    subgroup = stratified.subset("er == 'positive'")
    assert subgroup.strata is None and subgroup.n_samples == 2
    assert any("not stratified by 'study'" in m for m in subgroup.messages)
    assert stratified.subset("study in ('A', 'B')").strata == "study"
