"""Build sigsurv's compact human gene table from Bioconductor's org.Hs.eg.db SQLite.

The table shipped as ``sigsurv/cohorts/data/human_genes.tsv.gz`` is what
:mod:`sigsurv.cohorts.genes` uses to map gene symbols, previous symbols / aliases,
Entrez Gene IDs, Ensembl gene IDs and miRBase names to current symbols.

Source
------
Debian's ``r-bioc-org.hs.eg.db`` package (Bioconductor ``org.Hs.eg.db``), which
carries NCBI Gene for *Homo sapiens* as SQLite. The shipped table was built from
Debian bookworm's ``r-bioc-org.hs.eg.db 3.16.0-1`` (org.Hs.eg.db 3.16.0, NCBI Gene
snapshot ``2022-Sep12``; Ensembl IDs from NCBI's gene2ensembl of the same date).
The exact versions are written into the table's ``#`` header lines.

Regeneration (exact steps, as root on Debian/Ubuntu; R itself is not needed)::

    apt-get update
    mkdir -p /tmp/orghs && cd /tmp/orghs
    apt-get download r-bioc-org.hs.eg.db        # r-bioc-org.hs.eg.db_3.16.0-1_all.deb
    dpkg -x r-bioc-org.hs.eg.db_*_all.deb root
    cd -                                        # back to the repository
    python scripts/build_gene_table.py \\
        /tmp/orghs/root/usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite

(``apt-get install r-bioc-org.hs.eg.db`` works too; the SQLite is then at
``/usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite``.) The output is
byte-for-byte reproducible from the same package (rows sorted by Entrez ID, list
fields sorted, gzip timestamp fixed at 0).

What the table holds (one row per NCBI Gene record of taxon 9606)
------------------------------------------------------------------
``entrez_id``, ``symbol`` (current NCBI/HGNC symbol), ``name``, ``locus_type``
(NCBI gene type: protein-coding, ncRNA, pseudo, ...), ``chromosome``, ``aliases``
(``|``-separated synonyms, the current symbol excluded) and ``ensembl``
(``|``-separated Ensembl gene IDs).

NCBI Gene, and so org.Hs.eg.db, merges HGNC's *previous symbols* and *alias
symbols* into one "Synonyms" list: the distinction is not available here. sigsurv
therefore treats both alike and resolves ambiguity by counting genes: a synonym that
names exactly one gene maps to that gene's current symbol; one that names several
(``SIP1``: GEMIN2, SCAF11, SLC9A3R2, ZEB2) is reported as ambiguous and never mapped.
A string that is the current symbol of a gene maps to itself even if it is also a
synonym of other genes.
"""

from __future__ import annotations

import argparse
import gzip
import io
import sqlite3
import sys
from pathlib import Path

import pandas as pd

DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1] / "sigsurv" / "cohorts" / "data" / "human_genes.tsv.gz"
)
COLUMNS = ["entrez_id", "symbol", "name", "locus_type", "chromosome", "aliases", "ensembl"]
DEBIAN_PACKAGE = "r-bioc-org.hs.eg.db"


def debian_version(sqlite_path: Path) -> str:
    """Read the Debian package version from the changelog next to an extracted package."""
    for root in sqlite_path.resolve().parents:
        changelog = root / "usr" / "share" / "doc" / DEBIAN_PACKAGE / "changelog.Debian.gz"
        if changelog.exists():
            with gzip.open(changelog, "rt", encoding="utf-8") as handle:
                first = handle.readline()
            # "r-bioc-org.hs.eg.db (3.16.0-1) unstable; urgency=medium"
            return first.split("(", 1)[1].split(")", 1)[0]
    raise SystemExit(
        f"cannot find {DEBIAN_PACKAGE}'s changelog.Debian.gz above {sqlite_path}; "
        "pass --debian-version"
    )


