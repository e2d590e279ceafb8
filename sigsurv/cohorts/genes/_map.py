"""Element-wise mapping of gene identifiers to current symbols, and Excel-date detection."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from sigsurv.cohorts.genes._detect import IDENTIFIER_TYPES, _missing, detect_identifier_type
from sigsurv.cohorts.genes._report import _EXAMPLES_SHOWN, GeneMapReport, _examples
from sigsurv.cohorts.genes._resolve import (
    _AMBIGUOUS,
    _CASE,
    _RENAMED,
    _RESOLVERS,
    _UNCHANGED,
    _UNMAPPED,
    _Resolution,
    _resolve_symbol,
)
from sigsurv.cohorts.genes._table import _lookup, _table_label
from sigsurv.errors import GeneIdentifierError, SigsurvWarning


def _as_list(ids: Iterable[Any]) -> list[Any]:
    if isinstance(ids, str):
        raise GeneIdentifierError(
            "gene identifiers must be a sequence",
            expected="a list of identifiers",
            found=ids,
        )
    return list(ids)


def map_identifiers(
    ids: Iterable[Any], id_type: str = "auto"
) -> tuple[list[str | None], GeneMapReport]:
    """Map gene identifiers, element-wise, to current gene symbols.

    Parameters
    ----------
    ids
        Symbols, Entrez IDs, Ensembl gene IDs or miRBase names (list, array,
        ``pandas.Index``...).
    id_type
        ``"auto"`` (see :func:`detect_identifier_type`) or one of ``symbol``,
        ``entrez``, ``ensembl``, ``mirbase``. Elements that are not of the type
        are unmapped (in ``mirbase`` mode, non-miRNA names are resolved as symbols).

    Returns
    -------
    mapped : list of str or None
        The current symbol of each element, ``None`` where unmapped or ambiguous.
    report : GeneMapReport
        What happened (see the module docstring for the rules).

    Raises
    ------
    GeneIdentifierError
        Unknown ``id_type``; probe IDs (they need a platform annotation table);
        ``"auto"`` with no identifier at all.

    Warns
    -----
    SigsurvWarning
        When identifiers look like Excel-mangled dates.

    Examples
    --------
    >>> symbols, report = map_identifiers(["MSK1", "HER2", "TMEM49", "PVRL1", " tp53", "SIP1"])
    >>> symbols
    ['RPS6KA5', 'ERBB2', 'VMP1', 'NECTIN1', 'TP53', None]
    >>> report.ambiguous
    {'SIP1': ['GEMIN2', 'SCAF11', 'SLC9A3R2', 'ZEB2']}
    >>> map_identifiers(["ENSG00000141510.17", "ENSG00000141736"])[0]
    ['TP53', 'ERBB2']
    >>> map_identifiers([7157, "2064"], id_type="entrez")[0]
    ['TP53', 'ERBB2']
    >>> map_identifiers(["hsa-mir-21", "hsa-let-7a-1", "hsa-mir-199a-1"])[0]
    ['MIR21', 'MIRLET7A1', 'MIR199A1']
    """
    values = _as_list(ids)
    if id_type == "auto":
        id_type = detect_identifier_type(values)
    if id_type not in IDENTIFIER_TYPES:
        raise GeneIdentifierError(
            "unknown identifier type",
            expected="auto | " + " | ".join(IDENTIFIER_TYPES),
            found=id_type,
        )
    if id_type == "probe":
        raise GeneIdentifierError(
            "microarray probe identifiers cannot be mapped without the platform annotation",
            found=_examples(str(v) for v in values[:_EXAMPLES_SHOWN]),
            hint="give the platform table (GPL ID + Gene Symbol/ENTREZ_GENE_ID columns)",
        )
    lookup = _lookup()
    resolve = _RESOLVERS[id_type]
    report = GeneMapReport(identifier_type=id_type, n_input=len(values), gene_table=_table_label())
    cache: dict[Any, _Resolution] = {}
    mapped: list[str | None] = []
    unmapped: dict[str, None] = {}
    for value in values:
        key = None if _missing(value) else value
        try:
            resolution = cache[key]
        except KeyError:
            resolution = cache[key] = resolve(key, lookup)
        except TypeError:  # unhashable
            resolution = _Resolution(_UNMAPPED)
        mapped.append(resolution.symbol)
        name = str(value)
        status = resolution.status
        if status == _UNCHANGED:
            report.unchanged += 1
        elif status == _CASE:
            report.case_fixed[name] = resolution.symbol  # type: ignore[assignment]
        elif status == _RENAMED:
            report.renamed[name] = resolution.symbol  # type: ignore[assignment]
        elif status == _AMBIGUOUS:
            report.ambiguous[name] = list(resolution.candidates)
        else:
            unmapped[name] = None
        if resolution.excel:
            report.excel_mangled[name] = list(resolution.candidates)
    report.unmapped = list(unmapped)
    report.mapped = sum(symbol is not None for symbol in mapped)
    if report.excel_mangled:
        warnings.warn(
            f"{len(report.excel_mangled)} gene identifiers look like Excel-mangled dates "
            f"({_examples(report.excel_mangled)}); {len(report.excel_repaired)} repaired, "
            "the others kept as given: re-export the data without opening it in a spreadsheet",
            SigsurvWarning,
            stacklevel=2,
        )
    return mapped, report


def find_excel_mangled(ids: Iterable[Any]) -> dict[str, list[str]]:
    """Find identifiers that look like gene symbols turned into dates by a spreadsheet.

    A string is reported when it is neither a current symbol nor a synonym and reads
    as a date (``9-Sep``, ``Sep-09``, ``1-Mar``, ``2019-03-01``, ``03/01/2019``).
    Its candidates are the symbols that the month spellings followed by the number
    name (``SEPT9`` -> SEPTIN9; ``MARCH1``, ``MARC1``, ``MAR1`` -> MARCHF1, MTARC1,
    RTL1, SETMAR). :func:`map_identifiers` repairs those with exactly one candidate.

    Parameters
    ----------
    ids
        Gene identifiers.

    Returns
    -------
    dict
        ``{identifier: [candidate current symbols]}`` in first-occurrence order
        (an empty list when no gene fits).

    Examples
    --------
    >>> find_excel_mangled(["TP53", "9-Sep", "1-Mar", "SEPT9"])
    {'9-Sep': ['SEPTIN9'], '1-Mar': ['MARCHF1', 'MTARC1', 'RTL1', 'SETMAR']}
    """
    lookup = _lookup()
    found: dict[str, list[str]] = {}
    for value in _as_list(ids):
        if isinstance(value, str) and value not in found:
            resolution = _resolve_symbol(value, lookup)
            if resolution.excel:
                found[value] = list(resolution.candidates)
    return found
