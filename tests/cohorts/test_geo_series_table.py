"""GEO series tables (family SOFT ``^SERIES`` block, or a TSV) joined to the samples."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from sigsurv.cohorts.geo import load_geo_series
from sigsurv.cohorts.geo_series_table import join_series_table, read_series_table
from sigsurv.errors import FileFormatError, SampleJoinError

HEADER = "PID\tGEO asscession number\trelapse (1=True)\tER Status"
ROWS = ["1\tGSM1\t1\tER+", "2\tGSM2\t0\tER-", "3\tGSM3\t--\tER+"]


def soft(tmp_path: Path, *, begin: str = "!series_table_begin", after: str = "", gz=True) -> Path:
    text = "\n".join(
        [
            "^DATABASE = GeoMiame",
            "^SERIES = GSE1",
            "!Series_title = toy",
            "#PID = patient",
            "#relapse (1=True) = relapse",
            begin,
            HEADER,
            *ROWS,
            "!series_table_end",
            after,
        ]
    )
    path = tmp_path / ("GSE1_family.soft" + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(text.encode(), mtime=0) if gz else text.encode())
    return path


@pytest.mark.parametrize("begin", ["!series_table_begin", "!series_table_begin = Patient data"])
def test_soft_series_table_with_or_without_a_title(begin, tmp_path):
    table = read_series_table(soft(tmp_path, begin=begin), accession_column="GEO asscession number")
    assert list(table.index) == ["GSM1", "GSM2", "GSM3"]
    assert table["relapse (1=True)"].tolist() == ["1", "0", None]  # '--' is missing
    assert list(table.columns) == ["PID", "relapse (1=True)", "ER Status"]


def test_reading_stops_at_the_end_of_the_table(tmp_path):
    """What follows the table (platform and sample blocks, most of the file) is never read:
    here it is not even valid gzip."""
    path = soft(tmp_path, after="^SAMPLE = GSM1\n!sample_table_begin\n")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 10])  # truncated after the table
    table = read_series_table(path, accession_column="GEO asscession number")
    assert len(table) == 3


def test_description_lines_between_begin_and_header_are_skipped(tmp_path):
    path = tmp_path / "GSE1_family.soft"
    path.write_text(
        "^SERIES = GSE1\n!series_table_begin\n#PID = patient\n\n"
        + "\n".join([HEADER, *ROWS])
        + "\n!series_table_end\n"
    )
    assert len(read_series_table(path, accession_column="GEO asscession number")) == 3


def test_plain_tsv_series_table(tmp_path):
    path = tmp_path / "table.tsv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    table = read_series_table(path, accession_column="GEO asscession number")
    assert table.loc["GSM2", "ER Status"] == "ER-"


def test_refusals_name_the_file_and_line(tmp_path):
    with pytest.raises(FileFormatError, match="accession column not found"):
        read_series_table(soft(tmp_path), accession_column="GSM")
    dup = tmp_path / "dup.soft"
    dup.write_text(
        "^SERIES = GSE1\n!series_table_begin\n"
        + HEADER
        + "\n"
        + ROWS[0]
        + "\n"
        + ROWS[0]
        + "\n!series_table_end\n"
    )
    with pytest.raises(FileFormatError, match=r"dup\.soft:5: .*duplicated GSM accession"):
        read_series_table(dup, accession_column="GEO asscession number")
    open_ended = tmp_path / "open.soft"
    open_ended.write_text("^SERIES = GSE1\n!series_table_begin\n" + HEADER + "\n" + ROWS[0] + "\n")
    with pytest.raises(FileFormatError, match="not terminated"):
        read_series_table(open_ended, accession_column="GEO asscession number")
    none = tmp_path / "none.soft"
    none.write_text("^SERIES = GSE1\n!Series_title = t\n^SAMPLE = GSM1\n!sample_table_begin\n")
    with pytest.raises(FileFormatError, match=r"no series table in the \^SERIES block"):
        read_series_table(none, accession_column="GEO asscession number")
    ragged = tmp_path / "ragged.soft"
    ragged.write_text(
        "^SERIES = GSE1\n!series_table_begin\n" + HEADER + "\n1\tGSM1\n!series_table_end\n"
    )
    with pytest.raises(FileFormatError, match=r"ragged\.soft:4"):
        read_series_table(ragged, accession_column="GEO asscession number")


def test_join_reports_unknown_rows_and_refuses_disagreement(tmp_path):
    samples = pd.DataFrame({"ER Status": ["ER+", None]}, index=["GSM1", "GSM2"])
    table = read_series_table(soft(tmp_path), accession_column="GEO asscession number")
    messages: list[str] = []
    merged = join_series_table(samples, table, tmp_path / "t", messages)
    assert merged.loc["GSM2", "ER Status"] == "ER-"  # filled from the table
    assert any("1 series-table rows name no sample" in m for m in messages)
    samples.loc["GSM1", "ER Status"] = "ER-"
    with pytest.raises(SampleJoinError, match="disagree"):
        join_series_table(samples, table, tmp_path / "t", [])


def test_load_geo_series_decodes_endpoints_from_the_joined_table(tmp_path):
    matrix = tmp_path / "GSE1_series_matrix.txt"
    matrix.write_text(
        '!Series_geo_accession\t"GSE1"\n!Sample_geo_accession\t"GSM1"\t"GSM2"\t"GSM3"\n'
        '!Sample_characteristics_ch1\t"months: 5"\t"months: 9"\t"months: --"\n'
        '!series_matrix_table_begin\n"ID_REF"\t"GSM1"\t"GSM2"\t"GSM3"\n'
        '"TP53"\t1\t2\t3\n"ESR1"\t3\t1\t2\n!series_matrix_table_end\n'
    )
    cohort = load_geo_series(
        matrix,
        series_table=soft(tmp_path),
        clinical_accession="GEO asscession number",
        time="months",
        event="relapse (1=True)",
        time_unit="months",
        endpoint="rfs",
    )
    time, event = cohort.survival("rfs")
    assert list(event[:2]) == [1, 0]
    assert pd.isna(time[2]) and pd.isna(event[2])