def _joined(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    """``|``-join the sorted unique values of ``value`` per ``key``."""
    if frame[value].str.contains("|", regex=False).any():
        raise SystemExit(f"a {value} contains the list separator '|'")
    frame = frame.drop_duplicates().sort_values([key, value])
    return frame.groupby(key, sort=True)[value].agg("|".join)


def read_orgdb(sqlite_path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read the gene table and the source metadata from org.Hs.eg.sqlite."""
    with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True) as con:
        genes = pd.read_sql(
            "SELECT g._id, g.gene_id AS entrez_id, i.symbol, i.gene_name AS name, "
            "t.gene_type AS locus_type "
            "FROM genes g JOIN gene_info i ON i._id = g._id "
            "LEFT JOIN genetype t ON t._id = g._id",
            con,
        )
        chromosomes = pd.read_sql("SELECT _id, chromosome FROM chromosomes", con)
        aliases = pd.read_sql("SELECT _id, alias_symbol FROM alias", con)
        ensembl = pd.read_sql("SELECT _id, ensembl_id FROM ensembl", con)
        metadata = dict(con.execute("SELECT name, value FROM metadata").fetchall())
    if genes["_id"].duplicated().any():
        raise SystemExit("org.Hs.eg.sqlite: a gene has several gene_info/genetype rows")
    genes["entrez_id"] = genes["entrez_id"].astype("int64")
    # the alias table lists each gene's own symbol too: keep only the synonyms
    own = aliases.merge(genes[["_id", "symbol"]], on="_id")
    aliases = own.loc[own["alias_symbol"] != own["symbol"], ["_id", "alias_symbol"]]
    genes = genes.set_index("_id")
    genes["chromosome"] = _joined(chromosomes, "_id", "chromosome")
    genes["aliases"] = _joined(aliases, "_id", "alias_symbol")
    genes["ensembl"] = _joined(ensembl, "_id", "ensembl_id")
    table = genes[COLUMNS].fillna("").sort_values("entrez_id").reset_index(drop=True)
    for column in COLUMNS[1:]:
        bad = table[column].str.contains(r"[\t\n\r]", regex=True)
        if bad.any():
            raise SystemExit(f"column {column} has tabs/newlines: {table[column][bad].iloc[0]!r}")
    return table, metadata


def write_table(table: pd.DataFrame, metadata: dict[str, str], version: str, output: Path) -> None:
    """Write the gzip TSV with ``#`` header lines (deterministic bytes)."""
    header = [
        "# sigsurv human gene table: NCBI Gene (Homo sapiens, taxon 9606) via Bioconductor",
        f"# source_package: Debian {DEBIAN_PACKAGE} {version}",
        f"# orgdb_version: org.Hs.eg.db {version.split('-')[0]} "
        f"({metadata['ORGANISM']}, taxon {metadata['TAXID']})",
        f"# ncbi_gene_date: {metadata['EGSOURCEDATE']}",
        f"# ncbi_gene_url: {metadata['EGSOURCEURL']}",
        "# ensembl_ids: NCBI gene2ensembl of the same NCBI Gene snapshot",
        "# built_by: scripts/build_gene_table.py (see its docstring to regenerate)",
        f"# rows: {len(table)}",
        "# list fields (aliases, ensembl, chromosome) are '|'-separated; aliases mix "
        "HGNC previous and alias symbols (NCBI Synonyms)",
    ]
    text = io.StringIO()
    text.write("\n".join(header) + "\n")
    table.to_csv(text, sep="\t", index=False, lineterminator="\n")
    output.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(output, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(text.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sqlite", type=Path, help="path to org.Hs.eg.sqlite")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--debian-version",
        default=None,
        help="Debian package version (default: read from the extracted changelog)",
    )
    args = parser.parse_args(argv)
    version = args.debian_version or debian_version(args.sqlite)
    table, metadata = read_orgdb(args.sqlite)
    write_table(table, metadata, version, args.output)
    size = args.output.stat().st_size
    sys.stdout.write(f"wrote {args.output} ({len(table)} genes, {size / 1e6:.2f} MB)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
