"""The signature schema: a gene signature is data with a source, not a bare gene list.

A :class:`Signature` holds its genes (each with a direction, a weight and its own
provenance), the paper it comes from, the endpoint and population the authors used,
the expected direction of the association and the default way to score and split
it (labelled as the authors' choice or as sigsurv's default).
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sigsurv.errors import SignatureError

__all__ = [
    "CHOICE_ORIGINS",
    "CONFOUNDERS",
    "EVIDENCE_TAGS",
    "EXPECTED_DIRECTIONS",
    "FEATURE_TYPES",
    "GENE_PROVENANCE",
    "MIRNA_ROLES",
    "SCORE_RELATIONS",
    "Signature",
    "SignatureGene",
    "SignatureSource",
]

FeatureType = Literal["mrna", "mirna", "host_gene"]
FEATURE_TYPES: tuple[str, ...] = ("mrna", "mirna", "host_gene")
GeneProvenance = Literal["literal", "named_target", "inferred"]
GENE_PROVENANCE: tuple[str, ...] = ("literal", "named_target", "inferred")
ExpectedDirection = Literal["protective", "harmful"]
EXPECTED_DIRECTIONS: tuple[str, ...] = ("protective", "harmful")
ChoiceOrigin = Literal["authors", "sigsurv_default"]
CHOICE_ORIGINS: tuple[str, ...] = ("authors", "sigsurv_default")
MirnaRole = Literal["", "pro_metastatic", "anti_metastatic"]
MIRNA_ROLES: tuple[str, ...] = ("", "pro_metastatic", "anti_metastatic")
#: How a score moves with the quantity a claim is about: ``same`` (it rises with it) or
#: ``inverse`` (it falls: a score of a miRNA's repressed targets rises when the miRNA falls).
ScoreRelation = Literal["same", "inverse"]
SCORE_RELATIONS: tuple[str, ...] = ("same", "inverse")
#: Confounders a signature can name: ``er`` (ER status; luminal-gene proxies) and
#: ``proliferation`` (a proliferation score).
CONFOUNDERS: tuple[str, ...] = ("er", "proliferation")
#: How well a fact is supported (see ``shared/SIGNATURES.md``): stated in the seed
#: document, checked in a named public source, from memory (unchecked), inferred by
#: the curator, or derived (computed) from published numbers.
EVIDENCE_TAGS: tuple[str, ...] = ("SEED", "SRC", "MEM", "INF", "DER")

# applied with fullmatch: "$" would let a final newline through ("abc\n")
_ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
_PMID_PATTERN = re.compile(r"[0-9]+")
_WHITESPACE_NAMES = {" ": "a space", "\t": "a tab", "\n": "a line break", "\r": "a carriage return"}


def _whitespace_in(text: str) -> str | None:
    """Describe the first whitespace character of ``text`` ("a tab (character 5)"), or None.

    Examples
    --------
    >>> _whitespace_in("TP53\\tBCL2"), _whitespace_in("TP53")
    ('a tab (character 5)', None)
    >>> _whitespace_in("ERBB2\\u00a0")
    'whitespace U+00A0 NO-BREAK SPACE (character 6)'
    """
    for position, char in enumerate(text, start=1):
        if char.isspace():
            name = _WHITESPACE_NAMES.get(char)
            if name is None:
                name = f"whitespace U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()
            return f"{name} (character {position})"
    return None


def _check_evidence(owner: str, tags: tuple[str, ...]) -> None:
    for tag in tags:
        if tag not in EVIDENCE_TAGS:
            raise SignatureError(
                f"{owner}: unknown evidence tag", expected=" | ".join(EVIDENCE_TAGS), found=tag
            )


def _check_text(owner: str, name: str, value: object) -> None:
    if not isinstance(value, str):
        raise SignatureError(f"{owner}: {name} must be text", found=value)


def _check_symbol(symbol: object) -> None:
    if not isinstance(symbol, str) or not symbol.strip():
        raise SignatureError("gene symbol must be a non-empty string", found=symbol)
    if symbol != symbol.strip():
        raise SignatureError("gene symbol has leading or trailing whitespace", found=symbol)
    inner = _whitespace_in(symbol)
    if inner is not None:
        raise SignatureError(
            f"gene symbol contains {inner}",
            expected="one symbol without whitespace",
            found=symbol,
            hint="list each gene separately; whitespace inside a symbol corrupts GMT files",
        )


def _checked_direction(symbol: str, direction: object) -> int:
    if (
        isinstance(direction, bool)
        or not isinstance(direction, numbers.Integral)
        or direction not in (1, -1)
    ):
        raise SignatureError(
            f"gene {symbol}: direction not recognised",
            expected="+1 or -1 (or 'up'/'down', '+'/'-')",
            found=direction,
        )
    return int(direction)


def _checked_weight(symbol: str, weight: object) -> float:
    """A gene's weight as a float: a finite, non-negative real number (not a boolean)."""
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
        raise SignatureError(
            f"gene {symbol}: weight is not a number",
            expected="a finite number >= 0",
            found=weight,
        )
    if not math.isfinite(weight) or weight < 0:
        raise SignatureError(
            f"gene {symbol}: weight must be finite and non-negative",
            expected="a finite number >= 0",
            found=weight,
        )
    return float(weight)


