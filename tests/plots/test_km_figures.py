"""Kaplan–Meier figures: image regression (pytest-mpl) and the defects of issue 13.

Run the image comparison with ``python -m pytest tests/plots --mpl
--mpl-baseline-path=tests/plots/baseline``; without ``--mpl`` the same tests draw the
figures and check them as smoke tests. Regenerate baselines with
``--mpl-generate-path=tests/plots/baseline`` after an intended change, and look at them.
"""

from __future__ import annotations

import numpy as np
import pytest
from figure_inputs import *  # noqa: F403 - the shared fixtures
from matplotlib.figure import Figure

from sigsurv.plots import format_p, plot_kaplan_meier, time_axis
from sigsurv.plots.analysis import km_statistics, km_subtitle, plot_analysis_km
from sigsurv.plots.save import save_figure
from sigsurv.survival.km import kaplan_meier

# pytest-mpl comparison settings: matplotlib's default style (pytest-mpl would
# otherwise apply "classic"), a small RMS tolerance for font rasterisation.
MPL = {"style": "default", "tolerance": 2, "savefig_kwargs": {"dpi": 100}}


def all_texts(figure: Figure) -> list:
    texts = list(figure.texts)
    for axis in figure.axes:
        texts += [*axis.texts, axis.xaxis.label, axis.yaxis.label, axis.title]
        texts += [*axis.get_xticklabels(), *axis.get_yticklabels()]
        legend = axis.get_legend()
        if legend is not None:
            texts += legend.get_texts()
    return [t for t in texts if t.get_text() and t.get_visible()]


def assert_inside_figure(figure: Figure) -> None:
    """Every text lies within the figure (nothing is cut at an edge)."""
    figure.canvas.draw()
    bounds = figure.bbox
    for text in all_texts(figure):
        box = text.get_window_extent()
        assert box.x0 >= bounds.x0 - 1 and box.x1 <= bounds.x1 + 1, text.get_text()
        assert box.y0 >= bounds.y0 - 1 and box.y1 <= bounds.y1 + 1, text.get_text()


def assert_statistics_hide_no_curve(figure: Figure, km, factor: float = 1.0) -> None:
    """The statistics box crosses no survival curve and no confidence band."""
    figure.canvas.draw()
    axis = figure.axes[0]
    text = axis.texts[0]
    patch = text.get_bbox_patch()
    box = (patch if patch is not None else text).get_window_extent()
    (x0, y0), (x1, y1) = axis.transData.inverted().transform([[box.x0, box.y0], [box.x1, box.y1]])
    for group in km.groups:
        table = km.curves[group].table
        times = np.concatenate(([0.0], table["time"].to_numpy() * factor))
        grid = np.linspace(max(x0, 0), min(x1, times[-1]), 200)
        if grid.size == 0 or x0 > times[-1]:
            continue
        at = np.searchsorted(times, grid, side="right") - 1
        for column, fill in (("surv", 1.0), ("lower", 0.0), ("upper", 1.0)):
            values = np.concatenate(([1.0], table[column].fillna(fill).to_numpy()))[at]
            assert not ((values >= y0) & (values <= y1)).any(), (group, column)


@pytest.mark.mpl_image_compare(**MPL)
def test_km_two_groups(median_result):
    figure = plot_analysis_km(median_result)
    assert_inside_figure(figure)
    assert_statistics_hide_no_curve(figure, median_result.km)
    return figure


@pytest.mark.mpl_image_compare(**MPL)
def test_km_three_groups_with_cumulative_events(tertile_result):
    figure = plot_analysis_km(tertile_result, cumulative_events=True)
    assert len(figure.axes) == 3
    events_axis = figure.axes[2]
    ticks = figure.axes[0].get_xticks()
    for index, group in enumerate(tertile_result.km.groups):
        table = tertile_result.km.curves[group].table
        row = sorted(
            (t.get_position()[0], int(t.get_text()))
            for t in events_axis.texts
            if round(t.get_position()[1]) == len(tertile_result.km.groups) - 1 - index
        )
        expected = [int(table.loc[table["time"] <= tick, "n_event"].sum()) for tick in ticks]
        assert [count for _, count in row] == expected
    assert "log-rank trend" in figure.axes[0].texts[0].get_text()
    assert_inside_figure(figure)
    return figure


