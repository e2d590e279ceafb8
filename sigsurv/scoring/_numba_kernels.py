"""Compiled (numba) kernels of the scoring methods; imported only through ``_engine``.

Every kernel is a serial, GIL-free (``nogil=True``) function over a block of rows
(genes for GSVA's kernel CDF, samples for the rank methods); ``_ranks.run_blocks``
runs blocks on threads. Each kernel uses ``O(row length)`` scratch memory, never a
``samples x samples`` array.

The kernels repeat, term by term and in the same order, the floating-point
operations of the numpy implementations they replace (``_kcdf`` and ``_ranks``), so
both engines give identical results (checked by ``tests/scoring/test_engines.py``).
``error_model="numpy"``: a division by zero gives inf / nan as in numpy and C.
"""

from __future__ import annotations

import ctypes

import numba
import numpy as np
from numba.extending import get_cython_function_address

__all__ = [
    "ecdf_counts_from_order",
    "ecdf_from_order",
    "ecdf_rows",
    "gaussian_rows",
    "poisson_rows",
    "rank_counts",
    "stable_positions",
]

# R's ppois(k, lambda) = pgamma(lambda, k + 1, lower.tail = FALSE): the regularised
# upper incomplete gamma function, taken from scipy's C implementation (the same
# function as the numpy fallback's scipy.special.gammaincc).
_gammaincc = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)(
    get_cython_function_address("scipy.special.cython_special", "gammaincc")
)

# Margin (in table steps) within which the fast table index is recomputed with
# GSVA's exact operation sequence; the fast index differs from it by < 1e-11 steps.
_INDEX_MARGIN = 1e-7


@numba.njit(nogil=True, cache=True, error_model="numpy", inline="always")
def _exact_index(d: float, h: float, resolution: int) -> int:
    """GSVA's own operation sequence for the table index of ``|d / h|``."""
    exact = abs(d / h) / 10.0 * 10000.0
    return resolution if exact >= resolution else int(exact)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _gaussian_gene_lanes(
    x: np.ndarray, h: float, signed_table: np.ndarray, out: np.ndarray
) -> None:
    """GSVA's Gaussian statistic of one gene, four samples at a time.

    |d| * (1000 / h) equals GSVA's |d / h| / 10 * 10000 up to a few roundings (< 1e-11
    table steps), so its integer part is GSVA's table index unless it lies within
    _INDEX_MARGIN of an integer: then GSVA's exact operation sequence decides. The
    table's first half is Phi(v) for v >= 0, its second half 1 - Phi(|v|) for v < 0.
    Each sample's sum runs over i in sample order, like the C loop. The four
    lanes compute their table indices without a branch; only when one of them lies
    within ``_INDEX_MARGIN`` of an integer (rare) are the four recomputed with GSVA's
    own operation sequence where needed.
    """
    n = x.shape[0]
    resolution = signed_table.shape[0] // 2 - 1
    width = resolution + 1
    scale = 1000.0 / h
    cap = resolution + 0.5
    low = _INDEX_MARGIN
    high = 1.0 - _INDEX_MARGIN
    j = 0
    while j + 4 <= n:
        y0, y1, y2, y3 = x[j], x[j + 1], x[j + 2], x[j + 3]
        left0 = left1 = left2 = left3 = 0.0
        for i in range(n):
            xi = x[i]
            d0, d1, d2, d3 = y0 - xi, y1 - xi, y2 - xi, y3 - xi
            t0 = min(abs(d0) * scale, cap)
            t1 = min(abs(d1) * scale, cap)
            t2 = min(abs(d2) * scale, cap)
            t3 = min(abs(d3) * scale, cap)
            k0, k1, k2, k3 = int(t0), int(t1), int(t2), int(t3)
            f0, f1, f2, f3 = t0 - k0, t1 - k1, t2 - k2, t3 - k3
            near = (
                (f0 < low)
                | (f0 > high)
                | (f1 < low)
                | (f1 > high)
                | (f2 < low)
                | (f2 > high)
                | (f3 < low)
                | (f3 > high)
            )
            if near:
                if f0 < low or f0 > high:
                    k0 = _exact_index(d0, h, resolution)
                if f1 < low or f1 > high:
                    k1 = _exact_index(d1, h, resolution)
                if f2 < low or f2 > high:
                    k2 = _exact_index(d2, h, resolution)
                if f3 < low or f3 > high:
                    k3 = _exact_index(d3, h, resolution)
            left0 += signed_table[k0 + width * (d0 < 0.0)]
            left1 += signed_table[k1 + width * (d1 < 0.0)]
            left2 += signed_table[k2 + width * (d2 < 0.0)]
            left3 += signed_table[k3 + width * (d3 < 0.0)]
        out[j] = -1.0 * np.log((1.0 - left0 / n) / (left0 / n))
        out[j + 1] = -1.0 * np.log((1.0 - left1 / n) / (left1 / n))
        out[j + 2] = -1.0 * np.log((1.0 - left2 / n) / (left2 / n))
        out[j + 3] = -1.0 * np.log((1.0 - left3 / n) / (left3 / n))
        j += 4
    if j < n:
        _gaussian_gene_tail(x, h, signed_table, out, j)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _gaussian_gene_tail(
    x: np.ndarray, h: float, signed_table: np.ndarray, out: np.ndarray, first: int
) -> None:
    """:func:`_gaussian_gene_lanes`, one sample at a time, for samples ``first..n-1``."""
    n = x.shape[0]
    resolution = signed_table.shape[0] // 2 - 1
    width = resolution + 1
    scale = 1000.0 / h
    cap = resolution + 0.5
    for j in range(first, n):
        y = x[j]
        left = 0.0
        for i in range(n):
            d = y - x[i]
            t = min(abs(d) * scale, cap)
            k = int(t)
            frac = t - k
            if frac < _INDEX_MARGIN or frac > 1.0 - _INDEX_MARGIN:
                k = _exact_index(d, h, resolution)
            left += signed_table[k + width * (d < 0.0)]
        left = left / n
        out[j] = -1.0 * np.log((1.0 - left) / left)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def gaussian_rows(x: np.ndarray, bw: np.ndarray, signed_table: np.ndarray, out: np.ndarray) -> None:
    """GSVA 1.46's Gaussian kernel statistic of every row of ``x`` into ``out``.

    ``signed_table`` is GSVA's table of Phi followed by ``1 - table``. Four samples'
    sums run side by side (:func:`_gaussian_gene_lanes`): 10% less CPU than one at a
    time at 4,000 genes x 400 samples, with the same numbers.
    """
    for g in range(x.shape[0]):
        _gaussian_gene_lanes(x[g], bw[g], signed_table, out[g])


