"""The scoring entry points: :func:`score` and :func:`signature_coverage`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._dask import ExpressionStore
from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.scoring._input import (
    check_coverage,
    check_store_labels,
    coverage_table,
    expression_labels,
    expression_matrix,
    map_signatures,
    resolve_signatures,
    store_in_anndata,
)
from sigsurv.scoring.linear import warn_ignored_weights
from sigsurv.scoring.registry import get_method

__all__ = ["BACKENDS", "score", "signature_coverage"]

BACKENDS: tuple[str, ...] = ("memory", "dask")


def signature_coverage(
    data: Any, signatures: Any, *, layer: str | None = None, orientation: str | None = None
) -> pd.DataFrame:
    """Report which genes of each signature are present in the data.

    Parameters
    ----------
    data
        A :class:`~sigsurv.cohorts.model.Cohort`, an AnnData, a DataFrame or an
        :class:`~sigsurv.scoring.ExpressionStore` (only its gene labels are read).
    signatures
        Anything :func:`score` accepts.
    layer, orientation
        As in :func:`score`.

    Returns
    -------
    pandas.DataFrame
        One row per signature (index ``signature``): ``n_genes``, ``n_found``,
        ``fraction``, ``found`` and ``missing`` (lists of symbols, signature order).
        Matching is exact (case-sensitive) on the matrix's gene index.

    Examples
    --------
    >>> expr = pd.DataFrame([[1.0, 2.0], [3.0, 1.0]], index=["BCL2", "IGF1R"],
    ...                     columns=["s1", "s2"])
    >>> cov = signature_coverage(expr, {"pair": ["BCL2", "IGF1R", "MIR21"]})
    >>> int(cov.loc["pair", "n_found"]), cov.loc["pair", "missing"]
    (2, ['MIR21'])
    """
    genes = expression_labels(data, layer=layer, orientation=orientation)
    specs = resolve_signatures(signatures)
    return coverage_table(specs, map_signatures(specs, genes))


def score(
    data: Any,
    signatures: Any,
    method: str = "mean_z",
    *,
    min_coverage: float = 0.5,
    progress: Callable[[int, int], Any] | None = None,
    backend: str = "memory",
    scheduler: Any = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    gene_chunk_size: int | None = None,
    layer: str | None = None,
    orientation: str | None = None,
    key_added: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Score signatures per sample.

    Parameters
    ----------
    data
        A :class:`~sigsurv.cohorts.model.Cohort` (its ``expression`` is scored), an
        :class:`anndata.AnnData` (``obs`` = samples, ``var`` = genes; ``X`` or
        ``layers[layer]``, sparse matrices are densified), a pandas DataFrame (genes x
        samples, or samples x genes with ``orientation="samples_x_genes"``), or an
        expression store read lazily from Zarr or Parquet
        (:func:`~sigsurv.scoring.read_zarr_expression` /
        :func:`~sigsurv.scoring.read_parquet_expression`: with
        ``backend="dask"`` it is read chunk by chunk by the workers, otherwise read
        whole first). Scored **as given**: genes are matched exactly to the gene
        labels, nothing is renamed, collapsed or reordered. Values must be finite.
    signatures
        A built-in signature id (or file) resolved by
        ``sigsurv.signatures.get_signature``, a
        :class:`~sigsurv.signatures.schema.Signature`, a list of those, or a dict
        ``name -> [genes]`` or ``name -> {gene: signed weight}`` (negative weight =
        direction -1).
    method
        A registered method (see :func:`~sigsurv.scoring.list_methods`): ``mean_z``,
        ``weighted``, ``zscore``, ``plage``, ``ssgsea``, ``gsva``, ``singscore``,
        ``single_gene``.
    min_coverage
        Minimum fraction of a signature's genes that must be found in the data;
        below it (or with no gene found) :class:`~sigsurv.errors.CoverageError` is
        raised naming the found and missing genes. Small signatures are scored
        whatever their size.
    progress
        Optional ``callable(done, total)`` called as work blocks complete.
    backend
        ``"memory"`` (default: this process, ``threads`` threads for the methods that
        have them) or ``"dask"``: the work is split into tasks run by Dask (see
        ``sigsurv.scoring._distributed`` for how each method is split). Both give
        identical scores, whatever the chunk sizes and the number of workers.
    scheduler
        Dask only: a ``dask.distributed.Client``, a scheduler address
        (``"tcp://host:8786"``) or None for a local cluster of ``workers`` processes
        (default: one per available core) started and stopped by this call.
    workers, chunk_size, gene_chunk_size
        Dask only: workers of the local cluster; samples per chunk (per-sample
        methods and GSVA's walk); genes per chunk of GSVA's kernel pass. Defaults
        spread the work over the workers.
    layer
        AnnData only: the layer to score instead of ``X``.
    orientation
        DataFrame only: ``"genes_x_samples"`` (default) or ``"samples_x_genes"``.
        When a DataFrame's signature genes are found in its columns rather than its
        rows, the coverage error suggests transposing.
    key_added
        AnnData only: also write the scores to ``adata.obsm[key_added]`` and the
        coverage report to ``adata.uns[key_added + "_coverage"]`` (decoupler's
        convention; see :func:`~sigsurv.scoring._input.store_in_anndata`).
    **options
        Method options (see ``list_methods()["options"]``), e.g. ``alpha``,
        ``normalise`` and ``ties`` for ``ssgsea``; unknown names are refused.

    Returns
    -------
    pandas.DataFrame
        Samples x signatures (index = sample ids in input order, columns = signature
        ids in input order). ``attrs["coverage"]`` holds the coverage report as a dict
        ``signature -> {n_genes, n_found, fraction, found, missing}`` (plain values,
        so results can still be concatenated; :func:`signature_coverage` returns it
        as a DataFrame); ``attrs["method"]`` and ``attrs["options"]`` record how the
        scores were made.

    Examples
    --------
    >>> expr = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 4.0], [0.5, 0.2, 0.1]],
    ...                     index=["BCL2", "IGF1R", "PTEN"], columns=["s1", "s2", "s3"])
    >>> scores = score(expr, {"pair": ["BCL2", "IGF1R"]})
    >>> scores.index.tolist(), scores.columns.tolist()
    (['s1', 's2', 's3'], ['pair'])
    >>> scores["pair"].round(4).tolist()
    [-0.6091, -0.4364, 1.0455]
    >>> scores.attrs["coverage"]["pair"]["n_found"]
    2
    >>> score(expr, {"pair": ["BCL2", "PTEN"]}, method="singscore")["pair"].tolist()
    [-0.5, 0.0, -0.5]
    >>> on_dask = score(expr, {"pair": ["BCL2", "IGF1R"]}, backend="dask", workers=1)
    >>> bool(on_dask.equals(scores))
    True
    """
    scoring_method = get_method(method)
    resolved = scoring_method.resolve_options(options)
    if backend not in BACKENDS:
        raise SigsurvInputError(
            "invalid option backend", expected=" | ".join(BACKENDS), found=backend
        )
    dask_only = (scheduler, workers, chunk_size, gene_chunk_size)
    if backend == "memory" and any(option is not None for option in dask_only):
        raise SigsurvInputError(
            "options scheduler, workers, chunk_size and gene_chunk_size need backend='dask'"
        )
    if backend == "dask" and isinstance(data, ExpressionStore):
        check_store_labels(data)  # values stay in the store; Dask reads them chunk by chunk
        values, genes, samples = data.array, data.genes, data.samples
    else:
        values, genes, samples = expression_matrix(data, layer=layer, orientation=orientation)
    specs = resolve_signatures(signatures)
    sets = map_signatures(specs, genes)
    check_coverage(sets, specs, min_coverage, genes, other_axis=samples)
    if not scoring_method.supports_weights:
        warn_ignored_weights(scoring_method.name, sets)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Undefined scores are caught just below, with a message instead of a numpy warning.
        if backend == "dask":
            from sigsurv.scoring._distributed import score_with_dask

            result = score_with_dask(
                scoring_method,
                values,
                sets,
                resolved,
                scheduler=scheduler,
                workers=workers,
                chunk_size=chunk_size,
                gene_chunk_size=gene_chunk_size,
                progress=progress,
            )
        else:
            result = scoring_method.func(values, sets, progress=progress, **resolved)
    finite = np.isfinite(np.asarray(result, dtype=float))
    if not finite.all():
        column = int(np.flatnonzero(~finite.all(axis=0))[0])
        raise AnalysisError(
            f"{scoring_method.name} gave undefined scores for signature {specs[column].id}",
            found=f"{int((~finite[:, column]).sum())} samples",
            hint="the signature's genes barely vary in these samples; try another method",
        )
    frame = pd.DataFrame(
        result,
        index=samples.copy(),
        columns=pd.Index([spec.id for spec in specs], name="signature"),
    )
    if frame.index.name is None:
        frame.index.name = "sample"
    table = coverage_table(specs, sets)
    frame.attrs["coverage"] = {
        sig: {
            "n_genes": int(row.n_genes),
            "n_found": int(row.n_found),
            "fraction": float(row.fraction),
            "found": tuple(row.found),
            "missing": tuple(row.missing),
        }
        for sig, row in table.iterrows()
    }
    frame.attrs["method"] = scoring_method.name
    frame.attrs["options"] = dict(resolved)
    if key_added is not None:
        store_in_anndata(data, frame, key_added)
    return frame
