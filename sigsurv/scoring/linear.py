"""Gene-wise scores: z-score averages, weighted sums, GSVA's zscore and PLAGE, one gene.

All of them standardise each gene across the cohort's samples first (``z = (x -
mean) / sd`` with ``sd`` of denominator n - 1, as R's ``scale()``), so a sample's score
depends on the other samples but never on the other signatures scored.

* ``mean_z``: ``sum(d_g z_g) / k`` (directions ``d_g`` = +1 / -1).
* ``weighted``: genefu ``sig.score(..., signed=FALSE)`` on z-scores:
  ``(k_up / k) * sum_up(w z) / sum_up(w) - (k_dn / k) * sum_dn(w z) / sum_dn(w)``.
  With equal weights it equals ``mean_z``.
* ``zscore``: GSVA's combined z-score (Lee et al. 2008), ``sum(d_g z_g) / sqrt(k)``.
* ``plage``: GSVA's PLAGE (Tomfohr et al. 2005), the first right singular vector of
  the signature's z-scored (and direction-signed) rows; a unit vector over samples.
  Its sign is arbitrary in the SVD (LAPACK's choice; GSVA 1.46 returns it as is):
  sigsurv orients it so that it **correlates positively with mean_z** (equivalently,
  the first left singular vector sums to a positive number). That correlation is
  exactly zero when the component contrasts the genes (e.g. two anti-correlated
  genes); then (|v . mean_z| <= 1e-9 sqrt(n)) the first signed gene, in signature
  order, that correlates with it decides the sign.
* ``single_gene``: the expression of the signature's only gene (times its direction),
  raw by default or z-scored with ``standardise=True``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from sigsurv._deprecation import deprecated_alias, renamed_keyword
from sigsurv.errors import AnalysisError, SignatureError, SigsurvInputError, SigsurvWarning
from sigsurv.scoring._common import user_stacklevel
from sigsurv.scoring._input import GeneSet
from sigsurv.scoring._ranks import Progress

__all__ = [
    "Reference",
    "gene_reference",
    "mean_z_scores",
    "plage_scores",
    "single_gene_scores",
    "standardise_rows",
    "weighted_scores",
    "zscore_scores",
]


def _check_bool(method: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise SigsurvInputError(
            f"method {method}: option {name} must be True or False", found=value
        )
    return bool(value)


#: Per-gene ``(mean, sd)`` learned on reference samples, one value per matrix row.
Reference = tuple[np.ndarray, np.ndarray]


def gene_reference(values: np.ndarray) -> Reference:
    """Per-row mean and sd (denominator n - 1) across columns: what z-scores use.

    The same arithmetic as :func:`standardise_rows`, so standardising with
    ``reference=gene_reference(values)`` is bit-identical to standardising in place.

    Examples
    --------
    >>> mean, sd = gene_reference(np.array([[1.0, 2.0, 3.0]]))
    >>> mean.tolist(), sd.tolist()
    ([2.0], [1.0])
    """
    n = values.shape[1]
    if n < 2:
        raise AnalysisError(
            "z-scores need at least 2 samples", found=f"{n} sample", hint="use a rank method"
        )
    mean = np.empty(values.shape[0])
    sd = np.empty(values.shape[0])
    # rows in blocks that stay in cache (each row's arithmetic is the same as in one go)
    step = max(1, _BLOCK_CELLS // n)
    for start in range(0, values.shape[0], step):
        rows = values[start : start + step]
        block_mean = rows.mean(axis=1, keepdims=True)
        mean[start : start + step] = block_mean.ravel()
        sd[start : start + step] = np.sqrt(
            ((rows - block_mean) ** 2).sum(axis=1, keepdims=True) / (n - 1)
        ).ravel()
    return mean, sd


# Matrix cells per block of gene_reference (~1 MB of float64 temporaries).
_BLOCK_CELLS = 131_072


def _present_reference(values: np.ndarray, gs: GeneSet | None) -> Reference:
    """Per-row mean and sd (denominator n - 1) over the values present (NA cells skipped)."""
    present = ~np.isnan(values)
    n = present.sum(axis=1)
    if np.any(n < 2):
        row = int(np.flatnonzero(n < 2)[0])
        name = gs.found[row] if gs is not None and row < len(gs.found) else f"row {row}"
        raise AnalysisError(
            f"gene {name} is measured in {int(n[row])} sample(s); its z-score needs at least 2",
            hint="remove it from the signature, or use a rank method",
        )
    filled = np.where(present, values, 0.0)
    mean = filled.sum(axis=1) / n
    squares = np.where(present, values - mean[:, None], 0.0) ** 2
    return mean, np.sqrt(squares.sum(axis=1) / (n - 1))


def _present_mean(rows: np.ndarray) -> np.ndarray:
    """Per column, the mean of the rows present (NaN where none is)."""
    present = ~np.isnan(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present, rows, 0.0).sum(axis=0) / present.sum(axis=0)


def _rows(reference: Reference | None, index: np.ndarray) -> Reference | None:
    return None if reference is None else (reference[0][index], reference[1][index])


def standardise_rows(
    values: np.ndarray, gs: GeneSet | None = None, *, reference: Reference | None = None
) -> np.ndarray:
    """Z-score rows across columns (sd with denominator n - 1, as R's ``scale``).

    A constant row raises :class:`~sigsurv.errors.AnalysisError` (its z-score is
    undefined); a single sample cannot be standardised either. ``reference`` gives
    each row's ``(mean, sd)`` learned elsewhere (e.g. on a training fold, see
    :class:`~sigsurv.scoring.transformer.SignatureScorer`) instead of these columns'.

    Examples
    --------
    >>> standardise_rows(np.array([[1.0, 2.0, 3.0]])).tolist()
    [[-1.0, 0.0, 1.0]]
    >>> ref = (np.array([0.0]), np.array([2.0]))
    >>> standardise_rows(np.array([[1.0, 4.0]]), reference=ref).tolist()
    [[0.5, 2.0]]
    """
    if reference is None and np.isnan(values).any():
        mean, sd_flat = _present_reference(values, gs)
    elif reference is None:
        mean, sd_flat = gene_reference(values)
    else:
        mean, sd_flat = reference
    centred = values - mean[:, None]
    sd = sd_flat[:, None]
    if np.any(sd == 0):
        row = int(np.flatnonzero(sd.ravel() == 0)[0])
        name = gs.found[row] if gs is not None and row < len(gs.found) else f"row {row}"
        where = f"signature {gs.id}: " if gs is not None else ""
        raise AnalysisError(
            f"{where}gene {name} has constant expression across samples; its z-score is undefined",
            hint="remove it from the signature or use a rank method",
        )
    return centred / sd


standardize_rows = deprecated_alias(standardise_rows, "standardize_rows")


def _signed_z(values: np.ndarray, gs: GeneSet, reference: Reference | None = None) -> np.ndarray:
    """Direction-signed z-scores of a signature's genes (k x samples)."""
    z = standardise_rows(values[gs.index], gs, reference=_rows(reference, gs.index))
    return z * gs.direction[:, None]


