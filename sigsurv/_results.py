"""The one result language: a hazard ratio, a test, and what every result can show.

Every result of sigsurv speaks the same way (lifelines' discipline): ``summary`` is a
DataFrame, ``to_dict()`` a JSON-ready dict in one vocabulary, ``to_text()`` a few
plain lines and ``_repr_html_()`` the summary as an HTML table for notebooks.
:class:`ResultMixin` derives the last two from ``summary``.

:class:`HazardRatio` is the single term object of every Cox-type model (Cox,
cause-specific Cox, Fine–Gray) with **one usability rule**: a term's numbers are
estimates only when the fit converged, the term's coefficient is finite and not
flagged as possibly infinite, and its standard error is finite. Another term's
infinite coefficient (a grade level without events) does not void this term: its
estimate converges (R ``coxph`` reports it beside the warning), and the fit's problems
travel with it. :class:`TestResult` is the single shape of a test: statistic, degrees
of freedom, p-value, method.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "HAZARD_RATIO_FIELDS",
    "HazardRatio",
    "ResultMixin",
    "TestResult",
    "hazard_ratio_table",
]

#: The numbers of a hazard ratio, in the order ``to_dict`` and ``summary`` give them.
HAZARD_RATIO_FIELDS: tuple[str, ...] = ("hr", "ci_lower", "ci_upper", "coef", "se", "z", "p_wald")


class ResultMixin:
    """``to_text()`` and ``_repr_html_()`` derived from a result's ``summary``.

    A result class defines ``summary`` (a DataFrame) and ``to_dict()``; it may
    override :meth:`title` (one line naming what the result is).

    Examples
    --------
    >>> TestResult(statistic=3.2, df=1, p=0.0736, method="log-rank").title()
    'log-rank test'
    """

    summary: Any

    def title(self) -> str:
        """One line naming the result (its class name unless overridden)."""
        return type(self).__name__

    def to_text(self) -> str:
        """The title and the summary table as plain text."""
        table = self.summary
        body = table.to_string() if isinstance(table, pd.DataFrame) else str(table)
        return f"{self.title()}\n{body}"

    def _repr_html_(self) -> str:
        table = self.summary
        body = table.to_html() if isinstance(table, pd.DataFrame) else html.escape(str(table))
        return f"<p><b>{html.escape(self.title())}</b></p>{body}"


def _number(value: Any) -> float | None:
    """A finite float, or None (NaN, infinity and missing are not numbers in JSON)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class TestResult(ResultMixin):
    """A hypothesis test: statistic, degrees of freedom, p-value and the method's name.

    Attributes
    ----------
    statistic
        The test statistic (chi-square for log-rank, trend, Gray, LRT and zph; the
        smaller one-sided z for TOST).
    df
        Degrees of freedom (None where the reference distribution has none, e.g. a
        z test).
    p
        The p-value.
    method
        What was tested, e.g. ``"log-rank"``, ``"Gray"``, ``"likelihood ratio"``.

    Examples
    --------
    >>> test = TestResult(statistic=5.0, df=1, p=0.0253, method="log-rank")
    >>> test.to_dict()
    {'statistic': 5.0, 'df': 1, 'p': 0.0253, 'method': 'log-rank'}
    >>> print(test.to_text())
    log-rank test: statistic 5 on 1 df, p = 0.0253
    """

    __test__ = False  # not a pytest test class

    statistic: float
    df: float | None
    p: float
    method: str

    def title(self) -> str:
        """``"<method> test"``."""
        return f"{self.method} test"

    @property
    def summary(self) -> pd.DataFrame:
        """One row: ``statistic, df, p`` indexed by the method."""
        row = {"statistic": self.statistic, "df": self.df, "p": self.p}
        return pd.DataFrame([row], index=pd.Index([self.method], name="method"))

    def to_dict(self) -> dict[str, Any]:
        """``statistic, df, p, method`` (non-finite numbers become None)."""
        df = None if self.df is None else (int(self.df) if float(self.df).is_integer() else self.df)
        return {
            "statistic": _number(self.statistic),
            "df": df,
            "p": _number(self.p),
            "method": self.method,
        }

    def to_text(self) -> str:
        """One line: statistic, df and p."""
        df = "" if self.df is None else f" on {self.df:g} df"
        return f"{self.title()}: statistic {self.statistic:.4g}{df}, p = {self.p:.3g}"


