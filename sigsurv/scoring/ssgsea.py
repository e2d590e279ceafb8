"""Single-sample GSEA (Barbie et al. 2009), as implemented by GSVA ``method="ssgsea"``.

For one sample, genes are ranked by expression (rank 1 = lowest) and walked from the
highest to the lowest. With the signature's ``k`` genes at walk positions ``p`` (1 =
highest) among ``n`` genes and weights ``w = rank ** alpha``, the enrichment score is
the sum over the walk of (weighted fraction of set genes seen) minus (fraction of
other genes seen), which has the closed form::

    ES = sum(w * (n - p + 1)) / sum(w) - (n (n + 1) / 2 - sum(n - p + 1)) / (n - k)

so only the ranks of the signature genes are needed (one sort per sample, then a
binary search per gene: ``O(n log n)`` per sample instead of a walk per set).

Tied expression values (``ties`` option)
    ``"average"`` (default): tied genes share their average rank, both as weight and
    as walk position ``n - p + 1``. This equals the mean of the score over all orders
    of the tied genes, so it does not depend on the order of the matrix rows.

    ``"gsva_1.46"``: GSVA 1.46.0 exactly. Average ranks are **truncated to integers**
    (``mode(R) <- "integer"``: 2.5 becomes 2) for the weights, and the walk orders tied
    genes by a stable sort, i.e. by their row order in the matrix (so scores then
    depend on row order when values are tied). On tie-free data both conventions
    agree. ``"average"`` warns (:class:`~sigsurv.errors.SigsurvWarning`) when more
    than 5% (:data:`TIED_SHARE_WARNING`) of the signature genes' values are tied with
    another gene of the same sample, as in imputed or low-resolution data.
    Genes with constant expression are kept (GSVA removes them for every
    method except ssGSEA).

``normalise=True`` divides every score by the range (max - min) of **all** raw
enrichment scores of the call, every signature part and sample, as GSVA's
``ssgsea.norm=TRUE`` does; scores then depend on the other samples and signatures
scored together. Signed signatures score ``ES(UP) - ES(DN)`` (each half scored as its
own set in the same call; the normalisation range covers the halves).
"""

from __future__ import annotations

import warnings

import numpy as np

from sigsurv._deprecation import renamed_keyword
from sigsurv.errors import AnalysisError, SigsurvWarning
from sigsurv.scoring._common import (
    TIES,
    check_choice,
    check_number,
    combine_parts,
    refuse_constant_signatures,
    signed_parts,
    user_stacklevel,
)
from sigsurv.scoring._engine import check_engine
from sigsurv.scoring._input import GeneSet
from sigsurv.scoring._missing import columns_with_missing, score_present_genes
from sigsurv.scoring._ranks import (
    Progress,
    block_ranks,
    check_positive_int,
    resolve_threads,
    row_sums,
    run_blocks,
    sample_blocks,
    transposed_block,
)

__all__ = [
    "TIED_SHARE_WARNING",
    "finish_ssgsea",
    "ssgsea_enrichment",
    "ssgsea_raw",
    "ssgsea_scores",
    "warn_heavy_ties",
]

TIED_SHARE_WARNING = 0.05
"""``ties="average"`` warns when more than this share of the signature genes' values
(over all samples) is tied with another gene of the same sample: scores then differ
from GSVA 1.46, whose convention ``ties="gsva_1.46"`` reproduces."""


def ssgsea_enrichment(
    values: np.ndarray,
    parts: list[np.ndarray],
    *,
    alpha: float = 0.25,
    ties: str = "average",
    block_size: int = 128,
    threads: int | None = None,
    engine: str = "auto",
    progress: Progress = None,
) -> np.ndarray:
    """Raw ssGSEA enrichment scores (samples x gene sets) of row-index gene sets.

    Same parameters as :func:`ssgsea_raw`, which also counts tied values.

    Examples
    --------
    >>> x = np.array([[5.0], [4.0], [3.0], [2.0], [1.0]])
    >>> float(ssgsea_enrichment(x, [np.array([0, 1])], alpha=0.0)[0, 0])
    2.5
    """
    raw, _ = ssgsea_raw(
        values,
        parts,
        alpha=alpha,
        ties=ties,
        block_size=block_size,
        threads=threads,
        engine=engine,
        progress=progress,
    )
    return raw


