"""Multiplicity adjustment of p-values: Holm and Benjamini–Hochberg (R ``p.adjust``).

With the ``m`` non-missing p-values sorted increasingly, ``p_(1) <= ... <= p_(m)``:

* Holm (family-wise error): ``p~_(i) = min(1, max_{j <= i} (m - j + 1) p_(j))``;
* Benjamini–Hochberg (false discovery rate): ``q_(i) = min(1, min_{j >= i} m p_(j) / j)``.

Missing values (NaN) stay missing and are not counted in ``m``, as in R's ``p.adjust``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sigsurv.errors import OptionError, SigsurvInputError

__all__ = ["ADJUSTMENTS", "adjust_p", "benjamini_hochberg", "holm"]

ADJUSTMENTS = ("holm", "BH")


def _checked(p_values: Any) -> np.ndarray:
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise SigsurvInputError("p-values must be one-dimensional", found=f"shape {p.shape}")
    present = p[~np.isnan(p)]
    bad = present[(present < 0) | (present > 1)]
    if bad.size:
        raise SigsurvInputError("p-values must lie in [0, 1]", found=float(bad[0]))
    return p


def _like_input(values: np.ndarray, p_values: Any) -> Any:
    if isinstance(p_values, pd.Series):
        return pd.Series(values, index=p_values.index, name=p_values.name)
    return values


def holm(p_values: Any) -> Any:
    """Holm step-down adjusted p-values, as R ``p.adjust(p, "holm")``.

    Parameters
    ----------
    p_values
        1-D array-like (or pandas Series, whose index is kept) of p-values in [0, 1];
        NaN for a test that could not be done.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted p-values in the input order; NaN where the input is NaN.

    Raises
    ------
    SigsurvInputError
        Values outside [0, 1] or a non-1-D input.

    References
    ----------
    .. [1] Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat.
           1979;6(2):65-70.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.09, 0.09, 0.5]
    >>> holm([0.01, float("nan"), 0.03]).round(4).tolist()
    [0.02, nan, 0.03]
    """
    p = _checked(p_values)
    out = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    m = present.size
    if m:
        order = present[np.argsort(p[present], kind="stable")]
        multipliers = np.arange(m, 0, -1)
        out[order] = np.minimum(np.maximum.accumulate(multipliers * p[order]), 1.0)
    return _like_input(out, p_values)


def benjamini_hochberg(p_values: Any) -> Any:
    """Benjamini–Hochberg adjusted p-values (q-values), as R ``p.adjust(p, "BH")``.

    Parameters
    ----------
    p_values
        1-D array-like (or pandas Series, whose index is kept) of p-values in [0, 1];
        NaN for a test that could not be done.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted values in the input order; NaN where the input is NaN.

    Raises
    ------
    SigsurvInputError
        Values outside [0, 1] or a non-1-D input.

    References
    ----------
    .. [1] Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and
           powerful approach to multiple testing. J R Stat Soc B. 1995;57(1):289-300.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    p = _checked(p_values)
    out = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    m = present.size
    if m:
        order = present[np.argsort(p[present], kind="stable")][::-1]
        ranks = np.arange(m, 0, -1)
        out[order] = np.minimum(np.minimum.accumulate(p[order] * m / ranks), 1.0)
    return _like_input(out, p_values)


def adjust_p(p_values: Any, method: str) -> Any:
    """Adjust p-values by ``method`` (``"holm"`` or ``"BH"``).

    Parameters
    ----------
    p_values
        As in :func:`holm`.
    method
        ``"holm"`` (family-wise, e.g. within a claim) or ``"BH"`` (false discovery rate,
        e.g. over a run).

    Returns
    -------
    numpy.ndarray or pandas.Series

    Raises
    ------
    OptionError
        Unknown ``method``.

    Examples
    --------
    >>> adjust_p([0.01, 0.02], "BH").tolist()
    [0.02, 0.02]
    """
    if method == "holm":
        return holm(p_values)
    if method == "BH":
        return benjamini_hochberg(p_values)
    raise OptionError("unknown p-value adjustment", expected=" | ".join(ADJUSTMENTS), found=method)