@dataclass(frozen=True)
class SignatureGene:
    """One gene (or miRNA) of a signature.

    Parameters
    ----------
    symbol
        Current HGNC symbol (``RPS6KA5``, ``MIR21``, ``MIR503HG``).
    direction
        ``+1`` if higher expression raises the score, ``-1`` if it lowers it.
    weight
        Non-negative finite weight (1 for unweighted signatures).
    provenance
        ``literal`` (named in the paper), ``named_target`` (a target the paper or
        its group named) or ``inferred`` (added by the curator as a proxy).
    citation
        Where this gene's membership comes from.
    feature_type
        Overrides the signature's feature type for this gene (e.g. a host gene in a
        miRNA signature); ``None`` inherits it.
    note
        Free-text caveat for this gene.
    evidence
        Evidence tags for the membership (``SEED``, ``SRC``, ``MEM``, ``INF``, ``DER``;
        see :data:`EVIDENCE_TAGS`).
    mirbase_id
        For miRNA features, the miRBase precursor name used by miRNA-seq tables
        (``hsa-mir-21``); empty otherwise.

    Examples
    --------
    >>> SignatureGene("RPS6KA5", direction=1, provenance="literal").direction
    1
    >>> SignatureGene("MIR21", feature_type="mirna", mirbase_id="hsa-mir-21").mirbase_id
    'hsa-mir-21'
    """

    symbol: str
    direction: int = 1
    weight: float = 1.0
    provenance: GeneProvenance = "literal"
    citation: str = ""
    feature_type: FeatureType | None = None
    note: str = ""
    evidence: tuple[str, ...] = ()
    mirbase_id: str = ""

    def __post_init__(self) -> None:
        _check_symbol(self.symbol)
        object.__setattr__(self, "direction", _checked_direction(self.symbol, self.direction))
        object.__setattr__(self, "weight", _checked_weight(self.symbol, self.weight))
        if self.provenance not in GENE_PROVENANCE:
            raise SignatureError(
                f"gene {self.symbol}: unknown provenance",
                expected=" | ".join(GENE_PROVENANCE),
                found=self.provenance,
            )
        if self.feature_type is not None and self.feature_type not in FEATURE_TYPES:
            raise SignatureError(
                f"gene {self.symbol}: unknown feature type",
                expected=" | ".join(FEATURE_TYPES),
                found=self.feature_type,
            )
        for name in ("citation", "note", "mirbase_id"):
            _check_text(f"gene {self.symbol}", name, getattr(self, name))
        if isinstance(self.evidence, str):
            raise SignatureError(
                f"gene {self.symbol}: evidence must be a list of tags", found=self.evidence
            )
        object.__setattr__(self, "evidence", tuple(self.evidence))
        _check_evidence(f"gene {self.symbol}", self.evidence)


