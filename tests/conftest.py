"""Shared fixtures: where the real cohorts and the R reference numbers live.

CI clones the repository with ``../shared`` beside it; the tests read the real
cohorts and R's golden outputs from there and fail loudly if it is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("SIGSURV_SHARED", REPO_ROOT.parent / "shared")).resolve()
REFERENCE_DIR = SHARED_DIR / "reference"
DATA_DIR = SHARED_DIR / "data"
TEST_DATA_DIR = REPO_ROOT / "tests" / "data"


def _require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: the tests need ../shared beside the clone "
            "(or SIGSURV_SHARED pointing to it)"
        )
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` folder beside the clone."""
    return _require(SHARED_DIR)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """R golden outputs (``shared/reference``)."""
    return _require(REFERENCE_DIR)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Real public cohorts (``shared/data``)."""
    return _require(DATA_DIR)


@pytest.fixture(scope="session")
def test_data_dir() -> Path:
    """Golden files kept in the repository (``tests/data``)."""
    return TEST_DATA_DIR
