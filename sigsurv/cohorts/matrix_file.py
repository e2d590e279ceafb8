"""Numeric matrices with leading identifier columns, read strictly but fast.

:func:`read_matrix_file` checks a TSV/CSV (plain or gzip) line by line for ragged rows
and duplicated header names, recognises the featureCounts and Broad Firehose layouts,
then parses the values with pandas' C parser; a column that does not parse as numbers
is re-read strictly to report the first offending cell with its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES, NA_VALUES, read_lines
from sigsurv.cohorts.text_tables import (
    TextTable,
    _locate_header,
    _quote_hint,
    _refuse_comment_line,
    numeric_matrix,
)
from sigsurv.errors import CohortValidationError, FileFormatError

__all__ = ["read_matrix_file"]


def _is_firehose_subheader(line: str, separator: str) -> bool:
    """True for Firehose's second header line: ``gene_id<TAB>raw_count<TAB>raw_count...``."""
    fields = [f.strip() for f in line.split(separator)]
    words = set(fields[1:])
    if not words or len(words) > 4:
        return False
    return all(w and not w.replace(".", "").replace("-", "").isdigit() for w in words) and all(
        w.replace("_", "").isalpha() for w in words
    )


_FEATURECOUNTS = ["Geneid", "Chr", "Start", "End", "Strand", "Length"]


