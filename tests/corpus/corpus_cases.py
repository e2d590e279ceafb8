"""The malformed-input corpus: each case writes one small file with one defect.

A :class:`Case` builds its input under a temporary folder and returns a
:class:`Call`: the SOURCE and loader options (the same for the Python API and for
``sigsurv cohort info``), the defective file whose name the error must show, and
optionally a subgroup expression, monkeypatched limits or a custom API call.

``ERROR_CASES`` must be refused with exactly ``error`` (not a subclass or parent)
and a message containing ``fragment``. ``REPORT_CASES`` are repaired or accepted
visibly: the cohort loads and ``fragment`` appears in what the user is shown
(cohort messages, the gene-identifier report, or a :class:`SigsurvWarning`).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sigsurv.errors import (
    AnalysisError,
    CohortValidationError,
    CoverageError,
    FileFormatError,
    GeneIdentifierError,
    OptionError,
    SampleJoinError,
    SignatureError,
    SigsurvInputError,
    UnsafeExpressionError,
)

SAMPLES = [f"S{i}" for i in range(1, 9)]
GENES = ["TP53", "ESR1", "GATA3", "FOXA1", "BCL2", "ERBB2"]
TIMES = [12.0, 30.5, 7.25, 60.0, 44.0, 18.0, 25.0, 90.0]
EVENTS = [1, 0, 1, 0, 1, 0, 0, 1]
_RNG = np.random.default_rng(7)
VALUES = _RNG.normal(8.0, 2.0, size=(len(GENES), len(SAMPLES))).round(4)


# ----------------------------------------------------------------------------- builders
def write(path: Path, text: str | bytes) -> Path:
    """Write text or bytes, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def expression_text(
    genes: list[str] = GENES,
    samples: list[str] = SAMPLES,
    values: Any = None,
    sep: str = "\t",
    first: str = "gene",
) -> str:
    """A genes x samples matrix; ``values`` may hold strings (written as is)."""
    values = VALUES[: len(genes), : len(samples)] if values is None else values
    lines = [sep.join([first, *samples])]
    for gene, row in zip(genes, values, strict=True):
        lines.append(sep.join([gene, *(str(v) for v in row)]))
    return "\n".join(lines) + "\n"


def clinical_text(
    samples: list[str] = SAMPLES,
    times: list[Any] = TIMES,
    events: list[Any] = EVENTS,
    sep: str = "\t",
    header: str = "id\ttime\tstatus",
) -> str:
    """A clinical table: id, time (months), status."""
    lines = [header.replace("\t", sep)]
    lines += [sep.join(map(str, row)) for row in zip(samples, times, events, strict=True)]
    return "\n".join(lines) + "\n"


@dataclass
class Call:
    """What a case runs: ``load_cohort(source, **options)`` then ``subset(subgroup)``.

    ``cli`` False means the case has no CLI equivalent yet (scoring, signature
    files, options without a flag); ``api`` replaces the loader call.
    """

    source: str
    options: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None
    subgroup: str | None = None
    patch: dict[str, Any] = field(default_factory=dict)
    api: Callable[[], Any] | None = None
    cli: bool = True
    command: list[str] | None = None

    def cli_args(self) -> list[str]:
        """Arguments of ``sigsurv cohort info`` (or ``command``) equivalent to the API call."""
        if self.command is not None:
            return list(self.command)
        flags = {
            "clinical": "--clinical",
            "time": "--time",
            "event": "--event",
            "endpoint": "--endpoint-name",
            "time_unit": "--time-unit",
            "platform": "--platform",
            "orientation": "--orientation",
            "sample_column": "--sample-column",
            "collapse": "--collapse",
        }
        args = ["cohort", "info", str(self.source)]
        for key, value in self.options.items():
            if key == "event_codes":
                args += ["--event-codes", ",".join(f"{k}={v}" for k, v in value.items())]
            else:
                args += [flags[key], str(value)]
        if self.subgroup is not None:
            args += ["--subgroup", self.subgroup]
        return args


@dataclass(frozen=True)
class Case:
    """One defect: how to build it and what sigsurv must say."""

    name: str
    build: Callable[[Path], Call]
    error: type[SigsurvInputError] | None
    fragment: str

    def __str__(self) -> str:
        return self.name


def _tables(
    root: Path,
    expression: str | bytes | None = None,
    clinical: str | bytes | None = None,
    *,
    expression_name: str = "expr.tsv",
    clinical_name: str = "clin.tsv",
    defect: str = "expression",
    **options: Any,
) -> Call:
    """An expression + clinical pair (valid unless overridden); ``defect`` names the bad file."""
    expr = write(root / expression_name, expression_text() if expression is None else expression)
    clin = write(root / clinical_name, clinical_text() if clinical is None else clinical)
    settings = {"clinical": clin, "time": "time", "event": "status", "time_unit": "months"}
    settings["endpoint"] = "os"  # a column named "time" says no endpoint: declared (issue 20)
    settings.update(options)
    settings = {k: v for k, v in settings.items() if v is not None}
    return Call(str(expr), settings, file={"expression": expr, "clinical": clin}.get(defect))


