"""What one ``reproduce`` run was asked: a frozen, JSON-ready :class:`ReproduceSpec`.

The spec holds the options that change numbers (nulls, seed, equivalence margins,
proxies, strata) and, for the manifest, where the claims and cohorts came from. The
CLI builds one; :func:`~sigsurv.claims.reproduce.reproduce_claims` reads it; the
manifest's options (``run.json``) are :meth:`ReproduceSpec.to_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sigsurv._arguments import integer_argument, seed_argument
from sigsurv.errors import OptionError

__all__ = ["ReproduceSpec", "parse_margins"]


def parse_margins(value: Sequence[float] | str) -> tuple[float, float]:
    """``"0.8,1.25"`` or ``(0.8, 1.25)`` -> ``(0.8, 1.25)``, checked ``0 < low < 1 < high``.

    Examples
    --------
    >>> parse_margins("0.8,1.25")
    (0.8, 1.25)
    """
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        low, high = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise OptionError(
            "equivalence margins must be two numbers LOW,HIGH", found=str(value)
        ) from None
    if not 0 < low < 1 < high:
        raise OptionError(
            "equivalence margins must satisfy 0 < low < 1 < high", found=f"{low:g}, {high:g}"
        )
    return low, high


@dataclass(frozen=True)
class ReproduceSpec:
    """The options of one reproduction, checked once.

    Attributes
    ----------
    null_random
        Random signatures per test for the unadjusted, unstratified null (0: no null).
    null_random_adjusted
        Random signatures for the nulls fitted one Cox model at a time
        (proliferation-adjusted; the unadjusted null of a stratified test).
    seed
        Seed of the random sets and of the cross-validated optimal cut.
    equivalence_margins
        HR margins ``(low, high)`` of the TOST verdict of a claim of no association
        (:func:`parse_margins` reads the CLI's ``"LOW,HIGH"``).
    include_proxies
        Also test each claim's proxy signatures.
    strata_columns
        Clinical columns that may stratify the models (None: each cohort's own).
    cohorts, claim_ids, claim_files, builtin_claims, signature_files, strata,
    source_options, out, formats
        Provenance for the manifest: the cohort sources, the claim ids chosen (None:
        all), the claim and signature files read, ``--strata``, how a user's table was
        read, the output folder and the figure formats.

    Examples
    --------
    >>> spec = ReproduceSpec(null_random=0, equivalence_margins=parse_margins("0.8,1.25"))
    >>> spec.equivalence_margins, spec.to_dict()["null_random"]
    ((0.8, 1.25), 0)
    >>> try:
    ...     ReproduceSpec(equivalence_margins=(1.2, 0.8))
    ... except OptionError as error:
    ...     print(error.message)
    equivalence margins must satisfy 0 < low < 1 < high
    """

    null_random: int = 1000
    null_random_adjusted: int = 100
    seed: int = 20240101
    equivalence_margins: tuple[float, float] = (0.8, 1.25)
    include_proxies: bool = True
    strata_columns: tuple[str, ...] | None = None
    cohorts: tuple[str, ...] = ()
    claim_ids: tuple[str, ...] | None = None
    claim_files: tuple[str, ...] = ()
    builtin_claims: bool = True
    signature_files: tuple[str, ...] = ()
    strata: str | None = None
    source_options: Mapping[str, Any] = field(default_factory=dict)
    out: str | None = None
    formats: str = "png"

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "null_random", integer_argument("null_random", self.null_random))
        set_(
            self,
            "null_random_adjusted",
            integer_argument("null_random_adjusted", self.null_random_adjusted),
        )
        set_(self, "seed", seed_argument(self.seed))
        set_(self, "equivalence_margins", parse_margins(self.equivalence_margins))
        if self.strata_columns is not None:
            set_(self, "strata_columns", tuple(str(c) for c in self.strata_columns))
        for name in ("cohorts", "claim_files", "signature_files"):
            set_(self, name, tuple(str(v) for v in getattr(self, name)))
        if self.claim_ids is not None:
            set_(self, "claim_ids", tuple(self.claim_ids))
        set_(self, "source_options", dict(self.source_options))

    def margins_text(self) -> str:
        """``"0.8,1.25"``: the margins as the CLI takes them."""
        low, high = self.equivalence_margins
        return f"{low:g},{high:g}"

    def to_dict(self) -> dict[str, Any]:
        """The manifest's options (``run.json``), in the CLI's option names.

        Examples
        --------
        >>> sorted(ReproduceSpec(cohorts=("gse1992",)).to_dict())[:4]
        ['builtin_claims', 'claim', 'claims', 'cohort']
        """
        return {
            "cohort": list(self.cohorts),
            "claim": None if self.claim_ids is None else list(self.claim_ids),
            "claims": list(self.claim_files),
            "builtin_claims": self.builtin_claims,
            "signature": list(self.signature_files),
            "out": self.out,
            "strata": self.strata,
            "strata_columns": None if self.strata_columns is None else list(self.strata_columns),
            "source_options": dict(self.source_options),
            "null_random": self.null_random,
            "null_random_adjusted": self.null_random_adjusted,
            "proxies": self.include_proxies,
            "seed": self.seed,
            "equivalence_margins": self.margins_text(),
            "formats": self.formats,
        }
