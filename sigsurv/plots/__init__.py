"""Figures: Kaplan–Meier curves with numbers at risk, forest plots, and the diagnostics
of the engine's statistics (cumulative incidence, Schoenfeld residuals, random-signature
null, power)."""

from sigsurv.plots._text import format_p
from sigsurv.plots.forest import plot_forest
from sigsurv.plots.km import landmark_grid, plot_kaplan_meier, time_axis

__all__ = ["format_p", "landmark_grid", "plot_forest", "plot_kaplan_meier", "time_axis"]
