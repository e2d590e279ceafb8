"""The random-signature null's expression matrix and its batched mean-z scores (private).

One pass over the matrix gives every gene's mean and sd
(:func:`~sigsurv.scoring.linear.gene_reference`); from them the null also learns which
genes vary, which hold NA cells and whether the input is standardised per gene, without
a second pass (a gene whose sd is not clearly above rounding is checked exactly). The
random sets, drawn as matrix rows, are scored in one compiled pass
(:mod:`._null_kernel`), bit-identical to :func:`~sigsurv.scoring.linear.mean_z_scores`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sigsurv.cohorts.sample_kinds import is_standardised_per_gene
from sigsurv.errors import AnalysisError
from sigsurv.scoring import get_method
from sigsurv.scoring.linear import Reference, gene_reference, mean_z_scores

__all__ = ["NullMatrix", "batch_mean_z", "null_matrix", "standardised_per_gene"]

# A gene whose sd is below this fraction of its mean's size may be constant (the mean of
# n copies of a value is that value only to rounding, ~n x 1e-16): max - min decides.
_ROUNDING = 1e-6
# is_standardised_per_gene's tolerance: |mean| <= tolerance x sd (ddof 0) for every gene.
_TOLERANCE = float(inspect.signature(is_standardised_per_gene).parameters["tolerance"].default)


@dataclass(frozen=True)
class NullMatrix:
    """An expression matrix prepared for the null.

    ``values``: every gene of the input (float64, C order); ``varying``: the rows of
    ``values`` that vary across samples (the null's genes, in input order); ``mean``
    and ``sd``: every row's mean and sd (denominator n - 1), None for fewer than two
    samples.
    """

    values: np.ndarray
    varying: np.ndarray
    mean: np.ndarray | None
    sd: np.ndarray | None

    def varying_values(self) -> np.ndarray:
        """The varying genes' rows (a copy only when some gene is constant)."""
        if self.varying.size == self.values.shape[0]:
            return self.values
        return self.values[self.varying]

    def reference(self) -> Reference:
        """The varying genes' mean and sd."""
        if self.mean is None or self.sd is None:
            raise AnalysisError(
                "z-scores need at least 2 samples",
                found=f"{self.values.shape[1]} sample",
                hint="use a rank method",
            )
        return self.mean[self.varying], self.sd[self.varying]


def null_matrix(expression: pd.DataFrame) -> NullMatrix:
    """Moments of every gene and the genes that vary; a gene with NA cells raises.

    Examples
    --------
    >>> frame = pd.DataFrame([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], index=["A", "B"])
    >>> matrix = null_matrix(frame)
    >>> matrix.varying.tolist(), matrix.mean.tolist()
    ([0], [2.3333333333333335, 3.0])
    """
    values = np.ascontiguousarray(expression.to_numpy(dtype=float), dtype=np.float64)
    if values.shape[1] < 2:  # no z-scores (and no gene varies)
        spread, mean, sd = np.ptp(values, axis=1), None, None
        varying = spread > 0
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            mean, sd = gene_reference(values)
            clear = np.isfinite(sd) & (sd > _ROUNDING * np.abs(mean))
        unsure = np.flatnonzero(~clear)
        spread = np.zeros(values.shape[0])  # only NaN-ness and > 0 are used below
        spread[~clear] = np.ptp(values[unsure], axis=1)
        varying = clear | (spread > 0)
    if np.isnan(spread).any():
        raise AnalysisError(
            f"random-signature null: {int(np.isnan(spread).sum())} genes have NA "
            "cells; the expression bins of the null need complete genes",
            hint="drop or impute the genes with NA cells for the null",
        )
    return NullMatrix(values, np.flatnonzero(varying), mean, sd)


def standardised_per_gene(expression: pd.DataFrame, matrix: NullMatrix) -> bool:
    """:func:`~sigsurv.cohorts.sample_kinds.is_standardised_per_gene` of ``expression``.

    A gene whose mean is clearly away from 0 (over twice the tolerance in sds) answers
    False from the moments already computed; otherwise the full check runs.

    Examples
    --------
    >>> frame = pd.DataFrame([[1.0, 2.0, 4.0], [-1.0, 0.0, 1.0]], index=["A", "B"])
    >>> standardised_per_gene(frame, null_matrix(frame))
    False
    """
    mean, sd = matrix.mean, matrix.sd
    if mean is not None and sd is not None and np.isfinite(mean).all() and np.isfinite(sd).all():
        if np.any((sd >= 1e-100) & (np.abs(mean) > 2.0 * _TOLERANCE * sd)):
            return False
    return is_standardised_per_gene(expression)


def batch_mean_z(
    matrix: NullMatrix, method: str, set_rows: np.ndarray, signs: np.ndarray
) -> np.ndarray | None:
    """Sets x samples mean-z scores of gene sets given as rows of the varying genes.

    ``set_rows[s]``: set ``s``'s genes (positions among ``matrix.varying``);
    ``signs[s]``: their directions (+1.0 / -1.0). The numbers are those of
    :func:`~sigsurv.scoring.linear.mean_z_scores`. None when the batch does not apply
    and the scoring method must score the sets: another method or options, numba
    missing, or a gene without a finite, positive sd (the method then says what it
    says for such a gene).

    Examples
    --------
    >>> from sigsurv.scoring._input import GeneSet
    >>> frame = pd.DataFrame([[1.0, 2.0, 4.0], [3.0, 1.0, 1.0]])
    >>> scores = batch_mean_z(null_matrix(frame), "mean_z", np.array([[0, 1]]),
    ...                       np.array([[1.0, -1.0]]))
    >>> np.round(scores, 6).tolist()
    [[-1.013786, 0.179566, 0.83422]]
    >>> one_set = GeneSet("s", np.array([0, 1]), np.array([1, -1]), np.ones(2))
    >>> bool((scores.T == mean_z_scores(frame.to_numpy(), [one_set])).all())
    True
    """
    scoring = get_method(method)
    if scoring.func is not mean_z_scores or scoring.options != {"standardise": True}:
        return None
    try:
        from sigsurv.analysis._null_kernel import signed_mean_z
    except ImportError:  # pragma: no cover - numba is a dependency
        return None
    if matrix.mean is None or matrix.sd is None:
        return None
    rows = matrix.varying[set_rows]
    mean, sd = matrix.mean, matrix.sd
    if not (np.isfinite(mean) & np.isfinite(sd) & (sd > 0))[rows].all():
        return None
    return np.asarray(signed_mean_z(matrix.values, rows, signs, mean, sd))
