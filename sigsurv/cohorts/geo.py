"""GEO series matrix files (``GSE*_series_matrix.txt[.gz]``) with a platform table.

``!Sample_characteristics_ch1`` lines hold ``key: value`` cells; every key becomes
a clinical column (a cell without ``:`` goes to ``characteristics_<n>``; channel 2
keys get a ``_ch2`` suffix; a key given twice for a sample becomes ``key`` and
``key.2``, never a glued value; ``NA``/``n/a``... are missing values). The
expression table between ``!series_matrix_table_begin`` and ``..._end`` has probe
IDs in ``ID_REF``; a platform annotation table the user supplies (GPL ``ID`` plus
``Gene Symbol`` / ``GENE_SYMBOL`` or ``ENTREZ_GENE_ID``) maps probes to genes, and
several probes of a gene are collapsed by a documented rule (default: the probe
with the highest mean expression, as genefu and KM-plotter-style tools do).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.cohorts.build import (
    EndpointSpec,
    apply_transform,
    assemble_cohort,
    decode_declared_endpoints,
    type_clinical,
)
from sigsurv.cohorts.geo_series_table import is_geo_na, join_series_table, read_series_table
from sigsurv.cohorts.matrix_file import read_matrix_file
from sigsurv.cohorts.model import Cohort, Provenance
from sigsurv.cohorts.options import LoadOptions, load_options
from sigsurv.cohorts.platforms import map_probes, read_platform_table
from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES, NA_VALUES, read_lines
from sigsurv.cohorts.tables import read_expression_table, sha256_of
from sigsurv.errors import (
    FileFormatError,
    GeneIdentifierError,
    SampleJoinError,
    SigsurvInputError,
)

__all__ = [
    "is_gds_soft",
    "is_series_matrix",
    "load_geo_dataset",
    "load_geo_series",
    "map_probes",
    "read_gds_soft",
    "read_platform_table",
    "read_series_matrix",
]


def is_series_matrix(path: str | Path) -> bool:
    """True if the file name looks like a GEO series matrix.

    Examples
    --------
    >>> is_series_matrix("GSE2034_series_matrix.txt.gz"), is_series_matrix("x.tsv")
    (True, False)
    """
    return "series_matrix" in Path(path).name.lower()


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"':
        return cell[1:-1]
    return cell


def _is_na(value: str) -> bool:
    return value in NA_VALUES or is_geo_na(value)


def _add_characteristics(
    annotations: dict[str, list[object]],
    occurrences: dict[tuple[str, int], int],
    key: str,
    cells: Sequence[str],
    line_number: int,
) -> None:
    """Add one ``!Sample_characteristics_chN`` line's ``key: value`` cells.

    Channel 2 keys get a ``_ch2`` suffix (a two-colour array's reference sample is not
    the patient); a key repeated for a sample becomes a separate field ``key.2``; NA
    spellings (``NA``, ``n/a``...) are missing values.
    """
    suffix = "" if key.endswith("_ch1") or key == "characteristics" else "_" + key.split("_")[-1]
    n_samples = len(cells)
    for index, cell in enumerate(cells):
        if not cell:
            continue
        if ":" in cell:
            name, _, value = cell.partition(":")
            name = name.strip() + suffix
        else:
            name, value = f"characteristics_{line_number}{suffix}", cell
        seen = occurrences.get((name, index), 0) + 1
        occurrences[(name, index)] = seen
        column_name = name if seen == 1 else f"{name}.{seen}"
        column = annotations.setdefault(column_name, [None] * n_samples)
        value = value.strip()
        column[index] = None if _is_na(value) else value


def read_series_matrix(
    path: str | Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Parse a series matrix into (probe x sample values, sample annotations, series metadata).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "GSE1_series_matrix.txt"
    >>> _ = path.write_text('!Series_geo_accession\\t"GSE1"\\n'
    ...     '!Sample_geo_accession\\t"GSM1"\\t"GSM2"\\n'
    ...     '!Sample_characteristics_ch1\\t"er: pos"\\t"er: neg"\\n'
    ...     '!series_matrix_table_begin\\n"ID_REF"\\t"GSM1"\\t"GSM2"\\n'
    ...     '"p1"\\t1.5\\t2.5\\n!series_matrix_table_end\\n')
    >>> values, samples, meta = read_series_matrix(path)
    >>> samples.loc["GSM2", "er"], float(values.loc["p1", "GSM1"]), meta["geo_accession"]
    ('neg', 1.5, 'GSE1')
    """
    file = Path(path)
    lines = read_lines(file, max_file_bytes=max_file_bytes)
    header = _series_matrix_header(lines, file)
    accessions = next(
        (cells for key, cells, _ in header.sample_fields if key == "geo_accession"), None
    )
    if not accessions:
        raise FileFormatError("no !Sample_geo_accession line", file=file)
    samples = _sample_annotations(header.sample_fields, accessions, file)
    begin, end = header.begin, header.end
    table_lines = lines[begin : end - 1]
    if len(table_lines) < 2:
        # RNA-seq series (e.g. SCAN-B GSE96058) keep the values in a supplementary file:
        # the table is empty and the caller must supply the expression separately.
        empty = pd.DataFrame(np.empty((0, len(accessions))), columns=list(accessions))
        return empty, samples, header.series
    values, ids, _ = _read_embedded_matrix(
        file, table_lines, begin + 1, max_file_bytes=max_file_bytes
    )
    values.columns = [_unquote(c) for c in values.columns]
    values.index = [_unquote(str(i)) for i in ids.iloc[:, 0]]
    if list(values.columns) != list(accessions):
        raise FileFormatError(
            "table columns do not match !Sample_geo_accession",
            file=file,
            line=begin + 1,
            expected=", ".join(accessions[:3]),
            found=", ".join(values.columns[:3]),
        )
    return values, samples, header.series


