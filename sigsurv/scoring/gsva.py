"""GSVA (Hänzelmann, Castelo & Guinney 2013) as in GSVA 1.46.0.

1. **Gene-wise kernel CDF** (``kcdf``). For gene ``g`` with values ``x_g1..x_gN`` over
   the N samples, sample ``j`` gets ``F_j`` and the statistic ``log(F / (1 - F))``:

   * ``"Gaussian"`` (default): bandwidth ``h_g = sd(x_g) / 4`` (sd with denominator
     N - 1), ``F = mean_i Phi((x_gj - x_gi) / h_g)``. ``Phi`` is GSVA's
     **precomputed table** of the standard normal CDF on ``[0, 10]`` with step 0.001,
     looked up by truncation (``table[int(|v| / 10 * 10000)]``, mirrored for
     ``v < 0``, 0 / 1 beyond +-10), exactly as GSVA's C code ``matrix_density_R``;
     the table is part of GSVA's definition (the exact CDF differs by up to ~4e-4
     per term).
   * ``"Poisson"`` (counts): ``F = mean_i ppois(x_gj, x_gi + 0.5)``, R's ``ppois``
     (``x_gj`` floored) from scipy's regularised incomplete gamma function (R's own
     ``pgamma`` differs in the last digits: scores agree with GSVA to ~1e-12).
     Values must be non-negative; non-integer values are floored (warning).
   * ``"none"``: the empirical CDF, ``F`` = share of the gene's values ``<= x_gj``
     (GSVA's ``kcdf="none"``, offered by GSVA 1.46 internally and documented from
     1.50); the gene's maximum gets ``+inf``, which only matters through the order.

2. **Ranking.** In each sample, genes are ordered by decreasing statistic; the gene at
   position ``i`` (1-based) of ``n`` gets the rank score ``|n - i + 1 - n/2|``.
3. **Walk.** Kolmogorov-Smirnov-like running sum over that order: a set gene adds
   ``score ** tau / sum(set scores ** tau)``, any other gene subtracts ``1 / (n - k)``.
   ``max_diff=True`` (GSVA's ``mx.diff``): ES = largest positive + largest negative
   deviation; ``max_diff=False``: the deviation of largest absolute value.

Computed without walking every gene: the running sum peaks right after a set gene
and dips right before one, so only the ``k`` positions of the set genes are needed.

Genes with constant expression are removed first (with a warning), as GSVA does.
Tied expression values need no convention here (the kernel CDF handles them); genes
with equal statistics (e.g. duplicated rows) are ordered by matrix row (stable sort),
as GSVA does. Signed signatures: ``ES(UP) - ES(DN)``.

Kernel arithmetic and speed
    The kernels repeat GSVA's floating-point operations one by one (same table
    indices, sums in sample order), so the statistics equal GSVA 1.46's to the last
    bit and statistics that are mathematically tied across genes (rows equal up to
    an affine map, frequent when values were imputed) are ordered as GSVA orders
    them: scores equal GSVA's to ~1e-12. The cost is ``O(n_genes x n_samples^2)``
    pairs like GSVA, run by the compiled kernel (numba, ~1.2 ns per pair and thread,
    each pair of samples indexed once for both of its sums, ``O(n_samples)`` memory
    per gene) or, without numba, by numpy (~25 ns per pair, memory bounded by
    slicing samples); see :mod:`sigsurv.scoring._engine` for the
    choice (``engine`` option). Both give identical statistics. Genes are split
    into blocks run on ``threads`` threads (default: every available core).

    ``fast_kernel=True`` (Gaussian only) is the older approximate numpy kernel
    (sorted values, pairs ``i < j``): statistics agree with GSVA to ~1e-13 but
    mathematically tied statistics may be ordered differently (on gse4335, 2 of 345
    scores differ by ~1e-3 relative). The compiled exact kernel is faster.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.scoring import _kcdf
from sigsurv.scoring._common import (
    check_choice,
    check_number,
    combine_parts,
    drop_constant_genes,
    signed_parts,
    user_stacklevel,
)
from sigsurv.scoring._engine import check_engine, compiled_kernels
from sigsurv.scoring._input import GeneSet
from sigsurv.scoring._kcdf import (
    CDF_TABLE,
    CDF_TABLE_SYMMETRIC,
    MAX_Z,
    RESOLUTION,
    gaussian_rows,
)
from sigsurv.scoring._missing import columns_with_missing, score_present_genes
from sigsurv.scoring._ranks import (
    Progress,
    check_positive_int,
    resolve_threads,
    run_blocks,
    sample_blocks,
    transposed_block,
)

__all__ = [
    "KCDF",
    "check_gsva_options",
    "check_poisson_counts",
    "ecdf_counts",
    "gsva_scores",
    "kernel_cdf_statistic",
    "prepare_gsva",
    "walk_scores",
]

KCDF: tuple[str, ...] = ("Gaussian", "Poisson", "none")
_RESOLUTION = RESOLUTION
_MAX_Z = MAX_Z
_CDF_TABLE = CDF_TABLE
# Genes per block of the fast kernel (its arrays are genes x samples).
_FAST_ROWS = 512
# (gene, sample, sample) pairs per block of the exact kernels: blocks of a few
# hundred milliseconds, so that threads share the work evenly and progress moves.
_PAIRS_PER_BLOCK = 20_000_000


def _bandwidth(values: np.ndarray) -> np.ndarray:
    """sd(x) / 4 per row, with the operations of GSVA's C ``sd`` (R's ``cov.c``).

    Sums run sequentially in extended precision; the mean is rounded to double and the
    squared deviations are computed in double, as in the C code.
    """
    out = np.empty(values.shape[0])
    n = values.shape[1]
    rows_per_block = max(1, 2**20 // n)  # bounded memory (~16 bytes per value)
    for start in range(0, values.shape[0], rows_per_block):
        rows = values[start : start + rows_per_block]
        # samples x genes: a sum over axis 0 adds the samples one after the other (numpy
        # sums pairwise only along the contiguous axis), the C loop's order
        x = rows.T.astype(np.longdouble)
        mean = x.sum(axis=0) / n
        mean = mean + (x - mean).sum(axis=0) / n
        deviation = rows.T - mean.astype(np.float64)
        ss = (deviation * deviation).astype(np.longdouble).sum(axis=0)
        out[start : start + rows_per_block] = np.sqrt(
            (ss / np.longdouble(n - 1)).astype(np.float64)
        )
    return out / 4.0


def n_kernel_blocks(n_genes: int, n_samples: int, exact: bool, kcdf: str = "Gaussian") -> int:
    """Number of gene blocks :func:`kernel_cdf_statistic` uses (for progress totals).

    Examples
    --------
    >>> n_kernel_blocks(10, 4, exact=True)
    1
    """
    return -(-n_genes // _genes_per_block(n_samples, exact, kcdf))


def _genes_per_block(n_samples: int, exact: bool, kcdf: str) -> int:
    if kcdf == "Gaussian" and not exact:
        return _FAST_ROWS
    if kcdf == "none":
        return max(1, _PAIRS_PER_BLOCK // (n_samples * 16))
    return min(1024, max(1, _PAIRS_PER_BLOCK // (n_samples * n_samples)))


def check_poisson_counts(values: np.ndarray) -> None:
    """Refuse negative values and warn on non-integers (``kcdf="Poisson"``).

    Examples
    --------
    >>> check_poisson_counts(np.array([[0.0, 3.0]]))
    """
    if np.any(values < 0):
        row, col = np.argwhere(values < 0)[0]
        raise SigsurvInputError(
            "gsva: kcdf='Poisson' needs non-negative counts",
            found=f"value {values[row, col]} (matrix row {row + 1}, column {col + 1})",
            hint="use kcdf='Gaussian' for log-scale or normalised expression",
        )
    if not np.all(values == np.floor(values)):
        warnings.warn(
            "gsva: kcdf='Poisson' expects integer counts; non-integer values are "
            "floored in the kernel (as R's ppois does)",
            SigsurvWarning,
            stacklevel=user_stacklevel(),
        )


def kernel_cdf_statistic(
    values: np.ndarray,
    *,
    kcdf: str = "Gaussian",
    exact: bool = True,
    engine: str = "auto",
    threads: int | None = None,
    progress: Progress = None,
    done: int = 0,
    total: int | None = None,
) -> np.ndarray:
    """GSVA's per-gene kernel statistic ``log(F / (1 - F))`` (genes x samples).

    Parameters
    ----------
    values
        Genes x samples matrix (finite; non-negative counts for ``"Poisson"``).
    kcdf
        ``"Gaussian"``: ``F_j = mean_i Phi((x_j - x_i) / h)`` with GSVA's table of
        ``Phi``; ``"Poisson"``: ``F_j = mean_i ppois(x_j, x_i + 0.5)``; ``"none"``:
        the empirical CDF (share of the gene's values ``<= x_j``).
    exact
        Gaussian only. ``True`` repeats the floating-point operations of GSVA's C
        code one by one (same table indices, sums in sample order), so statistics
        that are mathematically equal for different genes (e.g. rows equal up to an
        affine map, frequent when values were imputed) come out bit-identical to
        GSVA and are ordered as GSVA orders them. ``False``: the older approximate
        kernel (sorted values, pairs ``i < j``); agrees to ~1e-13 but may order tied
        statistics differently.
    engine
        ``"auto"``, ``"numba"`` or ``"numpy"`` (see ``sigsurv.scoring._engine``);
        both engines give identical statistics.
    threads
        Threads working on blocks of genes; None uses every available core.
    progress, done, total
        Optional ``progress(done + blocks finished, total)`` callback.

    Examples
    --------
    >>> x = np.array([[0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 5.0, 2.0]])
    >>> compiled = kernel_cdf_statistic(x)
    >>> plain = kernel_cdf_statistic(x, engine="numpy")
    >>> approximate = kernel_cdf_statistic(x, exact=False)
    >>> bool(np.array_equal(compiled, plain)), bool(np.allclose(approximate, plain))
    (True, True)
    >>> kernel_cdf_statistic(x, kcdf="none")[0].round(3).tolist()
    [-1.099, 0.0, 1.099, inf]
    """
    kcdf = check_choice("gsva", "kcdf", kcdf, KCDF)
    threads = resolve_threads(threads)
    kernels = compiled_kernels(check_engine("gsva", engine))
    values = np.ascontiguousarray(values, dtype=np.float64)
    n_genes, n_samples = values.shape
    out = np.empty_like(values)
    if kcdf == "Poisson":
        check_poisson_counts(values)
    bw = _bandwidth(values) if kcdf == "Gaussian" else np.empty(0)

    def one_block(rows: slice) -> None:
        x, target = values[rows], out[rows]
        if kcdf == "Gaussian" and not exact:
            target[:] = _fast_block(x, bw[rows])
        elif kcdf == "Gaussian" and kernels is not None:
            kernels.gaussian_rows(x, bw[rows], CDF_TABLE_SYMMETRIC, target)
        elif kcdf == "Gaussian":
            gaussian_rows(x, bw[rows], target)
        elif kcdf == "Poisson":
            (kernels or _kcdf).poisson_rows(x, target)
        else:  # one (SIMD) argsort per gene, then a linear pass
            with np.errstate(divide="ignore"):
                (kernels or _kcdf).ecdf_from_order(x, np.argsort(x, axis=1), target)

    blocks = sample_blocks(n_genes, _genes_per_block(n_samples, exact, kcdf))  # gene blocks
    run_blocks(one_block, blocks, threads=threads, progress=progress, done=done, total=total)
    return out


def ecdf_counts(values: np.ndarray, *, engine: str = "auto", threads: int = 1) -> np.ndarray:
    """Per gene (row), the number of its values ``<=`` each value: ``n F`` (genes x samples).

    ``kcdf="none"``'s statistic ``log(F / (1 - F))`` is an increasing function of these
    counts, the same for every gene, so both order genes identically.

    Examples
    --------
    >>> ecdf_counts(np.array([[3.0, 1.0, 2.0, 2.0]])).tolist()
    [[4, 1, 3, 3]]
    """
    kernels = compiled_kernels(check_engine("gsva", engine))
    values = np.ascontiguousarray(values, dtype=np.float64)
    out = np.empty(values.shape, dtype=np.int64)

    def one_block(rows: slice) -> None:
        x = values[rows]
        (kernels or _kcdf).ecdf_counts_from_order(x, np.argsort(x, axis=1), out[rows])

    genes_per_block = _genes_per_block(values.shape[1], True, "none")
    run_blocks(one_block, sample_blocks(values.shape[0], genes_per_block), threads=threads)
    return out


def _fast_block(x: np.ndarray, bw: np.ndarray) -> np.ndarray:
    n = x.shape[1]
    order = np.argsort(x, axis=1, kind="stable")
    # scaled so that the table index of a pair is int(u_j - u_i)
    u = np.take_along_axis(x, order, axis=1) * (float(_RESOLUTION) / _MAX_Z / bw[:, None])
    top = int(np.ceil((u[:, -1] - u[:, 0]).max())) + 2 if n > 1 else 0
    table = np.ones(max(top, _RESOLUTION) + 1)
    table[: _RESOLUTION + 1] = _CDF_TABLE  # beyond |v| = 10 the CDF is 1 (0 below -10)
    below = np.zeros_like(u)  # sum of table values over the pairs (i < j), per j
    above = np.zeros_like(u)  # ... over the pairs (j < i), per j
    for m in range(1, n):
        t = table[(u[:, m:] - u[:, :-m]).astype(np.intp)]
        below[:, m:] += t
        above[:, :-m] += t
    # F_j = sum_{i<j} table + 1/2 (i = j) + sum_{i>j} (1 - table)
    left = (below + 0.5 + (n - 1 - np.arange(n)) - above) / n
    stat = np.empty_like(u)
    np.put_along_axis(stat, order, -np.log((1.0 - left) / left), axis=1)
    return stat


def walk_scores(
    stat: np.ndarray,
    parts: list[np.ndarray],
    *,
    tau: float = 1.0,
    max_diff: bool = True,
    block_size: int = 128,
    threads: int = 1,
    progress: Progress = None,
    done: int = 0,
    total: int | None = None,
    engine: str = "auto",
    levels: int | None = None,
) -> np.ndarray:
    """GSVA's rank-score walk of gene sets over a statistic (samples x parts).

    Each sample (column of ``stat``) is walked independently. Only the walk positions
    of the set genes are needed (``_walk_positions``: counted without sorting the
    sample by the compiled engine, one stable sort per sample by numpy), then each
    set's running sum at its own genes. ``levels``: ``stat`` holds integers in
    ``1..levels`` (``kcdf="none"``: counts ``n F``, ordered as the statistic), which
    are sorted as unique integer keys (heavily tied values need no tie pass).

    Examples
    --------
    >>> stat = np.array([[3.0], [2.0], [1.0], [0.0]])
    >>> walk_scores(stat, [np.array([0])]).round(4).tolist()
    [[1.0]]
    """
    n_genes, n_samples = stat.shape
    n = n_genes
    union = np.unique(np.concatenate(parts))
    local = [np.searchsorted(union, p) for p in parts]

    def one_block(cols: slice) -> np.ndarray:
        # 1-based walk positions of the set genes: decreasing statistic, ties in row order
        pos_union = _walk_positions(transposed_block(stat, cols), union, engine, levels) + 1
        out = np.empty((pos_union.shape[0], len(parts)))
        for j, loc in enumerate(local):
            k = loc.size
            q = np.sort(pos_union[:, loc], axis=1).astype(np.float64)  # walk positions
            rank_score = np.abs(n - q + 1.0 - n / 2.0)
            w = rank_score if tau == 1.0 else rank_score**tau
            running = np.cumsum(w, axis=1)  # sequential: independent of the block
            total_weight = running[:, -1:]
            cum = running / total_weight
            misses = (q - np.arange(1, k + 1)) / (n - k)
            peak = np.maximum((cum - misses).max(axis=1), 0.0)
            dip = np.minimum((cum - w / total_weight - misses).min(axis=1), 0.0)
            if max_diff:
                out[:, j] = peak + dip
            else:
                out[:, j] = np.where(peak > np.abs(dip), peak, dip)
        return out

    blocks = sample_blocks(n_samples, block_size)
    return np.vstack(
        run_blocks(one_block, blocks, threads=threads, progress=progress, done=done, total=total)
    )


def _walk_positions(
    block: np.ndarray, union: np.ndarray, engine: str, levels: int | None
) -> np.ndarray:
    """0-based positions of the ``union`` columns in each row (samples x genes) sorted by
    decreasing value, ties in column order (GSVA's stable order)."""
    if levels is None:
        kernels = compiled_kernels(engine)
        if kernels is None:
            return _stable_positions(np.negative(block, out=block), union)
        out = np.empty((block.shape[0], union.size), dtype=np.int64)
        kernels.decreasing_positions(block, np.ascontiguousarray(union, dtype=np.int64), out)
        return out
    n = block.shape[1]
    # unique keys, ascending = decreasing level then column: any sort is stable here;
    # 32-bit keys when they fit (twice as many per SIMD register)
    kind = np.int32 if (levels + 1) * n < 2**31 else np.int64
    keys = (levels - block.astype(kind)) * kind(n) + np.arange(n, dtype=kind)
    ordered = np.sort(keys, axis=1)
    out = np.empty((block.shape[0], union.size), dtype=np.int64)
    for i in range(block.shape[0]):
        out[i] = np.searchsorted(ordered[i], keys[i, union])
    return out


def _stable_positions(block: np.ndarray, union: np.ndarray) -> np.ndarray:
    """0-based positions of the ``union`` columns in a stable ascending sort of each row.

    The numpy engine's version of the compiled ``decreasing_positions`` (given the
    negated rows): the same integers.
    """
    order = np.argsort(block, axis=1, kind="stable")
    position = np.empty_like(order)
    np.put_along_axis(
        position, order, np.broadcast_to(np.arange(block.shape[1]), order.shape), axis=1
    )
    return position[:, union]


def gsva_scores(
    values: np.ndarray,
    sets: list[GeneSet],
    *,
    progress: Progress = None,
    tau: float = 1.0,
    max_diff: bool = True,
    kcdf: str = "Gaussian",
    fast_kernel: bool = False,
    engine: str = "auto",
    block_size: int = 128,
    threads: int | None = None,
) -> np.ndarray:
    """GSVA scores (samples x signatures); signed signatures as ``ES(UP) - ES(DN)``.

    See the module docstring. Prefer :func:`sigsurv.scoring.score`.

    References
    ----------
    .. [1] Hänzelmann S, Castelo R, Guinney J. GSVA: gene set variation analysis for microarray and
           RNA-seq data. BMC Bioinformatics. 2013;14:7.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=(40, 6))
    >>> gs = GeneSet("s", np.arange(8), np.ones(8, dtype=int), np.ones(8))
    >>> s = gsva_scores(x, [gs])
    >>> s.shape, bool(np.all(np.abs(s) <= 1))
    ((6, 1), True)
    >>> bool(np.array_equal(s, gsva_scores(x, [gs], engine="numpy", threads=1)))
    True
    """
    checked = check_gsva_options(
        tau=tau,
        max_diff=max_diff,
        kcdf=kcdf,
        fast_kernel=fast_kernel,
        engine=engine,
        block_size=block_size,
        threads=threads,
    )
    values, parts, where = prepare_gsva(values, sets)
    n_genes, n_samples = values.shape
    exact = not checked["fast_kernel"]
    gene_blocks = n_kernel_blocks(n_genes, n_samples, exact, checked["kcdf"])
    sample_block_count = -(-n_samples // checked["block_size"])
    total = gene_blocks + sample_block_count
    levels = None
    if checked["kcdf"] == "none" and columns_with_missing(values) is None:
        # the ECDF statistic orders genes as its integer counts n F do (a monotone map
        # of the same counts for every gene): walk the counts, cheaper to sort
        stat = ecdf_counts(values, engine=checked["engine"], threads=checked["threads"])
        levels = n_samples
        if progress is not None:
            progress(gene_blocks, total)
    else:
        stat = _statistic_of_present_values(values, checked, exact, progress, total)

    def walk(block: np.ndarray, block_parts: list[np.ndarray], report: bool = True) -> np.ndarray:
        return walk_scores(
            block,
            block_parts,
            tau=checked["tau"],
            max_diff=checked["max_diff"],
            block_size=checked["block_size"],
            threads=checked["threads"],
            progress=progress if report else None,
            done=gene_blocks,
            total=total,
            engine=checked["engine"],
            levels=levels,
        )

    if columns_with_missing(stat) is None:
        part_scores = walk(stat, parts)
    else:  # NA cells: each such sample walks the genes it has
        part_scores = score_present_genes(stat, parts, walk)
    return combine_parts(part_scores, where)


def _statistic_of_present_values(
    values: np.ndarray,
    checked: dict[str, Any],
    exact: bool,
    progress: Progress,
    total: int,
) -> np.ndarray:
    """The kernel statistic; a gene with NA cells gets it from the samples that have it.

    Genes are independent in the kernel, so complete genes are computed together
    (exactly as without NA cells) and each gene with NA cells alone on its values.
    """
    options = {"kcdf": checked["kcdf"], "exact": exact, "engine": checked["engine"]}
    incomplete = np.isnan(values).any(axis=1) if isinstance(values, np.ndarray) else None
    if incomplete is None or not incomplete.any():
        return kernel_cdf_statistic(
            values, **options, threads=checked["threads"], progress=progress, total=total
        )
    stat = np.full(values.shape, np.nan)
    complete = np.flatnonzero(~incomplete)
    stat[complete] = kernel_cdf_statistic(values[complete], **options, threads=checked["threads"])
    for gene in np.flatnonzero(incomplete):
        present = ~np.isnan(values[gene])
        stat[gene, present] = kernel_cdf_statistic(
            values[gene, present][None, :], **options, threads=1
        )[0]
    return stat


def check_gsva_options(
    *,
    tau: Any = 1.0,
    max_diff: Any = True,
    kcdf: Any = "Gaussian",
    fast_kernel: Any = False,
    engine: Any = "auto",
    block_size: Any = 128,
    threads: Any = None,
) -> dict[str, Any]:
    """Validated GSVA options (``threads=None`` resolved to the available cores).

    Examples
    --------
    >>> check_gsva_options(kcdf="none", threads=2)["kcdf"]
    'none'
    """
    kcdf = check_choice("gsva", "kcdf", kcdf, KCDF)
    if not isinstance(fast_kernel, (bool, np.bool_)):
        raise SigsurvInputError("gsva: option fast_kernel must be True or False", found=fast_kernel)
    if fast_kernel and kcdf != "Gaussian":
        raise SigsurvInputError(
            "gsva: fast_kernel applies to kcdf='Gaussian' only", found=f"kcdf={kcdf!r}"
        )
    if not isinstance(max_diff, (bool, np.bool_)):
        raise SigsurvInputError("gsva: option max_diff must be True or False", found=max_diff)
    return {
        "tau": check_number("gsva", "tau", tau),
        "max_diff": bool(max_diff),
        "kcdf": kcdf,
        "fast_kernel": bool(fast_kernel),
        "engine": check_engine("gsva", engine),
        "block_size": check_positive_int("block_size", block_size),
        "threads": resolve_threads(threads),
    }


def prepare_gsva(
    values: Any, sets: list[GeneSet], constant: np.ndarray | None = None
) -> tuple[Any, list[np.ndarray], list[tuple[int | None, int | None]]]:
    """Checks and constant-gene removal before GSVA's kernel: ``(values, parts, where)``.

    ``constant``: the mask of constant rows when already computed (dask arrays).

    Examples
    --------
    >>> gs = GeneSet("s", np.array([0]), np.array([1]), np.ones(1))
    >>> values, parts, where = prepare_gsva(np.array([[1.0, 2.0], [2.0, 1.0]]), [gs])
    >>> values.shape, [p.tolist() for p in parts], where
    ((2, 2), [[0]], [(0, None)])
    """
    if values.shape[1] < 2:
        raise AnalysisError("gsva needs at least 2 samples", found=f"{values.shape[1]} sample")
    values, sets = drop_constant_genes(values, sets, "gsva", constant)
    parts, where = signed_parts(sets)
    if any(p.size >= values.shape[0] for p in parts):
        raise AnalysisError("gsva: a gene set contains every gene of the matrix")
    return values, parts, where
