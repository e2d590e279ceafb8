"""Did-you-mean suggestions for mistyped names (signature ids, columns, levels)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(word: str, choices: Iterable[object], n: int = 3) -> list[str]:
    """The choices closest to ``word`` (case-insensitive), best first.

    Examples
    --------
    >>> closest("msk1_rps6k5", ["msk1_rps6ka5", "msk1_luminal", "mir21_mirna"])
    ['msk1_rps6ka5']
    >>> closest("ER", ["er", "node"])
    ['er']
    """
    names = [str(choice) for choice in choices]
    folded = {name.casefold(): name for name in names}
    matches = difflib.get_close_matches(word.casefold(), list(folded), n=n, cutoff=0.6)
    return [folded[match] for match in matches]


def did_you_mean(word: str, choices: Iterable[object]) -> str:
    """``" (did you mean 'x'?)"`` for the closest choices, or an empty string.

    Examples
    --------
    >>> did_you_mean("nod", ["er", "node", "grade"])
    " (did you mean 'node'?)"
    >>> did_you_mean("zzz", ["er"])
    ''
    """
    matches = closest(word, choices)
    if not matches:
        return ""
    return " (did you mean " + " or ".join(f"'{match}'" for match in matches) + "?)"
