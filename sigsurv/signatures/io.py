"""Read and write signatures as YAML (the full record) and GMT (genes and directions only).

YAML is sigsurv's native format: one signature per file (a mapping with ``id`` and
``genes``) or several under a top-level ``signatures:`` list. Every field of
:class:`~sigsurv.signatures.schema.Signature` is carried, including weights and the
per-gene provenance. Parsing uses :func:`yaml.safe_load` semantics only; unknown fields,
duplicate keys, duplicate genes, unknown directions and non-finite weights are refused
with a :class:`~sigsurv.errors.SignatureError` naming the file and the line.

GMT follows the MSigDB convention: one gene set per line, ``NAME<TAB>DESCRIPTION<TAB>
GENE<TAB>GENE...``. A signed signature is written as two lines, ``NAME_UP`` (direction
+1) and ``NAME_DN`` (direction -1), and such a pair is read back as one signed
signature called ``NAME``. **What GMT loses**: weights (written unweighted, with a
:class:`~sigsurv.errors.SigsurvWarning` if any weight is not 1), the interleaving of up
and down genes (read back as all up genes, then all down genes), per-gene provenance,
citations and notes, the feature type, the source, endpoint, population, expected
direction, scoring defaults and caveats. The description column holds
``https://doi.org/<DOI>`` when the source has a DOI and ``na`` otherwise; on reading,
``na`` becomes an empty description and anything else is kept as the description.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import math
import numbers
import warnings
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from sigsurv.errors import SignatureError, SigsurvWarning
from sigsurv.signatures.schema import Signature, SignatureGene, SignatureSource

__all__ = [
    "MAX_FILE_BYTES",
    "dumps_gmt",
    "dumps_yaml",
    "load_signatures",
    "loads_gmt",
    "loads_yaml",
    "parse_direction",
    "read_gmt",
    "read_yaml",
    "signature_from_dict",
    "signature_to_dict",
    "write_gmt",
    "write_yaml",
]

#: Signature files larger than this are refused (a gene-set file is kilobytes;
#: the whole of MSigDB is about 30 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024

_Path = str | PathLike[str]
_LinePath = tuple[Any, ...]

_UP_TOKENS = {"up": 1, "+": 1, "+1": 1, "1": 1, "down": -1, "dn": -1, "-": -1, "-1": -1}


# ---------------------------------------------------------------------------------
# dict <-> object


def parse_direction(value: object) -> int:
    """Turn a direction written by a user into +1 or -1.

    Accepted: the integers ``1`` / ``-1`` (YAML ``+1`` is the integer 1), the strings
    ``"+1"``, ``"-1"``, ``"+"``, ``"-"``, ``"up"``, ``"down"`` (case-insensitive) and
    ``"dn"``. Anything else (0, 2, 1.0, booleans, other words) raises.

    Examples
    --------
    >>> parse_direction("down"), parse_direction("+"), parse_direction(-1)
    (-1, 1, -1)
    >>> parse_direction("sideways")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: unknown direction; expected +1/-1, ..., found 'sideways'
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value in (1, -1):
        return int(value)
    if isinstance(value, str) and value.strip().lower() in _UP_TOKENS:
        return _UP_TOKENS[value.strip().lower()]
    raise SignatureError("unknown direction", expected="+1/-1, 'up'/'down' or '+'/'-'", found=value)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | tuple | list) and len(value) == 0)


def _fields_to_dict(obj: Any, *, compact: bool) -> dict[str, Any]:
    return {
        f.name: _plain(getattr(obj, f.name))
        for f in dataclasses.fields(obj)
        if not (compact and _is_empty(getattr(obj, f.name)))
    }


