"""Speed and memory of sigsurv's scoring engine against its floor, gseapy and R GSVA.

Input: a seeded normal matrix (no ties), 20,000 genes x ``--samples`` (1,000) for the
rank methods and its first ``--gsva-samples`` (400) columns for GSVA (the size of
issue 16's measurements), and 50 random 50-gene sets. In the same run:

* **floor**: one ``np.argsort`` per sample column of the same matrix, on the same
  number of threads; every method prints its time divided by the floor.
* sigsurv ``ssgsea`` (raw scores, ``alpha=0.25``) vs ``gseapy.ssgsea(...,
  permutation_num=0)`` with the same number of threads (gseapy's ``ES`` column is the
  raw enrichment score, sigsurv's ``normalize=False``), with the maximum difference.
* sigsurv ``gsva`` (exact GSVA 1.46 kernel, compiled engine) vs ``gseapy.gsva`` and,
  when ``Rscript`` with GSVA is installed, R GSVA itself (``parallel.sz`` = threads;
  its time is measured inside R around ``gsva()``, the matrix is passed as a binary
  file) with the maximum relative difference of the scores.
* peak memory: the largest block of Python/numpy allocations traced by
  :mod:`tracemalloc` during each sigsurv call (numba's scratch arrays are not traced:
  they are O(samples) per thread), and the process's peak RSS.

Run: ``python benchmarks/bench_scoring.py [--threads N] [--skip-gsva] [--skip-r]
[--gsva-numpy]``; report the load average (``uptime``) with the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.scoring import score
from sigsurv.scoring._ranks import available_cores, run_blocks, sample_blocks

N_GENES, N_SETS, SET_SIZE, SEED = 20_000, 50, 50, 20240101

R_GSVA = r"""
args <- commandArgs(TRUE)
suppressMessages(library(GSVA))
n_genes <- as.integer(args[2]); n_samples <- as.integer(args[3])
x <- matrix(readBin(args[1], "double", n = n_genes * n_samples), n_genes, n_samples)
rownames(x) <- sprintf("G%05d", seq_len(n_genes) - 1L)
colnames(x) <- sprintf("S%04d", seq_len(n_samples) - 1L)
lines <- strsplit(readLines(args[4]), "\t")
sets <- setNames(lapply(lines, `[`, -1), vapply(lines, `[`, "", 1))
elapsed <- system.time(
  res <- gsva(x, sets, method = "gsva", kcdf = "Gaussian", mx.diff = TRUE, tau = 1,
              min.sz = 1, max.sz = Inf, parallel.sz = as.integer(args[6]), verbose = FALSE)
)[["elapsed"]]
writeBin(as.vector(res[names(sets), ]), args[5])  # sample by sample
cat(elapsed, "\n")
"""


def build_input(n_samples: int) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The seeded matrix and 50 unsigned 50-gene sets."""
    rng = np.random.default_rng(SEED)
    genes = [f"G{i:05d}" for i in range(N_GENES)]
    samples = [f"S{j:04d}" for j in range(n_samples)]
    expression = pd.DataFrame(rng.normal(size=(N_GENES, n_samples)), index=genes, columns=samples)
    sets = {
        f"set{s:02d}": [genes[i] for i in rng.choice(N_GENES, size=SET_SIZE, replace=False)]
        for s in range(N_SETS)
    }
    return expression, sets


