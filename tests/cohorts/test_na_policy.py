"""Sample-level missing-value policy (issue 10): a gene missing in a few samples is kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigsurv.cohorts import Endpoint, assemble_cohort
from sigsurv.errors import CohortValidationError

SAMPLES = [f"s{i}" for i in range(6)]


def cohort_from(values: dict[str, list[float]], **options):
    expression = pd.DataFrame(values, index=SAMPLES).T
    clinical = pd.DataFrame(
        {"os_time": np.arange(1.0, 7.0), "os_event": [1, 0, 1, 0, 1, 0]}, index=SAMPLES
    )
    return assemble_cohort(
        "toy",
        expression,
        clinical,
        endpoints=[Endpoint("os", "os_time", "os_event")],
        harmonise=False,
        **options,
    )


def test_gene_missing_in_one_sample_is_kept_and_reported():
    cohort = cohort_from(
        {"ESR1": [1, 2, 3, 4, 5, 6], "PGR": [1, np.nan, 3, 4, 5, 6], "X": [np.nan] * 6}
    )
    assert list(cohort.genes) == ["ESR1", "PGR"]  # X has no value at all: removed
    assert np.isnan(cohort.expression.loc["PGR", "s1"])
    assert any("PGR (1 samples)" in m and "kept as NA" in m for m in cohort.messages)
    assert any("1 entirely missing" in m and "X" in m for m in cohort.messages)


def test_gene_drop_policy_is_still_available():
    cohort = cohort_from(
        {"ESR1": [1, 2, 3, 4, 5, 6], "PGR": [1, np.nan, 3, 4, 5, 6]}, na_policy="drop_gene"
    )
    assert list(cohort.genes) == ["ESR1"]


def test_an_empty_sample_column_is_refused():
    with pytest.raises(CohortValidationError, match="empty sample columns: s2"):
        cohort_from({"ESR1": [1, 2, np.nan, 4, 5, 6], "PGR": [1, 2, np.nan, 4, 5, 6]})
