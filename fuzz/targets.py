"""Fuzz targets: one function per parser, taking raw bytes, plus seed inputs.

Each target writes the bytes to a file with the name the parser expects (the
loaders read paths, and the file name selects the format) and runs the parser.
The first byte of the input selects a variant (file suffix, compression, which
entry point) so one corpus exercises several code paths. A target may raise a
:class:`~sigsurv.errors.SigsurvInputError` subclass (a clean refusal); any other
exception is a crash.

The seeds are small valid files in each format; the fuzzer mutates them.
"""

from __future__ import annotations

import dataclasses
import gzip
import warnings
from collections.abc import Callable
from pathlib import Path

__all__ = ["PARSERS", "SEEDS", "Target"]

Target = Callable[[bytes, Path], None]


def _variant(data: bytes) -> tuple[int, bytes]:
    if not data:
        return 0, b""
    return data[0], data[1:]


def _write(folder: Path, name: str, payload: bytes, compress: bool = False) -> Path:
    path = folder / (name + (".gz" if compress else ""))
    path.write_bytes(gzip.compress(payload, mtime=0) if compress else payload)
    return path


# A valid clinical table whose sample IDs match the expression seeds.
_CLINICAL = b"id\ttime\tstatus\nS1\t10.5\t1\nS2\t20\t0\nS3\t7\t1\nS4\t30\t0\n"
# A valid expression matrix matching the clinical seed.
_EXPRESSION = (
    b"gene\tS1\tS2\tS3\tS4\nTP53\t1.5\t2.5\t3.0\t0.1\nESR1\t8.1\t7.2\t9.9\t6.0\n"
    b"MSK1\t4.0\t4.4\t3.3\t2.2\n"
)


