"""What enters the scores: non-tumour samples and per-gene standardised input.

Issue 20 item 7. Normal tissue (GSE42568's 17 normals, TCGA ``-11`` barcodes) and
cell lines (GSE2603's 22 MDA-MB-231 derivatives) are not patients' tumours: they would
enter every gene's z-scores and the survival models. They are found from a sample-type
or tissue field and from TCGA barcodes, excluded by default and reported.

An expression matrix whose every gene already has mean 0 was standardised per gene
before sigsurv saw it: the ``max_mean`` probe collapse would then pick probes by
rounding noise, so it is detected, reported, and the collapse uses a stated rule.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sigsurv.errors import OptionError

__all__ = [
    "NON_TUMOUR_RULES",
    "is_standardised_per_gene",
    "non_tumour_samples",
    "split_non_tumour",
]

NON_TUMOUR_RULES = ("exclude", "keep")

# Clinical fields that say what a sample is (names compared lower case, punctuation as
# spaces, GEO's ``:ch1`` suffix dropped).
_KIND_FIELDS = frozenset(
    {
        "sample type",
        "sample type id",
        "tissue",
        "tissue type",
        "tissue source",
        "cell type",
        "source name",
        "specimen type",
        "tumor normal",
        "tumour normal",
        "disease state",
    }
)
# Values that name a non-tumour sample; "tumor adjacent normal" is normal tissue, but
# "Normal-like" is a PAM50 tumour subtype.
_NON_TUMOUR_VALUE = re.compile(
    r"\bnormal\b(?![- ]?like)|\bhealthy\b|\bnon[- ]?tumou?r|\bcell[ _-]?lines?\b"
    r"|\bMDA-MB-\d+|\bMCF-?7\b|\bT-?47D\b|\bSK-BR-?3\b|\bBT-?474\b",
    re.IGNORECASE,
)
_TCGA_SAMPLE = re.compile(r"^TCGA[-.][A-Z0-9]{2}[-.][A-Z0-9]{4}[-.](\d{2})", re.IGNORECASE)


def _field_key(name: object) -> str:
    text = re.sub(r":ch\d+$", "", str(name).strip(), flags=re.IGNORECASE)
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def non_tumour_samples(clinical: pd.DataFrame) -> dict[str, str]:
    """Samples that are not a patient's tumour, each with the reason.

    Read from a sample-type/tissue field (``normal``, ``healthy``, ``cell line``,
    common breast cancer cell line names; not "Normal-like", a tumour subtype) and from
    TCGA sample barcodes (type codes 10-19 are normal tissue or blood, 50-59 cell
    lines).

    Examples
    --------
    >>> clinical = pd.DataFrame({"tissue type": ["breast tumor", "cell line: MDA-MB-231", None]},
    ...                         index=["GSM1", "GSM2", "TCGA-A1-A0SB-11A"])
    >>> reasons = non_tumour_samples(clinical)
    >>> reasons["GSM2"], reasons["TCGA-A1-A0SB-11A"]
    ("tissue type = 'cell line: MDA-MB-231'", 'TCGA sample type 11 (normal)')
    """
    reasons: dict[str, str] = {}
    fields = [c for c in clinical.columns if _field_key(c) in _KIND_FIELDS]
    for column in fields:
        values = clinical[column]
        for sample, value in values.items():
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            if _NON_TUMOUR_VALUE.search(str(value)) and str(sample) not in reasons:
                reasons[str(sample)] = f"{column} = {str(value)!r}"
    for sample in map(str, clinical.index):
        match = _TCGA_SAMPLE.match(sample)
        code = int(match.group(1)) if match else 0
        if (10 <= code <= 19 or 50 <= code <= 59) and sample not in reasons:
            kind = "normal" if code < 20 else "cell line"
            reasons[sample] = f"TCGA sample type {match.group(1) if match else ''} ({kind})"
    return reasons


def split_non_tumour(
    expression: pd.DataFrame, clinical: pd.DataFrame, rule: str = "exclude"
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Exclude (default) or keep the non-tumour samples, saying which and why.

    Examples
    --------
    >>> expression = pd.DataFrame([[1.0, 2.0, 3.0]], index=["ESR1"], columns=["a", "b", "c"])
    >>> clinical = pd.DataFrame({"sample_type": ["Primary", "Normal", "Primary"]},
    ...                         index=["a", "b", "c"])
    >>> expression, clinical, notes = split_non_tumour(expression, clinical)
    >>> expression.columns.tolist(), notes[0][:60]
    (['a', 'c'], '1 non-tumour sample excluded from scoring and analysis (samp')
    """
    if rule not in NON_TUMOUR_RULES:
        raise OptionError(
            "unknown non-tumour rule", expected=" | ".join(NON_TUMOUR_RULES), found=rule
        )
    reasons = non_tumour_samples(clinical)
    if not reasons:
        return expression, clinical, []
    counts: dict[str, int] = {}
    for reason in reasons.values():
        counts[reason] = counts.get(reason, 0) + 1
    shown = "; ".join(f"{r} x{n}" for r, n in list(counts.items())[:4])
    more = f"; {len(counts) - 4} more reasons" if len(counts) > 4 else ""
    n = len(reasons)
    plural = "s" if n != 1 else ""
    if rule == "keep":
        note = (
            f"{n} non-tumour sample{plural} kept as asked ({shown}{more}); they enter "
            "the gene z-scores and the analyses"
        )
        return expression, clinical, [note]
    keep = ~clinical.index.astype(str).isin(list(reasons))
    if not keep.any():
        raise OptionError(
            "every sample is a non-tumour sample",
            found=shown,
            hint="keep them with non_tumour='keep' (--keep-non-tumour) if this is intended",
        )
    note = (
        f"{n} non-tumour sample{plural} excluded from scoring and analysis ({shown}{more}); "
        "--keep-non-tumour (non_tumour='keep') keeps them"
    )
    return expression.loc[:, keep], clinical.loc[keep], [note]


