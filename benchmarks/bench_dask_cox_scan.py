"""Benchmark: ``cox_scan`` in memory vs on Dask (local cluster of 1 and 2 workers).

Same synthetic data as ``bench_cox_scan.py`` (seeded, ~40% events). Prints the wall
time of each run, the speed-up of 2 workers over 1, the peak resident memory of each
worker process and whether the Dask results equal the in-memory ones (1e-12).
Workers are single-threaded processes on 127.0.0.1; the in-memory run uses
``threads=1`` so that the comparison is one core against one worker.

It also measures what Dask itself costs, so that it reads as scale-out, not speed-up:
the **start-up** of a local cluster and its client (wall seconds), the **overhead per
task** (wall time of 2,000 no-op tasks submitted and gathered, divided by 2,000), and the
scan's overhead over the in-memory run per task: ``(dask wall x workers - in-memory
wall) / tasks``.

Run: ``python benchmarks/bench_dask_cox_scan.py [--genes 20000] [--samples 4000]
[--chunk 1000]`` (check ``uptime`` first).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from functools import partial
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cox_scan import synthetic


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _noop(index: int) -> int:
    return index


def _per_task_overhead(client, n_tasks: int = 2_000) -> float:  # type: ignore[no-untyped-def]
    """Wall seconds per task of ``n_tasks`` no-op tasks submitted and gathered."""
    client.gather(client.map(_noop, range(100), pure=False))  # warm the workers
    start = time.perf_counter()
    client.gather(client.map(_noop, range(n_tasks), pure=False))
    return (time.perf_counter() - start) / n_tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--genes", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=4_000)
    parser.add_argument("--chunk", type=int, default=1_000, help="genes per Dask task")
    args = parser.parse_args()

    import distributed

    from sigsurv.survival.cox_scan import cox_scan

    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}")
    expr, t, e, _ = synthetic(args.genes, args.samples)
    print(f"data: {args.genes} genes x {args.samples} samples, events {e.mean():.1%}")
    warm_up = expr.iloc[:20].copy()
    cox_scan(warm_up, t, e)  # loads the compiled kernel
    start = time.perf_counter()
    memory = cox_scan(expr, t, e, threads=1)
    base = time.perf_counter() - start
    print(f"in memory, 1 thread: {base:.2f} s")
    seconds = {}
    tasks = -(-args.genes // args.chunk)
    for workers in (1, 2):
        start_up = time.perf_counter()
        with (
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            client.wait_for_workers(workers)
            start_up = time.perf_counter() - start_up
            print(f"dask, {workers} worker(s): cluster and client start-up {start_up:.2f} s")
            print(f"  overhead per no-op task: {1e3 * _per_task_overhead(client):.2f} ms")
            # Load the compiled kernel on every worker (only a small frame is shipped).
            client.run(partial(cox_scan, warm_up, t, e))
            start = time.perf_counter()
            res = cox_scan(expr, t, e, backend="dask", scheduler=client, block_size=args.chunk)
            seconds[workers] = time.perf_counter() - start
            peaks = client.run(_peak_rss_mb)
            same = True
            try:
                pd.testing.assert_frame_equal(res, memory, rtol=1e-12, atol=0)
            except AssertionError:
                same = False
            print(
                f"dask, {workers} worker(s), {args.chunk} genes/task: {seconds[workers]:.2f} s;"
                f" peak RSS per worker {', '.join(f'{v:.0f} MB' for v in peaks.values())};"
                f" equal to in-memory (1e-12): {same}"
            )
            extra = (seconds[workers] * workers - base) / tasks
            print(f"  scan overhead over in-memory per task ({tasks} tasks): {1e3 * extra:.1f} ms")
    print(
        f"speed-up 2 workers vs 1: {seconds[1] / seconds[2]:.2f}x;"
        f" in memory (1 thread) / 1 worker: {base / seconds[1]:.2f}"
    )
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
