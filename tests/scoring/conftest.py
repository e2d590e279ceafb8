"""Fixtures of the scoring tests: the reference cohorts as SurvSet ships them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fixtures import REFERENCE_COHORTS, survset_expression


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
