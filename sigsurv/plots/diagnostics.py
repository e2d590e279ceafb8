"""Figures of the engine's checks: proportional hazards, random-signature null, power.

* :func:`plot_schoenfeld`: scaled Schoenfeld residuals against transformed time with a
  smooth and the PH test p (R ``plot(cox.zph(fit))``);
* :func:`plot_random_null`: the random signatures' Cox z with the signature's own;
* :func:`plot_power`: power of the Cox test against the number of events.
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sigsurv.errors import SigsurvInputError
from sigsurv.plots._text import format_p, wrap_to_width
from sigsurv.survival.power import schoenfeld_power

__all__ = [
    "natural_spline_smooth",
    "plot_power",
    "plot_random_null",
    "plot_schoenfeld",
    "plot_zph",
]

_BOX = {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "0.8"}


def _figure(
    title: str,
    subtitle: str = "",
    legend_rows: int = 1,
    width: float = 6.0,
    height: float = 4.0,
    ax: Axes | None = None,
) -> tuple[Figure | None, Axes]:
    """A figure with a wrapped title and subtitle, room for a legend above the axes.

    With ``ax``, no figure is made: the title and subtitle go above the given axes.
    """
    if ax is not None:
        ax.set_title(
            "\n".join(part for part in (title, subtitle) if part), fontsize=8.5, loc="left"
        )
        ax.spines[["top", "right"]].set_visible(False)
        return None, ax
    figure = plt.figure(figsize=(width, height), dpi=150)
    lines = wrap_to_width(figure, title, width - 0.3, 10.5, "bold") if title else []
    sub = wrap_to_width(figure, subtitle, width - 0.3, 8.5) if subtitle else []
    top = 0.15 + 0.22 * len(lines) + 0.17 * len(sub) + 0.2 * legend_rows + 0.05
    total = height + top - 0.2
    figure.set_size_inches(width, total)
    axis = figure.add_axes(
        (0.85 / width, 0.6 / total, (width - 1.1) / width, (total - top - 0.6) / total)
    )
    y = 1 - 0.1 / total
    for line in lines:
        figure.text(0.02, y, line, fontsize=10.5, fontweight="bold", va="top")
        y -= 0.22 / total
    for line in sub:
        figure.text(0.02, y, line, fontsize=8.5, color="0.3", va="top")
        y -= 0.17 / total
    axis.spines[["top", "right"]].set_visible(False)
    return figure, axis


def _legend_above(axis: Axes, *, inside: bool) -> None:
    """The legend above a figure's axes, or inside a caller's axes (where the title is)."""
    if inside:
        axis.legend(loc="best", frameon=False, fontsize=7.5)
    else:
        axis.legend(
            loc="lower left", bbox_to_anchor=(-0.01, 1.0), frameon=False, fontsize=8, ncols=2
        )


def _natural_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Natural cubic spline basis (truncated power form, Hastie et al. 2009, eq. 5.4)."""

    def d(k: int) -> np.ndarray:
        return (np.maximum(x - knots[k], 0) ** 3 - np.maximum(x - knots[-1], 0) ** 3) / (
            knots[-1] - knots[k]
        )

    columns = [np.ones_like(x), x]
    columns += [d(k) - d(len(knots) - 2) for k in range(len(knots) - 2)]
    return np.column_stack(columns)


