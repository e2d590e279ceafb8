"""Plain-table loaders: expression TSV/CSV/Parquet (either orientation) + clinical table."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from sigsurv.cohorts.build import (
    EndpointSpec,
    apply_transform,
    assemble_cohort,
    decode_declared_endpoints,
    type_clinical,
)
from sigsurv.cohorts.model import Cohort, Provenance
from sigsurv.cohorts.platforms import map_probes
from sigsurv.cohorts.readers import (
    TextTable,
    numeric_matrix,
    read_matrix_file,
    read_text_table,
)
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


def _read_parquet_matrix(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    return values.astype(float), ids


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
        values, ids = _read_parquet_matrix(file)
        messages: list[str] = []
    else:
        values, ids, messages = read_matrix_file(file, sep=sep)
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


def read_clinical_table(
    path: str | Path,
    *,
    sample_column: str | None = None,
    sep: str | None = None,
    comment: str | None = None,
) -> tuple[pd.DataFrame, TextTable]:
    """Read a clinical table (samples x fields) as strings indexed by sample ID.

    Parameters
    ----------
    sample_column
        Column holding sample identifiers (default: the first column).

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
        table = read_text_table(file, sep=sep, comment=comment)
    frame = table.data
    column = sample_column or frame.columns[0]
    if column not in frame.columns:
        raise FileFormatError(
            "sample identifier column not found",
            file=file,
            column=column,
            expected="one of: " + ", ".join(frame.columns[:15]),
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


def load_tables(
    expression: str | Path,
    clinical: str | Path,
    *,
    time: str | None = None,
    event: str | None = None,
    endpoint: str = "os",
    time_unit: str | None = None,
    endpoints: Sequence[EndpointSpec] = (),
    event_codes: Mapping[str, int] | None = None,
    orientation: str = "genes_x_samples",
    sample_column: str | None = None,
    id_type: str = "auto",
    collapse: str = "max_mean",
    harmonise: bool = True,
    na_policy: str = "sample",
    name: str | None = None,
    scale: str = "",
    platform: str | Path | None = None,
    transform: str = "none",
    standardise: Mapping[str, Mapping[str, object]] | None = None,
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
    endpoints
        Further endpoints as :class:`EndpointSpec`.
    event_codes
        Explicit event mapping, e.g. ``{"yes": 1, "no": 0}``.
    orientation
        ``genes_x_samples`` or ``samples_x_genes`` of the expression file.
    platform
        A platform annotation table (GEO GPL ``.annot``/``.txt`` or any table with
        ``ID`` and a gene-symbol or Entrez column): the expression rows are probe IDs,
        mapped to genes and collapsed with ``collapse``.
    transform
        ``none`` (default: values are used as written), ``auto`` or ``log2p1``
        (see :func:`sigsurv.cohorts.build.apply_transform`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "e.tsv").write_text("gene\\ta\\tb\\tc\\nTP53\\t1\\t2\\t3\\n")
    >>> _ = (folder / "c.tsv").write_text("id\\tm\\ts\\na\\t5\\t1\\nb\\t7\\t0\\nc\\t9\\t1\\n")
    >>> cohort = load_tables(folder / "e.tsv", folder / "c.tsv", time="m", event="s",
    ...                      time_unit="months")
    >>> cohort.n_samples, cohort.endpoint("os").unit
    (3, 'months')
    """
    expression_frame, messages = read_expression_table(expression, orientation=orientation)
    if transform != "none":
        expression_frame, scale, note = apply_transform(expression_frame, transform, expression)
        messages.extend([note] if note else [])
    platform_label = ""
    if platform is not None:
        expression_frame, mapping_notes = map_probes(expression_frame, platform, collapse=collapse)
        messages.extend(mapping_notes)
        platform_label = Path(platform).name
        id_type = "symbol" if id_type == "auto" else id_type
    clinical_frame, table = read_clinical_table(clinical, sample_column=sample_column)
    clinical_frame, decoded = decode_declared_endpoints(
        clinical_frame,
        time=time,
        event=event,
        endpoint=endpoint,
        time_unit=time_unit,
        event_codes=event_codes,
        extra=list(endpoints),
        file=table.file,
        first_data_line=table.first_data_line,
    )
    clinical_frame = type_clinical(clinical_frame)
    files = [Path(expression), Path(clinical)] + ([Path(platform)] if platform else [])
    provenance = Provenance(
        source=f"expression {Path(expression).name}; clinical {Path(clinical).name}",
        platform=platform_label,
        scale=scale,
        identifier_type=id_type,
        files=tuple(str(f) for f in files),
        sha256=tuple(sha256_of(f) for f in files),
    )
    return assemble_cohort(
        name or Path(expression).name.split(".")[0],
        expression_frame,
        clinical_frame,
        endpoints=decoded,
        provenance=provenance,
        harmonise=harmonise,
        id_type=id_type,
        collapse=collapse,
        na_policy=na_policy,
        expression_file=expression,
        clinical_file=clinical,
        messages=messages,
        standardise=standardise,
    )
