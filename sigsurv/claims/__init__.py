"""Testing published claims: which cohorts can test a claim, the verdicts, the pooled evidence.

This layer sits above :mod:`sigsurv.survival` (it runs
:func:`~sigsurv.survival.analysis.analyse_signature` for every claim x cohort x signature)
and below the renderers (:mod:`sigsurv.report`, :mod:`sigsurv.plots`) and the CLI.

>>> from sigsurv.claims import VERDICTS
>>> VERDICTS[0]
'reproduced'
"""

from sigsurv.claims.reproduce import (
    NOT_TESTABLE,
    VERDICTS,
    ClaimReproduction,
    ClaimTest,
    Reproduction,
    reproduce_claims,
    verdict_for,
)

__all__ = [
    "NOT_TESTABLE",
    "VERDICTS",
    "ClaimReproduction",
    "ClaimTest",
    "Reproduction",
    "reproduce_claims",
    "verdict_for",
]
