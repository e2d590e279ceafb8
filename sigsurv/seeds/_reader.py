"""The strict reader of claim record files (built-in seed records and users' records).

A file goes through :func:`sigsurv._yaml.load_document` (size cap, alias budget,
duplicate keys, one document), then every mapping is checked against the record
classes (:mod:`sigsurv.seeds._fields`): an unknown key is refused with a did-you-mean,
a missing required key is named, a value of the wrong type is refused; each error
names the file, the line and the column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from sigsurv._yaml import line_of, load_document, read_small_text
from sigsurv.errors import FileFormatError, SigsurvInputError
from sigsurv.seeds._fields import (
    INLINE_SIGNATURES,
    field_schema,
    file_fields,
    required_fields,
    value_problem,
)
from sigsurv.seeds.schema import (
    Citation,
    Claim,
    Comparison,
    CopyNumberGroup,
    CountsTable,
    EndpointMatch,
    Horizon,
    PopulationMatch,
    SeedRecord,
)

__all__ = ["MAX_RECORD_BYTES", "ClaimRecordError", "read_record_file"]

#: Claim record files larger than this are refused (a record is a few kilobytes).
MAX_RECORD_BYTES = 1024 * 1024

_NESTED: dict[str, type] = {
    "comparison": Comparison,
    "endpoint_match": EndpointMatch,
    "horizon": Horizon,
    "table": CountsTable,
    "population_match": PopulationMatch,
    "copy_number": CopyNumberGroup,
}


class ClaimRecordError(FileFormatError):
    """A claim record file is invalid; the message starts ``file:line:column:``.

    Examples
    --------
    >>> str(ClaimRecordError("unknown key 'x'", file="c.yaml", line=3, column_number=5))
    "c.yaml:3:5: unknown key 'x'"
    """

    def __init__(self, message: str, *, column_number: int | None = None, **kw: Any) -> None:
        self.column_number = column_number
        super().__init__(message, **kw)

    def _format(self) -> str:
        text = super()._format()
        prefix = f"{self.file}:{self.line}: "
        if self.column_number is not None and text.startswith(prefix):
            return f"{self.file}:{self.line}:{self.column_number}: " + text[len(prefix) :]
        return text


def _positions(text: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    """``{path: (line, column)}`` of every mapping key and list item (1-based).

    Only called on text :func:`~sigsurv._yaml.load_document` accepted (bounded, acyclic).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    out: dict[tuple[Any, ...], tuple[int, int]] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        out.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                # a key's position is its own, not its value's (reported for the key)
                out.setdefault(child, (key.start_mark.line + 1, key.start_mark.column + 1))
                walk(value, child)

    if root is not None:
        walk(root, ())
    return out


