"""Decoding of clinical columns: survival times, event codes, receptor status, time units.

The rules are explicit and conservative: a value sigsurv does not recognise is an
error naming the file, line and column, never a guess. Text event codes are decoded
only when their meaning does not depend on the column (``1:DECEASED``, ``LIVING``,
``Recurred``); ``yes``/``no`` need an explicit mapping because "yes" means an event
in a ``relapse`` column but no event in an ``alive`` column.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv._deprecation import deprecated_alias
from sigsurv.cohorts._numbers import to_float
from sigsurv.errors import CohortValidationError, OptionError, SigsurvWarning

__all__ = [
    "ENDPOINT_CHOICES",
    "check_time_unit",
    "decode_events",
    "decode_times",
    "endpoint_named_by",
    "infer_time_unit",
    "name_endpoint",
    "standardise_clinical",
    "standardise_status",
    "unit_from_name",
    "value_counts_in_words",
]

# Text codes whose meaning does not depend on the column name (lower-cased).
_EVENT_WORDS: dict[str, int] = {
    "deceased": 1,
    "dead": 1,
    "died": 1,
    "died of disease": 1,
    "recurred": 1,
    "relapsed": 1,
    "progressed": 1,
    "recurred/progressed": 1,
    "metastasis": 1,
    "event": 1,
    "living": 0,
    "alive": 0,
    "diseasefree": 0,
    "disease free": 0,
    "disease-free": 0,
    "not recurred": 0,
    "not progressed": 0,
    "no recurrence": 0,
    "censored": 0,
    "no event": 0,
}
_CODED = re.compile(r"^\s*([0-9]+)\s*:\s*(.*)$")

_POSITIVE = {"positive", "pos", "+", "1", "yes", "positve", "p", "er+", "her2+", "amplified"}
_NEGATIVE = {"negative", "neg", "-", "0", "no", "n", "er-", "her2-", "not amplified"}


def _line(first_data_line: int | None, position: int) -> int | None:
    return None if first_data_line is None else first_data_line + position


def decode_events(
    values: Sequence[object] | pd.Series,
    *,
    file: str | Path | None = None,
    column: str | None = None,
    first_data_line: int | None = None,
    codes: Mapping[str, int] | None = None,
) -> pd.Series:
    """Decode an event column to 0/1 (``pd.Int8Dtype``, missing stays missing).

    Accepted: numbers 0 and 1 (``0.0``, ``1.0``), cBioPortal ``N:label`` codes whose
    number is 0 or 1 (``1:DECEASED``, ``0:LIVING``, ``1:Recurred/Progressed``),
    unambiguous words (``DECEASED``, ``LIVING``, ``Recurred``, ``DiseaseFree``...),
    and anything listed in ``codes`` (e.g. ``{"yes": 1, "no": 0}``).

    Raises
    ------
    CohortValidationError
        For any other value (e.g. ``2``, ``yes`` without ``codes``), naming the line.

    Examples
    --------
    >>> decode_events(["1:DECEASED", "0:LIVING", None]).tolist()
    [1, 0, <NA>]
    >>> decode_events(["yes", "no"], codes={"yes": 1, "no": 0}).tolist()
    [1, 0]
    """
    series = pd.Series(values).reset_index(drop=True)
    mapping = {str(k).strip().lower(): int(v) for k, v in (codes or {}).items()}
    for key, value in mapping.items():
        if value not in (0, 1):
            raise OptionError("event code mapping must map to 0 or 1", found=f"{key!r}: {value!r}")
    decoded = np.full(len(series), -1, dtype=np.int8)
    missing = series.isna().to_numpy()
    for position, raw in enumerate(series.to_numpy(dtype=object)):
        if missing[position]:
            continue
        text = str(raw).strip()
        key = text.lower()
        code: int | None = None
        if key in mapping:
            code = mapping[key]
        else:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None:
                code = int(number) if number in (0.0, 1.0) else None
            else:
                match = _CODED.match(text)
                if match and match.group(1) in ("0", "1"):
                    code = int(match.group(1))
                elif key in _EVENT_WORDS:
                    code = _EVENT_WORDS[key]
        if code is None:
            hint = (
                "text like yes/no is ambiguous: pass an explicit mapping (--event-codes yes=1,no=0)"
                if key in {"yes", "no", "y", "n", "true", "false"}
                else "events must be 1 (event) or 0 (censored)"
            )
            raise CohortValidationError(
                "event value not recognised",
                file=file,
                line=_line(first_data_line, position),
                column=column,
                expected="0/1, '1:DECEASED'/'0:LIVING' style codes or known words",
                found=text,
                hint=hint,
            )
        decoded[position] = code
    result = pd.Series(decoded, index=pd.Series(values).index, dtype="Int8")
    result[missing] = pd.NA
    return result


def decode_times(
    values: Sequence[object] | pd.Series,
    *,
    file: str | Path | None = None,
    column: str | None = None,
    first_data_line: int | None = None,
) -> pd.Series:
    """Decode a follow-up time column to non-negative floats (missing stays NaN).

    Raises
    ------
    CohortValidationError
        Non-numeric or negative time, naming the line.

    Examples
    --------
    >>> decode_times(["12.5", "3", None]).tolist()
    [12.5, 3.0, nan]
    """
    series = pd.Series(values)
    numeric = pd.to_numeric(series, errors="coerce")
    values_float = to_float(series)
    checks = (
        (
            numeric.isna() & series.notna(),
            "follow-up time is not a number",
            "a non-negative number",
        ),
        (values_float < 0, "negative follow-up time", "a time >= 0"),
        (np.isinf(values_float), "infinite follow-up time", "a finite time"),
    )
    for failed, message, expected in checks:
        if failed.any():
            position = int(np.flatnonzero(np.asarray(failed))[0])
            raise CohortValidationError(
                message,
                file=file,
                line=_line(first_data_line, position),
                column=column,
                expected=expected,
                found=series.iloc[position],
            )
    return values_float


def unit_from_name(name: str) -> str | None:
    """Time unit named in a column name (``OS_MONTHS``, ``OS.time`` is not), or None.

    Examples
    --------
    >>> unit_from_name("RFS_MONTHS"), unit_from_name("bmfs (yr)"), unit_from_name("OS.time")
    ('months', 'years', None)
    """
    lowered = name.lower()
    if re.search(r"month|\bmo\b|_mo\b|\(mo\)", lowered):
        return "months"
    if re.search(r"day|\bd\b|_d\b|\(d\)", lowered):
        return "days"
    if re.search(r"year|\byr|\(yr|_yr|\by\b|\(y\)|_years?\b", lowered):
        return "years"
    return None


def infer_time_unit(
    time: np.ndarray | pd.Series, event: np.ndarray | pd.Series | None = None, *, label: str = ""
) -> str:
    """Guess the time unit from the follow-up distribution, with a warning.

    Breast-cancer cohorts follow patients for years, so the median follow-up of
    all patients is used: above 250 suggests days, below 20 years, else months.
    Always emits a :class:`~sigsurv.errors.SigsurvWarning`: declare the unit to
    silence it.

    Raises
    ------
    CohortValidationError
        When no finite time is known (nothing to infer from).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     infer_time_unit([1500.0, 2200.0, 900.0])
    'days'
    """
    values = np.asarray(time, dtype=float)
    values = values[np.isfinite(values)]
    if not values.size:
        raise CohortValidationError(
            f"{label + ': ' if label else ''}cannot infer the time unit: no follow-up time "
            "is known",
            hint="declare it with --time-unit, and check the time column",
        )
    median = float(np.median(values))
    if median > 250:
        unit = "days"
    elif median < 20:
        unit = "years"
    else:
        unit = "months"
    warnings.warn(
        f"{label + ': ' if label else ''}time unit not declared; median time {median:.4g} "
        f"suggests {unit} (declare it with --time-unit to be sure)",
        SigsurvWarning,
        stacklevel=2,
    )
    return unit


# Median follow-up of a survival cohort, in years, beyond which a declared unit is doubted.
_IMPLAUSIBLE_YEARS = (0.25, 30.0)
_YEARS_PER_UNIT = {"days": 1 / 365.25, "months": 1 / 12, "years": 1.0}


def check_time_unit(
    time: np.ndarray | pd.Series, unit: str, *, label: str = "", how: str = "declared"
) -> str | None:
    """Warn when a declared time unit contradicts the data; return the warning (or None).

    A column named ``OS_MONTHS`` holding days has a median of about 1,500 "months"
    (125 years). When the median follow-up in the declared unit is below 3 months
    or above 30 years, and the data suggest another unit, a
    :class:`~sigsurv.errors.SigsurvWarning` says so (nothing is converted).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     message = check_time_unit([1500.0, 2200.0, 900.0], "months", label="OS_MONTHS")
    >>> message.split(";")[0]
    'OS_MONTHS: time unit months (declared) is doubtful: median 1500 months is 125 years'
    >>> check_time_unit([60.0, 24.0], "months") is None
    True
    """
    values = np.asarray(time, dtype=float)
    values = values[np.isfinite(values)]
    if not values.size or unit not in _YEARS_PER_UNIT:
        return None
    median = float(np.median(values))
    years = median * _YEARS_PER_UNIT[unit]
    if _IMPLAUSIBLE_YEARS[0] <= years <= _IMPLAUSIBLE_YEARS[1]:
        return None
    suggested = "days" if median > 250 else "years" if median < 20 else "months"
    if suggested == unit:
        return None
    message = (
        f"{label + ': ' if label else ''}time unit {unit} ({how}) is doubtful: median "
        f"{median:.4g} {unit} is {years:.3g} years; the values look like {suggested} "
        "(declare --time-unit if they are)"
    )
    warnings.warn(message, SigsurvWarning, stacklevel=2)
    return message


def value_counts_in_words(counts: dict[str, int]) -> str:
    """Counts of values as a reader writes them: ``'indeterminate' x2, 'unknown' x1``.

    Human output never shows a Python dict (issue 22).

    Examples
    --------
    >>> value_counts_in_words({"indeterminate": 2, "NA": 1})
    "'indeterminate' x2, 'NA' x1"
    """
    return ", ".join(f"{value!r} x{count}" for value, count in counts.items())


def standardise_status(values: Sequence[object] | pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """Map receptor-status spellings to ``positive`` / ``negative`` / missing.

    Returns the standardised series (categorical) and a count of values that became
    missing because they mean "unknown" or were not recognised, so the caller can
    report them.

    Examples
    --------
    >>> status, unknown = standardise_status(["Positve", "neg", "+", "Equivocal", None])
    >>> status.tolist(), unknown
    (['positive', 'negative', 'positive', nan, nan], {'Equivocal': 1})
    """
    series = pd.Series(values)
    out: list[object] = []
    unknown: dict[str, int] = {}
    for raw in series.to_numpy(dtype=object):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or raw is pd.NA:
            out.append(np.nan)
            continue
        key = str(raw).strip().lower()
        if key.endswith(".0"):
            key = key[:-2]
        if key in _POSITIVE:
            out.append("positive")
        elif key in _NEGATIVE:
            out.append("negative")
        else:
            unknown[str(raw)] = unknown.get(str(raw), 0) + 1
            out.append(np.nan)
    result = pd.Series(pd.Categorical(out, categories=["negative", "positive"]), index=series.index)
    return result, unknown


# Standard clinical fields and the source columns they are derived from (names compared
# lower-case, with spaces and dots read as underscores). The first present wins.
_STANDARD_SOURCES: dict[str, tuple[str, ...]] = {
    "er": (
        "er_status",
        "er_status_by_ihc",
        "er_ihc",
        "er_positive",
        "estrogen_receptor_status",
        "breast_carcinoma_estrogen_receptor_status",
        "er_status_nature2012",
        "er",
    ),
    "pr": (
        "pr_status",
        "pgr_status",
        "pr_status_by_ihc",
        "progesterone_receptor_status",
        "breast_carcinoma_progesterone_receptor_status",
        "pr_status_nature2012",
        "pgr",
        "pr",
    ),
    "her2": (
        "her2_status",
        "her2_status_by_ihc",
        "erbb2_status",
        "her2_final_status_nature2012",
        "her2",
    ),
    "grade": ("grade", "histological_grade", "nhg", "tumor_grade", "neoplasm_histologic_grade"),
    "node": ("node", "node_status", "nodal_status", "lymph_node_status", "ln_status", "nodes"),
    "age": (
        "age",
        "age_at_diagnosis",
        "age_at_initial_pathologic_diagnosis",
        "age_at_index",
        "age_years",
    ),
    "size": ("size", "tumor_size", "tumour_size", "size_mm", "tumor_size_mm"),
    "pam50": (
        "pam50",
        "pam50_subtype",
        "pam50call_rnaseq",
        "pam50_mrna_nature2012",
        "claudin_subtype",
        "pam50_claudin_low_subtype",
        "subtype",
    ),
    "chemotherapy": ("chemotherapy", "chemo_treated", "chemo", "chemotherapy_treated"),
    "endocrine_therapy": (
        "endocrine_therapy",
        "endocrine_treated",
        "hormone_therapy",
        "hormone_treatment",
        "hormonal_therapy",
    ),
    "radiotherapy": ("radiotherapy", "radio_therapy", "radiation_therapy"),
}
_PAM50 = {
    "luma": "LumA",
    "luminal a": "LumA",
    "lumb": "LumB",
    "luminal b": "LumB",
    "her2": "Her2",
    "her2-enriched": "Her2",
    "her2 enriched": "Her2",
    "her2e": "Her2",
    "basal": "Basal",
    "basal-like": "Basal",
    "basallike": "Basal",
    "normal": "Normal",
    "normal-like": "Normal",
    "normal breast-like": "Normal",
    "claudin-low": "Claudin-low",
    "claudin low": "Claudin-low",
}
_YES = {"yes", "y", "1", "true", "treated"}
_NO = {"no", "n", "0", "false", "untreated", "not treated"}
_ROMAN = {"i": 1.0, "ii": 2.0, "iii": 3.0}


standardize_status = deprecated_alias(standardise_status, "standardize_status")


def _key(name: object) -> str:
    return re.sub(r"[\s.]+", "_", str(name).strip().lower())


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def _decode_grade(value: str) -> float | None:
    match = re.fullmatch(r"(?:g|grade\s*)?([123]|iii|ii|i)", value.lower())
    if match is None:
        return None
    token = match.group(1)
    return float(token) if token.isdigit() else _ROMAN[token]


def _decode_node(value: str) -> str | None:
    lowered = value.lower()
    if lowered in ("n0", "n0 (i-)", "n0 (i+)", "n0 (mol+)"):
        return "negative"
    if re.fullmatch(r"n[1-3][a-c]?( \(mic\))?|n1mi", lowered):
        return "positive"
    counted = re.fullmatch(r"(?:>=?|≥)?\s*(\d+)\s*(?:-\s*\d+|\+)?", lowered)
    if counted is not None:  # node counts written as 0, 1-3, >=4, 4+
        return "positive" if int(counted.group(1)) >= 1 else "negative"
    try:
        count = float(lowered)
    except ValueError:
        status, _ = standardise_status([value])
        return None if pd.isna(status.iloc[0]) else str(status.iloc[0])
    return "positive" if count >= 1 else "negative"


def _decode_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _decode_yes_no(value: str) -> str | None:
    lowered = value.lower()
    return "yes" if lowered in _YES else "no" if lowered in _NO else None


def _decode_status(value: str) -> str | None:
    status, _ = standardise_status([value])
    return None if pd.isna(status.iloc[0]) else str(status.iloc[0])


_DECODERS: dict[str, Callable[[str], object]] = {
    "er": _decode_status,
    "pr": _decode_status,
    "her2": _decode_status,
    "grade": _decode_grade,
    "node": _decode_node,
    "age": _decode_number,
    "size": _decode_number,
    # TCGA PanCancer Atlas writes BRCA_LumA, BRCA_Basal...
    "pam50": lambda value: _PAM50.get(value.lower().removeprefix("brca_")),
    "chemotherapy": _decode_yes_no,
    "endocrine_therapy": _decode_yes_no,
    "radiotherapy": _decode_yes_no,
}


def standardise_clinical(
    clinical: pd.DataFrame, *, overrides: Mapping[str, Mapping[str, object]] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Add standard fields ``er``, ``pr``, ``her2``, ``node`` (positive/negative), ``grade``
    (1-3), ``age``, ``size`` (numbers), ``pam50`` (LumA, LumB, Her2, Basal, Normal,
    Claudin-low) and ``chemotherapy`` / ``endocrine_therapy`` / ``radiotherapy`` (yes/no)
    from the columns each source has.

    A column already named like a standard field is left as written (declare its codes
    in a recipe's ``standardise`` to recode it; the values as written are then kept in
    ``<field>_as_written``). Every derivation is reported, with the values that were
    not recognised (they become missing; nothing else is guessed).

    Parameters
    ----------
    overrides
        Per field ``{"column": NAME, "positive": [...], "negative": [...]}`` (or
        ``"yes"``/``"no"``, or ``"map": {value: level}``) from a cohort recipe, used
        instead of the built-in column names and codes.

    Examples
    --------
    >>> frame = pd.DataFrame({"er_status": [1, 0, None], "nhg": ["G3", "G1", "G2"]})
    >>> out, notes = standardise_clinical(frame)
    >>> out["er"].tolist(), out["grade"].tolist()
    (['positive', 'negative', None], [3.0, 1.0, 2.0])
    """
    out = clinical.copy()
    notes: list[str] = []
    columns = {_key(c): c for c in reversed(list(out.columns))}
    for key, column in list(columns.items()):  # Firehose: patient.age_at_...
        if key.startswith("patient_"):
            columns.setdefault(key.removeprefix("patient_"), column)
    for name, candidates in _STANDARD_SOURCES.items():
        override = (overrides or {}).get(name)
        if override is not None:
            source = str(override.get("column", name))
            if source not in out.columns:
                raise CohortValidationError(
                    f"standardise {name!r}: column not found in the clinical table",
                    column=source,
                    expected="one of: " + ", ".join(map(str, out.columns[:25])),
                )
            decoder = _recipe_decoder(name, override)
        else:
            source = next((columns[c] for c in candidates if c in columns), "")
            if not source or name in out.columns:
                continue  # a field named like a standard one is the user's: kept as written
            decoder = _DECODERS[name]
        out, note = _derive(out, name, source, decoder)
        notes.append(note)
    return out, notes


