"""Low-level, defensive reading of delimited text files (plain or gzip).

Everything that opens a user file goes through here, so that every loader
gives the same clear errors: missing file, empty file, header only, truncated
gzip, over-long lines, ragged rows, duplicated column names, non-numeric cells.
Errors name the file, the 1-based line of the file and the column.
"""

from __future__ import annotations

import csv
import gzip
import io
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts._numbers import to_float
from sigsurv.errors import CohortValidationError, FileFormatError

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "NA_VALUES",
    "TextTable",
    "check_declared_size",
    "numeric_matrix",
    "open_text",
    "parquet_declared_bytes",
    "read_lines",
    "read_text_table",
    "refuse_booleans_and_infinities",
    "split_fields",
]

# Limits protect against running out of memory on a wrong or hostile file. The byte
# limit applies to the decompressed text (a 2 MB gzip can expand to gigabytes); reading
# holds about three times the text in memory (bytes, text, lines). Raise it with the
# command line's --max-input-mib or by setting this attribute.
DEFAULT_MAX_FILE_BYTES = 512 * 1024**2
MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES
MAX_LINE_CHARS = 4_000_000
_CHUNK_BYTES = 1024**2
# Spellings of a missing value accepted in every table (case-sensitive, as written by R,
# pandas, Excel, cBioPortal and TCGA). Nothing else is treated as missing.
NA_VALUES: tuple[str, ...] = (
    "",
    "NA",
    "NaN",
    "nan",
    "N/A",
    "n/a",
    "NULL",
    "null",
    "[Not Available]",
    "[Not Applicable]",
    "[Unknown]",
    "[Not Evaluated]",
    "[Discrepancy]",
    "[Completed]",
    "#N/A",
)


def _limit_text() -> str:
    mib = MAX_FILE_BYTES / 1024**2
    return f"at most {mib:g} MiB once decompressed (raise it with --max-input-mib)"


def _check_path(path: str | Path) -> Path:
    file = Path(path)
    if not file.exists():
        raise FileFormatError("file not found", file=file)
    if file.is_dir():
        raise FileFormatError("expected a file, found a directory", file=file)
    mode = file.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise FileFormatError(
            f"input is {kind}, not a regular file",
            file=file,
            hint="save the data to a file first",
        )
    size = file.stat().st_size
    if size == 0:
        raise FileFormatError("file is empty", file=file)
    if size > MAX_FILE_BYTES:
        raise FileFormatError(
            "file is larger than sigsurv's limit",
            file=file,
            expected=_limit_text(),
            found=f"{size / 1024**2:.1f} MiB",
        )
    return file


def check_declared_size(file: str | Path, n_bytes: int, what: str) -> None:
    """Refuse a file whose declared content (h5ad shape, Parquet metadata) would exceed
    the input limit once decoded, before anything is decoded (issue 24).

    Examples
    --------
    >>> check_declared_size("big.h5ad", 40 * 300_000_000 * 8, "X of 40 x 300000000")
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: big.h5ad: X of 40 x 300000000 is larger than sigsurv's ...
    """
    if n_bytes > MAX_FILE_BYTES:
        raise FileFormatError(
            f"{what} is larger than sigsurv's limit once decoded",
            file=file,
            expected=_limit_text(),
            found=f"{n_bytes / 1024**2:,.0f} MiB declared",
        )


def parquet_declared_bytes(path: str | Path) -> int:
    """Decoded size a Parquet file declares: its row groups' uncompressed bytes, and
    at least 8 bytes per cell (values become float64 or Python objects).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pd.DataFrame({"a": [1.0, 2.0]}).to_parquet(path)
    >>> parquet_declared_bytes(path) >= 16
    True
    """
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        metadata = pq.read_metadata(path)
    except Exception as exc:  # pyarrow raises many types for a corrupt file
        raise FileFormatError(
            "cannot read Parquet file", file=path, found=type(exc).__name__
        ) from None
    declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    return max(int(declared), int(metadata.num_rows) * int(metadata.num_columns) * 8)


