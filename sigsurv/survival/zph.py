"""Proportional-hazards test of a Cox fit, as R ``cox.zph`` (survival 3.5).

The score test for adding ``x * g(t)`` terms to the fitted model, with ``g`` a
transform of time centred on the event times; per term and GLOBAL (all terms).
Transforms as R: ``"km"`` (default) ``g(t) = 1 - S(t-)``, one minus the
left-continuous pooled Kaplan–Meier estimate; ``"identity"`` ``t``; ``"rank"``
the rank of t among all subjects (ties averaged); ``"log"`` ``log t``.

:func:`cox_zph` also returns R's scaled Schoenfeld residuals (``cox.zph(fit)$y``):
per event, the Schoenfeld residual ``x_i - xbar(t_i)`` (Efron ties: the average of
the tied events' means) times ``d I^-1`` (``d`` events, ``I`` the information at the
estimate), plus the coefficient; for a term with several columns (a factor) the
columns are combined with the coefficients as weights and 1 is added, as R does.
Plotted against ``x`` (the transformed times) they show how the log hazard ratio
moves with time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin, TestResult
from sigsurv.errors import OptionError
from sigsurv.survival._event_table import event_table
from sigsurv.survival._result_format import jsonable, records
from sigsurv.survival._risk_sets import Stratum, event_moments


class _FitWithZphInputs(Protocol):
    """What :func:`cox_zph` needs of a Cox fit (a ``CoxResult``; typed structurally so
    that this module, which ``cox.py`` imports, does not import ``cox.py`` back)."""

    @property
    def zph_inputs(self) -> ZphInputs | None: ...


__all__ = ["TRANSFORMS", "ZphInputs", "ZphResult", "cox_zph", "ph_test", "time_transform"]

TRANSFORMS = ("km", "identity", "rank", "log")


def time_transform(time: np.ndarray, event: np.ndarray, transform: str) -> np.ndarray:
    """R ``cox.zph``'s time transform ``g`` at each subject's time.

    Examples
    --------
    >>> t, e = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 0.0, 1.0])
    >>> time_transform(t, e, "km").tolist()
    [0.0, 0.25, 0.5, 0.5]
    >>> time_transform(np.array([2.0, 1.0, 2.0]), e[:3], "rank").tolist()
    [2.5, 1.0, 2.5]
    """
    if transform == "km":
        tab = event_table(time, np.asarray(event, dtype=float))
        left = np.concatenate([[1.0], tab.product_limit()[:-1]])
        return np.asarray(1.0 - left[tab.inverse])
    if transform == "identity":
        return np.asarray(time, dtype=float)
    if transform == "rank":
        return np.asarray(stats.rankdata(time, method="average"), dtype=float)
    if transform == "log":
        with np.errstate(divide="ignore"):
            return np.asarray(np.log(time))
    raise OptionError("unknown time transform", expected=" | ".join(TRANSFORMS), found=transform)


@dataclass(frozen=True)
class ZphInputs:
    """What a Cox fit keeps for :func:`cox_zph` (estimable columns only).

    ``terms`` maps each term to its columns of ``x``; ``strata`` are the fit's
    risk sets; ``strata_labels`` the stratum of each subject (None without strata).
    """

    time: np.ndarray
    event: np.ndarray
    x: np.ndarray
    eta: np.ndarray
    coef: np.ndarray
    columns: list[str]
    terms: dict[str, list[int]]
    strata: list[Stratum]
    strata_labels: np.ndarray | None


@dataclass(frozen=True)
class _Pieces:
    score: np.ndarray  # 2p: zeros, then the x * g(t) part
    imat: np.ndarray  # 2p x 2p information
    schoenfeld: np.ndarray  # events (R's order) x p
    event_rows: np.ndarray  # subject index of each event row
    used: np.ndarray  # strata x p: events of the stratum, 0 if the column is constant there


def _stratum_pieces(
    s: Stratum, xc: np.ndarray, eta: np.ndarray, gtime: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score part, information and Schoenfeld residuals of one stratum."""
    p = xc.shape[1]
    xs = xc[s.rows]
    _, mean, second = event_moments(s, xs, np.exp(eta[s.rows]))
    v = second - mean[:, :, None] * mean[:, None, :]
    dp = s.death_pos
    gt = gtime[s.rows][dp]
    imat = np.zeros((2 * p, 2 * p))
    imat[:p, :p] = v.sum(axis=0)
    imat[:p, p:] = (gt[:, None, None] * v).sum(axis=0)
    imat[p:, p:] = (gt[:, None, None] ** 2 * v).sum(axis=0)
    u2 = (gt[:, None] * (xs[dp] - mean)).sum(axis=0)
    # Efron: each tied event's residual uses the average of the block's means (R zph1.c).
    sizes = np.diff(np.concatenate([s.death_bounds, [dp.shape[0]]]))
    block_mean = np.add.reduceat(mean, s.death_bounds, axis=0) / sizes[:, None]
    return u2, imat, xs[dp] - np.repeat(block_mean, sizes, axis=0)


