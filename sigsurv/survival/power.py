"""Power of a Cox test (Schoenfeld's formula) and TOST equivalence of a hazard ratio.

**Schoenfeld (1983), Hsieh & Lavori (2000).** With ``D`` events the log hazard ratio
``theta`` of a covariate with variance ``V`` has approximate standard error
``1 / sqrt(D V)``. The two-sided level-``alpha`` Wald test then has power

    power = Phi(|theta| sqrt(D V) - z_{1 - alpha/2})

(the negligible chance of rejecting in the wrong direction is ignored, as in the usual
statement of the formula, so the power at HR = 1 is alpha / 2), and the smallest HR
detectable with power ``1 - beta`` is

    HR_min = exp((z_{1 - alpha/2} + z_{1 - beta}) / sqrt(D V)).

``V = p (1 - p)`` for a score dichotomised with a fraction ``p`` of patients in one group
(``theta`` is the log HR between the groups); ``V = sd^2`` for a continuous score, which is
1 for the HR per standard deviation of a standardised score.

**TOST** (two one-sided tests, Schuirmann 1987) for a log HR ``theta`` with standard error
``se`` and equivalence margins ``(L, U)`` on the HR scale:
``p_lower = 1 - Phi((theta - log L) / se)`` tests H0 ``HR <= L``;
``p_upper = Phi((theta - log U) / se)`` tests H0 ``HR >= U``; equivalence is shown at level
``alpha`` when both are below ``alpha``, i.e. when the ``1 - 2 alpha`` CI lies inside
``(L, U)``. Non-equivalence is shown when that CI lies entirely outside ``[L, U]``.
The power of TOST at a true HR of 1 (:func:`tost_power`) is
``max(0, Phi(log U / se - z_{1 - alpha}) - Phi(log L / se + z_{1 - alpha}))``, with the
design standard error ``se = 1 / sqrt(D V)``.

**From a dichotomised HR to the HR per SD** (:func:`per_sd_from_dichotomised`). When a
normally distributed score is split with a fraction ``p`` in the high group, the high
group's mean exceeds the low group's by ``d = phi(z_p) / (p (1 - p))`` SD (``z_p`` the
normal quantile at ``1 - p``; ``d = 2 phi(0) / 0.5 = 1.596`` for a median split). Under
a log-linear hazard in the score, the group log HR is about ``d`` times the per-SD log
HR, so ``log HR_per_SD = log HR_groups / d``. The conversion assumes a normal score and a
log-linear effect; it is the usual approximation, not an identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin, TestResult
from sigsurv.errors import SigsurvInputError
from sigsurv.survival._result_format import jsonable, one_row

__all__ = [
    "CoxPower",
    "TostResult",
    "cox_power",
    "min_detectable_hr",
    "per_sd_from_dichotomised",
    "schoenfeld_power",
    "split_mean_difference",
    "tost_log_hr",
    "tost_power",
]


def _covariate_variance(proportion: float | None, sd: float) -> float:
    if proportion is not None:
        if not 0.0 < proportion < 1.0:
            raise SigsurvInputError("group proportion must be in (0, 1)", found=proportion)
        return proportion * (1.0 - proportion)
    if not (np.isfinite(sd) and sd > 0):
        raise SigsurvInputError("sd must be > 0", found=sd)
    return sd**2


def _check_common(events: float, alpha: float) -> None:
    if not (np.isfinite(events) and events > 0):
        raise SigsurvInputError("the number of events must be > 0", found=events)
    if not 0.0 < alpha < 1.0:
        raise SigsurvInputError("alpha must be in (0, 1)", found=alpha)


def schoenfeld_power(
    events: float,
    hr: float,
    *,
    proportion: float | None = None,
    sd: float = 1.0,
    alpha: float = 0.05,
) -> float:
    """Power of the two-sided Cox Wald test for hazard ratio ``hr`` (Schoenfeld).

    Parameters
    ----------
    events
        Number of events (> 0).
    hr
        Hazard ratio to detect (> 0): between the groups when ``proportion`` is given,
        else per ``sd`` of a continuous score.
    proportion
        Fraction of patients in one group of a dichotomised score (0.5 for a median
        split); ``None`` for a continuous score.
    sd
        Standard deviation of the continuous score (1 for a standardised score, where
        ``hr`` is the HR per SD). Ignored when ``proportion`` is given.
    alpha
        Two-sided significance level.

    Returns
    -------
    float
        ``Phi(|log hr| sqrt(events V) - z_{1 - alpha/2})``, ``V = p (1 - p)`` or ``sd^2``.

    Raises
    ------
    SigsurvInputError
        Non-positive events or HR, proportion outside (0, 1), alpha outside (0, 1).

    References
    ----------
    .. [1] Schoenfeld DA. Sample-size formula for the proportional-hazards regression model.
           Biometrics. 1983;39(2):499-503.
    .. [2] Hsieh FY, Lavori PW. Sample-size calculations for the Cox proportional hazards
           regression model with nonbinary covariates. Control Clin Trials. 2000;21(6):552-560.

    Examples
    --------
    >>> round(schoenfeld_power(13, 0.41, proportion=0.5), 3)  # 13 events, median split
    0.362
    >>> round(schoenfeld_power(100, 1.5), 3)  # per-SD HR 1.5 with 100 events
    0.982
    """
    _check_common(events, alpha)
    if not (np.isfinite(hr) and hr > 0):
        raise SigsurvInputError("hazard ratio must be > 0", found=hr)
    variance = _covariate_variance(proportion, sd)
    z_alpha = stats.norm.ppf(1 - alpha / 2)
    return float(stats.norm.cdf(abs(np.log(hr)) * np.sqrt(events * variance) - z_alpha))


def min_detectable_hr(
    events: float,
    *,
    proportion: float | None = None,
    sd: float = 1.0,
    power: float = 0.8,
    alpha: float = 0.05,
    protective: bool = False,
) -> float:
    """Smallest hazard ratio detectable with the given power (Schoenfeld).

    Parameters
    ----------
    events, proportion, sd, alpha
        As in :func:`schoenfeld_power`.
    power
        Target power, in (alpha / 2, 1).
    protective
        Return the HR below 1 (``1 / HR_min``) instead of the one above 1.

    Returns
    -------
    float
        ``exp(+-(z_{1 - alpha/2} + z_{power}) / sqrt(events V))``.

    References
    ----------
    .. [1] Schoenfeld DA. Sample-size formula for the proportional-hazards regression model.
           Biometrics. 1983;39(2):499-503.

    Examples
    --------
    >>> round(min_detectable_hr(100, proportion=0.5), 4)
    1.7512
    >>> round(min_detectable_hr(100, protective=True), 4)  # per SD
    0.7557
    """
    _check_common(events, alpha)
    if not alpha / 2 < power < 1.0:
        raise SigsurvInputError("power must be in (alpha / 2, 1)", found=power)
    variance = _covariate_variance(proportion, sd)
    log_hr = (stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) / np.sqrt(events * variance)
    return float(np.exp(-log_hr if protective else log_hr))


@dataclass(frozen=True)
class CoxPower(ResultMixin):
    """Power of one Cox test and its minimum detectable HR.

    Attributes
    ----------
    events
        Number of events.
    target_hr
        The HR the power is computed for (published, or a conventional default).
    power
        Power for ``target_hr``.
    min_detectable_hr
        HR detectable with ``target_power``, on the same side of 1 as ``target_hr``.
    scale
        ``"per SD"`` or ``"dichotomised"``.
    proportion
        Group fraction for the dichotomised scale, else ``None``.
    alpha, target_power
        Two-sided level and the power defining ``min_detectable_hr``.

    Examples
    --------
    >>> cox_power(13, 0.41, proportion=0.5).to_dict()["scale"]
    'dichotomised'
    """

    events: float
    target_hr: float
    power: float
    min_detectable_hr: float
    scale: str
    proportion: float | None
    alpha: float
    target_power: float

    @property
    def summary(self) -> pd.DataFrame:
        """One row: the fields of :meth:`to_dict`, indexed by the scale."""
        return one_row(self.to_dict(), self.scale, "scale")

    def title(self) -> str:
        """``Power of a Cox test (<scale>)``."""
        return f"Power of a Cox test ({self.scale})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record ``{target_hr, power, min_detectable_hr, ...}``."""
        return {
            "target_hr": self.target_hr,
            "power": self.power,
            "min_detectable_hr": self.min_detectable_hr,
            "events": self.events,
            "scale": self.scale,
            "proportion": self.proportion,
            "alpha": self.alpha,
            "target_power": self.target_power,
        }


