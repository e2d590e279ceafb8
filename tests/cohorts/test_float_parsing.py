"""Numbers are read correctly rounded, as R reads them (issue 12: "0.30000000000000004")."""

from __future__ import annotations

import pandas as pd

from sigsurv.cohorts import load_tables
from sigsurv.cohorts._numbers import to_float


def test_expression_and_clinical_values_keep_their_last_bit(tmp_path):
    expression = tmp_path / "e.tsv"
    expression.write_text("gene\ta\tb\tc\nTP53\t0.30000000000000004\t0.1\t2.675\n")
    clinical = tmp_path / "c.tsv"
    clinical.write_text("id\tm\ts\na\t12.300000000000001\t1\nb\t7\t0\nc\t9\t1\n")
    cohort = load_tables(
        expression, clinical, time="m", event="s", endpoint="os", time_unit="months"
    )
    assert cohort.expression.loc["TP53", "a"] == 0.30000000000000004
    assert cohort.expression.loc["TP53", "a"] != 0.3
    assert cohort.clinical.loc["a", "os_time"] == 12.300000000000001


def test_fast_parser_is_an_option_and_differs_in_the_last_bit():
    text = pd.Series(["0.30000000000000004", "1e-320", " 2.5 ", "x", None], dtype=object)
    exact = to_float(text)
    assert exact.iloc[0] == float("0.30000000000000004") and exact.iloc[1] == 1e-320
    assert exact.iloc[2] == 2.5 and exact.iloc[3:].isna().all()
    assert to_float(text, float_precision="fast").iloc[0] == 0.3
