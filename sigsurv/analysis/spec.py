"""What a signature's survival analysis is asked to do: :class:`AnalysisSpec`.

The spec holds the choices a paper's methods section states (how the signature is
scored — :class:`ScoringSpec` —, endpoint, cut-point rule, follow-up horizon, patient
subgroup, covariates, strata, ties, permutations, seed and, on a competing-risk
endpoint, the cause analysed).
:func:`~sigsurv.analysis.signature.analyse_signature` takes one (and
:func:`~sigsurv.analysis.competing.analyse_signature_competing` one with a ``cause``)
and its result carries it, so the analysis can be replayed and its manifest written
from it.

The cut-point rules are those of :mod:`sigsurv.survival.cut_rules` (one registry for
the engine, the request and the claims); ``tertile`` reports T3 vs T1 in the
three-group Cox model on all patients (the registry's notes say why).
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sigsurv._arguments import integer_argument, seed_argument
from sigsurv.errors import OptionError
from sigsurv.survival.cut_rules import ALIASES, RULE_NAMES

__all__ = ["CUT_RULES", "AnalysisSpec", "ScoringSpec", "combine_subgroups", "parse_cut"]

#: The cut-point rule names (:data:`sigsurv.survival.cut_rules.CUT_RULES` holds the rules).
CUT_RULES = RULE_NAMES
TIES = ("efron", "breslow")
#: Scoring engines (:mod:`sigsurv.scoring._engine`; kept here as names: the request is
#: validated without importing the scoring layer's kernels).
ENGINES = ("auto", "numba", "numpy")


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
    text = ALIASES.get(text, text)
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
class ScoringSpec:
    """How the signature is scored: the part of an analysis upstream of the statistics.

    Parameters
    ----------
    method
        Scoring method (:func:`sigsurv.scoring.list_methods`); None: the signature's
        own default method.
    min_coverage
        Minimum fraction of the signature's genes found in the cohort.
    options
        Further options of the method (e.g. ``{"kcdf": "Poisson"}`` for GSVA), as
        :func:`sigsurv.scoring.score` takes them.
    engine
        ``auto`` (numba when installed, else numpy), ``numba`` or ``numpy``. Recorded
        because the two engines may differ by an ulp (``run.json`` also records the
        engine that ran and numba's version). Passed to methods that have compiled
        kernels only.

    Examples
    --------
    >>> spec = ScoringSpec(method="gsva", options={"kcdf": "Poisson"}, engine="numpy")
    >>> spec.score_options()
    {'kcdf': 'Poisson', 'engine': 'numpy'}
    >>> ScoringSpec().to_dict()
    {'method': None, 'min_coverage': 0.5, 'options': {}, 'engine': 'auto'}
    """

    method: str | None = None
    min_coverage: float = 0.5
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    engine: str = "auto"

    def __post_init__(self) -> None:
        options = dict(self.options)
        if "engine" in options:
            raise OptionError(
                "scoring engine given twice", expected="ScoringSpec(engine=...)", found="options"
            )
        object.__setattr__(self, "options", MappingProxyType(options))
        if self.method is not None:
            object.__setattr__(self, "method", str(self.method).strip().lower())
        coverage = float(self.min_coverage)
        if not 0.0 <= coverage <= 1.0:
            raise OptionError("min_coverage must be a fraction", expected="0..1", found=coverage)
        object.__setattr__(self, "min_coverage", coverage)
        if self.engine not in ENGINES:
            raise OptionError(
                "unknown scoring engine", expected=" | ".join(ENGINES), found=self.engine
            )

    def with_keywords(
        self, method: str | None, min_coverage: float, options: Mapping[str, Any]
    ) -> ScoringSpec:
        """This spec, or the one the scoring keywords of a function call describe.

        Keywords left at their defaults (``method=None``, ``min_coverage=0.5``, no
        options) keep this spec; keywords given with a non-default spec are refused
        rather than merged.

        Examples
        --------
        >>> ScoringSpec().with_keywords("ssgsea", 0.5, {"engine": "numpy"})
        ScoringSpec(method='ssgsea', min_coverage=0.5, options=mappingproxy({}), engine='numpy')
        >>> ScoringSpec(method="gsva").with_keywords(None, 0.5, {}).method
        'gsva'
        """
        if method is None and float(min_coverage) == 0.5 and not options:
            return self
        if self != ScoringSpec():
            raise OptionError(
                "scoring given twice: in the spec and as keywords",
                expected="AnalysisSpec(scoring=ScoringSpec(...)) or the keywords",
                found="both",
            )
        rest = {k: v for k, v in options.items() if k != "engine"}
        engine = options.get("engine", "auto")
        return ScoringSpec(method=method, min_coverage=min_coverage, options=rest, engine=engine)

    def score_options(self) -> dict[str, Any]:
        """Keyword options of :func:`sigsurv.scoring.score` (the engine only if not auto).

        ``auto`` is every method's default, so leaving it out lets methods without
        compiled kernels (``mean_z``, ``zscore`` ...) accept the spec unchanged.
        """
        extra = {} if self.engine == "auto" else {"engine": self.engine}
        return {**self.options, **extra}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``analysis.scoring`` in results.json and run.json)."""
        return {
            "method": self.method,
            "min_coverage": self.min_coverage,
            "options": dict(self.options),
            "engine": self.engine,
        }


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
    scoring
        How the signature is scored (:class:`ScoringSpec`; default: the signature's
        method, coverage 0.5, engine ``auto``).
    cause
        On a competing-risk endpoint: the cause analysed, by event code (``1``) or
        label (``"bone relapse"``); every other non-zero code is a competing event
        (cause-specific Cox with the other causes censored, Fine–Gray, cumulative
        incidence). None: an ordinary survival endpoint. A spec with a cause is run by
        :func:`~sigsurv.analysis.competing.analyse_signature_competing`.

    Examples
    --------
    >>> spec = AnalysisSpec(cut="Tertiles", covariates=["age"], horizon=60)
    >>> spec.cut, spec.covariates
    ('tertile', ('age',))
    >>> spec.effective_subgroup("er == 'positive'")
    "er == 'positive'"
    >>> AnalysisSpec(endpoint="bone_relapse_cr", cause="bone relapse").competing
    True
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
    scoring: ScoringSpec = field(default_factory=ScoringSpec)
    cause: int | str | None = None

    def __post_init__(self) -> None:
        # Normalised on construction, so that equal analyses compare equal.
        if isinstance(self.covariates, str):
            raise OptionError(
                "covariates must be a list of column names", found=repr(self.covariates)
            )
        object.__setattr__(self, "covariates", tuple(self.covariates))
        if not isinstance(self.scoring, ScoringSpec):
            raise OptionError("scoring must be a ScoringSpec", found=type(self.scoring).__name__)
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
        object.__setattr__(self, "cause", _cause(self.cause))

    @property
    def competing(self) -> bool:
        """True when the spec asks for a competing-risk analysis (a ``cause`` is given)."""
        return self.cause is not None

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
        >>> AnalysisSpec(scoring=ScoringSpec(method="ssgsea")).to_dict()["scoring"]["method"]
        'ssgsea'
        """
        return {
            "scoring": self.scoring.to_dict(),
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
            "cause": self.cause,
        }


def _cause(cause: Any) -> int | str | None:
    """A cause code (an integer >= 1) or a non-empty label; None stays None."""
    if cause is None:
        return None
    if isinstance(cause, bool) or not isinstance(cause, (numbers.Integral, str)):
        raise OptionError("cause must be an event code or a label", found=repr(cause))
    if isinstance(cause, numbers.Integral):
        cause = int(cause)
        if cause < 1:
            raise OptionError("cause must be an event code >= 1 (0 is censored)", found=cause)
        return cause
    if not cause.strip():
        raise OptionError("cause is an empty label", found=repr(cause))
    return cause.strip()
