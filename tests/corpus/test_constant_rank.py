"""Rank methods refuse a signature whose genes are all constant (API and CLI)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigsurv.cli import main
from sigsurv.errors import AnalysisError
from sigsurv.scoring import score
from sigsurv.signatures import load_signatures

GENES = ["TP53", "ESR1", "GATA3", "FOXA1", "BCL2", "ERBB2", "MKI67", "AURKA"]
SAMPLES = [f"S{i}" for i in range(1, 11)]


def _files(tmp_path):
    rng = np.random.default_rng(3)
    values = rng.normal(8, 1, size=(len(GENES), len(SAMPLES))).round(3)
    values[0], values[1], values[2] = 5.0, 9.5, 7.2  # constant, at different levels
    expression = pd.DataFrame(values, index=pd.Index(GENES, name="gene"), columns=SAMPLES)
    expression.to_csv(tmp_path / "expr.tsv", sep="\t")
    clinical = pd.DataFrame(
        {
            "id": SAMPLES,
            "time": [10 + 7 * i for i in range(10)],
            "status": [i % 2 for i in range(10)],
        }
    )
    clinical.to_csv(tmp_path / "clin.tsv", sep="\t", index=False)
    (tmp_path / "flat.gmt").write_text("flat\tna\tTP53\tESR1\tGATA3\n")
    return expression


@pytest.mark.parametrize("method", ["ssgsea", "singscore"])
def test_api_refuses_all_constant_signature(method, tmp_path):
    expression = _files(tmp_path)
    signatures = load_signatures(tmp_path / "flat.gmt")
    with pytest.raises(AnalysisError, match="every gene found has constant expression"):
        score(expression, signatures, method=method)


@pytest.mark.parametrize("method", ["ssgsea", "singscore"])
def test_cli_refuses_all_constant_signature_in_one_line(method, tmp_path, capsys):
    _files(tmp_path)
    arguments = ["survival", str(tmp_path / "expr.tsv"), "--clinical", str(tmp_path / "clin.tsv")]
    arguments += ["--time", "time", "--endpoint-name", "os", "--event", "status"]
    arguments += ["--time-unit", "months"]
    arguments += ["-s", str(tmp_path / "flat.gmt"), "-m", method]
    assert main(arguments) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "constant expression" in errors[0]
    assert "Traceback" not in err
