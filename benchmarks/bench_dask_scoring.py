"""In-memory vs Dask scoring: time and peak memory per worker.

Input: a seeded 20,000 genes x 4,000 samples normal matrix (640 MB) and 50 random
50-gene sets. For each method, in the same run:

* ``backend="memory"`` on ``--threads`` threads: wall time, peak of traced Python/numpy
  allocations (:mod:`tracemalloc`) during the call;
* ``backend="dask"`` on a fresh ``LocalCluster`` of 1 and of 2 single-threaded worker
  processes (127.0.0.1, no dashboard): wall time of ``score()`` (including sending
  the matrix to the workers) and each worker's peak RSS during the call (sampled
  every 20 ms inside the worker; ``ru_maxrss`` is useless there: it keeps the
  parent's RSS from before the worker's exec), next to its RSS when idle; the scores
  are checked to equal the in-memory ones.

GSVA's Gaussian kernel costs genes x samples^2 pairs (3.2e11 here, minutes on two
cores), so GSVA runs with ``kcdf="none"`` unless ``--gsva-gaussian`` is given.

Run: ``python benchmarks/bench_dask_scoring.py [--samples 4000] [--methods ...]`` when
the machine is otherwise idle; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from sigsurv.errors import SigsurvWarning
from sigsurv.scoring import score

N_GENES, N_SETS, SET_SIZE, SEED = 20_000, 50, 50, 20240101


def build_input(n_samples: int) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rng = np.random.default_rng(SEED)
    genes = [f"G{i:05d}" for i in range(N_GENES)]
    expression = pd.DataFrame(
        rng.normal(size=(N_GENES, n_samples)),
        index=genes,
        columns=[f"S{j:05d}" for j in range(n_samples)],
    )
    sets = {
        f"set{s:02d}": [genes[i] for i in rng.choice(N_GENES, size=SET_SIZE, replace=False)]
        for s in range(N_SETS)
    }
    return expression, sets


def _start_rss_sampler(dask_worker) -> float:
    """In a worker: sample its RSS every 20 ms from now on; return the current RSS."""
    import threading

    import psutil

    process = psutil.Process()
    state = {"peak": process.memory_info().rss, "stop": False}

    def sample() -> None:
        while not state["stop"]:
            state["peak"] = max(state["peak"], process.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    dask_worker.sigsurv_rss = state
    return state["peak"] / 2**20


def _stop_rss_sampler(dask_worker) -> float:
    """In a worker: stop sampling; return the peak RSS seen (MiB)."""
    state = dask_worker.sigsurv_rss
    state["stop"] = True
    return state["peak"] / 2**20


def run_memory(expression, sets, method, options, threads):
    tracemalloc.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        result = score(expression, sets, method, **options, **_threads(method, threads))
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, elapsed, peak


def _threads(method: str, threads: int) -> dict:
    return {"threads": threads} if method in ("ssgsea", "singscore", "gsva") else {}


def run_dask(expression, sets, method, options, workers):
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            protocol="tcp",
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        baseline = client.run(_start_rss_sampler)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            result = score(expression, sets, method, backend="dask", scheduler=client, **options)
        elapsed = time.perf_counter() - start
        peaks = client.run(_stop_rss_sampler)
    return result, elapsed, sorted(peaks.values()), sorted(baseline.values())


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernels before anything is timed."""
    expression, _ = build_input(12)
    small = expression.iloc[:200]
    few = {"s": list(small.index[:20])}
    for method, options in [
        ("ssgsea", {}),
        ("ssgsea", {"ties": "gsva_1.46"}),
        ("singscore", {}),
        ("gsva", {}),
        ("gsva", {"kcdf": "none"}),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            score(small, few, method, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--methods", nargs="+", default=["ssgsea", "singscore", "mean_z", "gsva"])
    parser.add_argument("--gsva-gaussian", action="store_true")
    args = parser.parse_args()
    expression, sets = build_input(args.samples)
    size = expression.to_numpy().nbytes / 2**20
    print(
        f"input: {N_GENES} genes x {args.samples} samples ({size:.0f} MiB), "
        f"{N_SETS} sets of {SET_SIZE}; load average {os.getloadavg()}",
        flush=True,
    )
    warm_up()
    for method in args.methods:
        options = {}
        if method == "gsva" and not args.gsva_gaussian:
            options = {"kcdf": "none"}
        label = f"{method} {options or ''}".strip()
        reference, t_memory, traced = run_memory(expression, sets, method, options, args.threads)
        print(
            f"{label:<24s} memory, {args.threads} threads: {t_memory:8.2f} s, "
            f"traced peak {traced:8.1f} MiB",
            flush=True,
        )
        for workers in (1, 2):
            result, elapsed, peaks, baseline = run_dask(expression, sets, method, options, workers)
            same = np.array_equal(result.to_numpy(), reference.to_numpy())
            print(
                f"{label:<24s} dask, {workers} worker(s):  {elapsed:8.2f} s, worker peak RSS "
                f"{', '.join(f'{p:.0f}' for p in peaks)} MiB (idle worker: "
                f"{', '.join(f'{b:.0f}' for b in baseline)} MiB), identical to memory: {same}",
                flush=True,
            )
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
