"""Recompute part of the vendored R references with the local R and compare (not a test).

Usage, from the repository root (needs Rscript with survival, maxstat, jsonlite):

    python tests/data/reference/spot_check.py [--genomewide-genes 300]

Writes time, event and every gene of the two SurvSet pickles to a temporary folder as
CSV (17 significant digits, exact round trip) and runs ``spot_check.R`` on them; that
script prints the largest relative difference per quantity and fails above 1e-6.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import SurvSet

HERE = Path(__file__).resolve().parent
COHORTS = ("gse1992", "gse4335")


def export_inputs(folder: Path) -> None:
    pickles = Path(SurvSet.__file__).parent / "resources" / "pickles"
    for cohort in COHORTS:
        frame = pd.read_pickle(pickles / f"{cohort}.pickle")
        genes = [c for c in frame.columns if c.startswith("num_HS_")]
        out = frame[["time", "event", *genes]]
        out.columns = ["time", "event", *(g.removeprefix("num_HS_") for g in genes)]
        out.to_csv(folder / f"{cohort}.csv", index=False, float_format="%.17g")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--genomewide-genes", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export_inputs(Path(tmp))
        command = ["Rscript", str(HERE / "spot_check.R"), tmp, str(HERE)]
        return subprocess.call([*command, str(args.genomewide_genes)])


if __name__ == "__main__":
    sys.exit(main())