def _per_set(values: np.ndarray, sets: list[GeneSet], progress: Progress, one: Any) -> np.ndarray:
    out = np.empty((values.shape[1], len(sets)))
    for j, gs in enumerate(sets):
        out[:, j] = one(gs)
        if progress is not None:
            progress(j + 1, len(sets))
    return out


def mean_z_scores(
    values: np.ndarray,
    sets: list[GeneSet],
    *,
    progress: Progress = None,
    standardise: bool = True,
    reference: Reference | None = None,
    standardize: bool | None = None,
) -> np.ndarray:
    """Mean of direction-signed per-gene z-scores (samples x signatures).

    ``standardise=False`` averages the signed raw expression instead. ``reference``:
    per-row ``(mean, sd)`` to standardise with (see :func:`standardise_rows`).
    ``standardize`` is the deprecated spelling of ``standardise`` (warns).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    >>> gs = GeneSet("s", np.array([0, 1]), np.array([1, -1]), np.ones(2))
    >>> mean_z_scores(x, [gs]).ravel().tolist()
    [-1.0, 0.0, 1.0]
    """
    standardise = _check_bool(
        "mean_z",
        "standardise",
        renamed_keyword(
            "mean_z_scores", "standardize", "standardise", standardize, standardise, True
        ),
    )

    def one(gs: GeneSet) -> np.ndarray:
        rows = (
            _signed_z(values, gs, reference)
            if standardise
            else values[gs.index] * gs.direction[:, None]
        )
        # NA cells: each sample averages the genes it has
        return _present_mean(rows) if np.isnan(rows).any() else rows.mean(axis=0)

    return _per_set(values, sets, progress, one)


