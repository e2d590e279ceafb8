"""Gene identifiers: map symbols, aliases, Entrez, Ensembl and miRBase names to current symbols.

Every mapping uses a compact human gene table shipped with sigsurv
(``sigsurv/cohorts/data/human_genes.tsv.gz``): NCBI Gene for *Homo sapiens* as
carried by Bioconductor's ``org.Hs.eg.db`` (Debian package ``r-bioc-org.hs.eg.db``;
the exact version and NCBI snapshot date are in :func:`gene_table_metadata`).
``scripts/build_gene_table.py`` regenerates it.

Resolution rules (applied to each identifier, the first that applies wins):

1. **Symbols** are stripped of surrounding whitespace. A current symbol maps to
   itself; the same symbol in another case (``tp53``, ``C1ORF112``) or with ``_``
   for ``-`` (``HLA_A``) maps to the table's spelling (``TP53``, ``C1orf112``,
   ``HLA-A``) and is reported as a case fix.
2. A **previous symbol or alias** (NCBI Gene's *Synonyms*, which mix HGNC
   previous and alias symbols; matched case-insensitively) maps to the current
   symbol when it names exactly one gene (``MSK1`` -> ``RPS6KA5``). One naming
   several genes (``SIP1``: GEMIN2, SCAF11, SLC9A3R2, ZEB2) is **ambiguous**: it
   is reported with its candidates and never mapped. A current symbol always
   wins over a synonym of another gene.
3. **Excel date-mangled symbols** (``9-Sep``, ``Sep-09``, ``1-Mar``, ``1-Dec``,
   ``2019-03-01``...) are detected and reported. The candidates are the month
   spellings followed by the number (``SEPT9``, ``SEP9``; ``MARCH1``, ``MARC1``,
   ``MAR1``...) resolved as in 1-2; the identifier is repaired only when they
   name exactly one current symbol (``9-Sep`` -> ``SEPTIN9``), otherwise it is
   ambiguous (``1-Mar``: MARCHF1, MTARC1, ...).
4. **Entrez Gene IDs** (ints or digit strings) and **Ensembl gene IDs** (version
   and ``_PAR_Y`` suffixes stripped) map through the table; an Ensembl ID shared
   by genes with different symbols is ambiguous.
5. **miRBase names** (``hsa-mir-21``, ``hsa-let-7a-1``, ``hsa-miR-21-5p``) map to
   the HGNC miRNA gene: the HGNC spelling of the precursor (``MIR21``,
   ``MIRLET7A1``, ``MIR1-1``) if it is a current symbol, else NCBI's synonyms of
   the name (``hsa-mir-1245`` -> ``MIR1245A``); a mature name or a precursor
   family without its copy number (``hsa-let-7a-5p``) is ambiguous when several
   genes encode it (MIRLET7A1, MIRLET7A2, MIRLET7A3).
6. **Probe IDs** (Affymetrix, Illumina, Agilent) are recognised but need the
   platform's annotation table (the GEO loader does that, then calls
   :func:`collapse_duplicates`).

Unmapped and ambiguous identifiers are kept as given by
:func:`harmonise_expression` and listed in the :class:`GeneMapReport`.
"""

from __future__ import annotations

import functools
import gzip
import io
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.errors import CohortValidationError, GeneIdentifierError, SigsurvWarning

__all__ = [
    "COLLAPSE_RULES",
    "IDENTIFIER_TYPES",
    "GeneMapReport",
    "collapse_duplicates",
    "detect_identifier_type",
    "find_excel_mangled",
    "gene_table",
    "gene_table_metadata",
    "harmonise_expression",
    "is_current_symbol",
    "map_identifiers",
]

IDENTIFIER_TYPES: tuple[str, ...] = ("symbol", "entrez", "ensembl", "mirbase", "probe")
COLLAPSE_RULES: tuple[str, ...] = ("max_mean", "max_var", "mean")
_TABLE_FILE = "human_genes.tsv.gz"
_EXAMPLES_SHOWN = 5

# ---------------------------------------------------------------------------
# the shipped table
# ---------------------------------------------------------------------------