def _valid_with_subgroup(expression: str) -> Callable[[Path], Call]:
    def build(root: Path) -> Call:
        er = ["positive", "negative"] * 4
        text = clinical_text().splitlines()
        text = [text[0] + "\ter"] + [f"{row}\t{e}" for row, e in zip(text[1:], er, strict=True)]
        call = _tables(root, clinical="\n".join(text) + "\n")
        call.subgroup = expression
        call.file = None
        return call

    return build


# ----------------------------------------------------------------------------- GEO
def series_matrix(
    *,
    samples: list[str] = SAMPLES,
    rows: list[str] | None = None,
    characteristics: list[list[str]] | None = None,
    begin: bool = True,
    end: bool = True,
    table_samples: list[str] | None = None,
) -> str:
    """A GEO series matrix with time/relapse characteristics and a gene-symbol table."""
    quoted = lambda cells: "\t".join(f'"{c}"' for c in cells)  # noqa: E731
    if characteristics is None:
        characteristics = [
            [f"months: {t}" for t in TIMES],
            [f"relapse: {e}" for e in EVENTS],
        ]
    lines = [
        '!Series_title\t"Toy cohort"',
        '!Series_geo_accession\t"GSE99999"',
        "!Sample_title\t" + quoted([f"tumour {s}" for s in samples]),
        "!Sample_geo_accession\t" + quoted(samples),
    ]
    lines += ["!Sample_characteristics_ch1\t" + quoted(cells) for cells in characteristics]
    if begin:
        lines.append("!series_matrix_table_begin")
    lines.append(quoted(["ID_REF", *(table_samples or samples)]))
    if rows is None:
        rows = ["\t".join([f'"{g}"', *(str(v) for v in VALUES[i])]) for i, g in enumerate(GENES)]
    lines += rows
    if end:
        lines.append("!series_matrix_table_end")
    return "\n".join(lines) + "\n"


def _geo(root: Path, text: str | bytes, *, gz: bool = False, **options: Any) -> Call:
    name = "GSE99999_series_matrix.txt" + (".gz" if gz else "")
    payload = gzip.compress(text.encode(), mtime=0) if gz and isinstance(text, str) else text
    path = write(root / name, payload)
    settings = {"time": "months", "event": "relapse", "endpoint": "rfs", "time_unit": "months"}
    settings.update(options)
    return Call(str(path), {k: v for k, v in settings.items() if v is not None}, file=path)


# ----------------------------------------------------------------------------- cBioPortal
PATIENT_HEADER = [
    "#Patient Identifier\tOverall Survival (Months)\tOverall Survival Status\tAge",
    "#Identifier\tOS months\tOS status\tAge at diagnosis",
    "#STRING\tNUMBER\tSTRING\tNUMBER",
    "#1\t1\t1\t1",
]


def patient_file(
    ids: list[str] = SAMPLES,
    status: list[str] | None = None,
    ages: list[str] | None = None,
    id_column: str = "PATIENT_ID",
) -> str:
    status = status or ["1:DECEASED" if e else "0:LIVING" for e in EVENTS]
    ages = ages or [str(40 + i) for i in range(len(ids))]
    lines = [*PATIENT_HEADER, f"{id_column}\tOS_MONTHS\tOS_STATUS\tAGE"]
    lines += [f"{p}\t{t}\t{s}\t{a}" for p, t, s, a in zip(ids, TIMES, status, ages, strict=True)]
    return "\n".join(lines) + "\n"


def mrna_file(first: str = "Hugo_Symbol\tEntrez_Gene_Id") -> str:
    entrez = ["7157", "2099", "2625", "3169", "596", "2064"]
    head = first.split("\t")
    lines = ["\t".join([*head, *SAMPLES])]
    for i, gene in enumerate(GENES):
        ids = [gene, entrez[i]][: len(head)]
        lines.append("\t".join([*ids, *(str(v) for v in VALUES[i])]))
    return "\n".join(lines) + "\n"


def _cbio(
    root: Path,
    *,
    patient: str | None = None,
    sample: str | None = None,
    mrna: str | None = None,
    defect: str = "data_clinical_patient.txt",
) -> Call:
    study = root / "study"
    write(study / "data_clinical_patient.txt", patient_file() if patient is None else patient)
    if sample is not None:
        write(study / "data_clinical_sample.txt", sample)
    if mrna != "":
        write(study / "data_mrna_illumina_microarray.txt", mrna_file() if mrna is None else mrna)
    return Call(str(study), {}, file=study / defect)


def _scoring(genes: list[str]) -> Callable[[Path], Call]:
    """A valid cohort scored with a GMT signature: ``sigsurv score`` / ``score()``."""

    def build(root: Path) -> Call:
        from sigsurv.cohorts import load_cohort
        from sigsurv.scoring import score
        from sigsurv.signatures import load_signatures

        call = _tables(root, defect="none")
        gmt = write(root / "mine.gmt", "\t".join(["mine", "na", *genes]) + "\n")

        def api() -> Any:
            cohort = load_cohort(call.source, **call.options)
            return score(cohort, load_signatures(gmt))

        call.api = api
        call.command = ["score", *call.cli_args()[2:], "--signature", str(gmt)]
        return call

    return build


