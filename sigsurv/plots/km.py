"""Kaplan–Meier figure as papers print it: step curves, censor ticks, numbers at risk.

The figure draws a :class:`~sigsurv.survival.km.KaplanMeierResult` computed by the
survival engine; it never recomputes a statistic. Annotations (HR with CI, log-rank
p) are passed in by the caller from the same engine's results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: figures are written to files, never shown

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

__all__ = ["PALETTE", "format_p", "landmark_grid", "plot_kaplan_meier"]

# Colour-blind-safe (Okabe–Ito) colours, in group order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def format_p(p: float | None) -> str:
    """Format a p-value the way journals print it.

    Examples
    --------
    >>> format_p(0.0123), format_p(3e-7), format_p(0.5), format_p(None)
    ('p = 0.012', 'p < 0.001', 'p = 0.50', 'p = n/a')
    """
    if p is None or not np.isfinite(p):
        return "p = n/a"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.3f}" if p < 0.05 else f"p = {p:.2f}"


def landmark_grid(max_time: float, unit: str) -> np.ndarray:
    """Evenly spaced, round landmark times covering ``[0, max_time]`` (at-risk table ticks).

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


def plot_kaplan_meier(
    km: Any,
    *,
    time_unit: str = "months",
    title: str = "",
    ylabel: str = "Survival probability",
    annotation: Sequence[str] = (),
    landmarks: Sequence[float] | None = None,
    show_ci: bool = True,
    horizon: float | None = None,
) -> Figure:
    """Draw Kaplan–Meier curves with censor ticks and a numbers-at-risk table.

    Parameters
    ----------
    km
        A :class:`~sigsurv.survival.km.KaplanMeierResult`.
    time_unit
        Unit of the time axis (labelled ``Time (months)``).
    annotation
        Lines written in the plot (e.g. ``HR 0.41 (0.21-0.80)``, ``log-rank p = 0.01``),
        computed by the caller with the survival engine.
    landmarks
        Times of the at-risk table columns (default: a round grid).
    horizon
        Follow-up horizon, drawn as a dashed line when the endpoint was truncated.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from sigsurv.survival.km import kaplan_meier
    >>> km = kaplan_meier([5, 8, 12, 20, 25, 30], [1, 0, 1, 1, 0, 0],
    ...                   groups=["low", "low", "low", "high", "high", "high"])
    >>> fig = plot_kaplan_meier(km, annotation=["log-rank p = 0.40"])
    >>> len(fig.axes)
    2
    """
    curves = [km.curves[group] for group in km.groups]
    max_time = max(float(curve.table["time"].max()) for curve in curves)
    if horizon is not None:
        max_time = min(max_time, horizon) if horizon > 0 else max_time
    ticks = np.asarray(landmarks if landmarks is not None else landmark_grid(max_time, time_unit))
    n_groups = len(curves)
    height = 4.6 + 0.25 * n_groups
    figure = plt.figure(figsize=(7.0, height), dpi=150)
    table_height = (0.3 + 0.25 * n_groups) / height
    bottom = 0.25 / height
    main_bottom = bottom + table_height + 0.72 / height
    axis = figure.add_axes((0.2, main_bottom, 0.76, 0.93 - main_bottom))
    risk_axis = figure.add_axes((0.2, bottom, 0.76, table_height), sharex=axis)
    for index, curve in enumerate(curves):
        colour = PALETTE[index % len(PALETTE)]
        table = curve.table
        times = np.concatenate(([0.0], table["time"].to_numpy()))
        surv = np.concatenate(([1.0], table["surv"].to_numpy()))
        label = f"{curve.group} (n = {curve.n}, {curve.events} events)"
        axis.step(times, surv, where="post", color=colour, linewidth=1.8, label=label)
        if show_ci:
            lower = np.concatenate(([1.0], table["lower"].fillna(0).to_numpy()))
            upper = np.concatenate(([1.0], table["upper"].fillna(1).to_numpy()))
            axis.fill_between(
                times, lower, upper, step="post", color=colour, alpha=0.12, linewidth=0
            )
        censored = table[table["n_censor"] > 0]
        axis.plot(
            censored["time"],
            censored["surv"],
            linestyle="none",
            marker="|",
            markersize=8,
            markeredgewidth=1.3,
            color=colour,
        )
        counts = curve.n_at_risk(ticks)
        for tick, count in zip(ticks, counts, strict=True):
            risk_axis.text(
                tick,
                n_groups - 1 - index,
                str(int(count)),
                ha="center",
                va="center",
                fontsize=8.5,
                color=colour,
            )
    if horizon is not None:
        axis.axvline(horizon, color="0.5", linestyle="--", linewidth=0.8)
    axis.set_ylim(-0.02, 1.03)
    axis.set_xlim(-0.01 * ticks[-1], ticks[-1] * 1.02)
    axis.set_ylabel(ylabel)
    axis.set_xticks(ticks)
    axis.tick_params(labelbottom=True)
    axis.set_xlabel(f"Time ({time_unit})")
    axis.spines[["top", "right"]].set_visible(False)
    axis.grid(axis="y", color="0.92", linewidth=0.6)
    axis.legend(loc="lower left", frameon=False, fontsize=8.5)
    if title:
        axis.set_title(title, fontsize=10.5, loc="left")
    if annotation:
        axis.text(
            0.98,
            0.97,
            "\n".join(annotation),
            transform=axis.transAxes,
            ha="right",
            va="top",
            fontsize=8.5,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "0.8"},
        )
    risk_axis.set_ylim(-0.6, n_groups - 0.4)
    risk_axis.set_yticks(range(n_groups))
    risk_axis.set_yticklabels([str(c.group) for c in reversed(curves)], fontsize=8.5)
    for tick, curve in zip(reversed(risk_axis.get_yticklabels()), curves, strict=True):
        tick.set_color(PALETTE[curves.index(curve) % len(PALETTE)])
    risk_axis.tick_params(axis="x", labelbottom=False, length=0)
    risk_axis.tick_params(axis="y", length=0, pad=14)
    for side in ("top", "right", "bottom", "left"):
        risk_axis.spines[side].set_visible(False)
    risk_axis.set_title("Number at risk", fontsize=8.5, loc="left", pad=2)
    return figure
