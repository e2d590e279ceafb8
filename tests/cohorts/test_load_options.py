"""LoadOptions: one loading contract, and the input limit as an option passed down.

The limit (``LoadOptions.max_file_bytes``) must be honoured by every reader path (a
plain matrix file, a gzip that expands, a workbook, each loader), and two loads with
different limits in one process, even at the same time, must not interfere.
"""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigsurv._cli_options import SourceOptions, state
from sigsurv.cli import main
from sigsurv.cohorts import LoadOptions, load_cohort, load_tables
from sigsurv.cohorts.fetch import FetchResult
from sigsurv.cohorts.options import load_options
from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES, open_text
from sigsurv.cohorts.recipe import parse_recipe
from sigsurv.cohorts.resolve import load_recipe_cohort
from sigsurv.cohorts.workbook import sheet_to_tsv
from sigsurv.errors import FileFormatError, OptionError

SAMPLES = [f"S{i:02d}" for i in range(8)]
GENES = ["TP53", "ESR1", "MSK1", "GATA3"]
VALUES = np.arange(len(GENES) * len(SAMPLES), dtype=float).reshape(len(GENES), -1) / 7 + 1
TINY = 100  # bytes: smaller than any file written here
ENDPOINT = {"time": "os_months", "event": "os_status", "endpoint": "os"}


def _matrix_text(padding: int = 0) -> str:
    lines = ["gene\t" + "\t".join(SAMPLES)]
    lines += [
        g + "\t" + "\t".join(f"{v:.4f}" for v in row) for g, row in zip(GENES, VALUES, strict=True)
    ]
    # Trailing blank lines are harmless to the reader: they only make the text longer.
    return "\n".join(lines) + "\n" + "\n" * padding


def _clinical(root: Path) -> Path:
    lines = ["sample\tos_months\tos_status"]
    lines += [f"{s}\t{10 + 3 * i}\t{i % 2}" for i, s in enumerate(SAMPLES)]
    path = root / "clinical.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _plain(root: Path) -> tuple[Path, Path]:
    expression = root / "expression.tsv"
    expression.write_text(_matrix_text())
    return expression, _clinical(root)


def _gzip_bomb(root: Path, expanded_bytes: int) -> tuple[Path, Path]:
    """A gzip of a few kB whose text is ``expanded_bytes`` long once decompressed."""
    expression = root / "expression.tsv.gz"
    text = _matrix_text(padding=expanded_bytes)
    expression.write_bytes(gzip.compress(text.encode(), mtime=0))
    assert expression.stat().st_size < 16_384
    return expression, _clinical(root)


