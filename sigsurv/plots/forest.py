"""Forest plot of hazard ratios (per cohort, pooled, or per model term), on a log axis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from sigsurv.plots.km import format_p

__all__ = ["plot_forest"]


def plot_forest(
    rows: pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "Hazard ratio (95% CI, log scale)",
    reference: float | None = None,
    reference_label: str = "",
) -> Figure:
    """Draw a forest plot.

    Parameters
    ----------
    rows
        One row per estimate with columns ``label``, ``hr``, ``ci_lower``, ``ci_upper``
        and optionally ``p``, ``weight`` (square size) and ``pooled`` (bool: drawn
        as a diamond). Rows whose estimate is missing are listed with a reason in
        column ``note`` instead of a marker.
    reference
        An extra dotted vertical line, e.g. the paper's published HR.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"label": ["gse1992", "gse4335", "Pooled (random effects)"],
    ...                      "hr": [0.7, 0.9, 0.8], "ci_lower": [0.4, 0.5, 0.55],
    ...                      "ci_upper": [1.2, 1.6, 1.15], "pooled": [False, False, True]})
    >>> fig = plot_forest(rows, reference=0.41, reference_label="paper: HR 0.41")
    >>> len(fig.axes)
    1
    """
    frame = rows.reset_index(drop=True).copy()
    for column, default in (("p", np.nan), ("weight", np.nan), ("pooled", False), ("note", "")):
        if column not in frame.columns:
            frame[column] = default
    n = len(frame)
    legend_space = 0.35 if reference is not None else 0.0
    height = 1.5 + 0.4 * n + legend_space
    figure = plt.figure(figsize=(9.0, height), dpi=150)
    bottom = (0.75 + legend_space) / height
    axis = figure.add_axes((0.3, bottom, 0.38, 1 - bottom - 0.55 / height))
    finite = frame[["hr", "ci_lower", "ci_upper"]].apply(pd.to_numeric, errors="coerce")
    values = finite.to_numpy(dtype=float)
    ok = np.isfinite(values).all(axis=1) & (values > 0).all(axis=1)
    low = np.nanmin(values[ok][:, 1]) if ok.any() else 0.5
    high = np.nanmax(values[ok][:, 2]) if ok.any() else 2.0
    if reference is not None and reference > 0:
        low, high = min(low, reference), max(high, reference)
    low, high = min(low, 0.9), max(high, 1.1)
    span = np.log(high) - np.log(low)
    x_min, x_max = np.exp(np.log(low) - 0.08 * span), np.exp(np.log(high) + 0.08 * span)
    weights = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=float)
    max_weight = np.nanmax(weights) if np.isfinite(weights).any() else 1.0
    for index, row in frame.iterrows():
        y = n - 1 - index
        if not ok[index]:
            axis.text(
                0.02,
                y,
                row["note"] or "not estimable",
                ha="left",
                va="center",
                fontsize=8,
                color="0.4",
                style="italic",
                transform=axis.get_yaxis_transform(),
            )
            continue
        hr, lower, upper = values[index]
        if bool(row["pooled"]):
            diamond = Polygon(
                [(lower, y), (hr, y + 0.28), (upper, y), (hr, y - 0.28)],
                closed=True,
                facecolor="#D55E00",
                edgecolor="#D55E00",
            )
            axis.add_patch(diamond)
        else:
            axis.plot([lower, upper], [y, y], color="0.2", linewidth=1.2)
            size = 6.0
            if np.isfinite(weights[index]) and max_weight > 0:
                size = 4.0 + 6.0 * np.sqrt(weights[index] / max_weight)
            axis.plot([hr], [y], marker="s", markersize=size, color="#0072B2")
    axis.axvline(1.0, color="0.3", linewidth=0.9)
    if reference is not None and reference > 0:
        axis.axvline(
            reference,
            color="#009E73",
            linestyle=":",
            linewidth=1.4,
            label=reference_label or f"reference HR {reference:g}",
        )
        figure.legend(loc="lower center", frameon=False, fontsize=8, ncols=1)
    axis.set_xscale("log")
    axis.set_xlim(x_min, x_max)
    axis.set_ylim(-0.7, n - 0.3)
    axis.set_yticks([])
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200) if x_min <= t <= x_max]
    axis.set_xticks(ticks)
    axis.set_xticklabels([f"{t:g}" for t in ticks])
    axis.minorticks_off()
    axis.set_xlabel(xlabel, fontsize=9)
    for side in ("top", "right", "left"):
        axis.spines[side].set_visible(False)
    for index, row in frame.iterrows():
        y = n - 1 - index
        weight = "bold" if bool(row["pooled"]) else "normal"
        axis.text(
            -0.04,
            y,
            str(row["label"]),
            transform=axis.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize=8.5,
            fontweight=weight,
        )
        if ok[index]:
            hr, lower, upper = values[index]
            text = f"{hr:.2f} ({lower:.2f}–{upper:.2f})"
            p_value = pd.to_numeric(pd.Series([row["p"]]), errors="coerce").iloc[0]
            if np.isfinite(p_value):
                text += f"   {format_p(float(p_value))}"
            axis.text(
                1.04,
                y,
                text,
                transform=axis.get_yaxis_transform(),
                ha="left",
                va="center",
                fontsize=8.5,
                fontweight=weight,
            )
    axis.text(
        1.04,
        n - 0.3,
        "HR (95% CI)",
        transform=axis.get_yaxis_transform(),
        ha="left",
        va="bottom",
        fontsize=8.5,
        fontweight="bold",
    )
    if title:
        figure.suptitle(title, x=0.02, ha="left", fontsize=10.5)
    return figure
