"""Reading an :class:`anndata.AnnData` back into a cohort's parts (no anndata import).

Helpers of :meth:`sigsurv.cohorts.model.Cohort.from_anndata` and
:meth:`~sigsurv.cohorts.model.Cohort.to_anndata`: recognising an AnnData, its
expression (``X`` or a layer) and ``obs`` as the clinical table, and an endpoint
declared on existing columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sigsurv.cohorts.parts import Endpoint
from sigsurv.errors import CohortValidationError, OptionError


def _is_anndata(obj: Any) -> bool:
    """True for an :class:`anndata.AnnData` (checked without importing anndata)."""
    return any(
        cls.__name__ == "AnnData" and cls.__module__.split(".")[0] == "anndata"
        for cls in type(obj).__mro__
    )


#: Cohort fields :meth:`Cohort.to_anndata` stores explicitly (or, for gene_report, not).
_STORED_FIELDS = frozenset(
    (
        "name",
        "expression",
        "clinical",
        "endpoints",
        "provenance",
        "gene_report",
        "join_report",
        "messages",
        "strata",
    )
)


def _strings(values: Any) -> tuple[str, ...]:
    """A tuple of str from a list, tuple or array read back from ``uns``."""
    return tuple(str(v) for v in np.asarray(values, dtype=object).ravel())


def _anndata_expression(
    adata: Any, layer: str | None, meta: dict[str, Any], messages: list[str]
) -> pd.DataFrame:
    """Genes x samples expression of an AnnData (``X`` or a layer), as a new frame."""
    if layer is not None and layer not in adata.layers:
        raise CohortValidationError(
            "AnnData has no such layer",
            expected=" | ".join(map(str, adata.layers)) or "no layer (use X)",
            found=layer,
        )
    matrix = adata.layers[layer] if layer is not None else adata.X
    if matrix is None:
        raise CohortValidationError("AnnData X is empty", expected="an expression matrix")
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    values = np.array(matrix)
    if np.issubdtype(values.dtype, np.integer):
        values = values.astype(np.float64)
        messages.append("integer AnnData values converted to float64")
    elif not np.issubdtype(values.dtype, np.floating):
        raise CohortValidationError(
            "AnnData expression values must be numbers", found=str(values.dtype)
        )
    infinite = int(np.isinf(values).sum())
    if infinite:
        raise CohortValidationError(
            f"AnnData {'layer ' + layer if layer else 'X'} holds {infinite} infinite "
            f"value{'s' if infinite != 1 else ''}",
            expected="finite numbers (missing values as NaN)",
        )
    return pd.DataFrame(
        values.T,
        index=pd.Index(adata.var_names, name=meta.get("gene_axis")),
        columns=pd.Index(adata.obs_names, name=meta.get("sample_axis")),
    )


def _declared_endpoint(
    clinical: pd.DataFrame,
    time: str | None,
    event: str | None,
    endpoint: str | None,
    time_unit: str | None,
) -> Endpoint:
    """An endpoint on existing numeric time and 0/1 event columns (checked by Cohort)."""
    if time is None or event is None or time_unit is None:
        raise OptionError(
            "declare an AnnData endpoint with time, event and time_unit",
            found=f"time={time!r}, event={event!r}, time_unit={time_unit!r}",
        )
    for column in (time, event):
        if column not in clinical.columns:
            raise CohortValidationError("column not found in adata.obs", column=column)
    if not pd.api.types.is_numeric_dtype(clinical[event]):
        raise CohortValidationError(
            "the event column is not coded 0/1",
            column=event,
            found=str(clinical[event].dtype),
            hint="sigsurv.load_cohort(adata, time=..., event=..., event_codes=...) decodes it",
        )
    from sigsurv.cohorts.clinical import name_endpoint

    return Endpoint(
        name_endpoint(time, endpoint),
        time=time,
        event=event,
        unit=time_unit,  # type: ignore[arg-type]  # checked by Endpoint
        source_columns=(time, event),
    )


def _anndata_clinical(adata: Any, meta: dict[str, Any], samples: pd.Index) -> pd.DataFrame:
    """``obs`` as the clinical table; string columns that h5ad made categorical restored."""
    clinical = adata.obs.copy()
    clinical.index = samples
    dtypes = dict(meta.get("clinical_dtypes", {}))
    for column in clinical.columns:
        was = dtypes.get(str(column))
        if was == "object" and isinstance(clinical[column].dtype, pd.CategoricalDtype):
            clinical[column] = clinical[column].astype(object)
    return clinical
