"""Kaplan–Meier figure as papers print it (survminer ``ggsurvplot`` conventions).

Step curves with censor ticks and confidence bands; a title and a subtitle that wrap;
the legend above the plot; the statistics where they hide no curve (the emptiest
corner, else below the plot); time shown in months or years with round ticks whatever
the cohort's unit; numbers at risk (and optionally cumulative events) aligned with the
ticks. The figure draws a :class:`~sigsurv.survival.km.KaplanMeierResult`; it never
recomputes a statistic: the statistics lines are written by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: figures are written to files, never shown

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sigsurv.errors import OptionError
from sigsurv.plots._text import MONTHS_PER_UNIT, format_p, text_width_inches, wrap_to_width

__all__ = [
    "PALETTE",
    "KMStyle",
    "TimeAxis",
    "format_p",
    "landmark_grid",
    "plot_kaplan_meier",
    "time_axis",
]

# Colour-blind-safe (Okabe–Ito) colours, in group order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
# Follow-up longer than this many months is shown in years.
_MONTHS_SHOWN_UP_TO = 180.0
_WIDTH = 7.0  # inches (a journal's 1.5 column)
_LEFT, _RIGHT = 1.25, 0.3  # margins in inches (left: the at-risk table's group names)
_PLOT_HEIGHT = 3.2
_STAT_FONT = 8.5


def landmark_grid(max_time: float, unit: str) -> np.ndarray:
    """Evenly spaced, round landmark times covering ``[0, max_time]`` (the axis ticks).

    Examples
    --------
    >>> landmark_grid(118, "months").tolist()
    [0.0, 24.0, 48.0, 72.0, 96.0, 120.0]
    >>> landmark_grid(17.6, "years").tolist()
    [0.0, 5.0, 10.0, 15.0, 20.0]
    """
    steps = {
        "months": (6, 12, 24, 36, 60),
        "days": (90, 180, 365, 730, 1000, 1825),
        "years": (1, 2, 5, 10),
    }.get(unit, (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))
    step = next((s for s in steps if max_time / s <= 7), steps[-1])
    return np.arange(0, np.ceil(max_time / step) * step + step / 2, step, dtype=float)


@dataclass(frozen=True)
class TimeAxis:
    """How a time axis is displayed: unit, factor from the data's unit, ticks.

    Attributes
    ----------
    unit
        Display unit (``months`` or ``years``; the data's own unit when unknown).
    factor
        Display time = data time x ``factor``.
    ticks
        Round tick positions, in the display unit.
    """

    unit: str
    factor: float
    ticks: np.ndarray

    def display(self, value: float) -> str:
        """A time in the data's unit, written in the display unit.

        Examples
        --------
        >>> time_axis(3000, "days").display(1826.25)
        '60 months'
        """
        return f"{value * self.factor:.4g} {self.unit}"


def time_axis(
    max_time: float, unit: str, display: str | None = None, step: float | None = None
) -> TimeAxis:
    """Display months (follow-up up to 15 years) or years, whatever the data's unit.

    ``display`` forces the display unit (a run's one unit) and ``step`` the interval
    between ticks, in that unit.

    Examples
    --------
    >>> axis = time_axis(3650, "days")
    >>> axis.unit, axis.ticks.tolist()
    ('months', [0.0, 24.0, 48.0, 72.0, 96.0, 120.0])
    >>> time_axis(9000, "days").unit
    'years'
    >>> time_axis(118, "months").ticks.tolist()
    [0.0, 24.0, 48.0, 72.0, 96.0, 120.0]
    >>> time_axis(3650, "days", display="years", step=2).ticks.tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    """
    if step is not None and not (np.isfinite(step) and step > 0):
        raise OptionError("the break interval must be a positive number", found=step)
    if unit not in MONTHS_PER_UNIT or (display is not None and display not in MONTHS_PER_UNIT):
        shown, factor = unit, 1.0
    else:
        to_months = MONTHS_PER_UNIT[unit]
        shown = display or ("months" if max_time * to_months <= _MONTHS_SHOWN_UP_TO else "years")
        factor = to_months / MONTHS_PER_UNIT[shown]
    end = max_time * factor
    if step is None:
        return TimeAxis(shown, factor, landmark_grid(end, shown))
    return TimeAxis(shown, factor, np.arange(0, np.ceil(end / step) * step + step / 2, step))


@dataclass
class _Header:
    title: list[str]
    subtitle: list[str]
    legend_columns: int
    legend_rows: int

    @property
    def height(self) -> float:
        return 0.12 + 0.24 * len(self.title) + 0.18 * len(self.subtitle) + 0.2 * self.legend_rows


def _header(figure: Figure, title: str, subtitle: str, labels: list[str]) -> _Header:
    width = _WIDTH - 0.3
    widths = [text_width_inches(figure, label, 8.5) + 0.55 for label in labels]
    columns = len(labels)
    while columns > 1 and max(widths) * columns > _WIDTH - _LEFT + 0.8:
        columns -= 1
    return _Header(
        title=wrap_to_width(figure, title, width, 11, "bold"),
        subtitle=wrap_to_width(figure, subtitle, width, 8.5),
        legend_columns=columns,
        legend_rows=int(np.ceil(len(labels) / columns)),
    )


def _curve_envelopes(km: Any, factor: float, grid: np.ndarray, show_ci: bool) -> np.ndarray:
    """Per grid time, the lowest and highest drawn value over all curves (and bands)."""
    low = np.full(grid.size, np.inf)
    high = np.full(grid.size, -np.inf)
    for group in km.groups:
        table = km.curves[group].table
        times = np.concatenate(([0.0], table["time"].to_numpy() * factor))
        columns = [("surv", "surv")] + ([("lower", "upper")] if show_ci else [])
        inside = grid <= times[-1]
        at = np.searchsorted(times, grid, side="right") - 1
        for lower_name, upper_name in columns:
            lower = np.concatenate(([1.0], table[lower_name].fillna(0).to_numpy()))[at]
            upper = np.concatenate(([1.0], table[upper_name].fillna(1).to_numpy()))[at]
            low = np.where(inside, np.minimum(low, lower), low)
            high = np.where(inside, np.maximum(high, upper), high)
    return np.stack([low, high])


def _free_corner(
    envelope: np.ndarray,
    grid: np.ndarray,
    x_max: float,
    box: tuple[float, float],
    y_range: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float, str, str] | None:
    """An axes-fraction anchor of a ``box`` (width, height) no curve passes through."""
    width, height = box
    margin = 0.025
    candidates = (
        (0.98, 0.97, "right", "top"),
        (0.02, 0.03, "left", "bottom"),
        (0.98, 0.03, "right", "bottom"),
        (0.98, 0.55, "right", "center"),
    )
    low, high = y_range
    span = high - low
    # data y (ylim low - 2%, high + 3% of the span) to axes fraction
    y_of = (envelope - low + 0.02 * span) / (1.05 * span)
    x_of = grid / (x_max * 1.03) + 0.01
    for x, y, ha, va in candidates:
        x0 = x - width if ha == "right" else x
        y0 = {"top": y - height, "bottom": y, "center": y - height / 2}[va]
        within = (x_of >= x0 - margin) & (x_of <= x0 + width + margin)
        low, high = y_of[0][within], y_of[1][within]
        touches = (high >= y0 - margin) & (low <= y0 + height + margin)
        if not touches.any():
            return x, y, ha, va
    return None


def _draw_curves(axis: Axes, km: Any, factor: float, show_ci: bool) -> list[str]:
    labels = []
    for index, group in enumerate(km.groups):
        curve = km.curves[group]
        colour = PALETTE[index % len(PALETTE)]
        table = curve.table
        times = np.concatenate(([0.0], table["time"].to_numpy() * factor))
        surv = np.concatenate(([1.0], table["surv"].to_numpy()))
        label = f"{curve.group} (n = {curve.n}, {curve.events} events)"
        labels.append(label)
        axis.step(times, surv, where="post", color=colour, linewidth=1.8, label=label)
        if show_ci:
            lower = np.concatenate(([1.0], table["lower"].fillna(0).to_numpy()))
            upper = np.concatenate(([1.0], table["upper"].fillna(1).to_numpy()))
            axis.fill_between(
                times, lower, upper, step="post", color=colour, alpha=0.12, linewidth=0
            )
        censored = table[table["n_censor"] > 0]
        axis.plot(
            censored["time"] * factor,
            censored["surv"],
            linestyle="none",
            marker="|",
            markersize=7,
            markeredgewidth=1.2,
            color=colour,
        )
    return labels


def _count_table(
    axis: Axes, rows: list[list[int]], ticks: np.ndarray, groups: list[str], title: str
) -> None:
    """A table of counts per group (rows) at the ticks (columns), aligned with the x axis."""
    n_groups = len(rows)
    for index, counts in enumerate(rows):
        for tick, count in zip(ticks, counts, strict=True):
            axis.text(
                tick,
                n_groups - 1 - index,
                str(int(count)),
                ha="center",
                va="center",
                fontsize=8.5,
                color=PALETTE[index % len(PALETTE)],
            )
    axis.set_ylim(-0.6, n_groups - 0.4)
    axis.set_yticks(range(n_groups))
    axis.set_yticklabels(list(reversed(groups)), fontsize=8.5)
    for label, index in zip(axis.get_yticklabels(), reversed(range(n_groups)), strict=True):
        label.set_color(PALETTE[index % len(PALETTE)])
    axis.tick_params(axis="x", labelbottom=False, length=0)
    axis.tick_params(axis="y", length=0, pad=8)
    for side in ("top", "right", "bottom", "left"):
        axis.spines[side].set_visible(False)
    axis.set_title(title, fontsize=8.5, loc="left", pad=2, x=-0.02)


def _cumulative_events(curve: Any, at: np.ndarray) -> list[int]:
    """Events up to and including each time (the KM table's own event counts)."""
    times = curve.table["time"].to_numpy()
    events = np.cumsum(curve.table["n_event"].to_numpy())
    index = np.searchsorted(times, at, side="right") - 1
    return [0 if i < 0 else int(events[i]) for i in index]


@dataclass(frozen=True)
class KMStyle:
    """Plot controls of a Kaplan–Meier or cumulative-incidence figure.

    Attributes
    ----------
    display_unit
        Time unit of the axis (a run's one unit); None: months up to 15 years, else years.
    breaks
        Interval between the time ticks (and at-risk columns), in the display unit.
    ylim
        Limits of the probability axis; None: 0..1 for survival, fitted for incidence.
    min_at_risk
        End each curve where fewer than this many patients remain at risk (0: never).
    show_ci
        Confidence bands; None: drawn for up to two groups, left out for three or more.

    Examples
    --------
    >>> KMStyle(breaks=12, min_at_risk=5).bands(3)
    False
    """

    display_unit: str | None = None
    breaks: float | None = None
    ylim: tuple[float, float] | None = None
    min_at_risk: int = 0
    show_ci: bool | None = None

    def __post_init__(self) -> None:
        if self.min_at_risk < 0:
            raise OptionError("the minimum number at risk must be >= 0", found=self.min_at_risk)
        if self.ylim is not None:
            low, high = (float(v) for v in self.ylim)
            if not (np.isfinite(low) and np.isfinite(high) and low < high):
                raise OptionError("y limits must be two increasing numbers", found=self.ylim)

    def bands(self, n_groups: int) -> bool:
        """Whether confidence bands are drawn for ``n_groups`` curves."""
        return self.show_ci if self.show_ci is not None else n_groups <= 2


def _trimmed(km: Any, min_at_risk: int) -> Any:
    """The curves ended where fewer than ``min_at_risk`` patients remain at risk."""
    if min_at_risk <= 0:
        return km
    curves = {}
    for group in km.groups:
        curve = km.curves[group]
        table = curve.table[curve.table["n_risk"] >= min_at_risk]
        curves[group] = replace(curve, table=table.reset_index(drop=True))
    return replace(km, curves=curves)


def plot_kaplan_meier(
    km: Any,
    *,
    time_unit: str = "months",
    title: str = "",
    subtitle: str = "",
    ylabel: str = "Survival probability",
    annotation: Sequence[str] = (),
    landmarks: Sequence[float] | None = None,
    show_ci: bool | None = None,
    horizon: float | None = None,
    cumulative_events: bool = False,
    statistics_below: bool = False,
    style: KMStyle | None = None,
    at_times: Sequence[Mapping[str, Any]] = (),
    ax: Axes | None = None,
) -> Figure | Axes:
    """Draw Kaplan–Meier curves with censor ticks, CI bands and a numbers-at-risk table.

    Parameters
    ----------
    km
        A :class:`~sigsurv.survival.km.KaplanMeierResult`.
    time_unit
        Unit of the data's times (``days``, ``months``, ``years``); the axis shows
        months (up to 15 years of follow-up) or years, or ``style.display_unit``.
    title, subtitle
        Wrapped to the figure's width, never cut.
    annotation
        Statistics lines (e.g. ``HR 0.41 (0.21–0.80), p = 0.010``) computed by the
        caller with the survival engine; placed in a corner no curve or band passes
        through, else below the plot.
    landmarks
        Tick and at-risk times in the display unit (default: a round grid).
    show_ci
        Confidence bands (overrides ``style.show_ci``).
    horizon
        Follow-up horizon in the data's unit, drawn as a dashed line.
    cumulative_events
        Add a table of cumulative events under the numbers at risk.
    statistics_below
        Always write the statistics below the plot.
    style
        Plot controls (:class:`KMStyle`): display unit, breaks, y limits, tail
        trimming, bands.
    at_times
        Records ``group, time, estimate, lower, upper`` (time in the display unit),
        e.g. :meth:`~sigsurv.analysis.signature.SignatureSurvival.survival_at_times`,
        shown as a table under the numbers at risk and marked on the time axis.
    ax
        Draw the curves, legend and statistics into these axes (no at-risk table) and
        return them; without it a new figure is made and returned.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new figure (axes: the plot, the numbers at risk, then the optional tables),
        or ``ax`` when given.

    Examples
    --------
    >>> from sigsurv.survival.km import kaplan_meier
    >>> km = kaplan_meier([5, 8, 12, 20, 25, 30], [1, 0, 1, 1, 0, 0],
    ...                   groups=["low", "low", "low", "high", "high", "high"])
    >>> fig = plot_kaplan_meier(km, annotation=["log-rank p = 0.40"])
    >>> len(fig.axes), fig.axes[0].get_xlabel()
    (2, 'Time (months)')
    >>> panel = plt.figure().add_subplot(1, 2, 1)
    >>> plot_kaplan_meier(km, ax=panel) is panel
    True
    """
    style = style or KMStyle()
    bands = style.bands(len(km.groups)) if show_ci is None else show_ci
    shown = _trimmed(km, style.min_at_risk)
    curves = [shown.curves[group] for group in shown.groups]
    max_time = max(float(curve.table["time"].max()) for curve in km.curves.values())
    if horizon is not None and horizon > 0:
        max_time = min(max_time, horizon)
    axis_spec = time_axis(max_time, time_unit, style.display_unit, style.breaks)
    ticks = np.asarray(landmarks, dtype=float) if landmarks is not None else axis_spec.ticks
    if ax is not None:
        return _draw_into(
            ax, shown, axis_spec, ticks, bands, horizon, title, ylabel, annotation, style
        )
    figure = plt.figure(figsize=(_WIDTH, 6.0), dpi=150)
    labels = [f"{c.group} (n = {c.n}, {c.events} events)" for c in curves]
    header = _header(figure, title, subtitle, labels)
    table_height = 0.24 + 0.2 * len(curves)
    times_height = 0.44 + 0.2 * len(curves) if at_times else 0.0
    tables = 2 if cumulative_events else 1
    stat_height = 0.1 + 0.17 * len(annotation)
    fixed = header.height + _PLOT_HEIGHT + 0.5 + tables * (table_height + 0.1) + 0.15
    fixed += times_height
    height = fixed + stat_height  # room for statistics below; removed if they fit inside
    figure.set_size_inches(_WIDTH, height)
    main = _inches_axes(figure, height, header.height + 0.05, _PLOT_HEIGHT)
    _style_main(main, shown, axis_spec, ticks, bands, horizon, ylabel, style)
    _legend(main, header.legend_columns)
    _write_header(figure, header, height)
    top = header.height + 0.05 + _PLOT_HEIGHT + 0.5
    risk = _inches_axes(figure, height, top + 0.24, table_height - 0.24, sharex=main)
    names = [str(c.group) for c in curves]
    factor = axis_spec.factor
    counts = [list(c.n_at_risk(ticks / factor)) for c in km.curves.values()]
    _count_table(risk, counts, ticks, names, "Number at risk")
    if cumulative_events:
        top += table_height + 0.1
        events = _inches_axes(figure, height, top + 0.24, table_height - 0.24, sharex=main)
        cumulative = [_cumulative_events(c, ticks / factor) for c in km.curves.values()]
        _count_table(events, cumulative, ticks, names, "Cumulative number of events")
    if at_times:
        top += table_height + 0.1
        table_axis = _inches_axes(figure, height, top + 0.24, times_height - 0.34)
        _estimate_table(table_axis, at_times, names, f"{ylabel} (95% CI) at fixed times")
    if annotation:
        y_range = style.ylim or (0.0, 1.0)
        _place_statistics(
            figure,
            main,
            shown,
            list(annotation),
            factor,
            bands,
            float(ticks[-1]),
            below=statistics_below,
            fixed=fixed,
            y_range=y_range,
        )
    return figure


def _style_main(
    main: Axes,
    km: Any,
    axis_spec: TimeAxis,
    ticks: np.ndarray,
    bands: bool,
    horizon: float | None,
    ylabel: str,
    style: KMStyle,
) -> None:
    """Curves, bands, horizon, axes limits, ticks and labels of the main plot."""
    _draw_curves(main, km, axis_spec.factor, bands)
    if horizon is not None:
        main.axvline(horizon * axis_spec.factor, color="0.5", linestyle="--", linewidth=0.8)
    low, high = style.ylim or (0.0, 1.0)
    margin = 0.02 * (high - low)
    main.set_ylim(low - margin, high + 1.5 * margin)
    main.set_yticks(np.linspace(low, high, 6))
    x_max = float(ticks[-1])
    main.set_xlim(-0.01 * x_max, x_max * 1.02)
    main.set_ylabel(ylabel)
    main.set_xticks(ticks)
    main.set_xticklabels([f"{t:g}" for t in ticks])
    main.set_xlabel(f"Time ({axis_spec.unit})")
    main.spines[["top", "right"]].set_visible(False)
    main.grid(axis="y", color="0.92", linewidth=0.6)


def _legend(main: Axes, columns: int) -> None:
    # matplotlib fills legend columns first: reorder so that groups read row by row.
    handles, legend_labels = main.get_legend_handles_labels()
    order = [i for column in range(columns) for i in range(column, len(handles), columns)]
    main.legend(
        [handles[i] for i in order],
        [legend_labels[i] for i in order],
        loc="lower left",
        bbox_to_anchor=(-0.01, 1.0),
        ncols=columns,
        frameon=False,
        fontsize=8.5,
        handlelength=1.6,
        borderaxespad=0.2,
        columnspacing=1.2,
    )


def _draw_into(
    ax: Axes,
    km: Any,
    axis_spec: TimeAxis,
    ticks: np.ndarray,
    bands: bool,
    horizon: float | None,
    title: str,
    ylabel: str,
    annotation: Sequence[str],
    style: KMStyle,
) -> Axes:
    """The curves into a caller's axes: legend inside, statistics in the upper right."""
    _style_main(ax, km, axis_spec, ticks, bands, horizon, ylabel, style)
    ax.legend(loc="lower left", frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    if annotation:
        ax.text(
            0.98,
            0.97,
            "\n".join(annotation),
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7.5,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "0.8"},
        )
    return ax


def _percent(value: Any) -> str:
    """Whole percent, one decimal under 10% (incidences of a few percent)."""
    if value is None:
        return "–"
    percent = 100 * float(value)
    return f"{percent:.1f}%" if percent < 9.95 else f"{percent:.0f}%"


def _estimate_table(
    axis: Axes, rows: Sequence[Mapping[str, Any]], groups: list[str], title: str
) -> None:
    """Estimates with their CI per group (rows) at fixed times (columns)."""
    times = sorted({float(row["time"]) for row in rows})
    unit = str(rows[0].get("unit", ""))
    by_key = {(str(row["group"]), float(row["time"])): row for row in rows}
    n_groups = len(groups)
    columns = np.linspace(0.0, 1.0, len(times) + 2)[1:-1]
    for x, time in zip(columns, times, strict=True):
        axis.text(
            x, n_groups, f"{time:g} {unit}", ha="center", va="center", fontsize=8, fontweight="bold"
        )
        for index, group in enumerate(groups):
            row = by_key.get((group, time))
            if row is None or row["estimate"] is None:
                text = "beyond follow-up"
            else:
                text = (
                    f"{_percent(row['estimate'])} "
                    f"({_percent(row['lower'])}–{_percent(row['upper'])})"
                )
            axis.text(
                x,
                n_groups - 1 - index,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color=PALETTE[index % len(PALETTE)],
            )
    axis.set_xlim(0, 1)
    axis.set_ylim(-0.6, n_groups + 0.5)
    axis.set_yticks(range(n_groups))
    axis.set_yticklabels(list(reversed(groups)), fontsize=8.5)
    for label, index in zip(axis.get_yticklabels(), reversed(range(n_groups)), strict=True):
        label.set_color(PALETTE[index % len(PALETTE)])
    axis.tick_params(axis="both", length=0, pad=8)
    axis.tick_params(axis="x", labelbottom=False)
    for side in ("top", "right", "bottom", "left"):
        axis.spines[side].set_visible(False)
    axis.set_title(title, fontsize=8.5, loc="left", pad=2, x=-0.02)


def _inches_axes(
    figure: Figure, height: float, top: float, size: float, sharex: Axes | None = None
) -> Axes:
    """Axes ``top`` inches below the figure's top edge, ``size`` inches high."""
    return figure.add_axes(
        (_LEFT / _WIDTH, 1 - (top + size) / height, 1 - (_LEFT + _RIGHT) / _WIDTH, size / height),
        sharex=sharex,
    )


def _write_header(figure: Figure, header: _Header, height: float) -> None:
    y = 1 - 0.1 / height
    for line in header.title:
        figure.text(0.02, y, line, fontsize=11, fontweight="bold", va="top")
        y -= 0.24 / height
    for line in header.subtitle:
        figure.text(0.02, y, line, fontsize=8.5, color="0.3", va="top")
        y -= 0.18 / height


def _place_statistics(
    figure: Figure,
    axis: Axes,
    km: Any,
    lines: list[str],
    factor: float,
    show_ci: bool,
    x_max: float,
    *,
    below: bool,
    fixed: float,
    y_range: tuple[float, float] = (0.0, 1.0),
) -> None:
    """The statistics in a corner no curve or band crosses; else below everything."""
    text = "\n".join(lines)
    plot_width = _WIDTH - _LEFT - _RIGHT
    width = max(text_width_inches(figure, line, _STAT_FONT) for line in lines) + 0.15
    box = (width / plot_width, (0.17 * len(lines) + 0.1) / _PLOT_HEIGHT)
    grid = np.linspace(0.0, x_max * 1.02, 400)
    corner = (
        None
        if below
        else _free_corner(_curve_envelopes(km, factor, grid, show_ci), grid, x_max, box, y_range)
    )
    style = {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "0.8"}
    if corner is not None:
        # The figure is shortened by the room kept for statistics below; axes keep
        # their size in inches by being re-placed.
        _shrink(figure, fixed)
        x, y, ha, va = corner
        axis.text(
            x, y, text, transform=axis.transAxes, ha=ha, va=va, fontsize=_STAT_FONT, bbox=style
        )
        return
    # Below the tables, in axes-fraction coordinates of the plot so that the text stays
    # the plot's first annotation.
    height = figure.get_size_inches()[1]
    bottom_of_plot = axis.get_position().y0 * height
    y = -(bottom_of_plot - (0.1 + 0.17 * len(lines))) / _PLOT_HEIGHT
    axis.text(
        0.0,
        y,
        text,
        transform=axis.transAxes,
        ha="left",
        va="top",
        fontsize=_STAT_FONT,
        clip_on=False,
    )


def _shrink(figure: Figure, new_height: float) -> None:
    old_height = figure.get_size_inches()[1]
    for axis in figure.axes:
        x0, y0, w, h = axis.get_position().bounds
        top_inches = (1 - y0 - h) * old_height
        axis.set_position(
            (x0, 1 - (top_inches + h * old_height) / new_height, w, h * old_height / new_height)
        )
    for text in figure.texts:
        x, y = text.get_position()
        text.set_position((x, 1 - (1 - y) * old_height / new_height))
    figure.set_size_inches(_WIDTH, new_height)
