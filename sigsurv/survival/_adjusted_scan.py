"""Gene-wise Cox models with adjustment covariates and strata, batched across genes (private).

Every gene ``g`` gets R's ``coxph(Surv(time, event) ~ gene + covariates + strata(s))``:
the same centring and scaling of each column, Newton–Raphson from 0 with R's
convergence rule and step halving, run for a block of genes at once on
samples x genes x columns arrays (:func:`sigsurv.survival._risk_sets.batched_loglik_derivs`).
The gene's likelihood-ratio test compares with the covariates-only model (fitted
once, :mod:`sigsurv.survival._newton`) and its score test is evaluated at
``(0, covariate estimates)``, as ``coxph(..., init = c(0, gamma), iter = 0)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sigsurv.survival._linalg import TOLER_CHOL, chinv2, cholesky2, chsolve2
from sigsurv.survival._newton import centre_and_scale, newton_raphson
from sigsurv.survival._risk_sets import Stratum, batched_loglik_derivs, loglik_derivs

__all__ = ["ReducedModel", "adjusted_block", "reduced_model"]

_Derivs = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ReducedModel:
    """The covariates-only model: coefficients (caller's scale) and log-likelihood."""

    coef: np.ndarray
    loglik: float


def reduced_model(
    z: np.ndarray, risk_sets: list[Stratum], max_iter: int, eps: float
) -> ReducedModel:
    """Fit ``Surv ~ covariates + strata`` once (no covariates: the null log-likelihood).

    Examples
    --------
    >>> from sigsurv.survival._risk_sets import build_strata
    >>> rs = build_strata(np.array([1.0, 2.0, 3.0]), np.array([1, 1, 0]), None, True)
    >>> round(reduced_model(np.empty((3, 0)), rs, 20, 1e-9).loglik, 6)
    -1.791759
    """
    if z.shape[1] == 0:
        return ReducedModel(np.empty(0), loglik_derivs(np.empty(0), z, risk_sets)[0])
    doscale = ~np.all(np.isin(z, (-1.0, 0.0, 1.0)), axis=0)

    def kernel(xs: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        return loglik_derivs(b, xs, risk_sets)

    state = newton_raphson(z, kernel, doscale, max_iter, eps, TOLER_CHOL)
    return ReducedModel(state.coef, state.loglik)


def _solve(info: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Batched ``info^-1 u``; singular matrices as R's cholesky2 / chsolve2."""
    try:
        return np.linalg.solve(info, u[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.array(
            [chsolve2(cholesky2(m, TOLER_CHOL)[0], v) for m, v in zip(info, u, strict=True)]
        )


def _inverse(info: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return np.array([chinv2(cholesky2(m, TOLER_CHOL)[0]) for m in info])


@dataclass
class _Fits:
    coef: np.ndarray  # genes x p, scaled
    info: np.ndarray  # genes x p x p at the reported coefficients
    u: np.ndarray
    loglik: np.ndarray
    iterations: np.ndarray
    ran_out: np.ndarray


def _newton_batch(
    xc: np.ndarray, risk_sets: list[Stratum], max_iter: int, eps: float
) -> tuple[_Fits, np.ndarray]:
    """R's coxfit6 iteration for every gene of the block at once (scaled columns)."""
    n_genes, p = xc.shape[1], xc.shape[2]

    def derivs(b: np.ndarray, idx: np.ndarray) -> _Derivs:
        return batched_loglik_derivs(b, xc[:, idx], risk_sets)

    everyone = np.arange(n_genes)
    loglik0, u0, info0 = derivs(np.zeros((n_genes, p)), everyone)
    fits = _Fits(
        np.zeros((n_genes, p)), info0.copy(), u0.copy(), loglik0.copy(),
        np.zeros(n_genes, dtype=np.int64), np.zeros(n_genes, dtype=bool),
    )  # fmt: skip
    if max_iter == 0:
        return fits, loglik0
    beta = np.zeros((n_genes, p))
    newbeta = _solve(info0, u0)
    best = loglik0.copy()
    halving = np.zeros(n_genes)
    active = np.flatnonzero(np.isfinite(loglik0))
    for iteration in range(1, max_iter + 1):
        if active.size == 0:
            break
        lk, u, info = derivs(newbeta[active], active)
        finite = np.isfinite(lk) & np.isfinite(u).all(axis=1) & np.isfinite(info).all(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            done = finite & (np.abs(1.0 - best[active] / lk) <= eps)
        idx = active[done]
        fits.coef[idx], fits.info[idx], fits.u[idx] = newbeta[idx], info[done], u[done]
        fits.loglik[idx], fits.iterations[idx] = lk[done], iteration
        keep = ~done
        act, lk, u, info = active[keep], lk[keep], u[keep], info[keep]
        fail = ~finite[keep] | (lk < best[act])
        bad, good = act[fail], act[~fail]
        halving[bad] += 1
        h = halving[bad][:, None]
        newbeta[bad] = (newbeta[bad] + h * beta[bad]) / (h + 1.0)
        fits.info[act] = info  # R inverts the last information when max_iter <= 1
        halving[good] = 0
        best[good] = lk[~fail]
        beta[good] = newbeta[good]
        newbeta[good] = newbeta[good] + _solve(info[~fail], u[~fail])
        active = act
    if active.size:
        fits.ran_out[active] = True
        fits.iterations[active] = max_iter + 1
        fits.coef[active] = beta[active]
        fits.loglik[active] = best[active]
        if max_iter > 1:
            lk, u, info = derivs(beta[active], active)
            fits.loglik[active], fits.u[active] = lk, u
            # R's variance for a fit that ran out is diag(1 / I_jj) (see _newton).
            diag = np.diagonal(info, axis1=1, axis2=2)
            fits.info[active] = diag[:, :, None] * np.eye(p)
    return fits, loglik0


def adjusted_block(
    genes: np.ndarray,
    z: np.ndarray,
    risk_sets: list[Stratum],
    reduced: ReducedModel,
    max_iter: int,
    eps: float,
) -> dict[str, np.ndarray]:
    """Fit ``gene + z`` for every column of ``genes`` (samples x genes, caller's order)."""
    n, n_genes = genes.shape
    x = np.concatenate(
        [genes[:, :, None], np.broadcast_to(z[:, None, :], (n, n_genes, z.shape[1]))], axis=2
    )
    doscale = ~np.all(np.isin(x, (-1.0, 0.0, 1.0)), axis=0)
    means, scale = centre_and_scale(x, doscale)
    xc = (x - means) * scale
    fits, _ = _newton_batch(xc, risk_sets, max_iter, eps)
    var = _inverse(fits.info) * scale[:, :, None] * scale[:, None, :]
    coef = fits.coef * scale
    u = fits.u / scale
    singular = ~(np.diagonal(var, axis1=1, axis2=2) > 0).all(axis=1)
    with np.errstate(invalid="ignore"):
        step = np.abs(np.einsum("gp,gpq->gq", u, var))
        infinite = ~np.isfinite(u).all(axis=1) | (
            (step > eps) & (step > np.sqrt(eps) * np.abs(coef))
        ).any(axis=1)
    start = np.concatenate([np.zeros((n_genes, 1)), reduced.coef / scale[:, 1:]], axis=1)
    _, u0, info0 = batched_loglik_derivs(start, xc, risk_sets)
    warn = fits.ran_out | infinite if max_iter > 1 else np.zeros(n_genes, dtype=bool)
    return {
        "coef": np.where(singular, np.nan, coef[:, 0]),
        "var": np.where(singular, np.nan, var[:, 0, 0]),
        "loglik": fits.loglik,
        "score_stat": np.sum(u0 * _solve(info0, u0), axis=1),
        "iterations": fits.iterations,
        "converged": ~fits.ran_out,
        "nonconvergence_warning": warn,
        "sd": genes.std(axis=0, ddof=1),
    }