def is_standardised_per_gene(expression: pd.DataFrame, *, tolerance: float = 1e-3) -> bool:
    """True when every gene (with two or more values) has mean ~0: standardised input.

    "~0" is within ``tolerance`` standard deviations of 0, so that z-scores written
    with a few decimals (rounding moves their mean) are recognised; mean-centred input
    counts too (its probe means are just as uninformative).

    Examples
    --------
    >>> z = pd.DataFrame([[-1.0, 0.0, 1.0], [0.5, -0.5, 0.0]], index=["A", "B"])
    >>> is_standardised_per_gene(z), is_standardised_per_gene(z + 8)
    (True, False)
    """
    values = expression.to_numpy(dtype=float)
    counts = np.sum(np.isfinite(values), axis=1)
    rows = values[counts >= 2]
    if rows.shape[0] == 0:
        return False
    with np.errstate(invalid="ignore"):
        means = np.nanmean(rows, axis=1)
        scale = np.nanstd(rows, axis=1)
    varying = scale > 0  # constant genes say nothing about how the input was scaled
    if varying.sum() < 2:
        return False
    return bool(np.all(np.abs(means[varying]) <= tolerance * scale[varying]))


STANDARDISED_NOTE = "input standardised per gene (every gene mean ~0)"


def collapse_rule_for(expression: pd.DataFrame, collapse: str) -> tuple[str, str | None]:
    """The duplicate-collapse rule to use, and a note when standardised input changes it.

    On per-gene standardised input every probe has mean 0 (and often variance 1): the
    probe with the highest mean or variance *before* standardisation cannot be known,
    so ``max_mean``/``max_var`` would choose by rounding noise. Duplicates are then
    averaged (``mean``), and the note says so.

    Examples
    --------
    >>> z = pd.DataFrame([[-1.0, 0.0, 1.0], [0.5, -0.5, 0.0]], index=["A", "A"])
    >>> collapse_rule_for(z, "max_mean")[0], collapse_rule_for(z + 3, "max_mean")
    ('mean', ('max_mean', None))
    """
    if not is_standardised_per_gene(expression):
        return collapse, None
    if collapse == "mean":
        return collapse, f"{STANDARDISED_NOTE}; duplicated identifiers averaged (collapse 'mean')"
    return "mean", (
        f"{STANDARDISED_NOTE}: the probe with the highest mean or variance before "
        f"standardisation cannot be known from it, so collapse {collapse!r} would choose by "
        "rounding noise; duplicated identifiers are averaged instead (collapse 'mean')"
    )
