"""The frozen records of a claim's reproduction and of a run (``results.json``).

A :class:`ClaimReproduction` holds one claim's :class:`~sigsurv.claims.records.ClaimTest`
records with its pools and summary line; a :class:`Reproduction` the whole run. Both
carry the :class:`~sigsurv.seeds.Claim` and :class:`~sigsurv.signatures.Signature`
objects tested, so the renderers never look an id up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._results import ResultMixin
from sigsurv.claims.pool import ClaimPools
from sigsurv.claims.pooling import HEADLINE_RULE
from sigsurv.claims.records import ClaimTest
from sigsurv.claims.verdicts import DEFINITIONS, VERDICTS, Verdict
from sigsurv.seeds.schema import Claim
from sigsurv.signatures.schema import Signature
from sigsurv.survival.binary import BinaryResult
from sigsurv.survival.meta import MetaAnalysisResult

__all__ = ["ALPHA", "FIELD_DEFINITIONS", "ClaimReproduction", "Reproduction"]

ALPHA = 0.05
#: Definitions of the row fields this module adds (``definitions`` of results.json).
FIELD_DEFINITIONS: dict[str, str] = {
    "claim_direction": "the claim's direction for the quantity it is about",
    "expected_direction": "the direction the claim predicts for the score tested "
    "(claim direction x score_relation); orients the HR, the power target and the null",
    "score_relation": "same | inverse: how the score moves with the claimed quantity",
    "orientation": "in words: what a higher score means and what the claim predicts for it",
    "verdict_basis": "which per-SD HR decided the verdict: unadjusted, or adjusted for the "
    "confounders the signature names",
    "confounding": "per named confounder: restricted (fixed by the population), field "
    "(clinical, with its provenance), mrna (analogue covariate) or none; and the adjusted HR",
    "confounding_status": "controlled by restriction | adjusted | not measured (flat copy "
    "of confounding.status; null when the signature names no confounder)",
    "verdict_estimate": "where the per-SD HR the verdict used is in the row: hr_per_sd, or "
    "confounding.adjusted when verdict_basis says so; null when not testable or "
    "confounded, not adjusted",
    "cut_rows": "the HR at each secondary cut (median, tertile: T3 vs T1 in one model of "
    "the three groups, optimal with its cross-validated correction); the row of the "
    "analysis's own cut says same_as: estimate.hr_grouped instead of repeating that HR",
    "strata_note": "strata smaller than 10 patients or without events, merged before fitting",
    "power": "Schoenfeld power on the per-SD scale for the target HR (a published HR "
    "between median-split groups converted by log HR / 1.596), minimum detectable per-SD "
    "HR at 80%",
    "prediction_note": "why a pool has no prediction interval (fewer than 3 cohorts)",
    "headline_pool": "the pool the claim's summary line uses, chosen by headline_rule",
}


@dataclass(frozen=True)
class ClaimReproduction:
    """All tests of one claim, its pooled estimates, summary and (2 x 2 claims) the table."""

    claim: Claim
    tests: tuple[ClaimTest, ...] = ()
    pools_of: ClaimPools | None = None

    @property
    def pooled(self) -> dict[str, MetaAnalysisResult]:
        """The fitted pools by label."""
        return {} if self.pools_of is None else dict(self.pools_of.pooled)

    @property
    def pools(self) -> list[dict[str, Any]]:
        """One JSON-ready record per pool."""
        return [] if self.pools_of is None else list(self.pools_of.pools)

    @property
    def summary(self) -> str:
        """The claim's summary line."""
        return "" if self.pools_of is None else self.pools_of.summary

    @property
    def headline_pool(self) -> str | None:
        """The label of the pool the summary line uses."""
        return None if self.pools_of is None else self.pools_of.headline_pool

    @property
    def other_pools(self) -> list[str]:
        """Every other pool, with the cohorts it leaves out."""
        return [] if self.pools_of is None else list(self.pools_of.other_pools)

    def signatures(self) -> list[Signature]:
        """The signatures tested for this claim (primary first), each once."""
        seen = {t.signature.id: t.signature for t in self.tests}
        return list(seen.values())

    def paper(self) -> dict[str, Any]:
        """The paper's numbers for this claim."""
        claim = self.claim
        return {
            "statistic": claim.statistic,
            "value": claim.value,
            "ci_lower": claim.ci_lower,
            "ci_upper": claim.ci_upper,
            "p_value": claim.p_value,
            "p_value_text": claim.p_value_text,
            "endpoint": claim.endpoint,
            "population": claim.population,
            "expected_direction": claim.expected_direction,
            "comparison": None if claim.comparison is None else claim.comparison.description,
        }

    def _table(self) -> dict[str, Any] | None:
        pools = self.pools_of
        if pools is None or pools.published_table is None:
            return None
        result, verdict = pools.published_table, pools.published_table_verdict
        assert verdict is not None
        return {
            "table": np.asarray(result.table).tolist(),
            "fisher_p": result.fisher.p,
            "odds_ratio": result.fisher.odds_ratio,
            "conditional_mle_odds_ratio": result.fisher.odds_ratio,
            "odds_ratio_ci": [result.fisher.lower, result.fisher.upper],
            "sample_odds_ratio": result.odds_ratio,
            "relative_risk": result.relative_risk,
            "chisq_yates_p": result.p_chisq_yates,
            "verdict": verdict.verdict,
            "reason": verdict.reason,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of the claim's reproduction."""
        return {
            "claim_id": self.claim.id,
            "seed_document": self.claim.seed_document,
            "source": self.claim.source,  # a user's claim: DOI, PMID or URL
            "statement": self.claim.statement,
            "paper": self.paper(),
            "summary": self.summary,
            "tests": [test.to_dict() for test in self.tests],
            "pools": self.pools,
            "headline_pool": self.headline_pool,
            "headline_rule": HEADLINE_RULE,
            "other_pools": self.other_pools,
            "published_table_recomputed": self._table(),
        }

    @property
    def published_table(self) -> BinaryResult | None:
        """The published 2 x 2 table recomputed (None unless the claim has one)."""
        return None if self.pools_of is None else self.pools_of.published_table

    @property
    def published_table_verdict(self) -> Verdict | None:
        """Its verdict (``published table recomputed``)."""
        return None if self.pools_of is None else self.pools_of.published_table_verdict


@dataclass(frozen=True)
class Reproduction(ResultMixin):
    """The result of :func:`~sigsurv.claims.reproduce.reproduce_claims`."""

    claims: list[ClaimReproduction]
    cohorts: list[str]
    options: dict[str, Any] = field(default_factory=dict)

    def title(self) -> str:
        """How many claims were tested on which cohorts."""
        return f"{len(self.claims)} claims on {', '.join(self.cohorts)}"

    @property
    def summary(self) -> pd.DataFrame:
        """One row per test: claim, cohort, signature, verdict and the per-SD HR."""
        columns = ("claim_id", "cohort", "signature_id", "endpoint", "verdict")
        rows = []
        for row in self.rows():
            per_sd = row.get("hr_per_sd") or {}
            numbers = {key: per_sd.get(key) for key in ("hr", "ci_lower", "ci_upper", "p_wald")}
            rows.append({**{key: row.get(key) for key in columns}, **numbers})
        return pd.DataFrame(rows, columns=[*columns, "hr", "ci_lower", "ci_upper", "p_wald"])

    def signatures(self) -> list[Signature]:
        """Every signature tested, each once, in the order first tested."""
        seen: dict[str, Signature] = {}
        for record in self.claims:
            for signature in record.signatures():
                seen.setdefault(signature.id, signature)
        return list(seen.values())

    def rows(self) -> list[dict[str, Any]]:
        """One row per claim x cohort x signature, with the paper's numbers beside ours."""
        out = []
        for record in self.claims:
            paper = record.paper()
            for test in record.tests:
                out.append({**test.to_dict(), "paper": paper})
        return out

    def nulls(self, rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The random-signature null of every test it was computed on, with that test."""
        keys = ("claim_id", "test_id", "cohort", "signature_id", "endpoint", "subgroup")
        return [
            {**{key: row[key] for key in keys}, **row["null"]}
            for row in (self.rows() if rows is None else rows)
            if row["null"] is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (``results.json`` of ``sigsurv reproduce``)."""
        rows = self.rows()
        return {
            "verdicts": list(VERDICTS),
            "definitions": {**DEFINITIONS, **FIELD_DEFINITIONS, "headline_rule": HEADLINE_RULE},
            "alpha": ALPHA,
            "options": self.options,
            "cohorts": self.cohorts,
            "rows": rows,
            "claims": [record.to_dict() for record in self.claims],
            "random_signature_null": self.nulls(rows),
        }
