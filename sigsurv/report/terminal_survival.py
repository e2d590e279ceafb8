"""What ``sigsurv survival`` prints: groups at risk, survival at times, hazard ratios,
the multivariable model and competing risks (re-exported by :mod:`sigsurv.report.terminal`).
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from sigsurv.plots import format_p

__all__ = [
    "at_risk_table",
    "at_times_table",
    "column_view",
    "competing_view",
    "multivariable_table",
    "survival_view",
]


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    return table


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
                format_p(row["p_wald"]),
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
