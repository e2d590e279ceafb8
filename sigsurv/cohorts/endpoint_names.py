"""Endpoint names: which endpoint a time column's name says, and never a guess.

A column whose name says no endpoint (``time``, ``followup``) is refused rather than
called overall survival (issue 20 item 4). Its own module so that the cohort model and
the loaders share one rule without importing each other.
"""

from __future__ import annotations

from pathlib import Path

from sigsurv.errors import OptionError

__all__ = ["ENDPOINT_CHOICES", "endpoint_named_by", "name_endpoint"]

ENDPOINT_CHOICES = ("os", "rfs", "dfs", "dmfs", "mfs", "bmfs", "dss", "pfi", "pfs", "dfi")
_ENDPOINT_ABBREVIATIONS = {name: name for name in ENDPOINT_CHOICES} | {"drfs": "dmfs"}
_ENDPOINT_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("bone",), "bmfs"),
    (("distant",), "dmfs"),
    (("disease", "specific"), "dss"),
    (("disease", "free"), "dfs"),
    (("metastasis",), "mfs"),
    (("metastases",), "mfs"),
    (("metastatic",), "mfs"),
    (("progression",), "pfi"),
    (("relapse",), "rfs"),
    (("recurrence",), "rfs"),
    (("overall",), "os"),
)


def endpoint_named_by(time_column: str) -> tuple[str, str] | None:
    """The endpoint a time column's name says, with the word that says it; None if none.

    Examples
    --------
    >>> endpoint_named_by("RFS_months"), endpoint_named_by("relapse_time")
    (('rfs', 'RFS'), ('rfs', 'relapse'))
    >>> endpoint_named_by("time to bone relapse"), endpoint_named_by("DRFS.t")
    (('bmfs', 'bone'), ('dmfs', 'DRFS'))
    >>> endpoint_named_by("time") is None, endpoint_named_by("followup_days") is None
    (True, True)
    """
    import re

    words = [w for w in re.split(r"[^0-9A-Za-z]+", str(time_column)) if w]
    for word in words:
        if word.lower() in _ENDPOINT_ABBREVIATIONS:
            return _ENDPOINT_ABBREVIATIONS[word.lower()], word
    lowered = [w.lower() for w in words]
    for needed, name in _ENDPOINT_WORDS:
        if all(n in lowered for n in needed):
            return name, " ".join(words[lowered.index(n)] for n in needed)
    return None


def name_endpoint(time_column: str, given: str | None, *, file: str | Path | None = None) -> str:
    """The endpoint's name: ``given``, else the one the time column's name says.

    A column whose name says no endpoint (``time``, ``followup``) is refused rather
    than called overall survival.

    Examples
    --------
    >>> name_endpoint("OS.time", None), name_endpoint("time", "dmfs")
    ('os', 'dmfs')
    >>> name_endpoint("time", None)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: the time column 'time' does not say which endpoint it is; ...
    """
    if given:
        return given.strip().lower()
    named = endpoint_named_by(time_column)
    if named is None:
        raise OptionError(
            f"the time column {time_column!r} does not say which endpoint it is",
            file=file,
            expected="an endpoint name (--endpoint-name, endpoint=): " + "|".join(ENDPOINT_CHOICES),
            hint="overall survival is never assumed",
        )
    return named[0]
