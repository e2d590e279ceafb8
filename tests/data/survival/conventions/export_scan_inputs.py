"""Write scan_gse1992.csv: 300 genes of sigsurv's bundled gse1992 cohort with the
clinical covariates, complete cases, for the adjusted/stratified cox_scan golden.

Run from the repository root:  python tests/data/survival/conventions/export_scan_inputs.py
(then  cd tests/data/survival/conventions && Rscript scan.R).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from sigsurv import load_example

HERE = Path(__file__).resolve().parent

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    cohort = load_example("gse1992")
clinical = cohort.clinical[["rfs_time", "rfs_event", "er", "node", "grade", "age"]]
complete = clinical.notna().all(axis=1)
expression = cohort.expression.loc[:, complete]
genes = expression.index[np.arange(0, expression.shape[0], 50)][:300]
table = clinical.loc[complete].copy()
table["grade"] = table["grade"].astype(int)
table = table.join(expression.loc[genes].T)
table.to_csv(HERE / "scan_gse1992.csv", float_format="%.17g", index_label="sample")
print(table.shape)
