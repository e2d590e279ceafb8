"""The seed-record schema: a seed document's citation and its claims, as validated data.

Every fact carries an evidence tag (``SEED``, ``SRC``, ``MEM``, ``INF``, ``DER``; see
``shared/SIGNATURES.md``). Invalid values raise :class:`~sigsurv.errors.FileFormatError`
(the registry adds the file and line).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sigsurv.errors import FileFormatError
from sigsurv.signatures.schema import EVIDENCE_TAGS

__all__ = [
    "CLAIM_DIRECTIONS",
    "ENDPOINT_KINDS",
    "SCALES",
    "SIZE_QUALIFIERS",
    "STATISTICS",
    "Citation",
    "Claim",
    "Comparison",
    "CopyNumberGroup",
    "CountsTable",
    "EndpointMatch",
    "Horizon",
    "PopulationMatch",
    "SeedRecord",
    "check_source",
]

Statistic = Literal["hazard_ratio", "p_value", "counts_2x2", "qualitative"]
STATISTICS: tuple[str, ...] = ("hazard_ratio", "p_value", "counts_2x2", "qualitative")
EndpointKind = Literal["time_to_event", "binary", "qualitative"]
ENDPOINT_KINDS: tuple[str, ...] = ("time_to_event", "binary", "qualitative")
#: Expected association of a higher signature score with the endpoint: ``protective``
#: (HR < 1, fewer events), ``harmful`` or ``none`` (the source reports no difference).
CLAIM_DIRECTIONS: tuple[str, ...] = ("protective", "harmful", "none")
SIZE_QUALIFIERS: tuple[str, ...] = ("exact", "more_than", "approximately")
SCALES: tuple[str, ...] = ("dichotomised", "continuous", "unknown")
# applied with fullmatch: "$" would let a final newline through ("os\n")
_ENDPOINT_NAME = re.compile(r"[a-z][a-z0-9_]*")
_CLAIM_ID = re.compile(r"[a-z][a-z0-9_]*")
#: How a user's claim record names its source: a DOI (``10.1158/...``, optionally
#: ``doi:``-prefixed), a PubMed id (``PMID:21234533``) or an http(s) URL.
SOURCE_PATTERNS: dict[str, str] = {
    "DOI": r"(doi:)?10\.[0-9]{4,9}/[^\s]+",
    "PMID": r"PMID: ?[1-9][0-9]{0,8}",
    "URL": r"https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:[0-9]+)?(/[^\s]*)?",
}
_SOURCE = re.compile("|".join(f"(?:{p})" for p in SOURCE_PATTERNS.values()))


def check_source(source: object) -> str:
    """The source of a user claim record if it is a DOI, a PMID or a URL; else raise.

    Examples
    --------
    >>> check_source("10.1158/1078-0432.CCR-10-1282"), check_source("PMID:21234533")
    ('10.1158/1078-0432.CCR-10-1282', 'PMID:21234533')
    >>> check_source("Smith 2020")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: source is not a DOI, PMID or URL; expected ...
    """
    if not isinstance(source, str) or not _SOURCE.fullmatch(source):
        raise _err(
            "source is not a DOI, PMID or URL",
            expected="a DOI (10.1234/abc), PMID:12345678 or an https:// URL",
            found=source,
        )
    return source


def _err(message: str, **kw: Any) -> FileFormatError:
    return FileFormatError(message, **kw)


@dataclass(frozen=True)
class Horizon:
    """Follow-up horizon of a claim ("within 5 years" = 60 months).

    Examples
    --------
    >>> Horizon(60, "months").value
    60.0
    """

    value: float
    unit: Literal["days", "months", "years"] = "months"

    def __post_init__(self) -> None:
        if (
            isinstance(self.value, bool)
            or not isinstance(self.value, numbers.Real)
            or not math.isfinite(self.value)
            or self.value <= 0
        ):
            raise _err("horizon value must be a positive number", found=self.value)
        object.__setattr__(self, "value", float(self.value))
        if self.unit not in ("days", "months", "years"):
            raise _err("unknown horizon unit", expected="days | months | years", found=self.unit)


@dataclass(frozen=True)
class EndpointMatch:
    """Cohort endpoint names that test a claim.

    Parameters
    ----------
    exact
        Endpoint names that *are* the claim's endpoint (``bmfs`` for bone-metastasis-free
        survival).
    analogue
        Endpoint names usable as an explicitly labelled analogue, in order of preference
        (``dmfs``, ``mfs``, ``rfs``...).
    competing
        Competing-risk endpoint names (``Cohort.competing_endpoints``) that test a
        site-specific claim exactly, preferred over ``exact``: the claim's ``site`` names
        the cause (``bone_relapse_cr``, ``bmfs_cr``).

    Examples
    --------
    >>> EndpointMatch(exact=("bmfs",), analogue=("dmfs", "rfs")).names
    ('bmfs', 'dmfs', 'rfs')
    """

    exact: tuple[str, ...] = ()
    analogue: tuple[str, ...] = ()
    competing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("exact", "analogue", "competing"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise _err(f"endpoint_match.{name} must be a list", found=value)
            object.__setattr__(self, name, tuple(value))
            for item in getattr(self, name):
                if not isinstance(item, str) or not _ENDPOINT_NAME.fullmatch(item):
                    raise _err(
                        f"endpoint_match.{name}: invalid endpoint name",
                        expected="lower-case name such as 'os' or 'bmfs'",
                        found=item,
                    )
        both = set(self.exact) & set(self.analogue)
        if both:
            raise _err("endpoint both exact and analogue", found=sorted(both)[0])

    @property
    def names(self) -> tuple[str, ...]:
        """Exact names first, then analogues."""
        return self.exact + self.analogue

    def kind_of(self, endpoint: str) -> str | None:
        """``exact``, ``analogue`` or ``None`` for a cohort endpoint name.

        Examples
        --------
        >>> EndpointMatch(exact=("bmfs",), analogue=("rfs",)).kind_of("rfs")
        'analogue'
        """
        if endpoint in self.exact:
            return "exact"
        if endpoint in self.analogue:
            return "analogue"
        return None


_SITE = re.compile(r"[a-z][a-z ]*")
_GENE = re.compile(r"[A-Z0-9][A-Z0-9-]*")


@dataclass(frozen=True)
class PopulationMatch:
    """The claim's population as subgroup expressions: exact, and an explicit analogue.

    Parameters
    ----------
    exact
        Subgroup expression of the exact population (``her2 == 'positive' and
        trastuzumab == 'yes'``); ``""`` = every patient.
    exact_label
        The exact population in words.
    analogue
        Expression of a population usable only as an explicitly labelled analogue when a
        cohort lacks a field of ``exact`` (``her2 == 'positive'``); ``None`` = no analogue:
        the claim is not testable in such a cohort.
    analogue_label
        The analogue population in words, saying how it differs from the exact one.

    Examples
    --------
    >>> match = PopulationMatch("her2 == 'positive' and trastuzumab == 'yes'",
    ...                         "HER2+ treated with trastuzumab", "her2 == 'positive'",
    ...                         "HER2+, treatment not restricted")
    >>> match.analogue
    "her2 == 'positive'"
    """

    exact: str = ""
    exact_label: str = ""
    analogue: str | None = None
    analogue_label: str = ""

    def __post_init__(self) -> None:
        for name in ("exact", "exact_label", "analogue_label"):
            if not isinstance(getattr(self, name), str):
                raise _err(f"population_match.{name} must be text", found=getattr(self, name))
        if self.analogue is not None and not isinstance(self.analogue, str):
            raise _err("population_match.analogue must be text or null", found=self.analogue)
        if self.analogue is not None and not self.analogue_label:
            raise _err("population_match: an analogue population needs its analogue_label")


@dataclass(frozen=True)
class CopyNumberGroup:
    """A copy-number-defined exposure: patients with an alteration of a locus vs the rest.

    Parameters
    ----------
    genes
        Genes of the locus, in order of preference (``MIR424``, ``MIR503``): a cohort's
        gene-level call of the first gene it has is used.
    locus
        Cytoband, for the record (``Xq26.3``).
    alteration
        ``loss`` or ``gain``.
    calls
        The discrete calls (GISTIC: -2 deep deletion, -1 shallow deletion, 1 gain,
        2 amplification) that count as the alteration.

    Examples
    --------
    >>> CopyNumberGroup(genes=("MIR424", "MIR503"), locus="Xq26.3", calls=(-2, -1)).alteration
    'loss'
    """

    genes: tuple[str, ...]
    locus: str = ""
    alteration: Literal["loss", "gain"] = "loss"
    calls: tuple[int, ...] = (-2, -1)

    def __post_init__(self) -> None:
        for name in ("genes", "calls"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
                raise _err(f"copy_number.{name} must be a non-empty list", found=value)
            object.__setattr__(self, name, tuple(value))
        for gene in self.genes:
            if not isinstance(gene, str) or not _GENE.fullmatch(gene):
                raise _err("copy_number.genes: invalid gene symbol", found=gene)
        if self.alteration not in ("loss", "gain"):
            raise _err("copy_number.alteration", expected="loss | gain", found=self.alteration)
        wanted = {-2, -1} if self.alteration == "loss" else {1, 2}
        for call in self.calls:
            if isinstance(call, bool) or call not in wanted:
                raise _err(
                    f"copy_number.calls of a {self.alteration}",
                    expected=" | ".join(map(str, sorted(wanted))),
                    found=call,
                )


@dataclass(frozen=True)
class Comparison:
    """Which groups a claim compares, and which one is the reference.

    Parameters
    ----------
    description
        In words, e.g. ``high vs low RPS6KA5``.
    exposed
        The group whose hazard (or risk) is in the numerator: an HR < 1 means this
        group does better than ``reference``.
    reference
        The reference group.
    scale
        ``dichotomised`` (groups), ``continuous`` (per unit) or ``unknown``.
    orientation_evidence
        Evidence tags for the orientation (``INF`` when it was inferred).
    orientation_note
        What is known and what is assumed about the orientation.

    Examples
    --------
    >>> c = Comparison("high vs low X", exposed="high X", reference="low X")
    >>> c.reference
    'low X'
    """

    description: str
    exposed: str
    reference: str
    scale: Literal["dichotomised", "continuous", "unknown"] = "unknown"
    orientation_evidence: tuple[str, ...] = ()
    orientation_note: str = ""

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise _err("unknown comparison scale", expected=" | ".join(SCALES), found=self.scale)
        object.__setattr__(self, "orientation_evidence", tuple(self.orientation_evidence))
        _check_tags("comparison", self.orientation_evidence)


@dataclass(frozen=True)
class CountsTable:
    """A published 2 x 2 table: rows are score groups, columns are outcomes.

    Examples
    --------
    >>> t = CountsTable(rows=("high", "low_medium"), columns=("progressed", "not_progressed"),
    ...                 counts=((6, 1), (8, 22)))
    >>> t.total, t.row_totals
    (37, (7, 30))
    """

    rows: tuple[str, str]
    columns: tuple[str, str]
    counts: tuple[tuple[int, int], tuple[int, int]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "columns", tuple(self.columns))
        if len(self.rows) != 2 or len(self.columns) != 2:
            raise _err("a counts table has two rows and two columns", found=self.rows)
        counts = tuple(tuple(row) for row in self.counts)
        if len(counts) != 2 or any(len(row) != 2 for row in counts):
            raise _err("counts must be 2 x 2", found=self.counts)
        for row in counts:
            for value in row:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise _err("counts must be non-negative integers", found=value)
        object.__setattr__(self, "counts", counts)

    @property
    def total(self) -> int:
        """Sum of the four cells."""
        return sum(sum(row) for row in self.counts)

    @property
    def row_totals(self) -> tuple[int, int]:
        """Totals of the two rows."""
        return (sum(self.counts[0]), sum(self.counts[1]))


@dataclass(frozen=True)
class Citation:
    """Bibliographic citation of a seed document's source.

    Examples
    --------
    >>> Citation(authors="Aigner A", journal="J Mol Med (Berl)", year=2011).year
    2011
    """

    authors: str = ""
    title: str = ""
    journal: str = ""
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    evidence: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", tuple(self.evidence))
        _check_tags("citation", self.evidence)

    def short(self) -> str:
        """``First author et al., Journal Year`` (or what is known of it)."""
        first = self.authors.split(",")[0].strip() if self.authors else ""
        if first and "," in self.authors:
            first += " et al."
        parts = [p for p in (first, self.journal, str(self.year or "")) if p]
        return ", ".join(parts)


def _check_tags(owner: str, tags: tuple[str, ...]) -> None:
    for tag in tags:
        if tag not in EVIDENCE_TAGS:
            raise _err(
                f"{owner}: unknown evidence tag", expected=" | ".join(EVIDENCE_TAGS), found=tag
            )


@dataclass(frozen=True)
class Claim:
    """One claim of a seed document, as data.

    Parameters
    ----------
    id
        Stable id (``gawrzak2018_msk1_mfs_er_pos``).
    seed_document
        File name of the seed document.
    citation
        Short citation of the source.
    statement
        The claim in sigsurv's words.
    statistic
        ``hazard_ratio``, ``p_value``, ``counts_2x2`` or ``qualitative`` (direction only).
    value
        The published value of the statistic (HR), ``None`` when none was published.
    ci_lower, ci_upper, ci_level
        Published confidence interval, if any.
    p_value, p_value_text
        Published p-value as a number and as printed (``P = .01``).
    endpoint, endpoint_kind, endpoint_match
        The endpoint in words, its kind (``time_to_event``, ``binary``,
        ``qualitative``), and the cohort endpoint names that test it exactly or as an
        analogue.
    horizon
        Follow-up horizon ("within 5 years" = 60 months), if any.
    population, population_filter
        The population in words and as a sigsurv subgroup expression on standardised
        clinical fields (``er``, ``her2`` with values ``'positive'``/``'negative'``).
    comparison
        Groups compared and the reference group (HR orientation).
    expected_direction
        Association of a *higher score of* ``signature_id`` with the endpoint:
        ``protective``, ``harmful`` or ``none``.
    cohort_size, cohort_size_qualifier
        Number of patients (``exact``, ``more_than`` or ``approximately``).
    signature_id
        The built-in signature that tests the claim.
    proxy_signature_ids
        Signatures that can test it only as an explicitly labelled proxy.
    evidence
        Evidence tags of the claim's numbers.
    table
        The 2 x 2 table for ``counts_2x2`` claims.
    site
        For a site-specific endpoint (``bone``): the first relapse is at this site, and
        relapse elsewhere and death compete with it.
    population_match
        The exact population and its labelled analogue (:class:`PopulationMatch`);
        ``None``: ``population_filter`` is the exact population.
    copy_number
        For a claim about a genetic alteration (:class:`CopyNumberGroup`): the groups
        compared are patients with and without the copy-number call.
    derived
        Numbers computed by the curator from published numbers (tag ``DER``; not
        published statistics), e.g. Fisher's exact p for a 2 x 2 table.
    notes
        What is known, what is assumed, what is unknown.
    source
        A user's claim: the DOI, PMID or URL of the paper (its record's ``source``);
        ``""`` for the built-in claims, which name their ``seed_document``.

    Examples
    --------
    >>> from sigsurv.seeds import get_claim
    >>> claim = get_claim("gawrzak2018_msk1_mfs_er_pos")
    >>> claim.value, claim.p_value, claim.comparison.reference
    (0.48, 0.01, 'low RPS6KA5 (MSK1) expression')
    """

    id: str
    seed_document: str
    citation: str
    statement: str
    statistic: Statistic
    endpoint: str
    endpoint_kind: EndpointKind
    population: str
    comparison: Comparison
    expected_direction: Literal["protective", "harmful", "none"]
    signature_id: str
    endpoint_match: EndpointMatch = dataclasses.field(default_factory=EndpointMatch)
    value: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    ci_level: float | None = None
    p_value: float | None = None
    p_value_text: str = ""
    horizon: Horizon | None = None
    population_filter: str = ""
    cohort_size: int | None = None
    cohort_size_qualifier: Literal["exact", "more_than", "approximately"] = "exact"
    proxy_signature_ids: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    table: CountsTable | None = None
    derived: Mapping[str, float] = dataclasses.field(default_factory=dict, hash=False)
    notes: tuple[str, ...] = ()
    site: str = ""
    population_match: PopulationMatch | None = None
    copy_number: CopyNumberGroup | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _CLAIM_ID.fullmatch(self.id):
            raise _err(
                "invalid claim id", expected="lower-case letters, digits, '_'", found=self.id
            )
        if self.source:
            check_source(self.source)
        elif not self.seed_document:
            raise _err(f"claim {self.id}: name its seed_document or its source")
        for name, allowed in (
            ("statistic", STATISTICS),
            ("endpoint_kind", ENDPOINT_KINDS),
            ("expected_direction", CLAIM_DIRECTIONS),
            ("cohort_size_qualifier", SIZE_QUALIFIERS),
        ):
            if getattr(self, name) not in allowed:
                raise _err(
                    f"claim {self.id}: unknown {name}",
                    expected=" | ".join(allowed),
                    found=getattr(self, name),
                )
        for name in ("proxy_signature_ids", "evidence", "notes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "derived", dict(self.derived))
        _check_tags(f"claim {self.id}", self.evidence)
        for name in ("value", "ci_lower", "ci_upper", "ci_level", "p_value", *self.derived):
            value = self.derived[name] if name in self.derived else getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise _err(f"claim {self.id}: {name} must be a number", found=value)
            if not math.isfinite(value):
                raise _err(f"claim {self.id}: {name} must be finite", found=value)
        if self.statistic == "hazard_ratio" and (self.value is None or self.value <= 0):
            raise _err(f"claim {self.id}: a hazard ratio claim needs a positive value")
        if self.p_value is not None and not 0 <= self.p_value <= 1:
            raise _err(f"claim {self.id}: p_value outside [0, 1]", found=self.p_value)
        if (self.ci_lower is None) != (self.ci_upper is None):
            raise _err(f"claim {self.id}: give both CI bounds or neither")
        if self.ci_lower is not None and self.ci_level is None:
            raise _err(f"claim {self.id}: a CI needs its level (e.g. 0.95)")
        if self.statistic == "counts_2x2":
            if self.table is None:
                raise _err(f"claim {self.id}: a counts_2x2 claim needs its table")
            if self.cohort_size is not None and self.table.total != self.cohort_size:
                raise _err(
                    f"claim {self.id}: table total differs from cohort size",
                    expected=str(self.cohort_size),
                    found=self.table.total,
                )
        elif self.table is not None:
            raise _err(f"claim {self.id}: only counts_2x2 claims carry a table")
        if self.statistic == "qualitative" and self.value is not None:
            raise _err(f"claim {self.id}: a qualitative claim has no value")
        if self.site and (not isinstance(self.site, str) or not _SITE.fullmatch(self.site)):
            raise _err(
                f"claim {self.id}: invalid site", expected="lower-case word(s)", found=self.site
            )

    @property
    def is_quantitative(self) -> bool:
        """True when the source published a number for the claim (HR, p or counts).

        Examples
        --------
        >>> from sigsurv.seeds import get_claim
        >>> get_claim("bidwell2012_irf7_bmfs").is_quantitative
        False
        """
        return self.statistic != "qualitative"

    @property
    def signature_ids(self) -> tuple[str, ...]:
        """The primary signature, then the proxies."""
        return (self.signature_id, *self.proxy_signature_ids)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field (nested records as dicts, tuples as lists).

        Examples
        --------
        >>> from sigsurv.seeds import get_claim
        >>> d = get_claim("aacr2010_mir21_trastuzumab_her2_pos").to_dict()
        >>> d["table"]["counts"], d["horizon"]
        ([[6, 1], [8, 22]], None)
        """
        return _to_plain(dataclasses.asdict(self))