@pytest.mark.mpl_image_compare(**MPL)
def test_km_days_input_is_shown_in_months(days_result):
    # Issue 13: cohorts in days had ticks at 365/730/... and "within 1826.25 days".
    figure = plot_analysis_km(days_result)
    axis = figure.axes[0]
    assert axis.get_xlabel() == "Time (months)"
    assert [t for t in axis.get_xticks() if t % 12] == []
    texts = " ".join(t.get_text() for t in all_texts(figure))
    assert "1826" not in texts and "days" not in texts
    assert "censored at 60 months" in km_subtitle(days_result)
    # The at-risk counts are taken at the ticks converted back to days.
    risk = figure.axes[1]
    first_group = days_result.km.groups[0]
    expected = days_result.km.curves[first_group].n_at_risk(axis.get_xticks() * 365.25 / 12)
    drawn = sorted(
        (t.get_position()[0], int(t.get_text()))
        for t in risk.texts
        if round(t.get_position()[1]) == len(days_result.km.groups) - 1
    )
    assert [c for _, c in drawn] == expected.tolist()
    assert_inside_figure(figure)
    return figure


@pytest.mark.mpl_image_compare(**MPL)
def test_km_optimal_cut_leads_with_the_adjusted_p(optimal_result):
    # Issue 13: the optimal-cut figure led with the naive HR and p.
    lines = km_statistics(optimal_result)
    maxstat = optimal_result.grouping.maxstat
    assert lines[0].startswith("selection-adjusted p = ")
    assert format_p(min(1.0, maxstat.p_lau94)).removeprefix("p ") in lines[0]
    assert "optimistic" in lines[1]
    assert lines[2].startswith("naive log-rank")
    figure = plot_analysis_km(optimal_result)
    assert figure.axes[0].texts[0].get_text().splitlines()[0] == lines[0]
    assert_inside_figure(figure)
    return figure


@pytest.mark.mpl_image_compare(**MPL)
def test_km_stratified(stratified_result):
    assert "stratified by er" in km_subtitle(stratified_result)
    assert "median cut within each stratum" in km_subtitle(stratified_result)
    figure = plot_analysis_km(stratified_result)
    assert "log-rank (stratified by er)" in figure.axes[0].texts[0].get_text()
    assert "population: er in ('positive', 'negative')" in km_subtitle(stratified_result)
    assert_inside_figure(figure)
    return figure


def test_long_title_and_subgroup_wrap_inside_the_figure(median_result):
    # Issue 13: titles were cut at the right edge where the subgroup was written.
    long_title = "gse1992: " + " ".join(["relapse-free survival in a long subgroup"] * 4)
    figure = plot_analysis_km(median_result, title=long_title)
    assert_inside_figure(figure)
    written = " ".join(t.get_text() for t in figure.texts)
    assert written.split() == (long_title + " " + km_subtitle(median_result)).split()
    assert "er == 'positive'" in written


def test_statistics_avoid_curves_that_stay_high():
    # Issue 13: the box sat top right and hid curves whose survival stays high.
    rng = np.random.default_rng(7)
    time = rng.uniform(1, 120, 300)
    event = (rng.uniform(size=300) < 0.08).astype(float)
    groups = np.where(rng.uniform(size=300) < 0.5, "low", "high")
    km = kaplan_meier(time, event, groups=groups)
    lines = ["HR high vs low 0.80 (0.40–1.60), p = 0.52", "log-rank p = 0.52"]
    figure = plot_kaplan_meier(km, annotation=lines)
    text = figure.axes[0].texts[0]
    assert text.get_position()[1] < 0.5  # not the top right corner
    assert_statistics_hide_no_curve(figure, km)


def test_statistics_go_below_when_no_corner_is_free():
    # One curve stays at 1, one falls to 0 at once, one stays at 0.5: they sweep the top,
    # the bottom and the middle of the plot, so no corner is free.
    time = np.concatenate(
        [np.full(30, 100.0), np.linspace(1, 3, 30), np.r_[np.ones(15), np.full(15, 100.0)]]
    )
    event = np.concatenate([np.zeros(30), np.ones(30), np.r_[np.ones(15), np.zeros(15)]])
    groups = np.repeat(["a", "b", "c"], 30)
    km = kaplan_meier(time, event, groups=groups)
    figure = plot_kaplan_meier(km, annotation=["a", "log-rank p = 0.9"] * 3, show_ci=True)
    assert figure.axes[0].texts[0].get_position()[1] < 0
    assert_inside_figure(figure)
    assert_statistics_hide_no_curve(figure, km)


