"""What the HTML report shows, built from ``results.json`` of ``sigsurv reproduce``.

Pure functions on the JSON-ready payload (no figure, no file): claim cards with verdict
counts, the claims x cohorts coverage matrix with reasons in words, forest rows, and the
manifest as readable rows. They accept both result schemas: today's (grouped-HR
verdicts, ``pooled`` per signature) and issue 11's (per-SD verdicts, ``pools`` per
endpoint with prediction intervals, a one-line ``summary`` per claim); a field that is
absent is simply not shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sigsurv.plots._text import p_text
from sigsurv.report._evidence_lines import evidence_lines
from sigsurv.report._words import (
    _NOT_TESTABLE,
    VERDICT_CLASSES,
    _number,
    _p_of,
    estimate_of,
    hr_text,
    reason_in_words,
    short_reason,
    verdict_class,
)

__all__ = [
    "ORIENTATION_NOTE",
    "VERDICT_CLASSES",
    "analysis_key",
    "claim_card",
    "claim_forest_rows",
    "coverage_matrix",
    "evidence_lines",
    "headline",
    "hr_text",
    "manifest_rows",
    "method_words",
    "reason_in_words",
    "shared_with",
    "short_reason",
    "verdict_class",
    "verdict_legend",
]


def verdict_counts(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{verdict, n, class}]`` in order of first appearance, untestable last.

    Examples
    --------
    >>> [c["n"] for c in verdict_counts([{"verdict": "not testable"},
    ...                                   {"verdict": "consistent"},
    ...                                   {"verdict": "consistent"}])]
    [2, 1]
    """
    counts: dict[str, int] = {}
    for test in tests:
        counts[str(test.get("verdict"))] = counts.get(str(test.get("verdict")), 0) + 1
    order = sorted(counts, key=lambda v: v in _NOT_TESTABLE)
    return [{"verdict": v, "n": counts[v], "class": verdict_class(v)} for v in order]


def _fallback_summary(claim: dict[str, Any]) -> str:
    tests = claim.get("tests", [])
    testable = [t for t in tests if t.get("verdict") not in _NOT_TESTABLE]
    if not tests:
        return "no cohort could be matched to this claim"
    if not testable:
        return f"not testable on any of the {len(tests)} cohort × signature pairs"
    parts = [f"{c['n']} {c['verdict']}" for c in verdict_counts(testable)]
    return f"{len(testable)} of {len(tests)} tests testable: " + ", ".join(parts)


