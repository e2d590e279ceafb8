"""Preranked GSEA of the Cox z: harmful sets rank positive; the CLI writes both tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigsurv.analysis.enrichment import survival_set_enrichment
from sigsurv.cli import main


def test_harmful_and_protective_sets_get_opposite_signs():
    rng = np.random.default_rng(7)
    genes = [f"G{i:04d}" for i in range(400)]
    z = pd.Series(rng.normal(size=400), index=genes)
    z.iloc[:20] = np.linspace(6, 4, 20)  # strongly harmful genes
    z.iloc[-20:] = np.linspace(-4, -6, 20)  # strongly protective genes
    scan = pd.DataFrame({"z": z, "converged": True})
    sets = {"harmful": genes[:20], "protective": genes[-20:], "tiny": genes[100:101]}
    table = survival_set_enrichment(scan, sets, permutations=200, seed=1)
    assert table.loc["harmful", "nes"] > 0 > table.loc["protective", "nes"]
    assert table.loc["harmful", "p"] < 0.05
    assert not table.loc["tiny", "tested"]  # below min_size: listed, not tested


@pytest.mark.slow
def test_scan_command_writes_tables(tmp_path):
    assert main(["--quiet", "scan", "gse4335", "--out", str(tmp_path), "--permutations", "50"]) == 0
    scan = pd.read_csv(tmp_path / "cox_scan.tsv", sep="\t", index_col=0)
    enrichment = pd.read_csv(tmp_path / "enrichment.tsv", sep="\t", index_col=0)
    assert {"coef", "se", "z", "p_wald", "q_value", "converged"} <= set(scan.columns)
    assert scan.shape[0] > 12_000
    assert "irf7_bone_proxy" in enrichment.index
