"""Resolution of one identifier (symbol, Entrez, Ensembl, miRBase) to a current symbol."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sigsurv.cohorts.genes._detect import _ENSEMBL_RE, _entrez_value
from sigsurv.cohorts.genes._excel import _excel_candidates
from sigsurv.cohorts.genes._table import _Lookup

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
    excel = _excel_candidates(text, lookup)
    if excel is not None:
        return _from_candidates(excel, excel=True)
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
    r"(?P<copies>(?:-[0-9]+)*)(?P<extra>(?:-[a-z]+)*?)(?P<arm>-[35]p|\*)?$",
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


_RESOLVERS: dict[str, Callable[[Any, _Lookup], _Resolution]] = {
    "symbol": _resolve_symbol,
    "entrez": _resolve_entrez,
    "ensembl": _resolve_ensembl,
    "mirbase": _resolve_mirbase,
}
