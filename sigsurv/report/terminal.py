"""Terminal renderings of the CLI's results: rich tables and one-line summaries.

Each function turns an already computed, JSON-ready record (the same dict the
``--json`` flag prints) into a list of rich renderables; the CLI prints them. Nothing
is computed here and nothing is printed. User data (file names, values, messages) is
escaped, because rich would read ``[...]`` in it as markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from sigsurv.plots import format_p
from sigsurv.plots._text import p_text
from sigsurv.report._report_context import claim_card, estimate_of, hr_text, verdict_counts

__all__ = [
    "VERDICT_COLOURS",
    "ReproductionProgress",
    "cohort_info_view",
    "cohorts_table",
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

VERDICT_COLOURS = {
    "reproduced": "green",
    "consistent": "green",
    "equivalent": "green",
    "same direction, not significant": "yellow",
    "inconclusive": "yellow",
    "opposite direction": "red",
    "contradicted": "red",
    "not equivalent": "red",
    "not informative": "blue",
    "not testable here": "dim",
    "not testable": "dim",
    "published table recomputed": "dim",
}
_UNTESTABLE = ("not testable here", "not testable")
# A cohort can have hundreds of clinical fields (TCGA Firehose); the table lists the
# first ones and points to --json for all.
_FIELDS_SHOWN = 40


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    return table


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
    table = _table("Built-in signatures", ("id", "genes", "population", "source", "seed document"))
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


def survival_view(payload: dict[str, Any]) -> list[RenderableType]:
    """Groups, hazard ratios and tests of one survival analysis (its ``results.json``).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    >>> view = survival_view(result.to_dict())
    >>> [item.title for item in view if not isinstance(item, str)]
    ['Groups (median cut)', 'Hazard ratios']
    """
    endpoint = payload["endpoint"]
    view: list[RenderableType] = [
        f"[bold]{escape(payload['cohort'])}[/bold] · {escape(payload['signature']['id'])} "
        f"({payload['method']}) · {escape(endpoint['label'])} · n = {payload['n']}, "
        f"{payload['events']} events"
    ]
    groups = _table(
        f"Groups ({payload['cut']['rule']} cut)",
        ("group", "n", "events", f"median survival ({endpoint['unit']})"),
    )
    for row in payload["groups"]:
        median = row["median_survival"]
        groups.add_row(
            row["group"],
            str(row["n"]),
            str(row["events"]),
            "not reached" if median is None else f"{median:.1f}",
        )
    view.append(groups)
    view.append(_hazard_ratio_table(payload))
    view.append(
        f"log-rank χ² = {payload['logrank']['chisq']:.3f}, "
        f"{format_p(payload['logrank']['p'])}; concordance "
        f"{payload['concordance']['c_index']:.3f}"
    )
    if payload.get("ph_test"):
        view.append(f"proportional hazards (Schoenfeld): {format_p(payload['ph_test']['p'])}")
    if "maxstat" in payload:
        maxstat = payload["maxstat"]
        view.append(
            f"optimal cut {maxstat['cutpoint']:.4g}: selection-adjusted "
            f"{format_p(maxstat['p_lau94'])} (Lau94; Lau92 {format_p(maxstat['p_lau92'])}); "
            f"naive {format_p(maxstat['naive_logrank_p'])}, optimistic"
        )
    view.extend(f"[dim]note:[/dim] {escape(note)}" for note in payload["notes"])
    return view


def _hazard_ratio_table(payload: dict[str, Any]) -> Table:
    models = _table("Hazard ratios", ("model", "HR", "95% CI", "p"))
    levels = payload["cut"]["levels"]
    for label, key in (
        (f"grouped ({levels[-1]} vs {levels[0]})", "cox_grouped"),
        ("continuous, per SD", "cox_continuous_per_sd"),
    ):
        row = payload[key]
        if row["hr"] is None:
            models.add_row(label, "not estimable", "", escape("; ".join(row["problems"])))
        else:
            models.add_row(
                label,
                f"{row['hr']:.3f}",
                f"{row['ci_lower']:.3f}–{row['ci_upper']:.3f}",
                format_p(row["p_wald"]),
            )
    return models


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


def _claim_numbers(payload: dict[str, Any]) -> dict[str, int]:
    claims = [c["claim_id"] for c in payload.get("claims", [])]
    claims += [r["claim_id"] for r in payload.get("rows", []) if r["claim_id"] not in claims]
    return {claim: index for index, claim in enumerate(dict.fromkeys(claims), start=1)}


def reproduction_table(payload: dict[str, Any]) -> Table:
    """The tested claim x cohort x signature rows: HR, p and the coloured verdict.

    Claims are numbered (the legend of :func:`reproduction_view` gives their ids whole);
    ids never break, verdicts wrap at spaces, and the table fits 80 columns. Untestable
    rows are counted, not listed (report.html says why each was not tested).

    Examples
    --------
    >>> table = reproduction_table({"rows": [
    ...     {"claim_id": "c", "cohort": "k", "signature_id": "s", "verdict": "reproduced",
    ...      "estimate": {"hr_grouped": {"hr": 0.5, "ci_lower": 0.3, "ci_upper": 0.9,
    ...                                  "p_wald": 0.01}}},
    ...     {"claim_id": "c", "cohort": "k2", "signature_id": "s", "estimate": None,
    ...      "verdict": "not testable here"}]})
    >>> table.row_count
    1
    """
    numbers = _claim_numbers(payload)
    rows = [r for r in payload["rows"] if r["verdict"] not in _UNTESTABLE]
    scales = {estimate_of(r)[1] for r in rows} - {""}
    title = "Tested claims x cohorts" + (f" (HR {scales.pop()})" if len(scales) == 1 else "")
    proxies = any(r.get("signature_role") == "proxy" for r in rows)
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        caption="* proxy signature" if proxies else None,
        caption_justify="left",
    )
    for name, options in (
        ("#", {"justify": "right", "no_wrap": True}),
        ("cohort", {"no_wrap": True}),
        ("signature", {"no_wrap": True}),
        ("HR (95% CI)", {"no_wrap": True}),
        ("p", {"no_wrap": True, "justify": "right"}),
        ("verdict", {"min_width": 15}),
    ):
        table.add_column(name, **options)
    previous = None
    for row in sorted(rows, key=lambda r: numbers.get(r["claim_id"], 0)):
        estimate, _ = estimate_of(row)
        p_value = None if estimate is None else estimate.get("p", estimate.get("p_wald"))
        colour = VERDICT_COLOURS.get(row["verdict"], "white")
        number = numbers.get(row["claim_id"], 0)
        table.add_row(
            str(number) if number != previous else "",
            escape(row["cohort"]),
            escape(row["signature_id"]) + ("*" if row.get("signature_role") == "proxy" else ""),
            hr_text(estimate),
            "" if p_value is None else p_text(p_value),
            f"[{colour}]{escape(row['verdict'])}[/{colour}]",
            end_section=False,
        )
        previous = number
    return table


def verdict_count_lines(payload: dict[str, Any]) -> list[str]:
    """One line per verdict with its count, then the total.

    Examples
    --------
    >>> verdict_count_lines({"rows": [{"verdict": "reproduced"}, {"verdict": "reproduced"},
    ...                               {"verdict": "not testable here"}]})
    ['   2  reproduced', '   1  not testable here', '   3  tests']
    """
    counts = verdict_counts(payload.get("rows", []))
    lines = [f"{c['n']:>4}  {c['verdict']}" for c in counts]
    return [*lines, f"{sum(c['n'] for c in counts):>4}  tests"]


def reproduction_view(payload: dict[str, Any], report: Path | str | None) -> list[RenderableType]:
    """What ``sigsurv reproduce`` prints: numbered claims with their summary, the table of
    tested rows, one count per verdict and the report's path.

    Examples
    --------
    >>> view = reproduction_view({"rows": [], "claims": [{"claim_id": "c", "tests": []}]},
    ...                          "out/report.html")
    >>> view[-1]
    'report: out/report.html'
    """
    view: list[RenderableType] = []
    numbers = _claim_numbers(payload)
    claims = {c["claim_id"]: c for c in payload.get("claims", [])}
    for claim_id, number in numbers.items():
        summary = claim_card(claims[claim_id])["summary"] if claim_id in claims else ""
        view.append(f"[bold]{number}[/bold] {escape(claim_id)}")
        if summary:
            view.append(f"  [dim]{escape(summary)}[/dim]")
    view.append(reproduction_table(payload))
    colours = {
        line: VERDICT_COLOURS.get(line[6:], "white") for line in verdict_count_lines(payload)
    }
    view.extend(f"[{colour}]{escape(line)}[/{colour}]" for line, colour in colours.items())
    if report is not None:
        view.append(f"report: {escape(str(report))}")
    return view


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


class ReproductionProgress:
    """Progress bars of ``sigsurv reproduce``: cohorts loaded, claims tested, report written."""

    def __init__(self, progress: Progress, n_cohorts: int) -> None:
        self._progress = progress
        self._loading = progress.add_task("loading cohorts", total=n_cohorts)
        self._testing: TaskID | None = None

    def loaded(self, cohort: Any) -> Any:
        """Count one cohort as loaded; return it unchanged."""
        self._progress.advance(self._loading)
        return cohort

    def testing(self, done: int, total: int, label: str) -> None:
        """Progress callback of :func:`sigsurv.claims.reproduce_claims`."""
        if self._testing is None:
            self._testing = self._progress.add_task("testing claims x cohorts", total=total)
        self._progress.update(
            self._testing, completed=done, total=total, description=f"testing {label[:48]:<48}"
        )

    def written(self) -> None:
        """Mark the report as written."""
        if self._testing is not None:
            self._progress.update(self._testing, description="testing claims x cohorts")
        self._progress.add_task("writing report", total=1, completed=1)


@contextmanager
def reproduction_progress(
    console: Console, n_cohorts: int, *, show: bool
) -> Iterator[ReproductionProgress]:
    """Draw the progress of ``sigsurv reproduce`` on ``console`` (nothing when not ``show``).

    Examples
    --------
    >>> from rich.console import Console
    >>> with reproduction_progress(Console(), 1, show=False) as bar:
    ...     bar.loaded("cohort")
    'cohort'
    """
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        disable=not show,
        transient=False,
    ) as progress:
        yield ReproductionProgress(progress, n_cohorts)


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
