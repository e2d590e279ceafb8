"""Thread scaling of the compiled kernels: 1 vs 2 threads, interleaved, on one machine.

For ``cox_scan`` (20,000 genes x ``--scan-samples``, univariate and with two
covariates), ssGSEA (20,000 x ``--rank-samples``, 50 sets) and exact GSVA (20,000 x
``--gsva-samples``, 50 sets) this runs ``threads=1`` then ``threads=2``, ``--pairs``
times, and prints wall and CPU seconds, the 1-minute load average before each pair
(how idle the machine was), the speed-up ``t1 / t2`` and the parallel efficiency
``t1 / (2 t2)`` of the wall times. Read it only when the load before a pair is well
under 1: on a two-core machine a second busy process takes the second thread's core.

Run: ``python benchmarks/bench_threads.py [--pairs 3]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cox_scan import synthetic
from bench_scoring import build_input


def timed(func: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (this process, all its threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def workloads(args: argparse.Namespace) -> dict[str, Callable[[int], object]]:
    """Name -> ``run(threads)`` for each kernel, inputs built once."""
    from sigsurv.scoring import score
    from sigsurv.survival.cox_scan import cox_scan

    expr, t, e, _ = synthetic(20_000, args.scan_samples)
    expr_cov, t_cov, e_cov, covariates = synthetic(20_000, args.scan_samples, 2)
    rank_matrix, sets = build_input(args.rank_samples)
    gsva_matrix = rank_matrix.iloc[:, : args.gsva_samples]
    return {
        f"cox_scan 20k x {args.scan_samples}": lambda k: cox_scan(expr, t, e, threads=k),
        f"cox_scan 20k x {args.scan_samples} + 2 covariates": lambda k: cox_scan(
            expr_cov, t_cov, e_cov, threads=k, covariates=covariates
        ),
        f"ssGSEA 20k x {args.rank_samples} x 50 sets": lambda k: score(
            rank_matrix, sets, "ssgsea", threads=k
        ),
        f"exact GSVA 20k x {args.gsva_samples} x 50 sets": lambda k: score(
            gsva_matrix, sets, "gsva", threads=k
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--scan-samples", type=int, default=1_000)
    parser.add_argument("--rank-samples", type=int, default=1_000)
    parser.add_argument("--gsva-samples", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; numba threads available: ", end="")
    import numba

    print(numba.config.NUMBA_NUM_THREADS)
    for name, run in workloads(args).items():
        run(1)  # compile and warm
        efficiencies = []
        for pair in range(args.pairs):
            load = os.getloadavg()[0]
            wall1, cpu1 = timed(partial(run, 1))
            wall2, cpu2 = timed(partial(run, 2))
            efficiencies.append(wall1 / (2 * wall2))
            print(
                f"{name:<44s} [{pair + 1}] load {load:4.2f} | 1 thread {wall1:6.2f} s wall"
                f" ({cpu1:6.2f} CPU) | 2 threads {wall2:6.2f} s wall ({cpu2:6.2f} CPU)"
                f" | speed-up {wall1 / wall2:4.2f}, efficiency {wall1 / (2 * wall2):4.0%}",
                flush=True,
            )
        print(f"{name:<44s} median efficiency {np.median(efficiencies):.0%}", flush=True)


if __name__ == "__main__":
    main()
