"""Plan one claim x cohort x signature test: what to fit, or why it cannot be tested.

:func:`plan_test` is the first step of :func:`~sigsurv.claims.reproduce.reproduce_claims`.
It reads the claim record and the cohort's fields (endpoints, clinical columns) and
fits nothing: the endpoint (an exact match such as ``bmfs``, else an explicitly
labelled analogue such as ``rfs``), the population
(:func:`~sigsurv.claims.populations.population_for`), the follow-up horizon, the
stratifying column, the direction the claim predicts for this score and, for a
site-specific claim on a cohort with a competing-risk endpoint for the site, the
competing-risk design. It returns a frozen :class:`TestPlan`, or a
:class:`NotTestable` with the reason in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sigsurv.analysis.signature import AnalysisSpec
from sigsurv.claims.populations import population_for
from sigsurv.claims.verdicts import combined_direction
from sigsurv.cohorts.model import Cohort
from sigsurv.cohorts.subgroup import parse_subgroup
from sigsurv.seeds.schema import Claim
from sigsurv.signatures.schema import Signature

__all__ = [
    "Design",
    "NotTestable",
    "Orientation",
    "Population",
    "SiteDesign",
    "TestPlan",
    "plan_test",
    "stratifying_column",
    "subgroup_columns",
]


@dataclass(frozen=True)
class Population:
    """The claim's population in a cohort: subgroup expression, label, exactness, reason."""

    expression: str | None
    label: str
    exactness: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """``{expression, label, exactness, reason}``."""
        return {
            "expression": self.expression,
            "label": self.label,
            "exactness": self.exactness,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Orientation:
    """How a score is judged against a claim: directions, the published target, words."""

    claim_direction: str
    score_relation: str
    expected_direction: str
    published_hr: float | None
    #: One group's share of the published comparison (0.5: a median split, also assumed
    #: when the scale is unknown); None when the published HR is per unit.
    published_proportion: float | None
    words: str


@dataclass(frozen=True)
class SiteDesign:
    """A site claim on the cohort's competing-risk endpoint (chosen in the population)."""

    endpoint: str
    cause: int | None
    exactness: str | None
    reason: str
    strata: str | None


@dataclass(frozen=True)
class Design:
    """A 0/1 endpoint test: the analysis spec and the stratifying column before merging."""

    spec: AnalysisSpec
    strata_column: str | None


@dataclass(frozen=True)
class TestPlan:
    """One test to run: the claim, the signature scored, the cohort and the design.

    ``design`` is the 0/1 endpoint analysis; ``site`` (when set) the competing-risk
    design tried first, with ``design`` (or ``fallback``) used when the competing-risk
    assessment does not apply.
    """

    __test__ = False  # not a pytest test class

    claim: Claim
    signature: Signature
    role: str
    cohort: str
    orientation: Orientation
    population: Population
    endpoint: str | None
    endpoint_match: str | None
    design: Design | None
    site: SiteDesign | None = None
    fallback: NotTestable | None = None
    margins: tuple[float, float] = (0.8, 1.25)
    seed: int = 20240101

    def key(self, strata: str | None) -> str:
        """The test's definition: cohort, signature, endpoint, subgroup and the strata fitted.

        The horizon is left out on purpose: the run's digest adds the patients' data
        clipped at the last event, so a horizon beyond it is the same test.
        """
        parts = (self.cohort, self.signature.id, self.endpoint, self.population.expression)
        return "|".join(map(str, (*parts, strata)))


@dataclass(frozen=True)
class NotTestable:
    """A test that cannot be run, with the reason, and what was chosen before it failed."""

    claim: Claim
    signature: Signature
    role: str
    cohort: str
    orientation: Orientation
    reason: str
    population: Population | None = None
    endpoint: str | None = None
    endpoint_match: str | None = None


def _orientation(claim: Claim, signature: Signature) -> Orientation:
    """The claim's direction times the score's relation, and the published target."""
    direction = combined_direction(claim.expected_direction, signature.score_relation)
    published = claim.value if claim.statistic == "hazard_ratio" else None
    if published is not None and direction != claim.expected_direction:
        published = 1.0 / published  # the claimed quantity's HR, seen through an inverse score
    comparison = claim.comparison
    proportion = None if getattr(comparison, "scale", None) == "continuous" else 0.5
    meaning = signature.score_meaning or f"higher score = higher {signature.name}"
    predicted = {
        "protective": "lower risk",
        "harmful": "higher risk",
        "none": "no difference in risk",
    }[direction]
    words = (
        f"{meaning}; the claim ({claim.expected_direction} for the claimed quantity) predicts "
        f"{predicted} with a higher score"
    )
    return Orientation(
        claim.expected_direction,
        signature.score_relation,
        direction,
        published,
        proportion,
        words,
    )


def subgroup_columns(expression: str) -> set[str]:
    """The clinical columns a subgroup expression reads.

    Examples
    --------
    >>> sorted(subgroup_columns("er == 'positive' and her2 == 'negative'"))
    ['er', 'her2']
    """
    columns: set[str] = set()

    def walk(node: tuple) -> None:
        if node[0] == "cmp":
            columns.add(node[1])
        elif node[0] == "not":
            walk(node[1])
        else:
            for child in node[1]:
                walk(child)

    walk(parse_subgroup(expression))
    return columns


def _choose_endpoint(claim: Claim, cohort: Cohort) -> tuple[str | None, str | None, str]:
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
        f"{', '.join(cohort.endpoints) or 'none'}",
    )


