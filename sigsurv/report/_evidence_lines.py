"""The evidence beside a test's verdict, in words: follow-up, multiplicity, power,
adjusted HRs and the optimal cut's cross-validated HR.
"""

from __future__ import annotations

from typing import Any

from sigsurv.plots._text import p_text
from sigsurv.report._words import _number, hr_text, reason_in_words

__all__ = ["evidence_lines"]


def _p_cell(value: Any) -> str:
    number = _number(value)
    return "" if number is None else p_text(number)


def _adjusted_line(name: str, model: Any) -> dict[str, str] | None:
    """One adjusted model in words: HR (CI), p, LRT p, ΔC, n/events, its warning."""
    if not isinstance(model, dict):
        return None
    covariates = ", ".join(str(c) for c in model.get("covariates") or [])
    label = f"adjusted for {name}" + (f" ({covariates})" if covariates else "")
    parts = []
    hr = hr_text(model)
    parts.append(f"HR per SD {hr}" if hr else "HR not estimable")
    if _number(model.get("p_wald")) is not None:
        parts.append(f"p {_p_cell(model.get('p_wald'))}")
    lrt = model.get("lrt")
    if isinstance(lrt, dict) and _number(lrt.get("p")) is not None:
        parts.append(f"LRT p {_p_cell(lrt.get('p'))}")
    if _number(model.get("delta_c")) is not None:
        parts.append(f"ΔC {float(model['delta_c']):+.3f}")
    if model.get("n") is not None:
        parts.append(f"n = {model['n']}, {model.get('events', '?')} events")
    if model.get("reason") or model.get("not_computed"):
        parts = [f"not computed: {reason_in_words(model.get('reason') or model['not_computed'])}"]
    return {"label": label, "text": ", ".join(parts), "warning": str(model.get("warning") or "")}


def _optimal_cut_line(cut_rows: Any) -> dict[str, str] | None:
    """The optimal cut's naive HR beside its cross-validated HR."""
    for row in cut_rows or []:
        if not isinstance(row, dict) or row.get("cut") != "optimal":
            continue
        text = f"naive HR {row.get('comparison', '')} {hr_text(row)} (optimistic)"
        corrected = row.get("corrected")
        if isinstance(corrected, dict) and hr_text(corrected):
            text += f"; cross-validated HR {hr_text(corrected)}"
            if corrected.get("method"):
                text += f" ({corrected['method']})"
        return {"label": "optimal cut", "text": text, "warning": ""}
    return None


def evidence_lines(test: dict[str, Any]) -> list[dict[str, str]]:
    """The evidence beside a test's verdict, as ``label, text, warning`` lines.

    Median follow-up, Holm and Benjamini–Hochberg p, power, every adjusted HR (with
    its LRT p and ΔC, and its instability warning shown, not instead of the number)
    and the cross-validated HR of an optimal cut: whatever ``results.json`` holds;
    absent fields are left out.

    Examples
    --------
    >>> lines = evidence_lines({"median_follow_up": 24.0, "follow_up_unit": "months",
    ...     "p_holm": 0.2, "q_bh": 0.19, "adjusted": {"clinical": {"hr": 1.2, "ci_lower": 0.8,
    ...     "ci_upper": 1.9, "p_wald": 0.44, "lrt": {"p": 0.44}, "delta_c": 0.001,
    ...     "covariates": ["age"], "warning": "unstable"}}})
    >>> [line["label"] for line in lines]
    ['follow-up and multiplicity', 'adjusted for clinical (age)']
    >>> lines[1]["text"]
    'HR per SD 1.20 (0.80–1.90), p 0.44, LRT p 0.44, ΔC +0.001'
    """
    lines = []
    facts = []
    if _number(test.get("median_follow_up")) is not None:
        unit = test.get("follow_up_unit") or (test.get("estimate") or {}).get("unit") or ""
        facts.append(f"median follow-up {float(test['median_follow_up']):.3g} {unit}".strip())
    if _number(test.get("p_holm")) is not None:
        facts.append(f"Holm p {_p_cell(test['p_holm'])}")
    if _number(test.get("q_bh")) is not None:
        facts.append(f"Benjamini–Hochberg q {_p_cell(test['q_bh'])}")
    power = test.get("power")
    if isinstance(power, dict) and _number(power.get("power")) is not None:
        target = _number(power.get("target_hr"))
        aim = f" for HR {target:.2f}" if target is not None else ""
        facts.append(f"power {100 * float(power['power']):.0f}%{aim}")
    if facts:
        lines.append(
            {"label": "follow-up and multiplicity", "text": ", ".join(facts), "warning": ""}
        )
    for name, model in (test.get("adjusted") or {}).items():
        line = _adjusted_line(str(name).replace("_", " "), model)
        if line is not None:
            lines.append(line)
    optimal = _optimal_cut_line(test.get("cut_rows"))
    if optimal is not None:
        lines.append(optimal)
    return lines
