"""Delimited text tables read strictly as strings, and their numeric conversion.

:func:`read_text_table` locates the header (skipping comment lines), refuses empty or
duplicated column names, ragged rows and unbalanced quotes; :func:`numeric_matrix`
converts string cells to floats, repairing an all-decimal-comma column and refusing
any other non-numeric cell. Errors name the file, the 1-based line and the column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts._numbers import to_float
from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES, NA_VALUES, read_lines
from sigsurv.errors import CohortValidationError, FileFormatError

__all__ = ["TextTable", "numeric_matrix", "read_text_table", "split_fields"]


def _refuse_comment_line(line: str, file: Path, number: int) -> None:
    """A ``#`` line with the wrong number of fields is a comment, not a ragged row."""
    if line.lstrip().startswith("#"):
        raise FileFormatError(
            "comment line ('#') inside the table",
            file=file,
            line=number,
            found=line[:40],
            hint="remove comment lines between the header and the data",
        )


@dataclass
class TextTable:
    """A delimited table read as strings, with its position in the file.

    Attributes
    ----------
    data
        All cells as strings (missing cells as ``None``), columns = header names.
    file
        Path of the source file.
    first_data_line
        1-based file line of the first data row (for error messages).
    comment_lines
        Lines before the header that started with the comment character.
    """

    data: pd.DataFrame
    file: Path
    first_data_line: int
    comment_lines: list[str]

    def line_of(self, row_position: int) -> int:
        """File line number (1-based) of a data row position."""
        return self.first_data_line + row_position


def _sniff_separator(header: str, file: Path, sep: str | None) -> str:
    if sep is not None:
        return sep
    if file.suffix.lower() == ".csv" or file.name.lower().endswith(".csv.gz"):
        return ","
    if "\t" in header:
        return "\t"
    if "," in header:
        return ","
    return "\t"


def _quote_hint(line: str, separator: str) -> str | None:
    # Quotes do not protect separators here (fields are split on every separator).
    if '"' in line:
        shown = "tab" if separator == "\t" else repr(separator)
        return f"a quoted value may contain the separator ({shown}); quotes do not protect it"
    return None


def split_fields(line: str, separator: str, file: Path, line_number: int) -> list[str]:
    """Split one line; quoted fields may contain the separator (R's write.csv quotes text).

    A quote left open at the end of the line is refused: sigsurv tables have one record
    per line, and a field running over lines is how rows get silently merged.
    """
    if '"' not in line:
        return line.split(separator)
    try:
        return next(csv.reader([line], delimiter=separator, strict=True))
    except (csv.Error, StopIteration):
        raise FileFormatError(
            "unbalanced quotes",
            file=file,
            line=line_number,
            expected="quoted fields that close on the same line",
            found=line[:60],
        ) from None


@dataclass
class _Header:
    """The located and validated header of a delimited table."""

    names: list[str]
    separator: str
    line_number: int  # 1-based file line of the header
    position: int  # index of the header in the lines
    comments: list[str]


def _is_leading_comment(lines: list[str], position: int, sep: str | None) -> bool:
    """A ``#`` line before the header whose field count differs from the next line's:
    a comment (featureCounts writes one), not a header to blame the next line on."""
    if position + 1 >= len(lines) or not lines[position].startswith("#"):
        return False
    following = lines[position + 1]
    separator = sep or ("\t" if "\t" in following else ",")
    width = len(following.split(separator))
    return width > 1 and len(lines[position].split(separator)) != width


