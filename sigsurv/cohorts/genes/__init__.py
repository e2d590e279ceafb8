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

from sigsurv.cohorts.genes._collapse import (
    COLLAPSE_RULES,
    collapse_duplicates,
    harmonise_expression,
)
from sigsurv.cohorts.genes._detect import IDENTIFIER_TYPES, detect_identifier_type
from sigsurv.cohorts.genes._map import find_excel_mangled, map_identifiers
from sigsurv.cohorts.genes._report import GeneMapReport
from sigsurv.cohorts.genes._table import _parse_table as _parse_table  # tests of the builder
from sigsurv.cohorts.genes._table import (
    gene_table,
    gene_table_metadata,
    is_current_symbol,
)

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
