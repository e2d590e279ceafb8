"""The cut-point scan of an optimal cut: the standardised log-rank statistic per cut.

What R ``maxstat`` plots and KM-plotter's auto-cutoff shows: every candidate cut of the
score (within the allowed proportions) against its standardised log-rank statistic,
the selected cut marked, with the selection-adjusted p-values beside the naive one.
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sigsurv.plots._text import p_text, wrap_to_width
from sigsurv.plots.km import PALETTE

__all__ = ["plot_cut_scan"]


def plot_cut_scan(
    maxstat: Any, *, title: str = "", score_label: str = "score", ax: Axes | None = None
) -> Figure | Axes:
    """Draw the standardised log-rank statistic against the cut, the chosen cut marked.

    Parameters
    ----------
    maxstat
        A :class:`~sigsurv.survival.cutpoints.MaxstatResult` (its ``curve``: ``cut,
        n_low, statistic``).
    title
        Wrapped to the figure's width.
    score_label
        What the x axis is (e.g. ``msk1_rps6ka5 score``).
    ax
        Draw into these axes and return them; otherwise a new figure is returned.

    Examples
    --------
    >>> import numpy as np
    >>> from sigsurv.survival.cutpoints import maxstat_cutpoint
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=60); t = np.exp(-x + rng.normal(size=60))
    >>> figure = plot_cut_scan(maxstat_cutpoint(x, t, np.ones(60)))
    >>> figure.axes[0].get_ylabel()
    'standardised log-rank statistic'
    """
    figure = None
    if ax is None:
        figure = plt.figure(figsize=(6.5, 4.2), dpi=150)
        lines = wrap_to_width(figure, title, 6.2, 11, "bold") if title else []
        height = 4.2 + 0.24 * len(lines)
        figure.set_size_inches(6.5, height)
        ax = figure.add_axes((0.9 / 6.5, 0.6 / height, 5.3 / 6.5, 3.1 / height))
        y = 1 - 0.12 / height
        for line in lines:
            figure.text(0.02, y, line, fontsize=11, fontweight="bold", va="top")
            y -= 0.24 / height
    curve = maxstat.curve
    ax.plot(
        curve["cut"],
        curve["statistic"].abs(),
        color=PALETTE[0],
        linewidth=1.4,
        marker="o",
        markersize=2.5,
    )
    ax.axvline(maxstat.cutpoint, color=PALETTE[1], linestyle="--", linewidth=1)
    ax.annotate(
        f"selected cut {maxstat.cutpoint:.3g}\nM = {abs(maxstat.statistic):.2f}",
        xy=(maxstat.cutpoint, abs(maxstat.statistic)),
        xytext=(6, -4),
        textcoords="offset points",
        fontsize=8,
        va="top",
        color=PALETTE[1],
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
    )
    ax.set_xlabel(score_label)
    ax.set_ylabel("standardised log-rank statistic")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="0.92", linewidth=0.6)
    adjusted = (
        f"selection-adjusted p: Lausen–Schumacher 1992 {p_text(maxstat.p_lau92)}, "
        f"1994 {p_text(maxstat.p_lau94)}"
    )
    if maxstat.p_permutation is not None:
        adjusted += f", permutation {p_text(maxstat.p_permutation)}"
    ax.set_title(
        f"{adjusted}\nnaive log-rank p at the cut {p_text(maxstat.naive_logrank_p)} (optimistic); "
        f"low group {maxstat.minprop:.0%}–{maxstat.maxprop:.0%} of patients",
        fontsize=8,
        loc="left",
        color="0.3",
    )
    return figure if figure is not None else ax
