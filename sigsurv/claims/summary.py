"""One line per claim: every verdict counted, contradicting cohorts named, the pool.

:func:`claim_summary` words the counts of a signature's distinct tests and its headline
pool; :func:`published_table_verdict` words a claim's published 2 x 2 table recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sigsurv.claims.pooling import MIN_COHORTS_FOR_PI, headline_pool
from sigsurv.claims.verdicts import (
    CONFOUNDED,
    CONTRADICTED,
    DIFFERENT,
    EFFECT_EXCLUDED,
    INFORMATIVE_VERDICTS,
    NOT_INFORMATIVE,
    NOT_TESTABLE,
    PUBLISHED_TABLE_RECOMPUTED,
    Verdict,
    fmt_hr,
    format_p,
)
from sigsurv.survival.meta import MetaAnalysisResult

if TYPE_CHECKING:
    from sigsurv.claims.run import Outcome
    from sigsurv.seeds.schema import Claim

__all__ = ["claim_lines", "claim_summary", "published_table_verdict"]


def published_table_verdict(
    odds_ratio: float, lower: float | None, upper: float | None, p: float | None
) -> Verdict:
    """``published table recomputed``: the authors' own 2 x 2 counts, recomputed.

    Parameters
    ----------
    odds_ratio, lower, upper
        Odds ratio of the published table and its CI (``None`` if not available).
    p
        Its p-value (e.g. Fisher's exact test).

    Returns
    -------
    Verdict
        Always ``published table recomputed``; the reason gives the odds ratio.

    Examples
    --------
    >>> v = published_table_verdict(3.2, 1.1, 9.5, 0.031)
    >>> v.verdict
    'published table recomputed'
    >>> v.reason.split(";")[0]
    'odds ratio 3.20 (95% CI 1.10–9.50), p 0.031, from the published counts'
    """
    ci = "" if lower is None or upper is None else f" (95% CI {fmt_hr(lower)}–{fmt_hr(upper)})"
    reason = (
        f"odds ratio {fmt_hr(odds_ratio)}{ci}, p {format_p(p)}, from the published counts; "
        "not a test on new patients"
    )
    return Verdict(PUBLISHED_TABLE_RECOMPUTED, reason)


#: Verdicts named with their cohorts in a summary line (evidence against the claim).
_NAMED = (CONTRADICTED, DIFFERENT, EFFECT_EXCLUDED)


def _pool_words(pooled: MetaAnalysisResult, pool_label: str) -> str:
    est = pooled.pooled
    level = f"{100 * pooled.conf_level:g}%"
    k = len(pooled.studies)
    if k < MIN_COHORTS_FOR_PI:
        interval = (
            f"no PI: {k} cohorts cannot estimate between-cohort spread (needs {MIN_COHORTS_FOR_PI})"
        )
    elif pooled.prediction_lower is None or pooled.prediction_upper is None:
        interval = "PI not estimated (fixed effect)"
    else:
        interval = f"PI {fmt_hr(pooled.prediction_lower)}–{fmt_hr(pooled.prediction_upper)}"
    label = f" for {pool_label}" if pool_label else ""
    return (
        f"pooled per-SD HR{label} {fmt_hr(est.hr)} "
        f"({level} CI {fmt_hr(est.lower)}–{fmt_hr(est.upper)}; {interval})"
    )


def claim_summary(
    verdicts: Sequence[str],
    pooled: MetaAnalysisResult | None = None,
    *,
    pool_label: str = "",
    null_claim: bool = False,
    cohorts: Sequence[str] | None = None,
    unpooled_reason: str = "",
) -> str:
    """One line per claim: every verdict counted, of the informative cohorts, and the pool.

    Parameters
    ----------
    verdicts
        The claim's verdicts, one per distinct test (a test shared by two rows counted
        once). Informative = any verdict of :data:`INFORMATIVE_VERDICTS`.
    pooled
        Meta-analysis of the per-SD log HRs, or ``None``.
    pool_label
        Shown after "pooled per-SD HR" (e.g. the endpoint), if given.
    null_claim
        The claim is of no association (kept for the callers; the counts name every
        verdict whatever the claim).
    cohorts
        The cohort of each verdict; contradicting cohorts are named when given.
    unpooled_reason
        Why there is no pool, when there were estimates to pool.

    Returns
    -------
    str

    Examples
    --------
    >>> from sigsurv.survival.meta import meta_analysis
    >>> pool = meta_analysis([-0.6, -0.1, -0.35], [0.1, 0.12, 0.15], method="REML",
    ...                      test="adhoc")
    >>> line = claim_summary(["consistent", "contradicted", "not informative"], pool,
    ...                      cohorts=["a", "b", "c"])
    >>> for part in line.split("; "):
    ...     print(part)
    1 consistent, 1 contradicted (b) of 2 informative cohorts (1 not informative)
    pooled per-SD HR 0.70 (95% CI 0.37–1.34
    PI 0.21–2.30)
    """
    del null_claim  # every verdict kind is counted by name
    names = list(cohorts) if cohorts is not None else [""] * len(verdicts)
    informative = [v for v in verdicts if v in INFORMATIVE_VERDICTS]
    counts = []
    for kind in INFORMATIVE_VERDICTS:
        n = sum(v == kind for v in informative)
        if not n:
            continue
        where = [c for c, v in zip(names, verdicts, strict=True) if v == kind and c]
        named = f" ({', '.join(where)})" if kind in _NAMED and where else ""
        counts.append(f"{n} {kind}{named}")
    head = ", ".join(counts) if counts else "0 consistent"
    head += f" of {len(informative)} informative cohort{'s' if len(informative) != 1 else ''}"
    others = [
        f"{sum(v == kind for v in verdicts)} {kind}"
        for kind in (NOT_INFORMATIVE, NOT_TESTABLE)
        if kind in verdicts
    ]
    if others:
        head += f" ({', '.join(others)})"
    if pooled is None:
        return f"{head}; not pooled" + (f" ({unpooled_reason})" if unpooled_reason else "")
    return f"{head}; {_pool_words(pooled, pool_label)}"


def _distinct(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """One row per distinct test (rows sharing a computation counted once)."""
    seen: set[str] = set()
    out = []
    for outcome in outcomes:
        if outcome.test_id is not None:
            if outcome.test_id in seen:
                continue
            seen.add(outcome.test_id)
        out.append(outcome)
    return out


def _signature_line(
    claim: Claim,
    outcomes: Sequence[Outcome],
    pooled: Mapping[str, MetaAnalysisResult],
    pools: Sequence[dict[str, Any]],
    signature_id: str,
) -> tuple[str, str | None, list[str]]:
    """Counts of every verdict of one signature's distinct tests, and its headline pool."""
    tests = _distinct([t for t in outcomes if t.signature.id == signature_id])
    order = [*claim.endpoint_match.exact, *claim.endpoint_match.analogue]
    chosen, others = headline_pool(pools, signature_id, order)
    pool = None if chosen is None else pooled.get(chosen["label"])
    label = "" if chosen is None else chosen["label"].split(" · ", 1)[1]
    estimated = [t for t in tests if t.verdict_hr is not None]
    unpooled = ""
    if pool is None and len(estimated) >= 2:
        unpooled = (
            "no two cohorts share endpoint, endpoint and population exactness, and the "
            "HR basis (unadjusted, or adjusted for the same covariates)"
        )
    line = claim_summary(
        [t.verdict for t in tests],
        pool,
        pool_label=label,
        cohorts=[t.plan.cohort for t in tests],
        unpooled_reason=unpooled,
    )
    return line, None if chosen is None else chosen["label"], others