def natural_spline_smooth(x: Any, y: Any, grid: Any, df: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares natural cubic spline with ``df`` degrees of freedom, and its SE.

    The smooth drawn through residual plots (as R ``plot.cox.zph``, which fits
    ``ns(x, df = 4)``); knots at quantiles of ``x``. A drawing aid, not a statistic.

    Examples
    --------
    >>> x = np.linspace(0, 1, 50)
    >>> fit, se = natural_spline_smooth(x, 2 * x + 1, [0.0, 0.5, 1.0])
    >>> np.round(fit, 6).tolist(), bool((se < 1e-6).all())
    ([1.0, 2.0, 3.0], True)
    """
    x, y, grid = (np.asarray(v, dtype=float) for v in (x, y, grid))
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    knots = np.quantile(x, np.linspace(0, 1, df + 1))
    if np.unique(knots).size < knots.size:
        raise SigsurvInputError("too few distinct times for the smooth", found=np.unique(x).size)
    basis = _natural_basis(x, knots)
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    residual = y - basis @ coef
    dof = max(1, x.size - basis.shape[1])
    sigma2 = float(residual @ residual) / dof
    covariance = sigma2 * np.linalg.pinv(basis.T @ basis)
    at = _natural_basis(grid, knots)
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", at, covariance, at), 0.0))
    return at @ coef, se


def plot_schoenfeld(
    x: Any,
    residuals: Any,
    *,
    term: str,
    transform: str,
    p: float,
    coef: float | None = None,
    title: str = "",
    ax: Axes | None = None,
) -> Figure | Axes:
    """Scaled Schoenfeld residuals of one term against transformed time, with the PH test.

    Parameters
    ----------
    x
        Transformed event times (R ``cox.zph(fit)$x``).
    residuals
        Scaled Schoenfeld residuals of the term, one per event (``$y[, term]``);
        NaN where the term is constant within the event's stratum.
    term, transform
        The model term and the time transform (``km``, ``rank``, ``identity``, ``log``).
    p
        The term's PH test p-value (``cox.zph(fit)$table[term, "p"]``).
    coef
        The fitted coefficient, drawn as a dashed line (the constant beta(t) of PH).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = np.sort(rng.uniform(0, 1, 60))
    >>> figure = plot_schoenfeld(x, rng.normal(0.3, 1, 60), term="score_per_sd",
    ...                          transform="km", p=0.42, coef=0.3)
    >>> figure.axes[0].get_ylabel()
    'Beta(t) for score_per_sd'
    """
    xs, ys = np.asarray(x, dtype=float), np.asarray(residuals, dtype=float)
    if xs.shape != ys.shape:
        raise SigsurvInputError(
            "x and residuals must have one value per event",
            expected=str(xs.shape),
            found=str(ys.shape),
        )
    subtitle = f"proportional-hazards test (R cox.zph, {transform} transform): {format_p(p)}"
    figure, axis = _figure(title or f"Scaled Schoenfeld residuals of {term}", subtitle, 2, ax=ax)
    axis.plot(
        xs,
        ys,
        linestyle="none",
        marker="o",
        markersize=3,
        color="0.55",
        alpha=0.7,
        label="scaled Schoenfeld residuals",
    )
    grid = np.linspace(np.nanmin(xs), np.nanmax(xs), 200)
    fit, se = natural_spline_smooth(xs, ys, grid)
    axis.plot(grid, fit, color="#0072B2", linewidth=1.8, label="smooth (natural spline, 4 df)")
    axis.fill_between(
        grid, fit - 2 * se, fit + 2 * se, color="#0072B2", alpha=0.15, linewidth=0, label="± 2 SE"
    )
    if coef is not None:
        axis.axhline(
            coef,
            color="#D55E00",
            linestyle="--",
            linewidth=1.0,
            label=f"Cox coefficient {coef:.2f}",
        )
    axis.set_xlabel(f"Time ({transform} transform)")
    axis.set_ylabel(f"Beta(t) for {term}")
    _legend_above(axis, inside=figure is None)
    return figure if figure is not None else axis


def plot_zph(
    zph: Any, term: str, *, coef: float | None = None, title: str = "", ax: Axes | None = None
) -> Figure | Axes:
    """:func:`plot_schoenfeld` of one term of a ``cox.zph`` result.

    ``zph`` needs ``x`` (transformed event times), ``residuals`` (a DataFrame, events x
    terms), ``table`` (``p`` per term) and ``transform``: the fields of the survival
    layer's ``ZphResult`` (R ``cox.zph``), read by name so that this figure does not
    depend on where that result is defined.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> x = np.linspace(0.01, 1, 30)
    >>> zph = SimpleNamespace(x=x, transform="km",
    ...                       residuals=pd.DataFrame({"score": np.sin(6 * x)}),
    ...                       table=pd.DataFrame({"p": [0.2]}, index=["score"]))
    >>> plot_zph(zph, "score").axes[0].get_ylabel()
    'Beta(t) for score'
    """
    residuals = zph.residuals[term].to_numpy(dtype=float)
    return plot_schoenfeld(
        np.asarray(zph.x, dtype=float),
        residuals,
        term=term,
        transform=str(zph.transform),
        p=float(zph.table.loc[term, "p"]),
        coef=coef,
        title=title,
        ax=ax,
    )


def plot_random_null(null: Any, *, title: str = "", ax: Axes | None = None) -> Figure | Axes:
    """Histogram of random signatures' Cox z with the signature's own z marked.

    Parameters
    ----------
    null
        A :class:`~sigsurv.analysis.null.RandomSignatureNull`.

    Examples
    --------
    >>> from sigsurv.analysis.null import RandomSignatureNull
    >>> null = RandomSignatureNull("msk1", 3, "mean_z", 200, 1, -2.5, 97.0, 0.02,
    ...                            np.random.default_rng(0).normal(0, 1.2, 200), 0,
    ...                            "protective", 98.0)
    >>> figure = plot_random_null(null)
    >>> figure.axes[0].get_xlabel()
    'Cox z of the score (random signatures of 3 genes)'
    """
    random_z = np.asarray(null.random_z, dtype=float)
    percentile = getattr(null, "percentile", float("nan"))
    direction = getattr(null, "direction", "two-sided")
    beats = (
        f"beats {percentile:.0f}% of random sets ({direction})"
        if np.isfinite(percentile)
        else f"|z| above {null.percentile_abs:.0f}% of random sets"
    )
    matched = getattr(null, "matched", "")
    subtitle = f"{beats}, empirical {format_p(null.p_empirical)}" + (
        f"; genes {matched}" if matched and matched != "not matched" else ""
    )
    figure, axis = _figure(
        title or f"{null.signature_id} among {random_z.size} random signatures of the same size",
        subtitle,
        ax=ax,
    )
    bins = np.histogram_bin_edges(np.concatenate([random_z, [null.observed_z]]), bins=30)
    axis.hist(
        random_z,
        bins=bins.tolist(),
        color="0.7",
        edgecolor="white",
        linewidth=0.5,
        label=f"random signatures (n = {random_z.size})",
    )
    axis.axvline(
        null.observed_z,
        color="#D55E00",
        linewidth=2.0,
        label=f"{null.signature_id}: z = {null.observed_z:.2f}",
    )
    axis.axvline(0, color="0.3", linewidth=0.6)
    axis.set_xlabel(f"Cox z of the score (random signatures of {null.size} genes)")
    axis.set_ylabel("Random signatures")
    _legend_above(axis, inside=figure is None)
    return figure if figure is not None else axis


def plot_power(
    events: float,
    target_hr: float,
    *,
    proportion: float | None = None,
    alpha: float = 0.05,
    title: str = "",
    ax: Axes | None = None,
) -> Figure | Axes:
    """Power of the two-sided Cox test against the number of events (Schoenfeld).

    Parameters
    ----------
    events
        The events observed, marked on the curve.
    target_hr
        Hazard ratio to detect (the paper's, or a conventional one).
    proportion
        Group fraction of a dichotomised score (0.5 for a median split); None for
        a score per SD.

    Examples
    --------
    >>> figure = plot_power(13, 0.41, proportion=0.5)
    >>> figure.axes[0].get_ylabel()
    'Power'
    """
    observed = schoenfeld_power(events, target_hr, proportion=proportion, alpha=alpha)
    upper = max(3 * events, 40.0)
    grid = np.linspace(1, upper, 300)
    power = np.array(
        [schoenfeld_power(e, target_hr, proportion=proportion, alpha=alpha) for e in grid]
    )
    while power[-1] < 0.9 and upper < 20000:
        upper *= 2
        grid = np.linspace(1, upper, 300)
        power = np.array(
            [schoenfeld_power(e, target_hr, proportion=proportion, alpha=alpha) for e in grid]
        )
    scale = "per SD" if proportion is None else f"groups {proportion:.0%} / {1 - proportion:.0%}"
    figure, axis = _figure(
        title or f"Power to detect HR {target_hr:g} ({scale}, two-sided α = {alpha:g})",
        legend_rows=0,
        ax=ax,
    )
    axis.plot(grid, power, color="#0072B2", linewidth=1.8)
    axis.axhline(0.8, color="0.5", linestyle="--", linewidth=0.8)
    axis.plot([events], [observed], marker="o", color="#D55E00", markersize=7)
    axis.annotate(
        f"{events:g} events: power {observed:.0%}",
        (events, observed),
        xytext=(10, -4),
        textcoords="offset points",
        va="top",
        fontsize=8.5,
        color="#D55E00",
    )
    reaching = grid[power >= 0.8]
    if reaching.size:
        axis.text(
            0.98,
            0.03,
            f"80% power from about {reaching[0]:.0f} events",
            transform=axis.transAxes,
            ha="right",
            va="bottom",
            fontsize=8.5,
            bbox=_BOX,
        )
    axis.set_ylim(0, 1.02)
    axis.set_xlim(0, grid[-1])
    axis.set_xlabel("Events")
    axis.set_ylabel("Power")
    axis.grid(color="0.92", linewidth=0.6)
    return figure if figure is not None else axis
