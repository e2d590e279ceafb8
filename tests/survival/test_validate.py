"""One validator, one event table: the same bad input gets the same error everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sigsurv.errors import CohortValidationError
from sigsurv.survival import (
    concordance_index,
    cox_fit,
    cox_scan,
    kaplan_meier,
    logrank_test,
    maxstat_cutpoint,
    median_follow_up,
    time_dependent_auc,
    uno_c,
)
from sigsurv.survival._event_table import event_table, step_values
from sigsurv.survival._validate import MIN_EVENTS
from sigsurv.survival.endpoints import check_survival_arrays

X = [0.3, 1.2, -0.5, 0.8]
ENTRY_POINTS: dict[str, Callable[[Any, Any], object]] = {
    "kaplan_meier": lambda t, e: kaplan_meier(t, e),
    "logrank_test": lambda t, e: logrank_test(t, e, ["a", "b", "a", "b"]),
    "cox_fit": lambda t, e: cox_fit(t, e, pd.DataFrame({"x": X})),
    "cox_scan": lambda t, e: cox_scan(np.array([X]), t, e),
    "concordance_index": lambda t, e: concordance_index(t, e, X),
    "uno_c": lambda t, e: uno_c(t, e, X),
    "time_dependent_auc": lambda t, e: time_dependent_auc(t, e, X, 2.0),
    "median_follow_up": lambda t, e: median_follow_up(t, e),
    "maxstat_cutpoint": lambda t, e: maxstat_cutpoint(X, t, e),
    "check_survival_arrays": check_survival_arrays,
}
BAD_INPUTS = {
    "negative time": ([1.0, -2.0, 3.0, 4.0], [1, 0, 1, 1]),
    "missing time": ([1.0, np.nan, 3.0, 4.0], [1, 0, 1, 1]),
    "event 2": ([1.0, 2.0, 3.0, 4.0], [1, 2, 1, 1]),
    "lengths": ([1.0, 2.0, 3.0, 4.0], [1, 0, 1]),
}


@pytest.mark.parametrize("problem", sorted(BAD_INPUTS))
def test_same_problem_same_error_everywhere(problem: str) -> None:
    time, event = BAD_INPUTS[problem]
    messages = {}
    for name, call in ENTRY_POINTS.items():
        with pytest.raises(CohortValidationError) as caught:
            call(time, event)
        messages[name] = str(caught.value)
    assert len(set(messages.values())) == 1, messages


def test_min_events_is_defined_once() -> None:
    from sigsurv.survival import cox, endpoints

    assert cox.MIN_EVENTS is MIN_EVENTS and endpoints.MIN_EVENTS is MIN_EVENTS


def test_event_table_counts_and_limits() -> None:
    time = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 3.0])
    event = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    tab = event_table(time, event)
    assert tab.time.tolist() == [1.0, 2.0, 3.0, 5.0]
    assert tab.n_risk.tolist() == [6.0, 5.0, 3.0, 1.0]
    assert tab.n_event.tolist() == [1.0, 1.0, 1.0, 0.0]
    assert tab.n_censor.tolist() == [0.0, 1.0, 1.0, 1.0]
    surv = tab.product_limit()
    expected = np.cumprod([5 / 6, 4 / 5, 2 / 3, 1.0])
    np.testing.assert_allclose(surv, expected, rtol=1e-15)
    left = step_values(tab.time, surv, np.array([1.0, 2.0, 2.5, 9.0]), left=True)
    np.testing.assert_allclose(left, [1.0, expected[0], expected[1], expected[3]], rtol=1e-15)
    # Reverse KM (R survfit(Surv(time, 1 - event))): censorings are the events.
    np.testing.assert_allclose(
        tab.reversed().product_limit(), np.cumprod([1.0, 4 / 5, 2 / 3, 0.0]), rtol=1e-15
    )
    # IPCW censoring distribution: events at t leave before censorings at t.
    np.testing.assert_allclose(
        tab.censoring_product_limit(), np.cumprod([1.0, 3 / 4, 1 / 2, 0.0]), rtol=1e-15
    )
    n_risk, n_event = tab.by_group(np.array([0, 1, 0, 1, 1, 0]), 2)
    assert n_risk.tolist() == [[3, 3], [3, 2], [2, 1], [0, 1]]
    assert n_event.tolist() == [[0, 1], [1, 0], [1, 0], [0, 0]]
