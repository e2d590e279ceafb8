"""Files written by ``sigsurv survival``: figures, results.json, scores.tsv, run.json.

Figures and JSON are drawn from one :class:`~sigsurv.analysis.signature.SignatureSurvival`
result: no statistic is recomputed here.

TSV files are opened in spreadsheets, which execute a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula ("CSV injection"). Every text cell,
index value and column name written to a TSV that starts with one of these characters
is prefixed with a single quote (:func:`spreadsheet_safe`); numbers are written as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sigsurv._json import write_json
from sigsurv.analysis.enrichment import SurvivalScan
from sigsurv.analysis.signature import SignatureSurvival
from sigsurv.plots import plot_forest
from sigsurv.plots.analysis import (
    km_statistics,
    km_title,
    plot_analysis_cif,
    plot_analysis_km,
    plot_column_km,
)
from sigsurv.plots.cutpoint import plot_cut_scan
from sigsurv.plots.km import KMStyle
from sigsurv.plots.save import FORMATS, save_figure

__all__ = [
    "km_annotation",
    "km_figure",
    "multivariable_forest",
    "scores_tsv",
    "spreadsheet_safe",
    "write_column_outputs",
    "write_competing_outputs",
    "write_scan_outputs",
    "write_scores",
    "write_survival_outputs",
]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells, index and column names cannot run as spreadsheet formulas.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    single quote; numeric columns are left untouched.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"score": [-1.5], "id": ["=HYPERLINK(1)"]}, index=["@s1"])
    >>> safe = spreadsheet_safe(table)
    >>> safe.loc["'@s1", "id"], float(safe.loc["'@s1", "score"])
    ("'=HYPERLINK(1)", -1.5)
    """
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_neutralise)
    safe.index = safe.index.map(_neutralise)
    safe.columns = safe.columns.map(_neutralise)
    safe.index.name = _neutralise(table.index.name)
    return safe


def _as_figure(drawn: Any) -> Figure:
    """The new figure a plot function returns when it is given no axes."""
    if not isinstance(drawn, Figure):
        raise TypeError(f"expected a new figure, got {type(drawn).__name__}")
    return drawn


def km_annotation(result: SignatureSurvival) -> list[str]:
    """The lines printed on a KM figure, from the analysis' own numbers.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> lines = km_annotation(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    >>> lines[0].startswith("HR high vs low")
    True
    """
    return km_statistics(result)


def km_figure(
    result: SignatureSurvival, *, title: str | None = None, style: KMStyle | None = None
) -> Figure:
    """Kaplan–Meier figure of an analysis (groups, numbers at risk, HR and p).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> figure = km_figure(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    >>> figure.axes[0].get_xlabel()
    'Time (months)'
    """
    return _as_figure(plot_analysis_km(result, title=title, style=style))


def multivariable_forest(result: SignatureSurvival) -> Figure | None:
    """Forest plot of the multivariable Cox model's terms (None without a defined model).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
    ...                            AnalysisSpec(covariates=("age", "node")))
    >>> multivariable_forest(result) is not None
    True
    """
    model = result.cox_multivariable
    if model is None or not model.well_defined:
        return None  # nothing to draw: results.json says why the model is not defined
    rows = []
    references = {str(k): str(v) for k, v in model.reference_levels.items()}
    for term, row in model.summary.iterrows():
        label = "score (per SD)" if term == "score_per_sd" else str(term)
        for column, reference in references.items():
            if label.startswith(column) and label != column:
                label = f"{column}: {label[len(column) :]} vs {reference}"
        rows.append(
            {
                "label": label,
                "hr": row["hr"] if model.well_defined else np.nan,
                "ci_lower": row["ci_lower"] if model.well_defined else np.nan,
                "ci_upper": row["ci_upper"] if model.well_defined else np.nan,
                "p": row["p_wald"] if model.well_defined else np.nan,
                "note": "" if model.well_defined else "model not well defined",
            }
        )
    return _as_figure(
        plot_forest(
            pd.DataFrame(rows),
            title=f"{km_title(result)}: multivariable Cox model "
            f"(n = {model.n}, {model.events} events)",
            favours=("lower risk", "higher risk"),
        )
    )


