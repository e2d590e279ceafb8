"""Terminal renderings of the CLI's results: rich tables and one-line summaries.

Each function turns an already computed, JSON-ready record (the same dict the
``--json`` flag prints) into a list of rich renderables; the CLI prints them. Nothing
is computed here and nothing is printed. User data (file names, values, messages) is
escaped, because rich would read ``[...]`` in it as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from rich import box
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from sigsurv.report.terminal_reproduce import (
    VERDICT_COLOURS,
    ReproductionProgress,
    reproduction_progress,
    reproduction_table,
    reproduction_view,
    verdict_count_lines,
)
from sigsurv.report.terminal_survival import (
    _table,
    at_risk_table,
    at_times_table,
    column_view,
    competing_view,
    survival_view,
)

__all__ = [
    "VERDICT_COLOURS",
    "ReproductionProgress",
    "at_risk_table",
    "at_times_table",
    "cohort_info_view",
    "cohorts_table",
    "column_view",
    "competing_view",
    "coverage_lines",
    "fetch_table",
    "reproduction_progress",
    "reproduction_table",
    "reproduction_view",
    "scan_table",
    "scan_view",
    "signature_view",
    "signatures_table",
    "survival_view",
    "verdict_count_lines",
]

# A cohort can have hundreds of clinical fields (TCGA Firehose); the table lists the
# first ones and points to --json for all.
_FIELDS_SHOWN = 40


def cohorts_table(rows: list[dict[str, Any]]) -> Table:
    """The bundled cohorts (rows of :func:`sigsurv.cohorts.list_examples`).

    Examples
    --------
    >>> cohorts_table([{"name": "gse1992", "title": "UNC", "endpoint": "rfs",
    ...                 "unit": "months", "platform": "Agilent"}]).row_count
    1
    """
    columns = ("name", "title", "endpoint", "unit", "platform")
    table = _table("Bundled cohorts", columns)
    for row in rows:
        table.add_row(*(escape(str(row[c])) for c in columns))
    return table


def cohort_info_view(description: dict[str, Any], gene_report: str | None) -> list[RenderableType]:
    """Header, endpoints table, clinical fields table and notes of ``cohort info``.

    Parameters
    ----------
    description
        :func:`sigsurv.report.describe.describe_cohort` of the cohort.
    gene_report
        One-line text of the cohort's identifier report, if any.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.report.describe import describe_cohort
    >>> view = cohort_info_view(describe_cohort(load_example("gse1992")), None)
    >>> view[0]
    '[bold]gse1992[/bold]: 124 samples x 15514 genes'
    """
    provenance = description["provenance"]
    view: list[RenderableType] = [
        f"[bold]{escape(description['name'])}[/bold]: {description['samples']} samples x "
        f"{description['genes']} genes",
        f"source: {escape(provenance['source'])}",
        f"platform: {escape(provenance['platform'])}; scale: {escape(provenance['scale'])}",
    ]
    endpoints = _table("Endpoints", ("name", "label", "n", "events", "median follow-up", "unit"))
    for name, info in description["endpoints"].items():
        follow_up = info["median_follow_up"]
        endpoints.add_row(
            escape(name),
            escape(info["label"]),
            str(info["n"]),
            str(info["events"]),
            "not reached" if follow_up is None else f"{follow_up:.1f}",
            info["unit"],
        )
    view.append(endpoints)
    fields = _table("Clinical fields", ("field", "type", "missing", "levels"))
    shown = list(description["clinical_fields"].items())
    if len(shown) > _FIELDS_SHOWN:
        view.append(
            f"[dim]{len(shown)} clinical fields; the first {_FIELDS_SHOWN} are listed "
            "(--json for all)[/dim]"
        )
    for name, info in shown[:_FIELDS_SHOWN]:
        levels = ", ".join(f"{k}: {v}" for k, v in info.get("levels", {}).items())
        fields.add_row(escape(str(name)), info["type"], str(info["missing"]), escape(levels[:80]))
    view.append(fields)
    if gene_report is not None:
        view.append("[bold]Gene identifiers[/bold]: " + escape(gene_report))
    view.extend(f"[dim]note:[/dim] {escape(message)}" for message in description["messages"])
    return view


def signatures_table(rows: list[dict[str, Any]]) -> Table:
    """The built-in signatures with their source and seed document.

    Examples
    --------
    >>> signatures_table([{"id": "x", "n_genes": 1, "pmid": "1"}]).row_count
    1
    """
    table = Table(title="Built-in signatures", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", no_wrap=True)  # the id a user types: never cut
    table.add_column("genes", justify="right", no_wrap=True)
    for name in ("population", "source", "seed document"):
        table.add_column(name, overflow="fold")  # wrapped, never cut with an ellipsis
    for row in rows:
        source = (
            f"doi:{row['doi']}"
            if row.get("doi")
            else (f"PMID {row['pmid']}" if row.get("pmid") else "")
        )
        table.add_row(
            escape(row["id"]),
            str(row["n_genes"]),
            escape(row.get("population") or "all"),
            escape(source),
            escape(row.get("seed_document") or ""),
        )
    return table


def signature_view(record: dict[str, Any]) -> list[RenderableType]:
    """One signature: header, descriptive fields, genes table, caveats, claims.

    Examples
    --------
    >>> view = signature_view({"id": "demo", "name": "Demo", "genes": []})
    >>> view[0]
    '[bold]demo[/bold] · Demo'
    """
    view: list[RenderableType] = [
        f"[bold]{escape(record['id'])}[/bold] · {escape(record.get('name', ''))}"
    ]
    for key in ("description", "endpoint", "population", "expected_direction"):
        if record.get(key):
            view.append(f"{key.replace('_', ' ')}: {escape(str(record[key]))}")
    genes = _table("Genes", ("symbol", "direction", "weight", "provenance", "citation"))
    for gene in record.get("genes", []):
        genes.add_row(
            escape(gene["symbol"]),
            f"{gene['direction']:+d}",
            f"{gene['weight']:g}",
            gene.get("provenance", ""),
            escape((gene.get("citation") or "")[:70]),
        )
    view.append(genes)
    view.extend(f"[yellow]caveat:[/yellow] {escape(c)}" for c in record.get("caveats", []))
    view.extend(
        f"claim ({claim.get('role', '')}): {claim.get('id')}" for claim in record.get("claims", [])
    )
    return view


def scan_table(enrichment: pd.DataFrame, *, top: int = 15) -> Table:
    """The gene sets most enriched among survival-associated genes (tested sets only).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"tested": [True], "n_genes": [5], "nes": [1.5], "p": [0.01],
    ...                       "fdr": [0.02]}, index=["set"])
    >>> scan_table(frame).row_count
    1
    """
    table = _table(
        "Gene sets tracking survival (positive NES = harmful genes)",
        ("set", "genes", "NES", "p", "FDR"),
    )
    for name, row in enrichment[enrichment["tested"]].head(top).iterrows():
        table.add_row(
            escape(str(name)),
            str(row["n_genes"]),
            f"{row['nes']:.2f}",
            f"{row['p']:.3g}",
            f"{row['fdr']:.3g}",
        )
    return table


def coverage_lines(coverage: dict[str, dict[str, Any]]) -> list[str]:
    """One dim line per signature: genes found, and the missing ones.

    Examples
    --------
    >>> coverage_lines({"sig": {"n_found": 2, "n_genes": 3, "missing": ["TP53"]}})
    ['[dim]sig: 2 of 3 genes found; missing TP53[/dim]']
    """
    lines = []
    for name, info in coverage.items():
        missing = f"; missing {escape(', '.join(info['missing']))}" if info["missing"] else ""
        lines.append(
            f"[dim]{escape(str(name))}: {info['n_found']} of {info['n_genes']} genes found"
            f"{missing}[/dim]"
        )
    return lines


def scan_view(result: Any, files: dict[str, Path]) -> list[RenderableType]:
    """What ``sigsurv scan`` prints: genes scanned, files written, the top gene sets.

    Parameters
    ----------
    result
        A :class:`~sigsurv.analysis.enrichment.SurvivalScan`.
    files
        The files written (name -> path).

    Examples
    --------
    >>> from pathlib import Path
    >>> from sigsurv import load_example
    >>> from sigsurv.signatures import get_signature
    >>> from sigsurv.analysis.enrichment import scan_cohort
    >>> result = scan_cohort(load_example("gse4335"), [get_signature("msk1_luminal")],
    ...                      permutations=10)
    >>> scan_view(result, {"cox_scan.tsv": Path("cox_scan.tsv")})[-2]
    '... genes scanned (overall survival, n = ..., ... events); wrote cox_scan.tsv'
    """
    survival = result.survival
    view: list[RenderableType] = []
    if result.constant_genes:
        view.append(
            f"[dim]{result.constant_genes} constant genes not fitted (status 'constant')[/dim]"
        )
    view.append(
        f"{len(result.scan) - result.constant_genes} genes scanned "
        f"({escape(survival.label)}, n = {survival.n}, "
        f"{survival.events} events); wrote " + escape(" and ".join(map(str, files.values())))
    )
    view.append(scan_table(result.enrichment))
    return view


def fetch_table(result: Any) -> Table:
    """The files of a fetched cohort recipe: role, status, trust, SHA-256 and local path.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> entry = {"role": "clinical", "status": "downloaded", "trust": "recipe hash",
    ...          "sha256": "ab" * 32, "path": "/cache/gse1/clinical.txt"}
    >>> fetch_table(SimpleNamespace(recipe=SimpleNamespace(id="gse1"), entries=[entry])).row_count
    1
    """
    table = Table(title=f"recipe {escape(result.recipe.id)}", title_justify="left")
    for column in ("file", "status", "trust", "sha256", "path"):
        table.add_column(column, overflow="fold")
    for entry in result.entries:
        table.add_row(
            escape(str(entry.get("role", ""))),
            escape(str(entry.get("status", ""))),
            escape(str(entry.get("trust", ""))),
            escape(str(entry.get("sha256", ""))[:12]),
            escape(str(entry.get("path", ""))),
        )
    return table
