"""Strata of a claim test: which column stratifies it, and merging strata too small to fit.

A stratified Cox model fits one baseline hazard per stratum; a stratum of one or two
patients, or one without events, adds nothing but instability (and can make a whole
test fail). Strata below :data:`MIN_STRATUM_PATIENTS` patients or
:data:`MIN_STRATUM_EVENTS` events are merged, and the test's row says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from sigsurv.cohorts.model import Cohort

__all__ = [
    "MIN_STRATUM_EVENTS",
    "MIN_STRATUM_PATIENTS",
    "merge_small_strata",
    "strata_candidates",
]

#: Strata smaller than this (patients) or with fewer events are merged.
MIN_STRATUM_PATIENTS = 10
MIN_STRATUM_EVENTS = 1


def strata_candidates(cohort: Cohort, strata_columns: Sequence[str] | None) -> list[str]:
    """Stratifying columns to try, in order.

    The cohort's own ``strata`` (a column name or names, when the cohort has that
    attribute) first, then ``strata_columns`` if given, else the cohort's
    ``strata_columns``.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> strata_candidates(load_example("gse1992"), ["batch"])
    ['batch']
    """
    own = getattr(cohort, "strata", None)
    first = [own] if isinstance(own, str) else list(own) if isinstance(own, (list, tuple)) else []
    rest = list(cohort.strata_columns if strata_columns is None else strata_columns)
    return list(dict.fromkeys([*(str(c) for c in first), *rest]))


def merge_small_strata(
    cohort: Cohort, column: str, endpoint: str, subgroup: str | None
) -> tuple[Cohort, str | None, str | None]:
    """Merge strata below the minimum size or without events; say what was done.

    Strata of the analysed patients with fewer than :data:`MIN_STRATUM_PATIENTS`
    patients or fewer than :data:`MIN_STRATUM_EVENTS` events (counted over the whole
    follow-up, before any horizon) are merged into one stratum; if that is still too
    small it joins the largest stratum. Returns the cohort with the merged column
    (``<column>_merged``), that column (None when one stratum is left: no
    stratification) and the note (None when nothing was merged).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> cohort = load_example("gse1992")
    >>> site = ["A"] * 60 + ["B"] * 61 + ["C"] * 3
    >>> cohort = dataclasses.replace(cohort, clinical=cohort.clinical.assign(site=site))
    >>> merged, column, note = merge_small_strata(cohort, "site", "rfs", None)
    >>> column, merged.clinical[column].value_counts().to_dict()
    ('site_merged', {'B': 64, 'A': 60})
    >>> note
    "strata of site with fewer than 10 patients or 1 event(s) (C: 3 patients) merged into 'B'"
    """
    data = cohort.subset(subgroup) if subgroup else cohort
    definition = data.endpoints[endpoint]
    clinical = data.clinical
    known = (clinical[definition.time].notna() & clinical[definition.event].notna()).to_numpy()
    levels = clinical.loc[known, column].astype(object)
    levels = levels[levels.notna()].astype(str)
    events = clinical.loc[levels.index, definition.event].astype(float)
    sizes, counts = levels.value_counts(), events.groupby(levels).sum()
    small = sorted(
        str(v)
        for v in sizes.index
        if sizes[v] < MIN_STRATUM_PATIENTS or counts.get(v, 0) < MIN_STRATUM_EVENTS
    )
    if not small:
        return cohort, column, None
    merged_label = f"merged ({', '.join(small)})"
    adequate = [str(v) for v in sizes.index if str(v) not in small]
    pooled_n = int(sizes[small].sum())
    pooled_events = float(counts.reindex(small).fillna(0).sum())
    if adequate and (pooled_n < MIN_STRATUM_PATIENTS or pooled_events < MIN_STRATUM_EVENTS):
        merged_label = adequate[0]  # value_counts order: the largest stratum
    mapping = dict.fromkeys(small, merged_label)
    values = cohort.clinical[column].map(lambda v: v if pd.isna(v) else mapping.get(str(v), str(v)))
    new_column = f"{column}_merged"
    note = (
        f"strata of {column} with fewer than {MIN_STRATUM_PATIENTS} patients or "
        f"{MIN_STRATUM_EVENTS} event(s) ({', '.join(small)}: {pooled_n} patients) merged "
        f"into {merged_label!r}"
    )
    if values[values.notna()].nunique() < 2:
        return cohort, None, f"{note}; one stratum left, so the model is not stratified"
    replaced = dataclasses.replace(cohort, clinical=cohort.clinical.assign(**{new_column: values}))
    return replaced, new_column, note
