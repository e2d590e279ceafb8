"""Speed of sigsurv's scoring against gseapy and R GSVA, like with like.

Input: a seeded normal matrix (no ties), 20,000 genes x ``--samples`` (400) and 50
random 50-gene sets. Every comparison runs **in the same process run, in interleaved
pairs** (sigsurv, gseapy, R, sigsurv, gseapy, R, ...), **one thread on each side by
default**: sigsurv ``threads=1``, gseapy ``threads=1``, R GSVA ``parallel.sz=1`` (its
default, serial; ``--r-threads`` changes it, and on a busy machine R's forked
MulticoreParam is *slower* than serial). Each line prints CPU time beside wall time and
the 1-minute load average just before it; ratios are CPU-time ratios of the same pair,
then their median. The machine is shared: read wall times with the load.

* exact GSVA (Gaussian kernel, GSVA 1.46's table, compiled engine) vs ``gseapy.gsva``
  and R GSVA 1.46 ``gsva()`` (timed inside R by ``system.time`` around ``gsva()``: its
  elapsed and user + system CPU; the matrix is passed as a binary file), with the
  largest difference of the scores;
* the kernel's **floor**: the same ``n_genes x n_samples^2`` table lookups without
  GSVA's sign and exactness bookkeeping (``_kernel_floor``), and the kernel alone;
* GSVA ``kcdf="none"`` vs ssGSEA on the same ``--none-samples`` (4,000) matrix;
* ssGSEA vs ``gseapy.ssgsea`` (``--rank`` only; gseapy is slow at this size).

Run: ``python benchmarks/bench_scoring.py [--samples 400] [--none-samples 4000]
[--pairs 2] [--threads 1] [--r-threads 1] [--skip-r] [--skip-gseapy] [--skip-exact]
[--skip-none] [--rank]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from sigsurv.scoring import score

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
timing <- system.time(
  res <- gsva(x, sets, method = "gsva", kcdf = "Gaussian", mx.diff = TRUE, tau = 1,
              min.sz = 1, max.sz = Inf, parallel.sz = as.integer(args[6]), verbose = FALSE)
)
writeBin(as.vector(res[names(sets), ]), args[5])  # sample by sample
cpu <- sum(timing[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
cat(timing[["elapsed"]], cpu, "\n")
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


def clock(func):  # type: ignore[no-untyped-def]
    """``(result, wall s, CPU s)`` of one call; CPU includes child processes."""
    before = _cpu()
    wall = time.perf_counter()
    result = func()
    return result, time.perf_counter() - wall, _cpu() - before


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def line(label: str, wall: float, cpu: float, load: float) -> None:
    print(f"{label:<44s} wall {wall:8.2f} s  CPU {cpu:8.2f} s  (load {load:5.2f})", flush=True)


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


def r_gsva(expression, sets, threads) -> tuple[pd.DataFrame, float, float] | None:
    """R GSVA's scores, elapsed and CPU time of ``gsva()``, or None without R + GSVA."""
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
    elapsed, cpu = (float(v) for v in run.stdout.split()[-2:])
    return frame, elapsed, cpu


@numba.njit(nogil=True, cache=True)
def _kernel_floor(x: np.ndarray, bw: np.ndarray, table: np.ndarray, out: np.ndarray) -> None:
    """The Gaussian kernel's irreducible work: one table lookup and add per pair."""
    resolution = table.shape[0] - 1
    for g in range(x.shape[0]):
        scale = 1000.0 / bw[g]
        row = x[g]
        for j in range(row.shape[0]):
            total = 0.0
            for i in range(row.shape[0]):
                total += table[min(int(abs(row[j] - row[i]) * scale), resolution)]
            out[g, j] = total


