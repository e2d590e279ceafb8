"""Export the SurvSet columns the R goldens need to small CSV files (run once, then make.R).

Usage: python tests/data/survival/basics/export_inputs.py   (from the repository root)
Writes tests/data/survival/basics/inputs/<cohort>.csv: time, event, clinical factors and a few
genes of the SurvSet 0.2.11 pickles, sample order as in the pickle, values with 17
significant digits (exact round trip).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import SurvSet

GENES = ["BCL2", "RPS6KA5", "IRF7", "ESR1", "MKI67"]
COLUMNS = {
    "gse1992": ["fac_er_positive", "fac_grade"],
    "gse4335": ["fac_er_status", "fac_grade"],
}

here = Path(__file__).resolve().parent
(here / "inputs").mkdir(exist_ok=True)
pickles = Path(SurvSet.__file__).parent / "resources" / "pickles"
for cohort, extra in COLUMNS.items():
    frame = pd.read_pickle(pickles / f"{cohort}.pickle")
    out = frame[["pid", "time", "event", *extra, *(f"num_HS_{g}" for g in GENES)]]
    out.columns = [c.removeprefix("num_HS_") for c in out.columns]
    out.to_csv(here / "inputs" / f"{cohort}.csv", index=False, float_format="%.17g")
