"""Fixtures shared by the whole suite: test-data paths and the reference cohorts.

The R reference numbers are vendored in ``tests/data/reference`` (a bare clone runs the
core suite). The real cohorts and seed documents stay in ``../shared`` beside the clone
(or ``$SIGSURV_SHARED``); the fixtures that need them skip, naming the missing folder,
when it is absent. Plain helpers (loaders, paths) live in ``tests/fixtures.py``.

Speed: ``python -m pytest -m "not slow"`` is the edit loop; ``python -m pytest`` runs
everything (CI). See CONTRIBUTING.md.

The list of slow tests and the documentation examples' warning allowance live in the
repository's root ``conftest.py`` (it must also see the doctests under ``sigsurv/``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Test modules import the helpers as ``from fixtures import ...`` under any import mode.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from fixtures import (
    REFERENCE_DIR,
    TEST_DATA_DIR,
    require_shared,
)

# CI explores the same examples on every run (a red CI must be reproducible); a local
# run keeps hypothesis' random search, which is how new failing examples are found.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` folder beside the clone (skips the test if absent)."""
    return require_shared()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Real public cohorts (``shared/data``; skips the test if absent)."""
    return require_shared("data")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """R reference numbers vendored from ``shared/reference`` (``tests/data/reference``)."""
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def test_data_dir() -> Path:
    """Golden files kept in the repository (``tests/data``)."""
    return TEST_DATA_DIR
