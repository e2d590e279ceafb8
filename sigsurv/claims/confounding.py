"""Confounding-aware verdicts: adjust a claim test for the confounders its signature names.

A signature can name confounders (:attr:`~sigsurv.signatures.Signature.confounders`):
``er`` for proxies built of luminal, ER-driven genes (BCL2, GATA3, FOXA1, ESR1) and
``proliferation``. For each test of such a signature the confounder is, in this order:

1. **controlled by restriction** when the test's population fixes it (an ER+ subgroup
   cannot be confounded by ER);
2. **measured** by a clinical field (``er`` / ``er_status``, with its provenance: IHC,
   mRNA-derived or not recorded, :func:`~sigsurv.claims.populations.receptor_provenance`),
   else by an mRNA readout labelled as an *analogue covariate* (ESR1 expression for ER,
   the ``pam50_proliferation`` score for proliferation);
3. **not measured**.

When every confounder is controlled or measured, the verdict is taken from the adjusted
per-SD HR (the same strata and patients; complete cases) and the unadjusted HR is shown
beside it. When one cannot be measured, or the adjusted model gives no estimate (too
few events per parameter, :func:`~sigsurv.claims.evidence.adjusted_estimate`), the
verdict is ``confounded, not adjusted`` and the unadjusted CI reading is kept in
``ci_reading``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.analysis.signature import standardise_within
from sigsurv.claims.evidence import adjusted_estimate, not_estimated
from sigsurv.claims.populations import receptor_provenance
from sigsurv.cohorts.model import Cohort
from sigsurv.errors import SigsurvInputError

__all__ = ["ER_FIELDS", "ER_MRNA_GENE", "adjusted_for_confounders", "confounder_design"]

#: Clinical fields holding ER status.
ER_FIELDS = ("er", "er_status")
#: The gene whose expression stands in for ER status when no field records it.
ER_MRNA_GENE = "ESR1"


def _er_column(
    cohort: Cohort, samples: pd.Index, restricted: set[str]
) -> tuple[str, pd.Series | None, str]:
    """ER status as ``(status, values, words)``; status ``restricted|field|mrna|none``."""
    if restricted & set(ER_FIELDS):
        return "restricted", None, "ER fixed by the test's population (controlled by restriction)"
    clinical = cohort.clinical.loc[samples]
    for column in ER_FIELDS:
        if column in clinical.columns and clinical[column].nunique() > 1:
            provenance = receptor_provenance(cohort, column)
            values = clinical[column].astype(object).where(clinical[column].notna())
            return (
                "field",
                values.map(lambda v: None if pd.isna(v) else str(v)),
                (f"ER status from clinical field {column!r} ({provenance})"),
            )
    if ER_MRNA_GENE in cohort.expression.index:
        values = cohort.expression.loc[ER_MRNA_GENE].reindex(samples).astype(float)
        if values.nunique() > 1:
            return (
                "mrna",
                values.rename("ESR1_mrna"),
                (
                    "ER status measured by ESR1 mRNA (continuous, per SD): an analogue covariate, "
                    "not IHC status"
                ),
            )
    return "none", None, "no ER field and no ESR1 expression in this cohort"


def confounder_design(
    cohort: Cohort,
    samples: pd.Index,
    confounders: Iterable[str],
    *,
    restricted: set[str],
    proliferation: np.ndarray | None,
    strata: np.ndarray | None,
) -> tuple[pd.DataFrame | None, list[dict[str, str]]]:
    """The adjustment columns for the named confounders, and what was done with each.

    Parameters
    ----------
    cohort, samples
        The cohort and the test's patients (in the test's order).
    confounders
        Names from the signature (``er``, ``proliferation``).
    restricted
        Clinical columns the test's population fixes.
    proliferation
        The test's ``pam50_proliferation`` score per SD, or None.
    strata
        The test's strata (a continuous covariate is standardised within them).

    Returns
    -------
    (frame, records)
        ``frame`` has one column per measured confounder (None when none is measured
        or one is missing); each record is ``{confounder, status, how}`` with status
        ``restricted``, ``field``, ``mrna`` or ``none``.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> cohort = load_example("gse1992")
    >>> frame, records = confounder_design(cohort, cohort.samples, ["er"], restricted=set(),
    ...                                    proliferation=None, strata=None)
    >>> list(frame.columns), records[0]["status"]
    (['er'], 'field')
    """
    columns: dict[str, Any] = {}
    records: list[dict[str, str]] = []
    missing = False
    for name in confounders:
        if name == "er":
            status, values, how = _er_column(cohort, samples, restricted)
            if status == "mrna" and values is not None:
                values = pd.Series(standardise_within(values.to_numpy(float), strata))
            if values is not None:
                columns["er" if status == "field" else "ESR1_mrna"] = list(values)
        elif proliferation is not None:
            status, how = "mrna", "proliferation by the pam50_proliferation score (per SD)"
            columns["pam50_proliferation"] = list(proliferation)
        else:
            status, how = "none", "pam50_proliferation cannot be scored in this cohort"
        missing = missing or status == "none"
        records.append({"confounder": name, "status": status, "how": how})
    if missing or not columns:
        return None, records
    return pd.DataFrame(columns), records


def adjusted_for_confounders(
    time: np.ndarray,
    event: np.ndarray,
    score_per_sd: np.ndarray,
    frame: pd.DataFrame,
    strata: np.ndarray | None,
) -> dict[str, Any]:
    """The score's per-SD HR adjusted for the confounder columns (or why not).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> er = rng.normal(size=200)
    >>> x = er + rng.normal(size=200)
    >>> t = rng.exponential(np.exp(-0.8 * er))
    >>> out = adjusted_for_confounders(t, np.ones(200), x, pd.DataFrame({"ESR1_mrna": er}), None)
    >>> 0.8 < out["hr"] < 1.2
    True
    """
    try:
        return adjusted_estimate(time, event, score_per_sd, frame, strata=strata)
    except SigsurvInputError as error:
        return {
            **not_estimated(error.message).to_dict(),
            "covariates": list(frame.columns),
            "not_computed": error.message,
        }
