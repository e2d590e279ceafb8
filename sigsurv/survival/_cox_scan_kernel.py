"""Compiled (numba) Newton–Raphson of the univariate Cox scan, one gene per thread (private).

The same arithmetic as :meth:`sigsurv.survival._risk_sets.GeneRiskSets.derivs` and
``cox_scan._newton_genes`` (R's ``coxfit6``), written per gene so that the risk-set
sums are one O(samples) pass per Newton step instead of a Python loop over samples
that adds whole rows of genes. Genes are independent, so they run in parallel
(``prange``); every gene follows its own iteration exactly as in the vectorised
path (same start, step halving, convergence rule and flags). Sums run in the same
order as the NumPy path, so results agree to rounding (about 1e-15 relative).

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


@_jit
def _gene_derivs(
    x: np.ndarray,
    beta: float,
    dead_sum: float,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    n_cumulative: int,
    work: np.ndarray,
    tied: np.ndarray,
) -> tuple[float, float, float]:
    """Log partial likelihood, score and information of one gene at ``beta``."""
    death_pos, risk_end, stratum_start, tied_pos, tied_bounds, efron_rows, efron_block = rs
    eta_dead = 0.0
    for k in range(death_pos.shape[0]):
        eta_dead += x[death_pos[k]] * beta
    # Risk-set sums in one pass: running sums over samples in decreasing time,
    # restarting per stratum (``own + previous``, exactly the NumPy path's cumsum).
    s0 = s1 = s2 = 0.0
    at_zero = beta == 0.0  # exp(x * 0) is exactly 1: the first evaluation needs no exp
    for i in range(n_cumulative):
        xi = x[i]
        risk = 1.0 if at_zero else math.exp(xi * beta)
        rx = risk * xi
        rxx = rx * xi
        if i == 0 or stratum_start[i]:
            s0, s1, s2 = risk, rx, rxx
        else:
            s0, s1, s2 = risk + s0, rx + s1, rxx + s2
        work[0, i] = s0
        work[1, i] = s1
        work[2, i] = s2
        work[3, i] = risk
    # Efron: the tied events' own moments (from their kept risk weights: the same
    # products as in the pass above, summed in the NumPy path's order).
    n_blocks = tied_bounds.shape[0] if efron_rows.shape[0] else 0  # Breslow: unused
    for b in range(n_blocks):
        end = tied_pos.shape[0] if b + 1 == n_blocks else tied_bounds[b + 1]
        for j in range(tied_bounds[b], end):
            xj = x[tied_pos[j]]
            risk = work[3, tied_pos[j]]
            rx = risk * xj
            rxx = rx * xj
            if j == tied_bounds[b]:
                tied[0, b], tied[1, b], tied[2, b] = risk, rx, rxx
            else:
                tied[0, b] += risk
                tied[1, b] += rx
                tied[2, b] += rxx
    log_denom = 0.0
    mean_sum = 0.0
    info = 0.0
    next_efron = 0
    for d in range(risk_end.shape[0]):
        r = risk_end[d]
        s0, s1, s2 = work[0, r], work[1, r], work[2, r]
        if next_efron < efron_rows.shape[0] and efron_rows[next_efron] == d:
            frac = efron_frac[next_efron]
            b = efron_block[next_efron]
            s0 = s0 - frac * tied[0, b]
            s1 = s1 - frac * tied[1, b]
            s2 = s2 - frac * tied[2, b]
            next_efron += 1
        mean = s1 / s0
        log_denom += math.log(s0)
        mean_sum += mean
        info += s2 / s0 - mean * mean
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
    dead_sum: float,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    n_cumulative: int,
    max_iter: int,
    eps: float,
    out: np.ndarray,
    work: np.ndarray,
    tied: np.ndarray,
) -> None:
    """R's coxfit6 for one gene; ``out`` gets loglik0, u0, info0, coef, info, u,
    loglik, iterations, ran_out (as floats)."""
    lk0, u0, info0 = _gene_derivs(x, 0.0, dead_sum, rs, efron_frac, n_cumulative, work, tied)
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
        lk, u, info = _gene_derivs(x, newbeta, dead_sum, rs, efron_frac, n_cumulative, work, tied)
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
        lk, u, info = _gene_derivs(x, beta, dead_sum, rs, efron_frac, n_cumulative, work, tied)
        out[4], out[5], out[6] = info, u, lk
    else:
        out[6] = best


@_jit
def _prepare_gene(
    row: np.ndarray, order: np.ndarray, death_pos: np.ndarray, xc: np.ndarray
) -> tuple[float, float, float]:
    """``cox_scan._scan_block``'s centring and scaling of one gene, same operation order.

    Fills ``xc`` (samples in the risk-set layout) and returns the scale, the standard
    deviation and the sum over the events. NumPy reduces a samples x genes block
    row after row, i.e. sequentially per gene, as here.
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
    squares = 0.0
    mad = 0.0
    for i in range(n):
        d = xc[i] - mean
        squares += d * d
        xc[i] = xc[i] - centre
        mad += abs(xc[i])
    sd = math.sqrt(squares / (n - 1)) if n > 1 else math.nan
    scale = n / mad if doscale and mad > 0 else 1.0
    dead_sum = 0.0
    for i in range(n):
        xc[i] = xc[i] * scale
    for k in range(death_pos.shape[0]):
        dead_sum += xc[death_pos[k]]
    return scale, sd, dead_sum


