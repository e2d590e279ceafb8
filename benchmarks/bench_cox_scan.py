"""Benchmark: sigsurv ``cox_scan`` vs a loop of lifelines ``CoxPHFitter`` fits.

20,000 genes x 1,000 samples (synthetic, seeded, ~40% events). sigsurv scans all
genes; lifelines fits a 200-gene subset in the same run and its time is
extrapolated per gene. Prints seconds per gene, the speed ratio (target >= 300x)
and the peak resident memory of the process (target < 2 GB).

Run: ``python benchmarks/bench_cox_scan.py [--genes 20000] [--samples 1000]``
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd


def synthetic(n_genes: int, n_samples: int, seed: int = 20240101):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--genes", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--lifelines-genes", type=int, default=200)
    args = parser.parse_args()

    from lifelines import CoxPHFitter

    from sigsurv.survival.cox_scan import cox_scan

    expr, t, e = synthetic(args.genes, args.samples)
    print(f"data: {args.genes} genes x {args.samples} samples, events {e.mean():.1%}")
    rss_before = peak_rss_gb()

    start = time.perf_counter()
    res = cox_scan(expr, t, e, ties="efron")
    sigsurv_s = time.perf_counter() - start
    per_gene_sigsurv = sigsurv_s / args.genes
    print(
        f"sigsurv cox_scan: {sigsurv_s:.2f} s total, {per_gene_sigsurv * 1e3:.4f} ms/gene,"
        f" converged {int(res['converged'].sum())}/{len(res)}"
    )
    print(f"peak RSS after scan: {peak_rss_gb():.2f} GB (before scan {rss_before:.2f} GB)")

    subset = expr.index[: args.lifelines_genes]
    coefs = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in subset:
            data = pd.DataFrame({"time": t, "event": e, "x": expr.loc[g].to_numpy()})
            cph = CoxPHFitter().fit(data, "time", "event")
            coefs.append(cph.params_["x"])
    lifelines_s = time.perf_counter() - start
    per_gene_lifelines = lifelines_s / len(subset)
    max_abs = float(np.max(np.abs(res.loc[subset, "coef"].to_numpy() - coefs)))
    print(
        f"lifelines CoxPHFitter: {lifelines_s:.2f} s for {len(subset)} genes,"
        f" {per_gene_lifelines * 1e3:.2f} ms/gene"
        f" (extrapolated {per_gene_lifelines * args.genes:.0f} s for all genes)"
    )
    print(
        f"max |coef difference| sigsurv vs lifelines: {max_abs:.2e}"
        " (lifelines stops on a looser convergence criterion)"
    )
    print(
        f"speed ratio (lifelines / sigsurv per gene): {per_gene_lifelines / per_gene_sigsurv:.0f}x"
        " (target >= 300x)"
    )
    print(f"peak RSS: {peak_rss_gb():.2f} GB (target < 2 GB)")


if __name__ == "__main__":
    main()