def _signature_file(name: str, text: str) -> Callable[[Path], Call]:
    """A malformed signature file: ``load_signatures`` / ``sigsurv score --signature``."""

    def build(root: Path) -> Call:
        from sigsurv.signatures import load_signatures

        call = _tables(root, defect="none")
        path = write(root / name, text)
        call.api = lambda: load_signatures(path)
        call.command = ["score", *call.cli_args()[2:], "--signature", str(path)]
        call.file = path
        return call

    return build


def _no_harmonise(root: Path) -> Call:
    call = _tables(root, expression=expression_text(genes=["TP53", "ESR1", "TP53"]))
    call.options["harmonise"] = False
    call.cli = False  # no CLI flag turns harmonisation off
    return call


def _directory_clinical(root: Path) -> Call:
    call = _tables(root, defect="clinical")
    folder = root / "clinical_folder"
    folder.mkdir()
    call.options["clinical"] = folder
    call.file = folder
    return call


def _fifo_expression(root: Path) -> Call:
    """A named pipe where the expression table should be (reading it would block)."""
    import os

    call = _tables(root)
    fifo = Path(call.source)
    fifo.unlink()
    os.mkfifo(fifo)
    return call


def _limit(**patch: Any) -> Callable[[Path], Call]:
    def build(root: Path) -> Call:
        call = _tables(root)
        call.patch = patch
        return call

    return build


def _constant_values() -> np.ndarray:
    values = VALUES.astype(object).copy()
    values[2, :] = 5.0
    return values


def _with_cells(cells: dict[tuple[int, int], str]) -> np.ndarray:
    values = VALUES.astype(object).copy()
    for (i, j), text in cells.items():
        values[i, j] = text
    return values


def _decimal_comma_column() -> np.ndarray:
    values = VALUES.astype(object).copy()
    values[:, 3] = [str(v).replace(".", ",") for v in VALUES[:, 3]]
    return values


def _time_column(times: list[Any], **options: Any) -> Callable[[Path], Call]:
    return lambda root: _tables(
        root, clinical=clinical_text(times=times), defect="clinical", **options
    )


def _event_column(events: list[Any], **options: Any) -> Callable[[Path], Call]:
    return lambda root: _tables(
        root, clinical=clinical_text(events=events), defect="clinical", **options
    )


YES_NO = ["yes" if e else "no" for e in EVENTS]
SHORT_LINE_LIMIT = 40

