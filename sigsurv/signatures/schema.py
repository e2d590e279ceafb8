"""The signature schema: a gene signature is data with a source, not a bare gene list.

A :class:`Signature` holds its genes (each with a direction, a weight and its own
provenance), the paper it comes from, the endpoint and population the authors used,
the expected direction of the association and the default way to score and split
it (labelled as the authors' choice or as sigsurv's default).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sigsurv.errors import SignatureError

__all__ = [
    "FEATURE_TYPES",
    "GENE_PROVENANCE",
    "Signature",
    "SignatureGene",
    "SignatureSource",
]

FeatureType = Literal["mrna", "mirna", "host_gene"]
FEATURE_TYPES: tuple[str, ...] = ("mrna", "mirna", "host_gene")
GeneProvenance = Literal["literal", "named_target", "inferred"]
GENE_PROVENANCE: tuple[str, ...] = ("literal", "named_target", "inferred")
ExpectedDirection = Literal["protective", "harmful"]
ChoiceOrigin = Literal["authors", "sigsurv_default"]

_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")


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

    Examples
    --------
    >>> SignatureGene("RPS6KA5", direction=1, provenance="literal").direction
    1
    """

    symbol: str
    direction: int = 1
    weight: float = 1.0
    provenance: GeneProvenance = "literal"
    citation: str = ""
    feature_type: FeatureType | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.symbol, str) or not self.symbol.strip():
            raise SignatureError("gene symbol must be a non-empty string", found=self.symbol)
        if self.direction not in (1, -1) or isinstance(self.direction, bool):
            raise SignatureError(
                f"gene {self.symbol}: direction not recognised",
                expected="+1 or -1 (or 'up'/'down', '+'/'-')",
                found=self.direction,
            )
        if isinstance(self.weight, bool) or not isinstance(self.weight, (int, float)):
            raise SignatureError(
                f"gene {self.symbol}: weight is not a number",
                expected="a finite number >= 0",
                found=self.weight,
            )
        if not math.isfinite(self.weight) or self.weight < 0:
            raise SignatureError(
                f"gene {self.symbol}: weight must be finite and non-negative",
                expected="a finite number >= 0",
                found=self.weight,
            )
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


@dataclass(frozen=True)
class SignatureSource:
    """Bibliographic source of a signature.

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
        they are sigsurv's choice because the paper's were not available.
    is_proxy
        True when the gene list is a stand-in for an unpublished list.
    caveats
        Caveats a user must see next to any result.

    Examples
    --------
    >>> sig = Signature(id="msk1_rps6ka5", name="MSK1 (RPS6KA5)",
    ...                 genes=(SignatureGene("RPS6KA5"),))
    >>> sig.symbols
    ('RPS6KA5',)
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

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID_PATTERN.match(self.id):
            raise SignatureError(
                "invalid signature id",
                expected="letters, digits, '_', '-' or '.', starting with a letter",
                found=self.id,
            )
        object.__setattr__(self, "genes", tuple(self.genes))
        object.__setattr__(self, "caveats", tuple(self.caveats))
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
        if self.feature_type not in FEATURE_TYPES:
            raise SignatureError(
                f"signature {self.id}: unknown feature type",
                expected=" | ".join(FEATURE_TYPES),
                found=self.feature_type,
            )
        if self.expected_direction not in ("protective", "harmful"):
            raise SignatureError(
                f"signature {self.id}: unknown expected direction",
                expected="protective | harmful",
                found=self.expected_direction,
            )
        if self.defaults_origin not in ("authors", "sigsurv_default"):
            raise SignatureError(
                f"signature {self.id}: unknown defaults origin",
                expected="authors | sigsurv_default",
                found=self.defaults_origin,
            )

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