def _parse_table(raw: bytes) -> tuple[pd.DataFrame, dict[str, str]]:
    """Parse the gzip TSV written by ``scripts/build_gene_table.py``."""
    text = gzip.decompress(raw).decode("utf-8")
    metadata: dict[str, str] = {}
    n_header = 0
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        n_header += 1
        key, sep, value = line[1:].partition(":")
        if sep and " " not in key.strip():
            metadata[key.strip()] = value.strip()
    table = pd.read_csv(
        io.StringIO(text),
        sep="\t",
        skiprows=n_header,
        dtype={"entrez_id": "int64"},
        keep_default_na=False,
        na_filter=False,
    )
    for column in ("symbol", "name", "locus_type", "chromosome", "aliases", "ensembl"):
        table[column] = table[column].astype(str)
    return table, metadata


@functools.lru_cache(maxsize=1)
def _load_table() -> tuple[pd.DataFrame, dict[str, str]]:
    return _parse_table(
        resources.files("sigsurv.cohorts").joinpath("data", _TABLE_FILE).read_bytes()
    )


def gene_table() -> pd.DataFrame:
    """Return the shipped human gene table (one row per NCBI Gene record).

    Returns
    -------
    pandas.DataFrame
        Columns ``entrez_id`` (int), ``symbol`` (current symbol), ``name``,
        ``locus_type`` (NCBI gene type), ``chromosome``, ``aliases`` and
        ``ensembl`` (``|``-separated; empty string when none). Rows are sorted by
        Entrez ID. ``DataFrame.attrs["source"]`` holds :func:`gene_table_metadata`.
        The table is read once per process; each call returns a copy.

    Examples
    --------
    >>> table = gene_table()
    >>> row = table.loc[table["symbol"] == "ERBB2"].iloc[0]
    >>> int(row["entrez_id"]), row["locus_type"], "HER2" in row["aliases"].split("|")
    (2064, 'protein-coding', True)
    """
    table, metadata = _load_table()
    copy = table.copy()
    copy.attrs["source"] = dict(metadata)
    return copy


def gene_table_metadata() -> dict[str, str]:
    """Return the provenance of the shipped gene table (source package, NCBI date...).

    Examples
    --------
    >>> meta = gene_table_metadata()
    >>> meta["source_package"]
    'Debian r-bioc-org.hs.eg.db 3.16.0-1'
    >>> meta["ncbi_gene_date"]
    '2022-Sep12'
    """
    return dict(_load_table()[1])


@dataclass(frozen=True)
class _Lookup:
    symbols: frozenset[str]
    symbol_by_upper: dict[str, str]
    alias_targets: dict[str, tuple[str, ...]]  # upper-case synonym -> current symbols
    by_entrez: dict[int, str]
    by_ensembl: dict[str, tuple[str, ...]]


def _multi_map(keys: list[str], values: list[str]) -> dict[str, tuple[str, ...]]:
    """``key -> sorted distinct values`` for the ``|``-separated ``keys`` cells."""
    targets: dict[str, set[str]] = {}
    for cell, value in zip(keys, values, strict=True):
        if cell:
            for key in cell.split("|"):
                targets.setdefault(key, set()).add(value)
    return {key: tuple(sorted(found)) for key, found in targets.items()}


@functools.lru_cache(maxsize=1)
def _lookup() -> _Lookup:
    table, _ = _load_table()
    symbols = table["symbol"].tolist()
    # no two current symbols differ only by case (checked by the tests)
    symbol_by_upper = {symbol.upper(): symbol for symbol in symbols}
    return _Lookup(
        symbols=frozenset(symbols),
        symbol_by_upper=symbol_by_upper,
        alias_targets=_multi_map([cell.upper() for cell in table["aliases"].tolist()], symbols),
        by_entrez=dict(zip(table["entrez_id"].tolist(), symbols, strict=True)),
        by_ensembl=_multi_map([cell.upper() for cell in table["ensembl"].tolist()], symbols),
    )


def is_current_symbol(symbol: str) -> bool:
    """Tell whether ``symbol`` is, exactly (case-sensitive), a current gene symbol.

    Examples
    --------
    >>> is_current_symbol("ERBB2"), is_current_symbol("HER2"), is_current_symbol("erbb2")
    (True, False, False)
    """
    return isinstance(symbol, str) and symbol in _lookup().symbols


# ---------------------------------------------------------------------------
# identifier type detection
# ---------------------------------------------------------------------------