def _notes(
    claim: Claim,
    outcomes: Sequence[Outcome],
    signature_id: str,
    sharing: Mapping[str, Sequence[str]],
) -> list[str]:
    """Confounding and sharing, named in the summary line."""
    tests = [t for t in outcomes if t.signature.id == signature_id]
    status = {id(t): (t.confounding or {}).get("status", "") for t in tests}
    names = ", ".join(
        next((list(t.confounding["confounders"]) for t in tests if t.confounding), [])
    )
    notes = []
    adjusted = sorted({t.plan.cohort for t in tests if status[id(t)] == "adjusted"})
    if adjusted:
        notes.append(f"{names}-adjusted in {', '.join(adjusted)}")
    restricted = sorted({t.plan.cohort for t in tests if status[id(t)].startswith("controlled")})
    if restricted:
        notes.append(f"{names} controlled by the population in {', '.join(restricted)}")
    if any(t.verdict == CONFOUNDED for t in tests):
        notes.append("confounded, not adjusted where marked")
    shared = sorted(
        {c for t in tests if t.test_id for c in sharing.get(t.test_id, ()) if c != claim.id}
    )
    if shared:
        notes.append(f"tests shared with {', '.join(shared)} (counted once per claim)")
    return notes


def claim_lines(
    claim: Claim,
    outcomes: Sequence[Outcome],
    pooled: Mapping[str, MetaAnalysisResult],
    pools: Sequence[dict[str, Any]],
    table_verdict: Verdict | None,
    sharing: Mapping[str, Sequence[str]],
) -> tuple[str, str | None, list[str]]:
    """``(summary, headline pool, other pools)`` of one claim.

    The summary counts the primary signature's verdicts, names its headline pool,
    confounding and shared tests, then what each proxy showed (labelled as a proxy);
    a claim testable only through its published table says that table's verdict.
    """
    primary = [t.verdict for t in outcomes if t.plan.role == "primary"]
    others: list[str] = []
    headline = None
    if all(v == NOT_TESTABLE for v in primary) and table_verdict is not None:
        summary = table_verdict.reason
    else:
        line, headline, others = _signature_line(
            claim, outcomes, pooled, pools, str(claim.signature_id)
        )
        notes = _notes(claim, outcomes, str(claim.signature_id), sharing)
        summary = line + (f" [{'; '.join(notes)}]" if notes else "")
    for proxy_id in dict.fromkeys(t.signature.id for t in outcomes if t.plan.role != "primary"):
        if all(t.verdict == NOT_TESTABLE for t in outcomes if t.signature.id == proxy_id):
            continue
        text, _, more = _signature_line(claim, outcomes, pooled, pools, proxy_id)
        others.extend(more)
        notes = _notes(claim, outcomes, proxy_id, sharing)
        summary += f"; proxy {proxy_id} (not the claim's own measurement): {text}" + (
            f" [{'; '.join(notes)}]" if notes else ""
        )
    return summary, headline, others
