"""Write the inputs of r_goldens.R: per patient time, event and group of two analyses.

* ``gse1992_msk1.csv``: ``sigsurv survival gse1992 --signature msk1_rps6ka5`` (ER+,
  median cut of the single-gene score): the groups of the analysis;
* ``gse1992_er.csv``: ``sigsurv survival gse1992 --by er`` (all patients).

Run from the repository root:
``python tests/data/survival_command/export_survival_command_inputs.py``.
"""

from pathlib import Path

import pandas as pd

from sigsurv import load_example
from sigsurv.analysis.signature import analyse_signature

HERE = Path(__file__).parent


def main() -> None:
    cohort = load_example("gse1992")
    result = analyse_signature(cohort, "msk1_rps6ka5")
    pd.DataFrame(
        {
            "sample": result.scores.index,
            "time": result.survival.time,
            "event": result.survival.event.astype(int),
            "group": pd.Series(result.grouping.labels).astype(str).to_numpy(),
        }
    ).to_csv(HERE / "gse1992_msk1.csv", index=False)
    clinical = cohort.clinical
    known = clinical[["rfs_time", "rfs_event", "er"]].notna().all(axis=1)
    pd.DataFrame(
        {
            "sample": clinical.index[known],
            "time": clinical.loc[known, "rfs_time"].astype(float).to_numpy(),
            "event": clinical.loc[known, "rfs_event"].astype(int).to_numpy(),
            "er": clinical.loc[known, "er"].astype(str).to_numpy(),
        }
    ).to_csv(HERE / "gse1992_er.csv", index=False)


if __name__ == "__main__":
    main()
