"""Genome-wide univariate Cox scan: one Cox model per gene.

Each gene gets exactly the fit of :func:`sigsurv.survival.cox.cox_fit` (R's
``coxph(Surv(time, event) ~ gene)``): same centring/scaling, same Newton–Raphson
iterations, step halving, convergence rule (``|1 - loglik_old/loglik_new| <= eps``)
and the same non-convergence flag as R's ``coxph.fit`` warnings. With numba
installed a compiled kernel (:mod:`._cox_scan_kernel`) fits the genes in parallel,
each in O(samples) per Newton step; otherwise genes are processed in blocks of
``block_size`` rows with NumPy array operations over genes x samples, genes leaving
the iteration as soon as they converge. With adjustment covariates (and strata) the
compiled path is :mod:`._cox_adjusted_kernel` (one pass over the risk sets per
likelihood evaluation, p x p information accumulated on the way) and the NumPy
reference is the batched :mod:`._adjusted_scan`. Paths give the same numbers to
rounding (about 1e-13 relative), not bit for bit."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._docstrings import fill_doc
from sigsurv.errors import AnalysisError, SampleJoinError, SigsurvInputError, SigsurvWarning
from sigsurv.survival._adjusted_scan import adjusted_block, reduced_model
from sigsurv.survival._design import build_design
from sigsurv.survival._linalg import inverse1, solve1
from sigsurv.survival._newton import centre_and_scale
from sigsurv.survival._risk_sets import GeneRiskSets, build_strata
from sigsurv.survival._validate import (
    check_strata,
    require_events,
    survival_arrays,
    warn_few_events,
)
from sigsurv.survival.multiplicity import benjamini_hochberg

__all__ = ["cox_scan"]

#: Default matrix cells (samples x genes) per block: 500,000 keeps the 3 work arrays
#: (~12 MB) cache-friendly; measured fastest on 1,000 samples.
_CELLS_PER_BLOCK = 500_000
#: Compiled path: matrix cells per block of genes (32 MB of float64).
_COMPILED_CELLS_PER_BLOCK = 4_000_000


@dataclass
class _GeneFits:
    """Per-gene results filled in as genes leave the Newton–Raphson iteration."""

    coef: np.ndarray
    info: np.ndarray
    u: np.ndarray
    loglik: np.ndarray
    iterations: np.ndarray
    ran_out: np.ndarray

    @classmethod
    def empty(cls, n_genes: int) -> _GeneFits:
        nan = np.full(n_genes, np.nan)
        return cls(
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            np.zeros(n_genes, dtype=np.int64),
            np.zeros(n_genes, dtype=bool),
        )


def _newton_genes(
    xc: np.ndarray,
    rs: GeneRiskSets,
    dead_sum: np.ndarray,
    buf: np.ndarray,
    start: tuple[np.ndarray, np.ndarray, np.ndarray],
    max_iter: int,
    eps: float,
) -> _GeneFits:
    """R ``coxfit6``'s iteration for every gene at once (see :func:`cox.cox_fit`)."""
    n_genes = xc.shape[1]
    loglik0, u0, info0 = start
    fits = _GeneFits.empty(n_genes)
    if max_iter == 0:
        fits.coef[:], fits.info[:], fits.u[:], fits.loglik[:] = 0.0, info0, u0, loglik0
        return fits
    beta = np.zeros(n_genes)
    newbeta = solve1(u0, info0)
    best = loglik0.copy()
    halving = np.zeros(n_genes)
    active = np.flatnonzero(np.isfinite(loglik0))
    # Working copy holding only the genes still iterating (compacted as they converge).
    work = xc[:, active] if active.size < n_genes else xc
    for iteration in range(1, max_iter + 1):
        if active.size == 0:
            break
        lk, u, info = rs.derivs(newbeta[active], work, dead_sum[active], buf)
        finite = np.isfinite(u) & np.isfinite(info) & np.isfinite(lk)
        with np.errstate(divide="ignore", invalid="ignore"):
            done = finite & (np.abs(1.0 - best[active] / lk) <= eps)
        idx = active[done]
        fits.coef[idx], fits.info[idx], fits.u[idx] = newbeta[idx], info[done], u[done]
        fits.loglik[idx], fits.iterations[idx] = lk[done], iteration
        keep = ~done
        act = active[keep]
        lk, u, info, finite = lk[keep], u[keep], info[keep], finite[keep]
        fail = ~finite | (lk < best[act])
        bad = act[fail]
        halving[bad] += 1
        newbeta[bad] = (newbeta[bad] + halving[bad] * beta[bad]) / (halving[bad] + 1.0)
        good = act[~fail]
        halving[good] = 0
        best[good] = lk[~fail]
        step = solve1(u[~fail], info[~fail])
        beta[good] = newbeta[good]
        newbeta[good] = newbeta[good] + step
        if done.any():
            work = work[:, keep]
        active = act
    if active.size:
        # Ran out of iterations: R reports the last accepted coefficients.
        fits.ran_out[active] = True
        fits.iterations[active] = max_iter + 1
        fits.coef[active] = beta[active]
        if max_iter > 1:
            lk, u, info = rs.derivs(beta[active], work, dead_sum[active], buf)
            fits.loglik[active], fits.u[active], fits.info[active] = lk, u, info
        else:
            fits.loglik[active] = best[active]
    return fits


