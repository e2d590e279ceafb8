"""Regenerate the Cox/discrimination golden files in this folder.

1. ``cox_inputs.csv``: gse1992 (SurvSet pickle, sample order as shipped) time,
   event, clinical factors, IRF7/ESR1 expression and IFN_z (the reference's
   ssGSEA IFN score from ../shared/reference, z-scored with sd n-1).
2. ``goldens.json``: ``Rscript make.R`` (R 4.2.2, survival 3.5-3).
3. ``discrimination_sksurv.json``: Uno's C and cumulative/dynamic AUC from
   scikit-survival (version recorded in the file) on gse1992 and gse4335.

Run from the repository root: ``python tests/data/survival/cox/make_goldens.py``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import SurvSet

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[3].parent / "shared" / "reference"
PICKLES = Path(SurvSet.__file__).parent / "resources" / "pickles"
GENES = ["IRF7", "ESR1", "MKI67", "BCL2"]


def cohort(name: str) -> pd.DataFrame:
    return pd.read_pickle(PICKLES / f"{name}.pickle")


def write_inputs() -> None:
    df = cohort("gse1992")
    scores = pd.read_csv(REFERENCE / "gse1992.geneset_scores.tsv", sep="\t")
    assert (scores["sample"].to_numpy() == df["pid"].to_numpy()).all()
    ifn = scores["ssgsea_norm__IFN"].to_numpy()
    out = pd.DataFrame(
        {
            "pid": df["pid"],
            "time": df["time"],
            "event": df["event"],
            "age": df["num_age"],
            "er": df["fac_er_positive"].astype(str),
            "node": df["fac_node_status"].astype(str),
            "grade": df["fac_grade"].astype(str),
            "IRF7": df["num_HS_IRF7"],
            "ESR1": df["num_HS_ESR1"],
            "IFN_z": (ifn - ifn.mean()) / ifn.std(ddof=1),
        }
    )
    out.to_csv(HERE / "cox_inputs.csv", index=False, float_format="%.17g")


def write_sksurv() -> None:
    import sksurv
    from sksurv.metrics import concordance_index_ipcw, cumulative_dynamic_auc
    from sksurv.util import Surv

    result: dict[str, object] = {"scikit_survival": sksurv.__version__, "cases": []}
    for name in ("gse1992", "gse4335"):
        df = cohort(name)
        y = Surv.from_arrays(df["event"].astype(bool), df["time"].astype(float))
        for gene in GENES:
            x = df[f"num_HS_{gene}"].to_numpy(dtype=float)
            horizons = [12.0, 36.0, 60.0]
            auc = cumulative_dynamic_auc(y, y, x, horizons)[0]
            result["cases"].append(
                {
                    "cohort": name,
                    "gene": gene,
                    "uno_c": float(concordance_index_ipcw(y, y, x)[0]),
                    "uno_c_tau60": float(concordance_index_ipcw(y, y, x, tau=60)[0]),
                    "horizons": horizons,
                    "auc": [float(a) for a in auc],
                }
            )
    (HERE / "discrimination_sksurv.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    write_inputs()
    subprocess.run(["Rscript", str(HERE / "make.R"), str(HERE)], check=True)
    write_sksurv()
