"""Shared parameter documentation: one text per parameter block, filled into docstrings.

A public function whose parameters are those of several siblings (``time, event`` of
every survival statistic, the cause codes of the competing-risk functions, the scoring
engine) writes ``%(name)s`` on its own line in its ``Parameters`` section and is
decorated with :func:`fill_doc`; the block is then written once, in :data:`PARAMETERS`.
(decoupler does the same with its docstring processor; mkdocstrings renders the
filled docstrings because the API pages inspect the imported objects.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TypeVar

__all__ = ["PARAMETERS", "fill_doc", "fill_text"]

_F = TypeVar("_F", bound=Callable[..., object])

#: The shared blocks, numpydoc-formatted with the parameter line unindented.
PARAMETERS: Mapping[str, str] = MappingProxyType(
    {
        "time_event": (
            "time, event\n"
            "    Follow-up times (finite, >= 0) and 0/1 event indicators (1 = event,\n"
            "    0 = censored), one per subject."
        ),
        "time_cause": (
            "time\n"
            "    Follow-up times (finite, >= 0).\n"
            "event\n"
            "    0 = censored, 1..k = cause of the event."
        ),
        "strata": (
            "strata\n"
            "    Optional stratum per subject: separate baseline hazards or risk sets per\n"
            "    stratum, as ``+ strata(s)`` in R."
        ),
        "ties": ('ties\n    Cox ties method: ``"efron"`` (R\'s default) or ``"breslow"``.'),
        "engine": (
            "engine\n"
            '    ``"auto"`` (compiled kernels when numba is installed, or as\n'
            '    ``SIGSURV_ENGINE`` says), ``"numba"`` or ``"numpy"``; the engines agree to\n'
            "    a few units in the last place (see ``sigsurv.scoring._engine``)."
        ),
    }
)

_MARKER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<name>\w+)\)s[ \t]*$", re.MULTILINE)


def fill_text(doc: str) -> str:
    """Replace each ``%(name)s`` line of ``doc`` by its block, at that line's indent.

    Only whole-line markers are replaced, so ``%`` elsewhere (``80%``) is left alone.

    Examples
    --------
    >>> print(fill_text("Parameters\\n    ----------\\n    %(ties)s\\n"))
    Parameters
        ----------
        ties
            Cox ties method: ``"efron"`` (R's default) or ``"breslow"``.
    <BLANKLINE>
    """

    def block(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in PARAMETERS:
            raise KeyError(f"no shared parameter block {name!r} (sigsurv._docstrings)")
        indent = match.group("indent")
        return "\n".join(indent + line for line in PARAMETERS[name].splitlines())

    return _MARKER.sub(block, doc)


def fill_doc(func: _F) -> _F:
    """Decorator: fill the shared parameter blocks into ``func.__doc__``.

    Examples
    --------
    >>> @fill_doc
    ... def f(time, event):
    ...     '''Do something.
    ...
    ...     Parameters
    ...     ----------
    ...     %(time_event)s
    ...     '''
    >>> "Follow-up times (finite, >= 0)" in f.__doc__
    True
    """
    if func.__doc__:
        func.__doc__ = fill_text(func.__doc__)
    return func