class _Reader:
    def __init__(self, file: str, text: str, kind: str) -> None:
        self.file, self.kind = file, kind
        try:
            self.data, self.lines = load_document(text, file)
        except SigsurvInputError as err:  # alias budget, duplicate keys, syntax
            raise ClaimRecordError(
                err.message,
                file=err.file,
                line=err.line,
                expected=err.expected,
                found=err.found,
                hint=err.hint,
            ) from None
        self.positions = _positions(text)

    def fail(self, message: str, path: Sequence[Any], **kw: Any) -> ClaimRecordError:
        path = tuple(path)
        at = path
        while at not in self.positions and at:
            at = at[:-1]
        line, column = self.positions.get(at, (line_of(self.lines, path), None))
        return ClaimRecordError(message, file=self.file, line=line, column_number=column, **kw)

    def check_keys(self, cls: type, data: Any, path: tuple[Any, ...], what: str) -> None:
        if not isinstance(data, dict):
            raise self.fail(f"{what} must be a mapping", path, found=type(data).__name__)
        allowed = [f.name for f in file_fields(cls)]
        if cls is SeedRecord and self.kind == "user":
            allowed.append(INLINE_SIGNATURES)
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                raise self.fail(
                    f"unknown field {key!r} in {what}",
                    (*path, str(key)),
                    hint=f"did you mean {close[0]!r}?" if close else "sigsurv refuses unknown keys",
                )
        for key in required_fields(cls, self.kind):
            if key not in data:
                raise self.fail(
                    f"{what} misses the required key {key!r}",
                    path,
                    expected="keys " + ", ".join(required_fields(cls, self.kind)),
                )
        for key, value in data.items():
            if key == INLINE_SIGNATURES:
                continue
            nested = key in _NESTED or (cls is SeedRecord and key in ("claims", "citation"))
            schema = field_schema(cls, key)
            if nested and value is None and "anyOf" not in schema:
                raise self.fail(f"{what}: {key!r} may not be empty", (*path, key))
            if nested:
                continue
            problem = value_problem(value, schema)
            if problem:
                raise self.fail(
                    f"{what}: bad value of {key!r}",
                    (*path, key),
                    expected=problem.removeprefix("expected "),
                    found=value,
                )

    def build(self, cls: type, data: dict[str, Any], path: tuple[Any, ...], what: str) -> Any:
        try:
            return cls(**data)
        except FileFormatError as err:
            if err.file is not None:
                raise
            # point at the field the message names, when it names one (else the mapping)
            named = (k for k in data if re.search(rf"\b{re.escape(str(k))}\b", err.message))
            key = next(named, None)
            raise self.fail(
                f"{what}: {err.message}",
                path if key is None else (*path, key),
                expected=err.expected,
                found=err.found,
                hint=err.hint,
            ) from None

    def nested(self, cls: type, data: Any, path: tuple[Any, ...]) -> Any:
        what = path[-1] if isinstance(path[-1], str) else cls.__name__
        self.check_keys(cls, data, path, str(what))
        return self.build(cls, dict(data), path, str(what))

    def claim(self, data: Any, path: tuple[Any, ...], record: dict[str, Any]) -> Claim:
        name = data.get("id") if isinstance(data, dict) else None
        what = f"claim {name!r}" if isinstance(name, str) else f"claim {path[-1] + 1}"
        self.check_keys(Claim, data, path, what)
        fields = dict(data)
        for key, cls in _NESTED.items():
            if fields.get(key) is not None:
                fields[key] = self.nested(cls, fields[key], (*path, key))
        fields["seed_document"] = record.get("seed_document", "")
        fields["source"] = record.get("source", "")
        fields.setdefault("citation", record["citation"].short())
        return self.build(Claim, fields, path, what)

    def record(self) -> tuple[SeedRecord, list[Any]]:
        self.check_keys(SeedRecord, self.data, (), "the record")
        data = dict(self.data)
        data.setdefault("document_kind", "")
        data.setdefault("seed_document", "")
        data["citation"] = self.nested(Citation, data["citation"], ("citation",))
        claims = data["claims"]
        if not isinstance(claims, list) or (self.kind == "user" and not claims):
            raise self.fail("claims must be a list of claims", ("claims",), found=claims)
        data["claims"] = [self.claim(c, ("claims", i), data) for i, c in enumerate(claims)]
        seen: dict[str, int] = {}
        for i, claim in enumerate(data["claims"]):
            if claim.id in seen:
                first = self.where(("claims", seen[claim.id], "id"))[0]
                raise self.fail(
                    "duplicate claim id",
                    ("claims", i, "id"),
                    found=claim.id,
                    hint=f"first given at line {first}",
                )
            seen[claim.id] = i
        inline = data.pop(INLINE_SIGNATURES, [])
        return self.build(SeedRecord, data, (), "the record"), inline

    def where(self, path: tuple[Any, ...]) -> tuple[int | None, int | None]:
        return self.positions.get(path, (None, None))


def read_record_file(
    path: str | Path, *, kind: str, what: str = "claim record file"
) -> tuple[SeedRecord, list[Any], _Reader]:
    """Read one claim record file strictly.

    Parameters
    ----------
    path
        The YAML file.
    kind
        ``builtin`` (a seed record: ``seed_document`` and ``document_kind`` required) or
        ``user`` (``source`` required; signatures may be defined inline).
    what
        What the file is, for errors about the file itself (missing, too large).

    Returns
    -------
    record, inline, reader
        The record, the raw inline signature mappings (``user`` only) and the reader
        (for the line and column of any path, to report later checks).

    Examples
    --------
    >>> from sigsurv.seeds.registry import RECORDS_DIR
    >>> record, inline, _ = read_record_file(RECORDS_DIR / "004_5c88e53fffd63dd8.yaml",
    ...                                      kind="builtin")
    >>> len(record.claims), inline
    (3, [])
    """
    text = read_small_text(path, what=what, max_bytes=MAX_RECORD_BYTES, error=ClaimRecordError)
    reader = _Reader(str(path), text, kind)
    record, inline = reader.record()
    return record, inline, reader
