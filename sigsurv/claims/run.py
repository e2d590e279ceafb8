"""Run planned tests: analyse, share identical tests, null, judge; one frozen outcome each.

:class:`Runner` executes each :class:`~sigsurv.claims.plan.TestPlan` on its cohort:
the analysis (:func:`~sigsurv.analysis.signature.analyse_signature` with the plan's
:class:`~sigsurv.analysis.signature.AnalysisSpec`, small strata merged first), or, for a
site claim on a competing-risk endpoint, :func:`~sigsurv.claims.site_specific.assess_site_claim`.
Tests with the same definition and the same patients' data (clipped at the last event)
are computed once (:class:`~sigsurv.claims.shared.SharedTest`, keyed by the digest of
the plan's key and the data); the random-signature null is computed once per test and
claim direction. Each plan gives one frozen :class:`Outcome`.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sigsurv._results import HazardRatio
from sigsurv.analysis.signature import SignatureSurvival, analyse_signature
from sigsurv.analysis.suggest import warnings_naming
from sigsurv.claims.copy_number import (
    copy_number_test,
    copy_number_without_scores,
    copy_number_words,
    has_copy_number,
)
from sigsurv.claims.judge import (
    UNADJUSTED,
    hazard_ratio_of,
    judge,
    judge_confounded,
    qualify_by_null,
)
from sigsurv.claims.plan import NotTestable, Orientation, Population, TestPlan
from sigsurv.claims.shared import SharedTest, random_null, shared_test
from sigsurv.claims.spec import ReproduceSpec
from sigsurv.claims.strata import merge_small_strata
from sigsurv.claims.verdicts import Verdict, not_testable, reason_from_error
from sigsurv.cohorts.model import Cohort
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.seeds.schema import Claim
from sigsurv.signatures.schema import Signature

__all__ = ["Outcome", "Runner", "data_digest"]


@dataclass(frozen=True)
class Outcome:
    """What running one plan gave: the verdict and everything it rests on.

    ``per_sd`` is the fitted per-SD HR (cause-specific on a competing-risk endpoint);
    ``verdict_hr`` the HR the verdict used (``per_sd``, the confounder-adjusted HR, or
    None when the row is ``confounded, not adjusted`` or not testable).
    """

    plan: TestPlan | NotTestable
    detail: Verdict
    reason: str
    population: Population | None
    endpoint: str | None
    endpoint_match: str | None
    subgroup: str | None = None
    horizon: float | None = None
    strata: str | None = None
    analysis: SignatureSurvival | None = None
    test_id: str | None = None
    per_sd: HazardRatio | None = None
    verdict_hr: HazardRatio | None = None
    verdict_basis: str = UNADJUSTED
    events: int | None = None
    competing: dict[str, Any] | None = None
    copy_number: dict[str, Any] | None = None
    confounding: dict[str, Any] | None = None
    strata_note: str | None = None
    proxy: str | None = None

    @property
    def claim(self) -> Claim:
        """The claim tested."""
        return self.plan.claim

    @property
    def signature(self) -> Signature:
        """The signature scored."""
        return self.plan.signature

    @property
    def orientation(self) -> Orientation:
        """The direction the claim predicts for this score."""
        return self.plan.orientation

    @property
    def verdict(self) -> str:
        """The verdict word."""
        return self.detail.verdict

    @property
    def cohort(self) -> str:
        """The cohort's name."""
        return self.plan.cohort

    @property
    def signature_id(self) -> str:
        """The signature's id."""
        return str(self.plan.signature.id)

    @property
    def role(self) -> str:
        """``primary`` or ``proxy``."""
        return self.plan.role

    @property
    def population_exactness(self) -> str | None:
        """``exact``, ``analogue`` or None (no population chosen)."""
        return None if self.population is None else self.population.exactness


def data_digest(analysis: SignatureSurvival, key: str) -> str:
    """Fingerprint of a test: its definition and the data every Cox and log-rank fit sees.

    Times are clipped at the last event time: censoring after the last event changes no
    risk set, so a horizon beyond the last event leaves the same test (the two MSK1 ER+
    claims on one cohort).
    """
    survival = analysis.survival
    event = np.asarray(survival.event, dtype=float)
    time = np.asarray(survival.time, dtype=float)
    if event.any():
        time = np.minimum(time, time[event > 0].max())
    digest = hashlib.sha1(key.encode())
    digest.update("\x1f".join(map(str, survival.samples)).encode())
    digest.update(np.ascontiguousarray(time).tobytes())
    digest.update(np.ascontiguousarray(event).tobytes())
    digest.update(np.ascontiguousarray(analysis.scores.to_numpy(float)).tobytes())
    return digest.hexdigest()[:12]


