"""One signature, one cohort, one endpoint: the full survival analysis a paper would run.

:func:`analyse_signature` composes the engine's single implementations (scoring,
grouping, Kaplan–Meier, log-rank, Cox, concordance, proportional-hazards test);
the CLI's ``sigsurv survival``, ``sigsurv reproduce`` and the HTML report all read
its :class:`SignatureSurvival` result, so every number has one source.

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
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._deprecation import deprecated_alias
from sigsurv.analysis.data import prepare_survival
from sigsurv.analysis.spec import AnalysisSpec, parse_cut
from sigsurv.analysis.suggest import check_subgroup_levels, warnings_naming
from sigsurv.cohorts.model import TIME_UNITS, Cohort, _is_anndata, convert_time
from sigsurv.errors import AnalysisError, OptionError, SigsurvInputError, SigsurvWarning
from sigsurv.signatures.schema import Signature
from sigsurv.survival.concordance import ConcordanceResult, concordance_index
from sigsurv.survival.cox import CoxResult, cox_fit, standardise
from sigsurv.survival.cut_rules import OPTIMAL_IS_OPTIMISTIC, QUANTILE_RULES
from sigsurv.survival.cutpoints import Grouping, group_by_cut
from sigsurv.survival.endpoints import SurvivalData
from sigsurv.survival.km import KaplanMeierResult, kaplan_meier
from sigsurv.survival.logrank import (
    LogRankResult,
    LogRankTrendResult,
    logrank_test,
    logrank_trend_test,
)

__all__ = [
    "DEFINITIONS",
    "AnalysisSpec",
    "SignatureSurvival",
    "analyse_scores",
    "analyse_signature",
    "display_unit_for",
    "group_within_strata",
    "parse_cut",
    "parse_times",
    "standardise_within",
    "survival_at_times",
]

DEFINITIONS: dict[str, str] = {
    "n": "patients analysed (subgroup applied, known time and event)",
    "events": "events among them (after truncation at the horizon, if any)",
    "median_follow_up": "median follow-up by reverse Kaplan-Meier, in the endpoint's unit",
    "cut": "rule and score value(s) splitting the groups; high = score > cut; when "
    "stratified, quantile cuts are taken within each stratum (values_by_stratum)",
    "groups": "per group: n, events, median survival (first time S(t) <= 0.5) with its 95% "
    "CI from the log-scale confidence curves (null = not reached)",
    "logrank": "log-rank test across the groups (R survdiff), chi-square and p; "
    "stratified when strata are given",
    "logrank_trend": "log-rank test for trend across ordered groups (scores 1..k)",
    "cox_grouped": "Cox model (Efron ties) of the highest vs the lowest group: HR, Wald 95% CI "
    "and Wald p",
    "cox_continuous_per_sd": "Cox model (Efron ties) of the score z-scored over the analysed "
    "patients (sd with n-1; within each stratum when stratified): HR per 1 SD, Wald 95% CI "
    "and p",
    "concordance": "Harrell's C of the continuous model's linear predictor (coef x score), as "
    "R coxph reports it (ties in the score count 1/2; pairs tied in time ignored)",
    "ph_test": "scaled Schoenfeld residual test of proportional hazards (R cox.zph, "
    "transform 'km') for the continuous model; p < 0.05 suggests non-proportional hazards",
    "cox_multivariable": "Cox model of the score per SD with the clinical covariates, on the "
    "complete cases",
    "maxstat": "optimal cut by maximally selected log-rank statistic (minprop 0.1) with the "
    "selection-adjusted p-values (Lausen-Schumacher 1992 and 1994) beside the naive one",
    "cut_scan": "the scan behind the optimal cut: every candidate cut, its standardised "
    "log-rank statistic and low-group size, the selected cut and the Lausen-Schumacher p",
    "display_unit": "the one time unit of this run's terminal output, figures and at_times "
    "(--times-unit, else months for follow-up up to 15 years, else years)",
    "at_risk": "patients at risk per group at round times of display_unit (the KM figure's table)",
    "at_times": "Kaplan-Meier survival per group at fixed times (in display_unit) with its 95% "
    "CI on the log scale, as R summary(survfit(...), times=); null beyond a group's follow-up",
    "analysis": "the analysis as requested (AnalysisSpec): endpoint, cut rule, horizon, "
    "subgroup (and whether the signature's population filter applies), covariates, strata, "
    "ties, permutations, seed; the values in effect are under endpoint, cut and strata",
}


# Follow-up up to this many months is shown in months, longer in years.
_MONTHS_SHOWN_UP_TO = 180.0


def display_unit_for(max_time: float, unit: str) -> str:
    """The unit a run shows time in: months up to 15 years of follow-up, else years.

    A unit that is not a time unit (e.g. ``visits``) is shown as it is.

    Examples
    --------
    >>> display_unit_for(3650, "days"), display_unit_for(9000, "days")
    ('months', 'years')
    >>> display_unit_for(118, "months"), display_unit_for(40, "visits")
    ('months', 'visits')
    """
    if unit not in TIME_UNITS:
        return unit
    months = float(convert_time(float(max_time), unit, "months"))
    return "months" if months <= _MONTHS_SHOWN_UP_TO else "years"


def parse_times(text: str | Sequence[float] | None, option: str = "--times") -> tuple[float, ...]:
    """Fixed times from ``"12,24,60"`` (or numbers): finite, >= 0, strictly increasing.

    Examples
    --------
    >>> parse_times("12, 24,60")
    (12.0, 24.0, 60.0)
    >>> parse_times("12,x")
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --times must be numbers separated by commas; found '12,x'
    >>> parse_times("24,12")
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --times must be >= 0 and increasing; found '24,12'
    """
    if text is None:
        return ()
    if isinstance(text, str):
        try:
            values = tuple(float(part) for part in text.split(","))
        except ValueError:
            raise OptionError(f"{option} must be numbers separated by commas", found=text) from None
        shown = text
    else:
        values = tuple(float(v) for v in text)
        shown = ",".join(f"{v:g}" for v in values)
    array = np.asarray(values)
    if (
        not values
        or not np.isfinite(array).all()
        or (array < 0).any()
        or (np.diff(array) <= 0).any()
    ):
        raise OptionError(f"{option} must be >= 0 and increasing", found=shown)
    return values


def survival_at_times(
    km: KaplanMeierResult, survival: SurvivalData, times: Sequence[float], unit: str
) -> list[dict[str, Any]]:
    """Records ``group, time, unit, estimate, lower, upper, n_risk`` of KM curves at
    ``times`` given in ``unit`` (converted to the data's unit to read the curves).

    As R ``summary(survfit(...), times=)``; null estimates after a group's last time.

    Examples
    --------
    >>> from sigsurv.survival.endpoints import SurvivalData
    >>> km = kaplan_meier([30.4375, 60.875, 91.3125], [1, 0, 1])
    >>> data = SurvivalData(np.zeros(3), np.zeros(3), "days", 3, 2, None, "os")
    >>> rows = survival_at_times(km, data, [1.5, 4], "months")
    >>> round(rows[0]["estimate"], 4), rows[1]["estimate"]
    (0.6667, None)
    """
    if not times:
        return []
    shown = np.asarray(times, dtype=float)
    data_times = shown if unit == survival.unit else convert_time(shown, unit, survival.unit)
    rows = []
    for group in km.groups:
        table = km.curves[group].survival_at(data_times, extend=True)
        for time, (_, row) in zip(shown, table.iterrows(), strict=True):
            beyond = bool(row["beyond_last_time"])
            rows.append(
                {
                    "group": str(group),
                    "time": float(time),
                    "unit": unit,
                    "estimate": None if beyond else _finite_or_none(row["surv"]),
                    "lower": None if beyond else _finite_or_none(row["lower"]),
                    "upper": None if beyond else _finite_or_none(row["upper"]),
                    "n_risk": int(row["n_risk"]),
                }
            )
    return rows


_RISK_STEPS = {"days": (90, 180, 365, 730, 1825), "months": (6, 12, 24, 36, 60),
               "years": (1, 2, 5, 10)}  # fmt: skip


def numbers_at_risk(km: KaplanMeierResult, survival: SurvivalData, unit: str) -> dict[str, Any]:
    """Numbers at risk per group at round times of the display ``unit`` (at most 8).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    >>> table = numbers_at_risk(result.km, result.survival, "months")
    >>> table["times"][:3], table["unit"], table["groups"]["low"][0]
    ([0.0, 24.0, 48.0], 'months', 36)
    """
    end = float(np.max(survival.time))
    if unit != survival.unit:
        end = float(convert_time(end, survival.unit, unit))
    steps = _RISK_STEPS.get(unit, (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))
    step = next((s for s in steps if end / s <= 7), steps[-1])
    shown = np.arange(0.0, end + 1e-9, step)
    data_times = shown if unit == survival.unit else convert_time(shown, unit, survival.unit)
    return {
        "times": [float(t) for t in shown],
        "unit": unit,
        "groups": {str(g): [int(v) for v in km.curves[g].n_at_risk(data_times)] for g in km.groups},
    }


def _finite_or_none(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def km_group_rows(km: KaplanMeierResult) -> list[dict[str, Any]]:
    """Per Kaplan–Meier group: n, events, median survival with its CI (None: not reached).

    Examples
    --------
    >>> from sigsurv.survival.km import kaplan_meier
    >>> km_group_rows(kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]))[0]["median_survival"]
    2.5
    """
    rows = []
    for level in km.groups:
        curve = km.curves[level]
        median = curve.median_survival()
        rows.append(
            {
                "group": str(level),
                "n": int(curve.n),
                "events": int(curve.events),
                "median_survival": median.median,
                "median_ci_lower": median.lower,
                "median_ci_upper": median.upper,
            }
        )
    return rows


def _term_row(result: CoxResult, term: str) -> dict[str, Any]:
    row = result.summary.loc[term]
    out = {
        "term": term,
        "hr": float(row["hr"]),
        "ci_lower": float(row["ci_lower"]),
        "ci_upper": float(row["ci_upper"]),
        "coef": float(row["coef"]),
        "se": float(row["se"]),
        "z": float(row["z"]),
        "p_wald": float(row["p_wald"]),
        "well_defined": bool(result.well_defined),
        "problems": list(result.problems),
    }
    if not result.well_defined:
        # A non-converged or infinite coefficient is flagged, never printed as a number.
        for key in ("hr", "ci_lower", "ci_upper", "coef", "se", "z", "p_wald"):
            out[key] = None
    return out


@dataclass
class SignatureSurvival:
    """Everything one signature x cohort x endpoint analysis produced.

    ``signature`` is the :class:`~sigsurv.signatures.Signature` that was scored (None
    for bare scores) and ``spec`` the :class:`AnalysisSpec` as requested: together
    they replay the analysis. Use :meth:`to_dict` for the JSON written as
    ``results.json``.
    """

    cohort: str
    signature_id: str
    signature_version: str
    method: str
    cut_rule: str | float
    survival: SurvivalData
    scores: pd.Series
    grouping: Grouping
    km: KaplanMeierResult
    logrank: LogRankResult
    cox_grouped: CoxResult
    cox_continuous: CoxResult
    concordance: ConcordanceResult
    logrank_trend: LogRankTrendResult | None = None
    cox_multivariable: CoxResult | None = None
    multivariable_dropped: int = 0
    strata: str | None = None
    coverage: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    signature: Signature | None = None
    spec: AnalysisSpec = field(default_factory=AnalysisSpec)
    cuts_by_stratum: dict[str, list[float]] = field(default_factory=dict)
    strata_values: np.ndarray | None = None
    times: tuple[float, ...] = ()
    times_unit: str | None = None

    @property
    def display_unit(self) -> str:
        """The run's one time unit: ``times_unit`` if given, else months or years.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> analyse_signature(load_example("gse1992"), "msk1_rps6ka5").display_unit
        'months'
        """
        if self.times_unit is not None:
            return self.times_unit
        return display_unit_for(float(np.max(self.survival.time)), self.survival.unit)

    def with_times(self, times: Sequence[float], unit: str | None = None) -> SignatureSurvival:
        """This result, reporting survival at fixed ``times`` given in ``unit``.

        ``unit`` (default: :attr:`display_unit`) becomes the run's display unit.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
        >>> rows = result.with_times([5], "years").survival_at_times()
        >>> rows[0]["group"], rows[0]["time"], rows[0]["unit"]
        ('low', 5.0, 'years')
        """
        chosen = unit or self.display_unit
        if chosen not in TIME_UNITS and chosen != self.survival.unit:
            raise OptionError("unknown time unit", expected=" | ".join(TIME_UNITS), found=chosen)
        return dataclasses.replace(self, times=parse_times(times), times_unit=chosen)

    def survival_at_times(self) -> list[dict[str, Any]]:
        """Survival per group at :attr:`times` with its 95% CI (R ``summary(fit, times=)``).

        Records ``group, time, unit, estimate, lower, upper, n_risk``: ``time`` in the
        display unit; the estimate is null after a group's last follow-up time.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
        >>> row = result.with_times([12], "months").survival_at_times()[0]
        >>> round(row["estimate"], 2), row["lower"] < row["estimate"] < row["upper"]
        (0.88, True)
        """
        return survival_at_times(self.km, self.survival, self.times, self.display_unit)

    @property
    def grouped_term(self) -> str:
        """Name of the Cox term of the highest group vs the reference."""
        return str(self.cox_grouped.summary.index[-1])

    @property
    def hazard_ratio_grouped(self) -> dict[str, Any]:
        """HR (CI, p) of the highest vs the lowest group."""
        return _term_row(self.cox_grouped, self.grouped_term)

    @property
    def hazard_ratio_per_sd(self) -> dict[str, Any]:
        """HR (CI, p) per SD of the continuous score."""
        return _term_row(self.cox_continuous, "score_per_sd")

    def group_table(self) -> list[dict[str, Any]]:
        """Per group: n, events, median survival with CI."""
        return km_group_rows(self.km)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results with their definitions.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
        ...                            subgroup=None)
        >>> result.to_dict()["cox_grouped"]["term"]
        'grouphigh'
        """
        ph = self.cox_continuous.ph_test
        ph_row = ph.loc["GLOBAL"] if ph is not None and "GLOBAL" in ph.index else None
        cut_values = [float(c) for c in self.grouping.cuts]
        payload: dict[str, Any] = {
            "cohort": self.cohort,
            "signature": {"id": self.signature_id, "version": self.signature_version},
            "method": self.method,
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
            "cut": {
                "rule": self.cut_rule,
                "values": cut_values,
                "levels": [str(v) for v in self.grouping.levels],
                "values_by_stratum": dict(self.cuts_by_stratum) or None,
            },
            "groups": self.group_table(),
            "logrank": {
                "chisq": float(self.logrank.chisq),
                "df": int(self.logrank.df),
                "p": float(self.logrank.p),
            },
            "cox_grouped": self.hazard_ratio_grouped,
            "cox_continuous_per_sd": self.hazard_ratio_per_sd,
            "concordance": {
                "c_index": float(self.concordance.concordance),
                "std": float(self.concordance.std),
            },
            "ph_test": None
            if ph_row is None
            else {
                "chisq": float(ph_row["chisq"]),
                "df": int(ph_row["df"]),
                "p": float(ph_row["p"]),
            },
            "strata": self.strata,
            "display_unit": self.display_unit,
            "at_times": self.survival_at_times(),
            "at_risk": numbers_at_risk(self.km, self.survival, self.display_unit),
            "analysis": self.spec.to_dict(),
            "coverage": self.coverage,
            "notes": list(self.notes),
            "definitions": DEFINITIONS,
        }
        if self.logrank_trend is not None:
            payload["logrank_trend"] = {
                "chisq": float(self.logrank_trend.chisq),
                "p": float(self.logrank_trend.p),
            }
        if self.grouping.maxstat is not None:
            maxstat = self.grouping.maxstat
            payload["maxstat"] = maxstat.to_dict()
            payload["maxstat"].pop("curve", None)
            payload["cut_scan"] = {
                "cut": [float(v) for v in maxstat.curve["cut"]],
                "statistic": [float(v) for v in maxstat.curve["statistic"]],
                "n_low": [int(v) for v in maxstat.curve["n_low"]],
                "selected_cut": float(maxstat.cutpoint),
                "max_statistic": float(maxstat.statistic),
                "p_lau92": float(maxstat.p_lau92),
                "p_lau94": float(maxstat.p_lau94),
            }
        if self.cox_multivariable is not None:
            payload["cox_multivariable"] = {
                "terms": [
                    _term_row(self.cox_multivariable, str(term))
                    for term in self.cox_multivariable.summary.index
                ],
                "n": int(self.cox_multivariable.n),
                "events": int(self.cox_multivariable.events),
                "dropped_incomplete": int(self.multivariable_dropped),
                "reference_levels": {
                    str(k): str(v) for k, v in self.cox_multivariable.reference_levels.items()
                },
                "well_defined": bool(self.cox_multivariable.well_defined),
                "problems": list(self.cox_multivariable.problems),
            }
        return payload


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
    time, event = survival.time, survival.event
    rule = parse_cut(cut)
    strata_values = _strata_values(data_cohort.clinical, spec.strata)
    if spec.strata is not None and strata_values is None:
        notes.append(f"strata {spec.strata!r} has a single level here: not stratified")
    grouping, cuts_by_stratum, cut_note = group_within_strata(
        values,
        rule,
        time=time,
        event=event,
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
        ties=spec.ties,
        strata=strata_values,
        reference_levels={"group": grouping.levels[0]},
    )
    per_sd = pd.DataFrame({"score_per_sd": standardise_within(values, strata_values)})
    cox_continuous = cox_fit(time, event, per_sd, ties=spec.ties, strata=strata_values)
    # C of the linear predictor (coef x score), as coxph reports it: >= 0.5 when the fitted
    # direction discriminates, whichever way the score points.
    coef = cox_continuous.summary["coef"].astype(float)["score_per_sd"]
    sign = 1.0 if coef >= 0 else -1.0
    concordance = concordance_index(time, event, sign * values, reverse=True, strata=strata_values)
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
        km=km,
        logrank=logrank,
        logrank_trend=trend,
        cox_grouped=cox_grouped,
        cox_continuous=cox_continuous,
        concordance=concordance,
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
        The analysis (:class:`AnalysisSpec`): endpoint, cut rule (None: the
        signature's default), horizon, subgroup and population filter, covariates,
        strata, ties, permutations, seed. Or give them as the keyword arguments
        below, not both.
    method, min_coverage, score_options
        Scoring method (default: the signature's), minimum fraction of genes found,
        and further options of :func:`sigsurv.scoring.score`.
    endpoint, cut, horizon, horizon_unit, covariates, reference_levels, strata, ties, seed
        As in :class:`AnalysisSpec`.
    subgroup
        ``"default"`` uses the signature's population filter (e.g. ``er == 'positive'``
        for MSK1), None analyses everybody, an expression analyses that subgroup only.
        (In a spec: ``subgroup`` and ``population``, which can combine both.)
    n_permutations
        ``spec.permutations``.

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
