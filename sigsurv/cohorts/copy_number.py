"""Discrete copy-number calls (cBioPortal ``data_cna*.txt``, GISTIC 2.0 thresholded).

Calls per gene and sample: ``-2`` deep (homozygous) deletion, ``-1`` shallow
(hemizygous) deletion, ``0`` neutral, ``1`` gain, ``2`` amplification. cBioPortal writes
them in two layouts, both read here:

* ``DISCRETE`` (wide): ``Hugo_Symbol``, optional ``Entrez_Gene_Id`` / ``Cytoband``, then
  one column per sample;
* ``DISCRETE_LONG``: one row per gene and sample, columns ``Hugo_Symbol``,
  ``Entrez_Gene_Id``, ``Sample_Id``, ``Value`` (and driver annotations, ignored).

A cohort gets the calls of chosen genes as clinical columns ``cna_<GENE>``, so that a
claim about a genetic loss can compare patients by the call
(``cna_MIR424 <= -1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES
from sigsurv.cohorts.text_tables import read_text_table
from sigsurv.errors import FileFormatError

__all__ = [
    "COPY_NUMBER_CALLS",
    "COPY_NUMBER_GENES",
    "copy_number_columns",
    "read_cna_table",
]

#: The discrete calls of GISTIC 2.0 / cBioPortal, with their meaning.
COPY_NUMBER_CALLS = {
    -2: "deep deletion",
    -1: "shallow deletion",
    0: "neutral",
    1: "gain",
    2: "amplification",
}
#: Genes whose calls a loader copies into the clinical table by default: the loci that
#: seed claims are about (miR-424/503 cluster at Xq26.3 and its host gene).
COPY_NUMBER_GENES: tuple[str, ...] = ("MIR424", "MIR503", "MIR503HG")
_MISSING = {"", "NA", "NAN", "[NOT AVAILABLE]"}
_META_COLUMNS = {"entrez_gene_id", "cytoband", "locus id"}


def _call(text: object, file: Path, line: int, column: str) -> float:
    if text is None or str(text).strip().upper() in _MISSING:
        return np.nan
    try:
        value = float(str(text).strip())
    except ValueError:
        value = np.inf
    if value not in COPY_NUMBER_CALLS:
        raise FileFormatError(
            "not a discrete copy-number call",
            file=file,
            line=line,
            column=column,
            expected="-2, -1, 0, 1, 2 or NA",
            found=str(text),
        )
    return value


def read_cna_table(
    path: str | Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> pd.DataFrame:
    """Read a discrete copy-number file (wide or long layout) into genes x samples calls.

    Parameters
    ----------
    path
        ``data_cna.txt`` (wide, ``DISCRETE``) or a ``DISCRETE_LONG`` file.

    Returns
    -------
    pandas.DataFrame
        Genes (``Hugo_Symbol``) x samples, nullable integer calls (``Int8``; missing
        where the file says NA or the long file has no row).

    Raises
    ------
    FileFormatError
        A value that is not -2..2 or NA (file, line, column), no ``Hugo_Symbol``
        column, or a gene or gene-sample pair given twice with different calls.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "data_cna.txt"
    >>> _ = path.write_text("Hugo_Symbol\\tEntrez_Gene_Id\\tS1\\tS2\\n"
    ...                     "MIR424\\t494336\\t-1\\tNA\\nTP53\\t7157\\t0\\t-2\\n")
    >>> read_cna_table(path)
           S1    S2
    gene
    MIR424   -1  <NA>
    TP53      0    -2
    """
    table = read_text_table(path, max_file_bytes=max_file_bytes)
    data, file = table.data, table.file
    lower = {c.lower(): c for c in data.columns}
    if "hugo_symbol" not in lower:
        raise FileFormatError(
            "copy-number file without a Hugo_Symbol column",
            file=file,
            expected="Hugo_Symbol, Entrez_Gene_Id, samples... (or Sample_Id, Value)",
            found=", ".join(map(str, data.columns[:5])),
        )
    genes = data[lower["hugo_symbol"]].astype(str).str.strip()
    if "sample_id" in lower and "value" in lower:
        frame = pd.DataFrame(
            {
                "gene": genes.to_numpy(),
                "sample": data[lower["sample_id"]].astype(str).str.strip().to_numpy(),
                "call": [
                    _call(v, file, table.line_of(i), lower["value"])
                    for i, v in enumerate(data[lower["value"]])
                ],
            }
        )
        frame = frame.drop_duplicates()
        repeated = frame.duplicated(["gene", "sample"], keep=False)
        if repeated.any():
            first = frame[repeated].iloc[0]
            raise FileFormatError(
                "gene and sample given twice with different calls",
                file=file,
                found=f"{first['gene']} / {first['sample']}",
            )
        wide = frame.pivot(index="gene", columns="sample", values="call")
        wide = wide.reindex(index=pd.unique(frame["gene"]), columns=pd.unique(frame["sample"]))
    else:
        samples = [c for c in data.columns if c.lower() not in _META_COLUMNS | {"hugo_symbol"}]
        values = np.array(
            [
                [_call(data[c].iloc[i], file, table.line_of(i), c) for c in samples]
                for i in range(len(data))
            ],
            dtype=float,
        ).reshape(len(data), len(samples))
        wide = pd.DataFrame(values, index=genes.to_numpy(), columns=samples)
        if wide.index.has_duplicates:
            wide = _merge_duplicate_genes(wide, file)
    wide.index.name = "gene"
    wide.columns.name = None
    return wide.astype("Int8")


def _merge_duplicate_genes(wide: pd.DataFrame, file: Path) -> pd.DataFrame:
    """Rows of one symbol (several Entrez ids) are kept only when their calls agree."""
    for gene in wide.index[wide.index.duplicated()].unique():
        rows = wide.loc[[gene]]
        if not (rows.nunique(dropna=False) <= 1).all():
            raise FileFormatError(
                "a gene has several rows with different calls",
                file=file,
                found=str(gene),
                hint="choose one row per Hugo_Symbol",
            )
    return wide[~wide.index.duplicated()]


def copy_number_columns(
    calls: pd.DataFrame, samples: pd.Index, genes: Sequence[str] = COPY_NUMBER_GENES
) -> tuple[pd.DataFrame, list[str]]:
    """Clinical columns ``cna_<GENE>`` of the chosen genes, aligned to ``samples``.

    Samples absent from the copy-number file get missing calls (not 0: not profiled
    is not neutral).

    Returns
    -------
    (columns, absent_genes)
        Samples x ``cna_<GENE>`` (``Int8``) for the genes the file has, and the genes
        it lacks.

    Examples
    --------
    >>> calls = pd.DataFrame({"S1": [-1, 0]}, index=["MIR424", "TP53"]).astype("Int8")
    >>> columns, absent = copy_number_columns(calls, pd.Index(["S1", "S9"]), ["MIR424", "MIR503"])
    >>> columns["cna_MIR424"].tolist(), absent
    ([-1, <NA>], ['MIR503'])
    """
    present = [g for g in genes if g in calls.index]
    absent = [g for g in genes if g not in calls.index]
    columns = pd.DataFrame(
        {f"cna_{g}": calls.loc[g].reindex(samples).astype("Int8") for g in present},
        index=samples,
    )
    return columns, absent
