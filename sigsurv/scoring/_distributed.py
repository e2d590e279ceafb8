"""The Dask backend of :func:`sigsurv.scoring.score` (``backend="dask"``).

Dask schedules everything; this module only cuts the work the way each method allows,
so that scores are identical to the in-memory backend whatever the chunk sizes and the
number of workers:

* **samples** (ssgsea, singscore, single_gene without ``standardise``, and any
  registered method whose scores depend neither on other samples nor on other
  signatures): the matrix is split into chunks of ``chunk_size`` samples, each scored
  on its own. For ssgsea the chunks return raw enrichment scores and tie counts: the
  ``normalise=True`` range and the tie warning are computed over the whole cohort.
* **signatures** (mean_z, weighted, zscore, plage, single_gene with
  ``standardise``): each signature is one task on its genes' rows over the whole
  cohort (these methods standardise each gene across samples and use nothing else).
* **gsva**, in two passes: the kernel CDF statistic per chunk of ``gene_chunk_size``
  genes (it needs each gene's whole cohort), then, rechunked by Dask to chunks of
  samples, the rank walk per chunk of samples.

Inside a task the in-memory kernels run on one thread (the workers are the
parallelism). The matrix is a numpy array (sent once to the workers in chunks) or a
dask array read lazily from a Zarr / Parquet store (``sigsurv._dask``), checked for
missing values in one pass and read chunk by chunk by the workers.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from sigsurv._dask import chunk_slices, compute_in_order, dask_client, scattered_array
from sigsurv.errors import CohortValidationError, SigsurvInputError, SigsurvWarning
from sigsurv.scoring._common import (
    TIES,
    check_choice,
    check_number,
    signed_parts,
    user_stacklevel,
)
from sigsurv.scoring._common import combine_parts as _combine_parts
from sigsurv.scoring._input import GeneSet
from sigsurv.scoring.gsva import (
    check_gsva_options,
    check_poisson_counts,
    kernel_cdf_statistic,
    prepare_gsva,
    walk_scores,
)
from sigsurv.scoring.registry import ScoringMethod
from sigsurv.scoring.ssgsea import finish_ssgsea, ssgsea_raw, union_size, warn_heavy_ties

__all__ = ["partition_of", "score_with_dask"]

_BY_SIGNATURE = frozenset({"mean_z", "weighted", "zscore", "plage"})
# Gene chunk of GSVA's first pass: about this many values per chunk.
_VALUES_PER_GENE_CHUNK = 4_000_000


def partition_of(method: ScoringMethod, options: dict[str, Any]) -> str:
    """How ``method`` is split on Dask: ``"samples"``, ``"signatures"`` or ``"gsva"``.

    Examples
    --------
    >>> from sigsurv.scoring import get_method
    >>> partition_of(get_method("singscore"), {}), partition_of(get_method("zscore"), {})
    ('samples', 'signatures')
    """
    if method.name == "gsva":
        return "gsva"
    if method.name == "ssgsea":
        return "ssgsea"
    if method.name in _BY_SIGNATURE or (
        method.name == "single_gene" and options.get("standardise")
    ):
        return "signatures"
    if not method.depends_on_samples and method.depends_on_sets == "no":
        return "samples"
    raise SigsurvInputError(
        f"method {method.name} cannot run on the Dask backend: its scores depend on other "
        "samples in a way sigsurv does not know how to split",
        hint="use backend='memory'",
    )


def _one_thread(options: dict[str, Any]) -> dict[str, Any]:
    return {**options, "threads": 1} if "threads" in options else options


def _method_chunk(
    func: Callable[..., Any], values: np.ndarray, sets: list[GeneSet], options: dict[str, Any]
) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(func(values, sets, progress=None, **options), dtype=float)


def _ssgsea_chunk(
    values: np.ndarray, parts: list[np.ndarray], options: dict[str, Any]
) -> tuple[np.ndarray, int]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return ssgsea_raw(values, parts, threads=1, **options)


def _gsva_statistic_chunk(values: np.ndarray, kcdf: str, exact: bool, engine: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)  # already warned on the client
        return kernel_cdf_statistic(values, kcdf=kcdf, exact=exact, engine=engine, threads=1)


def _gsva_walk_chunk(
    statistic: np.ndarray, parts: list[np.ndarray], tau: float, max_diff: bool, block_size: int
) -> np.ndarray:
    return walk_scores(
        statistic, parts, tau=tau, max_diff=max_diff, block_size=block_size, threads=1
    )


def _chunked(client: Any, values: Any, *, axis: int, size: int) -> Any:
    """A dask array in chunks of ``size`` along ``axis`` (whole along the other)."""
    if isinstance(values, np.ndarray):
        return scattered_array(client, values, axis=axis, size=size)
    chunk_slices(values.shape[axis], size)  # validates the size
    return values.rechunk((size, -1) if axis == 0 else (-1, size))


def _check_finite(client: Any, values: Any) -> None:
    """Refuse missing or infinite values of a lazily read matrix (one pass by Dask)."""
    if isinstance(values, np.ndarray):
        return  # checked when the matrix was built
    import dask.array as da

    bad = int(client.compute((~da.isfinite(values)).sum(), sync=True))
    if bad:
        raise CohortValidationError(
            f"expression store: {bad} missing or infinite expression values",
            expected="finite numbers",
            hint="impute or drop them explicitly before scoring",
        )


def _check_counts_lazily(client: Any, values: Any) -> None:
    if isinstance(values, np.ndarray):
        check_poisson_counts(values)
        return
    import dask.array as da

    negative, fractional = client.compute(
        [(values < 0).any(), (values != da.floor(values)).any()], sync=True
    )
    if negative:
        raise SigsurvInputError("gsva: kcdf='Poisson' needs non-negative counts")
    if fractional:
        warnings.warn(
            "gsva: kcdf='Poisson' expects integer counts; non-integer values are floored "
            "in the kernel (as R's ppois does)",
            SigsurvWarning,
            stacklevel=user_stacklevel(),
        )


def _default_chunk(n: int, client: Any) -> int:
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return max(1, min(512, math.ceil(n / (2 * workers))))


def score_with_dask(
    method: ScoringMethod,
    values: np.ndarray,
    sets: list[GeneSet],
    options: dict[str, Any],
    *,
    scheduler: Any = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    gene_chunk_size: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> np.ndarray:
    """Scores (samples x signatures) of ``method`` computed by Dask.

    Parameters are those of :func:`sigsurv.scoring.score` (``options`` resolved).

    Examples
    --------
    >>> from sigsurv.scoring import get_method
    >>> from sigsurv.scoring.singscore import singscore_scores
    >>> gs = GeneSet("s", np.array([0, 1]), np.array([1, 1]), np.ones(2))
    >>> x = np.arange(12.0).reshape(3, 4) % 5
    >>> with dask_client(workers=1, processes=False) as client:
    ...     on_dask = score_with_dask(get_method("singscore"), x, [gs], {}, scheduler=client)
    >>> on_dask.ravel().tolist(), bool(np.array_equal(on_dask, singscore_scores(x, [gs])))
    ([0.0, -0.5, 0.5, 0.5], True)
    """
    partition = partition_of(method, options)
    with dask_client(scheduler, workers=workers) as client:
        _check_finite(client, values)
        n_samples = values.shape[1]
        chunk = _default_chunk(n_samples, client) if chunk_size is None else chunk_size
        if partition == "gsva":
            return _gsva(client, values, sets, options, chunk, gene_chunk_size, progress)
        if partition == "signatures":
            tasks = _signature_tasks(client, method, values, sets, options)
            return np.hstack(compute_in_order(client, tasks, progress))
        x = _chunked(client, values, axis=1, size=chunk)
        blocks = list(x.to_delayed().ravel())
        if partition == "ssgsea":
            return _ssgsea(client, blocks, sets, options, progress)
        import dask

        task = dask.delayed(_method_chunk, pure=True)
        tasks = [task(method.func, b, sets, _one_thread(options)) for b in blocks]
        return np.vstack(compute_in_order(client, tasks, progress))


def _signature_tasks(
    client: Any,
    method: ScoringMethod,
    values: Any,
    sets: list[GeneSet],
    options: dict[str, Any],
) -> list[Any]:
    import dask

    task = dask.delayed(_method_chunk, pure=True)
    tasks = []
    for gs in sets:
        local = dataclasses.replace(gs, index=np.arange(gs.k))
        rows = values[gs.index]  # the signature's genes over the whole cohort
        if isinstance(rows, np.ndarray):
            rows = client.scatter(rows, hash=False)  # sent once, not embedded in the graph
        tasks.append(task(method.func, rows, [local], options))
    return tasks


def _ssgsea(
    client: Any,
    blocks: list[Any],
    sets: list[GeneSet],
    options: dict[str, Any],
    progress: Callable[[int, int], Any] | None,
) -> np.ndarray:
    import dask

    ties = check_choice("ssgsea", "ties", options["ties"], TIES)
    alpha = check_number("ssgsea", "alpha", options["alpha"])
    parts, where = signed_parts(sets)
    chunk_options = {
        "alpha": alpha,
        "ties": ties,
        "block_size": options["block_size"],
        "engine": options["engine"],
    }
    task = dask.delayed(_ssgsea_chunk, pure=True)
    results = compute_in_order(client, [task(b, parts, chunk_options) for b in blocks], progress)
    raw = np.vstack([r[0] for r in results])
    warn_heavy_ties(sum(r[1] for r in results), raw.shape[0] * union_size(parts), ties)
    return finish_ssgsea(raw, where, normalise=bool(options["normalise"]))


def _gsva(
    client: Any,
    values: np.ndarray,
    sets: list[GeneSet],
    options: dict[str, Any],
    chunk: int,
    gene_chunk_size: int | None,
    progress: Callable[[int, int], Any] | None,
) -> np.ndarray:
    import dask

    checked = check_gsva_options(**{k: v for k, v in options.items() if k != "threads"})
    constant = None
    if not isinstance(values, np.ndarray):
        constant = client.compute(values.max(axis=1) == values.min(axis=1), sync=True)
    values, parts, where = prepare_gsva(values, sets, constant)
    if checked["kcdf"] == "Poisson":
        _check_counts_lazily(client, values)
    n_genes, n_samples = values.shape
    if gene_chunk_size is None:
        gene_chunk_size = max(1, min(n_genes, _VALUES_PER_GENE_CHUNK // n_samples))
    x = _chunked(client, values, axis=0, size=gene_chunk_size)
    # pass 1: each gene's statistic over the whole cohort, per chunk of genes
    statistic = x.map_blocks(
        _gsva_statistic_chunk,
        kcdf=checked["kcdf"],
        exact=not checked["fast_kernel"],
        engine=checked["engine"],
        dtype=np.float64,
    )
    # pass 2: Dask moves the statistic into chunks of samples; each is walked
    by_samples = statistic.rechunk((n_genes, chunk))
    task = dask.delayed(_gsva_walk_chunk, pure=True)
    tasks = [
        task(b, parts, checked["tau"], checked["max_diff"], checked["block_size"])
        for b in by_samples.to_delayed().ravel()
    ]
    return _combine_parts(np.vstack(compute_in_order(client, tasks, progress)), where)
