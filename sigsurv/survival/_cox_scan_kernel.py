"""Compiled (numba) Newton–Raphson of the univariate Cox scan, one gene per thread (private).

The same arithmetic as :meth:`sigsurv.survival._risk_sets.GeneRiskSets.derivs` and
``cox_scan._newton_genes`` (R's ``coxfit6``), written per gene so that the risk-set
sums are one O(samples) pass per Newton step instead of a Python loop over samples
that adds whole rows of genes. Genes are independent, so they run in parallel
(``prange``); every gene follows its own iteration exactly as in the vectorised
path (same start, step halving, convergence rule and flags). Sums run in the same
order as the NumPy path; exp and log are this module's vectorised, faithfully rounded
versions (below 1 ulp, libm's are below 0.51), so results agree to rounding (about
1e-15 relative). Per evaluation: one vectorised exp pass, one pass of running sums,
one pass over the events; at beta = 0 the log risk-set sums are shared by all genes.

Importing this module imports numba; :mod:`sigsurv.survival.cox_scan` imports it
lazily and falls back to the NumPy path when numba is not installed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

import numba
import numpy as np

if TYPE_CHECKING:
    from sigsurv.survival._risk_sets import GeneRiskSets

__all__ = ["KernelFits", "available_threads", "scan_genes", "thread_limit"]

# error_model="numpy": a division by zero gives inf/nan (as in the NumPy path), not an
# exception; no fastmath, so the arithmetic is IEEE in the written order.
_jit = numba.njit(nogil=True, cache=True, error_model="numpy")
_jit_parallel = numba.njit(nogil=True, cache=True, error_model="numpy", parallel=True)


class KernelFits(NamedTuple):
    """Per-gene results; NaN where the vectorised path leaves NaN."""

    loglik0: np.ndarray
    u0: np.ndarray
    info0: np.ndarray
    coef: np.ndarray
    info: np.ndarray
    u: np.ndarray
    loglik: np.ndarray
    iterations: np.ndarray
    ran_out: np.ndarray
    scale: np.ndarray
    sd: np.ndarray


# exp(t) = 2**k * exp(r), k = round(t / ln 2), r = t - k ln 2 (|r| <= ln(2) / 2; ln 2 in
# two parts so that k * _LN2_HI is exact): fdlibm's reduction. exp(r) by its Taylor
# polynomial of degree 13 (truncation error below 1e-17 relative). Written without
# calls so that LLVM vectorises the loop over samples; faithfully rounded (measured
# within 0.94 ulp of the exact value over [-700, 700], against 0.5 for libm's exp).
_LOG2E = 1.4426950408889634
_ROUND = 6755399441055744.0  # 1.5 * 2**52: t / ln 2 + _ROUND rounds to an integer k
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_EXP_BIAS = 1023 << 52
_C = tuple(1.0 / math.factorial(k) for k in range(14))
_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13 = _C[2:]
#: |x * beta| below which every 2**k is a normal number (libm's exp beyond).
_EXP_RANGE = 700.0


@_jit
def _exp_weights(x: np.ndarray, beta: float, n: int, risk: np.ndarray, spare: np.ndarray) -> None:
    """``risk[i] = exp(x[i] * beta)`` for i < n, |x[i] * beta| <= _EXP_RANGE (vectorised).

    ``spare`` is a work row; 2**k is built in its bits from the rounding sum (its
    low mantissa bits hold k).
    """
    for i in range(n):
        t = x[i] * beta
        shifted = t * _LOG2E + _ROUND
        k = shifted - _ROUND
        r = (t - k * _LN2_HI) - k * _LN2_LO
        p = _C12 + r * _C13  # Horner
        p = _C6 + r * (_C7 + r * (_C8 + r * (_C9 + r * (_C10 + r * (_C11 + r * p)))))
        p = _C2 + r * (_C3 + r * (_C4 + r * (_C5 + r * p)))
        risk[i] = 1.0 + (r + (r * r) * p)
        spare[i] = shifted
    bits = spare[:n].view(np.int64)
    for i in range(n):
        bits[i] = (bits[i] << 52) + _EXP_BIAS  # (k + 1023) << 52: the double 2**k
    for i in range(n):
        risk[i] = risk[i] * spare[i]


@_jit
def _risk_weights(
    x: np.ndarray, beta: float, bound: float, n: int, risk: np.ndarray, spare: np.ndarray
) -> None:
    """``risk[i] = exp(x[i] * beta)``, i < n; ``bound`` is max |x|."""
    if beta == 0.0:  # exp(x * 0) is exactly 1: the first evaluation needs no exp
        risk[:n] = 1.0
    elif abs(beta) * bound <= _EXP_RANGE:
        _exp_weights(x, beta, n, risk, spare)
    else:  # huge trial steps (overflow, subnormals, NaN): libm
        for i in range(n):
            risk[i] = math.exp(x[i] * beta)


# log(v) = k ln 2 + log(m), v = 2**k m with m in [sqrt(1/2), sqrt(2)): fdlibm's
# __ieee754_log (its minimax polynomial Lg1..Lg7, error below 1 ulp), again without
# calls so that the loop vectorises (measured within 0.8 ulp of the exact value).
_LG1, _LG2, _LG3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
_LG4, _LG5 = 2.222219843214978396e-01, 1.818357216161805012e-01
_LG6, _LG7 = 1.531383769920937332e-01, 1.479819860511658591e-01
_SQRT_HALF_BITS = 0x3FE6A09E667F3BCD  # the double sqrt(1/2)
_SMALLEST_NORMAL = 2.2250738585072014e-308


@_jit
def _logs(values: np.ndarray, out: np.ndarray, spare: np.ndarray) -> None:
    """``out[i] = log(values[i])``, vectorised for positive normal values (libm otherwise:
    zeros, infinities, NaN and subnormals give exactly libm's answers).

    ``spare`` is a work row as long as ``values``.
    """
    n = values.shape[0]
    normal = True
    for i in range(n):
        normal &= (values[i] >= _SMALLEST_NORMAL) & (values[i] < math.inf)  # no branch
    if not normal:
        for i in range(n):
            out[i] = math.log(values[i])
        return
    bits = values.view(np.int64)
    mantissa = spare[:n].view(np.int64)
    for i in range(n):
        k = (bits[i] - _SQRT_HALF_BITS) >> 52
        mantissa[i] = bits[i] - (k << 52)  # values[i] / 2**k, in [sqrt(1/2), sqrt(2))
        out[i] = k
    for i in range(n):
        f = spare[i] - 1.0
        dk = out[i]
        hfsq = 0.5 * f * f
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
        t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
        out[i] = s * (hfsq + (t2 + t1)) + dk * _LN2_LO - hfsq + f + dk * _LN2_HI


@_jit
def _gene_derivs(
    x: np.ndarray,
    beta: float,
    gene: tuple[float, float],
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    segments: np.ndarray,
    work: np.ndarray,
    tied: np.ndarray,
    null_log: float,
) -> tuple[float, float, float]:
    """Log partial likelihood, score and information of one gene at ``beta``.

    ``gene``: the sum of x over the events and max |x|; ``segments``: where the
    running sums start (strata) and, last, the number of samples they cover;
    ``null_log``: the sum of the log risk-set sums at beta = 0, the same for every
    gene (NaN: compute it).
    """
    death_pos, risk_end, tied_pos, tied_bounds, efron_rows, efron_block = rs
    dead_sum, bound = gene
    eta_dead = 0.0
    for k in range(death_pos.shape[0]):
        eta_dead += x[death_pos[k]] * beta
    risk = work[3]
    _risk_weights(x, beta, bound, segments[-1], risk, work[4])
    # Risk-set sums in one pass: running sums over samples in decreasing time,
    # restarting per stratum (``own + previous``, exactly the NumPy path's cumsum).
    for seg in range(segments.shape[0] - 1):
        first = segments[seg]
        r = risk[first]
        s0, s1 = r, r * x[first]
        s2 = s1 * x[first]
        work[0, first], work[1, first], work[2, first] = s0, s1, s2
        for i in range(first + 1, segments[seg + 1]):
            r = risk[i]
            rx = r * x[i]
            s0 = r + s0
            s1 = rx + s1
            s2 = rx * x[i] + s2
            work[0, i] = s0
            work[1, i] = s1
            work[2, i] = s2
    # Efron: the tied events' own moments (from their kept risk weights: the same
    # products as in the pass above, summed in the NumPy path's order).
    n_blocks = tied_bounds.shape[0] if efron_rows.shape[0] else 0  # Breslow: unused
    for b in range(n_blocks):
        end = tied_pos.shape[0] if b + 1 == n_blocks else tied_bounds[b + 1]
        j = tied_bounds[b]
        t0 = risk[tied_pos[j]]
        t1 = t0 * x[tied_pos[j]]
        t2 = t1 * x[tied_pos[j]]
        for j in range(tied_bounds[b] + 1, end):  # in registers, not through memory
            r = risk[tied_pos[j]]
            rx = r * x[tied_pos[j]]
            t0 += r
            t1 += rx
            t2 += rx * x[tied_pos[j]]
        tied[0, b], tied[1, b], tied[2, b] = t0, t1, t2
    n_deaths = risk_end.shape[0]
    denominators = work[4, :n_deaths]  # spare row free again
    mean_sum = 0.0
    info = 0.0
    next_efron = 0
    for d in range(risk_end.shape[0]):
        e = risk_end[d]
        s0, s1, s2 = work[0, e], work[1, e], work[2, e]
        if next_efron < efron_rows.shape[0] and efron_rows[next_efron] == d:
            frac = efron_frac[next_efron]
            b = efron_block[next_efron]
            s0 = s0 - frac * tied[0, b]
            s1 = s1 - frac * tied[1, b]
            s2 = s2 - frac * tied[2, b]
            next_efron += 1
        mean = s1 / s0
        denominators[d] = s0
        mean_sum += mean
        info += s2 / s0 - mean * mean
    if math.isnan(null_log) or beta != 0.0:
        logs = work[5, :n_deaths]
        _logs(denominators, logs, work[3, :n_deaths])  # risk weights no longer needed
        log_denom = 0.0
        for d in range(n_deaths):
            log_denom += logs[d]
    else:
        log_denom = null_log
    return eta_dead - log_denom, dead_sum - mean_sum, info


@_jit
def _solve1(u: float, info: float) -> float:
    return u / info if info != 0 else 0.0


@_jit
def _finite(a: float, b: float, c: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and math.isfinite(c)


@_jit
def _newton_gene(
    x: np.ndarray,
    gene: tuple[float, float],
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    segments: np.ndarray,
    max_iter: int,
    eps: float,
    out: np.ndarray,
    work: np.ndarray,
    tied: np.ndarray,
    null_log: float,
) -> None:
    """R's coxfit6 for one gene; ``out`` gets loglik0, u0, info0, coef, info, u,
    loglik, iterations, ran_out (as floats)."""
    lk0, u0, info0 = _gene_derivs(x, 0.0, gene, rs, efron_frac, segments, work, tied, null_log)
    out[0], out[1], out[2] = lk0, u0, info0
    out[3:7] = np.nan
    out[7], out[8] = 0.0, 0.0
    if max_iter == 0:
        out[3], out[4], out[5], out[6] = 0.0, info0, u0, lk0
        return
    if not math.isfinite(lk0):
        return
    beta = 0.0
    newbeta = _solve1(u0, info0)
    best = lk0
    halving = 0.0
    for iteration in range(1, max_iter + 1):
        lk, u, info = _gene_derivs(x, newbeta, gene, rs, efron_frac, segments, work, tied, null_log)
        finite = _finite(lk, u, info)
        if finite and abs(1.0 - best / lk) <= eps:
            out[3], out[4], out[5], out[6], out[7] = newbeta, info, u, lk, iteration
            return
        if not finite or lk < best:
            halving += 1.0
            newbeta = (newbeta + halving * beta) / (halving + 1.0)
        else:
            halving = 0.0
            best = lk
            step = _solve1(u, info)
            beta = newbeta
            newbeta = newbeta + step
    # Ran out of iterations: R reports the last accepted coefficients.
    out[8] = 1.0
    out[7] = max_iter + 1
    out[3] = beta
    if max_iter > 1:
        lk, u, info = _gene_derivs(x, beta, gene, rs, efron_frac, segments, work, tied, null_log)
        out[4], out[5], out[6] = info, u, lk
    else:
        out[6] = best


@_jit
def _prepare_gene(
    row: np.ndarray, order: np.ndarray, death_pos: np.ndarray, xc: np.ndarray
) -> tuple[float, float, float, float]:
    """``cox_scan._scan_block``'s centring and scaling of one gene, same operation order.

    Fills ``xc`` (samples in the risk-set layout) and returns the scale, the standard
    deviation, the sum over the events and max |xc|. NumPy reduces a samples x genes
    block row after row, i.e. sequentially per gene, as here.
    """
    n = order.shape[0]
    doscale = False
    total = 0.0
    for i in range(n):
        v = row[order[i]]
        xc[i] = v
        total += v
        if v != 0.0 and v != 1.0 and v != -1.0:
            doscale = True
    mean = total / n
    centre = mean if doscale else 0.0
    squares = mad = largest = 0.0
    for i in range(n):
        d = xc[i] - mean
        squares += d * d
        xc[i] = xc[i] - centre
        mad += abs(xc[i])
        largest = max(largest, abs(xc[i]))
    sd = math.sqrt(squares / (n - 1)) if n > 1 else math.nan
    scale = n / mad if doscale and mad > 0 else 1.0
    for i in range(n):
        xc[i] = xc[i] * scale
    dead_sum = 0.0
    for k in range(death_pos.shape[0]):
        dead_sum += xc[death_pos[k]]
    # Rounding is monotone: max |xc * scale| is exactly max |xc| * scale.
    bound = largest * scale
    return scale, sd, dead_sum, bound


@_jit
def _scan_genes(
    values: np.ndarray,
    order: np.ndarray,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    segments: np.ndarray,
    max_iter: int,
    eps: float,
    out: np.ndarray,
) -> None:
    """Centre, scale and fit each row of ``values``; ``out`` rows as :func:`_newton_gene`,
    then scale, sd. Work arrays are allocated once for all the rows."""
    n = order.shape[0]
    xc = np.empty(n)
    work = np.empty((6, n))  # running sums of r, r x, r x^2; r itself; two spare rows
    tied = np.empty((3, max(rs[3].shape[0], 1)))
    # At beta = 0 every risk weight is 1: the log risk-set sums are the same for all
    # genes, computed once (x = 0 leaves the log-likelihood at minus their sum).
    xc[:] = 0.0
    null_log = -_gene_derivs(xc, 0.0, (0.0, 0.0), rs, efron_frac, segments, work, tied, np.nan)[0]
    for g in range(values.shape[0]):
        scale, sd, dead_sum, bound = _prepare_gene(values[g], order, rs[0], xc)
        gene, fit = (dead_sum, bound), out[g, :9]
        _newton_gene(xc, gene, rs, efron_frac, segments, max_iter, eps, fit, work, tied, null_log)
        out[g, 9], out[g, 10] = scale, sd


#: Genes per task of the parallel loop (each task allocates its work arrays once).
_GENES_PER_TASK = 64


@_jit_parallel
def _scan_parallel(
    values: np.ndarray,
    order: np.ndarray,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    segments: np.ndarray,
    max_iter: int,
    eps: float,
) -> np.ndarray:
    n_genes = values.shape[0]
    out = np.empty((n_genes, 11))
    n_tasks = (n_genes + _GENES_PER_TASK - 1) // _GENES_PER_TASK
    for task in numba.prange(n_tasks):
        lo = task * _GENES_PER_TASK
        hi = min(lo + _GENES_PER_TASK, n_genes)
        _scan_genes(values[lo:hi], order, rs, efron_frac, segments, max_iter, eps, out[lo:hi])
    return out


@_jit
def _scan_serial(
    values: np.ndarray,
    order: np.ndarray,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    segments: np.ndarray,
    max_iter: int,
    eps: float,
) -> np.ndarray:
    """One thread, no parallel region: safe to call from several threads at once
    (Dask threads) whatever numba's threading layer."""
    out = np.empty((values.shape[0], 11))
    _scan_genes(values, order, rs, efron_frac, segments, max_iter, eps, out)
    return out


def _segments(rs: GeneRiskSets) -> np.ndarray:
    """Where the running sums restart (each stratum's first sample) and their end."""
    n = int(rs.n_cumulative)
    starts = np.flatnonzero(rs.stratum_start[:n])
    return np.unique(np.concatenate([[0], starts, [n]])).astype(np.int64)


def scan_genes(
    values: np.ndarray, rs: GeneRiskSets, max_iter: int, eps: float, *, parallel: bool = True
) -> KernelFits:
    """Centre, scale and fit every row of ``values`` (genes x samples, caller's order).

    ``parallel``: genes spread over numba's threads (see :func:`thread_limit`);
    False runs them in this thread only.

    Examples
    --------
    >>> from sigsurv.survival._risk_sets import GeneRiskSets
    >>> rs = GeneRiskSets(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 0, 1, 1]), True)
    >>> fits = scan_genes(np.array([[0.5, 0.1, 0.9, 0.2]]), rs, 20, 1e-9)
    >>> fits.iterations.tolist(), bool(fits.ran_out[0])
    ([4], False)
    """
    names = "death_pos risk_end tied_death_pos tied_bounds efron_rows efron_block".split()
    scan = _scan_parallel if parallel else _scan_serial
    out = scan(
        np.ascontiguousarray(values, dtype=np.float64),
        np.ascontiguousarray(rs.order, dtype=np.int64),
        tuple(np.ascontiguousarray(getattr(rs, name)) for name in names),
        np.ascontiguousarray(rs.efron_frac.ravel(), dtype=np.float64),
        _segments(rs),
        int(max_iter),
        float(eps),
    )
    return KernelFits(
        loglik0=out[:, 0].copy(),
        u0=out[:, 1].copy(),
        info0=out[:, 2].copy(),
        coef=out[:, 3].copy(),
        info=out[:, 4].copy(),
        u=out[:, 5].copy(),
        loglik=out[:, 6].copy(),
        iterations=out[:, 7].astype(np.int64),
        ran_out=out[:, 8] != 0,
        scale=out[:, 9].copy(),
        sd=out[:, 10].copy(),
    )


def available_threads() -> int:
    """Cores this process may use (its CPU affinity), capped by numba's thread pool.

    Examples
    --------
    >>> available_threads() >= 1
    True
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]


@contextmanager
def thread_limit(threads: int | None) -> Iterator[int]:
    """Run the compiled kernel on ``threads`` threads (None: :func:`available_threads`).

    Examples
    --------
    >>> with thread_limit(1) as used:
    ...     used
    1
    """
    wanted = available_threads() if threads is None else min(threads, available_threads())
    previous = numba.get_num_threads()
    numba.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        numba.set_num_threads(previous)