def _pieces(inputs: ZphInputs, gtime: np.ndarray) -> _Pieces:
    x = inputs.x
    p = x.shape[1]
    xc = x - x.mean(axis=0)
    u2 = np.zeros(p)
    imat = np.zeros((2 * p, 2 * p))
    resid, rows, used = [], [], []
    for s in inputs.strata:
        varies = (x[s.rows] != x[s.rows[0]]).any(axis=0)
        used.append(np.where(varies, s.death_pos.size, 0))
        if s.death_pos.size == 0:
            continue
        su2, simat, sres = _stratum_pieces(s, xc, inputs.eta, gtime)
        u2 += su2
        imat += simat
        resid.append(sres)
        rows.append(s.rows[s.death_pos])
    imat[p:, :p] = imat[:p, p:].T
    return _Pieces(
        score=np.concatenate([np.zeros(p), u2]),
        imat=imat,
        schoenfeld=np.concatenate(resid) if resid else np.empty((0, p)),
        event_rows=np.concatenate(rows) if rows else np.empty(0, dtype=int),
        used=np.array(used, dtype=float).reshape(len(inputs.strata), p),
    )


def _quadratic_form(sub: np.ndarray, uu: np.ndarray) -> float:
    try:
        return float(np.linalg.solve(sub, uu) @ uu)
    except np.linalg.LinAlgError:
        # e.g. all events at one time: g(t) has no spread, the test does not exist.
        return float("nan")


def _test_table(pieces: _Pieces, terms: dict[str, list[int]]) -> pd.DataFrame:
    p = pieces.score.shape[0] // 2
    rows = []
    for name, cols in terms.items():
        kk = list(range(p)) + [p + j for j in cols]
        sub = pieces.imat[np.ix_(kk, kk)]
        rows.append((name, _quadratic_form(sub, pieces.score[kk]), len(cols)))
    rows.append(("GLOBAL", _quadratic_form(pieces.imat, pieces.score), p))
    table = pd.DataFrame(rows, columns=["term", "chisq", "df"]).set_index("term")
    table["p"] = stats.chi2.sf(table["chisq"], table["df"])
    return table


def ph_test(inputs: ZphInputs, transform: str = "km", terms: bool = True) -> pd.DataFrame:
    """``cox.zph`` table (``chisq, df, p`` per term and GLOBAL) of a fitted model.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> from sigsurv.survival.cox import cox_fit
    >>> x = rng.normal(size=60)
    >>> fit = cox_fit(rng.exponential(np.exp(-x)), np.ones(60), x)
    >>> ph_test(fit.zph_inputs, "identity").index.tolist()
    ['x', 'GLOBAL']
    """
    ttimes = time_transform(inputs.time, inputs.event, transform)
    gtime = ttimes - ttimes[inputs.event == 1].mean()
    groups = inputs.terms if terms else {c: [j] for j, c in enumerate(inputs.columns)}
    return _test_table(_pieces(inputs, gtime), groups)


@dataclass(frozen=True)
class ZphResult(ResultMixin):
    """R ``cox.zph``: the test table and the scaled Schoenfeld residuals.

    Attributes
    ----------
    table
        ``chisq, df, p`` per term and GLOBAL.
    transform
        The time transform.
    x
        Transformed time of each event (R ``$x``), in R's order (stratum, time).
    time
        Time of each event (R ``$time``).
    strata
        Stratum of each event (None without strata).
    residuals
        Scaled Schoenfeld residuals, events x terms (R ``$y``); NaN for a term
        that is constant within the event's stratum.
    var
        R's ``$var``: the inverse of the mean information per event.
    """

    table: pd.DataFrame
    transform: str
    x: np.ndarray
    time: np.ndarray
    strata: np.ndarray | None
    residuals: pd.DataFrame
    var: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """The test table (``chisq, df, p`` per term and GLOBAL); :attr:`table` too."""
        return self.table

    @property
    def test(self) -> TestResult:
        """The GLOBAL test as a :class:`~sigsurv._results.TestResult`."""
        row = self.table.loc["GLOBAL"]
        return TestResult(
            statistic=float(row["chisq"]),
            df=float(row["df"]),
            p=float(row["p"]),
            method=f"cox.zph ({self.transform})",
        )

    def title(self) -> str:
        """``Proportional hazards (cox.zph, <transform>)``."""
        return f"Proportional hazards (cox.zph, transform {self.transform!r})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``transform``, the ``table`` as records and the GLOBAL ``test``.

        The residuals are left out (one row per event); read :attr:`residuals`.
        """
        return jsonable(
            {
                "transform": self.transform,
                "table": records(self.table),
                "test": self.test.to_dict(),
                "n_events": int(self.time.size),
            }
        )


def _combine_terms(
    inputs: ZphInputs, terms: bool, vmean: np.ndarray, used: np.ndarray, sres: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """R's collapse of multi-column terms: columns weighted by their coefficients."""
    groups = inputs.terms if terms else {c: [j] for j, c in enumerate(inputs.columns)}
    names = list(groups)
    p = inputs.x.shape[1]
    for cols in groups.values():
        if len(cols) > 1 and (used[:, cols] == 0).any():
            used[:, cols] = used[:, cols].max(axis=1, keepdims=True)
    shift = np.array([inputs.coef[c[0]] if len(c) == 1 else 1.0 for c in groups.values()])
    if not any(len(c) > 1 for c in groups.values()):
        return names, vmean, used, sres, shift
    temp = np.zeros((p, len(names)))
    for i, cols in enumerate(groups.values()):
        temp[cols, i] = 1.0 if len(cols) == 1 else inputs.coef[cols]
    first = [cols[0] for cols in groups.values()]
    return names, temp.T @ vmean @ temp, used[:, first], sres @ temp, shift