@dataclass
class _SeriesMatrixHeader:
    """The ``!Series_`` fields, the ``!Sample_`` lines (key, cells, line number) and the
    1-based lines of the table's begin and end markers."""

    series: dict[str, str]
    sample_fields: list[tuple[str, list[str], int]]
    begin: int
    end: int


def _series_matrix_header(lines: list[str], file: Path) -> _SeriesMatrixHeader:
    """Scan the lines before the table; refuse a missing, doubled or unterminated table."""
    series: dict[str, str] = {}
    sample_fields: list[tuple[str, list[str], int]] = []
    begin = end = None
    for number, line in enumerate(lines, start=1):
        lowered = line.lower()
        if lowered.startswith("!series_matrix_table_begin"):
            if begin is not None:
                # The lines between two begin markers would be lost silently.
                raise FileFormatError(
                    "second '!series_matrix_table_begin' before the table ended",
                    file=file,
                    line=number,
                    found=f"first at line {begin}",
                    hint="download the file again",
                )
            begin = number
            continue
        if lowered.startswith("!series_matrix_table_end"):
            end = number
            break
        if begin is not None:
            continue
        if line.startswith("!Series_"):
            key, _, value = line.partition("\t")
            field = key[len("!Series_") :]
            text = _unquote(value)
            series[field] = f"{series[field]}; {text}" if field in series else text
        elif line.startswith("!Sample_"):
            key, _, value = line.partition("\t")
            cells = [_unquote(c) for c in value.split("\t")] if value else []
            sample_fields.append((key[len("!Sample_") :], cells, number))
    if begin is None:
        raise FileFormatError(
            "not a GEO series matrix: no '!series_matrix_table_begin' line",
            file=file,
            expected="a GSE*_series_matrix.txt file",
        )
    if end is None:
        raise FileFormatError(
            "series matrix table is not terminated (file truncated?)",
            file=file,
            line=len(lines),
            expected="'!series_matrix_table_end'",
            hint="download the file again",
        )
    return _SeriesMatrixHeader(series, sample_fields, begin, end)


