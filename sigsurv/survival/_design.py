"""Design matrices for the Cox models (private helpers).

Survival inputs are checked by :mod:`sigsurv.survival._validate` (one validator
for every survival entry point). Covariate tables are turned into a numeric
design matrix with R's treatment coding: a categorical column with levels ``L1 < L2 < ...`` becomes
one 0/1 column per non-reference level, named ``<column><level>`` exactly as R
names ``model.matrix`` columns (``grade2``, ``grade3``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival._validate import (
    check_strata,
    require_events,
    survival_arrays,
    warn_few_events,
)

__all__ = ["Design", "build_design", "validate_survival"]


def validate_survival(time: Any, event: Any) -> tuple[np.ndarray, np.ndarray]:
    """Survival inputs checked by :func:`sigsurv.survival._validate.survival_arrays`.

    Kept for callers that want the event indicator as integers.

    Returns
    -------
    tuple of numpy.ndarray
        ``time`` as float64 and ``event`` as int64 (0/1).

    Raises
    ------
    CohortValidationError
        As :func:`~sigsurv.survival._validate.survival_arrays`.

    Examples
    --------
    >>> t, e = validate_survival([5, 3, 9], [True, False, True])
    >>> t.tolist(), e.tolist()
    ([5.0, 3.0, 9.0], [1, 0, 1])
    """
    t, e = survival_arrays(time, event)
    return t, e.astype(np.int64)


@dataclass(frozen=True)
class Design:
    """A numeric design matrix with its term bookkeeping.

    Attributes
    ----------
    matrix
        ``n x p`` float64 matrix (rows in input order).
    columns
        Names of the ``p`` columns (R style: ``grade2`` for level ``2`` of ``grade``).
    terms
        Source column (term) name -> indices of its design columns.
    reference_levels
        Categorical term -> its reference level (as found in the data).
    levels
        Categorical term -> all its observed levels, reference first.
    """

    matrix: np.ndarray
    columns: list[str]
    terms: dict[str, list[int]]
    reference_levels: dict[str, Any] = field(default_factory=dict)
    levels: dict[str, list[Any]] = field(default_factory=dict)


def _is_categorical(series: pd.Series) -> bool:
    dtype = series.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _observed_levels(series: pd.Series) -> list[Any]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.unique().tolist())
        return [lev for lev in series.cat.categories.tolist() if lev in present]
    values = series.unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        # Mixed types (e.g. 1 and "1") cannot be ordered meaningfully.
        raise SigsurvInputError(
            "categorical column mixes value types",
            column=str(series.name),
            expected="levels of one type",
            found=sorted({type(v).__name__ for v in values}),
        ) from None


def _match_level(levels: Sequence[Any], wanted: Any, column: str) -> Any:
    for lev in levels:
        if lev == wanted:
            return lev
    for lev in levels:
        if str(lev) == str(wanted):
            return lev
    raise SigsurvInputError(
        "reference level not found",
        column=column,
        expected=f"one of {[str(v) for v in levels]}",
        found=wanted,
    )


def build_design(covariates: Any, reference_levels: Mapping[str, Any] | None = None) -> Design:
    """Turn a covariate table or array into a Cox design matrix.

    Numeric columns are used as they are. Categorical, object, string and
    boolean columns are expanded into treatment (0/1) dummies, one per
    non-reference level. Levels are the values present in the data, in the
    declared order for a pandas ``Categorical`` and in sorted order otherwise;
    the reference is the first level unless ``reference_levels`` names another.

    Parameters
    ----------
    covariates
        ``pandas.DataFrame``, ``pandas.Series`` or a 1-D/2-D numeric array
        (columns named ``x`` for 1-D, ``x1 .. xp`` for 2-D).
    reference_levels
        Optional mapping column -> reference level (matched by value, then by
        its string form, so ``{"grade": "1"}`` and ``{"grade": 1}`` both work).

    Returns
    -------
    Design
        Matrix, column names, term -> column indices and the reference levels.

    Raises
    ------
    SigsurvInputError
        Missing values (naming the column), unknown reference level or column.
    AnalysisError
        A constant column or a categorical column with a single level.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [50.0, 61.0, 47.0], "grade": ["2", "1", "3"]})
    >>> d = build_design(df)
    >>> d.columns, d.reference_levels
    (['age', 'grade2', 'grade3'], {'grade': '1'})
    >>> d.matrix.tolist()
    [[50.0, 1.0, 0.0], [61.0, 0.0, 0.0], [47.0, 0.0, 1.0]]
    """
    reference_levels = dict(reference_levels or {})
    frame = _as_frame(covariates)
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise SigsurvInputError("duplicate covariate names", expected="unique names", found=dup)
    unknown = set(reference_levels) - set(names)
    if unknown:
        raise SigsurvInputError(
            "reference_levels names a column that is not a covariate",
            expected=f"one of {names}",
            found=sorted(unknown),
        )
    blocks: list[np.ndarray] = []
    columns: list[str] = []
    terms: dict[str, list[int]] = {}
    refs: dict[str, Any] = {}
    all_levels: dict[str, list[Any]] = {}
    for name, col in zip(names, frame.columns, strict=True):
        series = frame[col]
        _refuse_missing(series, name)
        start = len(columns)
        if _is_categorical(series):
            ordered = _ordered_levels(series, name, reference_levels)
            values = series.to_numpy(dtype=object)
            for lev in ordered[1:]:
                blocks.append((values == lev).astype(np.float64))
                columns.append(f"{name}{lev}")
            refs[name] = ordered[0]
            all_levels[name] = ordered
        else:
            blocks.append(_numeric_column(series, name, reference_levels))
            columns.append(name)
        terms[name] = list(range(start, len(columns)))
    matrix = np.column_stack(blocks) if blocks else np.empty((len(frame), 0))
    return Design(
        matrix=np.ascontiguousarray(matrix, dtype=np.float64),
        columns=columns,
        terms=terms,
        reference_levels=refs,
        levels=all_levels,
    )


def _as_frame(covariates: Any) -> pd.DataFrame:
    """A DataFrame of the covariates (``x`` for 1-D, ``x1 .. xp`` for 2-D arrays)."""
    if isinstance(covariates, pd.Series):
        covariates = covariates.to_frame(name=covariates.name if covariates.name else "x")
    if isinstance(covariates, pd.DataFrame):
        frame = covariates
    else:
        arr = np.asarray(covariates)
        if arr.ndim == 1:
            frame = pd.DataFrame({"x": arr})
        elif arr.ndim == 2:
            frame = pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])
        else:
            raise SigsurvInputError(
                "covariates must be 1-D or 2-D",
                expected="1-D/2-D array or DataFrame",
                found=f"shape {arr.shape}",
            )
    if frame.shape[1] == 0:
        raise SigsurvInputError("no covariates given", expected="at least one column", found=0)
    return frame


def _refuse_missing(series: pd.Series, name: str) -> None:
    missing = series.isna().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise SigsurvInputError(
            f"{int(missing.sum())} missing value(s), first at row {first}",
            column=name,
            expected="complete cases (select them explicitly before fitting)",
            found="NA",
        )


def _ordered_levels(series: pd.Series, name: str, reference_levels: Mapping[str, Any]) -> list[Any]:
    """Observed levels with the reference first."""
    levels = _observed_levels(series)
    if len(levels) < 2:
        raise AnalysisError(
            "categorical covariate has a single level",
            column=name,
            expected="at least two levels",
            found=[str(v) for v in levels],
        )
    ref = levels[0]
    if name in reference_levels:
        ref = _match_level(levels, reference_levels[name], name)
    return [ref] + [lev for lev in levels if lev != ref]


def _numeric_column(
    series: pd.Series, name: str, reference_levels: Mapping[str, Any]
) -> np.ndarray:
    if name in reference_levels:
        raise SigsurvInputError(
            "reference_levels given for a numeric column",
            column=name,
            expected="a categorical/object/bool column",
            found=str(series.dtype),
        )
    try:
        values = series.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise SigsurvInputError(
            "column is not numeric", column=name, expected="numbers", found=str(series.dtype)
        ) from None
    if not np.isfinite(values).all():
        raise SigsurvInputError(
            "infinite value(s)", column=name, expected="finite numbers", found="inf"
        )
    if values.size and np.all(values == values[0]):
        raise AnalysisError(
            "covariate is constant",
            column=name,
            expected="a covariate that varies",
            found=f"all values {values[0]:g}",
        )
    return values


def prepare_cox_inputs(
    time: Any,
    event: Any,
    covariates: Any,
    *,
    strata: Any,
    reference_levels: Mapping[str, Any] | None,
    conf_level: float,
    timefix: bool,
    model: str,
) -> tuple[np.ndarray, np.ndarray, Design, np.ndarray | None]:
    """Checked ``(time, event, design, strata)`` for a Cox-type fit (``model`` names it).

    One place for what every Cox fitter checks: the confidence level, the survival
    arrays (R's timefix), the design, matching row counts, strata and enough events.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")  # only 2 events
    >>> t, e, design, strata = prepare_cox_inputs(
    ...     [1, 2, 3], [1, 0, 1], [0.5, 1.0, 2.0], strata=None, reference_levels=None,
    ...     conf_level=0.95, timefix=True, model="Cox")
    >>> design.matrix.shape, strata is None
    ((3, 1), True)
    """
    if not 0 < conf_level < 1:
        raise SigsurvInputError(
            "conf_level must be in (0, 1)", expected="e.g. 0.95", found=conf_level
        )
    t, e = survival_arrays(time, event, timefix=timefix)
    design = build_design(covariates, reference_levels)
    if design.matrix.shape[0] != t.shape[0]:
        raise SigsurvInputError(
            "covariates and time have different numbers of rows",
            expected=f"{t.shape[0]} rows",
            found=design.matrix.shape[0],
        )
    strata_arr = None if strata is None else check_strata(strata, t.shape[0])
    warn_few_events(require_events(e, f"a {model} model"), f"{model} estimates")
    return t, e, design, strata_arr