_ENSEMBL_RE = re.compile(r"^\s*(ENSG\d{11})(?:\.\d+)?(?:_PAR_Y)?\s*$", re.IGNORECASE)
_ENTREZ_RE = re.compile(r"^\s*(\d+)(?:\.0+)?\s*$")
_MIRNA_RE = re.compile(r"^\s*(?:hsa-)?(?:mir|let)-\w", re.IGNORECASE)
_PROBE_RE = re.compile(
    r"^\s*(?:AFFX[-_]\S+|[A-Za-z0-9.\-]+_(?:[a-z]_)?at|ILMN_\d+|A_\d+_P\d+|PH_hs_\d+)\s*$"
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


# ---------------------------------------------------------------------------
# resolution of one identifier
# ---------------------------------------------------------------------------

# status codes of a resolution
_UNCHANGED, _CASE, _RENAMED, _AMBIGUOUS, _UNMAPPED = (
    "unchanged",
    "case_fixed",
    "renamed",
    "ambiguous",
    "unmapped",
)


@dataclass(frozen=True)
class _Resolution:
    status: str
    symbol: str | None = None
    candidates: tuple[str, ...] = ()
    excel: bool = False


def _from_candidates(candidates: Sequence[str], *, excel: bool = False) -> _Resolution:
    unique = tuple(sorted(set(candidates)))
    if len(unique) == 1:
        return _Resolution(_RENAMED, unique[0], unique, excel)
    if unique:
        return _Resolution(_AMBIGUOUS, None, unique, excel)
    return _Resolution(_UNMAPPED, None, (), excel)


def _symbol_or_alias(text: str, lookup: _Lookup) -> tuple[str, ...]:
    """Current symbols that ``text`` (stripped) names: itself, its case-fixed form, or
    the genes it is a synonym of."""
    if text in lookup.symbols:
        return (text,)
    upper = text.upper()
    current = lookup.symbol_by_upper.get(upper)
    if current is not None:
        return (current,)
    return lookup.alias_targets.get(upper, ())


_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# spellings a gene symbol can start with that Excel reads as a month
_MONTH_PREFIXES: dict[int, tuple[str, ...]] = {
    number: tuple(dict.fromkeys((name[:3].upper(), name.upper())))
    for number, name in enumerate(_MONTHS, start=1)
}
_MONTH_PREFIXES[3] += ("MARC",)  # MARC1/MARC2 (now MTARC1/2) were renamed for this reason
_MONTH_PREFIXES[9] += ("SEPT",)  # SEPT1..SEPT14 (now SEPTIN*)
_SEP = r"[-/ .]"
_DAY_MONTH_RE = re.compile(rf"^(\d{{1,2}}){_SEP}([A-Za-z]{{3,9}})\.?(?:{_SEP}\d{{2,4}})?$")
_MONTH_DAY_RE = re.compile(rf"^([A-Za-z]{{3,9}})\.?{_SEP}(\d{{1,2}})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_SLASH_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")


def _month_number(token: str) -> int | None:
    token = token.lower()
    for number, name in enumerate(_MONTHS, start=1):
        if len(token) >= 3 and name.startswith(token):
            return number
    return None


def _excel_date_parts(text: str) -> list[tuple[int, int]]:
    """(month, number) readings of a string that looks like an Excel date, else []."""
    readings: list[tuple[int, int]] = []
    if match := _DAY_MONTH_RE.match(text):
        month = _month_number(match.group(2))
        if month is not None:
            readings.append((month, int(match.group(1))))
    elif match := _MONTH_DAY_RE.match(text):
        month = _month_number(match.group(1))
        if month is not None:
            readings.append((month, int(match.group(2))))
    elif match := _ISO_RE.match(text):
        readings.append((int(match.group(2)), int(match.group(3))))
    elif match := _SLASH_RE.match(text):
        first, second = int(match.group(1)), int(match.group(2))
        readings.extend([(first, second), (second, first)])  # month/day or day/month
    return [(m, n) for m, n in dict.fromkeys(readings) if 1 <= m <= 12 and 1 <= n <= 31]


def _resolve_excel(text: str, lookup: _Lookup) -> _Resolution | None:
    readings = _excel_date_parts(text)
    if not readings:
        return None
    candidates: list[str] = []
    for month, number in readings:
        for prefix in _MONTH_PREFIXES[month]:
            candidates.extend(_symbol_or_alias(f"{prefix}{number}", lookup))
    return _from_candidates(candidates, excel=True)


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


def _resolve_symbol(value: Any, lookup: _Lookup) -> _Resolution:
    if not isinstance(value, str):
        return _Resolution(_UNMAPPED)
    text = value.strip()
    if not text:
        return _Resolution(_UNMAPPED)
    # some files write HLA_A, NKX2_5 for HLA-A, NKX2-5: tried after the spelling as given
    spellings = [text, text.replace("_", "-")] if "_" in text else [text]
    for spelling in spellings:
        current = lookup.symbol_by_upper.get(spelling.upper())
        if current is not None:
            return _Resolution(_UNCHANGED if current == value else _CASE, current, (current,))
    for spelling in spellings:
        targets = lookup.alias_targets.get(spelling.upper())
        if targets:
            return _from_candidates(targets)
    excel = _resolve_excel(text, lookup)
    if excel is not None:
        return excel
    return _Resolution(_UNMAPPED)


def _resolve_entrez(value: Any, lookup: _Lookup) -> _Resolution:
    number = _entrez_value(value)
    symbol = None if number is None else lookup.by_entrez.get(number)
    return _Resolution(_UNMAPPED) if symbol is None else _Resolution(_RENAMED, symbol, (symbol,))


def _resolve_ensembl(value: Any, lookup: _Lookup) -> _Resolution:
    match = _ENSEMBL_RE.match(value) if isinstance(value, str) else None
    if match is None:
        return _Resolution(_UNMAPPED)
    return _from_candidates(lookup.by_ensembl.get(match.group(1).upper(), ()))


_MIRBASE_RE = re.compile(
    r"^(?:(?P<species>[a-z]{3})-)?(?P<kind>mir|let)-(?P<core>[0-9]+[a-z]*|7[a-z]+)"
    r"(?P<copies>(?:-\d+)*)(?P<extra>(?:-[a-z]+)*?)(?P<arm>-[35]p|\*)?$",
    re.IGNORECASE,
)


def _hgnc_mirna(kind: str, core: str, copies: Sequence[str]) -> str:
    """HGNC spelling of a miRNA gene: MIR + name, copy numbers appended (with a hyphen
    after a digit: mir-1-1 -> MIR1-1, mir-199a-1 -> MIR199A1)."""
    symbol = ("MIRLET" if kind.lower() == "let" else "MIR") + core.upper()
    for copy in copies:
        symbol += ("-" if symbol[-1].isdigit() else "") + copy
    return symbol


def _resolve_mirbase(value: Any, lookup: _Lookup) -> _Resolution:
    if not isinstance(value, str):
        return _Resolution(_UNMAPPED)
    text = value.strip()
    match = _MIRBASE_RE.match(text)
    if match is None:
        # a symbol (MIR21) or a gene among miRNAs: resolve as a symbol
        return _resolve_symbol(value, lookup)
    species = match.group("species")
    if species is not None and species.lower() != "hsa":
        return _Resolution(_UNMAPPED)
    kind, core, extra = match.group("kind"), match.group("core"), match.group("extra")
    copies = [c for c in match.group("copies").split("-") if c]
    symbol = None if extra else _hgnc_mirna(kind, core, copies)
    if symbol in lookup.symbols:
        return _Resolution(_RENAMED, symbol, (symbol,))
    # NCBI lists miRBase names (hsa-mir-1245, hsa-mir-103-1-as) among the synonyms
    names = [text, text[: match.start("arm")] if match.group("arm") else text]
    if symbol is not None:
        names.append(symbol)
    for name in dict.fromkeys(names):
        targets = lookup.alias_targets.get(name.upper())
        if targets:
            return _from_candidates(targets)
    if symbol is not None and not copies:
        # a mature name or a family: every copy of the precursor encodes it
        family = [_hgnc_mirna(kind, core, [str(copy)]) for copy in range(1, 10)]
        return _from_candidates([name for name in family if name in lookup.symbols])
    return _Resolution(_UNMAPPED)


_RESOLVERS = {
    "symbol": _resolve_symbol,
    "entrez": _resolve_entrez,
    "ensembl": _resolve_ensembl,
    "mirbase": _resolve_mirbase,
}

# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------


def _examples(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:_EXAMPLES_SHOWN])
    return shown + (", ..." if len(items) > _EXAMPLES_SHOWN else "")