def _recipe_decoder(name: str, override: Mapping[str, object]) -> Callable[[str], object]:
    table: dict[str, object] = {}
    levels = ("positive", "negative", "yes", "no")
    for level in levels:
        for value in override.get(level, []) or []:  # type: ignore[attr-defined]
            table[str(value).strip().lower()] = level
    for value, level in dict(override.get("map", {}) or {}).items():  # type: ignore[call-overload]
        table[str(value).strip().lower()] = level
    if not table:
        return _DECODERS[name]
    return lambda value: table.get(value.lower())


def _derive(
    out: pd.DataFrame, name: str, source: str, decoder: Callable[[str], object]
) -> tuple[pd.DataFrame, str]:
    written = out[source]
    decoded: list[object] = []
    unknown: dict[str, int] = {}
    for raw in written.to_numpy(dtype=object):
        text = _text(raw)
        value = None if text is None or text == "" else decoder(text)
        if value is None and text:
            unknown[text] = unknown.get(text, 0) + 1
        decoded.append(value)
    if name in out.columns and source != name:
        out[f"{name}_as_written"] = out[name]
    elif source == name:
        out[f"{name}_as_written"] = written
    numeric = name in ("grade", "age", "size")
    out[name] = pd.Series(decoded, index=out.index, dtype=float if numeric else object)
    if not numeric:
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    shown = dict(sorted(unknown.items(), key=lambda item: -item[1])[:6])
    note = f"'{name}' standardised from {source}" + (
        f" (not recognised, set missing: {shown})" if unknown else ""
    )
    return out, note


