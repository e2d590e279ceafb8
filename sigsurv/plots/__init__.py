"""Figures: Kaplan–Meier curves with numbers at risk, cumulative incidence, forest plots,
the cut-point scan, and the diagnostics of the engine's statistics (Schoenfeld residuals,
random-signature null, power). Every plot function takes ``ax=`` to draw into a caller's
axes (and then returns them); without it, it returns a new figure."""

from sigsurv.plots._text import format_p
from sigsurv.plots.competing import plot_cumulative_incidence
from sigsurv.plots.cutpoint import plot_cut_scan
from sigsurv.plots.forest import plot_forest
from sigsurv.plots.km import KMStyle, landmark_grid, plot_kaplan_meier, time_axis

__all__ = [
    "KMStyle",
    "format_p",
    "landmark_grid",
    "plot_cumulative_incidence",
    "plot_cut_scan",
    "plot_forest",
    "plot_kaplan_meier",
    "time_axis",
]