def cox_power(
    events: float,
    target_hr: float,
    *,
    proportion: float | None = None,
    sd: float = 1.0,
    alpha: float = 0.05,
    target_power: float = 0.8,
) -> CoxPower:
    """Power for ``target_hr`` and the minimum detectable HR of one Cox test.

    Parameters
    ----------
    events, target_hr, proportion, sd, alpha
        As in :func:`schoenfeld_power` (``target_hr`` is its ``hr``).
    target_power
        Power at which the minimum detectable HR is given (80% by default).

    Returns
    -------
    CoxPower

    References
    ----------
    .. [1] Schoenfeld DA. Sample-size formula for the proportional-hazards regression model.
           Biometrics. 1983;39(2):499-503.
    .. [2] Hsieh FY, Lavori PW. Sample-size calculations for the Cox proportional hazards
           regression model with nonbinary covariates. Control Clin Trials. 2000;21(6):552-560.

    Examples
    --------
    >>> res = cox_power(40, 0.67)  # per-SD HR 0.67 with 40 events
    >>> print(f"{res.power:.3f} {res.min_detectable_hr:.3f}")
    0.717 0.642
    """
    power = schoenfeld_power(events, target_hr, proportion=proportion, sd=sd, alpha=alpha)
    detectable = min_detectable_hr(
        events,
        proportion=proportion,
        sd=sd,
        power=target_power,
        alpha=alpha,
        protective=target_hr < 1,
    )
    return CoxPower(
        events=events,
        target_hr=float(target_hr),
        power=power,
        min_detectable_hr=detectable,
        scale="per SD" if proportion is None else "dichotomised",
        proportion=proportion,
        alpha=alpha,
        target_power=target_power,
    )


