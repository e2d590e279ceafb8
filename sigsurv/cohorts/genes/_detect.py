"""Which kind of gene identifier a value is (symbol, Entrez, Ensembl, miRBase, probe)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.errors import GeneIdentifierError

IDENTIFIER_TYPES: tuple[str, ...] = ("symbol", "entrez", "ensembl", "mirbase", "probe")

# [0-9], not \d: other scripts' digits ("٧١٥٧") must not become an Entrez ID
_ENSEMBL_RE = re.compile(r"^\s*(ENSG[0-9]{11})(?:\.[0-9]+)?(?:_PAR_Y)?\s*$", re.IGNORECASE)
_ENTREZ_RE = re.compile(r"^\s*([0-9]+)(?:\.0+)?\s*$")
_MIRNA_RE = re.compile(r"^\s*(?:hsa-)?(?:mir|let)-\w", re.IGNORECASE)
_PROBE_RE = re.compile(
    r"^\s*(?:AFFX[-_]\S+|[A-Za-z0-9.\-]+_(?:[a-z]_)?at|ILMN_[0-9]+|A_[0-9]+_P[0-9]+|PH_hs_[0-9]+)\s*$"
)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, Real) and math.isnan(float(value)))


def _entrez_value(value: Any) -> int | None:
    """The integer Entrez ID ``value`` spells, or None."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, Integral):
        return int(value) if int(value) > 0 else None
    if isinstance(value, Real):
        number = float(value)
        return int(number) if number.is_integer() and number > 0 else None
    if isinstance(value, str):
        match = _ENTREZ_RE.match(value)
        return int(match.group(1)) if match else None
    return None


def _classify(value: Any) -> str:
    if _entrez_value(value) is not None:
        return "entrez"
    if not isinstance(value, str):
        return "symbol"
    if _ENSEMBL_RE.match(value):
        return "ensembl"
    if _MIRNA_RE.match(value):
        return "mirbase"
    if _PROBE_RE.match(value):
        return "probe"
    return "symbol"


def detect_identifier_type(ids: Iterable[Any]) -> str:
    """Guess what kind of gene identifiers ``ids`` holds.

    Each distinct non-missing identifier is classified as an Ensembl gene ID
    (``ENSG`` + 11 digits, optional version), an Entrez ID (integer or digit
    string), a miRBase name (``hsa-mir-21``, ``hsa-let-7a-1``, ``miR-21-5p``), a
    microarray probe ID (Affymetrix ``*_at`` / ``AFFX-*``, Illumina ``ILMN_*``,
    Agilent ``A_*_P*``) or a symbol. The type of more than half of them wins;
    otherwise the identifiers are taken as symbols.

    Parameters
    ----------
    ids
        Identifiers (list, array, ``pandas.Index``...).

    Returns
    -------
    str
        One of :data:`IDENTIFIER_TYPES`.

    Raises
    ------
    GeneIdentifierError
        If ``ids`` holds no non-missing identifier.

    Examples
    --------
    >>> detect_identifier_type(["TP53", "ERBB2", "HER2"])
    'symbol'
    >>> detect_identifier_type([7157, 2064])
    'entrez'
    >>> detect_identifier_type(["ENSG00000141510.17", "ENSG00000141736"])
    'ensembl'
    >>> detect_identifier_type(["hsa-mir-21", "hsa-let-7a-1"])
    'mirbase'
    >>> detect_identifier_type(["1007_s_at", "1053_at", "117_at"])
    'probe'
    """
    distinct = pd.unique(pd.Series(list(ids), dtype=object))
    values = [value for value in distinct if not _missing(value)]
    if not values:
        raise GeneIdentifierError(
            "no gene identifiers to classify", expected="at least one identifier", found="none"
        )
    counts = dict.fromkeys(IDENTIFIER_TYPES, 0)
    for value in values:
        counts[_classify(value)] += 1
    best = max(("entrez", "ensembl", "mirbase", "probe"), key=lambda kind: counts[kind])
    return best if counts[best] * 2 > len(values) else "symbol"
