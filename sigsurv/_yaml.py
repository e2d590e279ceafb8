"""Strict YAML for sigsurv's own files: one document, safe types, and the line of every node.

The signature reader and the seed-record reader both go through :func:`load_document`.
It builds plain Python data with PyYAML's safe constructors only (libyaml when
available) and returns, next to it, the 1-based line of every path inside the document
so that a later check can name the line of what it refuses.

Hostile input is refused *before* anything walks the document, from the parser's
event stream alone (nothing is composed or expanded yet):

* aliases may add at most :data:`MAX_ALIAS_NODES` nodes to the document once expanded
  (the "billion laughs" file: ten levels of anchors, each listing the previous one
  nine times, put billions of nodes into half a kilobyte);
* an alias inside the node its anchor names (a cyclic document) is refused;
* nesting deeper than :data:`MAX_DEPTH` levels is refused, and so is an anchor
  defined twice (PyYAML refuses it too, later).

Duplicate mapping keys are refused too (YAML says they are an error; PyYAML keeps the
last one silently). Every refusal is a :class:`~sigsurv.errors.SignatureError`
naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from sigsurv.errors import SignatureError, SigsurvInputError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "LinePath",
    "line_of",
    "load_document",
    "read_small_text",
]

#: At most this many nodes may be reached through aliases (each alias counts the
#: nodes of what it names, aliases inside it expanded). Sharing a block of a few
#: fields between a few hundred signatures stays far below it.
MAX_ALIAS_NODES = 100_000
#: Deepest nesting of mappings and lists accepted (a signature file needs five).
MAX_DEPTH = 64

#: A path inside a document: mapping keys (as text) and list indices.
LinePath = tuple[Any, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"


def _loader(text: str) -> Any:
    # libyaml when available (same safe constructors, faster); both keep line marks.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)


class _ExpansionCheck:
    """Counts, event by event, the nodes each anchor expands to; refuses what is hostile."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.size_of: dict[str, int] = {}  # anchor -> nodes once expanded
        self.open: list[list[Any]] = []  # [anchor, nodes so far] per open collection
        self.alias_nodes = 0

    def _add(self, nodes: int) -> None:
        if self.open:
            self.open[-1][1] += nodes

    def _check_new_anchor(self, event: Any) -> None:
        anchor = event.anchor
        if anchor is not None and (
            anchor in self.size_of or any(open_anchor == anchor for open_anchor, _ in self.open)
        ):
            raise SignatureError(
                f"YAML anchor &{anchor} is defined twice",
                file=self.file,
                line=event.start_mark.line + 1,
                hint="give each anchor its own name",
            )

    def start(self, event: Any) -> None:
        self._check_new_anchor(event)
        if len(self.open) >= MAX_DEPTH:
            raise SignatureError(
                "YAML nested too deeply",
                file=self.file,
                line=event.start_mark.line + 1,
                expected=f"at most {MAX_DEPTH} levels of lists and mappings",
            )
        self.open.append([event.anchor, 1])

    def end(self) -> None:
        anchor, nodes = self.open.pop()
        if anchor is not None:
            self.size_of[anchor] = nodes
        self._add(nodes)

    def scalar(self, event: Any) -> None:
        self._check_new_anchor(event)
        if event.anchor is not None:
            self.size_of[event.anchor] = 1
        self._add(1)

    def alias(self, event: Any) -> None:
        line = event.start_mark.line + 1
        if any(anchor == event.anchor for anchor, _ in self.open):
            raise SignatureError(
                f"YAML alias *{event.anchor} refers to a node that contains it",
                file=self.file,
                line=line,
                hint="a document cannot contain itself",
            )
        nodes = self.size_of.get(event.anchor, 0)  # unknown anchors: the composer says so
        self.alias_nodes += nodes
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise SignatureError(
                f"YAML aliases expand to too many nodes (at alias *{event.anchor})",
                file=self.file,
                line=line,
                expected=f"at most {MAX_ALIAS_NODES} nodes reached through aliases",
                hint="anchors and aliases are for sharing small blocks; write the data out",
            )
        self._add(nodes)


