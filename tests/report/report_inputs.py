"""Fixtures of the report tests (imported by the test modules: a second conftest.py
would clash under --doctest-modules): one report of every seed claim on the bundled
cohorts, computed and written once per test session.

Each importing module registers its own copy of a fixture, so the results are kept
in ``_SESSION`` to be built only once however many modules use them.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from sigsurv import load_example
from sigsurv.claims.reproduce import reproduce_claims
from sigsurv.cohorts import EXAMPLES
from sigsurv.report.html import write_reproduction
from sigsurv.report.manifest import reproduction_manifest

_SESSION: dict[str, Any] = {}


@pytest.fixture(scope="session")
def reproduction():
    if "reproduction" not in _SESSION:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cohorts = [load_example(name) for name in EXAMPLES]
            _SESSION["reproduction"] = (reproduce_claims(cohorts, null_random=10, seed=7), cohorts)
    return _SESSION["reproduction"]


@pytest.fixture(scope="session")
def report_files(reproduction, tmp_path_factory):
    if "report_files" not in _SESSION:
        result, cohorts = reproduction
        manifest = reproduction_manifest(result, cohorts, options={"null_random": 10}, seed=7)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            folder = tmp_path_factory.mktemp("report")
            _SESSION["report_files"] = write_reproduction(result, folder, manifest)
    return _SESSION["report_files"]
