"""Forest, cumulative incidence, Schoenfeld, random-null and power figures.

Image regression with pytest-mpl (see test_km_figures.py for how to run and refresh).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from figure_inputs import *  # noqa: F403 - the shared fixtures

from sigsurv.analysis.null import RandomSignatureNull
from sigsurv.plots.competing import plot_cumulative_incidence
from sigsurv.plots.diagnostics import (
    natural_spline_smooth,
    plot_power,
    plot_random_null,
    plot_schoenfeld,
)
from sigsurv.plots.forest import plot_forest
from sigsurv.plots.km import KMStyle, time_axis
from sigsurv.survival.competing import cumulative_incidence
from sigsurv.survival.power import schoenfeld_power

LONG = "gse1992 · msk1_rps6ka5_with_a_long_identifier as a proxy of the published list"

# pytest-mpl comparison settings: matplotlib's default style (pytest-mpl would
# otherwise apply "classic"), a small RMS tolerance for font rasterisation.
MPL = {"style": "default", "tolerance": 2, "savefig_kwargs": {"dpi": 100}}


def forest_rows() -> pd.DataFrame:
    endpoint = "relapse-free survival (analogue of metastasis-free survival)"
    return pd.DataFrame(
        {
            "label": [
                LONG,
                "gse4335 · msk1_rps6ka5",
                "nki70 · msk1_luminal",
                "Pooled (random effects, REML)",
                "gse3143 · msk1_rps6ka5",
            ],
            "hr": [0.7, 0.9, 1.3, 0.85, np.nan],
            "ci_lower": [0.4, 0.5, 0.7, 0.6, np.nan],
            "ci_upper": [1.2, 1.6, 2.4, 1.2, np.nan],
            "p": [0.2, 0.7, 0.4, 0.35, np.nan],
            "weight": [10, 8, 6, np.nan, np.nan],
            "pooled": [False, False, False, True, False],
            "prediction_lower": [np.nan] * 3 + [0.35, np.nan],
            "prediction_upper": [np.nan] * 3 + [2.1, np.nan],
            "heterogeneity": ["", "", "", "I² = 12%, τ² = 0.010, Q p = 0.32", ""],
            "group": [endpoint] * 4 + ["overall survival"],
            "n_events": ["124 / 35", "115 / 40", "70 / 22", "", ""],
        }
    )


@pytest.mark.mpl_image_compare(**MPL)
def test_forest():
    figure = plot_forest(
        forest_rows(),
        title="gawrzak2018_msk1_mfs_er_pos: high vs low "
        "MSK1 and metastasis-free survival in ER+ disease",
        reference=0.41,
        reference_label="paper: HR 0.41",
        favours=("higher score: lower risk", "higher score: higher risk"),
    )
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "n / events" in texts and "124 / 35" in texts
    assert "← higher score: lower risk" in texts and "higher score: higher risk →" in texts
    # Wrapped at word boundaries: the label's words all survive, in order, none cut.
    label = next(t for t in texts if t.startswith("gse1992"))
    assert "\n" in label and label.split() == LONG.split()
    assert "I² = 12%, τ² = 0.010, Q p = 0.32" in texts
    assert not any("gse3143" in t for t in texts)  # untestable: not drawn
    assert "overall survival" not in texts  # nor its empty section
    figure.canvas.draw()
    axis = figure.axes[0]
    plot_left = axis.get_window_extent().x0
    for text in axis.texts:
        if text.get_position()[0] < 0:  # the label column stays left of the plot
            assert text.get_window_extent().x1 <= plot_left + 1, text.get_text()
    return figure


def test_forest_draws_into_given_axes():
    import matplotlib.pyplot as plt

    panel, axis = plt.subplots(figsize=(6, 3))
    drawn = plot_forest(forest_rows(), ax=axis, favours=("lower risk", "higher risk"))
    assert drawn is axis and len(panel.axes) == 1
    assert [t.get_text() for t in axis.get_yticklabels()][1] == "gse4335 · msk1_rps6ka5"
    plt.close(panel)


def competing_result():
    rng = np.random.default_rng(3)
    time = np.round(rng.exponential(60, 150), 1) + 0.5
    cause = rng.choice([0, 1, 2], size=150, p=[0.4, 0.4, 0.2])
    groups = np.where(rng.uniform(size=150) < 0.5, "score high", "score low")
    return cumulative_incidence(time, cause, cause=1, groups=groups)


@pytest.mark.mpl_image_compare(**MPL)
def test_cumulative_incidence():
    result = competing_result()
    figure = plot_cumulative_incidence(
        result,
        time_unit="months",
        cause_label="relapse",
        title="Relapse with death as a competing risk",
    )
    axis = figure.axes[0]
    shown = time_axis(max(result.last_time.values()), "months")
    assert axis.get_xlabel() == f"Time ({shown.unit})"
    for line, group in zip(axis.get_lines(), result.groups, strict=True):
        x, y = line.get_data()
        curve = result.curves[group]
        assert np.allclose(y[1:-1], curve["estimate"].to_numpy())
        assert x[-1] == pytest.approx(result.last_time[group] * shown.factor)
    assert "Gray's test" in axis.texts[0].get_text()
    return figure


def schoenfeld_input():
    """A documented stand-in for cox.zph output: x, residuals of one term, test p."""
    rng = np.random.default_rng(11)
    x = np.sort(rng.uniform(0, 1, 80))
    return x, 0.4 + 0.8 * (x - 0.5) + rng.normal(0, 0.9, 80)


@pytest.mark.mpl_image_compare(**MPL)
def test_schoenfeld():
    x, residuals = schoenfeld_input()
    figure = plot_schoenfeld(
        x,
        residuals,
        term="score_per_sd",
        transform="km",
        p=0.031,
        coef=0.4,
        title="gse1992: proportional hazards of the score",
    )
    assert "p = 0.031" in " ".join(t.get_text() for t in figure.texts)
    return figure


def test_spline_smooth_reproduces_a_cubic():
    x = np.linspace(0, 1, 40)
    fit, _ = natural_spline_smooth(x, 3 * x - 1, x)
    assert np.allclose(fit, 3 * x - 1)


@pytest.mark.mpl_image_compare(**MPL)
def test_random_null_histogram():
    rng = np.random.default_rng(5)
    null = RandomSignatureNull(
        "msk1_rps6ka5",
        3,
        "mean_z",
        200,
        5,
        -2.6,
        97.0,
        0.015,
        rng.normal(0, 1.2, 200),
        0,
        "protective",
        98.5,
        "matched on mean and variance",
    )
    figure = plot_random_null(null)
    axis = figure.axes[0]
    assert sum(patch.get_height() for patch in axis.patches) == 200
    assert next(line.get_xdata()[0] for line in axis.get_lines()) == -2.6
    assert "empirical p = 0.015" in " ".join(t.get_text() for t in figure.texts)
    return figure


def test_power_curve_uses_the_engine():
    figure = plot_power(13, 0.41, proportion=0.5)
    curve = figure.axes[0].get_lines()[0]
    x, y = curve.get_data()
    assert y[10] == pytest.approx(schoenfeld_power(x[10], 0.41, proportion=0.5))
    marked = figure.axes[0].get_lines()[2]
    assert marked.get_ydata()[0] == pytest.approx(schoenfeld_power(13, 0.41, proportion=0.5))


def test_analysis_cif_has_numbers_at_risk_fitted_axis_and_trims_the_tail():
    from sigsurv.analysis.competing import analyse_competing_risks
    from sigsurv.plots.analysis import plot_analysis_cif
    from sigsurv.plots.km import KMStyle

    rng = np.random.default_rng(4)
    time = rng.exponential(40, 200)
    cause = rng.choice([0, 1, 2], size=200, p=[0.7, 0.1, 0.2])
    result = analyse_competing_risks(
        rng.normal(size=200), time, cause, 1, causes=("bone", "other"), horizons=[12, 60]
    )
    record = {"cohort": "toy", "signature_id": "sig", "signature_name": "A signature"}
    figure = plot_analysis_cif(result, record)
    main, risk, _table = figure.axes
    assert main.get_ylim()[1] < 1.0  # fitted to incidences well under 1
    assert risk.get_title(loc="left") == "Number at risk"
    assert "toy (all patients): A signature — bone" in " ".join(t.get_text() for t in figure.texts)
    counts = [int(t.get_text()) for t in risk.texts[: len(main.get_xticks())]]
    assert counts[0] == int((result.labels == result.levels[0]).sum())
    trimmed = plot_analysis_cif(result, record, style=KMStyle(min_at_risk=20))
    for line, level in zip(trimmed.axes[0].get_lines(), result.levels, strict=True):
        followed = np.sort(time[result.labels.to_numpy() == level])[::-1]
        assert line.get_xdata()[-1] * 1.0 <= followed[19] * 1.0 + 1e-9


def test_trimmed_cif_legend_keeps_every_event():
    from sigsurv.survival.competing import cumulative_incidence

    rng = np.random.default_rng(5)
    time, cause = rng.exponential(40, 120), rng.choice([0, 1, 2], size=120)
    groups = np.where(rng.uniform(size=120) < 0.5, "a", "b")
    result = cumulative_incidence(time, cause, cause=1, groups=groups)
    follow_up = {g: time[groups == g] for g in ("a", "b")}
    figure = plot_cumulative_incidence(result, follow_up=follow_up, style=KMStyle(min_at_risk=30))
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == [f"{g} ({int(((cause == 1) & (groups == g)).sum())} events)" for g in "ab"]
