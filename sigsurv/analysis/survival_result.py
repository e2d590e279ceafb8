"""The result of one signature x cohort x endpoint analysis and its ``results.json``.

:class:`SignatureSurvival` is what :func:`~sigsurv.analysis.signature.analyse_signature`
returns; this module holds it, its serialisation (:data:`DEFINITIONS` says what every
key means) and the time helpers it shares with :mod:`sigsurv.analysis.column` (display
unit, fixed times, numbers at risk, Kaplan–Meier group rows). Hazard ratios are
:class:`~sigsurv._results.HazardRatio` records (one usability rule, one vocabulary).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._results import ResultMixin, hazard_ratio_table
from sigsurv.analysis.spec import AnalysisSpec
from sigsurv.cohorts.model import TIME_UNITS, convert_time
from sigsurv.errors import OptionError
from sigsurv.signatures.schema import Signature
from sigsurv.survival.concordance import ConcordanceResult
from sigsurv.survival.cox import CoxResult
from sigsurv.survival.cutpoints import Grouping
from sigsurv.survival.endpoints import SurvivalData
from sigsurv.survival.km import KaplanMeierResult
from sigsurv.survival.logrank import LogRankResult, LogRankTrendResult

__all__ = [
    "DEFINITIONS",
    "SignatureSurvival",
    "display_unit_for",
    "km_group_rows",
    "numbers_at_risk",
    "parse_times",
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
    "hazard_ratio": "every HR record (cox_grouped, cox_continuous_per_sd, the multivariable "
    "terms): term, hr, ci_lower, ci_upper, coef, se, z, p_wald, conf_level, kind, estimable, "
    "reason, problems; the numbers are null (reason says why) unless the fit converged and "
    "this term's coefficient and SE are finite and not flagged as possibly infinite; "
    "problems are the whole fit's",
    "analysis": "the analysis as requested (AnalysisSpec): endpoint, cut rule, horizon, "
    "subgroup (and whether the signature's population filter applies), covariates, strata, "
    "ties, permutations, seed, cause (competing risks only; null here); the values in effect "
    "are under endpoint, cut and strata",
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
    >>> from sigsurv.survival.km import kaplan_meier
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
    >>> from sigsurv.analysis.signature import analyse_signature
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


@dataclass
class SignatureSurvival(ResultMixin):
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
        >>> from sigsurv.analysis.signature import analyse_signature
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
        >>> from sigsurv.analysis.signature import analyse_signature
        >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
        >>> rows = result.with_times([5], "years").survival_at_times()
        >>> rows[0]["group"], rows[0]["time"], rows[0]["unit"]
        ('low', 5.0, 'years')
        """
        chosen = unit or self.display_unit
        if chosen not in TIME_UNITS and chosen != self.survival.unit:
            raise OptionError("unknown time unit", expected=" | ".join(TIME_UNITS), found=chosen)
        fixed = parse_times(times) if len(times) else ()  # --times-unit alone: no fixed times
        return dataclasses.replace(self, times=fixed, times_unit=chosen)

    def survival_at_times(self) -> list[dict[str, Any]]:
        """Survival per group at :attr:`times` with its 95% CI (R ``summary(fit, times=)``).

        Records ``group, time, unit, estimate, lower, upper, n_risk``: ``time`` in the
        display unit; the estimate is null after a group's last follow-up time.

        Examples
        --------
        >>> from sigsurv import load_example
        >>> from sigsurv.analysis.signature import analyse_signature
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
        """HR (CI, p) of the highest vs the lowest group (:meth:`HazardRatio.to_dict`)."""
        return self.cox_grouped.hazard_ratio(self.grouped_term).to_dict()

    @property
    def hazard_ratio_per_sd(self) -> dict[str, Any]:
        """HR (CI, p) per SD of the continuous score (:meth:`HazardRatio.to_dict`)."""
        return self.cox_continuous.hazard_ratio("score_per_sd").to_dict()

    def title(self) -> str:
        """Signature, cohort, method and the patients and events analysed."""
        return (
            f"{self.signature_id} on {self.cohort} ({self.method} scores):"
            f" {self.survival.n} patients, {self.survival.events} events"
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Every hazard ratio of the analysis, one row each (grouped, per SD, adjusted)."""
        ratios = {
            f"grouped ({self.cut_rule})": self.cox_grouped.hazard_ratio(self.grouped_term),
            "per SD": self.cox_continuous.hazard_ratio("score_per_sd"),
        }
        model = self.cox_multivariable
        if model is not None:
            for term in model.summary.index:
                ratios[f"adjusted: {term}"] = model.hazard_ratio(str(term))
        return hazard_ratio_table(ratios)

    def group_table(self) -> list[dict[str, Any]]:
        """Per group: n, events, median survival with CI."""
        return km_group_rows(self.km)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results with their definitions.

        Hazard ratios are :meth:`HazardRatio.to_dict` records: a term's numbers are
        kept when the fit converged and that term is finite, even when another
        covariate's coefficient may be infinite (the fit's ``problems`` say so).

        Examples
        --------
        >>> from sigsurv import load_example
        >>> from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
        >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5",
        ...                            AnalysisSpec(population=False))
        >>> record = result.to_dict()["cox_grouped"]
        >>> record["term"], record["kind"], record["estimable"]
        ('grouphigh', 'hazard', True)
        """
        payload: dict[str, Any] = {
            "cohort": self.cohort,
            "signature": {"id": self.signature_id, "version": self.signature_version},
            "method": self.method,
            "endpoint": self._endpoint_record(),
            "n": int(self.survival.n),
            "events": int(self.survival.events),
            "median_follow_up": self.survival.median_follow_up,
            "cut": self._cut_record(),
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
            "ph_test": self._ph_record(),
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
        payload.update(self._optimal_cut_records())
        if self.cox_multivariable is not None:
            payload["cox_multivariable"] = self._multivariable_record(self.cox_multivariable)
        return payload

    def _endpoint_record(self) -> dict[str, Any]:
        return {
            "name": self.survival.endpoint,
            "label": self.survival.label,
            "unit": self.survival.unit,
            "horizon": self.survival.horizon,
            "subgroup": self.survival.subgroup,
        }

    def _cut_record(self) -> dict[str, Any]:
        return {
            "rule": self.cut_rule,
            "values": [float(c) for c in self.grouping.cuts],
            "levels": [str(v) for v in self.grouping.levels],
            "values_by_stratum": dict(self.cuts_by_stratum) or None,
        }

    def _ph_record(self) -> dict[str, Any] | None:
        ph = self.cox_continuous.ph_test
        if ph is None or "GLOBAL" not in ph.index:
            return None
        row = ph.loc["GLOBAL"]
        return {"chisq": float(row["chisq"]), "df": int(row["df"]), "p": float(row["p"])}

    def _optimal_cut_records(self) -> dict[str, Any]:
        """``maxstat`` and ``cut_scan`` of an optimal cut (nothing for other rules)."""
        maxstat = self.grouping.maxstat
        if maxstat is None:
            return {}
        record = maxstat.to_dict()
        record.pop("curve", None)
        scan = {
            "cut": [float(v) for v in maxstat.curve["cut"]],
            "statistic": [float(v) for v in maxstat.curve["statistic"]],
            "n_low": [int(v) for v in maxstat.curve["n_low"]],
            "selected_cut": float(maxstat.cutpoint),
            "max_statistic": float(maxstat.statistic),
            "p_lau92": float(maxstat.p_lau92),
            "p_lau94": float(maxstat.p_lau94),
        }
        return {"maxstat": record, "cut_scan": scan}

    def _multivariable_record(self, model: CoxResult) -> dict[str, Any]:
        """Every term's hazard ratio, and the model's size, references and problems."""
        return {
            "terms": [model.hazard_ratio(str(term)).to_dict() for term in model.summary.index],
            "n": int(model.n),
            "events": int(model.events),
            "dropped_incomplete": int(self.multivariable_dropped),
            "reference_levels": {str(k): str(v) for k, v in model.reference_levels.items()},
            "well_defined": bool(model.well_defined),
            "problems": list(model.problems),
        }
