"""The verdict of a claim of no association: equivalence (TOST) and difference.

A null claim's test gets a four-way reading of its per-SD HR (see
:mod:`sigsurv.claims.verdicts` for every verdict word): ``equivalent`` (the 90% CI
within the margins, TOST), ``different`` (the 95% CI excludes 1), both, or neither;
``not informative`` when no difference is seen and TOST power at HR 1 is below 50%.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from sigsurv.claims.verdicts import (
    DIFFERENT,
    EQUIVALENT,
    EQUIVALENT_AND_DIFFERENT,
    MIN_POWER,
    NEITHER,
    NOT_INFORMATIVE,
    Verdict,
    fmt_hr,
    format_p,
    not_testable,
)
from sigsurv.survival.power import tost_log_hr, tost_power

__all__ = ["equivalence_verdict"]


def equivalence_verdict(
    log_hr: float | None,
    se: float | None,
    *,
    events: int | None = None,
    margins: tuple[float, float] = (0.8, 1.25),
    alpha: float = 0.05,
) -> Verdict:
    """Four-way verdict of one test of a null claim (no association).

    *Different* is the 95% CI excluding 1; *equivalent* is TOST at ``alpha`` per side
    (the 90% CI within the margins). A difference stands whatever the power; without
    one, TOST power at HR 1 below 50% gives ``not informative``.

    Parameters
    ----------
    log_hr, se
        Per-SD log HR and its standard error; ``None`` or non-finite when not fitted.
    events
        Events of the test: with no difference seen, TOST power at HR 1 below 50%
        (:func:`~sigsurv.survival.power.tost_power`) gives ``not informative``;
        ``None`` skips the gate.
    margins
        Equivalence margins on the HR scale.
    alpha
        Level of each one-sided test (the equivalence CI is ``1 - 2 alpha``; the
        difference CI is ``1 - alpha``, two-sided).

    Returns
    -------
    Verdict

    Examples
    --------
    >>> equivalence_verdict(0.02, 0.05).verdict
    'equivalent'
    >>> equivalence_verdict(0.9, 0.1).verdict
    'different'
    >>> equivalence_verdict(0.15, 0.03).verdict
    'equivalent and different'
    >>> equivalence_verdict(0.1, 0.3, events=400).verdict
    'neither equivalent nor different'
    >>> equivalence_verdict(-0.51, 0.23, events=22).verdict
    'different'
    >>> equivalence_verdict(0.1, 0.3, events=22).verdict
    'not informative'
    """
    if (
        log_hr is None
        or se is None
        or not math.isfinite(log_hr)
        or not math.isfinite(se)
        or se <= 0
    ):
        return not_testable("the Cox model gave no finite log hazard ratio with a standard error")
    tost = tost_log_hr(log_hr, se, margins=margins, alpha=alpha)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    lower95, upper95 = math.exp(log_hr - z * se), math.exp(log_hr + z * se)
    different = lower95 > 1 or upper95 < 1
    level = f"{100 * (1 - 2 * alpha):.0f}%"
    bounds = f"{fmt_hr(tost.ci_lower)}–{fmt_hr(tost.ci_upper)}"
    band = f"{tost.margin_lower:g}–{tost.margin_upper:g}"
    ci = (
        f"per-SD HR {fmt_hr(tost.hr)} (95% CI {fmt_hr(lower95)}–{fmt_hr(upper95)}; "
        f"{level} CI {bounds}, equivalence margins {band}, TOST p {format_p(tost.p)})"
    )
    power = (
        None if events is None or events <= 0 else tost_power(events, margins=margins, alpha=alpha)
    )
    power_words = (
        "" if power is None else f"; TOST power at HR 1 {100 * power:.0f}% with {events} events"
    )
    if different:
        verdict = EQUIVALENT_AND_DIFFERENT if tost.equivalent else DIFFERENT
        words = "the 95% CI excludes 1" + (
            " but the difference lies within the margins" if tost.equivalent else ""
        )
        return Verdict(verdict, f"{ci}: {words}{power_words}", power=power, target_hr=1.0)
    if power is not None and power < MIN_POWER:
        reading = EQUIVALENT if tost.equivalent else NEITHER
        reason = (
            f"{ci}: no difference seen, but{power_words[1:]}, below 50%: equivalence "
            "could not be shown"
        )
        return Verdict(NOT_INFORMATIVE, reason, reading, power, 1.0)
    if tost.equivalent:
        return Verdict(
            EQUIVALENT, f"{ci}: within the margins{power_words}", power=power, target_hr=1.0
        )
    return Verdict(
        NEITHER, f"{ci}: includes 1 and overlaps a margin{power_words}", power=power, target_hr=1.0
    )
