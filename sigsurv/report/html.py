"""Write the outputs of ``sigsurv reproduce``: results.json, figures and a self-contained report.

The report opens with one card per claim (its one-line summary and verdict counts),
then the claims x cohorts coverage matrix (tested, or why not, in words), then the
details per claim (pooled estimates, forest, Kaplan–Meier figures), the random-
signature null, the signatures and the manifest. It is rendered with jinja2 from the
``results.json`` payload plus the figures (embedded as base64 PNG), so it opens offline
and can be sent as one file. Every number in it comes from the engine through the
:class:`~sigsurv.claims.reproduce.Reproduction`.
"""

from __future__ import annotations

import base64
import gc
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from sigsurv._atomic import safe_file_stem
from sigsurv._json import dumps, write_json
from sigsurv.claims.records import ClaimTest
from sigsurv.claims.reproduction import ClaimReproduction, Reproduction
from sigsurv.plots._text import p_text
from sigsurv.plots.diagnostics import plot_random_null
from sigsurv.plots.forest import plot_forest
from sigsurv.plots.save import save_figure
from sigsurv.report._report_context import (
    ORIENTATION_NOTE,
    analysis_key,
    claim_card,
    claim_forest_rows,
    coverage_matrix,
    evidence_lines,
    headline,
    hr_text,
    manifest_rows,
    method_words,
    reason_in_words,
    shared_with,
    verdict_class,
    verdict_legend,
)
from sigsurv.report.outputs import km_figure
from sigsurv.signatures.schema import Signature

__all__ = ["claim_forest_rows", "render_report", "write_reproduction"]


def _slug(text: str) -> str:
    return safe_file_stem(text, max_length=60)  # bounded: km_ names join three of them


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _breakable(text: Any) -> Markup:
    """Escaped text that may wrap after ``_``, ``.`` and ``·`` only (ids stay whole words)."""
    escaped = str(escape(str(text)))
    return Markup(re.sub(r"([_.·/])", r"\1<wbr>", escaped))


def _pvalue(p: float | None) -> str:
    return p_text(p)


def _paper(paper: dict[str, Any]) -> str:
    if paper.get("statistic") == "hazard_ratio" and paper.get("value") is not None:
        text = f"HR {paper['value']:g}"
        if paper.get("ci_lower") is not None:
            text += f" ({paper['ci_lower']:g}–{paper['ci_upper']:g})"
        if paper.get("p_value_text"):
            text += f", {paper['p_value_text']}"
        return text
    if paper.get("statistic") == "counts_2x2":
        return "2 × 2 counts (recomputed below)"
    direction = str(paper.get("expected_direction"))
    return {
        "protective": "direction only: higher score protective",
        "harmful": "direction only: higher score harmful",
        "none": "no difference claimed",
    }.get(direction, "qualitative")


def _counts_2x2(table: Any) -> str:
    """A 2 × 2 table of counts in words, never as a Python literal.

    Examples
    --------
    >>> _counts_2x2([[6, 1], [8, 22]])
    'row 1: 6 and 1; row 2: 8 and 22'
    """
    if not isinstance(table, (list, tuple)):
        return str(table)
    rows = []
    for index, row in enumerate(table, start=1):
        cells = row if isinstance(row, (list, tuple)) else [row]
        rows.append(f"row {index}: " + " and ".join(str(c) for c in cells))
    return "; ".join(rows)