# The endpoint names a user may give (--endpoint-name), and the words of a time column's
# name that say which endpoint it is (issue 20: "time" or "followup" says nothing and
# was silently called overall survival). Abbreviations are read before words, and the
# more specific word first: "bone relapse" is bmfs, "distant relapse" dmfs.
ENDPOINT_CHOICES = ("os", "rfs", "dfs", "dmfs", "mfs", "bmfs", "dss", "pfi", "pfs", "dfi")
_ENDPOINT_ABBREVIATIONS = {name: name for name in ENDPOINT_CHOICES} | {"drfs": "dmfs"}
_ENDPOINT_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("bone",), "bmfs"),
    (("distant",), "dmfs"),
    (("disease", "specific"), "dss"),
    (("disease", "free"), "dfs"),
    (("metastasis",), "mfs"),
    (("metastases",), "mfs"),
    (("metastatic",), "mfs"),
    (("progression",), "pfi"),
    (("relapse",), "rfs"),
    (("recurrence",), "rfs"),
    (("overall",), "os"),
)


def endpoint_named_by(time_column: str) -> tuple[str, str] | None:
    """The endpoint a time column's name says, with the word that says it; None if none.

    Examples
    --------
    >>> endpoint_named_by("RFS_months"), endpoint_named_by("relapse_time")
    (('rfs', 'RFS'), ('rfs', 'relapse'))
    >>> endpoint_named_by("time to bone relapse"), endpoint_named_by("DRFS.t")
    (('bmfs', 'bone'), ('dmfs', 'DRFS'))
    >>> endpoint_named_by("time") is None, endpoint_named_by("followup_days") is None
    (True, True)
    """
    words = [w for w in re.split(r"[^0-9A-Za-z]+", str(time_column)) if w]
    for word in words:
        if word.lower() in _ENDPOINT_ABBREVIATIONS:
            return _ENDPOINT_ABBREVIATIONS[word.lower()], word
    lowered = [w.lower() for w in words]
    for needed, name in _ENDPOINT_WORDS:
        if all(n in lowered for n in needed):
            return name, " ".join(words[lowered.index(n)] for n in needed)
    return None


def name_endpoint(time_column: str, given: str | None, *, file: str | Path | None = None) -> str:
    """The endpoint's name: ``given``, else the one the time column's name says.

    A column whose name says no endpoint (``time``, ``followup``) is refused rather
    than called overall survival.

    Examples
    --------
    >>> name_endpoint("OS.time", None), name_endpoint("time", "dmfs")
    ('os', 'dmfs')
    >>> name_endpoint("time", None)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: the time column 'time' does not say which endpoint it is; ...
    """
    if given:
        return given.strip().lower()
    named = endpoint_named_by(time_column)
    if named is None:
        raise OptionError(
            f"the time column {time_column!r} does not say which endpoint it is",
            file=file,
            expected="an endpoint name (--endpoint-name, endpoint=): " + "|".join(ENDPOINT_CHOICES),
            hint="overall survival is never assumed",
        )
    return named[0]