# ----------------------------------------------------------------------------- the corpus
ERROR_CASES: list[Case] = [
    # --- files that cannot be read
    Case(
        "empty expression file",
        lambda r: _tables(r, expression=""),
        FileFormatError,
        "file is empty",
    ),
    Case(
        "whitespace-only clinical file",
        lambda r: _tables(r, clinical="\n  \n\t\n", defect="clinical"),
        FileFormatError,
        "file is empty",
    ),
    Case(
        "expression header only",
        lambda r: _tables(r, expression="gene\t" + "\t".join(SAMPLES) + "\n"),
        FileFormatError,
        "header but no data rows",
    ),
    Case(
        "clinical header only",
        lambda r: _tables(r, clinical="id\ttime\tstatus\n", defect="clinical"),
        FileFormatError,
        "header but no data rows",
    ),
    Case(
        "ragged expression row",
        lambda r: _tables(r, expression=expression_text().replace("\n", "\t9.9\n", 2)),
        FileFormatError,
        "ragged row",
    ),
    Case(
        "ragged clinical row",
        lambda r: _tables(
            r, clinical=clinical_text().replace("S3\t7.25\t1", "S3\t7.25"), defect="clinical"
        ),
        FileFormatError,
        "ragged row",
    ),
    Case(
        "quoted separator in a CSV clinical table: parsed, then its text event refused",
        lambda r: _tables(
            r,
            clinical='"id","time","status"\n'
            + "".join(
                f'"{s}",{t},"{e}, confirmed"\n'
                for s, t, e in zip(SAMPLES, TIMES, EVENTS, strict=True)
            ),
            clinical_name="clin.csv",
            defect="clinical",
        ),
        CohortValidationError,
        "event value not recognised",
    ),
    Case(
        "duplicated sample column",
        lambda r: _tables(r, expression=expression_text(samples=[*SAMPLES[:7], "S1"])),
        FileFormatError,
        "duplicated column name",
    ),
    Case(
        "duplicated sample row in clinical",
        lambda r: _tables(
            r, clinical=clinical_text(samples=[*SAMPLES[:7], "S2"]), defect="clinical"
        ),
        CohortValidationError,
        "duplicated sample identifier",
    ),
    Case(
        "duplicated gene rows without harmonisation",
        _no_harmonise,
        CohortValidationError,
        "duplicated gene identifiers",
    ),
    Case(
        "empty column name in clinical header",
        lambda r: _tables(r, clinical=clinical_text(header="id\t\tstatus"), defect="clinical"),
        FileFormatError,
        "empty column name",
    ),
    Case(
        "empty column name in expression header",
        lambda r: _tables(
            r,
            expression=expression_text(samples=[SAMPLES[0], "", *SAMPLES[2:]]),
        ),
        FileFormatError,
        "empty column name",
    ),
    Case(
        "gzip truncated",
        lambda r: _tables(
            r,
            expression=gzip.compress(expression_text().encode() * 20, mtime=0)[:-60],
            expression_name="expr.tsv.gz",
        ),
        FileFormatError,
        "gzip stream is truncated",
    ),
    Case(
        "binary file",
        lambda r: _tables(r, expression=bytes(range(256)) * 8, expression_name="expr.tsv"),
        FileFormatError,
        "file is binary",
    ),
    Case(
        "directory given as the clinical file",
        _directory_clinical,
        FileFormatError,
        "expected a file, found a directory",
    ),
    Case(
        "corrupt Parquet clinical table",
        lambda r: _tables(
            r, clinical=b"PAR1 not parquet", clinical_name="clin.parquet", defect="clinical"
        ),
        FileFormatError,
        "cannot read Parquet file",
    ),
    Case(
        "corrupt Parquet expression table",
        lambda r: _tables(r, expression=b"PAR1 not parquet", expression_name="expr.parquet"),
        FileFormatError,
        "cannot read Parquet file",
    ),
    Case(
        "corrupt AnnData file",
        lambda r: Call(
            str(write(r / "cohort.h5ad", b"\x89HDF not really")),
            {"time": "t", "event": "e", "endpoint": "os", "time_unit": "months"},
            file=r / "cohort.h5ad",
        ),
        FileFormatError,
        "cannot read .h5ad file",
    ),
    Case(
        "time column that says no endpoint (issue 20)",
        lambda r: _tables(r, defect="clinical", endpoint=None),
        OptionError,
        "does not say which endpoint it is",
    ),
    Case(
        "missing clinical file",
        lambda r: Call(
            str(write(r / "expr.tsv", expression_text())),
            {"clinical": r / "nowhere.tsv", "time": "time", "event": "status", "endpoint": "os"},
            file=r / "nowhere.tsv",
        ),
        FileFormatError,
        "file not found",
    ),
    Case(
        "missing source",
        lambda r: Call(str(r / "absent.tsv"), {}, file=r / "absent.tsv"),
        FileFormatError,
        "cohort source not found",
    ),
    Case(
        "folder that is no known study",
        lambda r: Call(str((r / "x").mkdir() or r / "x"), {}, file=r / "x"),
        FileFormatError,
        "neither a cBioPortal study",
    ),
    Case(
        "expression table without clinical table",
        lambda r: Call(str(write(r / "expr.tsv", expression_text())), {}, file=r / "expr.tsv"),
        OptionError,
        "needs a clinical table",
    ),
    Case(
        "line longer than the limit",
        _limit(MAX_LINE_CHARS=SHORT_LINE_LIMIT),
        FileFormatError,
        "line is too long",
    ),
    Case(
        "file larger than the limit",
        _limit(MAX_FILE_BYTES=100),
        FileFormatError,
        "larger than sigsurv's limit",
    ),
    Case(
        "gzip expanding beyond the limit",
        lambda r: (lambda call: (call.patch.__setitem__("MAX_FILE_BYTES", 2000), call)[-1])(
            _tables(
                r,
                expression=gzip.compress((expression_text() + "\n" * 50_000).encode(), mtime=0),
                expression_name="expr.tsv.gz",
            )
        ),
        FileFormatError,
        "decompressed file is larger",
    ),
    Case(
        "header with a trailing tab",
        lambda r: _tables(r, expression=expression_text().replace("\n", "\t\n", 1)),
        FileFormatError,
        "header line ends with a trailing tab",
    ),
    Case(
        "comment line inside the expression table",
        lambda r: _tables(
            r,
            expression=expression_text().replace("\n", "\n# exported by a script\n", 1),
        ),
        FileFormatError,
        "comment line ('#') inside the table",
    ),
    Case(
        "logical TRUE/FALSE row in the expression matrix",
        lambda r: _tables(
            r,
            expression=expression_text(
                values=_with_cells({(2, j): "TRUE" if j % 2 else "FALSE" for j in range(8)})
            ),
        ),
        CohortValidationError,
        "logical value (TRUE/FALSE) in a numeric table",
    ),
    Case(
        "UTF-16 expression table with BOM",
        lambda r: _tables(r, expression=expression_text().encode("utf-16")),
        FileFormatError,
        "UTF-16 encoded text",
    ),
    Case(
        "UTF-16LE clinical table without BOM",
        lambda r: _tables(r, clinical=clinical_text().encode("utf-16-le"), defect="clinical"),
        FileFormatError,
        "UTF-16 encoded text",
    ),
    Case(
        "expression table is a named pipe",
        _fifo_expression,
        FileFormatError,
        "is a pipe (FIFO), not a regular file",
    ),
    # --- values that break a rule
    Case(
        "non-numeric expression cell",
        lambda r: _tables(r, expression=expression_text(values=_with_cells({(2, 4): "high"}))),
        CohortValidationError,
        "non-numeric value",
    ),
    Case(
        "mixed decimal commas and points",
        lambda r: _tables(
            r, expression=expression_text(values=_with_cells({(1, 2): "8,25", (3, 2): "1,5"}))
        ),
        CohortValidationError,
        "mixed decimal commas and points",
    ),
    Case(
        "infinite expression value",
        lambda r: _tables(r, expression=expression_text(values=_with_cells({(0, 0): "inf"}))),
        CohortValidationError,
        "infinite value",
    ),
    Case(
        "missing gene identifier",
        lambda r: _tables(r, expression=expression_text(genes=["TP53", "", *GENES[2:]])),
        CohortValidationError,
        "missing identifier",
    ),
    Case(
        "every gene has a missing value",
        lambda r: _tables(
            r, expression=expression_text(values=_with_cells({(i, i): "NA" for i in range(6)}))
        ),
        CohortValidationError,
        "would leave no gene",
    ),
    Case(
        "time unit to infer from an all-missing time column",
        _time_column(["NA"] * 8, time_unit=None),
        CohortValidationError,
        "cannot infer the time unit",
    ),
    Case(
        "negative time",
        _time_column([12.0, -3.0, *TIMES[2:]]),
        CohortValidationError,
        "negative follow-up time",
    ),
    Case(
        "non-numeric time",
        _time_column([12.0, "30 months", *TIMES[2:]]),
        CohortValidationError,
        "follow-up time is not a number",
    ),
    Case(
        "infinite time",
        _time_column([12.0, "inf", *TIMES[2:]]),
        CohortValidationError,
        "infinite follow-up time",
    ),
    Case(
        "event coded yes/no",
        _event_column(YES_NO),
        CohortValidationError,
        "--event-codes",
    ),
    Case(
        "event coded 2",
        _event_column([1, 0, 2, 0, 1, 0, 0, 1]),
        CohortValidationError,
        "event value not recognised",
    ),
    Case(
        "event code with rich markup",
        _event_column([1, 0, "[/bold]", 0, 1, 0, 0, 1]),
        CohortValidationError,
        "[/bold]",
    ),
    Case(
        "unknown time unit",
        lambda r: _tables(r, defect="none", time_unit="fortnights"),
        OptionError,
        "unknown time unit",
    ),
    Case(
        "time column not in the clinical table",
        lambda r: _tables(r, defect="clinical", time="OS_MONTHS"),
        CohortValidationError,
        "column not found in the clinical table",
    ),
    Case(
        "time without event",
        lambda r: _tables(r, defect="none", event=None),
        OptionError,
        "give both the time and the event column",
    ),
    Case(
        "missing sample identifier in clinical",
        lambda r: _tables(
            r, clinical=clinical_text(samples=[*SAMPLES[:5], "", *SAMPLES[6:]]), defect="clinical"
        ),
        CohortValidationError,
        "missing sample identifier",
    ),
    Case(
        "unknown orientation",
        lambda r: _tables(r, defect="none", orientation="diagonal"),
        OptionError,
        "unknown matrix orientation",
    ),
    # --- joins
    Case(
        "clinical IDs match no expression sample",
        lambda r: _tables(
            r, clinical=clinical_text(samples=[f"P{i}" for i in range(8)]), defect="clinical"
        ),
        SampleJoinError,
        "no clinical sample matches",
    ),
    Case(
        "wrong orientation",
        lambda r: _tables(
            r,
            expression=expression_text(
                genes=SAMPLES, samples=GENES, values=VALUES.T, first="sample"
            ),
            defect="clinical",
        ),
        SampleJoinError,
        "looks transposed",
    ),
    # --- GEO series matrices
    Case(
        "series matrix without table markers",
        lambda r: _geo(r, series_matrix(begin=False, end=False)),
        FileFormatError,
        "no '!series_matrix_table_begin' line",
    ),
    Case(
        "series matrix table not terminated",
        lambda r: _geo(r, series_matrix(end=False)),
        FileFormatError,
        "not terminated",
    ),
    Case(
        "series matrix with two table begin markers",
        lambda r: _geo(
            r,
            series_matrix().replace(
                "!series_matrix_table_begin\n", "!series_matrix_table_begin\n" * 2
            ),
        ),
        FileFormatError,
        "second '!series_matrix_table_begin'",
    ),
    Case(
        "series matrix !Sample line with a missing field",
        lambda r: _geo(
            r,
            series_matrix(
                characteristics=[[f"months: {t}" for t in TIMES[:7]], ["relapse: 1"] * 8]
            ),
        ),
        FileFormatError,
        "wrong number of fields",
    ),
    Case(
        "series matrix table columns differ from the accessions",
        lambda r: _geo(r, series_matrix(table_samples=[*SAMPLES[:7], "GSM0"])),
        FileFormatError,
        "do not match !Sample_geo_accession",
    ),
    Case(
        "series matrix ragged table row",
        lambda r: _geo(r, series_matrix(rows=['"TP53"\t1\t2\t3'])),
        FileFormatError,
        "ragged row",
    ),
    Case(
        "series matrix probe IDs without platform",
        lambda r: _geo(
            r,
            series_matrix(
                rows=[
                    "\t".join([f'"{p}"', *map(str, VALUES[i])])
                    for i, p in enumerate(["1007_s_at", "1053_at", "117_at"])
                ]
            ),
        ),
        GeneIdentifierError,
        "platform annotation table is needed",
    ),
    Case(
        "series matrix gzip truncated",
        lambda r: _geo(r, gzip.compress(series_matrix().encode() * 30, mtime=0)[:-100], gz=True),
        FileFormatError,
        "gzip stream is truncated",
    ),
    Case(
        "series matrix time key absent",
        lambda r: _geo(r, series_matrix(), time="follow-up (days)"),
        CohortValidationError,
        "column not found",
    ),
    Case(
        "platform table without ID column",
        lambda r: (
            lambda call: (
                call.options.__setitem__(
                    "platform", write(r / "GPL1.txt", "PROBE\tGene Symbol\np1\tTP53\n")
                ),
                setattr(call, "file", r / "GPL1.txt"),
                call,
            )[-1]
        )(_geo(r, series_matrix())),
        FileFormatError,
        "no probe ID column",
    ),
    # --- cBioPortal
    Case(
        "cBioPortal clinical without PATIENT_ID",
        lambda r: _cbio(r, patient=patient_file(id_column="PATIENT")),
        FileFormatError,
        "no PATIENT_ID or SAMPLE_ID column",
    ),
    Case(
        "cBioPortal NUMBER column with text",
        lambda r: _cbio(r, patient=patient_file(ages=["50", "unknown", *["60"] * 6])),
        CohortValidationError,
        "not a number in a NUMBER column",
    ),
    Case(
        "cBioPortal status 2:DECEASED",
        lambda r: _cbio(r, patient=patient_file(status=["2:DECEASED", *["0:LIVING"] * 7])),
        CohortValidationError,
        "event value not recognised",
    ),
    Case(
        "cBioPortal study without expression file",
        lambda r: (lambda call: (setattr(call, "file", Path(call.source)), call)[-1])(
            _cbio(r, mrna="")
        ),
        FileFormatError,
        "no expression file",
    ),
    Case(
        "cBioPortal expression without Hugo_Symbol or Entrez_Gene_Id",
        lambda r: _cbio(
            r, mrna=mrna_file(first="Gene"), defect="data_mrna_illumina_microarray.txt"
        ),
        FileFormatError,
        "neither Hugo_Symbol nor Entrez_Gene_Id",
    ),
    Case(
        "cBioPortal sample file without PATIENT_ID",
        lambda r: _cbio(
            r,
            sample="#a\tb\n#a\tb\n#STRING\tSTRING\n#1\t1\nSAMPLE_ID\tER_STATUS\nS1\tPositive\n",
            defect="data_clinical_sample.txt",
        ),
        FileFormatError,
        "no PATIENT_ID column",
    ),
    # --- subgroup expressions (parsed safely, never evaluated)
    Case(
        "subgroup __import__",
        _valid_with_subgroup("__import__('os').system('true')"),
        UnsafeExpressionError,
        "not allowed",
    ),
    Case(
        "subgroup attribute access",
        _valid_with_subgroup("er.__class__.__bases__ == 'x'"),
        UnsafeExpressionError,
        "must be a column name",
    ),
    Case(
        "subgroup dunder chain",
        _valid_with_subgroup("().__class__.__base__.__subclasses__()"),
        UnsafeExpressionError,
        "not allowed",
    ),
    Case(
        "subgroup lambda",
        _valid_with_subgroup("(lambda: __import__('os'))() == 1"),
        UnsafeExpressionError,
        "must be a column name",
    ),
    Case(
        "subgroup f-string",
        _valid_with_subgroup("er == f\"{__import__('os').system('true')}\""),
        UnsafeExpressionError,
        "only literal strings and numbers",
    ),
    Case(
        "subgroup call on the right side",
        _valid_with_subgroup("er == open('/etc/passwd').read()"),
        UnsafeExpressionError,
        "only literal strings and numbers",
    ),
    Case(
        "subgroup subscript",
        _valid_with_subgroup("er[0] == 'p'"),
        UnsafeExpressionError,
        "must be a column name",
    ),
    Case(
        "subgroup walrus",
        _valid_with_subgroup("(x := 1) == 1"),
        UnsafeExpressionError,
        "must be a column name",
    ),
    Case(
        "subgroup very long",
        _valid_with_subgroup(" or ".join(["er == 'positive'"] * 200)),
        UnsafeExpressionError,
        "too long",
    ),
    Case(
        "subgroup deeply nested parentheses",
        _valid_with_subgroup("(" * 240 + "er == 'positive'" + ")" * 240),
        UnsafeExpressionError,
        "not valid",
    ),
    Case(
        "subgroup statement",
        _valid_with_subgroup("import os"),
        UnsafeExpressionError,
        "not valid",
    ),
    Case(
        "subgroup bare column",
        _valid_with_subgroup("er"),
        UnsafeExpressionError,
        "bare column name",
    ),
    Case(
        "subgroup unknown column",
        _valid_with_subgroup("grade >= 2"),
        UnsafeExpressionError,
        "unknown clinical column",
    ),
    Case(
        "subgroup empty",
        _valid_with_subgroup("  "),
        UnsafeExpressionError,
        "subgroup expression is empty",
    ),
    Case(
        "subgroup 400-digit integer",
        _valid_with_subgroup("time > " + "9" * 400),
        UnsafeExpressionError,
        "number too large to compare exactly",
    ),
    Case(
        "subgroup negative 400-digit integer",
        _valid_with_subgroup("time > -" + "9" * 400),
        UnsafeExpressionError,
        "number too large to compare exactly",
    ),
    Case(
        "subgroup infinite number",
        _valid_with_subgroup("time < 1e999"),
        UnsafeExpressionError,
        "number is not finite",
    ),
    Case(
        "subgroup quoted number on a numeric column",
        _valid_with_subgroup("time == '12'"),
        UnsafeExpressionError,
        "compares a numeric column with text",
    ),
    Case(
        "subgroup selecting nobody",
        _valid_with_subgroup("er == 'unknown'"),
        AnalysisError,
        "selects no sample",
    ),
    # --- signatures and scoring (API only until `sigsurv score` exists)
    Case(
        "signature with unknown gene symbols",
        _scoring(["TP53", "NOTAGENE1", "NOTAGENE2", "NOTAGENE3"]),
        CoverageError,
        "missing: NOTAGENE1",
    ),
    Case(
        "signature with no gene present",
        _scoring(["NOTAGENE1", "NOTAGENE2"]),
        CoverageError,
        "0 of 2 genes found",
    ),
    Case(
        "GMT line without genes",
        _signature_file("sigs.gmt", "SET1\tdescription\n"),
        SignatureError,
        "sigs.gmt",
    ),
    Case(
        "YAML with a python object tag",
        _signature_file(
            "sigs.yaml", "- id: x\n  genes: !!python/object/apply:os.system ['true']\n"
        ),
        SignatureError,
        "invalid YAML",
    ),
]

