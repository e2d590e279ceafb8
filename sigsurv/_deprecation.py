"""Deprecated American spellings kept for one release (issue 17: British -ise names).

Bottom-layer helpers: a warning naming the replacement, a thin alias for a renamed
function and the resolution of a renamed keyword argument.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from sigsurv.errors import SigsurvInputError

__all__ = ["deprecated_alias", "renamed_keyword", "warn_renamed"]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Emit a :class:`DeprecationWarning` saying that ``old`` is now ``new``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("standardize", "standardise")
    >>> str(caught[0].message)
    "'standardize' is deprecated; use 'standardise' (the old name goes in the next release)"
    """
    warnings.warn(
        f"{old!r} is deprecated; use {new!r} (the old name goes in the next release)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def deprecated_alias(new_func: _F, old_name: str) -> _F:
    """A thin wrapper of ``new_func`` under its old name that warns on every call.

    Examples
    --------
    >>> import warnings
    >>> def standardise_one(x: float) -> float:
    ...     return x
    >>> standardize_one = deprecated_alias(standardise_one, "standardize_one")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     standardize_one(2.0)
    2.0
    >>> caught[0].category.__name__
    'DeprecationWarning'
    """

    @functools.wraps(new_func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warn_renamed(old_name, new_func.__name__)
        return new_func(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old_name
    alias.__doc__ = f"Deprecated alias of :func:`{new_func.__name__}` (renamed; British spelling)."
    return alias  # type: ignore[return-value]


def renamed_keyword(
    func_name: str, old: str, new: str, old_value: _T | None, new_value: _T, default: _T
) -> _T:
    """The value of keyword ``new``, taking a given deprecated ``old`` into account.

    ``old_value`` is None when the old keyword was not given. Giving both (the new one
    different from its default) is refused rather than guessed.

    Examples
    --------
    >>> renamed_keyword("f", "normalize", "normalise", None, True, False)
    True
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     renamed_keyword("f", "normalize", "normalise", True, False, False)
    True
    """
    if old_value is None:
        return new_value
    if new_value is not default and new_value != default:
        raise SigsurvInputError(
            f"{func_name}: {old!r} is the deprecated spelling of {new!r}; give only one",
            expected=new,
            found=f"{old}, {new}",
        )
    warn_renamed(f"{func_name}({old}=...)", f"{func_name}({new}=...)", stacklevel=4)
    return old_value
