"""One legend: the report's verdict legend and colours cover every verdict the claims
pipeline can write, with the pipeline's own definitions (no stale vocabulary)."""

from __future__ import annotations

from sigsurv.claims.reproduce import VERDICTS
from sigsurv.claims.verdicts import DEFINITIONS
from sigsurv.report._report_context import VERDICT_CLASSES, verdict_legend
from sigsurv.report.terminal import VERDICT_COLOURS


def test_every_verdict_has_a_definition_a_badge_class_and_a_terminal_colour():
    for verdict in VERDICTS:
        assert verdict in DEFINITIONS, verdict
        assert verdict in VERDICT_CLASSES, verdict
        assert verdict in VERDICT_COLOURS, verdict


def test_the_report_legend_is_the_runs_own_definitions():
    payload = {"verdicts": list(VERDICTS), "definitions": dict(DEFINITIONS)}
    legend = verdict_legend(payload)
    assert [verdict for verdict, _ in legend] == list(VERDICTS)
    assert all(meaning == DEFINITIONS[verdict] for verdict, meaning in legend)