@dataclass
class GeneMapReport:
    """What happened to each gene identifier during harmonisation.

    Counts (``n_input``, ``mapped``, ``unchanged``) are per element; the dicts
    and lists hold distinct inputs (as strings) in first-occurrence order.

    Attributes
    ----------
    identifier_type
        ``symbol``, ``entrez``, ``ensembl``, ``mirbase`` or ``probe``.
    n_input
        Number of identifiers given.
    mapped
        How many were mapped to a current symbol.
    unchanged
        How many were already current symbols, exactly as given.
    renamed
        ``{input: current symbol}`` for previous symbols / aliases, repaired Excel
        dates, and every translated Entrez / Ensembl / miRBase identifier.
    case_fixed
        ``{input: current symbol}`` for symbols given in another case or with
        surrounding whitespace.
    ambiguous
        ``{input: [candidate symbols]}``: names several genes; not mapped.
    unmapped
        Identifiers that name no gene of the table; not mapped.
    collapsed
        ``{symbol: [inputs]}``: rows that ended up with the same identifier and were
        collapsed into one (filled by :func:`harmonise_expression`).
    excel_mangled
        ``{input: [candidate symbols]}`` for identifiers that look like Excel dates;
        exactly one candidate means it was repaired (and is also in ``renamed``),
        several that it is ambiguous, none that it is unmapped.
    collapse_rule
        The rule used to collapse duplicates (``None`` before collapsing).
    collapse_kept
        ``{symbol: input}``: the row kept for each collapsed symbol (``max_mean``
        and ``max_var`` rules).
    n_output
        Number of rows after collapsing (``None`` before collapsing).
    gene_table
        Provenance of the gene table used.
    """

    identifier_type: str
    n_input: int = 0
    mapped: int = 0
    unchanged: int = 0
    renamed: dict[str, str] = field(default_factory=dict)
    case_fixed: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    collapsed: dict[str, list[str]] = field(default_factory=dict)
    excel_mangled: dict[str, list[str]] = field(default_factory=dict)
    collapse_rule: str | None = None
    collapse_kept: dict[str, str] = field(default_factory=dict)
    n_output: int | None = None
    gene_table: str = ""

    @property
    def n_not_mapped(self) -> int:
        """How many identifiers (elements) were not mapped: unmapped plus ambiguous."""
        return self.n_input - self.mapped

    @property
    def excel_repaired(self) -> dict[str, str]:
        """``{input: symbol}`` for the Excel-mangled identifiers that were repaired."""
        return {key: value[0] for key, value in self.excel_mangled.items() if len(value) == 1}

    def summary(self) -> str:
        """One paragraph describing the harmonisation, for a CLI to print.

        Examples
        --------
        >>> _, report = map_identifiers(["TP53", "HER2", "SIP1", "NOTAGENE"])
        >>> print(report.summary())  # doctest: +NORMALIZE_WHITESPACE
        4 symbol identifiers: 2 mapped to current symbols (1 unchanged; 1 renamed: HER2->ERBB2);
        1 ambiguous, kept as given (SIP1: GEMIN2|SCAF11|SLC9A3R2|ZEB2);
        1 unmapped, kept as given (NOTAGENE).
        """
        parts = [f"{self.n_input} {self.identifier_type} identifiers: {self.mapped} mapped"]
        details = [f"{self.unchanged} unchanged"] if self.identifier_type == "symbol" else []
        if self.case_fixed:
            pairs = (f"{k}->{v}" for k, v in self.case_fixed.items())
            details.append(f"{len(self.case_fixed)} case-fixed: {_examples(pairs)}")
        if self.renamed:
            pairs = (f"{k}->{v}" for k, v in self.renamed.items())
            details.append(f"{len(self.renamed)} renamed: {_examples(pairs)}")
        parts[0] += " to current symbols" + (f" ({'; '.join(details)})" if details else "")
        if self.ambiguous:
            pairs = (f"{k}: {'|'.join(v)}" for k, v in self.ambiguous.items())
            parts.append(f"{len(self.ambiguous)} ambiguous, kept as given ({_examples(pairs)})")
        if self.unmapped:
            parts.append(
                f"{len(self.unmapped)} unmapped, kept as given ({_examples(self.unmapped)})"
            )
        if self.excel_mangled:
            repaired = self.excel_repaired
            others = [key for key in self.excel_mangled if key not in repaired]
            parts.append(
                f"{len(self.excel_mangled)} look like Excel-mangled dates "
                f"({len(repaired)} repaired: "
                f"{_examples(f'{k}->{v}' for k, v in repaired.items()) or 'none'}; "
                f"not repaired: {_examples(others) or 'none'})"
            )
        if self.collapse_rule is not None:
            n_rows = sum(len(v) for v in self.collapsed.values())
            parts.append(
                f"{len(self.collapsed)} identifiers occurred on several rows: {n_rows} rows "
                f"collapsed by rule {self.collapse_rule} ({self.n_output} rows remain)"
                if self.collapsed
                else f"no duplicated identifiers ({self.n_output} rows)"
            )
        return "; ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field.

        Examples
        --------
        >>> import json
        >>> _, report = map_identifiers(["MSK1"])
        >>> json.loads(json.dumps(report.to_dict()))["renamed"]
        {'MSK1': 'RPS6KA5'}
        """
        data = asdict(self)
        data["n_not_mapped"] = self.n_not_mapped
        return data


def _table_label() -> str:
    meta = _load_table()[1]
    return f"NCBI Gene {meta.get('ncbi_gene_date', '?')} ({meta.get('source_package', '?')})"


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


# ---------------------------------------------------------------------------
# collapsing duplicated rows
# ---------------------------------------------------------------------------


def _check_rule(rule: str) -> None:
    if rule not in COLLAPSE_RULES:
        raise GeneIdentifierError(
            "unknown collapse rule", expected=" | ".join(COLLAPSE_RULES), found=rule
        )


def _collapse(
    expression: pd.DataFrame, keys: Sequence[Any], rule: str
) -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, str]]:
    _check_rule(rule)
    if not isinstance(expression, pd.DataFrame):
        raise GeneIdentifierError(
            "expression must be a pandas DataFrame (genes x samples)",
            found=type(expression).__name__,
        )
    keys = list(keys)
    if len(keys) != expression.shape[0]:
        raise GeneIdentifierError(
            "one key per expression row is needed",
            expected=f"{expression.shape[0]} keys",
            found=f"{len(keys)} keys",
        )
    codes, uniques = pd.factorize(pd.Index(keys, dtype=object), sort=False, use_na_sentinel=False)
    index = pd.Index(uniques, dtype=object, name=expression.index.name)
    if len(uniques) == len(keys):
        result = expression.copy()
        result.index = index
        return result, {}, {}
    non_numeric = [c for c, t in expression.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
    if non_numeric:
        raise CohortValidationError(
            "duplicated genes cannot be collapsed: expression values are not numeric",
            column=str(non_numeric[0]),
            found=str(expression.dtypes[non_numeric[0]]),
        )
    values = expression.to_numpy(dtype=float)
    n_rows = len(keys)
    positions = np.arange(n_rows)
    # rows of each duplicated key, in input order
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=len(uniques))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    duplicated_codes = np.flatnonzero(sizes > 1)
    labels = expression.index.tolist()
    collapsed = {
        str(uniques[code]): [
            str(labels[i]) for i in order[starts[code] : starts[code] + sizes[code]].tolist()
        ]
        for code in duplicated_codes.tolist()
    }
    kept: dict[str, str] = {}
    if rule == "mean":
        # pandas' grouped mean skips missing values; a key with none left gives NaN
        means = pd.DataFrame(values).groupby(codes, sort=True).mean().to_numpy()
        result = pd.DataFrame(means, index=index, columns=expression.columns)
        return result, collapsed, kept
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without values -> NaN
        if rule == "max_mean":
            score = np.nanmean(values, axis=1)
        else:
            score = np.nanvar(values, axis=1, ddof=1)
    score = np.where(np.isnan(score), -np.inf, score)
    # per key: highest score first, ties broken by input order
    ranked = np.lexsort((positions, -score, codes))
    first = np.ones(n_rows, dtype=bool)
    first[1:] = codes[ranked][1:] != codes[ranked][:-1]
    winners = ranked[first]  # one per key, in code (= first-occurrence) order
    result = expression.iloc[winners].copy()
    result.index = index
    kept = {str(uniques[code]): str(labels[winners[code]]) for code in duplicated_codes.tolist()}
    return result, collapsed, kept


def collapse_duplicates(
    expression: pd.DataFrame, keys: Sequence[Any], rule: str = "max_mean"
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Collapse the rows of ``expression`` that share a key into one row per key.

    Parameters
    ----------
    expression
        Rows x samples numeric matrix (e.g. probes x samples).
    keys
        One key per row (e.g. the gene symbol of each probe). Missing keys form
        their own group.
    rule
        ``max_mean`` (default): keep the row with the highest mean over the samples
        (missing values ignored), as genefu and KM-plotter-style tools do;
        ``max_var``: keep the row with the highest variance (``ddof=1``, missing
        values ignored); ``mean``: average the rows sample by sample (missing
        values ignored). Ties go to the row that comes first; a row without
        values is never preferred to one with values.

    Returns
    -------
    collapsed_expression : pandas.DataFrame
        One row per distinct key, indexed by key, in order of first occurrence.
    collapsed : dict
        ``{key: [row labels]}`` for each key that had several rows.

    Examples
    --------
    >>> import pandas as pd
    >>> probes = pd.DataFrame({"s1": [4.0, 6.0, 2.0], "s2": [4.0, 0.0, 2.0]},
    ...                       index=["p1", "p2", "p3"])
    >>> keys = ["ESR1", "ESR1", "ERBB2"]
    >>> frame, collapsed = collapse_duplicates(probes, keys)
    >>> frame
            s1   s2
    ESR1   4.0  4.0
    ERBB2  2.0  2.0
    >>> collapsed
    {'ESR1': ['p1', 'p2']}
    >>> collapse_duplicates(probes, keys, rule="max_var")[0].loc["ESR1"].tolist()
    [6.0, 0.0]
    >>> collapse_duplicates(probes, keys, rule="mean")[0].loc["ESR1"].tolist()
    [5.0, 2.0]
    """
    result, collapsed, _ = _collapse(expression, keys, rule)
    return result, collapsed