def _scan_block(
    xb: np.ndarray, rs: GeneRiskSets, max_iter: int, eps: float
) -> dict[str, np.ndarray]:
    """NumPy path: fit every column of ``xb`` (samples in the ``rs`` layout x genes)."""
    n, n_genes = xb.shape
    doscale = ~np.all((xb == 0) | (xb == 1) | (xb == -1), axis=0)
    means = np.where(doscale, xb.mean(axis=0), 0.0)
    sd = xb.std(axis=0, ddof=1)
    xc = xb - means[None, :]
    mad = np.abs(xc).sum(axis=0)
    scale = np.where(doscale & (mad > 0), n / np.where(mad > 0, mad, 1.0), 1.0)
    xc *= scale[None, :]
    dead_sum = xc[rs.death_pos].sum(axis=0)
    buf = np.empty((n, 3, n_genes))
    start = rs.derivs(np.zeros(n_genes), xc, dead_sum, buf)
    fits = _newton_genes(xc, rs, dead_sum, buf, start, max_iter, eps)
    return _finish(fits, start, scale, sd, max_iter, eps)


def _finish(
    fits: _GeneFits,
    start: tuple[np.ndarray, np.ndarray, np.ndarray],
    scale: np.ndarray,
    sd: np.ndarray,
    max_iter: int,
    eps: float,
) -> dict[str, np.ndarray]:
    """Back to the genes' scale; variance, R's warnings, the score test at 0."""
    loglik0, u0, info0 = start
    var = inverse1(fits.info) * scale**2
    u_orig = fits.u / scale
    singular = ~(fits.info > 0) | ~np.isfinite(fits.info)
    coef = np.where(singular, np.nan, fits.coef * scale)
    with np.errstate(invalid="ignore"):
        step_size = np.abs(u_orig * var)
        infinite = ~np.isfinite(u_orig) | (
            (step_size > eps) & (step_size > np.sqrt(eps) * np.abs(np.nan_to_num(coef)))
        )
    warn = fits.ran_out | infinite if max_iter > 1 else np.zeros(coef.shape[0], dtype=bool)
    return {
        "coef": coef,
        "var": np.where(singular, np.nan, var),
        "loglik0": loglik0,
        "loglik": fits.loglik,
        "score_stat": u0 * solve1(u0, info0),
        "iterations": fits.iterations,
        "converged": ~fits.ran_out,
        "nonconvergence_warning": warn,
        "sd": sd,
    }


def _expression_matrix(expression: Any, time: Any, gene_names: Any) -> tuple[np.ndarray, list[str]]:
    """Genes x samples float matrix and gene names; sample labels checked against time."""
    if isinstance(expression, pd.DataFrame):
        names = expression.index.astype(str).tolist() if gene_names is None else list(gene_names)
        if isinstance(time, pd.Series) and not isinstance(time.index, pd.RangeIndex):
            if not time.index.astype(str).equals(expression.columns.astype(str)):
                raise SampleJoinError(
                    "time labels do not match the expression columns (same samples, same order)",
                    expected=f"{list(expression.columns[:3])}...",
                    found=f"{list(time.index[:3])}...",
                )
        values = expression.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(expression, dtype=np.float64)
        if values.ndim == 1:
            values = values[None, :]
        names = (
            [f"gene{i + 1}" for i in range(values.shape[0])]
            if gene_names is None
            else [str(g) for g in gene_names]
        )
    if values.ndim != 2:
        raise SigsurvInputError(
            "expression must be genes x samples", expected="2-D", found=f"shape {values.shape}"
        )
    if len(names) != values.shape[0]:
        raise SigsurvInputError(
            "gene_names length differs from the number of genes",
            expected=str(values.shape[0]),
            found=len(names),
        )
    return values, names


