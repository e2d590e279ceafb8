"""Comparing sigsurv's numbers with golden files: one relative error, one R tolerance.

Every golden in ``tests/data`` is checked through :func:`assert_matches_r` (or, where a
test reports the worst error itself, :func:`rel_error`), so "agrees with R" means one
thing across the suite:

* the error of a cell is ``|actual - expected| / |expected|``;
* cells that are equal count as 0, whatever they hold (``0 == 0``, ``inf == inf``);
* a NaN matches only a NaN, and a nonzero number never matches an expected 0 (the
  error is infinite): a golden cannot be met by a missing value or by a rounding floor;
* the tolerance is :data:`R_RTOL` unless a test asks for a *tighter* one (most of the
  R-convention goldens hold to 1e-9 or better and their tests keep that strength).

A test that needs a looser tolerance names a constant here saying why; there is none
today. Engine-against-engine comparisons (numba against numpy) are not R goldens: they
use ``fixtures.assert_within_ulp``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Relative tolerance against an R golden. R prints the goldens with 15-17 significant
#: digits (jsonlite ``digits = NA``); the statistics are iterative (Newton-Raphson to
#: R's ``eps = 1e-9`` on the log-likelihood, uniroot, optimise), so two correct
#: implementations agree to about 1e-7 relative on coefficients and p-values, not to
#: the last digit. 1e-6 keeps a margin of ten over that and still catches any real
#: change (a different tie rule or variance moves the numbers at 1e-3 or more).
R_RTOL = 1e-6


def rel_error(actual: Any, expected: Any) -> float:
    """Worst relative error of ``actual`` against ``expected`` (scalars or arrays).

    Equal cells (including both infinite of the same sign, or both NaN) count 0; a NaN
    against a number, or a nonzero number against an expected 0, counts ``inf``.

    Examples
    --------
    >>> rel_error(1.0 + 1e-9, 1.0) < 2e-9
    True
    >>> rel_error([0.0, np.nan, np.inf], [0.0, np.nan, np.inf])
    0.0
    >>> rel_error(1e-300, 0.0)
    inf
    """
    a = np.asarray(actual, dtype=float).ravel()
    b = np.asarray(expected, dtype=float).ravel()
    if a.shape != b.shape:  # same cells in any shape (jsonlite unboxes length-1 vectors)
        raise AssertionError(f"sizes differ: actual {a.size}, expected {b.size}")
    if a.size == 0:
        return 0.0
    equal = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        err = np.abs(a - b) / np.abs(b)
    err = np.where(equal, 0.0, err)
    err = np.where(np.isnan(err), np.inf, err)  # NaN vs number, inf vs other inf
    return float(err.max())


def assert_matches_r(
    actual: Any, expected: Any, rtol: float = R_RTOL, *, what: str = "value"
) -> None:
    """Assert ``actual`` matches an R golden to ``rtol`` relative error (see module doc).

    ``rtol`` may only be *tighter* than :data:`R_RTOL` unless the caller passes a named
    looser constant from this module, so a tolerance is never loosened in passing.

    Examples
    --------
    >>> assert_matches_r([0.5, 2.0], [0.5, 2.0 * (1 + 1e-8)], what="hazard ratio")
    >>> assert_matches_r(0.51, 0.5, what="p")
    Traceback (most recent call last):
    ...
    AssertionError: p differs from R: relative error 0.02 > 1e-06 (worst cell 0: 0.51 vs 0.5)
    """
    if rtol > R_RTOL and rtol not in _NAMED_LOOSER:
        raise ValueError(f"rtol {rtol:g} is looser than R_RTOL; name it in tests/golden.py")
    err = rel_error(actual, expected)
    if err <= rtol:
        return
    a = np.asarray(actual, dtype=float).ravel()
    b = np.asarray(expected, dtype=float).ravel()
    worst = int(np.argmax([rel_error(x, y) for x, y in zip(a, b, strict=True)]))
    raise AssertionError(
        f"{what} differs from R: relative error {err:.3g} > {rtol:g} "
        f"(worst cell {worst}: {float(a[worst])!r} vs {float(b[worst])!r})"
    )


# Looser tolerances, each with its reason. Empty: every R golden holds to R_RTOL.
_NAMED_LOOSER: frozenset[float] = frozenset()