def render_report(context: dict[str, Any]) -> str:
    """Render the HTML report from its context (see :func:`write_reproduction`).

    Examples
    --------
    >>> html = render_report({"version": "0", "created": "", "cohorts": [], "alpha": 0.05,
    ...                       "cards": [], "matrix": [], "claims": [], "nulls": [],
    ...                       "null_n": 0, "seed": 1, "signatures": [], "manifest": [],
    ...                       "manifest_json": "{}", "verdict_rule": ""})
    >>> html.startswith("<!DOCTYPE html>")
    True
    """
    environment = Environment(
        autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    environment.filters.update(
        hr=hr_text,
        pvalue=_pvalue,
        paper=_paper,
        method=method_words,
        verdict_class=verdict_class,
        breakable=_breakable,
        words=reason_in_words,
        counts_2x2=_counts_2x2,
    )
    template_text = (resources.files("sigsurv.report") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    return environment.from_string(template_text).render(**context)


def _km_alt(test: ClaimTest) -> str:
    result = test.analysis
    assert result is not None  # a KM figure is drawn only for an analysis
    grouped = result.hazard_ratio_grouped
    hr = "" if grouped["hr"] is None else f"; HR high vs low {grouped['hr']:.2f}"
    return (
        f"Kaplan–Meier curves of {result.survival.label} by {test.signature_id} score group "
        f"in {test.cohort} (n = {result.survival.n}, {result.survival.events} events{hr})"
    )


class _FigureWriter:
    """Writes each figure once (PNG 300 dpi, PDF, SVG) and returns its embeddable PNG."""

    def __init__(
        self, folder: Path, written: dict[str, Path], formats: Sequence[str] = ("png",)
    ) -> None:
        self.folder = folder
        self.written = written
        self.cache: dict[Any, str] = {}
        # The report embeds the PNG: it is always written, the other formats on demand.
        self.formats = ("png", *(f for f in formats if f != "png"))

    def save(self, figure: Any, stem: str) -> str:
        files = save_figure(figure, self.folder, stem, self.formats)
        plt.close(figure)
        # A closed figure lives on in reference cycles, with its 300-dpi canvas (about
        # 15 MB), until the collector runs: clear it and collect the young generations.
        figure.clf()
        gc.collect(1)
        for name, path in files.items():
            self.written[f"figures/{name}"] = path
        return _png_data_uri(files[f"{stem}.png"])


def _claim_figures(
    record: ClaimReproduction,
    claim: dict[str, Any],
    payload: dict[str, Any],
    figures: _FigureWriter,
) -> dict[str, Any]:
    forest_rows = claim_forest_rows(claim)
    forest = None
    if not forest_rows.empty:
        paper = claim.get("paper") or {}
        per_sd = any(isinstance(t.get("hr_per_sd"), dict) for t in claim.get("tests", []))
        scale = "per SD" if per_sd else "high vs low"
        # The paper's HR compares groups: it is drawn only on a forest of group HRs.
        reference = paper.get("value") if paper.get("statistic") == "hazard_ratio" else None
        reference = None if per_sd else reference
        figure = plot_forest(
            forest_rows,
            title=f"Hazard ratio {scale} of the signature score, by cohort and endpoint",
            xlabel=f"Hazard ratio {scale} (95% CI, log scale)",
            reference=reference,
            reference_label=f"paper: HR {reference:g}" if reference else "",
            favours=("higher score: lower risk", "higher score: higher risk"),
        )
        drawn = forest_rows[~forest_rows["pooled"].astype(bool)]
        forest = {
            "src": figures.save(figure, f"forest_{_slug(claim['claim_id'])}"),
            "alt": f"Forest plot of claim {claim['claim_id']}: hazard ratios of "
            f"{len(drawn)} tested cohort × signature pairs"
            + (", with the pooled estimate" if forest_rows["pooled"].any() else ""),
        }
    km = []
    for test, test_dict in zip(record.tests, claim.get("tests", []), strict=True):
        if test.analysis is None:
            continue
        key = analysis_key(test_dict)
        if key not in figures.cache:
            stem = f"km_{_slug(test.cohort)}__{_slug(test.signature_id)}__{len(figures.cache)}"
            figures.cache[key] = figures.save(km_figure(test.analysis), stem)
        shared = shared_with(payload, claim["claim_id"], test_dict)
        km.append(
            {
                "src": figures.cache[key],
                "alt": _km_alt(test),
                "caption": f"{test.cohort} · {test.signature_id} · {test.endpoint}"
                f"{' (analogue)' if test.endpoint_match == 'analogue' else ''}",
                "verdict": test_dict.get("verdict", ""),
                "shared_with": shared,
            }
        )
    return {"forest": forest, "km": km}


def _claim_details(
    record: ClaimReproduction,
    claim: dict[str, Any],
    payload: dict[str, Any],
    figures: _FigureWriter,
) -> dict[str, Any]:
    definition = record.claim
    caveats: list[str] = []
    for test in record.tests:
        for caveat in test.signature.caveats:
            text = f"{test.signature_id}: {caveat}"
            if text not in caveats:
                caveats.append(text)
    tested = [
        t
        for t in claim.get("tests", [])
        if t.get("verdict") not in ("not testable here", "not testable")
    ]
    return {
        "id": definition.id,
        "statement": definition.statement,
        "summary": claim_card(claim)["summary"],
        "citation": definition.citation.short()
        if hasattr(definition.citation, "short")
        else str(definition.citation),
        "seed_document": definition.seed_document,
        "source": getattr(definition, "source", ""),  # a user's claim: its DOI, PMID or URL
        "endpoint": definition.endpoint,
        "population": definition.population,
        "comparison": None if definition.comparison is None else definition.comparison.description,
        "paper": claim.get("paper") or record.paper(),
        "caveats": caveats + list(definition.notes),
        "table": claim.get("published_table_recomputed"),
        "tests": [t | {"evidence": evidence_lines(t)} for t in tested],
        "pools": [p for p in claim.get("pools") or [] if p.get("studies") or p.get("not_computed")],
        **_claim_figures(record, claim, payload, figures),
    }


def _signatures(signatures: list[Signature]) -> list[dict[str, Any]]:
    rows = []
    for definition in signatures:
        source = definition.source
        rows.append(
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
    return rows


def _null_figures(reproduction: Reproduction, figures: _FigureWriter) -> dict[tuple[str, str], str]:
    """Histograms of the random-signature nulls that were computed (cohort, signature)."""
    nulls = getattr(reproduction, "nulls", None)
    out: dict[tuple[str, str], str] = {}
    if not isinstance(nulls, dict):
        return out
    for key, null in nulls.items():
        if not hasattr(null, "random_z") or len(null.random_z) == 0:
            continue
        cohort, signature_id = key[0], key[1]
        title = f"{cohort}: {signature_id} among {len(null.random_z)} random signatures"
        stem = f"null_{_slug(str(cohort))}__{_slug(str(signature_id))}_{len(out)}"
        out[(str(cohort), str(signature_id))] = figures.save(
            plot_random_null(null, title=title), stem
        )
    return out


def write_reproduction(
    reproduction: Reproduction,
    out_dir: str | Path,
    manifest: dict[str, Any],
    *,
    formats: Sequence[str] = ("png",),
) -> dict[str, Path]:
    """Write results.json, run.json, figures (PNG at 300 dpi, and ``formats``) and report.html.

    The report embeds the PNG figures whatever ``formats`` says; PDF and SVG copies are
    written only when asked for.

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

    folder = Path(out_dir)
    written: dict[str, Path] = {}
    figures = _FigureWriter(folder / "figures", written, formats)
    payload = reproduction.to_dict()
    folder.mkdir(parents=True, exist_ok=True)
    written["results.json"] = folder / "results.json"
    write_json(payload, written["results.json"])
    written["run.json"] = folder / "run.json"
    write_json(manifest, written["run.json"])

    details = [
        _claim_details(record, claim, payload, figures)
        for record, claim in zip(reproduction.claims, payload["claims"], strict=True)
    ]
    signatures = reproduction.signatures()
    null_images = _null_figures(reproduction, figures)
    nulls = [
        {
            **null,
            "figure": null_images.get((str(null.get("cohort")), str(null.get("signature_id")))),
        }
        for null in payload.get("random_signature_null", [])
    ]
    context = {
        "version": __version__,
        "created": manifest.get("created", ""),
        "cohorts": payload["cohorts"],
        "alpha": payload.get("alpha", 0.05),
        "cards": [claim_card(claim) for claim in payload["claims"]],
        "headline": headline(payload),
        "legend": verdict_legend(payload),
        "orientation": ORIENTATION_NOTE,
        "matrix": coverage_matrix(payload),
        "claims": details,
        "nulls": nulls,
        "null_n": next((n.get("n_random") for n in nulls if n.get("n_random")), 0),
        "seed": manifest.get("seed"),
        "signatures": _signatures(signatures),
        "manifest": manifest_rows(manifest),
        "manifest_json": dumps(manifest),
    }
    written["report.html"] = folder / "report.html"
    written["report.html"].write_text(render_report(context), encoding="utf-8")
    return written
