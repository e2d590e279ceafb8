"""Benchmark: sigsurv ``cox_scan`` against its floor, lifelines and an R ``coxph`` loop.

Synthetic, seeded data (20,000 genes, ~40% events, times rounded to 0.1 so that
there are ties). For each sample size:

* ``cox_scan`` wall time with the default threads (all available cores) and with
  ``threads=1``; peak resident memory of the process;
* its *floor*: the time of ``evaluations x 3`` vectorised NumPy passes over the
  genes x samples matrix (multiply by the coefficients, exp, cumulative sum), where
  ``evaluations`` is the mean number of likelihood evaluations per gene (Newton
  iterations + the one at 0), i.e. the least a Newton fit must touch; the floor
  runs on one thread, so the ratio with one thread is the fair one;
* lifelines ``CoxPHFitter`` fitted gene by gene on ``--lifelines-genes`` genes of
  the same data, in the same run (seconds per gene and ratio);
* if ``Rscript`` is on the PATH: a loop of R ``coxph`` over ``--r-genes`` genes of
  the same data written to CSV (loop time only, reading excluded), the ratio per
  gene and the largest relative coefficient difference with ``cox_scan``.

Run: ``python benchmarks/bench_cox_scan.py [--genes 20000] [--samples 1000 4000]``
(check ``uptime`` first: timings mean little on a loaded machine).
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
genes <- setdiff(names(d), c("time", "event"))
coefs <- numeric(length(genes))
elapsed <- system.time(for (i in seq_along(genes)) {
  fit <- coxph(Surv(d$time, d$event) ~ d[[genes[i]]], ties = "efron")
  coefs[i] <- coef(fit)[1]
})[["elapsed"]]
write.csv(data.frame(gene = genes, coef = coefs), args[2], row.names = FALSE)
cat(elapsed, "\\n")
"""


def synthetic(
    n_genes: int, n_samples: int, seed: int = 20240101
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Genes x samples normal expression; survival driven by the first two genes."""
    rng = np.random.default_rng(seed)
    expr = rng.normal(size=(n_genes, n_samples))
    risk = 0.5 * expr[0] - 0.3 * expr[1]
    event_time = rng.exponential(24.0 * np.exp(-risk))
    censor_time = rng.exponential(24.0, n_samples) * 0.72
    time_obs = np.minimum(event_time, censor_time).round(1) + 0.1
    event = (event_time <= censor_time).astype(int)
    genes = [f"G{i:05d}" for i in range(n_genes)]
    return pd.DataFrame(expr, index=genes), time_obs, event


def peak_rss_gb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024**2) if sys.platform != "darwin" else kb / 1024**3


def floor_seconds(expr: pd.DataFrame, evaluations: float, repeats: int = 2) -> float:
    """Time of ``evaluations x 3`` single-threaded vectorised passes over the matrix."""
    x = np.ascontiguousarray(expr.to_numpy())
    beta = np.full((x.shape[0], 1), 0.01)
    work = np.empty_like(x)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        np.multiply(x, beta, out=work)
        np.exp(work, out=work)
        np.cumsum(work, axis=1, out=work)
        best = min(best, time.perf_counter() - start)
    return best * evaluations


def time_scan(
    expr: pd.DataFrame, t: np.ndarray, e: np.ndarray, threads: int | None
) -> tuple[float, pd.DataFrame]:
    from sigsurv.survival.cox_scan import cox_scan

    start = time.perf_counter()
    res = cox_scan(expr, t, e, ties="efron", threads=threads)
    return time.perf_counter() - start, res


def lifelines_loop(
    expr: pd.DataFrame, t: np.ndarray, e: np.ndarray, n: int
) -> tuple[float, np.ndarray]:
    from lifelines import CoxPHFitter

    coefs = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for gene in expr.index[:n]:
            data = pd.DataFrame({"time": t, "event": e, "x": expr.loc[gene].to_numpy()})
            coefs.append(CoxPHFitter().fit(data, "time", "event").params_["x"])
    return (time.perf_counter() - start) / n, np.asarray(coefs)


def r_loop(
    expr: pd.DataFrame, t: np.ndarray, e: np.ndarray, n: int
) -> tuple[float, pd.Series] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data = pd.concat(
            [pd.DataFrame({"time": t, "event": e}), expr.iloc[:n].T.reset_index(drop=True)], axis=1
        )
        data.to_csv(Path(tmp) / "data.csv", index=False, float_format="%.17g")
        (Path(tmp) / "loop.R").write_text(R_LOOP)
        files = [str(Path(tmp) / name) for name in ("loop.R", "data.csv", "coef.csv")]
        out = subprocess.run([rscript, *files], capture_output=True, text=True, check=True)
        coefs = pd.read_csv(Path(tmp) / "coef.csv", index_col="gene")["coef"]
    return float(out.stdout.split()[-1]) / n, coefs


def run(args: argparse.Namespace, n_samples: int) -> None:
    expr, t, e = synthetic(args.genes, n_samples)
    print(f"\n== {args.genes} genes x {n_samples} samples, events {e.mean():.1%}")
    time_scan(expr.iloc[:50], t, e, None)  # compiles / loads the numba kernel once
    seconds, res = time_scan(expr, t, e, None)
    print(
        f"cox_scan (threads=default): {seconds:.2f} s, converged {int(res['converged'].sum())}"
        f"/{len(res)}, peak RSS {peak_rss_gb():.2f} GB"
    )
    one = None
    if not args.skip_one_thread:
        one, _ = time_scan(expr, t, e, 1)
        print(f"cox_scan (threads=1): {one:.2f} s (x{one / seconds:.2f} the default)")
    evaluations = float(res["iterations"].mean()) + 1.0
    floor = floor_seconds(expr, evaluations)
    print(
        f"floor: {evaluations:.2f} evaluations/gene x 3 passes = {floor:.2f} s (1 thread);"
        f" cox_scan / floor = {seconds / floor:.2f} (default threads)"
        + (f", {one / floor:.2f} (1 thread)" if one is not None else "")
    )
    per_gene = seconds / args.genes
    if args.lifelines_genes:
        lifelines, coefs = lifelines_loop(expr, t, e, args.lifelines_genes)
        diff = np.max(np.abs(res["coef"].to_numpy()[: len(coefs)] - coefs))
        print(
            f"lifelines CoxPHFitter: {lifelines * 1e3:.2f} ms/gene over {len(coefs)} genes;"
            f" cox_scan is {lifelines / per_gene:.0f}x faster per gene (max |coef diff| {diff:.1e})"
        )
    if args.r_genes:
        r = r_loop(expr, t, e, args.r_genes)
        if r is None:
            print("R: Rscript not found, skipped")
        else:
            r_per_gene, r_coefs = r
            rel = np.max(np.abs(res.loc[r_coefs.index, "coef"] / r_coefs - 1.0))
            print(
                f"R coxph loop: {r_per_gene * 1e3:.2f} ms/gene over {len(r_coefs)} genes;"
                f" cox_scan is {r_per_gene / per_gene:.0f}x faster per gene"
                f" (max relative coef difference {rel:.1e})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--genes", type=int, default=20_000)
    parser.add_argument("--samples", type=int, nargs="+", default=[1_000, 4_000])
    parser.add_argument("--lifelines-genes", type=int, default=200)
    parser.add_argument("--r-genes", type=int, default=500)
    parser.add_argument("--skip-one-thread", action="store_true")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}; cores available: {cores}")
    for n in args.samples:
        run(args, n)
    print(f"\nload average (1 min) at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
