"""Fixtures of the scoring tests: the reference cohorts as SurvSet ships them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

REFERENCE_COHORTS = ("gse1992", "gse4335")


def survset_expression(name: str) -> pd.DataFrame:
    """Genes x samples matrix of a SurvSet pickle (``num_HS_`` prefix stripped).

    These are the exact inputs of the R references (``shared/reference/README.md``);
    the TSVs under ``shared/data`` hold the same genes with differently rounded values.
    """
    import SurvSet

    path = Path(SurvSet.__file__).parent / "resources" / "pickles" / f"{name}.pickle"
    frame = pd.read_pickle(path)
    genes = [c for c in frame.columns if c.startswith("num_HS_")]
    expression = frame[genes].T.astype(float)
    expression.index = pd.Index([g[len("num_HS_") :] for g in genes], name="gene")
    expression.columns = pd.Index(frame["pid"].astype(str), name="sample")
    return expression


@pytest.fixture(scope="session")
def reference_expression() -> dict[str, pd.DataFrame]:
    """The two reference cohorts, genes x samples, in pickle order."""
    return {name: survset_expression(name) for name in REFERENCE_COHORTS}


@pytest.fixture(scope="session")
def geneset_meta(reference_dir: Path) -> dict:
    """``geneset_scores_meta.json`` of the R references."""
    return json.loads((reference_dir / "geneset_scores_meta.json").read_text())


@pytest.fixture(scope="session")
def geneset_reference(reference_dir: Path) -> dict[str, pd.DataFrame]:
    """``<cohort>.geneset_scores.tsv`` per reference cohort."""
    return {
        name: pd.read_csv(reference_dir / f"{name}.geneset_scores.tsv", sep="\t", index_col=0)
        for name in REFERENCE_COHORTS
    }
