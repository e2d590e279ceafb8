"""The analysis results speak the one result language: summary, to_dict, to_text, HTML."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sigsurv import load_example
from sigsurv._json import dumps
from sigsurv._results import HAZARD_RATIO_FIELDS
from sigsurv.analysis.column import analyse_column
from sigsurv.analysis.competing import analyse_competing_risks
from sigsurv.analysis.null import random_signature_null
from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
from sigsurv.signatures import Signature


def _speaks_the_result_language(result) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    summary = result.summary
    assert isinstance(summary, pd.DataFrame) and not summary.empty
    json.loads(dumps(result.to_dict()))
    text = result.to_text()
    assert text.startswith(result.title()) and len(text.splitlines()) > 1
    assert "<table" in result._repr_html_()
    return summary


def test_signature_analysis_summary_is_its_hazard_ratios():
    result = analyse_signature(
        load_example("gse1992"), "msk1_rps6ka5", AnalysisSpec(covariates=("age", "node"))
    )
    summary = _speaks_the_result_language(result)
    assert list(summary.columns) == ["term", *HAZARD_RATIO_FIELDS, "estimable"]
    assert summary.loc["per SD", "hr"] == result.hazard_ratio_per_sd["hr"]
    assert summary.loc["grouped (median)", "p_wald"] == result.hazard_ratio_grouped["p_wald"]
    assert {"adjusted: score_per_sd", "adjusted: age"} <= set(summary.index)
    assert "msk1_rps6ka5 on gse1992" in result.title()


def test_column_analysis_summary_is_one_row_per_level():
    result = analyse_column(load_example("gse1992"), "er")
    summary = _speaks_the_result_language(result)
    assert list(summary["term"]) == list(result.cox_grouped.summary.index)


def test_competing_risk_summary_holds_the_four_hazard_ratios():
    rng = np.random.default_rng(3)
    score = rng.normal(size=300)
    time = rng.exponential(np.exp(-0.4 * score))
    cause = rng.choice([0, 1, 2], size=300, p=[0.3, 0.4, 0.3])
    result = analyse_competing_risks(score, time, cause, 1, horizons=[0.5])
    summary = _speaks_the_result_language(result)
    assert list(summary.index) == list(result.hazard_ratios())
    assert summary.loc["fine_gray_per_sd", "hr"] == pytest.approx(
        float(result.fine_gray_per_sd.hr["score_per_sd"])
    )


def test_random_null_summary_is_one_row():
    rng = np.random.default_rng(1)
    expression = pd.DataFrame(
        rng.normal(size=(200, 60)),
        index=[f"G{i:03d}" for i in range(200)],
        columns=[f"s{j}" for j in range(60)],
    )
    time = rng.exponential(20, size=60) + 0.1
    event = (rng.uniform(size=60) < 0.7).astype(float)
    signature = Signature.from_genes("five", [f"G{i:03d}" for i in range(5)])
    result = random_signature_null(expression, time, event, signature, n_random=30, seed=2)
    summary = _speaks_the_result_language(result)
    assert summary.loc["five", "p_empirical"] == result.p_empirical
    assert summary.loc["five", "n_sets"] == 30
