"""Forest plot of hazard ratios on a log axis: studies, pooled diamonds, heterogeneity.

Only rows with an estimate are drawn: an untestable test has nothing to show on a
forest (the report's coverage matrix says why it was not tested). Labels wrap at word
boundaries to the label column's measured width, so a long label is never cut and
never runs over the plot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from sigsurv.errors import AnalysisError
from sigsurv.plots._text import p_text, wrap_to_width

__all__ = ["drawable_rows", "plot_forest"]

_WIDTH = 8.2
_LABEL, _PLOT, _TEXT = 2.7, 2.55, 2.65  # column widths in inches
_P_AT, _N_AT = 1.35, 1.9  # inches right of the plot: the p and n / events columns
_LINE = 0.17  # inches per text line
_STUDY, _POOLED = "#0072B2", "#D55E00"


def drawable_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with a finite, positive HR and CI (the others are not drawn).

    Examples
    --------
    >>> rows = pd.DataFrame({"label": ["a", "b"], "hr": [0.5, np.nan],
    ...                      "ci_lower": [0.3, np.nan], "ci_upper": [0.9, np.nan]})
    >>> drawable_rows(rows)["label"].tolist()
    ['a']
    """
    values = rows[["hr", "ci_lower", "ci_upper"]].apply(pd.to_numeric, errors="coerce")
    ok = np.isfinite(values.to_numpy(dtype=float)).all(axis=1) & (values > 0).all(axis=1)
    return rows.loc[ok.to_numpy()].reset_index(drop=True)


@dataclass
class _Row:
    kind: str  # "header", "study", "pooled", "note"
    lines: list[str]
    y: float = 0.0
    height: float = 0.0
    data: pd.Series | None = None


def _layout(figure: Figure, frame: pd.DataFrame) -> list[_Row]:
    """Rows in drawing order with their wrapped label lines, grouped by ``group``."""
    rows: list[_Row] = []
    groups = frame["group"].fillna("").astype(str)
    for group in dict.fromkeys(groups):
        if group:
            rows.append(_Row("header", wrap_to_width(figure, group, _LABEL - 0.1, 9, "bold")))
        for _, row in frame[groups == group].iterrows():
            pooled = bool(row["pooled"])
            weight = "bold" if pooled else "normal"
            lines = wrap_to_width(figure, str(row["label"]), _LABEL - 0.15, 8.5, weight)
            rows.append(_Row("pooled" if pooled else "study", lines, data=row))
            note = str(row["heterogeneity"] or "")
            if pooled and note:
                rows.append(_Row("note", wrap_to_width(figure, note, _LABEL - 0.2, 7.5)))
    y = 0.0
    for row in rows:
        row.height = max(0.3, _LINE * len(row.lines) + 0.12)
        row.y = y + row.height / 2
        y += row.height
    return rows


def _x_range(frame: pd.DataFrame, reference: float | None) -> tuple[float, float]:
    values = frame[["ci_lower", "ci_upper", "prediction_lower", "prediction_upper"]]
    finite = values.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    low, high = float(finite.min()), float(finite.max())
    if reference is not None and reference > 0:
        low, high = min(low, reference), max(high, reference)
    low, high = min(low, 0.5), max(high, 2.0)
    span = np.log(high) - np.log(low)
    return float(np.exp(np.log(low) - 0.06 * span)), float(np.exp(np.log(high) + 0.06 * span))


