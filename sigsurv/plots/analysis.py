"""The Kaplan–Meier figure of one signature analysis, labelled from the result itself.

Title and subtitle are read from the :class:`~sigsurv.analysis.signature.SignatureSurvival`
(its ``signature`` and ``spec``): cohort, signature, scoring method, cut rule,
endpoint, population or subgroup, horizon and strata, with n and events. The
statistics lines are the analysis' own numbers; at an optimal cut the
selection-adjusted p comes first and the hazard ratio is marked optimistic.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from sigsurv.plots._text import format_p, p_text
from sigsurv.plots.km import plot_kaplan_meier, time_axis

__all__ = ["km_statistics", "km_subtitle", "km_title", "plot_analysis_km"]

_CUT_WORDS = {
    "median": "median cut",
    "tertile": "tertiles",
    "quartile": "quartiles",
    "top_tertile": "top tertile vs rest",
    "top_quartile": "top quartile vs rest",
}


def _endpoint_label(survival: Any) -> str:
    """The endpoint's own label, without the horizon and subgroup the subtitle states."""
    label = str(survival.label)
    if survival.subgroup:
        label = label.removesuffix(f" [{survival.subgroup}]")
    if survival.horizon is not None:
        label = label.removesuffix(f" within {survival.horizon:g} {survival.unit}")
    return label


def _cut_words(result: Any) -> str:
    words = _rule_words(result)
    # Stratified analyses take the cut within each stratum (the result's notes say so).
    if any(str(note).endswith("cut taken within each stratum") for note in result.notes):
        words += " within each stratum"
    return words


def _rule_words(result: Any) -> str:
    rule = result.cut_rule
    if rule == "optimal":
        cut = result.grouping.cuts[0]
        return f"optimal cut at {cut:.3g} (maximally selected log-rank)"
    if isinstance(rule, float):
        return f"fixed cut at {rule:g}"
    return _CUT_WORDS.get(str(rule), f"{rule} cut")


def km_title(result: Any) -> str:
    """``cohort: signature name`` (the id when the signature has no name).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> km_title(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    'gse1992: MSK1 (RPS6KA5) expression, ER+ breast cancer'
    """
    signature = getattr(result, "signature", None)
    name = signature.name if signature is not None and signature.name else result.signature_id
    return f"{result.cohort}: {name}"


def km_subtitle(result: Any) -> str:
    """Signature, method, cut, endpoint, population, horizon, strata, n and events.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5", horizon=60)
    >>> for part in km_subtitle(result).split(" · "):
    ...     print(part)
    msk1_rps6ka5 v1, single_gene score, median cut
    relapse-free survival
    population: er == 'positive'
    censored at 60 months
    n = 72, 13 events
    """
    survival = result.survival
    version = f" v{result.signature_version}" if result.signature_version else ""
    parts = [
        f"{result.signature_id}{version}, {result.method} score, {_cut_words(result)}",
        _endpoint_label(survival),
    ]
    if survival.subgroup:
        parts.append(f"population: {survival.subgroup}")
    if survival.horizon is not None:
        axis = time_axis(float(survival.time.max()), survival.unit)
        parts.append(f"censored at {axis.display(survival.horizon)}")
    if result.strata:
        parts.append(f"stratified by {result.strata}")
    parts.append(f"n = {survival.n}, {survival.events} events")
    return " · ".join(parts)


def _hr_text(row: dict[str, Any]) -> str:
    return f"{row['hr']:.2f} ({row['ci_lower']:.2f}–{row['ci_upper']:.2f})"


def km_statistics(result: Any) -> list[str]:
    """The statistics lines of the figure, from the analysis' own numbers.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> lines = km_statistics(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    >>> lines[0].startswith("HR high vs low"), lines[1].startswith("log-rank p")
    (True, True)
    """
    grouped = result.hazard_ratio_grouped
    levels = [str(v) for v in result.grouping.levels]
    contrast = f"HR {levels[-1]} vs {levels[0]}"
    stratified = f" (stratified by {result.strata})" if result.strata else ""
    maxstat = result.grouping.maxstat
    lines = []
    if maxstat is not None:
        lines.append(f"selection-adjusted p = {p_text(maxstat.p_lau94)} (Lausen–Schumacher 1994)")
    if grouped["hr"] is None:
        lines.append(f"{contrast}: not estimable")
    else:
        hr = f"{contrast} {_hr_text(grouped)}"
        if maxstat is not None:
            lines.append(f"{hr}, optimistic: cut chosen on these data")
        else:
            lines.append(f"{hr}, {format_p(grouped['p_wald'])}")
    naive = "naive " if maxstat is not None else ""
    lines.append(f"{naive}log-rank{stratified} {format_p(result.logrank.p)}")
    if result.logrank_trend is not None:
        lines.append(f"log-rank trend {format_p(result.logrank_trend.p)}")
    per_sd = result.hazard_ratio_per_sd
    if per_sd["hr"] is not None:
        lines.append(f"HR per SD {_hr_text(per_sd)}, {format_p(per_sd['p_wald'])}")
    return lines


def plot_analysis_km(
    result: Any,
    *,
    title: str | None = None,
    cumulative_events: bool = False,
    statistics_below: bool = False,
) -> Figure:
    """Kaplan–Meier figure of an analysis: labelled curves, numbers at risk, statistics.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> figure = plot_analysis_km(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    >>> figure.axes[0].get_xlabel()
    'Time (months)'
    """
    survival = result.survival
    return plot_kaplan_meier(
        result.km,
        time_unit=survival.unit,
        title=title or km_title(result),
        subtitle=km_subtitle(result),
        ylabel=f"{survival.endpoint.upper()} probability",
        annotation=km_statistics(result),
        horizon=survival.horizon,
        cumulative_events=cumulative_events,
        statistics_below=statistics_below,
    )
