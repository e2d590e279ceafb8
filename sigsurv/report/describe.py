"""What ``sigsurv cohort info`` shows: a JSON-ready description of a loaded cohort.

It lives in the rendering layer, not on :class:`~sigsurv.cohorts.Cohort`, because it
reads statistics (the reverse Kaplan–Meier median follow-up) from the survival layer,
which sits above the cohort model.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.cohorts.model import Cohort, JoinReport
from sigsurv.survival.endpoints import median_follow_up

__all__ = ["describe_cohort", "gene_report_text"]

# Categorical fields list their most frequent levels only: a free-text column
# (e.g. sample titles) would otherwise print one level per patient.
_LEVELS_SHOWN = 12


def describe_cohort(cohort: Cohort) -> dict[str, Any]:
    """Samples, genes, endpoints, clinical fields, provenance, join and identifier reports.

    Per endpoint: patients with a known time and event, events, the median follow-up
    (reverse Kaplan–Meier, in the endpoint's unit), the longest time and the horizon.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> description = describe_cohort(load_example("gse1992"))
    >>> description["samples"], description["endpoints"]["rfs"]["events"]
    (124, 35)
    """
    return {
        "name": cohort.name,
        "samples": cohort.n_samples,
        "genes": cohort.n_genes,
        "endpoints": {
            e.name: _describe_endpoint(cohort, e.name) for e in cohort.endpoints.values()
        },
        "clinical_fields": {
            column: _describe_field(cohort.clinical[column]) for column in cohort.clinical.columns
        },
        "strata_columns": list(cohort.strata_columns),
        "provenance": dataclasses.asdict(cohort.provenance),
        "join": None if cohort.join_report is None else _describe_join(cohort.join_report),
        "gene_identifiers": cohort.gene_report.to_dict()
        if hasattr(cohort.gene_report, "to_dict")
        else None,
        "messages": list(cohort.messages),
    }


def _describe_endpoint(cohort: Cohort, name: str) -> dict[str, Any]:
    endpoint = cohort.endpoint(name)
    time, event = cohort.survival(name)
    known = np.isfinite(time) & np.isfinite(event)
    return {
        "label": endpoint.label,
        "unit": endpoint.unit,
        "n": int(known.sum()),
        "events": int(event[known].sum()),
        "median_follow_up": median_follow_up(time[known], event[known]),
        "max_time": float(np.max(time[known])) if known.any() else None,
        "horizon": endpoint.horizon,
        "source_columns": list(endpoint.source_columns),
    }


def _describe_field(values: pd.Series) -> dict[str, Any]:
    kind = "numeric" if pd.api.types.is_numeric_dtype(values) else "categorical"
    entry: dict[str, Any] = {"type": kind, "missing": int(values.isna().sum())}
    if kind == "categorical":
        counts = values.value_counts(dropna=True)
        entry["levels"] = {str(k): int(v) for k, v in counts.head(_LEVELS_SHOWN).items()}
    return entry


def _describe_join(join: JoinReport) -> dict[str, Any]:
    return {
        **dataclasses.asdict(join),
        "expression_only": list(join.expression_only[:20]),
        "clinical_only": list(join.clinical_only[:20]),
    }


def gene_report_text(cohort: Cohort) -> str | None:
    """One-line text of the cohort's gene identifier report (None without a report).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> "renamed" in gene_report_text(load_example("gse1992"))
    True
    """
    report = cohort.gene_report
    return None if report is None else str(report.to_text())
