"""Issue 20 item 4: endpoints are named, never guessed from a time column that says none."""

from __future__ import annotations

import json

import pytest

from sigsurv.cli import main
from sigsurv.cohorts import load_cohort
from sigsurv.cohorts.clinical import ENDPOINT_CHOICES, endpoint_named_by
from sigsurv.errors import OptionError

SAMPLES = [f"s{i}" for i in range(8)]


@pytest.mark.parametrize(
    ("column", "name"),
    [
        ("OS_MONTHS", "os"),
        ("overall survival days", "os"),
        ("relapse_time", "rfs"),
        ("time to relapse or last follow-up (months)", "rfs"),
        ("DFS.time", "dfs"),
        ("disease free months", "dfs"),
        ("t.dmfs", "dmfs"),
        ("drfs_even_time_years", "dmfs"),
        ("time to distant relapse", "dmfs"),
        ("MFS_yr", "mfs"),
        ("metastasis time", "mfs"),
        ("bmfs (yr)", "bmfs"),
        ("time to bone relapse", "bmfs"),
        ("DSS.time", "dss"),
        ("disease-specific survival", "dss"),
        ("PFI.time", "pfi"),
        ("time to progression", "pfi"),
    ],
)
def test_a_time_column_that_says_its_endpoint_names_it(column, name):
    named = endpoint_named_by(column)
    assert named is not None and named[0] == name


@pytest.mark.parametrize("column", ["time", "followup_days", "survival time", "months", "t"])
def test_a_time_column_that_says_nothing_names_nothing(column):
    assert endpoint_named_by(column) is None


def _files(tmp_path, time_column: str):
    expression = tmp_path / "expr.tsv"
    rows = [f"{g}\t" + "\t".join(str(v + i) for i, v in enumerate(range(8))) for g in ("ESR1",)]
    expression.write_text("gene\t" + "\t".join(SAMPLES) + "\n" + "\n".join(rows) + "\n")
    clinical = tmp_path / "clin.tsv"
    lines = [f"id\t{time_column}\tstatus"]
    lines += [f"{s}\t{10 + 3 * i}\t{i % 2}" for i, s in enumerate(SAMPLES)]
    clinical.write_text("\n".join(lines) + "\n")
    return expression, clinical


def test_api_refuses_an_unnamed_endpoint_and_names_the_choices(tmp_path):
    expression, clinical = _files(tmp_path, "time")
    with pytest.raises(OptionError) as info:
        load_cohort(expression, clinical=clinical, time="time", event="status", time_unit="months")
    message = str(info.value)
    assert "clin.tsv" in message and "'time'" in message
    assert all(choice in message for choice in ENDPOINT_CHOICES)
    cohort = load_cohort(
        expression,
        clinical=clinical,
        time="time",
        event="status",
        endpoint="dmfs",
        time_unit="months",
    )
    assert list(cohort.endpoints) == ["dmfs"]


def test_cohort_info_with_time_time_refuses_in_one_line(tmp_path, capsys):
    expression, clinical = _files(tmp_path, "time")
    arguments = ["cohort", "info", str(expression), "--clinical", str(clinical)]
    code = main([*arguments, "--time", "time", "--event", "status", "--time-unit", "months"])
    out, err = capsys.readouterr()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, out + err
    assert "--endpoint-name" in lines[0] and "does not say which endpoint" in lines[0]
    assert "Traceback" not in err


def test_cohort_info_uses_and_reports_the_endpoint_a_column_says(tmp_path, capsys):
    expression, clinical = _files(tmp_path, "relapse_time")
    arguments = ["cohort", "info", str(expression), "--clinical", str(clinical), "--json"]
    code = main(
        [*arguments, "--time", "relapse_time", "--event", "status", "--time-unit", "months"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    described = json.loads(out)
    assert list(described["endpoints"]) == ["rfs"]
    assert any("named from the --time column 'relapse_time'" in m for m in described["messages"])