def _proxy_words(signature: Signature, role: str, coverage: dict[str, Any]) -> str | None:
    """Why the measurement is a proxy, in words (None when it is not one)."""
    found = set(coverage.get("found", ()))
    host = [
        g.symbol
        for g in signature.genes
        if g.symbol in found and (g.feature_type or signature.feature_type) == "host_gene"
    ]
    if found and len(host) == len(found):
        return (
            f"measured only through host gene {', '.join(host)}: a proxy, not a measurement "
            "of the signature's own features"
        )
    if role == "proxy" or signature.is_proxy:
        return "proxy signature"
    return None


class Runner:
    """Executes plans with one :class:`~sigsurv.claims.spec.ReproduceSpec`, sharing tests.

    ``shared`` maps each distinct test id to its :class:`~sigsurv.claims.shared.SharedTest`.
    """

    def __init__(self, spec: ReproduceSpec) -> None:
        self.spec = spec
        self.shared: dict[str, SharedTest] = {}

    def run(
        self, plan: TestPlan | NotTestable, cohort: Cohort, strata_columns: Sequence[str]
    ) -> Outcome:
        """Run one plan on its cohort."""
        if isinstance(plan, NotTestable):
            return _untestable(plan, plan.reason)
        if plan.site is not None:
            outcome = self._site(plan, cohort)
            if outcome is not None:
                return outcome
        if plan.design is None:
            assert plan.fallback is not None
            return _untestable(plan.fallback, plan.fallback.reason)
        return self._cox(plan, cohort, strata_columns)

    def _site(self, plan: TestPlan, cohort: Cohort) -> Outcome | None:
        """A site claim on the competing-risk endpoint (None: not applicable here)."""
        from sigsurv.claims.site_specific import assess_site_claim
        from sigsurv.scoring import score

        site, signature = plan.site, plan.signature
        assert site is not None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SigsurvWarning)
                scores = score(cohort, signature, method=signature.default_method, min_coverage=0.5)
            assessment = assess_site_claim(
                plan.claim, cohort, scores[signature.id], strata=site.strata
            )
        except SigsurvInputError as error:
            # Not testable on the exact competing-risk endpoint it would have used: say which.
            why = f"{reason_from_error(error)} (endpoint {site.endpoint}: {site.reason})"
            return Outcome(
                plan,
                not_testable(why),
                not_testable(why).reason,
                plan.population,
                site.endpoint,
                site.exactness,
            )
        if not assessment["testable"] or assessment["method"] != "competing_risks":
            return None
        return self._competing(plan, assessment)

    def _competing(self, plan: TestPlan, assessment: dict[str, Any]) -> Outcome:
        """The verdict from the cause-specific HR per SD of the claim's cause."""
        population = assessment["population"]
        per_sd = hazard_ratio_of(assessment["primary"]["per_sd"])
        events = int(assessment["events"].get(assessment["cause_label"], 0))
        endpoint, subgroup = assessment["endpoint"], population["subgroup"]
        digest = hashlib.sha1(
            "|".join(map(str, (plan.cohort, plan.signature.id, endpoint, subgroup))).encode()
        )
        digest.update(repr(per_sd.to_dict()).encode())
        detail = judge(per_sd, events, plan.orientation, plan.margins)
        words = (detail.reason, assessment["endpoint_reason"], population["reason"])
        return Outcome(
            plan,
            detail,
            "; ".join(w for w in words if w),
            Population(
                subgroup, population["label"], population["exactness"], population["reason"]
            ),
            endpoint,
            assessment["endpoint_exactness"],
            subgroup=subgroup,
            horizon=assessment["horizon"],
            strata=assessment["details"].get("strata"),
            test_id=f"{plan.cohort}:{plan.signature.id}:{endpoint}:{digest.hexdigest()[:12]}",
            per_sd=per_sd,
            verdict_hr=per_sd,
            events=events,
            competing=assessment,
        )

    def _analyse(
        self, plan: TestPlan, cohort: Cohort
    ) -> tuple[SignatureSurvival | None, str, list[str], str | None]:
        """``(analysis or None, why not, warnings, strata note)``: small strata merged first."""
        assert plan.design is not None
        spec, column = plan.design.spec, plan.design.strata_column
        note = None
        if column is not None:
            assert spec.endpoint is not None
            cohort, column, note = merge_small_strata(cohort, column, spec.endpoint, spec.subgroup)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SigsurvWarning)
            try:
                analysis = analyse_signature(cohort, plan.signature, spec.replace(strata=column))
            except SigsurvInputError as error:
                return None, reason_from_error(error), [], note
        messages = [str(w.message) for w in caught if issubclass(w.category, SigsurvWarning)]
        return analysis, "", messages, note

    def _cox(self, plan: TestPlan, cohort: Cohort, strata_columns: Sequence[str]) -> Outcome:
        """A 0/1 endpoint test: analyse (or share), null, judge, explain."""
        analysis, why, messages, note = self._analyse(plan, cohort)
        subgroup = plan.population.expression
        if analysis is None:
            return _unscorable(plan, why, note, cohort, strata_columns)
        key = plan.key(analysis.strata)
        test_id = f"{plan.cohort}:{plan.signature.id}:{plan.endpoint}:{data_digest(analysis, key)}"
        where = f"{plan.cohort}, claim {plan.claim.id}, signature {plan.signature.id}"
        if test_id not in self.shared:
            # The adjusted models' own warnings (which know no cohort) name where they arose.
            with warnings_naming(where):
                self.shared[test_id] = shared_test(
                    test_id, cohort, analysis, subgroup, messages, self.spec.seed
                )
            for message in self.shared[test_id].warnings:
                # Surfaced once per distinct test (and kept in the test's row).
                warnings.warn(f"{where}: {message}", SigsurvWarning, stacklevel=2)
        shared = self.shared[test_id]
        shared.claim_ids.append(plan.claim.id)
        direction = plan.orientation.expected_direction
        if self.spec.null_random > 0 and direction not in shared.nulls:
            shared.nulls[direction] = random_null(
                cohort, analysis, shared.proliferation, direction, self.spec
            )
        per_sd = analysis.cox_continuous.hazard_ratio("score_per_sd")
        events = int(analysis.survival.events)
        detail = judge(per_sd, events, plan.orientation, plan.margins)
        confounding = judge_confounded(
            detail,
            per_sd,
            tuple(plan.signature.confounders),
            analysis,
            cohort,
            subgroup,
            shared.proliferation,
            plan.orientation,
            plan.margins,
        )
        detail = qualify_by_null(confounding.verdict, shared.nulls.get(direction))
        copy_number = None
        if has_copy_number(plan.claim, cohort):
            copy_number = copy_number_test(
                plan.claim, cohort, analysis.survival, analysis.strata_values
            )
        proxy = _proxy_words(plan.signature, plan.role, analysis.coverage)
        words = _reason_words(plan, detail, note, copy_number, proxy, shared.warnings)
        return Outcome(
            plan,
            detail,
            "; ".join(words),
            plan.population,
            plan.endpoint,
            plan.endpoint_match,
            subgroup=subgroup,
            horizon=analysis.survival.horizon,
            strata=analysis.strata,
            analysis=analysis,
            test_id=test_id,
            per_sd=per_sd,
            verdict_hr=confounding.estimate,
            verdict_basis=confounding.basis,
            events=events,
            copy_number=copy_number,
            confounding=confounding.record,
            strata_note=note,
            proxy=proxy,
        )