def signature_to_dict(sig: Signature, *, compact: bool = False) -> dict[str, Any]:
    """Convert a signature to a JSON-ready dict (the YAML record).

    Parameters
    ----------
    sig
        The signature.
    compact
        Leave out empty fields (empty text, empty lists, ``None``): what
        :func:`write_yaml` writes. Every non-empty field is kept, defaults included, so
        the file shows the expected direction, scoring defaults and their origin. The
        result reads back to an equal signature.

    Returns
    -------
    dict
        Only ``str``, ``int``, ``float``, ``bool``, ``None``, lists and dicts, in schema
        order, so ``json.dumps`` and ``yaml.safe_dump`` accept it as is. Directions
        are the integers +1/-1.

    Examples
    --------
    >>> sig = Signature.from_genes("demo", {"BCL2": -1.0, "PTEN": 2.0})
    >>> d = signature_to_dict(sig, compact=True)
    >>> d["genes"][0]
    {'symbol': 'BCL2', 'direction': -1, 'weight': 1.0, 'provenance': 'literal'}
    >>> signature_from_dict(d) == sig
    True
    """
    out: dict[str, Any] = {}
    for f in dataclasses.fields(sig):
        value = getattr(sig, f.name)
        if f.name == "genes":
            continue  # written last, after the description of the signature
        if f.name == "source":
            source = _fields_to_dict(value, compact=compact)
            if source or not compact:
                out["source"] = source
        elif not (compact and _is_empty(value)):
            out[f.name] = _plain(value)
    out["genes"] = [_fields_to_dict(g, compact=compact) for g in sig.genes]
    return out


_SOURCE_TEXT = ("authors", "title", "journal", "doi", "seed_document", "note", "pmcid")
_GENE_TEXT = ("provenance", "citation", "note", "mirbase_id")
_SIG_TEXT = (
    "name",
    "description",
    "feature_type",
    "endpoint",
    "population",
    "population_filter",
    "expected_direction",
    "default_method",
    "default_cut",
    "defaults_origin",
    "collection",
    "mirna_role",
)
_SIG_TEXT_OR_NULL = ("method_origin", "cut_origin")
_SIG_TEXT_LISTS = ("caveats", "mirnas", "related")
_SIG_BOOLS = ("is_proxy", "retracted")
_GENE_FIELDS = {f.name for f in dataclasses.fields(SignatureGene)}
_SOURCE_FIELDS = {f.name for f in dataclasses.fields(SignatureSource)}
_SIG_FIELDS = {f.name for f in dataclasses.fields(Signature)}


class _Where:
    """Turns a path inside the parsed document into a file name and a line."""

    def __init__(self, file: _Path | None, lines: Mapping[_LinePath, int] | None) -> None:
        self.file = None if file is None else str(file)
        self.lines = lines or {}

    def line(self, path: _LinePath) -> int | None:
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def fail(
        self,
        message: str,
        path: _LinePath,
        *,
        expected: str | None = None,
        found: object = None,
        hint: str | None = None,
    ) -> SignatureError:
        return SignatureError(
            message,
            file=self.file,
            line=self.line(path),
            expected=expected,
            found=found,
            hint=hint,
        )

    def relocate(self, err: SignatureError, path: _LinePath) -> SignatureError:
        if err.file is not None and err.line is not None:
            return err
        return SignatureError(
            err.message,
            file=self.file,
            line=self.line(path),
            expected=err.expected,
            found=err.found,
            hint=err.hint,
        )


def _check_keys(where: _Where, d: Mapping[Any, Any], allowed: set[str], path: _LinePath) -> None:
    for key in d:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            raise where.fail(
                f"unknown field {key!r}",
                (*path, str(key)),
                expected="one of " + ", ".join(sorted(allowed)),
                hint=f"did you mean {close[0]!r}?" if close else "sigsurv refuses unknown fields",
            )


def _text(where: _Where, d: Mapping[str, Any], key: str, path: _LinePath) -> str:
    value = d[key]
    if not isinstance(value, str):
        raise where.fail(f"field {key!r} must be text", (*path, key), found=value)
    return value


def _text_list(where: _Where, d: Mapping[str, Any], key: str, path: _LinePath) -> tuple[str, ...]:
    value = d[key]
    if not isinstance(value, list):
        raise where.fail(f"field {key!r} must be a list of text", (*path, key), found=value)
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise where.fail(f"field {key!r}: every item must be text", (*path, key, i), found=item)
    return tuple(value)


def _bool(where: _Where, d: Mapping[str, Any], key: str, path: _LinePath) -> bool:
    value = d[key]
    if not isinstance(value, bool):
        raise where.fail(f"field {key!r} must be true or false", (*path, key), found=value)
    return value


