"""Benchmark: sigsurv ``cox_scan`` against an R ``coxph`` loop, one thread each.

Synthetic, seeded data (20,000 genes, ~40% events, times rounded to 0.1 so that
there are ties; ``--covariates 2``: an age-like and a stage-like adjustment
covariate, R's ``coxph(Surv(time, event) ~ g + c1 + c2)``). For each sample size:

* ``cox_scan`` with ``threads=1``: wall and CPU time (``time.process_time``), peak
  resident memory; without covariates also its *floor* (``evaluations x 3``
  vectorised NumPy passes over the genes x samples matrix: multiply, exp, cumsum);
* interleaved pairs (``--pairs``): sigsurv on all genes, then R's ``coxph`` loop on
  the first ``--r-genes`` genes of the same data (``Rscript`` with
  ``OMP_NUM_THREADS=1``; loop time only, reading excluded; R's CPU from
  ``system.time``), load average before and after each pair. R is measured on a
  subset and **scaled per gene** (its cost per gene does not depend on the number
  of genes); ratios are per gene, CPU time beside wall time; the largest relative
  coefficient difference with R is printed;
* ``--threads``: 1 vs 2 threads interleaved, speed-up and parallel efficiency
  ``t1 / (2 t2)`` (meaningful only when the load average is well below the cores);
* ``--lifelines-genes``: lifelines ``CoxPHFitter`` gene by gene (univariate only).

Run: ``python benchmarks/bench_cox_scan.py --samples 1000 --covariates 2`` (check
``uptime`` first: on a shared machine CPU-time ratios are the reliable ones).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

R_LOOP = """
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
n_cov <- as.integer(args[3])
covariates <- if (n_cov > 0) paste0("c", seq_len(n_cov)) else character(0)
genes <- setdiff(names(d), c("time", "event", covariates))
coefs <- numeric(length(genes))
adjust <- if (n_cov > 0) paste("+", paste(covariates, collapse = " + ")) else ""
form <- as.formula(paste("Surv(time, event) ~ g", adjust))
timing <- system.time(for (i in seq_along(genes)) {
  d$g <- d[[genes[i]]]
  fit <- coxph(form, data = d, ties = "efron")
  coefs[i] <- coef(fit)[1]
})
write.csv(data.frame(gene = genes, coef = coefs), args[2], row.names = FALSE)
cat(timing[["elapsed"]], timing[["user.self"]] + timing[["sys.self"]], "\\n")
"""


def synthetic(
    n_genes: int, n_samples: int, n_covariates: int = 0, seed: int = 20240101
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Genes x samples normal expression; survival driven by the first two genes and,
    with ``n_covariates``, by an age-like and a stage-like covariate (c1, c2, ...)."""
    rng = np.random.default_rng(seed)
    expr = rng.normal(size=(n_genes, n_samples))
    risk = 0.5 * expr[0] - 0.3 * expr[1]
    covariates = None
    if n_covariates:
        columns = {}
        for k in range(n_covariates):
            columns[f"c{k + 1}"] = (
                rng.normal(60.0, 10.0, n_samples).round()
                if k % 2 == 0
                else rng.integers(1, 4, n_samples).astype(float)
            )
        covariates = pd.DataFrame(columns)
        risk = risk + 0.02 * (covariates["c1"].to_numpy() - 60.0)
    event_time = rng.exponential(24.0 * np.exp(-risk))
    censor_time = rng.exponential(24.0, n_samples) * 0.72
    time_obs = np.minimum(event_time, censor_time).round(1) + 0.1
    event = (event_time <= censor_time).astype(int)
    genes = [f"G{i:05d}" for i in range(n_genes)]
    return pd.DataFrame(expr, index=genes), time_obs, event, covariates


def peak_rss_gb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024**2) if sys.platform != "darwin" else kb / 1024**3


def load() -> float:
    return os.getloadavg()[0]


