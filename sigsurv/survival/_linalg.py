"""R survival's Cholesky routines, ported with their singularity rules (private).

``cholesky2`` / ``chsolve2`` / ``chinv2`` are the generalised LDL' factorisation,
solve and inverse of R survival's C code (``cholesky2.c``, ``chsolve2.c``,
``chinv2.c``): a pivot below ``toler`` times the largest diagonal element is set
to zero, which is how ``coxph`` detects linearly dependent columns. The 1 x 1
versions vectorised over many models serve :func:`sigsurv.survival.cox_scan.cox_scan`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOLER_CHOL", "chinv2", "cholesky2", "chsolve2", "inverse1", "solve1"]

#: R's ``coxph.control()$toler.chol``.
TOLER_CHOL = float(np.finfo(float).eps ** 0.75)


def cholesky2(matrix: np.ndarray, toler: float) -> tuple[np.ndarray, int]:
    """Generalised Cholesky (LDL') of a symmetric matrix, as R's ``cholesky2``.

    Returns the factor (unit lower triangle below, D on the diagonal, zeroed
    pivots for singular columns) and the rank (negative when the matrix is not
    non-negative definite).

    Examples
    --------
    >>> chol, rank = cholesky2(np.array([[4.0, 2.0], [2.0, 2.0]]), TOLER_CHOL)
    >>> chol.tolist(), rank
    ([[4.0, 2.0], [0.5, 1.0]], 2)
    """
    n = matrix.shape[0]
    m = np.array(matrix, dtype=np.float64, copy=True)
    m = np.triu(m) + np.triu(m, 1).T  # lower triangle mirrors the upper
    diag = np.diag(m)
    eps = 0.0
    for i in range(n):
        if diag[i] > eps:
            eps = diag[i]
    if eps == 0:
        return m, 0
    eps *= toler
    rank = 0
    nonneg = 1
    for i in range(n):
        pivot = m[i, i]
        if not np.isfinite(pivot) or pivot < eps:
            m[i, i] = 0.0
            if pivot < -8 * eps:
                nonneg = -1
        else:
            rank += 1
            for j in range(i + 1, n):
                temp = m[j, i] / pivot
                m[j, i] = temp
                m[j, j] -= temp * temp * pivot
                m[j + 1 :, j] -= temp * m[j + 1 :, i]
    return m, rank * nonneg


def chsolve2(chol: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Solve ``A b = y`` from :func:`cholesky2`'s factor (zero pivots give zero).

    Examples
    --------
    >>> chol, _ = cholesky2(np.array([[4.0, 2.0], [2.0, 2.0]]), TOLER_CHOL)
    >>> chsolve2(chol, np.array([6.0, 4.0])).tolist()
    [1.0, 1.0]
    """
    n = chol.shape[0]
    b = np.array(y, dtype=np.float64, copy=True)
    for i in range(n):
        b[i] = b[i] - np.dot(b[:i], chol[i, :i])
    for i in range(n - 1, -1, -1):
        if chol[i, i] == 0:
            b[i] = 0.0
        else:
            b[i] = b[i] / chol[i, i] - np.dot(b[i + 1 :], chol[i + 1 :, i])
    return b


def chinv2(chol: np.ndarray) -> np.ndarray:
    """Inverse from :func:`cholesky2`'s factor; singular rows/columns are zero.

    Examples
    --------
    >>> chol, _ = cholesky2(np.array([[4.0, 2.0], [2.0, 2.0]]), TOLER_CHOL)
    >>> chinv2(chol).tolist()
    [[0.5, -0.5], [-0.5, 1.0]]
    """
    n = chol.shape[0]
    m = chol.copy()
    for i in range(n):
        if m[i, i] > 0:
            m[i, i] = 1.0 / m[i, i]
            for j in range(i + 1, n):
                m[j, i] = -m[j, i]
                m[j, :i] += m[j, i] * m[i, :i]
    for i in range(n):
        if m[i, i] == 0:
            m[:i, i] = 0.0
            m[i, i:] = 0.0
        else:
            for j in range(i + 1, n):
                temp = m[j, i] * m[j, j]
                m[i, j] = temp
                m[i, i:j] += temp * m[j, i:j]
    upper = np.triu(m)
    return upper + np.triu(upper, 1).T


def solve1(u: np.ndarray, info: np.ndarray) -> np.ndarray:
    """:func:`cholesky2` + :func:`chsolve2` for many 1 x 1 systems: a zero pivot gives 0.

    Examples
    --------
    >>> solve1(np.array([2.0, 1.0]), np.array([4.0, 0.0])).tolist()
    [0.5, 0.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(info != 0, u / np.where(info != 0, info, 1.0), 0.0)


def inverse1(info: np.ndarray) -> np.ndarray:
    """:func:`chinv2` for many 1 x 1 matrices (a non-positive pivot is left as is).

    Examples
    --------
    >>> inverse1(np.array([4.0, 0.0])).tolist()
    [0.25, 0.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(info > 0, 1.0 / np.where(info > 0, info, 1.0), info)