def _sample_annotations(
    sample_fields: list[tuple[str, list[str], int]], accessions: list[str], file: Path
) -> pd.DataFrame:
    """One row per GSM accession: the characteristics' ``key: value`` fields, and the
    title, source, platform and description (a field given twice joined with ``; ``)."""
    n_samples = len(accessions)
    annotations: dict[str, list[object]] = {}
    occurrences: dict[tuple[str, int], int] = {}
    characteristic_number = 0
    for key, cells, number in sample_fields:
        if len(cells) != n_samples:
            raise FileFormatError(
                f"!Sample_{key} has the wrong number of fields",
                file=file,
                line=number,
                expected=f"{n_samples} (one per sample)",
                found=len(cells),
            )
        if key.startswith("characteristics"):
            characteristic_number += 1
            _add_characteristics(annotations, occurrences, key, cells, characteristic_number)
        elif key in ("title", "source_name_ch1", "platform_id", "description"):
            existing = annotations.get(key)
            if existing is None:
                annotations[key] = list(cells)
            else:
                annotations[key] = [f"{a}; {b}" for a, b in zip(existing, cells, strict=True)]
    samples = pd.DataFrame(annotations, index=pd.Index(accessions, name="sample"))
    return samples.where(samples.notna() & (samples != ""), None)


