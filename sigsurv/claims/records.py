"""The frozen records of a reproduction and their one JSON vocabulary (``results.json``).

Each record is built once, after the run and the pools: a :class:`ClaimTest` carries
its :class:`~sigsurv.seeds.Claim`, :class:`~sigsurv.signatures.Signature` and plan, so
the renderers (:mod:`sigsurv.report`) never look an id up again. Every hazard ratio is
a :class:`~sigsurv._results.HazardRatio` record (``hr, ci_lower, ci_upper, coef, se, z,
p_wald, ...``) and appears once in a row: the fitted per-SD HR is ``hr_per_sd``, the
HR the verdict used is named by ``verdict_estimate`` (``hr_per_sd`` or
``confounding.adjusted``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sigsurv._results import HazardRatio
from sigsurv.analysis.signature import SignatureSurvival
from sigsurv.claims.evidence import claim_direction_concordance, power_record
from sigsurv.claims.pool import Adjusted, ClaimPools
from sigsurv.claims.pooling import HEADLINE_RULE
from sigsurv.claims.run import Outcome
from sigsurv.claims.verdicts import DEFINITIONS, VERDICTS, Verdict, orient_hr
from sigsurv.seeds.schema import Claim
from sigsurv.signatures.schema import Signature
from sigsurv.survival.meta import MetaAnalysisResult

__all__ = ["ALPHA", "FIELD_DEFINITIONS", "ClaimReproduction", "ClaimTest", "Reproduction"]

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
    "strata_note": "strata smaller than 10 patients or without events, merged before fitting",
    "power": "Schoenfeld power on the per-SD scale for the target HR (a published HR "
    "between median-split groups converted by log HR / 1.596), minimum detectable per-SD "
    "HR at 80%",
    "prediction_note": "why a pool has no prediction interval (fewer than 3 cohorts)",
    "headline_pool": "the pool the claim's summary line uses, chosen by headline_rule",
}
_NOT_ON_COMPETING = (
    "not computed on a competing-risk endpoint: the adjusted models, cut rows and "
    "random-signature null are implemented for 0/1 endpoints only"
)


@dataclass(frozen=True)
class SharedEvidence:
    """What a distinct test computed once, as the rows sharing it read it."""

    adjusted: Mapping[str, Any]
    cut_rows: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    null: Mapping[str, Any] | None
    claim_ids: tuple[str, ...]


@dataclass(frozen=True)
class ClaimTest:
    """One claim x cohort x signature test (endpoint and subgroup chosen from the claim)."""

    __test__ = False  # not a pytest test class

    outcome: Outcome
    reason: str
    adjusted_p: Adjusted = field(default_factory=Adjusted)
    shared: SharedEvidence | None = None

    @property
    def claim(self) -> Claim:
        """The claim tested."""
        return self.outcome.claim

    @property
    def signature(self) -> Signature:
        """The signature scored."""
        return self.outcome.signature

    @property
    def detail(self) -> Verdict:
        """The verdict with its reason in words."""
        return self.outcome.detail

    @property
    def analysis(self) -> SignatureSurvival | None:
        """The analysis (None: not testable, or competing risks)."""
        return self.outcome.analysis

    @property
    def endpoint(self) -> str | None:
        """The endpoint tested."""
        return self.outcome.endpoint

    @property
    def endpoint_match(self) -> str | None:
        """``exact`` or ``analogue``."""
        return self.outcome.endpoint_match

    @property
    def subgroup(self) -> str | None:
        """The subgroup expression (the claim's population)."""
        return self.outcome.subgroup

    @property
    def strata(self) -> str | None:
        """The stratifying column fitted."""
        return self.outcome.strata

    @property
    def strata_note(self) -> str | None:
        """Which small strata were merged."""
        return self.outcome.strata_note

    @property
    def test_id(self) -> str | None:
        """The distinct test's id."""
        return self.outcome.test_id

    @property
    def proxy(self) -> str | None:
        """Why the measurement is a proxy, in words."""
        return self.outcome.proxy

    @property
    def confounding(self) -> dict[str, Any] | None:
        """The confounding record."""
        return self.outcome.confounding

    @property
    def verdict_basis(self) -> str:
        """Which per-SD HR decided the verdict."""
        return self.outcome.verdict_basis

    @property
    def claim_id(self) -> str:
        """The claim's id."""
        return str(self.outcome.claim.id)

    @property
    def cohort(self) -> str:
        """The cohort's name."""
        return self.outcome.plan.cohort

    @property
    def signature_id(self) -> str:
        """The signature's id."""
        return str(self.outcome.signature.id)

    @property
    def signature_role(self) -> str:
        """``primary`` or ``proxy``."""
        return self.outcome.plan.role

    @property
    def verdict(self) -> str:
        """The verdict word."""
        return self.outcome.verdict

    def hr_per_sd(self) -> HazardRatio | None:
        """The fitted per-SD HR (the cause-specific one on a competing-risk endpoint)."""
        return self.outcome.per_sd

    def verdict_estimate(self) -> HazardRatio | None:
        """The per-SD HR the verdict used (None: not testable or confounded, not adjusted)."""
        return self.outcome.verdict_hr

    def estimate(self) -> dict[str, Any] | None:
        """The analysis in brief: n, events, method, cut, the grouped HR, the log-rank p."""
        result = self.outcome.analysis
        if result is None:
            return None
        return {
            "n": int(result.survival.n),
            "events": int(result.survival.events),
            "unit": result.survival.unit,
            "method": result.method,
            "cut": result.cut_rule,
            "hr_grouped": result.cox_grouped.hazard_ratio(result.grouped_term).to_dict(),
            "logrank_p": float(result.logrank.p),
        }

    def _oriented(self) -> dict[str, Any] | None:
        """The per-SD HR oriented to the claim (HR < 1 = the claimed direction)."""
        per_sd = self.outcome.per_sd
        if per_sd is None or per_sd.hr is None:
            return None
        assert per_sd.ci_lower is not None and per_sd.ci_upper is not None
        way = self.outcome.orientation.expected_direction
        oriented = orient_hr(per_sd.hr, per_sd.ci_lower, per_sd.ci_upper, way)
        return dict(zip(("hr", "ci_lower", "ci_upper"), oriented, strict=True))

    def _verdict_estimate_key(self) -> str | None:
        estimate = self.outcome.verdict_hr
        if estimate is None:
            return None
        return "hr_per_sd" if estimate is self.outcome.per_sd else "confounding.adjusted"

    def _power(self, events: int) -> dict[str, Any] | None:
        way, plan = self.outcome.orientation, self.outcome.plan
        return power_record(
            events,
            way.expected_direction,
            way.published_hr,
            published_proportion=way.published_proportion,
            endpoint_match=self.outcome.endpoint_match,
            margins=getattr(plan, "margins", (0.8, 1.25)),
        )

    def _identity(self) -> dict[str, Any]:
        """Which test this is and how it was chosen (every row has these)."""
        outcome, way = self.outcome, self.outcome.orientation
        population = outcome.population
        return {
            "claim_id": self.claim_id,
            "cohort": self.cohort,
            "signature_id": self.signature_id,
            "signature_role": self.signature_role,
            "verdict": self.verdict,
            "reason": self.reason,
            "ci_reading": outcome.detail.ci_reading,
            "proxy": outcome.proxy,
            "endpoint": outcome.endpoint,
            "endpoint_match": outcome.endpoint_match,
            "endpoint_exactness": outcome.endpoint_match,
            "subgroup": outcome.subgroup,
            "horizon": outcome.horizon,
            "strata": outcome.strata,
            "strata_note": outcome.strata_note,
            "test_id": outcome.test_id,
            "population": None if population is None else population.to_dict(),
            "claim_direction": way.claim_direction,
            "expected_direction": way.expected_direction,
            "score_relation": way.score_relation,
            "orientation": way.words,
        }

    def _judgement(self) -> dict[str, Any]:
        """The estimate, its multiplicity, confounding and the evidence defaults."""
        outcome = self.outcome
        confounding = outcome.confounding
        return {
            "estimate": self.estimate(),
            "hr_per_sd": None if outcome.per_sd is None else outcome.per_sd.to_dict(),
            "verdict_basis": outcome.verdict_basis,
            "verdict_estimate": self._verdict_estimate_key(),
            "p_holm": self.adjusted_p.p_holm,
            "q_bh": self.adjusted_p.q_bh,
            "confounding": confounding,
            "confounding_status": None if confounding is None else confounding.get("status"),
            "competing_risks": self._competing_record(),
            "copy_number": outcome.copy_number,
            "shared_with": [],
            "events": None,
            "median_follow_up": None,
            "power": None,
            "adjusted": None,
            "null": None,
            "cut_rows": [],
            "concordance": None,
            "warnings": [],
        }

    def _evidence(self, analysis: SignatureSurvival, shared: SharedEvidence) -> dict[str, Any]:
        """The evidence of a 0/1 endpoint test: power, adjusted HRs, null, cuts, C."""
        survival = analysis.survival
        return {
            "shared_with": [c for c in shared.claim_ids if c != self.claim_id],
            "hr_per_sd_oriented": self._oriented(),
            "n": int(survival.n),
            "events": int(survival.events),
            "median_follow_up": survival.median_follow_up,
            "follow_up_unit": survival.unit,
            "power": self._power(int(survival.events)),
            "adjusted": dict(shared.adjusted),
            "null": None if shared.null is None else dict(shared.null),
            "cut_rows": list(shared.cut_rows),
            "concordance": claim_direction_concordance(
                survival.time,
                survival.event,
                analysis.scores.to_numpy(float),
                self.outcome.orientation.expected_direction,
                strata=analysis.strata_values,
            ),
            "warnings": list(shared.warnings),
            "notes": list(analysis.notes),
        }

    def _competing_fields(self) -> dict[str, Any]:
        """Row fields of a test on a competing-risk endpoint (cause-specific HR primary)."""
        competing = self.outcome.competing
        assert competing is not None
        events = int(self.outcome.events or 0)
        return {
            "hr_per_sd_oriented": self._oriented(),
            "n": int(competing["n"]),
            "events": events,
            "follow_up_unit": competing["unit"],
            "power": self._power(events),
            "adjusted": {"not_computed": _NOT_ON_COMPETING},
            "null": {"not_computed": _NOT_ON_COMPETING},
        }

    def _competing_record(self) -> dict[str, Any] | None:
        """``competing_risks`` (the cause-specific per-SD HR is the row's ``hr_per_sd``)."""
        out = self.outcome.competing
        if out is None:
            return None
        secondary = out["secondary"]
        return {
            "endpoint": out["endpoint"],
            "cause": out["cause"],
            "cause_label": out["cause_label"],
            "method": out["method"],
            "endpoint_reason": out.get("endpoint_reason", ""),
            "horizon": out["horizon"],
            "unit": out["unit"],
            "n": out["n"],
            "events": out["events"],
            "cause_specific_high_vs_low": out["primary"]["high_vs_low"],
            "fine_gray": None if secondary is None else secondary["per_sd"],
            "fine_gray_high_vs_low": None if secondary is None else secondary["high_vs_low"],
            "cumulative_incidence": out["cumulative_incidence"],
            "gray_test": out["gray_test"],
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row of ``results.json`` (each HR once, as a ``HazardRatio`` record)."""
        out = self._identity() | self._judgement()
        if self.outcome.competing is not None:
            return out | self._competing_fields()
        if self.outcome.analysis is None or self.shared is None:
            return out
        return out | self._evidence(self.outcome.analysis, self.shared)


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
    def published_table(self) -> Any:
        """The published 2 x 2 table recomputed (None unless the claim has one)."""
        return None if self.pools_of is None else self.pools_of.published_table

    @property
    def published_table_verdict(self) -> Verdict | None:
        """Its verdict (``published table recomputed``)."""
        return None if self.pools_of is None else self.pools_of.published_table_verdict


@dataclass(frozen=True)
class Reproduction:
    """The result of :func:`~sigsurv.claims.reproduce.reproduce_claims`."""

    claims: list[ClaimReproduction]
    cohorts: list[str]
    options: dict[str, Any] = field(default_factory=dict)

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