def _text_lines(path: Path) -> list[str]:
    """The file's lines, decoded independently of sigsurv (for the shape oracle)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def _check_shape(path: Path, shape: tuple[int, int], transposed: bool = False) -> None:
    """Oracle: a table that loads keeps every data row and every column of its header.

    A silently merged or dropped row or field (the worst kind of bug: no error) is
    turned into a crash here.
    """
    from sigsurv.cohorts.readers import _sniff_separator

    lines = _text_lines(path)
    separator = _sniff_separator(lines[0], path, None)
    expected = (len(lines) - 1, len(lines[0].split(separator)) - 1)
    if transposed:
        expected = expected[::-1]
    if tuple(shape) != expected:
        raise AssertionError(f"table read as {tuple(shape)}, file has {expected}")


def table_target(data: bytes, folder: Path) -> None:
    """Expression and clinical tables (TSV/CSV, plain or gzip), alone or joined."""
    from sigsurv.cohorts.tables import load_tables, read_clinical_table, read_expression_table

    variant, payload = _variant(data)
    suffix = (".tsv", ".csv", ".txt")[variant % 3]
    compress = bool(variant & 4)
    mode = (variant >> 3) % 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if mode == 0:
            path = _write(folder, "expr" + suffix, payload, compress)
            orientation = "samples_x_genes" if variant & 64 else "genes_x_samples"
            expression, _ = read_expression_table(path, orientation=orientation)
            _check_shape(path, expression.shape, transposed=bool(variant & 64))
        elif mode == 1:
            path = _write(folder, "clin" + suffix, payload, compress)
            clinical, _ = read_clinical_table(path)
            _check_shape(path, clinical.shape)
        elif mode == 2:
            expression = _write(folder, "expr" + suffix, payload, compress)
            clinical = _write(folder, "clin.tsv", _CLINICAL)
            load_tables(expression, clinical, time="time", event="status", time_unit="months")
        else:
            expression = _write(folder, "expr.tsv", _EXPRESSION)
            clinical = _write(folder, "clin" + suffix, payload, compress)
            # The clinical columns are unknown for mutated input: use the 2nd and 3rd.
            from sigsurv.cohorts.readers import read_text_table

            columns = list(read_text_table(clinical).data.columns)
            time, event = (columns[1], columns[2]) if len(columns) >= 3 else ("time", "status")
            load_tables(expression, clinical, time=time, event=event)


_SERIES = (
    b'!Series_title\t"Toy breast cohort"\n'
    b'!Series_geo_accession\t"GSE1"\n'
    b'!Sample_title\t"t1"\t"t2"\t"t3"\n'
    b'!Sample_geo_accession\t"GSM1"\t"GSM2"\t"GSM3"\n'
    b'!Sample_characteristics_ch1\t"months: 5"\t"months: 9"\t"months: 12"\n'
    b'!Sample_characteristics_ch1\t"relapse: 1"\t"relapse: 0"\t"relapse: 1"\n'
    b'!Sample_characteristics_ch1\t"er: pos"\t"er: neg"\t""\n'
    b"!series_matrix_table_begin\n"
    b'"ID_REF"\t"GSM1"\t"GSM2"\t"GSM3"\n'
    b'"TP53"\t1.5\t2.5\t0.3\n"ESR1"\t3.0\t2.0\tnull\n"GATA3"\t7\t8\t9\n'
    b"!series_matrix_table_end\n"
)
_PLATFORM = b"#ID = probe\nID\tGene Symbol\tENTREZ_GENE_ID\np1\tTP53\t7157\np2\tA /// B\t1\n"


def geo_target(data: bytes, folder: Path) -> None:
    """GEO series matrices (plain or gzip), whole loader, and platform tables."""
    from sigsurv.cohorts.geo import load_geo_series, read_platform_table, read_series_matrix

    variant, payload = _variant(data)
    compress = bool(variant & 1)
    mode = (variant >> 1) % 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if mode == 0:
            path = _write(folder, "GSE1_series_matrix.txt", payload, compress)
            values, _, _ = read_series_matrix(path)
            # Oracle: every line between the table markers (minus the header) is a row.
            lines = [line.lower() for line in _text_lines(path)]
            end = next(i for i, x in enumerate(lines) if x.startswith("!series_matrix_table_end"))
            begin = max(
                i for i, x in enumerate(lines[:end]) if x.startswith("!series_matrix_table_begin")
            )
            table = lines[begin + 1 : end]
            while table and not table[0].strip():
                table.pop(0)
            body = table[1:]
            while body and not body[-1].strip():
                body.pop()
            if values.shape[0] != len(body):
                raise AssertionError(f"{values.shape[0]} table rows read, file has {len(body)}")
        elif mode == 1:
            path = _write(folder, "GSE1_series_matrix.txt", payload, compress)
            load_geo_series(path, time="months", event="relapse", endpoint="rfs")
        elif mode == 2:
            path = _write(folder, "GSE1_series_matrix.txt", payload, compress)
            load_geo_series(path)
        else:
            read_platform_table(_write(folder, "GPL1.txt", payload, compress))


_PATIENT = (
    b"#Patient Identifier\tOverall Survival (Months)\tOverall Survival Status\tAge\n"
    b"#Identifier\tOS months\tOS status\tAge at diagnosis\n"
    b"#STRING\tNUMBER\tSTRING\tNUMBER\n"
    b"#1\t1\t1\t1\n"
    b"PATIENT_ID\tOS_MONTHS\tOS_STATUS\tAGE\n"
    b"P1\t10.5\t1:DECEASED\t50\nP2\t20\t0:LIVING\t61\nP3\t3\t1:DECEASED\tNA\n"
)
_SAMPLE = (
    b"#Sample Identifier\tPatient Identifier\tER Status\n#d\td\td\n#STRING\tSTRING\tSTRING\n"
    b"#1\t1\t1\nSAMPLE_ID\tPATIENT_ID\tER_STATUS\n"
    b"S1\tP1\tPositive\nS2\tP2\tNegative\nS3\tP3\tPositive\n"
)
_MRNA = (
    b"Hugo_Symbol\tEntrez_Gene_Id\tS1\tS2\tS3\n"
    b"TP53\t7157\t5.1\t6.2\t4.0\nESR1\t2099\t9.0\t3.1\t8.8\n\t672\t1\t2\t3\n"
)


def cbioportal_target(data: bytes, folder: Path) -> None:
    """cBioPortal clinical files alone, and whole study folders around them."""
    from sigsurv.cohorts.cbioportal import load_cbioportal, read_cbioportal_clinical

    variant, payload = _variant(data)
    mode = variant % 4
    study = folder / f"study{mode}"
    study.mkdir(exist_ok=True)
    for old in study.iterdir():
        old.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if mode == 0:
            read_cbioportal_clinical(_write(study, "data_clinical_patient.txt", payload))
        elif mode == 1:
            _write(study, "data_clinical_patient.txt", payload)
            _write(study, "data_mrna_illumina_microarray.txt", _MRNA.replace(b"S", b"P"))
            load_cbioportal(study)
        elif mode == 2:
            _write(study, "data_clinical_patient.txt", _PATIENT)
            _write(study, "data_clinical_sample.txt", payload)
            _write(study, "data_mrna_illumina_microarray.txt", _MRNA)
            load_cbioportal(study)
        else:
            _write(study, "data_clinical_patient.txt", _PATIENT)
            _write(study, "data_clinical_sample.txt", _SAMPLE)
            _write(study, "data_mrna_seq_v2_rsem.txt", payload)
            load_cbioportal(study)


_GMT = (
    b"MSK1_UP\thttp://example.org\tRPS6KA5\tGATA3\nMSK1_DN\tna\tBCL2\n"
    b"# comment\nSET2\tdescription\tTP53\tESR1\t\n"
)
_YAML = b"""\
- id: msk1_luminal
  name: MSK1 luminal
  genes:
    - {symbol: RPS6KA5, direction: up, weight: 1.5}
    - symbol: GATA3
      direction: down
  source:
    pmid: "12345"
