"""Site-specific claims (bone relapse): the exact competing-risk endpoint, else an analogue.

A relapse in bone competes with relapse elsewhere and with death: once a patient relapses
in the liver, a later bone relapse is not a first bone relapse. When a cohort records
relapse sites it has a competing-risk endpoint (``bone_relapse_cr`` from TCGA-CDR,
``<name>_cr`` from a recipe's site endpoint) and the claim is tested exactly there:
cause-specific Cox hazard ratio (primary) and Fine–Gray subdistribution hazard ratio
(secondary), with the cumulative incidence of bone relapse by score group and Gray's
test. Otherwise a 0/1 site endpoint (``bmfs``) gives the cause-specific hazard ratio
only, and without sites the claim falls back to the analogue endpoints of its record
(any relapse), labelled as such.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.analysis.competing import analyse_cohort_competing, analyse_competing_risks
from sigsurv.claims.populations import population_for
from sigsurv.cohorts.model import Cohort, Endpoint, convert_time
from sigsurv.errors import AnalysisError
from sigsurv.seeds.schema import Claim

__all__ = ["assess_site_claim", "choose_site_endpoint", "site_cause", "test_site_specific"]


def site_cause(endpoint: Endpoint, site: str) -> int | None:
    """The cause code whose label names the site (word match, case-insensitive).

    Examples
    --------
    >>> cr = Endpoint("cr", "t", "c", causes=("bone relapse", "other new tumour event"))
    >>> site_cause(cr, "bone"), site_cause(cr, "liver")
    (1, None)
    """
    pattern = re.compile(rf"\b{re.escape(site.lower())}\b")
    for code, label in enumerate(endpoint.causes, start=1):
        if pattern.search(label.lower()):
            return code
    return None


def choose_site_endpoint(
    claim: Claim, cohort: Cohort
) -> tuple[str | None, int | None, str | None, str]:
    """The endpoint (and cause) that tests a site-specific claim in a cohort.

    Order: the claim's competing-risk endpoints (``endpoint_match.competing``), then any
    other competing-risk endpoint of the cohort with a cause naming the site (exact,
    competing risks); the claim's exact 0/1 endpoints (exact, cause-specific only); its
    analogue endpoints (analogue).

    Returns
    -------
    (endpoint, cause, exactness, reason)
        ``cause`` is the cause code on a competing-risk endpoint, None on a 0/1
        endpoint; ``exactness`` is ``"exact"``, ``"analogue"`` or None (not testable);
        ``reason`` says what was chosen and why, in words.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.seeds import get_claim
    >>> claim = get_claim("gawrzak2018_msk1_bone_relapse_5y_er_pos")
    >>> endpoint, cause, exactness, reason = choose_site_endpoint(claim, load_example("gse1992"))
    >>> endpoint, cause, exactness
    ('rfs', None, 'analogue')
    """
    site = getattr(claim, "site", "") or ""
    if site:
        listed = [n for n in claim.endpoint_match.competing if n in cohort.competing_endpoints]
        others = sorted(set(cohort.competing_endpoints) - set(listed))
        for name in [*listed, *others]:
            endpoint = cohort.competing_endpoints[name]
            code = site_cause(endpoint, site)
            if code is not None:
                competing = [c for k, c in enumerate(endpoint.causes, start=1) if k != code]
                return (
                    name,
                    code,
                    "exact",
                    f"competing risks: cause {code} ({endpoint.causes[code - 1]}) against "
                    f"{', '.join(competing)}; cause-specific HR primary, Fine-Gray secondary",
                )
    for name in claim.endpoint_match.exact:
        if name in cohort.endpoints:
            reason = (
                f"{name}: {site} relapse with other events censored (cause-specific hazard "
                "only; the cohort has no competing-risk coding for Fine-Gray or cumulative "
                "incidence)"
                if site
                else ""
            )
            return name, None, "exact", reason
    for name in claim.endpoint_match.analogue:
        if name in cohort.endpoints:
            return (
                name,
                None,
                "analogue",
                f"the cohort records no {site or 'site-specific'} relapse: {name} "
                f"({cohort.endpoints[name].label or name}) is an analogue of the claim's endpoint",
            )
    wanted = [*claim.endpoint_match.competing, *claim.endpoint_match.names]
    return (
        None,
        None,
        None,
        f"no matching endpoint: the claim needs {', '.join(wanted)}; the cohort has "
        f"{', '.join([*cohort.endpoints, *cohort.competing_endpoints]) or 'none'}",
    )


def test_site_specific(
    cohort: Cohort,
    scores: pd.Series,
    endpoint: str,
    cause: int | None,
    horizon: float | None = None,
    strata: str | None = None,
    *,
    horizon_unit: str | None = None,
    cut: str | float = "median",
) -> dict[str, Any]:
    """Test a score on the endpoint :func:`choose_site_endpoint` chose.

    Parameters
    ----------
    cohort
        The cohort, already restricted to the claim's population.
    scores
        Score per sample (index = sample identifiers).
    endpoint, cause
        From :func:`choose_site_endpoint`: a competing-risk endpoint with its cause
        code, or a 0/1 endpoint with ``cause`` None.
    horizon
        Follow-up horizon ("within 5 years"): every event after it is censored at it,
        and the cumulative incidence is reported at it. None: no truncation.
    strata
        Clinical column to stratify by (e.g. TCGA's sequencing ``machine``).
    horizon_unit
        Unit of ``horizon`` (default: the endpoint's).
    cut
        Rule of the high / low groups.

    Returns
    -------
    dict
        ``method`` (``competing_risks`` or ``cox``), ``primary`` (cause-specific
        HR per SD and high vs low), ``secondary`` (Fine–Gray, None on a 0/1
        endpoint), ``cumulative_incidence`` at the horizon with ``gray_test``, ``n``,
        ``events``, ``horizon`` and ``details`` (the full analysis record).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> cohort = load_example("gse1992")
    >>> scores = cohort.expression.loc["ESR1"]
    >>> out = test_site_specific(cohort, scores, "rfs", None, horizon=5, horizon_unit="years")
    >>> out["method"], out["horizon"], out["secondary"] is None
    ('cox', 60.0, True)
    """
    if cause is not None:
        definition = cohort.competing_endpoint(endpoint)
        limit = _in_unit(horizon, horizon_unit, definition.unit)
        result = analyse_cohort_competing(
            cohort,
            scores,
            endpoint,
            cause,
            horizons=None if limit is None else [limit],
            cut=cut,
            strata=strata,
            censor_at=limit,
        )
        method = "competing_risks"
    else:
        definition = cohort.endpoint(endpoint)
        limit = _in_unit(horizon, horizon_unit, definition.unit)
        data = cohort.complete_cases(endpoint)
        if limit is not None:
            data = data.truncate(endpoint, limit)
        time, event = data.survival(endpoint)
        strata_values = None
        if strata is not None and strata not in data.clinical.columns:
            raise AnalysisError(f"cohort {cohort.name}: no clinical column {strata!r}")
        if strata is not None and data.clinical[strata].nunique() > 1:
            strata_values = data.clinical[strata].astype(str).to_numpy()
        result = analyse_competing_risks(
            scores.reindex(data.samples).to_numpy(dtype=float),
            time,
            event.astype(np.int64),
            1,
            causes=(definition.label or definition.name,),
            horizons=None if limit is None else [limit],
            cut=cut,
            strata=strata_values,
            unit=definition.unit,
            endpoint=definition.name,
            strata_name=strata if strata_values is not None else None,
        )
        method = "cox"
    record = result.to_dict()
    term = result.grouped_term
    return {
        "endpoint": endpoint,
        "cause": cause,
        "cause_label": result.cause_label if cause is not None else None,
        "method": method,
        "primary": {
            "statistic": "cause_specific_hazard_ratio" if cause is not None else "hazard_ratio",
            "per_sd": result.cause_specific_per_sd.hazard_ratio("score_per_sd").to_dict(),
            "high_vs_low": result.cause_specific_grouped.hazard_ratio(term).to_dict(),
        },
        "secondary": None
        if cause is None
        else {
            "statistic": "subdistribution_hazard_ratio",
            "per_sd": result.fine_gray_per_sd.hazard_ratio("score_per_sd").to_dict(),
            "high_vs_low": result.fine_gray_grouped.hazard_ratio(term).to_dict(),
        },
        "cumulative_incidence": record["cumulative_incidence"],
        "gray_test": record["gray_test"],
        "n": record["n"],
        "events": record["events"],
        "horizon": limit,
        "unit": definition.unit,
        "details": record,
    }


def assess_site_claim(
    claim: Claim,
    cohort: Cohort,
    scores: pd.Series,
    *,
    strata: str | None = None,
    cut: str | float = "median",
) -> dict[str, Any]:
    """Population, endpoint and test of a site-specific claim in one call.

    :func:`~sigsurv.claims.populations.population_for` picks the population,
    :func:`choose_site_endpoint` the endpoint and cause in it, and
    :func:`test_site_specific` runs the analysis with the claim's horizon.

    Returns
    -------
    dict
        ``testable`` (bool), ``reason`` (why not, in words), ``population`` (subgroup,
        label, exactness, reason), ``endpoint_exactness``, ``endpoint_reason`` and,
        when testable, every key of :func:`test_site_specific`.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.seeds import get_claim
    >>> cohort = load_example("gse1992")
    >>> claim = get_claim("gawrzak2018_msk1_bone_relapse_5y_er_pos")
    >>> out = assess_site_claim(claim, cohort, cohort.expression.loc["RPS6KA5"])
    >>> out["testable"], out["endpoint"], out["endpoint_exactness"], out["horizon"]
    (True, 'rfs', 'analogue', 60.0)
    """
    subgroup, label, population_exactness, population_reason = population_for(claim, cohort)
    population = {
        "subgroup": subgroup,
        "label": label,
        "exactness": population_exactness,
        "reason": population_reason,
    }
    base = {"claim_id": claim.id, "cohort": cohort.name, "population": population}
    if population_exactness is None:
        return {**base, "testable": False, "reason": population_reason}
    data = cohort.subset(subgroup) if subgroup else cohort
    endpoint, cause, exactness, reason = choose_site_endpoint(claim, data)
    if endpoint is None:
        return {**base, "testable": False, "reason": reason}
    horizon = claim.horizon
    result = test_site_specific(
        data,
        scores,
        endpoint,
        cause,
        None if horizon is None else horizon.value,
        strata,
        horizon_unit=None if horizon is None else horizon.unit,
        cut=cut,
    )
    return {
        **base,
        "testable": True,
        "reason": "",
        "endpoint_exactness": exactness,
        "endpoint_reason": reason,
        **result,
    }


def _in_unit(horizon: float | None, unit: str | None, endpoint_unit: str) -> float | None:
    if horizon is None:
        return None
    return float(horizon if unit is None else convert_time(horizon, unit, endpoint_unit))


# Named for what it does (tests a claim), not a pytest test: keep pytest from collecting it.
test_site_specific.__test__ = False  # type: ignore[attr-defined]
