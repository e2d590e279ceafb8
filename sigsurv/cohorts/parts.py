"""The parts a :class:`~sigsurv.cohorts.model.Cohort` carries besides its data.

:class:`Endpoint` (a named survival endpoint, with its time unit; :func:`convert_time`
converts between days, months and years), :class:`Provenance` (where the data came
from) and :class:`JoinReport` (how expression and clinical samples were matched).
All are importable from :mod:`sigsurv.cohorts.model` too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

from sigsurv.errors import OptionError

__all__ = [
    "TIME_UNITS",
    "Endpoint",
    "JoinReport",
    "Provenance",
    "TimeUnit",
    "convert_time",
]

TimeUnit = Literal["days", "months", "years"]
TIME_UNITS: tuple[str, ...] = ("days", "months", "years")
# Days per unit; a month is a twelfth of a Julian year, as in survminer / KM-plotter.
_DAYS_PER_UNIT = {"days": 1.0, "months": 365.25 / 12.0, "years": 365.25}


def convert_time(values: Any, from_unit: str, to_unit: str) -> Any:
    """Convert follow-up times between days, months and years.

    A month is 365.25 / 12 = 30.4375 days and a year 365.25 days.

    Examples
    --------
    >>> convert_time(365.25, "days", "months")
    12.0
    >>> convert_time(5, "years", "months")
    60.0
    """
    for unit in (from_unit, to_unit):
        if unit not in _DAYS_PER_UNIT:
            raise OptionError("unknown time unit", expected=" | ".join(TIME_UNITS), found=unit)
    factor = _DAYS_PER_UNIT[from_unit] / _DAYS_PER_UNIT[to_unit]
    return values * factor


@dataclass(frozen=True)
class Endpoint:
    """A named survival endpoint of a cohort.

    Parameters
    ----------
    name
        Short name: ``os``, ``rfs``, ``dmfs``, ``pfi``, ``dss``, ``mfs``...
    time
        Clinical column with the follow-up time (decoded floats, in ``unit``).
    event
        Clinical column with the decoded event indicator (1 = event, 0 = censored).
    unit
        ``days``, ``months`` or ``years``.
    label
        Long name, e.g. ``relapse-free survival``.
    source_columns
        The columns of the original file the endpoint was decoded from.
    horizon
        If the follow-up was truncated, the horizon (in ``unit``).
    causes
        For a competing-risk endpoint, the label of each event code: ``causes[0]``
        labels code 1, ``causes[1]`` code 2... (0 is censored). Empty for a 0/1 endpoint.

    Examples
    --------
    >>> Endpoint("os", time="os_time", event="os_event", unit="months").unit
    'months'
    >>> cr = Endpoint("bone_cr", "t", "cause", causes=("bone relapse", "other relapse"))
    >>> cr.cause_code("other relapse"), cr.cause_code(1)
    (2, 1)
    """

    name: str
    time: str
    event: str
    unit: TimeUnit = "months"
    label: str = ""
    source_columns: tuple[str, ...] = ()
    horizon: float | None = None
    causes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.unit not in TIME_UNITS:
            raise OptionError(
                f"endpoint {self.name!r}: unknown time unit",
                expected=" | ".join(TIME_UNITS),
                found=self.unit,
            )

    def cause_code(self, cause: int | str) -> int:
        """The event code of a cause given by code (``2``, ``"2"``) or by label.

        Examples
        --------
        >>> Endpoint("cr", "t", "e", causes=("bone", "other")).cause_code("bone")
        1
        """
        labels = {label.lower(): code for code, label in enumerate(self.causes, start=1)}
        text = str(cause).strip()
        if text.lower() in labels:
            return labels[text.lower()]
        if text.isdigit() and 1 <= int(text) <= len(self.causes):
            return int(text)
        raise OptionError(
            f"endpoint {self.name!r}: unknown cause",
            expected=" | ".join(
                f"{code} ({label})" for code, label in enumerate(self.causes, start=1)
            )
            or "a competing-risk endpoint (this one has no causes)",
            found=str(cause),
        )


@dataclass(frozen=True)
class Provenance:
    """Where a cohort's data came from.

    Examples
    --------
    >>> Provenance(source="GSE1992", platform="Agilent two-colour", scale="log2 ratio").scale
    'log2 ratio'
    """

    source: str = ""
    platform: str = ""
    scale: str = ""
    identifier_type: str = "symbol"
    files: tuple[str, ...] = ()
    sha256: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class JoinReport:
    """How expression and clinical samples were matched.

    Examples
    --------
    >>> JoinReport(n_expression=3, n_clinical=4, n_matched=3).n_clinical_only
    1
    """

    n_expression: int
    n_clinical: int
    n_matched: int
    expression_only: tuple[str, ...] = ()
    clinical_only: tuple[str, ...] = ()
    rule: str = "exact sample identifier"

    @property
    def n_expression_only(self) -> int:
        """Expression samples without a clinical row (dropped)."""
        return self.n_expression - self.n_matched

    @property
    def n_clinical_only(self) -> int:
        """Clinical rows without an expression sample (dropped)."""
        return self.n_clinical - self.n_matched

    def to_text(self) -> str:
        """One-line description of the join.

        Examples
        --------
        >>> print(JoinReport(n_expression=3, n_clinical=4, n_matched=3).to_text())
        3 samples matched (exact sample identifier); 0 expression-only and 1 clinical-only
        samples dropped
        """
        return (
            f"{self.n_matched} samples matched ({self.rule}); "
            f"{self.n_expression_only} expression-only and "
            f"{self.n_clinical_only} clinical-only samples dropped"
        )

    def summary(self) -> str:
        """Deprecated: a ``summary`` is a table in sigsurv's API; use :meth:`to_text`."""
        warnings.warn(
            "JoinReport.summary() is deprecated; use JoinReport.to_text()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_text()
