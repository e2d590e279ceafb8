"""Verdicts on published claims, from effect sizes, confidence intervals and power.

Rules (pure functions; numbers in, words out):

* **Directional claims** (a higher score is ``protective`` or ``harmful``) are judged on
  the continuous hazard ratio per SD of the score. The HR and its CI are first *oriented*
  so that HR < 1 is the claim's direction (a harmful claim's HR is inverted). Then, in
  this order:

  1. ``not testable`` — no finite HR with a CI, or no events; the reason is in words;
  2. ``not informative`` — Schoenfeld power below 50% (two-sided alpha 0.05) for the
     published effect, or, when none is published, for a per-SD HR of 0.67 (protective)
     or 1.5 (harmful); the reason says which target was used. Informativeness depends on
     the design (events), never on the result, so the verdict is the same whichever way
     the CI falls; the CI reading is kept in :attr:`Verdict.ci_reading`;
  3. ``consistent`` — the CI excludes 1 in the claimed direction (oriented upper < 1);
  4. ``contradicted`` — the CI excludes 1 the other way (oriented lower > 1);
  5. ``inconclusive`` — the CI includes 1.

* **Null claims** (``expected_direction="none"``) use TOST equivalence on the log HR
  (margins HR 0.8–1.25 by default): ``equivalent`` (the 90% CI lies within the margins),
  ``not equivalent`` (it lies entirely outside them), else ``inconclusive``.
* **A recomputed published table** gets ``published table recomputed`` with its odds
  ratio: recomputing the authors' own counts is a check of arithmetic, never a verdict on
  the biology.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sigsurv.errors import OptionError, SigsurvInputError
from sigsurv.survival.meta import MetaAnalysisResult
from sigsurv.survival.power import schoenfeld_power, tost_log_hr

__all__ = [
    "CONSISTENT",
    "CONTRADICTED",
    "DEFAULT_TARGET_HR",
    "DIRECTIONAL_VERDICTS",
    "EQUIVALENCE_VERDICTS",
    "EQUIVALENT",
    "INCONCLUSIVE",
    "INFORMATIVE_VERDICTS",
    "MIN_POWER",
    "NOT_EQUIVALENT",
    "NOT_INFORMATIVE",
    "NOT_TESTABLE",
    "PUBLISHED_TABLE_RECOMPUTED",
    "Verdict",
    "claim_summary",
    "equivalence_verdict",
    "format_p",
    "hr_verdict",
    "not_testable",
    "orient_hr",
    "published_table_verdict",
    "reason_from_error",
]

CONSISTENT = "consistent"
CONTRADICTED = "contradicted"
INCONCLUSIVE = "inconclusive"
NOT_INFORMATIVE = "not informative"
NOT_TESTABLE = "not testable"
EQUIVALENT = "equivalent"
NOT_EQUIVALENT = "not equivalent"
PUBLISHED_TABLE_RECOMPUTED = "published table recomputed"

DIRECTIONAL_VERDICTS = (CONSISTENT, CONTRADICTED, INCONCLUSIVE, NOT_INFORMATIVE, NOT_TESTABLE)
EQUIVALENCE_VERDICTS = (EQUIVALENT, NOT_EQUIVALENT, INCONCLUSIVE, NOT_TESTABLE)
INFORMATIVE_VERDICTS = (CONSISTENT, CONTRADICTED, INCONCLUSIVE)
#: Per-SD HR whose power decides informativeness when no effect is published.
DEFAULT_TARGET_HR = {"protective": 0.67, "harmful": 1.5}
MIN_POWER = 0.5
_DIRECTIONS = ("protective", "harmful", "none")


@dataclass(frozen=True)
class Verdict:
    """A verdict with its reason in words.

    Attributes
    ----------
    verdict
        One of the verdict constants of this module.
    reason
        Why, in words (numbers included).
    ci_reading
        What the CI alone says (``consistent``, ``contradicted``, ``inconclusive``), kept
        when the verdict is ``not informative``; ``None`` otherwise.
    power, target_hr, target_source
        Power for ``target_hr``, and ``"published"`` or ``"conventional"`` (directional
        claims only).

    Examples
    --------
    >>> not_testable("no ER status in this cohort").to_dict()["verdict"]
    'not testable'
    """

    verdict: str
    reason: str
    ci_reading: str | None = None
    power: float | None = None
    target_hr: float | None = None
    target_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "ci_reading": self.ci_reading,
            "power": self.power,
            "target_hr": self.target_hr,
            "target_source": self.target_source,
        }


def format_p(p: float | None) -> str:
    """A p-value with two significant digits, or ``"< 0.001"``.

    Decimal half-up rounding of the shortest representation of ``p``, so 0.0535 gives
    0.054 (binary floating point would give 0.053).

    Parameters
    ----------
    p
        p-value in [0, 1]; ``None`` or NaN gives ``"NA"``.

    Returns
    -------
    str

    Raises
    ------
    SigsurvInputError
        ``p`` outside [0, 1].

    Examples
    --------
    >>> [format_p(p) for p in (0.0535, 0.05, 0.5, 0.00123, 0.0009, 0.99971, None)]
    ['0.054', '0.050', '0.50', '0.0012', '< 0.001', '1.0', 'NA']
    """
    if p is None or math.isnan(p):
        return "NA"
    if not 0.0 <= p <= 1.0:
        raise SigsurvInputError("p-value outside [0, 1]", found=p)
    if p < 0.001:
        return "< 0.001"
    value = Decimal(repr(float(p)))
    exponent = value.adjusted() - 1  # keep two significant digits
    rounded = value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    if rounded.adjusted() > value.adjusted():  # 0.0995 -> 0.10: still two digits
        rounded = rounded.quantize(Decimal(1).scaleb(exponent + 1))
    return f"{rounded:f}"


def orient_hr(
    hr: float, lower: float, upper: float, expected_direction: str
) -> tuple[float, float, float]:
    """HR and CI oriented so that HR < 1 is the claim's direction.

    Parameters
    ----------
    hr, lower, upper
        HR per unit (SD) of the score and its CI, as fitted.
    expected_direction
        ``"protective"`` (kept), ``"harmful"`` (inverted) or ``"none"`` (kept).

    Returns
    -------
    tuple of float
        ``(hr, lower, upper)`` oriented.

    Examples
    --------
    >>> orient_hr(2.0, 1.25, 4.0, "harmful")
    (0.5, 0.25, 0.8)
    """
    _check_direction(expected_direction)
    if expected_direction == "harmful":
        return 1.0 / hr, 1.0 / upper, 1.0 / lower
    return hr, lower, upper


def _check_direction(expected_direction: str) -> None:
    if expected_direction not in _DIRECTIONS:
        raise OptionError(
            "unknown claim direction", expected=" | ".join(_DIRECTIONS), found=expected_direction
        )


def not_testable(reason: str) -> Verdict:
    """The ``not testable`` verdict with its reason in words.

    Examples
    --------
    >>> not_testable("fewer than 2 patients in the ER- subgroup").reason
    'fewer than 2 patients in the ER- subgroup'
    """
    if not reason.strip():
        raise SigsurvInputError("a not-testable verdict needs its reason")
    return Verdict(NOT_TESTABLE, reason)


def reason_from_error(error: SigsurvInputError) -> str:
    """The words of a sigsurv error for a ``not testable`` reason (no class name).

    Examples
    --------
    >>> from sigsurv.errors import AnalysisError
    >>> reason_from_error(AnalysisError("no events in the subgroup", found=0))
    'no events in the subgroup (found 0)'
    """
    words = error.message
    if error.expected is not None:
        words += f" (expected {error.expected}"
        words += f", found {error.found})" if error.found is not None else ")"
    elif error.found is not None:
        words += f" (found {error.found})"
    return words


def _positive_finite(*values: float) -> bool:
    return all(math.isfinite(v) and v > 0 for v in values)


def _fmt_hr(value: float) -> str:
    return f"{value:.2f}"


def _power_target(
    expected_direction: str, published_hr: float | None, published_proportion: float | None
) -> tuple[float, str, str, float | None]:
    """(target HR, source, words, group proportion or None for per SD)."""
    if published_hr is not None:
        if published_proportion is None:
            return (
                published_hr,
                "published",
                f"the published per-SD HR {_fmt_hr(published_hr)}",
                None,
            )
        split = f"{100 * published_proportion:.0f}/{100 * (1 - published_proportion):.0f}"
        words = f"the published HR {_fmt_hr(published_hr)} ({split} split)"
        return published_hr, "published", words, published_proportion
    target = DEFAULT_TARGET_HR[expected_direction]
    words = f"a per-SD HR of {target} (no published effect; conventional target)"
    return target, "conventional", words, None


def hr_verdict(
    hr: float | None,
    lower: float | None,
    upper: float | None,
    *,
    events: int,
    expected_direction: str,
    published_hr: float | None = None,
    published_proportion: float | None = 0.5,
    alpha: float = 0.05,
) -> Verdict:
    """Verdict of one test of a directional claim from the per-SD HR and its CI.

    Parameters
    ----------
    hr, lower, upper
        HR per SD of the score (higher score vs lower) and its ``1 - alpha`` CI, as fitted
        (not oriented); ``None`` or non-finite when the model could not be fitted.
    events
        Number of events in the test.
    expected_direction
        ``"protective"`` or ``"harmful"`` (a higher score lowers / raises the hazard).
    published_hr
        The published HR, if any, used for the power; ``None`` uses the conventional
        per-SD target 0.67 (protective) or 1.5 (harmful).
    published_proportion
        Fraction of patients in one group for a published HR between two groups (0.5 for
        a median split); ``None`` when the published HR is itself per SD.
    alpha
        Two-sided level of the power calculation (the CI must match it).

    Returns
    -------
    Verdict

    Examples
    --------
    >>> v = hr_verdict(0.70, 0.55, 0.89, events=120, expected_direction="protective")
    >>> v.verdict, round(v.power, 2)
    ('consistent', 0.99)
    >>> hr_verdict(0.6, 0.2, 1.8, events=13, expected_direction="protective",
    ...            published_hr=0.41).verdict
    'not informative'
    """
    if expected_direction not in DEFAULT_TARGET_HR:
        _check_direction(expected_direction)
        raise OptionError(
            "a directional verdict needs a protective or harmful claim",
            hint="use equivalence_verdict for a claim of no association",
            found=expected_direction,
        )
    if hr is None or lower is None or upper is None or not _positive_finite(hr, lower, upper):
        return not_testable("the Cox model gave no finite hazard ratio with a confidence interval")
    if events <= 0:
        return not_testable("no events")
    target, source, target_words, proportion = _power_target(
        expected_direction, published_hr, published_proportion
    )
    power = schoenfeld_power(events, target, proportion=proportion, alpha=alpha)
    _, oriented_lower, oriented_upper = orient_hr(hr, lower, upper, expected_direction)
    if oriented_upper < 1:
        reading = CONSISTENT
    elif oriented_lower > 1:
        reading = CONTRADICTED
    else:
        reading = INCONCLUSIVE
    estimate = f"per-SD HR {_fmt_hr(hr)} ({_fmt_hr(lower)}–{_fmt_hr(upper)})"
    power_words = f"power {100 * power:.0f}% for {target_words} with {events} events"
    if power < MIN_POWER:
        reason = f"{power_words}, below {100 * MIN_POWER:.0f}%; {estimate}"
        return Verdict(NOT_INFORMATIVE, reason, reading, power, target, source)
    claimed = "lower" if expected_direction == "protective" else "higher"
    reason = {
        CONSISTENT: f"{estimate} excludes 1: {claimed} risk with a higher score, as claimed",
        CONTRADICTED: f"{estimate} excludes 1 in the direction opposite to the claim",
        INCONCLUSIVE: f"{estimate} includes 1",
    }[reading]
    return Verdict(reading, f"{reason}; {power_words}", None, power, target, source)


def equivalence_verdict(
    log_hr: float | None,
    se: float | None,
    *,
    margins: tuple[float, float] = (0.8, 1.25),
    alpha: float = 0.05,
) -> Verdict:
    """Verdict of one test of a null claim (no association) by TOST equivalence.

    Parameters
    ----------
    log_hr, se
        Per-SD log HR and its standard error; ``None`` or non-finite when not fitted.
    margins
        Equivalence margins on the HR scale.
    alpha
        Level of each one-sided test (the CI shown is ``1 - 2 alpha``).

    Returns
    -------
    Verdict
        ``equivalent``, ``not equivalent``, ``inconclusive`` or ``not testable``.

    Examples
    --------
    >>> equivalence_verdict(0.02, 0.05).verdict
    'equivalent'
    >>> equivalence_verdict(0.9, 0.1).verdict
    'not equivalent'
    >>> equivalence_verdict(0.1, 0.3).verdict
    'inconclusive'
    """
    if (
        log_hr is None
        or se is None
        or not math.isfinite(log_hr)
        or not math.isfinite(se)
        or se <= 0
    ):
        return not_testable("the Cox model gave no finite log hazard ratio with a standard error")
    tost = tost_log_hr(log_hr, se, margins=margins, alpha=alpha)
    level = f"{100 * (1 - 2 * alpha):.0f}%"
    bounds = f"{_fmt_hr(tost.ci_lower)}–{_fmt_hr(tost.ci_upper)}"
    ci = f"per-SD HR {_fmt_hr(tost.hr)} ({level} CI {bounds})"
    band = f"{tost.margin_lower:g}–{tost.margin_upper:g}"
    if tost.equivalent:
        return Verdict(
            EQUIVALENT, f"{ci} within the equivalence margins {band}; TOST p {format_p(tost.p)}"
        )
    if tost.not_equivalent:
        return Verdict(NOT_EQUIVALENT, f"{ci} entirely outside the equivalence margins {band}")
    return Verdict(
        INCONCLUSIVE, f"{ci} overlaps the equivalence margins {band}; TOST p {format_p(tost.p)}"
    )


def published_table_verdict(
    odds_ratio: float, lower: float | None, upper: float | None, p: float | None
) -> Verdict:
    """``published table recomputed``: the authors' own 2 x 2 counts, recomputed.

    Parameters
    ----------
    odds_ratio, lower, upper
        Odds ratio of the published table and its CI (``None`` if not available).
    p
        Its p-value (e.g. Fisher's exact test).

    Returns
    -------
    Verdict
        Always ``published table recomputed``; the reason gives the odds ratio.

    Examples
    --------
    >>> v = published_table_verdict(3.2, 1.1, 9.5, 0.031)
    >>> v.verdict
    'published table recomputed'
    >>> v.reason.split(";")[0]
    'odds ratio 3.20 (95% CI 1.10–9.50), p 0.031, from the published counts'
    """
    ci = "" if lower is None or upper is None else f" (95% CI {_fmt_hr(lower)}–{_fmt_hr(upper)})"
    reason = (
        f"odds ratio {_fmt_hr(odds_ratio)}{ci}, p {format_p(p)}, from the published counts; "
        "not a test on new patients"
    )
    return Verdict(PUBLISHED_TABLE_RECOMPUTED, reason)


def claim_summary(
    verdicts: Sequence[str],
    pooled: MetaAnalysisResult | None = None,
    *,
    pool_label: str = "",
    null_claim: bool = False,
) -> str:
    """One line per claim: ``consistent in k of m informative cohorts; pooled per-SD HR ...``.

    Parameters
    ----------
    verdicts
        The claim's per-cohort verdicts (one test per cohort: the primary one).
        Informative = ``consistent``, ``contradicted`` or ``inconclusive``. For a null
        claim (any ``equivalent`` / ``not equivalent`` verdict) the line counts
        equivalent cohorts among the testable ones.
    pooled
        Meta-analysis of the per-SD log HRs, or ``None``.
    pool_label
        Shown after "pooled per-SD HR" (e.g. the endpoint), if given.
    null_claim
        The claim is of no association: count equivalent cohorts even when none is
        equivalent or not equivalent.

    Returns
    -------
    str

    Examples
    --------
    >>> from sigsurv.survival.meta import meta_analysis
    >>> pool = meta_analysis([-0.6, -0.1, -0.35], [0.1, 0.12, 0.15], method="REML", test="knha")
    >>> print(claim_summary(["consistent", "inconclusive", "not informative"], pool))
    consistent in 1 of 2 informative cohorts; pooled per-SD HR 0.70 (95% CI 0.37–1.32; PI 0.22–2.28)
    """
    if null_claim or any(v in (EQUIVALENT, NOT_EQUIVALENT) for v in verdicts):
        testable = [v for v in verdicts if v != NOT_TESTABLE]
        n_equivalent = sum(v == EQUIVALENT for v in testable)
        head = f"equivalent in {n_equivalent} of {len(testable)} testable cohorts"
    else:
        informative = [v for v in verdicts if v in INFORMATIVE_VERDICTS]
        n_consistent = sum(v == CONSISTENT for v in informative)
        head = f"consistent in {n_consistent} of {len(informative)} informative cohorts"
    if pooled is None:
        return f"{head}; not pooled"
    est = pooled.pooled
    level = f"{100 * pooled.conf_level:g}%"
    if pooled.prediction_lower is None or pooled.prediction_upper is None:
        interval = "PI not estimated (fixed effect)"
    else:
        interval = f"PI {_fmt_hr(pooled.prediction_lower)}–{_fmt_hr(pooled.prediction_upper)}"
    label = f" ({pool_label})" if pool_label else ""
    return (
        f"{head}; pooled per-SD HR{label} {_fmt_hr(est.hr)} "
        f"({level} CI {_fmt_hr(est.lower)}–{_fmt_hr(est.upper)}; {interval})"
    )