@dataclass(frozen=True)
class SignatureSource:
    """Bibliographic source of a signature.

    Parameters
    ----------
    authors, title, journal, year, doi, pmid
        The paper. Identifiers that could not be verified are left empty (and said
        so in ``note``) rather than guessed.
    seed_document
        File name of the seed document in ``shared/seeds/`` this signature comes
        from (empty for user signatures).
    note
        Anything a reader must know about the source (corrections, inferred links).
    pmcid
        PubMed Central identifier, if verified.

    Examples
    --------
    >>> SignatureSource(authors="Gawrzak S et al.", year=2018, doi="10.1038/s41556-017-0021-z").year
    2018
    """

    authors: str = ""
    title: str = ""
    journal: str = ""
    year: int | None = None
    doi: str = ""
    pmid: str = ""
    seed_document: str = ""
    note: str = ""
    pmcid: str = ""

    def __post_init__(self) -> None:
        for name in ("authors", "title", "journal", "doi", "pmid", "seed_document", "note"):
            _check_text("source", name, getattr(self, name))
        _check_text("source", "pmcid", self.pmcid)
        if self.year is not None and (
            isinstance(self.year, bool) or not isinstance(self.year, numbers.Integral)
        ):
            raise SignatureError("source: year must be an integer", found=self.year)
        if self.pmid and not _PMID_PATTERN.fullmatch(self.pmid):
            raise SignatureError("source: PMID must be digits", found=self.pmid)
        inner = _whitespace_in(self.doi)
        if inner is not None:
            raise SignatureError(
                f"source: DOI contains {inner}",
                found=self.doi,
                hint="a DOI has no whitespace; GMT files carry it in a tab-separated column",
            )