@dataclass(frozen=True)
class HazardRatio(ResultMixin):
    """One model term's hazard ratio, its interval and Wald test, or why it has none.

    Attributes
    ----------
    term
        The design column.
    hr, ci_lower, ci_upper, coef, se, z, p_wald
        The estimate (``exp(coef)``), its confidence interval, the log hazard ratio,
        its standard error, the Wald z and p; all None when ``estimable`` is False.
    conf_level
        Confidence level of the interval.
    kind
        ``"hazard"`` (Cox, cause-specific Cox) or ``"subdistribution"`` (Fine–Gray).
    estimable
        True when the numbers are estimates (the usability rule of this module).
    reason
        Why not, when ``estimable`` is False.
    problems
        The whole fit's warnings (another term's infinite coefficient, say).

    Examples
    --------
    >>> row = {"hr": 2.0, "ci_lower": 1.1, "ci_upper": 3.6, "coef": 0.693, "se": 0.3,
    ...        "z": 2.31, "p_wald": 0.021, "may_be_infinite": False}
    >>> hr = HazardRatio.from_row("score", row, converged=True)
    >>> hr.estimable, hr.to_dict()["hr"]
    (True, 2.0)
    >>> HazardRatio.from_row("score", row, converged=False).to_dict()["hr"] is None
    True
    """

    term: str
    hr: float | None
    ci_lower: float | None
    ci_upper: float | None
    coef: float | None
    se: float | None
    z: float | None
    p_wald: float | None
    conf_level: float = 0.95
    kind: str = "hazard"
    estimable: bool = True
    reason: str | None = None
    problems: tuple[str, ...] = ()

    @classmethod
    def from_row(
        cls,
        term: str,
        row: Mapping[Any, Any],
        *,
        converged: bool,
        conf_level: float = 0.95,
        kind: str = "hazard",
        problems: tuple[str, ...] | list[str] = (),
    ) -> HazardRatio:
        """Apply the usability rule to one summary row (``p`` is read as ``p_wald``)."""
        reason = _unusable_reason(row, converged)
        values = {key: _number(row.get(key)) for key in HAZARD_RATIO_FIELDS}
        if "p_wald" not in row:  # Fine-Gray's summary calls its Wald p "p"
            values["p_wald"] = _number(row.get("p"))
        if "z" not in row and values["coef"] is not None and values["se"]:
            values["z"] = values["coef"] / values["se"]
        if reason is not None:
            values = dict.fromkeys(HAZARD_RATIO_FIELDS)
        return cls(
            term=term,
            **values,
            conf_level=conf_level,
            kind=kind,
            estimable=reason is None,
            reason=reason,
            problems=tuple(problems),
        )

    def title(self) -> str:
        """``"<term>: hazard ratio"`` (or subdistribution hazard ratio)."""
        noun = "subdistribution hazard ratio" if self.kind == "subdistribution" else "hazard ratio"
        return f"{self.term}: {noun}"

    @property
    def summary(self) -> pd.DataFrame:
        """One row indexed by term: the numbers of ``HAZARD_RATIO_FIELDS``."""
        row = {key: getattr(self, key) for key in HAZARD_RATIO_FIELDS}
        return pd.DataFrame([row], index=pd.Index([self.term], name="term"), dtype=float)

    def to_dict(self) -> dict[str, Any]:
        """The one JSON vocabulary of a hazard ratio."""
        return {
            "term": self.term,
            **{key: getattr(self, key) for key in HAZARD_RATIO_FIELDS},
            "conf_level": self.conf_level,
            "kind": self.kind,
            "estimable": self.estimable,
            "reason": self.reason,
            "problems": list(self.problems),
        }

    def to_text(self) -> str:
        """``term: HR 0.41 (95% CI 0.22-0.77), p = 0.0055`` or the reason there is none."""
        if not self.estimable:
            return f"{self.title()}: not estimable ({self.reason})"
        level = f"{100 * self.conf_level:g}%"
        return (
            f"{self.title()}: {self.hr:.3g} ({level} CI {self.ci_lower:.3g}-{self.ci_upper:.3g}),"
            f" p = {self.p_wald:.3g}"
        )


def _unusable_reason(row: Mapping[Any, Any], converged: bool) -> str | None:
    if not converged:
        return "the fit did not converge"
    if bool(row.get("may_be_infinite", False)):
        return "the coefficient may be infinite (monotone likelihood)"
    coef, se = _number(row.get("coef")), _number(row.get("se"))
    if coef is None or se is None:
        return "the coefficient or its standard error is not finite (singular design?)"
    return None


def hazard_ratio_table(hazard_ratios: Mapping[str, HazardRatio]) -> pd.DataFrame:
    """One row per labelled hazard ratio: its term, its numbers and whether it is estimable.

    The summary of every analysis that reports several hazard ratios (grouped, per SD,
    adjusted) is this table, so they all read alike.

    Examples
    --------
    >>> row = {"hr": 2.0, "ci_lower": 1.1, "ci_upper": 3.6, "coef": 0.69, "se": 0.3,
    ...        "z": 2.3, "p_wald": 0.021}
    >>> table = hazard_ratio_table({"per SD": HazardRatio.from_row("x", row, converged=True)})
    >>> float(table.loc["per SD", "hr"]), table.loc["per SD", "term"]
    (2.0, 'x')
    """
    rows = [
        {"term": ratio.term, **ratio.summary.iloc[0].to_dict(), "estimable": ratio.estimable}
        for ratio in hazard_ratios.values()
    ]
    index = pd.Index(list(hazard_ratios), name="model")
    return pd.DataFrame(rows, index=index, columns=["term", *HAZARD_RATIO_FIELDS, "estimable"])
