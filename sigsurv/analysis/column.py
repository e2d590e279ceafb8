"""Survival by a clinical column alone (``sigsurv survival COHORT --by COLUMN``).

cBioPortal's survival tab: Kaplan–Meier curves per level of a clinical variable, the
k-group log-rank test (R ``survdiff``), its trend test when the levels are ordered
(an ordered categorical, or numbers such as grade 1, 2, 3), a Cox model of every
level against the first, and survival at fixed times. No signature is scored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._results import ResultMixin, hazard_ratio_table
from sigsurv.analysis.data import prepare_survival
from sigsurv.analysis.spec import AnalysisSpec
from sigsurv.analysis.suggest import check_subgroup_levels, did_you_mean, warnings_naming
from sigsurv.analysis.survival_result import (
    display_unit_for,
    km_group_rows,
    numbers_at_risk,
    parse_times,
    survival_at_times,
)
from sigsurv.cohorts.model import TIME_UNITS, Cohort
from sigsurv.errors import AnalysisError, OptionError
from sigsurv.survival.cox import CoxResult, cox_fit
from sigsurv.survival.endpoints import SurvivalData, median_follow_up
from sigsurv.survival.km import KaplanMeierResult, kaplan_meier
from sigsurv.survival.logrank import (
    LogRankResult,
    LogRankTrendResult,
    logrank_test,
    logrank_trend_test,
)

__all__ = ["COLUMN_DEFINITIONS", "MAX_LEVELS", "ColumnSurvival", "analyse_column"]

#: A column with more distinct values is not a grouping (e.g. age): refused.
MAX_LEVELS = 10

COLUMN_DEFINITIONS: dict[str, str] = {
    "by": "the clinical column whose levels are the groups (no signature is scored)",
    "n": "patients analysed (subgroup applied, known time, event and level)",
    "groups": "per level: n, events, median survival with its 95% CI (null = not reached)",
    "logrank": "k-group log-rank test across the levels (R survdiff)",
    "logrank_trend": "log-rank test for trend (scores 1..k) when the levels are ordered",
    "cox_grouped": "Cox model (Efron ties) of each level against the first: one HR record per "
    "level (term, hr, ci_lower, ci_upper, coef, se, z, p_wald, conf_level, kind, estimable, "
    "reason, problems); a level without events has no estimate, the others keep theirs",
    "at_risk": "patients at risk per level at round times of display_unit",
    "display_unit": "the one time unit of the terminal output, the figure and at_times",
    "at_times": "Kaplan-Meier survival per level at fixed times (display_unit), 95% CI on the "
    "log scale, as R summary(survfit(...), times=)",
}


@dataclass
class ColumnSurvival(ResultMixin):
    """Survival by the levels of one clinical column.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> result = analyse_column(load_example("gse1992"), "er")
    >>> result.levels, result.ordered
    (['negative', 'positive'], False)
    """

    cohort: str
    column: str
    survival: SurvivalData
    levels: list[str]
    ordered: bool
    labels: pd.Series
    km: KaplanMeierResult
    logrank: LogRankResult
    cox_grouped: CoxResult
    logrank_trend: LogRankTrendResult | None = None
    spec: AnalysisSpec = field(default_factory=AnalysisSpec)
    notes: list[str] = field(default_factory=list)
    times: tuple[float, ...] = ()
    times_unit: str | None = None

    def title(self) -> str:
        """The column analysed, its cohort, patients and events."""
        return (
            f"{self.column} on {self.cohort}: {self.survival.n} patients,"
            f" {self.survival.events} events"
        )

    @property
    def summary(self) -> pd.DataFrame:
        """The hazard ratio of every level against the reference level."""
        return hazard_ratio_table(
            {
                str(term): self.cox_grouped.hazard_ratio(str(term))
                for term in self.cox_grouped.summary.index
            }
        )

    @property
    def display_unit(self) -> str:
        """``times_unit`` if given, else months up to 15 years of follow-up, else years."""
        if self.times_unit is not None:
            return self.times_unit
        return display_unit_for(float(np.max(self.survival.time)), self.survival.unit)

    def with_times(self, times: Sequence[float], unit: str | None = None) -> ColumnSurvival:
        """This result, reporting survival at fixed ``times`` given in ``unit``."""
        chosen = unit or self.display_unit
        if chosen not in TIME_UNITS and chosen != self.survival.unit:
            raise OptionError("unknown time unit", expected=" | ".join(TIME_UNITS), found=chosen)
        fixed = parse_times(times) if len(times) else ()  # --times-unit alone: no fixed times
        return dataclasses.replace(self, times=fixed, times_unit=chosen)

    def survival_at_times(self) -> list[dict[str, Any]]:
        """Survival per level at :attr:`times` with its 95% CI, in the display unit."""
        return survival_at_times(self.km, self.survival, self.times, self.display_unit)

    def group_table(self) -> list[dict[str, Any]]:
        """Per level: n, events, median survival with CI."""
        return km_group_rows(self.km)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (``results.json`` of ``sigsurv survival --by``).

        Examples
        --------
        >>> from sigsurv import load_example
        >>> record = analyse_column(load_example("gse1992"), "er").to_dict()
        >>> record["by"], round(record["logrank"]["chisq"], 3)
        ('er', 6.579)
        """
        payload: dict[str, Any] = {
            "cohort": self.cohort,
            "by": self.column,
            "endpoint": {
                "name": self.survival.endpoint,
                "label": self.survival.label,
                "unit": self.survival.unit,
                "horizon": self.survival.horizon,
                "subgroup": self.survival.subgroup,
            },
            "n": int(self.survival.n),
            "events": int(self.survival.events),
            "median_follow_up": self.survival.median_follow_up,
            "levels": list(self.levels),
            "ordered": self.ordered,
            "groups": self.group_table(),
            "logrank": {
                "chisq": float(self.logrank.chisq),
                "df": int(self.logrank.df),
                "p": float(self.logrank.p),
            },
            "cox_grouped": [
                self.cox_grouped.hazard_ratio(str(term)).to_dict()
                for term in self.cox_grouped.summary.index
            ],
            "display_unit": self.display_unit,
            "at_times": self.survival_at_times(),
            "at_risk": numbers_at_risk(self.km, self.survival, self.display_unit),
            "analysis": self.spec.to_dict(),
            "notes": list(self.notes),
            "definitions": COLUMN_DEFINITIONS,
        }
        if self.logrank_trend is not None:
            payload["logrank_trend"] = {
                "chisq": float(self.logrank_trend.chisq),
                "p": float(self.logrank_trend.p),
            }
        return payload