def _to_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _to_plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_to_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class SeedRecord:
    """The structured record of one seed document.

    Parameters
    ----------
    seed_document
        File name in ``shared/seeds/`` (the record's key).
    document_kind
        What the seed document is (PubMed abstract page, news report...).
    citation
        The source it describes.
    summary
        What was studied and measured, in sigsurv's words.
    signature_ids
        Built-in signatures curated from it.
    claims
        Its claims (may be empty: a review with no survival claim).
    notes
        Corrections and caveats about the document itself.
    not_found
        What was looked for and could not be found.
    source
        A user's record: the DOI, PMID or URL of the paper it describes (then
        ``seed_document`` may be ``""``).

    Examples
    --------
    >>> from sigsurv.seeds import get_seed_record
    >>> rec = get_seed_record("004_5c88e53fffd63dd8.txt")
    >>> rec.citation.doi, len(rec.claims)
    ('10.1038/s41556-017-0021-z', 3)
    """

    seed_document: str
    document_kind: str
    citation: Citation
    summary: str
    signature_ids: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    notes: tuple[str, ...] = ()
    not_found: tuple[str, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("signature_ids", "claims", "notes", "not_found"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.source:
            check_source(self.source)
        elif not self.seed_document:
            raise _err("a claim record names its seed_document or its source")
        for claim in self.claims:
            if (claim.seed_document, claim.source) != (self.seed_document, self.source):
                raise _err(
                    f"claim {claim.id} names another seed document or source",
                    expected=self.seed_document or self.source,
                    found=claim.seed_document or claim.source,
                )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the record, claims included."""
        return _to_plain(dataclasses.asdict(self))
