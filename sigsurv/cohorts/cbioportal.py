"""cBioPortal study folders (the ``datahub`` download format).

A study folder holds ``data_clinical_patient.txt`` and ``data_clinical_sample.txt``
(four ``#`` metadata lines: display names, descriptions, datatypes, priorities,
then the header), and expression files such as ``data_mrna_seq_v2_rsem.txt`` or
``data_mrna_illumina_microarray.txt`` with ``Hugo_Symbol`` and/or
``Entrez_Gene_Id`` columns followed by one column per sample.

Endpoints are the ``<X>_MONTHS`` / ``<X>_STATUS`` pairs (``OS``, ``DFS``, ``RFS``,
``PFS``, ``DSS``...), in months, with statuses like ``1:DECEASED``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sigsurv.cohorts.build import (
    EndpointSpec,
    apply_transform,
    assemble_cohort,
    decode_endpoint,
    decode_site_competing,
    type_clinical,
)
from sigsurv.cohorts.clinical import standardise_status, value_counts_in_words
from sigsurv.cohorts.copy_number import COPY_NUMBER_GENES, copy_number_columns, read_cna_table
from sigsurv.cohorts.model import Cohort, Endpoint, Provenance
from sigsurv.cohorts.options import LoadOptions, load_options
from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES, read_lines
from sigsurv.cohorts.tables import read_cbioportal_matrix, sha256_of
from sigsurv.cohorts.text_tables import read_text_table
from sigsurv.errors import CohortValidationError, FileFormatError

__all__ = [
    "find_expression_files",
    "find_study_folder",
    "is_cbioportal_folder",
    "load_cbioportal",
    "read_cbioportal_clinical",
    "read_meta_files",
]

# Preferred expression files, best first: measured values before z-scores.
_EXPRESSION_PRIORITY = (
    r"data_mrna_illumina_microarray\.txt$",
    r"data_mrna_agilent_microarray\.txt$",
    r"data_expression_median\.txt$",
    r"data_mrna_affymetrix_microarray\.txt$",
    r"data_mrna_seq_v2_rsem\.txt$",
    r"data_mrna_seq_(tpm|fpkm|rpkm)\.txt$",
    r"data_mrna_seq_rpkm\.txt$",
    r"data_rna_seq.*\.txt$",
    r"data_mrna.*\.txt$",
    r"data_expression.*\.txt$",
    r"data_mirna.*\.txt$",
)
_ENDPOINT_PATTERN = re.compile(r"^(?P<name>[A-Z0-9]+)_MONTHS$")


def read_meta_files(folder: str | Path) -> list[dict[str, str]]:
    """Read every ``meta_*.txt`` of a study folder (``key: value`` lines).

    Each entry also holds ``meta_file`` (its name). cBioPortal does not fix data file
    names: the ``data_filename`` of a meta file names its data file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "meta_clinical_patients.txt").write_text(
    ...     "genetic_alteration_type: CLINICAL\\ndatatype: PATIENT_ATTRIBUTES\\n"
    ...     "data_filename: data_clinical_patients.txt\\n")
    >>> read_meta_files(folder)[0]["data_filename"]
    'data_clinical_patients.txt'
    """
    entries: list[dict[str, str]] = []
    for meta in sorted(Path(folder).glob("meta_*.txt")):
        entry = {"meta_file": meta.name}
        for number, line in enumerate(read_lines(meta), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            if not sep:
                raise FileFormatError(
                    "meta file line is not 'key: value'", file=meta, line=number, found=line[:60]
                )
            entry[key.strip()] = value.strip()
        entries.append(entry)
    return entries


def _meta_data_files(folder: Path, alteration: str, datatypes: tuple[str, ...]) -> list[Path]:
    """Data files that meta files declare with this alteration type and datatype."""
    files: list[Path] = []
    for entry in read_meta_files(folder):
        if entry.get("genetic_alteration_type", "").upper() != alteration:
            continue
        if entry.get("datatype", "").upper() not in datatypes:
            continue
        name = entry.get("data_filename")
        if not name:
            raise FileFormatError(
                "meta file has no data_filename", file=folder / entry["meta_file"]
            )
        data_file = _inside_study(folder, name, folder / entry["meta_file"])
        if not data_file.exists():
            raise FileFormatError(
                f"data file named by {entry['meta_file']} is missing",
                file=data_file,
                expected=f"data_filename: {name}",
            )
        files.append(data_file)
    return files


def _inside_study(folder: Path, name: str, meta: Path) -> Path:
    """The data file a meta file names, refused unless it lies inside the study folder.

    Issue 24: ``data_filename: ../x``, an absolute path or ``/etc/...`` was read; a
    symbolic link that leads out of the folder is refused the same way.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _inside_study(folder, "data_cna.txt", folder / "meta_cna.txt").name
    'data_cna.txt'
    >>> _inside_study(folder, "../x", folder / "meta_cna.txt")
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: ...: data_filename leads outside the study folder; ...
    """
    relative = Path(name)
    candidate = folder / relative
    outside = relative.is_absolute() or ".." in relative.parts or "\\" in name
    if not outside:
        try:
            candidate.resolve().relative_to(folder.resolve())
        except ValueError:
            outside = True
    if outside:
        raise FileFormatError(
            "data_filename leads outside the study folder",
            file=meta,
            expected="a file name inside the study folder",
            found=name,
        )
    return candidate


def _clinical_files(folder: Path) -> tuple[Path | None, Path | None]:
    """(patient file, sample file): named by meta files, else the datahub names."""
    patient = _meta_data_files(folder, "CLINICAL", ("PATIENT_ATTRIBUTES",))
    sample = _meta_data_files(folder, "CLINICAL", ("SAMPLE_ATTRIBUTES",))
    legacy_patient = folder / "data_clinical_patient.txt"
    legacy_sample = folder / "data_clinical_sample.txt"
    return (
        patient[0] if patient else (legacy_patient if legacy_patient.exists() else None),
        sample[0] if sample else (legacy_sample if legacy_sample.exists() else None),
    )


def is_cbioportal_folder(path: str | Path) -> bool:
    """True if ``path`` is a folder with cBioPortal clinical files (named by meta files
    or with the datahub names).

    Examples
    --------
    >>> is_cbioportal_folder(".")
    False
    """
    folder = Path(path)
    if not folder.is_dir():
        return False
    if (folder / "data_clinical_patient.txt").exists() or (
        folder / "data_clinical_sample.txt"
    ).exists():
        return True
    if not (folder / "meta_study.txt").exists():
        return False
    patient, sample = _clinical_files(folder)
    return patient is not None or sample is not None


def find_study_folder(path: str | Path) -> Path | None:
    """The cBioPortal study folder at ``path`` or in its only study subfolder (an unpacked
    datahub bundle), else None.

    Examples
    --------
    >>> find_study_folder(".") is None
    True
    """
    folder = Path(path)
    if is_cbioportal_folder(folder):
        return folder
    if not folder.is_dir():
        return None
    nested = [d for d in sorted(folder.iterdir()) if d.is_dir() and is_cbioportal_folder(d)]
    return nested[0] if len(nested) == 1 else None


def find_expression_files(folder: str | Path) -> list[Path]:
    """Expression files of a study folder, preferred first (z-score files last).

    The files are those the meta files declare as ``MRNA_EXPRESSION`` when there are
    meta files, else every ``data_*.txt`` matching the known expression names.

    Examples
    --------
    >>> find_expression_files(".")
    []
    """
    root = Path(folder)
    declared = (
        _meta_data_files(root, "MRNA_EXPRESSION", ("CONTINUOUS", "Z-SCORE", "DISCRETE"))
        if root.is_dir()
        else []
    )
    files = declared or [f for f in root.glob("data_*.txt") if "clinical" not in f.name]
    ranked: list[tuple[int, int, str, Path]] = []
    for file in files:
        lowered = file.name.lower()
        rank = next(
            (i for i, pattern in enumerate(_EXPRESSION_PRIORITY) if re.search(pattern, lowered)),
            None,
        )
        if rank is None and not declared:
            continue
        rank = len(_EXPRESSION_PRIORITY) if rank is None else rank
        zscore = int("zscore" in lowered or "z_score" in lowered)
        ranked.append((zscore, rank, file.name, file))
    return [item[3] for item in sorted(ranked)]


def read_cbioportal_clinical(
    path: str | Path,
    *,
    id_column: str | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[pd.DataFrame, list[Endpoint], dict[str, str]]:
    """Read a cBioPortal clinical file (patient or sample) with its metadata lines.

    The ``#`` datatype line (``NUMBER`` / ``STRING`` / ``BOOLEAN``) types the columns;
    ``<X>_MONTHS`` / ``<X>_STATUS`` pairs are decoded into endpoints ``<x>_time`` /
    ``<x>_event`` (months). Also reads the comma-separated re-saves some
    repositories carry (one ``#`` line of display names, then the header).
    ``max_file_bytes`` is the input limit (see :class:`sigsurv.cohorts.options.LoadOptions`).

    Returns
    -------
    (clinical, endpoints, datatypes)
        Clinical table indexed by ``PATIENT_ID`` / ``SAMPLE_ID``, decoded endpoints,
        and the datatype of each column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "data_clinical_patient.txt"
    >>> _ = path.write_text("#Patient\\t#OS\\t#Status\\n#d\\td\\td\\n#STRING\\tNUMBER\\tSTRING\\n"
    ...                     "#1\\t1\\t1\\nPATIENT_ID\\tOS_MONTHS\\tOS_STATUS\\n"
    ...                     "P1\\t10.5\\t1:DECEASED\\nP2\\t20\\t0:LIVING\\n")
    >>> clinical, endpoints, _ = read_cbioportal_clinical(path)
    >>> endpoints[0].name, clinical["os_event"].tolist()
    ('os', [1, 0])
    """
    table = read_text_table(path, comment="#", max_file_bytes=max_file_bytes)
    frame = table.data
    datatypes: dict[str, str] = {}
    if len(table.comment_lines) >= 3:
        separator = "\t" if "\t" in table.comment_lines[2] else ","
        types = [t.lstrip("#").strip().upper() for t in table.comment_lines[2].split(separator)]
        if len(types) == len(frame.columns):
            datatypes = dict(zip(frame.columns, types, strict=True))
    key = id_column
    if key is None:
        key = next((c for c in ("SAMPLE_ID", "PATIENT_ID") if c in frame.columns), None)
    if key is None or key not in frame.columns:
        raise FileFormatError(
            "no PATIENT_ID or SAMPLE_ID column",
            file=path,
            line=table.first_data_line - 1,
            expected="a cBioPortal clinical header",
            found=", ".join(frame.columns[:5]),
        )
    ids = frame[key]
    if ids.isna().any() or ids.duplicated().any():
        bad = ids.isna() | ids.duplicated()
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise CohortValidationError(
            "missing or duplicated identifier",
            file=path,
            line=table.line_of(row),
            column=key,
            found=ids.iloc[row],
        )
    endpoints: list[Endpoint] = []
    for column in frame.columns:
        match = _ENDPOINT_PATTERN.match(column)
        if not match or f"{match['name']}_STATUS" not in frame.columns:
            continue
        spec = EndpointSpec(match["name"].lower(), column, f"{match['name']}_STATUS", "months")
        frame, endpoint = decode_endpoint(
            frame, spec, file=path, first_data_line=table.first_data_line
        )
        endpoints.append(endpoint)
    for column, kind in datatypes.items():
        if kind == "NUMBER" and column in frame.columns:
            numeric = pd.to_numeric(frame[column], errors="coerce")
            bad = numeric.isna() & frame[column].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise CohortValidationError(
                    "value is not a number in a NUMBER column",
                    file=path,
                    line=table.line_of(row),
                    column=column,
                    found=frame[column].iloc[row],
                )
            frame[column] = numeric.astype(float)
    frame = frame.set_index(key)
    frame.index = frame.index.astype(str)
    return frame, endpoints, datatypes


_DSS_CODES = {"died of disease": 1, "died of other causes": 0, "living": 0}


def _metabric_fields(
    patients: pd.DataFrame, path: Path, messages: list[str]
) -> tuple[pd.DataFrame, list[Endpoint]]:
    """Disease-specific survival from METABRIC's ``VITAL_STATUS`` (months, with OS time).

    ``Died of Disease`` is an event; ``Living`` and ``Died of Other Causes`` are censored
    at the overall-survival time; anything else (missing) stays missing.
    """
    if "VITAL_STATUS" not in patients.columns or "os_time" not in patients.columns:
        return patients, []
    if "dss_time" in patients.columns:
        return patients, []
    status = patients["VITAL_STATUS"].map(
        lambda value: None if value is None else _DSS_CODES.get(str(value).strip().lower())
    )
    unknown = patients["VITAL_STATUS"].notna() & status.isna()
    if unknown.any():
        raise CohortValidationError(
            "VITAL_STATUS value not recognised for disease-specific survival",
            file=path,
            column="VITAL_STATUS",
            expected="Living | Died of Disease | Died of Other Causes",
            found=str(patients["VITAL_STATUS"][unknown].iloc[0]),
        )
    patients = patients.copy()
    patients["dss_time"] = patients["os_time"].where(status.notna())
    patients["dss_event"] = pd.array(status.tolist(), dtype="Int8")
    messages.append(
        f"{path.name}: 'dss' from VITAL_STATUS: {int((status == 1).sum())} died of disease "
        f"(events), {int((status == 0).sum())} censored at OS time (living or died of other "
        "causes)"
    )
    endpoint = Endpoint(
        name="dss",
        time="dss_time",
        event="dss_event",
        unit="months",
        label="disease-specific survival",
        source_columns=("OS_MONTHS", "VITAL_STATUS"),
    )
    return patients, [endpoint]


def _standard_receptor_columns(clinical: pd.DataFrame, messages: list[str]) -> pd.DataFrame:
    sources = {
        "er": ("ER_STATUS", "ER_IHC", "ER_STATUS_BY_IHC"),
        "her2": ("HER2_STATUS", "HER2_STATUS_BY_IHC", "IHC_HER2"),
        "pr": ("PR_STATUS", "PR_STATUS_BY_IHC"),
    }
    for name, candidates in sources.items():
        column = next((c for c in candidates if c in clinical.columns), None)
        if column is None or name in clinical.columns:
            continue
        status, unknown = standardise_status(clinical[column])
        clinical[name] = status.to_numpy()
        note = f"'{name}' standardised from {column}"
        if unknown:
            note += f" (not positive/negative: {value_counts_in_words(unknown)})"
        messages.append(note)
    return clinical


def load_cbioportal(
    folder: str | Path,
    *,
    expression_file: str | Path | None = None,
    options: LoadOptions | None = None,
    transform: str | None = None,
    id_type: str | None = None,
    collapse: str | None = None,
    harmonise: bool | None = None,
    na_policy: str | None = None,
    name: str | None = None,
    standardise: Mapping[str, Mapping[str, object]] | None = None,
    non_tumour: str | None = None,
    extra_endpoints: Sequence[EndpointSpec] = (),
    copy_number_genes: Sequence[str] = COPY_NUMBER_GENES,
) -> Cohort:
    """Load a cBioPortal study folder.

    Parameters
    ----------
    folder
        Study folder with ``data_clinical_patient.txt`` and/or ``data_clinical_sample.txt``
        and at least one expression file.
    expression_file
        Which expression file to use (default: the first of
        :func:`find_expression_files`, measured values before z-scores).
    options
        How to read (:class:`~sigsurv.cohorts.options.LoadOptions`); the keyword
        arguments ``transform``, ``id_type``, ``collapse``, ``harmonise``,
        ``na_policy``, ``standardise`` and ``non_tumour``, when given, replace its fields.
    transform
        ``auto`` (the default here: log2(x+1) for non-negative linear-scale data such
        as RSEM, reported), ``log2p1`` or ``none``.
    extra_endpoints
        Further endpoints decoded from the merged clinical columns.
    copy_number_genes
        Genes whose discrete copy-number calls (the ``COPY_NUMBER_ALTERATION``
        ``DISCRETE`` / ``DISCRETE_LONG`` profile, else ``data_cna.txt``) become clinical
        columns ``cna_<GENE>`` (see :mod:`sigsurv.cohorts.copy_number`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "data_clinical_patient.txt").write_text(
    ...     "#a\\tb\\tc\\n#a\\tb\\tc\\n#STRING\\tNUMBER\\tSTRING\\n#1\\t1\\t1\\n"
    ...     "PATIENT_ID\\tOS_MONTHS\\tOS_STATUS\\nP1\\t10\\t1:DECEASED\\nP2\\t20\\t0:LIVING\\n")
    >>> _ = (folder / "data_mrna_illumina_microarray.txt").write_text(
    ...     "Hugo_Symbol\\tEntrez_Gene_Id\\tP1\\tP2\\nTP53\\t7157\\t5.1\\t6.2\\n")
    >>> cohort = load_cbioportal(folder)
    >>> cohort.n_samples, cohort.endpoint("os").unit
    (2, 'months')
    """
    chosen = load_options(
        options,
        transform=transform,
        id_type=id_type,
        collapse=collapse,
        harmonise=harmonise,
        na_policy=na_policy,
        standardise=standardise,
        non_tumour=non_tumour,
    )
    limit = chosen.max_file_bytes
    root = Path(folder)
    if not root.is_dir():
        raise FileFormatError("cBioPortal study folder not found", file=root)
    messages: list[str] = []
    study = _study_clinical(root, messages, limit)
    clinical, endpoints = study.clinical, study.endpoints
    for spec in extra_endpoints:
        clinical, extra = decode_endpoint(clinical, spec, file=study.patient_file)
        endpoints.append(extra)
        if spec.site_column is not None:
            clinical, competing = decode_site_competing(
                clinical, spec, extra, file=study.patient_file
            )
            endpoints.append(competing)
    clinical = _copy_number_fields(root, clinical, copy_number_genes, messages, limit)
    clinical = type_clinical(clinical)

    matrix_file = _expression_file_of(root, expression_file, messages)
    values, id_kind, read_messages = read_cbioportal_matrix(matrix_file, max_file_bytes=limit)
    messages.extend(read_messages)
    values, scale, transform_note = apply_transform(
        values, chosen.transform_or("auto"), matrix_file
    )
    if transform_note:
        messages.append(transform_note)
    if "zscore" in matrix_file.name.lower():
        scale = "z-score (cBioPortal)"
    files = [f for f in (study.patient_file, study.sample_file, matrix_file) if f.exists()]
    provenance = Provenance(
        source=f"cBioPortal study {root.name}",
        platform=matrix_file.name,
        scale=scale,
        identifier_type=id_kind,
        files=tuple(str(f) for f in files),
        sha256=tuple(sha256_of(f) for f in files),
    )
    sample_level = study.sample_level
    return assemble_cohort(
        name or root.name,
        values,
        clinical,
        endpoints=endpoints,
        provenance=provenance,
        options=chosen,
        id_type="symbol" if id_kind == "Hugo_Symbol" and chosen.id_type == "auto" else None,
        expression_file=matrix_file,
        clinical_file=study.sample_file if sample_level else study.patient_file,
        join_rule="cBioPortal SAMPLE_ID" if sample_level else "cBioPortal PATIENT_ID",
        messages=messages,
    )


@dataclass
class _StudyClinical:
    """A study's clinical table (samples joined to their patients), its endpoints, the
    clinical files and whether the table is sample-level."""

    clinical: pd.DataFrame
    endpoints: list[Endpoint]
    patient_file: Path
    sample_file: Path
    sample_level: bool


def _study_clinical(root: Path, messages: list[str], max_file_bytes: int) -> _StudyClinical:
    """Read the patient and sample files (either may be absent) and join them on
    PATIENT_ID; fields in both are reported where they disagree."""
    found_patient, found_sample = _clinical_files(root)
    patient_file = found_patient or root / "data_clinical_patient.txt"
    sample_file = found_sample or root / "data_clinical_sample.txt"
    patients = samples = None
    endpoints: list[Endpoint] = []
    if found_patient is not None:
        patients, patient_endpoints, _ = read_cbioportal_clinical(
            patient_file, id_column="PATIENT_ID", max_file_bytes=max_file_bytes
        )
        patients, derived = _metabric_fields(patients, patient_file, messages)
        endpoints.extend([*patient_endpoints, *derived])
    if found_sample is not None:
        samples, sample_endpoints, _ = read_cbioportal_clinical(
            sample_file, id_column="SAMPLE_ID", max_file_bytes=max_file_bytes
        )
        endpoints.extend(sample_endpoints)
    if patients is None and samples is None:
        raise FileFormatError(
            "no clinical file in the study folder",
            file=root,
            expected="meta_clinical_*.txt naming the clinical files, or "
            "data_clinical_patient.txt and/or data_clinical_sample.txt",
        )
    if samples is not None and patients is not None:
        if "PATIENT_ID" not in samples.columns:
            raise FileFormatError(
                "sample file has no PATIENT_ID column", file=sample_file, column="PATIENT_ID"
            )
        overlap = [c for c in patients.columns if c in samples.columns]
        patient_part = patients.rename(columns={c: f"{c}_PATIENT" for c in overlap})
        clinical = samples.join(patient_part, on="PATIENT_ID", how="left")
        messages.extend(_disagreements(clinical, overlap, patient_file, sample_file))
        unmatched = clinical["PATIENT_ID"].notna() & ~clinical["PATIENT_ID"].isin(patients.index)
        if unmatched.any():
            messages.append(
                f"{int(unmatched.sum())} samples have a PATIENT_ID absent from {patient_file.name}"
            )
    elif samples is not None:
        clinical = samples
    else:
        clinical = patients  # patient-level study: expression columns are patient IDs
    assert clinical is not None
    clinical = _standard_receptor_columns(clinical, messages)
    return _StudyClinical(clinical, endpoints, patient_file, sample_file, samples is not None)


def _expression_file_of(
    root: Path, expression_file: str | Path | None, messages: list[str]
) -> Path:
    """The expression file to read: the one given (relative to the study folder), else
    the first of :func:`find_expression_files`, the others reported."""
    candidates = find_expression_files(root)
    chosen = Path(expression_file) if expression_file is not None else None
    if chosen is not None and not chosen.is_absolute():
        chosen = root / chosen
    if chosen is None:
        if not candidates:
            raise FileFormatError(
                "no expression file in the study folder",
                file=root,
                expected="data_mrna_*.txt or data_expression*.txt",
            )
        chosen = candidates[0]
        if len(candidates) > 1:
            messages.append(
                f"expression from {chosen.name} (also available: "
                + ", ".join(c.name for c in candidates[1:])
                + "; choose with expression_file)"
            )
    return chosen


def _copy_number_fields(
    root: Path,
    clinical: pd.DataFrame,
    genes: Sequence[str],
    messages: list[str],
    max_file_bytes: int,
) -> pd.DataFrame:
    """Add ``cna_<GENE>`` columns from the study's discrete copy-number profile, if any."""
    files = _meta_data_files(root, "COPY_NUMBER_ALTERATION", ("DISCRETE", "DISCRETE_LONG"))
    if not files and (root / "data_cna.txt").exists():
        files = [root / "data_cna.txt"]  # studies without meta files
    if not files or not genes:
        return clinical
    calls = _one_cna_profile(files, max_file_bytes)
    columns, absent = copy_number_columns(calls, clinical.index, genes)
    profiled = int(clinical.index.isin(calls.columns).sum())
    messages.append(
        f"copy-number calls from {' + '.join(f.name for f in files)} ({profiled} of "
        f"{len(clinical)} samples profiled): "
        + (", ".join(columns.columns) if len(columns.columns) else "no column")
        + (f"; not in the file: {', '.join(absent)}" if absent else "")
    )
    return pd.concat([clinical, columns], axis=1) if len(columns.columns) else clinical


def _disagreements(
    clinical: pd.DataFrame, overlap: list[str], patient_file: Path, sample_file: Path
) -> list[str]:
    """Fields in both clinical files whose values differ for a sample (issue 24: OS in
    both files, disagreeing, was resolved silently). The sample file's value is used.

    Examples
    --------
    >>> frame = pd.DataFrame({"OS_MONTHS": ["10", "7"], "OS_MONTHS_PATIENT": ["12", "7"]},
    ...                      index=["S1", "S2"])
    >>> _disagreements(frame, ["OS_MONTHS"], Path("p.txt"), Path("s.txt"))[0][:62]
    'OS_MONTHS is in p.txt and s.txt and disagrees for 1 sample (S1'
    """
    notes = []
    for column in overlap:
        if column.endswith(("_time", "_event")):
            continue  # decoded copies of a reported source column
        mine, theirs = clinical[column], clinical[f"{column}_PATIENT"]
        both = mine.notna() & theirs.notna()
        differs = both & (mine.astype(str) != theirs.astype(str))
        if not differs.any():
            continue
        first = differs.to_numpy().nonzero()[0][0]
        n = int(differs.sum())
        notes.append(
            f"{column} is in {patient_file.name} and {sample_file.name} and disagrees for "
            f"{n} sample{'s' if n != 1 else ''} ({clinical.index[first]}: "
            f"{mine.iloc[first]!r} vs {theirs.iloc[first]!r}); the sample file's values are "
            f"used, the patient file's kept as {column}_PATIENT"
        )
    return notes


def _one_cna_profile(files: list[Path], max_file_bytes: int) -> pd.DataFrame:
    """The study's discrete copy-number calls; several profiles are combined only
    when they agree on every gene and sample they share (refused otherwise, naming
    the first disagreement): never the first profile silently."""
    combined = read_cna_table(files[0], max_file_bytes=max_file_bytes)
    for other_file in files[1:]:
        other = read_cna_table(other_file, max_file_bytes=max_file_bytes)
        genes = combined.index.intersection(other.index)
        samples = combined.columns.intersection(other.columns)
        left = combined.loc[genes, samples]
        right = other.loc[genes, samples]
        differs = (left != right).fillna(left.isna() != right.isna()).to_numpy(dtype=bool)
        if differs.any():
            row, col = (int(i[0]) for i in differs.nonzero())
            raise FileFormatError(
                f"copy-number profiles {files[0].name} and {other_file.name} disagree",
                file=other_file,
                found=f"{genes[row]} in {samples[col]}: {left.iat[row, col]} vs "
                f"{right.iat[row, col]}",
                hint="keep one discrete CNA profile in the study folder",
            )
        combined = combined.combine_first(other)
    return combined