def _read_embedded_matrix(
    file: Path,
    table_lines: list[str],
    first_line: int,
    id_columns: int | list[str] = 1,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    import tempfile

    # Reuse the strict, fast matrix reader on the embedded table; line numbers are
    # shifted back to the series-matrix file in the error.
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.write("\n".join(table_lines) + "\n")
        temporary = Path(handle.name)
    try:
        return read_matrix_file(temporary, id_columns=id_columns, max_file_bytes=max_file_bytes)
    except SigsurvInputError as exc:
        line = None if exc.line is None else exc.line + first_line - 1
        raise type(exc)(
            exc.message,
            file=file,
            line=line,
            column=exc.column,
            expected=exc.expected,
            found=exc.found,
            hint=exc.hint,
        ) from None
    finally:
        temporary.unlink(missing_ok=True)


def load_geo_series(
    path: str | Path,
    *,
    platform: str | Path | None = None,
    time: str | None = None,
    event: str | None = None,
    endpoint: str = "os",
    time_unit: str | None = None,
    endpoints: Sequence[EndpointSpec] = (),
    options: LoadOptions | None = None,
    event_codes: Mapping[str, int] | None = None,
    collapse: str | None = None,
    transform: str | None = None,
    harmonise: bool | None = None,
    na_policy: str | None = None,
    name: str | None = None,
    expression: str | Path | None = None,
    orientation: str = "genes_x_samples",
    standardise: Mapping[str, Mapping[str, object]] | None = None,
    series_table: str | Path | None = None,
    clinical_accession: str | None = None,
    exclude: Mapping[str, Sequence[str]] | None = None,
    non_tumour: str | None = None,
) -> Cohort:
    """Load a GEO series matrix as a cohort.

    Parameters
    ----------
    path
        ``GSE*_series_matrix.txt`` or ``.txt.gz``.
    platform
        Platform annotation table mapping probe IDs to genes (required unless the
        ``ID_REF`` values are already gene symbols).
    time, event
        Characteristic keys holding the follow-up time and event (e.g.
        ``"time to relapse or last follow-up (months)"``, ``"relapse (1=true)"``).
    options
        How to read (:class:`~sigsurv.cohorts.options.LoadOptions`); the keyword
        arguments ``event_codes``, ``collapse``, ``transform``, ``harmonise``,
        ``na_policy``, ``standardise`` and ``non_tumour``, when given, replace its fields.
    collapse
        Rule for several probes of one gene: ``max_mean`` (default), ``max_var``, ``mean``.
    expression, orientation
        A supplementary expression table to use instead of the matrix table (RNA-seq
        series such as SCAN-B GSE96058 ship an empty table). Its sample columns are
        GSM accessions or the samples' ``!Sample_title``; unmatched columns (e.g.
        technical replicates) are excluded and reported.
    series_table, clinical_accession
        A series table (the family SOFT file's table, or a TSV) joined to the samples
        through its column ``clinical_accession`` of GSM accessions; its columns join
        the characteristics before endpoints are decoded.
    exclude
        ``{field: [words]}``: samples whose field contains one of the words (a
        case-insensitive word match, e.g. ``{"tissue type": ["cell line"]}``) are
        excluded before anything else, and reported.
    non_tumour
        ``"exclude"`` (default) leaves normal tissue and cell lines named by a
        sample-type field out of scoring and analysis, reported; ``"keep"`` keeps
        them (:func:`sigsurv.cohorts.sample_kinds.split_non_tumour`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "GSE1_series_matrix.txt").write_text('!Series_geo_accession\\t"GSE1"\\n'
    ...     '!Sample_geo_accession\\t"GSM1"\\t"GSM2"\\n'
    ...     '!Sample_characteristics_ch1\\t"months: 5"\\t"months: 9"\\n'
    ...     '!Sample_characteristics_ch1\\t"relapse: 1"\\t"relapse: 0"\\n'
    ...     '!series_matrix_table_begin\\n"ID_REF"\\t"GSM1"\\t"GSM2"\\n'
    ...     '"p1"\\t1.5\\t2.5\\n"p2"\\t3.0\\t2.0\\n!series_matrix_table_end\\n')
    >>> _ = (folder / "GPL.tsv").write_text("ID\\tGene Symbol\\np1\\tTP53\\np2\\tTP53\\n")
    >>> cohort = load_geo_series(folder / "GSE1_series_matrix.txt", platform=folder / "GPL.tsv",
    ...                          time="months", event="relapse", endpoint="rfs")
    >>> cohort.expression.loc["TP53"].tolist()
    [3.0, 2.0]
    """
    chosen = load_options(
        options,
        event_codes=event_codes,
        collapse=collapse,
        transform=transform,
        harmonise=harmonise,
        na_policy=na_policy,
        standardise=standardise,
        non_tumour=non_tumour,
    )
    limit = chosen.max_file_bytes
    file = Path(path)
    values, samples, series = read_series_matrix(file, max_file_bytes=limit)
    messages: list[str] = []
    if series_table is not None:
        samples = _with_series_table(samples, series_table, clinical_accession, messages, limit)
    if exclude:
        samples, values = _exclude_samples(samples, values, exclude, file, messages)
    expression_file = file if expression is None else Path(expression)
    supplementary = None if expression is None else expression_file
    values = _series_values(values, samples, file, supplementary, orientation, messages, limit)
    values, scale, note = apply_transform(values, chosen.transform_or("auto"), expression_file)
    if note:
        messages.append(note)
    values, id_type = _series_genes(values, platform, chosen, file, messages)
    clinical, decoded = decode_declared_endpoints(
        samples,
        time=time,
        event=event,
        endpoint=endpoint,
        time_unit=time_unit,
        event_codes=chosen.event_codes,
        extra=list(endpoints),
        file=file,
    )
    clinical = type_clinical(clinical)
    files = [file] + ([Path(platform)] if platform is not None else [])
    files += [Path(series_table)] if series_table is not None else []
    if expression_file != file:
        files.append(expression_file)
    provenance = Provenance(
        source=f"GEO {series.get('geo_accession', file.name)}: {series.get('title', '')}".strip(),
        platform=str(samples["platform_id"].iloc[0]) if "platform_id" in samples else "",
        scale=scale,
        identifier_type="probe" if platform is not None else id_type,
        files=tuple(str(f) for f in files),
        sha256=tuple(sha256_of(f) for f in files),
    )
    return assemble_cohort(
        name or series.get("geo_accession", file.name.split("_")[0]).lower(),
        values,
        clinical,
        endpoints=decoded,
        provenance=provenance,
        options=chosen,
        id_type=id_type,
        expression_file=expression_file,
        clinical_file=file,
        join_rule="GSM accession",
        messages=messages,
    )


def _with_series_table(
    samples: pd.DataFrame,
    series_table: str | Path,
    clinical_accession: str | None,
    messages: list[str],
    max_file_bytes: int,
) -> pd.DataFrame:
    """The samples with the series table's columns joined on its GSM accession column."""
    if not clinical_accession:
        raise FileFormatError(
            "a series table needs the name of its GSM accession column",
            file=series_table,
            hint="recipe option clinical_accession: COLUMN",
        )
    table = read_series_table(
        series_table, accession_column=clinical_accession, max_file_bytes=max_file_bytes
    )
    return join_series_table(samples, table, Path(series_table), messages)


def _series_values(
    values: pd.DataFrame,
    samples: pd.DataFrame,
    file: Path,
    expression_file: Path | None,
    orientation: str,
    messages: list[str],
    max_file_bytes: int,
) -> pd.DataFrame:
    """The series' values: the matrix table, or the supplementary ``expression_file``
    (columns mapped to GSM accessions) when one is given; an empty table needs one."""
    if expression_file is not None:
        if values.shape[0]:
            messages.append(
                f"expression from {expression_file.name}; the series matrix table "
                f"({values.shape[0]} rows) is not used"
            )
        values, read_notes = read_expression_table(
            expression_file, orientation=orientation, max_file_bytes=max_file_bytes
        )
        messages.extend(read_notes)
        return _columns_to_accessions(values, samples, expression_file, messages)
    if values.shape[0] == 0:
        raise FileFormatError(
            "the series matrix table is empty: the expression is in a supplementary file",
            file=file,
            expected="expression=FILE (CLI: EXPRESSION_TABLE --clinical SERIES_MATRIX)",
        )
    return values


def _series_genes(
    values: pd.DataFrame,
    platform: str | Path | None,
    options: LoadOptions,
    file: Path,
    messages: list[str],
) -> tuple[pd.DataFrame, str]:
    """Probe rows mapped to genes with the platform table (``symbol``), or the rows'
    own identifier type when there is none (probe IDs without a platform are refused)."""
    if platform is not None:
        values, mapping_messages = map_probes(
            values, platform, collapse=options.collapse, max_file_bytes=options.max_file_bytes
        )
        messages.extend(mapping_messages)
        return values, "symbol"
    from sigsurv.cohorts.genes import detect_identifier_type

    id_type = detect_identifier_type(list(values.index[:2000]))
    if id_type == "probe":
        raise GeneIdentifierError(
            "series matrix rows are probe IDs: a platform annotation table is needed",
            file=file,
            found=", ".join(values.index[:3]),
            hint="pass --platform GPLxxx.annot/.txt with ID and Gene Symbol columns",
        )
    return values, id_type


def _exclude_samples(
    samples: pd.DataFrame,
    values: pd.DataFrame,
    exclude: Mapping[str, Sequence[str]],
    file: Path,
    messages: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop the samples whose field contains one of the given words; report how many."""
    import re

    keep = pd.Series(True, index=samples.index)
    for field_name, words in exclude.items():
        if field_name not in samples.columns:
            raise FileFormatError(
                "field named in exclude not found",
                file=file,
                column=field_name,
                expected="one of: " + ", ".join(map(str, samples.columns[:15])),
            )
        pattern = re.compile(
            "|".join(rf"(?<!\w){re.escape(str(w))}(?!\w)" for w in words), re.IGNORECASE
        )
        text = samples[field_name].astype("string")
        hit = text.str.contains(pattern, na=False).astype(bool)
        if hit.any():
            messages.append(
                f"{int(hit.sum())} samples excluded ({field_name} matches "
                f"{', '.join(map(str, words))}), e.g. {', '.join(hit[hit].index[:3])}"
            )
        keep &= ~hit
    kept = list(samples.index[keep])
    columns = [c for c in values.columns if c in set(kept)] if values.shape[0] else kept
    return samples.loc[kept], values[columns] if values.shape[0] else values


def _columns_to_accessions(
    values: pd.DataFrame, samples: pd.DataFrame, file: Path, messages: list[str]
) -> pd.DataFrame:
    """Rename supplementary-table columns to GSM accessions (directly or via the title)."""
    accessions = set(samples.index)
    if set(values.columns) <= accessions:
        return values
    titles = samples["title"] if "title" in samples.columns else pd.Series(dtype=object)
    if titles.duplicated().any():
        raise SampleJoinError(
            "sample titles are not unique: cannot map expression columns to GSM accessions",
            file=file,
            found=", ".join(map(str, titles[titles.duplicated()].head(3))),
        )
    by_title = {str(title): accession for accession, title in titles.items()}
    known = [c for c in values.columns if c in accessions or c in by_title]
    if not known:
        raise SampleJoinError(
            "no expression column is a GSM accession or a sample title of the series",
            file=file,
            expected=f"columns like {', '.join(list(samples.index[:2]) + list(by_title)[:2])}",
            found=", ".join(map(str, values.columns[:3])),
        )
    unknown = [c for c in values.columns if c not in known]
    if unknown:
        messages.append(
            f"{file.name}: {len(unknown)} columns are neither a GSM accession nor a sample "
            f"title of the series and are excluded, e.g. {', '.join(map(str, unknown[:3]))}"
        )
    values = values[known]
    values.columns = [c if c in accessions else by_title[c] for c in known]
    messages.append(f"{file.name}: columns mapped to GSM accessions via !Sample_title")
    return values


def is_gds_soft(path: str | Path) -> bool:
    """True for a GEO DataSet SOFT file (``GDS*.soft[.gz]`` with a ``^DATASET`` line).

    Examples
    --------
    >>> is_gds_soft("GDS507.soft.gz"), is_gds_soft("GSE1_series_matrix.txt")
    (True, False)
    """
    name = Path(path).name.lower()
    return name.startswith("gds") and (name.endswith(".soft") or name.endswith(".soft.gz"))


def read_gds_soft(
    path: str | Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, dict[str, str]]:
    """Parse a GEO DataSet SOFT file (``max_file_bytes``: the input limit).

    Returns
    -------
    (values, samples, identifiers, dataset)
        Probe x GSM values, one clinical column per subset type (``disease state``,
        ``individual``...) holding each sample's subset description, the
        ``IDENTIFIER`` (gene symbol GEO assigned) of each probe, and the
        ``!dataset_*`` fields.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "GDS1.soft"
    >>> _ = path.write_text("^DATASET = GDS1\\n!dataset_platform = GPL97\\n"
    ...     "^SUBSET = GDS1_1\\n!subset_description = tumour\\n!subset_sample_id = GSM1\\n"
    ...     "!subset_type = disease state\\n^SUBSET = GDS1_2\\n!subset_description = normal\\n"
    ...     "!subset_sample_id = GSM2\\n!subset_type = disease state\\n!dataset_table_begin\\n"
    ...     "ID_REF\\tIDENTIFIER\\tGSM1\\tGSM2\\np1\\tTP53\\t1.5\\t2.5\\n!dataset_table_end\\n")
    >>> values, samples, ids, meta = read_gds_soft(path)
    >>> samples["disease state"].tolist(), ids["p1"], meta["platform"]
    (['tumour', 'normal'], 'TP53', 'GPL97')
    """
    file = Path(path)
    lines = read_lines(file, max_file_bytes=max_file_bytes)
    dataset: dict[str, str] = {}
    subsets: list[dict[str, str]] = []
    begin = end = None
    for number, line in enumerate(lines, start=1):
        lowered = line.lower()
        if lowered.startswith("!dataset_table_begin"):
            begin = number
        elif lowered.startswith("!dataset_table_end"):
            end = number
            break
        elif line.startswith("^SUBSET"):
            subsets.append({})
        elif line.startswith("!subset_") and subsets:
            key, _, value = line[len("!subset_") :].partition("=")
            subsets[-1][key.strip()] = value.strip()
        elif line.startswith("!dataset_"):
            key, _, value = line[len("!dataset_") :].partition("=")
            dataset[key.strip()] = value.strip()
    if begin is None or end is None:
        raise FileFormatError(
            "not a complete GEO DataSet SOFT file",
            file=file,
            expected="'!dataset_table_begin' ... '!dataset_table_end'",
            hint="download the file again",
        )
    values, ids, _ = _read_embedded_matrix(
        file,
        lines[begin : end - 1],
        begin + 1,
        id_columns=["ID_REF", "IDENTIFIER"],
        max_file_bytes=max_file_bytes,
    )
    probes = ids["ID_REF"].astype(str).to_numpy()
    values.index = probes
    identifiers = pd.Series(ids["IDENTIFIER"].to_numpy(), index=probes)
    samples = pd.DataFrame(index=pd.Index(list(values.columns), name="sample"))
    for subset in subsets:
        kind = subset.get("type", "subset")
        members = [s.strip() for s in subset.get("sample_id", "").split(",") if s.strip()]
        column = samples.get(kind, pd.Series([None] * len(samples), index=samples.index))
        column = column.astype(object)
        column[column.index.isin(members)] = subset.get("description")
        samples[kind] = column
    return values, samples.where(samples.notna(), None), identifiers, dataset


def load_geo_dataset(
    path: str | Path,
    *,
    platform: str | Path | None = None,
    options: LoadOptions | None = None,
    collapse: str | None = None,
    transform: str | None = None,
    harmonise: bool | None = None,
    na_policy: str | None = None,
    name: str | None = None,
    non_tumour: str | None = None,
    **endpoint_options: Any,
) -> Cohort:
    """Load a GEO DataSet SOFT file (``GDS*.soft.gz``); genes from its ``IDENTIFIER``
    column, or from ``platform`` when given. GDS files carry no survival: endpoints
    can only come from ``time``/``event`` naming subset types. Normal-tissue samples
    (a ``disease state`` of ``normal``) are excluded unless ``non_tumour="keep"``.
    ``options`` (a :class:`~sigsurv.cohorts.options.LoadOptions`) says how to read; the
    keyword arguments of the same names, when given, replace its fields.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "GDS1.soft"
    >>> _ = path.write_text("^DATASET = GDS1\\n!dataset_table_begin\\n"
    ...     "ID_REF\\tIDENTIFIER\\tGSM1\\tGSM2\\np1\\tTP53\\t1.5\\t2.5\\n!dataset_table_end\\n")
    >>> load_geo_dataset(path).n_samples
    2
    """
    chosen = load_options(
        options,
        collapse=collapse,
        transform=transform,
        harmonise=harmonise,
        na_policy=na_policy,
        non_tumour=non_tumour,
        event_codes=endpoint_options.get("event_codes"),
    )
    file = Path(path)
    values, samples, identifiers, dataset = read_gds_soft(
        file, max_file_bytes=chosen.max_file_bytes
    )
    messages: list[str] = []
    values, scale, note = apply_transform(values, chosen.transform_or("auto"), file)
    messages.extend([note] if note else [])
    if platform is not None:
        values, notes = map_probes(
            values, platform, collapse=chosen.collapse, max_file_bytes=chosen.max_file_bytes
        )
        messages.extend(notes)
    else:
        from sigsurv.cohorts.genes import collapse_duplicates

        named = identifiers.reindex(values.index)
        # GEO writes the probe ID itself as IDENTIFIER when it knows no gene.
        keep = named.notna().to_numpy() & (named.astype(str).to_numpy() != named.index)
        messages.append(
            f"genes from the GDS IDENTIFIER column: {int(keep.sum())} of {len(keep)} probes "
            "named by a gene; the others (IDENTIFIER = probe ID) excluded"
        )
        values, _ = collapse_duplicates(
            values.loc[keep], list(named[keep].astype(str)), chosen.collapse
        )
    clinical, decoded = decode_declared_endpoints(
        samples,
        time=endpoint_options.get("time"),
        event=endpoint_options.get("event"),
        endpoint=endpoint_options.get("endpoint", "os"),
        time_unit=endpoint_options.get("time_unit"),
        event_codes=chosen.event_codes,
        file=file,
    )
    files = [file] + ([Path(platform)] if platform is not None else [])
    provenance = Provenance(
        source=f"GEO {dataset.get('title', file.name)}",
        platform=dataset.get("platform", ""),
        scale=scale,
        identifier_type="symbol",
        files=tuple(str(f) for f in files),
        sha256=tuple(sha256_of(f) for f in files),
    )
    return assemble_cohort(
        name or file.name.split(".")[0].lower(),
        values,
        type_clinical(clinical),
        endpoints=decoded,
        provenance=provenance,
        options=chosen,
        expression_file=file,
        clinical_file=file,
        join_rule="GSM accession",
        messages=messages,
    )
