"""TCGA / UCSC Xena style tables: genes x samples with TCGA barcodes + clinical tables.

Barcodes are matched at patient level (first 12 characters, case-insensitive);
by default only primary tumours (sample type ``01``, characters 14-15) are kept.
When a patient has several primary-tumour aliquots, the first in sorted barcode
order is kept (``01A`` before ``01B``) and the others are reported.

Clinical tables recognised: the TCGA Pan-Cancer Clinical Data Resource (TCGA-CDR:
``bcr_patient_barcode`` with ``OS``/``OS.time``, ``DSS``, ``DFI``, ``PFI`` in days),
Xena survival tables (``sample``, ``OS``, ``OS.time``, ``_PATIENT``) and the Broad
Firehose merged clinical table (``patient.bcr_patient_barcode``, lower case), from
which ER, PR and HER2 status are standardised. Aliquot-level annotation tables
(first column ``aliquot_barcode``, e.g. the sequencing machine) are joined per aliquot.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
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
from sigsurv.cohorts.model import Cohort, Endpoint, Provenance
from sigsurv.cohorts.options import LoadOptions, load_options
from sigsurv.cohorts.readers import read_bytes_head
from sigsurv.cohorts.tables import read_expression_table, sha256_of
from sigsurv.cohorts.text_tables import read_text_table
from sigsurv.errors import CohortValidationError, FileFormatError, SampleJoinError

__all__ = [
    "classify_tcga_file",
    "is_tcga_folder",
    "load_tcga",
    "load_tcga_folder",
    "patient_barcode",
    "sample_type_code",
]

# Dashes as TCGA writes them, or dots after R's make.names (TCGA.BH.A1FM.11B...).
_BARCODE = re.compile(r"^TCGA[-.][A-Z0-9]{2}[-.][A-Z0-9]{4}", re.IGNORECASE)
# Sample-level keys of Xena tables: legacy TCGA hub ``sampleID``, GDC hub ``sample``
# and ``submitter_id.samples`` (GDC phenotype).
_SAMPLE_KEYS = ("sample", "sampleid", "submitter_id.samples")
# Xena survival columns: ``_OS`` with ``_OS_IND`` (GDC hub, legacy clinicalMatrix).
_XENA_ENDPOINTS = (("os", "_OS"), ("rfs", "_RFS"), ("dss", "_DSS"), ("pfi", "_PFI"))
# GDC phenotype (Xena GDC hub) receptor fields, as in the Firehose merged table.
_GDC_STATUS = {
    "er": "breast_carcinoma_estrogen_receptor_status",
    "pr": "breast_carcinoma_progesterone_receptor_status",
}
_GDC_HER2_IHC = "lab_proc_her2_neu_immunohistochemistry_receptor_status"
_GDC_HER2_FISH = "lab_procedure_her2_neu_in_situ_hybrid_outcome_type"
_CDR_ENDPOINTS = (("os", "OS"), ("dss", "DSS"), ("dfi", "DFI"), ("pfi", "PFI"), ("pfs", "PFS"))
# Preferred expression files when a folder has several (normalised before counts).
_EXPRESSION_NAME_RANK = ("rpm", "tpm", "fpkm", "rsem", "norm", "log2", "hiseqv2", "")


def patient_barcode(barcode: str) -> str:
    """Patient part of a TCGA barcode (first 12 characters, upper case).

    Examples
    --------
    >>> patient_barcode("tcga-a1-a0se-01a-11r-a085-13"), patient_barcode("TCGA.BH.A1FM.11B")
    ('TCGA-A1-A0SE', 'TCGA-BH-A1FM')
    """
    return str(barcode)[:12].upper().replace(".", "-")


def sample_type_code(barcode: str) -> str | None:
    """Sample type code (characters 14-15: ``01`` primary tumour, ``11`` normal...).

    Examples
    --------
    >>> sample_type_code("TCGA-A1-A0SE-01A-11R-A085-13"), sample_type_code("TCGA-A1-A0SE")
    ('01', None)
    """
    text = str(barcode)
    return text[13:15] if len(text) >= 15 else None


def _header(path: Path) -> list[str]:
    head = read_bytes_head(path, 1 << 20).decode("utf-8", errors="replace")
    first = head.split("\n", 1)[0].rstrip("\r")
    separator = "\t" if "\t" in first else ","
    return [c.strip().strip('"') for c in first.split(separator)]


def classify_tcga_file(path: str | Path) -> str | None:
    """Classify a table in a TCGA folder: ``expression``, ``clinical``, ``aliquots`` or None.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.tsv"
    >>> _ = path.write_text("bcr_patient_barcode\\tOS\\tOS.time\\nTCGA-A1-A0SE\\t0\\t10\\n")
    >>> classify_tcga_file(path)
    'clinical'
    """
    file = Path(path)
    try:
        header = _header(file)
    except FileFormatError:
        return None
    lowered = [h.lower() for h in header]
    if lowered and lowered[0] in ("aliquot_barcode", "aliquot"):
        return "aliquots"
    if "bcr_patient_barcode" in lowered or "patient.bcr_patient_barcode" in lowered:
        return "clinical"
    if "os.time" in lowered and ("sample" in lowered or "_patient" in lowered):
        return "clinical"
    if lowered and lowered[0] in _SAMPLE_KEYS and ("_os" in lowered or len(header) > 2):
        # Xena survival (``_OS``/``_OS_IND``), legacy clinicalMatrix or GDC phenotype:
        # the first column must hold TCGA barcodes.
        head = read_bytes_head(file, 1 << 16).decode("utf-8", errors="replace").split("\n")
        rows = [line.split("\t", 1)[0] for line in head[1:20] if line.strip()]
        if rows and all(_BARCODE.match(r.strip('"')) for r in rows):
            return "clinical"
    barcodes = sum(bool(_BARCODE.match(h)) for h in header[1:])
    if len(header) > 2 and barcodes >= 0.9 * (len(header) - 1):
        return "expression"
    return None


def is_tcga_folder(path: str | Path) -> bool:
    """True if a folder holds at least one TCGA expression table and one clinical table.

    Examples
    --------
    >>> is_tcga_folder(".")
    False
    """
    folder = Path(path)
    if not folder.is_dir():
        return False
    kinds = {classify_tcga_file(f) for f in _tables(folder)}
    return {"expression", "clinical"} <= kinds


def _tables(folder: Path) -> list[Path]:
    """Table files of a folder and of its immediate subfolders (``original/``).

    Xena downloads have no extension (``HiSeqV2``, ``BRCA_clinicalMatrix``), so names
    without a dot are candidates too; every candidate is classified by its header.
    """
    suffixes = (".tsv", ".tsv.gz", ".txt", ".txt.gz", ".csv", ".csv.gz", ".gz")
    found: list[Path] = []
    for directory in (folder, *sorted(d for d in folder.iterdir() if d.is_dir())):
        for file in directory.iterdir():
            name = file.name.lower()
            if file.is_file() and not name.startswith(".") and name.endswith(suffixes):
                found.append(file)
            elif file.is_file() and "." not in name:
                found.append(file)
    return sorted(found, key=lambda f: (f.parent != folder, str(f)))


def _patient_key(frame: pd.DataFrame) -> tuple[str, bool]:
    """The column holding the patient (or sample) barcode, and whether it is sample-level."""
    columns = {c.lower(): c for c in frame.columns}
    for name in ("bcr_patient_barcode", "patient.bcr_patient_barcode"):
        if name in columns:
            return columns[name], False
    first = str(frame.columns[0])
    if first.lower() in _SAMPLE_KEYS:
        return first, True
    if "_patient" in columns:
        return columns["_patient"], False
    if "sample" in columns:
        return columns["sample"], True
    return first, False


def _one_row_per_patient(
    frame: pd.DataFrame, path: Path, table_line: Callable[[int], int], messages: list[str]
) -> pd.DataFrame:
    """Drop duplicated patient rows only when they cannot change an endpoint."""
    duplicated = frame["_patient_key"].duplicated(keep="first")
    if not duplicated.any():
        return frame
    survival_columns = [
        c
        for _, column in (*_CDR_ENDPOINTS, *_XENA_ENDPOINTS)
        for c in (column, f"{column}.time", f"{column}_IND")
        if c in frame.columns
    ]
    for patient, rows in frame[frame["_patient_key"].duplicated(keep=False)].groupby(
        "_patient_key", sort=False
    ):
        conflicting = [c for c in survival_columns if rows[c].nunique(dropna=False) > 1]
        if conflicting:
            raise CohortValidationError(
                f"patient {patient} has several rows with different survival data",
                file=path,
                line=table_line(int(rows.index[1])),  # the index is the row position
                column=conflicting[0],
                found=", ".join(map(str, rows[conflicting[0]].tolist())),
                hint="keep one row per patient",
            )
    messages.append(
        f"{path.name}: {int(duplicated.sum())} duplicated patient rows with identical "
        "survival data, first kept"
    )
    return frame[~duplicated]


def _xena_endpoints(
    frame: pd.DataFrame, path: Path, first_data_line: int, messages: list[str]
) -> tuple[pd.DataFrame, list[Endpoint]]:
    """``_OS``/``_OS_IND`` pairs in days; negative times (GDC hub) become missing, reported."""
    endpoints: list[Endpoint] = []
    for name, column in _XENA_ENDPOINTS:
        if column not in frame.columns or f"{column}_IND" not in frame.columns:
            continue
        times = pd.to_numeric(frame[column], errors="coerce")
        negative = (times < 0).to_numpy()
        if negative.any():
            first = int(np.flatnonzero(negative)[0])
            frame = frame.copy()
            frame[column] = frame[column].where(~negative, None)
            messages.append(
                f"{path.name}: {int(negative.sum())} negative {column} times (follow-up "
                f"ending before diagnosis, e.g. line {first_data_line + first}: "
                f"{times.iloc[first]:g}) set to missing; those patients have no '{name}'"
            )
        frame, endpoint = decode_endpoint(
            frame,
            EndpointSpec(name, column, f"{column}_IND", unit="days"),
            file=path,
            first_data_line=first_data_line,
        )
        endpoints.append(endpoint)
    return frame, endpoints


def _read_patient_clinical(
    path: Path, messages: list[str], max_file_bytes: int
) -> tuple[pd.DataFrame, list[Endpoint]]:
    table = read_text_table(path, max_file_bytes=max_file_bytes)
    frame = table.data.copy()
    key, sample_level = _patient_key(frame)
    frame["_patient_key"] = frame[key].map(lambda b: None if b is None else patient_barcode(b))
    sample_column = next((c for c in frame.columns if c.lower() in _SAMPLE_KEYS), None)
    if sample_level or sample_column is not None:
        # Xena tables are per sample; keep primary tumours, one row per patient.
        types = frame[sample_column or key].map(
            lambda b: None if b is None else sample_type_code(str(b).replace(".", "-"))
        )
        primary = (types == "01") | types.isna()
        if (~primary).any():
            messages.append(
                f"{path.name}: {int((~primary).sum())} rows of other sample types than "
                "primary tumour (01) excluded"
            )
        frame = frame[primary]
    frame = _one_row_per_patient(frame, path, table.line_of, messages)
    endpoints: list[Endpoint] = []
    for name, column in _CDR_ENDPOINTS:
        if column in frame.columns and f"{column}.time" in frame.columns:
            frame, endpoint = decode_endpoint(
                frame,
                EndpointSpec(name, f"{column}.time", column, unit="days"),
                file=path,
                first_data_line=table.first_data_line,
            )
            endpoints.append(endpoint)
    frame, xena = _xena_endpoints(frame, path, table.first_data_line, messages)
    endpoints.extend(e for e in xena if e.name not in {d.name for d in endpoints})
    bone = _bone_relapse(frame, path, messages)
    if bone is not None:
        frame, endpoint = bone
        endpoints.append(endpoint)
        frame, competing = _bone_relapse_competing(frame, path, messages)
        endpoints.append(competing)
    frame = _receptor_status(frame, messages)
    frame = _trastuzumab(frame, messages)
    frame = frame.set_index("_patient_key")
    frame.index.name = "patient"
    return frame, endpoints


def _receptor_status(frame: pd.DataFrame, messages: list[str]) -> pd.DataFrame:
    """ER/PR/HER2 from the Firehose merged table or the GDC phenotype table."""
    for prefix in ("patient.", ""):
        for name, field in _GDC_STATUS.items():
            column = prefix + field
            if column in frame.columns and name not in frame.columns:
                status, unknown = standardise_status(frame[column])
                frame[name] = status.to_numpy()
                messages.append(
                    f"'{name}' standardised from {column}"
                    + (
                        f" (not positive/negative: {value_counts_in_words(unknown)})"
                        if unknown
                        else ""
                    )
                )
        ihc = prefix + _GDC_HER2_IHC
        if ihc in frame.columns and "her2" not in frame.columns:
            frame["her2"] = _her2_status(frame, ihc, prefix + _GDC_HER2_FISH)
            messages.append(
                f"'her2' from {ihc}: positive if IHC 3+/positive or ISH positive; negative if "
                "IHC negative and ISH not positive, or ISH negative after equivocal IHC"
            )
    return frame


def _trastuzumab(frame: pd.DataFrame, messages: list[str]) -> pd.DataFrame:
    """``trastuzumab`` yes/no from the Firehose drug records (``patient.drugs.*.drug_name``)."""
    drug_columns = [
        c for c in frame.columns if c.startswith("patient.drugs.") and c.endswith(".drug_name")
    ]
    if not drug_columns:
        return frame
    names = frame[drug_columns].fillna("").astype(str).apply(lambda col: col.str.lower())
    treated = names.apply(lambda col: col.str.contains("trastuzumab|herceptin")).any(axis=1)
    has_record = (names != "").any(axis=1)
    frame = frame.copy()
    frame["trastuzumab"] = [
        "yes" if is_treated else "no" if recorded else None
        for is_treated, recorded in zip(treated, has_record, strict=True)
    ]
    messages.append(
        f"'trastuzumab' from {len(drug_columns)} drug-name columns: {int(treated.sum())} yes, "
        f"{int((has_record & ~treated).sum())} no (other drugs recorded), "
        f"{int((~has_record).sum())} missing (no drug record)"
    )
    return frame


def _bone_relapse(
    frame: pd.DataFrame, path: Path, messages: list[str]
) -> tuple[pd.DataFrame, Endpoint] | None:
    """Bone-metastasis-free survival (``bmfs``, days) from TCGA-CDR new tumour events.

    Event: ``new_tumor_event_site`` is ``Bone``, at ``new_tumor_event_dx_days_to``.
    A patient whose first new tumour event was elsewhere is censored at that event
    (later bone status is not recorded); everyone else at ``OS.time`` (last contact
    or death).
    """
    needed = ("new_tumor_event_site", "new_tumor_event_dx_days_to", "OS.time")
    if not all(c in frame.columns for c in needed):
        return None
    site = frame["new_tumor_event_site"].fillna("").astype(str).str.strip()
    bone = site.str.lower().eq("bone").to_numpy()
    other_event = ((site != "") & ~bone).to_numpy()
    event_day = pd.to_numeric(frame["new_tumor_event_dx_days_to"], errors="coerce").to_numpy()
    follow_up = pd.to_numeric(frame["OS.time"], errors="coerce").to_numpy()
    time = np.where(bone | (other_event & np.isfinite(event_day)), event_day, follow_up)
    frame = frame.copy()
    frame["bmfs_time"] = time.astype(float)
    frame["bmfs_event"] = pd.array(np.where(bone, 1, 0), dtype="Int8")
    frame.loc[~np.isfinite(time), "bmfs_event"] = pd.NA
    note = (
        f"{path.name}: 'bmfs' (bone relapse, days) from new_tumor_event_site == 'Bone': "
        f"{int(bone.sum())} events; {int(other_event.sum())} patients with a first new "
        "tumour event elsewhere censored at that event"
    )
    if "new_tumor_event_site_other" in frame.columns:
        other_text = frame["new_tumor_event_site_other"].fillna("").astype(str)
        mentions = (other_text.str.contains("bone", case=False).to_numpy()) & ~bone
        if mentions.any():
            note += (
                f" (including {int(mentions.sum())} whose 'Other' site text mentions bone: "
                "not counted as bone relapse)"
            )
    messages.append(note)
    endpoint = Endpoint(
        name="bmfs",
        time="bmfs_time",
        event="bmfs_event",
        unit="days",
        label="bone-metastasis-free survival",
        source_columns=needed,
    )
    return frame, endpoint


# Cause codes of ``bone_relapse_cr`` (0 = censored).
BONE_RELAPSE_CAUSES = ("bone relapse", "other new tumour event", "death without new tumour event")


def _bone_relapse_competing(
    frame: pd.DataFrame, path: Path, messages: list[str]
) -> tuple[pd.DataFrame, Endpoint]:
    """``bone_relapse_cr`` (days): the first new tumour event, by site, with death competing.

    Cause 1: ``new_tumor_event_site`` is ``Bone`` (the ``bmfs`` events); cause 2: any other
    recorded first new tumour event (another site, or a type without a site, e.g.
    locoregional); both at ``new_tumor_event_dx_days_to`` (missing when that day is).
    Cause 3: death (``OS`` = 1) without a recorded new tumour event, at ``OS.time``.
    Otherwise censored at ``OS.time``. Only the first event counts: a death after a
    relapse is not a second event. Needs the columns :func:`_bone_relapse` needs, plus ``OS``.
    """
    site = frame["new_tumor_event_site"].fillna("").astype(str).str.strip()
    kind = (
        frame["new_tumor_event_type"].fillna("").astype(str).str.strip()
        if "new_tumor_event_type" in frame.columns
        else pd.Series("", index=frame.index)
    )
    bone = site.str.lower().eq("bone").to_numpy()
    other = ((site != "") | (kind != "")).to_numpy() & ~bone
    event_day = pd.to_numeric(frame["new_tumor_event_dx_days_to"], errors="coerce").to_numpy()
    follow_up = pd.to_numeric(frame["OS.time"], errors="coerce").to_numpy()
    died = (
        pd.to_numeric(frame["OS"], errors="coerce").to_numpy() == 1
        if "OS" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    relapse = bone | other
    time = np.where(relapse, event_day, follow_up).astype(float)
    cause = np.select([bone, other, died], [1, 2, 3], default=0)
    frame = frame.copy()
    frame["bone_relapse_cr_time"] = time
    frame["bone_relapse_cr_cause"] = pd.array(cause, dtype="Int8")
    frame.loc[~np.isfinite(time), "bone_relapse_cr_cause"] = pd.NA
    messages.append(
        f"{path.name}: 'bone_relapse_cr' (competing risks, days): {int(bone.sum())} bone "
        f"relapses, {int(other.sum())} other first new tumour events (another site or a "
        f"type without a site), {int((died & ~relapse).sum())} deaths without a new "
        f"tumour event; {int((relapse & ~np.isfinite(event_day)).sum())} events without a "
        "day have no time"
    )
    endpoint = Endpoint(
        name="bone_relapse_cr",
        time="bone_relapse_cr_time",
        event="bone_relapse_cr_cause",
        unit="days",
        label="first new tumour event by site, death competing",
        source_columns=(
            "new_tumor_event_site",
            "new_tumor_event_type",
            "new_tumor_event_dx_days_to",
            "OS",
            "OS.time",
        ),
        causes=BONE_RELAPSE_CAUSES,
    )
    return frame, endpoint


def _her2_status(frame: pd.DataFrame, ihc_column: str, fish_column: str) -> np.ndarray:
    ihc, _ = standardise_status(frame[ihc_column])
    if fish_column in frame.columns:
        fish, _ = standardise_status(frame[fish_column])
    else:
        fish = pd.Series(pd.Categorical([np.nan] * len(frame)), index=frame.index)
    out: list[str | float] = []
    for ihc_value, fish_value in zip(ihc.astype(object), fish.astype(object), strict=True):
        if fish_value == "positive" or ihc_value == "positive":
            out.append("positive")
        elif fish_value == "negative" or ihc_value == "negative":
            out.append("negative")
        else:
            out.append(np.nan)
    return pd.Categorical(out, categories=["negative", "positive"]).to_numpy()


def load_tcga(
    expression: str | Path,
    clinical: Sequence[str | Path],
    *,
    aliquot_tables: Sequence[str | Path] = (),
    sample_types: Sequence[str] = ("01",),
    options: LoadOptions | None = None,
    transform: str | None = None,
    id_type: str | None = None,
    collapse: str | None = None,
    harmonise: bool | None = None,
    na_policy: str | None = None,
    name: str | None = None,
    extra_endpoints: Sequence[EndpointSpec] = (),
    standardise: Mapping[str, Mapping[str, object]] | None = None,
    non_tumour: str | None = None,
) -> Cohort:
    """Load TCGA / Xena tables: one expression matrix, clinical tables, aliquot annotations.

    Parameters
    ----------
    expression
        Genes (or miRNAs) x aliquot/sample barcodes.
    clinical
        Patient-level tables (TCGA-CDR, Xena survival, Firehose merged); merged on the
        patient barcode; endpoints from TCGA-CDR / Xena columns (days).
    aliquot_tables
        Tables keyed by aliquot barcode (first column), joined per aliquot (e.g. the
        sequencing machine, for stratification).
    sample_types
        Sample type codes to keep (default primary tumour ``01``).
    options
        How to read (:class:`~sigsurv.cohorts.options.LoadOptions`); the keyword
        arguments ``transform``, ``id_type``, ``collapse``, ``harmonise``,
        ``na_policy``, ``standardise`` and ``non_tumour``, when given, replace its fields.
    transform
        ``auto`` (the default here) applies log2(x+1) to linear-scale values (RPM,
        RSEM), reported.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "expr.tsv").write_text(
    ...     "gene\\tTCGA-A1-A0SE-01A-11R\\tTCGA-A1-A0SH-01A-11R\\tTCGA-A1-A0SH-11A-11R\\n"
    ...     "TP53\\t5.0\\t6.0\\t7.0\\n")
    >>> _ = (folder / "cdr.tsv").write_text(
    ...     "bcr_patient_barcode\\tOS\\tOS.time\\n"
    ...     "TCGA-A1-A0SE\\t1\\t300\\nTCGA-A1-A0SH\\t0\\t900\\n")
    >>> cohort = load_tcga(folder / "expr.tsv", [folder / "cdr.tsv"])
    >>> cohort.samples.tolist(), cohort.endpoint("os").unit
    (['TCGA-A1-A0SE', 'TCGA-A1-A0SH'], 'days')
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
    expression_file = Path(expression)
    values, messages = read_expression_table(expression_file, max_file_bytes=limit)
    values, aliquot_of = _one_aliquot_per_patient(values, sample_types, expression_file, messages)
    values, scale, note = apply_transform(values, chosen.transform_or("auto"), expression_file)
    if note:
        messages.append(note)
    merged, endpoints = _merged_patient_clinical(clinical, messages, limit)
    merged["aliquot_barcode"] = pd.Series(aliquot_of).reindex(merged.index)
    merged = _join_aliquot_tables(merged, aliquot_tables, messages, limit)
    merged = type_clinical(merged)
    files = [expression_file, *map(Path, clinical), *map(Path, aliquot_tables)]
    provenance = Provenance(
        source="TCGA (" + ", ".join(f.name for f in files) + ")",
        platform=expression_file.name,
        scale=scale,
        identifier_type=chosen.id_type,
        files=tuple(str(f) for f in files),
        sha256=tuple(sha256_of(f) for f in files),
    )
    decoded = list(endpoints)
    for spec in extra_endpoints:
        merged, endpoint = decode_endpoint(merged, spec)
        decoded.append(endpoint)
        if spec.site_column is not None:
            merged, competing = decode_site_competing(merged, spec, endpoint)
            decoded.append(competing)
    cohort = assemble_cohort(
        name or expression_file.name.split(".")[0],
        values,
        merged,
        endpoints=decoded,
        provenance=provenance,
        options=chosen,
        expression_file=expression_file,
        clinical_file=Path(clinical[0]),
        join_rule="TCGA patient barcode (first 12 characters), primary tumour",
        messages=messages,
    )
    # TCGA miRNA was sequenced on two machines, a strong batch effect: analyses stratify by it.
    if "machine" in cohort.clinical.columns:
        cohort = dataclasses.replace(cohort, strata_columns=("machine",))
    return cohort


