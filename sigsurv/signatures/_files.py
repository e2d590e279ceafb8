"""Reading signature files from disk: size limit, UTF-8 decoding, provenance of the file."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from sigsurv._yaml import read_small_text
from sigsurv.errors import SignatureError
from sigsurv.signatures.schema import Signature

#: Signature files larger than this are refused (a gene-set file is kilobytes;
#: the whole of MSigDB is about 30 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024

_Path = str | PathLike[str]


def _read_text(path: _Path) -> str:
    return read_small_text(
        path, what="signature file", max_bytes=MAX_FILE_BYTES, hint="save it as UTF-8"
    )


def _with_definition(signatures: list[Signature], path: _Path) -> list[Signature]:
    """Record the file each signature was read from and its SHA-256 (for manifests)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return [
        dataclasses.replace(sig, definition_file=str(path), definition_sha256=digest)
        for sig in signatures
    ]


def _as_list(signatures: Signature | Iterable[Signature]) -> list[Signature]:
    items = [signatures] if isinstance(signatures, Signature) else list(signatures)
    for item in items:
        if not isinstance(item, Signature):
            raise SignatureError("expected Signature objects", found=type(item).__name__)
    if not items:
        raise SignatureError("no signatures to write", expected="at least one signature")
    return items
