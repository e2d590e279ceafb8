"""singscore (Foroutan et al. 2018, Bioconductor ``singscore::simpleScore``).

In each sample genes are ranked by expression, rank 1 = lowest, ties get the minimum
rank (singscore's ``rankGenes`` default ``tiesMethod = "min"``). For a gene set of ``k``
genes among ``n``, the mean rank is rescaled between its smallest and largest possible
values, ``(k + 1) / 2`` and ``(2n - k + 1) / 2``, and centred (``centerScore=TRUE``)::

    up score   = (mean rank - (k + 1) / 2) / (n - k) - 0.5          in [-0.5, 0.5]
    down score = 0.5 - (mean rank - (k + 1) / 2) / (n - k)          in [-0.5, 0.5]

A signed signature scores ``up + down`` (``TotalScore`` of ``simpleScore(upSet,
downSet)``, in [-1, 1]); a signature of only DN genes scores its down score. Weights
are not used. The score of a sample depends only on that sample.

Difference from the R package: singscore computes ``k`` from the requested gene set
including genes absent from the data; sigsurv uses the genes found (the only ones
ranked), so the bounds are those of the set actually scored. Both agree when every
gene is found.
"""

from __future__ import annotations

import numpy as np

from sigsurv.errors import AnalysisError
from sigsurv.scoring._common import refuse_constant_signatures, signed_parts
from sigsurv.scoring._engine import check_engine
from sigsurv.scoring._input import GeneSet
from sigsurv.scoring._missing import columns_with_missing, score_present_genes
from sigsurv.scoring._ranks import (
    Progress,
    block_ranks,
    check_positive_int,
    resolve_threads,
    run_blocks,
    sample_blocks,
    transposed_block,
)

__all__ = ["singscore_scores"]


def singscore_scores(
    values: np.ndarray,
    sets: list[GeneSet],
    *,
    progress: Progress = None,
    block_size: int = 128,
    threads: int | None = None,
    engine: str = "auto",
) -> np.ndarray:
    """singscore total scores (samples x signatures).

    References
    ----------
    .. [1] Foroutan M, Bhuva DD, Lyu R, Horan K, Cursons J, Davis MJ. Single sample scoring of
           molecular phenotypes. BMC Bioinformatics. 2018;19:404.

    Examples
    --------
    >>> x = np.array([[4.0, 1.0], [3.0, 2.0], [2.0, 3.0], [1.0, 4.0]])
    >>> up = GeneSet("up", np.array([0]), np.array([1]), np.ones(1))
    >>> singscore_scores(x, [up]).ravel().tolist()
    [0.5, -0.5]
    """
    block_size = check_positive_int("block_size", block_size)
    threads = resolve_threads(threads)
    engine = check_engine("singscore", engine)
    refuse_constant_signatures(values, sets, "singscore")
    parts, where = signed_parts(sets)

    def score_block(
        block: np.ndarray, block_parts: list[np.ndarray], report: bool = True
    ) -> np.ndarray:
        return _rescaled_mean_ranks(
            block,
            block_parts,
            block_size=block_size,
            threads=threads,
            engine=engine,
            progress=progress if report else None,
        )

    if columns_with_missing(values) is None:
        norm = score_block(values, parts)
    else:  # NA cells: each such sample ranks the genes it has
        norm = score_present_genes(values, parts, score_block)
    n_samples = values.shape[1]
    out = np.zeros((n_samples, len(sets)))
    for j, (up, dn) in enumerate(where):
        if up is not None:
            out[:, j] += norm[:, up] - 0.5
        if dn is not None:
            out[:, j] += 0.5 - norm[:, dn]
    return out


def _rescaled_mean_ranks(
    values: np.ndarray,
    parts: list[np.ndarray],
    *,
    block_size: int,
    threads: int,
    engine: str,
    progress: Progress,
) -> np.ndarray:
    """``(mean rank - (k + 1) / 2) / (n - k)`` per sample and part (samples x parts)."""
    n_genes, n_samples = values.shape
    if any(p.size >= n_genes for p in parts):
        raise AnalysisError("singscore: a gene set contains every gene of the matrix")
    union = np.unique(np.concatenate(parts))
    local = [np.searchsorted(union, p) for p in parts]

    def one_block(cols: slice) -> np.ndarray:
        lt, _, _ = block_ranks(transposed_block(values, cols), union, engine=engine)
        rank = lt + 1.0  # ties.method = "min"
        out = np.empty((lt.shape[0], len(parts)))
        for j, loc in enumerate(local):
            k = loc.size
            out[:, j] = (rank[:, loc].mean(axis=1) - (k + 1) / 2.0) / (n_genes - k)
        return out

    blocks = sample_blocks(n_samples, block_size)
    return np.vstack(run_blocks(one_block, blocks, threads=threads, progress=progress))