@numba.njit(nogil=True, error_model="numpy")  # not cached: it calls a C pointer
def poisson_rows(x: np.ndarray, out: np.ndarray) -> None:
    """GSVA 1.46's Poisson kernel statistic (``ppois(y_j, x_i + 0.5)``) of every row.

    Samples with equal ``floor(y + 1e-7)`` share one sum (computed in sample order).
    """
    n = x.shape[1]
    for g in range(x.shape[0]):
        row = x[g]
        keys = np.floor(row + 1e-7)
        order = np.argsort(keys, kind="mergesort")
        start = 0
        while start < n:
            key = keys[order[start]]
            stop = start + 1
            while stop < n and keys[order[stop]] == key:
                stop += 1
            s = 0.0
            if key >= 0.0:
                for i in range(n):
                    lam = row[i] + 0.5
                    s += _gammaincc(key + 1.0, lam)
            left = s / n
            value = -1.0 * np.log((1.0 - left) / left)
            for m in range(start, stop):
                out[g, order[m]] = value
            start = stop


@numba.njit(nogil=True, cache=True, error_model="numpy")
def ecdf_rows(x: np.ndarray, out: np.ndarray) -> None:
    """``log(F / (1 - F))`` with ``F`` the empirical CDF of the row (share ``<=``)."""
    n = x.shape[1]
    for g in range(x.shape[0]):
        row = x[g]
        ordered = np.sort(row)
        at_most = np.searchsorted(ordered, row, side="right")
        for j in range(n):
            f = at_most[j] / n
            out[g, j] = np.log(f / (1.0 - f))


@numba.njit(nogil=True, cache=True, error_model="numpy")
def ecdf_from_order(x: np.ndarray, order: np.ndarray, out: np.ndarray) -> None:
    """:func:`ecdf_rows` given each row's ascending order (``np.argsort``, any tie order).

    One linear pass per row over its sorted values: a tie group's count of values
    ``<=`` is the position after its last member, whatever the order within it.
    """
    n = x.shape[1]
    for g in range(x.shape[0]):
        row = x[g]
        index = order[g]
        last = n - 1
        while last >= 0:
            value = row[index[last]]
            first = last
            while first > 0 and row[index[first - 1]] == value:
                first -= 1
            f = (last + 1) / n
            statistic = np.log(f / (1.0 - f))
            for r in range(first, last + 1):
                out[g, index[r]] = statistic
            last = first - 1


