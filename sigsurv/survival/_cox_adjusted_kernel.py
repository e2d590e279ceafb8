"""Compiled (numba) Newton–Raphson of the covariate-adjusted Cox scan, one gene per thread.

Every gene ``g`` gets R's ``coxph(Surv(time, event) ~ gene + covariates + strata(s))``
exactly as the batched NumPy path (:mod:`sigsurv.survival._adjusted_scan`, the
reference engine): same centring and scaling of each column, Newton–Raphson from 0,
the convergence rule ``|1 - loglik_best / loglik_new| <= eps``, step halving when
the likelihood goes down or is not finite, R's variance of a fit that ran out of
iterations, the "may be infinite" check and the score test at the covariates-only
estimates. Linear algebra is R survival's ``cholesky2`` / ``chsolve2`` / ``chinv2``
(a pivot below ``toler.chol`` times the largest diagonal is singular), as coxph.

Each likelihood evaluation is one vectorised ``exp`` pass (the univariate kernel's
faithfully rounded exp; none at beta = 0) and one pass over the samples in
decreasing time within each stratum: running sums of ``r``, ``r x`` and the upper
triangle of ``r x x'`` are updated sample by sample, a tied block's samples at a
time (restarting where a stratum begins), and at the end of each block its events
add their terms (Efron: the ``k/d`` correction with the block's own moments; one
division per term, for three columns in registers); the log-likelihood takes the
univariate kernel's vectorised ``log`` of all the denominators at once. Per block
of genes, once: work arrays, the covariates' columns and products, the
log-likelihood at beta = 0 and the risk weights of the score test at the
covariates-only estimates (neither depends on the gene). Memory per gene is
O(samples x covariates); nothing is materialised across genes. The engines agree
to rounding (about 1e-13 relative), not bit for bit: sums run in a different order.

Importing this module imports numba; :mod:`sigsurv.survival.cox_scan` imports it
lazily and falls back to the NumPy path when numba is not installed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numba
import numpy as np

from sigsurv.survival._cox_scan_kernel import _EXP_RANGE, _exp_weights, _logs
from sigsurv.survival._linalg import TOLER_CHOL
from sigsurv.survival._risk_sets import build_strata

__all__ = ["AdjustedFits", "WalkLayout", "scan_adjusted", "walk_layout"]

_jit = numba.njit(nogil=True, cache=True, error_model="numpy")
_jit_parallel = numba.njit(nogil=True, cache=True, error_model="numpy", parallel=True)

#: Output columns per gene of the kernel.
_COEF, _VAR, _LOGLIK, _SCORE, _ITER, _RAN_OUT, _INFINITE, _SD = range(8)
_N_OUT = 8


class WalkLayout(NamedTuple):
    """Samples in the order of the one-pass evaluation, with their tied event blocks.

    ``order``: sample indices, stratum by stratum (R's sorted labels), each in
    decreasing time; ``restart``: 1 where a stratum begins (running sums reset);
    ``block_end``: walk position after which a block of tied event times has its
    full risk set (ascending); ``block_first`` / ``block_size``: the block's events
    in ``death_walk``, the walk positions of the events.
    """

    order: np.ndarray
    restart: np.ndarray
    block_end: np.ndarray
    block_first: np.ndarray
    block_size: np.ndarray
    death_walk: np.ndarray


def walk_layout(time: np.ndarray, event: np.ndarray, strata: np.ndarray | None) -> WalkLayout:
    """The :class:`WalkLayout` of survival data (ties as given: timefix is applied before).

    Examples
    --------
    >>> w = walk_layout(np.array([2.0, 1.0, 3.0, 1.0]), np.array([1, 1, 0, 1]), None)
    >>> w.order.tolist(), w.block_end.tolist(), w.block_size.tolist()
    ([2, 0, 3, 1], [1, 3], [1, 2])
    """
    order: list[np.ndarray] = []
    restart: list[np.ndarray] = []
    ends: list[int] = []
    firsts: list[int] = []
    sizes: list[int] = []
    deaths: list[int] = []
    offset = 0
    bounds_none = np.empty(0, dtype=np.int64)  # a stratum without events: no risk set
    for s in build_strata(time, event, strata, efron=False):
        m = s.rows.shape[0]
        order.append(s.rows[::-1])
        start = np.zeros(m, dtype=np.int64)
        start[0] = 1
        restart.append(start)
        bounds = s.death_bounds if s.death_pos.size else bounds_none
        block_sizes = np.diff(np.concatenate([bounds, [s.death_pos.shape[0]]]))
        # Ascending time -> decreasing walk position; reversed so that block_end ascends.
        group_first = s.group_start[s.death_group[bounds]]
        for b in range(bounds.shape[0] - 1, -1, -1):
            ends.append(offset + m - 1 - group_first[b])
            firsts.append(len(deaths))
            sizes.append(block_sizes[b])
            rows = s.death_pos[bounds[b] : bounds[b] + block_sizes[b]]
            deaths.extend((offset + m - 1 - rows).tolist())
        offset += m

    def ints(values: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(values, dtype=np.int64))

    return WalkLayout(
        order=ints(np.concatenate(order)),
        restart=ints(np.concatenate(restart)),
        block_end=ints(ends),
        block_first=ints(firsts),
        block_size=ints(sizes),
        death_walk=ints(deaths),
    )


class AdjustedFits(NamedTuple):
    """Per-gene results of :func:`scan_adjusted` (the gene's coefficient, caller's scale)."""

    coef: np.ndarray
    var: np.ndarray
    loglik: np.ndarray
    score_stat: np.ndarray
    iterations: np.ndarray
    ran_out: np.ndarray
    infinite: np.ndarray
    sd: np.ndarray


# ----------------------------------------------------------------------------------
# R survival's generalised Cholesky, in place on small p x p matrices
# ----------------------------------------------------------------------------------
@_jit
def _cholesky2(m: np.ndarray, toler: float) -> None:
    """``cholesky2.c``: LDL' in the lower triangle of ``m`` (upper triangle is read)."""
    n = m.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            m[j, i] = m[i, j]
    eps = 0.0
    for i in range(n):
        if m[i, i] > eps:
            eps = m[i, i]
    if eps == 0.0:
        return
    eps *= toler
    for i in range(n):
        pivot = m[i, i]
        if not math.isfinite(pivot) or pivot < eps:
            m[i, i] = 0.0
        else:
            for j in range(i + 1, n):
                temp = m[j, i] / pivot
                m[j, i] = temp
                m[j, j] -= temp * temp * pivot
                for k in range(j + 1, n):
                    m[k, j] -= temp * m[k, i]


@_jit
def _chsolve2(chol: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
    """``chsolve2.c``: ``out = A^-1 y`` from the factor; a zero pivot gives 0."""
    n = chol.shape[0]
    for i in range(n):
        temp = y[i]
        for j in range(i):
            temp -= out[j] * chol[i, j]
        out[i] = temp
    for i in range(n - 1, -1, -1):
        if chol[i, i] == 0.0:
            out[i] = 0.0
        else:
            temp = out[i] / chol[i, i]
            for j in range(i + 1, n):
                temp -= out[j] * chol[j, i]
            out[i] = temp


# ----------------------------------------------------------------------------------
# One evaluation: risk weights, then one pass over the risk sets
# ----------------------------------------------------------------------------------
@_jit
def _risk_weights(xc: np.ndarray, p: int, beta: np.ndarray, n: int, work: np.ndarray) -> None:
    """``work[0, i] = exp(x_i' beta)`` for the first ``n`` walk positions.

    ``xc``: the p columns (columns x walk positions); ``work[1]`` gets ``x'beta`` (summed in
    column order), ``work[2]`` is scratch. The exp is the univariate kernel's
    vectorised one when every ``|x'beta| <= _EXP_RANGE``, libm's otherwise.
    """
    risk, eta = work[0], work[1]
    at_zero = True
    for j in range(p):
        if beta[j] != 0.0:
            at_zero = False
    if at_zero:  # exp(x'0) is exactly 1: the first evaluation needs no exp
        risk[:n] = 1.0
        return
    b = beta[0]
    for i in range(n):
        eta[i] = xc[0, i] * b
    for j in range(1, p):
        b = beta[j]
        for i in range(n):
            eta[i] += xc[j, i] * b
    fine = True
    for i in range(n):
        fine &= abs(eta[i]) <= _EXP_RANGE  # False for NaN; no branch
    if fine:
        _exp_weights(eta, 1.0, n, risk, work[2])  # eta * 1.0 is eta
    else:  # huge trial steps (overflow, subnormals, NaN): libm
        for i in range(n):
            risk[i] = math.exp(eta[i])


@_jit
def _derivs(
    xr: np.ndarray,
    p: int,
    beta: np.ndarray,
    dead_sum: np.ndarray,
    layout: tuple[np.ndarray, ...],
    efron: bool,
    risk: np.ndarray,
    u: np.ndarray,
    info: np.ndarray,
    small: np.ndarray,
    terms: np.ndarray,
) -> int:
    """Score ``u`` and the upper triangle of ``info`` from the risk weights ``risk``.

    ``xr`` (walk positions x terms) holds 1, the p columns, then the products
    ``x_j x_k`` (k >= j, row by row of the upper triangle), so that the running
    sums of ``r``, ``r x`` and ``r x x'`` are one loop over its row for each
    sample a block adds (``span_start`` to its end; ``span_reset``: a stratum
    begins there). ``small``: running sums, the tied block's moments, a mean and
    the information's accumulators; ``terms[0, :m]`` / ``terms[1, :m]`` get the
    denominators of the log-likelihood and their weights (m, returned).
    """
    span_start, span_reset, block_end, block_first, block_size, death_walk = layout
    n_rows = xr.shape[1]
    sums, tied, mean, acc = small[0], small[1], small[2], small[3]
    for j in range(p):
        u[j] = dead_sum[j]
    acc[:] = 0.0
    n_terms = 0
    for b in range(block_end.shape[0]):
        lo, end, reset = span_start[b], block_end[b] + 1, span_reset[b]
        if reset:
            sums[:] = 0.0
        for i in range(lo, end):
            r = risk[i]
            for c in range(n_rows):
                sums[c] += r * xr[i, c]
        d = block_size[b]
        first = block_first[b]
        tied[:] = 0.0
        if efron and d > 1:
            for m in range(first, first + d):
                row = death_walk[m]
                r = risk[row]
                for c in range(n_rows):
                    tied[c] += r * xr[row, c]
        if p == 3:  # gene + 2 covariates: the loop below, accumulated in registers
            n_terms = _block_terms3(sums, tied, d, efron, u, acc, terms, n_terms)
            continue
        # Efron: the k-th of d tied events sees k/d of the block's weight removed;
        # Breslow (or a single event): d identical terms.
        repeats = d if efron else 1
        weight = 1.0 if efron else float(d)
        for m in range(repeats):
            frac = m / d
            denom = sums[0] - frac * tied[0]
            terms[0, n_terms] = denom
            terms[1, n_terms] = weight
            n_terms += 1
            inv = 1.0 / denom  # one division per term, not one per column
            for j in range(p):
                mean[j] = (sums[1 + j] - frac * tied[1 + j]) * inv
                u[j] -= weight * mean[j]
            c = 1 + p
            for j in range(p):
                for k in range(j, p):
                    second = (sums[c] - frac * tied[c]) * inv
                    acc[c] += weight * (second - mean[j] * mean[k])
                    c += 1
    c = 1 + p
    for j in range(p):
        for k in range(j, p):
            info[j, k] = acc[c]
            c += 1
    return n_terms


@_jit
def _block_terms3(
    sums: np.ndarray,
    tied: np.ndarray,
    d: int,
    efron: bool,
    u: np.ndarray,
    acc: np.ndarray,
    terms: np.ndarray,
    n_terms: int,
) -> int:
    """A tied block's terms for p = 3: :func:`_derivs`'s loop over the terms, the
    same operations in the same order (same bits), with the score and information
    accumulators in local variables instead of memory. Returns the term count."""
    repeats = d if efron else 1
    weight = 1.0 if efron else float(d)
    u0, u1, u2 = u[0], u[1], u[2]
    a00, a01, a02, a11, a12, a22 = acc[4], acc[5], acc[6], acc[7], acc[8], acc[9]
    for m in range(repeats):
        frac = m / d
        denom = sums[0] - frac * tied[0]
        terms[0, n_terms] = denom
        terms[1, n_terms] = weight
        n_terms += 1
        inv = 1.0 / denom
        m0 = (sums[1] - frac * tied[1]) * inv
        u0 -= weight * m0
        m1 = (sums[2] - frac * tied[2]) * inv
        u1 -= weight * m1
        m2 = (sums[3] - frac * tied[3]) * inv
        u2 -= weight * m2
        a00 += weight * ((sums[4] - frac * tied[4]) * inv - m0 * m0)
        a01 += weight * ((sums[5] - frac * tied[5]) * inv - m0 * m1)
        a02 += weight * ((sums[6] - frac * tied[6]) * inv - m0 * m2)
        a11 += weight * ((sums[7] - frac * tied[7]) * inv - m1 * m1)
        a12 += weight * ((sums[8] - frac * tied[8]) * inv - m1 * m2)
        a22 += weight * ((sums[9] - frac * tied[9]) * inv - m2 * m2)
    u[0], u[1], u[2] = u0, u1, u2
    acc[4], acc[5], acc[6], acc[7], acc[8], acc[9] = a00, a01, a02, a11, a12, a22
    return n_terms


@_jit
def _loglik(
    p: int, beta: np.ndarray, dead_sum: np.ndarray, terms: np.ndarray, n_terms: int
) -> float:
    """``sum beta x`` over the events minus the weighted logs of the denominators."""
    loglik = 0.0
    for j in range(p):
        loglik += beta[j] * dead_sum[j]
    _logs(terms[0, :n_terms], terms[2, :n_terms], terms[3, :n_terms])
    for m in range(n_terms):
        loglik -= terms[1, m] * terms[2, m]
    return loglik


@_jit
def _evaluate(
    xc: np.ndarray,
    xr: np.ndarray,
    p: int,
    beta: np.ndarray,
    dead_sum: np.ndarray,
    layout: tuple[np.ndarray, ...],
    efron: bool,
    u: np.ndarray,
    info: np.ndarray,
    bufs: tuple,
) -> float:
    """Loglik at ``beta``; fills ``u`` and the upper triangle of ``info``.

    At beta = 0 every risk weight is 1: the log-likelihood is the same for every
    gene of the block (``bufs[3][0]``, NaN until the first gene computes it).
    """
    work, small, terms, zero_loglik = bufs[0], bufs[1], bufs[2], bufs[3]
    block_end = layout[2]
    n = block_end[-1] + 1 if block_end.shape[0] else 0
    _risk_weights(xc, p, beta, n, work)
    n_terms = _derivs(xr, p, beta, dead_sum, layout, efron, work[0], u, info, small, terms)
    head = 0.0
    at_zero = True
    for j in range(p):
        head += beta[j] * dead_sum[j]
        at_zero &= beta[j] == 0.0
    if at_zero and head == 0.0:
        if math.isnan(zero_loglik[0]):
            zero_loglik[0] = _loglik(p, beta, dead_sum, terms, n_terms)
        return zero_loglik[0]
    return _loglik(p, beta, dead_sum, terms, n_terms)


@_jit
def _all_finite(loglik: float, u: np.ndarray, info: np.ndarray) -> bool:
    if not math.isfinite(loglik):
        return False
    p = u.shape[0]
    for j in range(p):
        if not math.isfinite(u[j]):
            return False
        for k in range(j, p):
            if not math.isfinite(info[j, k]):
                return False
    return True


@_jit
def _solve_into(info: np.ndarray, u: np.ndarray, chol: np.ndarray, out: np.ndarray) -> None:
    """``out = info^-1 u`` with R's cholesky2 / chsolve2 (``info``'s upper triangle)."""
    chol[:, :] = info
    _cholesky2(chol, TOLER_CHOL)
    _chsolve2(chol, u, out)


# ----------------------------------------------------------------------------------
# Newton–Raphson of one gene (scaled columns), as _adjusted_scan._newton_batch
# ----------------------------------------------------------------------------------
@_jit
def _newton(
    xc: np.ndarray,
    xr: np.ndarray,
    p: int,
    dead_sum: np.ndarray,
    layout: tuple[np.ndarray, ...],
    efron: bool,
    max_iter: int,
    eps: float,
    beta: np.ndarray,
    info: np.ndarray,
    u: np.ndarray,
    bufs: tuple,
) -> tuple[float, int, bool]:
    """Fit one gene; ``beta`` gets the coefficients, ``info`` the matrix whose inverse
    is the variance (upper triangle), ``u`` the score there. Returns loglik,
    iterations and whether the iterations ran out."""
    vecs, chol = bufs[4], bufs[5][1]
    newbeta, step = vecs[0], vecs[1]
    beta[:] = 0.0
    newbeta[:] = 0.0
    lk0 = _evaluate(xc, xr, p, beta, dead_sum, layout, efron, u, info, bufs)
    if max_iter == 0 or not math.isfinite(lk0):
        return lk0, 0, False
    _solve_into(info, u, chol, newbeta)
    best = lk0
    halving = 0.0
    for iteration in range(1, max_iter + 1):
        lk = _evaluate(xc, xr, p, newbeta, dead_sum, layout, efron, u, info, bufs)
        finite = _all_finite(lk, u, info)
        if finite and abs(1.0 - best / lk) <= eps:
            beta[:] = newbeta
            return lk, iteration, False
        if not finite or lk < best:
            halving += 1.0
            for j in range(p):
                newbeta[j] = (newbeta[j] + halving * beta[j]) / (halving + 1.0)
        else:
            halving = 0.0
            best = lk
            _solve_into(info, u, chol, step)
            for j in range(p):
                beta[j] = newbeta[j]
                newbeta[j] = newbeta[j] + step[j]
    if max_iter > 1:
        # R's variance for a fit that ran out: diag(1 / I_jj) at the last accepted beta.
        best = _evaluate(xc, xr, p, beta, dead_sum, layout, efron, u, info, bufs)
        for j in range(p):
            for k in range(j + 1, p):
                info[j, k] = 0.0
    # max_iter == 1: R inverts the information of the last evaluation (already in info).
    return best, max_iter + 1, True


# ----------------------------------------------------------------------------------
# One gene: columns, fit, back to the caller's scale, score test
# ----------------------------------------------------------------------------------
@_jit
def _gene_columns(
    row: np.ndarray, order: np.ndarray, xc: np.ndarray, xr: np.ndarray, p: int
) -> tuple:
    """The gene's column 0 of ``xc`` centred/scaled as coxph (walk order), and its
    terms of ``xr`` (the column, its products with every column). Returns the scale
    and the standard deviation."""
    n = order.shape[0]
    x = xc[0]
    doscale = False
    total = 0.0
    for i in range(n):
        v = row[order[i]]
        x[i] = v
        total += v
        doscale |= (v != 0.0) & (v != 1.0) & (v != -1.0)  # no branch
    mean = total / n
    centre = mean if doscale else 0.0
    squares = mad = 0.0
    for i in range(n):  # two sums, each in its own order
        squares += (x[i] - mean) * (x[i] - mean)
        mad += abs(x[i] - centre)
    sd = math.sqrt(squares / (n - 1)) if n > 1 else math.nan
    scale = n / mad if doscale and mad > 0 else 1.0
    for i in range(n):
        v = (x[i] - centre) * scale
        x[i] = v
        xr[i, 1] = v
        for k in range(p):  # x_0 x_k: the first p products
            xr[i, 1 + p + k] = v * xc[k, i]
    return scale, sd


@_jit
def _finish(
    beta: np.ndarray,
    u: np.ndarray,
    info: np.ndarray,
    scale: np.ndarray,
    eps: float,
    mats: np.ndarray,
    out: np.ndarray,
) -> bool:
    """Coefficient and variance on the caller's scale; returns the "may be infinite" flag."""
    p = beta.shape[0]
    chol, var = mats[1], mats[2]
    chol[:, :] = info
    _cholesky2(chol, TOLER_CHOL)
    _full_inverse(chol, var)
    infinite = False
    singular = False
    for j in range(p):
        if not math.isfinite(u[j] / scale[j]):
            infinite = True
        if not var[j, j] * scale[j] * scale[j] > 0:
            singular = True
    for j in range(p):
        step = 0.0
        for k in range(p):
            step += (u[k] / scale[k]) * var[k, j] * scale[k] * scale[j]
        step = abs(step)
        coef_j = beta[j] * scale[j]
        if step > eps and step > math.sqrt(eps) * abs(coef_j):
            infinite = True
    out[_COEF] = math.nan if singular else beta[0] * scale[0]
    out[_VAR] = math.nan if singular else var[0, 0] * scale[0] * scale[0]
    return infinite


@_jit
def _fit_gene(
    row: np.ndarray,
    order: np.ndarray,
    xc: np.ndarray,
    xr: np.ndarray,
    shared: tuple[np.ndarray, np.ndarray],
    layout: tuple[np.ndarray, ...],
    efron: bool,
    max_iter: int,
    eps: float,
    bufs: tuple,
    p: int,
    out: np.ndarray,
) -> None:
    """Fit one gene; ``shared``: the block's (covariate sums over the events, risk
    weights at the score test's start); ``bufs`` as in :func:`_scan_genes`."""
    vecs, mats = bufs[4], bufs[5]
    beta, u, scale, dead_sum, start, solved = vecs[2], vecs[3], vecs[4], vecs[5], vecs[6], vecs[7]
    info = mats[0]
    scale[0], sd = _gene_columns(row, order, xc, xr, p)
    death_walk = layout[5]
    dead_sum[:] = shared[0]
    total = 0.0
    for m in range(death_walk.shape[0]):
        total += xc[0, death_walk[m]]
    dead_sum[0] = total
    loglik, iterations, ran_out = _newton(
        xc, xr, p, dead_sum, layout, efron, max_iter, eps, beta, info, u, bufs
    )
    infinite = _finish(beta, u, info, scale, eps, mats, out)
    out[_LOGLIK] = loglik
    out[_ITER] = iterations
    out[_RAN_OUT] = 1.0 if ran_out else 0.0
    out[_INFINITE] = 1.0 if (infinite or ran_out) and max_iter > 1 else 0.0
    out[_SD] = sd
    # Score test of the gene at (0, covariates-only estimates), as coxph(init=, iter=0):
    # its risk weights do not depend on the gene (computed once per block).
    start[0] = 0.0
    _derivs(xr, p, start, dead_sum, layout, efron, shared[1], u, info, bufs[1], bufs[2])
    _solve_into(info, u, mats[1], solved)
    score = 0.0
    for j in range(p):
        score += u[j] * solved[j]
    out[_SCORE] = score


@_jit
def _full_inverse(chol: np.ndarray, inv: np.ndarray) -> None:
    """``chinv2.c``: the full inverse from :func:`_cholesky2`'s factor (overwritten)."""
    n = chol.shape[0]
    for i in range(n):
        if chol[i, i] > 0:
            chol[i, i] = 1.0 / chol[i, i]
            for j in range(i + 1, n):
                chol[j, i] = -chol[j, i]
                for k in range(i):
                    chol[j, k] += chol[j, i] * chol[i, k]
    for i in range(n):
        if chol[i, i] == 0.0:
            for k in range(i):
                chol[k, i] = 0.0
            for k in range(i, n):
                chol[i, k] = 0.0
        else:
            for j in range(i + 1, n):
                temp = chol[j, i] * chol[j, j]
                chol[i, j] = temp
                for k in range(i, j):
                    chol[i, k] += temp * chol[j, k]
    for i in range(n):
        for j in range(i, n):
            inv[i, j] = chol[i, j]
            inv[j, i] = chol[i, j]


@_jit
def _scan_genes(
    values: np.ndarray,
    order: np.ndarray,
    zc: np.ndarray,
    z_scale: np.ndarray,
    z_start: np.ndarray,
    layout: tuple[np.ndarray, ...],
    efron: bool,
    max_iter: int,
    eps: float,
    out: np.ndarray,
) -> None:
    """Fit each row of ``values`` (``zc``: covariates x walk positions). Work arrays,
    the covariates' terms and everything else the genes share: once."""
    n, q = order.shape[0], zc.shape[0]
    p = 1 + q
    xc = np.empty((p, n))
    xc[0] = 0.0  # the gene: 0 for the score test's risk weights below
    xc[1:] = zc
    xr = np.empty((n, 1 + p + p * (p + 1) // 2))
    for i in range(n):
        xr[i, 0] = 1.0
        for j in range(1, p):
            xr[i, 1 + j] = xc[j, i]
        c = 1 + 2 * p  # products x_j x_k with 1 <= j <= k: the same for every gene
        for j in range(1, p):
            for k in range(j, p):
                xr[i, c] = xc[j, i] * xc[k, i]
                c += 1
    death_walk, block_end = layout[5], layout[2]
    n_used = block_end[-1] + 1 if block_end.shape[0] else 0
    # work: risk weights, x'beta, scratch; small: running sums, tied moments, mean,
    # information; terms: denominators, weights, logs, scratch; the loglik at 0;
    # vecs: newbeta, step, beta, u, scale, dead_sum, start, solved; mats: info,
    # chol, var.
    bufs = (
        np.empty((3, n)),
        np.empty((4, xr.shape[1])),
        np.empty((4, max(death_walk.shape[0], 1))),
        np.full(1, np.nan),
        np.empty((8, p)),
        np.empty((3, p, p)),
    )
    vecs = bufs[4]
    dead_z = np.zeros(p)
    for m in range(death_walk.shape[0]):
        for j in range(1, p):
            dead_z[j] += xc[j, death_walk[m]]
    vecs[6, 0] = 0.0
    for j in range(1, p):
        vecs[4, j] = z_scale[j - 1]
        vecs[6, j] = z_start[j - 1] / z_scale[j - 1]
    _risk_weights(xc, p, vecs[6], n_used, bufs[0])
    shared = (dead_z, bufs[0][0].copy())
    for g in range(values.shape[0]):
        _fit_gene(values[g], order, xc, xr, shared, layout, efron, max_iter, eps, bufs, p, out[g])


#: Genes per task of the parallel loop (each task allocates its work arrays once).
_GENES_PER_TASK = 64


@_jit_parallel
def _scan_parallel(
    values: np.ndarray,
    order: np.ndarray,
    zc: np.ndarray,
    z_scale: np.ndarray,
    z_start: np.ndarray,
    layout: tuple[np.ndarray, ...],
    efron: bool,
    max_iter: int,
    eps: float,
) -> np.ndarray:
    n_genes = values.shape[0]
    out = np.empty((n_genes, _N_OUT))
    n_tasks = (n_genes + _GENES_PER_TASK - 1) // _GENES_PER_TASK
    for task in numba.prange(n_tasks):
        lo = task * _GENES_PER_TASK
        hi = min(lo + _GENES_PER_TASK, n_genes)
        _scan_genes(
            values[lo:hi], order, zc, z_scale, z_start, layout, efron, max_iter, eps, out[lo:hi]
        )
    return out


@_jit
def _scan_serial(
    values: np.ndarray,
    order: np.ndarray,
    zc: np.ndarray,
    z_scale: np.ndarray,
    z_start: np.ndarray,
    layout: tuple[np.ndarray, ...],
    efron: bool,
    max_iter: int,
    eps: float,
) -> np.ndarray:
    """One thread, no parallel region (safe from several Dask threads at once)."""
    out = np.empty((values.shape[0], _N_OUT))
    _scan_genes(values, order, zc, z_scale, z_start, layout, efron, max_iter, eps, out)
    return out


def _spans(layout: WalkLayout) -> tuple[np.ndarray, np.ndarray]:
    """Per tied block: the first walk position its running sums add, and whether a
    stratum begins there (sums restart), so that no pass tests every sample."""
    ends = layout.block_end
    start = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)[: ends.size]
    positions = np.arange(layout.restart.size, dtype=np.int64)
    last_restart = np.maximum.accumulate(np.where(layout.restart != 0, positions, 0))
    restart_at = last_restart[ends]
    reset = restart_at >= start
    return np.where(reset, restart_at, start).astype(np.int64), reset.astype(np.bool_)


def scan_adjusted(
    values: np.ndarray,
    layout: WalkLayout,
    z_scaled: np.ndarray,
    z_scale: np.ndarray,
    z_start: np.ndarray,
    *,
    efron: bool,
    max_iter: int,
    eps: float,
    parallel: bool = True,
) -> AdjustedFits:
    """Fit ``gene + z`` for every row of ``values`` (genes x samples, caller's order).

    ``z_scaled``: the covariates centred and scaled as coxph (samples x q, caller's
    order; q may be 0 for a stratified univariate scan), ``z_scale`` their scales and
    ``z_start`` the covariates-only model's coefficients (caller's scale), where
    the gene's score test is evaluated.

    Examples
    --------
    >>> t = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> e = np.array([1, 0, 1, 1, 0, 1])
    >>> layout = walk_layout(t, e, None)
    >>> z = np.empty((6, 0))
    >>> gene = np.array([[0.5, 0.1, 0.9, 0.2, 0.4, 0.3]])
    >>> fits = scan_adjusted(gene, layout, z, np.empty(0), np.empty(0),
    ...                      efron=True, max_iter=20, eps=1e-9)
    >>> fits.iterations.tolist(), bool(fits.ran_out[0])
    ([4], False)
    """
    scan = _scan_parallel if parallel else _scan_serial
    arrays = (*_spans(layout), layout.block_end, layout.block_first, layout.block_size)
    out = scan(
        np.ascontiguousarray(values, dtype=np.float64),
        layout.order,
        np.ascontiguousarray(z_scaled[layout.order].T, dtype=np.float64),
        np.ascontiguousarray(z_scale, dtype=np.float64),
        np.ascontiguousarray(z_start, dtype=np.float64),
        (*arrays, layout.death_walk),
        bool(efron),
        int(max_iter),
        float(eps),
    )
    return AdjustedFits(
        coef=out[:, _COEF].copy(),
        var=out[:, _VAR].copy(),
        loglik=out[:, _LOGLIK].copy(),
        score_stat=out[:, _SCORE].copy(),
        iterations=out[:, _ITER].astype(np.int64),
        ran_out=out[:, _RAN_OUT] != 0,
        infinite=out[:, _INFINITE] != 0,
        sd=out[:, _SD].copy(),
    )
