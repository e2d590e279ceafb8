"""The scoring entry points: :func:`score_signatures`, :func:`score` and :func:`signature_coverage`.

:func:`score_signatures` returns a :class:`~sigsurv.scoring.result.ScoreResult` (the
scores and their coverage report as fields); :func:`score` returns its scores table
only, a plain DataFrame without ``attrs`` (the coverage report once kept in
``DataFrame.attrs`` is ``score_signatures(...).coverage``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._dask import ExpressionStore
from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.scoring._input import (
    GeneSet,
    SignatureSpec,
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
from sigsurv.scoring.registry import ScoringMethod, get_method
from sigsurv.scoring.result import NOT_SCORED_COLUMNS, ScoreResult

__all__ = ["BACKENDS", "score", "score_signatures", "signature_coverage"]

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


_PARAMETERS = """
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
        labels, nothing is renamed, collapsed or reordered. Infinite values are
        refused. **NA cells** (NaN) are allowed in memory: each sample is scored from
        the signature genes it has (mean-type methods average the genes present, rank
        methods rank the genes present, GSVA's kernel of a gene uses the samples that
        have it; ``plage`` refuses them); see ``sigsurv.scoring._missing``.
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
        whatever their size. With NA cells the same fraction applies to each sample:
        a sample whose measured signature genes fall below it (or number zero) is NA,
        listed with its reason in ``ScoreResult.not_scored``.
    progress
        Optional ``callable(done, total)`` called as work blocks complete.
    backend
        ``"memory"`` (default: this process, ``threads`` threads for the methods that
        have them) or ``"dask"``: the work is split into tasks run by Dask (see
        ``sigsurv.scoring._distributed`` for how each method is split). Both give
        the same scores, whatever the chunk sizes and the number of workers. Dask
        refuses NA cells.
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
"""


def score_signatures(
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
) -> ScoreResult:
    """Score signatures per sample: the scores and their coverage report.
    {parameters}
    Returns
    -------
    ScoreResult
        ``scores`` (samples x signatures, sample ids and signature ids in input
        order), ``coverage`` (one row per signature), ``gene_counts`` (signature genes
        measured per sample), ``not_scored`` (samples left NA, with the reason),
        ``method`` and ``options``.

    Examples
    --------
    >>> expr = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 4.0], [0.5, np.nan, 0.1]],
    ...                     index=["BCL2", "IGF1R", "PTEN"], columns=["s1", "s2", "s3"])
    >>> result = score_signatures(expr, {{"pair": ["BCL2", "IGF1R"], "pt": ["BCL2", "PTEN"]}})
    >>> result.scores["pair"].round(4).tolist()
    [-0.6091, -0.4364, 1.0455]
    >>> result.gene_counts["pt"].tolist()
    [2, 1, 2]
    >>> result.not_scored.empty
    True
    >>> strict = score_signatures(expr, {{"pt": ["BCL2", "PTEN"]}}, min_coverage=1.0)
    >>> strict.scores["pt"].isna().tolist()
    [False, True, False]
    >>> strict.not_scored["reason"].tolist()
    ['1 of 2 genes measured in this sample (50%), below min_coverage 100%']
    """
    scoring_method = get_method(method)
    resolved = scoring_method.resolve_options(options)
    _check_backend(backend, (scheduler, workers, chunk_size, gene_chunk_size))
    if backend == "dask" and isinstance(data, ExpressionStore):
        check_store_labels(data)  # values stay in the store; Dask reads them chunk by chunk
        values, genes, samples = data.array, data.genes, data.samples
    else:
        values, genes, samples = expression_matrix(
            data, layer=layer, orientation=orientation, allow_missing=backend == "memory"
        )
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
    result = np.array(result, dtype=float)
    counts = _measured_gene_counts(values, sets)
    not_scored = _mask_short_samples(result, counts, specs, sets, min_coverage)
    _refuse_undefined(result, not_scored, scoring_method, specs)
    scored = _assemble(result, counts, not_scored, specs, sets, samples, scoring_method, resolved)
    if key_added is not None:
        store_in_anndata(data, scored, key_added)
    return scored


def score(data: Any, signatures: Any, method: str = "mean_z", **kwargs: Any) -> pd.DataFrame:
    """Score signatures per sample: the scores table of :func:`score_signatures`.

    Takes every argument of :func:`score_signatures` and returns
    ``score_signatures(...).scores``: a plain samples x signatures DataFrame (sample
    ids in input order, signature ids in input order), **without** ``attrs`` (pandas
    deep-copies ``attrs`` at every indexing). The coverage report (found and missing
    genes, genes measured per sample, samples not scored) is
    ``score_signatures(...).coverage`` or :func:`signature_coverage`.
    {parameters}
    Examples
    --------
    >>> expr = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 4.0], [0.5, 0.2, 0.1]],
    ...                     index=["BCL2", "IGF1R", "PTEN"], columns=["s1", "s2", "s3"])
    >>> scores = score(expr, {{"pair": ["BCL2", "IGF1R"]}})
    >>> scores.index.tolist(), scores.columns.tolist()
    (['s1', 's2', 's3'], ['pair'])
    >>> scores["pair"].round(4).tolist()
    [-0.6091, -0.4364, 1.0455]
    >>> scores.attrs
    {{}}
    >>> score(expr, {{"pair": ["BCL2", "PTEN"]}}, method="singscore")["pair"].tolist()
    [-0.5, 0.0, -0.5]
    >>> on_dask = score(expr, {{"pair": ["BCL2", "IGF1R"]}}, backend="dask", workers=1)
    >>> bool(on_dask.equals(scores))
    True
    """
    return score_signatures(data, signatures, method, **kwargs).scores


if score_signatures.__doc__ is not None:  # docstrings are stripped under python -OO
    score_signatures.__doc__ = score_signatures.__doc__.format(parameters=_PARAMETERS)
    score.__doc__ = score.__doc__.format(parameters=_PARAMETERS)  # type: ignore[union-attr]


def _check_backend(backend: str, dask_only: tuple[Any, ...]) -> None:
    if backend not in BACKENDS:
        raise SigsurvInputError(
            "invalid option backend", expected=" | ".join(BACKENDS), found=backend
        )
    if backend == "memory" and any(option is not None for option in dask_only):
        raise SigsurvInputError(
            "options scheduler, workers, chunk_size and gene_chunk_size need backend='dask'"
        )


def _measured_gene_counts(values: Any, sets: list[GeneSet]) -> np.ndarray:
    """Samples x sets: signature genes found with a value (not NA) in each sample."""
    n_samples = values.shape[1]
    counts = np.tile(np.array([gs.k for gs in sets], dtype=np.int64), (n_samples, 1))
    if not isinstance(values, np.ndarray):  # a lazy store: NA cells are refused by Dask
        return counts
    union = np.unique(np.concatenate([gs.index for gs in sets]))
    missing = np.isnan(values[union])
    if not missing.any():
        return counts
    present = ~missing
    for j, gs in enumerate(sets):
        counts[:, j] = present[np.searchsorted(union, gs.index)].sum(axis=0)
    return counts


def _mask_short_samples(
    result: np.ndarray,
    counts: np.ndarray,
    specs: list[SignatureSpec],
    sets: list[GeneSet],
    min_coverage: float,
) -> list[tuple[int, int, int, str]]:
    """Set to NA the samples with too few signature genes measured; say why."""
    requested = np.array([spec.n_genes for spec in specs], dtype=float)
    found = np.array([gs.k for gs in sets])
    short = counts < found  # samples with NA cells in the signature's genes
    if not short.any():
        return []
    below = short & ((counts == 0) | (counts / requested < float(min_coverage)))
    undefined = short & ~below & ~np.isfinite(result)
    rows = []
    for i, j in zip(*np.nonzero(below | undefined), strict=True):
        measured = int(counts[i, j])
        fraction = 100 * measured / requested[j]
        reason = (
            f"{measured} of {specs[j].n_genes} genes measured in this sample "
            f"({fraction:.3g}%), below min_coverage {100 * float(min_coverage):.3g}%"
            if below[i, j]
            else f"score undefined on the {measured} genes measured in this sample "
            "(a signed part has no gene measured, or they do not vary)"
        )
        rows.append((int(i), int(j), measured, reason))
    result[below] = np.nan
    return rows


def _refuse_undefined(
    result: np.ndarray,
    not_scored: list[tuple[int, int, int, str]],
    scoring_method: ScoringMethod,
    specs: list[SignatureSpec],
) -> None:
    """Refuse non-finite scores, except those of samples not scored (with a reason)."""
    finite = np.isfinite(result)
    for i, j, _, _ in not_scored:
        finite[i, j] = True
    if not finite.all():
        column = int(np.flatnonzero(~finite.all(axis=0))[0])
        raise AnalysisError(
            f"{scoring_method.name} gave undefined scores for signature {specs[column].id}",
            found=f"{int((~finite[:, column]).sum())} samples",
            hint="the signature's genes barely vary in these samples; try another method",
        )


def _assemble(
    result: np.ndarray,
    counts: np.ndarray,
    not_scored: list[tuple[int, int, int, str]],
    specs: list[SignatureSpec],
    sets: list[GeneSet],
    samples: pd.Index,
    scoring_method: ScoringMethod,
    resolved: dict[str, Any],
) -> ScoreResult:
    """The :class:`ScoreResult` of a call (coverage built column-wise, no row loop)."""
    for i, j, _, _ in not_scored:
        result[i, j] = np.nan
    columns = pd.Index([spec.id for spec in specs], name="signature")
    index = samples.copy()
    if index.name is None:
        index.name = "sample"
    n_not_scored = np.zeros(len(specs), dtype=np.int64)
    for _, j, _, _ in not_scored:
        n_not_scored[j] += 1
    n_genes = np.array([spec.n_genes for spec in specs], dtype=np.int64)
    n_found = np.array([gs.k for gs in sets], dtype=np.int64)
    coverage = pd.DataFrame(
        {
            "n_genes": n_genes,
            "n_found": n_found,
            "fraction": n_found / n_genes,
            "found": [gs.found for gs in sets],
            "missing": [gs.missing for gs in sets],
            "min_genes_per_sample": counts.min(axis=0),
            "n_scored": result.shape[0] - n_not_scored,
            "n_not_scored": n_not_scored,
        },
        index=columns,
    )
    table = pd.DataFrame(
        [(samples[i], specs[j].id, measured, reason) for i, j, measured, reason in not_scored],
        columns=list(NOT_SCORED_COLUMNS),
    ).astype({"n_genes_measured": np.int64})
    return ScoreResult(
        scores=pd.DataFrame(result, index=index, columns=columns),
        coverage=coverage,
        gene_counts=pd.DataFrame(counts, index=index.copy(), columns=columns.copy()),
        not_scored=table,
        method=scoring_method.name,
        options=dict(resolved),
    )