def _locate_header(
    lines: list[str],
    file: Path,
    *,
    sep: str | None,
    comment: str | None,
    start: int = 0,
    first_line_number: int = 1,
    duplicate_names: str = "error",
) -> _Header:
    """Skip blank and comment lines, then check the header: no empty, no duplicated names.

    An empty first name is accepted and called ``id``: R's ``write.table`` leaves the
    row-name column unnamed. With ``duplicate_names="number"`` a repeated name gets
    ``.2``, ``.3``... appended (GEO ``.annot`` files repeat their GO columns); the
    default refuses it.
    """
    position = start
    comments: list[str] = []
    while position < len(lines) and (
        (comment is not None and lines[position].startswith(comment)) or not lines[position].strip()
    ):
        if lines[position].strip():
            comments.append(lines[position])
        position += 1
    while comment is None and _is_leading_comment(lines, position, sep):
        comments.append(lines[position])  # featureCounts' "# Program:..." line
        position += 1
    if position >= len(lines):
        raise FileFormatError("no header line found", file=file, expected="a header row")
    header_line = lines[position]
    separator = _sniff_separator(header_line, file, sep)
    names = [name.strip().strip('"') for name in header_line.split(separator)]
    line_number = first_line_number + position
    if names[0] == "":
        names[0] = "id" if "id" not in names else "_id"
    if "" in names:
        empty = names.index("") + 1
        if empty == len(names) and names.count("") == 1:
            separator_name = "tab" if separator == "\t" else repr(separator)
            raise FileFormatError(
                f"header line ends with a trailing {separator_name} (an empty last column name)",
                file=file,
                line=line_number,
                hint="remove the trailing separator from the header",
            )
        raise FileFormatError(
            "empty column name in header", file=file, line=line_number, found=f"field {empty}"
        )
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in seen and duplicate_names == "number":
            repeat = 2
            while f"{name}.{repeat}" in names or f"{name}.{repeat}" in seen:
                repeat += 1
            names[index] = name = f"{name}.{repeat}"
        elif name in seen:
            raise FileFormatError(
                "duplicated column name",
                file=file,
                line=line_number,
                column=name,
                found=f"fields {seen[name] + 1} and {index + 1}",
                hint="each sample/field must appear once",
            )
        seen[name] = index
    return _Header(names, separator, line_number, position, comments)


