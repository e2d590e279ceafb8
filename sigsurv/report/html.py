"""Write the outputs of ``sigsurv reproduce``: results.json, figures and a self-contained report.

The report is rendered with jinja2 from the :class:`~sigsurv.claims.reproduce.Reproduction`
(figures embedded as base64 PNG), so it opens offline and can be sent as one file.
Every number in it comes from the survival engine through that object.
"""

from __future__ import annotations

import base64
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from jinja2 import Environment, select_autoescape

from sigsurv._atomic import safe_file_stem
from sigsurv._json import dumps, write_json
from sigsurv.claims.reproduce import Reproduction
from sigsurv.claims.verdicts import format_p
from sigsurv.plots import plot_forest
from sigsurv.report.outputs import km_figure

__all__ = ["claim_forest_rows", "render_report", "write_reproduction"]


def _slug(text: str) -> str:
    return safe_file_stem(text, max_length=60)  # bounded: km_ names join three of them


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _hr(estimate: dict[str, Any] | None) -> str:
    if not estimate or estimate.get("hr") is None:
        return "not estimable"
    return f"{estimate['hr']:.2f} ({estimate['ci_lower']:.2f}–{estimate['ci_upper']:.2f})"


def _hr_pooled(estimate: dict[str, Any]) -> str:
    return f"{estimate['hr']:.2f} ({estimate['lower']:.2f}–{estimate['upper']:.2f})"


def _pvalue(p: float | None) -> str:
    return format_p(p)


def _paper(paper: dict[str, Any]) -> str:
    if paper.get("statistic") == "hazard_ratio" and paper.get("value") is not None:
        text = f"HR {paper['value']:g}"
        if paper.get("ci_lower") is not None:
            text += f" ({paper['ci_lower']:g}–{paper['ci_upper']:g})"
        if paper.get("p_value_text"):
            text += f", {paper['p_value_text']}"
        return text
    if paper.get("statistic") == "counts_2x2":
        return "2 × 2 counts (see below)"
    direction = str(paper.get("expected_direction"))
    return {
        "protective": "direction only: higher score protective",
        "harmful": "direction only: higher score harmful",
        "none": "no difference claimed",
    }.get(direction, "qualitative")


def _verdict_class(verdict: str) -> str:
    return {
        "consistent": "v-reproduced",
        "equivalent": "v-reproduced",
        "inconclusive": "v-same",
        "not informative": "v-same",
        "contradicted": "v-opposite",
        "not equivalent": "v-opposite",
    }.get(verdict, "v-untestable")


