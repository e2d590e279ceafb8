"""How the random-signature null draws its random gene sets (private).

Genes are binned by expression mean and, within a mean bin, by spread; bins are
coarsened until each holds enough non-signature genes; each random gene is drawn from
its signature gene's bin, for all sets at once (see :mod:`sigsurv.analysis.null`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sigsurv.errors import AnalysisError
from sigsurv.scoring._input import GeneSet
from sigsurv.scoring.linear import gene_reference

__all__ = ["Draw", "draw_rows", "draw_without_replacement", "feasible_bins", "gene_sets"]


def _quantile_bins(values: np.ndarray, n_bins: int) -> np.ndarray:
    ranks = np.empty(values.size, dtype=np.intp)  # the inverse of the stable order
    ranks[np.argsort(values, kind="stable")] = np.arange(values.size)
    return (ranks * n_bins // values.size).astype(np.int64)


def _expression_bins(mean: np.ndarray, spread: np.ndarray, n_mean: int, n_var: int) -> np.ndarray:
    """Bin id per gene: mean quantile bin, then spread (sd) quantile bin within it."""
    mean_bin = _quantile_bins(mean, n_mean)
    out = np.empty(mean.size, dtype=np.int64)
    for b in range(n_mean):
        members = np.flatnonzero(mean_bin == b)
        if members.size:
            out[members] = b * n_var + _quantile_bins(spread[members], min(n_var, members.size))
    return out


def feasible_bins(
    values: np.ndarray,
    is_signature: np.ndarray,
    bins: tuple[int, int],
    moments: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Coarsen (mean, variance) bins until each bin has enough non-signature genes.

    ``moments``: each gene's mean and sd when already computed (sd ranks genes as the
    variance does).
    """
    mean, spread = moments if moments is not None else gene_reference(values)
    n_mean, n_var = bins
    while True:
        labels = _expression_bins(mean, spread, n_mean, n_var)
        need = np.bincount(labels[is_signature], minlength=n_mean * n_var)
        have = np.bincount(labels[~is_signature], minlength=n_mean * n_var)
        if (have >= need).all():
            return labels, (n_mean, n_var)
        if n_mean == n_var == 1:
            raise AnalysisError(
                "too few genes in the cohort for a random-signature null",
                found=int((~is_signature).sum()),
                expected=f"at least {int(is_signature.sum())} genes outside the signature",
            )
        if n_mean >= n_var:
            n_mean -= 1
        else:
            n_var -= 1


# Sets drawn at once by the key method (bounds its n_sets x pool memory).
_KEY_CHUNK = 256


def draw_rows(
    signature_rows: np.ndarray,
    labels: np.ndarray,
    n_random: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Random sets as matrix rows: one pool gene per signature gene, from the same bin.

    Returns ``(rows, slots)``: ``rows[i]`` are the rows of random set ``i`` and
    ``slots`` the signature gene each column stands in for (the same for every set:
    bins in ascending order, signature order within a bin), so set ``i``'s gene
    ``rows[i, c]`` takes the signed weight of signature gene ``slots[c]``.

    Each bin's genes are drawn for every set at once, uniformly without replacement and
    in random order (:func:`draw_without_replacement`); the draws depend only on
    ``rng``, so a seed gives the same sets on any machine.
    """
    is_signature = np.zeros(labels.size, dtype=bool)
    is_signature[signature_rows] = True
    signature_labels = labels[signature_rows]
    by_bin = [(b, np.flatnonzero(signature_labels == b)) for b in np.unique(signature_labels)]
    slots = np.concatenate([bin_slots for _, bin_slots in by_bin])
    rows = np.empty((n_random, slots.size), dtype=np.intp)
    start = 0
    for b, bin_slots in by_bin:
        pool = np.flatnonzero((labels == b) & ~is_signature)
        picks = draw_without_replacement(pool.size, bin_slots.size, n_random, rng)
        rows[:, start : start + bin_slots.size] = pool[picks]
        start += bin_slots.size
    return rows, slots


def draw_without_replacement(
    pool_size: int, k: int, n_sets: int, rng: np.random.Generator
) -> np.ndarray:
    """``n_sets`` x ``k`` positions in ``range(pool_size)``, distinct within each row.

    Small draws from a large pool: uniform ordered draws *with* replacement, the rows
    with a repeat redrawn until none is left (each row is then a uniform ordered
    ``k``-subset). Otherwise (repeats likely): ``k`` smallest of ``pool_size``
    uniform keys per row, in key order.
    """
    if k * (k - 1) <= pool_size // 4:  # P(repeat in a row) <= 1/8
        picks = rng.integers(0, pool_size, size=(n_sets, k))
        while True:
            ordered = np.sort(picks, axis=1)
            repeated = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
            if not repeated.size:
                return picks
            picks[repeated] = rng.integers(0, pool_size, size=(repeated.size, k))
    out = np.empty((n_sets, k), dtype=np.int64)
    for first in range(0, n_sets, _KEY_CHUNK):
        keys = rng.random((min(_KEY_CHUNK, n_sets - first), pool_size))
        chosen = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < pool_size else None
        if chosen is None:
            chosen = np.broadcast_to(np.arange(pool_size), keys.shape).copy()
        order = np.argsort(np.take_along_axis(keys, chosen, axis=1), axis=1)
        out[first : first + keys.shape[0]] = np.take_along_axis(chosen, order, axis=1)
    return out


def gene_sets(
    rows: np.ndarray, weights: np.ndarray, genes: np.ndarray, first: int
) -> list[GeneSet]:
    """Scoring gene sets of matrix rows with signed weights (the random sets' fast path).

    Equivalent to resolving ``{gene: weight}`` dicts through the signature resolver
    (direction = sign of the weight, weight = its absolute value), without it.
    """
    direction = np.where(weights < 0, -1, 1).astype(np.int64)
    magnitude = np.abs(weights).astype(np.float64)
    return [
        GeneSet(
            f"random_{first + i:05d}" if first >= 0 else "observed",
            set_rows,
            direction,
            magnitude,
            found=tuple(genes[set_rows].tolist()),
        )
        for i, set_rows in enumerate(rows)
    ]


@dataclass(frozen=True)
class Draw:
    """The signature's rows and signed weights, and the random sets drawn for it.

    ``random_rows[i, c]`` stands in for signature gene ``slots[c]`` (see
    :func:`draw_rows`).
    """

    signature_rows: np.ndarray
    weights: np.ndarray
    random_rows: np.ndarray
    slots: np.ndarray

    def rows_and_signs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every set's rows and gene directions (+1.0 / -1.0), the signature's first."""
        signs = np.where(self.weights < 0, -1.0, 1.0)
        rows = np.vstack([self.signature_rows[None, :], self.random_rows])
        random_signs = np.broadcast_to(signs[self.slots], self.random_rows.shape)
        return rows, np.vstack([signs[None, :], random_signs])

    def gene_sets(self, genes: np.ndarray, *, observed_only: bool = False) -> list[GeneSet]:
        """The sets as scoring gene sets, the signature's first (named ``observed``)."""
        observed = gene_sets(self.signature_rows[None, :], self.weights, genes, -1)
        if observed_only:
            return observed
        return observed + gene_sets(self.random_rows, self.weights[self.slots], genes, 0)