def ssgsea_raw(
    values: np.ndarray,
    parts: list[np.ndarray],
    *,
    alpha: float = 0.25,
    ties: str = "average",
    block_size: int = 128,
    threads: int | None = None,
    engine: str = "auto",
    progress: Progress = None,
) -> tuple[np.ndarray, int]:
    """Raw enrichment scores (samples x sets) and the number of tied set-gene values.

    The count is over (sample, gene) cells of the genes of any set whose value is
    shared by another gene of the same sample (see :data:`TIED_SHARE_WARNING`).

    Parameters
    ----------
    values
        Genes x samples float matrix (finite).
    parts
        One array of row indices per gene set (unsigned).
    alpha
        Weight exponent of the ranks (GSVA ``tau`` / ``alpha``; 0.25 in Barbie 2009).
    ties
        ``"average"`` or ``"gsva_1.46"`` (see the module docstring).
    block_size, threads
        Samples per block (bounds memory) and threads working on blocks (None: every
        available core).
    engine
        ``"auto"``, ``"numba"`` or ``"numpy"`` (identical results).
    progress
        Optional ``callable(done, total)`` called after each block.

    Examples
    --------
    >>> x = np.array([[5.0, 1.0], [4.0, 1.0], [3.0, 2.0], [2.0, 3.0], [1.0, 4.0]])
    >>> raw, tied = ssgsea_raw(x, [np.array([0, 1])], alpha=0.0)
    >>> raw[:, 0].tolist(), tied
    ([2.5, -2.5], 2)
    """
    n_genes, n_samples = values.shape
    union = np.unique(np.concatenate(parts))
    local = [np.searchsorted(union, p) for p in parts]
    sizes = np.array([p.size for p in parts])
    if np.any(sizes >= n_genes):
        raise AnalysisError(
            "ssgsea: a gene set contains every gene of the matrix; its score is undefined",
            hint="score against a matrix with genes outside the set",
        )
    n = float(n_genes)
    total_positions = n * (n + 1.0) / 2.0

    def one_block(cols: slice) -> tuple[np.ndarray, int]:
        block = transposed_block(values, cols)  # samples x genes
        lt, le, position = block_ranks(block, union, stable=ties == "gsva_1.46", engine=engine)
        if ties == "average":
            rank = (lt + le + 1) / 2.0
            walk = rank
        else:
            rank = ((lt + le + 1) // 2).astype(np.float64)  # GSVA 1.46 integer truncation
            # n - p + 1 for a stable decreasing sort: tied genes earlier in the matrix
            # come first in the walk.
            walk = (lt + le - position).astype(np.float64)
        weight = rank if alpha == 1.0 else rank**alpha
        out = np.empty((block.shape[0], len(parts)))
        for j, loc in enumerate(local):
            w = weight[:, loc]
            pos = walk[:, loc]
            out[:, j] = row_sums(w * pos) / row_sums(w) - (total_positions - row_sums(pos)) / (
                n - loc.size
            )
        return out, int(np.count_nonzero(le - lt > 1))

    blocks = sample_blocks(n_samples, block_size)
    results = run_blocks(one_block, blocks, threads=resolve_threads(threads), progress=progress)
    return np.vstack([r[0] for r in results]), sum(r[1] for r in results)


def warn_heavy_ties(tied: int, cells: int, ties: str) -> None:
    """Warn when ``ties="average"`` meets heavily tied signature genes.

    ``tied / cells`` is the share of the signature genes' values (over samples) tied
    with another gene of the same sample; above :data:`TIED_SHARE_WARNING` a
    :class:`~sigsurv.errors.SigsurvWarning` points to ``ties="gsva_1.46"``.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_heavy_ties(30, 100, "average")
    >>> "gsva_1.46" in str(caught[0].message)
    True
    """
    share = tied / cells if cells else 0.0
    if ties == "average" and share > TIED_SHARE_WARNING:
        warnings.warn(
            f"ssgsea: {100 * share:.3g}% of the signature genes' values are tied with another "
            f"gene in the same sample (warning above {100 * TIED_SHARE_WARNING:g}%); "
            "ties='average' gives them their average rank, which is not what GSVA 1.46 "
            "does: use ties='gsva_1.46' to reproduce GSVA (see the ssgsea method notes)",
            SigsurvWarning,
            stacklevel=user_stacklevel(),
        )


def finish_ssgsea(
    raw: np.ndarray,
    where: list[tuple[int | None, int | None]],
    *,
    normalise: bool,
) -> np.ndarray:
    """Normalise raw part scores (``normalise=True``) and combine them as UP - DN.

    Examples
    --------
    >>> finish_ssgsea(np.array([[2.0, 1.0], [0.0, 1.0]]), [(0, 1)], normalise=True).tolist()
    [[0.5], [-0.5]]
    """
    if normalise:
        spread = float(np.nanmax(raw) - np.nanmin(raw))
        if not spread > 0:
            raise AnalysisError(
                "ssgsea: normalise=True needs raw scores that vary across the call",
                found=f"range {spread}",
                hint="score more samples or use normalise=False",
            )
        raw = raw / spread
    return combine_parts(raw, where)


def ssgsea_scores(
    values: np.ndarray,
    sets: list[GeneSet],
    *,
    progress: Progress = None,
    alpha: float = 0.25,
    normalise: bool = False,
    ties: str = "average",
    block_size: int = 128,
    threads: int | None = None,
    engine: str = "auto",
    normalize: bool | None = None,
) -> np.ndarray:
    """ssGSEA scores of signatures (samples x signatures); signed ones as UP - DN.

    See the module docstring for the conventions. Prefer :func:`sigsurv.scoring.score`.
    ``normalize`` is the deprecated spelling of ``normalise`` (warns).

    References
    ----------
    .. [1] Barbie DA, Tamayo P, Boehm JS, et al. Systematic RNA interference reveals that oncogenic
           KRAS-driven cancers require TBK1. Nature. 2009;462(7269):108-112.
    .. [2] Hänzelmann S, Castelo R, Guinney J. GSVA: gene set variation analysis for microarray and
           RNA-seq data. BMC Bioinformatics. 2013;14:7 (the ``method = "ssgsea"`` implementation
           reproduced here).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(50, 4))
    >>> gs = GeneSet("s", np.arange(5), np.ones(5, dtype=int), np.ones(5))
    >>> ssgsea_scores(x, [gs]).shape
    (4, 1)
    """
    alpha = check_number("ssgsea", "alpha", alpha)
    ties = check_choice("ssgsea", "ties", ties, TIES)
    normalise = renamed_keyword(
        "ssgsea_scores", "normalize", "normalise", normalize, normalise, False
    )
    if not isinstance(normalise, (bool, np.bool_)):
        raise AnalysisError("ssgsea: option normalise must be True or False", found=normalise)
    block_size = check_positive_int("block_size", block_size)
    threads = resolve_threads(threads)
    engine = check_engine("ssgsea", engine)
    refuse_constant_signatures(values, sets, "ssgsea")
    parts, where = signed_parts(sets)
    tied_counts: list[int] = []

    def score_block(
        block: np.ndarray, block_parts: list[np.ndarray], report: bool = True
    ) -> np.ndarray:
        raw, tied = ssgsea_raw(
            block,
            block_parts,
            alpha=alpha,
            ties=ties,
            block_size=block_size,
            threads=threads,
            engine=engine,
            progress=progress if report else None,
        )
        tied_counts.append(tied)
        return raw

    if columns_with_missing(values) is None:
        raw = score_block(values, parts)
    else:  # NA cells: each such sample ranks the genes it has
        raw = score_present_genes(values, parts, score_block)
    warn_heavy_ties(sum(tied_counts), raw.shape[0] * union_size(parts), ties)
    return finish_ssgsea(raw, where, normalise=bool(normalise))


def union_size(parts: list[np.ndarray]) -> int:
    """Number of distinct genes over the parts (the genes whose ties are counted).

    Examples
    --------
    >>> union_size([np.array([1, 2]), np.array([2, 3])])
    3
    """
    return int(np.unique(np.concatenate(parts)).size)
