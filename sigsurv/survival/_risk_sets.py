"""Risk sets and tie structure of the Cox partial likelihood (private).

One builder, :func:`tie_structure`, finds for time-sorted data the distinct times,
the events, their blocks of tied times and the Efron fractions. Two layouts use it:

* :class:`Stratum` (one per stratum, samples in increasing time) with
  :func:`loglik_derivs` / :func:`event_moments` for :func:`sigsurv.survival.cox.cox_fit`
  and ``cox.zph`` (any number of covariates);
* :class:`GeneRiskSets` (samples in decreasing time, samples x genes arrays) for
  :func:`sigsurv.survival.cox_scan.cox_scan`, one covariate per gene.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "GeneRiskSets",
    "Stratum",
    "TieStructure",
    "batched_loglik_derivs",
    "build_strata",
    "event_moments",
    "loglik_derivs",
    "reverse_cumsum",
    "tie_structure",
]


@dataclass(frozen=True)
class TieStructure:
    """Tie bookkeeping of time-sorted samples (positions are in sorted order).

    Attributes
    ----------
    group_start
        First position of each distinct time.
    death_pos
        Positions of the events.
    death_group
        Distinct-time index of each event.
    death_bounds
        Index (into the events) where each block of events tied in time starts.
    block_sizes
        Events per block.
    death_frac
        Efron fraction ``k / d`` of the k-th (0-based) of d tied events; 0 for Breslow.

    Examples
    --------
    >>> ties = tie_structure(np.array([1.0, 2.0, 2.0, 3.0]), np.array([1, 1, 1, 0]), True)
    >>> ties.death_pos.tolist(), ties.death_bounds.tolist(), ties.death_frac.tolist()
    ([0, 1, 2], [0, 1], [0.0, 0.0, 0.5])
    """

    group_start: np.ndarray
    death_pos: np.ndarray
    death_group: np.ndarray
    death_bounds: np.ndarray
    block_sizes: np.ndarray
    death_frac: np.ndarray


def tie_structure(time: np.ndarray, event: np.ndarray, efron: bool) -> TieStructure:
    """The :class:`TieStructure` of times sorted ascending and their 0/1 events.

    Examples
    --------
    >>> tie_structure(np.array([1.0, 1.0, 4.0]), np.array([0, 1, 1]), False).group_start.tolist()
    [0, 2]
    """
    new_group = np.concatenate([[True], time[1:] != time[:-1]])
    group_id = np.cumsum(new_group) - 1
    group_start = np.flatnonzero(new_group)
    death_pos = np.flatnonzero(event == 1)
    death_group = group_id[death_pos]
    first_of_block = np.concatenate([[True], death_group[1:] != death_group[:-1]])
    death_bounds = np.flatnonzero(first_of_block)
    block_sizes = np.diff(np.concatenate([death_bounds, [death_pos.shape[0]]]))
    rank_in_block = np.arange(death_pos.shape[0]) - np.repeat(death_bounds, block_sizes)
    ndead = np.repeat(block_sizes, block_sizes)
    frac = rank_in_block / ndead if efron else np.zeros(death_pos.shape[0])
    return TieStructure(group_start, death_pos, death_group, death_bounds, block_sizes, frac)


# --------------------------------------------------------------------------------------
# Layout 1: strata of samples in increasing time, any number of covariates
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stratum:
    """One stratum, sorted by time, with the tie structure the likelihood needs.

    ``rows`` indexes the caller's arrays in increasing time; the other fields are
    those of :class:`TieStructure` (positions within ``rows``).
    """

    rows: np.ndarray
    group_start: np.ndarray
    death_pos: np.ndarray
    death_group: np.ndarray
    death_bounds: np.ndarray
    death_frac: np.ndarray


def stratum_codes(strata: np.ndarray | None, n: int) -> list[np.ndarray]:
    """Row indices of each stratum (sorted labels, as R's ``strata()``).

    Examples
    --------
    >>> [r.tolist() for r in stratum_codes(np.array(["b", "a", "b"], dtype=object), 3)]
    [[1], [0, 2]]
    """
    if strata is None:
        return [np.arange(n)]
    codes = pd.factorize(pd.Series(strata), sort=True)[0]
    return [np.flatnonzero(codes == c) for c in range(codes.max() + 1)]


def build_strata(
    time: np.ndarray, event: np.ndarray, strata: np.ndarray | None, efron: bool
) -> list[Stratum]:
    """Sort each stratum by time (stably) and find its ties.

    Examples
    --------
    >>> s = build_strata(np.array([3.0, 1.0, 2.0]), np.array([1, 1, 0]), None, True)
    >>> s[0].rows.tolist(), s[0].death_pos.tolist()
    ([1, 2, 0], [0, 2])
    """
    out = []
    for rows in stratum_codes(strata, time.shape[0]):
        order = rows[np.argsort(time[rows], kind="stable")]
        ties = tie_structure(time[order], event[order], efron)
        out.append(
            Stratum(
                rows=order,
                group_start=ties.group_start,
                death_pos=ties.death_pos,
                death_group=ties.death_group,
                death_bounds=ties.death_bounds,
                death_frac=ties.death_frac,
            )
        )
    return out


def reverse_cumsum(a: np.ndarray) -> np.ndarray:
    """Sum from each position to the end along axis 0 (R's backwards accumulation).

    Examples
    --------
    >>> reverse_cumsum(np.array([1.0, 2.0, 3.0])).tolist()
    [6.0, 5.0, 3.0]
    """
    return np.cumsum(a[::-1], axis=0)[::-1]


def event_moments(
    s: Stratum, xs: np.ndarray, risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event: risk-set denominator, weighted mean of x and weighted E[x x'].

    ``xs`` is samples x p (or samples x genes x p with ``risk`` samples x genes:
    many models at once). With Efron ties the k-th of d tied events (k = 0..d-1)
    sees the risk set minus k/d of the tied events' weight (Breslow: ``death_frac``
    is 0).
    """
    rx = risk[..., None] * xs
    rxx = rx[..., :, None] * xs[..., None, :]
    s0 = reverse_cumsum(risk)[s.group_start]
    s1 = reverse_cumsum(rx)[s.group_start]
    s2 = reverse_cumsum(rxx)[s.group_start]
    dp = s.death_pos
    sizes = np.diff(np.concatenate([s.death_bounds, [dp.shape[0]]]))
    block = np.repeat(np.arange(s.death_bounds.shape[0]), sizes)
    d0 = np.add.reduceat(risk[dp], s.death_bounds, axis=0)[block]
    d1 = np.add.reduceat(rx[dp], s.death_bounds, axis=0)[block]
    d2 = np.add.reduceat(rxx[dp], s.death_bounds, axis=0)[block]
    g = s.death_group
    f = s.death_frac.reshape((-1,) + (1,) * (risk.ndim - 1))
    denom = s0[g] - f * d0
    mean = (s1[g] - f[..., None] * d1) / denom[..., None]
    second = (s2[g] - f[..., None, None] * d2) / denom[..., None, None]
    return denom, mean, second


def batched_loglik_derivs(
    beta: np.ndarray, x: np.ndarray, strata: list[Stratum]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`loglik_derivs` of many models at once.

    ``x`` is samples x models x p and ``beta`` models x p; returns the log partial
    likelihoods (models), scores (models x p) and informations (models x p x p).
    """
    n_models, p = beta.shape
    loglik = np.zeros(n_models)
    u = np.zeros((n_models, p))
    imat = np.zeros((n_models, p, p))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for s in strata:
            if s.death_pos.size == 0:
                continue
            xs = x[s.rows]
            eta = np.einsum("ngp,gp->ng", xs, beta)
            denom, mean, second = event_moments(s, xs, np.exp(eta))
            dp = s.death_pos
            loglik += eta[dp].sum(axis=0) - np.log(denom).sum(axis=0)
            u += xs[dp].sum(axis=0) - mean.sum(axis=0)
            imat += second.sum(axis=0) - np.einsum("dgp,dgq->gpq", mean, mean)
    return loglik, u, imat


def loglik_derivs(
    beta: np.ndarray, x: np.ndarray, strata: list[Stratum]
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information at ``beta`` (x already centred/scaled)."""
    p = x.shape[1]
    loglik = 0.0
    u = np.zeros(p)
    imat = np.zeros((p, p))
    # Overflow (huge trial coefficients) is caught by the caller's finiteness check.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for s in strata:
            if s.death_pos.size == 0:
                continue
            xs = x[s.rows]
            eta = xs @ beta
            denom, mean, second = event_moments(s, xs, np.exp(eta))
            dp = s.death_pos
            loglik += float(eta[dp].sum() - np.log(denom).sum())
            u += xs[dp].sum(axis=0) - mean.sum(axis=0)
            imat += second.sum(axis=0) - mean.T @ mean
    return loglik, u, imat


# --------------------------------------------------------------------------------------
# Layout 2: one stratum in decreasing time, samples x genes, one covariate per gene
# --------------------------------------------------------------------------------------
def _tied_rows(bounds: np.ndarray, sizes: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    if not blocks.size:
        return np.empty(0, dtype=np.int64)
    return np.concatenate([np.arange(bounds[b], bounds[b] + sizes[b]) for b in blocks]).astype(
        np.int64
    )


class GeneRiskSets:
    """Tie structure of the time-sorted samples for a gene-wise scan (single stratum).

    Arrays handled here are samples x genes (C order), so that every sum over
    samples runs over contiguous rows of genes; a work buffer is reused across
    iterations to avoid re-allocating (and page-faulting) large arrays.
    """

    def __init__(self, time: np.ndarray, event: np.ndarray, efron: bool) -> None:
        ascending = np.argsort(time, kind="stable")
        n = time.shape[0]
        # Samples are stored in *decreasing* time so that risk-set sums are a forward
        # cumulative sum; positions below are computed ascending, then mirrored.
        self.order = ascending[::-1]
        ties = tie_structure(time[ascending], event[ascending], efron)
        bounds, sizes, frac = ties.death_bounds, ties.block_sizes, ties.death_frac
        # Risk set of an event = every sample from the first one sharing its time.
        risk_start = ties.group_start[ties.death_group]
        # Efron only changes the 2nd, 3rd... of tied events: keep the tied blocks only.
        self.efron_rows = np.flatnonzero(frac > 0)
        self.efron_frac = frac[self.efron_rows][:, None]
        tied_blocks = np.flatnonzero(sizes > 1)
        tied_death_pos = ties.death_pos[_tied_rows(bounds, sizes, tied_blocks)]
        self.tied_bounds = (
            np.concatenate([[0], np.cumsum(sizes[tied_blocks])[:-1]]).astype(np.int64)
            if tied_blocks.size
            else np.empty(0, dtype=np.int64)
        )
        block_of_row = np.repeat(np.arange(bounds.size), sizes)
        tied_index = np.full(bounds.size, -1)
        tied_index[tied_blocks] = np.arange(tied_blocks.size)
        self.efron_block = tied_index[block_of_row[self.efron_rows]]
        self.death_pos = n - 1 - ties.death_pos
        self.risk_end = n - 1 - risk_start
        self.tied_death_pos = n - 1 - tied_death_pos
        # Rows after the last needed risk set (censored before the first event) are unused.
        self.n_cumulative = int(self.risk_end.max()) + 1 if self.risk_end.size else 0

    def derivs(
        self, beta: np.ndarray, x: np.ndarray, x_dead_sum: np.ndarray, buf: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Log partial likelihood, score and information of each gene (column of x) at beta.

        ``buf`` is a reusable ``samples x 3 x genes`` work array.
        """
        # Overflow at huge trial coefficients is caught by the finiteness check.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._derivs(beta, x, x_dead_sum, buf[:, :, : x.shape[1]])

    def _derivs(
        self, beta: np.ndarray, x: np.ndarray, x_dead_sum: np.ndarray, moments: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        eta = np.multiply(x, beta[None, :], out=moments[:, 0])
        eta_dead = eta[self.death_pos].sum(axis=0)
        risk = np.exp(eta, out=moments[:, 0])
        np.multiply(risk, x, out=moments[:, 1])
        np.multiply(moments[:, 1], x, out=moments[:, 2])
        tied = None
        if self.efron_rows.size:
            tied = np.add.reduceat(moments[self.tied_death_pos], self.tied_bounds, axis=0)
        # Risk-set sums: running sum from the longest follow-up down (samples are stored
        # in decreasing time). A row-by-row loop adds whole rows of genes at once, which
        # is several times faster than np.cumsum along a non-contiguous axis.
        for i in range(1, self.n_cumulative):
            np.add(moments[i - 1], moments[i], out=moments[i])
        at_death = moments[self.risk_end]
        if tied is not None:
            rows = self.efron_rows
            at_death[rows] -= self.efron_frac[:, :, None] * tied[self.efron_block]
        denom = at_death[:, 0]
        mean = np.divide(at_death[:, 1], denom, out=at_death[:, 1])
        second = np.divide(at_death[:, 2], denom, out=at_death[:, 2])
        loglik = eta_dead - np.log(denom).sum(axis=0)
        score = x_dead_sum - mean.sum(axis=0)
        second -= mean * mean
        info = second.sum(axis=0)
        return loglik, score, info
