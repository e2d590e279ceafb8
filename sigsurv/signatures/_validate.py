"""Strict conversion between a signature's dict record and :class:`Signature` objects."""

from __future__ import annotations

import dataclasses
import difflib
import numbers
from collections.abc import Mapping
from typing import Any

from sigsurv._yaml import LinePath, line_of
from sigsurv.errors import SignatureError
from sigsurv.signatures._files import _Path
from sigsurv.signatures.schema import Signature, SignatureGene, SignatureSource, _checked_weight

_LinePath = LinePath

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
    "score_relation",
    "score_meaning",
)
_SIG_TEXT_OR_NULL = ("method_origin", "cut_origin")
_SIG_TEXT_LISTS = ("caveats", "mirnas", "related", "confounders")
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
        return line_of(self.lines, path)

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


def _quote_hint(value: Any) -> str | None:
    """Why YAML did not give text, when an unquoted word or number is the likely cause."""
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as a boolean: quote it"
    if isinstance(value, numbers.Number):
        return "YAML reads it as a number: quote it"
    if value is None:
        return "the value is empty (or null/~): write the text"
    return None


def _text(where: _Where, d: Mapping[str, Any], key: str, path: _LinePath) -> str:
    value = d[key]
    if not isinstance(value, str):
        raise where.fail(
            f"field {key!r} must be text", (*path, key), found=value, hint=_quote_hint(value)
        )
    return value


def _text_list(where: _Where, d: Mapping[str, Any], key: str, path: _LinePath) -> tuple[str, ...]:
    value = d[key]
    if not isinstance(value, list):
        raise where.fail(f"field {key!r} must be a list of text", (*path, key), found=value)
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise where.fail(
                f"field {key!r}: every item must be text",
                (*path, key, i),
                found=item,
                hint=_quote_hint(item),
            )
    return tuple(value)


def _bool(where: _Where, d: Mapping[str, Any], key: str, path: _LinePath) -> bool:
    value = d[key]
    if not isinstance(value, bool):
        raise where.fail(f"field {key!r} must be true or false", (*path, key), found=value)
    return value


def _gene_direction(where: _Where, value: Any, symbol: str, path: _LinePath) -> int:
    try:
        return parse_direction(value)
    except SignatureError as err:
        raise where.relocate(
            SignatureError(f"gene {symbol}: {err.message}", expected=err.expected, found=err.found),
            (*path, "direction"),
        ) from None


def _gene_weight(where: _Where, weight: Any, symbol: str, path: _LinePath) -> float:
    try:
        return _checked_weight(symbol, weight)
    except SignatureError as err:
        raise where.relocate(err, (*path, "weight")) from None


def _gene_from_item(where: _Where, item: Any, path: _LinePath) -> SignatureGene:
    if isinstance(item, str):
        try:
            return SignatureGene(item)
        except SignatureError as err:
            raise where.relocate(err, path) from None
    if not isinstance(item, dict):
        raise where.fail(
            "a gene must be a symbol or a mapping with 'symbol'",
            path,
            found=item,
            hint=_quote_hint(item),
        )
    _check_keys(where, item, _GENE_FIELDS, path)
    if "symbol" not in item:
        raise where.fail("gene entry has no 'symbol'", path, found=item)
    kwargs: dict[str, Any] = {"symbol": _text(where, item, "symbol", path)}
    if "direction" in item:
        kwargs["direction"] = _gene_direction(where, item["direction"], kwargs["symbol"], path)
    if "weight" in item:
        kwargs["weight"] = _gene_weight(where, item["weight"], kwargs["symbol"], path)
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
        raise where.fail(
            "field 'id' must be text", (*path, "id"), found=sig_id, hint=_quote_hint(sig_id)
        )
    kwargs: dict[str, Any] = {"id": sig_id, "name": sig_id}
    kwargs.update(_signature_fields(where, d, path))
    if kwargs.get("population_filter"):
        _check_population_filter(where, kwargs["population_filter"], path)
    if "source" in d:
        kwargs["source"] = _source_from_dict(where, d["source"], (*path, "source"))
    kwargs["genes"] = _genes_from_list(where, sig_id, d["genes"], path)
    try:
        return Signature(**kwargs)
    except SignatureError as err:
        raise where.relocate(err, path) from None


def _signature_fields(where: _Where, d: Mapping[str, Any], path: _LinePath) -> dict[str, Any]:
    """The text, list, boolean and version fields of a signature record, checked."""
    kwargs: dict[str, Any] = {}
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
    return kwargs


def _check_population_filter(where: _Where, expression: str, path: _LinePath) -> None:
    """Check the filter with the same safe parser that will apply it (never eval'd)."""
    from sigsurv.cohorts.subgroup import parse_subgroup  # cohorts is a lower layer
    from sigsurv.errors import UnsafeExpressionError

    try:
        parse_subgroup(expression)
    except UnsafeExpressionError as err:
        raise where.fail(
            f"population_filter is not a valid subgroup expression: {err.message}",
            (*path, "population_filter"),
            expected="e.g. er == 'positive'",
            found=expression,
        ) from None


def _genes_from_list(
    where: _Where, sig_id: str, genes_raw: Any, path: _LinePath
) -> tuple[SignatureGene, ...]:
    """The members of a signature record's ``genes`` list: at least one, no duplicate."""
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
    return tuple(genes)
