"""Files written by ``sigsurv survival``: figures, results.json, scores.tsv, run.json.

Figures and JSON are drawn from one :class:`~sigsurv.survival.analysis.SignatureSurvival`
result: no statistic is recomputed here.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sigsurv.plots import format_p, plot_forest, plot_kaplan_meier
from sigsurv.survival.analysis import SignatureSurvival

__all__ = [
    "build_manifest",
    "dump_json",
    "km_annotation",
    "km_figure",
    "multivariable_forest",
    "write_survival_outputs",
]

_DEPENDENCIES = (
    "numpy",
    "pandas",
    "scipy",
    "lifelines",
    "scikit-learn",
    "gseapy",
    "matplotlib",
    "survset",
    "typer",
    "rich",
    "jinja2",
    "pyyaml",
)


def _clean(value: Any) -> Any:
    """Make a value JSON-safe and deterministic (non-finite floats become null)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    return value


def dump_json(payload: Any, path: str | Path | None = None) -> str:
    """Serialise deterministically (sorted keys, 2-space indent, NaN -> null).

    Examples
    --------
    >>> dump_json({"b": float("nan"), "a": 1})
    '{\\n  "a": 1,\\n  "b": null\\n}\\n'
    """
    text = json.dumps(_clean(payload), indent=2, sort_keys=True, allow_nan=False) + "\n"
    if path is not None:
        Path(path).write_text(text)
    return text


def km_annotation(result: SignatureSurvival) -> list[str]:
    """The lines printed on a KM figure, from the analysis' own numbers.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.survival.analysis import analyse_signature
    >>> lines = km_annotation(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    >>> lines[0].startswith("HR high vs low")
    True
    """
    grouped = result.hazard_ratio_grouped
    levels = [str(v) for v in result.grouping.levels]
    lines = []
    if grouped["hr"] is None:
        lines.append(f"HR {levels[-1]} vs {levels[0]}: not estimable")
    else:
        lines.append(
            f"HR {levels[-1]} vs {levels[0]} {grouped['hr']:.2f} "
            f"({grouped['ci_lower']:.2f}–{grouped['ci_upper']:.2f}), "
            f"{format_p(grouped['p_wald'])}"
        )
    lines.append(f"log-rank {format_p(result.logrank.p)}")
    per_sd = result.hazard_ratio_per_sd
    if per_sd["hr"] is not None:
        lines.append(
            f"HR per SD {per_sd['hr']:.2f} ({per_sd['ci_lower']:.2f}–{per_sd['ci_upper']:.2f})"
        )
    if result.grouping.maxstat is not None:
        maxstat = result.grouping.maxstat
        lines.append(f"optimal cut: adjusted p (Lau94) {min(1.0, maxstat.p_lau94):.2f}")
    return lines


def km_figure(result: SignatureSurvival, *, title: str | None = None) -> Figure:
    """Kaplan–Meier figure of an analysis (groups, numbers at risk, HR and p).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.survival.analysis import analyse_signature
    >>> figure = km_figure(analyse_signature(load_example("gse1992"), "msk1_rps6ka5"))
    >>> figure.axes[0].get_xlabel()
    'Time (months)'
    """
    survival = result.survival
    heading = title or (
        f"{result.cohort}: {result.signature_id} ({result.method}, {result.cut_rule} cut) — "
        f"{survival.label}"
    )
    return plot_kaplan_meier(
        result.km,
        time_unit=survival.unit,
        title=heading,
        ylabel=f"{survival.endpoint.upper()} probability",
        annotation=km_annotation(result),
        horizon=survival.horizon,
    )


def multivariable_forest(result: SignatureSurvival) -> Figure | None:
    """Forest plot of the multivariable Cox model's terms (None without covariates).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.survival.analysis import analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
    ...                            covariates=["age", "node"])
    >>> multivariable_forest(result) is not None
    True
    """
    model = result.cox_multivariable
    if model is None:
        return None
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
    return plot_forest(
        pd.DataFrame(rows),
        title=f"{result.cohort}: multivariable Cox (n = {model.n}, {model.events} events)",
    )


def build_manifest(
    *,
    command: str,
    options: dict[str, Any],
    input_files: list[str | Path] = (),  # type: ignore[assignment]
    signatures: list[dict[str, str]] = (),  # type: ignore[assignment]
    seed: int | None = None,
) -> dict[str, Any]:
    """Run manifest: versions, input SHA-256, signatures, options, seed, time.

    Examples
    --------
    >>> manifest = build_manifest(command="survival", options={"cut": "median"}, seed=1)
    >>> sorted(manifest)[:3]
    ['command', 'created', 'inputs']
    """
    from sigsurv._version import __version__
    from sigsurv.cohorts.tables import sha256_of

    versions = {"sigsurv": __version__, "python": sys.version.split()[0]}
    for name in _DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    inputs = []
    for file in input_files:
        path = Path(file)
        if path.is_file():
            inputs.append({"path": str(path), "sha256": sha256_of(path)})
    return {
        "command": command,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": inputs,
        "options": _clean(options),
        "platform": platform.platform(),
        "seed": seed,
        "signatures": list(signatures),
        "versions": versions,
    }


def write_survival_outputs(
    result: SignatureSurvival, out_dir: str | Path, manifest: dict[str, Any]
) -> dict[str, Path]:
    """Write km.png, km.pdf, forest.png (multivariable), results.json, scores.tsv, run.json.

    Examples
    --------
    >>> import tempfile
    >>> from sigsurv import load_example
    >>> from sigsurv.survival.analysis import analyse_signature
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    >>> files = write_survival_outputs(result, tempfile.mkdtemp(), {"command": "doctest"})
    >>> sorted(files)
    ['km.pdf', 'km.png', 'results.json', 'run.json', 'scores.tsv']
    """
    import matplotlib.pyplot as plt

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    figure = km_figure(result)
    for suffix in ("png", "pdf"):
        path = folder / f"km.{suffix}"
        figure.savefig(path, metadata={"CreationDate": None} if suffix == "pdf" else None)
        written[f"km.{suffix}"] = path
    plt.close(figure)
    forest = multivariable_forest(result)
    if forest is not None:
        written["forest.png"] = folder / "forest.png"
        forest.savefig(written["forest.png"])
        plt.close(forest)
    written["results.json"] = folder / "results.json"
    dump_json(result.to_dict(), written["results.json"])
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
    scores.to_csv(written["scores.tsv"], sep="\t", index=False, float_format="%.10g")
    written["run.json"] = folder / "run.json"
    dump_json(manifest, written["run.json"])
    return written
