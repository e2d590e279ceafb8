"""GEO series tables: per-patient clinical data a submitter attached to the series.

Some GEO series keep their clinical data not in the samples' characteristics but in a
table of the series itself (GSE2034: time to relapse, relapse and ER status), found in
the family SOFT file (``GSE*_family.soft.gz``) between ``!series_table_begin`` and
``!series_table_end`` inside the ``^SERIES`` block::

    ^SERIES = GSE2034
    !Series_title = ...
    #PID = patient identifier
    #GEO asscession number =
    !series_table_begin
    PID<TAB>GEO asscession number<TAB>lymph node status<TAB>...
    ...
    !series_table_end
    ^PLATFORM = GPL96
    ...

:func:`read_series_table` streams the file and stops at the end of the table: the
platform and sample blocks after it (most of the file) are never read. A plain TSV
(the table as GEO's web view exports it) is read too. The table is joined to the
samples through a named column holding GSM accessions.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from sigsurv.cohorts import readers
from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES
from sigsurv.errors import FileFormatError, SampleJoinError

__all__ = ["GEO_NA_VALUES", "is_geo_na", "join_series_table", "read_series_table"]

#: How GEO submitters write a missing value, beyond the usual NA spellings (GSE2603
#: writes a literal ``--``). Compared after stripping, case-insensitively.
GEO_NA_VALUES = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "--", "---", "n.a.", "not available"}
)


def is_geo_na(value: object) -> bool:
    """True for a GEO spelling of a missing value.

    Examples
    --------
    >>> is_geo_na("--"), is_geo_na(" NA "), is_geo_na("0"), is_geo_na(None)
    (True, True, False, True)
    """
    return value is None or str(value).strip().lower() in GEO_NA_VALUES


def _lines(file: Path, max_file_bytes: int) -> Iterator[tuple[int, str]]:
    """Numbered lines, streamed (plain or gzip), bounded by the input limit."""
    with open(file, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if compressed else open
    read = 0
    try:
        with opener(file, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                read += len(raw)
                if read > max_file_bytes or len(raw) > readers.MAX_LINE_CHARS:
                    raise FileFormatError(
                        "file is larger than the input limit before the series table ended",
                        file=file,
                        line=number,
                        expected=f"at most {max_file_bytes} bytes",
                    )
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
                yield number, text.rstrip("\r\n")
    except (OSError, EOFError) as exc:
        raise FileFormatError(
            "cannot read the file (truncated or corrupt gzip?)", file=file, found=str(exc)[:80]
        ) from None


def _soft_table_lines(file: Path, lines: Iterator[tuple[int, str]]) -> tuple[list[str], int]:
    """The lines of the ^SERIES block's table (header first) and the header's line."""
    in_series = False
    table: list[str] = []
    begin = None
    for number, line in lines:
        lowered = line.lower()
        if line.startswith("^"):
            if in_series and begin is None:
                break  # the series block ended without a table: never read the samples
            in_series = lowered.startswith("^series")
            continue
        if not in_series:
            continue
        if lowered.startswith("!series_table_begin"):
            begin = number + 1
            continue
        if lowered.startswith("!series_table_end"):
            return table, begin or number
        if begin is not None:
            if not table and (not line.strip() or line.startswith("#")):
                begin = number + 1  # descriptions or blank lines before the header
                continue
            table.append(line)
    if begin is not None:
        raise FileFormatError(
            "series table is not terminated (file truncated?)",
            file=file,
            line=begin - 1,
            expected="'!series_table_end'",
        )
    raise FileFormatError(
        "no series table in the ^SERIES block",
        file=file,
        expected="lines between '!series_table_begin' and '!series_table_end'",
        hint="this series keeps its clinical data in the sample characteristics",
    )


def read_series_table(
    path: str | Path, *, accession_column: str, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> pd.DataFrame:
    """Read a series table (family SOFT file or plain TSV) indexed by GSM accession.

    Parameters
    ----------
    path
        ``GSE*_family.soft[.gz]`` (the table of the ``^SERIES`` block) or a TSV.
    accession_column
        The column holding each row's GSM accession (GSE2034 spells it
        ``GEO asscession number``).
    max_file_bytes
        The input limit (see :class:`sigsurv.cohorts.options.LoadOptions`).

    Returns
    -------
    pandas.DataFrame
        One row per accession, every other column as text; GEO's spellings of a
        missing value (``--``, ``NA``...) are missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "GSE1_family.soft"
    >>> _ = path.write_text("^SERIES = GSE1\\n!Series_title = t\\n#ID = patient\\n"
    ...     "!series_table_begin\\nID\\tGSM\\trelapse\\n1\\tGSM1\\t1\\n2\\tGSM2\\t--\\n"
    ...     "!series_table_end\\n^SAMPLE = GSM1\\n")
    >>> read_series_table(path, accession_column="GSM")["relapse"].tolist()
    ['1', None]
    """
    from sigsurv.cohorts.text_tables import read_text_table

    file = Path(path)
    if not file.is_file():
        raise FileFormatError("series table file not found", file=file)
    lines = _lines(file, max_file_bytes)
    first = next(lines, None)
    if first is None:
        raise FileFormatError("file is empty", file=file)
    if first[1].startswith(("^", "!")):
        chained = _chain(first, lines)
        table_lines, header_line = _soft_table_lines(file, chained)
        table = read_text_table(file, sep="\t", lines=table_lines, first_line_number=header_line)
    else:
        separator = "\t" if "\t" in first[1] else None
        table = read_text_table(file, sep=separator, max_file_bytes=max_file_bytes)
    return _indexed(table.data, table, accession_column, file)


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def _indexed(frame: pd.DataFrame, table: object, column: str, file: Path) -> pd.DataFrame:
    if column not in frame.columns:
        raise FileFormatError(
            "accession column not found in the series table",
            file=file,
            column=column,
            expected="one of: " + ", ".join(map(str, frame.columns[:12])),
        )
    frame = frame.map(lambda v: None if is_geo_na(v) else str(v).strip())
    ids = frame[column]
    line_of = getattr(table, "line_of", lambda row: None)
    for problem, mask in (("missing", ids.isna()), ("duplicated", ids.duplicated() & ids.notna())):
        if mask.any():
            row = int(mask.to_numpy().nonzero()[0][0])
            raise FileFormatError(
                f"{problem} GSM accession in the series table",
                file=file,
                line=line_of(row),
                column=column,
                found=ids.iloc[row],
            )
    return frame.set_index(column)


def join_series_table(
    samples: pd.DataFrame, table: pd.DataFrame, file: Path, messages: list[str]
) -> pd.DataFrame:
    """Add the table's columns to the samples' characteristics (joined on GSM accession).

    A column in both must agree wherever both have a value; table rows for accessions
    that are not samples of the series, and samples without a row, are reported.
    """
    unknown = [a for a in table.index if a not in samples.index]
    if len(unknown) == len(table.index):
        raise SampleJoinError(
            "no accession of the series table is a sample of the series",
            file=file,
            expected=", ".join(map(str, samples.index[:3])),
            found=", ".join(map(str, table.index[:3])),
        )
    if unknown:
        messages.append(
            f"{file.name}: {len(unknown)} series-table rows name no sample of the series "
            f"(ignored), e.g. {', '.join(map(str, unknown[:3]))}"
        )
    aligned = table.reindex(samples.index)
    missing = int(aligned.isna().all(axis=1).sum())
    if missing:
        messages.append(f"{file.name}: {missing} samples have no row in the series table")
    merged = samples.copy()
    for column in aligned.columns:
        values = aligned[column]
        if column in merged.columns:
            both = merged[column].notna() & values.notna()
            differs = both & (merged[column].astype(str) != values.astype(str))
            if differs.any():
                sample = differs[differs].index[0]
                raise SampleJoinError(
                    "series table and sample characteristics disagree",
                    file=file,
                    column=column,
                    found=f"{sample}: {values[sample]!r} vs {merged.loc[sample, column]!r}",
                )
            merged[column] = merged[column].where(merged[column].notna(), values)
        else:
            merged[column] = values
    messages.append(
        f"{file.name}: series table ({len(table.columns)} columns) joined on GSM accession"
    )
    return merged