@numba.njit(nogil=True, cache=True, error_model="numpy")
def ecdf_counts_from_order(x: np.ndarray, order: np.ndarray, out: np.ndarray) -> None:
    """Per row, the count of the row's values ``<=`` each value (``n F``), from its order."""
    n = x.shape[1]
    for g in range(x.shape[0]):
        row = x[g]
        index = order[g]
        last = n - 1
        while last >= 0:
            value = row[index[last]]
            first = last
            while first > 0 and row[index[first - 1]] == value:
                first -= 1
            for r in range(first, last + 1):
                out[g, index[r]] = last + 1
            last = first - 1


@numba.njit(nogil=True, cache=True, error_model="numpy")
def stable_positions(
    block: np.ndarray, order: np.ndarray, union: np.ndarray, position: np.ndarray
) -> None:
    """0-based positions of the ``union`` columns in a stable ascending sort of each row.

    ``order`` is any ascending order of each row (``np.argsort``, ties in any order);
    within a tie group the columns are then put in column order, as a stable sort
    does: a column's position is its group's first position plus the number of group
    members in earlier columns (``O(group size)`` per selected column).
    """
    n_samples, n = block.shape
    inverse = np.empty(n, dtype=np.int64)
    for s in range(n_samples):
        row = block[s]
        index = order[s]
        for p in range(n):
            inverse[index[p]] = p
        for q in range(union.shape[0]):
            column = union[q]
            value = row[column]
            first = inverse[column]
            while first > 0 and row[index[first - 1]] == value:
                first -= 1
            earlier = 0
            p = first
            while p < n and row[index[p]] == value:
                if index[p] < column:
                    earlier += 1
                p += 1
            position[s, q] = first + earlier


@numba.njit(nogil=True, cache=True, error_model="numpy")
def rank_counts(
    block: np.ndarray,
    union: np.ndarray,
    lt: np.ndarray,
    le: np.ndarray,
    position: np.ndarray,
    stable: bool,
) -> None:
    """Per sample (row of ``block``): counts of values ``<`` / ``<=`` each selected gene.

    With ``stable``, also each selected gene's 0-based position in a stable ascending
    sort (tied values in column order). Costs ``O(n_genes log n_selected)`` per
    sample: the selected values are sorted and every value of the sample is located
    among them by binary search (no sort of the whole sample).
    """
    n_samples, n_genes = block.shape
    m = union.shape[0]
    query = np.empty(m)
    below = np.empty(m + 1, dtype=np.int64)
    at_most = np.empty(m + 1, dtype=np.int64)
    before = np.empty(m + 1, dtype=np.int64)
    for s in range(n_samples):
        row = block[s]
        for q in range(m):
            query[q] = row[union[q]]
        # selected genes by value, ties by column: `before` then counts tied genes
        # in earlier columns
        order = np.argsort(query, kind="mergesort")
        sorted_query = query[order]
        sorted_column = union[order]
        below[:] = 0
        at_most[:] = 0
        before[:] = 0
        for i in range(n_genes):
            v = row[i]
            first_ge = np.searchsorted(sorted_query, v, side="left")
            first_gt = first_ge
            if first_ge < m and sorted_query[first_ge] == v:
                first_gt = np.searchsorted(sorted_query, v, side="right")
            below[first_gt] += 1  # v < query[q] for q >= first_gt
            at_most[first_ge] += 1  # v <= query[q] for q >= first_ge
            if stable and first_gt > first_ge:
                # tied with sorted_query[first_ge:first_gt] (columns ascending): count
                # it for the tied genes in later columns
                later = first_ge + np.searchsorted(
                    sorted_column[first_ge:first_gt], i, side="right"
                )
                before[later] += 1
                before[first_gt] -= 1
        run_lt = 0
        run_le = 0
        run_before = 0
        for q in range(m):
            run_lt += below[q]
            run_le += at_most[q]
            run_before += before[q]
            target = order[q]
            lt[s, target] = run_lt
            le[s, target] = run_le
            if stable:
                position[s, target] = run_lt + run_before
