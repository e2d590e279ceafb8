"""Read and write signatures as YAML (the full record) and GMT (genes and directions only).

YAML is sigsurv's native format: one signature per file (a mapping with ``id`` and
``genes``) or several under a top-level ``signatures:`` list. Every field of
:class:`~sigsurv.signatures.schema.Signature` is carried, including weights and the
per-gene provenance. Parsing uses :func:`yaml.safe_load` semantics only (through
:func:`sigsurv._yaml.load_document`, shared with the seed records); unknown fields,
duplicate keys, duplicate genes, unknown directions, non-finite weights, whitespace
inside a symbol, and anchors/aliases that expand beyond a bound or into a cycle are
refused with a :class:`~sigsurv.errors.SignatureError` naming the file and the line.

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

from pathlib import Path

from sigsurv.signatures._files import MAX_FILE_BYTES, _Path, _read_text, _with_definition
from sigsurv.signatures._gmt_io import dumps_gmt, loads_gmt, read_gmt, write_gmt
from sigsurv.signatures._validate import parse_direction, signature_from_dict, signature_to_dict
from sigsurv.signatures._yaml_io import (
    dumps_yaml,
    loads_yaml,
    read_yaml,
    write_yaml,
)
from sigsurv.signatures.schema import Signature

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
