"""Figures show the engine's numbers: at-risk counts, group labels with n, axis units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from figure_inputs import *  # noqa: F403 - the shared fixtures

from sigsurv import load_example
from sigsurv.analysis.signature import analyse_signature
from sigsurv.errors import AnalysisError
from sigsurv.plots import landmark_grid, plot_forest, plot_kaplan_meier
from sigsurv.report.outputs import km_figure
from sigsurv.survival.km import kaplan_meier


def test_at_risk_table_matches_the_engine():
    cohort = load_example("gse4335")
    time, event = cohort.survival()
    groups = np.where(cohort.expression.loc["ESR1"] > 0, "ESR1 high", "ESR1 low")
    km = kaplan_meier(time, event, groups=groups)
    figure = plot_kaplan_meier(km, time_unit="months")
    main_axis, risk_axis = figure.axes
    ticks = landmark_grid(float(np.max(time)), "months")
    drawn = {}
    for text in risk_axis.texts:
        drawn.setdefault(round(text.get_position()[1]), []).append(
            (text.get_position()[0], int(text.get_text()))
        )
    for row, level in enumerate(reversed(km.groups)):
        expected = km.curves[level].n_at_risk(ticks).tolist()
        assert [count for _, count in sorted(drawn[row])] == expected
    assert main_axis.get_xlabel() == "Time (months)"
    labels = [t.get_text() for t in main_axis.get_legend().get_texts()]
    assert labels == [
        f"{g} (n = {km.curves[g].n}, {km.curves[g].events} events)" for g in km.groups
    ]
    assert list(main_axis.get_xticks()) == list(ticks)


def test_km_figure_annotation_uses_the_analysis_numbers():
    result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    figure = km_figure(result)
    annotation = figure.axes[0].texts[0].get_text()
    grouped = result.hazard_ratio_grouped
    assert f"HR high vs low {grouped['hr']:.2f}" in annotation
    assert "log-rank p =" in annotation


def test_forest_does_not_draw_untestable_rows():
    # Issue 13: untestable rows were drawn as grey text cut at 60 characters; they
    # belong to the report's coverage matrix, not to the forest.
    rows = pd.DataFrame(
        {
            "label": ["a", "b", "pooled"],
            "hr": [0.5, np.nan, 0.7],
            "ci_lower": [0.3, np.nan, 0.5],
            "ci_upper": [0.9, np.nan, 1.0],
            "pooled": [False, False, True],
            "note": ["", "not testable: no endpoint", ""],
        }
    )
    figure = plot_forest(rows)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert not any("not testable" in t for t in texts)
    assert "b" not in texts
    assert "0.50 (0.30–0.90)" in texts


def test_forest_of_nothing_testable_is_refused():
    rows = pd.DataFrame(
        {"label": ["b"], "hr": [np.nan], "ci_lower": [np.nan], "ci_upper": [np.nan]}
    )
    with pytest.raises(AnalysisError, match="no row"):
        plot_forest(rows)