def _gene_from_item(where: _Where, item: Any, path: _LinePath) -> SignatureGene:
    if isinstance(item, str):
        try:
            return SignatureGene(item)
        except SignatureError as err:
            raise where.relocate(err, path) from None
    if not isinstance(item, dict):
        raise where.fail("a gene must be a symbol or a mapping with 'symbol'", path, found=item)
    _check_keys(where, item, _GENE_FIELDS, path)
    if "symbol" not in item:
        raise where.fail("gene entry has no 'symbol'", path, found=item)
    kwargs: dict[str, Any] = {"symbol": _text(where, item, "symbol", path)}
    if "direction" in item:
        try:
            kwargs["direction"] = parse_direction(item["direction"])
        except SignatureError as err:
            raise where.relocate(
                SignatureError(
                    f"gene {kwargs['symbol']}: {err.message}",
                    expected=err.expected,
                    found=err.found,
                ),
                (*path, "direction"),
            ) from None
    if "weight" in item:
        weight = item["weight"]
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise where.fail(
                f"gene {kwargs['symbol']}: weight is not a number",
                (*path, "weight"),
                expected="a finite number >= 0",
                found=weight,
            )
        if not math.isfinite(weight) or weight < 0:
            raise where.fail(
                f"gene {kwargs['symbol']}: weight must be finite and non-negative",
                (*path, "weight"),
                expected="a finite number >= 0",
                found=weight,
            )
        kwargs["weight"] = float(weight)
    for key in _GENE_TEXT:
        if key in item:
            kwargs[key] = _text(where, item, key, path)
    if "feature_type" in item and item["feature_type"] is not None:
        kwargs["feature_type"] = _text(where, item, "feature_type", path)
    if "evidence" in item:
        kwargs["evidence"] = _text_list(where, item, "evidence", path)
    try:
        return SignatureGene(**kwargs)
    except SignatureError as err:
        raise where.relocate(err, path) from None


def _source_from_dict(where: _Where, d: Any, path: _LinePath) -> SignatureSource:
    if not isinstance(d, dict):
        raise where.fail("field 'source' must be a mapping", path, found=d)
    _check_keys(where, d, _SOURCE_FIELDS, path)
    kwargs: dict[str, Any] = {}
    for key in _SOURCE_TEXT:
        if key in d:
            kwargs[key] = _text(where, d, key, path)
    if "pmid" in d:
        pmid = d["pmid"]
        # YAML reads an unquoted PMID as an integer; it is an identifier, kept as text.
        if isinstance(pmid, int) and not isinstance(pmid, bool) and pmid > 0:
            pmid = str(pmid)
        if not isinstance(pmid, str):
            raise where.fail("PMID must be digits", (*path, "pmid"), found=pmid)
        kwargs["pmid"] = pmid
    if "year" in d:
        year = d["year"]
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise where.fail("year must be an integer", (*path, "year"), found=year)
        kwargs["year"] = year
    try:
        return SignatureSource(**kwargs)
    except SignatureError as err:
        raise where.relocate(err, path) from None


