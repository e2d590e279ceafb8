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

The run is a pipeline of small typed steps: :mod:`sigsurv.claims.plan` (claim x cohort
-> a frozen :class:`~sigsurv.claims.plan.TestPlan` or why not; fits nothing),
:mod:`sigsurv.claims.run` (executes plans, computes identical tests once, nulls),
:mod:`sigsurv.claims.pool` (pools, Holm and BH) and :mod:`sigsurv.claims.records`
(frozen records carrying their claim and signature, and results.json); the options are
one frozen :class:`~sigsurv.claims.spec.ReproduceSpec`.

Per claim, the per-SD log HRs are pooled (:mod:`sigsurv.claims.pooling`: REML; truncated
Knapp–Hartung below 5 cohorts; no prediction interval below 3) per signature, endpoint,
endpoint and population exactness and HR basis, and summarised in one line that counts
every verdict of the distinct tests, names contradicting cohorts, proxies and
confounding, and uses the headline pool chosen by a stated rule. A claim with a published
2 x 2 table has it recomputed (``published table recomputed``, an odds ratio).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sigsurv.claims.plan import NotTestable, TestPlan, plan_test
from sigsurv.claims.pool import multiplicity, pool_claim, wald_p
from sigsurv.claims.pooling import HEADLINE_RULE, KNHA_BELOW
from sigsurv.claims.records import ClaimTest, SharedEvidence
from sigsurv.claims.reproduction import FIELD_DEFINITIONS, ClaimReproduction, Reproduction
from sigsurv.claims.run import Outcome, Runner
from sigsurv.claims.shared import PROLIFERATION_SIGNATURE, SharedTest
from sigsurv.claims.spec import ReproduceSpec
from sigsurv.claims.strata import strata_candidates
from sigsurv.claims.verdicts import NOT_TESTABLE, VERDICTS
from sigsurv.cohorts.model import Cohort
from sigsurv.seeds.schema import Claim
from sigsurv.seeds.user import accepts_claim_files
from sigsurv.signatures.schema import Signature

__all__ = [
    "FIELD_DEFINITIONS",
    "NOT_TESTABLE",
    "PROLIFERATION_SIGNATURE",
    "VERDICTS",
    "ClaimReproduction",
    "ClaimTest",
    "ReproduceSpec",
    "Reproduction",
    "reproduce_claims",
]

_Job = tuple[Claim, Signature, str]


def _jobs(claims: Sequence[Claim], include_proxies: bool) -> list[_Job]:
    """Each claim's primary signature, then its proxies (ids resolved here, once)."""
    from sigsurv.signatures import get_signature

    jobs: list[_Job] = []
    for claim in claims:
        if claim.signature_id is None:
            continue
        jobs.append((claim, get_signature(claim.signature_id), "primary"))
        if include_proxies:
            jobs.extend((claim, get_signature(p), "proxy") for p in claim.proxy_signature_ids)
    return jobs


def _options(spec: ReproduceSpec) -> dict[str, Any]:
    """``options`` of results.json: what changes numbers, and the rules applied."""
    return {
        "null_random": spec.null_random,
        "null_random_adjusted": spec.null_random_adjusted,
        "seed": spec.seed,
        "equivalence_margins": list(spec.equivalence_margins),
        "pooling": f"REML; truncated Knapp-Hartung (metafor test='adhoc') below "
        f"{KNHA_BELOW} cohorts, else z; no prediction interval below 3 cohorts; pools "
        "kept apart by endpoint and population exactness",
        "headline_rule": HEADLINE_RULE,
        "alpha": "nominal two-sided 0.05 per test; Holm and BH beside it",
        "multiplicity": "Holm within a claim, Benjamini-Hochberg over the run's "
        "distinct tests, on the Wald p of the per-SD HR each verdict used",
    }


def _evidence(
    outcome: Outcome,
    shared: dict[str, SharedTest],
    made: dict[tuple[str, str], SharedEvidence],
) -> SharedEvidence | None:
    """The shared computation as this row reads it, made once per test and direction.

    None when the row has no 0/1 endpoint analysis.
    """
    if outcome.analysis is None or outcome.test_id not in shared:
        return None
    direction = outcome.orientation.expected_direction
    key = (str(outcome.test_id), direction)
    if key not in made:
        test = shared[key[0]]
        made[key] = SharedEvidence(
            adjusted=test.adjusted,
            cut_rows=tuple(test.cut_rows),
            warnings=tuple(test.warnings),
            null=test.nulls.get(direction),
            claim_ids=tuple(test.claim_ids),
        )
    return made[key]


def _records(
    claims: Sequence[Claim], outcomes: dict[str, list[Outcome]], runner: Runner
) -> list[ClaimReproduction]:
    """Pool each claim, adjust for multiplicity, and build every record once."""
    sharing = {test_id: test.claim_ids for test_id, test in runner.shared.items()}
    groups = [outcomes[claim.id] for claim in claims]
    adjusted = multiplicity(groups)
    made: dict[tuple[str, str], SharedEvidence] = {}
    records = []
    for claim, group, p_values in zip(claims, groups, adjusted, strict=True):
        tests = tuple(
            ClaimTest(
                outcome,
                outcome.reason + p.words(wald_p(outcome)),
                p,
                _evidence(outcome, runner.shared, made),
            )
            for outcome, p in zip(group, p_values, strict=True)
        )
        records.append(ClaimReproduction(claim, tests, pool_claim(claim, group, sharing)))
    return records


@accepts_claim_files
def reproduce_claims(
    cohorts: Sequence[Cohort],
    claims: Sequence[Claim] | None = None,
    *,
    spec: ReproduceSpec | None = None,
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
    spec
        The options as one :class:`~sigsurv.claims.spec.ReproduceSpec`; when given,
        the keyword options below are not read.
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

    if spec is None:
        spec = ReproduceSpec(
            null_random=null_random,
            null_random_adjusted=null_random_adjusted,
            seed=seed,
            equivalence_margins=equivalence_margins,
            include_proxies=include_proxies,
            strata_columns=None if strata_columns is None else tuple(strata_columns),
        )
    chosen = list(claims) if claims is not None else list_claims()
    jobs = _jobs(chosen, spec.include_proxies)
    total, done = len(jobs) * len(cohorts), 0
    runner = Runner(spec)
    outcomes: dict[str, list[Outcome]] = {claim.id: [] for claim in chosen}
    for cohort in cohorts:
        candidates = strata_candidates(cohort, spec.strata_columns)
        for claim, signature, role in jobs:
            plan: TestPlan | NotTestable = plan_test(
                claim,
                cohort,
                signature,
                role,
                candidates,
                seed=spec.seed,
                margins=spec.equivalence_margins,
            )
            outcomes[claim.id].append(runner.run(plan, cohort, candidates))
            done += 1
            if progress is not None:
                progress(done, total, f"{claim.id} x {cohort.name}")
    return Reproduction(
        claims=_records(chosen, outcomes, runner),
        cohorts=[c.name for c in cohorts],
        options=_options(spec),
    )
