"""Where the test inputs live and how to read them (one copy for the whole suite).

Three sources of test inputs, from always-there to optional:

* the SurvSet pickles (PyPI ``survset``, a runtime dependency): ``gse1992`` and
  ``gse4335`` are the exact inputs of the R reference numbers;
* ``tests/data/`` in the repository: golden files we generate (``tests/data/survival``)
  and the vendored R reference numbers (``tests/data/reference``, see its README);
* ``../shared`` beside the clone (or ``$SIGSURV_SHARED``): the real cohorts
  (``shared/data``) and seed documents (``shared/seeds``). Tests that need them skip,
  naming the missing folder, when a bare clone runs without it.

Test modules import the plain helpers from here (``from fixtures import survset_frame``);
``tests/conftest.py`` puts this folder on ``sys.path`` and wraps the paths as fixtures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
TEST_DATA_DIR = TESTS_DIR / "data"
#: R reference numbers, vendored from ``shared/reference`` (see the README there).
REFERENCE_DIR = TEST_DATA_DIR / "reference"
SHARED_DIR = Path(os.environ.get("SIGSURV_SHARED", REPO_ROOT.parent / "shared")).resolve()
SHARED_DATA_DIR = SHARED_DIR / "data"
SHARED_SEEDS_DIR = SHARED_DIR / "seeds"

#: The SurvSet cohorts the R references were computed on.
REFERENCE_COHORTS = ("gse1992", "gse4335")
SURVSET_GENE_PREFIX = "num_HS_"


def survset_pickle(name: str) -> Path:
    """Path of a SurvSet pickle as the package ships it."""
    import SurvSet

    return Path(SurvSet.__file__).parent / "resources" / "pickles" / f"{name}.pickle"


def survset_frame(name: str) -> pd.DataFrame:
    """One SurvSet cohort as shipped: ``pid time event fac_* num_*``, pickle row order.

    Read afresh on every call: reading the pickle (~40 ms) is faster than copying a
    cached frame, and a fresh frame cannot leak one test's edits into another.
    """
    return pd.read_pickle(survset_pickle(name))


def survset_genes(frame: pd.DataFrame) -> list[str]:
    """The expression columns (``num_HS_<SYMBOL>``) of a SurvSet frame, in frame order."""
    return [c for c in frame.columns if c.startswith(SURVSET_GENE_PREFIX)]


def survset_expression(name: str) -> pd.DataFrame:
    """Genes x samples float matrix of a SurvSet cohort (``num_HS_`` prefix stripped).

    These are the exact inputs of the R references (``tests/data/reference/README.md``);
    the TSVs under ``shared/data`` hold the same genes with differently rounded values.
    """
    frame = survset_frame(name)
    genes = survset_genes(frame)
    expression = frame[genes].T.astype(float)
    expression.index = pd.Index([g[len(SURVSET_GENE_PREFIX) :] for g in genes], name="gene")
    expression.columns = pd.Index(frame["pid"].astype(str), name="sample")
    return expression


def require_shared(*parts: str) -> Path:
    """``shared/<parts>`` beside the clone, or skip the test naming what is missing.

    Examples: ``require_shared("data", "TCGA_BRCA")``, ``require_shared("seeds")``.
    With ``SIGSURV_REQUIRE_SHARED=1`` (CI, where ../shared must be there) a missing
    folder fails the test instead, so a wrong path cannot turn into silent skips.
    """
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        shown = "/".join(("../shared", *parts))
        reason = (
            f"{shown} not found: looked for {path}; this test needs the shared folder kept beside "
            "the clone (set SIGSURV_SHARED to its location)"
        )
        if os.environ.get("SIGSURV_REQUIRE_SHARED") == "1":
            pytest.fail(reason + "; SIGSURV_REQUIRE_SHARED=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    return path


#: How many units in the last place two engines (numba vs numpy) may differ by. Compiled
#: kernels may use fused multiply-add or AVX-512 reductions where numpy does not, so the
#: same arithmetic can round differently by an ulp or two (seen: 11 of 2,700 cells, 1 ulp,
#: on an AVX-512 CPU). Engine equality is "within a few ulp", never bit-identity.
ENGINE_MAX_ULP = 4


def assert_within_ulp(actual, expected, max_ulp: int = ENGINE_MAX_ULP) -> None:
    """Assert two float arrays agree to ``max_ulp`` units in the last place.

    The unit is the spacing of the array's largest magnitude: a cell that is a
    difference of running sums (GSVA's walk) carries the rounding of its terms, whose
    scale is the array's, not that of its possibly tiny result. NaN and infinite cells
    must match exactly.
    """
    import numpy as np

    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg="NaN cells differ")
    finite = np.isfinite(expected) & np.isfinite(actual)
    np.testing.assert_array_equal(actual[~finite], expected[~finite], err_msg="inf cells differ")
    if not finite.any():
        return
    a, e = actual[finite], expected[finite]
    unit = np.spacing(max(float(np.abs(a).max()), float(np.abs(e).max()), np.finfo(float).tiny))
    worst = float(np.abs(a - e).max() / unit)
    assert worst <= max_ulp, f"engines differ by {worst:.1f} ulp (allowed {max_ulp})"


#: What sigsurv warns when a claim's adjusted models run on a small cohort (gse1992's
#: 12-13 events for 6 clinical parameters): ``pytest.warns(SigsurvWarning, match=...)``.
SMALL_MODEL_WARNINGS = "adjusted estimate is unstable|Cox model is not well defined"
#: ssgsea's warning on heavily tied signature genes (ties='average' is not GSVA 1.46's).
SSGSEA_TIES_WARNING = "tied with another gene in the same sample"


def warns_if(condition: bool, match: str):
    """``pytest.warns(SigsurvWarning, match=match)`` when ``condition``, else no check.

    For parametrised tests where only some cases warn (ssgsea on tied data).
    """
    import contextlib

    from sigsurv.errors import SigsurvWarning

    return pytest.warns(SigsurvWarning, match=match) if condition else contextlib.nullcontext()
