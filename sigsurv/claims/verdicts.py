"""Verdicts on published claims, from effect sizes, confidence intervals and power.

Rules (pure functions; numbers in, words out; every verdict word is defined once in
:data:`DEFINITIONS`, which ``results.json`` carries as ``definitions``):

* **Orientation.** A test is judged in the direction the claim predicts *for the score
  tested*: the claim's direction times the score's relation to the claimed quantity
  (``score_relation`` of the signature: a miR-21 *target* score rises when miR-21 falls,
  so a "miR-21 is harmful" claim predicts a protective target score). The HR and its CI
  are then *oriented* so that HR < 1 is that direction. The same orientation sets the
  power target and the random-signature null.

* **Directional claims** (``protective`` / ``harmful``) are judged on the HR per SD of
  the score, in this order:

  1. ``not testable`` — no finite HR with a CI, or no events; the reason is in words;
  2. ``not informative`` — Schoenfeld power below 50% (two-sided alpha 0.05) *on the
     per-SD scale of the deciding test* for the published effect (a dichotomised HR is
     converted to per SD: ``log HR / 1.596`` for a median split of a normal score), or,
     when none is published, for a per-SD HR of 0.67 (protective) or 1.5 (harmful).
     Informativeness depends on the design (events), never on the result; the CI
     reading is kept in :attr:`Verdict.ci_reading`;
  3. ``consistent`` — the CI excludes 1 in the claimed direction (oriented upper < 1);
  4. ``contradicted`` — the CI excludes 1 the other way (oriented lower > 1);
  5. ``effect of the claimed size excluded`` — the CI includes 1 but excludes the
     target HR on the claim's side of 1 (oriented lower > oriented target): evidence
     against an effect as large as claimed, not absence of evidence;
  6. ``inconclusive`` — the CI includes both 1 and the target HR.

* **Null claims** (``expected_direction="none"``) get a four-way reading of the per-SD
  log HR: *different* (the 95% CI excludes 1) and *equivalent* (TOST: the 90% CI lies
  within the margins, HR 0.8–1.25 by default) give ``equivalent``, ``different``,
  ``equivalent and different`` (both: a difference too small to matter) or ``neither
  equivalent nor different``; when no difference was seen and TOST at a true HR of 1
  would have had power below 50% with these events, the row is ``not informative``
  (a design that cannot show equivalence says nothing for a claim of no difference;
  a difference it did show stands); the rule is :mod:`sigsurv.claims.equivalence`.
* **A recomputed published table** gets ``published table recomputed`` with its odds
  ratio (:mod:`sigsurv.claims.summary`): a check of arithmetic, not of the biology.
* ``confounded, not adjusted`` and ``consistent, not better than random signatures``
  are set by :mod:`sigsurv.claims.judge` (the signature names a confounder the
  cohort cannot measure; a consistent score that does not beat matched random gene
  sets, empirical p > 0.05). Every verdict is at nominal two-sided alpha 0.05; the rows
  carry Holm (within claim) and Benjamini–Hochberg (over the run) p beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sigsurv.errors import OptionError, SigsurvInputError
from sigsurv.survival.power import per_sd_from_dichotomised, schoenfeld_power, split_mean_difference

__all__ = [
    "CONFOUNDED",
    "CONSISTENT",
    "CONSISTENT_NOT_BEYOND_NULL",
    "CONTRADICTED",
    "DEFAULT_TARGET_HR",
    "DEFINITIONS",
    "DIFFERENT",
    "DIRECTIONAL_VERDICTS",
    "EFFECT_EXCLUDED",
    "EQUIVALENCE_VERDICTS",
    "EQUIVALENT",
    "EQUIVALENT_AND_DIFFERENT",
    "INCONCLUSIVE",
    "INFORMATIVE_VERDICTS",
    "MIN_POWER",
    "NEITHER",
    "NOT_EQUIVALENT",
    "NOT_INFORMATIVE",
    "NOT_TESTABLE",
    "PUBLISHED_TABLE_RECOMPUTED",
    "VERDICTS",
    "Verdict",
    "combined_direction",
    "fmt_hr",
    "format_p",
    "hr_verdict",
    "not_testable",
    "orient_hr",
    "power_target",
    "reason_from_error",
]

CONSISTENT = "consistent"
CONTRADICTED = "contradicted"
EFFECT_EXCLUDED = "effect of the claimed size excluded"
INCONCLUSIVE = "inconclusive"
NOT_INFORMATIVE = "not informative"
NOT_TESTABLE = "not testable"
CONFOUNDED = "confounded, not adjusted"
CONSISTENT_NOT_BEYOND_NULL = "consistent, not better than random signatures"
EQUIVALENT = "equivalent"
DIFFERENT = "different"
EQUIVALENT_AND_DIFFERENT = "equivalent and different"
NEITHER = "neither equivalent nor different"
#: Former name of a null claim's CI entirely outside the margins (now ``different``).
NOT_EQUIVALENT = DIFFERENT
PUBLISHED_TABLE_RECOMPUTED = "published table recomputed"

DIRECTIONAL_VERDICTS = (
    CONSISTENT,
    CONSISTENT_NOT_BEYOND_NULL,
    CONTRADICTED,
    EFFECT_EXCLUDED,
    INCONCLUSIVE,
    CONFOUNDED,
    NOT_INFORMATIVE,
    NOT_TESTABLE,
)
EQUIVALENCE_VERDICTS = (
    EQUIVALENT,
    DIFFERENT,
    EQUIVALENT_AND_DIFFERENT,
    NEITHER,
    NOT_INFORMATIVE,
    NOT_TESTABLE,
)
#: Every verdict a test can receive, in the order results.json and the legend list them.
VERDICTS = (
    *DIRECTIONAL_VERDICTS,
    EQUIVALENT,
    DIFFERENT,
    EQUIVALENT_AND_DIFFERENT,
    NEITHER,
    PUBLISHED_TABLE_RECOMPUTED,
)
#: Verdicts of a test that could have shown the claim (design power >= 50%).
INFORMATIVE_VERDICTS = (
    CONSISTENT,
    CONSISTENT_NOT_BEYOND_NULL,
    CONTRADICTED,
    EFFECT_EXCLUDED,
    INCONCLUSIVE,
    CONFOUNDED,
    EQUIVALENT,
    DIFFERENT,
    EQUIVALENT_AND_DIFFERENT,
    NEITHER,
)
#: Per-SD HR whose power decides informativeness when no effect is published.
DEFAULT_TARGET_HR = {"protective": 0.67, "harmful": 1.5}
MIN_POWER = 0.5
_DIRECTIONS = ("protective", "harmful", "none")

#: One legend for every verdict (``definitions`` of ``results.json``, the report, the docs).
DEFINITIONS: dict[str, str] = {
    CONSISTENT: "the 95% CI of the oriented per-SD HR excludes 1 in the direction the "
    "claim predicts for this score",
    CONSISTENT_NOT_BEYOND_NULL: "consistent, but the score does not beat matched random "
    "gene sets on the same patients (empirical p > 0.05)",
    CONTRADICTED: "the 95% CI excludes 1 in the direction opposite to the claim",
    EFFECT_EXCLUDED: "the 95% CI includes 1 but excludes the target HR (published, "
    "converted to per SD, or conventional 0.67 / 1.5) on the claim's side of 1: an "
    "effect as large as claimed is ruled out",
    INCONCLUSIVE: "the 95% CI includes both 1 and the target HR",
    CONFOUNDED: "the signature names a confounder (e.g. ER status for luminal-gene "
    "proxies) that this cohort cannot measure: the CI reading is kept in ci_reading "
    "but is not a verdict on the claim",
    NOT_INFORMATIVE: "power below 50% (Schoenfeld, per-SD scale, two-sided alpha 0.05) "
    "for the target HR with this many events, or, for a claim of no difference, TOST "
    "power below 50% at HR 1; the CI reading is kept in ci_reading",
    NOT_TESTABLE: "the cohort cannot test the claim (no matching endpoint or population, "
    "signature not scorable, no events); the reason says which",
    EQUIVALENT: "claim of no difference: the 90% CI lies within the equivalence margins "
    "(TOST) and the 95% CI includes 1",
    DIFFERENT: "claim of no difference: the 95% CI excludes 1 and is not within the "
    "margins (evidence against the claim)",
    EQUIVALENT_AND_DIFFERENT: "claim of no difference: the 95% CI excludes 1 but the 90% "
    "CI lies within the margins (a difference too small to matter)",
    NEITHER: "claim of no difference: the 95% CI includes 1 and the 90% CI is not within "
    "the margins, with TOST power of at least 50%",
    PUBLISHED_TABLE_RECOMPUTED: "the authors' own 2 x 2 counts recomputed (odds ratio, "
    "Fisher's exact test): a check of arithmetic, not a test on new patients",
    "alpha": "every verdict uses nominal two-sided alpha 0.05 per test; Holm-adjusted p "
    "(within a claim) and Benjamini–Hochberg q (over the run's distinct tests) are given "
    "beside it, not used in it",
    "orientation": "oriented HR = HR per SD of the score, inverted when the claim's "
    "direction times the score's relation to the claimed quantity is harmful, so that an "
    "oriented HR below 1 always supports the claim",
}


def combined_direction(claim_direction: str, score_relation: str = "same") -> str:
    """The direction a claim predicts for a score related to the claimed quantity.

    Parameters
    ----------
    claim_direction
        ``protective``, ``harmful`` or ``none`` (the claim's, for the claimed quantity).
    score_relation
        ``same`` (the score rises with the claimed quantity) or ``inverse`` (it falls,
        e.g. the targets of a miRNA).

    Examples
    --------
    >>> combined_direction("harmful", "inverse"), combined_direction("harmful", "same")
    ('protective', 'harmful')
    """
    _check_direction(claim_direction)
    if score_relation not in ("same", "inverse"):
        raise OptionError("unknown score relation", expected="same | inverse", found=score_relation)
    if score_relation == "same" or claim_direction == "none":
        return claim_direction
    return "protective" if claim_direction == "harmful" else "harmful"


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


def fmt_hr(value: float) -> str:
    """A hazard ratio in words: two decimals.

    Examples
    --------
    >>> fmt_hr(0.4567)
    '0.46'
    """
    return f"{value:.2f}"


def power_target(
    expected_direction: str, published_hr: float | None, published_proportion: float | None
) -> tuple[float, str, str]:
    """The per-SD target HR of the power calculation, its source and its words.

    A published HR between two groups (``published_proportion`` in one group) is
    converted to per SD (:func:`~sigsurv.survival.power.per_sd_from_dichotomised`:
    ``log HR / 1.596`` for a median split, assuming a normal score and a log-linear
    hazard), because the deciding test is the per-SD Cox test.

    Examples
    --------
    >>> target, source, words = power_target("protective", 0.41, 0.5)
    >>> round(target, 3), source
    (0.572, 'published')
    >>> print(words)
    the published HR 0.41 (50/50 split) as per-SD HR 0.57 (log HR / 1.596; normal score)
    """
    if published_hr is not None:
        if published_proportion is None:
            return published_hr, "published", f"the published per-SD HR {fmt_hr(published_hr)}"
        per_sd = per_sd_from_dichotomised(published_hr, published_proportion)
        split = f"{100 * published_proportion:.0f}/{100 * (1 - published_proportion):.0f}"
        factor = split_mean_difference(published_proportion)
        words = (
            f"the published HR {fmt_hr(published_hr)} ({split} split) as per-SD HR "
            f"{fmt_hr(per_sd)} (log HR / {factor:.3f}; normal score)"
        )
        return per_sd, "published", words
    target = DEFAULT_TARGET_HR[expected_direction]
    words = f"a per-SD HR of {target} (no published effect; conventional target)"
    return target, "conventional", words


def _ci_reading(oriented_lower: float, oriented_upper: float, oriented_target: float) -> str:
    if oriented_upper < 1:
        return CONSISTENT
    if oriented_lower > 1:
        return CONTRADICTED
    if oriented_lower > oriented_target:
        return EFFECT_EXCLUDED
    return INCONCLUSIVE


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
        ``"protective"`` or ``"harmful"``: what the claim predicts for *this score*
        (:func:`combined_direction` of the claim and the score's relation).
    published_hr
        The published HR in the same orientation, if any; ``None`` uses the conventional
        per-SD target 0.67 (protective) or 1.5 (harmful).
    published_proportion
        Fraction of patients in one group for a published HR between two groups (0.5 for
        a median split; converted to per SD); ``None`` when it is itself per SD.
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
    >>> hr_verdict(0.6, 0.2, 1.8, events=10, expected_direction="protective",
    ...            published_hr=0.41).verdict
    'not informative'
    >>> hr_verdict(1.15, 0.98, 1.35, events=134, expected_direction="protective").verdict
    'effect of the claimed size excluded'
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
    target, source, target_words = power_target(
        expected_direction, published_hr, published_proportion
    )
    power = schoenfeld_power(events, target, alpha=alpha)
    _, oriented_lower, oriented_upper = orient_hr(hr, lower, upper, expected_direction)
    oriented_target = orient_hr(target, target, target, expected_direction)[0]
    reading = _ci_reading(oriented_lower, oriented_upper, oriented_target)
    estimate = f"per-SD HR {fmt_hr(hr)} ({fmt_hr(lower)}–{fmt_hr(upper)})"
    power_words = f"power {100 * power:.0f}% for {target_words} with {events} events"
    if power < MIN_POWER:
        reason = f"{power_words}, below {100 * MIN_POWER:.0f}%; {estimate}"
        return Verdict(NOT_INFORMATIVE, reason, reading, power, target, source)
    claimed = "lower" if expected_direction == "protective" else "higher"
    reason = {
        CONSISTENT: f"{estimate} excludes 1: {claimed} risk with a higher score, as claimed",
        CONTRADICTED: f"{estimate} excludes 1 in the direction opposite to the claim",
        EFFECT_EXCLUDED: f"{estimate} includes 1 but excludes the target per-SD HR "
        f"{fmt_hr(target)}: an effect of the claimed size is ruled out",
        INCONCLUSIVE: f"{estimate} includes 1 and the target per-SD HR {fmt_hr(target)}",
    }[reading]
    return Verdict(reading, f"{reason}; {power_words}", None, power, target, source)