# ----------------------------------------------------------------------------- repaired / reported
REPORT_CASES: list[Case] = [
    Case(
        "duplicated gene rows collapsed",
        lambda r: _tables(r, expression=expression_text(genes=["TP53", "ESR1", "TP53"])),
        None,
        "collapsed by rule max_mean",
    ),
    Case(
        "decimal commas in one column repaired",
        lambda r: _tables(r, expression=expression_text(values=_decimal_comma_column())),
        None,
        "decimal commas read as decimal points",
    ),
    Case(
        "Excel-mangled symbols",
        lambda r: _tables(r, expression=expression_text(genes=["TP53", "9-Sep", "1-Mar"])),
        None,
        "Excel-mangled",
    ),
    Case(
        "all-NaN gene removed",
        lambda r: _tables(
            r, expression=expression_text(values=_with_cells({(1, j): "NA" for j in range(8)}))
        ),
        None,
        "1 entirely missing",
    ),
    Case(
        "constant gene reported",
        lambda r: _tables(r, expression=expression_text(values=_constant_values())),
        None,
        "constant across samples",
    ),
    Case(
        "partial sample match",
        lambda r: _tables(
            r, clinical=clinical_text(samples=[*SAMPLES[:6], "P7", "P8"]), defect="clinical"
        ),
        None,
        "2 expression-only and 2 clinical-only samples dropped",
    ),
    Case(
        "event yes/no with explicit codes",
        _event_column(YES_NO, event_codes={"yes": 1, "no": 0}),
        None,
        "",
    ),
    Case(
        "no events",
        _event_column([0] * 8),
        None,
        "has no events",
    ),
    Case(
        "time unit inferred from a median of 1,500",
        _time_column([1500.0, 1200, 1800, 900, 2000, 1500, 1600, 1400], time_unit=None),
        None,
        "suggests days",
    ),
]