@dataclass(frozen=True)
class TostResult(ResultMixin):
    """Two one-sided tests of equivalence for a hazard ratio.

    Attributes
    ----------
    p_lower
        p of H0 ``HR <= margin_lower``.
    p_upper
        p of H0 ``HR >= margin_upper``.
    p
        ``max(p_lower, p_upper)``, the TOST p-value.
    equivalent
        ``p < alpha``: the ``1 - 2 alpha`` CI lies inside the margins.
    not_equivalent
        The ``1 - 2 alpha`` CI lies entirely outside ``[margin_lower, margin_upper]``.
    ci_lower, ci_upper
        The ``1 - 2 alpha`` CI of the HR (90% for alpha 0.05).
    margin_lower, margin_upper, alpha
        The equivalence margins (HR scale) and level.
    z_lower, z_upper
        The one-sided statistics, oriented so that larger is more evidence of
        equivalence: ``(log HR - log margin_lower) / se`` (``p_lower`` is its upper
        tail) and ``(log margin_upper - log HR) / se`` (``p_upper``).

    Examples
    --------
    >>> tost_log_hr(0.0, 0.05).equivalent
    True
    """

    hr: float
    p_lower: float
    p_upper: float
    p: float
    equivalent: bool
    not_equivalent: bool
    ci_lower: float
    ci_upper: float
    margin_lower: float
    margin_upper: float
    alpha: float
    z_lower: float
    z_upper: float

    @property
    def test(self) -> TestResult:
        """The one-sided z test that decides (the smaller z, whose p is :attr:`p`).

        Examples
        --------
        >>> res = tost_log_hr(0.05, 0.08)
        >>> res.test.p == res.p, res.test.df
        (True, None)
        """
        return TestResult(
            statistic=min(self.z_lower, self.z_upper), df=None, p=self.p, method="TOST"
        )

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``hr, ci_lower, ci_upper, margin_lower, margin_upper, p_lower, p_upper, p``."""
        keys = ("hr", "ci_lower", "ci_upper", "margin_lower", "margin_upper", "p_lower")
        values = {key: getattr(self, key) for key in (*keys, "p_upper", "p")}
        return one_row(values, "TOST")

    def title(self) -> str:
        """The verdict and the deciding test in one line."""
        verdict = (
            "equivalent"
            if self.equivalent
            else "not equivalent"
            if self.not_equivalent
            else "inconclusive"
        )
        return f"TOST equivalence ({verdict}): {self.test.to_text()}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every field and the deciding ``test``.

        Examples
        --------
        >>> tost_log_hr(0.05, 0.08).to_dict()["test"]["method"]
        'TOST'
        """
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return jsonable({**fields, "test": self.test.to_dict()})


