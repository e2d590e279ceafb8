"""Royston-Sauerbrei D against a transparent R survival computation (goldens in tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from golden import R_RTOL, rel_error

from sigsurv.errors import SigsurvInputError
from sigsurv.survival.d_index import blom_scores, d_index

HERE = Path(__file__).resolve().parents[1] / "data" / "survival" / "d_index"


@pytest.fixture(scope="module")
def goldens() -> dict:
    return json.loads((HERE / "goldens.json").read_text())


@pytest.mark.parametrize(
    "name", ["metabric_efron", "metabric_rounded_breslow", "lung_efron", "lung_ecog_efron"]
)
def test_d_index_matches_r(name, goldens):
    case = goldens[name]
    res = d_index(case["time"], case["status"], case["pi"], ties=case["ties"])
    for key in ("d", "se", "lower", "upper", "p", "r2_d"):
        assert rel_error(getattr(res, key), case[key]) < R_RTOL, key
    assert res.n == len(case["time"]) and res.events == sum(case["status"])


def test_blom_scores_are_symmetric_and_average_ties():
    z = blom_scores([5.0, 1.0, 3.0, 3.0])  # ranks 4, 1, 2.5, 2.5
    assert z[2] == z[3] == pytest.approx(0.0, abs=1e-15)
    assert z[1] == pytest.approx(-z[0], rel=1e-15)


def test_d_index_is_rank_based_and_refuses_bad_input():
    rng = np.random.default_rng(2)
    x = rng.normal(size=80)
    t = rng.exponential(np.exp(-x))
    e = (rng.uniform(size=80) < 0.8).astype(int)
    a, b = d_index(t, e, x), d_index(t, e, np.exp(3 * x))
    assert a.d == pytest.approx(b.d, rel=1e-12)
    with pytest.raises(SigsurvInputError, match="one value per subject"):
        d_index(t, e, x[:-1])
    with pytest.raises(SigsurvInputError, match="missing"):
        d_index(t, e, np.where(x > 1, np.nan, x))
