"""R's ``coxfit6`` Newton–Raphson for the Cox partial likelihood (private).

Used by :func:`sigsurv.survival.cox.cox_fit` and by the adjusted
:func:`sigsurv.survival.cox_scan.cox_scan` (for the covariates-only model): start at
0, stop when ``|1 - loglik_best / loglik_new| <= eps``, step halving when the
likelihood goes down, R's flags (``-2`` halved, ``1000`` ran out of iterations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sigsurv.survival._linalg import chinv2, cholesky2, chsolve2

__all__ = ["FitState", "Kernel", "centre_and_scale", "newton_raphson"]


@dataclass
class FitState:
    """Coefficients, variance and likelihoods on the caller's scale, R's flag."""

    coef: np.ndarray
    var: np.ndarray
    u: np.ndarray
    loglik0: float
    loglik: float
    score_test: float
    iterations: int
    flag: int
    means: np.ndarray


def centre_and_scale(x: np.ndarray, doscale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """coxph's centring (means of scaled columns) and scale ``n / sum|x - mean|``.

    Examples
    --------
    >>> means, scale = centre_and_scale(np.array([[1.0], [3.0]]), np.array([True]))
    >>> means.tolist(), scale.tolist()
    ([2.0], [1.0])
    """
    n = x.shape[0]
    means = np.where(doscale, x.mean(axis=0), 0.0)
    mad = np.abs(x - means).sum(axis=0)
    scale = np.where(doscale & (mad > 0), n / np.where(mad > 0, mad, 1.0), 1.0)
    return means, scale


Kernel = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray, np.ndarray]]


def newton_raphson(
    x: np.ndarray,
    kernel: Kernel,
    doscale: np.ndarray,
    max_iter: int,
    eps: float,
    toler: float,
) -> FitState:
    """Newton–Raphson exactly as R's ``coxfit6`` (iteration count, halving, flags)."""
    p = x.shape[1]
    means, scale = centre_and_scale(x, doscale)
    xc = (x - means) * scale

    def state(
        b: np.ndarray, var: np.ndarray, u: np.ndarray, lk: float, it: int, flag: int
    ) -> FitState:
        """Back to the caller's scale (R undoes the scaling the same way)."""
        cov = var * np.outer(scale, scale)
        return FitState(b * scale, cov, u / scale, loglik0, lk, score_test, it, flag, means)

    beta = np.zeros(p)
    loglik0, u, imat = kernel(xc, beta)
    chol, flag = cholesky2(imat, toler)
    a = chsolve2(chol, u)
    score_test = float(u @ a)
    best = loglik0
    if max_iter == 0 or not np.isfinite(loglik0):
        return state(beta, chinv2(chol), u, loglik0, 0, flag)
    newbeta = beta + a
    halving = 0
    iteration = 1
    while iteration <= max_iter:
        newlk, u, imat = kernel(xc, newbeta)
        chol, flag = cholesky2(imat, toler)
        finite = bool(np.isfinite(u).all() and np.isfinite(imat).all() and np.isfinite(newlk))
        if finite and abs(1.0 - best / newlk) <= eps:
            return state(newbeta, chinv2(chol), u, newlk, iteration, -2 if halving else flag)
        if not finite or newlk < best:
            halving += 1
            newbeta = (newbeta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best = newlk
            step = chsolve2(chol, u)
            beta = newbeta
            newbeta = newbeta + step
        iteration += 1
    # Ran out of iterations: report the last accepted coefficients. Like coxfit6,
    # recompute u and the information there and invert the *unfactored* matrix with
    # chinv2, which yields diag(1 / I_jj): R's variance for a fit that ran out.
    if max_iter > 1:
        best, u, imat = kernel(xc, beta)
        d = np.diag(imat)
        with np.errstate(divide="ignore"):
            var = np.diag(np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), d))
    else:
        var = chinv2(chol)
    return state(beta, var, u, best, iteration, 1000)
