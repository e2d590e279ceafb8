"""GSVA's gene-wise kernel CDF statistics in numpy (the engine used without numba).

Each function fills ``out`` (genes x samples) for a block of genes with the
floating-point operations of GSVA 1.46's C code ``matrix_density_R`` in the same order
(sums in sample order), so it equals both GSVA and the compiled kernels of
``_numba_kernels``. Memory is bounded by ``_PAIR_CHUNK`` (gene, sample, sample) pairs
whatever the number of samples: a gene with many samples is processed in slices of
samples, never as a ``samples x samples`` array.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincc, ndtr

__all__ = [
    "CDF_TABLE",
    "CDF_TABLE_SYMMETRIC",
    "ecdf_counts_from_order",
    "ecdf_from_order",
    "ecdf_rows",
    "gaussian_rows",
    "poisson_rows",
]

RESOLUTION = 10000
MAX_Z = 10.0
# GSVA's table: pnorm(10 * i / 10000), i = 0..10000.
CDF_TABLE = ndtr(MAX_Z * np.arange(RESOLUTION + 1, dtype=np.float64) / float(RESOLUTION))
# 1 - table: the CDF of negative arguments, precomputed with the same subtraction.
CDF_TABLE_NEG = 1.0 - CDF_TABLE
# Both, mirrored about index RESOLUTION: entry RESOLUTION + k is the CDF at table index
# k >= 0 and at -k (1 - table) for k < 0, the compiled kernel's signed index (entry
# RESOLUTION is table[0] = 0.5 = 1 - table[0]).
CDF_TABLE_SYMMETRIC = np.concatenate([CDF_TABLE_NEG[:0:-1], CDF_TABLE])
# (gene, sample, sample) pairs evaluated at once: ~8 bytes each for a few temporaries.
_PAIR_CHUNK = 2_000_000


def _gaussian_left_tail(x: np.ndarray, bw: np.ndarray, cols: slice) -> np.ndarray:
    """Sum over all samples ``i`` of ``Phi((x_j - x_i) / h)`` for samples ``j`` in cols."""
    # v = (y_j - x_i) / h, in GSVA's operation order so table indices match
    v = x[:, cols, None] - x[:, None, :]
    v /= bw[:, None, None]
    negative = v < 0
    np.abs(v, out=v)
    v /= MAX_Z
    v *= float(RESOLUTION)
    np.minimum(v, float(RESOLUTION), out=v)
    index = v.astype(np.intp)
    cdf = np.where(negative, CDF_TABLE_NEG[index], CDF_TABLE[index])
    # sequential sum in sample order (cumsum), like the C loop
    return np.cumsum(cdf, axis=2)[:, :, -1]


def gaussian_rows(x: np.ndarray, bw: np.ndarray, out: np.ndarray) -> None:
    """GSVA 1.46's Gaussian-kernel statistic ``-log((1 - F) / F)`` of rows of ``x``.

    Examples
    --------
    >>> x = np.array([[0.0, 1.0, 2.0]])
    >>> out = np.empty_like(x)
    >>> gaussian_rows(x, np.array([0.25]), out)
    >>> bool(out[0, 0] < 0 < out[0, 2]), abs(float(out[0, 1]))
    (True, 0.0)
    """
    n_genes, n = x.shape
    genes_per_block = max(1, _PAIR_CHUNK // (n * n))
    cols_per_block = max(1, _PAIR_CHUNK // n)
    for start in range(0, n_genes, genes_per_block):
        rows = slice(start, start + genes_per_block)
        for col in range(0, n, cols_per_block):
            cols = slice(col, col + cols_per_block)
            out[rows, cols] = _gaussian_left_tail(x[rows], bw[rows], cols)
    out /= n
    np.negative(np.log((1.0 - out) / out), out=out)


def poisson_rows(x: np.ndarray, out: np.ndarray) -> None:
    """GSVA 1.46's Poisson-kernel statistic: ``F_j = mean_i ppois(y_j, x_i + 0.5)``.

    ``ppois(k, lambda)`` (R) is ``Q(floor(k + 1e-7) + 1, lambda)``, the regularised
    upper incomplete gamma function; samples with the same ``floor(y + 1e-7)`` share
    one sum. Values must be >= 0 (checked by the caller).

    Examples
    --------
    >>> out = np.empty((1, 3))
    >>> poisson_rows(np.array([[0.0, 3.0, 10.0]]), out)
    >>> bool(out[0, 0] < out[0, 1] < out[0, 2])
    True
    """
    n = x.shape[1]
    per_chunk = max(1, _PAIR_CHUNK // n)
    for g in range(x.shape[0]):
        row = x[g]
        keys, inverse = np.unique(np.floor(row + 1e-7), return_inverse=True)
        left = np.empty(keys.size)
        for start in range(0, keys.size, per_chunk):
            k = keys[start : start + per_chunk, None]
            terms = gammaincc(k + 1.0, row[None, :] + 0.5)
            left[start : start + per_chunk] = np.cumsum(terms, axis=1)[:, -1]
        left /= n
        out[g] = (-1.0 * np.log((1.0 - left) / left))[inverse.ravel()]


def ecdf_rows(x: np.ndarray, out: np.ndarray) -> None:
    """``log(F / (1 - F))`` with ``F`` the row's empirical CDF (share of values ``<=``).

    GSVA's ``kcdf="none"``; the row maximum gets ``+inf``.

    Examples
    --------
    >>> out = np.empty((1, 4))
    >>> ecdf_rows(np.array([[3.0, 1.0, 2.0, 2.0]]), out)
    >>> out.round(4).tolist()
    [[inf, -1.0986, 1.0986, 1.0986]]
    """
    n = x.shape[1]
    with np.errstate(divide="ignore"):
        for g in range(x.shape[0]):
            f = np.searchsorted(np.sort(x[g]), x[g], side="right") / n
            out[g] = np.log(f / (1.0 - f))


def ecdf_counts_from_order(x: np.ndarray, order: np.ndarray, out: np.ndarray) -> None:
    """Per row, the count of the row's values ``<=`` each value (``n F``), from its order.

    Examples
    --------
    >>> x = np.array([[3.0, 1.0, 2.0, 2.0]])
    >>> out = np.empty((1, 4), dtype=np.int64)
    >>> ecdf_counts_from_order(x, np.argsort(x, axis=1), out)
    >>> out.tolist()
    [[4, 1, 3, 3]]
    """
    n = x.shape[1]
    ordered = np.take_along_axis(x, order, axis=1)
    last = np.ones(ordered.shape, dtype=bool)
    last[:, :-1] = ordered[:, 1:] != ordered[:, :-1]
    at_most = np.where(last, np.arange(1, n + 1), n)[:, ::-1]
    np.put_along_axis(out, order, np.minimum.accumulate(at_most, axis=1)[:, ::-1], axis=1)


def ecdf_from_order(x: np.ndarray, order: np.ndarray, out: np.ndarray) -> None:
    """:func:`ecdf_rows` given each row's ascending order (``np.argsort``, any tie order).

    A tie group's count of values ``<=`` is the position after its last member.

    Examples
    --------
    >>> x = np.array([[3.0, 1.0, 2.0, 2.0]])
    >>> out = np.empty((1, 4))
    >>> ecdf_from_order(x, np.argsort(x, axis=1), out)
    >>> out.round(4).tolist()
    [[inf, -1.0986, 1.0986, 1.0986]]
    """
    n = x.shape[1]
    ordered = np.take_along_axis(x, order, axis=1)
    last = np.ones(ordered.shape, dtype=bool)
    last[:, :-1] = ordered[:, 1:] != ordered[:, :-1]
    # count of values <= each sorted value: one past the last position of its tie group
    at_most = np.where(last, np.arange(1, n + 1), n)[:, ::-1]
    at_most = np.minimum.accumulate(at_most, axis=1)[:, ::-1]
    f = at_most / n
    with np.errstate(divide="ignore"):
        np.put_along_axis(out, order, np.log(f / (1.0 - f)), axis=1)
