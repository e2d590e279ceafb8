"""The frozen record of one test and its row of ``results.json`` (one HR vocabulary).

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

from sigsurv._results import HazardRatio
from sigsurv.analysis.signature import AnalysisSpec, SignatureSurvival
from sigsurv.claims.evidence import claim_direction_concordance, power_record
from sigsurv.claims.plan import NotTestable, TestPlan
from sigsurv.claims.pool import Adjusted
from sigsurv.claims.run import Outcome
from sigsurv.claims.verdicts import Verdict, orient_hr
from sigsurv.seeds.schema import Claim
from sigsurv.signatures.schema import Signature

__all__ = ["ClaimTest", "SharedEvidence"]

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

    @property
    def p_holm(self) -> float | None:
        """Holm-adjusted p within the claim."""
        return self.adjusted_p.p_holm

    @property
    def q_bh(self) -> float | None:
        """Benjamini–Hochberg q over the run's distinct tests."""
        return self.adjusted_p.q_bh

    @property
    def population(self) -> dict[str, Any] | None:
        """``{expression, label, exactness, reason}`` of the claim's population here."""
        population = self.outcome.population
        return None if population is None else population.to_dict()

    @property
    def claim_direction(self) -> str:
        """The claim's direction for the quantity it is about."""
        return self.outcome.orientation.claim_direction

    @property
    def expected_direction(self) -> str:
        """The direction the claim predicts for this score."""
        return self.outcome.orientation.expected_direction

    @property
    def orientation(self) -> str:
        """What a higher score means and what the claim predicts for it, in words."""
        return self.outcome.orientation.words

    @property
    def plan(self) -> TestPlan | NotTestable:
        """The test's plan: claim, signature, cohort, orientation and design."""
        return self.outcome.plan

    @property
    def analysis_spec(self) -> AnalysisSpec | None:
        """The analysis as run (small strata merged), else as planned; None if none."""
        if self.outcome.analysis is not None:
            return self.outcome.analysis.spec
        plan = self.outcome.plan
        design = plan.design if isinstance(plan, TestPlan) else None
        return None if design is None else design.spec

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
            "cut_rows": cut_rows_said_once(shared.cut_rows, self.estimate()),
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


#: The numbers of an HR record, checked equal before a cut row refers to the estimate.
_HR_NUMBERS = ("hr", "ci_lower", "ci_upper", "coef", "se", "z", "p_wald")


def cut_rows_said_once(
    rows: tuple[dict[str, Any], ...] | list[dict[str, Any]], estimate: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The cut rows, the one that repeats the analysis's grouped HR written as a reference.

    The primary analysis's cut (``estimate.cut``, the median by default) is also one of
    the secondary cut rows; when its HR record is the same, the row keeps its cut, its
    comparison and cut values and says ``same_as: "estimate.hr_grouped"`` instead of
    carrying the HR a second time.

    Examples
    --------
    >>> hr = {"hr": 0.9, "ci_lower": 0.5, "ci_upper": 1.7, "coef": -0.1, "se": 0.3,
    ...       "z": -0.3, "p_wald": 0.8, "estimable": True}
    >>> rows = [{"cut": "median", "comparison": "high vs low", **hr},
    ...         {"cut": "tertile", "comparison": "T3 vs T1", **hr, "hr": 0.7}]
    >>> said = cut_rows_said_once(rows, {"cut": "median", "hr_grouped": hr})
    >>> said[0]
    {'cut': 'median', 'comparison': 'high vs low', 'same_as': 'estimate.hr_grouped'}
    >>> said[1]["hr"]
    0.7
    """
    grouped = None if estimate is None else estimate.get("hr_grouped")
    out = []
    for row in rows:
        repeats = (
            grouped is not None
            and row.get("cut") == estimate.get("cut")  # type: ignore[union-attr]
            and all(row.get(key) == grouped.get(key) for key in _HR_NUMBERS)
        )
        if repeats:
            kept = {k: v for k, v in row.items() if k not in _HR_FIELDS}
            out.append({**kept, "same_as": "estimate.hr_grouped"})
        else:
            out.append(dict(row))
    return out


#: Every key a HazardRatio record contributes to a cut row.
_HR_FIELDS = frozenset(
    {"term", *_HR_NUMBERS, "conf_level", "kind", "estimable", "reason", "problems"}
)
