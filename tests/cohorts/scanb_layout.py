"""GEO series-matrix layout of SCAN-B GSE96058 written from the real cosinet subset.

Shared by the loader and fetch tests: the characteristic keys are the subset's column
names with spaces (the subset's names are GEO's keys with underscores), the matrix
table is empty as in the real RNA-seq series.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def scanb_series_matrix(path: Path, clinical_tsv: Path) -> Path:
    """GSE96058's series-matrix layout (characteristics, empty table) for the SCAN-B subset."""
    clinical = pd.read_csv(clinical_tsv, sep="\t")

    def row(key: str, cells) -> str:
        return "\t".join([key, *(f'"{c}"' for c in cells)])

    def characteristic(name: str, column: str) -> str:
        values = clinical[column].map(
            lambda v: "NA" if pd.isna(v) else f"{v:g}" if isinstance(v, float) else v
        )
        return row("!Sample_characteristics_ch1", [f"{name}: {v}" for v in values])

    lines = [
        '!Series_title\t"Clinical Value of RNA Sequencing-Based Classifiers (SCAN-B)"',
        '!Series_geo_accession\t"GSE96058"',
        row("!Sample_title", clinical["title"]),
        row("!Sample_geo_accession", clinical["geo_accession"]),
        characteristic("age at diagnosis", "age_at_diagnosis"),
        characteristic("er status", "er_status"),
        characteristic("pgr status", "pgr_status"),
        characteristic("her2 status", "her2_status"),
        characteristic("nhg", "nhg"),
        characteristic("pam50 subtype", "pam50_subtype"),
        characteristic("overall survival days", "overall_survival_days"),
        characteristic("overall survival event", "overall_survival_event"),
        "!series_matrix_table_begin",
        row('"ID_REF"', clinical["geo_accession"]).replace('""ID_REF""', '"ID_REF"'),
        "!series_matrix_table_end",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path
