"""The result of one score on a competing-risk endpoint, and its ``results.json``.

:class:`CompetingRiskAnalysis` is what
:func:`~sigsurv.analysis.competing.analyse_signature_competing` (and the array and
cohort functions of :mod:`sigsurv.analysis.competing`) return: the cause-specific Cox
and Fine–Gray models, the cumulative incidence with Gray's test, and their
serialisation (:data:`COMPETING_DEFINITIONS` says what every key means). Hazard ratios
are :class:`~sigsurv._results.HazardRatio` records (one usability rule, one vocabulary).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv._results import HazardRatio, ResultMixin, hazard_ratio_table
from sigsurv.analysis.spec import AnalysisSpec
from sigsurv.analysis.survival_result import parse_times
from sigsurv.cohorts.model import TIME_UNITS, convert_time
from sigsurv.errors import AnalysisError, OptionError
from sigsurv.survival.competing import CumulativeIncidenceResult, FineGrayResult
from sigsurv.survival.cox import CoxResult

__all__ = ["COMPETING_DEFINITIONS", "CompetingRiskAnalysis"]

COMPETING_DEFINITIONS = {
    "cause": "event code of the cause analysed (0 = censored, 1..k = causes)",
    "events": "patients per outcome: censored and each cause, by label",
    "cut": "rule and score value(s) splitting the groups; high = score > cut",
    "cause_specific_per_sd": "cause-specific Cox model (other causes censored) of the score "
    "per standard deviation: HR, Wald 95% CI and p_wald, as R "
    "coxph(Surv(t, cause == k) ~ scale(x))",
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
    "hazard_ratio": "every HR record (the four models above): term, hr, ci_lower, ci_upper, "
    "coef, se, z, p_wald, conf_level, kind (hazard or subdistribution), estimable, reason, "
    "problems; the numbers are null (reason says why) unless the fit converged and the "
    "term's coefficient and SE are finite and not flagged as possibly infinite",
    "models": "per model: patients (n) and events of the cause; Fine-Gray also the competing "
    "events",
}


@dataclass(frozen=True)
class CompetingRiskAnalysis(ResultMixin):
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
    time, display_unit
        Follow-up per patient (endpoint's unit) and the unit times are shown in.
    subgroup, scores, spec
        From :func:`analyse_signature_competing`: the subgroup analysed, the score of
        every sample, and the :class:`~sigsurv.analysis.spec.AnalysisSpec` requested.

    Examples
    --------
    >>> from sigsurv.analysis.competing import analyse_competing_risks
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
    subgroup: str | None = None
    scores: pd.Series | None = field(default=None, repr=False, compare=False)
    spec: AnalysisSpec | None = None

    @property
    def unit_shown(self) -> str:
        """The run's display unit (``display_unit``, else the endpoint's unit)."""
        return self.display_unit or self.unit

    def with_times(
        self, times: Sequence[float] | None, unit: str | None = None
    ) -> CompetingRiskAnalysis:
        """This result, reporting the cumulative incidence at ``times`` given in ``unit``.

        ``unit`` (default: :attr:`unit_shown`) becomes the run's display unit; ``times``
        None keeps the horizons (e.g. the default 1, 3, 5 and 10 years).

        Examples
        --------
        >>> from sigsurv.analysis.competing import analyse_competing_risks
        >>> rng = np.random.default_rng(3)
        >>> res = analyse_competing_risks(rng.normal(size=80), rng.exponential(size=80),
        ...                               rng.choice([0, 1, 2], size=80), 1, unit="years")
        >>> shown = res.with_times([6], "months")
        >>> shown.horizons, shown.incidence_at_times()[0]["time"]
        ((0.5,), 6.0)
        """
        chosen = unit or self.unit_shown
        if chosen not in TIME_UNITS and chosen != self.unit:
            raise OptionError("unknown time unit", expected=" | ".join(TIME_UNITS), found=chosen)
        horizons = self.horizons
        if times is not None:
            horizons = tuple(
                float(convert_time(float(t), chosen, self.unit)) if chosen != self.unit else t
                for t in (parse_times(times) if len(times) else ())
            )
        return dataclasses.replace(self, horizons=horizons, display_unit=chosen)

    def n_at_risk(self, times: Sequence[float]) -> dict[str, list[int]]:
        """Patients still followed (time >= t) per group at ``times`` (endpoint's unit).

        Examples
        --------
        >>> from sigsurv.analysis.competing import analyse_competing_risks
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
        >>> from sigsurv.analysis.competing import analyse_competing_risks
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
        >>> from sigsurv.analysis.competing import analyse_competing_risks
        >>> rng = np.random.default_rng(3)
        >>> res = analyse_competing_risks(rng.normal(size=80), rng.exponential(size=80),
        ...                               rng.choice([0, 1, 2], size=80), 1, horizons=[0.5])
        >>> res.incidence_at_horizons().columns.tolist()
        ['low', 'high']
        """
        if not self.horizons:  # follow-up shorter than every default horizon
            return pd.DataFrame(columns=pd.Index(self.levels), index=pd.Index([], name="time"))
        return self.incidence.at(list(self.horizons))

    def hazard_ratios(self) -> dict[str, HazardRatio]:
        """The four hazard ratios: cause-specific (primary) and Fine–Gray, per SD and grouped.

        Examples
        --------
        >>> from sigsurv.analysis.competing import analyse_competing_risks
        >>> rng = np.random.default_rng(3)
        >>> res = analyse_competing_risks(rng.normal(size=80), rng.exponential(size=80),
        ...                               rng.choice([0, 1, 2], size=80), 1, horizons=[0.5])
        >>> hr = res.hazard_ratios()["fine_gray_per_sd"]
        >>> hr.term, hr.kind, hr.estimable
        ('score_per_sd', 'subdistribution', True)
        """
        return {
            "cause_specific_per_sd": self.cause_specific_per_sd.hazard_ratio("score_per_sd"),
            "cause_specific_grouped": self.cause_specific_grouped.hazard_ratio(self.grouped_term),
            "fine_gray_per_sd": self.fine_gray_per_sd.hazard_ratio("score_per_sd"),
            "fine_gray_grouped": self.fine_gray_grouped.hazard_ratio(self.grouped_term),
        }

    def title(self) -> str:
        """The cause analysed, patients and events of each cause."""
        events = ", ".join(f"{count} {name}" for name, count in self.events.items())
        return f"competing risks, cause {self.cause_label}: {self.n} patients ({events})"

    @property
    def summary(self) -> pd.DataFrame:
        """The four hazard ratios (:meth:`hazard_ratios`), one row each."""
        return hazard_ratio_table(self.hazard_ratios())

    def _model_sizes(self) -> dict[str, dict[str, int]]:
        """Patients and events per model (beside the hazard ratios, never inside)."""
        sizes: dict[str, dict[str, int]] = {}
        for key in ("cause_specific_per_sd", "cause_specific_grouped"):
            model: CoxResult = getattr(self, key)
            sizes[key] = {"n": int(model.n), "events": int(model.events)}
        for key in ("fine_gray_per_sd", "fine_gray_grouped"):
            fine_gray_fit: FineGrayResult = getattr(self, key)
            sizes[key] = {
                "n": int(fine_gray_fit.n),
                "events": int(fine_gray_fit.events),
                "competing_events": int(fine_gray_fit.competing_events),
            }
        return sizes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (``results.json`` of ``sigsurv survival --cause``).

        Examples
        --------
        >>> from sigsurv.analysis.competing import analyse_competing_risks
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
            **{key: hr.to_dict() for key, hr in self.hazard_ratios().items()},
            "models": self._model_sizes(),
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
