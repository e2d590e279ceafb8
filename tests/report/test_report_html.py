"""The HTML report of ``sigsurv reproduce`` (issue 13): order, words, figures, manifest."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from report_inputs import *  # noqa: F403 - the shared fixtures

from sigsurv.report._report_context import (
    claim_card,
    claim_forest_rows,
    coverage_matrix,
    manifest_rows,
)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.starts


def report_html(report_files) -> str:
    return report_files["report.html"].read_text(encoding="utf-8")


@pytest.mark.slow
def test_claim_cards_come_first(report_files):
    tags = parse(report_html(report_files))
    first_card = next(i for i, (t, a) in enumerate(tags) if "card" in (a.get("class") or ""))
    first_table = next(i for i, (t, _) in enumerate(tags) if t == "table")
    first_image = next(i for i, (t, _) in enumerate(tags) if t == "img")
    assert first_card < first_table < first_image
    results = json.loads(report_files["results.json"].read_text())
    cards = [a["id"] for t, a in tags if t == "article"]
    assert cards == [f"card-{c['claim_id']}" for c in results["claims"]]


@pytest.mark.slow
def test_reasons_are_words_not_class_names(report_files):
    html = report_html(report_files)
    visible = re.sub(r"<[^>]+>", " ", html.split('<pre class="raw">')[0])
    assert not re.search(r"\b[A-Z][a-z]+(Error|Warning|Exception)\b", visible)
    assert "genes found" in visible  # the coverage reason, in words
    assert "missing: RPS6KA5" in visible  # whole, not truncated


@pytest.mark.slow
def test_every_image_is_embedded_and_has_alt_text(report_files):
    tags = parse(report_html(report_files))
    images = [a for t, a in tags if t == "img"]
    assert images
    for attrs in images:
        assert (attrs.get("src") or "").startswith("data:image/png;base64,")
        assert len(attrs.get("alt") or "") > 20
    external = [a for t, a in tags for k in ("src", "href") if (a.get(k) or "").startswith("http")]
    assert external == []  # one self-contained file


@pytest.mark.slow
def test_claim_with_nothing_testable_has_no_forest(report_files, reproduction):
    result, _ = reproduction
    payload = result.to_dict()
    untestable = [
        c
        for c in payload["claims"]
        if all(t["verdict"].startswith("not testable") for t in c["tests"])
    ]
    assert untestable, "the bundled cohorts leave at least one claim untestable"
    names = {p.name for p in report_files.values()}
    for claim in untestable:
        assert claim_forest_rows(claim).empty
        assert not any(n.startswith(f"forest_{claim['claim_id']}") for n in names)


@pytest.mark.slow
def test_manifest_is_a_table_with_the_raw_json_collapsed(report_files):
    html = report_html(report_files)
    manifest = html.split('id="manifest"')[1]
    assert '<table class="manifest">' in manifest
    assert "<details><summary>Raw run.json</summary>" in manifest
    raw = manifest.split('<pre class="raw">')[1]
    assert manifest.index("<table") < manifest.index("<details>")
    assert "&#34;seed&#34;" in raw or '"seed"' in raw


@pytest.mark.slow
def test_print_css_and_figure_files(report_files):
    html = report_html(report_files)
    assert "@media print" in html and "break-inside: avoid" in html
    figures = {p.suffix for name, p in report_files.items() if name.startswith("figures/")}
    assert figures == {".png"}  # issue 25: PNG by default, PDF and SVG on demand


def test_figure_formats_on_demand_leave_the_report_unchanged(tmp_path):
    import warnings

    from sigsurv import load_example
    from sigsurv.claims.reproduce import reproduce_claims
    from sigsurv.report.html import write_reproduction
    from sigsurv.seeds import get_claim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = reproduce_claims(
            [load_example("gse1992")], [get_claim("gawrzak2018_msk1_mfs_er_pos")], null_random=0
        )
        png = write_reproduction(result, tmp_path / "png", {"command": "test"})
        every = write_reproduction(
            result, tmp_path / "all", {"command": "test"}, formats=("png", "pdf", "svg")
        )
    suffixes = {p.suffix for name, p in every.items() if name.startswith("figures/")}
    assert suffixes == {".png", ".pdf", ".svg"}
    assert {p.suffix for name, p in png.items() if name.startswith("figures/")} == {".png"}
    assert png["report.html"].read_text() == every["report.html"].read_text()


@pytest.mark.slow
def test_ids_wrap_only_at_separators(report_files):
    html = report_html(report_files)
    # Long ids get <wbr> after '_' (never a break inside a word), and are never truncated.
    assert "gawrzak2018_<wbr>msk1_<wbr>mfs_<wbr>er_<wbr>pos" in html
    assert "…" not in re.sub(r"<[^>]+>", "", html.split('id="coverage"')[1].split("</table>")[0])


# Issue 11's schema (verdicts branch): per-SD HRs, pools with prediction intervals, summary.
NEW_SCHEMA_CLAIM = {
    "claim_id": "c1",
    "statement": "s",
    "summary": "consistent in 2 of 3 cohorts; pooled HR per SD 0.80 (0.70–0.92)",
    "paper": {"endpoint": "mfs"},
    "tests": [
        {
            "cohort": "a",
            "signature_id": "sig",
            "signature_role": "primary",
            "verdict": "consistent",
            "endpoint": "rfs",
            "endpoint_match": "analogue",
            "hr_per_sd": {"hr": 0.8, "ci_lower": 0.65, "ci_upper": 0.98, "p_wald": 0.03, "se": 0.1},
            "shared_with": ["c2"],
        },
        {
            "cohort": "b",
            "signature_id": "sig",
            "signature_role": "primary",
            "verdict": "not informative",
            "endpoint": "rfs",
            "endpoint_match": "analogue",
            "hr_per_sd": {"hr": 0.9, "ci_lower": 0.6, "ci_upper": 1.35, "p_wald": 0.6, "se": 0.2},
        },
        {
            "cohort": "c",
            "signature_id": "sig",
            "signature_role": "primary",
            "verdict": "not testable",
            "reason": "no matching endpoint: needs mfs; has os",
        },
    ],
    "pools": [
        {
            "signature_id": "sig",
            "endpoint": "rfs",
            "endpoint_match": "analogue",
            "method": "REML",
            "test": "knha",
            "k": 2,
            "hr": 0.82,
            "lower": 0.6,
            "upper": 1.1,
            "p": 0.1,
            "prediction_lower": 0.4,
            "prediction_upper": 1.7,
            "tau2": 0.01,
            "i2": 12.0,
            "q": 1.1,
            "q_p": 0.29,
            "studies": [],
        },
    ],
}


def test_new_schema_forest_rows_cards_and_matrix():
    rows = claim_forest_rows(NEW_SCHEMA_CLAIM)
    assert rows["label"].tolist() == [
        "a · sig",
        "b · sig (low power)",
        "Pooled sig · rfs (REML random effects, Knapp–Hartung test)",
    ]
    pooled = rows[rows["pooled"]].iloc[0]
    assert (pooled["prediction_lower"], pooled["prediction_upper"]) == (0.4, 1.7)
    assert pooled["heterogeneity"] == "2 cohorts, I² = 12%, τ² = 0.010, Q p = 0.29"
    assert rows["group"].nunique() == 1
    card = claim_card(NEW_SCHEMA_CLAIM)
    assert card["summary"] == NEW_SCHEMA_CLAIM["summary"]
    assert [(c["verdict"], c["n"]) for c in card["counts"]] == [
        ("consistent", 1),
        ("not informative", 1),
        ("not testable", 1),
    ]
    matrix = coverage_matrix({"cohorts": ["a", "c"], "claims": [NEW_SCHEMA_CLAIM]})
    first, untested = matrix[0]["cells"]
    assert first[0]["hr"] == "0.80 (0.65–0.98)" and first[0]["scale"] == "per SD"
    assert first[0]["shared_with"] == ["c2"]
    assert untested[0]["reason"] == "no matching endpoint: needs mfs"


def test_manifest_rows_are_readable():
    rows = manifest_rows(
        {
            "command": "reproduce",
            "seed": 7,
            "versions": {"sigsurv": "0.1", "numpy": "2.0"},
            "inputs": [{"path": "x.tsv", "sha256": "00ff"}],
        }
    )
    assert rows[2] == {"key": "versions", "text": "sigsurv 0.1 · numpy 2.0"}
    assert rows[3]["rows"] == [["x.tsv", "00ff"]]


def test_todays_pooled_records_print_k_and_i2_in_percent():
    claim = {
        "claim_id": "c",
        "tests": [
            {
                "cohort": k,
                "signature_id": "s",
                "verdict": "opposite direction",
                "endpoint": e,
                "estimate": {
                    "hr_grouped": {
                        "hr": 1.5,
                        "ci_lower": 1.0,
                        "ci_upper": 2.2,
                        "p_wald": 0.05,
                        "se": 0.2,
                    }
                },
            }
            for k, e in (("a", "rfs"), ("b", "os"), ("c", "os"))
        ],
        "pooled": {
            "s": {
                "studies": ["log_hr", "se"],
                "q_df": 2,
                "q_p": 0.15,
                "i2": 47.8,
                "tau2": 0.101,
                "random_effects": {"hr": 1.89, "ci_lower": 1.12, "ci_upper": 3.19, "p": 0.016},
            }
        },
    }
    rows = claim_forest_rows(claim)
    pooled = rows[rows["pooled"]].iloc[0]
    assert pooled["heterogeneity"] == "3 cohorts, I² = 48%, τ² = 0.101, Q p = 0.15"
    assert rows["group"].tolist() == ["rfs", "os", "os", "all endpoints"]


def test_report_shows_the_evidence_results_json_holds(tmp_path):
    # Issue 22: adjusted HRs, Holm/BH p and median follow-up were only in results.json.
    import json
    import warnings

    from sigsurv import load_example
    from sigsurv.claims.reproduce import reproduce_claims
    from sigsurv.report._report_context import hr_text
    from sigsurv.report.html import write_reproduction
    from sigsurv.seeds import get_claim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = reproduce_claims(
            [load_example("gse1992")],
            [get_claim("rodriguez_barrueco2017_mir424_503_loss")],
            null_random=0,
        )
        files = write_reproduction(result, tmp_path, {"command": "test"})
    html = files["report.html"].read_text(encoding="utf-8")
    payload = json.loads(files["results.json"].read_text(encoding="utf-8"))
    tested = [t for c in payload["claims"] for t in c["tests"] if t.get("adjusted")]
    assert tested
    for test in tested:
        for model in test["adjusted"].values():
            assert hr_text(model) in html
            if model.get("warning"):
                assert model["warning"] in html
        assert f"median follow-up {test['median_follow_up']:.3g}" in html
        assert "Holm p" in html and "Benjamini–Hochberg q" in html
    assert "No claim could be confirmed" in html or "claims confirmed" in html
    assert "HR &lt; 1: a higher score goes with a lower risk" in html
    assert "[[" not in html  # no Python literal
