"""Plain-table loaders: expression TSV/CSV/Parquet (either orientation) + clinical table."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts.build import (
    EndpointSpec,
    apply_transform,
    assemble_cohort,
    decode_declared_endpoints,
    type_clinical,
)
from sigsurv.cohorts.matrix_file import read_matrix_file
from sigsurv.cohorts.model import Cohort, Provenance
from sigsurv.cohorts.options import LoadOptions, load_options
from sigsurv.cohorts.platforms import map_probes
from sigsurv.cohorts.readers import (
    DEFAULT_MAX_FILE_BYTES,
    check_declared_size,
    parquet_declared_bytes,
    read_lines,
    refuse_booleans_and_infinities,
)
from sigsurv.cohorts.sample_kinds import collapse_rule_for
from sigsurv.cohorts.text_tables import TextTable, numeric_matrix, read_text_table, split_fields
from sigsurv.errors import CohortValidationError, FileFormatError, OptionError

__all__ = [
    "ORIENTATIONS",
    "load_tables",
    "read_clinical_table",
    "read_expression_table",
    "sha256_of",
]

ORIENTATIONS = ("genes_x_samples", "samples_x_genes")


def sha256_of(path: str | Path) -> str:
    """SHA-256 of a file, for run manifests.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = path.write_text("abc")
    >>> sha256_of(path)[:12]
    'ba7816bf8f01'
    """
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _normalise_orientation(orientation: str) -> str:
    key = orientation.replace("-", "_").lower()
    if key not in ORIENTATIONS:
        raise OptionError(
            "unknown matrix orientation", expected=" | ".join(ORIENTATIONS), found=orientation
        )
    return key


def _read_parquet_matrix(path: Path, max_file_bytes: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    check_declared_size(
        path, parquet_declared_bytes(path), "Parquet table", max_file_bytes=max_file_bytes
    )
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a corrupt file
        raise FileFormatError(
            "cannot read Parquet file", file=path, found=type(exc).__name__
        ) from None
    if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    id_name = frame.columns[0]
    ids = frame[[id_name]].astype(str)
    values = frame.drop(columns=[id_name])
    booleans = [str(c) for c in values.columns if pd.api.types.is_bool_dtype(values[c])]
    if booleans:
        raise FileFormatError(
            "boolean column in an expression matrix",
            file=path,
            column=booleans[0],
            expected="numbers",
            hint="booleans are never read as 0/1 expression",
        )
    non_numeric = [c for c in values.columns if not pd.api.types.is_numeric_dtype(values[c])]
    if non_numeric:
        strict = TextTable(
            data=values[non_numeric].astype(object).where(values[non_numeric].notna(), None),
            file=path,
            first_data_line=1,
            comment_lines=[],
        )
        repaired, _ = numeric_matrix(strict, [str(c) for c in non_numeric])
        for column in non_numeric:
            values[column] = repaired[str(column)]
    values = values.astype(float)
    refuse_booleans_and_infinities(values.to_numpy(), path, "the expression matrix")
    return values, ids


_SYMBOL_ENTREZ = re.compile(r"^[^|]+\|[0-9]+$")


def _firehose_gene_ids(index: pd.Index) -> tuple[pd.Index, str]:
    """Firehose/TCGA ``SYMBOL|ENTREZ`` row names (``A1BG|1``, ``?|100133144``) -> Entrez ID.

    The Entrez part is kept because the symbol part is missing (``?``) for some rows and
    2012-era for the others; harmonisation maps Entrez IDs to current symbols.
    """
    ids = index.astype(str)
    if len(ids) == 0 or ids.str.match(_SYMBOL_ENTREZ).mean() < 0.9:
        return index, ""
    entrez = [i.rsplit("|", 1)[1] if _SYMBOL_ENTREZ.match(i) else i for i in ids]
    unknown = int(ids.str.startswith("?|").sum())
    return pd.Index(entrez), (
        f"SYMBOL|ENTREZ row names read by their Entrez ID ({unknown} rows have symbol '?')"
    )


def read_expression_table(
    path: str | Path,
    *,
    orientation: str = "genes_x_samples",
    sep: str | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[pd.DataFrame, list[str]]:
    """Read an expression matrix into genes x samples floats (identifiers as written).

    Parameters
    ----------
    path
        ``.tsv``/``.txt``/``.csv`` (optionally ``.gz``) or ``.parquet``. The first
        column holds gene identifiers (``genes_x_samples``) or sample identifiers
        (``samples_x_genes``).
    orientation
        ``genes_x_samples`` (default) or ``samples_x_genes``. Declared, never guessed.
    max_file_bytes
        The input limit (see :class:`sigsurv.cohorts.options.LoadOptions`).

    Returns
    -------
    (expression, messages)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.tsv"
    >>> _ = path.write_text("gene\\ta\\tb\\nTP53\\t1\\t2\\n")
    >>> float(read_expression_table(path)[0].loc["TP53", "b"])
    2.0
    """
    file = Path(path)
    key = _normalise_orientation(orientation)
    if file.suffix.lower() in (".parquet", ".pq"):
        if not file.exists():
            raise FileFormatError("file not found", file=file)
        values, ids = _read_parquet_matrix(file, max_file_bytes)
        messages: list[str] = []
    elif key == "genes_x_samples" and _is_cbioportal_matrix(file):
        values, kind, messages = read_cbioportal_matrix(file, max_file_bytes=max_file_bytes)
        messages.append(f"{file.name}: cBioPortal expression matrix (genes by {kind})")
        return values, messages
    else:
        values, ids, messages = read_matrix_file(file, sep=sep, max_file_bytes=max_file_bytes)
    identifiers = ids.iloc[:, 0]
    if identifiers.isna().any():
        row = int(identifiers.isna().to_numpy().nonzero()[0][0])
        raise CohortValidationError(
            "missing identifier in the first column", file=file, line=row + 2, column=ids.columns[0]
        )
    values.index = identifiers.astype(str).str.strip().to_numpy()
    values.columns = [str(c).strip() for c in values.columns]
    values.index, firehose_note = _firehose_gene_ids(values.index)
    if firehose_note:
        messages.append(f"{file.name}: {firehose_note}")
    expression = values if key == "genes_x_samples" else values.T
    if key == "samples_x_genes" and expression.columns.has_duplicates:
        duplicated = expression.columns[expression.columns.duplicated()].unique()[:3]
        raise FileFormatError(
            "duplicated sample identifiers in the first column",
            file=file,
            found=", ".join(duplicated),
        )
    return expression, messages


def _is_cbioportal_matrix(file: Path) -> bool:
    """A cBioPortal ``data_mrna_*`` layout: Hugo_Symbol then Entrez_Gene_Id columns."""
    from sigsurv.cohorts.readers import read_bytes_head

    if not file.exists():
        return False
    first = read_bytes_head(file, 4096).decode("utf-8", errors="replace").split("\n", 1)[0]
    names = [n.strip().strip('"') for n in first.split("\t")[:2]]
    return names == ["Hugo_Symbol", "Entrez_Gene_Id"]


def _tcga_patient(barcode: str) -> str:
    """Patient part of a TCGA barcode (as :func:`sigsurv.cohorts.tcga.patient_barcode`,
    which imports this module)."""
    return str(barcode)[:12].upper().replace(".", "-")


def join_patients_to_samples(
    clinical: pd.DataFrame, samples: pd.Index
) -> tuple[pd.DataFrame, str | None]:
    r"""A cBioPortal patient file's rows, one per expression sample (TCGA: by barcode).

    Patient-level fields apply to every sample of the patient; a sample whose ID is a
    patient ID (METABRIC: ``MB-0000``) joins exactly. Samples of no patient are left
    for the join report. Other clinical tables are returned unchanged.

    Examples
    --------
    >>> clinical = pd.DataFrame({"OS_MONTHS": ["4", "9"]},
    ...                         index=pd.Index(["TCGA-A1-A0SB", "MB-0000"], name="PATIENT_ID"))
    >>> joined, note = join_patients_to_samples(clinical, pd.Index(["TCGA-A1-A0SB-01", "MB-0000"]))
    >>> joined.index.tolist(), joined["PATIENT_ID"].tolist()
    (['TCGA-A1-A0SB-01', 'MB-0000'], ['TCGA-A1-A0SB', 'MB-0000'])
    """
    if clinical.index.name != "PATIENT_ID":
        return clinical, None
    patients = set(clinical.index)
    keys: dict[str, str] = {}
    for sample in map(str, samples):
        if sample in patients:
            keys[sample] = sample
        elif sample.upper().startswith("TCGA") and _tcga_patient(sample) in patients:
            keys[sample] = _tcga_patient(sample)
    by_barcode = sum(1 for s, p in keys.items() if s != p)
    if not by_barcode:
        return clinical, None
    joined = clinical.loc[list(keys.values())].reset_index()
    joined.index = pd.Index(list(keys), name="SAMPLE_ID")
    note = (
        f"patient clinical file joined to {len(keys)} expression samples of "
        f"{len(set(keys.values()))} patients ({by_barcode} by TCGA patient barcode, "
        "first 12 characters)"
    )
    return joined, note


def cbioportal_header_lines(lines: list[str]) -> int:
    r"""How many leading ``#`` lines are cBioPortal clinical metadata (0 if none).

    cBioPortal's clinical files open with four ``#`` lines (display names,
    descriptions, datatypes, priorities), and re-saved copies often keep only the
    display-name line; the attribute IDs (``PATIENT_ID``, ``OS_MONTHS``) follow. Each
    such line has as many fields as the attribute-ID line; a free-text ``#`` comment
    does not, and is left to the reader.

    Examples
    --------
    >>> cbioportal_header_lines(["#Patient Identifier\tOverall Survival (Months)",
    ...                          "#STRING\tNUMBER", "PATIENT_ID\tOS_MONTHS", "P1\t4"])
    2
    >>> cbioportal_header_lines(["# written by a script", "id\ttime", "a\t4"])
    0
    >>> cbioportal_header_lines(["#id\ttime", "a\t4", "b\t5"])  # a '#' header, not metadata
    0
    """
    count = 0
    while count < len(lines) and count <= 4 and lines[count].startswith("#"):
        count += 1
    if count == 0 or count > 4 or count >= len(lines):
        return 0
    header = lines[count]
    separator = "\t" if "\t" in header else ","
    names = [name.strip().strip('"') for name in header.split(separator)]
    width = len(names)
    if width < 2 or not set(_CBIOPORTAL_ID_COLUMNS) & set(names):
        return 0  # the attribute-ID line names PATIENT_ID or SAMPLE_ID
    try:
        widths = {len(split_fields(line, separator, Path("-"), 1)) for line in lines[:count]}
    except FileFormatError:  # unbalanced quotes: not a metadata line
        return 0
    return count if widths == {width} else 0


# cBioPortal's identifier columns: a sample file's SAMPLE_ID identifies its rows.
_CBIOPORTAL_ID_COLUMNS = ("SAMPLE_ID", "PATIENT_ID")


def read_clinical_table(
    path: str | Path,
    *,
    sample_column: str | None = None,
    sep: str | None = None,
    comment: str | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[pd.DataFrame, TextTable]:
    """Read a clinical table (samples x fields) as strings indexed by sample ID.

    Parameters
    ----------
    sample_column
        Column holding sample identifiers (default: the first column).
    max_file_bytes
        The input limit (see :class:`sigsurv.cohorts.options.LoadOptions`).

    Returns
    -------
    (clinical, table)
        String DataFrame indexed by sample ID, and the raw :class:`TextTable` (for
        line numbers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.tsv"
    >>> _ = path.write_text("id\\ttime\\tstatus\\na\\t5\\t1\\n")
    >>> read_clinical_table(path)[0].loc["a", "time"]
    '5'
    """
    file = Path(path)
    if file.suffix.lower() in (".parquet", ".pq"):
        if not file.exists():
            raise FileFormatError("file not found", file=file)
        check_declared_size(
            file, parquet_declared_bytes(file), "Parquet table", max_file_bytes=max_file_bytes
        )
        try:
            frame = pd.read_parquet(file)
        except Exception as exc:  # pyarrow raises many types for a corrupt file
            raise FileFormatError(
                "cannot read Parquet file", file=file, found=type(exc).__name__
            ) from None
        if not isinstance(frame.index, pd.RangeIndex):
            frame = frame.reset_index()
        frame = frame.astype(object).where(frame.notna(), None)
        frame = frame.apply(lambda col: col.map(lambda v: None if v is None else str(v)))
        table = TextTable(data=frame, file=file, first_data_line=1, comment_lines=[])
    else:
        lines = read_lines(file, max_file_bytes=max_file_bytes)
        metadata = cbioportal_header_lines(lines) if comment is None else 0
        table = read_text_table(file, sep=sep, comment="#" if metadata else comment, lines=lines)
    frame = table.data
    column = sample_column or _default_id_column(frame, table)
    if column not in frame.columns:
        import difflib

        close = difflib.get_close_matches(str(column), [str(c) for c in frame.columns], n=1)
        raise FileFormatError(
            "sample identifier column not found",
            file=file,
            column=column,
            expected="one of: " + ", ".join(frame.columns[:15]),
            hint=f"did you mean {close[0]!r}?" if close else None,
        )
    ids = frame[column]
    if ids.isna().any():
        row = int(ids.isna().to_numpy().nonzero()[0][0])
        raise CohortValidationError(
            "missing sample identifier", file=file, line=table.line_of(row), column=column
        )
    if ids.duplicated().any():
        row = int(ids.duplicated().to_numpy().nonzero()[0][0])
        raise CohortValidationError(
            "duplicated sample identifier",
            file=file,
            line=table.line_of(row),
            column=column,
            found=ids.iloc[row],
        )
    clinical = frame.set_index(column)
    clinical.index = clinical.index.astype(str)
    return clinical, table


def _default_id_column(frame: pd.DataFrame, table: TextTable) -> str:
    """The first column, or a cBioPortal file's SAMPLE_ID (else PATIENT_ID)."""
    if table.comment_lines:
        for name in _CBIOPORTAL_ID_COLUMNS:
            if name in frame.columns:
                return name
    return str(frame.columns[0])


def clinical_table_note(clinical: pd.DataFrame, table: TextTable) -> str | None:
    r"""What reading a cBioPortal clinical file skipped, and which column names the rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "data_clinical_patient.txt"
    >>> _ = path.write_text("#Patient Identifier\tOS\n#STRING\tNUMBER\n"
    ...                     "PATIENT_ID\tOS_MONTHS\nP1\t4\n")
    >>> clinical_table_note(*read_clinical_table(path))
    "data_clinical_patient.txt: 2 cBioPortal header lines ('#': display names...) ..."
    """
    if not table.comment_lines:
        return None
    width = len(table.data.columns)
    separator = "\t" if "\t" in table.comment_lines[0] else ","
    if any(len(line.split(separator)) != width for line in table.comment_lines):
        n = len(table.comment_lines)
        plural = "s" if n != 1 else ""
        return f"{table.file.name}: {n} comment line{plural} ('#') before the header skipped"
    return (
        f"{table.file.name}: {len(table.comment_lines)} cBioPortal header lines "
        f"('#': display names, descriptions, types, priorities) read as metadata; "
        f"attribute IDs on line {table.first_data_line - 1}; rows identified by "
        f"{clinical.index.name}"
    )


def _match_columns(
    patterns: Sequence[str], columns: list[str], file: Path, option: str
) -> list[str]:
    """Columns named by ``patterns``: exact names, or ``prefix*`` rules (fnmatch)."""
    import fnmatch

    chosen: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            matched = [c for c in columns if fnmatch.fnmatchcase(c, pattern)]
        else:
            matched = [pattern] if pattern in columns else []
        if not matched:
            raise OptionError(
                f"{option} {pattern!r} names no column of the table",
                file=file,
                expected="one of: " + ", ".join(columns[:20]),
            )
        chosen.extend(c for c in matched if c not in chosen)
    return chosen


def read_combined_table(
    path: str | Path,
    *,
    gene_columns: Sequence[str] | None = None,
    clinical_columns: Sequence[str] | None = None,
    sample_column: str | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[pd.DataFrame, pd.DataFrame, TextTable, str]:
    r"""Split one samples x columns table into expression (genes x samples) and clinical.

    Give the gene columns, the clinical columns, or both (then every column must be
    one or the other: nothing is dropped silently). Names may be ``prefix*`` rules.

    Returns
    -------
    (expression, clinical, table, note)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "deepsurv.tsv"
    >>> _ = path.write_text("row\tMKI67\tESR1\tage\tos_time\n0\t5.6\t7.1\t56\t99\n")
    >>> expression, clinical, _, note = read_combined_table(path, gene_columns=["MKI67", "ESR1"])
    >>> expression.index.tolist(), clinical.columns.tolist()
    (['MKI67', 'ESR1'], ['age', 'os_time'])
    """
    if not gene_columns and not clinical_columns:
        raise OptionError("give the gene columns or the clinical columns of the combined table")
    clinical, table = read_clinical_table(
        path, sample_column=sample_column, max_file_bytes=max_file_bytes
    )
    columns = [str(c) for c in clinical.columns]
    genes = _match_columns(gene_columns or [], columns, table.file, "--gene-columns")
    fields = _match_columns(clinical_columns or [], columns, table.file, "--clinical-columns")
    overlap = sorted(set(genes) & set(fields))
    if overlap:
        raise OptionError(
            "columns named both gene and clinical", file=table.file, found=", ".join(overlap[:5])
        )
    if not genes:
        genes = [c for c in columns if c not in fields]
    if not fields:
        fields = [c for c in columns if c not in genes]
    neither = [c for c in columns if c not in genes and c not in fields]
    if neither:
        raise OptionError(
            "columns neither gene nor clinical (nothing is dropped silently)",
            file=table.file,
            found=", ".join(neither[:8]),
            hint="name them in --gene-columns or --clinical-columns",
        )
    if not genes:
        raise OptionError("the combined table has no gene column left", file=table.file)
    values, _ = numeric_matrix(table, genes)
    values.index = clinical.index
    note = (
        f"{table.file.name}: combined table split into {len(genes)} gene columns and "
        f"{len(fields)} clinical columns (rows identified by {clinical.index.name})"
    )
    return values.T, clinical[fields], table, note


def load_tables(
    expression: str | Path,
    clinical: str | Path | None,
    *,
    time: str | None = None,
    event: str | None = None,
    endpoint: str | None = None,
    time_unit: str | None = None,
    endpoints: Sequence[EndpointSpec] = (),
    event_codes: Mapping[str, int] | None = None,
    orientation: str = "genes_x_samples",
    sample_column: str | None = None,
    options: LoadOptions | None = None,
    id_type: str | None = None,
    collapse: str | None = None,
    harmonise: bool | None = None,
    na_policy: str | None = None,
    name: str | None = None,
    scale: str = "",
    platform: str | Path | None = None,
    transform: str | None = None,
    standardise: Mapping[str, Mapping[str, object]] | None = None,
    non_tumour: str | None = None,
    strata: str | None = None,
    gene_columns: Sequence[str] | None = None,
    clinical_columns: Sequence[str] | None = None,
) -> Cohort:
    """Load a cohort from an expression table and a clinical table.

    Parameters
    ----------
    expression
        Expression matrix file (TSV/CSV/Parquet, optionally gzip).
    clinical
        Clinical table, one row per sample, first column (or ``sample_column``)
        = sample identifiers matching the expression's sample identifiers.
    time, event
        Clinical columns of the endpoint named ``endpoint`` (unit from
        ``time_unit``, else the column name, else inferred with a warning).
    endpoint
        The endpoint's name (``os``, ``rfs``, ``dmfs``...); by default the one the
        time column's name says (``RFS_months``, ``relapse_time`` -> ``rfs``). A
        column whose name says none (``time``) needs it: overall survival is never
        assumed.
    endpoints
        Further endpoints as :class:`EndpointSpec`.
    event_codes
        Explicit event mapping, e.g. ``{"yes": 1, "no": 0}``.
    orientation
        ``genes_x_samples`` or ``samples_x_genes`` of the expression file.
    options
        How to read (:class:`~sigsurv.cohorts.options.LoadOptions`); the keyword
        arguments ``id_type``, ``collapse``, ``harmonise``, ``na_policy``,
        ``transform``, ``standardise``, ``non_tumour`` and ``event_codes``, when given,
        replace its fields.
    platform
        A platform annotation table (GEO GPL ``.annot``/``.txt`` or any table with
        ``ID`` and a gene-symbol or Entrez column): the expression rows are probe IDs,
        mapped to genes and collapsed with ``collapse``.
    transform
        ``none`` (default: values are used as written), ``auto`` or ``log2p1``
        (see :func:`sigsurv.cohorts.build.apply_transform`).
    gene_columns, clinical_columns
        One table holding genes and clinical columns together (``clinical`` None):
        its gene columns, its clinical columns, or both (``prefix*`` rules allowed;
        see :func:`read_combined_table`).
    strata
        A clinical column to stratify analyses by (:attr:`Cohort.strata`), e.g. the
        study of a pooled table (a cohort spec's ``strata:``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "e.tsv").write_text("gene\\ta\\tb\\tc\\nTP53\\t1\\t2\\t3\\n")
    >>> _ = (folder / "c.tsv").write_text("id\\tm\\ts\\na\\t5\\t1\\nb\\t7\\t0\\nc\\t9\\t1\\n")
    >>> cohort = load_tables(folder / "e.tsv", folder / "c.tsv", time="m", event="s",
    ...                      endpoint="os", time_unit="months")
    >>> cohort.n_samples, cohort.endpoint("os").unit
    (3, 'months')
    """
    chosen = load_options(
        options,
        id_type=id_type,
        collapse=collapse,
        harmonise=harmonise,
        na_policy=na_policy,
        transform=transform,
        standardise=standardise,
        non_tumour=non_tumour,
        event_codes=event_codes,
    )
    expression_frame, clinical_frame, table, messages = _read_table_pair(
        expression,
        clinical,
        orientation=orientation,
        sample_column=sample_column,
        gene_columns=gene_columns,
        clinical_columns=clinical_columns,
        max_file_bytes=chosen.max_file_bytes,
    )
    transform_rule = chosen.transform_or("none")
    if transform_rule != "none":
        expression_frame, scale, note = apply_transform(
            expression_frame, transform_rule, expression
        )
        messages.extend([note] if note else [])
    platform_label = ""
    if platform is not None:
        expression_frame = _probes_to_genes(expression_frame, platform, chosen, messages)
        platform_label = Path(platform).name
        chosen = chosen.replace(id_type="symbol" if chosen.id_type == "auto" else None)
    notes = [clinical_table_note(clinical_frame, table)]
    clinical_frame, joined = join_patients_to_samples(clinical_frame, expression_frame.columns)
    notes.append(joined)
    messages.extend(note for note in notes if note)
    clinical_frame, decoded = decode_declared_endpoints(
        clinical_frame,
        time=time,
        event=event,
        endpoint=endpoint,
        time_unit=time_unit,
        event_codes=chosen.event_codes,
        extra=list(endpoints),
        file=table.file,
        first_data_line=table.first_data_line,
    )
    clinical_frame = type_clinical(clinical_frame)
    files = [Path(expression)] + ([Path(clinical)] if clinical is not None else [])
    files += [Path(platform)] if platform else []
    provenance = Provenance(
        source=f"expression {Path(expression).name}; clinical {Path(clinical or expression).name}",
        platform=platform_label,
        scale=scale,
        identifier_type=chosen.id_type,
        files=tuple(str(f) for f in files),
        sha256=tuple(sha256_of(f) for f in files),
    )
    cohort = assemble_cohort(
        name or Path(expression).name.split(".")[0],
        expression_frame,
        clinical_frame,
        endpoints=decoded,
        provenance=provenance,
        options=chosen,
        expression_file=expression,
        clinical_file=clinical or expression,
        messages=messages,
    )
    return cohort.with_strata(strata) if strata is not None else cohort


def _probes_to_genes(
    expression: pd.DataFrame, platform: str | Path, options: LoadOptions, messages: list[str]
) -> pd.DataFrame:
    """Probe rows mapped to genes with the platform table, probes of a gene collapsed
    (averaged for per-probe standardised values, reported)."""
    probe_collapse, standardised = collapse_rule_for(expression, options.collapse)
    messages.extend([f"probes: {standardised}"] if standardised else [])
    expression, mapping_notes = map_probes(
        expression, platform, collapse=probe_collapse, max_file_bytes=options.max_file_bytes
    )
    messages.extend(mapping_notes)
    return expression


def _read_table_pair(
    expression: str | Path,
    clinical: str | Path | None,
    *,
    orientation: str,
    sample_column: str | None,
    gene_columns: Sequence[str] | None,
    clinical_columns: Sequence[str] | None,
    max_file_bytes: int,
) -> tuple[pd.DataFrame, pd.DataFrame, TextTable, list[str]]:
    """The expression and clinical frames of an expression + clinical table pair, or of
    one combined table (its gene and clinical columns given), with the reading notes."""
    if gene_columns is not None or clinical_columns is not None:
        expression_frame, clinical_frame, table, note = read_combined_table(
            expression,
            gene_columns=gene_columns,
            clinical_columns=clinical_columns,
            sample_column=sample_column,
            max_file_bytes=max_file_bytes,
        )
        return expression_frame, clinical_frame, table, [note]
    if clinical is None:
        raise OptionError(
            "an expression table needs a clinical table",
            file=expression,
            expected="a clinical file, or the gene/clinical columns of a combined table",
        )
    expression_frame, messages = read_expression_table(
        expression, orientation=orientation, max_file_bytes=max_file_bytes
    )
    clinical_frame, table = read_clinical_table(
        clinical, sample_column=sample_column, max_file_bytes=max_file_bytes
    )
    return expression_frame, clinical_frame, table, messages


def read_cbioportal_matrix(
    path: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[pd.DataFrame, str, list[str]]:
    r"""Read a cBioPortal expression file; rows keyed by Hugo symbol, else Entrez ID.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "data_mrna.txt"
    >>> _ = path.write_text("Hugo_Symbol\tEntrez_Gene_Id\tS1\nTP53\t7157\t5.5\n")
    >>> values, kind, _ = read_cbioportal_matrix(path)
    >>> kind, float(values.loc["TP53", "S1"])
    ('Hugo_Symbol', 5.5)
    """
    with_symbol = ["Hugo_Symbol", "Entrez_Gene_Id"]
    for id_columns in (with_symbol, ["Hugo_Symbol"], ["Entrez_Gene_Id"]):
        try:
            values, ids, messages = read_matrix_file(
                path, id_columns=id_columns, max_file_bytes=max_file_bytes
            )
        except FileFormatError as exc:
            if "identifier column not found" in exc.message:
                continue
            raise
        break
    else:
        raise FileFormatError(
            "expression file has neither Hugo_Symbol nor Entrez_Gene_Id",
            file=path,
            line=1,
            expected="Hugo_Symbol and/or Entrez_Gene_Id columns",
        )
    if "Hugo_Symbol" in ids.columns:
        identifiers = ids["Hugo_Symbol"].copy()
        if "Entrez_Gene_Id" in ids.columns:
            missing = identifiers.isna()
            if missing.any():
                from sigsurv.cohorts.genes import map_identifiers

                entrez = ids.loc[missing, "Entrez_Gene_Id"]
                mapped, _ = map_identifiers([str(e) for e in entrez.fillna("")], id_type="entrez")
                identifiers.loc[missing] = [
                    m if m is not None else (f"ENTREZ:{e}" if e else None)
                    for m, e in zip(mapped, entrez.fillna(""), strict=True)
                ]
                messages.append(
                    f"{int(missing.sum())} rows without Hugo_Symbol named from Entrez_Gene_Id"
                )
        kind = "Hugo_Symbol"
    else:
        identifiers = ids["Entrez_Gene_Id"].copy()
        kind = "entrez"
    if identifiers.isna().any():
        row = int(np.flatnonzero(identifiers.isna().to_numpy())[0])
        raise CohortValidationError(
            "row without a gene identifier", file=path, line=row + 2, column=ids.columns[0]
        )
    values.index = identifiers.astype(str).to_numpy()
    return values, kind, messages
