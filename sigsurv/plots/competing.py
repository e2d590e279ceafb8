"""Cumulative incidence curves of one cause (R ``cmprsk::cuminc``) with Gray's test."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from sigsurv.plots._text import format_p, wrap_to_width
from sigsurv.plots.km import PALETTE, time_axis

__all__ = ["plot_cumulative_incidence"]


def plot_cumulative_incidence(
    result: Any,
    *,
    time_unit: str = "months",
    title: str = "",
    cause_label: str = "",
) -> Figure:
    """Draw the cumulative incidence of one cause per group, with Gray's test.

    Parameters
    ----------
    result
        A :class:`~sigsurv.survival.competing.CumulativeIncidenceResult`.
    time_unit
        Unit of the data's times; the axis shows months or years.
    cause_label
        What the cause is (e.g. ``distant metastasis``); default ``cause <code>``.

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
    cause = cause_label or f"cause {result.cause}"
    max_time = max(result.last_time.values())
    axis_spec = time_axis(max_time, time_unit)
    figure = plt.figure(figsize=(6.5, 4.6), dpi=150)
    title_lines = wrap_to_width(figure, title, 6.2, 11, "bold") if title else []
    top = 0.25 + 0.24 * len(title_lines)
    height = 4.6 + 0.24 * len(title_lines)
    figure.set_size_inches(6.5, height)
    axis = figure.add_axes((0.9 / 6.5, 0.6 / height, 5.3 / 6.5, (height - top - 0.95) / height))
    for index, group in enumerate(result.groups):
        curve = result.curves[group]
        times = np.concatenate(([0.0], curve["time"].to_numpy(), [result.last_time[group]]))
        estimate = curve["estimate"].to_numpy()
        values = np.concatenate(([0.0], estimate, [estimate[-1] if estimate.size else 0.0]))
        events = int(curve["n_event"].sum())
        label = f"{group} ({events} events)" if len(result.groups) > 1 else f"{events} events"
        axis.step(
            times * axis_spec.factor,
            values,
            where="post",
            linewidth=1.8,
            color=PALETTE[index % len(PALETTE)],
            label=label,
        )
    ticks = axis_spec.ticks
    axis.set_xticks(ticks)
    axis.set_xticklabels([f"{t:g}" for t in ticks])
    axis.set_xlim(-0.01 * ticks[-1], ticks[-1] * 1.02)
    axis.set_ylim(0, 1)
    axis.set_xlabel(f"Time ({axis_spec.unit})")
    axis.set_ylabel(f"Cumulative incidence of {cause}")
    axis.spines[["top", "right"]].set_visible(False)
    axis.grid(axis="y", color="0.92", linewidth=0.6)
    axis.legend(
        loc="lower left",
        bbox_to_anchor=(-0.01, 1.0),
        frameon=False,
        fontsize=8.5,
        ncols=min(3, len(result.groups)),
    )
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
    y = 1 - 0.12 / height
    for line in title_lines:
        figure.text(0.02, y, line, fontsize=11, fontweight="bold", va="top")
        y -= 0.24 / height
    return figure