# ---- issue 24 loader cases (data files confined, declared sizes, booleans, infinities)
def _cbio_meta(root: Path, data_filename: str) -> Call:
    """A study whose meta file names its patient file by ``data_filename``."""
    call = _cbio(root)
    study = Path(call.source)
    (study / "data_clinical_patient.txt").rename(root / "outside.txt")
    write(study / "meta_study.txt", "type_of_cancer: brca\ncancer_study_identifier: toy\n")
    meta = write(
        study / "meta_clinical_patient.txt",
        "genetic_alteration_type: CLINICAL\ndatatype: PATIENT_ATTRIBUTES\n"
        f"data_filename: {data_filename}\n",
    )
    return Call(call.source, {}, file=meta)


def _cbio_cna(root: Path, second_call: str) -> Call:
    """A study with two discrete CNA profiles (agreeing unless ``second_call`` differs)."""
    call = _cbio(root)
    study = Path(call.source)
    for name, first in (("a", "-1"), ("b", second_call)):
        write(
            study / f"meta_cna_{name}.txt",
            "genetic_alteration_type: COPY_NUMBER_ALTERATION\ndatatype: DISCRETE\n"
            f"data_filename: data_cna_{name}.txt\n",
        )
        calls = [first, *["0"] * (len(SAMPLES) - 1)]
        write(
            study / f"data_cna_{name}.txt",
            "Hugo_Symbol\t" + "\t".join(SAMPLES) + "\nMIR424\t" + "\t".join(calls) + "\n",
        )
    return Call(call.source, {}, file=study / "data_cna_b.txt")