def _workbook(root: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "clinical"
    sheet.append(["sample", "os_months", "os_status"])
    for i, sample in enumerate(SAMPLES):
        sheet.append([sample, 10 + 3 * i, i % 2])
    path = root / "clinical.xlsx"
    book.save(path)
    return path


# ----------------------------------------------------------------------------- the contract
def test_load_options_are_frozen_and_checked():
    options = LoadOptions()
    assert options.max_file_bytes == DEFAULT_MAX_FILE_BYTES
    with pytest.raises(AttributeError):
        options.collapse = "mean"  # type: ignore[misc]
    for bad in (0, -1, 1.5, True, "512"):
        with pytest.raises(OptionError, match="max_file_bytes"):
            LoadOptions(max_file_bytes=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="no field 'colapse'"):
        options.replace(colapse="mean")
    with pytest.raises(OptionError, match="must be a LoadOptions"):
        load_options({"collapse": "mean"})  # type: ignore[arg-type]


def test_given_keywords_replace_fields_and_none_leaves_them():
    base = LoadOptions(collapse="mean", harmonise=False, max_file_bytes=4096)
    merged = load_options(base, collapse=None, harmonise=True, na_policy="keep")
    assert (merged.collapse, merged.harmonise, merged.na_policy) == ("mean", True, "keep")
    assert merged.max_file_bytes == 4096
    assert load_options(None) == LoadOptions()
    assert load_options(base) is base


def test_keywords_and_options_load_the_same_cohort(tmp_path):
    expression, clinical = _plain(tmp_path)
    by_keywords = load_tables(expression, clinical, **ENDPOINT, harmonise=False, na_policy="keep")
    by_options = load_tables(
        expression, clinical, **ENDPOINT, options=LoadOptions(harmonise=False, na_policy="keep")
    )
    pd.testing.assert_frame_equal(by_keywords.expression, by_options.expression)
    assert by_keywords.messages == by_options.messages
    assert "MSK1" in by_options.genes  # not harmonised
    # A keyword given with options replaces that field: harmonised (MSK1 -> RPS6KA5).
    harmonised = load_tables(
        expression, clinical, **ENDPOINT, options=LoadOptions(harmonise=False), harmonise=True
    )
    assert "RPS6KA5" in harmonised.genes and "MSK1" not in harmonised.genes


def test_source_options_are_a_view_of_load_options(monkeypatch):
    view = SourceOptions(collapse="max_var", keep_non_tumour=True, event_codes="yes=1,no=0")
    options = view.load_options()
    assert options == LoadOptions(
        collapse="max_var", non_tumour="keep", event_codes={"yes": 1, "no": 0}
    )
    assert view.loader_kwargs()["options"] == options
    monkeypatch.setitem(state, "max_file_bytes", 3 * 1024**2)
    assert view.load_options().max_file_bytes == 3 * 1024**2


# ----------------------------------------------------------------------------- the input limit
def test_a_limit_is_honoured_for_a_plain_matrix_file(tmp_path):
    expression, clinical = _plain(tmp_path)
    with pytest.raises(FileFormatError, match="file is larger than sigsurv's limit") as info:
        load_tables(expression, clinical, **ENDPOINT, options=LoadOptions(max_file_bytes=TINY))
    assert expression.name in str(info.value) and f"at most {TINY / 1024**2:g} MiB" in str(
        info.value
    )
    assert load_tables(expression, clinical, **ENDPOINT).n_samples == len(SAMPLES)


def test_a_limit_is_honoured_for_a_gzip_that_expands(tmp_path):
    expression, clinical = _gzip_bomb(tmp_path, 200_000)
    small = LoadOptions(max_file_bytes=100_000)  # larger than the gzip, smaller than its text
    assert expression.stat().st_size < small.max_file_bytes
    with pytest.raises(FileFormatError, match="decompressed file is larger than sigsurv's limit"):
        load_cohort(expression, clinical=clinical, **ENDPOINT, options=small)
    assert load_cohort(expression, clinical=clinical, **ENDPOINT).n_samples == len(SAMPLES)
    with pytest.raises(FileFormatError, match="decompressed file is larger"):
        open_text(expression, max_file_bytes=100_000)


def test_a_limit_is_honoured_for_a_workbook(tmp_path):
    workbook = _workbook(tmp_path)
    with pytest.raises(FileFormatError, match="workbook unpacks beyond the input limit"):
        sheet_to_tsv(workbook, "clinical", max_file_bytes=TINY)
    assert sheet_to_tsv(workbook, "clinical").read_text().startswith("sample\tos_months")


def test_a_recipe_workbook_honours_the_limit_of_its_load_options(tmp_path):
    workbook = _workbook(tmp_path)
    expression = tmp_path / "expression.tsv"
    expression.write_text(_matrix_text())
    recipe = parse_recipe(
        "id: toy\nloader: table\nfiles:\n"
        "  expression: {url: 'http://127.0.0.1/e.tsv'}\n"
        "  clinical: {url: 'http://127.0.0.1/c.xlsx', sheet: clinical}\n"
        "options: {time: os_months, event: os_status, time_unit: months, endpoint_name: os}\n"
    )
    fetched = FetchResult(recipe, {"expression": expression, "clinical": workbook})
    with pytest.raises(FileFormatError, match="workbook unpacks beyond the input limit"):
        load_recipe_cohort(fetched, options=LoadOptions(max_file_bytes=TINY))
    assert load_recipe_cohort(fetched).n_samples == len(SAMPLES)


def _cbioportal(root: Path) -> Path:
    folder = root / "study"
    folder.mkdir()
    lines = ["#a\tb\tc", "#a\tb\tc", "#STRING\tNUMBER\tSTRING", "#1\t1\t1"]
    lines += ["PATIENT_ID\tOS_MONTHS\tOS_STATUS"]
    lines += [
        f"{s}\t{10 + i}\t{i % 2}:{'DECEASED' if i % 2 else 'LIVING'}" for i, s in enumerate(SAMPLES)
    ]
    (folder / "data_clinical_patient.txt").write_text("\n".join(lines) + "\n")
    matrix = _matrix_text().replace("gene\t", "Hugo_Symbol\t", 1)
    (folder / "data_mrna_illumina_microarray.txt").write_text(matrix)
    return folder


def _series_matrix(root: Path) -> Path:
    gsms = [f"GSM{i}" for i in range(len(SAMPLES))]
    lines = [
        '!Series_geo_accession\t"GSE1"',
        "!Sample_geo_accession\t" + "\t".join(f'"{g}"' for g in gsms),
        "!Sample_characteristics_ch1\t" + "\t".join(f'"months: {5 + i}"' for i in range(8)),
        "!Sample_characteristics_ch1\t" + "\t".join(f'"relapse: {i % 2}"' for i in range(8)),
        "!series_matrix_table_begin",
        '"ID_REF"\t' + "\t".join(f'"{g}"' for g in gsms),
        *(
            f'"{g}"\t' + "\t".join(f"{v:.3f}" for v in row)
            for g, row in zip(GENES, VALUES, strict=True)
        ),
        "!series_matrix_table_end",
    ]
    path = root / "GSE1_series_matrix.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def _tcga(root: Path) -> Path:
    folder = root / "tcga"
    folder.mkdir()
    patients = [f"TCGA-A1-A{i:03d}" for i in range(len(SAMPLES))]
    header = "gene\t" + "\t".join(f"{p}-01A-11R" for p in patients)
    rows = [
        g + "\t" + "\t".join(f"{v:.4f}" for v in row) for g, row in zip(GENES, VALUES, strict=True)
    ]
    (folder / "expr.tsv").write_text("\n".join([header, *rows]) + "\n")
    cdr = ["bcr_patient_barcode\tOS\tOS.time"]
    cdr += [f"{p}\t{i % 2}\t{100 + i}" for i, p in enumerate(patients)]
    (folder / "cdr.tsv").write_text("\n".join(cdr) + "\n")
    return folder


def _h5ad(root: Path) -> Path:
    anndata = pytest.importorskip("anndata")
    obs = pd.DataFrame({"t": np.arange(8.0) + 1, "e": [i % 2 for i in range(8)]}, index=SAMPLES)
    path = root / "cohort.h5ad"
    anndata.AnnData(VALUES.T.copy(), obs=obs, var=pd.DataFrame(index=GENES)).write_h5ad(path)
    return path


def _parquet(root: Path) -> Path:
    path = root / "expression.parquet"
    frame = pd.DataFrame(VALUES, columns=SAMPLES)
    frame.insert(0, "gene", GENES)
    frame.to_parquet(path, index=False)
    return path


# Each source kind with the options that load it; every one reads through a different path.
SOURCES = {
    "cbioportal": (_cbioportal, {}),
    "geo": (_series_matrix, {"time": "months", "event": "relapse", "endpoint": "rfs"}),
    "tcga": (_tcga, {}),
    "anndata": (_h5ad, {"time": "t", "event": "e", "endpoint": "os", "time_unit": "months"}),
    "parquet": (_parquet, {**ENDPOINT, "time_unit": "months"}),
    "table": (lambda root: _plain(root)[0], {**ENDPOINT, "time_unit": "months"}),
}


@pytest.mark.parametrize("kind", SOURCES)
def test_every_loader_honours_the_limit_of_its_options(tmp_path, kind):
    build, keywords = SOURCES[kind]
    source = build(tmp_path)
    if kind in ("parquet", "table"):
        keywords = {**keywords, "clinical": _clinical(tmp_path)}
    with pytest.raises(FileFormatError, match="larger than sigsurv's limit"):
        load_cohort(source, **keywords, options=LoadOptions(max_file_bytes=TINY))
    assert load_cohort(source, **keywords).n_samples == len(SAMPLES)


def test_two_loads_with_different_limits_do_not_interfere(tmp_path):
    expression, clinical = _gzip_bomb(tmp_path, 200_000)
    small, large = LoadOptions(max_file_bytes=100_000), LoadOptions(max_file_bytes=10 * 1024**2)
    rounds = 6
    start = threading.Barrier(2)
    outcomes: dict[str, list[object]] = {"small": [], "large": []}

    def load(label: str, options: LoadOptions) -> None:
        for _ in range(rounds):
            start.wait()
            try:
                cohort = load_cohort(expression, clinical=clinical, **ENDPOINT, options=options)
            except FileFormatError as error:
                outcomes[label].append(error)
            else:
                outcomes[label].append(cohort.n_samples)

    threads = [
        threading.Thread(target=load, args=("small", small)),
        threading.Thread(target=load, args=("large", large)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(o, FileFormatError) for o in outcomes["small"]), outcomes["small"]
    assert outcomes["large"] == [len(SAMPLES)] * rounds
    # In turn, too: a small limit, then the default, then the small one again.
    for options, refused in ((small, True), (LoadOptions(), False), (small, True)):
        if refused:
            with pytest.raises(FileFormatError, match="decompressed file is larger"):
                load_cohort(expression, clinical=clinical, **ENDPOINT, options=options)
        else:
            assert load_cohort(expression, clinical=clinical, **ENDPOINT, options=options)


def test_max_input_mib_lasts_one_cli_invocation(tmp_path, capsys):
    expression, clinical = _gzip_bomb(tmp_path, 2 * 1024**2)
    command = ["cohort", "info", str(expression), "--clinical", str(clinical)]
    command += ["--time", "os_months", "--event", "os_status", "--endpoint-name", "os"]
    assert main(["--max-input-mib", "1", *command]) == 2
    error = capsys.readouterr().err
    assert "decompressed file is larger than sigsurv's limit" in error and "1 MiB" in error
    assert state["max_file_bytes"] is None  # restored after the invocation
    assert main(command) == 0, capsys.readouterr().err