@_jit
def _scan_gene(
    row: np.ndarray,
    order: np.ndarray,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    n_cumulative: int,
    max_iter: int,
    eps: float,
    out: np.ndarray,
) -> None:
    """Centre, scale and fit one gene; ``out`` as :func:`_newton_gene`, then scale, sd."""
    n = order.shape[0]
    xc = np.empty(n)
    work = np.empty((4, n))  # running sums of r, r x, r x^2; r itself
    tied = np.empty((3, max(rs[4].shape[0], 1)))
    scale, sd, dead_sum = _prepare_gene(row, order, rs[0], xc)
    _newton_gene(xc, dead_sum, rs, efron_frac, n_cumulative, max_iter, eps, out[:9], work, tied)
    out[9] = scale
    out[10] = sd


@_jit_parallel
def _scan_parallel(
    values: np.ndarray,
    order: np.ndarray,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    n_cumulative: int,
    max_iter: int,
    eps: float,
) -> np.ndarray:
    out = np.empty((values.shape[0], 11))
    for g in numba.prange(values.shape[0]):
        _scan_gene(values[g], order, rs, efron_frac, n_cumulative, max_iter, eps, out[g])
    return out


@_jit
def _scan_serial(
    values: np.ndarray,
    order: np.ndarray,
    rs: tuple[np.ndarray, ...],
    efron_frac: np.ndarray,
    n_cumulative: int,
    max_iter: int,
    eps: float,
) -> np.ndarray:
    """One thread, no parallel region: safe to call from several threads at once
    (Dask threads) whatever numba's threading layer."""
    out = np.empty((values.shape[0], 11))
    for g in range(values.shape[0]):
        _scan_gene(values[g], order, rs, efron_frac, n_cumulative, max_iter, eps, out[g])
    return out


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
    arrays = (
        rs.death_pos,
        rs.risk_end,
        rs.stratum_start,
        rs.tied_death_pos,
        rs.tied_bounds,
        rs.efron_rows,
        rs.efron_block,
    )
    scan = _scan_parallel if parallel else _scan_serial
    out = scan(
        np.ascontiguousarray(values, dtype=np.float64),
        np.ascontiguousarray(rs.order, dtype=np.int64),
        tuple(np.ascontiguousarray(a) for a in arrays),
        np.ascontiguousarray(rs.efron_frac.ravel(), dtype=np.float64),
        int(rs.n_cumulative),
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
