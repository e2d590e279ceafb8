"""Checks of integer arguments shared by the Python API and the command line.

A float, a string or a bool where a count or a seed is expected used to end in a
``TypeError`` deep inside numpy (exit 1) or be silently truncated; here it is an
:class:`~sigsurv.errors.OptionError` naming the argument. Bottom layer.
"""

from __future__ import annotations

import operator

from sigsurv.errors import OptionError

__all__ = ["MAX_SEED", "integer_argument", "seed_argument"]

MAX_SEED = 2**32 - 1


def integer_argument(
    name: str, value: object, *, minimum: int = 0, maximum: int | None = None
) -> int:
    """``value`` as an int within ``minimum`` .. ``maximum``, else an OptionError.

    numpy integers are accepted; bools, floats (even 3.0) and strings are not.

    Examples
    --------
    >>> integer_argument("permutations", 10)
    10
    >>> integer_argument("permutations", 2.5)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: permutations must be an integer; found '2.5'
    """
    if isinstance(value, bool):
        raise OptionError(f"{name} must be an integer, not a bool", found=repr(value))
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise OptionError(f"{name} must be an integer", found=repr(value)) from None
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise OptionError(f"{name} must be {bounds}", found=number)
    return int(number)


def seed_argument(value: object, name: str = "seed") -> int:
    """A random seed: an integer in 0 .. 2**32 - 1 (what every generator used accepts).

    Examples
    --------
    >>> seed_argument(-1)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: seed must be between 0 and 4294967295; found -1
    """
    return integer_argument(name, value, minimum=0, maximum=MAX_SEED)
