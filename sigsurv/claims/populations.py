"""The population a claim is tested on in a cohort: exact, labelled analogue, or none.

A claim's population can need fields a cohort may lack: a treatment (the miR-21 claim is
about HER2+ patients *treated with trastuzumab*: TCGA's Firehose drug table gives a
``trastuzumab`` yes/no field, METABRIC therapy flags give ``chemotherapy``...) or a
copy-number call (the miR-424/503 claim is about *genetic loss* of the locus: a
cBioPortal discrete CNA profile gives ``cna_MIR424``). :func:`population_for` returns the
exact population when the cohort has the fields, else the analogue the claim record
allows (:class:`~sigsurv.seeds.schema.PopulationMatch`), explicitly labelled, else says
in words why the claim is not testable there. :func:`copy_number_groups` gives the
loss / no-loss groups of a copy-number claim.

Receptor status carries its provenance (:func:`receptor_provenance`): a status called
from mRNA (e.g. ESR1 expression) is not the IHC status a paper's population means, so a
population selected on it is an *analogue* population, labelled as such.
"""

from __future__ import annotations

import pandas as pd

from sigsurv.analysis.spec import combine_subgroups
from sigsurv.cohorts.model import Cohort
from sigsurv.cohorts.subgroup import evaluate_subgroup, parse_subgroup
from sigsurv.seeds.schema import Claim

__all__ = [
    "EXACT",
    "MRNA_DERIVED",
    "copy_number_column",
    "copy_number_groups",
    "population_for",
    "receptor_provenance",
]

EXACT = "exact"
ANALOGUE = "analogue"
MRNA_DERIVED = "mRNA-derived"
IHC = "IHC"
NOT_RECORDED = "not recorded"
#: Receptor-status fields whose provenance matters.
_RECEPTOR_FIELDS = ("er", "er_status", "pgr", "pr", "her2", "her2_status")


def receptor_provenance(cohort: Cohort, column: str) -> str:
    """How a receptor-status field was measured: ``IHC``, ``mRNA-derived`` or ``not recorded``.

    Read from, in order: a clinical column ``<column>_method`` or ``<column>_source``
    (values containing ``mrna`` / ``expression``, or ``ihc`` / ``fish``); a cohort
    attribute ``field_provenance`` mapping the column to such a word; a column whose
    name ends in ``_mrna`` (always mRNA-derived).

    Examples
    --------
    >>> from sigsurv import load_example
    >>> cohort = load_example("gse1992")
    >>> receptor_provenance(cohort, "er")
    'not recorded'
    >>> import dataclasses
    >>> tagged = cohort.clinical.assign(er_method="ESR1 mRNA")
    >>> receptor_provenance(dataclasses.replace(cohort, clinical=tagged), "er")
    'mRNA-derived'
    """
    if column.endswith("_mrna"):
        return MRNA_DERIVED
    words: list[str] = []
    for suffix in ("_method", "_source"):
        name = f"{column}{suffix}"
        if name in cohort.clinical.columns:
            words.extend(str(v).lower() for v in cohort.clinical[name].dropna().unique())
    mapping = getattr(cohort, "field_provenance", None)
    if isinstance(mapping, dict) and column in mapping:
        words.append(str(mapping[column]).lower())
    if any("mrna" in w or "expression" in w for w in words):
        return MRNA_DERIVED
    if any("ihc" in w or "fish" in w or "immuno" in w for w in words):
        return IHC
    return NOT_RECORDED


def _columns(expression: str) -> set[str]:
    """Clinical columns a subgroup expression reads."""
    columns: set[str] = set()
    stack = [parse_subgroup(expression)]
    while stack:
        node = stack.pop()
        if node[0] == "cmp":
            columns.add(node[1])
        elif node[0] == "not":
            stack.append(node[1])
        else:
            stack.extend(node[1])
    return columns


def _selects(cohort: Cohort, expression: str) -> tuple[bool, str]:
    """Whether the cohort has the expression's fields and it selects someone; why not."""
    if not expression:
        return True, ""
    missing = sorted(_columns(expression) - set(cohort.clinical.columns))
    if missing:
        return False, f"the cohort has no field {', '.join(repr(m) for m in missing)}"
    selected = int(evaluate_subgroup(expression, cohort.clinical).sum())
    if selected == 0:
        return False, f"{expression!r} selects no patient"
    return True, ""


def copy_number_column(claim: Claim, cohort: Cohort) -> str | None:
    """The first ``cna_<GENE>`` column of the claim's locus genes with a call, if any.

    Examples
    --------
    >>> from sigsurv import load_example
    >>> from sigsurv.seeds import get_claim
    >>> claim = get_claim("rodriguez_barrueco2017_mir424_503_loss")
    >>> copy_number_column(claim, load_example("gse1992")) is None
    True
    """
    group = claim.copy_number
    if group is None:
        return None
    for gene in group.genes:
        column = f"cna_{gene}"
        if column in cohort.clinical.columns and cohort.clinical[column].notna().any():
            return column
    return None


