"""Helpers shared by several method families (option checks, constant genes, set parts)."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

from sigsurv.errors import AnalysisError, SigsurvInputError, SigsurvWarning
from sigsurv.scoring._input import GeneSet

__all__ = [
    "TIES",
    "check_choice",
    "check_number",
    "drop_constant_genes",
    "refuse_constant_signatures",
    "signed_parts",
    "user_stacklevel",
]

TIES: tuple[str, ...] = ("average", "gsva_1.46")


def user_stacklevel() -> int:
    """``stacklevel`` for :func:`warnings.warn` that points at the first frame outside
    :mod:`sigsurv.scoring` (the user's call, however deep the scoring code is).

    Call it as the ``stacklevel=`` argument, directly inside ``warnings.warn(...)``.

    Examples
    --------
    >>> user_stacklevel() >= 2
    True
    """
    frame = sys._getframe(1)  # the function calling warnings.warn
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


_PACKAGE = "sigsurv.scoring"


def check_choice(method: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Validate a string option against its allowed values.

    Examples
    --------
    >>> check_choice("ssgsea", "ties", "average", TIES)
    'average'
    """
    if value not in choices:
        raise SigsurvInputError(
            f"method {method}: invalid option {name}", expected=" | ".join(choices), found=value
        )
    return str(value)


def check_number(method: str, name: str, value: Any, *, minimum: float = 0.0) -> float:
    """Validate a finite numeric option ``>= minimum``.

    Examples
    --------
    >>> check_number("ssgsea", "alpha", 0.25)
    0.25
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise SigsurvInputError(
            f"method {method}: option {name} must be a number", found=repr(value)
        )
    value = float(value)
    if not np.isfinite(value) or value < minimum:
        raise SigsurvInputError(
            f"method {method}: option {name} out of range",
            expected=f"a finite number >= {minimum:g}",
            found=value,
        )
    return value


def constant_rows(values: np.ndarray) -> np.ndarray:
    """Boolean mask of rows whose values are all equal (NA cells ignored).

    Examples
    --------
    >>> constant_rows(np.array([[1.0, 1.0], [1.0, 2.0]])).tolist()
    [True, False]
    >>> constant_rows(np.array([[1.0, np.nan, 1.0], [1.0, np.nan, 2.0]])).tolist()
    [True, False]
    """
    if isinstance(values, np.ndarray) and np.isnan(values).any():
        # NA cells: constant over the values present (fewer than 2 present counts too)
        present = ~np.isnan(values)
        high = np.where(present, values, -np.inf).max(axis=1)
        low = np.where(present, values, np.inf).min(axis=1)
        return (high == low) | (present.sum(axis=1) < 2)
    return values.max(axis=1) == values.min(axis=1)


def refuse_constant_signatures(values: Any, sets: list[GeneSet], method: str) -> None:
    """Refuse a signature whose genes found are all constant across samples (rank methods).

    ssGSEA and singscore rank genes within each sample: a signature of constant genes
    would be "scored" only by how the *other* genes move around it, and print an HR
    that says nothing about the signature. Only the signatures' rows are read (cheap,
    also for a dask array).

    Examples
    --------
    >>> gs = GeneSet("flat", np.array([0, 1]), np.array([1, 1]), np.ones(2), found=("A", "B"))
    >>> refuse_constant_signatures(np.array([[1.0, 1.0], [5.0, 5.0], [1.0, 2.0]]), [gs], "ssgsea")
    Traceback (most recent call last):
    ...
    sigsurv.errors.AnalysisError: signature flat: every gene found has constant expression ...
    """
    for gs in sets:
        if not len(gs.index):
            continue
        rows = np.asarray(values[np.asarray(gs.index)], dtype=float)
        if rows.shape[1] > 1 and bool(constant_rows(rows).all()):
            raise AnalysisError(
                f"signature {gs.id}: every gene found has constant expression "
                f"({', '.join(gs.found[:10])}); {method} ranks genes within each sample, so "
                "its score would only reflect the other genes"
            )


def drop_constant_genes(
    values: Any, sets: list[GeneSet], method: str, constant: np.ndarray | None = None
) -> tuple[Any, list[GeneSet]]:
    """Remove genes with constant expression, as GSVA does before scoring.

    A warning names the constant genes of the signatures; a signature left without
    genes raises :class:`~sigsurv.errors.AnalysisError`. ``constant`` (a boolean
    mask of rows) may be given when already computed, e.g. for a dask array, whose
    rows are then selected lazily.

    Examples
    --------
    >>> gs = GeneSet("s", np.array([0, 1]), np.array([1, 1]), np.ones(2), found=("A", "B"))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     kept, (new,) = drop_constant_genes(np.array([[1.0, 1.0], [1.0, 2.0]]), [gs], "gsva")
    >>> kept.shape, new.index.tolist(), new.found
    ((1, 2), [0], ('B',))
    """
    if constant is None:
        constant = constant_rows(values)
    if not constant.any():
        return values, sets
    keep = ~constant
    new_index = np.cumsum(keep) - 1
    out = []
    for gs in sets:
        ok = keep[gs.index]
        dropped = [name for name, flag in zip(gs.found, ok, strict=True) if not flag]
        if not ok.any():
            raise AnalysisError(
                f"signature {gs.id}: every gene found has constant expression "
                f"({', '.join(dropped)}); {method} cannot score it"
            )
        if dropped:
            warnings.warn(
                f"signature {gs.id}: {len(dropped)} gene(s) with constant expression "
                f"excluded by {method}: {', '.join(dropped)}",
                SigsurvWarning,
                stacklevel=user_stacklevel(),
            )
        out.append(
            GeneSet(
                gs.id,
                new_index[gs.index[ok]],
                gs.direction[ok],
                gs.weight[ok],
                found=tuple(n for n, f in zip(gs.found, ok, strict=True) if f),
                missing=gs.missing,
            )
        )
    warnings.warn(
        f"{method}: {int(constant.sum())} gene(s) with constant expression across samples "
        "excluded from the ranking (as GSVA does)",
        SigsurvWarning,
        stacklevel=user_stacklevel(),
    )
    kept = values[keep]
    return (np.ascontiguousarray(kept) if isinstance(kept, np.ndarray) else kept), out


def signed_parts(
    sets: list[GeneSet],
) -> tuple[list[np.ndarray], list[tuple[int | None, int | None]]]:
    """Split each signature into its UP and DN gene index arrays.

    Returns the list of non-empty parts and, per signature, the position of its UP
    and DN parts in that list (``None`` when absent). Rank methods score a signed
    signature as ``score(UP) - score(DN)``.

    Examples
    --------
    >>> gs = GeneSet("s", np.array([3, 5, 7]), np.array([1, -1, 1]), np.ones(3))
    >>> parts, where = signed_parts([gs])
    >>> [p.tolist() for p in parts], where
    ([[3, 7], [5]], [(0, 1)])
    """
    parts: list[np.ndarray] = []
    where: list[tuple[int | None, int | None]] = []
    for gs in sets:
        slots: list[int | None] = []
        for direction in (1, -1):
            idx = gs.part(direction)
            if idx.size:
                parts.append(idx)
                slots.append(len(parts) - 1)
            else:
                slots.append(None)
        where.append((slots[0], slots[1]))
    return parts, where


def combine_parts(
    part_scores: np.ndarray, where: list[tuple[int | None, int | None]]
) -> np.ndarray:
    """Combine part scores (samples x parts) into ``UP - DN`` per signature.

    Examples
    --------
    >>> combine_parts(np.array([[3.0, 1.0]]), [(0, 1), (None, 1)]).tolist()
    [[2.0, -1.0]]
    """
    out = np.zeros((part_scores.shape[0], len(where)))
    for j, (up, dn) in enumerate(where):
        if up is not None:
            out[:, j] += part_scores[:, up]
        if dn is not None:
            out[:, j] -= part_scores[:, dn]
    return out