def weighted_scores(
    values: np.ndarray,
    sets: list[GeneSet],
    *,
    progress: Progress = None,
    standardise: bool = True,
    reference: Reference | None = None,
    standardize: bool | None = None,
) -> np.ndarray:
    """genefu ``sig.score`` (``signed=FALSE``) on z-scores (samples x signatures).

    ``(k_up/k) * weighted mean of UP z-scores - (k_dn/k) * weighted mean of DN
    z-scores``, weights = the genes' absolute weights. ``standardise=False`` uses the
    raw expression, as ``sig.score`` does on whatever matrix it is given.
    ``reference``: per-row ``(mean, sd)`` to standardise with. ``standardize`` is the
    deprecated spelling of ``standardise`` (warns).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [1.0, 3.0, 2.0]])
    >>> gs = GeneSet("s", np.array([0, 1, 2]), np.array([1, -1, 1]), np.array([3.0, 1.0, 1.0]))
    >>> np.round(weighted_scores(x, [gs]).ravel(), 6).tolist()
    [-1.0, 0.166667, 0.833333]
    """
    standardise = _check_bool(
        "weighted",
        "standardise",
        renamed_keyword(
            "weighted_scores", "standardize", "standardise", standardize, standardise, True
        ),
    )

    def one(gs: GeneSet) -> np.ndarray:
        rows = (
            standardise_rows(values[gs.index], gs, reference=_rows(reference, gs.index))
            if standardise
            else values[gs.index]
        )
        if np.isnan(rows).any():
            return _weighted_present(rows, gs)
        k = gs.k
        total = np.zeros(values.shape[1])
        for direction in (1, -1):
            mask = gs.direction == direction
            if not mask.any():
                continue
            w = gs.weight[mask]
            _check_part_weights(gs, direction, w)
            part = (w[:, None] * rows[mask]).sum(axis=0) / w.sum()
            total += direction * (mask.sum() / k) * part
        return total

    return _per_set(values, sets, progress, one)


def _check_part_weights(gs: GeneSet, direction: int, w: np.ndarray) -> None:
    if w.sum() == 0:
        raise SignatureError(
            f"signature {gs.id}: all {'UP' if direction == 1 else 'DN'} genes "
            "found have weight 0; the weighted score is undefined"
        )


