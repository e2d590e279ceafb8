"""Signatures as YAML: sigsurv's native format, every field carried."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from sigsurv.errors import SignatureError
from sigsurv.signatures._files import _as_list, _Path, _read_text, _with_definition
from sigsurv.signatures._validate import _LinePath, signature_from_dict, signature_to_dict
from sigsurv.signatures.schema import Signature


def _node_lines(node: yaml.Node, path: _LinePath, lines: dict[_LinePath, int], file: str) -> None:
    """Record the line of every node and refuse duplicate mapping keys."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        explicit: dict[str, int] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged.extend(
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                continue
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            if key in explicit:
                raise SignatureError(
                    f"duplicate key {key!r}",
                    file=file,
                    line=line,
                    hint=f"first given at line {explicit[key]}",
                )
            explicit[key] = line
            lines[(*path, key)] = line
            _node_lines(value_node, (*path, key), lines, file)
        for source in merged:
            if not isinstance(source, yaml.MappingNode):
                continue
            for key_node, value_node in source.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                if key not in explicit:
                    sub: dict[_LinePath, int] = {}
                    sub[(*path, key)] = key_node.start_mark.line + 1
                    _node_lines(value_node, (*path, key), sub, file)
                    for k, v in sub.items():
                        lines.setdefault(k, v)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), lines, file)


def _yaml_document(text: str, file: str) -> tuple[Any, dict[_LinePath, int]]:
    # libyaml when available (same safe constructor, faster); both keep line marks.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SignatureError("the YAML file is empty", file=file, line=1)
        lines: dict[_LinePath, int] = {}
        _node_lines(node, (), lines, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "syntax error"
        hint = None if mark is None else f"column {mark.column + 1}"
        context = err.context_mark
        if err.context and context is not None and mark is not None and context.line != mark.line:
            hint = f"{hint}; {err.context} at line {context.line + 1}"
        raise SignatureError(
            f"invalid YAML: {problem}",
            file=file,
            line=None if mark is None else mark.line + 1,
            hint=hint,
        ) from None
    except yaml.YAMLError as err:
        raise SignatureError(f"invalid YAML: {err}", file=file) from None
    finally:
        loader.dispose()
    return data, lines


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
    data, lines = _yaml_document(text, file)
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