@dataclass(frozen=True)
class Signature:
    """A gene signature with provenance.

    Parameters
    ----------
    id
        Stable identifier (letters, digits, ``_``, ``-``, ``.``), e.g. ``msk1_rps6ka5``;
        built-in signatures use lower case.
    name
        Human-readable name.
    genes
        The genes, in the order given by the source; at least one, no duplicates.
    version
        Version of this definition (bumped whenever genes, directions or weights change).
    description
        What the signature measures.
    feature_type
        ``mrna``, ``mirna`` or ``host_gene``: what kind of measurement the genes are.
    source
        The paper.
    endpoint
        The endpoint the authors used, in words (``bone-metastasis-free survival``).
    population
        The population the authors used, in words (``ER+``).
    population_filter
        A sigsurv subgroup expression selecting that population, e.g.
        ``er == 'positive'`` (empty: all patients).
    expected_direction
        Whether a higher score is expected to be ``protective`` (HR < 1) or ``harmful``.
    default_method, default_cut
        Default scoring method and cut-point rule.
    defaults_origin
        ``authors`` if those defaults are what the paper did, ``sigsurv_default`` if
        they are sigsurv's choice because the paper's were not available. Applies
        to both the method and the cut unless ``method_origin`` / ``cut_origin``
        say otherwise.
    is_proxy
        True when the gene list is a stand-in for an unpublished list.
    caveats
        Caveats a user must see next to any result.
    method_origin, cut_origin
        Origin of ``default_method`` and of ``default_cut`` separately (``None``:
        same as ``defaults_origin``). Read the resolved values from
        :attr:`method_origin_resolved` and :attr:`cut_origin_resolved`.
    collection
        Name of the collection this signature belongs to (e.g. the miRNA -> target
        sets of one review), empty if none.
    mirnas
        For target-level signatures, the miRNA genes (HGNC symbols) whose targets
        the genes are.
    mirna_role
        ``pro_metastatic`` or ``anti_metastatic`` for the regulating miRNA of a
        metastasis miRNA -> target set; empty otherwise.
    retracted
        True when the evidence for the signature was retracted; such signatures are
        kept for the record but left out of :func:`~sigsurv.signatures.list_signatures`
        unless asked for.
    related
        Ids of related signatures (e.g. the miRNA-level and target-level versions).
    score_relation
        ``same`` or ``inverse``: how the score moves with the quantity a claim about
        it is about (the miRNA for a target-level proxy). A claim that miR-21 is
        harmful predicts a *protective* score of miR-21's repressed targets
        (``inverse``). For an mRNA target set of ``mirnas`` whose genes all share one
        direction, it must agree with that direction (+1 targets: ``inverse``).
    score_meaning
        What a high score means, in words, e.g. ``higher target score = lower miR-21``;
        must read ``= higher`` for ``same`` and ``= lower`` for ``inverse``.
    confounders
        Variables that confound the score's association with outcome (``er``,
        ``proliferation``); a claim test of this signature is adjusted for them when
        the cohort measures them, else marked ``confounded, not adjusted``.
    definition_file, definition_sha256
        The file the definition was read from and its SHA-256 (empty for a signature
        built in code); filled by the readers, ignored when comparing signatures.

    Examples
    --------
    >>> sig = Signature(id="msk1_rps6ka5", name="MSK1 (RPS6KA5)",
    ...                 genes=(SignatureGene("RPS6KA5"),))
    >>> sig.symbols
    ('RPS6KA5',)
    >>> sig.method_origin_resolved
    'sigsurv_default'
    """

    id: str
    name: str
    genes: tuple[SignatureGene, ...]
    version: str = "1"
    description: str = ""
    feature_type: FeatureType = "mrna"
    source: SignatureSource = field(default_factory=SignatureSource)
    endpoint: str = ""
    population: str = ""
    population_filter: str = ""
    expected_direction: ExpectedDirection = "protective"
    default_method: str = "mean_z"
    default_cut: str = "median"
    defaults_origin: ChoiceOrigin = "sigsurv_default"
    is_proxy: bool = False
    caveats: tuple[str, ...] = ()
    method_origin: ChoiceOrigin | None = None
    cut_origin: ChoiceOrigin | None = None
    collection: str = ""
    mirnas: tuple[str, ...] = ()
    mirna_role: MirnaRole = ""
    retracted: bool = False
    related: tuple[str, ...] = ()
    score_relation: ScoreRelation = "same"
    score_meaning: str = ""
    confounders: tuple[str, ...] = ()
    definition_file: str = field(default="", compare=False)
    definition_sha256: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID_PATTERN.fullmatch(self.id):
            raise SignatureError(
                "invalid signature id",
                expected="letters, digits, '_', '-' or '.', starting with a letter",
                found=self.id,
            )
        self._check_lists()
        self._check_genes()
        for name in (
            "name",
            "version",
            "description",
            "endpoint",
            "population",
            "population_filter",
            "default_method",
            "default_cut",
            "collection",
            "score_meaning",
        ):
            _check_text(f"signature {self.id}", name, getattr(self, name))
        self._check_choices()
        self._check_relation()

    def _check_lists(self) -> None:
        for name in ("caveats", "mirnas", "related", "confounders"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise SignatureError(f"signature {self.id}: {name} must be a list", found=value)
            object.__setattr__(self, name, tuple(value))
            for item in getattr(self, name):
                _check_text(f"signature {self.id}", name, item)

    def _check_genes(self) -> None:
        object.__setattr__(self, "genes", tuple(self.genes))
        if not self.genes:
            raise SignatureError(
                f"signature {self.id}: the gene list is empty", expected="at least one gene"
            )
        seen: set[str] = set()
        for gene in self.genes:
            if not isinstance(gene, SignatureGene):
                raise SignatureError(
                    f"signature {self.id}: genes must be SignatureGene objects",
                    found=type(gene).__name__,
                )
            key = gene.symbol.upper()
            if key in seen:
                raise SignatureError(f"signature {self.id}: duplicate gene", found=gene.symbol)
            seen.add(key)

    def _check_choices(self) -> None:
        if not isinstance(self.source, SignatureSource):
            raise SignatureError(
                f"signature {self.id}: source must be a SignatureSource",
                found=type(self.source).__name__,
            )
        if self.feature_type not in FEATURE_TYPES:
            raise SignatureError(
                f"signature {self.id}: unknown feature type",
                expected=" | ".join(FEATURE_TYPES),
                found=self.feature_type,
            )
        if self.expected_direction not in EXPECTED_DIRECTIONS:
            raise SignatureError(
                f"signature {self.id}: unknown expected direction",
                expected="protective | harmful",
                found=self.expected_direction,
            )
        for name in ("defaults_origin", "method_origin", "cut_origin"):
            value = getattr(self, name)
            if value is None and name != "defaults_origin":
                continue
            if value not in CHOICE_ORIGINS:
                raise SignatureError(
                    f"signature {self.id}: unknown {name.replace('_', ' ')}",
                    expected="authors | sigsurv_default",
                    found=value,
                )
        if self.mirna_role not in MIRNA_ROLES:
            raise SignatureError(
                f"signature {self.id}: unknown miRNA role",
                expected="pro_metastatic | anti_metastatic (or empty)",
                found=self.mirna_role,
            )
        for name in ("is_proxy", "retracted"):
            if not isinstance(getattr(self, name), bool):
                raise SignatureError(
                    f"signature {self.id}: {name} must be true or false", found=getattr(self, name)
                )

    def _check_relation(self) -> None:
        """The score's relation to the claimed quantity agrees with its genes and words."""
        where = f"signature {self.id}"
        if self.score_relation not in SCORE_RELATIONS:
            raise SignatureError(
                f"{where}: unknown score relation",
                expected=" | ".join(SCORE_RELATIONS),
                found=self.score_relation,
            )
        for name in self.confounders:
            if name not in CONFOUNDERS:
                raise SignatureError(
                    f"{where}: unknown confounder", expected=" | ".join(CONFOUNDERS), found=name
                )
        directions = {gene.direction for gene in self.genes}
        if self.mirnas and self.feature_type == "mrna" and len(directions) == 1:
            # The genes are the miRNA's repressed targets: +1 rises as the miRNA falls.
            implied = "inverse" if directions == {1} else "same"
            if self.score_relation != implied:
                raise SignatureError(
                    f"{where}: score relation disagrees with the target directions",
                    expected=implied,
                    found=self.score_relation,
                    hint="targets with direction +1 rise when the miRNA falls (inverse)",
                )
        meaning = self.score_meaning.lower()
        wanted = "= lower" if self.score_relation == "inverse" else "= higher"
        if meaning and wanted not in meaning:
            raise SignatureError(
                f"{where}: score meaning disagrees with the score relation",
                expected=f"words with {wanted!r} for score_relation {self.score_relation}",
                found=self.score_meaning,
            )

    @property
    def method_origin_resolved(self) -> str:
        """Origin of :attr:`default_method` (``authors`` or ``sigsurv_default``)."""
        return self.method_origin or self.defaults_origin

    @property
    def cut_origin_resolved(self) -> str:
        """Origin of :attr:`default_cut` (``authors`` or ``sigsurv_default``)."""
        return self.cut_origin or self.defaults_origin

    @property
    def n_genes(self) -> int:
        """Number of genes (features) in the signature."""
        return len(self.genes)

    def gene(self, symbol: str) -> SignatureGene:
        """Return the member with this symbol (case-insensitive).

        Examples
        --------
        >>> Signature.from_genes("s", ["BCL2", "IGF1R"]).gene("bcl2").symbol
        'BCL2'
        """
        key = symbol.upper()
        for member in self.genes:
            if member.symbol.upper() == key:
                return member
        raise SignatureError(f"signature {self.id}: no gene {symbol!r}", found=symbol)

    @property
    def symbols(self) -> tuple[str, ...]:
        """Gene symbols in signature order."""
        return tuple(gene.symbol for gene in self.genes)

    @property
    def directions(self) -> np.ndarray:
        """Directions (+1/-1) as an integer array aligned with :attr:`symbols`."""
        return np.array([gene.direction for gene in self.genes], dtype=int)

    @property
    def weights(self) -> np.ndarray:
        """Weights as a float array aligned with :attr:`symbols`."""
        return np.array([gene.weight for gene in self.genes], dtype=float)

    @property
    def is_signed(self) -> bool:
        """True when the signature has genes in both directions."""
        directions = {gene.direction for gene in self.genes}
        return len(directions) == 2

    @property
    def up_genes(self) -> tuple[str, ...]:
        """Symbols with direction +1."""
        return tuple(g.symbol for g in self.genes if g.direction == 1)

    @property
    def down_genes(self) -> tuple[str, ...]:
        """Symbols with direction -1."""
        return tuple(g.symbol for g in self.genes if g.direction == -1)

    @classmethod
    def from_genes(
        cls,
        id: str,
        genes: list[str] | tuple[str, ...] | dict[str, float],
        **fields: object,
    ) -> Signature:
        """Build a signature from a plain gene list or a ``symbol -> signed weight`` dict.

        A negative weight in the dict means direction -1 with the absolute weight.

        Examples
        --------
        >>> sig = Signature.from_genes("my_set", {"BCL2": -1.0, "PTEN": 2.0})
        >>> sig.down_genes, sig.weights.tolist()
        (('BCL2',), [1.0, 2.0])
        """
        if isinstance(genes, dict):
            members = tuple(
                SignatureGene(
                    symbol, direction=-1 if w < 0 else 1, weight=abs(float(w)), provenance="literal"
                )
                for symbol, w in genes.items()
            )
        else:
            members = tuple(SignatureGene(symbol) for symbol in genes)
        name = str(fields.pop("name", id))
        return cls(id=id, name=name, genes=members, **fields)  # type: ignore[arg-type]
