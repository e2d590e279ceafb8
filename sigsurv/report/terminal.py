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
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from sigsurv.plots import format_p
from sigsurv.plots._text import p_text
from sigsurv.report._report_context import (
    claim_card,
    estimate_of,
    headline,
    hr_text,
    verdict_counts,
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

VERDICT_COLOURS = {
    "reproduced": "green",
    "consistent": "green",
    "equivalent": "green",
    "equivalent and different": "green",
    "consistent, not better than random signatures": "yellow",
    "same direction, not significant": "yellow",
    "inconclusive": "yellow",
    "neither equivalent nor different": "yellow",
    "opposite direction": "red",
    "contradicted": "red",
    "effect of the claimed size excluded": "red",
    "different": "red",
    "not equivalent": "red",
    "not informative": "blue",
    "confounded, not adjusted": "blue",
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


def _in_unit(value: float | None, unit: str, shown: str) -> float | None:
    """A time in the endpoint's ``unit``, converted to the run's display unit."""
    from sigsurv.cohorts.model import TIME_UNITS, convert_time

    if value is None or unit == shown or unit not in TIME_UNITS or shown not in TIME_UNITS:
        return value
    return float(convert_time(float(value), unit, shown))


def _percent(value: float | None) -> str:
    return "NA" if value is None else f"{100 * value:.1f}%"


def at_risk_table(record: dict[str, Any]) -> Table:
    """Numbers at risk per group (rows) at round times (columns), as under a KM figure.

    Examples
    --------
    >>> at_risk_table({"times": [0.0, 24.0], "unit": "months",
    ...                "groups": {"low": [36, 20], "high": [36, 25]}}).row_count
    2
    """
    table = Table(title=f"Number at risk ({record['unit']})", box=box.SIMPLE_HEAD)
    table.add_column("group", no_wrap=True)
    for time in record["times"]:
        table.add_column(f"{time:g}", justify="right", no_wrap=True)
    for group, counts in record["groups"].items():
        table.add_row(escape(str(group)), *(str(c) for c in counts))
    return table


def _follow_up_text(payload: dict[str, Any], unit: str, shown: str) -> str:
    follow_up = _in_unit(payload.get("median_follow_up"), unit, shown)
    return "" if follow_up is None else f", median follow-up {follow_up:.3g} {shown}"


def at_times_table(rows: list[dict[str, Any]], title: str) -> Table:
    """The ``at_times`` records as a table: group, time, estimate and 95% CI in percent.

    Examples
    --------
    >>> rows = [{"group": "low", "time": 60.0, "unit": "months", "estimate": 0.8,
    ...          "lower": 0.7, "upper": 0.9}]
    >>> at_times_table(rows, "Survival").row_count
    1
    """
    table = _table(title, ("group", "time", "estimate", "95% CI"))
    for row in rows:
        beyond = row["estimate"] is None
        table.add_row(
            escape(str(row["group"])),
            f"{row['time']:g} {row['unit']}",
            "beyond follow-up" if beyond else _percent(row["estimate"]),
            "" if beyond else f"{_percent(row['lower'])}–{_percent(row['upper'])}",
        )
    return table


def survival_view(payload: dict[str, Any]) -> list[RenderableType]:
    """Groups, hazard ratios and tests of one survival analysis (its ``results.json``).

    Every time is shown in the run's ``display_unit``.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    >>> view = survival_view(result.to_dict())
    >>> [item.title for item in view if not isinstance(item, str)]
    ['Groups (median cut)', 'Number at risk (months)', 'Hazard ratios']
    """
    endpoint = payload["endpoint"]
    unit = endpoint["unit"]
    shown = payload.get("display_unit") or unit
    view: list[RenderableType] = [
        f"[bold]{escape(payload['cohort'])}[/bold] · {escape(payload['signature']['id'])} "
        f"({payload['method']}) · {escape(endpoint['label'])} · n = {payload['n']}, "
        f"{payload['events']} events{_follow_up_text(payload, unit, shown)}"
    ]
    view += _group_views(payload, f"Groups ({payload['cut']['rule']} cut)", unit, shown)
    view.append(_hazard_ratio_table(payload))
    if payload.get("cox_multivariable"):
        view.append(multivariable_table(payload["cox_multivariable"]))
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


def _group_views(
    payload: dict[str, Any], title: str, unit: str, shown: str
) -> list[RenderableType]:
    """Per group n, events and median; numbers at risk; survival at fixed times."""
    groups = _table(title, ("group", "n", "events", f"median survival ({shown})"))
    for row in payload["groups"]:
        median = _in_unit(row["median_survival"], unit, shown)
        groups.add_row(
            escape(str(row["group"])),
            str(row["n"]),
            str(row["events"]),
            "not reached" if median is None else f"{median:.1f}",
        )
    views: list[RenderableType] = [groups]
    if payload.get("at_risk"):
        views.append(at_risk_table(payload["at_risk"]))
    if payload.get("at_times"):
        views.append(at_times_table(payload["at_times"], "Survival at fixed times"))
    return views


def column_view(payload: dict[str, Any]) -> list[RenderableType]:
    """``survival --by``: groups, survival at fixed times, log-rank (and trend), Cox.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.column import analyse_column
    >>> view = column_view(analyse_column(load_example("gse1992"), "er").to_dict())
    >>> [item.title for item in view if not isinstance(item, str)]
    ['Groups (levels of er)', 'Number at risk (months)', 'Hazard ratios (Cox, vs negative)']
    """
    endpoint = payload["endpoint"]
    unit = endpoint["unit"]
    shown = payload.get("display_unit") or unit
    view: list[RenderableType] = [
        f"[bold]{escape(payload['cohort'])}[/bold] · by {escape(payload['by'])} · "
        f"{escape(endpoint['label'])} · n = {payload['n']}, {payload['events']} events"
        f"{_follow_up_text(payload, unit, shown)}"
    ]
    view += _group_views(payload, f"Groups (levels of {escape(payload['by'])})", unit, shown)
    reference = payload["levels"][0]
    models = _table(
        f"Hazard ratios (Cox, vs {escape(str(reference))})", ("level", "HR", "95% CI", "p")
    )
    for row in payload["cox_grouped"]:
        level = str(row["term"]).removeprefix(payload["by"])
        if row["hr"] is None:
            models.add_row(escape(level), "not estimable", "", escape("; ".join(row["problems"])))
        else:
            models.add_row(
                escape(level),
                f"{row['hr']:.3f}",
                f"{row['ci_lower']:.3f}–{row['ci_upper']:.3f}",
                format_p(row["p_wald"]),
            )
    view.append(models)
    logrank = payload["logrank"]
    view.append(
        f"log-rank χ² = {logrank['chisq']:.3f} ({logrank['df']} df), {format_p(logrank['p'])}"
    )
    if payload.get("logrank_trend"):
        trend = payload["logrank_trend"]
        view.append(f"log-rank trend χ² = {trend['chisq']:.3f}, {format_p(trend['p'])}")
    view.extend(f"[dim]note:[/dim] {escape(str(note))}" for note in payload["notes"])
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


def _term_label(term: str, references: dict[str, str]) -> str:
    if term == "score_per_sd":
        return "score (per SD), adjusted"
    for column, reference in references.items():
        if term.startswith(column) and term != column:
            return f"{column}: {term[len(column) :]} vs {reference}"
    return term


def multivariable_table(model: dict[str, Any]) -> Table:
    """The multivariable Cox model (score per SD adjusted for the covariates), per term.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
    ...                            AnalysisSpec(covariates=("age", "node")))
    >>> table = multivariable_table(result.to_dict()["cox_multivariable"])
    >>> table.row_count
    3
    """
    dropped = model.get("dropped_incomplete", 0)
    title = f"Multivariable Cox (n = {model['n']}, {model['events']} events"
    title += f"; {dropped} incomplete excluded)" if dropped else ")"
    table = _table(title, ("term", "HR", "95% CI", "p"))
    references = {str(k): str(v) for k, v in (model.get("reference_levels") or {}).items()}
    for row in model["terms"]:
        label = escape(_term_label(str(row["term"]), references))
        if row["hr"] is None:
            table.add_row(label, "not estimable", "", escape("; ".join(row["problems"])))
        else:
            table.add_row(
                label,
                f"{row['hr']:.3f}",
                f"{row['ci_lower']:.3f}–{row['ci_upper']:.3f}",
                format_p(row["p_wald"]),
            )
    return table


def competing_view(record: dict[str, Any]) -> list[RenderableType]:
    """``survival --cause``: outcome counts, cause-specific and Fine-Gray HRs, incidence.

    Examples
    --------
    >>> import numpy as np
    >>> from sigsurv.analysis.competing import analyse_competing_risks
    >>> rng = np.random.default_rng(4)
    >>> result = analyse_competing_risks(rng.normal(size=80), rng.exponential(20, 80),
    ...                                  rng.integers(0, 3, 80), cause=1, horizons=[10])
    >>> view = competing_view({"cohort": "toy", "signature_id": "s"} | result.to_dict())
    >>> view[0]
    'toy · s · cause 1 (cause 1) · n = 80'
    """
    counts = ", ".join(f"{escape(str(k))} {v}" for k, v in record["events"].items())
    view: list[RenderableType] = [
        f"{escape(str(record['cohort']))} · {escape(str(record['signature_id']))} · cause "
        f"{record['cause']} ({escape(str(record['cause_label']))}) · n = {record['n']}",
        f"outcomes: {counts}",
    ]
    models = _table("Hazard ratios of the cause", ("model", "HR", "95% CI", "p"))
    for label, key in (
        ("cause-specific, per SD (primary)", "cause_specific_per_sd"),
        ("cause-specific, high vs low", "cause_specific_grouped"),
        ("Fine-Gray, per SD", "fine_gray_per_sd"),
        ("Fine-Gray, high vs low", "fine_gray_grouped"),
    ):
        row = record[key]
        if row["hr"] is None:
            models.add_row(label, "not estimable", "", "")
        else:
            models.add_row(
                label,
                f"{row['hr']:.3f}",
                f"{row['ci_lower']:.3f}–{row['ci_upper']:.3f}",
                format_p(row["p"]),
            )
    view.append(models)
    if record.get("at_times"):
        view.append(at_times_table(record["at_times"], "Cumulative incidence at fixed times"))
    gray = record.get("gray_test")
    if gray and gray.get("statistic") is not None:
        view.append(
            f"Gray's test χ² = {gray['statistic']:.3f} ({gray['df']} df), {format_p(gray['p'])}"
        )
    view.extend(f"[dim]note:[/dim] {escape(str(note))}" for note in record.get("notes", []))
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
        p_value = None if estimate is None else estimate.get("p_wald")
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
        if summary:  # wrapped with a hanging indent, under its claim id
            view.append(Padding(f"[dim]{escape(summary)}[/dim]", (0, 0, 0, 2)))
    view.append(reproduction_table(payload))
    colours = {
        line: VERDICT_COLOURS.get(line[6:], "white") for line in verdict_count_lines(payload)
    }
    view.extend(f"[{colour}]{escape(line)}[/{colour}]" for line, colour in colours.items())
    if payload.get("claims"):
        view.append(f"[bold]{escape(headline(payload))}[/bold]")
        view.append(
            "[dim]HR < 1: a higher score goes with a lower risk; HR > 1: with a higher "
            "risk (report.html explains each verdict).[/dim]"
        )
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