def _h5ad(root: Path, matrix: Any, *, declared: tuple[int, int] | None = None) -> Call:
    import anndata
    import h5py
    import scipy.sparse

    samples = [f"S{i}" for i in range(matrix.shape[0])]
    obs = pd.DataFrame({"t": TIMES[: len(samples)], "e": EVENTS[: len(samples)]}, index=samples)
    genes = [f"G{i}" for i in range(matrix.shape[1])]
    path = root / "cohort.h5ad"
    data = scipy.sparse.csr_matrix(matrix) if declared else matrix
    anndata.AnnData(data, obs=obs, var=pd.DataFrame(index=genes)).write_h5ad(path)
    if declared:
        with h5py.File(path, "r+") as handle:
            handle["X"].attrs["shape"] = np.array(declared)
    options = {"time": "t", "event": "e", "endpoint": "os", "time_unit": "months"}
    return Call(str(path), options, file=path)


def _parquet(root: Path, frame: pd.DataFrame, **patch: Any) -> Call:
    path = root / "expr.parquet"
    frame.to_parquet(path, index=False)
    call = _tables(root, defect="none")
    return Call(str(path), call.options, file=path, patch=patch)


def _parquet_bomb(root: Path) -> Call:
    rows = 200_000  # 3.2 MB once decoded, a few kB on disk
    frame = pd.DataFrame({"gene": ["TP53"] * rows, "S1": np.ones(rows), "S2": np.ones(rows)})
    return _parquet(root, frame, MAX_FILE_BYTES=1024**2)


