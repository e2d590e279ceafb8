"""Pooling of claim tests (issue 21): truncated Knapp–Hartung, no PI below 3, headline rule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sigsurv._results import HazardRatio
from sigsurv.claims.pooling import headline_pool, pool_tests

REL = 1e-6
GOLDENS = Path(__file__).parent.parent / "data" / "survival" / "meta_adhoc" / "goldens.json"


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return json.loads(GOLDENS.read_text())["cases"]


class _Row:
    """The part of a test that pooling reads (:class:`sigsurv.claims.pooling.PooledTest`)."""

    def __init__(
        self, cohort: str, log_hr: float, se: float, endpoint: str = "os", match: str = "analogue"
    ) -> None:
        self.cohort, self.signature_id, self.role = cohort, "s", "proxy"
        self.endpoint, self.endpoint_match = endpoint, match
        self.population_exactness: str | None = None
        self.test_id = cohort
        self.verdict_basis = "unadjusted per-SD HR"
        hr = float(np.exp(log_hr))
        self.verdict_hr = HazardRatio("score_per_sd", hr, None, None, log_hr, se, None, None)


def test_every_k2_pool_of_reproduce_equals_metafor_adhoc_without_pi(cases: list[dict]) -> None:
    for case in (c for c in cases if c["test"] == "adhoc" and len(c["yi"]) == 2):
        rows = [
            _Row(c, y, s) for c, y, s in zip(case["labels"], case["yi"], case["sei"], strict=True)
        ]
        _, records = pool_tests(rows)
        (record,) = records
        assert record["test"] == "adhoc" and record["k"] == 2
        assert record["hr"] == pytest.approx(np.exp(case["b"]), rel=REL)
        assert record["lower"] == pytest.approx(np.exp(case["ci_lb"]), rel=REL)
        assert record["upper"] == pytest.approx(np.exp(case["ci_ub"]), rel=REL)
        assert record["prediction_lower"] is None and record["prediction_upper"] is None
        assert "2 cohorts" in record["prediction_note"]


def test_headline_is_the_closest_endpoint_and_others_say_what_they_leave_out():
    rows = [
        _Row("big_dmfs", -0.2, 0.08, endpoint="dmfs"),
        _Row("a", -0.4, 0.2),
        _Row("b", -0.1, 0.2),
        _Row("c", -0.3, 0.2),
        _Row("d", -0.2, 0.1, endpoint="dmfs"),
    ]
    _, records = pool_tests(rows)
    # The OS pool has more cohorts, but DMFS is closer to the claim (dss, dmfs, ..., os).
    chosen, others = headline_pool(records, "s", ["dss", "dmfs", "rfs", "pfi", "dfi", "os"])
    assert chosen is not None and chosen["endpoint"] == "dmfs"
    os_label = next(r["label"] for r in records if r["endpoint"] == "os")
    assert others == [f"{os_label}: a, b, c (leaves out big_dmfs, d)"]


def test_exact_and_analogue_populations_are_pooled_apart():
    rows = [_Row("a", -0.4, 0.2), _Row("b", -0.1, 0.2), _Row("c", -0.3, 0.2), _Row("d", 0.1, 0.2)]
    for row in rows[2:]:
        row.population_exactness = "analogue"
    _, records = pool_tests(rows)
    assert sorted(r["population_exactness"] for r in records) == ["analogue", "exact"]
    assert all(r["k"] == 2 for r in records)
