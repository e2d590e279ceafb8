"""Kaplan–Meier figure as papers print it (survminer ``ggsurvplot`` conventions).

Step curves with censor ticks and confidence bands; a title and a subtitle that wrap;
the legend above the plot; the statistics where they hide no curve (the emptiest
corner, else below the plot); time shown in months or years with round ticks whatever
the cohort's unit; numbers at risk (and optionally cumulative events) aligned with the
ticks. The figure draws a :class:`~sigsurv.survival.km.KaplanMeierResult`; it never
recomputes a statistic: the statistics lines are written by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: figures are written to files, never shown

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sigsurv.plots._text import MONTHS_PER_UNIT, format_p, text_width_inches, wrap_to_width

__all__ = [
    "PALETTE",
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


def time_axis(max_time: float, unit: str) -> TimeAxis:
    """Display months (follow-up up to 15 years) or years, whatever the data's unit.

    Examples
    --------
    >>> axis = time_axis(3650, "days")
    >>> axis.unit, axis.ticks.tolist()
    ('months', [0.0, 24.0, 48.0, 72.0, 96.0, 120.0])
    >>> time_axis(9000, "days").unit
    'years'
    >>> time_axis(118, "months").ticks.tolist()
    [0.0, 24.0, 48.0, 72.0, 96.0, 120.0]
    """
    if unit not in MONTHS_PER_UNIT:
        return TimeAxis(unit, 1.0, landmark_grid(max_time, unit))
    to_months = MONTHS_PER_UNIT[unit]
    if max_time * to_months <= _MONTHS_SHOWN_UP_TO:
        return TimeAxis("months", to_months, landmark_grid(max_time * to_months, "months"))
    factor = to_months / 12.0
    return TimeAxis("years", factor, landmark_grid(max_time * factor, "years"))


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
    envelope: np.ndarray, grid: np.ndarray, x_max: float, box: tuple[float, float]
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
    y_of = (envelope + 0.02) / 1.05  # data y (ylim -0.02..1.03) to axes fraction
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


def plot_kaplan_meier(
    km: Any,
    *,
    time_unit: str = "months",
    title: str = "",
    subtitle: str = "",
    ylabel: str = "Survival probability",
    annotation: Sequence[str] = (),
    landmarks: Sequence[float] | None = None,
    show_ci: bool = True,
    horizon: float | None = None,
    cumulative_events: bool = False,
    statistics_below: bool = False,
) -> Figure:
    """Draw Kaplan–Meier curves with censor ticks, CI bands and a numbers-at-risk table.

    Parameters
    ----------
    km
        A :class:`~sigsurv.survival.km.KaplanMeierResult`.
    time_unit
        Unit of the data's times (``days``, ``months``, ``years``); the axis shows
        months (up to 15 years of follow-up) or years.
    title, subtitle
        Wrapped to the figure's width, never cut.
    annotation
        Statistics lines (e.g. ``HR 0.41 (0.21–0.80), p = 0.010``) computed by the
        caller with the survival engine; placed in a corner no curve or band passes
        through, else below the plot.
    landmarks
        Tick and at-risk times in the display unit (default: a round grid).
    horizon
        Follow-up horizon in the data's unit, drawn as a dashed line.
    cumulative_events
        Add a table of cumulative events under the numbers at risk.
    statistics_below
        Always write the statistics below the plot.

    Returns
    -------
    matplotlib.figure.Figure
        Axes: the plot, the numbers at risk (and the cumulative events).

    Examples
    --------
    >>> from sigsurv.survival.km import kaplan_meier
    >>> km = kaplan_meier([5, 8, 12, 20, 25, 30], [1, 0, 1, 1, 0, 0],
    ...                   groups=["low", "low", "low", "high", "high", "high"])
    >>> fig = plot_kaplan_meier(km, annotation=["log-rank p = 0.40"])
    >>> len(fig.axes), fig.axes[0].get_xlabel()
    (2, 'Time (months)')
    """
    curves = [km.curves[group] for group in km.groups]
    max_time = max(float(curve.table["time"].max()) for curve in curves)
    if horizon is not None and horizon > 0:
        max_time = min(max_time, horizon)
    axis_spec = time_axis(max_time, time_unit)
    ticks = np.asarray(landmarks, dtype=float) if landmarks is not None else axis_spec.ticks
    factor = axis_spec.factor
    n_groups = len(curves)
    figure = plt.figure(figsize=(_WIDTH, 6.0), dpi=150)
    labels = [f"{c.group} (n = {c.n}, {c.events} events)" for c in curves]
    header = _header(figure, title, subtitle, labels)
    table_height = 0.24 + 0.2 * n_groups
    tables = 2 if cumulative_events else 1
    stat_lines = list(annotation)
    stat_height = 0.1 + 0.17 * len(stat_lines)
    fixed = header.height + _PLOT_HEIGHT + 0.5 + tables * (table_height + 0.1) + 0.15
    height = fixed + stat_height  # room for statistics below; removed if they fit inside
    figure.set_size_inches(_WIDTH, height)
    main = _inches_axes(figure, height, header.height + 0.05, _PLOT_HEIGHT)
    _draw_curves(main, km, factor, show_ci)
    if horizon is not None:
        main.axvline(horizon * factor, color="0.5", linestyle="--", linewidth=0.8)
    main.set_ylim(-0.02, 1.03)
    main.set_yticks(np.linspace(0, 1, 6))
    x_max = float(ticks[-1])
    main.set_xlim(-0.01 * x_max, x_max * 1.02)
    main.set_ylabel(ylabel)
    main.set_xticks(ticks)
    main.set_xticklabels([f"{t:g}" for t in ticks])
    main.set_xlabel(f"Time ({axis_spec.unit})")
    main.spines[["top", "right"]].set_visible(False)
    main.grid(axis="y", color="0.92", linewidth=0.6)
    # matplotlib fills legend columns first: reorder so that groups read row by row.
    handles, legend_labels = main.get_legend_handles_labels()
    columns = header.legend_columns
    order = [i for column in range(columns) for i in range(column, len(handles), columns)]
    main.legend(
        [handles[i] for i in order],
        [legend_labels[i] for i in order],
        loc="lower left",
        bbox_to_anchor=(-0.01, 1.0),
        ncols=header.legend_columns,
        frameon=False,
        fontsize=8.5,
        handlelength=1.6,
        borderaxespad=0.2,
        columnspacing=1.2,
    )
    _write_header(figure, header, height)
    top = header.height + 0.05 + _PLOT_HEIGHT + 0.5
    risk = _inches_axes(figure, height, top + 0.24, table_height - 0.24, sharex=main)
    names = [str(c.group) for c in curves]
    _count_table(
        risk, [list(c.n_at_risk(ticks / factor)) for c in curves], ticks, names, "Number at risk"
    )
    if cumulative_events:
        top += table_height + 0.1
        events = _inches_axes(figure, height, top + 0.24, table_height - 0.24, sharex=main)
        _count_table(
            events,
            [_cumulative_events(c, ticks / factor) for c in curves],
            ticks,
            names,
            "Cumulative number of events",
        )
    if stat_lines:
        _place_statistics(
            figure,
            main,
            km,
            stat_lines,
            factor,
            show_ci,
            x_max,
            below=statistics_below,
            fixed=fixed,
        )
    return figure


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
        else _free_corner(_curve_envelopes(km, factor, grid, show_ci), grid, x_max, box)
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
