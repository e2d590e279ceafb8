"""Issue 20 item 5: clinical files as people download them, and combined tables split."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from sigsurv.cli import main
from sigsurv.cohorts import load_cohort
from sigsurv.errors import OptionError, SigsurvWarning

SHARED = Path(os.environ.get("SIGSURV_SHARED", Path(__file__).parents[3] / "shared")) / "data"
STUDY = SHARED / "formats" / "cBioPortal_study_es_0" / "study_es_0"
METABRIC = SHARED / "METABRIC"
needs_shared = pytest.mark.skipif(not STUDY.exists(), reason="shared data not available")


@needs_shared
def test_cbioportal_patient_file_joins_a_separate_expression_matrix(capsys):
    arguments = ["cohort", "info", str(STUDY / "data_expression_median.txt"), "--json"]
    arguments += ["--clinical", str(STUDY / "data_clinical_patients.txt")]
    code = main([*arguments, "--time", "OS_MONTHS", "--event", "OS_STATUS"])
    out, err = capsys.readouterr()
    assert code == 0, err
    described = json.loads(out)
    # SOURCE.md: 6 genes x 526 samples; OS 1:DECEASED 87 of 841 patients, 63 with expression.
    assert described["samples"] == 526 and described["genes"] == 6
    assert described["endpoints"]["os"]["events"] == 63
    notes = " ".join(described["messages"])
    assert "4 cBioPortal header lines" in notes and "rows identified by PATIENT_ID" in notes
    assert "by TCGA patient barcode" in notes


@needs_shared
def test_cbioportal_sample_file_is_keyed_by_sample_id():
    # The sample file lists samples without expression: dropped, and said so.
    with pytest.warns(SigsurvWarning, match="526 samples matched"):
        cohort = load_cohort(
            STUDY / "data_expression_median.txt",
            clinical=STUDY / "data_clinical_samples.txt",
            time=None,
        )
    assert cohort.join_report is not None and cohort.join_report.n_matched == 526
    assert "SUBTYPE" in cohort.clinical.columns


def _metabric_matrix(folder: Path, patients: list[str]) -> Path:
    rng = np.random.default_rng(3)
    path = folder / "data_mrna_illumina_microarray.txt"
    lines = ["Hugo_Symbol\tEntrez_Gene_Id\t" + "\t".join(patients)]
    for gene, entrez in (("ESR1", 2099), ("MKI67", 4288), ("ERBB2", 2064)):
        values = rng.normal(8, 1, len(patients))
        lines.append(f"{gene}\t{entrez}\t" + "\t".join(f"{v:.3f}" for v in values))
    path.write_text("\n".join(lines) + "\n")
    return path


@needs_shared
@pytest.mark.parametrize(
    ("clinical", "time", "event", "endpoint"),
    [
        ("cbioportal2018_data_clinical_patient.tsv", "OS_MONTHS", "OS_STATUS", "os"),
        ("clinical_patient_cbioportal_with_RFS.csv", "RFS_MONTHS", "RFS_STATUS", "rfs"),
    ],
)
def test_metabric_clinical_files_join_as_downloaded(tmp_path, clinical, time, event, endpoint):
    lines = (METABRIC / clinical).read_text().splitlines()
    separator = "," if clinical.endswith(".csv") else "\t"
    patients = [line.split(separator)[0] for line in lines if line.startswith("MB-")][:60]
    expression = _metabric_matrix(tmp_path, patients)
    # 60 of the file's patients have expression here: the others are dropped, said so.
    with pytest.warns(SigsurvWarning, match="60 samples matched"):
        cohort = load_cohort(expression, clinical=METABRIC / clinical, time=time, event=event)
    assert cohort.n_samples == 60 and list(cohort.endpoints) == [endpoint]
    assert any("cBioPortal header lines" in m for m in cohort.messages)
    assert cohort.endpoint().unit == "months"


@needs_shared
def test_deepsurv_table_is_split_by_its_gene_columns(capsys):
    table = METABRIC / "deepsurv_metabric_4genes_os.tsv"
    cohort = load_cohort(
        table,
        gene_columns=["MKI67", "EGFR", "PGR", "ERBB2"],
        time="os_time",
        event="os_event",
        time_unit="months",
    )
    assert sorted(cohort.genes) == ["EGFR", "ERBB2", "MKI67", "PGR"]
    assert cohort.n_samples == 1904 and "os_time" in cohort.clinical.columns
    assert "MKI67" not in cohort.clinical.columns
    same = load_cohort(
        table,
        clinical_columns=[
            "*_treatment",
            "radiotherapy",
            "chemotherapy",
            "ER_positive",
            "age",
            "os_*",
            "deepsurv_split",
        ],
        time="os_time",
        event="os_event",
        time_unit="months",
    )
    assert same.expression.equals(cohort.expression)
    code = main(
        [
            "cohort",
            "info",
            str(table),
            "--gene-columns",
            "MKI67,EGFR,PGR,ERBB2",
            "--time",
            "os_time",
            "--event",
            "os_event",
            "--time-unit",
            "months",
        ]
    )
    assert code == 0, capsys.readouterr().err


def _combined(tmp_path) -> Path:
    path = tmp_path / "combined.tsv"
    path.write_text(
        "id\tg_ESR1\tg_MKI67\tage\ttime\tstatus\n"
        + "".join(f"s{i}\t{i}.5\t{9 - i}.1\t{50 + i}\t{10 + i}\t{i % 2}\n" for i in range(6))
    )
    return path


def test_prefix_rule_and_partition_checks(tmp_path):
    path = _combined(tmp_path)
    options = {"time": "time", "event": "status", "endpoint": "os", "time_unit": "months"}
    cohort = load_cohort(path, gene_columns=["g_*"], harmonise=False, **options)
    assert cohort.genes.tolist() == ["g_ESR1", "g_MKI67"]
    with pytest.raises(OptionError, match="neither gene nor clinical"):
        load_cohort(path, gene_columns=["g_*"], clinical_columns=["time", "status"], **options)
    with pytest.raises(OptionError, match="both gene and clinical"):
        load_cohort(
            path,
            gene_columns=["g_*"],
            clinical_columns=["g_ESR1", "age", "time", "status"],
            **options,
        )
    with pytest.raises(OptionError, match="names no column"):
        load_cohort(path, gene_columns=["rna_*"], **options)


def test_cli_refuses_a_bad_split_in_one_line(tmp_path, capsys):
    path = _combined(tmp_path)
    code = main(
        [
            "cohort",
            "info",
            str(path),
            "--gene-columns",
            "g_ESR1,,x",
            "--time",
            "time",
            "--event",
            "status",
            "--endpoint-name",
            "os",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--gene-columns" in err