def _weighted_present(rows: np.ndarray, gs: GeneSet) -> np.ndarray:
    """:func:`weighted_scores` of one signature per sample over the genes it has."""
    present = ~np.isnan(rows)
    filled = np.where(present, rows, 0.0)
    k = present.sum(axis=0)
    total = np.zeros(rows.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        for direction in (1, -1):
            mask = gs.direction == direction
            if not mask.any():
                continue
            _check_part_weights(gs, direction, gs.weight[mask])
            w = gs.weight[mask][:, None] * present[mask]  # weights of the genes present
            part = (w * filled[mask]).sum(axis=0) / w.sum(axis=0)
            share = present[mask].sum(axis=0) / k
            total += np.where(share > 0, direction * share * part, 0.0)
        return np.where(k > 0, total, np.nan)


def zscore_scores(
    values: np.ndarray,
    sets: list[GeneSet],
    *,
    progress: Progress = None,
    reference: Reference | None = None,
) -> np.ndarray:
    """GSVA's combined z-score ``sum(d_g z_g) / sqrt(k)`` (samples x signatures).

    ``reference``: per-row ``(mean, sd)`` to standardise with.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    >>> gs = GeneSet("s", np.array([0, 1]), np.array([1, 1]), np.ones(2))
    >>> np.round(zscore_scores(x, [gs]).ravel(), 6).tolist()
    [-1.414214, 0.0, 1.414214]
    """
    return _per_set(
        values,
        sets,
        progress,
        lambda gs: _combined_z(_signed_z(values, gs, reference)),
    )


def _combined_z(z: np.ndarray) -> np.ndarray:
    """``sum(z) / sqrt(k)`` per sample, over the genes present there (NA cells)."""
    if not np.isnan(z).any():
        return z.sum(axis=0) / np.sqrt(z.shape[0])
    present = ~np.isnan(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present, z, 0.0).sum(axis=0) / np.sqrt(present.sum(axis=0))


def plage_scores(
    values: np.ndarray, sets: list[GeneSet], *, progress: Progress = None
) -> np.ndarray:
    """PLAGE: first right singular vector of the signed z-scored rows, oriented.

    Oriented to correlate positively with ``mean_z`` (see the module docstring).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 4.0], [2.0, 1.0, 5.0]])
    >>> gs = GeneSet("s", np.array([0, 1]), np.array([1, 1]), np.ones(2))
    >>> v = plage_scores(x, [gs]).ravel()
    >>> bool(v[2] > 0), round(float((v**2).sum()), 12)
    (True, 1.0)
    """

    def one(gs: GeneSet) -> np.ndarray:
        if np.isnan(values[gs.index]).any():
            genes = [
                g for g, row in zip(gs.found, values[gs.index], strict=True) if np.isnan(row).any()
            ]
            raise AnalysisError(
                f"signature {gs.id}: plage needs every gene in every sample (an SVD); "
                f"NA cells in {', '.join(genes[:10])}",
                hint="use mean_z, zscore, ssgsea, gsva or singscore (they score the genes "
                "each sample has), or impute explicitly",
            )
        z = _signed_z(values, gs)
        v = _first_right_singular_vector(z)
        # Orientation: positive correlation with mean_z. That correlation is exactly
        # zero when the leading component contrasts the genes (e.g. two anti-correlated
        # genes), and then only rounding noise is left: fall back to the signed genes
        # in signature order.
        tolerance = 1e-9 * np.sqrt(z.shape[1])
        for reference in (z.mean(axis=0), *z):
            agreement = float(v @ reference)
            if abs(agreement) > tolerance:
                return v if agreement > 0 else -v
        return v if v[np.argmax(np.abs(v))] > 0 else -v

    return _per_set(values, sets, progress, one)


def _first_right_singular_vector(z: np.ndarray) -> np.ndarray:
    """First right singular vector of ``z`` (unit norm, sign arbitrary).

    Computed from the smaller Gram matrix (``z z'`` or ``z' z``) with a symmetric
    eigensolver: the same vector as ``svd(z)$v[, 1]`` (to ~1e-13 here) without a full
    SVD, which is much faster for the usual k << n_samples.
    """
    k, n = z.shape
    if k <= n:
        u = np.linalg.eigh(z @ z.T)[1][:, -1]
        v = z.T @ u
        return v / np.linalg.norm(v)
    return np.linalg.eigh(z.T @ z)[1][:, -1]


def single_gene_scores(
    values: np.ndarray,
    sets: list[GeneSet],
    *,
    progress: Progress = None,
    standardise: bool = False,
    reference: Reference | None = None,
    standardize: bool | None = None,
) -> np.ndarray:
    """Expression of a one-gene signature (times its direction), raw or z-scored.

    ``reference``: per-row ``(mean, sd)`` to standardise with.
    ``standardize`` is the deprecated spelling of ``standardise`` (warns).

    A signature with more than one gene raises
    :class:`~sigsurv.errors.SignatureError`.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0]])
    >>> gs = GeneSet("RPS6KA5", np.array([0]), np.array([1]), np.ones(1))
    >>> single_gene_scores(x, [gs]).ravel().tolist()
    [1.0, 2.0, 3.0]
    """
    standardise = _check_bool(
        "single_gene",
        "standardise",
        renamed_keyword(
            "single_gene_scores", "standardize", "standardise", standardize, standardise, False
        ),
    )

    def one(gs: GeneSet) -> np.ndarray:
        if gs.k + len(gs.missing) != 1:
            raise SignatureError(
                f"signature {gs.id}: single_gene scores one gene",
                found=f"{gs.k + len(gs.missing)} genes",
                hint="use mean_z, ssgsea, ... for multi-gene signatures",
            )
        rows = (
            standardise_rows(values[gs.index], gs, reference=_rows(reference, gs.index))
            if standardise
            else values[gs.index]
        )
        return rows[0] * gs.direction[0]

    return _per_set(values, sets, progress, one)


def warn_ignored_weights(method: str, sets: list[GeneSet]) -> None:
    """Warn when a method that ignores weights receives non-uniform weights.

    Examples
    --------
    >>> gs = GeneSet("s", np.array([0, 1]), np.array([1, 1]), np.array([1.0, 2.0]))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_ignored_weights("zscore", [gs])
    >>> "ignores gene weights" in str(caught[0].message)
    True
    """
    weighted = [gs.id for gs in sets if gs.has_weights]
    if weighted:
        warnings.warn(
            f"{method} ignores gene weights; signature(s) {', '.join(weighted)} scored "
            "unweighted (use method='weighted' to use them)",
            SigsurvWarning,
            stacklevel=user_stacklevel(),
        )
