"""The shipped human gene table and the lookups built from it (read once per process)."""

from __future__ import annotations

import functools
import gzip
import io
from dataclasses import dataclass
from importlib import resources

import pandas as pd

_TABLE_FILE = "human_genes.tsv.gz"


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
    # the data file stays in sigsurv/cohorts/data/ (scripts/build_gene_table.py writes it)
    data = resources.files("sigsurv.cohorts").joinpath("data").joinpath(_TABLE_FILE)
    return _parse_table(data.read_bytes())


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


def _table_label() -> str:
    meta = _load_table()[1]
    return f"NCBI Gene {meta.get('ncbi_gene_date', '?')} ({meta.get('source_package', '?')})"