def _levels(values: pd.Series, column: str, cohort: str) -> tuple[pd.Categorical, bool]:
    """The levels of a column in order, and whether that order means something."""
    known = values.dropna()
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = [c for c in values.cat.categories if (known == c).any()]
        ordered = bool(values.cat.ordered)
        labels = values.astype(object).map(lambda v: None if pd.isna(v) else str(v))
        return pd.Categorical(labels, categories=[str(c) for c in present]), ordered
    distinct = pd.unique(known)
    if len(distinct) > MAX_LEVELS:
        raise AnalysisError(
            f"cohort {cohort}: column {column!r} has {len(distinct)} distinct values",
            expected=f"a grouping column (at most {MAX_LEVELS} levels); split a number with "
            f"--subgroup, or score it as a signature",
        )
    numeric = pd.api.types.is_numeric_dtype(values.dtype)
    ordered_values = sorted(distinct, key=float if numeric else str)
    names = [f"{float(v):g}" if numeric else str(v) for v in ordered_values]
    lookup = dict(zip(ordered_values, names, strict=True))
    labels = values.map(lambda v: None if pd.isna(v) else lookup[v])
    return pd.Categorical(labels, categories=names), numeric


def analyse_column(cohort: Cohort, column: str, spec: AnalysisSpec | None = None) -> ColumnSurvival:
    """Kaplan–Meier, log-rank (and trend) and Cox by the levels of a clinical column.

    Parameters
    ----------
    cohort
        A loaded cohort.
    column
        Clinical column whose levels are the groups (at most :data:`MAX_LEVELS`).
    spec
        Endpoint, horizon, subgroup and ties (:class:`AnalysisSpec`); cut, covariates,
        strata and permutations do not apply and are refused.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> result = analyse_column(load_example("gse1992"), "grade")
    >>> result.levels, result.logrank_trend is not None
    (['1', '2', '3'], True)
    """
    with warnings_naming(f"{cohort.name}, by {column}"):
        return _analyse_column(cohort, column, spec or AnalysisSpec())


