"""Cumulative incidence curves of one cause (R ``cmprsk::cuminc``) with Gray's test.

Drawn like the Kaplan–Meier figure (:mod:`sigsurv.plots.km`): a wrapped title and
subtitle, the legend above the plot, step curves with confidence bands, Gray's test in
a box, numbers at risk aligned with the ticks and, optionally, the incidence at fixed
times. The y axis is fitted to the data (incidences of a few percent are not drawn
on a 0–1 axis).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sigsurv.plots._text import format_p
from sigsurv.plots.km import (
    _PLOT_HEIGHT,
    _WIDTH,
    PALETTE,
    KMStyle,
    _count_table,
    _estimate_table,
    _header,
    _inches_axes,
    _legend,
    _write_header,
    time_axis,
)

__all__ = ["incidence_bands", "plot_cumulative_incidence"]

_Z95 = 1.959963984540054


def incidence_bands(estimate: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% bands of a cumulative incidence on the log(-log) scale (inside 0..1).

    Examples
    --------
    >>> low, high = incidence_bands(np.array([0.0, 0.2]), np.array([0.0, 0.0016]))
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.0, 0.128], [0.0, 0.283])
    """
    f = np.asarray(estimate, dtype=float)
    v = np.asarray(variance, dtype=float)
    inside = (f > 0) & (f < 1) & (v > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.abs(_Z95 * np.sqrt(v) / (f * np.log(f)))
        low = np.where(inside, f ** np.exp(spread), f)
        high = np.where(inside, f ** np.exp(-spread), f)
    return low, high


def _trimmed(result: Any, follow_up: Mapping[Any, Sequence[float]], min_at_risk: int) -> Any:
    """Curves ended where fewer than ``min_at_risk`` patients remain followed."""
    curves, last = {}, {}
    for group in result.groups:
        times = np.sort(np.asarray(follow_up[group], dtype=float))[::-1]
        end = float(times[min_at_risk - 1]) if times.size >= min_at_risk else 0.0
        curve = result.curves[group]
        curves[group] = curve[curve["time"] <= end].reset_index(drop=True)
        last[group] = min(end, result.last_time[group])
    return dataclasses.replace(result, curves=curves, last_time=last)


def _y_top(result: Any, bands: bool) -> float:
    """A round upper limit just above the highest drawn value (estimate or band)."""
    highest = 0.0
    for group in result.groups:
        curve = result.curves[group]
        if curve.empty:
            continue
        values = curve["estimate"].to_numpy()
        highest = max(highest, float(np.nanmax(values)))
        if bands and "variance" in curve:
            # Bands count where at least 10 remain at risk: the last few events' bands
            # would stretch the axis to 1 and flatten every curve (they are clipped).
            upper = incidence_bands(values, curve["variance"].to_numpy())[1]
            kept = upper[curve["n_risk"].to_numpy() >= 10] if "n_risk" in curve else upper
            if kept.size:
                highest = max(highest, float(np.nanmax(kept)))
    for step in (0.05, 0.1, 0.2, 0.25):
        top = np.ceil(highest * 1.08 / step) * step
        if top / step <= 6:
            return float(min(max(top, step), 1.0))
    return 1.0


def _draw_incidence(
    axis: Axes, result: Any, factor: float, bands: bool, events_of: Mapping[Any, int]
) -> list[str]:
    labels = []
    for index, group in enumerate(result.groups):
        curve = result.curves[group]
        colour = PALETTE[index % len(PALETTE)]
        last = result.last_time[group]
        times = np.concatenate(([0.0], curve["time"].to_numpy(), [last])) * factor
        estimate = curve["estimate"].to_numpy()
        final = estimate[-1] if estimate.size else 0.0
        values = np.concatenate(([0.0], estimate, [final]))
        events = events_of[group]
        label = f"{group} ({events} events)" if len(result.groups) > 1 else f"{events} events"
        labels.append(label)
        axis.step(times, values, where="post", linewidth=1.8, color=colour, label=label)
        if bands and "variance" in curve and estimate.size:
            variance = curve["variance"].to_numpy()
            low, high = incidence_bands(values, np.concatenate(([0.0], variance, variance[-1:])))
            axis.fill_between(times, low, high, step="post", color=colour, alpha=0.12, lw=0)
    return labels


def plot_cumulative_incidence(
    result: Any,
    *,
    time_unit: str = "months",
    title: str = "",
    subtitle: str = "",
    cause_label: str = "",
    follow_up: Mapping[Any, Sequence[float]] | None = None,
    at_times: Sequence[Mapping[str, Any]] = (),
    style: KMStyle | None = None,
    ax: Axes | None = None,
) -> Figure | Axes:
    """Draw the cumulative incidence of one cause per group, with Gray's test.

    Parameters
    ----------
    result
        A :class:`~sigsurv.survival.competing.CumulativeIncidenceResult`.
    time_unit
        Unit of the data's times; the axis shows months or years
        (or ``style.display_unit``).
    title, subtitle
        Wrapped to the figure's width, never cut.
    cause_label
        What the cause is (e.g. ``distant metastasis``); default ``cause <code>``.
    follow_up
        Follow-up times per group (data unit): the numbers at risk under the plot.
    at_times
        Records ``group, time, estimate, lower, upper`` (display unit) tabulated under
        the numbers at risk.
    style
        Plot controls (:class:`~sigsurv.plots.km.KMStyle`); ``ylim`` None fits the
        axis to the highest curve or band.
    ax
        Draw into these axes and return them; otherwise a new figure is returned.

    Examples
    --------
    >>> from sigsurv.survival.competing import cumulative_incidence
    >>> res = cumulative_incidence([2, 3, 3, 5, 6, 7, 8, 9, 11, 12],
    ...                            [1, 2, 1, 0, 1, 1, 2, 0, 1, 0], cause=1,
    ...                            groups=["a", "a", "b", "b", "a", "b", "a", "b", "a", "b"])
    >>> figure = plot_cumulative_incidence(res, cause_label="relapse")
    >>> figure.axes[0].get_ylabel()
    'Cumulative incidence of relapse'
    """
    style = style or KMStyle()
    bands = style.bands(len(result.groups))
    # Events of the cause per group, counted before any tail trimming.
    events = {group: int(result.curves[group]["n_event"].sum()) for group in result.groups}
    if follow_up is not None and style.min_at_risk > 0:
        result = _trimmed(result, follow_up, style.min_at_risk)
    cause = cause_label or f"cause {result.cause}"
    axis_spec = time_axis(
        max(result.last_time.values()), time_unit, style.display_unit, style.breaks
    )
    if ax is not None:
        _plot_axes(ax, result, axis_spec, bands, cause, style, events)
        ax.legend(loc="upper left", frameon=False, fontsize=8)
        if title:
            ax.set_title(title, fontsize=10, loc="left")
        return ax
    figure = plt.figure(figsize=(_WIDTH, 6.0), dpi=150)
    labels = [f"{group} ({events[group]} events)" for group in result.groups]
    header = _header(figure, title, subtitle, labels)
    n_groups = len(result.groups)
    table_height = 0.24 + 0.2 * n_groups if follow_up is not None else 0.0
    times_height = 0.44 + 0.2 * n_groups if at_times else 0.0
    height = header.height + _PLOT_HEIGHT + 0.65 + table_height + times_height + 0.2
    figure.set_size_inches(_WIDTH, height)
    main = _inches_axes(figure, height, header.height + 0.05, _PLOT_HEIGHT)
    _plot_axes(main, result, axis_spec, bands, cause, style, events)
    _legend(main, header.legend_columns)
    _write_header(figure, header, height)
    top = header.height + 0.05 + _PLOT_HEIGHT + 0.5
    names = [str(group) for group in result.groups]
    if follow_up is not None:
        ticks = axis_spec.ticks
        risk = _inches_axes(figure, height, top + 0.24, table_height - 0.24, sharex=main)
        counts = [
            [
                int((np.asarray(follow_up[g], dtype=float) >= t / axis_spec.factor).sum())
                for t in ticks
            ]
            for g in result.groups
        ]
        _count_table(risk, counts, ticks, names, "Number at risk")
        top += table_height + 0.1
    if at_times:
        table_axis = _inches_axes(figure, height, top + 0.24, times_height - 0.34)
        _estimate_table(table_axis, at_times, names, f"Cumulative incidence of {cause} (95% CI)")
    return figure


def _plot_axes(
    axis: Axes,
    result: Any,
    axis_spec: Any,
    bands: bool,
    cause: str,
    style: KMStyle,
    events: Mapping[Any, int],
) -> None:
    """Curves, bands, fitted limits, ticks, labels and Gray's test of one plot."""
    _draw_incidence(axis, result, axis_spec.factor, bands, events)
    ticks = axis_spec.ticks
    axis.set_xticks(ticks)
    axis.set_xticklabels([f"{t:g}" for t in ticks])
    axis.set_xlim(-0.01 * ticks[-1], ticks[-1] * 1.02)
    low, high = style.ylim or (0.0, _y_top(result, bands))
    axis.set_ylim(low, high)
    axis.set_xlabel(f"Time ({axis_spec.unit})")
    axis.set_ylabel(f"Cumulative incidence of {cause}")
    axis.spines[["top", "right"]].set_visible(False)
    axis.grid(axis="y", color="0.92", linewidth=0.6)
    # Incidence rises from 0: the top left corner is the one no curve reaches first.
    if result.gray_test is not None:
        gray = result.gray_test
        axis.text(
            0.02,
            0.97,
            f"Gray's test χ² = {gray.statistic:.2f} ({gray.df} df), {format_p(gray.p)}",
            transform=axis.transAxes,
            ha="left",
            va="top",
            fontsize=8.5,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "0.8"},
        )