def write_survival_outputs(
    result: SignatureSurvival,
    out_dir: str | Path,
    manifest: dict[str, Any],
    *,
    cohort_notes: list[str] | None = None,
    style: KMStyle | None = None,
    formats: Sequence[str] = FORMATS,
) -> dict[str, Path]:
    """Write km.png (300 dpi), km.pdf, km.svg, forest.png, results.json, scores.tsv, run.json.

    ``style`` holds the plot controls and ``formats`` the figure formats written; with
    ``--cut optimal`` the cut-point scan is drawn too (``cut_scan.png``).

    ``cohort_notes`` (what loading the cohort said: genes or samples removed, unit
    doubts) are recorded in results.json under ``cohort_notes``.

    Examples
    --------
    >>> import tempfile
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.signature import analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    >>> files = write_survival_outputs(result, tempfile.mkdtemp(), {"command": "doctest"})
    >>> sorted(files)
    ['km.pdf', 'km.png', 'km.svg', 'results.json', 'run.json', 'scores.tsv']
    """
    import matplotlib.pyplot as plt

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    figure = km_figure(result, style=style)
    written.update(save_figure(figure, folder, "km", formats))  # PNG at 300 dpi, PDF, SVG
    plt.close(figure)
    maxstat = result.grouping.maxstat
    if maxstat is not None:  # --cut optimal: the scan that chose the cut, beside km.png
        scan = _as_figure(
            plot_cut_scan(
                maxstat,
                title=f"{km_title(result)}: cut-point scan",
                score_label=f"{result.signature_id} score ({result.method})",
            )
        )
        written.update(save_figure(scan, folder, "cut_scan", formats))
        plt.close(scan)
    forest = multivariable_forest(result)
    if forest is not None:
        written["forest.png"] = folder / "forest.png"
        forest.savefig(written["forest.png"])
        plt.close(forest)
    written["results.json"] = folder / "results.json"
    write_json(
        result.to_dict() | {"cohort_notes": list(cohort_notes or [])}, written["results.json"]
    )
    scores = pd.DataFrame(
        {
            "sample": result.scores.index,
            "score": result.scores.to_numpy(),
            "group": pd.Series(result.grouping.labels).astype(str).to_numpy(),
            "time": result.survival.time,
            "event": result.survival.event.astype(int),
        }
    )
    written["scores.tsv"] = folder / "scores.tsv"
    spreadsheet_safe(scores).to_csv(
        written["scores.tsv"], sep="\t", index=False, float_format="%.10g"
    )
    written["run.json"] = folder / "run.json"
    write_json(manifest, written["run.json"])
    return written