def copy_number_groups(claim: Claim, cohort: Cohort) -> pd.Series:
    """``loss`` / ``no loss`` (or ``gain`` / ``no gain``) per sample; missing without a call.

    Raises
    ------
    ValueError
        If the claim has no copy-number group or the cohort no call of its genes
        (check with :func:`copy_number_column` first).

    Examples
    --------
    >>> import dataclasses
    >>> from sigsurv import load_example
    >>> from sigsurv.seeds import get_claim
    >>> cohort = load_example("gse1992")
    >>> clinical = cohort.clinical.assign(cna_MIR424=pd.array([-1, 0] * 62, dtype="Int8"))
    >>> cohort = dataclasses.replace(cohort, clinical=clinical)
    >>> claim = get_claim("rodriguez_barrueco2017_mir424_503_loss")
    >>> copy_number_groups(claim, cohort).value_counts().to_dict()
    {'loss': 62, 'no loss': 62}
    """
    column = copy_number_column(claim, cohort)
    group = claim.copy_number
    if column is None or group is None:
        raise ValueError(f"cohort {cohort.name} has no copy-number call for claim {claim.id}")
    calls = cohort.clinical[column]
    altered = calls.isin(list(group.calls)).astype(bool)
    labels = pd.Series(
        [group.alteration if a else f"no {group.alteration}" for a in altered],
        index=cohort.samples,
        name=f"{column} {group.alteration}",
        dtype=object,
    )
    return labels.where(calls.notna().to_numpy())


def population_for(claim: Claim, cohort: Cohort) -> tuple[str | None, str, str | None, str]:
    """The subgroup a claim is tested on in a cohort.

    Parameters
    ----------
    claim
        A :class:`~sigsurv.seeds.schema.Claim`.
    cohort
        The cohort.

    Returns
    -------
    (subgroup_expression, label, exactness, reason)
        ``subgroup_expression`` for :meth:`~sigsurv.cohorts.Cohort.subset` (None = every
        patient); ``label``: the population in words; ``exactness``: ``"exact"``,
        ``"analogue"`` or None when the claim is not testable in this cohort; ``reason``:
        why an analogue or nothing was chosen (empty for exact).

    Examples
    --------
    >>> import dataclasses
    >>> from sigsurv import load_example
    >>> from sigsurv.seeds import get_claim
    >>> claim = get_claim("aacr2010_mir21_trastuzumab_her2_pos")
    >>> cohort = load_example("gse1992")
    >>> _, _, exactness, reason = population_for(claim, cohort)
    >>> exactness, reason.startswith("the cohort has no field 'her2', 'trastuzumab'")
    (None, True)
    >>> her2 = ["positive", "negative"] * 62
    >>> cohort = dataclasses.replace(cohort, clinical=cohort.clinical.assign(her2=her2))
    >>> expression, label, exactness, reason = population_for(claim, cohort)
    >>> expression, exactness, reason
    ("her2 == 'positive'", 'analogue', "the cohort has no field 'trastuzumab'")
    >>> treated = ["yes", "no", "no", "no"] * 31
    >>> cohort = dataclasses.replace(cohort, clinical=cohort.clinical.assign(trastuzumab=treated))
    >>> population_for(claim, cohort)[0::2]
    ("her2 == 'positive' and trastuzumab == 'yes'", 'exact')
    """
    expression, label, exactness, reason = _population(claim, cohort)
    if exactness != EXACT or not expression:
        return expression, label, exactness, reason
    derived = sorted(
        c
        for c in _columns(expression)
        if c in _RECEPTOR_FIELDS and receptor_provenance(cohort, c) == MRNA_DERIVED
    )
    if derived:
        why = (
            f"{', '.join(derived)} called from mRNA, not measured by IHC: an analogue "
            "of the paper's population"
        )
        return expression, f"{label} ({', '.join(derived)} from mRNA)", ANALOGUE, why
    return expression, label, exactness, reason


def _population(claim: Claim, cohort: Cohort) -> tuple[str | None, str, str | None, str]:
    if getattr(claim, "copy_number", None) is not None:
        return _copy_number_population(claim, cohort)
    match = getattr(claim, "population_match", None)
    if match is None:
        expression = claim.population_filter or ""
        ok, why = _selects(cohort, expression)
        if ok:
            return expression or None, claim.population, EXACT, ""
        return None, claim.population, None, f"population {claim.population!r}: {why}"
    ok, why = _selects(cohort, match.exact)
    if ok:
        return match.exact or None, match.exact_label or claim.population, EXACT, ""
    if match.analogue is None:
        return None, match.exact_label, None, f"{why}; the claim allows no analogue population"
    analogue_ok, analogue_why = _selects(cohort, match.analogue)
    if analogue_ok:
        return match.analogue or None, match.analogue_label, ANALOGUE, why
    return None, match.exact_label, None, f"{why}; analogue population: {analogue_why}"


def _copy_number_population(
    claim: Claim, cohort: Cohort
) -> tuple[str | None, str, str | None, str]:
    group = claim.copy_number
    assert group is not None  # called for copy-number claims only
    match = getattr(claim, "population_match", None)
    base = match.exact if match is not None else claim.population_filter
    column = copy_number_column(claim, cohort)
    genes = "/".join(group.genes)
    if column is not None:
        # Patients with a call (missing never matches), in the claim's population.
        expression = combine_subgroups(base or None, f"{column} >= -2")
        ok, why = _selects(cohort, expression or "")
        if ok:
            label = (match.exact_label if match is not None else "") or (
                f"patients with a {genes} copy-number call"
            )
            return (
                expression,
                f"{label} ({column}; {group.alteration} = calls {list(group.calls)})",
                EXACT,
                "",
            )
        return None, claim.population, None, why
    why = (
        f"no copy-number call of {', '.join(group.genes)} ({group.locus or 'the locus'}) in "
        f"cohort {cohort.name}: genetic {group.alteration} cannot be observed"
    )
    if match is None or match.analogue is None:
        return None, claim.population, None, why
    ok, analogue_why = _selects(cohort, match.analogue)
    if ok:
        return match.analogue or None, match.analogue_label, ANALOGUE, why
    return None, claim.population, None, f"{why}; analogue population: {analogue_why}"
