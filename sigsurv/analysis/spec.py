"""What a signature's survival analysis is asked to do: :class:`AnalysisSpec`.

The spec holds the choices a paper's methods section states (endpoint, cut-point
rule, follow-up horizon, patient subgroup, covariates, strata, ties, permutations,
seed). :func:`~sigsurv.analysis.signature.analyse_signature` takes one and its result
carries it, so the analysis can be replayed and its manifest written from it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sigsurv._arguments import integer_argument, seed_argument
from sigsurv.errors import OptionError

__all__ = ["CUT_RULES", "AnalysisSpec", "combine_subgroups", "parse_cut"]

CUT_RULES = ("median", "tertile", "quartile", "top_tertile", "top_quartile", "optimal")
_CUT_ALIASES = {"tertiles": "tertile", "quartiles": "quartile", "maxstat": "optimal"}
TIES = ("efron", "breslow")


def parse_cut(cut: str | float) -> str | float:
    """Normalise a cut-point rule: ``median``, ``tertile``, ``quartile``, ``optimal`` or a number.

    Examples
    --------
    >>> parse_cut("Median"), parse_cut("2.5"), parse_cut(1)
    ('median', 2.5, 1.0)
    """
    if isinstance(cut, (int, float)) and not isinstance(cut, bool):
        return float(cut)
    text = str(cut).strip().lower()
    text = _CUT_ALIASES.get(text, text)
    if text in CUT_RULES:
        return text
    try:
        return float(text)
    except ValueError:
        raise OptionError(
            "unknown cut-point rule",
            expected=" | ".join(CUT_RULES) + " | a number",
            found=cut,
        ) from None


def combine_subgroups(*expressions: str | None) -> str | None:
    """The conjunction of subgroup expressions (None when there is none).

    Examples
    --------
    >>> combine_subgroups(None, "er == 'positive'")
    "er == 'positive'"
    >>> combine_subgroups("node == 'positive'", "er == 'positive'")
    "(node == 'positive') and (er == 'positive')"
    >>> combine_subgroups(None, None) is None
    True
    """
    parts = [e.strip() for e in expressions if e is not None and e.strip()]
    if len(parts) <= 1:
        return parts[0] if parts else None
    return " and ".join(f"({part})" for part in parts)


@dataclass(frozen=True)
class AnalysisSpec:
    """How to analyse a score against survival.

    Parameters
    ----------
    endpoint
        Endpoint name (None: the cohort's only endpoint).
    cut
        Cut-point rule (``median``, ``tertile``, ``quartile``, ``top_tertile``,
        ``top_quartile``, ``optimal`` or a number); None: the signature's default
        cut (:func:`~sigsurv.analysis.signature.analyse_signature`), else the median.
    horizon, horizon_unit
        Censor follow-up at this time ("events after 60 months become censored at
        60"); the unit defaults to the endpoint's.
    subgroup
        A subgroup expression restricting the patients (e.g. ``node == 'positive'``).
    population
        Also apply the signature's own population filter (e.g. ``er == 'positive'``
        for MSK1); the two are combined with ``and``. Ignored for bare scores.
    covariates, reference_levels
        Clinical columns of a multivariable model (score per SD + covariates) and
        the reference level of categorical ones.
    strata
        Clinical column stratifying log-rank and Cox (e.g. a sequencing batch).
    ties
        Cox ties method: ``efron`` (R's default) or ``breslow``.
    permutations
        Permutations for the optimal cut's permutation p (0: none).
    seed
        Random seed of every random step.

    Examples
    --------
    >>> spec = AnalysisSpec(cut="Tertiles", covariates=["age"], horizon=60)
    >>> spec.cut, spec.covariates
    ('tertile', ('age',))
    >>> spec.effective_subgroup("er == 'positive'")
    "er == 'positive'"
    """

    endpoint: str | None = None
    cut: str | float | None = None
    horizon: float | None = None
    horizon_unit: str | None = None
    subgroup: str | None = None
    population: bool = True
    covariates: tuple[str, ...] = ()
    reference_levels: Mapping[str, Any] | None = field(default=None, hash=False)
    strata: str | None = None
    ties: str = "efron"
    permutations: int = 0
    seed: int = 20240101

    def __post_init__(self) -> None:
        # Normalised on construction, so that equal analyses compare equal.
        if isinstance(self.covariates, str):
            raise OptionError(
                "covariates must be a list of column names", found=repr(self.covariates)
            )
        object.__setattr__(self, "covariates", tuple(self.covariates))
        if self.cut is not None:
            object.__setattr__(self, "cut", parse_cut(self.cut))
        if self.horizon is not None:
            object.__setattr__(self, "horizon", float(self.horizon))
        if self.reference_levels is not None:
            levels = MappingProxyType(dict(self.reference_levels))
            object.__setattr__(self, "reference_levels", levels)
        if self.ties not in TIES:
            raise OptionError("unknown ties method", expected=" | ".join(TIES), found=self.ties)
        object.__setattr__(
            self, "permutations", integer_argument("permutations", self.permutations)
        )
        object.__setattr__(self, "seed", seed_argument(self.seed))

    def effective_subgroup(self, population_filter: str | None = None) -> str | None:
        """The subgroup analysed: ``subgroup`` and (if ``population``) the signature's filter."""
        return combine_subgroups(self.subgroup, population_filter if self.population else None)

    def replace(self, **changes: Any) -> AnalysisSpec:
        """A copy with some fields changed.

        Examples
        --------
        >>> AnalysisSpec().replace(cut="optimal", permutations=100).permutations
        100
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``analysis`` in results.json, ``options`` in run.json).

        Examples
        --------
        >>> AnalysisSpec(covariates=["age"]).to_dict()["covariates"]
        ['age']
        """
        return {
            "endpoint": self.endpoint,
            "cut": self.cut,
            "horizon": self.horizon,
            "horizon_unit": self.horizon_unit,
            "subgroup": self.subgroup,
            "population": self.population,
            "covariates": list(self.covariates),
            "reference_levels": None
            if self.reference_levels is None
            else {str(k): v for k, v in self.reference_levels.items()},
            "strata": self.strata,
            "ties": self.ties,
            "permutations": self.permutations,
            "seed": self.seed,
        }