def signature_from_dict(
    d: Mapping[str, Any],
    *,
    file: _Path | None = None,
    lines: Mapping[_LinePath, int] | None = None,
    _path: _LinePath = (),
) -> Signature:
    """Build a signature from its dict record, strictly.

    Parameters
    ----------
    d
        The record (as written by :func:`signature_to_dict` or by hand): ``id`` and
        ``genes`` are required; ``name`` defaults to the id. ``genes`` is a list
        whose items are a symbol (direction +1, weight 1) or a mapping with
        ``symbol`` and optionally ``direction`` (+1/-1, ``up``/``down``, ``+``/``-``),
        ``weight``, ``provenance``, ``citation``, ``evidence``, ``feature_type``,
        ``note``, ``mirbase_id``.
    file
        File name used in error messages.
    lines
        Map from a path inside ``d`` (tuple of keys and list indices) to its 1-based
        line in ``file``; filled in by :func:`read_yaml`.

    Returns
    -------
    Signature

    Raises
    ------
    SignatureError
        Unknown field, wrong type, missing id or genes, empty gene list, duplicate
        gene, unknown direction, weight not finite or negative, invalid id.

    Examples
    --------
    >>> sig = signature_from_dict({"id": "bcl2_igf1r",
    ...                            "genes": [{"symbol": "BCL2", "direction": "down"},
    ...                                      {"symbol": "IGF1R", "direction": "-"}]})
    >>> sig.down_genes
    ('BCL2', 'IGF1R')
    >>> signature_from_dict({"id": "x", "genes": ["A"], "colour": "red"},
    ...                     file="my.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: my.yaml: unknown field 'colour'; expected one of ...
    """
    where = _Where(file, lines)
    path = tuple(_path)
    if not isinstance(d, Mapping):
        raise where.fail("a signature must be a mapping with 'id' and 'genes'", path, found=d)
    _check_keys(where, d, _SIG_FIELDS, path)
    for required in ("id", "genes"):
        if required not in d:
            raise where.fail(f"signature has no {required!r} field", path)
    sig_id = d["id"]
    if not isinstance(sig_id, str):
        raise where.fail("field 'id' must be text", (*path, "id"), found=sig_id)
    kwargs: dict[str, Any] = {"id": sig_id, "name": sig_id}
    for key in _SIG_TEXT:
        if key in d:
            kwargs[key] = _text(where, d, key, path)
    for key in _SIG_TEXT_OR_NULL:
        if key in d and d[key] is not None:
            kwargs[key] = _text(where, d, key, path)
    for key in _SIG_TEXT_LISTS:
        if key in d:
            kwargs[key] = _text_list(where, d, key, path)
    for key in _SIG_BOOLS:
        if key in d:
            kwargs[key] = _bool(where, d, key, path)
    if "version" in d:
        version = d["version"]
        # An unquoted ``version: 2`` is an integer in YAML; floats (1.10 -> 1.1) are lossy.
        if isinstance(version, int) and not isinstance(version, bool):
            version = str(version)
        if not isinstance(version, str):
            raise where.fail(
                "field 'version' must be text or an integer",
                (*path, "version"),
                found=version,
                hint="quote it, e.g. version: '1.10'",
            )
        kwargs["version"] = version
    if kwargs.get("population_filter"):
        # Checked with the same safe parser that will apply it (never eval'd).
        from sigsurv.cohorts.subgroup import parse_subgroup
        from sigsurv.errors import UnsafeExpressionError

        try:
            parse_subgroup(kwargs["population_filter"])
        except UnsafeExpressionError as err:
            raise where.fail(
                f"population_filter is not a valid subgroup expression: {err.message}",
                (*path, "population_filter"),
                expected="e.g. er == 'positive'",
                found=kwargs["population_filter"],
            ) from None
    if "source" in d:
        kwargs["source"] = _source_from_dict(where, d["source"], (*path, "source"))
    genes_raw = d["genes"]
    if not isinstance(genes_raw, list):
        raise where.fail(
            f"signature {sig_id}: 'genes' must be a list", (*path, "genes"), found=genes_raw
        )
    if not genes_raw:
        raise where.fail(
            f"signature {sig_id}: the gene list is empty",
            (*path, "genes"),
            expected="at least one gene",
        )
    genes: list[SignatureGene] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(genes_raw):
        gene = _gene_from_item(where, item, (*path, "genes", i))
        key = gene.symbol.upper()
        if key in seen:
            first = where.line((*path, "genes", seen[key]))
            raise where.fail(
                f"signature {sig_id}: duplicate gene",
                (*path, "genes", i),
                found=gene.symbol,
                hint=None if first is None else f"first listed at line {first}",
            )
        seen[key] = i
        genes.append(gene)
    kwargs["genes"] = tuple(genes)
    try:
        return Signature(**kwargs)
    except SignatureError as err:
        raise where.relocate(err, path) from None


# ---------------------------------------------------------------------------------
# YAML


def _read_text(path: _Path) -> str:
    p = Path(path)
    if not p.is_file():
        raise SignatureError("signature file not found", file=str(path))
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SignatureError(
            "signature file too large",
            file=str(path),
            expected=f"at most {MAX_FILE_BYTES} bytes",
            found=size,
        )
    raw = p.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise SignatureError(
            "file is not UTF-8 text", file=str(path), line=line, hint="save it as UTF-8"
        ) from None


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


def _as_list(signatures: Signature | Iterable[Signature]) -> list[Signature]:
    items = [signatures] if isinstance(signatures, Signature) else list(signatures)
    for item in items:
        if not isinstance(item, Signature):
            raise SignatureError("expected Signature objects", found=type(item).__name__)
    if not items:
        raise SignatureError("no signatures to write", expected="at least one signature")
    return items


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


# ---------------------------------------------------------------------------------
# GMT


