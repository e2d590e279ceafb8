"""Cost of the random-signature null against a naive loop, in the same run.

Input: a seeded matrix of 20,000 genes x ``--samples`` (1,000) with gene means and sds
spread like log expression, survival times drawn from a latent factor that the first
20 genes follow, and a 20-gene signature of them. Two ways to get the Wald z of
``--sets`` (1,000) random signatures scored with ``mean_z``:

* **sigsurv**: :func:`sigsurv.analysis.null.random_signature_null` (expression-matched
  draws, one pass over the matrix for every gene's mean and sd, the 1,001 sets scored in
  one compiled pass, one vectorised ``cox_scan``);
* **naive loop**: what a user writes without it: for each set, draw 20 genes, call
  ``sigsurv.scoring.score`` on the expression DataFrame and fit ``cox_fit`` on the
  score (``--naive-sets`` sets, 1,000 by default; its time per set is scaled to
  ``--sets`` when fewer are run, and the script says so).

Both run on one thread (``threads=1`` / ``NUMBA_NUM_THREADS=1`` / BLAS single-threaded
by the environment this script sets before importing numpy), in interleaved pairs
(sigsurv, naive, sigsurv, naive, ...); CPU time (``time.process_time``) is printed
beside wall time, with the load average before each pair, and the ratio uses CPU time
measured in the same run. The null's two irreducible parts are timed alone to show what
share of the null they are: its statistics (the ``cox_scan`` of 1,001 scores) and its
one pass over the matrix (every gene's mean and sd, ``gene_reference``); the rest is
drawing and scoring the sets. ``--profile`` prints where one null call spends its time
(cProfile, cumulative).

Run: ``python benchmarks/bench_null.py [--samples 1000] [--sets 1000] [--pairs 2]
[--naive-sets 1000] [--profile]``.
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sigsurv.analysis.null import random_signature_null  # noqa: E402
from sigsurv.errors import SigsurvWarning  # noqa: E402
from sigsurv.scoring import score  # noqa: E402
from sigsurv.scoring.linear import gene_reference  # noqa: E402
from sigsurv.signatures.schema import Signature  # noqa: E402
from sigsurv.survival.cox import cox_fit  # noqa: E402
from sigsurv.survival.cox_scan import cox_scan  # noqa: E402

N_GENES, SIGNATURE_SIZE, SEED = 20_000, 20, 20240101


def build_input(n_samples: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, Signature]:
    """Seeded expression, survival and a 20-gene signature that follows the hazard."""
    rng = np.random.default_rng(SEED)
    means = rng.uniform(2, 14, N_GENES)
    sds = rng.uniform(0.2, 2.5, N_GENES)
    values = means[:, None] + sds[:, None] * rng.standard_normal((N_GENES, n_samples))
    factor = rng.standard_normal(n_samples)
    values[:SIGNATURE_SIZE] += sds[:SIGNATURE_SIZE, None] * factor
    genes = [f"G{i:05d}" for i in range(N_GENES)]
    expression = pd.DataFrame(values, index=genes, columns=[f"S{j:04d}" for j in range(n_samples)])
    event_time = rng.exponential(np.exp(-0.5 * factor) * 60)
    censor = rng.uniform(12, 120, n_samples)
    time_ = np.minimum(event_time, censor) + 0.01
    event = (event_time <= censor).astype(float)
    return expression, time_, event, Signature.from_genes("bench", genes[:SIGNATURE_SIZE])


def clock(func):  # type: ignore[no-untyped-def]
    """``(result, wall seconds, CPU seconds)`` of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def naive_loop(expression, time_, event, signature, n_sets):  # type: ignore[no-untyped-def]
    """Score and fit each random set on its own (random genes outside the signature)."""
    rng = np.random.default_rng(1)
    pool = np.setdiff1d(expression.index.to_numpy(), signature.symbols)
    z = np.empty(n_sets)
    for i in range(n_sets):
        genes = list(rng.choice(pool, size=SIGNATURE_SIZE, replace=False))
        scores = score(expression, {"random": genes}, "mean_z", min_coverage=1.0)
        fit = cox_fit(time_, event, scores[["random"]])
        z[i] = float(fit.summary.loc["random", "z"])
    return z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--naive-sets", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="profile one null call")
    args = parser.parse_args()
    expression, time_, event, signature = build_input(args.samples)
    print(
        f"input: {N_GENES} genes x {args.samples} samples, {args.sets} random sets of "
        f"{SIGNATURE_SIZE} genes, mean_z; one thread each"
    )
    warnings.simplefilter("ignore", SigsurvWarning)
    # warm-up (numba compilation, imports) outside the timings
    random_signature_null(expression, time_, event, signature, n_random=5, seed=2)
    naive_loop(expression, time_, event, signature, 2)
    sig_cpu, naive_cpu = [], []
    for pair in range(args.pairs):
        load = os.getloadavg()[0]
        null, wall, cpu = clock(
            lambda: random_signature_null(
                expression, time_, event, signature, n_random=args.sets, seed=3
            )
        )
        sig_cpu.append(cpu)
        print(
            f"pair {pair + 1} (load {load:.2f}): sigsurv null  wall {wall:7.2f} s  "
            f"CPU {cpu:7.2f} s  ({null.random_z.size} sets fitted)"
        )
        _, wall, cpu = clock(
            lambda: naive_loop(expression, time_, event, signature, args.naive_sets)
        )
        scaled = cpu * args.sets / args.naive_sets
        naive_cpu.append(scaled)
        note = "" if args.naive_sets == args.sets else f" -> {scaled:.2f} s for {args.sets} sets"
        print(
            f"pair {pair + 1} (load {os.getloadavg()[0]:.2f}): naive loop    wall {wall:7.2f} s  "
            f"CPU {cpu:7.2f} s  ({args.naive_sets} sets){note}"
        )
    scores = np.random.default_rng(4).standard_normal((args.sets + 1, args.samples))
    names = [str(i) for i in range(len(scores))]
    stats_cpu = min(
        clock(lambda: cox_scan(scores, time_, event, gene_names=names))[2] for _ in "ab"
    )
    values = expression.to_numpy()
    pass_cpu = min(clock(lambda: gene_reference(values))[2] for _ in "ab")
    best = min(sig_cpu)
    print(
        f"statistics alone (cox_scan of {args.sets + 1} scores): CPU {stats_cpu:.3f} s = "
        f"{100 * stats_cpu / best:.0f}% of the null; one pass over the matrix (every "
        f"gene's mean and sd): CPU {pass_cpu:.3f} s = {100 * pass_cpu / best:.0f}%; the rest "
        f"(bins, draws, scoring the sets): {max(0.0, best - stats_cpu - pass_cpu):.3f} s"
    )
    print(
        f"ratio naive / sigsurv (CPU, best of {args.pairs} each): "
        f"{min(naive_cpu) / best:.0f}x; per pair: "
        + ", ".join(f"{n / s:.0f}x" for s, n in zip(sig_cpu, naive_cpu, strict=True))
    )
    if args.profile:
        profile = cProfile.Profile(time.process_time)  # CPU time
        profile.runcall(
            random_signature_null, expression, time_, event, signature, n_random=args.sets, seed=3
        )
        pstats.Stats(profile).sort_stats("cumulative").print_stats(18)


if __name__ == "__main__":
    main()
