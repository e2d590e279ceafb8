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
the contrasts, the groups and what the results file records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.analysis.signature import display_unit_for
from sigsurv.analysis.spec import combine_subgroups
from sigsurv.analysis.suggest import check_subgroup_levels, warnings_naming
from sigsurv.cohorts.model import Cohort, convert_time
from sigsurv.errors import AnalysisError
from sigsurv.survival.competing import (
    CumulativeIncidenceResult,
    FineGrayResult,
    cause_specific_cox,
    check_competing_arrays,
    cumulative_incidence,
    fine_gray,
)
from sigsurv.survival.cox import CoxResult, standardise
from sigsurv.survival.cutpoints import group_by_cut

__all__ = [
    "COMPETING_DEFINITIONS",
    "CompetingRiskAnalysis",
    "analyse_cohort_competing",
    "analyse_competing_risks",
    "analyse_signature_competing",
]

COMPETING_DEFINITIONS = {
    "cause": "event code of the cause analysed (0 = censored, 1..k = causes)",
    "events": "patients per outcome: censored and each cause, by label",
    "cut": "rule and score value(s) splitting the groups; high = score > cut",
    "cause_specific_per_sd": "cause-specific Cox model (other causes censored) of the score "
    "per standard deviation: HR, Wald 95% CI and p, as R coxph(Surv(t, cause == k) ~ scale(x))",
    "cause_specific_grouped": "cause-specific Cox model of the highest vs the lowest group",
    "fine_gray_per_sd": "Fine-Gray subdistribution hazard ratio per standard deviation "
    "(robust SE), as R cmprsk::crr; never stratified",
    "fine_gray_grouped": "Fine-Gray subdistribution HR of the highest vs the lowest group",
    "cumulative_incidence": "Aalen-Johansen cumulative incidence of the cause per group at "
    "each horizon (null after a group's last follow-up), as cmprsk::cuminc with timepoints; "
    "time in the endpoint's unit",
    "at_times": "the same cumulative incidence at the requested times, in display_unit, with "
    "a 95% CI from Gray's variance on the log(-log) scale (null beyond follow-up)",
    "display_unit": "the one time unit of this run's terminal output, figure and at_times",
    "gray_test": "Gray's K-sample test of equal cumulative incidence across the groups",
    "primary": "the cause-specific hazard ratio is the primary estimate, Fine-Gray secondary",
}

# Default horizons (years) when none are given: those within the follow-up are kept.
_DEFAULT_HORIZON_YEARS = (1.0, 3.0, 5.0, 10.0)


