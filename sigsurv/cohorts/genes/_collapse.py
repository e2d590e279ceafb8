"""Collapsing rows that share an identifier, and harmonising a whole expression matrix."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.cohorts.genes._map import map_identifiers
from sigsurv.cohorts.genes._report import GeneMapReport
from sigsurv.errors import CohortValidationError, GeneIdentifierError, SigsurvWarning

COLLAPSE_RULES: tuple[str, ...] = ("max_mean", "max_var", "mean")


def _check_rule(rule: str) -> None:
    if rule not in COLLAPSE_RULES:
        raise GeneIdentifierError(
            "unknown collapse rule", expected=" | ".join(COLLAPSE_RULES), found=rule
        )


def _check_expression(expression: pd.DataFrame) -> None:
    if not isinstance(expression, pd.DataFrame):
        raise GeneIdentifierError(
            "expression must be a pandas DataFrame (genes x samples)",
            found=type(expression).__name__,
        )


def _check_numeric(expression: pd.DataFrame) -> None:
    non_numeric = [
        (column, dtype)
        for column, dtype in expression.dtypes.items()
        if not pd.api.types.is_numeric_dtype(dtype)
    ]
    if non_numeric:
        column, dtype = non_numeric[0]
        raise CohortValidationError(
            "duplicated genes cannot be collapsed: expression values are not numeric",
            column=str(column),
            found=str(dtype),
        )


def _collapse(
    expression: pd.DataFrame, keys: Sequence[Any], rule: str
) -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, str]]:
    """Collapse rows sharing a key; also return ``{key: [row labels]}`` and the rows kept."""
    _check_rule(rule)
    _check_expression(expression)
    keys = list(keys)
    if len(keys) != expression.shape[0]:
        raise GeneIdentifierError(
            "one key per expression row is needed",
            expected=f"{expression.shape[0]} keys",
            found=f"{len(keys)} keys",
        )
    codes, uniques = pd.factorize(pd.Index(keys, dtype=object), sort=False, use_na_sentinel=False)
    index = pd.Index(uniques, dtype=object, name=expression.index.name)
    if len(uniques) == len(keys):
        result = expression.copy()
        result.index = index
        return result, {}, {}
    _check_numeric(expression)
    values = expression.to_numpy(dtype=float)
    labels = expression.index.tolist()
    sizes = np.bincount(codes, minlength=len(uniques))
    duplicated_codes = np.flatnonzero(sizes > 1).tolist()
    # rows of each duplicated key, in input order
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    collapsed = {
        str(uniques[code]): [
            str(labels[i]) for i in order[starts[code] : starts[code] + sizes[code]].tolist()
        ]
        for code in duplicated_codes
    }
    if rule == "mean":
        # pandas' grouped mean skips missing values; a key with none left gives NaN
        means = pd.DataFrame(values).groupby(codes, sort=True).mean().to_numpy()
        return pd.DataFrame(means, index=index, columns=expression.columns), collapsed, {}
    winners = _winning_rows(values, codes, rule)
    result = expression.iloc[winners].copy()
    result.index = index
    kept = {str(uniques[code]): str(labels[winners[code]]) for code in duplicated_codes}
    return result, collapsed, kept


def _winning_rows(values: np.ndarray, codes: np.ndarray, rule: str) -> np.ndarray:
    """Per key (in code order), the row with the highest mean or variance; ties to the first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without values -> NaN
        if rule == "max_mean":
            score = np.nanmean(values, axis=1)
        else:
            score = np.nanvar(values, axis=1, ddof=1)
    score = np.where(np.isnan(score), -np.inf, score)  # a row without values never wins
    # per key: highest score first, ties broken by input order
    ranked = np.lexsort((np.arange(len(codes)), -score, codes))
    first = np.ones(len(codes), dtype=bool)
    first[1:] = codes[ranked][1:] != codes[ranked][:-1]
    return ranked[first]  # one per key, in code (= first-occurrence) order


