"""Compiled (numba) mean-z scores of many gene sets in one pass (private).

Imported lazily by :mod:`sigsurv.analysis._null_batch`, which falls back to the scoring
method when numba is missing. The arithmetic is :func:`sigsurv.scoring.linear.mean_z_scores`'s,
written per set and sample: each gene's z-score ``(x - mean) / sd`` times its direction
(+1 / -1), added gene after gene in set order (as NumPy's mean over the genes of a set
adds them), divided by the number of genes. No fastmath, so every operation is IEEE in
that order and the scores are bit-identical to the scoring method's.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["signed_mean_z"]


@numba.njit(nogil=True, cache=True, error_model="numpy")
def signed_mean_z(
    values: np.ndarray,
    rows: np.ndarray,
    signs: np.ndarray,
    mean: np.ndarray,
    sd: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled (its results are tested)
    """Sets x samples mean-z scores: set ``s`` has genes ``values[rows[s]]``, signs ``signs[s]``.

    ``mean`` and ``sd``: every row's mean and sd (:func:`~sigsurv.scoring.linear.gene_reference`).
    """
    n_sets, k = rows.shape
    n = values.shape[1]
    out = np.empty((n_sets, n))
    for s in range(n_sets):
        acc = out[s]
        row = rows[s, 0]
        x = values[row]
        centre, scale, sign = mean[row], sd[row], signs[s, 0]
        for i in range(n):
            acc[i] = ((x[i] - centre) / scale) * sign
        for c in range(1, k):
            row = rows[s, c]
            x = values[row]
            centre, scale, sign = mean[row], sd[row], signs[s, c]
            for i in range(n):
                acc[i] = acc[i] + ((x[i] - centre) / scale) * sign
        for i in range(n):
            acc[i] = acc[i] / k
    return out
