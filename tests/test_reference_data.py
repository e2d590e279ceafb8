"""The vendored R reference numbers are intact and equal to ``shared/reference``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fixtures import REFERENCE_DIR, require_shared

# Vendored files that are not copies of a shared/reference file of the same name.
NOT_COPIED = {"README.md", "R_CONVENTIONS.md", "SHA256SUMS", "spot_check.py", "spot_check.R"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed_checksums() -> dict[str, str]:
    lines = (REFERENCE_DIR / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines)}


def test_vendored_references_match_their_checksums() -> None:
    listed = listed_checksums()
    # files only: a second run with bytecode writing on leaves spot_check.py's __pycache__
    present = {p.name for p in REFERENCE_DIR.iterdir() if p.is_file()} - NOT_COPIED
    assert sorted(present) == sorted(listed)
    assert {name: sha256(REFERENCE_DIR / name) for name in listed} == listed


def test_vendored_references_equal_the_shared_folder() -> None:
    shared = require_shared("reference")
    copied = {p.name for p in shared.iterdir()} - {"README.md"}
    assert sorted(copied) == sorted(listed_checksums())
    for name in sorted(copied):
        assert sha256(shared / name) == sha256(REFERENCE_DIR / name), name
    assert (shared / "README.md").read_bytes() == (REFERENCE_DIR / "R_CONVENTIONS.md").read_bytes()