def _check_events(text: str, file: str) -> None:
    """Refuse cyclic, explosive or too deeply nested documents before composing them."""
    check = _ExpansionCheck(file)
    loader = _loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                check.start(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                check.end()
            elif isinstance(event, yaml.ScalarEvent):
                check.scalar(event)
            elif isinstance(event, yaml.AliasEvent):
                check.alias(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                check = _ExpansionCheck(file)  # anchors belong to one document
    finally:
        loader.dispose()


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "?"


def _node_lines(node: yaml.Node, path: LinePath, lines: dict[LinePath, int], file: str) -> None:
    """Record the line of every node below ``path`` and refuse duplicate mapping keys.

    Only called on documents :func:`_check_events` accepted: no cycle, bounded size.
    """
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), lines, file)
    if not isinstance(node, yaml.MappingNode):
        return
    explicit: dict[str, int] = {}
    merged: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            is_list = isinstance(value_node, yaml.SequenceNode)
            merged.extend(value_node.value if is_list else [value_node])
            continue
        key, line = _key_text(key_node), key_node.start_mark.line + 1
        if key in explicit:
            raise SignatureError(
                f"duplicate key {key!r}",
                file=file,
                line=line,
                hint=f"first given at line {explicit[key]}",
            )
        explicit[key] = line
        child = (*path, key)
        lines[child] = line
        _node_lines(value_node, child, lines, file)
    for source in merged:
        if not isinstance(source, yaml.MappingNode):
            continue  # the constructor refuses it with its own message
        for key_node, value_node in source.value:
            key = _key_text(key_node)
            if key not in explicit:
                # merged keys take the line where the shared block spells them
                child = (*path, key)
                sub: dict[LinePath, int] = {child: key_node.start_mark.line + 1}
                _node_lines(value_node, child, sub, file)
                for sub_path, sub_line in sub.items():
                    lines.setdefault(sub_path, sub_line)


def _syntax_error(err: yaml.MarkedYAMLError, file: str) -> SignatureError:
    mark = err.problem_mark or err.context_mark
    problem = err.problem or err.context or "syntax error"
    hint = None if mark is None else f"column {mark.column + 1}"
    context = err.context_mark
    if err.context and context is not None and mark is not None and context.line != mark.line:
        hint = f"{hint}; {err.context} at line {context.line + 1}"
    return SignatureError(
        f"invalid YAML: {problem}",
        file=file,
        line=None if mark is None else mark.line + 1,
        hint=hint,
    )


def load_document(text: str, file: str) -> tuple[Any, dict[LinePath, int]]:
    """Parse one YAML document strictly; return its data and the line of each path.

    Parameters
    ----------
    text
        The YAML text (one document).
    file
        File name used in error messages.

    Returns
    -------
    data
        The document as plain Python data (safe constructors only).
    lines
        ``{path: line}``: the 1-based line of every node, keyed by its path (mapping
        keys as text, list indices as int); a merged key (``<<: *shared``) has the line
        where the shared block spells it. Look paths up with :func:`line_of`.

    Raises
    ------
    SignatureError
        Invalid YAML, an empty file, several documents, a duplicate key, aliases that
        expand beyond :data:`MAX_ALIAS_NODES` nodes, a cyclic alias, or nesting deeper
        than :data:`MAX_DEPTH`; always with the file and, when known, the line.

    Examples
    --------
    >>> data, lines = load_document("id: s\\ngenes:\\n  - A\\n  - B\\n", "s.yaml")
    >>> data["genes"], lines[("genes", 1)]
    (['A', 'B'], 4)
    >>> load_document("a: 1\\nb: 2\\na: 3\\n", "d.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: d.yaml:3: duplicate key 'a' (first given at line 1)
    >>> load_document("a: &a [*a]\\n", "loop.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: loop.yaml:1: YAML alias *a refers to a node that contains it ...
    """
    try:
        _check_events(text, file)
        loader = _loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise SignatureError("the YAML file is empty", file=file, line=1)
            lines: dict[LinePath, int] = {}
            _node_lines(node, (), lines, file)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(err, file) from None
    except yaml.YAMLError as err:
        raise SignatureError(f"invalid YAML: {err}", file=file) from None
    return data, lines


def line_of(lines: Mapping[LinePath, int], path: LinePath) -> int | None:
    """The line of ``path``, or of its nearest enclosing node with a known line.

    Examples
    --------
    >>> line_of({(): 1, ("genes",): 2}, ("genes", 5, "weight"))
    2
    >>> line_of({}, ("id",)) is None
    True
    """
    path = tuple(path)
    while path not in lines:
        if not path:
            return None
        path = path[:-1]
    return lines[path]


def read_small_text(
    path: str | PathLike[str],
    *,
    what: str,
    max_bytes: int,
    error: type[SigsurvInputError] = SignatureError,
    hint: str | None = None,
) -> str:
    """Read a small UTF-8 text file (a BOM is dropped), refusing a missing, oversized or
    non-UTF-8 file with ``error`` naming the file (and the line of the first bad byte).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = path.write_bytes("a: 1".encode() + bytes([10, 98, 58, 32, 255, 10]))
    >>> read_small_text(path, what="signature file", max_bytes=100)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.SignatureError: ...s.yaml:2: file is not UTF-8 text
    """
    file = Path(path)
    if not file.is_file():
        raise error(f"{what} not found", file=str(path))
    size = file.stat().st_size
    if size > max_bytes:
        raise error(
            f"{what} too large", file=str(path), expected=f"at most {max_bytes} bytes", found=size
        )
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise error("file is not UTF-8 text", file=str(path), line=line, hint=hint) from None