def claim_card(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim's card: id, statement, one-line summary, verdict counts.

    Examples
    --------
    >>> card = claim_card({"claim_id": "c", "statement": "s", "tests": [
    ...     {"verdict": "not testable", "cohort": "k"}]})
    >>> card["summary"], card["counts"][0]["n"]
    ('not testable on any of the 1 cohort × signature pairs', 1)
    """
    summary = claim.get("summary")
    if isinstance(summary, dict):
        summary = summary.get("text") or summary.get("line")
    table = claim.get("published_table_recomputed")
    return {
        "id": claim["claim_id"],
        "statement": claim.get("statement", ""),
        "summary": summary if isinstance(summary, str) and summary else _fallback_summary(claim),
        "counts": verdict_counts(claim.get("tests", [])),
        "table_verdict": None if not table else table.get("verdict"),
    }


def analysis_key(test: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two claims' tests the same analysis: cohort, signature, endpoint,
    subgroup, horizon and strata (issue 11's results also give a ``test_id``).

    Examples
    --------
    >>> analysis_key({"cohort": "k", "signature_id": "s", "endpoint": "rfs"})
    ('k', 's', 'rfs', None, None, None)
    """
    if test.get("test_id"):
        return (test["test_id"],)
    return tuple(
        test.get(k) for k in ("cohort", "signature_id", "endpoint", "subgroup", "horizon", "strata")
    )


def shared_with(payload: dict[str, Any], claim_id: str, test: dict[str, Any]) -> list[str]:
    """The other claims whose test is the same analysis as ``test`` (tested ones only).

    Examples
    --------
    >>> t = {"cohort": "k", "signature_id": "s", "endpoint": "rfs", "verdict": "consistent"}
    >>> shared_with({"claims": [{"claim_id": "a", "tests": [t]},
    ...                         {"claim_id": "b", "tests": [dict(t)]}]}, "a", t)
    ['b']
    """
    if test.get("shared_with"):
        return [c for c in test["shared_with"] if c != claim_id]
    if test.get("verdict") in _NOT_TESTABLE:
        return []
    key = analysis_key(test)
    return [
        claim["claim_id"]
        for claim in payload.get("claims", [])
        if claim["claim_id"] != claim_id
        and any(
            analysis_key(other) == key and other.get("verdict") not in _NOT_TESTABLE
            for other in claim.get("tests", [])
        )
    ]


def coverage_matrix(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Claims (rows) x cohorts (columns): each test's verdict and HR, or why not, in words.

    Examples
    --------
    >>> payload = {"cohorts": ["k"], "claims": [{"claim_id": "c", "tests": [
    ...     {"cohort": "k", "signature_id": "s", "verdict": "not testable here",
    ...      "reason": "CoverageError: signature s: 0 of 3 genes found; missing: A"}]}]}
    >>> coverage_matrix(payload)[0]["cells"][0][0]["reason"]
    'signature s: 0 of 3 genes found'
    """
    rows = []
    for claim in payload.get("claims", []):
        cells = []
        for cohort in payload.get("cohorts", []):
            entries = []
            for test in claim.get("tests", []):
                if test.get("cohort") != cohort:
                    continue
                estimate, scale = estimate_of(test)
                testable = test.get("verdict") not in _NOT_TESTABLE
                p_value = None if estimate is None else _p_of(estimate)
                entries.append(
                    {
                        "signature": test.get("signature_id", ""),
                        "role": test.get("signature_role", ""),
                        "proxy": test.get("proxy") or "",
                        "verdict": test.get("verdict", ""),
                        "class": verdict_class(test.get("verdict")),
                        "hr": hr_text(estimate) if testable else "",
                        "scale": scale,
                        "p": "" if p_value is None else p_text(p_value),
                        "reason": "" if testable else short_reason(test.get("reason")),
                        "full_reason": reason_in_words(test.get("reason")),
                        "shared_with": shared_with(payload, claim["claim_id"], test),
                    }
                )
            cells.append(entries)
        rows.append({"id": claim["claim_id"], "cells": cells})
    return rows


def _pool_rows(claim: dict[str, Any]) -> list[dict[str, Any]]:
    """Pooled rows: issue 11's ``pools`` (per endpoint) or today's ``pooled`` (per signature)."""
    rows = []
    for pool in claim.get("pools") or []:
        if _number(pool.get("hr")) is None:
            continue
        i2 = _number(pool.get("i2"))
        tau2 = _number(pool.get("tau2"))
        q_p = _number(pool.get("q_p"))
        k = pool.get("k") or len(pool.get("studies") or [])
        parts = [f"{k} cohorts"]
        if i2 is not None:
            parts.append(f"I² = {i2:.0f}%")
        if tau2 is not None:
            parts.append(f"τ² = {tau2:.3f}")
        if q_p is not None:
            parts.append(f"Q p = {p_text(q_p)}")
        method = method_words(pool.get("method"), pool.get("test"))
        rows.append(
            {
                "endpoint": pool.get("endpoint"),
                "endpoint_match": pool.get("endpoint_match"),
                "label": f"Pooled {pool.get('signature_id', '')}"
                + (f" · {pool['endpoint']}" if pool.get("endpoint") else "")
                + f" ({method or 'random effects'})",
                "hr": pool["hr"],
                "ci_lower": pool.get("lower"),
                "ci_upper": pool.get("upper"),
                "p": pool.get("p"),
                "prediction_lower": pool.get("prediction_lower"),
                "prediction_upper": pool.get("prediction_upper"),
                "heterogeneity": ", ".join(parts),
                "n_events": _pool_counts(pool),
            }
        )
    for signature_id, pooled in (claim.get("pooled") or {}).items():
        if claim.get("pools") or not isinstance(pooled, dict):
            break
        random = pooled.get("random_effects") or {}
        if _number(random.get("hr")) is None:
            continue
        i2, tau2, q_p = (_number(pooled.get(k)) for k in ("i2", "tau2", "q_p"))
        # k from Q's degrees of freedom: ``studies`` is not a list of cohorts in every
        # version of results.json.
        q_df = _number(pooled.get("q_df"))
        parts = [] if q_df is None else [f"{int(q_df) + 1} cohorts"]
        if i2 is not None:
            parts.append(f"I² = {i2:.0f}%")  # sigsurv.survival.meta gives I² in percent
        if tau2 is not None:
            parts.append(f"τ² = {tau2:.3f}")
        if q_p is not None:
            parts.append(f"Q p = {p_text(q_p)}")
        rows.append(
            {
                "endpoint": None,
                "endpoint_match": None,
                "label": f"Pooled {signature_id} (random effects)",
                "hr": random["hr"],
                "ci_lower": random.get("ci_lower"),
                "ci_upper": random.get("ci_upper"),
                "p": random.get("p"),
                "prediction_lower": None,
                "prediction_upper": None,
                "heterogeneity": ", ".join(parts),
            }
        )
    return rows


def _group_name(endpoint: Any, match: Any, claim_endpoint: str) -> str:
    if not endpoint:
        return "all endpoints"
    if match == "analogue":
        return f"{endpoint} (analogue of the paper's endpoint)"
    return str(endpoint)


def _judged_adjusted(test: dict[str, Any]) -> tuple[float, float, float, Any, str] | None:
    """``(hr, lower, upper, p, 'adjusted for X')`` when the verdict rests on an adjusted HR.

    ``verdict_estimate`` names where the verdict's HR is: ``confounding.adjusted`` here.
    """
    if test.get("verdict_estimate") != "confounding.adjusted":
        return None
    adjusted = (test.get("confounding") or {}).get("adjusted") or {}
    values = [_number(adjusted.get(k)) for k in ("hr", "ci_lower", "ci_upper")]
    if any(v is None or v <= 0 for v in values):
        return None
    hr, lower, upper = (float(v) for v in values)  # type: ignore[arg-type]
    basis = str(test.get("verdict_basis") or "")
    return hr, lower, upper, adjusted.get("p_wald"), basis.removeprefix("per-SD HR ")


def claim_forest_rows(claim: dict[str, Any]) -> pd.DataFrame:
    """Rows of a claim's forest: each test with an estimate, then the pooled rows.

    Untestable tests have no row (the coverage matrix gives their reason). Rows are
    grouped by endpoint; issue 11's pools (per endpoint) close their group.

    Examples
    --------
    >>> claim = {"claim_id": "c", "tests": [
    ...     {"cohort": "k1", "signature_id": "s", "verdict": "consistent", "endpoint": "rfs",
    ...      "hr_per_sd": {"hr": 0.7, "ci_lower": 0.5, "ci_upper": 0.9, "p_wald": 0.01}},
    ...     {"cohort": "k2", "signature_id": "s", "verdict": "not testable",
    ...      "endpoint": "rfs"}]}
    >>> claim_forest_rows(claim)["label"].tolist()
    ['k1 · s']
    """
    claim_endpoint = str((claim.get("paper") or {}).get("endpoint") or "")
    rows = []
    for test in claim.get("tests", []):
        estimate, _ = estimate_of(test)
        if estimate is None or test.get("verdict") in _NOT_TESTABLE:
            continue
        label = f"{test.get('cohort')} · {test.get('signature_id')}"
        if test.get("signature_role") == "proxy":
            label += " (proxy)"
        if test.get("verdict") == "not informative":
            label += " (low power)"
        se = _number(estimate.get("se"))
        hr, lower, upper = estimate["hr"], estimate.get("ci_lower"), estimate.get("ci_upper")
        p_value = _p_of(estimate)
        judged = _judged_adjusted(test)
        if judged is not None:  # the forest shows the HR the verdict rests on
            hr, lower, upper, p_value, adjusted_for = judged
            label += f" ({adjusted_for})"
            se = (np.log(upper) - np.log(lower)) / (2 * 1.959963984540054)
        n, events = test.get("n"), test.get("events")
        rows.append(
            {
                "group": _group_name(
                    test.get("endpoint"), test.get("endpoint_match"), claim_endpoint
                ),
                "label": label,
                "hr": hr,
                "ci_lower": lower,
                "ci_upper": upper,
                "p": p_value,
                "weight": np.nan if not se else 1.0 / se**2,
                "pooled": False,
                "n_events": "" if n is None else f"{n} / {events}",
            }
        )
    groups = list(dict.fromkeys(row["group"] for row in rows))
    for pool in _pool_rows(claim):
        group = _group_name(pool.pop("endpoint"), pool.pop("endpoint_match"), claim_endpoint)
        if pool["prediction_lower"] is None and len(groups) == 1:
            group = groups[0]  # today's pools have no endpoint: one endpoint, one group
        rows.append({**pool, "group": group, "weight": np.nan, "pooled": True})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    order = {group: index for index, group in enumerate(dict.fromkeys(frame["group"]))}
    frame["_order"] = frame["group"].map(order)
    return frame.sort_values(["_order", "pooled"], kind="stable").drop(columns="_order")


_METHOD_WORDS = {
    "reml": "REML random effects",
    "dl": "DerSimonian–Laird random effects",
    "fe": "fixed effect",
    "fixed": "fixed effect",
    "random": "random effects",
    "knha": "Knapp–Hartung test",
    "z": "normal (z) test",
    "hksj": "Hartung–Knapp–Sidik–Jonkman test",
}


def method_words(method: Any, test: Any = None) -> str:
    """A pooling method and its test in words (``REML``, ``knha`` -> readable names).

    Examples
    --------
    >>> method_words("REML", "knha")
    'REML random effects, Knapp–Hartung test'
    >>> method_words("DL"), method_words(None)
    ('DerSimonian–Laird random effects', 'random effects')
    """
    parts = [
        _METHOD_WORDS.get(str(value).strip().lower(), str(value))
        for value in (method, test)
        if value
    ]
    return ", ".join(parts) or "random effects"


def _pool_counts(pool: dict[str, Any]) -> str:
    """``n / events`` summed over a pool's cohorts, when the studies carry them."""
    studies = [s for s in pool.get("studies") or [] if isinstance(s, dict)]
    n = [_number(s.get("n")) for s in studies]
    events = [_number(s.get("events")) for s in studies]
    if not studies or any(v is None for v in [*n, *events]):
        return ""
    return f"{sum(int(v or 0) for v in n)} / {sum(int(v or 0) for v in events)}"


def _scalar(value: Any) -> str:
    """A value in words: never a Python literal (lists joined, yes/no, nested as k v).

    Examples
    --------
    >>> _scalar(["gse1992", "nki70"]), _scalar(True), _scalar({"a": 1}), _scalar(None)
    ('gse1992, nki70', 'yes', 'a 1', '—')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_scalar(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k} {_scalar(v)}" for k, v in value.items()) or "—"
    return str(value)


def manifest_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest as rows: ``{key, text}`` for values, ``{key, columns, rows}`` for lists.

    Examples
    --------
    >>> rows = manifest_rows({"command": "reproduce", "versions": {"numpy": "2.0"},
    ...                       "inputs": [{"path": "a.tsv", "sha256": "ab"}]})
    >>> rows[0]["text"], rows[1]["text"], rows[2]["columns"]
    ('reproduce', 'numpy 2.0', ['path', 'sha256'])
    """
    rows: list[dict[str, Any]] = []
    for key, value in manifest.items():
        name = str(key).replace("_", " ")
        if isinstance(value, dict):
            text = " · ".join(f"{k} {_scalar(v)}" for k, v in value.items())
            rows.append({"key": name, "text": text or "—"})
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))
            table = [[_scalar(v.get(c)) for c in columns] for v in value]
            rows.append({"key": name, "columns": columns, "rows": table})
        elif isinstance(value, list):
            rows.append({"key": name, "text": ", ".join(map(_scalar, value)) or "none"})
        else:
            rows.append({"key": name, "text": _scalar(value)})
    return rows


