"""Testing published claims: which cohorts can test a claim, the verdicts, the pooled evidence.

This layer sits above :mod:`sigsurv.survival` (it runs
:func:`~sigsurv.analysis.signature.analyse_signature` for every claim x cohort x signature)
and below the renderers (:mod:`sigsurv.report`, :mod:`sigsurv.plots`) and the CLI.
:mod:`sigsurv.claims.reproduce` runs the tests; :mod:`sigsurv.claims.verdicts` holds the
pure verdict rules.

>>> from sigsurv.claims import Reproduction
>>> Reproduction(claims=[], cohorts=[]).to_dict()["rows"]
[]
"""

from sigsurv.claims.reproduce import (
    ClaimReproduction,
    ClaimTest,
    Reproduction,
    reproduce_claims,
)

__all__ = ["ClaimReproduction", "ClaimTest", "Reproduction", "reproduce_claims"]
