"""Missing expression values (NA cells): score each sample from the genes it has.

Real matrices have NA cells (METABRIC's ``data_mrna_*``, NKI's log ratios). sigsurv
never imputes them and never drops a gene or a sample silently:

* **mean-type methods** (``mean_z``, ``weighted``, ``zscore``, ``single_gene``): a
  gene's z-score uses the mean and sd of the samples that have it, and a sample's score
  averages (or sums) the signature genes present in that sample;
* **rank methods** (``ssgsea``, ``singscore``, ``gsva``'s walk): in a sample with NA
  cells only the genes present are ranked (``n`` = genes present, ``k`` = signature
  genes present); GSVA's kernel CDF of a gene uses the samples that have it;
* ``plage`` (an SVD of complete rows) refuses NA cells in the signature's genes.

:func:`~sigsurv.scoring.score_signatures` reports, per sample and signature, the number
of signature genes measured; a sample below ``min_coverage`` is NA with its reason.

Samples without NA cells are scored by exactly the same code as a complete matrix,
so their scores do not change when another sample has NA cells (except through the
cohort statistics of the mean-type methods and GSVA's kernel, as always).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["columns_with_missing", "score_present_genes"]


def columns_with_missing(values: np.ndarray) -> np.ndarray | None:
    """Boolean mask of samples (columns) with an NA cell, or None when there is none.

    Examples
    --------
    >>> columns_with_missing(np.array([[1.0, np.nan], [2.0, 3.0]])).tolist()
    [False, True]
    >>> columns_with_missing(np.ones((2, 2))) is None
    True
    """
    if not isinstance(values, np.ndarray):  # a lazy (dask) array is checked elsewhere
        return None
    missing = np.isnan(values)
    if not missing.any():
        return None
    return np.asarray(missing.any(axis=0))


def _compact_parts(present: np.ndarray, parts: list[np.ndarray]) -> list[np.ndarray]:
    """Row indices of each part among the present rows (genes absent are left out)."""
    new_index = np.cumsum(present) - 1
    return [new_index[p[present[p]]] for p in parts]


def score_present_genes(
    values: np.ndarray,
    parts: list[np.ndarray],
    score_block: Callable[..., np.ndarray],
) -> np.ndarray:
    """Part scores (samples x parts) of a per-sample rank method on a matrix with NA.

    ``score_block(values, parts, report)`` scores complete columns (``report``: whether
    it may call the progress callback). Columns without NA are scored together by it,
    unchanged; each column with NA cells is scored alone on its present genes (the
    parts reduced to their present genes, ``report=False``). A part with no gene
    present in a sample gets NaN there (reported by the caller).

    Examples
    --------
    >>> def mean_rank(v, parts, report=True):
    ...     ranks = v.argsort(axis=0).argsort(axis=0) + 1.0
    ...     return np.column_stack([ranks[p].mean(axis=0) for p in parts])
    >>> x = np.array([[1.0, 5.0], [2.0, np.nan], [3.0, 1.0]])
    >>> score_present_genes(x, [np.array([0, 1])], mean_rank).ravel().tolist()
    [1.5, 2.0]
    """
    incomplete = np.isnan(values).any(axis=0)
    out = np.full((values.shape[1], len(parts)), np.nan)
    complete = np.flatnonzero(~incomplete)
    if complete.size:
        out[complete] = score_block(np.ascontiguousarray(values[:, complete]), parts, True)
    for column in np.flatnonzero(incomplete):
        present = ~np.isnan(values[:, column])
        local = _compact_parts(present, parts)
        scored = [j for j, p in enumerate(local) if p.size]
        if not scored or present.sum() < 2:
            continue
        sub = np.ascontiguousarray(values[present, column][:, None])
        out[column, scored] = score_block(sub, [local[j] for j in scored], False)[0]
    return out