def tost_log_hr(
    log_hr: float,
    se: float,
    *,
    margins: tuple[float, float] = (0.8, 1.25),
    alpha: float = 0.05,
) -> TostResult:
    """TOST equivalence of a log hazard ratio with margins on the HR scale.

    Parameters
    ----------
    log_hr, se
        The estimate and its standard error (> 0).
    margins
        ``(lower, upper)`` equivalence margins on the HR scale, ``0 < lower < 1 < upper``
        (default 0.8–1.25).
    alpha
        Level of each one-sided test.

    Returns
    -------
    TostResult

    Raises
    ------
    SigsurvInputError
        Non-finite estimate, non-positive ``se``, margins not bracketing 1, alpha outside
        (0, 0.5).

    References
    ----------
    .. [1] Schuirmann DJ. A comparison of the two one-sided tests procedure and the power
           approach for assessing the equivalence of average bioavailability. J Pharmacokinet
           Biopharm. 1987;15(6):657-680.

    Examples
    --------
    >>> res = tost_log_hr(0.05, 0.08)
    >>> print(f"{res.p_lower:.4f} {res.p_upper:.4f} {res.equivalent}")
    0.0003 0.0152 True
    """
    lower, upper = margins
    if not (np.isfinite(log_hr) and np.isfinite(se) and se > 0):
        raise SigsurvInputError("log_hr must be finite and se > 0", found=(log_hr, se))
    if not 0 < lower < 1 < upper:
        raise SigsurvInputError(
            "equivalence margins must satisfy 0 < lower < 1 < upper", found=margins
        )
    if not 0.0 < alpha < 0.5:
        raise SigsurvInputError("alpha must be in (0, 0.5)", found=alpha)
    z_lower = float((log_hr - np.log(lower)) / se)
    z_upper = float((np.log(upper) - log_hr) / se)
    p_lower = float(stats.norm.sf(z_lower))
    p_upper = float(stats.norm.cdf((log_hr - np.log(upper)) / se))
    z = stats.norm.ppf(1 - alpha)
    ci_lower, ci_upper = float(np.exp(log_hr - z * se)), float(np.exp(log_hr + z * se))
    return TostResult(
        hr=float(np.exp(log_hr)),
        p_lower=p_lower,
        p_upper=p_upper,
        p=max(p_lower, p_upper),
        equivalent=max(p_lower, p_upper) < alpha,
        not_equivalent=ci_lower > upper or ci_upper < lower,
        ci_lower=ci_lower,
        ci_upper=ci_upper,
        margin_lower=float(lower),
        margin_upper=float(upper),
        alpha=alpha,
        z_lower=z_lower,
        z_upper=z_upper,
    )


def split_mean_difference(proportion: float = 0.5) -> float:
    """Mean difference, in SD, between the high and low groups of a split normal score.

    Parameters
    ----------
    proportion
        Fraction of patients in the high group (0.5 for a median split).

    Returns
    -------
    float
        ``phi(z) / (p (1 - p))`` with ``z`` the standard normal quantile at ``1 - p``.

    Examples
    --------
    >>> round(split_mean_difference(0.5), 3)
    1.596
    """
    if not 0.0 < proportion < 1.0:
        raise SigsurvInputError("group proportion must be in (0, 1)", found=proportion)
    z = stats.norm.ppf(1.0 - proportion)
    return float(stats.norm.pdf(z) / (proportion * (1.0 - proportion)))


def per_sd_from_dichotomised(hr: float, proportion: float = 0.5) -> float:
    """The per-SD HR implied by an HR between the groups of a split normal score.

    ``exp(log hr / d)`` with ``d`` from :func:`split_mean_difference` (1.596 for a
    median split). Assumes a normally distributed score and a log-linear hazard.

    Examples
    --------
    >>> round(per_sd_from_dichotomised(0.41), 4)
    0.5719
    """
    if not (np.isfinite(hr) and hr > 0):
        raise SigsurvInputError("hazard ratio must be > 0", found=hr)
    return float(np.exp(np.log(hr) / split_mean_difference(proportion)))


def tost_power(
    events: float,
    *,
    margins: tuple[float, float] = (0.8, 1.25),
    alpha: float = 0.05,
    sd: float = 1.0,
) -> float:
    """Power of TOST to show equivalence when the true HR is 1 (design standard error).

    Parameters
    ----------
    events
        Number of events; the standard error of the per-SD log HR is taken as
        ``1 / (sd sqrt(events))`` (Schoenfeld), so the power depends on the design only.
    margins, alpha
        As in :func:`tost_log_hr`.
    sd
        SD of the score (1 for the HR per SD).

    Returns
    -------
    float

    References
    ----------
    .. [1] Schuirmann DJ. A comparison of the two one-sided tests procedure and the power
           approach for assessing the equivalence of average bioavailability. J Pharmacokinet
           Biopharm. 1987;15(6):657-680.

    Examples
    --------
    >>> round(tost_power(22), 3), round(tost_power(400), 3)
    (0.0, 0.995)
    """
    _check_common(events, alpha)
    lower, upper = margins
    if not 0 < lower < 1 < upper:
        raise SigsurvInputError(
            "equivalence margins must satisfy 0 < lower < 1 < upper", found=margins
        )
    se = 1.0 / (sd * np.sqrt(events))
    z = stats.norm.ppf(1 - alpha)
    value = stats.norm.cdf(np.log(upper) / se - z) - stats.norm.cdf(np.log(lower) / se + z)
    return float(max(0.0, value))
