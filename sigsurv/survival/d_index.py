"""Royston–Sauerbrei D index: separation of survival curves by a prognostic index.

Royston & Sauerbrei (2004, *Stat Med* 23:723): rank the prognostic index ``PI`` (higher =
worse prognosis), turn the ranks into Blom normal scores
``z_i = Phi^-1((r_i - 3/8) / (n + 1/4))`` (tied PI values get the average rank), divide
by ``kappa = sqrt(8 / pi)`` and fit a Cox model on ``z / kappa``: its coefficient is
``D`` (the log hazard ratio between the two halves of a normally distributed index) and
its standard error is the SE of ``D``. The Cox model is
:func:`~sigsurv.survival.cox.cox_fit`. ``R2_D = (D^2 / kappa^2) / (pi^2 / 6 + D^2 /
kappa^2)`` is the explained-variation measure of Royston & Sauerbrei.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin
from sigsurv.errors import SigsurvInputError
from sigsurv.survival._result_format import jsonable, one_row
from sigsurv.survival.cox import cox_fit
from sigsurv.survival.endpoints import check_survival_arrays

__all__ = ["DIndexResult", "blom_scores", "d_index"]

KAPPA = math.sqrt(8.0 / math.pi)


def blom_scores(values: Any) -> np.ndarray:
    """Blom normal scores of ``values``: ``Phi^-1((rank - 3/8) / (n + 1/4))``.

    Ties get the average rank (R ``rank(ties.method = "average")``).

    Parameters
    ----------
    values
        1-d numeric values without missing values.

    Returns
    -------
    numpy.ndarray
        One score per value, in the input order.

    Raises
    ------
    SigsurvInputError
        Not 1-d, empty, or missing values.

    References
    ----------
    .. [1] Blom G. Statistical Estimates and Transformed Beta-Variables. New York: Wiley; 1958.

    Examples
    --------
    >>> blom_scores([3.0, 1.0, 2.0, 2.0]).round(4).tolist()
    [1.0491, -1.0491, 0.0, 0.0]
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.isfinite(x).all():
        raise SigsurvInputError(
            "the prognostic index must be a non-empty 1-d array without missing values",
            found=f"shape {x.shape}",
        )
    ranks = stats.rankdata(x, method="average")
    return np.asarray(stats.norm.ppf((ranks - 0.375) / (x.size + 0.25)))


@dataclass(frozen=True)
class DIndexResult(ResultMixin):
    """Royston–Sauerbrei D with its standard error.

    Attributes
    ----------
    d, se
        D and its standard error (Cox model on the scaled Blom scores).
    lower, upper
        Wald confidence limits of D.
    p
        Two-sided Wald p-value of D = 0.
    r2_d
        Royston–Sauerbrei explained variation ``R2_D``.
    n, events
        Subjects and events.
    conf_level
        Level of the interval.

    Examples
    --------
    >>> res = DIndexResult(d=1.0, se=0.1, lower=0.8, upper=1.2, p=1e-23, r2_d=0.19,
    ...                    n=100, events=60, conf_level=0.95)
    >>> res.hazard_ratio > 2.7
    True
    """

    d: float
    se: float
    lower: float
    upper: float
    p: float
    r2_d: float
    n: int
    events: int
    conf_level: float

    @property
    def hazard_ratio(self) -> float:
        """``exp(D)``: hazard ratio between the worse and the better half of the index.

        Examples
        --------
        >>> DIndexResult(0.0, 0.1, -0.2, 0.2, 1.0, 0.0, 10, 5, 0.95).hazard_ratio
        1.0
        """
        return math.exp(self.d)

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``d, se, lower, upper, p, r2_d, hazard_ratio``."""
        keys = ("d", "se", "lower", "upper", "p", "r2_d")
        values = {key: getattr(self, key) for key in keys}
        return one_row({**values, "hazard_ratio": self.hazard_ratio}, "D", "statistic")

    def title(self) -> str:
        """``Royston-Sauerbrei D (n=..., events=...)``."""
        return f"Royston-Sauerbrei D (n={self.n}, events={self.events})"

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation (JSON-ready).

        Examples
        --------
        >>> DIndexResult(0.5, 0.1, 0.3, 0.7, 1e-6, 0.06, 10, 5, 0.95).to_dict()["d"]
        0.5
        """
        return jsonable(
            {
                "d": self.d,
                "se": self.se,
                "lower": self.lower,
                "upper": self.upper,
                "p": self.p,
                "r2_d": self.r2_d,
                "n": self.n,
                "events": self.events,
                "conf_level": self.conf_level,
            }
        )


def d_index(
    time: Any,
    event: Any,
    prognostic_index: Any,
    *,
    ties: str = "efron",
    conf_level: float = 0.95,
) -> DIndexResult:
    """Royston–Sauerbrei D index of a prognostic index (higher = higher risk).

    Parameters
    ----------
    time
        Follow-up times (finite, >= 0).
    event
        1 = event, 0 = censored.
    prognostic_index
        One value per subject (e.g. a Cox linear predictor or a signature score
        oriented so that higher means worse prognosis).
    ties
        Ties method of the Cox model, ``"efron"`` or ``"breslow"``.
    conf_level
        Level of the Wald interval.

    Returns
    -------
    DIndexResult
        D, SE, CI, p-value and ``R2_D``.

    Raises
    ------
    SigsurvInputError
        Bad inputs (lengths, missing values, no events...).

    References
    ----------
    .. [1] Royston P, Sauerbrei W. A new measure of prognostic separation in survival data.
           Stat Med. 2004;23(5):723-748.
    .. [2] Blom G. Statistical Estimates and Transformed Beta-Variables. New York: Wiley; 1958.

    Examples
    --------
    >>> rng = np.random.default_rng(7)
    >>> pi_ = rng.normal(size=300)
    >>> t = rng.exponential(np.exp(-pi_))
    >>> res = d_index(t, np.ones(300), pi_)
    >>> round(res.d, 3), round(res.se, 3)
    (1.501, 0.116)
    """
    t, e = check_survival_arrays(time, event)
    if not 0.0 < float(conf_level) < 1.0:
        raise SigsurvInputError("conf_level must be in (0, 1)", found=conf_level)
    scores = blom_scores(prognostic_index)
    if scores.size != t.size:
        raise SigsurvInputError(
            "prognostic_index must have one value per subject",
            expected=f"{t.size} values",
            found=scores.size,
        )
    fit = cox_fit(t, e, pd.DataFrame({"scaled_blom": scores / KAPPA}), ties=ties)
    row = fit.summary.loc["scaled_blom"]
    d, se = float(row["coef"]), float(row["se"])
    z = float(stats.norm.ppf(0.5 + float(conf_level) / 2.0))
    signal = d * d / KAPPA**2
    return DIndexResult(
        d=d,
        se=se,
        lower=d - z * se,
        upper=d + z * se,
        p=float(2.0 * stats.norm.sf(abs(d / se))),
        r2_d=signal / (math.pi**2 / 6.0 + signal),
        n=fit.n,
        events=fit.events,
        conf_level=float(conf_level),
    )
