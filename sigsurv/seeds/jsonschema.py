"""The JSON Schema of claim record files, generated from the record classes.

The schema is built from the dataclasses of :mod:`sigsurv.seeds.schema` (field names,
types, allowed values, required keys, and the descriptions of their numpydoc
``Parameters``), through the same description the strict reader checks files with
(:mod:`sigsurv.seeds._fields`). It is shipped next to this module as
``claim-record.schema.json`` (and in the documentation), so that an editor validates a
record as it is typed; a test checks that the shipped files equal what this module
generates. Regenerate both with ``python -m sigsurv.seeds.jsonschema``.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from sigsurv.seeds._fields import (
    INLINE_SIGNATURES,
    RECORD_CLASSES,
    REQUIRED_BY_KIND,
    field_schema,
    file_fields,
    required_fields,
)
from sigsurv.seeds.schema import SeedRecord

__all__ = ["DOCS_SCHEMA_PATH", "SCHEMA_PATH", "claim_record_schema", "schema_text", "write_schema"]

#: The schema shipped in the package (and so in the wheel).
SCHEMA_PATH = Path(__file__).resolve().parent / "claim-record.schema.json"
#: The copy published with the documentation (a source checkout only).
DOCS_SCHEMA_PATH = (
    Path(__file__).resolve().parents[2] / "docs" / "formats" / "claim-record.schema.json"
)
_SECTION = re.compile(r"^\s*-{3,}\s*$")


def _parameter_docs(cls: type) -> dict[str, str]:
    """``{field: description}`` from the ``Parameters`` section of a class docstring."""
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    out: dict[str, str] = {}
    inside, names, text = False, [], []  # type: ignore[var-annotated]

    def flush() -> None:
        for name in names:
            out[name] = " ".join(text).strip()

    for i, line in enumerate(lines):
        if i + 1 < len(lines) and _SECTION.match(lines[i + 1]):
            flush()
            names, text = [], []
            inside = line.strip() == "Parameters"
            continue
        if not inside or _SECTION.match(line):
            continue
        if line and not line.startswith(" "):
            flush()
            names, text = [n.strip() for n in line.split(",")], []
        elif line.strip():
            text.append(line.strip())
    flush()
    return out


def _summary(cls: type) -> str:
    return inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].replace("\n", " ")


def _class_schema(cls: type, kind: str | None = None) -> dict[str, Any]:
    docs = _parameter_docs(cls)
    properties: dict[str, Any] = {}
    for f in file_fields(cls):
        schema = dict(field_schema(cls, f.name))
        if docs.get(f.name):
            schema = {"description": docs[f.name], **schema}
        properties[f.name] = schema
    return {
        "type": "object",
        "description": _summary(cls),
        "properties": properties,
        "required": required_fields(cls, kind),
        "additionalProperties": False,
    }


def claim_record_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a claim record file, built-in or a user's.

    Examples
    --------
    >>> schema = claim_record_schema()
    >>> schema["required"], schema["$defs"]["Claim"]["required"][-1]
    (['citation', 'summary', 'claims'], 'endpoint_match')
    >>> schema["$defs"]["Claim"]["properties"]["expected_direction"]["enum"]
    ['protective', 'harmful', 'none']
    """
    top = _class_schema(SeedRecord)
    top["properties"][INLINE_SIGNATURES] = {
        "description": "A user's record: signatures defined inline, each as in a signature "
        "YAML file (checked by sigsurv's signature reader).",
        "type": "array",
        "items": {"type": "object", "required": ["id", "genes"]},
    }
    top["anyOf"] = [
        {"description": f"a {kind} record", "required": sorted(REQUIRED_BY_KIND[kind])}
        for kind in ("builtin", "user")
    ]
    defs = {cls.__name__: _class_schema(cls) for cls in RECORD_CLASSES if cls is not SeedRecord}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "sigsurv claim record",
        **{k: v for k, v in top.items() if k != "description"},
        "description": "One paper's claims as data (sigsurv reproduce --claims FILE). "
        "Generated from sigsurv.seeds.schema by sigsurv.seeds.jsonschema; do not edit.",
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as the shipped file holds it (indented JSON, final newline).

    Examples
    --------
    >>> schema_text() == SCHEMA_PATH.read_text(encoding="utf-8")
    True
    """
    return json.dumps(claim_record_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: str | Path = SCHEMA_PATH) -> Path:
    """Write the schema to ``path`` (default: the shipped file); returns the path.

    Examples
    --------
    >>> import tempfile
    >>> out = write_schema(Path(tempfile.mkdtemp()) / "s.json")
    >>> out.read_text() == schema_text()
    True
    """
    out = Path(path)
    out.write_text(schema_text(), encoding="utf-8")
    return out


if __name__ == "__main__":  # python -m sigsurv.seeds.jsonschema: regenerate both copies
    for target in (SCHEMA_PATH, DOCS_SCHEMA_PATH):
        sys.stdout.write(f"{write_schema(target)}\n")
