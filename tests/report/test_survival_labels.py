"""Issue 13 defects in what ``sigsurv survival`` writes: endpoint label, subgroup, files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sigsurv import load_example
from sigsurv.cli import app

runner = CliRunner()


def write_tables(folder, time_column: str) -> tuple[str, str]:
    cohort = load_example("gse1992")
    expression = folder / "expression.tsv"
    cohort.expression.loc[["ESR1", "RPS6KA5", "MKI67"]].to_csv(
        expression, sep="\t", index_label="gene"
    )
    time, event = cohort.survival("rfs")
    clinical = folder / "clinical.tsv"
    pd.DataFrame(
        {
            "sample": cohort.samples,
            time_column: time,
            "relapse": event.astype(int),
            "er": cohort.clinical["er"].to_numpy(),
        }
    ).to_csv(clinical, sep="\t", index=False)
    return str(expression), str(clinical)


def run_survival(folder, time_column: str, *extra: str) -> dict:
    expression, clinical = write_tables(folder, time_column)
    out = folder / "out"
    arguments = [
        "survival",
        expression,
        "--clinical",
        clinical,
        "--time",
        time_column,
        "--event",
        "relapse",
        "--time-unit",
        "months",
        "--signature",
        "msk1_rps6ka5",
        "--all-patients",
        "--out",
        str(out),
        *extra,
    ]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return json.loads((out / "results.json").read_text())


def test_time_column_without_endpoint_name_is_not_called_overall_survival(tmp_path):
    payload = run_survival(tmp_path, "RFS_months")
    assert payload["endpoint"]["name"] == "rfs"
    assert payload["endpoint"]["label"] == "relapse-free survival"


def test_time_column_prefixes_name_the_endpoint(tmp_path):
    payload = run_survival(tmp_path, "DMFS.time")
    assert payload["endpoint"]["name"] == "dmfs"
    assert payload["endpoint"]["label"] == "distant-metastasis-free survival"


def test_subgroup_is_recorded_and_the_figures_are_written(tmp_path):
    payload = run_survival(tmp_path, "RFS_months", "--subgroup", "er == 'positive'")
    assert payload["endpoint"]["subgroup"] == "er == 'positive'"
    assert payload["analysis"]["subgroup"] == "er == 'positive'"
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert {"km.png", "km.pdf", "km.svg"} <= set(names)
    assert np.isfinite(payload["cox_grouped"]["hr"])
