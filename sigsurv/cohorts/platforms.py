"""Platform tables (probe -> gene annotations) and probe-level matrices mapped to genes.

Shared by the GEO loaders and plain expression tables given with ``--platform``:
GEO ``GPL*.annot`` / ``GPL*.txt`` / ``GPL*-tbl-1.txt`` files, idmap-style two-column
maps and user tables with a probe column and a gene symbol or Entrez column.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES, NA_VALUES, read_lines
from sigsurv.cohorts.text_tables import read_text_table
from sigsurv.errors import FileFormatError, GeneIdentifierError

__all__ = ["map_probes", "read_platform_table"]

_SYMBOL_COLUMNS = ("Gene Symbol", "GENE_SYMBOL", "Gene symbol", "Symbol", "SYMBOL", "gene_symbol")
_ENTREZ_COLUMNS = ("ENTREZ_GENE_ID", "Entrez Gene", "Entrez_Gene_ID", "EntrezGene.ID", "GENE")
_MULTI_GENE = re.compile(r"\s*///\s*|\s*//\s*|;")


# Affymetrix/GEO write '---' (or '-', '--') for "no gene"; NA spellings mean the same.
_PLACEHOLDER = re.compile(r"-+")


def _single_gene(value: str | None) -> str | None:
    """The one gene a platform cell names; None for placeholders, empty or several genes."""
    if value is None:
        return None
    text = value.strip()
    if not text or _PLACEHOLDER.fullmatch(text) or text in NA_VALUES:
        return None
    if len([g for g in _MULTI_GENE.split(text) if g.strip()]) != 1:
        return None
    return text


def read_platform_table(
    path: str | Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[pd.Series, str]:
    """Read a platform annotation table into ``probe -> gene`` (symbol or Entrez).

    Accepts GEO GPL SOFT/annotation downloads (``#`` comment lines,
    ``!platform_table_begin`` / ``_end`` markers) or plain TSV/CSV with an ``ID``
    column and a gene symbol (``Gene Symbol``, ``GENE_SYMBOL``...) or Entrez
    (``ENTREZ_GENE_ID``) column. Probes annotated with several genes
    (``A /// B``) map to ``None`` (reported by the loader). ``max_file_bytes`` is the
    input limit (see :class:`sigsurv.cohorts.options.LoadOptions`).

    Returns
    -------
    (mapping, kind)
        Series indexed by probe ID, and ``symbol`` or ``entrez``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "GPL.tsv"
    >>> text = "#ID = probe\\nID\\tGene Symbol\\np1\\tTP53\\np2\\tA /// B\\np3\\t---\\n"
    >>> _ = path.write_text(text)
    >>> mapping, kind = read_platform_table(path)
    >>> mapping.to_dict(), kind
    ({'p1': 'TP53', 'p2': None, 'p3': None}, 'symbol')
    """
    file = Path(path)
    lines = read_lines(file, max_file_bytes=max_file_bytes)
    start = next(
        (i + 1 for i, line in enumerate(lines) if line.lower().startswith("!platform_table_begin")),
        0,
    )
    stop = next(
        (i for i, line in enumerate(lines) if line.lower().startswith("!platform_table_end")),
        len(lines),
    )
    body = [line for line in lines[start:stop] if not line.startswith(("#", "^", "!"))]
    # GEO .annot files repeat GO:Function/Process/Component (terms, then IDs) by design.
    table = read_text_table(
        file, lines=body, first_line_number=start + 1, sep="\t", duplicate_names="number"
    )
    frame = table.data
    id_column = next((c for c in ("ID", "ID_REF", "Probe", "probe") if c in frame.columns), None)
    if id_column is None:
        raise FileFormatError(
            "platform table has no probe ID column",
            file=file,
            expected="an 'ID' column",
            found=", ".join(frame.columns[:8]),
        )
    gene_column = next((c for c in _SYMBOL_COLUMNS if c in frame.columns), None)
    kind = "symbol"
    if gene_column is None:
        gene_column = next((c for c in _ENTREZ_COLUMNS if c in frame.columns), None)
        kind = "entrez"
    if gene_column is None:
        raise FileFormatError(
            "platform table has no gene column",
            file=file,
            expected="'Gene Symbol' / 'GENE_SYMBOL' or 'ENTREZ_GENE_ID'",
            found=", ".join(frame.columns[:8]),
        )
    genes = frame[gene_column].map(_single_gene)
    mapping = pd.Series(genes.to_numpy(), index=frame[id_column].astype(str).to_numpy())
    if mapping.index.has_duplicates:
        duplicated = mapping.index[mapping.index.duplicated()][0]
        raise FileFormatError("duplicated probe ID in platform table", file=file, found=duplicated)
    return mapping, kind


def map_probes(
    values: pd.DataFrame,
    platform: str | Path,
    *,
    collapse: str = "max_mean",
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[pd.DataFrame, list[str]]:
    """Map probe rows to genes with a platform table and collapse probes of one gene.

    Probes absent from the platform table, or annotated with no or several genes,
    are excluded and counted in the returned messages. ``max_file_bytes`` is the
    input limit for the platform table.

    Returns
    -------
    (genes x samples values, messages)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "GPL.tsv"
    >>> _ = path.write_text("ID\\tGene Symbol\\np1\\tTP53\\np2\\tTP53\\np3\\tA /// B\\n")
    >>> frame = pd.DataFrame({"s1": [1.0, 3.0, 2.0]}, index=["p1", "p2", "p3"])
    >>> genes, notes = map_probes(frame, path)
    >>> genes["s1"].to_dict()
    {'TP53': 3.0}
    """
    mapping, kind = read_platform_table(platform, max_file_bytes=max_file_bytes)
    genes = mapping.reindex(values.index)
    absent = genes.index[~genes.index.isin(mapping.index)]
    no_gene = genes.isna().sum() - len(absent)
    keep = genes.notna().to_numpy()
    if not keep.any():
        raise GeneIdentifierError(
            "no probe of the expression matrix maps to a gene with this platform table",
            file=platform,
            expected=f"probe IDs like {', '.join(map(str, values.index[:3]))}",
            found=", ".join(mapping.index[:3]),
        )
    messages = [
        f"probes -> genes with {Path(platform).name}: {int(keep.sum())} of {len(keep)} "
        f"probes mapped; {len(absent)} not in the platform table and {int(no_gene)} with "
        "no or several genes excluded"
    ]
    from sigsurv.cohorts.genes import collapse_duplicates, map_identifiers

    probe_values = values.loc[keep]
    keys = genes[keep].astype(str).to_numpy()
    if kind == "entrez":
        mapped, _ = map_identifiers(list(keys), id_type="entrez")
        keys = np.array(
            [m if m is not None else f"ENTREZ:{k}" for m, k in zip(mapped, keys, strict=True)]
        )
    n_probes = len(keys)
    collapsed, _ = collapse_duplicates(probe_values, list(keys), collapse)
    messages.append(f"{n_probes} probes collapsed to {collapsed.shape[0]} genes (rule: {collapse})")
    return collapsed, messages
