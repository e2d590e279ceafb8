"""Test every seed claim on every cohort that can test it, and say whether it reproduces.

For each claim (``sigsurv.seeds``) and cohort, the matching analysis is chosen from
the claim record: the endpoint (an exact match such as ``bmfs``, else an explicitly
labelled analogue such as ``rfs``), the population filter (``er == 'positive'``),
the follow-up horizon (60 months) and the signature (plus its proxies). The analysis
itself is :func:`~sigsurv.survival.analysis.analyse_signature`; the verdict compares
the grouped hazard ratio (high vs low score, the claims' orientation) with the
claim's expected direction:

* ``reproduced``: same direction and p < 0.05 (for a claim of *no* difference: p >= 0.05);
* ``same direction, not significant``;
* ``opposite direction`` (for a claim of no difference: a significant association);
* ``not testable here``, with the reason (missing endpoint, genes, ER status...).

Testable cohorts are pooled per claim and signature with the DerSimonian–Laird
random-effects meta-analysis. A claim with a published 2 x 2 table is recomputed
with Fisher's exact test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sigsurv.cohorts.model import Cohort
from sigsurv.cohorts.subgroup import parse_subgroup
from sigsurv.errors import SigsurvInputError, SigsurvWarning
from sigsurv.survival.analysis import AnalysisSpec, SignatureSurvival, analyse_signature
from sigsurv.survival.binary import BinaryResult, two_by_two
from sigsurv.survival.meta import MetaAnalysisResult, meta_analysis

__all__ = [
    "NOT_TESTABLE",
    "VERDICTS",
    "ClaimReproduction",
    "ClaimTest",
    "Reproduction",
    "reproduce_claims",
    "verdict_for",
]

VERDICTS = (
    "reproduced",
    "same direction, not significant",
    "opposite direction",
    "not testable here",
)
NOT_TESTABLE = VERDICTS[3]
ALPHA = 0.05


@dataclass
class ClaimTest:
    """One claim x cohort x signature test."""

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
            "concordance": float(result.concordance.concordance),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "claim_id": self.claim_id,
            "cohort": self.cohort,
            "signature_id": self.signature_id,
            "signature_role": self.signature_role,
            "verdict": self.verdict,
            "reason": self.reason,
            "endpoint": self.endpoint,
            "endpoint_match": self.endpoint_match,
            "subgroup": self.subgroup,
            "horizon": self.horizon,
            "strata": self.strata,
            "estimate": self.estimate(),
        }


@dataclass
class ClaimReproduction:
    """All tests of one claim, the pooled estimates and (2 x 2 claims) the exact test."""

    claim: Any
    tests: list[ClaimTest] = field(default_factory=list)
    pooled: dict[str, MetaAnalysisResult] = field(default_factory=dict)
    pooled_verdict: dict[str, tuple[str, str]] = field(default_factory=dict)
    published_table: BinaryResult | None = None
    published_table_verdict: tuple[str, str] | None = None

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
        pooled = {}
        for signature_id, meta in self.pooled.items():
            verdict, reason = self.pooled_verdict[signature_id]
            pooled[signature_id] = {
                "studies": list(meta.studies) if meta.studies is not None else None,
                "random_effects": _pooled_dict(meta.random),
                "fixed_effect": _pooled_dict(meta.fixed),
                "q": meta.q,
                "q_df": meta.q_df,
                "q_p": meta.q_p,
                "i2": meta.i2,
                "tau2": meta.tau2,
                "verdict": verdict,
                "reason": reason,
            }
        table = None
        if self.published_table is not None:
            result = self.published_table
            verdict, reason = self.published_table_verdict or (NOT_TESTABLE, "")
            table = {
                "table": np.asarray(result.table).tolist(),
                "fisher_p": result.fisher.p,
                "conditional_mle_odds_ratio": result.fisher.odds_ratio,
                "odds_ratio_ci": [result.fisher.lower, result.fisher.upper],
                "sample_odds_ratio": result.odds_ratio,
                "relative_risk": result.relative_risk,
                "chisq_yates_p": result.p_chisq_yates,
                "verdict": verdict,
                "reason": reason,
            }
        return {
            "claim_id": self.claim.id,
            "seed_document": self.claim.seed_document,
            "statement": self.claim.statement,
            "paper": self.paper(),
            "tests": [test.to_dict() for test in self.tests],
            "pooled": pooled,
            "published_table_recomputed": table,
        }


def _pooled_dict(estimate: Any) -> dict[str, Any]:
    return {
        "hr": estimate.hr,
        "ci_lower": estimate.lower,
        "ci_upper": estimate.upper,
        "p": estimate.p,
        "log_hr": estimate.log_hr,
        "se": estimate.se,
    }


@dataclass
class Reproduction:
    """The result of :func:`reproduce_claims`."""

    claims: list[ClaimReproduction]
    cohorts: list[str]
    nulls: dict[tuple[str, str], Any] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """One row per claim x cohort x signature, with the paper's numbers beside ours."""
        out = []
        for record in self.claims:
            paper = record.paper()
            for test in record.tests:
                out.append({**test.to_dict(), "paper": paper})
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (``results.json`` of ``sigsurv reproduce``)."""
        return {
            "verdicts": list(VERDICTS),
            "alpha": ALPHA,
            "cohorts": self.cohorts,
            "rows": self.rows(),
            "claims": [record.to_dict() for record in self.claims],
            "random_signature_null": [
                {"cohort": cohort, **null.to_dict()}
                if not isinstance(null, str)
                else {"cohort": cohort, "signature_id": signature_id, "not_computed": null}
                for (cohort, signature_id), null in self.nulls.items()
            ],
        }


def verdict_for(hr: float | None, p: float | None, expected: str) -> tuple[str, str]:
    """Classify an estimate against a claim's expected direction.

    Parameters
    ----------
    hr, p
        Hazard ratio (high vs low) and its p-value.
    expected
        ``protective`` (HR < 1), ``harmful`` (HR > 1) or ``none`` (no association).

    Examples
    --------
    >>> verdict_for(0.5, 0.01, "protective")[0]
    'reproduced'
    >>> verdict_for(1.4, 0.3, "protective")[0]
    'opposite direction'
    >>> verdict_for(0.9, 0.6, "none")[0]
    'reproduced'
    """
    if hr is None or p is None or not np.isfinite(hr) or not np.isfinite(p):
        return NOT_TESTABLE, "hazard ratio not estimable (model not well defined)"
    described = f"HR {hr:.2f}, p = {p:.3g}"
    if expected == "none":
        if p >= ALPHA:
            return VERDICTS[0], f"no significant association, as claimed ({described})"
        return VERDICTS[2], f"a significant association where none was claimed ({described})"
    wanted_below_one = expected == "protective"
    same = (hr < 1) if wanted_below_one else (hr > 1)
    if not same:
        return VERDICTS[
            2
        ], f"{described}; the claim expects HR {'<' if wanted_below_one else '>'} 1"
    if p < ALPHA:
        return VERDICTS[0], f"same direction and significant ({described})"
    return VERDICTS[1], f"same direction, p >= {ALPHA} ({described})"


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


def _test_one(
    claim: Any,
    cohort: Cohort,
    signature_id: str,
    role: str,
    seed: int,
    strata_columns: Sequence[str],
) -> ClaimTest:
    endpoint, match, reason = _choose_endpoint(claim, cohort)
    base = {
        "claim_id": claim.id,
        "cohort": cohort.name,
        "signature_id": signature_id,
        "signature_role": role,
    }
    if endpoint is None:
        return ClaimTest(**base, verdict=NOT_TESTABLE, reason=reason)
    subgroup = claim.population_filter or None
    if subgroup:
        missing = sorted(_subgroup_columns(subgroup) - set(cohort.clinical.columns))
        if missing:
            return ClaimTest(
                **base,
                verdict=NOT_TESTABLE,
                reason=f"population {claim.population!r} needs clinical field(s) "
                f"{', '.join(missing)}, absent from this cohort",
                endpoint=endpoint,
                endpoint_match=match,
            )
    horizon = None
    horizon_unit = None
    if claim.horizon is not None:
        horizon, horizon_unit = float(claim.horizon.value), claim.horizon.unit
    strata = _stratifying_column(cohort, strata_columns)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            spec = AnalysisSpec(
                endpoint=endpoint,
                horizon=horizon,
                horizon_unit=horizon_unit,
                subgroup=subgroup,
                population=False,  # the claim's population is the subgroup
                strata=strata,
                seed=seed,
            )
            analysis = analyse_signature(cohort, signature_id, spec)
    except SigsurvInputError as error:
        return ClaimTest(
            **base,
            verdict=NOT_TESTABLE,
            reason=f"{type(error).__name__}: {error.message}"
            + (f" ({error.found})" if error.found is not None else ""),
            endpoint=endpoint,
            endpoint_match=match,
            subgroup=subgroup,
        )
    grouped = analysis.hazard_ratio_grouped
    verdict, why = verdict_for(grouped["hr"], grouped["p_wald"], claim.expected_direction)
    if match == "analogue":
        why += f"; endpoint {endpoint} used as an analogue of {claim.endpoint!r}"
    if role == "proxy":
        why += "; proxy signature"
    return ClaimTest(
        **base,
        verdict=verdict,
        reason=why,
        endpoint=endpoint,
        endpoint_match=match,
        subgroup=subgroup,
        horizon=analysis.survival.horizon,
        strata=analysis.strata,
        analysis=analysis,
    )


def _pool(record: ClaimReproduction) -> None:
    by_signature: dict[str, list[ClaimTest]] = {}
    for test in record.tests:
        estimate = test.analysis.hazard_ratio_grouped if test.analysis is not None else None
        if estimate is not None and estimate["coef"] is not None and estimate["se"]:
            by_signature.setdefault(test.signature_id, []).append(test)
    for signature_id, tests in by_signature.items():
        if len(tests) < 2:
            continue
        log_hr = [t.analysis.hazard_ratio_grouped["coef"] for t in tests]  # type: ignore[union-attr]
        se = [t.analysis.hazard_ratio_grouped["se"] for t in tests]  # type: ignore[union-attr]
        meta = meta_analysis(log_hr, se, labels=[t.cohort for t in tests])
        record.pooled[signature_id] = meta
        record.pooled_verdict[signature_id] = verdict_for(
            meta.random.hr, meta.random.p, record.claim.expected_direction
        )


def _published_table(record: ClaimReproduction) -> None:
    table = record.claim.table
    if table is None:
        return
    with warnings.catch_warnings():
        # The small-expected-count flag is part of the result and shown with it.
        warnings.simplefilter("ignore", SigsurvWarning)
        result = two_by_two(np.asarray(table.counts, dtype=float))
    record.published_table = result
    expected = record.claim.expected_direction
    odds_ratio = result.fisher.odds_ratio
    record.published_table_verdict = verdict_for(
        # The first row is the exposed group (e.g. high miR-21), the first column the
        # event (progression): OR > 1 means harmful, as an HR > 1 would.
        odds_ratio,
        result.fisher.p,
        expected,
    )


def reproduce_claims(
    cohorts: Sequence[Cohort],
    claims: Sequence[Any] | None = None,
    *,
    include_proxies: bool = True,
    null_random: int = 200,
    seed: int = 20240101,
    strata_columns: Sequence[str] | None = None,
    progress: Callable[[int, int, str], Any] | None = None,
) -> Reproduction:
    """Test the seed claims on cohorts.

    Parameters
    ----------
    cohorts
        Loaded cohorts (e.g. the bundled ones and ``../shared/data/TCGA_BRCA``).
    claims
        Claims to test (default: every claim of every seed record).
    include_proxies
        Also test each claim's proxy signatures (labelled ``proxy``).
    null_random
        Random signatures per signature x cohort for the random-signature null
        (0 to skip).
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
    from sigsurv.signatures import get_signature
    from sigsurv.survival.null import random_signature_null

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
    for cohort in cohorts:
        for claim, signature_id, role in jobs:
            candidates = cohort.strata_columns if strata_columns is None else strata_columns
            records[claim.id].tests.append(
                _test_one(claim, cohort, signature_id, role, seed, candidates)
            )
            done += 1
            if progress is not None:
                progress(done, total, f"{claim.id} x {cohort.name}")
    for record in records.values():
        _pool(record)
    nulls: dict[tuple[str, str], Any] = {}
    if null_random > 0:
        for record in records.values():
            for test in record.tests:
                key = (test.cohort, test.signature_id)
                if test.analysis is None or key in nulls:
                    continue
                cohort = next(c for c in cohorts if c.name == test.cohort)
                data = cohort.expression.loc[:, test.analysis.survival.samples]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SigsurvWarning)
                    try:
                        nulls[key] = random_signature_null(
                            data,
                            test.analysis.survival.time,
                            test.analysis.survival.event,
                            get_signature(test.signature_id),
                            method=test.analysis.method,
                            n_random=null_random,
                            seed=seed,
                        )
                    except SigsurvInputError as error:
                        nulls[key] = f"{type(error).__name__}: {error.message}"
    return Reproduction(
        claims=list(records.values()), cohorts=[c.name for c in cohorts], nulls=nulls
    )
