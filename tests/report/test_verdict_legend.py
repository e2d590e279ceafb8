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


def test_forest_shows_the_hr_the_verdict_rests_on():
    from sigsurv.report._report_context import claim_forest_rows

    test = {
        "cohort": "k1",
        "signature_id": "proxy_set",
        "verdict": "contradicted",
        "endpoint": "os",
        "hr_per_sd": {"hr": 1.58, "ci_lower": 1.18, "ci_upper": 2.11, "p_wald": 0.002, "se": 0.15},
        "verdict_basis": "per-SD HR adjusted for er",
        "verdict_estimate": "confounding.adjusted",
        "confounding": {
            "adjusted": {"hr": 1.38, "ci_lower": 1.02, "ci_upper": 1.87, "p_wald": 0.035}
        },
    }
    unadjusted = {
        **test,
        "verdict_basis": "unadjusted per-SD HR",
        "verdict_estimate": "hr_per_sd",
    }
    row = claim_forest_rows({"claim_id": "c", "tests": [test]}).iloc[0]
    assert (row["hr"], row["ci_lower"], row["ci_upper"], row["p"]) == (1.38, 1.02, 1.87, 0.035)
    assert row["label"].endswith("(adjusted for er)")
    plain = claim_forest_rows({"claim_id": "c", "tests": [unadjusted]}).iloc[0]
    assert plain["hr"] == 1.58 and "adjusted" not in plain["label"]