def floor_seconds(expr: pd.DataFrame, evaluations: float, repeats: int = 2) -> float:
    """CPU time of ``evaluations x 3`` single-threaded vectorised passes over the matrix
    (CPU time, like cox_scan's: on a loaded machine wall time inflates either)."""
    x = np.ascontiguousarray(expr.to_numpy())
    beta = np.full((x.shape[0], 1), 0.01)
    work = np.empty_like(x)
    best = np.inf
    for _ in range(repeats):
        start = time.process_time()
        np.multiply(x, beta, out=work)
        np.exp(work, out=work)
        np.cumsum(work, axis=1, out=work)
        best = min(best, time.process_time() - start)
    return best * evaluations


def time_scan(
    expr: pd.DataFrame,
    t: np.ndarray,
    e: np.ndarray,
    covariates: pd.DataFrame | None,
    threads: int | None,
) -> tuple[float, float, pd.DataFrame]:
    """Wall and CPU seconds of one cox_scan (CPU: this process, all its threads)."""
    from sigsurv.survival.cox_scan import cox_scan

    wall, cpu = time.perf_counter(), time.process_time()
    res = cox_scan(expr, t, e, ties="efron", threads=threads, covariates=covariates)
    return time.perf_counter() - wall, time.process_time() - cpu, res


def lifelines_loop(
    expr: pd.DataFrame, t: np.ndarray, e: np.ndarray, n: int
) -> tuple[float, np.ndarray]:
    from lifelines import CoxPHFitter

    coefs = []
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for gene in expr.index[:n]:
            data = pd.DataFrame({"time": t, "event": e, "x": expr.loc[gene].to_numpy()})
            coefs.append(CoxPHFitter().fit(data, "time", "event").params_["x"])
    return (time.process_time() - start) / n, np.asarray(coefs)


def write_r_input(
    folder: Path,
    expr: pd.DataFrame,
    t: np.ndarray,
    e: np.ndarray,
    covariates: pd.DataFrame | None,
    n: int,
) -> None:
    parts = [pd.DataFrame({"time": t, "event": e})]
    if covariates is not None:
        parts.append(covariates.reset_index(drop=True))
    parts.append(expr.iloc[:n].T.reset_index(drop=True))
    pd.concat(parts, axis=1).to_csv(folder / "data.csv", index=False, float_format="%.17g")
    (folder / "loop.R").write_text(R_LOOP)


def r_loop(folder: Path, n: int, n_covariates: int) -> tuple[float, float, pd.Series]:
    """Seconds per gene (wall, CPU) of R's coxph loop, one R process, one thread."""
    rscript = shutil.which("Rscript")
    assert rscript is not None
    files = [str(folder / name) for name in ("loop.R", "data.csv", "coef.csv")]
    one_thread = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [rscript, *files, str(n_covariates)],
        capture_output=True,
        text=True,
        check=True,
        env=one_thread,
    )
    wall, cpu = (float(v) for v in out.stdout.split()[-2:])
    coefs = pd.read_csv(folder / "coef.csv", index_col="gene")["coef"]
    return wall / n, cpu / n, coefs


def compare_with_r(args: argparse.Namespace, data: tuple, n_cov: int, per_gene_cpu: list) -> None:  # type: ignore[type-arg]
    """Interleaved pairs: sigsurv (1 thread), then R, ``--pairs`` times; CPU ratios."""
    expr, t, e, covariates = data
    n_r = min(args.r_genes, len(expr))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_r_input(folder, expr, t, e, covariates, n_r)
        for pair in range(args.pairs):
            before = load()
            wall, cpu, res = time_scan(expr, t, e, covariates, 1)
            ours = cpu / len(expr)
            r_wall, r_cpu, r_coefs = r_loop(folder, n_r, n_cov)
            rel = np.max(np.abs(res.loc[r_coefs.index, "coef"] / r_coefs - 1.0))
            per_gene_cpu.append((ours, r_cpu))
            print(
                f"pair {pair + 1}: load {before:.1f}->{load():.1f} | sigsurv 1 thread"
                f" {wall:.2f} s wall, {cpu:.2f} s CPU ({ours * 1e3:.3f} ms/gene) | R coxph loop"
                f" over {n_r} genes {r_wall * 1e3:.2f} ms/gene wall, {r_cpu * 1e3:.2f} ms/gene"
                f" CPU -> {r_cpu / ours:.0f}x R per gene (CPU), {r_wall / (wall / len(expr)):.0f}x"
                f" (wall); max |coef / R - 1| {rel:.1e}"
            )