def _draw_row(axis: Axes, row: _Row, size: float) -> None:
    data = row.data
    assert data is not None
    hr, lower, upper = (float(data[k]) for k in ("hr", "ci_lower", "ci_upper"))
    if row.kind == "pooled":
        low_pi, high_pi = data["prediction_lower"], data["prediction_upper"]
        if pd.notna(low_pi) and pd.notna(high_pi):
            axis.plot(
                [low_pi, high_pi],
                [row.y, row.y],
                color=_POOLED,
                linewidth=1.0,
                linestyle=(0, (2, 1.5)),
            )
            for end in (low_pi, high_pi):
                axis.plot([end, end], [row.y - 0.05, row.y + 0.05], color=_POOLED, linewidth=1.0)
        half = min(0.11, row.height / 2 - 0.02)
        axis.add_patch(
            Polygon(
                [(lower, row.y), (hr, row.y - half), (upper, row.y), (hr, row.y + half)],
                closed=True,
                facecolor=_POOLED,
                edgecolor=_POOLED,
                zorder=3,
            )
        )
        return
    axis.plot([lower, upper], [row.y, row.y], color="0.2", linewidth=1.2)
    axis.plot([hr], [row.y], marker="s", markersize=size, color=_STUDY, zorder=3)


_TICK_SETS = (
    (0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50),
    (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100),
    (0.001, 0.01, 0.1, 1, 10, 100, 1000),
)


def _ticks(x_min: float, x_max: float) -> list[float]:
    """Round ticks within the axis, at most 7 (coarser sets for wide intervals)."""
    for candidates in _TICK_SETS:
        ticks = [t for t in candidates if x_min <= t <= x_max]
        if len(ticks) <= 7:
            return ticks
    return ticks


def plot_forest(
    rows: pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "Hazard ratio (95% CI, log scale)",
    reference: float | None = None,
    reference_label: str = "",
    favours: tuple[str, str] | None = None,
    ax: Axes | None = None,
) -> Figure | Axes:
    """Draw a forest plot of the rows that have an estimate.

    Parameters
    ----------
    rows
        One row per estimate: ``label``, ``hr``, ``ci_lower``, ``ci_upper``; optional
        ``p``, ``weight`` (square size), ``pooled`` (drawn as a diamond),
        ``prediction_lower`` / ``prediction_upper`` (a pooled row's prediction
        interval, dashed), ``heterogeneity`` (text printed under a pooled row) and
        ``group`` (a section heading, e.g. the endpoint), ``n_events`` (text such as
        ``124 / 35``, printed in its own column). Rows without a finite estimate are
        not drawn.
    reference
        An extra dotted vertical line, e.g. the paper's published HR.
    favours
        What an HR below and above 1 means, written under the axis on each side
        (e.g. ``("higher score: lower risk", "higher score: higher risk")``).
    ax
        Draw the intervals into these axes (labels as y tick labels) and return them;
        otherwise a new figure with the label and number columns is returned.

    Raises
    ------
    AnalysisError
        No row has an estimate: there is nothing to draw.

    Examples
    --------
    >>> rows = pd.DataFrame({"label": ["gse1992", "gse4335", "Pooled (random effects)"],
    ...                      "hr": [0.7, 0.9, 0.8], "ci_lower": [0.4, 0.5, 0.55],
    ...                      "ci_upper": [1.2, 1.6, 1.15], "pooled": [False, False, True],
    ...                      "prediction_lower": [None, None, 0.3],
    ...                      "prediction_upper": [None, None, 2.1],
    ...                      "heterogeneity": ["", "", "I² = 0%, τ² = 0"]})
    >>> fig = plot_forest(rows, reference=0.41, reference_label="paper: HR 0.41")
    >>> len(fig.axes)
    1
    """
    frame = drawable_rows(_with_optional_columns(rows))
    if frame.empty:
        raise AnalysisError("forest plot: no row has a hazard ratio to draw")
    if ax is not None:
        return _forest_into(ax, frame, reference, favours, xlabel, title)
    figure = plt.figure(figsize=(_WIDTH, 3.0), dpi=150)
    layout = _layout(figure, frame)
    title_lines = wrap_to_width(figure, title, _WIDTH - 0.3, 10.5, "bold") if title else []
    has_interval = _has_prediction_interval(frame)
    with_legend = (reference is not None and reference > 0) or has_interval
    top = 0.15 + 0.22 * len(title_lines) + 0.3
    body = sum(row.height for row in layout)
    bottom = 0.6 + (0.3 if with_legend else 0.0) + (0.22 if favours else 0.0)
    height = top + body + bottom
    figure.set_size_inches(_WIDTH, height)
    axis = figure.add_axes((_LABEL / _WIDTH, bottom / height, _PLOT / _WIDTH, body / height))
    axis.set_xscale("log")
    x_min, x_max = _x_range(frame, reference)
    axis.set_xlim(x_min, x_max)
    axis.set_ylim(body, 0)
    _draw_rows(axis, layout, frame)
    _draw_headings(axis, frame)
    _draw_reference(axis, reference, reference_label)
    if with_legend:
        _legend(figure, axis, has_interval)
    _style_axis(axis, x_min, x_max, xlabel)
    if favours:
        _favours(axis, favours, -0.5 / body)  # under the axis label, above the legend
    y = 1 - 0.12 / height
    for line in title_lines:
        figure.text(0.02, y, line, fontsize=10.5, fontweight="bold", va="top")
        y -= 0.22 / height
    return figure