def test_time_axis_in_months_or_years_whatever_the_unit():
    assert time_axis(3652.5, "days").unit == "months"
    assert time_axis(3652.5, "days").ticks.tolist() == [0, 24, 48, 72, 96, 120]
    assert time_axis(20, "years").unit == "years"
    assert time_axis(8, "years").unit == "months"
    assert time_axis(240, "months").unit == "years"


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.0123, "p = 0.012"),
        (0.0535, "p = 0.054"),
        (3e-7, "p < 0.001"),
        (0.5, "p = 0.50"),
        (1.4, "p = 1.0"),
        (None, "p = NA"),
    ],
)
def test_p_values_have_two_significant_digits(p, text):
    assert format_p(p) == text


def test_figures_are_written_as_300_dpi_png_pdf_and_svg(median_result, tmp_path):
    from PIL import Image

    figure = plot_analysis_km(median_result)
    files = save_figure(figure, tmp_path, "km")
    assert sorted(files) == ["km.pdf", "km.png", "km.svg"]
    with Image.open(files["km.png"]) as image:
        assert round(image.info["dpi"][0]) == 300
        assert image.width == round(figure.get_size_inches()[0] * 300)
    assert files["km.pdf"].read_bytes().startswith(b"%PDF")
    assert b"<svg" in files["km.svg"].read_bytes()[:500]
    again = save_figure(figure, tmp_path / "again", "km")
    assert again["km.svg"].read_bytes() == files["km.svg"].read_bytes()


def test_legend_reads_row_by_row_and_stays_inside():
    rng = np.random.default_rng(2)
    groups = np.repeat(["Q1 long label", "Q2 long label", "Q3 long label", "Q4 long label"], 40)
    km = kaplan_meier(rng.uniform(1, 100, 160), rng.uniform(size=160) < 0.4, groups=groups)
    figure = plot_kaplan_meier(km, annotation=["log-rank p = 0.5"])
    figure.canvas.draw()
    texts = {
        t.get_text()[:2]: t.get_window_extent() for t in figure.axes[0].get_legend().get_texts()
    }
    assert texts["Q2"].x0 > texts["Q1"].x0 and abs(texts["Q2"].y0 - texts["Q1"].y0) < 1
    assert_inside_figure(figure)


def test_plot_kaplan_meier_draws_into_given_axes(median_result):
    import matplotlib.pyplot as plt

    from sigsurv.plots.km import KMStyle

    panel, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    drawn = plot_kaplan_meier(median_result.km, ax=left, title="left panel")
    assert drawn is left and len(panel.axes) == 2
    assert len(left.get_lines()) >= 2 and not right.get_lines()
    drawn = plot_analysis_km(median_result, ax=right, style=KMStyle(ylim=(0.4, 1.0)))
    assert drawn is right and right.get_ylim()[0] == pytest.approx(0.388)
    plt.close(panel)


def test_min_at_risk_ends_the_curves_and_breaks_set_the_ticks(median_result):
    from sigsurv.plots.km import KMStyle

    figure = plot_kaplan_meier(
        median_result.km, style=KMStyle(min_at_risk=10, breaks=12, show_ci=False)
    )
    ticks = figure.axes[0].get_xticks()
    assert np.allclose(np.diff(ticks), 12)
    for line, group in zip(figure.axes[0].get_lines()[::2], median_result.km.groups, strict=True):
        table = median_result.km.curves[group].table
        last_kept = table.loc[table["n_risk"] >= 10, "time"].max()
        assert line.get_xdata()[-1] == pytest.approx(last_kept)


def test_er_negative_analysis_is_titled_er_negative():
    from sigsurv import load_example
    from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
    from sigsurv.plots.analysis import km_title

    spec = AnalysisSpec(subgroup="er == 'negative'", population=False)
    result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5", spec)
    title = km_title(result)
    assert "ER−" in title and "ER+" not in title
