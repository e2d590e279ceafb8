"""The Kaplan–Meier figure of one signature analysis, labelled from the result itself.

Title and subtitle are read from the :class:`~sigsurv.analysis.signature.SignatureSurvival`
(its ``signature`` and ``spec``): cohort, signature, scoring method, cut rule,
endpoint, population or subgroup, horizon and strata, with n and events. The
statistics lines are the analysis' own numbers; at an optimal cut the
selection-adjusted p comes first and the hazard ratio is marked optimistic.
"""

from __future__ import annotations

import re
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sigsurv.plots._text import format_p, p_text
from sigsurv.plots.km import KMStyle, plot_kaplan_meier, time_axis

__all__ = [
    "cif_subtitle",
    "cif_title",
    "column_km_statistics",
    "column_km_title",
    "km_statistics",
    "km_subtitle",
    "km_title",
    "plot_analysis_cif",
    "plot_analysis_km",
    "plot_column_km",
    "population_words",
    "signature_words",
]

# How a one-column condition reads in a title (er == 'negative' -> ER−).
_MARKERS = {"er": "ER", "pr": "PR", "pgr": "PR", "her2": "HER2", "node": "node"}
_SIGNS = {"positive": "+", "negative": "−", "pos": "+", "neg": "−", "1": "+", "0": "−"}
_CONDITION = re.compile(r"""^\(?\s*(\w+)\s*==\s*['"]([^'"]*)['"]\s*\)?$""")
# A signature name's trailing population ("..., ER+ breast cancer"): the analysed
# population replaces it in titles, so a title never claims a population not analysed.
_ADVERTISED_POPULATION = re.compile(
    r",\s*[^,]*\b(breast cancer|patients|tumou?rs)\b[^,]*$", re.IGNORECASE
)


def population_words(subgroup: str | None) -> str:
    """The analysed population in words: ``er == 'negative'`` -> ``ER−``.

    Conditions joined by ``and`` are read one by one; anything else is shown as written.

    Examples
    --------
    >>> population_words("er == 'negative'"), population_words(None)
    ('ER−', 'all patients')
    >>> population_words("(node == 'positive') and (er == 'positive')")
    'node+, ER+'
    >>> population_words("grade == '3'"), population_words("age > 50")
    ('grade 3', 'age > 50')
    """
    if not subgroup or not subgroup.strip():
        return "all patients"
    words = []
    for part in re.split(r"\)\s+and\s+\(", subgroup.strip()):
        match = _CONDITION.match(part.strip())
        if match is None:
            return subgroup.strip()
        column, value = match.group(1), match.group(2)
        marker = _MARKERS.get(column.lower())
        sign = _SIGNS.get(value.lower())
        words.append(f"{marker}{sign}" if marker and sign else f"{column} {value}")
    return ", ".join(words)


def signature_words(signature: Any, signature_id: str) -> str:
    """A signature's name without the population it advertises (the id if unnamed).

    Examples
    --------
    >>> from sigsurv.signatures import get_signature
    >>> signature_words(get_signature("msk1_rps6ka5"), "msk1_rps6ka5")
    'MSK1 (RPS6KA5) expression'
    >>> signature_words(None, "score")
    'score'
    """
    name = getattr(signature, "name", "") if signature is not None else ""
    if not name:
        return signature_id
    return _ADVERTISED_POPULATION.sub("", str(name)).strip() or str(name)


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
    """``cohort (population analysed): signature`` from the analysis, never the
    population the signature's name advertises.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
    >>> km_title(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    'gse1992 (ER+): MSK1 (RPS6KA5) expression'
    >>> km_title(analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
    ...          AnalysisSpec(subgroup="er == 'negative'", population=False)))
    'gse1992 (ER−): MSK1 (RPS6KA5) expression'
    """
    signature = getattr(result, "signature", None)
    name = signature_words(signature, result.signature_id)
    return f"{result.cohort} ({population_words(result.survival.subgroup)}): {name}"