_OPTIONAL_COLUMNS: dict[str, Any] = {
    "p": np.nan,
    "weight": np.nan,
    "pooled": False,
    "prediction_lower": np.nan,
    "prediction_upper": np.nan,
    "heterogeneity": "",
    "group": "",
    "n_events": "",
}


def _with_optional_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``rows`` with every optional column present (its default where absent)."""
    frame = rows.copy()
    for column, default in _OPTIONAL_COLUMNS.items():
        if column not in frame.columns:
            frame[column] = default
    return frame


def _has_prediction_interval(frame: pd.DataFrame) -> bool:
    intervals = frame[["prediction_lower", "prediction_upper"]].apply(
        pd.to_numeric, errors="coerce"
    )
    return bool(np.isfinite(intervals.to_numpy(dtype=float)).all(axis=1).any())


def _draw_rows(axis: Axes, layout: list[_Row], frame: pd.DataFrame) -> None:
    """Each row's label left of the plot, its interval, and its numbers to the right."""
    weights = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=float)
    max_weight = np.nanmax(weights) if np.isfinite(weights).any() else 1.0
    label_at = axis.get_yaxis_transform()
    for row in layout:
        _draw_label(axis, row)
        if row.data is None:
            continue
        weight = float(pd.to_numeric(pd.Series([row.data["weight"]]), errors="coerce").iloc[0])
        size = 4.0 + 5.0 * np.sqrt(weight / max_weight) if np.isfinite(weight) else 6.0
        _draw_row(axis, row, size)
        bold = row.kind == "pooled"
        text = f"{row.data['hr']:.2f} ({row.data['ci_lower']:.2f}–{row.data['ci_upper']:.2f})"
        p_value = pd.to_numeric(pd.Series([row.data["p"]]), errors="coerce").iloc[0]
        style: dict[str, Any] = {"transform": label_at, "ha": "left", "va": "center"}
        axis.text(1.03, row.y, text, fontsize=8.5, fontweight="bold" if bold else "normal", **style)
        if str(row.data["n_events"] or ""):
            axis.text(1.03 + _N_AT / _PLOT, row.y, str(row.data["n_events"]), fontsize=8.5, **style)
        if np.isfinite(p_value):
            axis.text(1.03 + _P_AT / _PLOT, row.y, p_text(float(p_value)), fontsize=8.5, **style)


def _draw_label(axis: Axes, row: _Row) -> None:
    """A row's wrapped label in the label column (headings bold, notes grey italic)."""
    bold = row.kind in ("header", "pooled")
    x = {"header": -_LABEL / _PLOT + 0.03, "note": -_LABEL / _PLOT + 0.08}.get(
        row.kind, -_LABEL / _PLOT + 0.05
    )
    axis.text(
        x,
        row.y,
        "\n".join(row.lines),
        transform=axis.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize={"header": 9.0, "note": 7.5}.get(row.kind, 8.5),
        fontweight="bold" if bold else "normal",
        color="0.35" if row.kind == "note" else "black",
        style="italic" if row.kind == "note" else "normal",
        linespacing=1.15,
    )


