"""Speed and memory of sigsurv's scoring engine against gseapy's ssGSEA.

Input: a seeded 20,000 genes x 1,000 samples normal matrix (no ties) and 50 random
50-gene sets. In the same run:

* sigsurv ``ssgsea`` (raw scores, ``alpha=0.25``) vs ``gseapy.ssgsea(...,
  permutation_num=0)`` with the same number of threads. gseapy ranks each sample
  (average ties) and walks with weight ``rank ** 0.25``; its ``ES`` column is the raw
  enrichment score, which is what sigsurv's ``normalize=False`` returns (its ``NES``
  is the range-normalised score, ``normalize=True``). Prints both times, the speed
  ratio and the maximum absolute / relative difference of the raw scores.
* every other method on the same input (``gsva`` with the fast kernel by default; it
  is ``O(genes x samples^2)`` like GSVA itself: minutes at this size).
* peak memory: the largest block of Python/numpy allocations traced by
  :mod:`tracemalloc` during each sigsurv call, and the process's peak RSS.

Run: ``python benchmarks/bench_scoring.py [--threads 2] [--skip-gsva] [--gsva-exact]``.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from sigsurv.scoring import score

N_GENES, N_SAMPLES, N_SETS, SET_SIZE, SEED = 20_000, 1_000, 50, 50, 20240101


def build_input() -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, dict[str, float]]]:
    """The seeded matrix, 50 unsigned sets and their signed weighted variants."""
    rng = np.random.default_rng(SEED)
    genes = [f"G{i:05d}" for i in range(N_GENES)]
    samples = [f"S{j:04d}" for j in range(N_SAMPLES)]
    values = rng.normal(size=(N_GENES, N_SAMPLES))
    expression = pd.DataFrame(values, index=genes, columns=samples)
    sets: dict[str, list[str]] = {}
    signed: dict[str, dict[str, float]] = {}
    for s in range(N_SETS):
        members = rng.choice(N_GENES, size=SET_SIZE, replace=False)
        sets[f"set{s:02d}"] = [genes[i] for i in members]
        weights = rng.uniform(0.5, 2.0, size=SET_SIZE) * rng.choice([-1.0, 1.0], size=SET_SIZE)
        signed[f"set{s:02d}"] = {genes[i]: float(w) for i, w in zip(members, weights, strict=True)}
    return expression, sets, signed


def timed(label: str, func, *, trace: bool = True):
    """Run ``func`` once; print wall time and traced peak memory."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    memory = f"   traced peak {peak / 2**20:8.1f} MiB" if trace else ""
    print(f"{label:<44s} {elapsed:9.2f} s{memory}", flush=True)
    return result, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-gsva", action="store_true", help="skip the slow gsva method")
    parser.add_argument(
        "--gsva-exact", action="store_true", help="time gsva's exact (GSVA 1.46) kernel too"
    )
    args = parser.parse_args()

    import gseapy

    expression, sets, signed = build_input()
    print(
        f"input: {N_GENES} genes x {N_SAMPLES} samples, {N_SETS} sets of {SET_SIZE} genes, "
        f"seed {SEED}, threads {args.threads}"
    )

    def run_ours() -> pd.DataFrame:
        return score(expression, sets, method="ssgsea", threads=args.threads)

    _, _, peak_ssgsea = timed("sigsurv ssgsea (raw), traced run", run_ours)
    rss_before_gseapy = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    # timing runs without tracemalloc, bracketing gseapy so that machine load drifts
    # affect both tools alike
    ours, t_first, _ = timed("sigsurv ssgsea (raw)", run_ours, trace=False)

    def run_gseapy() -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = gseapy.ssgsea(
                data=expression,
                gene_sets=sets,
                sample_norm_method="rank",
                correl_norm_type="rank",
                weight=0.25,
                min_size=1,
                max_size=N_GENES,
                permutation_num=0,
                threads=args.threads,
                outdir=None,
                no_plot=True,
                seed=SEED,
            )
        table = result.res2d.pivot(index="Name", columns="Term", values="ES").astype(float)
        return table.loc[expression.columns, list(sets)]

    theirs, t_gseapy, _ = timed("gseapy ssgsea (permutation_num=0)", run_gseapy, trace=False)
    _, t_second, _ = timed("sigsurv ssgsea (raw), again", run_ours, trace=False)
    t_ours = (t_first + t_second) / 2
    difference = np.abs(ours.to_numpy() - theirs.to_numpy())
    print(
        f"speed ratio gseapy / sigsurv (mean of the two sigsurv runs): {t_gseapy / t_ours:.1f}x   "
        f"max |ES difference| {difference.max():.3e}   "
        f"max relative {np.max(difference / np.abs(theirs.to_numpy())):.3e}"
    )

    others: list[tuple[str, str, dict]] = [
        ("ssgsea normalize=True", "ssgsea", {"normalize": True, "threads": args.threads}),
        ("ssgsea ties='gsva_1.46'", "ssgsea", {"ties": "gsva_1.46", "threads": args.threads}),
        ("mean_z", "mean_z", {}),
        ("weighted (signed, weighted sets)", "weighted", {}),
        ("zscore", "zscore", {}),
        ("plage", "plage", {}),
        ("singscore", "singscore", {"threads": args.threads}),
    ]
    peaks = [peak_ssgsea]
    for label, method, options in others:
        chosen = signed if method == "weighted" else sets
        _, _, peak = timed(
            label, lambda m=method, o=options, c=chosen: score(expression, c, m, **o)
        )
        peaks.append(peak)
    single = {g: [g] for g in expression.index[:50]}
    _, _, peak = timed("single_gene (50 genes)", lambda: score(expression, single, "single_gene"))
    peaks.append(peak)
    if not args.skip_gsva:
        _, _, peak = timed(
            "gsva fast_kernel=True",
            lambda: score(expression, sets, "gsva", fast_kernel=True, threads=args.threads),
        )
        peaks.append(peak)
        if args.gsva_exact:
            _, _, peak = timed(
                "gsva exact kernel (GSVA 1.46)",
                lambda: score(expression, sets, "gsva", threads=args.threads),
            )
            peaks.append(peak)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(
        f"peak traced memory of any sigsurv call: {max(peaks) / 2**20:.1f} MiB; "
        f"process peak RSS before gseapy ran (input + sigsurv ssgsea): "
        f"{rss_before_gseapy:.0f} MiB; at the end (includes gseapy): {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
