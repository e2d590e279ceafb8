"""``sigsurv survival --cause`` on a TCGA-CDR folder (competing-risk bone relapse)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sigsurv.cli import app


def test_survival_cause_writes_results_json(data_dir, tmp_path):
    cdr = pd.read_csv(data_dir / "TCGA_BRCA" / "survival_tcga_cdr_brca.tsv", sep="\t")
    cdr.to_csv(tmp_path / "survival_tcga_cdr_brca.tsv", sep="\t", index=False)
    rng = np.random.default_rng(7)
    expression = pd.DataFrame(
        rng.normal(size=(1, len(cdr))),
        index=pd.Index(["hsa-mir-21"], name="gene"),
        columns=[f"{b}-01A-11R-A000-13" for b in cdr["bcr_patient_barcode"]],
    )
    expression.to_csv(tmp_path / "mirna_log2.tsv", sep="\t")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "survival",
            str(tmp_path),
            "-s",
            "mir21_mirna",
            "--all-patients",
            "--endpoint",
            "bone_relapse_cr",
            "--cause",
            "bone relapse",
            "--times",
            "60",
            "--times-unit",
            "months",
            "-o",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads((out / "results.json").read_text())
    assert record["cause"] == 1 and record["cause_label"] == "bone relapse"
    assert record["events"]["bone relapse"] == 34
    assert record["primary"] == "cause_specific"
    assert {"hr", "ci_lower", "ci_upper", "p_wald"} <= set(record["fine_gray_per_sd"])
    for suffix in ("png", "pdf", "svg"):  # the cumulative-incidence figure
        assert (out / f"cumulative_incidence.{suffix}").stat().st_size > 0
    refused = CliRunner().invoke(
        app, ["survival", str(tmp_path), "-s", "mir21_mirna", "--cause", "1", "--horizon", "5"]
    )
    assert refused.exit_code != 0
