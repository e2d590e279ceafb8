"""Shared Dask helpers: a client from a scheduler option, arrays split into chunks.

Bottom layer (imports only :mod:`sigsurv.errors`); ``dask`` and ``distributed`` are
imported inside the functions, so importing this module costs nothing and sigsurv
works without Dask until a Dask backend is asked for. Dask does all the scheduling:
these helpers only choose a client and cut arrays into blocks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from sigsurv.errors import SigsurvInputError

__all__ = ["chunk_slices", "compute_in_order", "dask_client", "scattered_array"]


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise SigsurvInputError(
            "the Dask backend needs dask and distributed",
            hint="pip install 'dask[distributed]'",
        ) from exc
    return distributed


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on macOS / Windows
        return max(1, os.cpu_count() or 1)


@contextmanager
def dask_client(
    scheduler: Any = None, *, workers: int | None = None, processes: bool = True
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
        with distributed.Client(scheduler, set_as_default=False) as client:
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

    Each chunk is sent to the workers once (``client.scatter``) instead of being
    embedded in every task graph.

    Examples
    --------
    >>> with dask_client(workers=1, processes=False) as client:
    ...     x = scattered_array(client, np.arange(6.0).reshape(2, 3), axis=1, size=2)
    ...     x.chunks, client.compute(x.sum(), sync=True).item()
    (((2,), (2, 1)), 15.0)
    """
    import dask.array as da

    blocks = []
    for part in chunk_slices(values.shape[axis], size):
        piece = np.ascontiguousarray(values[:, part] if axis == 1 else values[part])
        future = client.scatter(piece)
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