def claim_forest_rows(record: Any) -> pd.DataFrame:
    """Rows of a claim's forest plot: one per test (untestable ones with their reason) + pooled.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.claims.reproduce import reproduce_claims
    >>> from sigsurv.seeds import get_claim
    >>> result = reproduce_claims([load_example("gse1992")],
    ...                           [get_claim("gawrzak2018_msk1_mfs_er_pos")], null_random=0)
    >>> claim_forest_rows(result.claims[0])["label"].tolist()[0]
    'gse1992 · msk1_rps6ka5 (rfs)'
    """
    rows = []
    for test in record.tests:
        label = f"{test.cohort} · {test.signature_id}"
        if test.endpoint_match == "analogue":
            label += f" ({test.endpoint})"
        per_sd = test.hr_per_sd()
        if per_sd and per_sd["hr"] is not None:
            rows.append(
                {
                    "label": label,
                    "hr": per_sd["hr"],
                    "ci_lower": per_sd["lower"],
                    "ci_upper": per_sd["upper"],
                    "p": per_sd["p"],
                    "weight": 1.0 / per_sd["se"] ** 2,
                    "pooled": False,
                    "note": "",
                }
            )
        else:
            short = test.reason.split(":")[0] if test.reason else "not testable"
            rows.append(
                {
                    "label": label,
                    "hr": np.nan,
                    "ci_lower": np.nan,
                    "ci_upper": np.nan,
                    "p": np.nan,
                    "weight": np.nan,
                    "pooled": False,
                    "note": f"not testable: {short}"[:60],
                }
            )
    for pool_label, meta in record.pooled.items():
        rows.append(
            {
                "label": f"pooled · {pool_label} ({meta.method})",
                "hr": meta.pooled.hr,
                "ci_lower": meta.pooled.lower,
                "ci_upper": meta.pooled.upper,
                "p": meta.pooled.p,
                "weight": np.nan,
                "pooled": True,
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def render_report(context: dict[str, Any]) -> str:
    """Render the HTML report from its context (see :func:`write_reproduction`).

    Examples
    --------
    >>> html = render_report({"version": "0", "created": "", "cohorts": [], "alpha": 0.05,
    ...                       "rows": [], "claims": [], "nulls": [], "null_n": 0, "seed": 1,
    ...                       "signatures": [], "manifest": "{}"})
    >>> html.startswith("<!DOCTYPE html>")
    True
    """
    environment = Environment(
        autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    environment.filters.update(
        hr=_hr, hr_pooled=_hr_pooled, pvalue=_pvalue, paper=_paper, verdict_class=_verdict_class
    )
    template_text = (resources.files("sigsurv.report") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    return environment.from_string(template_text).render(**context)


def write_reproduction(
    reproduction: Reproduction, out_dir: str | Path, manifest: dict[str, Any]
) -> dict[str, Path]:
    """Write results.json, run.json, figures/*.png and report.html.

    Examples
    --------
    >>> import tempfile
    >>> from sigsurv import load_example
    >>> from sigsurv.claims.reproduce import reproduce_claims
    >>> from sigsurv.seeds import get_claim
    >>> result = reproduce_claims([load_example("gse1992")],
    ...                           [get_claim("gawrzak2018_msk1_mfs_er_pos")], null_random=0)
    >>> files = write_reproduction(result, tempfile.mkdtemp(), {"command": "doctest"})
    >>> sorted(name for name in files if "/" not in name)
    ['report.html', 'results.json', 'run.json']
    """
    from sigsurv._version import __version__
    from sigsurv.signatures import get_signature

    folder = Path(out_dir)
    figures = folder / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    payload = reproduction.to_dict()
    written["results.json"] = folder / "results.json"
    write_json(payload, written["results.json"])
    written["run.json"] = folder / "run.json"
    write_json(manifest, written["run.json"])

    claims_context = []
    signature_ids: list[str] = []
    for record, record_dict in zip(reproduction.claims, payload["claims"], strict=True):
        claim = record.claim
        forest_rows = claim_forest_rows(record)
        forest_src = None
        if not forest_rows.empty:
            figure = plot_forest(
                forest_rows,
                title=f"{claim.id}: HR per SD of the score",
                reference=None,
                reference_label="",
            )
            path = figures / f"forest_{_slug(claim.id)}.png"
            figure.savefig(path)
            plt.close(figure)
            written[f"figures/{path.name}"] = path
            forest_src = _png_data_uri(path)
        km_figures = []
        caveats: list[str] = []
        for test in record.tests:
            if test.signature_id not in signature_ids:
                signature_ids.append(test.signature_id)
            definition = get_signature(test.signature_id)
            for caveat in definition.caveats:
                text = f"{definition.id}: {caveat}"
                if text not in caveats:
                    caveats.append(text)
            if test.analysis is None:
                continue
            figure = km_figure(test.analysis)
            name = f"km_{_slug(claim.id)}__{_slug(test.cohort)}__{_slug(test.signature_id)}.png"
            path = figures / name
            figure.savefig(path)
            plt.close(figure)
            written[f"figures/{name}"] = path
            km_figures.append(
                {
                    "src": _png_data_uri(path),
                    "caption": f"{test.cohort} · {test.signature_id} · {test.endpoint}"
                    f"{' (analogue)' if test.endpoint_match == 'analogue' else ''} · "
                    f"{f'stratified by {test.strata} · ' if test.strata else ''}"
                    f"{test.verdict}",
                }
            )
        claims_context.append(
            {
                "id": claim.id,
                "statement": claim.statement,
                "citation": claim.citation.short()
                if hasattr(claim.citation, "short")
                else str(claim.citation),
                "seed_document": claim.seed_document,
                "endpoint": claim.endpoint,
                "population": claim.population,
                "comparison": None if claim.comparison is None else claim.comparison.description,
                "paper": record.paper(),
                "caveats": caveats + list(claim.notes),
                "table": record_dict["published_table_recomputed"],
                "pooled": record_dict["pools"],
                "summary": record_dict["summary"],
                "forest": forest_src,
                "km": km_figures,
            }
        )
    signatures_context = []
    for signature_id in signature_ids:
        definition = get_signature(signature_id)
        source = definition.source
        signatures_context.append(
            {
                "id": definition.id,
                "is_proxy": definition.is_proxy,
                "genes": ", ".join(
                    f"{g.symbol}{'+' if g.direction == 1 else '−'}" for g in definition.genes
                ),
                "source": f"{source.authors} {source.journal} {source.year or ''} "
                f"doi:{source.doi}".strip(),
                "caveats": list(definition.caveats),
            }
        )
    context = {
        "version": __version__,
        "created": manifest.get("created", ""),
        "cohorts": payload["cohorts"],
        "alpha": payload["alpha"],
        "rows": payload["rows"],
        "claims": claims_context,
        "nulls": payload["random_signature_null"],
        "null_n": next(
            (n["n_random"] for n in payload["random_signature_null"] if "n_random" in n), 0
        ),
        "seed": manifest.get("seed"),
        "signatures": signatures_context,
        "manifest": dumps(manifest),
    }
    written["report.html"] = folder / "report.html"
    written["report.html"].write_text(render_report(context), encoding="utf-8")
    return written
