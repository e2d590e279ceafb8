"""The cut-point rules, once: names, groups, the comparison reported and its estimand.

Every layer that names a cut rule reads it here: :func:`~sigsurv.survival.cutpoints.
group_by_cut` (the engine), :class:`~sigsurv.analysis.spec.AnalysisSpec` (the request),
:func:`~sigsurv.analysis.signature.analyse_signature` (``survival --cut``) and the
claims' cut rows (``reproduce``).

**The grouped hazard ratio** of a rule is its top group against its bottom group,
estimated in *one* Cox model of all the groups on *all* patients
(:func:`top_vs_bottom_fit`): for tertiles, "T3 vs T1" is the ``T3`` coefficient of the
model ``group = T1 | T2 | T3`` (reference T1), as survminer-based papers and R's
``coxph(Surv(time, event) ~ cut(score, quantile(score, 0:3/3)))`` report it. It is not
a refit on T1 and T3 alone: dropping T2 changes the risk sets (a T1 patient's risk set
loses the T2 patients still at risk), so the HR would describe another population than
the Kaplan-Meier curves and the log-rank test drawn on all patients beside it. With
two groups (median, top tertile/quartile, a fixed or the optimal cut) both readings
are the same model.

**The optimal cut is optimistic**: :data:`OPTIMAL_IS_OPTIMISTIC` is the one statement
of it that every result carrying an optimal cut repeats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.survival.cox import CoxResult, cox_fit

__all__ = [
    "CUT_RULES",
    "OPTIMAL_IS_OPTIMISTIC",
    "QUANTILE_RULES",
    "RULE_NAMES",
    "SECONDARY_CUTS",
    "CutRule",
    "top_vs_bottom_fit",
]


@dataclass(frozen=True)
class CutRule:
    """One named cut-point rule.

    Parameters
    ----------
    name
        The rule's name (``--cut`` value, ``AnalysisSpec.cut``).
    groups
        Group labels, bottom to top (the first is the Cox reference).
    fractions
        Quantile fractions of the cuts (R type-7 quantiles); empty for ``optimal``.
    data_driven
        True when the cut is chosen by looking at survival (``optimal``): its naive HR,
        CI and log-rank p are optimistic (:data:`OPTIMAL_IS_OPTIMISTIC`).
    description
        One line for help texts.
    aliases
        Other spellings accepted on input (``tertiles``, ``maxstat``).

    Examples
    --------
    >>> CUT_RULES["tertile"].comparison
    'T3 vs T1'
    >>> CUT_RULES["top_quartile"].groups, CUT_RULES["optimal"].data_driven
    (('rest', 'top'), True)
    """

    name: str
    groups: tuple[str, ...]
    fractions: tuple[float, ...]
    data_driven: bool
    description: str
    aliases: tuple[str, ...] = ()

    @property
    def comparison(self) -> str:
        """The grouped HR reported: top group vs bottom group (one model, all groups)."""
        return f"{self.groups[-1]} vs {self.groups[0]}"

    @property
    def within_strata(self) -> bool:
        """Whether the cut can be taken within each stratum (quantile rules can)."""
        return not self.data_driven


#: The caveat of a cut chosen on the patients it is then tested on.
OPTIMAL_IS_OPTIMISTIC = (
    "optimal cut chosen on these patients: the grouped HR, its CI and the naive log-rank p "
    "are optimistic"
)

_RULES = (
    CutRule("median", ("low", "high"), (0.5,), False, "high = above the median"),
    CutRule(
        "tertile",
        ("T1", "T2", "T3"),
        (1 / 3, 2 / 3),
        False,
        "three groups at the tertiles; HR of T3 vs T1 in the 3-group model",
        ("tertiles",),
    ),
    CutRule(
        "quartile",
        ("Q1", "Q2", "Q3", "Q4"),
        (1 / 4, 1 / 2, 3 / 4),
        False,
        "four groups at the quartiles; HR of Q4 vs Q1 in the 4-group model",
        ("quartiles",),
    ),
    CutRule("top_tertile", ("rest", "top"), (2 / 3,), False, "top third vs the rest"),
    CutRule("top_quartile", ("rest", "top"), (3 / 4,), False, "top quarter vs the rest"),
    CutRule(
        "optimal",
        ("low", "high"),
        (),
        True,
        "maximally selected log-rank cut (maxstat); optimistic, p adjusted for selection",
        ("maxstat",),
    ),
)

#: The rules by name, in the order help texts list them.
CUT_RULES: Mapping[str, CutRule] = MappingProxyType({rule.name: rule for rule in _RULES})
#: Their names (``median``, ``tertile``, ... ``optimal``).
RULE_NAMES: tuple[str, ...] = tuple(CUT_RULES)
#: The rules whose cuts are quantiles of the score (may be taken within strata).
QUANTILE_RULES: tuple[str, ...] = tuple(r.name for r in _RULES if r.within_strata)
#: The cuts reported beside a per-SD hazard ratio (``reproduce``'s cut rows).
SECONDARY_CUTS: tuple[str, ...] = ("median", "tertile", "optimal")
#: Other spellings accepted on input, to their rule's name.
ALIASES: Mapping[str, str] = MappingProxyType(
    {alias: rule.name for rule in _RULES for alias in rule.aliases}
)


def top_vs_bottom_fit(
    time: Any,
    event: Any,
    labels: Any,
    levels: tuple[str, ...] | list[str],
    *,
    strata: Any = None,
    ties: str = "efron",
) -> tuple[CoxResult, str]:
    """The grouped Cox model on all patients, and the term of its top vs bottom group.

    One factor ``group`` with ``levels`` (the first is the reference) on every patient,
    so the top-vs-bottom HR of tertiles is ``T3`` in the 3-group model (see the module
    notes for why it is not a refit without ``T2``).

    Returns
    -------
    tuple
        ``(fit, term)``: the :class:`~sigsurv.survival.cox.CoxResult` and the row of
        its summary holding the top group's coefficient.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=90)
    >>> time, event = rng.exponential(np.exp(-x)), np.ones(90)
    >>> labels = np.where(x < -0.4, "T1", np.where(x < 0.4, "T2", "T3"))
    >>> fit, term = top_vs_bottom_fit(time, event, labels, ("T1", "T2", "T3"))
    >>> term, fit.summary.index.tolist()
    ('groupT3', ['groupT2', 'groupT3'])
    """
    levels = list(levels)
    group = pd.Categorical(np.asarray(labels, dtype=object), categories=levels)
    fit = cox_fit(
        time,
        event,
        pd.DataFrame({"group": group}),
        ties=ties,
        strata=strata,
        reference_levels={"group": levels[0]},
    )
    return fit, f"group{levels[-1]}"