def _parquet_bool(root: Path) -> Call:
    frame = pd.DataFrame({"gene": GENES[:2], **{s: [1.5, 2.5] for s in SAMPLES}})
    frame[SAMPLES[2]] = [True, False]
    return _parquet(root, frame)


def _featurecounts(root: Path) -> Call:
    header = "Geneid\tChr\tStart\tEnd\tStrand\tLength\t" + "\t".join(SAMPLES)
    rows = [
        f"{g}\tchr1\t1\t100\t+\t100\t" + "\t".join(str(v) for v in VALUES[i])
        for i, g in enumerate(GENES)
    ]
    text = '# Program:featureCounts v2.0.1; Command:"featureCounts" "-a" "genes.gtf"\n'
    return _tables(root, expression=text + header + "\n" + "\n".join(rows) + "\n")


def _os_disagreeing(root: Path) -> Call:
    header = [
        "#Sample\tPatient\tOS months\tOS status",
        "#Sample\tPatient\tOS months\tOS status",
        "#STRING\tSTRING\tNUMBER\tSTRING",
        "#1\t1\t1\t1",
        "SAMPLE_ID\tPATIENT_ID\tOS_MONTHS\tOS_STATUS",
    ]
    times = [t + 5 if i == 0 else t for i, t in enumerate(TIMES)]
    status = ["1:DECEASED" if e else "0:LIVING" for e in EVENTS]
    rows = [f"{s}\t{s}\t{t}\t{e}" for s, t, e in zip(SAMPLES, times, status, strict=True)]
    return _cbio(root, sample="\n".join(header + rows) + "\n")


def _zero_width_gene(root: Path) -> Call:
    genes = ["MKI67\u200b", *GENES[1:]]
    return _tables(root, expression=expression_text(genes=genes))


LOADER_ERROR_CASES: list[Case] = [
    Case(
        "cBioPortal data_filename ../x (issue 24)",
        lambda r: _cbio_meta(r, "../outside.txt"),
        FileFormatError,
        "data_filename leads outside the study folder",
    ),
    Case(
        "cBioPortal data_filename absolute /etc/passwd",
        lambda r: _cbio_meta(r, "/etc/passwd"),
        FileFormatError,
        "data_filename leads outside the study folder",
    ),
    Case(
        "two disagreeing CNA profiles",
        lambda r: _cbio_cna(r, "2"),
        FileFormatError,
        "disagree",
    ),
    Case(
        "h5ad declaring 40 x 3e8",
        lambda r: _h5ad(r, np.zeros((8, 10)), declared=(40, 300_000_000)),
        FileFormatError,
        "larger than sigsurv's limit once decoded",
    ),
    Case(
        "h5ad holding +inf",
        lambda r: _h5ad(r, np.array([[1.0, np.inf], [2.0, 3.0], [1.0, 2.0]])),
        FileFormatError,
        "infinite value",
    ),
    Case(
        "Parquet decoding past the input limit",
        _parquet_bomb,
        FileFormatError,
        "larger than sigsurv's limit once decoded",
    ),
    Case(
        "boolean sample column in Parquet",
        _parquet_bool,
        FileFormatError,
        "boolean column in an expression matrix",
    ),
]

LOADER_REPORT_CASES: list[Case] = [
    Case("featureCounts comment line", _featurecounts, None, "is a comment line"),
    Case(
        "two agreeing CNA profiles combined",
        lambda r: _cbio_cna(r, "-1"),
        None,
        "data_cna_a.txt + data_cna_b.txt",
    ),
    Case(
        "OS disagreeing between patient and sample files",
        _os_disagreeing,
        None,
        "OS_MONTHS is in data_clinical_patient.txt and data_clinical_sample.txt and disagrees",
    ),
    Case(
        "zero-width character in a gene identifier",
        _zero_width_gene,
        None,
        "invisible Unicode format characters removed from 1 gene",
    ),
]
ERROR_CASES += LOADER_ERROR_CASES
REPORT_CASES += LOADER_REPORT_CASES