def km_subtitle(result: Any) -> str:
    """Signature, method, cut, endpoint, population, horizon, strata, n and events.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
    ...                            AnalysisSpec(horizon=60))
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
        shown = getattr(result, "display_unit", None)
        axis = time_axis(float(survival.time.max()), survival.unit, shown)
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
    style: KMStyle | None = None,
    ax: Axes | None = None,
) -> Figure | Axes:
    """Kaplan–Meier figure of an analysis: labelled curves, numbers at risk, statistics.

    Time is shown in the analysis' display unit; survival at fixed times (when the
    result has them) is tabulated under the numbers at risk. With ``ax`` the curves
    are drawn into those axes, which are returned.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> figure = plot_analysis_km(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    >>> figure.axes[0].get_xlabel()
    'Time (months)'
    """
    survival = result.survival
    chosen = style or KMStyle()
    if chosen.display_unit is None and hasattr(result, "display_unit"):
        chosen = KMStyle(
            result.display_unit, chosen.breaks, chosen.ylim, chosen.min_at_risk, chosen.show_ci
        )
    rows = result.survival_at_times() if hasattr(result, "survival_at_times") else []
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
        style=chosen,
        at_times=rows,
        ax=ax,
    )


def cif_title(record: dict[str, Any]) -> str:
    """``cohort (population): signature — cumulative incidence of the cause``.

    Examples
    --------
    >>> cif_title({"cohort": "TCGA_BRCA", "subgroup": None, "signature_id": "mir21_mirna",
    ...            "signature_name": "miR-21 (MIR21) level, HER2+ breast cancer on trastuzumab",
    ...            "cause_label": "bone relapse"})
    'TCGA_BRCA (all patients): miR-21 (MIR21) level — bone relapse'
    """
    name = signature_words(
        _Named(str(record.get("signature_name") or "")), str(record.get("signature_id", ""))
    )
    return (
        f"{record.get('cohort', '')} ({population_words(record.get('subgroup'))}): {name} — "
        f"{record.get('cause_label', '')}"
    )


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


def cif_subtitle(result: Any, record: dict[str, Any]) -> str:
    """Cut, endpoint, cause, competing causes, strata, n and events of the cause."""
    levels = " vs ".join(reversed(result.levels))
    cut = _CUT_WORDS.get(str(result.cut_rule), f"{result.cut_rule} cut")
    competing = ", ".join(c for c in result.causes if c != result.cause_label)
    parts = [
        f"{record.get('signature_id', '')}, {cut} ({levels})",
        f"endpoint {result.endpoint}: {result.cause_label}, competing: {competing}",
    ]
    if result.strata:
        parts.append(f"stratified by {result.strata}")
    parts.append(f"n = {result.n}, {result.events.get(result.cause_label, 0)} events of the cause")
    return " · ".join(parts)


def plot_analysis_cif(
    result: Any,
    record: dict[str, Any],
    *,
    style: KMStyle | None = None,
    ax: Axes | None = None,
) -> Figure | Axes:
    """Cumulative-incidence figure of a competing-risk analysis, labelled from it.

    ``result`` is a :class:`~sigsurv.analysis.competing.CompetingRiskAnalysis` and
    ``record`` its results.json record (cohort, signature, subgroup). Numbers at risk,
    bands, a fitted y axis and the incidence at the requested times, in the run's
    display unit.

    Examples
    --------
    >>> import numpy as np
    >>> from sigsurv.analysis.competing import analyse_competing_risks
    >>> rng = np.random.default_rng(4)
    >>> result = analyse_competing_risks(rng.normal(size=80), rng.exponential(20, 80),
    ...                                  rng.integers(0, 3, 80), cause=1, horizons=[10])
    >>> figure = plot_analysis_cif(result, {"cohort": "toy", "signature_id": "s"})
    >>> len(figure.axes)
    3
    """
    from sigsurv.plots.competing import plot_cumulative_incidence

    chosen = style or KMStyle()
    if chosen.display_unit is None and result.display_unit is not None:
        chosen = KMStyle(
            result.display_unit, chosen.breaks, chosen.ylim, chosen.min_at_risk, chosen.show_ci
        )
    follow_up = None
    if result.time is not None:
        labels = result.labels.to_numpy(dtype=object)
        follow_up = {level: result.time[labels == level] for level in result.levels}
    return plot_cumulative_incidence(
        result.incidence,
        time_unit=result.unit,
        title=cif_title(record | {"cause_label": result.cause_label}),
        subtitle=cif_subtitle(result, record),
        cause_label=result.cause_label,
        follow_up=follow_up,
        at_times=result.incidence_at_times(),
        style=chosen,
        ax=ax,
    )


def column_km_title(result: Any) -> str:
    """``cohort (population): endpoint by column``.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.column import analyse_column
    >>> column_km_title(analyse_column(load_example("gse1992"), "er"))
    'gse1992 (all patients): relapse-free survival by er'
    """
    survival = result.survival
    population = population_words(survival.subgroup)
    return f"{result.cohort} ({population}): {_endpoint_label(survival)} by {result.column}"


def column_km_statistics(result: Any) -> list[str]:
    """Log-rank (and trend) p and, with two levels, the HR of the second vs the first."""
    lines = [f"log-rank ({len(result.levels)} groups) {format_p(result.logrank.p)}"]
    if result.logrank_trend is not None:
        lines.append(f"log-rank trend {format_p(result.logrank_trend.p)}")
    if len(result.levels) == 2 and result.cox_grouped.well_defined:
        row = result.cox_grouped.summary.iloc[0]
        lines.append(
            f"HR {result.levels[1]} vs {result.levels[0]} {row['hr']:.2f} "
            f"({row['ci_lower']:.2f}–{row['ci_upper']:.2f}), {format_p(row['p_wald'])}"
        )
    return lines


def plot_column_km(
    result: Any, *, style: KMStyle | None = None, ax: Axes | None = None
) -> Figure | Axes:
    """Kaplan–Meier figure of a survival analysis by a clinical column (``--by``).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.column import analyse_column
    >>> figure = plot_column_km(analyse_column(load_example("gse1992"), "er"))
    >>> figure.axes[1].get_yticklabels()[0].get_text()
    'positive'
    """
    survival = result.survival
    chosen = style or KMStyle()
    if chosen.display_unit is None:
        chosen = KMStyle(
            result.display_unit, chosen.breaks, chosen.ylim, chosen.min_at_risk, chosen.show_ci
        )
    parts = [f"groups: levels of {result.column}"]
    if survival.horizon is not None:
        axis = time_axis(float(survival.time.max()), survival.unit, chosen.display_unit)
        parts.append(f"censored at {axis.display(survival.horizon)}")
    parts.append(f"n = {survival.n}, {survival.events} events")
    return plot_kaplan_meier(
        result.km,
        time_unit=survival.unit,
        title=column_km_title(result),
        subtitle=" · ".join(parts),
        ylabel=f"{survival.endpoint.upper()} probability",
        annotation=column_km_statistics(result),
        horizon=survival.horizon,
        style=chosen,
        at_times=result.survival_at_times(),
        ax=ax,
    )
