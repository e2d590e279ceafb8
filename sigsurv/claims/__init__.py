"""Testing published claims: which cohorts can test a claim, the verdicts, the pooled evidence.

This layer sits above :mod:`sigsurv.survival` (it runs
:func:`~sigsurv.analysis.signature.analyse_signature` for every claim x cohort x signature)
and below the renderers (:mod:`sigsurv.report`, :mod:`sigsurv.plots`) and the CLI.
:func:`~sigsurv.claims.reproduce.reproduce_claims` is a pipeline of small typed steps:
:mod:`~sigsurv.claims.plan` (a frozen plan per claim x cohort x signature, or why not),
:mod:`~sigsurv.claims.run` (identical tests computed once, nulls),
:mod:`~sigsurv.claims.pool` (pools, Holm and BH) and :mod:`~sigsurv.claims.records`
(frozen records); its options are one :class:`~sigsurv.claims.spec.ReproduceSpec`.
:mod:`sigsurv.claims.verdicts` holds the pure verdict rules.

>>> from sigsurv.claims import Reproduction
>>> Reproduction(claims=[], cohorts=[]).to_dict()["rows"]
[]
"""

from sigsurv.claims.reproduce import (
    ClaimReproduction,
    ClaimTest,
    ReproduceSpec,
    Reproduction,
    reproduce_claims,
)

__all__ = ["ClaimReproduction", "ClaimTest", "ReproduceSpec", "Reproduction", "reproduce_claims"]