def loads_gmt(text: str, *, file: str = "<string>") -> list[Signature]:
    """Parse GMT text; ``NAME_UP`` / ``NAME_DN`` pairs become one signed signature ``NAME``.

    Blank lines and lines starting with ``#`` are skipped; trailing tabs at the end of a
    line are ignored. Every other problem (a line with no genes, an empty gene field,
    a gene with a space in it, a duplicate gene or set name, a gene in both halves of
    a pair, a set name that is not a valid id) raises with the line number.

    Examples
    --------
    >>> text = "S_UP\\tna\\tPTEN\\tPDCD4\\nS_DN\\tna\\tBCL2\\nOTHER\\tna\\tIRF7\\n"
    >>> sigs = loads_gmt(text)
    >>> [(s.id, s.up_genes, s.down_genes) for s in sigs]
    [('S', ('PTEN', 'PDCD4'), ('BCL2',)), ('OTHER', ('IRF7',), ())]
    >>> loads_gmt("EMPTY\\tna\\n", file="sets.gmt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: sets.gmt:1: gene set 'EMPTY' has no genes; ...
    """
    sets: dict[str, tuple[int, str, tuple[str, ...]]] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\t").split("\t")
        name = fields[0].strip()
        if len(fields) == 1:
            raise SignatureError(
                "GMT line has no tab-separated fields",
                file=file,
                line=number,
                expected="NAME<TAB>DESCRIPTION<TAB>GENE...",
                found=line,
            )
        if not name:
            raise SignatureError("GMT line has an empty set name", file=file, line=number)
        genes = fields[2:]
        if not genes:
            raise SignatureError(
                f"gene set {name!r} has no genes",
                file=file,
                line=number,
                expected="NAME<TAB>DESCRIPTION<TAB>GENE...",
            )
        seen: set[str] = set()
        clean: list[str] = []
        for gene in genes:
            symbol = gene.strip()
            if not symbol:
                raise SignatureError(
                    f"gene set {name!r} has an empty gene field (two tabs in a row)",
                    file=file,
                    line=number,
                )
            if any(ch.isspace() for ch in symbol):
                raise SignatureError(
                    f"gene set {name!r}: gene field contains a space",
                    file=file,
                    line=number,
                    found=symbol,
                    hint="GMT genes are separated by tabs",
                )
            if symbol.upper() in seen:
                raise SignatureError(
                    f"gene set {name!r}: duplicate gene", file=file, line=number, found=symbol
                )
            seen.add(symbol.upper())
            clean.append(symbol)
        if name in sets:
            raise SignatureError(
                "duplicate gene set name",
                file=file,
                line=number,
                found=name,
                hint=f"first defined at line {sets[name][0]}",
            )
        description = fields[1].strip()
        sets[name] = (number, "" if description.lower() == "na" else description, tuple(clean))
    if not sets:
        raise SignatureError("the GMT file has no gene sets", file=file)

    out: list[Signature] = []
    done: set[str] = set()
    for name, (number, description, genes) in sets.items():
        if name in done:
            continue
        base = name[:-3] if name.endswith(("_UP", "_DN")) else None
        if base and f"{base}_UP" in sets and f"{base}_DN" in sets:
            up_line, up_desc, up = sets[f"{base}_UP"]
            dn_line, _, dn = sets[f"{base}_DN"]
            both = {g.upper() for g in up} & {g.upper() for g in dn}
            if both:
                raise SignatureError(
                    f"gene set {base!r}: gene in both {base}_UP and {base}_DN",
                    file=file,
                    line=max(up_line, dn_line),
                    found=sorted(both)[0],
                )
            members = tuple(SignatureGene(g, 1) for g in up) + tuple(
                SignatureGene(g, -1) for g in dn
            )
            sig_id, line, desc = base, min(up_line, dn_line), up_desc
            done.update({f"{base}_UP", f"{base}_DN"})
        else:
            members = tuple(SignatureGene(g, 1) for g in genes)
            sig_id, line, desc = name, number, description
            done.add(name)
        try:
            out.append(Signature(id=sig_id, name=sig_id, genes=members, description=desc))
        except SignatureError as err:
            raise SignatureError(
                err.message,
                file=file,
                line=line,
                expected=err.expected,
                found=err.found,
                hint="rename the gene set" if "id" in err.message else err.hint,
            ) from None
    return out