def timed(label: str, func, *, trace: bool = False, floor: float | None = None):
    """Run ``func`` once; print wall time, ratio to the floor and traced peak memory."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    ratio = f"  {elapsed / floor:6.1f}x floor" if floor else ""
    memory = f"   traced peak {peak / 2**20:8.1f} MiB" if trace else ""
    print(f"{label:<48s} {elapsed:9.2f} s{ratio}{memory}", flush=True)
    return result, elapsed, peak


def argsort_floor(expression: pd.DataFrame, threads: int) -> float:
    """Seconds for one ``np.argsort`` per sample column, on ``threads`` threads."""
    values = expression.to_numpy()

    def one(cols: slice) -> None:
        for j in range(cols.start, cols.stop):
            np.argsort(values[:, j])

    start = time.perf_counter()
    run_blocks(one, sample_blocks(values.shape[1], 64), threads=threads)
    return time.perf_counter() - start


def max_relative(ours: pd.DataFrame, theirs: pd.DataFrame) -> str:
    a, b = ours.to_numpy(), theirs.to_numpy()
    difference = np.abs(a - b)
    return f"max |diff| {difference.max():.3e}, max relative {np.max(difference / np.abs(b)):.3e}"


def gseapy_ssgsea(expression, sets, threads):
    import gseapy

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
            threads=threads,
            outdir=None,
            no_plot=True,
            seed=SEED,
        )
    table = result.res2d.pivot(index="Name", columns="Term", values="ES").astype(float)
    return table.loc[expression.columns, list(sets)]


def gseapy_gsva(expression, sets, threads):
    import gseapy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = gseapy.gsva(
            data=expression,
            gene_sets=sets,
            kcdf="Gaussian",
            mx_diff=True,
            min_size=1,
            max_size=N_GENES,
            threads=threads,
            outdir=None,
            seed=SEED,
        )
    table = result.res2d.pivot(index="Name", columns="Term", values="ES").astype(float)
    return table.loc[expression.columns, list(sets)]


def r_gsva(expression, sets, threads) -> tuple[pd.DataFrame, float] | None:
    """R GSVA's scores and its own elapsed time, or None without Rscript + GSVA."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "gsva.R").write_text(R_GSVA)
        np.ascontiguousarray(expression.to_numpy().T).tofile(folder / "x.bin")  # R order
        (folder / "sets.tsv").write_text(
            "".join("\t".join([name, *genes]) + "\n" for name, genes in sets.items())
        )
        n_genes, n_samples = expression.shape
        run = subprocess.run(
            [
                rscript,
                str(folder / "gsva.R"),
                str(folder / "x.bin"),
                str(n_genes),
                str(n_samples),
                str(folder / "sets.tsv"),
                str(folder / "out.bin"),
                str(threads),
            ],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            print(f"R GSVA not run: {run.stderr.strip().splitlines()[-1:]}")
            return None
        scores = np.fromfile(folder / "out.bin").reshape(n_samples, len(sets))
    frame = pd.DataFrame(scores, index=expression.columns, columns=list(sets))
    return frame, float(run.stdout.split()[-1])


def bench_rank_methods(expression, sets, threads) -> list[int]:
    small = expression.iloc[:300, :10]
    few = {"s": list(small.index[:20])}
    for options in ({}, {"ties": "gsva_1.46"}):  # compile (or load) the kernels first
        score(small, few, "ssgsea", engine="numba", **options)
    score(small, few, "singscore", engine="numba")
    floor = argsort_floor(expression, threads)
    print(f"{'floor: np.argsort of every sample column':<48s} {floor:9.2f} s")

    def ours():
        return score(expression, sets, method="ssgsea", threads=threads)

    _, _, peak = timed("sigsurv ssgsea (raw), traced run", ours, trace=True, floor=floor)
    mine, t_first, _ = timed("sigsurv ssgsea (raw)", ours, floor=floor)
    theirs, t_gseapy, _ = timed(
        "gseapy ssgsea (permutation_num=0)",
        lambda: gseapy_ssgsea(expression, sets, threads),
        floor=floor,
    )
    _, t_second, _ = timed("sigsurv ssgsea (raw), again", ours, floor=floor)
    t_ours = (t_first + t_second) / 2
    print(
        f"ssgsea: gseapy / sigsurv = {t_gseapy / t_ours:.1f}x (mean of the two sigsurv runs); "
        f"sigsurv / floor = {t_ours / floor:.2f}x; {max_relative(mine, theirs)}"
    )
    peaks = [peak]
    for label, method, options in [
        ("ssgsea normalize=True", "ssgsea", {"normalize": True}),
        ("ssgsea ties='gsva_1.46'", "ssgsea", {"ties": "gsva_1.46"}),
        ("singscore", "singscore", {}),
        ("ssgsea, compiled rank counts", "ssgsea", {"engine": "numba"}),
        ("ssgsea ties='gsva_1.46', compiled", "ssgsea", {"ties": "gsva_1.46", "engine": "numba"}),
        ("singscore, compiled rank counts", "singscore", {"engine": "numba"}),
    ]:
        _, _, peak = timed(
            label,
            lambda m=method, o=options: score(expression, sets, m, threads=threads, **o),
            trace=True,
            floor=floor,
        )
        peaks.append(peak)
    for label, method in [("mean_z", "mean_z"), ("zscore", "zscore"), ("plage", "plage")]:
        _, _, peak = timed(label, lambda m=method: score(expression, sets, m), trace=True)
        peaks.append(peak)
    single = {g: [g] for g in expression.index[:50]}
    _, _, peak = timed(
        "single_gene (50 genes)", lambda: score(expression, single, "single_gene"), trace=True
    )
    return [*peaks, peak]


def bench_gsva(
    expression, sets, threads, *, skip_r: bool, numpy_engine: bool, r_threads: int | None = None
) -> list[int]:
    n_genes, n_samples = expression.shape
    print(f"\nGSVA: {n_genes} genes x {n_samples} samples")
    floor = argsort_floor(expression, threads)
    print(f"{'floor: np.argsort of every sample column':<48s} {floor:9.2f} s")
    score(expression.iloc[:50, :20], {"s": list(expression.index[:5])}, "gsva")  # compile
    mine, t_ours, peak = timed(
        "sigsurv gsva exact (compiled)",
        lambda: score(expression, sets, "gsva", threads=threads),
        trace=True,
        floor=floor,
    )
    peaks = [peak]
    if numpy_engine:
        _, _, peak = timed(
            "sigsurv gsva exact (numpy engine)",
            lambda: score(expression, sets, "gsva", threads=threads, engine="numpy"),
            trace=True,
            floor=floor,
        )
        peaks.append(peak)
    for kcdf in ("none",):
        timed(
            f"sigsurv gsva kcdf={kcdf!r}",
            lambda k=kcdf: score(expression, sets, "gsva", kcdf=k, threads=threads),
            floor=floor,
        )
    theirs, t_gseapy, _ = timed(
        "gseapy gsva", lambda: gseapy_gsva(expression, sets, threads), floor=floor
    )
    print(f"gsva: gseapy / sigsurv = {t_gseapy / t_ours:.1f}x; {max_relative(mine, theirs)}")
    if skip_r:
        return peaks
    r_threads = threads if r_threads is None else r_threads
    print(f"running R GSVA with parallel.sz={r_threads}", flush=True)
    r_result = r_gsva(expression, sets, r_threads)
    if r_result is None:
        print("R GSVA not available: issue 16's external figure is 40 s (GSVA 1.46, 2 threads)")
    else:
        reference, t_r = r_result
        print(
            f"{'R GSVA 1.46 gsva() (timed inside R)':<48s} {t_r:9.2f} s  {t_r / floor:6.1f}x floor"
        )
        print(f"gsva: R / sigsurv = {t_r / t_ours:.1f}x; vs R {max_relative(mine, reference)}")
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=available_cores())
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--gsva-samples", type=int, default=400)
    parser.add_argument("--skip-gsva", action="store_true")
    parser.add_argument("--skip-r", action="store_true", help="do not run R GSVA")
    parser.add_argument(
        "--r-threads", type=int, default=None, help="R GSVA's parallel.sz (default: --threads)"
    )
    parser.add_argument(
        "--gsva-numpy", action="store_true", help="also time gsva's numpy engine (slow)"
    )
    args = parser.parse_args()
    expression, sets = build_input(max(args.samples, args.gsva_samples))
    print(
        f"input: {N_GENES} genes x {args.samples} samples, {N_SETS} sets of {SET_SIZE} genes, "
        f"seed {SEED}, threads {args.threads}, load average {os.getloadavg()}"
    )
    peaks = bench_rank_methods(expression.iloc[:, : args.samples], sets, args.threads)
    if not args.skip_gsva:
        peaks += bench_gsva(
            expression.iloc[:, : args.gsva_samples],
            sets,
            args.threads,
            skip_r=args.skip_r,
            numpy_engine=args.gsva_numpy,
            r_threads=args.r_threads,
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(
        f"peak traced memory of any sigsurv call: {max(peaks) / 2**20:.1f} MiB; "
        f"process peak RSS (includes gseapy): {rss:.0f} MiB; "
        f"load average at the end {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
