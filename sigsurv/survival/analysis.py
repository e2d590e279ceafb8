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
* a ``strata`` column (e.g. the sequencing platform) stratifies log-rank and Cox.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.cohorts.model import Cohort
from sigsurv.errors import AnalysisError, OptionError, SigsurvWarning
from sigsurv.signatures.schema import Signature
from sigsurv.survival.concordance import ConcordanceResult, concordance_index
from sigsurv.survival.cox import CoxResult, cox_fit, standardize
from sigsurv.survival.cutpoints import Grouping, group_by_cut
from sigsurv.survival.endpoints import SurvivalData, prepare_survival
from sigsurv.survival.km import KaplanMeierResult, kaplan_meier
from sigsurv.survival.logrank import (
    LogRankResult,
    LogRankTrendResult,
    logrank_test,
    logrank_trend_test,
)

__all__ = ["DEFINITIONS", "SignatureSurvival", "analyse_scores", "analyse_signature", "parse_cut"]

DEFINITIONS: dict[str, str] = {
    "n": "patients analysed (subgroup applied, known time and event)",
    "events": "events among them (after truncation at the horizon, if any)",
    "median_follow_up": "median follow-up by reverse Kaplan-Meier, in the endpoint's unit",
    "cut": "rule and score value(s) splitting the groups; high = score > cut",
    "groups": "per group: n, events, median survival (first time S(t) <= 0.5) with its 95% "
    "CI from the log-scale confidence curves (null = not reached)",
    "logrank": "log-rank test across the groups (R survdiff), chi-square and p; "
    "stratified when strata are given",
    "logrank_trend": "log-rank test for trend across ordered groups (scores 1..k)",
    "cox_grouped": "Cox model (Efron ties) of the highest vs the lowest group: HR, Wald 95% CI "
    "and Wald p",
    "cox_continuous_per_sd": "Cox model (Efron ties) of the score z-scored over the analysed "
    "patients (sd with n-1): HR per 1 SD, Wald 95% CI and p",
    "concordance": "Harrell's C of the continuous model's linear predictor (coef x score), as "
    "R coxph reports it (ties in the score count 1/2; pairs tied in time ignored)",
    "ph_test": "scaled Schoenfeld residual test of proportional hazards (R cox.zph, "
    "transform 'km') for the continuous model; p < 0.05 suggests non-proportional hazards",
    "cox_multivariable": "Cox model of the score per SD with the clinical covariates, on the "
    "complete cases",
    "maxstat": "optimal cut by maximally selected log-rank statistic (minprop 0.1) with the "
    "selection-adjusted p-values (Lausen-Schumacher 1992 and 1994) beside the naive one",
}


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
    aliases = {"tertiles": "tertile", "quartiles": "quartile", "maxstat": "optimal"}
    text = aliases.get(text, text)
    if text in ("median", "tertile", "quartile", "top_tertile", "top_quartile", "optimal"):
        return text
    try:
        return float(text)
    except ValueError:
        raise OptionError(
            "unknown cut-point rule",
            expected="median | tertile | quartile | top_tertile | top_quartile | optimal | "
            "a number",
            found=cut,
        ) from None


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

    Use :meth:`to_dict` for the JSON written as ``results.json``.
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
        rows = []
        for level in self.km.groups:
            curve = self.km.curves[level]
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
            payload["maxstat"] = self.grouping.maxstat.to_dict()
            payload["maxstat"].pop("curve", None)
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


