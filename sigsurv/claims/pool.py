"""Across tests: each claim's pools, its published table, and the run's multiplicity.

The per-claim meta-analysis is :func:`~sigsurv.claims.pooling.pool_tests` (REML,
truncated Knapp–Hartung below 5 cohorts, pools kept apart by endpoint and population
exactness and HR basis); :func:`multiplicity` adjusts the Wald p of the per-SD HR each
verdict used: Holm within a claim, Benjamini–Hochberg over the run's distinct tests.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sigsurv.claims.pooling import pool_tests
from sigsurv.claims.run import Outcome
from sigsurv.claims.summary import claim_lines, published_table_verdict
from sigsurv.claims.verdicts import Verdict, format_p
from sigsurv.errors import SigsurvWarning
from sigsurv.seeds.schema import Claim
from sigsurv.survival.binary import BinaryResult, two_by_two
from sigsurv.survival.meta import MetaAnalysisResult
from sigsurv.survival.multiplicity import benjamini_hochberg, holm

__all__ = ["Adjusted", "ClaimPools", "multiplicity", "pool_claim", "wald_p"]


@dataclass(frozen=True)
class Adjusted:
    """A test's multiplicity-adjusted p: Holm within its claim, BH q over the run."""

    p_holm: float | None = None
    q_bh: float | None = None

    def words(self, p: float | None) -> str:
        """The verdict is nominal; the adjusted p are beside it (said in the row's reason)."""
        if self.q_bh is None:
            return ""
        return (
            f"; verdict at nominal two-sided alpha 0.05 (p {format_p(p)}); "
            f"Holm p {format_p(self.p_holm)} within the claim, BH q {format_p(self.q_bh)} "
            "over the run"
        )


@dataclass(frozen=True)
class ClaimPools:
    """A claim's pools, summary line and (2 x 2 claims) its published table recomputed."""

    pooled: Mapping[str, MetaAnalysisResult]
    pools: tuple[dict[str, Any], ...]
    summary: str
    headline_pool: str | None
    other_pools: tuple[str, ...]
    published_table: BinaryResult | None
    published_table_verdict: Verdict | None


def wald_p(outcome: Outcome) -> float | None:
    """Wald p of the per-SD HR the verdict used (adjusted when the verdict is)."""
    return None if outcome.verdict_hr is None else outcome.verdict_hr.p_wald


def multiplicity(groups: Sequence[Sequence[Outcome]]) -> list[list[Adjusted]]:
    """Holm within each claim; Benjamini–Hochberg over the run's distinct tests.

    Returns one :class:`Adjusted` per outcome, in the order given.
    """
    holm_p: list[list[float | None]] = []
    p_by_test: dict[str, float] = {}
    for outcomes in groups:
        tested = [i for i, o in enumerate(outcomes) if wald_p(o) is not None]
        adjusted = holm([wald_p(outcomes[i]) for i in tested]) if tested else []
        row: list[float | None] = [None] * len(outcomes)
        for i, p in zip(tested, adjusted, strict=True):
            row[i] = float(p)
            p_by_test[str(outcomes[i].test_id)] = float(wald_p(outcomes[i]))  # type: ignore[arg-type]
        holm_p.append(row)
    q_values: dict[str, float] = {}
    if p_by_test:
        q = benjamini_hochberg(list(p_by_test.values()))
        q_values = {k: float(v) for k, v in zip(p_by_test, q, strict=True)}
    return [
        [
            Adjusted(p, q_values.get(str(o.test_id)) if o.test_id in q_values else None)
            for o, p in zip(outcomes, row, strict=True)
        ]
        for outcomes, row in zip(groups, holm_p, strict=True)
    ]


def _published_table(claim: Claim) -> tuple[BinaryResult | None, Verdict | None]:
    table = claim.table
    if table is None:
        return None, None
    with warnings.catch_warnings():
        # The small-expected-count flag is part of the result and shown with it.
        warnings.simplefilter("ignore", SigsurvWarning)
        result = two_by_two(np.asarray(table.counts, dtype=float))
    verdict = published_table_verdict(
        result.fisher.odds_ratio, result.fisher.lower, result.fisher.upper, result.fisher.p
    )
    return result, verdict


def pool_claim(
    claim: Claim, outcomes: Sequence[Outcome], sharing: Mapping[str, Sequence[str]]
) -> ClaimPools:
    """Pool one claim's tests, word its summary line, recompute its published table.

    ``sharing`` maps a test id to every claim that ran it.
    """
    pooled, pools = pool_tests(outcomes)
    table, table_verdict = _published_table(claim)
    summary, headline, others = claim_lines(claim, outcomes, pooled, pools, table_verdict, sharing)
    return ClaimPools(
        pooled=pooled,
        pools=tuple(pools),
        summary=summary,
        headline_pool=headline,
        other_pools=tuple(others),
        published_table=table,
        published_table_verdict=table_verdict,
    )
