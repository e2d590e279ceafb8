"""Restricted mean survival time (RMST) up to a horizon ``tau``, per group and between groups.

The RMST is the area under the Kaplan–Meier curve from 0 to ``tau`` (the curve comes
from :func:`~sigsurv.survival.km.kaplan_meier`). Conventions, as R ``survival``
(``print(survfit(...), rmean = tau)``) and ``survRM2::rmst2`` 1.0-4:

* standard error: ``sqrt(sum_i A_i^2 d_i / (n_i (n_i - d_i)))`` over event times
  ``t_i <= tau``, with ``A_i`` the area under the curve from ``t_i`` to ``tau``; a time
  where everyone at risk fails adds 0 (R sets that term to 0);
* confidence intervals and p-values are Wald (normal) ones: the difference on the
  natural scale, the ratios of RMST and of restricted mean time lost
  (``RMTL = tau - RMST``) on the log scale (survRM2's ``unadjusted.result``).

``tau`` must not pass a group's last follow-up time unless that group's curve has
reached 0 (the area beyond the last censoring is unknown); survRM2 applies the same
rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin
from sigsurv.errors import AnalysisError, SigsurvInputError
from sigsurv.survival._result_format import jsonable, records
from sigsurv.survival.km import KaplanMeierCurve, kaplan_meier

__all__ = ["RMSTComparison", "RMSTResult", "rmst"]


def _rmst_of_curve(curve: KaplanMeierCurve, tau: float) -> tuple[float, float]:
    """RMST and its variance for one Kaplan–Meier curve (R ``survmean``)."""
    tab = curve.table
    keep = tab["time"].to_numpy() <= tau
    times = tab["time"].to_numpy()[keep]
    surv = tab["surv"].to_numpy()[keep]
    n_risk = tab["n_risk"].to_numpy()[keep].astype(float)
    n_event = tab["n_event"].to_numpy()[keep].astype(float)
    areas = np.diff(np.concatenate(([0.0], times, [tau]))) * np.concatenate(([1.0], surv))
    # area under the curve from each time to tau
    area_after = np.cumsum(areas[::-1])[::-1][1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_var = np.where(n_risk > n_event, n_event / (n_risk * (n_risk - n_event)), 0.0)
    return float(areas.sum()), float((area_after**2 * hazard_var).sum())


@dataclass(frozen=True)
class RMSTComparison(ResultMixin):
    """RMST of ``group`` against ``reference`` (survRM2's ``unadjusted.result``).

    Each of ``difference``, ``ratio`` and ``rmtl_ratio`` is a dict with
    ``estimate, se, lower, upper, p``; for the ratios ``se`` is that of the log ratio.

    Examples
    --------
    >>> fit = rmst([2, 4, 6, 8, 3, 5, 7, 9], [1, 1, 0, 1, 1, 0, 1, 1], tau=6,
    ...            groups=["a"] * 4 + ["b"] * 4)
    >>> cmp = fit.compare("b", "a")
    >>> round(cmp.difference["estimate"], 4)  # 5.25 - 4.5
    0.75
    """

    group: Any
    reference: Any
    tau: float
    difference: dict[str, float]
    ratio: dict[str, float]
    rmtl_ratio: dict[str, float]

    @property
    def summary(self) -> pd.DataFrame:
        """Rows ``difference, ratio, rmtl_ratio``; columns ``estimate, se, lower, upper, p``.

        Examples
        --------
        >>> fit = rmst([2, 4, 6, 8, 3, 5, 7, 9], [1, 1, 0, 1, 1, 0, 1, 1], tau=6,
        ...            groups=["a"] * 4 + ["b"] * 4)
        >>> fit.compare("b", "a").summary.index.tolist()
        ['difference', 'ratio', 'rmtl_ratio']
        """
        rows = {
            "difference": self.difference,
            "ratio": self.ratio,
            "rmtl_ratio": self.rmtl_ratio,
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("contrast")

    def title(self) -> str:
        """``RMST up to tau: <group> vs <reference>``."""
        return f"RMST up to {self.tau:g}: {self.group} vs {self.reference}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``group, reference, tau, difference, ratio, rmtl_ratio``.

        Examples
        --------
        >>> fit = rmst([2, 4, 6, 8, 3, 5, 7, 9], [1, 1, 0, 1, 1, 0, 1, 1], tau=6,
        ...            groups=["a"] * 4 + ["b"] * 4)
        >>> fit.compare("b", "a").to_dict()["reference"]
        'a'
        """
        return jsonable(
            {
                "group": str(self.group),
                "reference": str(self.reference),
                "tau": self.tau,
                "difference": self.difference,
                "ratio": self.ratio,
                "rmtl_ratio": self.rmtl_ratio,
            }
        )


def _wald(estimate: float, se: float, conf_level: float, log: bool) -> dict[str, float]:
    z = stats.norm.ppf(0.5 + conf_level / 2.0)
    centre = np.log(estimate) if log else estimate
    lower, upper = centre - z * se, centre + z * se
    with np.errstate(divide="ignore", invalid="ignore"):
        p = float(2.0 * stats.norm.sf(abs(centre) / se))
    if log:
        lower, upper = np.exp(lower), np.exp(upper)
    return {
        "estimate": float(estimate),
        "se": float(se),
        "lower": float(lower),
        "upper": float(upper),
        "p": p,
    }


@dataclass(frozen=True)
class RMSTResult(ResultMixin):
    """RMST up to ``tau`` per group.

    Attributes
    ----------
    tau
        The horizon.
    table
        One row per group (index): ``n, events, rmst, se, lower, upper, rmtl``
        (``rmtl = tau - rmst``, the restricted mean time lost, with the same SE).
    conf_level
        Level of the confidence intervals.

    Examples
    --------
    >>> fit = rmst([2, 4, 6, 8], [1, 1, 0, 1], tau=5)
    >>> fit.table.loc["all", ["rmst", "rmtl"]].round(4).tolist()
    [4.0, 1.0]
    """

    tau: float
    table: pd.DataFrame
    conf_level: float

    @property
    def summary(self) -> pd.DataFrame:
        """The per-group table (:attr:`table`)."""
        return self.table

    def title(self) -> str:
        """``Restricted mean survival time up to tau``."""
        return f"Restricted mean survival time up to {self.tau:g}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``tau, conf_level`` and the ``table`` as records (one per group).

        Examples
        --------
        >>> rmst([2, 4, 6, 8], [1, 1, 0, 1], tau=5).to_dict()["table"][0]["rmst"]
        4.0
        """
        table = self.table.rename_axis(str(self.table.index.name or "group"))
        return jsonable({"tau": self.tau, "conf_level": self.conf_level, "table": records(table)})

    def compare(self, group: Any, reference: Any) -> RMSTComparison:
        """Difference and ratios of ``group`` against ``reference``.

        Parameters
        ----------
        group, reference
            Two group labels of :attr:`table` (survRM2's arm 1 and arm 0).

        Returns
        -------
        RMSTComparison
            RMST difference, RMST ratio and RMTL ratio with CI and Wald p-value.

        Raises
        ------
        SigsurvInputError
            Unknown group label.

        Examples
        --------
        >>> fit = rmst([2, 4, 6, 8, 3, 5, 7, 9], [1, 1, 0, 1, 1, 0, 1, 1], tau=6,
        ...            groups=["a"] * 4 + ["b"] * 4)
        >>> round(fit.compare("b", "a").ratio["estimate"], 4)
        1.1667
        """
        for label in (group, reference):
            if label not in self.table.index:
                raise SigsurvInputError(
                    "unknown group", expected=" | ".join(map(str, self.table.index)), found=label
                )
        g, r = self.table.loc[group], self.table.loc[reference]
        var_g, var_r = g["se"] ** 2, r["se"] ** 2
        return RMSTComparison(
            group=group,
            reference=reference,
            tau=self.tau,
            difference=_wald(
                g["rmst"] - r["rmst"], np.sqrt(var_g + var_r), self.conf_level, log=False
            ),
            ratio=_wald(
                g["rmst"] / r["rmst"],
                np.sqrt(var_g / g["rmst"] ** 2 + var_r / r["rmst"] ** 2),
                self.conf_level,
                log=True,
            ),
            rmtl_ratio=_wald(
                g["rmtl"] / r["rmtl"],
                np.sqrt(var_g / g["rmtl"] ** 2 + var_r / r["rmtl"] ** 2),
                self.conf_level,
                log=True,
            ),
        )


def rmst(
    time: Any, event: Any, tau: float, groups: Any = None, *, conf_level: float = 0.95
) -> RMSTResult:
    """Restricted mean survival time up to ``tau`` per group, with standard errors.

    Parameters
    ----------
    time
        Follow-up times (finite, >= 0).
    event
        1 = event, 0 = censored.
    tau
        Horizon (> 0), in the unit of ``time``.
    groups
        Optional group label per sample (level order as
        :func:`~sigsurv.survival.km.encode_groups`).
    conf_level
        Level of the confidence intervals.

    Returns
    -------
    RMSTResult
        Per-group table; :meth:`RMSTResult.compare` gives differences and ratios.

    Raises
    ------
    CohortValidationError
        Invalid times or events.
    AnalysisError
        ``tau`` after a group's last follow-up time while its curve is above 0.
    SigsurvInputError
        Bad ``tau``, ``groups`` or ``conf_level``.

    References
    ----------
    .. [1] Royston P, Parmar MKB. Restricted mean survival time: an alternative to the hazard
           ratio for the design and analysis of randomized trials with a time-to-event outcome.
           BMC Med Res Methodol. 2013;13:152.
    .. [2] Uno H, Claggett B, Tian L, et al. Moving beyond the hazard ratio in quantifying the
           between-group difference in survival analysis. J Clin Oncol. 2014;32(22):2380-2385.

    Examples
    --------
    >>> fit = rmst([6, 7, 10, 15, 19, 25], [1, 0, 1, 1, 0, 1], tau=20)
    >>> fit.table.loc["all", ["rmst", "se"]].round(4).tolist()
    [14.5417, 2.3272]
    """
    tau_f = float(tau)
    if not np.isfinite(tau_f) or tau_f <= 0:
        raise SigsurvInputError("tau must be a finite time > 0", found=tau)
    if not 0.0 < float(conf_level) < 1.0:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    km = kaplan_meier(time, event, groups)
    z = stats.norm.ppf(0.5 + float(conf_level) / 2.0)
    rows = []
    for g in km.groups:
        curve = km.curves[g]
        last = curve.table.iloc[-1]
        if tau_f > last["time"] and last["surv"] > 0:
            raise AnalysisError(
                f"tau is after the last follow-up time of group {g!r} and the curve is "
                "still above 0 there: the RMST is not estimable",
                expected=f"tau <= {last['time']:g}",
                found=tau_f,
            )
        value, var = _rmst_of_curve(curve, tau_f)
        se = float(np.sqrt(var))
        rows.append((g, curve.n, curve.events, value, se, value - z * se, value + z * se))
    table = pd.DataFrame(
        rows, columns=["group", "n", "events", "rmst", "se", "lower", "upper"]
    ).set_index("group")
    table["rmtl"] = tau_f - table["rmst"]
    table.index.name = None
    return RMSTResult(tau=tau_f, table=table, conf_level=float(conf_level))
