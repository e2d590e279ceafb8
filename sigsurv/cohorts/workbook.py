"""One sheet of an Excel workbook (``.xlsx``) as a tab-separated table.

Some official files are workbooks: the TCGA Pan-Cancer Clinical Data Resource is
``TCGA-CDR-SupplementalTableS1.xlsx``, sheet ``TCGA-CDR``. :func:`sheet_to_tsv` reads one
named sheet with openpyxl (read-only, values not formulas) and writes it as a TSV beside
the workbook, which every table reader then reads. The workbook's unpacked size is
checked against the input limit before anything is parsed (an xlsx is a zip archive),
and a leading column without a header (a row index written by R or pandas) is dropped
and reported.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES
from sigsurv.errors import FileFormatError

__all__ = ["sheet_to_tsv"]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        text = " ".join(text.split())  # a TSV field cannot hold a tab or a line break
    return text


def _check_unpacked_size(path: Path, max_file_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileFormatError(
            "not an xlsx workbook (zip)", file=path, found=str(exc)[:80]
        ) from None
    if total > max_file_bytes:
        raise FileFormatError(
            "workbook unpacks beyond the input limit",
            file=path,
            expected=f"at most {max_file_bytes} bytes",
            found=f"{total} bytes",
            hint="raise it with --max-input-mib",
        )


def sheet_to_tsv(
    path: str | Path,
    sheet: str,
    *,
    messages: list[str] | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> Path:
    """Write sheet ``sheet`` of the workbook ``path`` as ``<path>.<sheet>.tsv``; return it.

    The TSV is rewritten only when the workbook changed (its SHA-256 is recorded in a
    companion ``.sha256`` file). Cells are written as openpyxl reads them (a whole
    number stored as a number is written without decimals). A workbook whose unpacked
    size exceeds ``max_file_bytes`` (the input limit) is refused before it is parsed.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> book = openpyxl.Workbook()
    >>> sheet = book.active
    >>> sheet.title = "TCGA-CDR"
    >>> for row in ([None, "bcr_patient_barcode", "OS", "OS.time"],
    ...             [1, "TCGA-3C-AAAU", 0, 4047.0]):
    ...     sheet.append(row)
    >>> book.save(folder / "cdr.xlsx")
    >>> sheet_to_tsv(folder / "cdr.xlsx", "TCGA-CDR").read_text().split()
    ['bcr_patient_barcode', 'OS', 'OS.time', 'TCGA-3C-AAAU', '0', '4047']
    """
    workbook_path = Path(path)
    if not workbook_path.is_file():
        raise FileFormatError("workbook not found", file=workbook_path)
    _check_unpacked_size(workbook_path, max_file_bytes)
    digest = hashlib.sha256(workbook_path.read_bytes()).hexdigest()
    target = workbook_path.with_name(f"{workbook_path.name}.{sheet}.tsv")
    stamp = target.with_name(target.name + ".sha256")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
        return target
    rows = _sheet_rows(workbook_path, sheet, messages)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".sheet-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        for row in rows:
            stream.write("\t".join(row) + "\n")
    os.replace(temporary, target)
    stamp.write_text(digest + "\n")
    return target


def _sheet_rows(path: Path, sheet: str, messages: list[str] | None) -> list[list[str]]:
    import openpyxl

    # A file object, not a path: openpyxl refuses names without .xlsx (a GDC download
    # is named by its UUID); read-only mode streams the sheet.
    with open(path, "rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise FileFormatError(
                "cannot read the workbook", file=path, found=f"{type(exc).__name__}: {exc}"[:120]
            ) from None
        try:
            if sheet not in book.sheetnames:
                raise FileFormatError(
                    f"workbook has no sheet {sheet!r}",
                    file=path,
                    expected=", ".join(book.sheetnames),
                )
            rows = [[_cell_text(v) for v in row] for row in book[sheet].iter_rows(values_only=True)]
        finally:
            book.close()
    while rows and not any(rows[-1]):
        rows.pop()  # trailing empty rows of the sheet's used range
    if not rows:
        raise FileFormatError(f"sheet {sheet!r} is empty", file=path)
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    if rows[0][0] == "" and any(rows[0][1:]):
        rows = [r[1:] for r in rows]
        if messages is not None:
            messages.append(
                f"{path.name} [{sheet}]: the unnamed first column (a row index) dropped"
            )
    return rows
