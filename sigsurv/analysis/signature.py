"""One signature, one cohort, one endpoint: the full survival analysis a paper would run.

:func:`analyse_signature` (one :class:`AnalysisSpec` in, one result out) composes the
engine's single implementations (scoring, grouping, Kaplan–Meier, log-rank, Cox,
concordance, proportional-hazards test); the CLI's ``sigsurv survival``, ``sigsurv
reproduce`` and the HTML report all read its :class:`SignatureSurvival` result, so every
number has one source. This module holds the analysis steps; the result, its
``results.json`` and the time helpers live in :mod:`sigsurv.analysis.survival_result`
(re-exported here).

Conventions (recorded in ``results.json`` under ``definitions``):

* groups come from the score: ``high`` = score strictly above the cut (R
  ``surv_categorize``), ``low`` = at or below; with tertiles/quartiles the levels
  are ``T1..T3`` / ``Q1..Q4``; ``top_tertile`` / ``top_quartile`` compare the top
  third / quarter (``top``) with the ``rest``; the lowest level is the reference;
* ``cox_grouped``: Cox model of the highest group vs the lowest (reference);
* ``cox_continuous_per_sd``: Cox model of the z-scored score (HR per 1 SD);
* a ``strata`` column (e.g. the sequencing platform) stratifies log-rank and Cox; the
  score is then z-scored *within* each stratum and quantile cuts (median, tertiles,
  quartiles) are taken within each stratum, so a batch shift of the score neither
  decides the groups nor inflates the SD (a fixed or optimal cut stays global, noted).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from sigsurv._deprecation import deprecated_alias
from sigsurv.analysis.data import prepare_survival
from sigsurv.analysis.spec import AnalysisSpec, parse_cut
from sigsurv.analysis.suggest import check_subgroup_levels, warnings_naming
from sigsurv.analysis.survival_result import (
    DEFINITIONS,
    SignatureSurvival,
    display_unit_for,
    km_group_rows,
    numbers_at_risk,
    parse_times,
    survival_at_times,
)
from sigsurv.cohorts.model import Cohort, _is_anndata
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError, SigsurvWarning
from sigsurv.signatures.schema import Signature
from sigsurv.survival.concordance import concordance_index
from sigsurv.survival.cox import CoxResult, cox_fit, standardise
from sigsurv.survival.cut_rules import OPTIMAL_IS_OPTIMISTIC, QUANTILE_RULES
from sigsurv.survival.cutpoints import Grouping, group_by_cut
from sigsurv.survival.endpoints import SurvivalData
from sigsurv.survival.km import kaplan_meier
from sigsurv.survival.logrank import logrank_test, logrank_trend_test

__all__ = [
    "DEFINITIONS",
    "AnalysisSpec",
    "SignatureSurvival",
    "analyse_scores",
    "analyse_signature",
    "display_unit_for",
    "group_within_strata",
    "km_group_rows",
    "numbers_at_risk",
    "parse_cut",
    "parse_times",
    "standardise_within",
    "survival_at_times",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def _covariate_frame(clinical: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    missing = [c for c in covariates if c not in clinical.columns]
    if missing:
        raise AnalysisError(
            "covariate not found in the clinical data",
            column=missing[0],
            expected="one of: " + ", ".join(map(str, clinical.columns[:30])),
        )
    frame = clinical[covariates].copy()
    for column in covariates:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object:
            frame[column] = values.astype(object).where(values.notna(), None)
    return frame


def _covariate_names(covariates: str | Sequence[str] | None) -> tuple[str, ...]:
    """Covariate column names, checked as ``--covariates`` is: a string is one
    comma-separated list (``"age"`` is one column, never its characters); names must
    be non-empty strings, each at most once.

    Examples
    --------
    >>> _covariate_names("age, node")
    ('age', 'node')
    >>> _covariate_names(["age", "age"])
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: covariates names a column twice; found 'age'
    """
    if covariates is None:
        return ()
    if isinstance(covariates, str):
        names = tuple(name.strip() for name in covariates.split(","))
    else:
        names = tuple(covariates)
    for index, name in enumerate(names):
        if not isinstance(name, str):
            raise OptionError(
                "covariates must be column names", expected="strings", found=repr(name)
            )
        if not name.strip():
            raise OptionError("covariates has an empty column name", found=repr(covariates))
        if name in names[:index]:
            raise OptionError("covariates names a column twice", found=name)
    return names


def _spec_from_keywords(
    *,
    endpoint: str | None,
    cut: str | float | None,
    horizon: float | None,
    horizon_unit: str | None,
    subgroup: str | None,
    population: bool,
    covariates: Sequence[str] | None,
    reference_levels: Mapping[str, Any] | None,
    strata: str | None,
    ties: str,
    n_permutations: int,
    seed: int,
    spec: AnalysisSpec | None,
) -> AnalysisSpec:
    """The spec from the keyword arguments, or ``spec`` if given (never both)."""
    keywords = AnalysisSpec(
        endpoint=endpoint,
        cut=cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=subgroup,
        population=population,
        covariates=_covariate_names(covariates),
        reference_levels=reference_levels,
        strata=strata,
        ties=ties,
        permutations=n_permutations,
        seed=seed,
    )
    if spec is None:
        return keywords
    if keywords != AnalysisSpec():
        changed = [
            f.name
            for f in dataclasses.fields(AnalysisSpec)
            if getattr(keywords, f.name) != getattr(AnalysisSpec(), f.name)
        ]
        raise OptionError(
            "give the analysis as spec= or as keyword arguments, not both",
            found=", ".join(changed),
        )
    return spec


def _checked_values(scores: pd.Series, samples: pd.Index, signature_id: str) -> np.ndarray:
    missing_scores = [s for s in samples if s not in scores.index]
    if missing_scores:
        raise AnalysisError(
            "scores are missing for analysed samples", found=", ".join(missing_scores[:5])
        )
    values = scores.reindex(samples).to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise AnalysisError(
            f"score of {signature_id} is not finite for some samples",
            found=int((~np.isfinite(values)).sum()),
        )
    if np.ptp(values) == 0:
        raise AnalysisError(
            f"score of {signature_id} is constant across the analysed samples",
            hint="no grouping or hazard ratio is possible",
        )
    return values


def _strata_values(clinical: pd.DataFrame, strata: str | None) -> np.ndarray | None:
    """The strata labels per patient, or None when there is no (or a one-level) stratum."""
    if strata is None:
        return None
    if strata not in clinical.columns:
        raise AnalysisError("strata column not found in the clinical data", column=strata)
    strata_series = clinical[strata]
    if strata_series.isna().any():
        raise AnalysisError(
            "strata column has missing values",
            column=strata,
            found=int(strata_series.isna().sum()),
        )
    if strata_series.nunique() > 1:
        return np.asarray(strata_series.astype(str).to_numpy())
    return None


_QUANTILE_RULES = QUANTILE_RULES  # the registry's (sigsurv.survival.cut_rules)


def standardise_within(values: np.ndarray, strata_values: np.ndarray | None) -> np.ndarray:
    """z-score over all patients, or within each stratum when strata are given.

    Examples
    --------
    >>> standardise_within(np.array([1.0, 2.0, 3.0, 11.0, 12.0, 13.0]),
    ...                    np.array(list("aaabbb"))).tolist()
    [-1.0, 0.0, 1.0, -1.0, 0.0, 1.0]
    """
    if strata_values is None:
        return standardise(values)
    out = np.empty(values.size)
    for level in np.unique(strata_values):
        rows = strata_values == level
        if rows.sum() < 2 or np.ptp(values[rows]) == 0:
            raise AnalysisError(
                "score cannot be standardised within a stratum (fewer than 2 patients or a "
                "constant score)",
                found=str(level),
            )
        out[rows] = standardise(values[rows])
    return out


standardize_within = deprecated_alias(standardise_within, "standardize_within")


def group_within_strata(
    values: np.ndarray,
    rule: str | float,
    *,
    time: np.ndarray,
    event: np.ndarray,
    strata_values: np.ndarray | None,
    n_permutations: int = 0,
    seed: int | None = None,
) -> tuple[Grouping, dict[str, list[float]], str | None]:
    """Group by a cut rule, quantile cuts taken within each stratum.

    Returns
    -------
    tuple
        ``(grouping, cuts by stratum, note)``; the note (or None) says how the cut was
        taken when strata are given. A fixed or optimal cut stays global, as does a
        quantile cut when a stratum is too small to be cut.

    Examples
    --------
    >>> g, cuts, note = group_within_strata(
    ...     np.array([1.0, 2.0, 3.0, 4.0, 11.0, 12.0, 13.0, 14.0]), "median",
    ...     time=np.ones(8), event=np.ones(8), strata_values=np.array(list("aaaabbbb")))
    >>> g.labels.astype(str).tolist()
    ['low', 'low', 'high', 'high', 'low', 'low', 'high', 'high']
    >>> cuts, note
    ({'a': [2.5], 'b': [12.5]}, 'median cut taken within each stratum')
    """
    overall = group_by_cut(
        values, rule, time=time, event=event, n_permutations=n_permutations, seed=seed
    )
    if strata_values is None:
        return overall, {}, None
    if rule not in _QUANTILE_RULES:
        return overall, {}, f"{rule} cut taken over all strata together"
    labels = np.empty(values.size, dtype=object)
    cuts: dict[str, list[float]] = {}
    for level in np.unique(strata_values):
        rows = strata_values == level
        try:
            within = group_by_cut(values[rows], rule)
        except SigsurvInputError:
            return overall, {}, f"{rule} cut over all strata (a stratum is too small to cut)"
        labels[rows] = np.asarray(within.labels.astype(str))
        cuts[str(level)] = [float(c) for c in within.cuts]
    grouped = Grouping(
        labels=pd.Series(pd.Categorical(labels, categories=overall.levels, ordered=True)),
        cuts=(),
        rule=overall.rule,
    )
    if (grouped.counts == 0).any():
        return overall, {}, f"{rule} cut over all strata (a group would be empty within strata)"
    return grouped, cuts, f"{rule} cut taken within each stratum"


def _multivariable(
    clinical: pd.DataFrame,
    values: np.ndarray,
    survival: SurvivalData,
    spec: AnalysisSpec,
    strata_values: np.ndarray | None,
) -> tuple[CoxResult, int]:
    """Cox model of the score per SD with the covariates, on the complete cases."""
    frame = _covariate_frame(clinical, list(spec.covariates))
    complete = frame.notna().all(axis=1).to_numpy()
    design = pd.concat(
        [
            pd.DataFrame(
                {"score_per_sd": standardise_within(values, strata_values)}, index=frame.index
            ),
            frame,
        ],
        axis=1,
    ).loc[complete]
    model = cox_fit(
        survival.time[complete],
        survival.event[complete],
        design,
        ties=spec.ties,
        strata=None if strata_values is None else strata_values[complete],
        reference_levels=None if spec.reference_levels is None else dict(spec.reference_levels),
    )
    return model, int((~complete).sum())


def _analyse(
    cohort: Cohort, scores: pd.Series, spec: AnalysisSpec, **options: Any
) -> SignatureSurvival:
    """The analysis itself (:func:`_analyse_quietly`, same keywords), once the subgroup
    and the cut rule in effect are known.

    The engine's warnings (which know no cohort) are re-issued naming the cohort and
    the signature.
    """
    with warnings_naming(f"{cohort.name}, {options['signature_id']}"):
        return _analyse_quietly(cohort, scores, spec, **options)


def _analyse_quietly(
    cohort: Cohort,
    scores: pd.Series,
    spec: AnalysisSpec,
    *,
    subgroup: str | None,
    cut: str | float,
    signature: Signature | None,
    signature_id: str,
    signature_version: str,
    method: str,
    coverage: dict[str, Any] | None,
) -> SignatureSurvival:
    check_subgroup_levels(cohort.clinical, subgroup, cohort.name)
    data_cohort, survival = prepare_survival(
        cohort,
        spec.endpoint,
        horizon=spec.horizon,
        horizon_unit=spec.horizon_unit,
        subgroup=subgroup,
    )
    notes = list(data_cohort.messages[len(cohort.messages) :])
    values = _checked_values(scores, data_cohort.samples, signature_id)
    rule = parse_cut(cut)
    strata_values = _strata_values(data_cohort.clinical, spec.strata)
    if spec.strata is not None and strata_values is None:
        notes.append(f"strata {spec.strata!r} has a single level here: not stratified")
    grouping, cuts_by_stratum = _grouping(values, rule, survival, spec, strata_values, notes)
    models = _univariable_models(values, grouping, survival, spec.ties, strata_values)
    multivariable, dropped = None, 0
    if spec.covariates:
        multivariable, dropped = _multivariable(
            data_cohort.clinical, values, survival, spec, strata_values
        )
        if dropped:
            notes.append(
                f"multivariable model: {dropped} patients with missing covariates excluded"
            )
    if survival.events < 10:
        warnings.warn(
            f"{cohort.name}: only {survival.events} events for {signature_id}; estimates are "
            "unstable",
            SigsurvWarning,
            stacklevel=3,
        )
    return SignatureSurvival(
        cohort=cohort.name,
        signature_id=signature_id,
        signature_version=signature_version,
        method=method,
        cut_rule=rule,
        survival=survival,
        scores=pd.Series(values, index=data_cohort.samples, name=signature_id),
        grouping=grouping,
        **models,
        cox_multivariable=multivariable,
        multivariable_dropped=dropped,
        strata=spec.strata if strata_values is not None else None,
        coverage=coverage or {},
        notes=notes,
        signature=signature,
        spec=spec,
        cuts_by_stratum=cuts_by_stratum,
        strata_values=strata_values,
    )


def _grouping(
    values: np.ndarray,
    rule: str | float,
    survival: SurvivalData,
    spec: AnalysisSpec,
    strata_values: np.ndarray | None,
    notes: list[str],
) -> tuple[Grouping, dict[str, list[float]]]:
    """The score groups under the cut rule (notes say how the cut was taken)."""
    grouping, cuts_by_stratum, cut_note = group_within_strata(
        values,
        rule,
        time=survival.time,
        event=survival.event,
        strata_values=strata_values,
        n_permutations=spec.permutations,
        seed=spec.seed,
    )
    if cut_note is not None:
        notes.append(cut_note)
    if rule == "optimal":
        notes.append(
            f"{OPTIMAL_IS_OPTIMISTIC}; read them with maxstat's selection-adjusted p-values "
            "(sigsurv reproduce adds a cross-validated HR)"
        )
    return grouping, cuts_by_stratum


def _univariable_models(
    values: np.ndarray,
    grouping: Grouping,
    survival: SurvivalData,
    ties: str,
    strata_values: np.ndarray | None,
) -> dict[str, Any]:
    """Kaplan–Meier, log-rank (and trend), the grouped and per-SD Cox models and C."""
    time, event = survival.time, survival.event
    labels = pd.Series(grouping.labels).to_numpy()
    km = kaplan_meier(time, event, groups=grouping.labels)
    logrank = logrank_test(time, event, labels, strata=strata_values)
    trend = None
    if len(grouping.levels) > 2:
        trend = logrank_trend_test(time, event, grouping.labels, strata=strata_values)
    group_frame = pd.DataFrame({"group": pd.Categorical(labels, categories=grouping.levels)})
    cox_grouped = cox_fit(
        time,
        event,
        group_frame,
        ties=ties,
        strata=strata_values,
        reference_levels={"group": grouping.levels[0]},
    )
    per_sd = pd.DataFrame({"score_per_sd": standardise_within(values, strata_values)})
    cox_continuous = cox_fit(time, event, per_sd, ties=ties, strata=strata_values)
    # C of the linear predictor (coef x score), as coxph reports it: >= 0.5 when the fitted
    # direction discriminates, whichever way the score points.
    coef = cox_continuous.summary["coef"].astype(float)["score_per_sd"]
    sign = 1.0 if coef >= 0 else -1.0
    return {
        "km": km,
        "logrank": logrank,
        "logrank_trend": trend,
        "cox_grouped": cox_grouped,
        "cox_continuous": cox_continuous,
        "concordance": concordance_index(
            time, event, sign * values, reverse=True, strata=strata_values
        ),
    }


def analyse_scores(
    cohort: Cohort | Any,
    scores: pd.Series,
    spec: AnalysisSpec | None = None,
    *,
    signature_id: str = "score",
    signature_version: str = "",
    method: str = "given",
    endpoint: str | None = None,
    cut: str | float | None = None,
    horizon: float | None = None,
    horizon_unit: str | None = None,
    subgroup: str | None = None,
    covariates: Sequence[str] | None = None,
    reference_levels: Mapping[str, Any] | None = None,
    strata: str | None = None,
    ties: str = "efron",
    n_permutations: int = 0,
    seed: int = 20240101,
    coverage: dict[str, Any] | None = None,
    signature: Signature | None = None,
) -> SignatureSurvival:
    """Run the survival analysis of per-sample scores already computed.

    Parameters
    ----------
    cohort
        A loaded cohort, or an AnnData made by :meth:`Cohort.to_anndata`.
    scores
        One score per sample, indexed by sample.
    spec
        The analysis (:class:`AnalysisSpec`); or give its fields as keyword
        arguments (``n_permutations`` is ``spec.permutations``), not both. A ``cut``
        of None means the median; ``spec.population`` is ignored (bare scores have
        no population filter).
    signature_id, signature_version, method, coverage, signature
        What the scores are, recorded in the result.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> cohort = load_example("gse1992")
    >>> result = analyse_scores(cohort, cohort.expression.loc["ESR1"], signature_id="ESR1")
    >>> result.logrank.df
    1
    >>> esr1 = cohort.expression.loc["ESR1"]
    >>> analyse_scores(cohort, esr1, AnalysisSpec(cut="tertile")).grouping.levels
    ['T1', 'T2', 'T3']
    """
    if _is_anndata(cohort):
        cohort = Cohort.from_anndata(cohort)
    spec = _spec_from_keywords(
        endpoint=endpoint,
        cut=cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=subgroup,
        population=True,
        covariates=covariates,
        reference_levels=reference_levels,
        strata=strata,
        ties=ties,
        n_permutations=n_permutations,
        seed=seed,
        spec=spec,
    )
    return _analyse(
        cohort,
        scores,
        spec,
        subgroup=spec.subgroup,
        cut=spec.cut if spec.cut is not None else "median",
        signature=signature,
        signature_id=signature_id,
        signature_version=signature_version,
        method=method,
        coverage=coverage,
    )


def _keywords_deprecated(func: _F) -> _F:
    """Warn (DeprecationWarning) when the analysis is given as keyword arguments.

    Every keyword of :func:`analyse_signature` but ``spec`` mirrors a field of
    :class:`AnalysisSpec` (or of its :class:`~sigsurv.analysis.spec.ScoringSpec`); they
    keep working for one release.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = [name for name in kwargs if name != "spec"]
        if given:
            shown = ", ".join(f"{name}=..." for name in given)
            warnings.warn(
                f"{func.__name__}({shown}): the analysis given as keyword arguments is "
                "deprecated; pass spec=AnalysisSpec(...) (scoring: "
                "AnalysisSpec(scoring=ScoringSpec(...))); the keywords go in the next release",
                DeprecationWarning,
                stacklevel=2,
            )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@_keywords_deprecated
