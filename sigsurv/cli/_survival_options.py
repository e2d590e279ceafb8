"""The ``survival`` options: the analysis they request, time units, figure options, and
the options that do not apply."""

from __future__ import annotations

import warnings
from typing import Any

from sigsurv._cli_options import check_count, check_seed, parse_covariates
from sigsurv.errors import OptionError, SigsurvWarning

_TIME_UNITS_HELP = "days | months | years"


def _figure_options(
    breaks: float | None,
    ylim: str | None,
    min_at_risk: int,
    ci: bool | None,
    formats: str,
    times_unit: str | None,
) -> dict[str, Any]:
    """``style`` and ``formats`` of the figure writers, from the figure options."""
    from sigsurv.plots.km import KMStyle

    limits = None
    if ylim is not None:
        try:
            low, high = (float(part) for part in ylim.split(","))
        except ValueError:
            raise OptionError("--ylim must be two numbers LOW,HIGH", found=ylim) from None
        limits = (low, high)
    if breaks is not None and not breaks > 0:
        raise OptionError("--breaks must be > 0", found=breaks)
    style = KMStyle(
        display_unit=times_unit,
        breaks=breaks,
        ylim=limits,
        min_at_risk=check_count("--min-at-risk", min_at_risk, minimum=0),
        show_ci=ci,
    )
    return {"style": style, "formats": _parse_formats(formats)}


def _parse_formats(text: str) -> tuple[str, ...]:
    """``png,pdf`` -> ("png", "pdf"); anything else refused in one line."""
    from sigsurv.plots.save import FORMATS

    chosen = tuple(part.strip().lower() for part in text.split(","))
    if not chosen or any(f not in FORMATS for f in chosen):
        raise OptionError("--formats not understood", expected="png, pdf, svg", found=text)
    return tuple(dict.fromkeys(chosen))


def _check_time_unit(option: str, unit: str) -> None:
    from sigsurv.cohorts.model import TIME_UNITS

    if unit not in TIME_UNITS:
        raise OptionError(f"{option} is not a time unit", expected=_TIME_UNITS_HELP, found=unit)


def _refuse_options_that_do_not_apply(
    given: dict[str, bool], *, cause: str | None, cut: str | None
) -> None:
    """Options the chosen path would ignore are refused in one line (issue 24)."""
    from sigsurv.analysis.spec import parse_cut

    refusals = []
    if cause is not None:
        refusals += [
            (flag, "with --cause (a competing-risk analysis)")
            for flag in ("--horizon", "--horizon-unit", "--covariates", "--permutations")
            if given[flag]
        ]
    elif given["--horizons"]:
        refusals.append(("--horizons", "without --cause (use --times)"))
    if given["--horizon-unit"] and not given["--horizon"]:
        refusals.append(("--horizon-unit", "without --horizon"))
    if given["--permutations"] and (cut is None or parse_cut(cut) != "optimal"):
        refusals.append(("--permutations", "without --cut optimal"))
    if refusals:
        flag, reason = refusals[0]
        raise OptionError(f"{flag} does not apply {reason}, and would be ignored")


def _analysis_spec(
    *,
    endpoint: str | None,
    cut: str | None,
    horizon: float | None,
    horizon_unit: str | None,
    subgroup: str | None,
    population: bool,
    covariates: str | None,
    strata: str | None,
    permutations: int,
    seed: int,
    method: str | None,
    cause: str | None,
) -> Any:
    """The :class:`~sigsurv.analysis.spec.AnalysisSpec` the options request."""
    from sigsurv.analysis.spec import AnalysisSpec, ScoringSpec

    return AnalysisSpec(
        endpoint=endpoint,
        cut=cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=subgroup,
        population=population,
        covariates=parse_covariates(covariates),
        strata=strata,
        permutations=check_count("--permutations", permutations, minimum=0),
        seed=check_seed(seed),
        scoring=ScoringSpec(method=method),
        cause=cause,
    )


def _fixed_times(times: str | None, horizons: str | None) -> tuple[float, ...]:
    """``--times`` (or its deprecated alias ``--horizons``, with a warning) as numbers."""
    from sigsurv.analysis.survival_result import parse_times

    if horizons is None:
        return parse_times(times, "--times")
    if times is not None:
        raise OptionError("give --times or its deprecated alias --horizons, not both")
    warnings.warn(
        "--horizons is deprecated: use --times (both are read in --times-unit, "
        "else in months up to 15 years of follow-up, else years)",
        SigsurvWarning,
        stacklevel=2,
    )
    return parse_times(horizons, "--horizons")