def verdict_legend(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's legend: each verdict word of the run with its definition.

    Read from the run's own ``results.json`` (``verdicts`` in order, ``definitions``), so
    the report, the terminal and the JSON share one legend, written once by the claims
    pipeline (:data:`sigsurv.claims.verdicts.DEFINITIONS`).

    Examples
    --------
    >>> verdict_legend({"verdicts": ["consistent", "odd"],
    ...                 "definitions": {"consistent": "CI excludes 1", "alpha": "0.05"}})
    [('consistent', 'CI excludes 1')]
    """
    definitions = payload.get("definitions", {})
    return [(v, str(definitions[v])) for v in payload.get("verdicts", []) if v in definitions]


ORIENTATION_NOTE = (
    "Hazard ratios are per 1 SD of the signature score (or of the high vs the low score "
    "group). HR < 1: a higher score goes with a lower risk of the event (longer survival); "
    "HR > 1: with a higher risk. A high score means the signature's up genes are high and "
    "its down genes low, whatever its name says; a verdict is read after turning the HR "
    "so that the claimed direction is HR < 1."
)

_GOOD = ("reproduced", "consistent", "equivalent", "equivalent and different")


def headline(payload: dict[str, Any]) -> str:
    """One sentence on what the whole run found, from the verdicts of its tests.

    Examples
    --------
    >>> headline({"claims": [{"claim_id": "a", "tests": [{"verdict": "not testable"},
    ...                                                   {"verdict": "contradicted"}]}]})
    'No claim could be confirmed: of 2 tests, 1 not testable, 1 contradicted.'
    >>> headline({"claims": [{"claim_id": "a", "tests": [{"verdict": "consistent"}]},
    ...                      {"claim_id": "b", "tests": []}]})
    '1 of 2 claims confirmed on at least one cohort: of 1 test, 1 consistent.'
    """
    claims = payload.get("claims", [])
    tests = [t for claim in claims for t in claim.get("tests", [])]
    confirmed = sum(
        any(t.get("verdict") in _GOOD for t in claim.get("tests", [])) for claim in claims
    )
    # Untestable first: it says how much of the run the cohorts could not test at all.
    counts = sorted(verdict_counts(tests), key=lambda c: c["verdict"] not in _NOT_TESTABLE)
    parts = ", ".join(f"{c['n']} {c['verdict']}" for c in counts)
    noun = "test" if len(tests) == 1 else "tests"
    if confirmed == 0:
        opening = "No claim could be confirmed"
    else:
        opening = f"{confirmed} of {len(claims)} claims confirmed on at least one cohort"
    return f"{opening}: of {len(tests)} {noun}, {parts}." if tests else f"{opening}."