def read_text_table(
    path: str | Path,
    *,
    sep: str | None = None,
    comment: str | None = None,
    skip_lines: int = 0,
    min_rows: int = 1,
    lines: list[str] | None = None,
    first_line_number: int = 1,
    duplicate_names: str = "error",
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> TextTable:
    """Read a delimited table strictly: every row must have as many fields as the header.

    Parameters
    ----------
    path
        File to read (plain or gzip). Used for messages when ``lines`` is given.
    sep
        Field separator; guessed from the extension and header when None.
    comment
        Lines starting with this prefix before the header are kept apart
        (cBioPortal's four ``#`` lines).
    skip_lines
        Number of lines to skip before the header.
    min_rows
        Minimum number of data rows; fewer raises (``header only``).
    lines, first_line_number
        Pre-split lines (for formats with a table inside, like GEO series matrices)
        and the file line number of ``lines[0]``.
    duplicate_names
        ``error`` (default) refuses a repeated column name; ``number`` renames the
        second ``GO:Function`` to ``GO:Function.2`` (for annotation files whose layout
        repeats names by design).
    max_file_bytes
        The input limit (text size once decompressed), see
        :class:`sigsurv.cohorts.options.LoadOptions`.

    Raises
    ------
    FileFormatError
        Empty file, header only, ragged rows, duplicated or empty column names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
    >>> _ = path.write_text("gene\\ts1\\ts2\\nTP53\\t1\\t2\\n")
    >>> read_text_table(path).data.columns.tolist()
    ['gene', 's1', 's2']
    """
    file = Path(path)
    all_lines = read_lines(file, max_file_bytes=max_file_bytes) if lines is None else lines
    located = _locate_header(
        all_lines,
        file,
        sep=sep,
        comment=comment,
        start=skip_lines,
        first_line_number=first_line_number,
        duplicate_names=duplicate_names,
    )
    header, separator, header_number = located.names, located.separator, located.line_number
    comments = located.comments
    body = all_lines[located.position + 1 :]
    # Trailing blank lines are harmless; blank lines inside the table are not.
    while body and not body[-1].strip():
        body.pop()
    width = len(header)
    rows: list[list[str]] = []
    for offset, line in enumerate(body):
        fields = split_fields(line, separator, file, header_number + 1 + offset)
        if len(fields) != width:
            # A single trailing separator (common in R/Excel exports) is tolerated.
            if len(fields) == width + 1 and fields[-1] == "":
                fields = fields[:-1]
            else:
                _refuse_comment_line(line, file, header_number + 1 + offset)
                raise FileFormatError(
                    "ragged row: wrong number of fields",
                    file=file,
                    line=header_number + 1 + offset,
                    expected=f"{width} fields as in the header",
                    found=f"{len(fields)} fields",
                )
        rows.append(fields)
    if len(rows) < min_rows:
        raise FileFormatError(
            "table has a header but no data rows" if not rows else "too few data rows",
            file=file,
            line=header_number,
            expected=f"at least {min_rows} data row(s)",
            found=f"{len(rows)}",
        )
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame = frame.apply(lambda col: col.str.strip().str.strip('"'))
    frame = frame.where(~frame.isin(NA_VALUES), None)
    return TextTable(
        data=frame, file=file, first_data_line=header_number + 1, comment_lines=comments
    )


def _parse_float_block(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse strings to float; return (parsed, bad_mask) with bad cells as NaN."""
    series = pd.Series(values.ravel(), dtype=object)
    parsed = to_float(series).to_numpy(dtype=float)
    bad = np.isnan(parsed) & series.notna().to_numpy()
    return parsed.reshape(values.shape), bad.reshape(values.shape)


def numeric_matrix(
    table: TextTable,
    value_columns: list[str],
    *,
    row_positions_are_lines: bool = True,
    allow_decimal_comma: bool = True,
) -> tuple[pd.DataFrame, list[str]]:
    """Convert string cells of ``value_columns`` to floats, refusing non-numeric cells.

    A column written entirely with decimal commas (``1,5``; no ``.`` anywhere) is
    repaired and reported; a mix of decimal commas and points is refused.
    ``inf`` / ``-inf`` are refused (not finite).

    Returns
    -------
    (matrix, messages)
        Float DataFrame with the same row positions and the repair messages.

    Raises
    ------
    CohortValidationError
        With the file line and column of the first offending cell.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
    >>> _ = path.write_text("gene\\ts1\\nTP53\\t1.5\\n")
    >>> numeric_matrix(read_text_table(path), ["s1"])[0]["s1"].tolist()
    [1.5]
    """
    block = table.data[value_columns].to_numpy(dtype=object)
    parsed, bad = _parse_float_block(block)
    messages: list[str] = []
    if bad.any() and allow_decimal_comma:
        for j in np.flatnonzero(bad.any(axis=0)):
            column_values = pd.Series(block[:, j], dtype=object).dropna().astype(str)
            has_comma = column_values.str.contains(",", regex=False)
            has_point = column_values.str.contains(".", regex=False)
            if has_comma.any() and not has_point.any():
                repaired = pd.to_numeric(
                    column_values.str.replace(",", ".", regex=False), errors="coerce"
                )
                if repaired.notna().all():
                    parsed[column_values.index, j] = repaired.to_numpy()
                    bad[:, j] = False
                    messages.append(
                        f"{table.file}: column {value_columns[j]!r}: decimal commas read as "
                        "decimal points"
                    )
            elif has_comma.any() and has_point.any():
                row = int(column_values.index[has_comma.to_numpy()][0])
                raise CohortValidationError(
                    "mixed decimal commas and points",
                    file=table.file,
                    line=table.line_of(row),
                    column=value_columns[j],
                    expected="one decimal separator per column",
                    found=column_values[row],
                )
    if bad.any():
        rows, cols = np.nonzero(bad)
        order = np.lexsort((cols, rows))
        row, col = int(rows[order[0]]), int(cols[order[0]])
        logical = str(block[row, col]).strip().upper() in ("TRUE", "FALSE", "T", "F")
        raise CohortValidationError(
            "logical value (TRUE/FALSE) in a numeric table"
            if logical
            else "non-numeric value in a numeric table",
            file=table.file,
            line=table.line_of(row),
            column=value_columns[col],
            expected="a number or an NA spelling",
            found=block[row, col],
        )
    infinite = np.isinf(parsed)
    if infinite.any():
        row, col = (int(v[0]) for v in np.nonzero(infinite))
        raise CohortValidationError(
            "infinite value",
            file=table.file,
            line=table.line_of(row),
            column=value_columns[col],
            expected="a finite number",
            found=block[row, col],
        )
    frame = pd.DataFrame(parsed, columns=value_columns, index=table.data.index)
    return frame, messages
