"""Signatures as YAML: sigsurv's native format, every field carried."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from sigsurv._yaml import load_document
from sigsurv.errors import SignatureError
from sigsurv.signatures._files import _as_list, _Path, _read_text, _with_definition
from sigsurv.signatures._validate import signature_from_dict, signature_to_dict
from sigsurv.signatures.schema import Signature


def loads_yaml(text: str, *, file: str = "<string>") -> list[Signature]:
    """Parse signature YAML text.

    The document is either one signature (a mapping with ``id`` and ``genes``) or a
    mapping with a single key ``signatures`` holding a list of them.

    Examples
    --------
    >>> text = "id: demo\\ngenes:\\n  - BCL2\\n  - {symbol: IGF1R, direction: down}\\n"
    >>> [s.id for s in loads_yaml(text)]
    ['demo']
    >>> loads_yaml("id: demo\\ngenes: [A, B, A]\\n", file="demo.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: demo.yaml:2: signature demo: duplicate gene; found 'A' ...
    """
    data, lines = load_document(text, file)
    if isinstance(data, dict) and "signatures" in data and "id" not in data:
        extra = [k for k in data if k != "signatures"]
        if extra:
            raise SignatureError(
                f"unknown top-level field {extra[0]!r}",
                file=file,
                line=lines.get((str(extra[0]),)),
                expected="only 'signatures' next to a list of signatures",
            )
        items = data["signatures"]
        if not isinstance(items, list) or not items:
            raise SignatureError(
                "'signatures' must be a non-empty list",
                file=file,
                line=lines.get(("signatures",)),
                found=items,
            )
        out = [
            signature_from_dict(item, file=file, lines=lines, _path=("signatures", i))
            for i, item in enumerate(items)
        ]
        seen: dict[str, int] = {}
        for i, sig in enumerate(out):
            if sig.id in seen:
                raise SignatureError(
                    "duplicate signature id",
                    file=file,
                    line=lines.get(("signatures", i, "id")),
                    found=sig.id,
                )
            seen[sig.id] = i
        return out
    if not isinstance(data, dict):
        raise SignatureError(
            "a signature file must be a mapping",
            file=file,
            line=1,
            expected="'id:' and 'genes:' (or a 'signatures:' list)",
            found=type(data).__name__,
        )
    return [signature_from_dict(data, file=file, lines=lines)]


def read_yaml(path: _Path) -> list[Signature]:
    """Read the signatures of a YAML file (see :func:`loads_yaml` for the layout).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = tmp.write_text("id: s\\ngenes: [RPS6KA5]\\n")
    >>> read_yaml(tmp)[0].symbols
    ('RPS6KA5',)
    """
    return _with_definition(loads_yaml(_read_text(path), file=str(path)), path)


def dumps_yaml(signatures: Signature | Iterable[Signature]) -> str:
    """Serialise one signature (a mapping) or several (a ``signatures:`` list) as YAML.

    Examples
    --------
    >>> text = dumps_yaml(Signature.from_genes("demo", {"BCL2": -1.0}))
    >>> print(text, end="")  # doctest: +ELLIPSIS
    id: demo
    name: demo
    version: '1'
    ...
    genes:
    - symbol: BCL2
      direction: -1
      weight: 1.0
      provenance: literal
    """
    items = _as_list(signatures)
    if isinstance(signatures, Signature):
        data: Any = signature_to_dict(items[0], compact=True)
    else:
        data = {"signatures": [signature_to_dict(s, compact=True) for s in items]}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


def write_yaml(signatures: Signature | Iterable[Signature], path: _Path) -> Path:
    """Write signatures as YAML (all fields, weights included); returns the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "w.yaml"
    >>> sig = Signature.from_genes("w", {"PTEN": 2.5})
    >>> read_yaml(write_yaml(sig, out)) == [sig]
    True
    """
    out = Path(path)
    out.write_text(dumps_yaml(signatures), encoding="utf-8")
    return out
