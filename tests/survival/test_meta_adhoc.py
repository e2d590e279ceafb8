"""Truncated Knapp–Hartung (metafor ``test="adhoc"``) against R goldens (issue 21).

Goldens: tests/data/survival/meta_adhoc/make.R (metafor 3.8-1, REML to convergence).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sigsurv.survival.meta import meta_analysis

REL = 1e-6
GOLDENS = Path(__file__).parent.parent / "data" / "survival" / "meta_adhoc" / "goldens.json"


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return json.loads(GOLDENS.read_text())["cases"]


def test_adhoc_and_knha_match_metafor(cases: list[dict]) -> None:
    assert {c["test"] for c in cases} == {"adhoc", "knha"}
    for case in cases:
        cid = f"{case['name']} {case['test']}"
        res = meta_analysis(
            case["yi"], case["sei"], case["labels"], method="REML", test=case["test"]
        )
        est = res.pooled
        assert est.log_hr == pytest.approx(case["b"], rel=REL), cid
        assert est.se == pytest.approx(case["se"], rel=REL), cid
        assert est.z == pytest.approx(case["stat"], rel=REL), cid
        assert est.p == pytest.approx(case["pval"], rel=REL), cid
        assert est.lower == pytest.approx(np.exp(case["ci_lb"]), rel=REL), cid
        assert est.upper == pytest.approx(np.exp(case["ci_ub"]), rel=REL), cid
        assert res.tau2 == pytest.approx(case["tau2"], rel=REL, abs=1e-12), cid
        assert res.prediction_lower == pytest.approx(np.exp(case["pi_lb"]), rel=REL), cid
        assert res.prediction_upper == pytest.approx(np.exp(case["pi_ub"]), rel=REL), cid


def test_truncation_never_narrows_the_interval(cases: list[dict]) -> None:
    by_name: dict[str, dict[str, dict]] = {}
    for case in cases:
        by_name.setdefault(case["name"], {})[case["test"]] = case
    for name, pair in by_name.items():
        adhoc, knha = pair["adhoc"], pair["knha"]
        assert adhoc["se"] >= knha["se"] - 1e-15, name
        if adhoc["QE"] < len(adhoc["yi"]) - 1 and adhoc["tau2"] == 0:
            assert adhoc["se"] > knha["se"], name  # Q < k - 1: untruncated is narrower