def read_matrix_file(
    path: str | Path,
    *,
    sep: str | None = None,
    id_columns: int | list[str] = 1,
    comment: str | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Read a numeric matrix with leading identifier column(s), strictly but fast.

    The file is checked line by line for ragged rows and duplicated header names,
    then parsed by pandas' C parser; a column that does not parse as numbers is
    re-read strictly to report the first offending cell with its line.

    Parameters
    ----------
    path
        TSV/CSV (plain or gzip).
    id_columns
        Number of leading identifier columns, or their names (e.g.
        ``["Hugo_Symbol", "Entrez_Gene_Id"]``); the rest are numeric value columns.
    max_file_bytes
        The input limit (text size once decompressed), see
        :class:`sigsurv.cohorts.options.LoadOptions`.

    Returns
    -------
    (values, ids, messages)
        Float values (rows in file order), the identifier columns as strings, and
        repair messages (decimal commas).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.tsv"
    >>> _ = path.write_text("gene\\ta\\tb\\nTP53\\t1\\t2\\nMSK1\\t3\\tNA\\n")
    >>> values, ids, _ = read_matrix_file(path)
    >>> ids["gene"].tolist(), values["b"].tolist()
    (['TP53', 'MSK1'], [2.0, nan])
    """
    file = Path(path)
    layout = _matrix_layout(file, sep=sep, comment=comment, max_file_bytes=max_file_bytes)
    if isinstance(id_columns, int) and id_columns == 1 and layout.header[:6] == _FEATURECOUNTS:
        id_columns = list(_FEATURECOUNTS)  # gene ID plus five annotation columns
        layout.messages.append(
            f"{file.name}: featureCounts layout: Geneid read as the gene, "
            "Chr/Start/End/Strand/Length set aside"
        )
    _skip_firehose_subheader(layout, file)
    _check_field_counts(layout, file)
    id_names, value_names = _id_and_value_names(layout, file, id_columns)
    frame = pd.read_csv(
        io.StringIO("\n".join([layout.separator.join(layout.header), *layout.body])),
        sep=layout.separator,
        dtype={name: str for name in id_names},
        na_values=list(NA_VALUES),
        keep_default_na=False,
        # Quotes are not field delimiters here: the line-by-line check above counted
        # separators, so a quoted separator or newline must not merge fields or rows.
        quoting=csv.QUOTE_NONE,
        low_memory=False,
        engine="c",
        float_precision="round_trip",  # correctly rounded, as R reads numbers
    )
    ids = _stripped_strings(frame[id_names])
    values = _numeric_values(frame[value_names], file, layout.header_number, layout.messages)
    return values, ids, layout.messages


@dataclass
class _MatrixLayout:
    """A matrix file's header, separator and data lines, before any value is parsed."""

    header: list[str]
    separator: str
    header_number: int  # 1-based file line of the (last) header line
    body: list[str]  # the data lines
    messages: list[str]


def _matrix_layout(
    file: Path, *, sep: str | None, comment: str | None, max_file_bytes: int
) -> _MatrixLayout:
    """The located header and the non-empty data lines; leading comments reported."""
    lines = read_lines(file, max_file_bytes=max_file_bytes)
    located = _locate_header(lines, file, sep=sep, comment=comment)
    body = lines[located.position + 1 :]
    while body and not body[-1].strip():
        body.pop()
    if not body:
        raise FileFormatError(
            "table has a header but no data rows",
            file=file,
            line=located.line_number,
            expected="at least one data row",
        )
    messages: list[str] = [
        f"{file.name}: line {number} is a comment line ({text[:40]!r}...), skipped"
        for number, text in enumerate(located.comments, start=1)
        if comment is None
    ]
    return _MatrixLayout(located.names, located.separator, located.line_number, body, messages)


def _skip_firehose_subheader(layout: _MatrixLayout, file: Path) -> None:
    """Broad Firehose tables: a second header line names the quantity of each column."""
    body, separator = layout.body, layout.separator
    if layout.header[0] != "Hybridization REF" or not _is_firehose_subheader(body[0], separator):
        return
    layout.messages.append(
        f"{file.name}: Firehose layout, second header line "
        f"({body[0].split(separator)[1]!r}...) skipped"
    )
    layout.body = body[1:]
    layout.header_number += 1  # data rows start one line later
    if not layout.body:
        raise FileFormatError(
            "table has a header but no data rows", file=file, line=layout.header_number
        )


def _check_field_counts(layout: _MatrixLayout, file: Path) -> None:
    """Refuse a ragged row; drop a single trailing separator present on every row."""
    body, separator, width = layout.body, layout.separator, len(layout.header)
    counts = np.fromiter((line.count(separator) for line in body), dtype=np.int64, count=len(body))
    bad_rows = np.flatnonzero(counts != width - 1)
    if not bad_rows.size:
        return
    # A single trailing separator on every row is an export quirk, not a ragged row.
    trailing = all(body[i].endswith(separator) and counts[i] == width for i in bad_rows)
    if not (trailing and bad_rows.size == len(body)):
        row = int(bad_rows[0])
        _refuse_comment_line(body[row], file, layout.header_number + 1 + row)
        raise FileFormatError(
            "ragged row: wrong number of fields",
            file=file,
            line=layout.header_number + 1 + row,
            expected=f"{width} fields as in the header",
            found=f"{counts[row] + 1} fields",
            hint=_quote_hint(body[row], separator),
        )
    layout.body = [line[: -len(separator)] for line in body]


def _id_and_value_names(
    layout: _MatrixLayout, file: Path, id_columns: int | list[str]
) -> tuple[list[str], list[str]]:
    """The identifier column names and the value column names (at least one)."""
    header = layout.header
    if isinstance(id_columns, int):
        id_names = header[:id_columns]
    else:
        missing = [name for name in id_columns if name not in header]
        if missing:
            raise FileFormatError(
                "identifier column not found",
                file=file,
                line=layout.header_number,
                column=missing[0],
                expected="one of: " + ", ".join(header[:10]),
            )
        id_names = list(id_columns)
    value_names = [name for name in header if name not in id_names]
    if not value_names:
        raise FileFormatError(
            "no value columns", file=file, line=layout.header_number, expected="sample columns"
        )
    return id_names, value_names


def _stripped_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as stripped, unquoted strings; NA spellings as None."""
    cells = frame.astype(object)
    cells = cells.apply(lambda col: col.str.strip().str.strip('"'))
    return cells.where(cells.notna() & ~cells.isin(NA_VALUES), None)


def _numeric_values(
    values: pd.DataFrame, file: Path, header_number: int, messages: list[str]
) -> pd.DataFrame:
    """Float values: columns pandas left as text re-read strictly (repairs reported);
    an infinite value refused with its line and column."""
    non_numeric = [
        name
        for name in values.columns
        if not pd.api.types.is_float_dtype(values[name])
        and not pd.api.types.is_integer_dtype(values[name])
    ]
    if non_numeric:
        strict = TextTable(
            data=_stripped_strings(values[non_numeric]),
            file=file,
            first_data_line=header_number + 1,
            comment_lines=[],
        )
        repaired, repair_messages = numeric_matrix(strict, non_numeric)
        messages.extend(repair_messages)
        values = values.copy()
        for name in non_numeric:
            values[name] = repaired[name]
    values = values.astype(float)
    if np.isinf(values.to_numpy()).any():
        row, col = (int(v[0]) for v in np.nonzero(np.isinf(values.to_numpy())))
        raise CohortValidationError(
            "infinite value",
            file=file,
            line=header_number + 1 + row,
            column=list(values.columns)[col],
            expected="a finite number",
        )
    return values
