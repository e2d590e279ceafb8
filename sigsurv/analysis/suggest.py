"""Did-you-mean suggestions for mistyped names (signature ids, columns, levels)."""

from __future__ import annotations

import contextlib
import difflib
import re
import warnings
from collections.abc import Iterable, Iterator

import pandas as pd

from sigsurv.errors import AnalysisError, SigsurvWarning

__all__ = ["check_subgroup_levels", "closest", "did_you_mean", "warnings_naming"]


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


# ``column == 'value'``, ``column != "value"`` and ``column in ('a', 'b')`` in a subgroup.
_COMPARISON = re.compile(r"""\b([A-Za-z_]\w*)\s*(?:==|!=)\s*(['"])(.*?)\2""")
_MEMBERSHIP = re.compile(r"""\b([A-Za-z_]\w*)\s+(?:not\s+)?in\s*[(\[]([^)\]]*)[)\]]""")
_QUOTED = re.compile(r"""(['"])(.*?)\1""")


def _named_levels(subgroup: str) -> list[tuple[str, str]]:
    pairs = [(m.group(1), m.group(3)) for m in _COMPARISON.finditer(subgroup)]
    for match in _MEMBERSHIP.finditer(subgroup):
        pairs += [(match.group(1), q.group(2)) for q in _QUOTED.finditer(match.group(2))]
    return pairs


def check_subgroup_levels(clinical: pd.DataFrame, subgroup: str | None, cohort: str) -> None:
    """Refuse a subgroup naming a text level a column does not have, with the levels.

    ``er == 'negativ'`` would select nobody (or, negated, everybody) without a word of
    why; the error names the column's levels and the closest one. Columns that are not
    text (numbers) and unknown columns are left to the subgroup parser.

    Examples
    --------
    >>> clinical = pd.DataFrame({"er": pd.Categorical(["positive", "negative"])})
    >>> check_subgroup_levels(clinical, "er == 'negative'", "toy")
    >>> check_subgroup_levels(clinical, "er == 'negativ'", "toy")
    Traceback (most recent call last):
    ...
    sigsurv.errors.AnalysisError: cohort toy: subgroup "er == 'negativ'": column er has no \
level 'negativ' (did you mean 'negative'?); expected one of: negative, positive
    """
    if not subgroup:
        return
    for column, level in _named_levels(subgroup):
        if column not in clinical.columns:
            continue
        values = clinical[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not isinstance(
            values.dtype, pd.CategoricalDtype
        ):
            continue
        levels = sorted({str(v) for v in values.dropna().unique()})
        if level not in levels:
            raise AnalysisError(
                f"cohort {cohort}: subgroup {subgroup!r}: column {column} has no level "
                f"{level!r}" + did_you_mean(level, levels),
                expected="one of: " + ", ".join(levels[:20]),
            )


@contextlib.contextmanager
def warnings_naming(where: str) -> Iterator[None]:
    """Re-issue the :class:`~sigsurv.errors.SigsurvWarning` s of a block prefixed with
    ``where`` (e.g. ``gse1992, msk1_rps6ka5``): the engine's warnings know no cohort.

    Examples
    --------
    >>> import warnings
    >>> from sigsurv.errors import SigsurvWarning
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     with warnings_naming("gse1992, by grade"):
    ...         warnings.warn("Cox model not well defined", SigsurvWarning, stacklevel=1)
    >>> str(seen[0].message)
    'gse1992, by grade: Cox model not well defined'
    """
    cohort = where.split(",")[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SigsurvWarning)
        yield
    for warning in caught:
        message = str(warning.message)
        if issubclass(warning.category, SigsurvWarning) and not message.startswith(cohort):
            message = f"{where}: {message}"
        warnings.warn(message, warning.category, stacklevel=3)
