"""Test every seed claim on every cohort that can test it, with the evidence a reviewer asks for.

For each claim (``sigsurv.seeds``) and cohort, the matching analysis is chosen from
the claim record: the endpoint (an exact match such as ``bmfs``, else an explicitly
labelled analogue such as ``rfs``), the population
(:func:`~sigsurv.claims.populations.population_for`: the exact one when the cohort has
its fields, e.g. HER2+ *and trastuzumab-treated*, else the labelled analogue, else not
testable with the reason), the follow-up horizon (60 months), the strata (the cohort's
technical batch) and the signature (plus its proxies). The analysis itself is
:func:`~sigsurv.analysis.signature.analyse_signature`.

A site-specific claim (bone relapse) on a cohort with a competing-risk endpoint for the
site is tested there (:func:`~sigsurv.claims.site_specific.assess_site_claim`): the
cause-specific HR per SD is the primary statistic and feeds the verdict, Fine–Gray is
secondary, and the cumulative incidence with Gray's test is recorded
(``competing_risks`` of the row; adjusted models, cut rows and the random-signature
null are not computed on such an endpoint, and the row says so). A copy-number claim
(loss of miR-424/503) on a cohort with copy-number calls adds the Cox HR of loss vs no
loss (``copy_number`` of the row, oriented to the claim: a loss of a protective locus is
expected to be harmful), with or without a scorable signature.

Per test (claim x cohort x signature x endpoint x subgroup):

* the **primary statistic** is the HR per SD of the score (standardised within the
  cohort, and within stratum when stratified); cut-based HRs (median, tertiles, the
  optimal cut with a cross-validated correction) are secondary rows;
* the **verdict** comes from :mod:`sigsurv.claims.verdicts`, in the direction the claim
  predicts *for this score* (claim direction x the signature's ``score_relation``: a
  miR-21 target score is judged against "miR-21 is harmful" as protective, and the row
  says so in words): ``consistent``, ``contradicted``, ``effect of the claimed size
  excluded``, ``inconclusive``, ``not informative`` (per-SD power < 50%) or ``not
  testable``; a claim of no association reads ``equivalent``, ``different``, both,
  neither, or ``not informative`` (TOST power at HR 1 < 50%); a signature naming a
  confounder is judged on the adjusted HR (:mod:`sigsurv.claims.confounding`) or reads
  ``confounded, not adjusted``; a consistent score that does not beat random signatures
  reads ``consistent, not better than random signatures``. Every word is defined in
  ``definitions`` of ``results.json``;
* events, reverse-KM median follow-up, Schoenfeld power on the per-SD scale (a published
  median-split HR converted by log HR / 1.596, or a conventional per-SD HR) and the
  minimum detectable per-SD HR at 80%; strata below 10 patients or without events merged;
* Holm-adjusted p within the claim and Benjamini–Hochberg q over the run, both on the
  per-SD Wald p; identical tests (same cohort, signature, endpoint, subgroup, strata
  and patients' data after the horizon) are computed once and listed as shared;
* unadjusted, clinically adjusted and proliferation-adjusted per-SD HRs, the LRT and
  change in C of adding the signature to the clinical model
  (:mod:`sigsurv.claims.evidence`);
* a random-signature null on the same patients, endpoint, horizon and strata, signed
  in the claim's direction, expression-matched, unadjusted and proliferation-adjusted.

Per claim, the per-SD log HRs are pooled (:mod:`sigsurv.claims.pooling`: REML; truncated
Knapp–Hartung below 5 cohorts; no prediction interval below 3) per signature, endpoint,
endpoint and population exactness and HR basis, and summarised in one line that counts
every verdict of the distinct tests, names contradicting cohorts, proxies and
confounding, and uses the headline pool chosen by a stated rule. A claim with a published
2 x 2 table has it recomputed (``published table recomputed``, an odds ratio).
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._arguments import integer_argument, seed_argument
from sigsurv.analysis.signature import AnalysisSpec, SignatureSurvival, analyse_signature
from sigsurv.analysis.suggest import warnings_naming
from sigsurv.claims.confounding import adjusted_for_confounders, confounder_design
from sigsurv.claims.evidence import (
    adjusted_estimate,
    claim_direction_concordance,
    clinical_covariates,
    cut_rows,
    power_record,
)
from sigsurv.claims.pooling import HEADLINE_RULE, KNHA_BELOW, headline_pool, pool_tests
from sigsurv.claims.populations import copy_number_column, copy_number_groups, population_for
from sigsurv.claims.strata import merge_small_strata, strata_candidates
from sigsurv.claims.verdicts import (
    CONFOUNDED,
    CONSISTENT,
    CONSISTENT_NOT_BEYOND_NULL,
    DEFINITIONS,
    NOT_INFORMATIVE,
    NOT_TESTABLE,
    VERDICTS,
    Verdict,
    claim_summary,
    combined_direction,
    equivalence_verdict,
    format_p,
    hr_verdict,
    not_testable,
    orient_hr,
    published_table_verdict,
    reason_from_error,
)
from sigsurv.cohorts.model import Cohort
from sigsurv.cohorts.subgroup import parse_subgroup
from sigsurv.errors import OptionError, SigsurvInputError, SigsurvWarning
from sigsurv.seeds.user import accepts_claim_files
from sigsurv.survival.binary import BinaryResult, two_by_two
from sigsurv.survival.meta import MetaAnalysisResult
from sigsurv.survival.multiplicity import benjamini_hochberg, holm

__all__ = [
    "NOT_TESTABLE",
    "PROLIFERATION_SIGNATURE",
    "VERDICTS",
    "ClaimReproduction",
    "ClaimTest",
    "Reproduction",
    "reproduce_claims",
]

ALPHA = 0.05
PROLIFERATION_SIGNATURE = "pam50_proliferation"
UNADJUSTED = "unadjusted per-SD HR"
#: Empirical p of the random-signature null above which "consistent" is qualified.
NULL_P_MAX = 0.05
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
    "verdict_hr": "the per-SD HR the verdict used (with verdict_lower, verdict_upper, "
    "verdict_p): the adjusted one when verdict_basis says so; null when not testable or "
    "confounded, not adjusted",
    "strata_note": "strata smaller than 10 patients or without events, merged before fitting",
    "power": "Schoenfeld power on the per-SD scale for the target HR (a published HR "
    "between median-split groups converted by log HR / 1.596), minimum detectable per-SD "
    "HR at 80%",
    "prediction_note": "why a pool has no prediction interval (fewer than 3 cohorts)",
    "headline_pool": "the pool the claim's summary line uses, chosen by headline_rule",
}


@dataclass
class SharedTest:
    """What one distinct test computed, shared by the claims that run it."""

    test_id: str
    analysis: SignatureSurvival
    adjusted: dict[str, Any]
    cut_rows: list[dict[str, Any]]
    proliferation: np.ndarray | None
    warnings: list[str]
    claim_ids: list[str] = field(default_factory=list)
    nulls: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ClaimTest:
    """One claim x cohort x signature test (endpoint and subgroup chosen from the claim)."""

    claim_id: str
    cohort: str
    signature_id: str
    signature_role: str
    verdict: str
    reason: str
    endpoint: str | None = None
    endpoint_match: str | None = None
    subgroup: str | None = None
    horizon: float | None = None
    strata: str | None = None
    analysis: SignatureSurvival | None = None
    test_id: str | None = None
    shared: SharedTest | None = None
    detail: Verdict | None = None
    proxy: str | None = None
    expected_direction: str = "protective"
    published_hr: float | None = None
    #: Fraction of patients in one group of the published comparison (0.5: a median split,
    #: also assumed when the scale is unknown); None when the published HR is per unit.
    published_proportion: float | None = 0.5
    p_holm: float | None = None
    q_bh: float | None = None
    population: dict[str, Any] | None = None
    competing: dict[str, Any] | None = None
    copy_number: dict[str, Any] | None = None
    claim_direction: str = "protective"
    score_relation: str = "same"
    orientation: str | None = None
    verdict_basis: str = "unadjusted per-SD HR"  # UNADJUSTED
    confounding: dict[str, Any] | None = None
    strata_note: str | None = None
    margins: tuple[float, float] = (0.8, 1.25)

    def n_events(self) -> int:
        """Events of the primary statistic (the claim's cause on a competing-risk endpoint)."""
        if self.competing is not None:
            return int(self.competing["events"].get(self.competing["cause_label"], 0))
        assert self.analysis is not None
        return int(self.analysis.survival.events)

    def estimate(self) -> dict[str, Any] | None:
        """The grouped and per-SD hazard ratios of the analysis (None if not testable)."""
        if self.analysis is None:
            return None
        result = self.analysis
        return {
            "n": int(result.survival.n),
            "events": int(result.survival.events),
            "unit": result.survival.unit,
            "method": result.method,
            "cut": result.cut_rule,
            "hr_grouped": result.hazard_ratio_grouped,
            "hr_per_sd": result.hazard_ratio_per_sd,
            "logrank_p": float(result.logrank.p),
        }

    def hr_per_sd(self) -> dict[str, Any] | None:
        """``{hr, lower, upper, p}`` per SD of the score (higher vs lower), as fitted.

        On a competing-risk endpoint this is the cause-specific HR of the claim's cause.
        """
        if self.competing is not None:
            cs = self.competing["primary"]["per_sd"]
            return {
                "hr": cs["hr"],
                "lower": cs["ci_lower"],
                "upper": cs["ci_upper"],
                "p": cs["p"],
                "log_hr": cs["coef"],
                "se": cs["se"],
            }
        if self.analysis is None:
            return None
        row = self.analysis.hazard_ratio_per_sd
        return {
            "hr": row["hr"],
            "lower": row["ci_lower"],
            "upper": row["ci_upper"],
            "p": row["p_wald"],
            "log_hr": row["coef"],
            "se": row["se"],
        }

    def verdict_estimate(self) -> dict[str, Any] | None:
        """``{hr, lower, upper, p, log_hr, se}`` of the per-SD HR the verdict used.

        The confounder-adjusted HR when the verdict is based on it; None when the row is
        ``confounded, not adjusted`` (no estimate answers the claim); else
        :meth:`hr_per_sd`. Pools and multiplicity use this estimate.
        """
        if self.verdict == CONFOUNDED:
            return None
        adjusted = (self.confounding or {}).get("adjusted")
        if self.verdict_basis != UNADJUSTED and adjusted and adjusted.get("hr") is not None:
            keys = ("hr", "lower", "upper", "p", "log_hr", "se")
            return {key: adjusted[key] for key in keys}
        return self.hr_per_sd()

    def _verdict_hr_fields(self) -> dict[str, Any]:
        """Flat ``verdict_hr, verdict_lower, verdict_upper, verdict_p`` (the HR judged)."""
        estimate = None if self.detail is None else self.verdict_estimate()
        keys = ("hr", "lower", "upper", "p")
        return {f"verdict_{k}": None if estimate is None else estimate[k] for k in keys}

    def oriented_per_sd(self) -> dict[str, Any] | None:
        """The per-SD HR oriented to the claim (HR < 1 = the claimed direction)."""
        per_sd = self.hr_per_sd()
        if per_sd is None or per_sd["hr"] is None:
            return None
        hr, lower, upper = orient_hr(
            per_sd["hr"], per_sd["lower"], per_sd["upper"], self.expected_direction
        )
        return {"hr": hr, "lower": lower, "upper": upper}

    def competing_record(self) -> dict[str, Any] | None:
        """``competing_risks`` of results.json (None unless tested with competing risks)."""
        out = self.competing
        if out is None:
            return None

        def row(term: dict[str, Any] | None) -> dict[str, Any] | None:
            if term is None:
                return None
            keys = {"hr": "hr", "lower": "ci_lower", "upper": "ci_upper", "p": "p"}
            return {name: term.get(key) for name, key in keys.items()}

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
            "cause_specific": row(out["primary"]["per_sd"]),
            "cause_specific_high_vs_low": row(out["primary"]["high_vs_low"]),
            "fine_gray": None if secondary is None else row(secondary["per_sd"]),
            "fine_gray_high_vs_low": None if secondary is None else row(secondary["high_vs_low"]),
            "cumulative_incidence": out["cumulative_incidence"],
            "gray_test": out["gray_test"],
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row (the schema of issue 11 plus the legacy ``estimate``)."""
        out: dict[str, Any] = {
            "claim_id": self.claim_id,
            "cohort": self.cohort,
            "signature_id": self.signature_id,
            "signature_role": self.signature_role,
            "verdict": self.verdict,
            "reason": self.reason,
            "ci_reading": None if self.detail is None else self.detail.ci_reading,
            "proxy": self.proxy,
            "endpoint": self.endpoint,
            "endpoint_match": self.endpoint_match,
            "subgroup": self.subgroup,
            "horizon": self.horizon,
            "strata": self.strata,
            "test_id": self.test_id,
            "shared_with": [],
            "estimate": self.estimate(),
            "hr_per_sd": None,
            "events": None,
            "median_follow_up": None,
            "power": None,
            "p_holm": self.p_holm,
            "q_bh": self.q_bh,
            "adjusted": None,
            "null": None,
            "cut_rows": [],
            "concordance": None,
            "warnings": [],
            "population": self.population,
            "endpoint_exactness": self.endpoint_match,
            "competing_risks": self.competing_record(),
            "copy_number": self.copy_number,
            "claim_direction": self.claim_direction,
            "expected_direction": self.expected_direction,
            "score_relation": self.score_relation,
            "orientation": self.orientation,
            "verdict_basis": self.verdict_basis,
            "confounding": self.confounding,
            "confounding_status": None
            if self.confounding is None
            else self.confounding.get("status"),
            "strata_note": self.strata_note,
            **self._verdict_hr_fields(),
        }
        if self.competing is not None:
            return out | self._competing_fields()
        if self.analysis is None or self.shared is None:
            return out
        survival = self.analysis.survival
        per_sd = self.hr_per_sd()
        oriented = self.oriented_per_sd()
        values = self.analysis.scores.to_numpy(float)
        out |= {
            "shared_with": [c for c in self.shared.claim_ids if c != self.claim_id],
            "hr_per_sd": per_sd,
            "hr_per_sd_oriented": oriented,
            "n": int(survival.n),
            "events": int(survival.events),
            "median_follow_up": survival.median_follow_up,
            "follow_up_unit": survival.unit,
            "power": power_record(
                int(survival.events),
                self.expected_direction,
                self.published_hr,
                published_proportion=self.published_proportion,
                endpoint_match=self.endpoint_match,
                margins=self.margins,
            ),
            "adjusted": self.shared.adjusted,
            "null": self.shared.nulls.get(self.expected_direction),
            "cut_rows": self.shared.cut_rows,
            "concordance": claim_direction_concordance(
                survival.time,
                survival.event,
                values,
                self.expected_direction,
                strata=self.analysis.strata_values,
            ),
            "warnings": list(self.shared.warnings),
            "notes": list(self.analysis.notes),
        }
        return out

    def _competing_fields(self) -> dict[str, Any]:
        """Row fields of a test on a competing-risk endpoint (cause-specific HR primary)."""
        assert self.competing is not None
        why = (
            "not computed on a competing-risk endpoint: the adjusted models, cut rows and "
            "random-signature null are implemented for 0/1 endpoints only"
        )
        return {
            "hr_per_sd": self.hr_per_sd(),
            "hr_per_sd_oriented": self.oriented_per_sd(),
            "n": int(self.competing["n"]),
            "events": self.n_events(),
            "follow_up_unit": self.competing["unit"],
            "power": power_record(
                self.n_events(),
                self.expected_direction,
                self.published_hr,
                published_proportion=self.published_proportion,
                endpoint_match=self.endpoint_match,
                margins=self.margins,
            ),
            "adjusted": {"not_computed": why},
            "null": {"not_computed": why},
        }


@dataclass
class ClaimReproduction:
    """All tests of one claim, its pooled estimates, summary and (2 x 2 claims) the table."""

    claim: Any
    tests: list[ClaimTest] = field(default_factory=list)
    pooled: dict[str, MetaAnalysisResult] = field(default_factory=dict)
    pools: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    published_table: BinaryResult | None = None
    published_table_verdict: Verdict | None = None
    headline_pool: str | None = None
    other_pools: list[str] = field(default_factory=list)

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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of the claim's reproduction."""
        table = None
        if self.published_table is not None and self.published_table_verdict is not None:
            result = self.published_table
            table = {
                "table": np.asarray(result.table).tolist(),
                "fisher_p": result.fisher.p,
                "odds_ratio": result.fisher.odds_ratio,
                "conditional_mle_odds_ratio": result.fisher.odds_ratio,
                "odds_ratio_ci": [result.fisher.lower, result.fisher.upper],
                "sample_odds_ratio": result.odds_ratio,
                "relative_risk": result.relative_risk,
                "chisq_yates_p": result.p_chisq_yates,
                "verdict": self.published_table_verdict.verdict,
                "reason": self.published_table_verdict.reason,
            }
        return {
            "claim_id": self.claim.id,
            "seed_document": self.claim.seed_document,
            "source": getattr(self.claim, "source", ""),  # a user's claim: DOI, PMID or URL
            "statement": self.claim.statement,
            "paper": self.paper(),
            "summary": self.summary,
            "tests": [test.to_dict() for test in self.tests],
            "pools": self.pools,
            "headline_pool": self.headline_pool,
            "headline_rule": HEADLINE_RULE,
            "other_pools": self.other_pools,
            "published_table_recomputed": table,
        }


@dataclass
class Reproduction:
    """The result of :func:`reproduce_claims`."""

    claims: list[ClaimReproduction]
    cohorts: list[str]
    options: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """One row per claim x cohort x signature, with the paper's numbers beside ours."""
        out = []
        for record in self.claims:
            paper = record.paper()
            for test in record.tests:
                out.append({**test.to_dict(), "paper": paper})
        return out

    def nulls(self) -> list[dict[str, Any]]:
        """The random-signature null of every test it was computed on, with that test."""
        out = []
        for row in self.rows():
            if row["null"] is None:
                continue
            out.append(
                {
                    "claim_id": row["claim_id"],
                    "test_id": row["test_id"],
                    "cohort": row["cohort"],
                    "signature_id": row["signature_id"],
                    "endpoint": row["endpoint"],
                    "subgroup": row["subgroup"],
                    **row["null"],
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (``results.json`` of ``sigsurv reproduce``)."""
        return {
            "verdicts": list(VERDICTS),
            "definitions": {**DEFINITIONS, **FIELD_DEFINITIONS, "headline_rule": HEADLINE_RULE},
            "alpha": ALPHA,
            "options": self.options,
            "cohorts": self.cohorts,
            "rows": self.rows(),
            "claims": [record.to_dict() for record in self.claims],
            "random_signature_null": self.nulls(),
        }


def _subgroup_columns(expression: str) -> set[str]:
    tree = parse_subgroup(expression)
    columns: set[str] = set()

    def walk(node: tuple) -> None:
        if node[0] == "cmp":
            columns.add(node[1])
        elif node[0] == "not":
            walk(node[1])
        else:
            for child in node[1]:
                walk(child)

    walk(tree)
    return columns


def _choose_endpoint(claim: Any, cohort: Cohort) -> tuple[str | None, str | None, str]:
    available = list(cohort.endpoints)
    for name in claim.endpoint_match.exact:
        if name in cohort.endpoints:
            return name, "exact", ""
    for name in claim.endpoint_match.analogue:
        if name in cohort.endpoints:
            return name, "analogue", ""
    wanted = list(claim.endpoint_match.exact) + list(claim.endpoint_match.analogue)
    return (
        None,
        None,
        f"no matching endpoint: the claim needs {', '.join(wanted)}; the cohort has "
        f"{', '.join(available) or 'none'}",
    )


def _stratifying_column(cohort: Cohort, candidates: Sequence[str]) -> str | None:
    """The first candidate clinical column that has more than one level in the cohort."""
    return next(
        (
            c
            for c in candidates
            if c in cohort.clinical.columns and cohort.clinical[c].nunique() > 1
        ),
        None,
    )


def _proxy_words(signature: Any, role: str, coverage: dict[str, Any]) -> str | None:
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


def _data_digest(analysis: SignatureSurvival, key: str) -> str:
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


def _score_in(cohort: Cohort, signature_id: str, samples: pd.Index) -> np.ndarray | None:
    from sigsurv.scoring import score
    from sigsurv.signatures import get_signature

    definition = get_signature(signature_id)
    try:
        scores = score(cohort, definition, method=definition.default_method)
    except SigsurvInputError:
        return None
    return scores[definition.id].reindex(samples).to_numpy(dtype=float)


@dataclass(frozen=True)
class _Options:
    seed: int
    null_random: int
    null_random_adjusted: int
    margins: tuple[float, float]


def _adjustments(
    cohort: Cohort, analysis: SignatureSurvival, subgroup: str | None
) -> tuple[dict[str, Any], np.ndarray | None]:
    """Unadjusted, clinical and proliferation-adjusted per-SD HRs of one test."""
    from sigsurv.analysis.signature import standardise_within

    survival = analysis.survival
    strata = analysis.strata_values
    values = analysis.scores.to_numpy(float)
    z = standardise_within(values, strata)
    clinical = cohort.clinical.loc[survival.samples]
    excluded = _subgroup_columns(subgroup) if subgroup else set()
    frame, names = clinical_covariates(clinical, excluded)
    out: dict[str, Any] = {}
    if names:
        try:
            out["clinical"] = adjusted_estimate(
                survival.time, survival.event, z, frame.reset_index(drop=True), strata=strata
            )
        except SigsurvInputError as error:
            out["clinical"] = _not_adjusted(reason_from_error(error), names)
    else:
        out["clinical"] = _not_adjusted("no clinical covariate in this cohort", [])
    proliferation = _score_in(cohort, PROLIFERATION_SIGNATURE, survival.samples)
    if proliferation is None or not np.isfinite(proliferation).all() or np.ptp(proliferation) == 0:
        out["proliferation"] = _not_adjusted(
            f"{PROLIFERATION_SIGNATURE} cannot be scored in this cohort "
            "(too few of its genes measured)",
            [PROLIFERATION_SIGNATURE],
        )
        return out, None
    prolif_z = standardise_within(proliferation, strata)
    try:
        out["proliferation"] = adjusted_estimate(
            survival.time,
            survival.event,
            z,
            pd.DataFrame({PROLIFERATION_SIGNATURE: prolif_z}),
            strata=strata,
        )
    except SigsurvInputError as error:
        out["proliferation"] = _not_adjusted(reason_from_error(error), [PROLIFERATION_SIGNATURE])
    return out, prolif_z


def _not_adjusted(reason: str, covariates: list[str]) -> dict[str, Any]:
    """An adjusted model that could not be fitted: the same keys, no numbers, the reason."""
    empty = dict.fromkeys(("hr", "lower", "upper", "p"))
    return {**empty, "covariates": covariates, "not_computed": reason}


def _null_record(null: Any) -> dict[str, Any]:
    return dict(null.to_dict())


def _null_for(
    cohort: Cohort, shared: SharedTest, direction: str, options: _Options
) -> dict[str, Any]:
    """Random-signature null of one test in one claim direction (unadjusted + proliferation)."""
    from sigsurv.analysis.null import random_signature_null

    analysis = shared.analysis
    survival = analysis.survival
    if analysis.signature is None:
        return {"not_computed": "no signature definition"}
    data = cohort.expression.loc[:, survival.samples]
    strata = analysis.strata_values
    common: dict[str, Any] = {
        "method": analysis.method,
        "seed": options.seed,
        "expected_direction": direction,
        "strata": strata,
        "standardise_within_strata": strata is not None,
    }
    # A stratified model needs one Cox fit per set (cox_scan has no strata): fewer sets.
    n_unadjusted = options.null_random if strata is None else options.null_random_adjusted
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            record = _null_record(
                random_signature_null(
                    data,
                    survival.time,
                    survival.event,
                    analysis.signature,
                    n_random=n_unadjusted,
                    **common,
                )
            )
    except SigsurvInputError as error:
        return {"not_computed": reason_from_error(error)}
    if shared.proliferation is None or options.null_random_adjusted <= 0:
        record["proliferation_adjusted"] = {
            "not_computed": "no proliferation score in this cohort"
            if shared.proliferation is None
            else "switched off"
        }
        return record
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            adjusted = random_signature_null(
                data,
                survival.time,
                survival.event,
                analysis.signature,
                n_random=options.null_random_adjusted,
                covariates=pd.DataFrame({PROLIFERATION_SIGNATURE: shared.proliferation}),
                **common,
            )
        record["proliferation_adjusted"] = _null_record(adjusted)
    except SigsurvInputError as error:
        record["proliferation_adjusted"] = {"not_computed": reason_from_error(error)}
    return record


def _population(claim: Any, cohort: Cohort) -> dict[str, Any]:
    """The claim's population in the cohort: ``{expression, label, exactness, reason}``."""
    expression, label, exactness, reason = population_for(claim, cohort)
    return {"expression": expression, "label": label, "exactness": exactness, "reason": reason}


def _analyse(
    claim: Any, cohort: Cohort, signature_id: str, strata_columns: Sequence[str], seed: int
) -> tuple[dict[str, Any], SignatureSurvival | None, str, list[str]]:
    """Choose endpoint, population, horizon and strata; run the analysis (or say why not)."""
    endpoint, match, reason = _choose_endpoint(claim, cohort)
    population = _population(claim, cohort)
    where: dict[str, Any] = {"endpoint": endpoint, "endpoint_match": match}
    where["population"] = population
    if endpoint is None:
        return where, None, reason, []
    if population["exactness"] is None:
        return where, None, population["reason"], []
    subgroup = population["expression"]
    where["subgroup"] = subgroup
    horizon = horizon_unit = None
    if claim.horizon is not None:
        horizon, horizon_unit = float(claim.horizon.value), claim.horizon.unit
    strata = _stratifying_column(cohort, strata_columns)
    if strata is not None:
        cohort, strata, where["strata_note"] = merge_small_strata(
            cohort, strata, endpoint, subgroup
        )
    spec = AnalysisSpec(
        endpoint=endpoint,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=subgroup,
        population=False,  # the claim's population is the subgroup
        strata=strata,
        seed=seed,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SigsurvWarning)
        try:
            analysis = analyse_signature(cohort, signature_id, spec)
        except SigsurvInputError as error:
            return where, None, reason_from_error(error), []
    messages = [str(w.message) for w in caught if issubclass(w.category, SigsurvWarning)]
    return where, analysis, "", messages


def _site_competing(
    claim: Any, cohort: Cohort, signature_id: str, strata_columns: Sequence[str]
) -> tuple[dict[str, Any] | None, str, dict[str, Any]]:
    """A site claim on the cohort's competing-risk endpoint, when it has one for the site.

    Returns ``(assessment, reason, endpoint)``: the :func:`assess_site_claim` record when the exact
    competing-risk endpoint was used; ``(None, "")`` when the cohort has none (the claim
    is tested as before, on its 0/1 or analogue endpoint); ``(None, reason)`` when the
    signature cannot be scored.
    """
    from sigsurv.claims.site_specific import assess_site_claim, choose_site_endpoint
    from sigsurv.scoring import score
    from sigsurv.signatures import get_signature

    population = _population(claim, cohort)
    if population["exactness"] is None:
        return None, "", {}
    data = cohort.subset(population["expression"]) if population["expression"] else cohort
    if choose_site_endpoint(claim, data)[1] is None:
        return None, "", {}
    definition = get_signature(signature_id)
    endpoint, cause, exactness, endpoint_reason = choose_site_endpoint(claim, data)
    where = {"endpoint": endpoint, "endpoint_exactness": exactness, "cause": cause}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            scores = score(cohort, definition, method=definition.default_method, min_coverage=0.5)
        assessment = assess_site_claim(
            claim,
            cohort,
            scores[definition.id],
            strata=_stratifying_column(data, strata_columns),
        )
    except SigsurvInputError as error:
        # Not testable on the exact competing-risk endpoint it would have used: say which.
        return None, f"{reason_from_error(error)} (endpoint {endpoint}: {endpoint_reason})", where
    if not assessment["testable"] or assessment["method"] != "competing_risks":
        return None, "", {}
    return assessment, "", where


def _competing_test(test: ClaimTest, assessment: dict[str, Any], claim: Any) -> ClaimTest:
    """Fill a test from its competing-risk assessment; the verdict from the cause-specific HR."""
    population = assessment["population"]
    test.population = {
        "expression": population["subgroup"],
        "label": population["label"],
        "exactness": population["exactness"],
        "reason": population["reason"],
    }
    test.competing = assessment
    test.endpoint, test.endpoint_match = assessment["endpoint"], assessment["endpoint_exactness"]
    test.subgroup, test.horizon = population["subgroup"], assessment["horizon"]
    test.strata = assessment["details"].get("strata")
    digest = hashlib.sha1(
        "|".join(map(str, (test.cohort, test.signature_id, test.endpoint, test.subgroup))).encode()
    )
    digest.update(repr(assessment["primary"]["per_sd"]).encode())
    test.test_id = f"{test.cohort}:{test.signature_id}:{test.endpoint}:{digest.hexdigest()[:12]}"
    per_sd = test.hr_per_sd()
    assert per_sd is not None
    if test.expected_direction == "none":
        test.detail = equivalence_verdict(per_sd["log_hr"], per_sd["se"], events=test.n_events())
    else:
        test.detail = hr_verdict(
            per_sd["hr"],
            per_sd["lower"],
            per_sd["upper"],
            events=test.n_events(),
            expected_direction=test.expected_direction,
            published_hr=test.published_hr,
            published_proportion=test.published_proportion,
        )
    test.verdict = test.detail.verdict
    test.reason = "; ".join(
        w for w in (test.detail.reason, assessment["endpoint_reason"], population["reason"]) if w
    )
    return test


def _copy_number_test(
    claim: Any, cohort: Cohort, survival: Any, strata_values: np.ndarray | None
) -> dict[str, Any]:
    """Cox HR of the claim's copy-number alteration vs none, on the test's patients.

    The claim's direction is about expression; a loss lowers expression, so a claim that
    a higher score is protective expects a loss to be harmful (a gain keeps the direction).
    """
    from sigsurv.survival.cox import cox_fit

    group = claim.copy_number
    column = copy_number_column(claim, cohort)
    labels = copy_number_groups(claim, cohort).reindex(survival.samples)
    known = labels.notna().to_numpy()
    altered = (labels[known] == group.alteration).to_numpy(dtype=float)
    record: dict[str, Any] = {
        "column": column,
        "alteration": group.alteration,
        "calls": list(group.calls),
        "n": int(known.sum()),
        "altered": int(altered.sum()),
        "comparison": f"{group.alteration} vs no {group.alteration}",
    }
    expected = claim.expected_direction
    if group.alteration == "loss" and expected in ("protective", "harmful"):
        expected = "harmful" if expected == "protective" else "protective"
    record["expected_direction"] = expected
    time = np.asarray(survival.time, dtype=float)[known]
    event = np.asarray(survival.event, dtype=float)[known]
    strata = None if strata_values is None else strata_values[known]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            fit = cox_fit(time, event, pd.DataFrame({group.alteration: altered}), strata=strata)
    except SigsurvInputError as error:
        return record | {"not_computed": reason_from_error(error)}
    row = fit.summary.loc[group.alteration]
    hr, lower, upper = (float(row[k]) for k in ("hr", "ci_lower", "ci_upper"))
    verdict = hr_verdict(
        hr if fit.well_defined else None,
        lower,
        upper,
        events=int(event.sum()),
        expected_direction=expected,
        published_proportion=None,
    )
    oriented = orient_hr(hr, lower, upper, expected)
    return record | {
        "events": int(event.sum()),
        "hr": hr,
        "lower": lower,
        "upper": upper,
        "p": float(row["p_wald"]),
        "hr_oriented": dict(zip(("hr", "lower", "upper"), oriented, strict=True)),
        "verdict": verdict.verdict,
        "reason": verdict.reason,
    }


def _copy_number_words(record: dict[str, Any]) -> str:
    """The copy-number comparison in one phrase for the test's reason."""
    head = f"copy number ({record['column']}): {record['comparison']}"
    if "not_computed" in record:
        return f"{head} not computed: {record['not_computed']}"
    return (
        f"{head} HR {record['hr']:.2f} ({record['lower']:.2f}-{record['upper']:.2f}), "
        f"{record['altered']} of {record['n']} with a {record['alteration']}: {record['verdict']}"
    )


def _verdict(test: ClaimTest, options: _Options) -> Verdict:
    per_sd = test.hr_per_sd()
    assert per_sd is not None and test.analysis is not None
    if test.expected_direction == "none":
        return equivalence_verdict(
            per_sd["log_hr"],
            per_sd["se"],
            events=int(test.analysis.survival.events),
            margins=options.margins,
        )
    return hr_verdict(
        per_sd["hr"],
        per_sd["lower"],
        per_sd["upper"],
        events=int(test.analysis.survival.events),
        expected_direction=test.expected_direction,
        published_hr=test.published_hr,
        published_proportion=test.published_proportion,
    )


def _copy_number_without_scores(
    test: ClaimTest, claim: Any, cohort: Cohort, strata_columns: Sequence[str]
) -> None:
    """The copy-number comparison of a test whose signature cannot be scored."""
    from sigsurv.analysis.data import prepare_survival

    if getattr(claim, "copy_number", None) is None or not copy_number_column(claim, cohort):
        return
    horizon = claim.horizon
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            data, survival = prepare_survival(
                cohort,
                test.endpoint,
                horizon=None if horizon is None else float(horizon.value),
                horizon_unit=None if horizon is None else horizon.unit,
                subgroup=test.subgroup,
            )
    except SigsurvInputError as error:
        test.copy_number = {"not_computed": reason_from_error(error)}
        return
    column = _stratifying_column(data, strata_columns)
    strata = None if column is None else data.clinical[column].astype(str).to_numpy()
    test.copy_number = _copy_number_test(claim, cohort, survival, strata)
    test.reason = f"{test.reason}; {_copy_number_words(test.copy_number)}"


def _new_test(claim: Any, cohort: Cohort, signature: Any, role: str) -> ClaimTest:
    """An untested row, oriented: the claim's direction times the score's relation."""
    direction = combined_direction(claim.expected_direction, signature.score_relation)
    published = claim.value if claim.statistic == "hazard_ratio" else None
    if published is not None and direction != claim.expected_direction:
        published = 1.0 / published  # the claimed quantity's HR, seen through an inverse score
    return ClaimTest(
        claim_id=claim.id,
        cohort=cohort.name,
        signature_id=signature.id,
        signature_role=role,
        verdict=NOT_TESTABLE,
        reason="",
        expected_direction=direction,
        claim_direction=claim.expected_direction,
        score_relation=signature.score_relation,
        published_hr=published,
        published_proportion=_published_proportion(claim),
        orientation=_orientation_words(signature, claim.expected_direction, direction),
    )


def _published_proportion(claim: Any) -> float | None:
    """None for a published HR per unit (``scale: continuous``), else a median split."""
    comparison = getattr(claim, "comparison", None)
    return None if getattr(comparison, "scale", None) == "continuous" else 0.5


def _orientation_words(signature: Any, claim_direction: str, direction: str) -> str:
    """``higher target score = lower miR-21; the claim ... predicts lower risk ...``."""
    meaning = signature.score_meaning or f"higher score = higher {signature.name}"
    predicted = {
        "protective": "lower risk",
        "harmful": "higher risk",
        "none": "no difference in risk",
    }[direction]
    return (
        f"{meaning}; the claim ({claim_direction} for the claimed quantity) predicts "
        f"{predicted} with a higher score"
    )


def _shared_test(
    test_id: str,
    cohort: Cohort,
    analysis: SignatureSurvival,
    subgroup: str | None,
    messages: list[str],
    seed: int,
) -> SharedTest:
    """Compute once what every claim sharing this test reads: adjustments and cut rows."""
    adjusted, proliferation = _adjustments(cohort, analysis, subgroup)
    shared = SharedTest(
        test_id=test_id,
        analysis=analysis,
        adjusted=adjusted,
        cut_rows=cut_rows(
            analysis.survival.time,
            analysis.survival.event,
            analysis.scores.to_numpy(float),
            strata=analysis.strata_values,
            seed=seed,
        ),
        proliferation=proliferation,
        warnings=messages
        + [
            f"{model} adjustment: {record['warning']}"
            for model, record in adjusted.items()
            if record.get("warning")
        ],
    )
    return shared


def _test_one(
    claim: Any,
    cohort: Cohort,
    signature_id: str,
    role: str,
    strata_columns: Sequence[str],
    options: _Options,
    shared_tests: dict[str, SharedTest],
) -> ClaimTest:
    """One claim x cohort x signature row: choose, analyse (or share), judge, explain."""
    from sigsurv.signatures import get_signature

    signature = get_signature(signature_id)
    test = _new_test(claim, cohort, signature, role)
    test.margins = options.margins
    if getattr(claim, "site", ""):
        assessment, why, chosen = _site_competing(claim, cohort, signature_id, strata_columns)
        if assessment is not None:
            return _competing_test(test, assessment, claim)
        if why:
            test.population = _population(claim, cohort)
            test.endpoint, test.endpoint_match = chosen["endpoint"], chosen["endpoint_exactness"]
            test.detail = not_testable(why)
            test.reason = test.detail.reason
            return test
    where, analysis, reason, messages = _analyse(
        claim, cohort, signature_id, strata_columns, options.seed
    )
    test.endpoint, test.endpoint_match = where["endpoint"], where["endpoint_match"]
    test.subgroup = where.get("subgroup")
    test.population = where["population"]
    test.strata_note = where.get("strata_note")
    if analysis is None:
        test.detail = not_testable(reason)
        test.reason = test.detail.reason
        if where["endpoint"] and (test.population or {}).get("exactness"):
            # The loss comparison needs no expression: run it without the signature.
            _copy_number_without_scores(test, claim, cohort, strata_columns)
        return test
    test.analysis = analysis
    test.horizon, test.strata = analysis.survival.horizon, analysis.strata
    key = "|".join(map(str, (cohort.name, signature_id, test.endpoint, test.subgroup, test.strata)))
    test_id = f"{cohort.name}:{signature_id}:{test.endpoint}:{_data_digest(analysis, key)}"
    if test_id not in shared_tests:
        # The adjusted models' own warnings (which know no cohort) name where they arose.
        with warnings_naming(f"{cohort.name}, claim {claim.id}, signature {signature_id}"):
            shared_tests[test_id] = _shared_test(
                test_id, cohort, analysis, test.subgroup, messages, options.seed
            )
        for message in shared_tests[test_id].warnings:
            # Surfaced once per distinct test (and kept in the test's row).
            where_said = f"{cohort.name}, claim {claim.id}, signature {signature_id}"
            warnings.warn(f"{where_said}: {message}", SigsurvWarning, stacklevel=2)
    shared = shared_tests[test_id]
    shared.claim_ids.append(claim.id)
    test.test_id, test.shared = test_id, shared
    if options.null_random > 0 and test.expected_direction not in shared.nulls:
        shared.nulls[test.expected_direction] = _null_for(
            cohort, shared, test.expected_direction, options
        )
    test.detail = _verdict(test, options)
    _adjust_for_confounders(test, cohort, signature)
    _qualify_by_null(test)
    test.verdict = test.detail.verdict
    test.reason = "; ".join(_reason_words(test, claim, cohort, signature, role))
    return test


def _reason_words(
    test: ClaimTest, claim: Any, cohort: Cohort, signature: Any, role: str
) -> list[str]:
    """The row's reason: verdict, orientation, analogues, copy number, proxy, warnings."""
    assert test.analysis is not None and test.shared is not None and test.detail is not None
    words = [test.detail.reason]
    if test.score_relation == "inverse" and test.orientation:
        words.append(test.orientation)
    if test.endpoint_match == "analogue":
        words.append(f"endpoint {test.endpoint} used as an analogue of {claim.endpoint!r}")
    if test.population and test.population["exactness"] == "analogue":
        words.append(
            f"population {test.population['label']!r} used as an analogue of "
            f"{claim.population!r} ({test.population['reason']})"
        )
    if test.strata_note:
        words.append(test.strata_note)
    if getattr(claim, "copy_number", None) is not None and copy_number_column(claim, cohort):
        test.copy_number = _copy_number_test(
            claim, cohort, test.analysis.survival, test.analysis.strata_values
        )
        words.append(_copy_number_words(test.copy_number))
    test.proxy = _proxy_words(signature, role, test.analysis.coverage)
    if test.proxy:
        words.append(test.proxy)
    words.extend(test.shared.warnings)
    return words


def _adjust_for_confounders(test: ClaimTest, cohort: Cohort, signature: Any) -> None:
    """Judge on the HR adjusted for the signature's confounders, or mark it confounded."""
    from sigsurv.analysis.signature import standardise_within

    detail = test.detail
    if not signature.confounders or detail is None or detail.verdict == NOT_TESTABLE:
        return
    assert test.analysis is not None and test.shared is not None
    analysis, survival = test.analysis, test.analysis.survival
    strata = analysis.strata_values
    restricted = _subgroup_columns(test.subgroup) if test.subgroup else set()
    frame, measures = confounder_design(
        cohort,
        pd.Index(survival.samples),
        signature.confounders,
        restricted=restricted,
        proliferation=test.shared.proliferation,
        strata=strata,
    )
    names = ", ".join(signature.confounders)
    record: dict[str, Any] = {"confounders": list(signature.confounders), "measures": measures}
    record["unadjusted"] = test.hr_per_sd()
    if all(m["status"] == "restricted" for m in measures):
        test.confounding = record | {"status": "controlled by restriction", "adjusted": None}
        return
    reading = detail.ci_reading or detail.verdict
    if frame is None:
        missing = "; ".join(m["how"] for m in measures if m["status"] == "none")
        test.confounding = record | {"status": "not measured", "adjusted": None}
        test.detail = _confounded(detail, reading, f"{names} not measured ({missing})")
        return
    z = standardise_within(analysis.scores.to_numpy(float), strata)
    adjusted = adjusted_for_confounders(survival.time, survival.event, z, frame, strata)
    test.confounding = record | {"status": "adjusted", "adjusted": adjusted}
    if adjusted["hr"] is None:
        why = adjusted.get("not_computed") or "no estimate"
        test.detail = _confounded(detail, reading, f"the {names}-adjusted model: {why}")
        return
    covariates = ", ".join(frame.columns)
    test.verdict_basis = f"per-SD HR adjusted for {covariates}"
    new = _verdict_from(test, adjusted)
    per_sd = record["unadjusted"] or {}
    unadjusted = (
        f"unadjusted per-SD HR {per_sd['hr']:.2f} ({per_sd['lower']:.2f}–{per_sd['upper']:.2f})"
    )
    how = "; ".join(m["how"] for m in measures)
    test.detail = Verdict(
        new.verdict,
        f"adjusted for {covariates} ({how}): {new.reason}; {unadjusted}",
        new.ci_reading,
        new.power,
        new.target_hr,
        new.target_source,
    )


def _confounded(detail: Verdict, reading: str, why: str) -> Verdict:
    """``confounded, not adjusted`` keeping the unadjusted reading (design verdicts stay)."""
    if detail.verdict in (NOT_INFORMATIVE, NOT_TESTABLE):
        return Verdict(
            detail.verdict,
            f"{detail.reason}; confounded, not adjusted: {why}",
            detail.ci_reading,
            detail.power,
            detail.target_hr,
            detail.target_source,
        )
    return Verdict(
        CONFOUNDED,
        f"confounded, not adjusted: {why}; unadjusted {detail.reason}",
        reading,
        detail.power,
        detail.target_hr,
        detail.target_source,
    )


def _verdict_from(test: ClaimTest, estimate: dict[str, Any]) -> Verdict:
    """The verdict rule applied to another estimate of the same test (e.g. adjusted)."""
    if test.expected_direction == "none":
        return equivalence_verdict(estimate["log_hr"], estimate["se"], events=estimate["events"])
    return hr_verdict(
        estimate["hr"],
        estimate["lower"],
        estimate["upper"],
        events=int(estimate["events"]),
        expected_direction=test.expected_direction,
        published_hr=test.published_hr,
        published_proportion=test.published_proportion,
    )


def _qualify_by_null(test: ClaimTest) -> None:
    """A consistent score that does not beat matched random signatures says so."""
    detail = test.detail
    if detail is None or detail.verdict != CONSISTENT or test.shared is None:
        return
    null = test.shared.nulls.get(test.expected_direction) or {}
    p = null.get("p_empirical")
    if p is None or p <= NULL_P_MAX:
        return
    words = (
        f"not better than random signatures: empirical p {p:.3f} (percentile "
        f"{null.get('percentile', float('nan')):.0f} of {null.get('n_sets')} matched random "
        f"sets, signed in the claim's direction)"
    )
    test.detail = Verdict(
        CONSISTENT_NOT_BEYOND_NULL,
        f"{detail.reason}; {words}",
        CONSISTENT,
        detail.power,
        detail.target_hr,
        detail.target_source,
    )


def _pool(record: ClaimReproduction) -> None:
    """Pool per signature, endpoint and population exactness (:mod:`sigsurv.claims.pooling`)."""
    record.pooled, record.pools = pool_tests(record.tests)


def _endpoint_order(claim: Any) -> list[str]:
    return [*claim.endpoint_match.exact, *claim.endpoint_match.analogue]


def _distinct(tests: Sequence[ClaimTest]) -> list[ClaimTest]:
    """One row per distinct test (rows sharing a computation counted once)."""
    seen: set[str] = set()
    out = []
    for test in tests:
        if test.test_id is not None:
            if test.test_id in seen:
                continue
            seen.add(test.test_id)
        out.append(test)
    return out


def _signature_line(
    record: ClaimReproduction, signature_id: str
) -> tuple[str, str | None, list[str]]:
    """Counts of every verdict of one signature's distinct tests, and its headline pool."""
    tests = _distinct([t for t in record.tests if t.signature_id == signature_id])
    chosen, others = headline_pool(record.pools, signature_id, _endpoint_order(record.claim))
    pooled = None if chosen is None else record.pooled.get(chosen["label"])
    label = "" if chosen is None else chosen["label"].split(" · ", 1)[1]
    estimated = [t for t in tests if t.verdict_estimate() is not None]
    unpooled = ""
    if pooled is None and len(estimated) >= 2:
        unpooled = (
            "no two cohorts share endpoint, endpoint and population exactness, and the "
            "HR basis (unadjusted, or adjusted for the same covariates)"
        )
    line = claim_summary(
        [t.verdict for t in tests],
        pooled,
        pool_label=label,
        cohorts=[t.cohort for t in tests],
        unpooled_reason=unpooled,
    )
    return line, None if chosen is None else chosen["label"], others


def _notes(record: ClaimReproduction, signature_id: str) -> list[str]:
    """Confounding and sharing, named in the summary line."""
    tests = [t for t in record.tests if t.signature_id == signature_id]
    notes = []
    adjusted = sorted(
        {t.cohort for t in tests if (t.confounding or {}).get("status") == "adjusted"}
    )
    if adjusted:
        names = ", ".join(_confounder_names(tests))
        notes.append(f"{names}-adjusted in {', '.join(adjusted)}")
    restricted = sorted(
        {
            t.cohort
            for t in tests
            if (t.confounding or {}).get("status", "").startswith("controlled")
        }
    )
    if restricted:
        names = ", ".join(_confounder_names(tests))
        notes.append(f"{names} controlled by the population in {', '.join(restricted)}")
    if any(t.verdict == CONFOUNDED for t in tests):
        notes.append("confounded, not adjusted where marked")
    shared = sorted(
        {c for t in tests if t.shared for c in t.shared.claim_ids if c != record.claim.id}
    )
    if shared:
        notes.append(f"tests shared with {', '.join(shared)} (counted once per claim)")
    return notes


def _confounder_names(tests: Sequence[ClaimTest]) -> list[str]:
    return next((list(t.confounding["confounders"]) for t in tests if t.confounding), [])


def _summarise(record: ClaimReproduction) -> None:
    primary = [t for t in record.tests if t.signature_role == "primary"]
    verdicts = [t.verdict for t in primary]
    if all(v == NOT_TESTABLE for v in verdicts) and record.published_table_verdict is not None:
        record.summary = record.published_table_verdict.reason
        record.summary += "".join(_proxy_summaries(record))
        return
    line, record.headline_pool, record.other_pools = _signature_line(
        record, record.claim.signature_id
    )
    notes = _notes(record, record.claim.signature_id)
    record.summary = line + (f" [{'; '.join(notes)}]" if notes else "")
    record.summary += "".join(_proxy_summaries(record))


def _proxy_summaries(record: ClaimReproduction) -> list[str]:
    """What each proxy showed, labelled as a proxy, with its confounding named."""
    lines = []
    for proxy_id in dict.fromkeys(
        t.signature_id for t in record.tests if t.signature_role != "primary"
    ):
        verdicts = [t.verdict for t in record.tests if t.signature_id == proxy_id]
        if all(v == NOT_TESTABLE for v in verdicts):
            continue
        text, _, others = _signature_line(record, proxy_id)
        record.other_pools.extend(others)
        notes = _notes(record, proxy_id)
        lines.append(
            f"; proxy {proxy_id} (not the claim's own measurement): {text}"
            + (f" [{'; '.join(notes)}]" if notes else "")
        )
    return lines


def _published_table(record: ClaimReproduction) -> None:
    table = record.claim.table
    if table is None:
        return
    with warnings.catch_warnings():
        # The small-expected-count flag is part of the result and shown with it.
        warnings.simplefilter("ignore", SigsurvWarning)
        result = two_by_two(np.asarray(table.counts, dtype=float))
    record.published_table = result
    record.published_table_verdict = published_table_verdict(
        result.fisher.odds_ratio, result.fisher.lower, result.fisher.upper, result.fisher.p
    )


def _multiplicity(records: Sequence[ClaimReproduction]) -> None:
    """Holm within each claim; Benjamini–Hochberg over the run's distinct tests."""
    p_by_test: dict[str, float] = {}
    for record in records:
        tested = [t for t in record.tests if _wald_p(t) is not None]
        if tested:
            adjusted = holm([_wald_p(t) for t in tested])
            for test, p in zip(tested, adjusted, strict=True):
                test.p_holm = float(p)
        for test in tested:
            p_by_test[str(test.test_id)] = float(_wald_p(test))  # type: ignore[arg-type]
    if not p_by_test:
        return
    q_values = dict(zip(p_by_test, benjamini_hochberg(list(p_by_test.values())), strict=True))
    for record in records:
        for test in record.tests:
            if test.test_id in q_values:
                test.q_bh = float(q_values[test.test_id])
                test.reason += _multiplicity_words(test)


def _multiplicity_words(test: ClaimTest) -> str:
    """The verdict is nominal; the adjusted p are beside it (said in the row's reason)."""
    return (
        f"; verdict at nominal two-sided alpha 0.05 (p {format_p(_wald_p(test))}); "
        f"Holm p {format_p(test.p_holm)} within the claim, BH q {format_p(test.q_bh)} "
        "over the run"
    )


def _wald_p(test: ClaimTest) -> float | None:
    """Wald p of the per-SD HR the verdict used (adjusted when the verdict is)."""
    per_sd = test.verdict_estimate()
    return None if per_sd is None else per_sd["p"]


@accepts_claim_files
def reproduce_claims(
    cohorts: Sequence[Cohort],
    claims: Sequence[Any] | None = None,
    *,
    include_proxies: bool = True,
    null_random: int = 1000,
    null_random_adjusted: int = 100,
    seed: int = 20240101,
    equivalence_margins: tuple[float, float] = (0.8, 1.25),
    strata_columns: Sequence[str] | None = None,
    progress: Callable[[int, int, str], Any] | None = None,
) -> Reproduction:
    """Test the seed claims on cohorts.

    Parameters
    ----------
    cohorts
        Loaded cohorts (e.g. the bundled ones and ``../shared/data/TCGA_BRCA``).
    claims
        Claims to test (default: every claim of every seed record): built-in claims
        and users' claim files (:func:`~sigsurv.seeds.load_claims`, whose inline
        signatures are then found by id), as :class:`~sigsurv.seeds.Claim` and
        :class:`~sigsurv.seeds.ClaimFile` items or one ``ClaimFile``.
    include_proxies
        Also test each claim's proxy signatures (labelled ``proxy``).
    null_random
        Random signatures per test for the unadjusted, unstratified null (vectorised;
        0 skips every null).
    null_random_adjusted
        Random signatures for the nulls that need one Cox fit per set: the
        proliferation-adjusted null, and the unadjusted null of a stratified test
        (100 by default, to keep a run of the bundled cohorts around a minute).
    seed
        Seed of the random sets and of the cross-validation of the optimal cut.
    equivalence_margins
        HR margins of the TOST equivalence verdict of a claim of no association.
    strata_columns
        Clinical columns that stratify the models when present with more than one
        level (the first such column is used). Default: each cohort's own
        :attr:`~sigsurv.cohorts.Cohort.strata_columns`, which its loader sets (TCGA:
        the sequencing machine, a strong batch effect of the miRNA data).
    progress
        ``callable(done, total, label)`` for progress bars.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.seeds import get_claim
    >>> result = reproduce_claims([load_example("gse1992")],
    ...                           [get_claim("gawrzak2018_msk1_mfs_er_pos")], null_random=0)
    >>> result.rows()[0]["verdict"] in VERDICTS
    True
    """
    from sigsurv.seeds import list_claims

    low, high = (float(m) for m in equivalence_margins)
    if not 0 < low < 1 < high:
        raise OptionError(
            "equivalence margins must satisfy 0 < low < 1 < high",
            found=f"{low:g}, {high:g}",
        )
    null_random = integer_argument("null_random", null_random)
    null_random_adjusted = integer_argument("null_random_adjusted", null_random_adjusted)
    options = _Options(seed_argument(seed), null_random, null_random_adjusted, (low, high))
    chosen = list(claims) if claims is not None else list_claims()
    jobs: list[tuple[Any, str, str]] = []
    for claim in chosen:
        if claim.signature_id is None:
            continue
        jobs.append((claim, claim.signature_id, "primary"))
        if include_proxies:
            jobs.extend((claim, proxy, "proxy") for proxy in claim.proxy_signature_ids)
    total = len(jobs) * len(cohorts)
    done = 0
    records: dict[str, ClaimReproduction] = {}
    for claim in chosen:
        record = ClaimReproduction(claim=claim)
        _published_table(record)
        records[claim.id] = record
    shared_tests: dict[str, SharedTest] = {}
    for cohort in cohorts:
        candidates = strata_candidates(cohort, strata_columns)
        for claim, signature_id, role in jobs:
            records[claim.id].tests.append(
                _test_one(claim, cohort, signature_id, role, candidates, options, shared_tests)
            )
            done += 1
            if progress is not None:
                progress(done, total, f"{claim.id} x {cohort.name}")
    for record in records.values():
        _pool(record)
        _summarise(record)
    _multiplicity(list(records.values()))
    return Reproduction(
        claims=list(records.values()),
        cohorts=[c.name for c in cohorts],
        options={
            "null_random": null_random,
            "null_random_adjusted": null_random_adjusted,
            "seed": seed,
            "equivalence_margins": list(equivalence_margins),
            "pooling": f"REML; truncated Knapp-Hartung (metafor test='adhoc') below "
            f"{KNHA_BELOW} cohorts, else z; no prediction interval below 3 cohorts; pools "
            "kept apart by endpoint and population exactness",
            "headline_rule": HEADLINE_RULE,
            "alpha": "nominal two-sided 0.05 per test; Holm and BH beside it",
            "multiplicity": "Holm within a claim, Benjamini-Hochberg over the run's "
            "distinct tests, on the Wald p of the per-SD HR each verdict used",
        },
    )
