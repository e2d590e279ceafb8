"""What a claim record file may hold, read off the record dataclasses themselves.

One description serves two readers: :mod:`sigsurv.seeds._reader` checks a file's keys
and value types against it, and :mod:`sigsurv.seeds.jsonschema` publishes it as a JSON
Schema, so the schema an editor validates with is the one sigsurv enforces.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any

from sigsurv.seeds.schema import (
    _CLAIM_ID,
    _ENDPOINT_NAME,
    SOURCE_PATTERNS,
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
from sigsurv.signatures.schema import EVIDENCE_TAGS

#: The record classes a claim file is made of, nested ones after the records.
RECORD_CLASSES: tuple[type, ...] = (
    SeedRecord,
    Claim,
    Citation,
    Comparison,
    EndpointMatch,
    Horizon,
    CountsTable,
    PopulationMatch,
    CopyNumberGroup,
)
#: Fields the reader fills in itself; a file may not set them.
SET_BY_READER: dict[type, frozenset[str]] = {Claim: frozenset({"seed_document", "source"})}
#: Fields a file must give although the dataclass has a default for them (a claim
#: without ``endpoint_match`` could never find its endpoint in a cohort).
REQUIRED_IN_FILES: dict[type, frozenset[str]] = {Claim: frozenset({"endpoint_match"})}
#: Fields a file may omit although the dataclass needs them (the reader fills them in:
#: a claim's ``citation`` defaults to its record's short citation).
OPTIONAL_IN_FILES: dict[type, frozenset[str]] = {
    Claim: frozenset({"citation"}),
    SeedRecord: frozenset({"seed_document", "document_kind"}),
}
#: Top-level fields of a record, by kind of record.
REQUIRED_BY_KIND: dict[str, frozenset[str]] = {
    "builtin": frozenset({"seed_document", "document_kind"}),
    "user": frozenset({"source"}),
}
#: Extra top-level field of a user's record: signatures defined inline.
INLINE_SIGNATURES = "signatures"

_PATTERNS: dict[tuple[type, str], str] = {
    (Claim, "id"): _CLAIM_ID.pattern,
    (SeedRecord, "source"): "|".join(f"(?:{p})" for p in SOURCE_PATTERNS.values()),
}
_TAG_FIELDS = {(Claim, "evidence"), (Citation, "evidence"), (Comparison, "orientation_evidence")}
_ENDPOINT_FIELDS = {(EndpointMatch, name) for name in ("exact", "analogue", "competing")}


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def file_fields(cls: type) -> list[dataclasses.Field[Any]]:
    """The fields of ``cls`` a file may set, in declaration order.

    Examples
    --------
    >>> [f.name for f in file_fields(Horizon)]
    ['value', 'unit']
    >>> "seed_document" in [f.name for f in file_fields(Claim)]
    False
    """
    hidden = SET_BY_READER.get(cls, frozenset())
    return [f for f in dataclasses.fields(cls) if f.name not in hidden]


def required_fields(cls: type, kind: str | None = None) -> list[str]:
    """Keys a file must give for ``cls`` (``kind``: ``builtin`` or ``user`` record).

    Examples
    --------
    >>> required_fields(Comparison)
    ['description', 'exposed', 'reference']
    >>> "endpoint_match" in required_fields(Claim)
    True
    """
    optional = OPTIONAL_IN_FILES.get(cls, frozenset())
    extra = REQUIRED_IN_FILES.get(cls, frozenset())
    if cls is SeedRecord:
        extra = extra | {"claims"} | REQUIRED_BY_KIND.get(kind or "", frozenset())
    names = []
    for f in file_fields(cls):
        has_default = f.default is not dataclasses.MISSING or (
            f.default_factory is not dataclasses.MISSING
        )
        if (not has_default and f.name not in optional) or f.name in extra:
            names.append(f.name)
    return names


def _is_none(hint: Any) -> bool:
    return hint is type(None)


def type_schema(hint: Any, owner: type | None = None, name: str = "") -> dict[str, Any]:
    """JSON Schema of one type hint of a record field (nested records as ``$ref``).

    Examples
    --------
    >>> type_schema(float | None)
    {'type': ['number', 'null']}
    >>> type_schema(tuple[str, ...])
    {'type': 'array', 'items': {'type': 'string'}}
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if not _is_none(a)]
        inner = type_schema(options[0], owner, name) if len(options) == 1 else {}
        if set(inner) == {"type"} and isinstance(inner["type"], str):
            return {"type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _item_schema(args[0], owner, name)}
        fixed = [type_schema(a, owner, name) for a in args]
        return {"type": "array", "items": fixed[0], "minItems": len(args), "maxItems": len(args)}
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return {"type": "object", "additionalProperties": type_schema(args[1])}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint in simple:
        schema: dict[str, Any] = {"type": simple[hint]}
        if owner is not None and (owner, name) in _PATTERNS:
            schema["pattern"] = f"^(?:{_PATTERNS[(owner, name)]})$"
        return schema
    raise TypeError(f"no JSON Schema for {hint!r}")  # a new field type: teach it here


def _item_schema(hint: Any, owner: type | None, name: str) -> dict[str, Any]:
    item = type_schema(hint)
    if (owner, name) in _TAG_FIELDS:
        item = {"enum": list(EVIDENCE_TAGS)}
    elif (owner, name) in _ENDPOINT_FIELDS:
        item = {**item, "pattern": f"^{_ENDPOINT_NAME.pattern}$"}
    return item


def field_schema(cls: type, name: str) -> dict[str, Any]:
    """JSON Schema of the field ``name`` of record class ``cls``.

    Examples
    --------
    >>> field_schema(Claim, "statistic")["enum"]
    ['hazard_ratio', 'p_value', 'counts_2x2', 'qualitative']
    """
    return type_schema(_hints(cls)[name], cls, name)


def _json_type_ok(value: Any, wanted: str) -> bool:
    if wanted == "null":
        return value is None
    if wanted == "string":
        return isinstance(value, str)
    if wanted == "boolean":
        return isinstance(value, bool)
    if wanted == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if wanted == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if wanted == "array":
        return isinstance(value, list)
    return isinstance(value, dict)  # object


def value_problem(value: Any, schema: Mapping[str, Any]) -> str | None:
    """What is wrong with ``value`` for a field ``schema`` (types and enums), or None.

    Nested records (``$ref``) and patterns (ids, sources) are checked by the record
    classes themselves, with their own messages.

    Examples
    --------
    >>> value_problem(["a", 3], type_schema(tuple[str, ...]))
    'expected a list of text'
    >>> value_problem(None, type_schema(float | None)) is None
    True
    """
    if "$ref" in schema:
        return None
    if "anyOf" in schema:
        problems = [value_problem(value, option) for option in schema["anyOf"]]
        return None if None in problems else problems[0]
    if "enum" in schema:
        return None if value in schema["enum"] else "expected " + " | ".join(schema["enum"])
    wanted = schema["type"]
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    if not any(_json_type_ok(value, w) for w in names):
        return "expected " + " or ".join(_WORDS[w] for w in names)
    if isinstance(value, list) and "items" in schema:
        item = schema["items"]
        if any(value_problem(v, item) for v in value):
            what = _WORDS.get(item.get("type", ""), "valid items")
            return f"expected a list of {what}"
    return None  # patterns: the record classes refuse with their own words


_WORDS = {
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true/false",
}