- id: pair
  genes: [BCL2, PTEN]
"""


def gmt_target(data: bytes, folder: Path) -> None:
    """GMT signature files through the public reader."""
    from sigsurv.signatures import load_signatures

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_signatures(_write(folder, "signatures.gmt", data))


def yaml_target(data: bytes, folder: Path) -> None:
    """YAML signature files through the public reader (safe_load only)."""
    from sigsurv.signatures import load_signatures

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_signatures(_write(folder, "signatures.yaml", data))


def subgroup_target(data: bytes, folder: Path) -> None:
    """Subgroup expressions (``--subgroup``) parsed and evaluated on a small clinical table.

    The first byte picks the table: text, numeric (ints and floats) or mixed columns.
    """
    import numpy as np
    import pandas as pd

    from sigsurv.cohorts.subgroup import evaluate_subgroup

    variant, payload = _variant(data)
    expression = payload.decode("utf-8", errors="replace")
    tables = [
        pd.DataFrame({"er": ["positive", "negative", None], "grade": ["1", "3", "2"]}),
        pd.DataFrame({"er": [1, 0, 1], "grade": [1.0, 3.0, np.nan], "age": [40, 55, 71]}),
        pd.DataFrame({"er": ["pos", None, "neg"], "grade": [3, 2, 1], "size": [1.5, np.inf, 0]}),
    ]
    mask = evaluate_subgroup(expression, tables[variant % len(tables)])
    if mask.dtype != bool or mask.shape != (3,):
        raise AssertionError(f"subgroup mask is not one boolean per sample: {mask!r}")


_RECIPE = b"""\
id: toy_geo
title: toy
loader: geo
files:
  series_matrix: {url: 'https://ftp.example.org/geo/GSE1_series_matrix.txt.gz', sha256: null}
  platform:
    url: https://ftp.example.org/geo/GPL96.annot.gz
    unverified: [url]
options: {time: months, event: relapse, time_unit: months, endpoint_name: rfs}
endpoints:
  bmfs: {time: months, event: bone, unit: months, codes: {'yes': 1, 'no': 0}}
  site: {time: months, event: relapse, site_column: site, site: bone}
standardise:
  er: {column: er, positive: [pos], negative: [neg]}