def read_gmt(path: _Path) -> list[Signature]:
    """Read the gene sets of a GMT file (see :func:`loads_gmt`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "s.gmt"
    >>> _ = tmp.write_text("MIR21_T\\thttps://doi.org/x\\tPTEN\\tPDCD4\\n")
    >>> read_gmt(tmp)[0].symbols
    ('PTEN', 'PDCD4')
    """
    return loads_gmt(_read_text(path), file=str(path))


def dumps_gmt(signatures: Signature | Iterable[Signature]) -> str:
    """Serialise signatures as GMT lines (signed ones as ``ID_UP`` / ``ID_DN``).

    Emits a :class:`~sigsurv.errors.SigsurvWarning` for every signature with a weight
    other than 1, since GMT cannot carry weights.

    Examples
    --------
    >>> sig = Signature.from_genes("demo", {"PTEN": 1.0, "BCL2": -1.0})
    >>> dumps_gmt(sig).splitlines()
    ['demo_UP\\tna\\tPTEN', 'demo_DN\\tna\\tBCL2']
    """
    lines: list[str] = []
    for sig in _as_list(signatures):
        if any(g.weight != 1.0 for g in sig.genes):
            warnings.warn(
                f"signature {sig.id}: GMT cannot carry weights; written unweighted "
                "(use YAML to keep them)",
                SigsurvWarning,
                stacklevel=2,
            )
        description = f"https://doi.org/{sig.source.doi}" if sig.source.doi else "na"
        if not sig.up_genes:
            warnings.warn(
                f"signature {sig.id}: every gene has direction -1; GMT cannot mark a "
                f"one-sided down set, so it is written as {sig.id}_DN and reads back as an "
                "unsigned set of that name (use YAML to keep the directions)",
                SigsurvWarning,
                stacklevel=2,
            )
            lines.append("\t".join([f"{sig.id}_DN", description, *sig.down_genes]))
        elif sig.is_signed:
            lines.append("\t".join([f"{sig.id}_UP", description, *sig.up_genes]))
            lines.append("\t".join([f"{sig.id}_DN", description, *sig.down_genes]))
        else:
            lines.append("\t".join([sig.id, description, *sig.symbols]))
    return "\n".join(lines) + "\n"


def write_gmt(signatures: Signature | Iterable[Signature], path: _Path) -> Path:
    """Write signatures as GMT (MSigDB convention); returns the path.

    A signature whose genes all have direction -1 is written as one ``ID_DN`` line (with
    a warning) and reads back as an unsigned set named ``ID_DN``: GMT cannot mark a
    one-sided down set. Write it to YAML to keep the directions.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "w.gmt"
    >>> sig = Signature.from_genes("w", {"PTEN": 1.0, "BCL2": -1.0})
    >>> back = read_gmt(write_gmt(sig, out))[0]
    >>> back.up_genes, back.down_genes
    (('PTEN',), ('BCL2',))
    """
    out = Path(path)
    out.write_text(dumps_gmt(signatures), encoding="utf-8")
    return out


# ---------------------------------------------------------------------------------
# any format


def _looks_like_gmt(text: str) -> bool:
    for line in text.split("\n"):
        if line.strip() and not line.startswith("#"):
            return "\t" in line and ":" not in line.split("\t", 1)[0]
    return False


def load_signatures(path: _Path) -> list[Signature]:
    """Read a user's signature file, YAML or GMT.

    The format comes from the extension (``.gmt``; ``.yaml`` / ``.yml``); for any
    other extension a file whose first line is tab-separated is read as GMT and
    anything else as YAML.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "mine.txt"
    >>> _ = tmp.write_text("A\\tna\\tBCL2\\nB\\tna\\tPTEN\\n")
    >>> [s.id for s in load_signatures(tmp)]
    ['A', 'B']
    """
    suffix = Path(path).suffix.lower()
    text = _read_text(path)
    if suffix == ".gmt" or (suffix not in (".yaml", ".yml") and _looks_like_gmt(text)):
        return _with_definition(loads_gmt(text, file=str(path)), path)
    return _with_definition(loads_yaml(text, file=str(path)), path)


def _with_definition(signatures: list[Signature], path: _Path) -> list[Signature]:
    """Record the file each signature was read from and its SHA-256 (for manifests)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return [
        dataclasses.replace(sig, definition_file=str(path), definition_sha256=digest)
        for sig in signatures
    ]
