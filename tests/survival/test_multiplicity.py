"""Holm and Benjamini–Hochberg against R p.adjust goldens."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from golden import R_RTOL

from sigsurv.errors import OptionError, SigsurvInputError
from sigsurv.survival.multiplicity import adjust_p, benjamini_hochberg, holm


@pytest.fixture(scope="module")
def cases(test_data_dir: Path) -> dict:
    path = test_data_dir / "survival" / "multiplicity" / "goldens.json"
    return json.loads(path.read_text())["cases"]


def _floats(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def test_matches_r_p_adjust(cases: dict) -> None:
    assert len(cases) == 8
    for name, case in cases.items():
        p = _floats(case["p"])
        for ours, ref in ((holm(p), case["holm"]), (benjamini_hochberg(p), case["BH"])):
            expected = _floats(ref)
            assert np.array_equal(np.isnan(ours), np.isnan(expected)), name
            np.testing.assert_allclose(ours, expected, rtol=R_RTOL, err_msg=name)


def test_missing_values_are_not_counted() -> None:
    with_nan = holm([0.01, np.nan, 0.03, np.nan])
    without = holm([0.01, 0.03])
    np.testing.assert_allclose(with_nan[[0, 2]], without)
    assert np.isnan(with_nan[[1, 3]]).all()
    assert np.isnan(benjamini_hochberg([np.nan, np.nan])).all()
    assert holm([]).size == 0


def test_series_keeps_index_and_adjust_p_dispatches() -> None:
    p = pd.Series([0.01, 0.04, 0.03], index=["a", "b", "c"], name="p")
    q = adjust_p(p, "BH")
    assert isinstance(q, pd.Series) and q.index.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(q, benjamini_hochberg(p.to_numpy()))
    np.testing.assert_allclose(adjust_p(p, "holm"), [0.03, 0.06, 0.06])


def test_bad_input() -> None:
    with pytest.raises(SigsurvInputError, match=r"\[0, 1\]"):
        holm([0.2, 1.5])
    with pytest.raises(SigsurvInputError, match="one-dimensional"):
        benjamini_hochberg([[0.1, 0.2]])
    with pytest.raises(OptionError, match="adjustment"):
        adjust_p([0.1], "bonferroni")