def analyse_signature(
    cohort: Cohort | Any,
    signature: str | Signature,
    spec: AnalysisSpec | None = None,
    *,
    method: str | None = None,
    min_coverage: float = 0.5,
    endpoint: str | None = None,
    cut: str | float | None = None,
    horizon: float | None = None,
    horizon_unit: str | None = None,
    subgroup: str | None = "default",
    covariates: Sequence[str] | None = None,
    reference_levels: Mapping[str, Any] | None = None,
    strata: str | None = None,
    ties: str = "efron",
    n_permutations: int = 0,
    seed: int = 20240101,
    **score_options: Any,
) -> SignatureSurvival:
    """Score a signature on a cohort and run the survival analysis the papers run.

    Parameters
    ----------
    cohort
        A loaded cohort, or an AnnData made by :meth:`Cohort.to_anndata`.
    signature
        Built-in id, a YAML/GMT path, or a :class:`Signature`.
    spec
        The analysis (:class:`AnalysisSpec`): scoring, endpoint, cut rule (None: the
        signature's default), horizon, subgroup and population filter (default: the
        signature's, e.g. ``er == 'positive'`` for MSK1), covariates, strata, ties,
        permutations, seed. A spec with a ``cause`` (competing risks) is run by
        :func:`~sigsurv.analysis.competing.analyse_signature_competing`.
    method, min_coverage, score_options
        Deprecated (a :class:`DeprecationWarning`; they go in the next release):
        ``spec.scoring`` (:class:`~sigsurv.analysis.spec.ScoringSpec`) as keywords.
    endpoint, cut, horizon, horizon_unit, covariates, reference_levels, strata, ties, seed
        Deprecated likewise: the fields of ``spec`` as keywords, never with a spec.
    subgroup, n_permutations
        Deprecated likewise: ``subgroup="default"`` is the signature's population
        filter, None everybody (in a spec: ``subgroup`` and ``population``);
        ``n_permutations`` is ``spec.permutations``.

    Returns
    -------
    SignatureSurvival
        Every number of the analysis; ``to_dict()`` is ``results.json``.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    >>> result.survival.subgroup, result.survival.n
    ("er == 'positive'", 72)
    >>> spec = AnalysisSpec(subgroup="node == 'positive'", horizon=60)
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5", spec)
    >>> result.survival.subgroup
    "(node == 'positive') and (er == 'positive')"
    >>> result.spec == spec, result.signature.id
    (True, 'msk1_rps6ka5')
    """
    from sigsurv.scoring import score_signatures
    from sigsurv.signatures import get_signature

    if _is_anndata(cohort):
        cohort = Cohort.from_anndata(cohort)
    spec = _spec_from_keywords(
        endpoint=endpoint,
        cut=cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=None if subgroup == "default" else subgroup,
        population=subgroup == "default",
        covariates=covariates,
        reference_levels=reference_levels,
        strata=strata,
        ties=ties,
        n_permutations=n_permutations,
        seed=seed,
        spec=spec,
    )
    spec = spec.replace(scoring=spec.scoring.with_keywords(method, min_coverage, score_options))
    if spec.competing:
        raise OptionError(
            "a spec with a cause is a competing-risk analysis",
            expected="analyse_signature_competing(cohort, signature, spec)",
            found=f"cause={spec.cause!r}",
        )
    definition = signature if isinstance(signature, Signature) else get_signature(signature)
    chosen_method = spec.scoring.method or definition.default_method
    scored = score_signatures(
        cohort,
        definition,
        method=chosen_method,
        min_coverage=spec.scoring.min_coverage,
        **spec.scoring.score_options(),
    )
    scores = scored.scores
    return _analyse(
        cohort,
        scores[definition.id],
        spec,
        subgroup=spec.effective_subgroup(definition.population_filter or None),
        cut=spec.cut if spec.cut is not None else definition.default_cut,
        signature=definition,
        signature_id=definition.id,
        signature_version=definition.version,
        method=chosen_method,
        coverage=scored.coverage_record(definition.id),
    )