def stratifying_column(cohort: Cohort, candidates: Sequence[str]) -> str | None:
    """The first candidate clinical column that has more than one level in the cohort.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> stratifying_column(load_example("gse1992"), ["no_such_column"]) is None
    True
    """
    return next(
        (
            c
            for c in candidates
            if c in cohort.clinical.columns and cohort.clinical[c].nunique() > 1
        ),
        None,
    )


def _site_design(
    claim: Claim, cohort: Cohort, population: Population, strata_columns: Sequence[str]
) -> SiteDesign | None:
    """The competing-risk endpoint of a site claim in its population (None: none)."""
    from sigsurv.claims.site_specific import choose_site_endpoint

    if not getattr(claim, "site", "") or population.exactness is None:
        return None
    data = cohort.subset(population.expression) if population.expression else cohort
    endpoint, cause, exactness, reason = choose_site_endpoint(claim, data)
    if endpoint is None or cause is None:  # no competing-risk endpoint: the 0/1 test
        return None
    return SiteDesign(endpoint, cause, exactness, reason, stratifying_column(data, strata_columns))


def plan_test(
    claim: Claim,
    cohort: Cohort,
    signature: Signature,
    role: str,
    strata_columns: Sequence[str],
    *,
    seed: int = 20240101,
    margins: tuple[float, float] = (0.8, 1.25),
) -> TestPlan | NotTestable:
    """Plan one claim x cohort x signature test (fits nothing).

    Parameters
    ----------
    claim, cohort, signature
        What is tested where, with which score.
    role
        ``primary`` (the claim's signature) or ``proxy``.
    strata_columns
        Candidate stratifying columns, in order
        (:func:`~sigsurv.claims.strata.strata_candidates`).
    seed, margins
        Carried to the run: the analysis seed and the equivalence margins.

    Returns
    -------
    TestPlan or NotTestable

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.seeds import get_claim
    >>> from sigsurv.signatures import get_signature
    >>> claim = get_claim("gawrzak2018_msk1_mfs_er_pos")
    >>> plan = plan_test(claim, load_example("gse1992"), get_signature("msk1_rps6ka5"),
    ...                  "primary", [])
    >>> plan.endpoint, plan.endpoint_match, plan.population.expression
    ('rfs', 'analogue', "er == 'positive'")
    >>> plan_test(claim, load_example("gse3143"), get_signature("msk1_rps6ka5"),
    ...           "primary", []).reason.split(":")[0]
    'no matching endpoint'
    """
    orientation = _orientation(claim, signature)
    population = Population(*population_for(claim, cohort))
    site = _site_design(claim, cohort, population, strata_columns)
    endpoint, match, reason = _choose_endpoint(claim, cohort)
    if endpoint is None or population.exactness is None:
        why = reason if endpoint is None else population.reason
        fallback = NotTestable(
            claim,
            signature,
            role,
            cohort.name,
            orientation=orientation,
            reason=why,
            population=population,
            endpoint=endpoint,
            endpoint_match=match,
        )
        if site is None:
            return fallback
        return TestPlan(
            claim,
            signature,
            role,
            cohort.name,
            orientation=orientation,
            population=population,
            endpoint=endpoint,
            endpoint_match=match,
            design=None,
            site=site,
            fallback=fallback,
            margins=margins,
            seed=seed,
        )
    horizon = claim.horizon
    spec = AnalysisSpec(
        endpoint=endpoint,
        horizon=None if horizon is None else float(horizon.value),
        horizon_unit=None if horizon is None else horizon.unit,
        subgroup=population.expression,
        population=False,  # the claim's population is the subgroup
        strata=None,
        seed=seed,
    )
    return TestPlan(
        claim,
        signature,
        role,
        cohort.name,
        orientation=orientation,
        population=population,
        endpoint=endpoint,
        endpoint_match=match,
        design=Design(spec, stratifying_column(cohort, strata_columns)),
        site=site,
        margins=margins,
        seed=seed,
    )