def _check_genes(values: np.ndarray, names: list[str]) -> None:
    """Refuse genes with missing values or without variation (naming them)."""
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise SigsurvInputError(
            f"{int(bad.sum())} gene(s) have missing or infinite values",
            column=names[first],
            expected="complete expression (filter or impute explicitly)",
            found="NA/inf",
        )
    constant = np.all(values == values[:, :1], axis=1)
    if constant.any():
        shown = [names[i] for i in np.flatnonzero(constant)[:5]]
        raise AnalysisError(
            f"{int(constant.sum())} gene(s) are constant across samples",
            expected="varying expression (drop constant genes first)",
            found=shown,
        )


def _result_table(out: dict[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    coef = out["coef"]
    se = np.sqrt(out["var"])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = coef / se
        lrt = 2.0 * (out["loglik"] - out["loglik0"])
        result = pd.DataFrame(
            {
                "coef": coef,
                "se": se,
                "hr": np.exp(coef),
                "z": z,
                "p_wald": 2.0 * stats.norm.sf(np.abs(z)),
                "lrt_stat": lrt,
                "p_lrt": stats.chi2.sf(lrt, 1),
                "score_stat": out["score_stat"],
                "p_score": stats.chi2.sf(out["score_stat"], 1),
                "coef_per_sd": coef * out["sd"],
                "iterations": out["iterations"],
                "converged": out["converged"],
                # R warns "Loglik converged before variable ...; coefficient may be
                # infinite" only for fits that converged (monotone likelihood).
                "infinite_coefficient": out["nonconvergence_warning"] & out["converged"],
                "nonconvergence_warning": out["nonconvergence_warning"],
            },
            index=pd.Index(names, name="gene"),
        )
    return result


def _compiled_kernel_available() -> bool:
    """Whether numba (and so the compiled kernel) can be imported."""
    try:
        import sigsurv.survival._cox_scan_kernel  # noqa: F401
    except ImportError:
        return False
    return True


def _univariate(
    values: np.ndarray,
    t: np.ndarray,
    e: np.ndarray,
    strata_arr: np.ndarray | None,
    ties: str,
    block_size: int | None,
    max_iter: int,
    eps: float,
    threads: int | None,
) -> dict[str, np.ndarray]:
    """One Cox model per gene (per-stratum risk sets with ``strata_arr``)."""
    rs = GeneRiskSets(t, e, ties == "efron", strata_arr)
    if _compiled_kernel_available():
        return _univariate_compiled(values, rs, block_size, max_iter, eps, threads)
    if block_size is None:
        block_size = max(1, _CELLS_PER_BLOCK // max(1, t.shape[0]))
    parts = [
        _scan_block(
            np.ascontiguousarray(values[start : start + block_size][:, rs.order].T),
            rs,
            max_iter,
            eps,
        )
        for start in range(0, values.shape[0], block_size)
    ]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _univariate_compiled(
    values: np.ndarray,
    rs: GeneRiskSets,
    block_size: int | None,
    max_iter: int,
    eps: float,
    threads: int | None,
) -> dict[str, np.ndarray]:
    """Compiled path: each gene's row is read in place, one thread per gene at a time."""
    from sigsurv.survival._cox_scan_kernel import scan_genes, thread_limit

    # Blocks of genes copied to C order one at a time (a DataFrame's values are often
    # in Fortran order): bounded extra memory, enough genes per block for every thread.
    step = max(1, _COMPILED_CELLS_PER_BLOCK // max(1, values.shape[1]))
    if block_size is not None:
        step = block_size
    parts = []
    with thread_limit(threads) as used:
        for start in range(0, values.shape[0], max(step, 1)):
            block = np.ascontiguousarray(values[start : start + step])
            k = scan_genes(block, rs, max_iter, eps, parallel=used > 1)
            fits = _GeneFits(k.coef, k.info, k.u, k.loglik, k.iterations, k.ran_out)
            parts.append(_finish(fits, (k.loglik0, k.u0, k.info0), k.scale, k.sd, max_iter, eps))
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


@dataclass(frozen=True)
class _Model:
    """Everything but the genes: survival, strata, adjustment covariates, R's controls."""

    time: np.ndarray
    event: np.ndarray
    strata: np.ndarray | None
    covariates: np.ndarray | None
    ties: str
    max_iter: int
    eps: float


def _fit_genes(
    values: np.ndarray, model: _Model, block_size: int | None, threads: int | None
) -> dict[str, np.ndarray]:
    """Per-gene fits of the rows of ``values``; no gene's result depends on the others."""
    t, e, strata = model.time, model.event, model.strata
    # One covariate per gene (optionally stratified): the per-gene kernel. The batched
    # adjusted path keeps R's information of the last step when max_iter <= 1.
    if model.covariates is None and (strata is None or model.max_iter > 1):
        return _univariate(
            values, t, e, strata, model.ties, block_size, model.max_iter, model.eps, threads
        )
    z = np.empty((len(t), 0)) if model.covariates is None else model.covariates
    if _compiled_kernel_available():
        return _adjusted_compiled(values, model, z, block_size, threads)
    return _adjusted(values, t, e, z, strata, model.ties, model.max_iter, model.eps, block_size)


#: Genes per Dask task by default.
_DASK_GENES_PER_TASK = 1_000


def _fit_on_dask(
    values: np.ndarray,
    model: _Model,
    block_size: int | None,
    threads: int | None,
    scheduler: Any,
) -> dict[str, np.ndarray]:
    """:func:`_fit_genes` on blocks of genes as Dask tasks, gathered in gene order."""
    from sigsurv._dask import chunk_slices, dask_client

    size = _DASK_GENES_PER_TASK if block_size is None else block_size
    with dask_client(scheduler) as client:
        shared = client.scatter(model, broadcast=True, hash=False)
        blocks = client.scatter(
            [values[part] for part in chunk_slices(values.shape[0], size)], hash=False
        )
        futures = [
            client.submit(_fit_genes, block, shared, None, threads or 1, pure=False)
            for block in blocks
        ]
        parts = client.gather(futures)
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def _covariate_matrix(
    covariates: Any, reference_levels: Mapping[str, Any] | None, n: int
) -> np.ndarray:
    if covariates is None:
        return np.empty((n, 0))
    design = build_design(covariates, reference_levels)
    if design.matrix.shape[0] != n:
        raise SigsurvInputError(
            "covariates and time have different numbers of rows",
            expected=f"{n} rows",
            found=design.matrix.shape[0],
        )
    return design.matrix


def _adjusted(
    values: np.ndarray,
    t: np.ndarray,
    e: np.ndarray,
    z: np.ndarray,
    strata_arr: np.ndarray | None,
    ties: str,
    max_iter: int,
    eps: float,
    block_size: int | None,
) -> dict[str, np.ndarray]:
    """Genes with adjustment covariates and/or strata (see :mod:`._adjusted_scan`)."""
    risk_sets = build_strata(t, e, strata_arr, ties == "efron")
    reduced = reduced_model(z, risk_sets, max_iter, eps)
    p = 1 + z.shape[1]
    if block_size is None:
        block_size = max(1, _CELLS_PER_BLOCK // max(1, t.shape[0] * p * p))
    parts = [
        adjusted_block(values[start : start + block_size].T, z, risk_sets, reduced, max_iter, eps)
        for start in range(0, values.shape[0], block_size)
    ]
    out = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    out["loglik0"] = np.full(values.shape[0], reduced.loglik)
    return out


def _adjusted_compiled(
    values: np.ndarray,
    model: _Model,
    z: np.ndarray,
    block_size: int | None,
    threads: int | None,
) -> dict[str, np.ndarray]:
    """Compiled path of :func:`_adjusted`: one gene per thread, one pass per evaluation."""
    from sigsurv.survival._cox_adjusted_kernel import scan_adjusted, walk_layout
    from sigsurv.survival._cox_scan_kernel import thread_limit

    t, e, strata_arr = model.time, model.event, model.strata
    risk_sets = build_strata(t, e, strata_arr, model.ties == "efron")
    reduced = reduced_model(z, risk_sets, model.max_iter, model.eps)
    doscale = ~np.all(np.isin(z, (-1.0, 0.0, 1.0)), axis=0)
    means, z_scale = centre_and_scale(z, doscale)
    layout = walk_layout(t, e, strata_arr)
    step = max(1, _COMPILED_CELLS_PER_BLOCK // max(1, values.shape[1]))
    if block_size is not None:
        step = block_size
    parts = []
    with thread_limit(threads) as used:
        for start in range(0, values.shape[0], step):
            fits = scan_adjusted(
                values[start : start + step],
                layout,
                (z - means) * z_scale,
                z_scale,
                reduced.coef,
                efron=model.ties == "efron",
                max_iter=model.max_iter,
                eps=model.eps,
                parallel=used > 1,
            )
            parts.append(
                {
                    "coef": fits.coef,
                    "var": fits.var,
                    "loglik": fits.loglik,
                    "score_stat": fits.score_stat,
                    "iterations": fits.iterations,
                    "converged": ~fits.ran_out,
                    "nonconvergence_warning": fits.infinite,
                    "sd": fits.sd,
                }
            )
    out = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    out["loglik0"] = np.full(values.shape[0], reduced.loglik)
    return out


@fill_doc
def cox_scan(
    expression: Any,
    time: Any,
    event: Any,
    *,
    ties: str = "efron",
    block_size: int | None = None,
    max_iter: int = 20,
    eps: float = 1e-9,
    gene_names: Any = None,
    timefix: bool = True,
    covariates: Any = None,
    strata: Any = None,
    reference_levels: Mapping[str, Any] | None = None,
    threads: int | None = None,
    backend: str = "memory",
    scheduler: Any = None,
) -> pd.DataFrame:
    """Cox model of survival on every gene, vectorised across genes.

    Without ``covariates`` and ``strata`` each gene gets R's univariate
    ``coxph(Surv(time, event) ~ gene)``. With them, R's
    ``coxph(Surv(time, event) ~ gene + covariates + strata(s))``, still fitted for
    a block of genes at once; the reported coefficient, standard error, Wald, LRT
    and score tests are then those of the gene given the covariates (the LRT
    against the covariates-only model, the score test at the covariates' estimates).

    Parameters
    ----------
    expression
        Genes x samples ``DataFrame`` (index = genes, columns = samples in the
        order of ``time``/``event``), or a 2-D array with ``gene_names``.
    time, event
        Follow-up times and 0/1 event indicators, one per sample. If ``time``
        is a ``Series`` with sample labels they must equal the expression columns.
    %(ties)s
    block_size
        Genes per call of the compiled kernel (default: 4 million matrix cells,
        1,000 genes for 4,000 samples) or per NumPy block
        (default: about 500,000 matrix cells per block, 500 genes for 1,000
        samples). Results do not depend on it.
    max_iter, eps
        R's ``coxph.control(iter.max, eps)``.
    gene_names
        Gene identifiers when ``expression`` is an array.
    timefix
        Treat times closer than ``sqrt(eps)`` (absolute or relative) as tied, as R's
        default ``timefix = TRUE`` (survival's ``aeqSurv``); ``False``: exact ties only.
    covariates
        Adjustment covariates, one row per sample in the sample order (a
        ``DataFrame``: numeric columns as they are, categorical ones as treatment
        dummies, as :func:`sigsurv.survival.cox.cox_fit`).
    strata
        A stratum per sample: separate baseline hazards (R ``strata()``).
    reference_levels
        Reference level per categorical covariate.
    threads
        Threads of the compiled (numba) kernel that fits the genes in parallel
        (default and maximum: the cores available to the process). Results do not
        depend on it.
        Without numba the NumPy path runs on one thread. Models with ``covariates``
        use a compiled per-gene kernel too (:mod:`._cox_adjusted_kernel`; the batched
        NumPy path without numba). With ``backend="dask"``: threads per task (default 1,
        as the local cluster's workers are single-threaded).
    backend
        ``"memory"`` (this process) or ``"dask"``: blocks of ``block_size`` genes
        (default 1,000) fitted as Dask tasks, results identical to ``"memory"``.
    scheduler
        With ``backend="dask"``: a ``dask.distributed.Client``, a scheduler address,
        or None for a local cluster on 127.0.0.1 with one single-threaded worker per
        available core.

    Returns
    -------
    pandas.DataFrame
        Indexed by gene, in input order: ``coef, se, hr, z, p_wald, lrt_stat,
        p_lrt, score_stat, p_score, coef_per_sd`` (coef x sd of the gene, i.e.
        log hazard ratio per standard deviation), ``iterations, converged``
        (False: ran out of iterations), ``infinite_coefficient`` (converged, but R's
        coxph.fit would warn "coefficient may be infinite": monotone likelihood,
        e.g. a gene that separates early events from the rest; its ``coef`` and
        ``hr`` are wherever the iteration stopped, not estimates),
        ``nonconvergence_warning`` (either warning) and ``q_value``
        (Benjamini–Hochberg on ``p_wald``). Statistics of a flagged gene are not
        reliable estimates.

    Raises
    ------
    AnalysisError
        No events, or genes that are constant across samples (named).
    SigsurvInputError
        Shape mismatch, missing values (naming the gene), unknown ``ties``.

    Warns
    -----
    SigsurvWarning
        Fewer than 10 events; genes flagged as not converging.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> expr = pd.DataFrame(rng.normal(size=(3, 40)), index=["A", "B", "C"])
    >>> t = rng.exponential(10, 40).round(1) + 0.1
    >>> e = rng.integers(0, 2, 40)
    >>> res = cox_scan(expr, t, e)
    >>> list(res.index), bool(res["converged"].all())
    (['A', 'B', 'C'], True)
    >>> clinical = pd.DataFrame({"age": rng.normal(60, 8, 40).round(), "site": ["a", "b"] * 20})
    >>> adjusted = cox_scan(expr, t, e, covariates=clinical[["age"]], strata=clinical["site"])
    >>> adjusted.columns[:3].tolist(), bool(adjusted["converged"].all())
    (['coef', 'se', 'hr'], True)
    """
    if ties not in ("efron", "breslow"):
        raise SigsurvInputError("unknown ties method", expected="'efron' or 'breslow'", found=ties)
    values, names = _expression_matrix(expression, time, gene_names)
    t, e = survival_arrays(time, event, timefix=timefix)
    if values.shape[1] != t.shape[0]:
        raise SigsurvInputError(
            "expression columns (samples) and time differ in length",
            expected=f"{t.shape[0]} samples",
            found=values.shape[1],
        )
    _check_genes(values, names)
    warn_few_events(require_events(e, "a Cox model"), "Cox estimates")
    if block_size is not None and block_size < 1:
        raise SigsurvInputError("block_size must be positive", expected=">= 1", found=block_size)
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
    ):
        raise SigsurvInputError(
            "threads must be a positive integer", expected=">= 1", found=threads
        )

    if backend not in ("memory", "dask"):
        raise SigsurvInputError("unknown backend", expected="'memory' or 'dask'", found=backend)
    model = _Model(
        t,
        e,
        None if strata is None else check_strata(strata, t.shape[0]),
        None if covariates is None else _covariate_matrix(covariates, reference_levels, len(t)),
        ties,
        max_iter,
        eps,
    )
    if backend == "dask":
        out = _fit_on_dask(values, model, block_size, threads, scheduler)
    else:
        out = _fit_genes(values, model, block_size, threads)

    result = _result_table(out, names)
    result["q_value"] = benjamini_hochberg(result["p_wald"].to_numpy())
    _warn_flagged(result)
    return result


def _warn_flagged(result: pd.DataFrame) -> None:
    """R's two coxph.fit warnings, counted and with the first genes named."""
    n_flag = int(result["nonconvergence_warning"].sum())
    if not n_flag:
        return
    parts = []
    for column, what in (
        ("infinite_coefficient", "may have infinite coefficients (monotone likelihood)"),
        ("converged", "ran out of iterations"),
    ):
        mask = result[column].to_numpy(bool)
        genes = result.index[~mask if column == "converged" else mask]
        if len(genes):
            shown = ", ".join(map(str, genes[:3])) + (", ..." if len(genes) > 3 else "")
            parts.append(f"{len(genes)} {what}: {shown}")
    warnings.warn(
        f"{n_flag} gene(s) did not converge or may have infinite coefficients ("
        + "; ".join(parts)
        + "); see columns infinite_coefficient, converged and nonconvergence_warning",
        SigsurvWarning,
        stacklevel=3,
    )
