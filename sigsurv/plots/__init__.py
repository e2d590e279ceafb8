"""Figures: Kaplan–Meier curves with numbers at risk, forest plots."""

from sigsurv.plots.forest import plot_forest
from sigsurv.plots.km import format_p, landmark_grid, plot_kaplan_meier

__all__ = ["format_p", "landmark_grid", "plot_forest", "plot_kaplan_meier"]
