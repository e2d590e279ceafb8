"""Assembling a :class:`~sigsurv.cohorts.model.Cohort` from parsed parts.

Every loader ends here, so every cohort gets the same checks and reports:
sample join (refusing empty joins, reporting partial ones), the expression NaN
policy, constant genes, gene-identifier harmonisation, endpoint decoding and
clinical typing.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts._numbers import to_float
from sigsurv.cohorts.clinical import (
    check_time_unit,
    decode_events,
    decode_times,
    endpoint_named_by,
    infer_time_unit,
    name_endpoint,
    standardise_clinical,
    unit_from_name,
)
from sigsurv.cohorts.model import TIME_UNITS, Cohort, Endpoint, JoinReport, Provenance
from sigsurv.cohorts.options import LoadOptions, load_options
from sigsurv.cohorts.sample_kinds import STANDARDISED_NOTE, collapse_rule_for, split_non_tumour
from sigsurv.errors import (
    CohortValidationError,
    OptionError,
    SampleJoinError,
    SigsurvWarning,
)

__all__ = [
    "EndpointSpec",
    "assemble_cohort",
    "decode_endpoint",
    "decode_site_competing",
    "endpoint_named_by",
    "join_samples",
    "type_clinical",
]

NA_POLICIES = ("sample", "drop_gene", "keep", "error")


@dataclass(frozen=True)
class EndpointSpec:
    """Where to find an endpoint in a clinical table before decoding.

    Examples
    --------
    >>> EndpointSpec("os", time="OS_MONTHS", event="OS_STATUS").unit is None
    True

    With ``site_column`` and ``site`` the endpoint is site-specific: an event counts
    only when the site column names ``site`` (case-insensitive word match, e.g. ``bone``
    in ``"lung, bone"``); an event at another site is censored at its time.
    """

    name: str
    time: str
    event: str
    unit: str | None = None
    label: str = ""
    codes: Mapping[str, int] | None = None
    site_column: str | None = None
    site: str | None = None


_LABELS = {
    "os": "overall survival",
    "rfs": "relapse-free survival",
    "dfs": "disease-free survival",
    "dmfs": "distant-metastasis-free survival",
    "mfs": "metastasis-free survival",
    "bmfs": "bone-metastasis-free survival",
    "pfi": "progression-free interval",
    "pfs": "progression-free survival",
    "dss": "disease-specific survival",
    "dfi": "disease-free interval",
}


def decode_endpoint(
    clinical: pd.DataFrame,
    spec: EndpointSpec,
    *,
    file: str | Path | None = None,
    first_data_line: int | None = None,
) -> tuple[pd.DataFrame, Endpoint]:
    """Decode an endpoint's time and event columns into ``<name>_time`` / ``<name>_event``.

    The original columns are kept untouched; the decoded ones are added.
    The unit is taken from ``spec.unit``, else from the time column's name
    (``OS_MONTHS``), else inferred from the data with a warning.

    Examples
    --------
    >>> import pandas as pd
    >>> clin = pd.DataFrame({"OS_MONTHS": ["10", "20"], "OS_STATUS": ["1:DECEASED", "0:LIVING"]})
    >>> clin, endpoint = decode_endpoint(clin, EndpointSpec("os", "OS_MONTHS", "OS_STATUS"))
    >>> endpoint.unit, clin["os_event"].tolist()
    ('months', [1, 0])
    """
    name = spec.name.lower()
    for column in (spec.time, spec.event, *([spec.site_column] if spec.site_column else [])):
        if column not in clinical.columns:
            raise CohortValidationError(
                f"endpoint {name!r}: column not found in the clinical table",
                file=file,
                column=column,
                expected="one of: " + ", ".join(map(str, clinical.columns[:25])),
            )
    time = decode_times(
        clinical[spec.time], file=file, column=spec.time, first_data_line=first_data_line
    )
    event = decode_events(
        clinical[spec.event],
        file=file,
        column=spec.event,
        first_data_line=first_data_line,
        codes=spec.codes,
    )
    event.index = clinical.index
    time.index = clinical.index
    if spec.site_column is not None:
        event = _site_events(clinical, spec, event, file)
    unit = spec.unit or unit_from_name(spec.time)
    if unit is None:
        unit = infer_time_unit(time.to_numpy(), label=f"{file or 'clinical'}: {spec.time}")
    else:
        how = "declared" if spec.unit else "from the column name"
        check_time_unit(time.to_numpy(), unit, label=f"{spec.time}", how=how)
    if unit not in TIME_UNITS:
        raise OptionError(
            f"endpoint {name!r}: unknown time unit", expected=" | ".join(TIME_UNITS), found=unit
        )
    out = clinical.copy()
    out[f"{name}_time"] = time
    out[f"{name}_event"] = event
    endpoint = Endpoint(
        name=name,
        time=f"{name}_time",
        event=f"{name}_event",
        unit=unit,  # type: ignore[arg-type]
        label=spec.label or _LABELS.get(name, name),
        source_columns=(spec.time, spec.event),
    )
    return out, endpoint


def _site_events(
    clinical: pd.DataFrame, spec: EndpointSpec, event: pd.Series, file: str | Path | None
) -> pd.Series:
    """Keep events whose recorded site names ``spec.site``; others become censored."""
    import re

    if not spec.site:
        raise OptionError(f"endpoint {spec.name!r}: site_column needs the site to match", file=file)
    assert spec.site_column is not None
    pattern = re.compile(rf"\b{re.escape(spec.site.lower())}\b")
    sites = clinical[spec.site_column].map(
        lambda v: None if v is None or v is pd.NA else str(v).lower()
    )
    at_site = sites.map(lambda v: bool(v) and pattern.search(v) is not None).astype(bool)
    unknown_site = (event == 1) & sites.isna()
    out = event.copy()
    out[(event == 1) & ~at_site] = 0
    out[unknown_site] = pd.NA  # an event whose site is not recorded cannot be classed
    return out


def decode_site_competing(
    clinical: pd.DataFrame,
    spec: EndpointSpec,
    decoded: Endpoint,
    *,
    file: str | Path | None = None,
) -> tuple[pd.DataFrame, Endpoint]:
    """The competing-risk version ``<name>_cr`` of a site-specific endpoint.

    Cause 1 = an event at ``spec.site``, cause 2 = an event at another recorded site,
    0 = censored; an event whose site is not recorded has no cause (missing). Call it
    after :func:`decode_endpoint` decoded the site-specific endpoint ``decoded`` (same
    spec): it reuses its time and unit and reads the any-site events from ``spec.event``.

    Examples
    --------
    >>> import pandas as pd
    >>> clin = pd.DataFrame({"t": ["4", "9", "6", "7"], "e": ["1", "1", "0", "1"],
    ...                      "where": ["lung, bone", "liver", None, None]})
    >>> spec = EndpointSpec("bmfs", "t", "e", unit="months", site_column="where", site="bone")
    >>> clin, bmfs = decode_endpoint(clin, spec)
    >>> clin, cr = decode_site_competing(clin, spec, bmfs)
    >>> cr.name, cr.causes, clin["bmfs_cr_cause"].tolist()
    ('bmfs_cr', ('bone', 'other site'), [1, 2, 0, <NA>])
    """
    if spec.site_column is None or not spec.site:
        raise OptionError(
            f"endpoint {spec.name!r}: a competing-risk version needs site_column and site",
            file=file,
        )
    name = spec.name.lower()
    any_site = decode_events(clinical[spec.event], file=file, column=spec.event, codes=spec.codes)
    any_site.index = clinical.index
    at_site = clinical[decoded.event]
    cause = pd.Series(pd.array([0] * len(clinical), dtype="Int8"), index=clinical.index)
    cause[any_site == 1] = 2
    cause[at_site == 1] = 1
    cause[at_site.isna() & (any_site == 1)] = pd.NA
    cause[any_site.isna()] = pd.NA
    out = clinical.copy()
    out[f"{name}_cr_cause"] = cause
    endpoint = Endpoint(
        name=f"{name}_cr",
        time=decoded.time,
        event=f"{name}_cr_cause",
        unit=decoded.unit,
        label=f"{decoded.label}, competing risks",
        source_columns=(spec.time, spec.event, spec.site_column),
        causes=(spec.site.lower(), "other site"),
    )
    return out, endpoint


def type_clinical(clinical: pd.DataFrame) -> pd.DataFrame:
    """Give string clinical columns their natural type: numeric where every value parses.

    Columns with any non-numeric value stay as strings (object); nothing is coerced
    to missing.

    Examples
    --------
    >>> import pandas as pd
    >>> type_clinical(pd.DataFrame({"age": ["50", "61.5"], "er": ["pos", "neg"]})).dtypes.tolist()
    [dtype('float64'), dtype('O')]
    """
    out = clinical.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object:
            continue
        present = values.dropna()
        if present.empty:
            continue
        numeric = pd.to_numeric(present, errors="coerce")
        if numeric.notna().all():
            out[column] = to_float(values)
    return out


def _column_holding_ids(clinical: pd.DataFrame, ids: set[str]) -> tuple[str | None, int]:
    """The clinical column holding most of ``ids`` (a mis-declared sample column)."""
    best: tuple[str | None, int] = (None, 0)
    for column in clinical.columns:
        overlap = len(set(clinical[column].dropna().astype(str)) & ids)
        if overlap > best[1]:
            best = (str(column), overlap)
    return best


def join_samples(
    expression: pd.DataFrame,
    clinical: pd.DataFrame,
    *,
    expression_file: str | Path | None = None,
    clinical_file: str | Path | None = None,
    rule: str = "exact sample identifier",
) -> tuple[pd.DataFrame, pd.DataFrame, JoinReport]:
    """Align expression columns and clinical rows on sample identifiers.

    Keeps matched samples in expression-matrix order. An empty join raises
    :class:`~sigsurv.errors.SampleJoinError` (with a hint when the expression looks
    transposed); a partial join is reported in the :class:`JoinReport` and warned.

    Examples
    --------
    >>> import pandas as pd
    >>> expr = pd.DataFrame([[1.0, 2.0]], index=["TP53"], columns=["a", "b"])
    >>> clin = pd.DataFrame({"x": [1, 2, 3]}, index=["b", "a", "c"])
    >>> _, clin2, report = join_samples(expr, clin)
    >>> clin2.index.tolist(), report.n_clinical_only
    (['a', 'b'], 1)
    """
    if clinical.index.has_duplicates:
        duplicated = clinical.index[clinical.index.duplicated()].unique()[:5]
        raise SampleJoinError(
            "duplicated sample identifiers in the clinical table",
            file=clinical_file,
            found=", ".join(map(str, duplicated)),
        )
    expression_ids = expression.columns.astype(str)
    clinical_ids = clinical.index.astype(str)
    clinical_set = set(clinical_ids)
    matched_mask = np.array([sample in clinical_set for sample in expression_ids], dtype=bool)
    n_matched = int(matched_mask.sum())
    expression_set = set(expression_ids)
    if n_matched == 0:
        hint = "check that both files use the same sample identifiers"
        column, overlap = _column_holding_ids(clinical, expression_set)
        if column is not None:
            hint = (
                f"did you mean --sample-column {column!r}? it holds {overlap} of the "
                f"{len(expression_set)} expression sample IDs"
            )
        elif len(set(expression.index.astype(str)) & clinical_set) > 0:
            hint = (
                "the clinical IDs match the expression ROW names: the matrix looks transposed "
                "(declare --orientation samples-x-genes)"
            )
        raise SampleJoinError(
            "no clinical sample matches an expression sample",
            file=clinical_file,
            expected=f"IDs like {', '.join(expression_ids[:3])} "
            f"(from {expression_file or 'expression'})",
            found=", ".join(clinical_ids[:3]),
            hint=hint,
        )
    expression_only = tuple(s for s in expression_ids if s not in clinical_set)
    clinical_only = tuple(s for s in clinical_ids if s not in expression_set)
    report = JoinReport(
        n_expression=len(expression_ids),
        n_clinical=len(clinical_ids),
        n_matched=n_matched,
        expression_only=expression_only,
        clinical_only=clinical_only,
        rule=rule,
    )
    if expression_only or clinical_only:
        warnings.warn(
            f"{expression_file or 'expression'} / {clinical_file or 'clinical'}: "
            + report.to_text(),
            SigsurvWarning,
            stacklevel=2,
        )
    expression = expression.loc[:, matched_mask]
    expression.columns = expression.columns.astype(str)
    clinical = clinical.copy()
    clinical.index = clinical_ids
    clinical = clinical.loc[expression.columns]
    return expression, clinical, report


def _apply_na_policy(
    expression: pd.DataFrame, policy: str, file: str | Path | None
) -> tuple[pd.DataFrame, list[str]]:
    if policy not in NA_POLICIES:
        raise OptionError(
            "unknown missing-value policy", expected=" | ".join(NA_POLICIES), found=policy
        )
    missing = expression.isna()
    if not missing.to_numpy().any():
        return expression, []
    genes_with_na = missing.any(axis=1)
    all_na = missing.all(axis=1)
    if policy == "error":
        first = expression.index[genes_with_na.to_numpy()][0]
        raise CohortValidationError(
            "missing expression values",
            file=file,
            found=f"{int(genes_with_na.sum())} genes with missing values, first {first!r}",
            hint="use na_policy='sample', 'keep' or 'drop_gene'",
        )
    messages = []
    if policy == "sample":
        return _sample_level_na(expression, missing, file)
    if policy == "drop_gene":
        dropped = expression.index[genes_with_na.to_numpy()]
        if len(dropped) == expression.shape[0]:
            raise CohortValidationError(
                "every gene has a missing value: removing them would leave no gene",
                file=file,
                found=f"{len(dropped)} genes, {int(all_na.sum())} entirely missing",
                hint="use na_policy='keep' or fix the matrix",
            )
        messages.append(
            f"{len(dropped)} genes with missing values removed "
            f"({int(all_na.sum())} entirely missing), e.g. {', '.join(map(str, dropped[:5]))}"
        )
        return expression.loc[~genes_with_na.to_numpy()], messages
    messages.append(
        f"{int(genes_with_na.sum())} genes have missing values (kept; "
        f"{int(missing.to_numpy().sum())} cells)"
    )
    return expression, messages


def _sample_level_na(
    expression: pd.DataFrame, missing: pd.DataFrame, file: str | Path | None
) -> tuple[pd.DataFrame, list[str]]:
    """Keep genes missing in some samples (NA cells stay); remove genes missing everywhere.

    A matrix in which every gene has a missing value (typically an empty sample column)
    is refused: no gene would be complete and no gene could be removed.
    """
    genes_with_na = missing.any(axis=1).to_numpy()
    all_na = missing.all(axis=1).to_numpy()
    if genes_with_na.all():
        empty_samples = expression.columns[missing.all(axis=0).to_numpy()]
        raise CohortValidationError(
            "every gene has a missing value: removing them would leave no gene",
            file=file,
            found=f"{int(genes_with_na.sum())} genes, {int(all_na.sum())} entirely missing"
            + (
                f"; empty sample columns: {', '.join(map(str, empty_samples[:3]))}"
                if len(empty_samples)
                else ""
            ),
            hint="remove empty sample columns, or use na_policy='keep'",
        )
    messages = []
    if all_na.any():
        removed = expression.index[all_na]
        messages.append(
            f"{len(removed)} genes without any value removed ({len(removed)} entirely "
            f"missing), e.g. {', '.join(map(str, removed[:5]))}"
        )
        expression, missing = expression.loc[~all_na], missing.loc[~all_na]
        genes_with_na = missing.any(axis=1).to_numpy()
    if genes_with_na.any():
        samples_with_na = missing.any(axis=0)
        examples = ", ".join(
            f"{gene} ({int(count)} samples)"
            for gene, count in missing.sum(axis=1)[genes_with_na].head(5).items()
        )
        messages.append(
            f"{int(genes_with_na.sum())} genes have missing values in "
            f"{int(samples_with_na.sum())} samples ({int(missing.to_numpy().sum())} cells), "
            f"kept as NA: a score needing such a gene cannot use those samples; e.g. {examples}"
        )
    return expression, messages


def strip_format_characters(labels: pd.Index) -> tuple[pd.Index, list[str]]:
    """Remove Unicode format characters (zero-width space, BOM, soft hyphen...) from
    identifiers; return the cleaned labels and the ones that changed (issue 24:
    ``MKI67\u200b`` was neither matched nor named).

    Examples
    --------
    >>> cleaned, changed = strip_format_characters(pd.Index(["MKI67\u200b", "ESR1"]))
    >>> cleaned.tolist(), len(changed)
    (['MKI67', 'ESR1'], 1)
    """
    import unicodedata

    texts = [str(label) for label in labels]
    cleaned = ["".join(ch for ch in t if unicodedata.category(ch) != "Cf") for t in texts]
    changed = [ascii(t) for t, c in zip(texts, cleaned, strict=True) if t != c]
    if not changed:
        return labels, []
    return pd.Index(cleaned, name=labels.name), changed


def _without_format_characters(
    expression: pd.DataFrame, clinical: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    notes: list[str] = []
    genes, changed = strip_format_characters(expression.index)
    if changed:
        expression = expression.set_axis(genes, axis=0)
        notes.append(
            f"invisible Unicode format characters removed from {len(changed)} gene "
            f"identifiers, e.g. {', '.join(changed[:3])}"
        )
    samples, changed_samples = strip_format_characters(expression.columns)
    rows, changed_rows = strip_format_characters(clinical.index)
    if changed_samples or changed_rows:
        expression = expression.set_axis(samples, axis=1)
        clinical = clinical.set_axis(rows, axis=0)
        shown = (changed_samples + changed_rows)[:3]
        notes.append(
            "invisible Unicode format characters removed from "
            f"{len(changed_samples) + len(changed_rows)} sample identifiers, e.g. "
            + ", ".join(shown)
        )
    return expression, clinical, notes


def assemble_cohort(
    name: str,
    expression: pd.DataFrame,
    clinical: pd.DataFrame,
    *,
    endpoints: list[Endpoint] | None = None,
    provenance: Provenance | None = None,
    options: LoadOptions | None = None,
    harmonise: bool | None = None,
    id_type: str | None = None,
    collapse: str | None = None,
    na_policy: str | None = None,
    expression_file: str | Path | None = None,
    clinical_file: str | Path | None = None,
    join_rule: str = "exact sample identifier",
    messages: list[str] | None = None,
    standardise: Mapping[str, Mapping[str, object]] | None = None,
    non_tumour: str | None = None,
) -> Cohort:
    """Join, validate and harmonise expression + clinical into a :class:`Cohort`.

    Parameters
    ----------
    name
        Cohort name.
    expression
        Genes x samples floats (gene identifiers as read).
    clinical
        Samples x fields, index = sample identifiers, endpoints already decoded.
    endpoints
        Decoded endpoints (see :func:`decode_endpoint`).
    options
        How to read (:class:`~sigsurv.cohorts.options.LoadOptions`); the keyword
        arguments below, when given, replace its fields.
    harmonise
        Map gene identifiers to current HGNC symbols (report in ``cohort.gene_report``).
    id_type, collapse
        Passed to :func:`sigsurv.cohorts.genes.harmonise_expression`.
    na_policy
        ``sample`` (default: missing cells stay NA and are reported per gene and
        sample, so that a scorer can leave those samples out of the scores that need
        the gene instead of losing the gene everywhere; genes with no value at all are
        removed; a matrix where every gene has a missing value is refused),
        ``drop_gene`` (genes with any missing value are removed and reported), ``keep``
        (everything kept, reported) or ``error``.

    standardise
        Recipe overrides for :func:`sigsurv.cohorts.clinical.standardise_clinical`
        (standard fields ``er``, ``grade``, ``pam50``... are always derived when a
        source has them).
    non_tumour
        ``exclude`` (default): samples that are not a patient's tumour (normal
        tissue, cell lines, TCGA ``-11`` barcodes; see
        :func:`sigsurv.cohorts.sample_kinds.non_tumour_samples`) are left out and
        reported; ``keep`` keeps them (reported).

    Per-gene standardised input (every gene mean ~0) is reported, and duplicated
    identifiers are then averaged (see :func:`~sigsurv.cohorts.sample_kinds.collapse_rule_for`).

    Examples
    --------
    >>> import pandas as pd
    >>> expr = pd.DataFrame([[1.0, 2.0], [3.0, 1.0]], index=["TP53", "MSK1"], columns=["a", "b"])
    >>> clin = pd.DataFrame({"os_time": [1.0, 2.0], "os_event": [1, 0]}, index=["a", "b"])
    >>> cohort = assemble_cohort("toy", expr, clin,
    ...                          endpoints=[Endpoint("os", "os_time", "os_event")])
    >>> cohort.genes.tolist()
    ['TP53', 'RPS6KA5']
    """
    chosen = load_options(
        options,
        harmonise=harmonise,
        id_type=id_type,
        collapse=collapse,
        na_policy=na_policy,
        standardise=standardise,
        non_tumour=non_tumour,
    )
    notes = list(messages or [])
    expression, clinical, format_notes = _without_format_characters(expression, clinical)
    notes.extend(format_notes)
    clinical, standard_notes = standardise_clinical(clinical, overrides=chosen.standardise)
    notes.extend(standard_notes)
    expression, clinical, join_report = join_samples(
        expression,
        clinical,
        expression_file=expression_file,
        clinical_file=clinical_file,
        rule=join_rule,
    )
    if join_report.n_expression_only or join_report.n_clinical_only:
        notes.append(join_report.to_text())
    expression, clinical, kind_notes = split_non_tumour(expression, clinical, chosen.non_tumour)
    notes.extend(kind_notes)
    expression = expression.astype(float)
    expression, na_notes = _apply_na_policy(expression, chosen.na_policy, expression_file)
    notes.extend(na_notes)
    constant_note = _constant_genes_note(expression)
    notes.extend([constant_note] if constant_note else [])
    gene_report = None
    rule, standardised_note = collapse_rule_for(expression, chosen.collapse)
    notes.extend([standardised_note] if standardised_note else [])
    if standardised_note:
        provenance = provenance or Provenance()
        provenance = dataclasses.replace(provenance, notes=(*provenance.notes, STANDARDISED_NOTE))
    if chosen.harmonise and expression.shape[0] > 0:
        from sigsurv.cohorts.genes import harmonise_expression

        expression, gene_report = harmonise_expression(expression, chosen.id_type, collapse=rule)
        expression = expression.astype(float)
    elif expression.index.has_duplicates:
        duplicated = expression.index[expression.index.duplicated()].unique()[:5]
        raise CohortValidationError(
            "duplicated gene identifiers",
            file=expression_file,
            found=", ".join(map(str, duplicated)),
            hint="harmonise (collapse rule) or remove duplicates",
        )
    expression.index = expression.index.astype(str)
    expression.index.name = "gene"
    expression.columns.name = "sample"
    clinical.index.name = "sample"
    endpoint_map = {e.name: e for e in (endpoints or []) if not e.causes}
    competing_map = {e.name: e for e in (endpoints or []) if e.causes}
    for endpoint in endpoint_map.values():
        events = pd.to_numeric(clinical[endpoint.event], errors="coerce")
        if int(events.sum()) == 0:
            notes.append(f"endpoint {endpoint.name!r} has no events in the matched samples")
    return Cohort(
        name=name,
        expression=expression,
        clinical=clinical,
        endpoints=endpoint_map,
        provenance=provenance or Provenance(),
        gene_report=gene_report,
        join_report=join_report,
        messages=tuple(notes),
        competing_endpoints=competing_map,
    )


def _constant_genes_note(expression: pd.DataFrame) -> str | None:
    """What to say about genes constant across the samples (undefined z-scores)."""
    if expression.shape[0] == 0:
        return None
    values = expression.to_numpy()
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(values, axis=1) - np.nanmin(values, axis=1)
    constant = expression.index[spread == 0]
    if not len(constant):
        return None
    return (
        f"{len(constant)} genes are constant across samples (their z-scores are "
        f"undefined), e.g. {', '.join(map(str, constant[:5]))}"
    )


TRANSFORMS = ("auto", "log2p1", "none")


def apply_transform(
    expression: pd.DataFrame, transform: str, file: str | Path | None = None
) -> tuple[pd.DataFrame, str, str]:
    """Apply the declared value transform and describe the resulting scale.

    ``auto`` applies log2(x + 1) when the values look linear (all non-negative and
    the 99th percentile above 100, as RSEM, RPM or FPKM), ``log2p1`` always, ``none``
    never. The returned note says what was done, so it is never silent.

    Returns
    -------
    (expression, scale, note)

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [0.0, 1023.0], "b": [3.0, 5000.0]}, index=["x", "y"])
    >>> out, scale, note = apply_transform(frame, "auto")
    >>> float(out.loc["y", "a"]), scale
    (10.0, 'log2(x+1)')
    """
    if transform not in TRANSFORMS:
        raise OptionError("unknown transform", expected=" | ".join(TRANSFORMS), found=transform)
    values = expression.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    looks_linear = bool(finite.size) and finite.min() >= 0 and np.percentile(finite, 99) > 100
    if transform == "log2p1" or (transform == "auto" and looks_linear):
        if finite.size and finite.min() < 0:
            raise CohortValidationError(
                "log2(x+1) needs non-negative values",
                file=file,
                found=float(finite.min()),
                hint="use transform='none' for data already on a log scale",
            )
        why = "requested" if transform == "log2p1" else "values look linear (99th pct > 100)"
        note = f"{Path(file).name if file else 'expression'}: log2(x+1) applied ({why})"
        return np.log2(expression + 1.0), "log2(x+1)", note
    return expression, "as provided" if not looks_linear else "linear (not transformed)", ""


def decode_declared_endpoints(
    clinical: pd.DataFrame,
    *,
    time: str | None,
    event: str | None,
    endpoint: str | None,
    time_unit: str | None,
    event_codes: Mapping[str, int] | None,
    extra: list[EndpointSpec] | tuple[EndpointSpec, ...] = (),
    file: str | Path | None = None,
    first_data_line: int | None = None,
) -> tuple[pd.DataFrame, list[Endpoint]]:
    """Decode the endpoint a user declared with ``--time``/``--event`` plus any extra specs.

    ``endpoint=None`` names the endpoint from the time column (:func:`name_endpoint`),
    refusing a column whose name does not say it.

    Examples
    --------
    >>> import pandas as pd
    >>> clin = pd.DataFrame({"t": ["4", "9"], "e": ["1", "0"]})
    >>> _, endpoints = decode_declared_endpoints(clin, time="t", event="e", endpoint="rfs",
    ...                                          time_unit="months", event_codes=None)
    >>> [e.name for e in endpoints]
    ['rfs']
    """
    specs = list(extra)
    if time is not None or event is not None:
        if time is None or event is None:
            raise OptionError(
                "give both the time and the event column",
                file=file,
                expected="--time COL --event COL",
                found=f"--time {time!r} --event {event!r}",
            )
        name = name_endpoint(time, endpoint, file=file)
        specs.insert(0, EndpointSpec(name, time, event, unit=time_unit, codes=event_codes))
    decoded: list[Endpoint] = []
    for spec in specs:
        clinical, endpoint_obj = decode_endpoint(
            clinical, spec, file=file, first_data_line=first_data_line
        )
        decoded.append(endpoint_obj)
        if spec.site_column is not None:
            clinical, competing = decode_site_competing(clinical, spec, endpoint_obj, file=file)
            decoded.append(competing)
    return clinical, decoded
