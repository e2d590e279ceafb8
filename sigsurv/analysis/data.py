"""From a cohort to the survival data of one analysis.

:func:`prepare_survival` turns a :class:`~sigsurv.cohorts.model.Cohort` into the
``(time, event)`` arrays an analysis needs, applying a subgroup, dropping samples
without survival data (reported in the cohort's messages) and truncating follow-up
at a horizon. It lives here, not in :mod:`sigsurv.survival`, because the statistics
engine never sees a cohort.
"""

from __future__ import annotations

from sigsurv.cohorts.model import Cohort
from sigsurv.errors import AnalysisError
from sigsurv.survival._validate import warn_few_events
from sigsurv.survival.endpoints import SurvivalData, check_survival_arrays, median_follow_up

__all__ = ["prepare_survival"]


def prepare_survival(
    cohort: Cohort,
    endpoint: str | None = None,
    *,
    horizon: float | None = None,
    horizon_unit: str | None = None,
    subgroup: str | None = None,
) -> tuple[Cohort, SurvivalData]:
    """Select an endpoint, a subgroup and a horizon; return the analysis cohort and its data.

    Steps, in order: restrict to ``subgroup`` (:meth:`Cohort.subset`), keep the
    samples with known time and event (:meth:`Cohort.complete_cases`; the number
    excluded is recorded in the cohort's messages), then administratively censor
    at ``horizon`` (:meth:`Cohort.truncate`).

    Parameters
    ----------
    cohort
        The cohort.
    endpoint
        Endpoint name; may be omitted when the cohort has a single endpoint.
    horizon
        Truncate follow-up at this time (events later become censored).
    horizon_unit
        Unit of ``horizon``; defaults to the endpoint's unit.
    subgroup
        A subgroup expression such as ``"er == 'positive'"``.

    Returns
    -------
    tuple
        ``(cohort, data)``: the restricted cohort (expression and clinical data of
        the analysed samples, same order) and its :class:`SurvivalData`.

    Raises
    ------
    AnalysisError
        Unknown endpoint, empty subgroup, no sample with survival data, or no event.

    Warns
    -----
    SigsurvWarning
        Fewer than 10 events.

    Examples
    --------
    >>> import pandas as pd
    >>> from sigsurv.cohorts.model import Cohort, Endpoint
    >>> expr = pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], index=["G"], columns=list("abcd"))
    >>> clin = pd.DataFrame({"t": [5.0, 80.0, 20.0, None], "e": [1, 1, 0, 0]},
    ...                     index=expr.columns)
    >>> cohort = Cohort("toy", expr, clin, {"os": Endpoint("os", "t", "e", unit="months")})
    >>> import warnings; warnings.simplefilter("ignore")
    >>> sub, data = prepare_survival(cohort, "os", horizon=5, horizon_unit="years")
    >>> data.n, data.events, data.time.tolist()
    (3, 1, [5.0, 60.0, 20.0])
    """
    target = cohort.endpoint(endpoint)
    if subgroup is not None:
        cohort = cohort.subset(subgroup)
    cohort = cohort.complete_cases(target.name)
    if cohort.n_samples == 0:
        raise AnalysisError(
            f"cohort {cohort.name}: no sample has {target.name} data"
            + (f" in subgroup {subgroup!r}" if subgroup else "")
        )
    if horizon is not None:
        cohort = cohort.truncate(target.name, horizon, horizon_unit)
    target = cohort.endpoint(target.name)
    time, event = check_survival_arrays(*cohort.survival(target.name))
    events = int(event.sum())
    label = target.label or target.name
    if target.horizon is not None:
        label += f" within {target.horizon:g} {target.unit}"
    if subgroup:
        label += f" [{subgroup}]"
    if events == 0:
        raise AnalysisError(
            f"cohort {cohort.name}: no {target.name} event among {time.size} samples"
            + (f" in subgroup {subgroup!r}" if subgroup else ""),
            hint="choose another endpoint, subgroup or a longer horizon",
        )
    warn_few_events(events, f"survival statistics of cohort {cohort.name} ({label})")
    data = SurvivalData(
        time=time,
        event=event,
        unit=target.unit,
        n=int(time.size),
        events=events,
        median_follow_up=median_follow_up(time, event),
        label=label,
        endpoint=target.name,
        samples=cohort.samples,
        horizon=target.horizon,
        subgroup=subgroup,
    )
    return cohort, data
