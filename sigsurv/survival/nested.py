"""Likelihood-ratio test of nested Cox models, as R ``anova(reduced, full)``.

``2 (loglik_full - loglik_reduced)`` on ``df_full - df_reduced`` degrees of
freedom (estimable coefficients). The test is only valid when the models are
nested and fitted to the same subjects, so :func:`cox_lrt` checks both: every
term of the reduced model must be in the full model with the same design
columns, and the two fits must share the rows (times, events and strata,
compared value by value), the ties method and the number of strata.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sigsurv._results import ResultMixin, TestResult
from sigsurv.errors import AnalysisError, SigsurvWarning
from sigsurv.survival._result_format import jsonable
from sigsurv.survival.cox import CoxResult

__all__ = ["NestedLRTResult", "cox_lrt"]


@dataclass(frozen=True)
class NestedLRTResult(ResultMixin):
    """Likelihood-ratio test of a reduced Cox model within a full one.

    Attributes
    ----------
    chisq, df, p
        ``2 (loglik_full - loglik_reduced)``, the difference in estimable
        coefficients and the chi-square upper tail.
    loglik_reduced, loglik_full
        The two maximised log partial likelihoods.
    added_terms
        Terms of the full model that the reduced model lacks.
    """

    chisq: float
    df: int
    p: float
    loglik_reduced: float
    loglik_full: float
    added_terms: list[str]

    @property
    def test(self) -> TestResult:
        """The likelihood-ratio test as a :class:`~sigsurv._results.TestResult`.

        Examples
        --------
        >>> NestedLRTResult(4.2, 1, 0.04, -50.0, -47.9, ["a"]).test.method
        'likelihood ratio'
        """
        return TestResult(statistic=self.chisq, df=self.df, p=self.p, method="likelihood ratio")

    @property
    def summary(self) -> pd.DataFrame:
        """R ``anova(reduced, full)``: ``loglik`` per model, ``chisq, df, p`` on the full row.

        Examples
        --------
        >>> NestedLRTResult(4.2, 1, 0.04, -50.0, -47.9, ["a"]).summary.index.tolist()
        ['reduced', 'full']
        """
        nan = float("nan")
        return pd.DataFrame(
            {
                "loglik": [self.loglik_reduced, self.loglik_full],
                "chisq": [nan, self.chisq],
                "df": [nan, float(self.df)],
                "p": [nan, self.p],
            },
            index=pd.Index(["reduced", "full"], name="model"),
        )

    def title(self) -> str:
        """The test in one line, with the added terms."""
        return f"{self.test.to_text()} (adding {', '.join(self.added_terms)})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``chisq, df, p, test, loglik_reduced, loglik_full, added_terms``.

        Examples
        --------
        >>> NestedLRTResult(4.2, 1, 0.04, -50.0, -47.9, ["a"]).to_dict()["test"]["p"]
        0.04
        """
        return jsonable(
            {
                "chisq": self.chisq,
                "df": self.df,
                "p": self.p,
                "test": self.test.to_dict(),
                "loglik_reduced": self.loglik_reduced,
                "loglik_full": self.loglik_full,
                "added_terms": list(self.added_terms),
            }
        )


def _same_rows(reduced: CoxResult, full: CoxResult) -> None:
    if reduced.n != full.n or reduced.events != full.events or reduced.strata != full.strata:
        raise AnalysisError(
            "the two Cox fits do not use the same subjects",
            expected=f"n={full.n}, events={full.events}, strata={full.strata}",
            found=f"n={reduced.n}, events={reduced.events}, strata={reduced.strata}",
            hint="fit both models on the same complete cases",
        )
    a, b = reduced.zph_inputs, full.zph_inputs
    if a is None or b is None:
        raise AnalysisError(
            "cannot check that the fits share their rows", expected="two cox_fit results"
        )
    same = np.array_equal(a.time, b.time) and np.array_equal(a.event, b.event)
    if same and (a.strata_labels is None) != (b.strata_labels is None):
        same = False
    if same and a.strata_labels is not None and b.strata_labels is not None:
        same = bool(np.all(a.strata_labels == b.strata_labels))
    if not same:
        raise AnalysisError(
            "the two Cox fits differ in their times, events or strata",
            expected="the same rows in the same order",
            hint="fit both models on the same complete cases",
        )
    if reduced.ties != full.ties:
        raise AnalysisError(
            "the two Cox fits use different ties methods",
            expected=full.ties,
            found=reduced.ties,
        )


def _check_nesting(reduced: CoxResult, full: CoxResult) -> list[str]:
    missing = [t for t in reduced.terms if t not in full.terms]
    if missing:
        raise AnalysisError(
            "the reduced model has terms the full model lacks: the models are not nested",
            expected=f"terms among {list(full.terms)}",
            found=missing,
        )
    changed = [t for t, cols in reduced.terms.items() if full.terms[t] != cols]
    if changed:
        raise AnalysisError(
            "a term is coded differently in the two models (other levels or reference)",
            expected=str({t: full.terms[t] for t in changed}),
            found=str({t: reduced.terms[t] for t in changed}),
        )
    added = [t for t in full.terms if t not in reduced.terms]
    if not added:
        raise AnalysisError(
            "the full model adds no term to the reduced model", found=list(full.terms)
        )
    return added


def cox_lrt(reduced: CoxResult, full: CoxResult) -> NestedLRTResult:
    """Likelihood-ratio test of two nested Cox fits (R ``anova(reduced, full)``).

    Parameters
    ----------
    reduced
        The smaller model, from :func:`sigsurv.survival.cox.cox_fit`.
    full
        The larger model: every term of ``reduced`` plus at least one more,
        fitted to the same subjects (same rows, order, strata and ties method).

    Returns
    -------
    NestedLRTResult
        Statistic, degrees of freedom, p-value and the added terms.

    Raises
    ------
    AnalysisError
        The models are not nested, or were not fitted to the same rows.

    Warns
    -----
    SigsurvWarning
        A fit that is not well defined (its log-likelihood is not a maximum).

    References
    ----------
    .. [1] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model. New York:
           Springer; 2000.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sigsurv.survival.cox import cox_fit
    >>> rng = np.random.default_rng(2)
    >>> x = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    >>> t = rng.exponential(np.exp(-0.8 * x["a"])); e = rng.uniform(size=80) < 0.8
    >>> res = cox_lrt(cox_fit(t, e, x[["b"]]), cox_fit(t, e, x))
    >>> res.added_terms, res.df, bool(res.p < 0.05)
    (['a'], 1, True)
    """
    _same_rows(reduced, full)
    added = _check_nesting(reduced, full)
    for name, fit in (("reduced", reduced), ("full", full)):
        if not fit.well_defined:
            warnings.warn(
                f"the {name} Cox model is not well defined: " + "; ".join(fit.problems),
                SigsurvWarning,
                stacklevel=2,
            )
    df = int(full.lrt["df"] - reduced.lrt["df"])
    if df <= 0:
        raise AnalysisError(
            "the full model has no more estimable coefficients than the reduced one",
            found=f"df {full.lrt['df']:g} vs {reduced.lrt['df']:g}",
        )
    chisq = 2.0 * (full.loglik - reduced.loglik)
    return NestedLRTResult(
        chisq=chisq,
        df=df,
        p=float(stats.chi2.sf(chisq, df)),
        loglik_reduced=reduced.loglik,
        loglik_full=full.loglik,
        added_terms=added,
    )
