"""Discrete copy-number calls: cBioPortal's study_es_0 (DISCRETE_LONG) and wide files."""

from __future__ import annotations

import csv
import warnings
from collections import Counter

import pandas as pd
import pytest

from sigsurv.cohorts.cbioportal import load_cbioportal
from sigsurv.cohorts.copy_number import copy_number_columns, read_cna_table
from sigsurv.errors import FileFormatError


@pytest.fixture(scope="module")
def study(data_dir):
    return data_dir / "formats" / "cBioPortal_study_es_0" / "study_es_0"


def _file_counts(path, gene):
    """Calls of one gene counted straight from the file, without sigsurv."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return Counter(int(r["Value"]) for r in rows if r["Hugo_Symbol"] == gene)


def test_long_layout_counts_match_the_file(study):
    calls = read_cna_table(study / "data_cna_discrete.txt")
    assert calls.shape == (8, 788)
    for gene in ("AGRN", "ACP3", "ERCC5"):
        found = calls.loc[gene].value_counts().to_dict()
        assert found == dict(_file_counts(study / "data_cna_discrete.txt", gene))
    # AGRN: 2 deep, 213 shallow deletions among 788 profiled samples.
    assert int((calls.loc["AGRN"] == -2).sum()) == 2
    assert int((calls.loc["AGRN"] == -1).sum()) == 213


def test_cbioportal_loader_adds_cna_columns_from_the_meta_file(study):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = load_cbioportal(study, copy_number_genes=["AGRN", "MIR424"])
    column = cohort.clinical["cna_AGRN"]
    assert "cna_MIR424" not in cohort.clinical.columns
    assert any("not in the file: MIR424" in m for m in cohort.messages)
    calls = read_cna_table(study / "data_cna_discrete.txt").loc["AGRN"]
    expected = calls.reindex(cohort.samples)
    pd.testing.assert_series_equal(column, expected, check_names=False, check_index=False)
    # Samples without a copy-number profile are missing, not neutral.
    assert int(column.isna().sum()) == int((~cohort.samples.isin(calls.index)).sum())
    assert cohort.subset("cna_AGRN <= -1").n_samples == int((column <= -1).sum())


def test_wide_layout_and_errors(tmp_path):
    path = tmp_path / "data_cna.txt"
    path.write_text("Hugo_Symbol\tEntrez_Gene_Id\tS1\tS2\nMIR424\t1\t-2\t0\nMIR503\t2\t\t1\n")
    calls = read_cna_table(path)
    assert calls.loc["MIR424"].tolist() == [-2, 0]
    assert calls.loc["MIR503"].isna().tolist() == [True, False]
    columns, absent = copy_number_columns(calls, pd.Index(["S2", "S3"]), ["MIR503", "X"])
    assert columns["cna_MIR503"].tolist()[0] == 1 and pd.isna(columns["cna_MIR503"].iloc[1])
    assert absent == ["X"]
    path.write_text("Hugo_Symbol\tS1\nMIR424\t-0.7\n")
    with pytest.raises(FileFormatError, match="discrete copy-number call") as error:
        read_cna_table(path)
    assert error.value.line == 2
    path.write_text("Hugo_Symbol\tS1\nMIR424\t-1\nMIR424\t0\n")
    with pytest.raises(FileFormatError, match="different calls"):
        read_cna_table(path)