def write_scan_outputs(result: SurvivalScan, out_dir: str | Path) -> dict[str, Path]:
    """Write cox_scan.tsv (one row per gene) and enrichment.tsv (one row per gene set).

    Examples
    --------
    >>> import tempfile
    >>> from sigsurv import load_example
    >>> from sigsurv.signatures import get_signature
    >>> from sigsurv.analysis.enrichment import scan_cohort
    >>> result = scan_cohort(load_example("gse4335"), [get_signature("msk1_luminal")],
    ...                      permutations=10)
    >>> sorted(write_scan_outputs(result, tempfile.mkdtemp()))
    ['cox_scan.tsv', 'enrichment.tsv']
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = {"cox_scan.tsv": folder / "cox_scan.tsv", "enrichment.tsv": folder / "enrichment.tsv"}
    spreadsheet_safe(result.scan).to_csv(
        written["cox_scan.tsv"], sep="\t", float_format="%.10g", index_label="gene"
    )
    spreadsheet_safe(result.enrichment).to_csv(
        written["enrichment.tsv"], sep="\t", float_format="%.10g"
    )
    return written


def _score_table(scores: pd.DataFrame) -> pd.DataFrame:
    table = scores.copy()
    table.attrs = {}  # the coverage report is not table data (Parquet would store it)
    table.index.name = "sample"
    return table


def scores_tsv(scores: pd.DataFrame) -> str:
    """Samples x signatures scores as TSV text (10 significant digits, spreadsheet-safe).

    Examples
    --------
    >>> import pandas as pd
    >>> print(scores_tsv(pd.DataFrame({"msk1": [0.5, -1.25]}, index=["s1", "s2"])), end="")
    sample	msk1
    s1	0.5
    s2	-1.25
    """
    return str(spreadsheet_safe(_score_table(scores)).to_csv(sep="\t", float_format="%.10g"))


def write_scores(scores: pd.DataFrame, out: str | Path) -> Path:
    """Write samples x signatures scores: Parquet for ``.parquet`` / ``.pq``, else TSV.

    Parquet keeps the identifiers as they are; TSV makes them spreadsheet-safe.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scores.parquet"
    >>> _ = write_scores(pd.DataFrame({"msk1": [0.5]}, index=["s1"]), path)
    >>> pd.read_parquet(path).shape
    (1, 1)
    """
    path = Path(out)
    table = _score_table(scores)
    if path.suffix.lower() in (".parquet", ".pq"):
        table.to_parquet(path)
    else:
        spreadsheet_safe(table).to_csv(path, sep="\t", float_format="%.10g")
    return path


def write_competing_outputs(
    result: Any,
    record: dict[str, Any],
    folder: Path,
    *,
    style: KMStyle | None = None,
    formats: Sequence[str] = FORMATS,
) -> dict[str, Path]:
    """``sigsurv survival --cause``: results.json and the cumulative-incidence figure.

    ``result`` is a :class:`~sigsurv.analysis.competing.CompetingRiskAnalysis`
    and ``record`` its JSON-ready record; the figure (``cumulative_incidence.png``,
    ``.pdf``, ``.svg``) shows the cause's incidence per score group with Gray's test.

    Examples
    --------
    >>> import tempfile, numpy as np, pandas as pd
    >>> from sigsurv.analysis.competing import analyse_competing_risks
    >>> rng = np.random.default_rng(4)
    >>> time, cause = rng.exponential(20, 80), rng.integers(0, 3, 80)
    >>> result = analyse_competing_risks(rng.normal(size=80), time, cause, cause=1)
    >>> written = write_competing_outputs(result, result.to_dict(), Path(tempfile.mkdtemp()))
    >>> sorted(written)  # doctest: +NORMALIZE_WHITESPACE
    ['cumulative_incidence.pdf', 'cumulative_incidence.png', 'cumulative_incidence.svg',
     'results.json']
    """
    import matplotlib.pyplot as plt

    written = {"results.json": folder / "results.json"}
    write_json(record, written["results.json"])
    figure = _as_figure(plot_analysis_cif(result, record, style=style))
    written |= save_figure(figure, folder, "cumulative_incidence", formats)
    plt.close(figure)
    return written


def write_column_outputs(
    result: Any,
    folder: Path,
    manifest: dict[str, Any],
    *,
    cohort_notes: list[str] | None = None,
    style: KMStyle | None = None,
    formats: Sequence[str] = FORMATS,
) -> dict[str, Path]:
    """``sigsurv survival --by``: km figure, results.json, groups.tsv and run.json.

    Examples
    --------
    >>> import tempfile
    >>> from sigsurv import load_example
    >>> from sigsurv.analysis.column import analyse_column
    >>> result = analyse_column(load_example("gse1992"), "er")
    >>> sorted(write_column_outputs(result, Path(tempfile.mkdtemp()), {}, formats=["png"]))
    ['groups.tsv', 'km.png', 'results.json', 'run.json']
    """
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    figure = _as_figure(plot_column_km(result, style=style))
    written = save_figure(figure, folder, "km", formats)
    plt.close(figure)
    written["results.json"] = folder / "results.json"
    write_json(
        result.to_dict() | {"cohort_notes": list(cohort_notes or [])}, written["results.json"]
    )
    groups = pd.DataFrame(
        {
            "sample": result.labels.index,
            "group": result.labels.astype(str).to_numpy(),
            "time": result.survival.time,
            "event": result.survival.event.astype(int),
        }
    )
    written["groups.tsv"] = folder / "groups.tsv"
    spreadsheet_safe(groups).to_csv(
        written["groups.tsv"], sep="\t", index=False, float_format="%.10g"
    )
    written["run.json"] = folder / "run.json"
    write_json(manifest, written["run.json"])
    return written