"""
_ARCHIVE_RECIPE = (
    "id: study\nloader: cbioportal\nfiles:\n"
    "  archive: {url: 'https://datahub.example.org/study.tar.gz'}\n"
)


def _tar_seed() -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for name, text in (
            ("study/meta_study.txt", b"cancer_study_identifier: study\n"),
            ("study/data_clinical_patient.txt", b"PATIENT_ID\tOS_MONTHS\nP1\t5\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(text)
            bundle.addfile(info, io.BytesIO(text))
    return buffer.getvalue()


def _inside(path: Path, root: Path) -> bool:
    resolved = path.resolve()
    return resolved == root or root in resolved.parents


def recipe_target(data: bytes, folder: Path) -> None:
    """Cohort recipes (``sigsurv fetch``): the recipe reader on fuzzed YAML, and
    ``fetch`` on a fuzzed cached file (archive or series matrix) -- no network: the
    file is already in the cache, so fetch sniffs it, hashes it and unpacks archives.

    Oracles: a recipe that parses has a slug id and file names that are plain names;
    after fetch, everything it wrote lies inside the cache folder.
    """
    import re
    import shutil

    from sigsurv.cohorts.fetch import fetch
    from sigsurv.cohorts.recipe import parse_recipe

    variant, payload = _variant(data)
    mode = variant % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if mode == 0:
            text = payload.decode("utf-8", errors="replace")
            recipe = parse_recipe(text, "fuzz.yaml")
            if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,63}", recipe.id):
                raise AssertionError(f"recipe id {recipe.id!r} accepted")
            for remote in recipe.files.values():
                name = remote.filename
                if "/" in name or name in (".", "..") or "\0" in name:
                    raise AssertionError(f"cache file name {name!r} accepted")
            return
        cache = folder / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        if mode == 1:
            recipe = parse_recipe(_ARCHIVE_RECIPE, "study.yaml")
            local = cache / "study" / "archive" / "study.tar.gz"
        else:
            recipe = parse_recipe(_RECIPE.decode(), "toy.yaml")
            recipe = dataclasses.replace(
                recipe, files={"series_matrix": recipe.files["series_matrix"]}
            )
            local = cache / "toy_geo" / "series_matrix" / "GSE1_series_matrix.txt.gz"
        local.parent.mkdir(parents=True)
        local.write_bytes(payload)
        try:
            fetch(recipe, cache_dir=cache, retries=0)
        finally:
            root = cache.resolve()
            for path in cache.rglob("*"):
                if not path.is_symlink() and not _inside(path, root):
                    raise AssertionError(f"{path} written outside the cache")
                if path.is_symlink() or not (path.is_file() or path.is_dir()):
                    raise AssertionError(f"{path}: a link or special file in the cache")


PARSERS: dict[str, Target] = {
    "table": table_target,
    "geo": geo_target,
    "cbioportal": cbioportal_target,
    "gmt": gmt_target,
    "yaml": yaml_target,
    "subgroup": subgroup_target,
    "recipe": recipe_target,
}

# Seeds: the variant byte first, then a valid file.
SEEDS: dict[str, list[bytes]] = {
    "table": [
        bytes([v]) + body
        for v, body in [
            (0, _EXPRESSION),
            (1, _EXPRESSION.replace(b"\t", b",")),
            (4, _EXPRESSION),
            (64, b"sample\tTP53\tESR1\nS1\t1\t2\nS2\t3\t4\n"),
            (8, _CLINICAL),
            (9, _CLINICAL.replace(b"\t", b",")),
            (16, _EXPRESSION.replace(b"1.5", b"1,5").replace(b"2.5", b"2,5")),
            (24, b"id\ttime\tstatus\nS1\t10\tyes\nS2\t1500\tno\n"),
            (24, _CLINICAL),
        ]
    ],
    "geo": [bytes([v]) + _SERIES for v in (0, 1, 2, 3, 4)] + [bytes([6]) + _PLATFORM],
    "cbioportal": [
        bytes([0]) + _PATIENT,
        bytes([1]) + _PATIENT,
        bytes([2]) + _SAMPLE,
        bytes([3]) + _MRNA,
    ],
    "gmt": [_GMT],
    "yaml": [_YAML, b"id: one\ngenes: [TP53]\n"],
    "recipe": [
        bytes([0]) + _RECIPE,
        bytes([0]) + _ARCHIVE_RECIPE.encode(),
        bytes([1]) + _tar_seed(),
        bytes([2]) + gzip.compress(_SERIES, mtime=0),
        bytes([2]) + b"<html><body>error</body></html>",
    ],
    "subgroup": [
        bytes([0]) + b"er == 'positive' and grade in ['1', '3']",
        bytes([1]) + b"grade >= 2 or not age < 50.5",
        bytes([2]) + b"(er != 'neg') and size > -1e3 and `grade` == 3",
        bytes([1]) + b"age > 99999999999999999999",
    ],
}