def collapse_duplicates(
    expression: pd.DataFrame, keys: Sequence[Any], rule: str = "max_mean"
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Collapse the rows of ``expression`` that share a key into one row per key.

    Parameters
    ----------
    expression
        Rows x samples numeric matrix (e.g. probes x samples).
    keys
        One key per row (e.g. the gene symbol of each probe). Missing keys form
        their own group.
    rule
        ``max_mean`` (default): keep the row with the highest mean over the samples
        (missing values ignored), as genefu and KM-plotter-style tools do;
        ``max_var``: keep the row with the highest variance (``ddof=1``, missing
        values ignored); ``mean``: average the rows sample by sample (missing
        values ignored). Ties go to the row that comes first; a row without
        values is never preferred to one with values.

    Returns
    -------
    collapsed_expression : pandas.DataFrame
        One row per distinct key, indexed by key, in order of first occurrence.
    collapsed : dict
        ``{key: [row labels]}`` for each key that had several rows.

    Examples
    --------
    >>> import pandas as pd
    >>> probes = pd.DataFrame({"s1": [4.0, 6.0, 2.0], "s2": [4.0, 0.0, 2.0]},
    ...                       index=["p1", "p2", "p3"])
    >>> keys = ["ESR1", "ESR1", "ERBB2"]
    >>> frame, collapsed = collapse_duplicates(probes, keys)
    >>> frame
            s1   s2
    ESR1   4.0  4.0
    ERBB2  2.0  2.0
    >>> collapsed
    {'ESR1': ['p1', 'p2']}
    >>> collapse_duplicates(probes, keys, rule="max_var")[0].loc["ESR1"].tolist()
    [6.0, 0.0]
    >>> collapse_duplicates(probes, keys, rule="mean")[0].loc["ESR1"].tolist()
    [5.0, 2.0]
    """
    result, collapsed, _ = _collapse(expression, keys, rule)
    return result, collapsed


def harmonise_expression(
    expression: pd.DataFrame, id_type: str = "auto", *, collapse: str = "max_mean"
) -> tuple[pd.DataFrame, GeneMapReport]:
    """Rename the rows of a genes x samples matrix to current symbols.

    Rows are mapped with :func:`map_identifiers`; unmapped and ambiguous rows keep
    their original identifier (reported, not dropped). Rows that end up with the
    same identifier are collapsed with :func:`collapse_duplicates` (rule
    ``collapse``) and listed in ``report.collapsed``. Surviving rows keep the order
    of their first occurrence; the columns are untouched.

    Parameters
    ----------
    expression
        Genes x samples matrix; the index holds the identifiers.
    id_type
        ``"auto"`` or one of ``symbol``, ``entrez``, ``ensembl``, ``mirbase``.
    collapse
        ``max_mean`` (default), ``max_var`` or ``mean``.

    Returns
    -------
    harmonised : pandas.DataFrame
    report : GeneMapReport

    Warns
    -----
    SigsurvWarning
        When fewer than half of the identifiers map (wrong ``id_type`` or organism?)
        or identifiers look like Excel-mangled dates.

    Examples
    --------
    >>> import pandas as pd
    >>> expr = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 0.0, 3.0, 0.0]},
    ...                     index=["ERBB2", "HER2", "SIP1", "TMEM49"])
    >>> harmonised, report = harmonise_expression(expr)
    >>> harmonised
             a    b
    ERBB2  1.0  1.0
    SIP1   3.0  3.0
    VMP1   4.0  0.0
    >>> report.collapsed, report.collapse_kept
    ({'ERBB2': ['ERBB2', 'HER2']}, {'ERBB2': 'ERBB2'})
    """
    _check_rule(collapse)  # checked before mapping: a typo fails fast
    _check_expression(expression)
    original = list(expression.index)
    mapped, report = map_identifiers(original, id_type)
    keys = [
        orig if symbol is None else symbol for symbol, orig in zip(mapped, original, strict=True)
    ]
    result, collapsed, kept = _collapse(expression, keys, collapse)
    report.collapsed = collapsed
    report.collapse_kept = kept
    report.collapse_rule = collapse
    report.n_output = result.shape[0]
    if report.n_input and report.mapped * 2 < report.n_input:
        warnings.warn(
            f"only {report.mapped} of {report.n_input} {report.identifier_type} identifiers "
            "map to current gene symbols (wrong identifier type or organism?)",
            SigsurvWarning,
            stacklevel=2,
        )
    return result, report
