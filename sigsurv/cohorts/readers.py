"""Opening user files defensively: size limits, plain or gzip text, lines, file heads.

Everything that opens a user file goes through here, so that every loader gives the
same clear errors: missing file, empty file, binary or UTF-16 text, truncated gzip,
over-long lines, a file (or its decompressed text) beyond the input limit. The limit
is an argument (``max_file_bytes``, from :class:`sigsurv.cohorts.options.LoadOptions`),
never a module setting, so that two loads with different limits do not interfere.

Tables built on these readers live beside them: :mod:`sigsurv.cohorts.text_tables`
(tables read as strings, numeric conversion) and :mod:`sigsurv.cohorts.matrix_file`
(numeric matrices with identifier columns); their names are still importable from
here (``from sigsurv.cohorts.readers import read_text_table``).
"""

from __future__ import annotations

import gzip
import io
import stat
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from sigsurv.errors import FileFormatError

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "NA_VALUES",
    "check_declared_size",
    "limit_text",
    "open_text",
    "parquet_declared_bytes",
    "read_bytes_head",
    "read_lines",
    "refuse_booleans_and_infinities",
    "text_stream",
]

# Names that moved to the modules built on this one, still importable from here.
_MOVED = {
    "TextTable": "sigsurv.cohorts.text_tables",
    "numeric_matrix": "sigsurv.cohorts.text_tables",
    "read_text_table": "sigsurv.cohorts.text_tables",
    "split_fields": "sigsurv.cohorts.text_tables",
    "read_matrix_file": "sigsurv.cohorts.matrix_file",
}


def __getattr__(name: str) -> Any:
    """The table readers, imported on first use (they import this module)."""
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


# Limits protect against running out of memory on a wrong or hostile file. The byte
# limit applies to the decompressed text (a 2 MB gzip can expand to gigabytes); reading
# holds about three times the text in memory (bytes, text, lines). A load raises it with
# LoadOptions(max_file_bytes=...), the command line with --max-input-mib.
DEFAULT_MAX_FILE_BYTES = 512 * 1024**2
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


def limit_text(max_file_bytes: int) -> str:
    """The input limit in words, for an error's ``expected`` part.

    Examples
    --------
    >>> limit_text(16 * 1024**2)
    'at most 16 MiB once decompressed (raise it with --max-input-mib)'
    """
    mib = max_file_bytes / 1024**2
    return f"at most {mib:g} MiB once decompressed (raise it with --max-input-mib)"


def _check_regular_file(path: str | Path) -> Path:
    """The path of an existing, non-empty regular file (not a folder, pipe or device)."""
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
    if file.stat().st_size == 0:
        raise FileFormatError("file is empty", file=file)
    return file


def _check_path(path: str | Path, max_file_bytes: int) -> Path:
    """:func:`_check_regular_file`, and not larger than the input limit on disk."""
    file = _check_regular_file(path)
    size = file.stat().st_size
    if size > max_file_bytes:
        raise FileFormatError(
            "file is larger than sigsurv's limit",
            file=file,
            expected=limit_text(max_file_bytes),
            found=f"{size / 1024**2:.1f} MiB",
        )
    return file


def check_declared_size(
    file: str | Path, n_bytes: int, what: str, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> None:
    """Refuse a file whose declared content (h5ad shape, Parquet metadata) would exceed
    the input limit once decoded, before anything is decoded (issue 24).

    Examples
    --------
    >>> check_declared_size("big.h5ad", 40 * 300_000_000 * 8, "X of 40 x 300000000")
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: big.h5ad: X of 40 x 300000000 is larger than sigsurv's ...
    """
    if n_bytes > max_file_bytes:
        raise FileFormatError(
            f"{what} is larger than sigsurv's limit once decoded",
            file=file,
            expected=limit_text(max_file_bytes),
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


def open_text(path: str | Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """Return the whole text of a plain or gzip-compressed file.

    Gzip is recognised by its magic bytes, not by the file name. A truncated or
    corrupt gzip stream, undecodable bytes and over-long lines raise
    :class:`~sigsurv.errors.FileFormatError`, and so does a file whose text is larger
    than ``max_file_bytes`` (once decompressed).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
    >>> _ = path.write_text("gene\\ts1\\nTP53\\t1.5\\n")
    >>> open_text(path).splitlines()[0]
    'gene\\ts1'
    """
    file = _check_path(path, max_file_bytes)
    raw = _read_bounded(file, max_file_bytes)
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


def _read_bounded(file: Path, max_file_bytes: int) -> bytearray:
    """The file's bytes, decompressed if gzip (magic bytes), streamed and counted.

    Reading stops one chunk past ``max_file_bytes``: a small gzip that expands
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
                if len(buffer) > max_file_bytes:
                    raise FileFormatError(
                        ("decompressed file" if compressed else "file")
                        + " is larger than sigsurv's limit",
                        file=file,
                        expected=limit_text(max_file_bytes),
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
            expected=limit_text(max_file_bytes),
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


def read_lines(path: str | Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[str]:
    """Return the lines of a text file, checking the line-length and input limits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = path.write_text("a\\nb\\n")
    >>> read_lines(path)
    ['a', 'b']
    """
    text = open_text(path, max_file_bytes=max_file_bytes)
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


def read_bytes_head(path: str | Path, n: int = 65536) -> bytes:
    """Return the first bytes of a file (decompressed if gzip), for format sniffing.

    Only ``n`` bytes are read, so the input limit does not apply here: a file beyond
    it is refused by the reader that loads it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
    >>> _ = path.write_text("gene\\ts1\\n")
    >>> read_bytes_head(path, 4)
    b'gene'
    """
    file = _check_regular_file(path)
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