def bench_gsva(expression, sets, args) -> None:  # type: ignore[no-untyped-def]
    from sigsurv.scoring._kcdf import CDF_TABLE
    from sigsurv.scoring.gsva import _bandwidth, kernel_cdf_statistic

    n_genes, n_samples = expression.shape
    print(f"\nexact GSVA (Gaussian): {n_genes} genes x {n_samples} samples x {len(sets)} sets")
    values = np.ascontiguousarray(expression.to_numpy())
    score(expression.iloc[:50, :20], {"s": list(expression.index[:5])}, "gsva", threads=1)
    bw = _bandwidth(values)
    floor_out = np.empty_like(values)
    _kernel_floor(  # compile for C-contiguous arrays, as timed below
        np.ascontiguousarray(values[:2, :10]), bw[:2].copy(), CDF_TABLE, np.empty((2, 10))
    )
    ratios: dict[str, list[float]] = {"gseapy": [], "R": []}
    for pair in range(args.pairs):
        mine, wall, cpu = clock(lambda: score(expression, sets, "gsva", threads=args.threads))
        line(f"[{pair + 1}] sigsurv gsva exact", wall, cpu, os.getloadavg()[0])
        if not args.skip_gseapy:
            load = os.getloadavg()[0]
            theirs, wall_g, cpu_g = clock(lambda: gseapy_gsva(expression, sets, args.threads))
            line(f"[{pair + 1}] gseapy gsva (threads={args.threads})", wall_g, cpu_g, load)
            ratios["gseapy"].append(cpu_g / cpu)
        if not args.skip_r:
            load = os.getloadavg()[0]
            r_result = r_gsva(expression, sets, args.r_threads)
            if r_result is not None:
                reference, wall_r, cpu_r = r_result
                line(
                    f"[{pair + 1}] R GSVA 1.46 (parallel.sz={args.r_threads})", wall_r, cpu_r, load
                )
                ratios["R"].append(cpu_r / cpu)
    _, wall, cpu_kernel = clock(lambda: kernel_cdf_statistic(values, threads=args.threads))
    line("sigsurv exact kernel alone", wall, cpu_kernel, os.getloadavg()[0])
    _, wall, cpu_floor = clock(lambda: _kernel_floor(values, bw, CDF_TABLE, floor_out))
    line("floor: bare table lookups (one thread)", wall, cpu_floor, os.getloadavg()[0])
    print(f"kernel / floor = {cpu_kernel / cpu_floor:.2f}x (CPU)")
    if ratios["gseapy"]:
        print(f"gseapy / sigsurv (CPU): {_ratios(ratios['gseapy'])}; {max_relative(mine, theirs)}")
    if ratios["R"]:
        print(f"R / sigsurv (CPU): {_ratios(ratios['R'])}; vs R {max_relative(mine, reference)}")


def _ratios(values: list[float]) -> str:
    each = ", ".join(f"{v:.2f}x" for v in values)
    return f"median {float(np.median(values)):.2f}x (pairs: {each})"


def bench_kcdf_none(args) -> None:  # type: ignore[no-untyped-def]
    expression, sets = build_input(args.none_samples)
    print(f"\nGSVA kcdf='none' vs ssGSEA: {N_GENES} genes x {args.none_samples} samples")
    small = expression.iloc[:300, :10]
    score(small, {"s": list(small.index[:20])}, "gsva", kcdf="none", threads=1)
    ratios = []
    for pair in range(args.pairs):
        _, wall, cpu_s = clock(lambda: score(expression, sets, "ssgsea", threads=args.threads))
        line(f"[{pair + 1}] sigsurv ssgsea", wall, cpu_s, os.getloadavg()[0])
        _, wall, cpu_n = clock(
            lambda: score(expression, sets, "gsva", kcdf="none", threads=args.threads)
        )
        line(f"[{pair + 1}] sigsurv gsva kcdf='none'", wall, cpu_n, os.getloadavg()[0])
        ratios.append(cpu_n / cpu_s)
    print(f"gsva kcdf='none' / ssgsea (CPU): {_ratios(ratios)}")


def bench_ssgsea(expression, sets, args) -> None:  # type: ignore[no-untyped-def]
    print(f"\nssGSEA vs gseapy: {expression.shape[0]} genes x {expression.shape[1]} samples")
    ratios = []
    for pair in range(args.pairs):
        mine, wall, cpu = clock(lambda: score(expression, sets, "ssgsea", threads=args.threads))
        line(f"[{pair + 1}] sigsurv ssgsea", wall, cpu, os.getloadavg()[0])
        load = os.getloadavg()[0]
        theirs, wall_g, cpu_g = clock(lambda: gseapy_ssgsea(expression, sets, args.threads))
        line(f"[{pair + 1}] gseapy ssgsea (threads={args.threads})", wall_g, cpu_g, load)
        ratios.append(cpu_g / cpu)
    print(f"gseapy / sigsurv (CPU): {_ratios(ratios)}; {max_relative(mine, theirs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--r-threads", type=int, default=1, help="R GSVA's parallel.sz")
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--none-samples", type=int, default=4000)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument("--skip-gseapy", action="store_true")
    parser.add_argument("--skip-none", action="store_true")
    parser.add_argument("--skip-exact", action="store_true", help="no exact GSVA section")
    parser.add_argument("--rank", action="store_true", help="also ssGSEA vs gseapy")
    args = parser.parse_args()
    expression, sets = build_input(args.samples)
    print(
        f"{N_GENES} genes, {N_SETS} sets of {SET_SIZE} genes, seed {SEED}; sigsurv threads "
        f"{args.threads}, gseapy threads {args.threads}, R parallel.sz {args.r_threads}; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()}"
    )
    warnings.simplefilter("ignore")
    if not args.skip_exact:
        bench_gsva(expression, sets, args)
    if args.rank:
        bench_ssgsea(expression, sets, args)
    if not args.skip_none:
        bench_kcdf_none(args)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"process peak RSS {rss:.0f} MiB; load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