def _draw_headings(axis: Axes, frame: pd.DataFrame) -> None:
    """Column headings above the numbers: HR (95% CI), p and, when given, n / events."""
    headings = [(1.03, "HR (95% CI)"), (1.03 + _P_AT / _PLOT, "p")]
    if frame["n_events"].astype(str).str.len().gt(0).any():
        headings.append((1.03 + _N_AT / _PLOT, "n / events"))
    for x, heading in headings:
        axis.text(
            x,
            -0.05,
            heading,
            transform=axis.get_yaxis_transform(),
            ha="left",
            va="bottom",
            fontsize=8.5,
            fontweight="bold",
        )


def _draw_reference(axis: Axes, reference: float | None, reference_label: str) -> None:
    """The line of no effect and, when given, the reference HR (dotted)."""
    axis.axvline(1.0, color="0.3", linewidth=0.9)
    if reference is not None and reference > 0:
        axis.axvline(
            reference,
            color="#009E73",
            linestyle=":",
            linewidth=1.4,
            label=reference_label or f"reference HR {reference:g}",
        )


def _legend(figure: Figure, axis: Axes, has_interval: bool) -> None:
    if has_interval:
        axis.plot(
            [],
            [],
            color=_POOLED,
            linewidth=1.0,
            linestyle=(0, (2, 1.5)),
            label="95% prediction interval",
        )
    figure.legend(
        loc="lower left",
        bbox_to_anchor=(_LABEL / _WIDTH, 0.0),
        frameon=False,
        fontsize=8,
        ncols=2,
    )


def _style_axis(axis: Axes, x_min: float, x_max: float, xlabel: str) -> None:
    """Round log ticks, the x label, and no frame but the bottom spine."""
    axis.set_yticks([])
    ticks = _ticks(x_min, x_max)
    axis.set_xticks(ticks)
    axis.set_xticklabels([f"{t:g}" for t in ticks])
    axis.minorticks_off()
    axis.set_xlabel(xlabel, fontsize=9)
    for side in ("top", "right", "left"):
        axis.spines[side].set_visible(False)


def _favours(axis: Axes, favours: tuple[str, str], y: float) -> None:
    """What each side of HR = 1 means, under the axis (axes-fraction ``y``)."""
    one = axis.transData.transform((1.0, 0))[0]
    x_one = axis.transAxes.inverted().transform((one, 0))[0]
    style: dict[str, Any] = {
        "transform": axis.transAxes,
        "va": "top",
        "fontsize": 7.5,
        "color": "0.25",
    }
    axis.text(x_one - 0.02, y, f"← {favours[0]}", ha="right", **style)
    axis.text(x_one + 0.02, y, f"{favours[1]} →", ha="left", **style)


def _forest_into(
    ax: Axes,
    frame: pd.DataFrame,
    reference: float | None,
    favours: tuple[str, str] | None,
    xlabel: str,
    title: str,
) -> Axes:
    """The forest into a caller's axes: one row per estimate, labels as y tick labels."""
    positions = np.arange(len(frame), dtype=float)
    for y, (_, data) in zip(positions, frame.iterrows(), strict=True):
        kind = "pooled" if bool(data["pooled"]) else "study"
        _draw_row(ax, _Row(kind, [str(data["label"])], y=y, height=0.8, data=data), 6.0)
    ax.set_xscale("log")
    x_min, x_max = _x_range(frame, reference)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.set_yticks(positions)
    ax.set_yticklabels([str(label) for label in frame["label"]], fontsize=8)
    ax.axvline(1.0, color="0.3", linewidth=0.9)
    if reference is not None and reference > 0:
        ax.axvline(reference, color="#009E73", linestyle=":", linewidth=1.4)
    ticks = _ticks(x_min, x_max)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel(xlabel, fontsize=8.5)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    if favours:
        ax.figure.canvas.draw()  # the axis position in display units, for the arrows
        _favours(ax, favours, -0.16)
    return ax
