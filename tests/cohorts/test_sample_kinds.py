"""Issue 20 item 7: non-tumour samples left out (reported), standardised input detected."""

from __future__ import annotations

import numpy as np
import pytest

from sigsurv.cli import main
from sigsurv.cohorts import load_cohort
from sigsurv.cohorts.sample_kinds import STANDARDISED_NOTE
from sigsurv.errors import OptionError

TUMOURS = [f"TCGA-A1-A0{i:02d}-01A" for i in range(8)]
NORMALS = ["TCGA-A1-A000-11A", "TCGA-A1-A001-11A"]


def _write(tmp_path, samples, extra_column=None, values=None, genes=("ESR1", "MKI67", "ERBB2")):
    rng = np.random.default_rng(7)
    values = rng.normal(8, 1, (len(genes), len(samples))) if values is None else values
    lines = ["gene\t" + "\t".join(samples)]
    lines += [
        f"{g}\t" + "\t".join(f"{v:.6f}" for v in row) for g, row in zip(genes, values, strict=True)
    ]
    (tmp_path / "expr.tsv").write_text("\n".join(lines) + "\n")
    header = "id\tOS_MONTHS\tOS_STATUS" + (f"\t{extra_column[0]}" if extra_column else "")
    rows = [
        f"{s}\t{10 + i}\t{i % 2}" + (f"\t{extra_column[1][i]}" if extra_column else "")
        for i, s in enumerate(samples)
    ]
    (tmp_path / "clin.tsv").write_text(header + "\n" + "\n".join(rows) + "\n")
    return tmp_path / "expr.tsv", tmp_path / "clin.tsv"


OPTIONS = {"time": "OS_MONTHS", "event": "OS_STATUS", "time_unit": "months"}


def test_tcga_normal_barcodes_are_excluded_and_reported(tmp_path):
    expression, clinical = _write(tmp_path, TUMOURS + NORMALS)
    cohort = load_cohort(expression, clinical=clinical, **OPTIONS)
    assert cohort.n_samples == 8 and not set(NORMALS) & set(cohort.samples)
    note = next(m for m in cohort.messages if "non-tumour" in m)
    assert (
        note.startswith("2 non-tumour samples excluded")
        and "TCGA sample type 11 (normal) x2" in note
    )
    kept = load_cohort(expression, clinical=clinical, non_tumour="keep", **OPTIONS)
    assert kept.n_samples == 10 and any("kept as asked" in m for m in kept.messages)


def test_cell_lines_in_a_tissue_field_are_excluded(tmp_path):
    samples = [f"GSM{i}" for i in range(10)]
    tissue = ["breast tumor"] * 7 + ["cell line: MDA-MB-231 derivative 1833"] * 2 + ["normal"]
    expression, clinical = _write(tmp_path, samples, ("tissue type", tissue))
    cohort = load_cohort(expression, clinical=clinical, **OPTIONS)
    assert cohort.samples.tolist() == samples[:7]
    note = next(m for m in cohort.messages if "non-tumour" in m)
    assert "tissue type = 'cell line: MDA-MB-231 derivative 1833' x2" in note


def test_every_sample_non_tumour_is_refused(tmp_path):
    expression, clinical = _write(tmp_path, ["a", "b", "c"], ("sample_type", ["Normal"] * 3))
    with pytest.raises(OptionError, match="every sample is a non-tumour sample"):
        load_cohort(expression, clinical=clinical, **OPTIONS)


def test_cli_keep_non_tumour(tmp_path, capsys):
    expression, clinical = _write(tmp_path, TUMOURS + NORMALS)
    arguments = ["cohort", "info", str(expression), "--clinical", str(clinical)]
    arguments += ["--time", "OS_MONTHS", "--event", "OS_STATUS", "--time-unit", "months"]
    assert main(arguments) == 0
    assert "8 samples" in capsys.readouterr().out
    assert main([*arguments, "--keep-non-tumour"]) == 0
    assert "10 samples" in capsys.readouterr().out
    assert main(["cohort", "info", "gse1992", "--keep-non-tumour"]) == 2
    assert "--keep-non-tumour does not apply" in capsys.readouterr().err


def test_standardised_input_is_reported_and_duplicates_averaged(tmp_path):
    rng = np.random.default_rng(11)
    raw = rng.normal(8, 2, (3, 8))
    z = (raw - raw.mean(axis=1, keepdims=True)) / raw.std(axis=1, keepdims=True)
    expression, clinical = _write(tmp_path, TUMOURS, values=z, genes=("ESR1", "ESR1", "MKI67"))
    cohort = load_cohort(expression, clinical=clinical, **OPTIONS)
    note = next(m for m in cohort.messages if STANDARDISED_NOTE in m)
    assert "cannot be known" in note and "collapse 'mean'" in note
    assert STANDARDISED_NOTE in cohort.provenance.notes
    averaged = z[:2].mean(axis=0)
    np.testing.assert_allclose(cohort.expression.loc["ESR1"].to_numpy(), averaged, atol=1e-6)
    plain = load_cohort(
        _write(tmp_path, TUMOURS, values=raw, genes=("ESR1", "ESR1", "MKI67"))[0],
        clinical=clinical,
        **OPTIONS,
    )
    assert not any(STANDARDISED_NOTE in m for m in plain.messages)


def test_normal_like_is_a_tumour_subtype_not_normal_tissue():
    import pandas as pd

    from sigsurv.cohorts.sample_kinds import non_tumour_samples

    clinical = pd.DataFrame(
        {"sample type": ["Normal-like", "normal like", "tumor adjacent normal", "Primary"]},
        index=["a", "b", "c", "TCGA-A1-A0SB-50A"],
    )
    assert set(non_tumour_samples(clinical)) == {"c", "TCGA-A1-A0SB-50A"}
