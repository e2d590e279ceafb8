"""A report written once for the report tests: bundled cohorts, every seed claim."""

from __future__ import annotations

import warnings

import pytest

from sigsurv import load_example
from sigsurv.claims.reproduce import reproduce_claims
from sigsurv.cohorts import EXAMPLES
from sigsurv.report.html import write_reproduction
from sigsurv.report.manifest import reproduction_manifest


@pytest.fixture(scope="session")
def reproduction():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohorts = [load_example(name) for name in EXAMPLES]
        result = reproduce_claims(cohorts, null_random=10, seed=7)
    return result, cohorts


@pytest.fixture(scope="session")
def report_files(reproduction, tmp_path_factory):
    result, cohorts = reproduction
    manifest = reproduction_manifest(result, cohorts, options={"null_random": 10}, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return write_reproduction(result, tmp_path_factory.mktemp("report"), manifest)