@dataclass(frozen=True)
class CompetingRiskAnalysis:
    """Cause-specific Cox, Fine–Gray and cumulative incidence of one score.

    Attributes
    ----------
    cause, cause_label, causes
        The cause analysed, its label and the labels of all causes (code 1 first).
    unit
        Time unit of the endpoint (and of ``horizons``).
    n, events
        Patients analysed; patients per outcome (``censored`` and each cause label).
    cut_rule, cuts, levels, labels
        The grouping of the score (``labels``: group per patient, input order).
    cause_specific_per_sd, cause_specific_grouped
        Cause-specific Cox models (primary).
    fine_gray_per_sd, fine_gray_grouped
        Fine–Gray models (secondary).
    incidence
        Cumulative incidence of the cause per group with Gray's test.
    horizons
        Times at which the cumulative incidence is reported.
    endpoint, strata, notes
        Endpoint name, the strata column used (None if unstratified), notes.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> score = rng.normal(size=300)
    >>> time = rng.exponential(np.exp(-0.4 * score))
    >>> cause = rng.choice([0, 1, 2], size=300, p=[0.3, 0.4, 0.3])
    >>> res = analyse_competing_risks(score, time, cause, 1, causes=("bone", "other"),
    ...                               horizons=[0.5, 1.0])
    >>> res.cause_label, res.n, sorted(res.to_dict())[:3]
    ('bone', 300, ['at_times', 'cause', 'cause_label'])
    """

    cause: int
    cause_label: str
    causes: tuple[str, ...]
    unit: str
    n: int
    events: dict[str, int]
    cut_rule: str
    cuts: tuple[float, ...]
    levels: tuple[str, ...]
    labels: pd.Series
    cause_specific_per_sd: CoxResult
    cause_specific_grouped: CoxResult
    fine_gray_per_sd: FineGrayResult
    fine_gray_grouped: FineGrayResult
    incidence: CumulativeIncidenceResult
    horizons: tuple[float, ...]
    endpoint: str = ""
    strata: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    time: np.ndarray | None = field(default=None, repr=False, compare=False)
    display_unit: str | None = None

    @property
    def unit_shown(self) -> str:
        """The run's display unit (``display_unit``, else the endpoint's unit)."""
        return self.display_unit or self.unit

    def n_at_risk(self, times: Sequence[float]) -> dict[str, list[int]]:
        """Patients still followed (time >= t) per group at ``times`` (endpoint's unit).

        Examples
        --------
        >>> rng = np.random.default_rng(3)
        >>> res = analyse_competing_risks(rng.normal(size=80), rng.exponential(size=80),
        ...                               rng.choice([0, 1, 2], size=80), 1, horizons=[0.5])
        >>> [counts[0] for counts in res.n_at_risk([0.0]).values()]
        [40, 40]
        """
        if self.time is None:
            raise AnalysisError("this result does not carry the follow-up times")
        labels = np.asarray(self.labels, dtype=object)
        return {
            level: [int(((self.time >= t) & (labels == level)).sum()) for t in times]
            for level in self.levels
        }

    def incidence_at_times(self) -> list[dict[str, Any]]:
        """Cumulative incidence per group at the horizons with a 95% CI, in the display unit.

        The interval is ``F^exp(±1.96 sd / (F log F))`` (log(-log) scale, inside 0..1),
        ``sd`` the square root of Gray's variance; null after a group's follow-up.

        Examples
        --------
        >>> rng = np.random.default_rng(3)
        >>> res = analyse_competing_risks(rng.normal(size=80), rng.exponential(size=80),
        ...                               rng.choice([0, 1, 2], size=80), 1, horizons=[0.5])
        >>> row = res.incidence_at_times()[0]
        >>> row["group"], row["lower"] < row["estimate"] < row["upper"]
        ('low', True)
        """
        if not self.horizons:
            return []
        estimate = self.incidence.at(list(self.horizons))
        variance = self.incidence.variance_at(list(self.horizons))
        shown = self.unit_shown
        rows = []
        for group in self.levels:
            for t in estimate.index:
                value, var = float(estimate.loc[t, group]), float(variance.loc[t, group])
                lower, upper = _loglog_interval(value, var)
                rows.append(
                    {
                        "group": str(group),
                        "time": float(convert_time(float(t), self.unit, shown))
                        if shown != self.unit
                        else float(t),
                        "unit": shown,
                        "estimate": _finite(value),
                        "lower": lower,
                        "upper": upper,
                    }
                )
        return rows

    @property
    def grouped_term(self) -> str:
        """Design term of the highest group vs the lowest (reference) group."""
        return f"group{self.levels[-1]}"

    def incidence_at_horizons(self) -> pd.DataFrame:
        """Cumulative incidence of the cause: rows = horizons, columns = groups.

        Examples
        --------
        >>> rng = np.random.default_rng(3)
        >>> res = analyse_competing_risks(rng.normal(size=80), rng.exponential(size=80),
        ...                               rng.choice([0, 1, 2], size=80), 1, horizons=[0.5])
        >>> res.incidence_at_horizons().columns.tolist()
        ['low', 'high']
        """
        if not self.horizons:  # follow-up shorter than every default horizon
            return pd.DataFrame(columns=pd.Index(self.levels), index=pd.Index([], name="time"))
        return self.incidence.at(list(self.horizons))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (``results.json`` of ``sigsurv survival --cause``).

        Examples
        --------
        >>> rng = np.random.default_rng(3)
        >>> res = analyse_competing_risks(rng.normal(size=80), rng.exponential(size=80),
        ...                               rng.choice([0, 1, 2], size=80), 2, horizons=[0.5])
        >>> res.to_dict()["primary"]
        'cause_specific'
        """
        estimate = self.incidence_at_horizons()
        variance = self.incidence.variance_at(list(self.horizons)) if self.horizons else estimate
        gray = self.incidence.gray_test
        return {
            "endpoint": self.endpoint,
            "unit": self.unit,
            "cause": self.cause,
            "cause_label": self.cause_label,
            "causes": {str(code): label for code, label in enumerate(self.causes, start=1)},
            "n": self.n,
            "events": dict(self.events),
            "strata": self.strata,
            "cut": {"rule": self.cut_rule, "values": list(self.cuts)},
            "groups": {level: int((self.labels == level).sum()) for level in self.levels},
            "primary": "cause_specific",
            "cause_specific_per_sd": _cox_term(self.cause_specific_per_sd, "score_per_sd"),
            "cause_specific_grouped": _cox_term(self.cause_specific_grouped, self.grouped_term),
            "fine_gray_per_sd": _fine_gray_term(self.fine_gray_per_sd, "score_per_sd"),
            "fine_gray_grouped": _fine_gray_term(self.fine_gray_grouped, self.grouped_term),
            "cumulative_incidence": [
                {
                    "time": float(t),
                    "group": str(group),
                    "estimate": _finite(estimate.loc[t, group]),
                    "variance": _finite(variance.loc[t, group]),
                }
                for t in estimate.index
                for group in estimate.columns
            ],
            "display_unit": self.unit_shown,
            "at_times": self.incidence_at_times(),
            "gray_test": None
            if gray is None
            else {"statistic": _finite(gray.statistic), "df": gray.df, "p": _finite(gray.p)},
            "notes": list(self.notes),
            "definitions": dict(COMPETING_DEFINITIONS),
        }


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def _loglog_interval(estimate: float, variance: float) -> tuple[float | None, float | None]:
    """95% CI of a cumulative incidence on the log(-log) scale (None where undefined).

    Examples
    --------
    >>> tuple(round(v, 3) for v in _loglog_interval(0.2, 0.0016))
    (0.128, 0.283)
    """
    if not (np.isfinite(estimate) and np.isfinite(variance)):
        return None, None
    if estimate <= 0.0 or estimate >= 1.0 or variance <= 0.0:
        return estimate, estimate
    # log(F) < 0, so the exponent exp(-|spread|) < 1 gives the upper limit.
    spread = abs(1.959963984540054 * np.sqrt(variance) / (estimate * np.log(estimate)))
    return float(estimate ** np.exp(spread)), float(estimate ** np.exp(-spread))


def _cox_term(result: CoxResult, term: str) -> dict[str, Any]:
    row = result.summary.loc[term]
    out: dict[str, Any] = {
        "term": term,
        "hr": float(row["hr"]),
        "ci_lower": float(row["ci_lower"]),
        "ci_upper": float(row["ci_upper"]),
        "coef": float(row["coef"]),
        "se": float(row["se"]),
        "p": float(row["p_wald"]),
        "n": result.n,
        "events": result.events,
        "well_defined": bool(result.well_defined),
        "problems": list(result.problems),
    }
    if not result.well_defined:
        # A non-converged or infinite coefficient is flagged, never reported as a number.
        for key in ("hr", "ci_lower", "ci_upper", "coef", "se", "p"):
            out[key] = None
    return out


def _fine_gray_term(result: FineGrayResult, term: str) -> dict[str, Any]:
    row = result.summary.loc[term]
    out: dict[str, Any] = {
        "term": term,
        **{key: float(row[key]) for key in ("hr", "ci_lower", "ci_upper", "coef", "se", "p")},
        "n": result.n,
        "events": result.events,
        "competing_events": result.competing_events,
        "converged": bool(result.converged),
    }
    if not result.converged:
        for key in ("hr", "ci_lower", "ci_upper", "coef", "se", "p"):
            out[key] = None
    return out


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


def analyse_signature_competing(
    cohort: Cohort,
    signature: Any,
    endpoint: str | None,
    cause: int | str,
    *,
    method: str | None = None,
    min_coverage: float = 0.5,
    cut: str | float | None = None,
    horizons: Sequence[float] | None = None,
    strata: str | None = None,
    subgroup: str | None = None,
    population: bool = True,
    times_unit: str | None = None,
) -> tuple[CompetingRiskAnalysis, pd.Series, str | None]:
    """Score a signature and analyse it on a competing-risk endpoint (``survival --cause``).

    Parameters
    ----------
    cohort
        A loaded cohort with competing-risk endpoints.
    signature
        Built-in id, a YAML/GMT path, or a :class:`~sigsurv.signatures.Signature`.
    endpoint
        Competing-risk endpoint name; None picks the cohort's only one.
    cause
        Cause code or label.
    method, min_coverage
        Scoring method (default: the signature's) and minimum fraction of genes found.
    cut
        Grouping rule (default: the signature's).
    horizons, strata
        As :func:`analyse_cohort_competing`; ``horizons`` in ``times_unit``.
    subgroup, population
        A subgroup expression, and whether to add the signature's population filter.
    times_unit
        Unit of ``horizons`` and the run's display unit (default: months up to 15 years
        of follow-up, else years, as :func:`~sigsurv.analysis.signature.display_unit_for`).

    Returns
    -------
    (analysis, scores, subgroup)
        The analysis, the scores of every sample, the subgroup analysed.

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
    >>> res, scores, chosen = analyse_signature_competing(cohort, "msk1_rps6ka5", None, "bone",
    ...                                                   horizons=[60])
    >>> chosen, res.n, res.cause_label
    ("er == 'positive'", 72, 'bone')
    """
    from sigsurv.scoring import score
    from sigsurv.signatures import Signature, get_signature

    definition = signature if isinstance(signature, Signature) else get_signature(signature)
    if endpoint is None:
        if len(cohort.competing_endpoints) != 1:
            raise AnalysisError(
                f"cohort {cohort.name}: name the competing-risk endpoint",
                expected=" | ".join(cohort.competing_endpoints) or "a competing-risk endpoint",
            )
        endpoint = next(iter(cohort.competing_endpoints))
    scores = score(
        cohort, definition, method=method or definition.default_method, min_coverage=min_coverage
    )[definition.id]
    chosen = combine_subgroups(
        subgroup, (definition.population_filter or None) if population else None
    )
    check_subgroup_levels(cohort.clinical, chosen, cohort.name)
    unit = cohort.competing_endpoint(endpoint).unit
    follow_up, _ = cohort.competing_risks(cohort.competing_endpoint(endpoint).name)
    shown = times_unit or display_unit_for(float(np.nanmax(follow_up)), unit)
    if horizons is not None and shown != unit:
        horizons = [float(convert_time(float(h), shown, unit)) for h in horizons]
    with warnings_naming(f"{cohort.name}, {definition.id}, {endpoint}"):
        result = analyse_cohort_competing(
            cohort,
            scores,
            endpoint,
            cause,
            horizons=horizons,
            cut=cut if cut is not None else definition.default_cut,
            strata=strata,
            subgroup=chosen,
        )
    return dataclasses.replace(result, display_unit=shown), scores, chosen