def _scaled_residuals(inputs: ZphInputs, pieces: _Pieces, terms: bool) -> tuple[Any, ...]:
    p = inputs.x.shape[1]
    used = pieces.used
    wtmat = np.zeros((p, p))
    for row in used:
        wtmat += np.minimum.outer(row, row)
    vmean = pieces.imat[:p, :p] / np.where(wtmat == 0, 1.0, wtmat)
    names, vmean, used, sres, shift = _combine_terms(
        inputs, terms, vmean, used.copy(), pieces.schoenfeld
    )
    sres = np.array(sres, dtype=float, copy=True)
    stratum_of_row = np.repeat(np.arange(used.shape[0]), used.max(axis=1).astype(int))
    for i in range(used.shape[0]):
        k = np.flatnonzero(used[i] > 0)
        if k.size == 0:
            continue
        j = np.flatnonzero(stratum_of_row == i)
        sres[np.ix_(j, k)] = np.linalg.solve(vmean[np.ix_(k, k)], sres[np.ix_(j, k)].T).T
        rest = np.setdiff1d(np.arange(len(names)), k)
        sres[np.ix_(j, rest)] = np.nan
    return names, sres + shift, np.linalg.inv(vmean)


def cox_zph(fit: _FitWithZphInputs, transform: str = "km", *, terms: bool = True) -> ZphResult:
    """Test proportional hazards and get the scaled Schoenfeld residuals (R ``cox.zph``).

    Parameters
    ----------
    fit
        A model from :func:`sigsurv.survival.cox.cox_fit`.
    transform
        ``"km"`` (R's default), ``"identity"``, ``"rank"`` or ``"log"``.
    terms
        True (R's default): one test per term (all columns of a factor together);
        False: one test per design column.

    Returns
    -------
    ZphResult
        The test table, the transformed event times and the scaled residuals.

    Raises
    ------
    OptionError
        Unknown ``transform``.

    References
    ----------
    .. [1] Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on weighted
           residuals. Biometrika. 1994;81(3):515-526.
    .. [2] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model. New York:
           Springer; 2000 (chapter 6).

    Examples
    --------
    >>> from sigsurv.survival.cox import cox_fit
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=80)
    >>> fit = cox_fit(rng.exponential(np.exp(-0.5 * x)), rng.uniform(size=80) < 0.8, x)
    >>> zph = cox_zph(fit, "rank")
    >>> zph.table.index.tolist(), zph.residuals.shape == (fit.events, 1)
    (['x', 'GLOBAL'], True)
    """
    inputs = fit.zph_inputs
    if inputs is None:
        raise OptionError("this Cox result keeps no data for cox_zph", expected="a cox_fit result")
    ttimes = time_transform(inputs.time, inputs.event, transform)
    gtime = ttimes - ttimes[inputs.event == 1].mean()
    pieces = _pieces(inputs, gtime)
    groups = inputs.terms if terms else {c: [j] for j, c in enumerate(inputs.columns)}
    names, sres, var = _scaled_residuals(inputs, pieces, terms)
    rows = pieces.event_rows
    return ZphResult(
        table=_test_table(pieces, groups),
        transform=transform,
        x=ttimes[rows],
        time=inputs.time[rows],
        strata=None if inputs.strata_labels is None else inputs.strata_labels[rows],
        residuals=pd.DataFrame(sres, columns=pd.Index(names)),
        var=pd.DataFrame(var, index=pd.Index(names), columns=pd.Index(names)),
    )