def harmonise_expression(
    expression: pd.DataFrame, id_type: str = "auto", *, collapse: str = "max_mean"
) -> tuple[pd.DataFrame, GeneMapReport]:
    """Rename the rows of a genes x samples matrix to current symbols.

    Rows are mapped with :func:`map_identifiers`; unmapped and ambiguous rows keep
    their original identifier (reported, not dropped). Rows that end up with the
    same identifier are collapsed with :func:`collapse_duplicates` (rule
    ``collapse``) and listed in ``report.collapsed``. Surviving rows keep the order
    of their first occurrence; the columns are untouched.

    Parameters
    ----------
    expression
        Genes x samples matrix; the index holds the identifiers.
    id_type
        ``"auto"`` or one of ``symbol``, ``entrez``, ``ensembl``, ``mirbase``.
    collapse
        ``max_mean`` (default), ``max_var`` or ``mean``.

    Returns
    -------
    harmonised : pandas.DataFrame
    report : GeneMapReport

    Warns
    -----
    SigsurvWarning
        When fewer than half of the identifiers map (wrong ``id_type`` or organism?)
        or identifiers look like Excel-mangled dates.

    Examples
    --------
    >>> import pandas as pd
    >>> expr = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 0.0, 3.0, 0.0]},
    ...                     index=["ERBB2", "HER2", "SIP1", "TMEM49"])
    >>> harmonised, report = harmonise_expression(expr)
    >>> harmonised
             a    b
    ERBB2  1.0  1.0
    SIP1   3.0  3.0
    VMP1   4.0  0.0
    >>> report.collapsed, report.collapse_kept
    ({'ERBB2': ['ERBB2', 'HER2']}, {'ERBB2': 'ERBB2'})
    """
    _check_rule(collapse)
    if not isinstance(expression, pd.DataFrame):
        raise GeneIdentifierError(
            "expression must be a pandas DataFrame (genes x samples)",
            found=type(expression).__name__,
        )
    original = list(expression.index)
    mapped, report = map_identifiers(original, id_type)
    keys = [
        orig if symbol is None else symbol for symbol, orig in zip(mapped, original, strict=True)
    ]
    result, collapsed, kept = _collapse(expression, keys, collapse)
    report.collapsed = collapsed
    report.collapse_kept = kept
    report.collapse_rule = collapse
    report.n_output = result.shape[0]
    if report.n_input and report.mapped * 2 < report.n_input:
        warnings.warn(
            f"only {report.mapped} of {report.n_input} {report.identifier_type} identifiers "
            "map to current gene symbols (wrong identifier type or organism?)",
            SigsurvWarning,
            stacklevel=2,
        )
    return result, report