def refuse_booleans_and_infinities(values: np.ndarray, file: str | Path, what: str) -> None:
    """Expression values must be finite numbers: refuse booleans and +/-inf.

    Examples
    --------
    >>> refuse_booleans_and_infinities(np.array([[1.0, np.inf]]), "c.h5ad", "X")
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: c.h5ad: X holds 1 infinite value...
    """
    if values.dtype == bool:
        raise FileFormatError(
            f"{what} is boolean, not expression values", file=file, expected="numbers"
        )
    if np.issubdtype(values.dtype, np.floating):
        infinite = np.isinf(values)
        if infinite.any():
            count = int(infinite.sum())
            raise FileFormatError(
                f"{what} holds {count} infinite value{'s' if count != 1 else ''}",
                file=file,
                expected="finite numbers (missing values as NaN)",
                found=f"{values[infinite][0]} at (row, column) "
                f"{tuple(int(i[0]) for i in infinite.nonzero())}",
            )


def open_text(path: str | Path) -> str:
    """Return the whole text of a plain or gzip-compressed file.

    Gzip is recognised by its magic bytes, not by the file name. A truncated or
    corrupt gzip stream, undecodable bytes and over-long lines raise
    :class:`~sigsurv.errors.FileFormatError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
    >>> _ = path.write_text("gene\\ts1\\nTP53\\t1.5\\n")
    >>> open_text(path).splitlines()[0]
    'gene\\ts1'
    """
    file = _check_path(path)
    raw = _read_bounded(file)
    _refuse_utf16(raw, file)
    if b"\x00" in raw[:65536]:
        raise FileFormatError(
            "file is binary, not text", file=file, expected="a delimited text table"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older GEO/Excel exports are Latin-1; decoding never fails there.
        text = raw.decode("latin-1")
    del raw  # the bytes are not needed once decoded (memory is bounded by the limit)
    if not text.strip():
        raise FileFormatError("file is empty", file=file)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_bounded(file: Path) -> bytearray:
    """The file's bytes, decompressed if gzip (magic bytes), streamed and counted.

    Reading stops one chunk past :data:`MAX_FILE_BYTES`: a small gzip that expands
    enormously is refused without being expanded in memory.
    """
    buffer = bytearray()
    try:
        with open(file, "rb") as handle:
            compressed = handle.read(2) == b"\x1f\x8b"
            handle.seek(0)
            stream: io.BufferedIOBase | gzip.GzipFile = (
                gzip.GzipFile(fileobj=handle) if compressed else handle
            )
            while chunk := stream.read(_CHUNK_BYTES):
                buffer += chunk
                if len(buffer) > MAX_FILE_BYTES:
                    raise FileFormatError(
                        ("decompressed file" if compressed else "file")
                        + " is larger than sigsurv's limit",
                        file=file,
                        expected=_limit_text(),
                        found=f"more than {len(buffer) // 1024**2} MiB",
                    )
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise FileFormatError(
            "gzip stream is truncated or corrupt",
            file=file,
            hint="download the file again",
            found=str(exc),
        ) from None
    except OSError as exc:  # permission denied, I/O error (not a format problem)
        raise FileFormatError("file cannot be read", file=file, found=exc.strerror) from None
    except MemoryError:
        buffer = bytearray()  # release what was read before reporting
        raise FileFormatError(
            "not enough memory to read the file",
            file=file,
            expected=_limit_text(),
        ) from None
    return buffer


def _refuse_utf16(raw: bytes | bytearray, file: Path) -> None:
    """UTF-16 text (Excel's "Unicode text") is not binary: say what it is."""
    head = bytes(raw[:4096])
    bom = head[:2] in (b"\xff\xfe", b"\xfe\xff")
    # Without a BOM: ASCII text in UTF-16 has a NUL in every other byte.
    alternating = len(head) >= 8 and (
        head[1::2].count(0) > 0.9 * len(head[1::2]) or head[0::2].count(0) > 0.9 * len(head[0::2])
    )
    if bom or alternating:
        raise FileFormatError(
            "file is UTF-16 encoded text (e.g. Excel's 'Unicode Text'), not UTF-8",
            file=file,
            hint="save it as UTF-8 (tab-delimited) and load it again",
        )


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


def read_lines(path: str | Path) -> list[str]:
    """Return the lines of a text file, checking the line-length limit.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = path.write_text("a\\nb\\n")
    >>> read_lines(path)
    ['a', 'b']
    """
    text = open_text(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise FileFormatError(
                "line is too long",
                file=path,
                line=number,
                expected=f"at most {MAX_LINE_CHARS} characters",
                found=f"{len(line)} characters",
            )
    return lines


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
    all_lines = read_lines(file) if lines is None else lines
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


def read_bytes_head(path: str | Path, n: int = 65536) -> bytes:
    """Return the first bytes of a file (decompressed if gzip), for format sniffing."""
    file = _check_path(path)
    with open(file, "rb") as handle:
        head = handle.read(2)
    if head == b"\x1f\x8b":
        try:
            with gzip.open(file, "rb") as handle:
                return handle.read(n)
        except (EOFError, OSError, zlib.error):
            return b""
    with open(file, "rb") as handle:
        return handle.read(n)


def text_stream(text: str) -> io.StringIO:
    """Wrap text for pandas readers."""
    return io.StringIO(text)


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
    lines = read_lines(file)
    located = _locate_header(lines, file, sep=sep, comment=comment)
    header, separator, header_number = located.names, located.separator, located.line_number
    body = lines[located.position + 1 :]
    while body and not body[-1].strip():
        body.pop()
    if not body:
        raise FileFormatError(
            "table has a header but no data rows",
            file=file,
            line=header_number,
            expected="at least one data row",
        )
    messages: list[str] = [
        f"{file.name}: line {number} is a comment line ({text[:40]!r}...), skipped"
        for number, text in enumerate(located.comments, start=1)
        if comment is None
    ]
    if isinstance(id_columns, int) and id_columns == 1 and header[:6] == _FEATURECOUNTS:
        id_columns = list(_FEATURECOUNTS)  # gene ID plus five annotation columns
        messages.append(
            f"{file.name}: featureCounts layout: Geneid read as the gene, "
            "Chr/Start/End/Strand/Length set aside"
        )
    if header[0] == "Hybridization REF" and body and _is_firehose_subheader(body[0], separator):
        # Broad Firehose tables: a second header line names the quantity of each column.
        messages.append(
            f"{file.name}: Firehose layout, second header line "
            f"({body[0].split(separator)[1]!r}...) skipped"
        )
        body = body[1:]
        header_number += 1  # data rows start one line later
        if not body:
            raise FileFormatError(
                "table has a header but no data rows", file=file, line=header_number
            )
    width = len(header)
    counts = np.fromiter((line.count(separator) for line in body), dtype=np.int64, count=len(body))
    bad_rows = np.flatnonzero(counts != width - 1)
    if bad_rows.size:
        # A single trailing separator on every row is an export quirk, not a ragged row.
        trailing = all(body[i].endswith(separator) and counts[i] == width for i in bad_rows)
        if not (trailing and bad_rows.size == len(body)):
            row = int(bad_rows[0])
            _refuse_comment_line(body[row], file, header_number + 1 + row)
            raise FileFormatError(
                "ragged row: wrong number of fields",
                file=file,
                line=header_number + 1 + row,
                expected=f"{width} fields as in the header",
                found=f"{counts[row] + 1} fields",
                hint=_quote_hint(body[row], separator),
            )
        body = [line[: -len(separator)] for line in body]
    if isinstance(id_columns, int):
        id_names = header[:id_columns]
    else:
        missing = [name for name in id_columns if name not in header]
        if missing:
            raise FileFormatError(
                "identifier column not found",
                file=file,
                line=header_number,
                column=missing[0],
                expected="one of: " + ", ".join(header[:10]),
            )
        id_names = list(id_columns)
    value_names = [name for name in header if name not in id_names]
    if not value_names:
        raise FileFormatError(
            "no value columns", file=file, line=header_number, expected="sample columns"
        )
    frame = pd.read_csv(
        io.StringIO("\n".join([separator.join(header), *body])),
        sep=separator,
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
    ids = frame[id_names].astype(object)
    ids = ids.apply(lambda col: col.str.strip().str.strip('"'))
    ids = ids.where(ids.notna() & ~ids.isin(NA_VALUES), None)
    values = frame[value_names]
    non_numeric = [
        name
        for name in value_names
        if not pd.api.types.is_float_dtype(values[name])
        and not pd.api.types.is_integer_dtype(values[name])
    ]
    if non_numeric:
        cells = values[non_numeric].astype(object)
        cells = cells.apply(lambda col: col.str.strip().str.strip('"'))
        strict = TextTable(
            data=cells.where(cells.notna() & ~cells.isin(NA_VALUES), None),
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
            column=value_names[col],
            expected="a finite number",
        )
    return values, ids, messages
