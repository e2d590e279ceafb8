"""Shared Dask helpers: a client from a scheduler option, arrays split into chunks,
expression matrices read lazily from Zarr or Parquet stores.

Bottom layer (imports only :mod:`sigsurv.errors`); ``dask``, ``distributed`` and ``zarr`` are
imported inside the functions, so importing this module costs nothing and sigsurv
works without Dask until a Dask backend is asked for. Dask does all the scheduling:
these helpers only choose a client and cut arrays into blocks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.errors import CohortValidationError, SigsurvInputError

__all__ = [
    "ExpressionStore",
    "chunk_slices",
    "compute_in_order",
    "dask_client",
    "read_parquet_expression",
    "read_zarr_expression",
    "scattered_array",
    "write_zarr_expression",
]


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise SigsurvInputError(
            "the Dask backend needs dask and distributed",
            hint="pip install 'dask[distributed]'",
        ) from exc
    return distributed


#: Seconds :func:`dask_client` waits for a scheduler address to answer.
CONNECT_TIMEOUT = 5.0


def _probe_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` for its identity over Dask's own protocol, within ``timeout``.

    Run before a ``Client`` is built: a ``Client`` that fails to connect waits for
    Dask's connect timeout, then tries to close itself from its finaliser (a second
    timeout and a traceback on stderr). Runs in its own thread and event loop, so it
    works from inside a running loop (Jupyter) too.
    """
    import asyncio
    import socket
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme == "tcp":  # a refused port fails at once here; Dask retries until timeout
        socket.create_connection(parse_host_port(location), timeout=timeout).close()

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(asyncio.run, identity()).result()
    if not (isinstance(answer, dict) and answer.get("type") == "Scheduler"):
        raise ValueError("the address answered, but not as a Dask scheduler")


@contextmanager
def _connect(distributed: Any, address: str, timeout: float) -> Iterator[Any]:
    """A client connected to ``address``, or one line naming it (no raw OSError)."""
    try:
        _probe_scheduler(address, timeout)
        client = distributed.Client(address, set_as_default=False, timeout=timeout)
    except Exception as error:  # any failure to connect is the address's problem
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if isinstance(error, (OSError, TimeoutError)):
            reason = f"no answer (connect timeout {timeout:g} s)"
        elif isinstance(error, MemoryError):  # garbage read as a message length
            reason = "the address answered, but not as a Dask scheduler"
        raise SigsurvInputError(
            f"cannot connect to the Dask scheduler at {address!r}: {reason}",
            expected="a running scheduler address such as tcp://host:8786",
            hint="start the scheduler, check the address, or omit it for a local cluster",
        ) from None
    with client:
        yield client


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on macOS / Windows
        return max(1, os.cpu_count() or 1)


