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
    "decreasing_positions",
    "ecdf_counts_from_order",
    "ecdf_from_order",
    "ecdf_rows",
    "gaussian_rows",
    "poisson_rows",
    "rank_counts",
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


@numba.njit(nogil=True, cache=True, error_model="numpy", inline="always")
def _signed_index(d: float, h: float, scale: float, cap: float, resolution: int) -> int:
    """``sign(d)`` times GSVA's table index of ``|d / h|`` (``scale = 1000 / h``).

    ``d * scale`` equals GSVA's ``d / h / 10 * 10000`` up to a few roundings (< 1e-11
    table steps) and truncation is symmetric about 0, so its integer part is GSVA's
    index (with the sign of ``d``) unless it lies within ``_INDEX_MARGIN`` of an
    integer: then GSVA's exact operation sequence decides (rare). The index depends
    on ``|d|`` only, so the pairs ``(j, i)`` and ``(i, j)`` get opposite indices.
    """
    t = min(max(d * scale, -cap), cap)
    k = int(t)
    frac = abs(t - k)
    if frac < _INDEX_MARGIN or frac > 1.0 - _INDEX_MARGIN:
        k = _exact_index(d, h, resolution)
        if d < 0.0:
            k = -k
    return k


@numba.njit(nogil=True, cache=True, error_model="numpy", inline="always")
def _log_odds(total: float, n: int) -> float:
    """GSVA's statistic ``-log((1 - F) / F)`` of ``F = total / n``."""
    return -1.0 * np.log((1.0 - total / n) / (total / n))


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _gaussian_gene(
    x: np.ndarray, h: float, table: np.ndarray, left: np.ndarray, out: np.ndarray
) -> None:
    """GSVA's Gaussian statistic of one gene; each pair of samples' index computed once.

    ``table[resolution + k]`` is GSVA's ``Phi`` at index ``k`` for ``k >= 0`` and
    ``1 - Phi`` at ``-k`` for ``k < 0`` (the pair ``(j, i)`` with ``x_j < x_i``). The
    sum of sample ``j`` must run over ``i`` in sample order, like the C loop. Samples
    are taken four at a time (tile ``a``): their sums (registers) first receive the
    pairs inside the tile, then every later sample ``i`` in order, whose own sum
    ``left[i]`` receives the opposite entry of the same pair. ``left[i]`` thus holds,
    when its tile comes, the terms of every earlier sample in order: each sum runs in
    sample order, with the same terms as GSVA's. The four lanes compute their indices
    without a branch; only when one of them lies within ``_INDEX_MARGIN`` of an
    integer are the four recomputed by :func:`_signed_index`. The last ``n % 4``
    samples finish their sums over themselves one pair at a time.
    """
    n = x.shape[0]
    resolution = (table.shape[0] - 1) // 2
    scale = 1000.0 / h
    cap = resolution + 0.5
    tiled = n - n % 4
    left[:n] = 0.0
    for a in range(0, tiled, 4):
        y0, y1, y2, y3 = x[a], x[a + 1], x[a + 2], x[a + 3]
        s0, s1, s2, s3 = left[a], left[a + 1], left[a + 2], left[a + 3]
        for i in range(a, a + 4):
            xi = x[i]
            s0 += table[resolution + _signed_index(y0 - xi, h, scale, cap, resolution)]
            s1 += table[resolution + _signed_index(y1 - xi, h, scale, cap, resolution)]
            s2 += table[resolution + _signed_index(y2 - xi, h, scale, cap, resolution)]
            s3 += table[resolution + _signed_index(y3 - xi, h, scale, cap, resolution)]
        for i in range(a + 4, n):
            xi = x[i]
            d0, d1, d2, d3 = y0 - xi, y1 - xi, y2 - xi, y3 - xi
            t0 = min(max(d0 * scale, -cap), cap)
            t1 = min(max(d1 * scale, -cap), cap)
            t2 = min(max(d2 * scale, -cap), cap)
            t3 = min(max(d3 * scale, -cap), cap)
            k0, k1, k2, k3 = int(t0), int(t1), int(t2), int(t3)
            f0, f1, f2, f3 = abs(t0 - k0), abs(t1 - k1), abs(t2 - k2), abs(t3 - k3)
            # one branch for the four lanes (rarely taken): 5% less CPU than four
            near = (
                (f0 < _INDEX_MARGIN)
                | (f0 > 1.0 - _INDEX_MARGIN)
                | (f1 < _INDEX_MARGIN)
                | (f1 > 1.0 - _INDEX_MARGIN)
                | (f2 < _INDEX_MARGIN)
                | (f2 > 1.0 - _INDEX_MARGIN)
                | (f3 < _INDEX_MARGIN)
                | (f3 > 1.0 - _INDEX_MARGIN)
            )
            if near:
                k0 = _signed_index(d0, h, scale, cap, resolution)
                k1 = _signed_index(d1, h, scale, cap, resolution)
                k2 = _signed_index(d2, h, scale, cap, resolution)
                k3 = _signed_index(d3, h, scale, cap, resolution)
            s0 += table[resolution + k0]
            s1 += table[resolution + k1]
            s2 += table[resolution + k2]
            s3 += table[resolution + k3]
            other = left[i]
            other += table[resolution - k0]
            other += table[resolution - k1]
            other += table[resolution - k2]
            other += table[resolution - k3]
            left[i] = other
        out[a] = _log_odds(s0, n)
        out[a + 1] = _log_odds(s1, n)
        out[a + 2] = _log_odds(s2, n)
        out[a + 3] = _log_odds(s3, n)
    for j in range(tiled, n):
        total = left[j]
        y = x[j]
        for i in range(tiled, n):
            total += table[resolution + _signed_index(y - x[i], h, scale, cap, resolution)]
        out[j] = _log_odds(total, n)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def gaussian_rows(x: np.ndarray, bw: np.ndarray, table: np.ndarray, out: np.ndarray) -> None:
    """GSVA 1.46's Gaussian kernel statistic of every row of ``x`` into ``out``.

    ``table`` is GSVA's table of Phi mirrored (``_kcdf.CDF_TABLE_SYMMETRIC``): entry
    ``resolution + k`` is Phi at index ``k`` for ``k >= 0``, ``1 - Phi`` at ``-k`` for
    ``k < 0``. Each unordered pair of samples is indexed once for both of its sums
    (:func:`_gaussian_gene`): 0.63x the CPU of indexing every ordered pair at 2,000
    genes x 400 samples, with the same numbers.
    """
    left = np.empty(x.shape[1])
    for g in range(x.shape[0]):
        _gaussian_gene(x[g], bw[g], table, left, out[g])


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
def decreasing_positions(block: np.ndarray, union: np.ndarray, position: np.ndarray) -> None:
    """0-based positions of the ``union`` columns in each row sorted by decreasing value.

    Tied values in column order (a stable sort of the negated row; ``union``
    ascending). No sort of the whole row: the position of a selected column is the
    number of the row's values above its value (plus tied values in earlier columns).
    The selected values are sorted (``m`` of them) and every value of the row is
    placed among them through a table of ``4 m`` equal-width buckets over their range
    (a bucket's first selected value, then a scan of its few values), ``O(n_genes)``
    per row rather than a sort's ``O(n_genes log n_genes)``. Working on negated
    values, ``count[p]`` counts the row's values with exactly ``p`` selected values
    ``<=`` them.
    """
    n_rows, n = block.shape
    m = union.shape[0]
    n_buckets = 4 * m
    top = float(n_buckets - 1)
    negated = np.empty(m)
    ordered = np.empty(m)
    column = np.empty(m, dtype=np.int64)
    first = np.empty(n_buckets + 1, dtype=np.int64)
    count = np.empty(m + 1, dtype=np.int64)
    earlier = np.empty(m, dtype=np.int64)
    for s in range(n_rows):
        row = block[s]
        for q in range(m):
            negated[q] = -row[union[q]]
        order = np.argsort(negated, kind="mergesort")  # ties in column order
        for p in range(m):
            ordered[p] = negated[order[p]]
            column[p] = union[order[p]]
        # buckets over the finite values (infinite statistics: kcdf="none" with NA
        # cells); any monotone bucket function gives the same counts
        lo, hi = 0, m - 1
        while lo < m - 1 and ordered[lo] == -np.inf:
            lo += 1
        while hi > 0 and ordered[hi] == np.inf:
            hi -= 1
        low = ordered[lo]
        spread = ordered[hi] - low
        scale = n_buckets / spread if 0.0 < spread < np.inf else 0.0
        bucket = 0
        for p in range(m):  # first[k]: the first sorted selected value in bucket >= k
            b = _bucket(ordered[p], low, scale, top)
            while bucket <= b:
                first[bucket] = p
                bucket += 1
        first[bucket:] = m
        count[:] = 0
        earlier[:] = 0
        for g in range(n):
            w = -row[g]
            # selected values <= w: those of earlier buckets, then a scan of its own
            p = first[_bucket(w, low, scale, top)]
            while p < m and ordered[p] <= w:
                p += 1
            count[p] += 1
            q = p - 1
            while q >= 0 and ordered[q] == w:  # tied: counts for later columns
                if column[q] > g:
                    earlier[q] += 1
                q -= 1
        below = 0
        for p in range(m):
            below += count[p]
            position[s, order[p]] = below + earlier[p]


@numba.njit(nogil=True, cache=True, error_model="numpy", inline="always")
def _bucket(w: float, low: float, scale: float, top: float) -> int:
    """Bucket of ``w`` (monotone in ``w``): ``(w - low) * scale`` truncated to 0..top."""
    t = (w - low) * scale
    if not t >= 0.0:  # below the range, or nan (scale 0 times an infinite value)
        t = 0.0
    return int(min(t, top))


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