def _analyse_column(cohort: Cohort, column: str, spec: AnalysisSpec) -> ColumnSurvival:
    """The analysis of :func:`analyse_column`, its warnings not yet named."""
    _refuse_signature_options(spec)
    check_subgroup_levels(cohort.clinical, spec.subgroup, cohort.name)
    if column not in cohort.clinical.columns:
        raise AnalysisError(
            f"cohort {cohort.name}: no clinical column {column!r}"
            + did_you_mean(column, cohort.clinical.columns),
            expected="one of: " + ", ".join(map(str, cohort.clinical.columns[:30])),
        )
    data_cohort, survival = prepare_survival(
        cohort,
        spec.endpoint,
        horizon=spec.horizon,
        horizon_unit=spec.horizon_unit,
        subgroup=spec.subgroup,
    )
    notes = list(data_cohort.messages[len(cohort.messages) :])
    categories, ordered = _levels(data_cohort.clinical[column], column, cohort.name)
    keep = ~pd.isna(np.asarray(categories, dtype=object))
    if not keep.all():
        notes.append(f"{int((~keep).sum())} patients without a value of {column} excluded")
    time, event = survival.time[keep], survival.event[keep]
    labels = pd.Categorical(
        np.asarray(categories)[keep], categories=categories.categories, ordered=True
    )
    levels = [str(c) for c in labels.categories]
    if len(levels) < 2:
        raise AnalysisError(
            f"cohort {cohort.name}: column {column!r} has a single level here",
            found=", ".join(levels) or "none",
        )
    kept = _kept_survival(survival, keep, time, event)
    return ColumnSurvival(
        cohort=cohort.name,
        column=column,
        survival=kept,
        levels=levels,
        ordered=ordered,
        labels=pd.Series(labels, index=survival.samples[keep], name=column),
        km=kaplan_meier(time, event, groups=labels),
        logrank=logrank_test(time, event, np.asarray(labels, dtype=object)),
        logrank_trend=logrank_trend_test(time, event, labels)
        if ordered and len(levels) > 2
        else None,
        cox_grouped=cox_fit(
            time,
            event,
            pd.DataFrame({column: labels}),
            ties=spec.ties,
            reference_levels={column: levels[0]},
        ),
        spec=spec,
        notes=notes,
    )


def _kept_survival(
    survival: SurvivalData, keep: np.ndarray, time: np.ndarray, event: np.ndarray
) -> SurvivalData:
    if keep.all():
        return survival
    return dataclasses.replace(
        survival,
        time=time,
        event=event,
        n=int(keep.sum()),
        events=int(event.sum()),
        median_follow_up=median_follow_up(time, event),
        samples=survival.samples[keep],
    )


def _refuse_signature_options(spec: AnalysisSpec) -> None:
    """Options of a signature analysis that a column analysis would ignore."""
    given = {
        "cut": spec.cut is not None,
        "covariates": bool(spec.covariates),
        "strata": spec.strata is not None,
        "permutations": spec.permutations != 0,
    }
    refused = [name for name, is_given in given.items() if is_given]
    if refused:
        raise OptionError(
            f"{', '.join(refused)} {'does' if len(refused) == 1 else 'do'} not apply to a "
            "survival analysis by a clinical column"
        )