@contextmanager
def dask_client(
    scheduler: Any = None,
    *,
    workers: int | None = None,
    processes: bool = True,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> Iterator[Any]:
    """A ``dask.distributed.Client`` for the ``scheduler`` option, closed when done.

    Parameters
    ----------
    scheduler
        An existing ``Client`` (used as is, left open), a scheduler address string
        (``"tcp://host:8786"``: connected, then disconnected) or None: a
        ``LocalCluster`` on 127.0.0.1 with ``workers`` single-threaded workers (default:
        one per available core), shut down at the end.
    workers
        Workers of the local cluster (only with ``scheduler=None``).
    processes
        Local cluster workers as processes (True) or threads of this process.
    connect_timeout
        Seconds to wait for a scheduler address to answer (Dask's own default is 30 s).

    Raises
    ------
    SigsurvInputError
        A scheduler address that is malformed or does not answer in time (one line
        naming the address).

    Examples
    --------
    >>> with dask_client(workers=1, processes=False) as client:
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    distributed = _import_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
    elif isinstance(scheduler, str):
        with _connect(distributed, scheduler, connect_timeout) as client:
            yield client
    elif scheduler is None:
        if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
            raise SigsurvInputError("option workers must be a positive integer", found=workers)
        with (
            distributed.LocalCluster(
                n_workers=int(workers or _available_cores()),
                threads_per_worker=1,
                processes=processes,
                host="127.0.0.1",
                protocol="tcp",
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):
            yield client
    else:
        raise SigsurvInputError(
            "option scheduler not recognised",
            expected="a dask.distributed.Client, a scheduler address or None",
            found=type(scheduler).__name__,
        )


def chunk_slices(n: int, size: int) -> list[slice]:
    """Consecutive slices of at most ``size`` covering ``range(n)``.

    Examples
    --------
    >>> chunk_slices(5, 2)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise SigsurvInputError("chunk size must be a positive integer", found=size)
    return [slice(i, min(i + int(size), n)) for i in range(0, n, int(size))]


def scattered_array(client: Any, values: np.ndarray, *, axis: int, size: int) -> Any:
    """``values`` as a dask array in chunks of ``size`` along ``axis``, held by workers.

    Each chunk is sent once to one worker (``client.scatter``, workers in turn)
    instead of being embedded in the task graph.

    Examples
    --------
    >>> with dask_client(workers=1, processes=False) as client:
    ...     x = scattered_array(client, np.arange(6.0).reshape(2, 3), axis=1, size=2)
    ...     x.chunks, client.compute(x.sum(), sync=True).item()
    (((2,), (2, 1)), 15.0)
    """
    import dask.array as da

    workers = sorted(client.scheduler_info().get("workers", {})) or [None]
    blocks = []
    for i, part in enumerate(chunk_slices(values.shape[axis], size)):
        piece = np.ascontiguousarray(values[:, part] if axis == 1 else values[part])
        # chunks dealt to the workers in turn: each holds its share of the matrix
        target = workers[i % len(workers)]
        future = client.scatter(piece, workers=None if target is None else [target], hash=False)
        blocks.append(da.from_delayed(future, shape=piece.shape, dtype=piece.dtype))
    return da.concatenate(blocks, axis=axis)


def compute_in_order(
    client: Any,
    tasks: Sequence[Any],
    progress: Callable[[int, int], Any] | None = None,
) -> list[Any]:
    """Compute dask delayed objects / collections on ``client``; results in task order.

    ``progress(done, total)`` is called in this thread as tasks finish.

    Examples
    --------
    >>> import dask
    >>> with dask_client(workers=1, processes=False) as client:
    ...     compute_in_order(client, [dask.delayed(abs)(-2), dask.delayed(abs)(3)])
    [2, 3]
    """
    distributed = _import_distributed()
    futures = client.compute(list(tasks))
    if progress is not None:
        for done, _ in enumerate(distributed.as_completed(futures), start=1):
            progress(done, len(futures))
    return list(client.gather(futures))


@dataclass(frozen=True)
class ExpressionStore:
    """A genes x samples expression matrix in a chunked store, read lazily by Dask.

    ``array`` is a ``dask.array.Array`` (nothing is read until it is computed);
    ``genes`` and ``samples`` label its rows and columns. Made by
    :func:`read_zarr_expression` or :func:`read_parquet_expression`; scored by
    ``sigsurv.scoring.score`` (chunk by chunk with ``backend="dask"``).

    Examples
    --------
    >>> import dask.array as da
    >>> store = ExpressionStore(da.zeros((2, 3)), pd.Index(["A", "B"]),
    ...                         pd.Index(["s1", "s2", "s3"]), "memory")
    >>> store.shape
    (2, 3)
    """

    array: Any
    genes: pd.Index
    samples: pd.Index
    source: str

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_genes, n_samples)``."""
        return (len(self.genes), len(self.samples))


def write_zarr_expression(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, chunks: tuple[int, int] = (2048, 256)
) -> None:
    """Write a genes x samples DataFrame as a Zarr store that can be read lazily.

    Layout: a Zarr group with the float64 array ``values`` (chunked as ``chunks``)
    and the gene and sample identifiers in the group attributes ``genes`` and
    ``samples``.

    Examples
    --------
    >>> import tempfile
    >>> frame = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["A", "B"], columns=["s1", "s2"])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_zarr_expression(frame, f"{folder}/x.zarr", chunks=(1, 2))
    ...     store = read_zarr_expression(f"{folder}/x.zarr")
    ...     store.array.chunks, list(store.genes), store.array.compute().tolist()
    (((1, 1), (2,)), ['A', 'B'], [[1.0, 2.0], [3.0, 4.0]])
    """
    import zarr

    group = zarr.open_group(str(path), mode="w")
    values = frame.to_numpy(dtype=np.float64)
    array = group.create_array(
        "values",
        shape=values.shape,
        chunks=(min(chunks[0], max(1, values.shape[0])), min(chunks[1], max(1, values.shape[1]))),
        dtype="float64",
    )
    array[:] = values
    group.attrs["genes"] = [str(g) for g in frame.index]
    group.attrs["samples"] = [str(s) for s in frame.columns]


def _labels(stored: Any) -> list[str]:
    if not isinstance(stored, list):
        raise KeyError("labels must be a list")
    return [str(label) for label in stored]


def read_zarr_expression(path: str | os.PathLike[str]) -> ExpressionStore:
    """Open a Zarr expression store (see :func:`write_zarr_expression`) lazily.

    Examples
    --------
    >>> try:
    ...     read_zarr_expression("/no/such/store.zarr")
    ... except CohortValidationError as error:
    ...     print(str(error).split(";")[0])
    cannot open the Zarr expression store /no/such/store.zarr
    """
    import dask.array as da
    import zarr

    try:
        group = zarr.open_group(str(path), mode="r")
        genes = pd.Index(_labels(group.attrs["genes"]), name="gene")
        samples = pd.Index(_labels(group.attrs["samples"]), name="sample")
        array = da.from_zarr(str(path), component="values")
    except (FileNotFoundError, KeyError, ValueError) as exc:
        raise CohortValidationError(
            f"cannot open the Zarr expression store {path}",
            expected="a Zarr group with array 'values' and attributes 'genes', 'samples'",
            hint="write it with sigsurv._dask.write_zarr_expression",
        ) from exc
    if array.shape != (len(genes), len(samples)):
        raise CohortValidationError(
            f"Zarr expression store {path}: shape does not match its labels",
            expected=f"{len(genes)} genes x {len(samples)} samples",
            found=f"{array.shape}",
        )
    return ExpressionStore(array.astype(np.float64), genes, samples, str(path))


def read_parquet_expression(
    path: str | os.PathLike[str], *, gene_column: str = "gene"
) -> ExpressionStore:
    """Open a Parquet expression table lazily: one row per gene, one column per sample.

    The gene identifiers are in ``gene_column``; every other column is a sample and
    must be numeric. Rows are chunked as the file's row groups.

    Examples
    --------
    >>> import tempfile
    >>> frame = pd.DataFrame({"gene": ["A", "B"], "s1": [1.0, 3.0], "s2": [2.0, 4.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     frame.to_parquet(f"{folder}/x.parquet")
    ...     store = read_parquet_expression(f"{folder}/x.parquet")
    ...     list(store.samples), store.array.compute().tolist()
    (['s1', 's2'], [[1.0, 2.0], [3.0, 4.0]])
    """
    import dask.dataframe as dd

    table = dd.read_parquet(str(path))
    if gene_column not in table.columns:
        raise CohortValidationError(
            f"Parquet expression table {path}: no gene column",
            column=gene_column,
            expected="a column of gene identifiers and one numeric column per sample",
            found=", ".join(map(str, list(table.columns)[:5])),
        )
    samples = [c for c in table.columns if c != gene_column]
    bad = [c for c in samples if not pd.api.types.is_numeric_dtype(table.dtypes[c])]
    if bad:
        raise CohortValidationError(
            f"Parquet expression table {path}: expression values must be numeric",
            column=str(bad[0]),
            found=str(table.dtypes[bad[0]]),
        )
    genes = pd.Index(table[gene_column].compute().astype(str).to_numpy(), name="gene")
    array = table[samples].to_dask_array(lengths=True).astype(np.float64)
    return ExpressionStore(array, genes, pd.Index(samples, name="sample"), str(path))