def analyse_scores(
    cohort: Cohort,
    scores: pd.Series,
    *,
    signature_id: str = "score",
    signature_version: str = "",
    method: str = "given",
    endpoint: str | None = None,
    cut: str | float = "median",
    horizon: float | None = None,
    horizon_unit: str | None = None,
    subgroup: str | None = None,
    covariates: list[str] | None = None,
    reference_levels: dict[str, Any] | None = None,
    strata: str | None = None,
    ties: str = "efron",
    n_permutations: int = 0,
    seed: int = 20240101,
    coverage: dict[str, Any] | None = None,
) -> SignatureSurvival:
    """Run the survival analysis of per-sample scores already computed.

    Parameters are as in :func:`analyse_signature`; ``scores`` is indexed by sample.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> cohort = load_example("gse1992")
    >>> result = analyse_scores(cohort, cohort.expression.loc["ESR1"], signature_id="ESR1")
    >>> result.logrank.df
    1
    """
    data_cohort, survival = prepare_survival(
        cohort, endpoint, horizon=horizon, horizon_unit=horizon_unit, subgroup=subgroup
    )
    notes = list(data_cohort.messages[len(cohort.messages) :])
    missing_scores = [s for s in data_cohort.samples if s not in scores.index]
    if missing_scores:
        raise AnalysisError(
            "scores are missing for analysed samples", found=", ".join(missing_scores[:5])
        )
    values = scores.reindex(data_cohort.samples).to_numpy(dtype=float)
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
    time, event = survival.time, survival.event
    rule = parse_cut(cut)
    grouping = group_by_cut(
        values, rule, time=time, event=event, n_permutations=n_permutations, seed=seed
    )
    labels = pd.Series(grouping.labels).to_numpy()
    strata_values = None
    if strata is not None:
        if strata not in data_cohort.clinical.columns:
            raise AnalysisError("strata column not found in the clinical data", column=strata)
        strata_series = data_cohort.clinical[strata]
        if strata_series.isna().any():
            raise AnalysisError(
                "strata column has missing values",
                column=strata,
                found=int(strata_series.isna().sum()),
            )
        if strata_series.nunique() > 1:
            strata_values = strata_series.astype(str).to_numpy()
        else:
            notes.append(f"strata {strata!r} has a single level here: not stratified")
            strata = None
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
    per_sd = pd.DataFrame({"score_per_sd": standardize(values)})
    cox_continuous = cox_fit(time, event, per_sd, ties=ties, strata=strata_values)
    # C of the linear predictor (coef x score), as coxph reports it: >= 0.5 when the fitted
    # direction discriminates, whichever way the score points.
    sign = 1.0 if cox_continuous.summary.loc["score_per_sd", "coef"] >= 0 else -1.0
    concordance = concordance_index(time, event, sign * values, reverse=True, strata=strata_values)
    multivariable = None
    dropped = 0
    if covariates:
        frame = _covariate_frame(data_cohort.clinical, covariates)
        complete = frame.notna().all(axis=1).to_numpy()
        dropped = int((~complete).sum())
        design = pd.concat(
            [pd.DataFrame({"score_per_sd": standardize(values)}, index=frame.index), frame],
            axis=1,
        ).loc[complete]
        multivariable = cox_fit(
            time[complete],
            event[complete],
            design,
            ties=ties,
            strata=None if strata_values is None else strata_values[complete],
            reference_levels=reference_levels,
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
            stacklevel=2,
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
        strata=strata,
        coverage=coverage or {},
        notes=notes,
    )


def analyse_signature(
    cohort: Cohort,
    signature: str | Signature,
    *,
    endpoint: str | None = None,
    method: str | None = None,
    cut: str | float | None = None,
    horizon: float | None = None,
    horizon_unit: str | None = None,
    subgroup: str | None = "default",
    covariates: list[str] | None = None,
    reference_levels: dict[str, Any] | None = None,
    strata: str | None = None,
    ties: str = "efron",
    min_coverage: float = 0.5,
    n_permutations: int = 0,
    seed: int = 20240101,
    **score_options: Any,
) -> SignatureSurvival:
    """Score a signature on a cohort and run the survival analysis the papers run.

    Parameters
    ----------
    cohort
        A loaded cohort.
    signature
        Built-in id, a YAML/GMT path, or a :class:`Signature`.
    endpoint
        Endpoint name (default: the cohort's only endpoint).
    method, cut
        Scoring method and cut rule (``median``, ``tertile``, ``quartile``,
        ``optimal`` or a number); default: the signature's.
    horizon, horizon_unit
        Truncate follow-up ("events after 60 months become censored at 60").
    subgroup
        A subgroup expression; ``"default"`` uses the signature's population filter
        (e.g. ``er == 'positive'`` for MSK1), None analyses everybody.
    covariates, reference_levels
        Clinical columns of a multivariable model (score per SD + covariates).
    strata
        Clinical column stratifying log-rank and Cox (e.g. sequencing machine).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> result = analyse_signature(load_example("gse1992"), "msk1_rps6ka5")
    >>> result.survival.subgroup, result.survival.n
    ("er == 'positive'", 72)
    """
    from sigsurv.scoring import score
    from sigsurv.signatures import get_signature

    definition = signature if isinstance(signature, Signature) else get_signature(signature)
    chosen_method = method or definition.default_method
    if subgroup == "default":
        subgroup = definition.population_filter or None
    scores = score(
        cohort, definition, method=chosen_method, min_coverage=min_coverage, **score_options
    )
    coverage = scores.attrs.get("coverage", {}).get(definition.id, {})
    return analyse_scores(
        cohort,
        scores[definition.id],
        signature_id=definition.id,
        signature_version=definition.version,
        method=chosen_method,
        endpoint=endpoint,
        cut=cut if cut is not None else definition.default_cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=subgroup,
        covariates=covariates,
        reference_levels=reference_levels,
        strata=strata,
        ties=ties,
        n_permutations=n_permutations,
        seed=seed,
        coverage=coverage,
    )
