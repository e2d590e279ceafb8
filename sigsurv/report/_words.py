"""Words and numbers of a test as the report shows them: verdict class, reason, HR.

Pure functions on one row of ``results.json`` (a hazard ratio is a ``HazardRatio``
record: ``hr, ci_lower, ci_upper, p_wald``...).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = [
    "VERDICT_CLASSES",
    "estimate_of",
    "hr_text",
    "reason_in_words",
    "short_reason",
    "verdict_class",
]

# Every verdict word of the claims pipeline (and the older vocabularies of earlier runs'
# results.json) mapped to a colour: good for the claim, mixed, bad for the claim, weak
# evidence, a recomputed table, untestable.
VERDICT_CLASSES = {
    "reproduced": "v-good",
    "consistent": "v-good",
    "equivalent": "v-good",
    "equivalent and different": "v-good",
    "consistent, not better than random signatures": "v-mixed",
    "same direction, not significant": "v-mixed",
    "inconclusive": "v-mixed",
    "neither equivalent nor different": "v-mixed",
    "opposite direction": "v-bad",
    "contradicted": "v-bad",
    "effect of the claimed size excluded": "v-bad",
    "different": "v-bad",
    "not equivalent": "v-bad",
    "not informative": "v-weak",
    "confounded, not adjusted": "v-weak",
    "published table recomputed": "v-table",
    "not testable here": "v-none",
    "not testable": "v-none",
}
_NOT_TESTABLE = ("not testable here", "not testable")
_CLASS_PREFIX = re.compile(r"^\s*[A-Z][A-Za-z]*(Error|Warning|Exception)\s*:\s*")


def verdict_class(verdict: str | None) -> str:
    """CSS class of a verdict badge.

    Examples
    --------
    >>> verdict_class("consistent"), verdict_class("not testable here"), verdict_class("?")
    ('v-good', 'v-none', 'v-none')
    """
    return VERDICT_CLASSES.get(str(verdict), "v-none")


def reason_in_words(reason: str | None) -> str:
    """A reason without the Python class name some errors carry.

    Examples
    --------
    >>> reason_in_words("CoverageError: signature x: 0 of 3 genes found (0%)")
    'signature x: 0 of 3 genes found (0%)'
    """
    return _CLASS_PREFIX.sub("", reason or "").strip()


def short_reason(reason: str | None) -> str:
    """The first clause of a reason, for a table cell (the full reason stays available).

    Examples
    --------
    >>> short_reason("CoverageError: signature s: 0 of 3 genes found (0%), below "
    ...              "min_coverage 50%; found: none; missing: A, B, C")
    'signature s: 0 of 3 genes found (0%), below min_coverage 50%'
    >>> short_reason("no matching endpoint: the claim needs mfs, rfs; the cohort has os")
    'no matching endpoint: the claim needs mfs, rfs'
    """
    return reason_in_words(reason).split(";")[0].strip()


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def hr_text(record: dict[str, Any] | None) -> str:
    """``0.55 (0.30–1.01)`` from ``hr``, ``ci_lower`` and ``ci_upper`` (a ``HazardRatio`` record).

    Examples
    --------
    >>> hr_text({"hr": 0.5, "ci_lower": 0.3, "ci_upper": 0.9}), hr_text(None)
    ('0.50 (0.30–0.90)', '')
    """
    if not record or _number(record.get("hr")) is None:
        return ""
    lower = _number(record.get("ci_lower"))
    upper = _number(record.get("ci_upper"))
    text = f"{float(record['hr']):.2f}"
    if lower is not None and upper is not None:
        text += f" ({lower:.2f}–{upper:.2f})"
    return text


def estimate_of(test: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The HR a test's verdict is read from, and its scale.

    The per-SD HR (``hr_per_sd``, a ``HazardRatio`` record), else the grouped HR of the
    analysis (``estimate.hr_grouped``).

    Examples
    --------
    >>> estimate_of({"hr_per_sd": {"hr": 0.8, "ci_lower": 0.6, "ci_upper": 1.0,
    ...                            "p_wald": 0.05}})[1]
    'per SD'
    """
    per_sd = test.get("hr_per_sd")
    if isinstance(per_sd, dict) and _number(per_sd.get("hr")) is not None:
        return per_sd, "per SD"
    estimate = test.get("estimate") or {}
    grouped = estimate.get("hr_grouped")
    if isinstance(grouped, dict) and _number(grouped.get("hr")) is not None:
        return grouped, "high vs low"
    return None, ""


def _p_of(record: dict[str, Any]) -> float | None:
    return _number(record.get("p_wald"))
