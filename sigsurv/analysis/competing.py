"""One score on a competing-risk endpoint: cause-specific and subdistribution hazards.

The analysis a site-specific claim (bone relapse, with relapse elsewhere and death
competing) and ``sigsurv survival --cause`` need:

* **cause-specific Cox** (primary): the hazard of the cause among patients still free of
  every event, the other causes censored, as R ``coxph(Surv(t, cause == k) ~ x)``,
  per standard deviation of the score and for the highest vs the lowest score group;
* **Fine–Gray** (secondary): the subdistribution hazard, as R ``cmprsk::crr``, for the
  same two contrasts; it describes the cumulative incidence, which the competing causes
  lower as well;
* **cumulative incidence** of the cause per score group at horizons (Aalen–Johansen,
  ``cmprsk::cuminc``) with **Gray's test**.

Everything is computed by :mod:`sigsurv.survival.competing`; this module only chooses
the contrasts and the groups; the result and what its results file records are
:mod:`sigsurv.analysis.competing_result` (re-exported here). A signature's analysis is
requested by an :class:`~sigsurv.analysis.spec.AnalysisSpec` with a ``cause``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import pandas as pd

from sigsurv.analysis.competing_result import COMPETING_DEFINITIONS, CompetingRiskAnalysis
from sigsurv.analysis.spec import AnalysisSpec, ScoringSpec
from sigsurv.analysis.suggest import check_subgroup_levels, warnings_naming
from sigsurv.analysis.survival_result import display_unit_for
from sigsurv.cohorts.model import Cohort, convert_time
from sigsurv.errors import AnalysisError, OptionError
from sigsurv.survival.competing import (
    cause_specific_cox,
    check_competing_arrays,
    cumulative_incidence,
    fine_gray,
)
from sigsurv.survival.cox import standardise
from sigsurv.survival.cutpoints import group_by_cut

__all__ = [
    "COMPETING_DEFINITIONS",
    "CompetingRiskAnalysis",
    "analyse_cohort_competing",
    "analyse_competing_risks",
    "analyse_signature_competing",
]

# Default horizons (years) when none are given: those within the follow-up are kept.
_DEFAULT_HORIZON_YEARS = (1.0, 3.0, 5.0, 10.0)


def _default_horizons(time: np.ndarray, unit: str) -> tuple[float, ...]:
    years = np.asarray(_DEFAULT_HORIZON_YEARS)
    horizons = np.asarray(convert_time(years, "years", unit), dtype=float)
    return tuple(float(h) for h in horizons if h <= np.max(time))


def analyse_competing_risks(
    score: Any,
    time: Any,
    event: Any,
    cause: int,
    *,
    causes: Sequence[str] = (),
    horizons: Sequence[float] | None = None,
    cut: str | float = "median",
    strata: Any = None,
    ties: str = "efron",
    unit: str = "months",
    endpoint: str = "",
    strata_name: str | None = None,
) -> CompetingRiskAnalysis:
    """Analyse one score on a competing-risk endpoint (arrays in, results out).

    Parameters
    ----------
    score
        Score per patient (finite, not constant).
    time
        Follow-up times (finite, >= 0).
    event
        0 = censored, 1..k = the cause of the event.
    cause
        Event code of the cause of interest; the other codes compete.
    causes
        Labels of the codes 1..k (default ``cause 1`` ...).
    horizons
        Times (in ``unit``) for the cumulative incidence; default 1, 3, 5 and 10 years
        within the follow-up.
    cut
        Grouping rule of :func:`~sigsurv.survival.cutpoints.group_by_cut` (``median``,
        ``tertile``, ``quartile``, a number...); ``optimal`` uses the cause-specific events.
    strata
        Optional stratum per patient: the cause-specific Cox models are stratified
        (``+ strata()``) and Gray's test too; Fine–Gray, which has no strata in
        ``cmprsk::crr``, is not (said in the notes).
    ties
        Ties method of the cause-specific Cox models (``efron`` as R ``coxph``).
    unit, endpoint, strata_name
        Recorded in the results.

    Returns
    -------
    CompetingRiskAnalysis

    Raises
    ------
    CohortValidationError
        Bad times or cause codes.
    AnalysisError
        Missing or constant scores, or no event of ``cause``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> score = rng.normal(size=200)
    >>> time = rng.exponential(np.exp(-0.5 * score))
    >>> cause = rng.choice([0, 1, 2], size=200, p=[0.2, 0.5, 0.3])
    >>> res = analyse_competing_risks(score, time, cause, 1, horizons=[1.0])
    >>> bool(res.cause_specific_per_sd.summary.loc["score_per_sd", "hr"] > 1)
    True
    """
    t, code = check_competing_arrays(time, event, cause)
    values = np.asarray(score, dtype=float)
    if values.shape != t.shape:
        raise AnalysisError(
            "score and time differ in length", expected=str(t.shape[0]), found=values.shape[0]
        )
    if not np.isfinite(values).all():
        raise AnalysisError(
            "scores must be finite", found=f"{int((~np.isfinite(values)).sum())} missing"
        )
    n_causes = int(np.max(code)) if code.size else 0
    labels_of = tuple(causes) or tuple(f"cause {k}" for k in range(1, n_causes + 1))
    if max(cause, n_causes) > len(labels_of):
        raise AnalysisError(
            "more cause codes than cause labels",
            expected=f"codes 0..{len(labels_of)}",
            found=max(cause, n_causes),
        )
    grouping = group_by_cut(values, cut, time=t, event=(code == cause).astype(float))
    levels = tuple(str(level) for level in grouping.labels.cat.categories)
    group_frame = pd.DataFrame(
        {"group": pd.Categorical(np.asarray(grouping.labels, dtype=object), categories=levels)}
    )
    per_sd = pd.DataFrame({"score_per_sd": standardise(values)})
    reference = {"group": levels[0]}
    notes: list[str] = []
    if strata is not None:
        notes.append("Fine-Gray models are not stratified (cmprsk::crr has no strata)")
    return CompetingRiskAnalysis(
        cause=cause,
        cause_label=labels_of[cause - 1],
        causes=labels_of,
        unit=unit,
        n=int(t.size),
        events={
            "censored": int((code == 0).sum()),
            **{label: int((code == k).sum()) for k, label in enumerate(labels_of, start=1)},
        },
        cut_rule=grouping.rule,
        cuts=tuple(float(c) for c in grouping.cuts),
        levels=levels,
        labels=pd.Series(np.asarray(grouping.labels, dtype=object), name="group"),
        cause_specific_per_sd=cause_specific_cox(
            t, code, per_sd, cause=cause, ties=ties, strata=strata
        ),
        cause_specific_grouped=cause_specific_cox(
            t, code, group_frame, cause=cause, ties=ties, strata=strata, reference_levels=reference
        ),
        fine_gray_per_sd=fine_gray(t, code, per_sd, cause=cause),
        fine_gray_grouped=fine_gray(t, code, group_frame, cause=cause, reference_levels=reference),
        incidence=cumulative_incidence(
            t, code, cause=cause, groups=group_frame["group"], strata=strata
        ),
        horizons=tuple(float(h) for h in horizons)
        if horizons is not None
        else _default_horizons(t, unit),
        endpoint=endpoint,
        strata=strata_name,
        notes=tuple(notes),
        time=t,
    )


def analyse_cohort_competing(
    cohort: Cohort,
    scores: pd.Series,
    endpoint: str,
    cause: int | str,
    *,
    horizons: Sequence[float] | None = None,
    cut: str | float = "median",
    strata: str | None = None,
    subgroup: str | None = None,
    ties: str = "efron",
    censor_at: float | None = None,
) -> CompetingRiskAnalysis:
    """Analyse a score on a cohort's competing-risk endpoint.

    Patients without a time or a cause code are excluded (counted in the notes); every
    remaining patient must have a score.

    Parameters
    ----------
    cohort
        The cohort, with the endpoint in ``cohort.competing_endpoints``.
    scores
        Score per sample, indexed by sample identifier.
    endpoint
        Name of the competing-risk endpoint (e.g. ``bone_relapse_cr``).
    cause
        Cause code (``1``) or label (``"bone relapse"``).
    horizons, cut, ties
        As :func:`analyse_competing_risks` (``horizons`` in the endpoint's unit).
    strata
        Clinical column to stratify by (ignored, with a note, if it has a single level).
    subgroup
        Subgroup expression (:meth:`~sigsurv.cohorts.Cohort.subset`) applied first.
    censor_at
        Administrative censoring time (endpoint's unit): events of every cause after it
        are censored at it ("bone relapse within 5 years").

    Returns
    -------
    CompetingRiskAnalysis

    Examples
    --------
    >>> from sigsurv.cohorts.model import Endpoint
    >>> rng = np.random.default_rng(5)
    >>> samples = [f"s{i}" for i in range(120)]
    >>> expr = pd.DataFrame(rng.normal(size=(1, 120)), index=["G"], columns=samples)
    >>> clin = pd.DataFrame({"t": rng.exponential(size=120),
    ...                      "c": rng.choice([0, 1, 2], size=120)}, index=samples)
    >>> cr = Endpoint("cr", "t", "c", unit="years", causes=("bone", "other"))
    >>> cohort = Cohort("toy", expr, clin, competing_endpoints={"cr": cr})
    >>> res = analyse_cohort_competing(cohort, expr.loc["G"], "cr", "bone", horizons=[1])
    >>> res.cause, res.events["bone"]
    (1, 34)
    """
    definition = cohort.competing_endpoint(endpoint)
    code = definition.cause_code(cause)
    notes: list[str] = []
    data = cohort if subgroup is None else cohort.subset(subgroup)
    if subgroup is not None:
        notes.append(f"subgroup {subgroup!r}: {data.n_samples} of {cohort.n_samples} samples")
    time, causes = data.competing_risks(definition.name)
    known = np.isfinite(time) & np.isfinite(causes)
    if not known.all():
        notes.append(
            f"{int((~known).sum())} samples without a time or cause of {definition.name} excluded"
        )
    samples = data.samples[known]
    time, causes = time[known], causes[known]
    if censor_at is not None:
        beyond = time > censor_at
        notes.append(
            f"follow-up censored at {censor_at:g} {definition.unit}: "
            f"{int((beyond & (causes > 0)).sum())} later events censored"
        )
        time, causes = np.where(beyond, censor_at, time), np.where(beyond, 0.0, causes)
    missing = samples.difference(scores.index)
    if len(missing):
        raise AnalysisError(
            f"cohort {cohort.name}: samples without a score",
            found=", ".join(map(str, missing[:5])),
        )
    strata_values = None
    if strata is not None:
        if strata not in data.clinical.columns:
            raise AnalysisError(
                f"cohort {cohort.name}: no clinical column {strata!r} to stratify by"
            )
        column = data.clinical[strata][known]
        if column.isna().any():
            raise AnalysisError(
                f"cohort {cohort.name}: strata column {strata!r} has missing values",
                found=int(column.isna().sum()),
            )
        if column.nunique() > 1:
            strata_values = column.astype(str).to_numpy()
        else:
            notes.append(f"strata {strata!r} has a single level here: not stratified")
    result = analyse_competing_risks(
        scores.reindex(samples).to_numpy(dtype=float),
        time,
        causes,
        code,
        causes=definition.causes,
        horizons=horizons,
        cut=cut,
        strata=strata_values,
        ties=ties,
        unit=definition.unit,
        endpoint=definition.name,
        strata_name=strata if strata_values is not None else None,
    )
    labels = result.labels.copy()
    labels.index = samples
    return dataclasses.replace(result, labels=labels, notes=(*notes, *result.notes))


# The keywords of the former call of analyse_signature_competing (deprecated).
_COMPETING_KEYWORDS = frozenset(
    "method min_coverage cut horizons strata subgroup population times_unit".split()
)


@overload
def analyse_signature_competing(
    cohort: Cohort, signature: Any, spec: AnalysisSpec
) -> CompetingRiskAnalysis: ...


@overload
def analyse_signature_competing(
    cohort: Cohort, signature: Any, spec: str | None, cause: int | str, **keywords: Any
) -> tuple[CompetingRiskAnalysis, pd.Series, str | None]: ...


def analyse_signature_competing(
    cohort: Cohort,
    signature: Any,
    spec: AnalysisSpec | str | None = None,
    cause: int | str | None = None,
    **keywords: Any,
) -> CompetingRiskAnalysis | tuple[CompetingRiskAnalysis, pd.Series, str | None]:
    """Score a signature and analyse it on a competing-risk endpoint (``survival --cause``).

    Parameters
    ----------
    cohort
        A loaded cohort with competing-risk endpoints.
    signature
        Built-in id, a YAML/GMT path, or a :class:`~sigsurv.signatures.Signature`.
    spec
        The analysis (:class:`~sigsurv.analysis.spec.AnalysisSpec`) with its ``cause``
        (code or label): ``endpoint`` (None: the cohort's only competing-risk
        endpoint), ``scoring``, ``cut`` (None: the signature's), ``subgroup`` and
        ``population``, ``strata`` and ``ties``. A horizon, covariates, reference
        levels or permutations are refused (this analysis has none). Fixed times for
        the cumulative incidence: :meth:`CompetingRiskAnalysis.with_times`.
    cause, keywords
        Deprecated (a :class:`DeprecationWarning`): the former call
        ``(cohort, signature, endpoint, cause, *, method, min_coverage, cut, horizons,
        strata, subgroup, population, times_unit)``, which returns the tuple
        ``(analysis, scores, subgroup)``.

    Returns
    -------
    CompetingRiskAnalysis
        With ``subgroup`` (analysed), ``scores`` (every sample) and ``spec`` set; its
        display unit is months up to 15 years of follow-up, else years
        (:func:`~sigsurv.analysis.signature.display_unit_for`).

    Examples
    --------
    >>> from sigsurv.cohorts.model import Endpoint
    >>> from sigsurv import load_example
    >>> cohort = load_example("gse1992")
    >>> clin = cohort.clinical.copy()
    >>> rng = np.random.default_rng(2)
    >>> clin["cr"] = np.where(clin["rfs_event"] == 1, rng.choice([1, 2], len(clin)), 0)
    >>> cr = Endpoint("rfs_cr", "rfs_time", "cr", causes=("bone", "other site"))
    >>> cohort = dataclasses.replace(cohort, clinical=clin, competing_endpoints={"rfs_cr": cr})
    >>> res = analyse_signature_competing(cohort, "msk1_rps6ka5", AnalysisSpec(cause="bone"))
    >>> res = res.with_times([60])
    >>> res.subgroup, res.n, res.cause_label, res.horizons
    ("er == 'positive'", 72, 'bone', (60.0,))
    """
    if isinstance(spec, AnalysisSpec):
        if cause is not None or keywords:
            raise OptionError(
                "give the competing-risk analysis as a spec or as the former arguments, not both",
                found=", ".join(["cause"] * (cause is not None) + list(keywords)),
            )
        return _analyse_signature_competing(cohort, signature, spec)
    return _former_call(cohort, signature, spec, cause, **keywords)


def _former_call(
    cohort: Cohort,
    signature: Any,
    endpoint: str | None,
    cause: int | str | None,
    **keywords: Any,
) -> tuple[CompetingRiskAnalysis, pd.Series, str | None]:
    """The deprecated call of :func:`analyse_signature_competing`, through a spec."""
    endpoint = keywords.pop("endpoint", endpoint)
    cause = keywords.pop("cause", cause)
    unknown = sorted(set(keywords) - _COMPETING_KEYWORDS)
    if unknown or cause is None:
        raise TypeError(
            "analyse_signature_competing(cohort, signature, spec): "
            + (f"unexpected keyword {unknown[0]!r}" if unknown else "spec or cause missing")
        )
    warnings.warn(
        "analyse_signature_competing(cohort, signature, endpoint, cause, ...) is deprecated; "
        "pass spec=AnalysisSpec(endpoint=..., cause=..., ...) and read the subgroup and scores "
        "from the result (the former call goes in the next release)",
        DeprecationWarning,
        stacklevel=3,
    )
    spec = AnalysisSpec(
        endpoint=endpoint,
        cut=keywords.get("cut"),
        subgroup=keywords.get("subgroup"),
        population=keywords.get("population", True),
        strata=keywords.get("strata"),
        scoring=ScoringSpec(
            method=keywords.get("method"), min_coverage=keywords.get("min_coverage", 0.5)
        ),
        cause=cause,
    )
    result = _analyse_signature_competing(cohort, signature, spec)
    horizons, times_unit = keywords.get("horizons"), keywords.get("times_unit")
    if horizons is not None or times_unit is not None:
        result = result.with_times(horizons, times_unit)
    assert result.scores is not None
    return result, result.scores, result.subgroup


def _analyse_signature_competing(
    cohort: Cohort, signature: Any, spec: AnalysisSpec
) -> CompetingRiskAnalysis:
    from sigsurv.scoring import score
    from sigsurv.signatures import Signature, get_signature

    _refuse_what_does_not_apply(spec)
    definition = signature if isinstance(signature, Signature) else get_signature(signature)
    endpoint = spec.endpoint
    if endpoint is None:
        if len(cohort.competing_endpoints) != 1:
            raise AnalysisError(
                f"cohort {cohort.name}: name the competing-risk endpoint",
                expected=" | ".join(cohort.competing_endpoints) or "a competing-risk endpoint",
            )
        endpoint = next(iter(cohort.competing_endpoints))
    scores = score(
        cohort,
        definition,
        method=spec.scoring.method or definition.default_method,
        min_coverage=spec.scoring.min_coverage,
        **spec.scoring.score_options(),
    )[definition.id]
    chosen = spec.effective_subgroup(definition.population_filter or None)
    check_subgroup_levels(cohort.clinical, chosen, cohort.name)
    unit = cohort.competing_endpoint(endpoint).unit
    follow_up, _ = cohort.competing_risks(cohort.competing_endpoint(endpoint).name)
    assert spec.cause is not None
    with warnings_naming(f"{cohort.name}, {definition.id}, {endpoint}"):
        result = analyse_cohort_competing(
            cohort,
            scores,
            endpoint,
            spec.cause,
            cut=spec.cut if spec.cut is not None else definition.default_cut,
            strata=spec.strata,
            subgroup=chosen,
            ties=spec.ties,
        )
    return dataclasses.replace(
        result,
        display_unit=display_unit_for(float(np.nanmax(follow_up)), unit),
        subgroup=chosen,
        scores=scores,
        spec=spec,
    )


def _refuse_what_does_not_apply(spec: AnalysisSpec) -> None:
    """A competing-risk spec needs a cause and has no horizon, covariates or permutations."""
    if spec.cause is None:
        raise OptionError(
            "a competing-risk analysis needs the cause",
            expected="AnalysisSpec(cause=<code or label>)",
        )
    ignored = {
        "horizon": spec.horizon is not None or spec.horizon_unit is not None,
        "covariates": bool(spec.covariates) or spec.reference_levels is not None,
        "permutations": spec.permutations != 0,
    }
    for name, given in ignored.items():
        if given:
            raise OptionError(
                f"{name} does not apply to a competing-risk analysis, and would be ignored",
                found=name,
            )