def thread_scaling(args: argparse.Namespace, data: tuple) -> None:  # type: ignore[type-arg]
    """1 vs 2 threads, interleaved; parallel efficiency = t1 / (2 t2)."""
    from sigsurv.survival._cox_scan_kernel import available_threads

    expr, t, e, covariates = data
    if available_threads() < 2:
        print("thread scaling: fewer than 2 cores available, skipped")
        return
    for pair in range(args.pairs):
        before = load()
        one, cpu1, _ = time_scan(expr, t, e, covariates, 1)
        two, cpu2, _ = time_scan(expr, t, e, covariates, 2)
        print(
            f"threads pair {pair + 1}: load {before:.1f}->{load():.1f} | 1 thread {one:.2f} s"
            f" wall ({cpu1:.2f} CPU), 2 threads {two:.2f} s wall ({cpu2:.2f} CPU):"
            f" speed-up {one / two:.2f}, parallel efficiency {one / (2 * two):.0%}"
        )


def run(args: argparse.Namespace, n_samples: int) -> None:
    data = synthetic(args.genes, n_samples, args.covariates)
    expr, t, e, covariates = data
    label = f" + {args.covariates} covariates" if args.covariates else ""
    print(f"\n== {args.genes} genes x {n_samples} samples{label}, events {e.mean():.1%}")
    time_scan(expr.iloc[:50], t, e, covariates, 1)  # compiles / loads the numba kernel once
    wall, cpu, res = time_scan(expr, t, e, covariates, 1)
    print(
        f"cox_scan (threads=1): {wall:.2f} s wall, {cpu:.2f} s CPU, converged"
        f" {int(res['converged'].sum())}/{len(res)}, peak RSS {peak_rss_gb():.2f} GB"
    )
    if not args.covariates:
        evaluations = float(res["iterations"].mean()) + 1.0
        floor = floor_seconds(expr, evaluations)
        print(
            f"floor: {evaluations:.2f} evaluations/gene x 3 passes = {floor:.2f} s CPU"
            f" (1 thread); cox_scan / floor = {cpu / floor:.2f} (CPU / CPU)"
        )
    if args.lifelines_genes and not args.covariates:
        lifelines, coefs = lifelines_loop(expr, t, e, args.lifelines_genes)
        diff = np.max(np.abs(res["coef"].to_numpy()[: len(coefs)] - coefs))
        print(
            f"lifelines CoxPHFitter: {lifelines * 1e3:.2f} ms/gene CPU over {len(coefs)} genes;"
            f" cox_scan is {lifelines / (cpu / len(expr)):.0f}x (max |coef diff| {diff:.1e})"
        )
    if args.r_genes:
        if shutil.which("Rscript") is None:
            print("R: Rscript not found, skipped")
        else:
            pairs: list[tuple[float, float]] = []
            compare_with_r(args, data, args.covariates, pairs)
            ratios = [r / ours for ours, r in pairs]
            shown = ", ".join(f"{x:.0f}x" for x in ratios)
            print(f"R / sigsurv per gene (CPU, 1 thread each): {shown}")
    if args.threads:
        thread_scaling(args, data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--genes", type=int, default=20_000)
    parser.add_argument("--samples", type=int, nargs="+", default=[1_000, 11_000])
    parser.add_argument("--covariates", type=int, default=0, help="adjustment covariates")
    parser.add_argument("--lifelines-genes", type=int, default=0)
    parser.add_argument("--r-genes", type=int, default=500, help="R loop on this many genes")
    parser.add_argument("--pairs", type=int, default=2, help="interleaved repetitions")
    parser.add_argument("--threads", action="store_true", help="1 vs 2 threads")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(f"load average (1 min) at start: {load():.2f}; cores available: {cores}")
    for n in args.samples:
        run(args, n)
    print(f"\nload average (1 min) at end: {load():.2f}")


if __name__ == "__main__":
    main()