def _untestable(plan: NotTestable, why: str) -> Outcome:
    detail = not_testable(why)
    return Outcome(plan, detail, detail.reason, plan.population, plan.endpoint, plan.endpoint_match)


def _unscorable(
    plan: TestPlan,
    why: str,
    note: str | None,
    cohort: Cohort,
    strata_columns: Sequence[str],
) -> Outcome:
    """Not testable after planning (the analysis failed); the copy-number test still runs."""
    failed = NotTestable(
        plan.claim,
        plan.signature,
        plan.role,
        plan.cohort,
        plan.orientation,
        why,
        plan.population,
        plan.endpoint,
        plan.endpoint_match,
    )
    detail = not_testable(why)
    reason = detail.reason
    # The loss comparison needs no expression: run it without the signature.
    copy_number = copy_number_without_scores(failed, cohort, strata_columns)
    if copy_number is not None and "column" in copy_number:
        reason = f"{reason}; {copy_number_words(copy_number)}"
    return Outcome(
        failed,
        detail,
        reason,
        plan.population,
        plan.endpoint,
        plan.endpoint_match,
        subgroup=plan.population.expression,
        copy_number=copy_number,
        strata_note=note,
    )


def _reason_words(
    plan: TestPlan,
    detail: Verdict,
    strata_note: str | None,
    copy_number: dict[str, Any] | None,
    proxy: str | None,
    messages: Sequence[str],
) -> list[str]:
    """The row's reason: verdict, orientation, analogues, copy number, proxy, warnings."""
    claim, orientation, population = plan.claim, plan.orientation, plan.population
    words = [detail.reason]
    if orientation.score_relation == "inverse" and orientation.words:
        words.append(orientation.words)
    if plan.endpoint_match == "analogue":
        words.append(f"endpoint {plan.endpoint} used as an analogue of {claim.endpoint!r}")
    if population.exactness == "analogue":
        words.append(
            f"population {population.label!r} used as an analogue of "
            f"{claim.population!r} ({population.reason})"
        )
    if strata_note:
        words.append(strata_note)
    if copy_number is not None:
        words.append(copy_number_words(copy_number))
    if proxy:
        words.append(proxy)
    words.extend(messages)
    return words
