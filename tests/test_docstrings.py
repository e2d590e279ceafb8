"""Shared parameter blocks are filled in; the statistics cite their methods."""

from __future__ import annotations

import inspect

import pytest

import sigsurv.scoring
import sigsurv.survival
from sigsurv._docstrings import PARAMETERS, fill_text
from sigsurv.scoring.gsva import gsva_scores
from sigsurv.scoring.singscore import singscore_scores
from sigsurv.scoring.ssgsea import ssgsea_scores

STATISTICS = [
    *(
        getattr(sigsurv.survival, name)
        for name in (
            "kaplan_meier",
            "logrank_test",
            "logrank_trend_test",
            "cox_fit",
            "cox_zph",
            "maxstat_cutpoint",
            "concordance_index",
            "uno_c",
            "cumulative_incidence",
            "fine_gray",
            "cause_specific_cox",
            "cox_firth",
            "meta_analysis",
        )
    ),
    gsva_scores,
    ssgsea_scores,
    singscore_scores,
]


def _public_functions():
    for module in (sigsurv.survival, sigsurv.scoring):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield obj


def test_no_docstring_keeps_a_marker():
    for func in _public_functions():
        assert "%(" not in (func.__doc__ or ""), func.__qualname__


def test_shared_blocks_are_used_where_they_belong():
    assert "Follow-up times (finite, >= 0) and 0/1 event" in sigsurv.survival.cox_fit.__doc__
    assert "1..k = cause of the event" in sigsurv.survival.fine_gray.__doc__
    with pytest.raises(KeyError, match="no shared parameter block"):
        fill_text("    %(nonsense)s\n")
    assert set(PARAMETERS) >= {"time_event", "time_cause", "ties"}


@pytest.mark.parametrize("func", STATISTICS, ids=lambda f: f.__name__)
def test_statistics_cite_their_method(func):
    doc = inspect.getdoc(func)
    assert "References\n----------\n.. [1] " in doc
    assert doc.index("References") < doc.index("Examples")
