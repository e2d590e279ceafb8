"""Fixtures of the figure tests (imported by the test modules: a second conftest.py
would clash under --doctest-modules): analyses of bundled cohorts, a cohort in days."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sigsurv import load_example
from sigsurv.analysis.signature import AnalysisSpec, analyse_scores, analyse_signature
from sigsurv.cohorts import load_cohort

DAYS_PER_MONTH = 365.25 / 12


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def gse1992():
    return load_example("gse1992")


@pytest.fixture(scope="session")
def median_result(gse1992):
    return analyse_signature(gse1992, "msk1_rps6ka5", AnalysisSpec(horizon=60))


@pytest.fixture(scope="session")
def tertile_result(gse1992):
    return analyse_signature(gse1992, "msk1_rps6ka5", AnalysisSpec(cut="tertile"))


@pytest.fixture(scope="session")
def optimal_result(gse1992):
    spec = AnalysisSpec(cut="optimal", population=False)
    return analyse_signature(gse1992, "msk1_rps6ka5", spec=spec)


@pytest.fixture(scope="session")
def stratified_result():
    cohort = load_example("gse4335")
    return analyse_scores(
        cohort,
        cohort.expression.loc["ESR1"],
        signature_id="ESR1",
        strata="er",
        subgroup="er in ('positive', 'negative')",
    )


def write_days_cohort(folder: Path) -> tuple[Path, Path]:
    """gse1992 written as plain tables with relapse-free survival in days."""
    cohort = load_example("gse1992")
    expression = cohort.expression.loc[["ESR1", "RPS6KA5", "MKI67", "ERBB2"]]
    expression_path = folder / "expression.tsv"
    expression.to_csv(expression_path, sep="\t", index_label="gene")
    time, event = cohort.survival("rfs")
    clinical = pd.DataFrame(
        {
            "sample": cohort.samples,
            "RFS_days": np.round(time * DAYS_PER_MONTH, 2),
            "RFS_event": event.astype(int),
            "er": cohort.clinical["er"].to_numpy(),
        }
    )
    clinical_path = folder / "clinical.tsv"
    clinical.to_csv(clinical_path, sep="\t", index=False)
    return expression_path, clinical_path


@pytest.fixture(scope="session")
def days_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("days")
    expression_path, clinical_path = write_days_cohort(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = load_cohort(
            expression_path,
            clinical=clinical_path,
            time="RFS_days",
            event="RFS_event",
            endpoint="rfs",
            time_unit="days",
        )
    return analyse_scores(
        cohort, cohort.expression.loc["ESR1"], signature_id="ESR1", horizon=1826.25
    )