def _one_aliquot_per_patient(
    values: pd.DataFrame, sample_types: Sequence[str], file: Path, messages: list[str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The expression columns of the kept sample types, one aliquot per patient (the
    first barcode in sorted order), renamed to patient barcodes; and each patient's
    aliquot barcode. Dotted (R-style) barcodes are read with dashes; all reported."""
    dotted = [c for c in values.columns if _BARCODE.match(c) and "." in c]
    if dotted:
        values.columns = [c.replace(".", "-") if _BARCODE.match(c) else c for c in values.columns]
        messages.append(
            f"{len(dotted)} R-style dotted barcodes (e.g. {dotted[0]}) read with dashes"
        )
    barcodes = pd.Series(values.columns, index=values.columns)
    codes = barcodes.map(sample_type_code)
    keep_type = codes.isin(list(sample_types)) | codes.isna()
    if not keep_type.any():
        raise SampleJoinError(
            "no expression column has the requested sample type",
            file=file,
            expected="sample type code(s) " + ", ".join(sample_types),
            found=", ".join(sorted(set(codes.dropna()))[:5]),
        )
    n_other = int((~keep_type).sum())
    if n_other:
        messages.append(
            f"{n_other} aliquots of other sample types excluded (kept: {', '.join(sample_types)})"
        )
    kept = barcodes[keep_type].sort_values()
    patients = kept.map(patient_barcode)
    first = ~patients.duplicated(keep="first")
    if (~first).any():
        messages.append(
            f"{int((~first).sum())} extra aliquots of patients with several primary-tumour "
            "aliquots excluded (first barcode in sorted order kept)"
        )
    kept = kept[first.to_numpy()]
    # Keep the file's column order for the kept aliquots.
    ordered = [b for b in values.columns if b in set(kept)]
    values = values[ordered]
    aliquot_of = {patient_barcode(b): b for b in ordered}
    values.columns = [patient_barcode(b) for b in ordered]
    return values, aliquot_of


def _merged_patient_clinical(
    clinical: Sequence[str | Path], messages: list[str], max_file_bytes: int
) -> tuple[pd.DataFrame, list[Endpoint]]:
    """The patient-level clinical tables joined on the patient barcode, and their
    endpoints (an endpoint defined twice: the first table's kept, reported)."""
    merged: pd.DataFrame | None = None
    endpoints: list[Endpoint] = []
    for path in clinical:
        frame, frame_endpoints = _read_patient_clinical(Path(path), messages, max_file_bytes)
        taken = {e.name for e in endpoints}
        for endpoint in frame_endpoints:
            if endpoint.name in taken:
                frame = frame.drop(columns=[endpoint.time, endpoint.event])
                messages.append(
                    f"{Path(path).name}: endpoint {endpoint.name!r} already defined by an earlier "
                    "clinical table; kept the first"
                )
            else:
                endpoints.append(endpoint)
        if merged is None:
            merged = frame
        else:
            overlap = [c for c in frame.columns if c in merged.columns]
            frame = frame.rename(
                columns={c: f"{c}.{Path(path).name.split('.')[0]}" for c in overlap}
            )
            merged = merged.join(frame, how="outer")
    if merged is None:
        raise FileFormatError("no clinical table given", expected="at least one clinical table")
    return merged.copy(), endpoints  # de-fragment: wide clinical tables grew column by column


def _join_aliquot_tables(
    merged: pd.DataFrame,
    aliquot_tables: Sequence[str | Path],
    messages: list[str],
    max_file_bytes: int,
) -> pd.DataFrame:
    """Join tables keyed by aliquot barcode (first column) on each patient's aliquot."""
    for path in aliquot_tables:
        table = read_text_table(path, max_file_bytes=max_file_bytes).data
        key = table.columns[0]
        table = table.set_index(key)
        table.index = table.index.astype(str).str.upper()
        table = table.drop(columns=[c for c in table.columns if c in merged.columns])
        upper_aliquots = merged["aliquot_barcode"].str.upper()
        joined = table.reindex(upper_aliquots.to_numpy())
        joined.index = merged.index
        merged = merged.join(joined)
        messages.append(
            f"aliquot annotations joined from {Path(path).name}: " + ", ".join(table.columns)
        )
    return merged


def load_tcga_folder(
    folder: str | Path, *, expression_file: str | Path | None = None, **keywords: object
) -> Cohort:
    """Load a folder of TCGA tables, classifying each file by its header.

    The expression matrix is chosen by name when there are several (normalised
    values such as RPM/TPM/FPKM before raw counts), or given by ``expression_file``.
    Other keywords (``options``, a :class:`~sigsurv.cohorts.options.LoadOptions`,
    ``collapse``, ``sample_types``...) go to :func:`load_tcga`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "expr.tsv").write_text(
    ...     "gene\\tTCGA-A1-A0SE-01A-11R\\tTCGA-A1-A0SH-01A-11R\\nTP53\\t5.0\\t6.0\\n")
    >>> _ = (folder / "cdr.tsv").write_text(
    ...     "bcr_patient_barcode\\tOS\\tOS.time\\n"
    ...     "TCGA-A1-A0SE\\t1\\t300\\nTCGA-A1-A0SH\\t0\\t900\\n")
    >>> load_tcga_folder(folder).n_samples
    2
    """
    root = Path(folder)
    kinds: dict[str, list[Path]] = {"expression": [], "clinical": [], "aliquots": []}
    for file in _tables(root):
        kind = classify_tcga_file(file)
        if kind is not None:
            kinds[kind].append(file)
    if expression_file is not None:
        chosen = Path(expression_file)
        chosen = chosen if chosen.is_absolute() or chosen.exists() else root / chosen
    else:
        if not kinds["expression"]:
            raise FileFormatError("no expression table with TCGA barcodes in the folder", file=root)
        chosen = min(
            kinds["expression"],
            key=lambda f: (
                "count" in f.name.lower(),
                next(i for i, w in enumerate(_EXPRESSION_NAME_RANK) if w in f.name.lower()),
                f.name,
            ),
        )
    if not kinds["clinical"]:
        raise FileFormatError(
            "no clinical table with TCGA patient barcodes in the folder", file=root
        )
    # TCGA-CDR first: its curated endpoints win over derived ones.
    clinical = sorted(kinds["clinical"], key=lambda f: ("cdr" not in f.name.lower(), f.name))
    cohort = load_tcga(
        chosen,
        clinical,
        aliquot_tables=kinds["aliquots"],
        name=str(keywords.pop("name", root.name)),
        **keywords,  # type: ignore[arg-type]
    )
    others = [f.name for f in kinds["expression"] if f != chosen]
    if others:
        cohort.messages = (
            *cohort.messages,
            f"expression from {chosen.name} (also available: {', '.join(others)})",
        )
    return cohort
