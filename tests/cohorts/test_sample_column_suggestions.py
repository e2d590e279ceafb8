"""Did-you-mean for sample columns (issue 22): a mistyped column name, and a clinical
table whose identifiers sit in another column than the one read as the sample ID."""

from __future__ import annotations

import pytest

from sigsurv.cohorts import load_tables
from sigsurv.errors import FileFormatError, SampleJoinError

EXPRESSION = "gene\tS1\tS2\tS3\nTP53\t1\t2\t3\nESR1\t4\t5\t6\n"


def _write(tmp_path, clinical: str):
    (tmp_path / "e.tsv").write_text(EXPRESSION)
    (tmp_path / "c.tsv").write_text(clinical)
    return tmp_path / "e.tsv", tmp_path / "c.tsv"


def test_a_mistyped_sample_column_is_suggested(tmp_path):
    expression, clinical = _write(tmp_path, "sample_id\tos_months\tos_event\nS1\t5\t1\n")
    with pytest.raises(FileFormatError, match="did you mean 'sample_id'"):
        load_tables(
            expression, clinical, sample_column="sampleid", time="os_months", event="os_event"
        )


def test_the_column_holding_the_expression_ids_is_suggested(tmp_path):
    clinical_text = "row\tpatient\tos_months\tos_event\n1\tS1\t5\t1\n2\tS2\t8\t0\n3\tS3\t9\t1\n"
    expression, clinical = _write(tmp_path, clinical_text)
    with pytest.raises(SampleJoinError, match="did you mean --sample-column 'patient'") as raised:
        load_tables(expression, clinical, time="os_months", event="os_event")
    assert "holds 3 of the 3 expression sample IDs" in str(raised.value)
    cohort = load_tables(
        expression, clinical, sample_column="patient", time="os_months", event="os_event"
    )
    assert cohort.n_samples == 3
