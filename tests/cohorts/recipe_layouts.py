"""Small files in the real download layouts of the shipped recipes (synthetic values).

Header lines, keys and spellings are those quoted in
``../shared/data/formats/RECIPE_EVIDENCE.md``; the values are drawn from a seeded RNG
with the counts the evidence gives (GSE2034: 286 patients, relapse 107, bone relapse
69, ER+ 209 / ER- 77, brain relapse 10; GSE2603: 121 samples of which 22 cell lines,
82 evaluable patients with 14 bone events). Each builder writes the files under
``root`` at the path of the recipe's real URL, so that a local HTTP server on
127.0.0.1 serves them as a ``--mirror``.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from sigsurv.cohorts.recipe import bundled_recipe_path, load_recipe

# GPL96 / GPL570 probe IDs of real genes (RPS6KA5 = MSK1).
PROBES = {
    "204635_at": "RPS6KA5",
    "204633_s_at": "RPS6KA5",
    "205225_at": "ESR1",
    "209602_s_at": "GATA3",
    "204667_at": "FOXA1",
    "203685_at": "BCL2",
    "216836_s_at": "ERBB2",
    "212022_s_at": "MKI67",
    "208305_at": "PGR",
    "201820_at": "KRT5",
    "209351_at": "KRT14",
    "201983_s_at": "EGFR",
    "214710_s_at": "CCNB1",
    "201292_at": "TOP2A",
    "201202_at": "PCNA",
    "208079_s_at": "AURKA",
    "202095_s_at": "BIRC5",
    "202431_s_at": "MYC",
    "204054_at": "PTEN",
    "201131_s_at": "CDH1",
    "201426_s_at": "VIM",
    "201746_at": "TP53",
}


def served_path(recipe_id: str, role: str) -> str:
    """The path of a recipe file's real URL (what a mirror serves)."""
    remote = load_recipe(bundled_recipe_path(recipe_id)).files[role]
    return remote.url.split("://", 1)[1].split("/", 1)[1]


def _write(root: Path, recipe_id: str, role: str, data: bytes) -> Path:
    # The server unquotes request paths (Xena's 'sampleMap%2FHiSeqV2.gz' is a file in a folder).
    path = root / unquote(served_path(recipe_id, role))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _quoted(key: str, cells: list[str]) -> str:
    return "\t".join([key, *(f'"{c}"' for c in cells)])


def series_matrix(
    accession: str, platform: str, gsms: list[str], characteristics: list[list[str]], rng
) -> bytes:
    """A series matrix as GEO writes it: quoted !Series_/!Sample_ lines, then the table."""
    lines = [
        f'!Series_title\t"{accession} synthetic layout copy"',
        f'!Series_geo_accession\t"{accession}"',
        f'!Series_platform_id\t"{platform}"',
        _quoted("!Sample_title", [f"patient {i + 1}" for i in range(len(gsms))]),
        _quoted("!Sample_geo_accession", gsms),
        _quoted("!Sample_platform_id", [platform] * len(gsms)),
    ]
    lines += [_quoted("!Sample_characteristics_ch1", cells) for cells in characteristics]
    lines += ["!series_matrix_table_begin", _quoted('"ID_REF"', gsms)]
    for probe in PROBES:
        values = rng.normal(8.0, 1.5, size=len(gsms))
        lines.append("\t".join([f'"{probe}"', *(f"{v:.4f}" for v in values)]))
    lines.append("!series_matrix_table_end")
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def annot(platform: str) -> bytes:
    """A GPLxxx.annot.gz: ^Annotation header, #descriptions, the table between markers."""
    rows = "".join(f"{probe}\t{gene}\t\t\n" for probe, gene in PROBES.items())
    text = (
        f"^Annotation\n!Annotation_platform = {platform}\n#ID = probe set\n"
        "#Gene symbol = gene symbol\n!platform_table_begin\n"
        f"ID\tGene symbol\tGO:Function\tGO:Function\n{rows}!platform_table_end\n"
    )
    return gzip.compress(text.encode(), mtime=0)


def _flags(rng, n: int, k: int, among: np.ndarray | None = None) -> np.ndarray:
    """A 0/1 vector with exactly ``k`` ones (inside ``among`` when given)."""
    pool = np.arange(n) if among is None else np.flatnonzero(among)
    out = np.zeros(n, dtype=int)
    out[rng.choice(pool, size=k, replace=False)] = 1
    return out


def gse2034(root: Path, seed: int = 2034) -> dict[str, np.ndarray]:
    """GSE2034: matrix (one characteristic), family SOFT with the series table, GPL96."""
    rng = np.random.default_rng(seed)
    n = 286
    gsms = [f"GSM{36777 + i}" for i in range(n)]
    relapse = _flags(rng, n, 107)
    bone = _flags(rng, n, 69, among=relapse == 1)
    brain = _flags(rng, n, 10, among=(relapse == 1) & (bone == 0))
    er_pos = _flags(rng, n, 209)
    months = rng.integers(2, 172, size=n)
    months[0], months[1] = 2, 171
    characteristics = [[f"bone relapses (1=yes, 0=no): {b}" for b in bone]]
    _write(
        root,
        "gse2034",
        "series_matrix",
        series_matrix("GSE2034", "GPL96", gsms, characteristics, rng),
    )
    header = (
        "PID\tGEO asscession number\tlymph node status\t"
        "time to relapse or last follow-up (months)\trelapse (1=True)\tER Status\t"
        "Brain relapses (1=yes, 0=no)"
    )
    er_text = ["ER+" if positive else "ER-" for positive in er_pos]
    rows = [
        "\t".join(map(str, (100 + i, gsms[i], 0, months[i], relapse[i], er_text[i], brain[i])))
        for i in range(n)
    ]
    soft = [
        "^DATABASE = GeoMiame",
        "!Database_name = Gene Expression Omnibus (GEO)",
        "^SERIES = GSE2034",
        "!Series_title = Breast cancer relapse free survival",
        "!Series_geo_accession = GSE2034",
        *(f"!Series_sample_id = {g}" for g in gsms),
        "#PID = patient identifier",
        "#GEO asscession number = GSM accession",
        "#time to relapse or last follow-up (months) = ",
        "!series_table_begin = Patient clinical parameters",
        header,
        *rows,
        "!series_table_end",
        "^PLATFORM = GPL96",
        "!Platform_title = [HG-U133A] Affymetrix Human Genome U133A Array",
        "!platform_table_begin",
        "ID\tGB_ACC",
        *(f"{p}\tX" for p in PROBES),
        "!platform_table_end",
        f"^SAMPLE = {gsms[0]}",
        "!Sample_title = patient 1",
        "!sample_table_begin",
        "this block must never be read\tit is not a table of the series",
    ]
    _write(root, "gse2034", "clinical", gzip.compress(("\n".join(soft) + "\n").encode(), mtime=0))
    _write(root, "gse2034", "platform", annot("GPL96"))
    return {"relapse": relapse, "bone": bone, "brain": brain, "er_pos": er_pos, "months": months}


def gse2603(root: Path, seed: int = 2603) -> dict[str, np.ndarray]:
    """GSE2603: 99 tumours + 22 cell lines; '--' for missing; 82 evaluable, 14 bone events."""
    rng = np.random.default_rng(seed)
    tumours, lines_ = 99, 22
    n = tumours + lines_
    gsms = [f"GSM{50000 + i}" for i in range(n)]
    is_line = np.zeros(n, dtype=bool)
    is_line[rng.choice(n, size=lines_, replace=False)] = True
    evaluable = np.zeros(n, dtype=bool)
    evaluable[rng.choice(np.flatnonzero(~is_line), size=82, replace=False)] = True
    bm = _flags(rng, n, 14, among=evaluable)
    met = np.maximum(bm, _flags(rng, n, 10, among=evaluable & (bm == 0)))
    years = rng.uniform(0.2, 11.0, size=n).round(2)
    er = np.where(rng.random(n) < 0.6, "P", "N")

    def cell(value: object, ok: bool) -> str:
        return str(value) if ok else "--"

    characteristics = [
        [
            f"tissue type: {'MDA-MB-231 cell line' if is_line[i] else 'primary breast tumor'}"
            for i in range(n)
        ],
        [f"bm event: {cell(bm[i], evaluable[i])}" for i in range(n)],
        [f"bmfs (yr): {cell(years[i], evaluable[i])}" for i in range(n)],
        [f"met event: {cell(met[i], evaluable[i])}" for i in range(n)],
        [f"mfs (yr): {cell(years[i], evaluable[i])}" for i in range(n)],
        [f"lm event: {cell(0, evaluable[i])}" for i in range(n)],
        [f"lmfs (yr): {cell(years[i], evaluable[i])}" for i in range(n)],
        [f"path er status: {cell(er[i], not is_line[i])}" for i in range(n)],
        [f"path pr status: {cell(er[i], not is_line[i])}" for i in range(n)],
    ]
    _write(
        root,
        "gse2603",
        "series_matrix",
        series_matrix("GSE2603", "GPL96", gsms, characteristics, rng),
    )
    _write(root, "gse2603", "platform", annot("GPL96"))
    return {"is_line": is_line, "evaluable": evaluable, "bm": bm}


def gse12276(root: Path, seed: int = 12276) -> dict[str, np.ndarray]:
    """GSE12276: relapsers only; the site key says brain vs other; no 0/1 relapse key."""
    rng = np.random.default_rng(seed)
    n = 40
    gsms = [f"GSM{308000 + i}" for i in range(n)]
    sites = rng.choice(["brain", "brain+other", "other", "local"], size=n, p=[0.2, 0.1, 0.6, 0.1])
    months = rng.uniform(1, 120, size=n).round(1)
    characteristics = [
        [f"site of relapse (brain or other): {s}" for s in sites],
        [f"survival time: {m}" for m in months],
    ]
    _write(
        root,
        "gse12276",
        "series_matrix",
        series_matrix("GSE12276", "GPL570", gsms, characteristics, rng),
    )
    _write(root, "gse12276", "platform", annot("GPL570"))
    return {"sites": sites}


def gse5327(root: Path, seed: int = 5327) -> dict[str, np.ndarray]:
    """GSE5327 in the layout the recipe ASSUMES (GSE2034's; unverified): 58 ER- patients."""
    rng = np.random.default_rng(seed)
    n = 58
    gsms = [f"GSM{121900 + i}" for i in range(n)]
    relapse = _flags(rng, n, 20)
    lung = _flags(rng, n, 8, among=relapse == 1)
    months = rng.integers(2, 150, size=n)
    _write(root, "gse5327", "series_matrix", series_matrix("GSE5327", "GPL96", gsms, [], rng))
    rows = [f"{i}\t{gsms[i]}\t{months[i]}\t{relapse[i]}\t{lung[i]}" for i in range(n)]
    soft = [
        "^SERIES = GSE5327",
        "!series_table_begin",
        "PID\tGEO asscession number\ttime to relapse or last follow-up (months)\t"
        "relapse (1=True)\tlung relapses (1=yes, 0=no)",
        *rows,
        "!series_table_end",
    ]
    _write(root, "gse5327", "clinical", gzip.compress(("\n".join(soft) + "\n").encode(), mtime=0))
    _write(root, "gse5327", "platform", annot("GPL96"))
    return {"relapse": relapse, "lung": lung}


def cbioportal_study(root: Path, recipe_id: str, study: str, expression_file: str) -> int:
    """A cBioPortal datahub archive (<study>.tar.gz holding <study>/...): meta and data files
    with the 4 '#' header lines of cBioPortal's clinical files."""
    rng = np.random.default_rng(7)
    patients = [f"P-{i:04d}" for i in range(12)]
    clinical = (
        "#Patient Identifier\tOverall Survival (Months)\tOverall Survival Status\n"
        "#Identifier\tOS months\tOS status\n#STRING\tNUMBER\tSTRING\n#1\t1\t1\n"
        "PATIENT_ID\tOS_MONTHS\tOS_STATUS\n"
        + "".join(
            f"{p}\t{rng.uniform(1, 200):.1f}\t{'1:DECEASED' if i % 3 == 0 else '0:LIVING'}\n"
            for i, p in enumerate(patients)
        )
    )
    genes = sorted(set(PROBES.values()))
    expression = "Hugo_Symbol\tEntrez_Gene_Id\t" + "\t".join(patients) + "\n"
    for i, gene in enumerate(genes):
        values = "\t".join(f"{v:.3f}" for v in rng.normal(8, 1, len(patients)))
        expression += f"{gene}\t{1000 + i}\t{values}\n"
    files = {
        f"{study}/meta_study.txt": f"cancer_study_identifier: {study}\nname: synthetic\n",
        f"{study}/meta_clinical_patient.txt": f"cancer_study_identifier: {study}\n"
        "genetic_alteration_type: CLINICAL\ndatatype: PATIENT_ATTRIBUTES\n"
        "data_filename: data_clinical_patient.txt\n",
        f"{study}/data_clinical_patient.txt": clinical,
        f"{study}/meta_expression.txt": f"cancer_study_identifier: {study}\n"
        "genetic_alteration_type: MRNA_EXPRESSION\ndatatype: CONTINUOUS\n"
        f"data_filename: {expression_file}\n",
        f"{study}/{expression_file}": expression,
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    _write(root, recipe_id, "archive", buffer.getvalue())
    return len(patients)


# The header of the TCGA-CDR sheet (Liu et al. 2018 Table S1), after its unnamed index
# column: as in ../shared/data/TCGA_BRCA/survival_tcga_cdr_brca.tsv.
CDR_COLUMNS = [
    "bcr_patient_barcode", "type", "age_at_initial_pathologic_diagnosis", "gender", "race",
    "ajcc_pathologic_tumor_stage", "clinical_stage", "histological_type", "histological_grade",
    "initial_pathologic_dx_year", "menopause_status", "birth_days_to", "vital_status",
    "tumor_status", "last_contact_days_to", "death_days_to", "cause_of_death",
    "new_tumor_event_type", "new_tumor_event_site", "new_tumor_event_site_other",
    "new_tumor_event_dx_days_to", "treatment_outcome_first_course", "margin_status",
    "residual_tumor", "OS", "OS.time", "DSS", "DSS.time", "DFI", "DFI.time", "PFI", "PFI.time",
    "Redaction",
]  # fmt: skip


def tcga_cdr_workbook(patients: list[str], seed: int = 18) -> tuple[bytes, dict[str, int]]:
    """TCGA-CDR-SupplementalTableS1.xlsx: sheet 'TCGA-CDR' (unnamed index column first),
    BRCA rows plus rows of another cancer type; a notes sheet like the real workbook."""
    import openpyxl

    rng = np.random.default_rng(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "TCGA-CDR"
    sheet.append([None, *CDR_COLUMNS])
    counts = {"os": 0, "bone": 0}
    others = [f"TCGA-05-{4000 + i}" for i in range(5)]
    for index, barcode in enumerate([*patients, *others], start=1):
        row = dict.fromkeys(CDR_COLUMNS)
        row["bcr_patient_barcode"] = barcode
        row["type"] = "BRCA" if barcode in patients else "LUAD"
        days = float(rng.integers(100, 4000))
        died = int(rng.random() < 0.2)
        bone = barcode in patients and rng.random() < 0.15
        counts["os"] += died if barcode in patients else 0
        counts["bone"] += int(bone)
        row.update(
            {
                "OS": died,
                "OS.time": days,
                "DSS": died,
                "DSS.time": days,
                "PFI": int(bone),
                "PFI.time": days / 2 if bone else days,
                "DFI": int(bone),
                "DFI.time": days / 2 if bone else days,
                "vital_status": "Dead" if died else "Alive",
            }
        )
        if bone:
            row.update(
                {
                    "new_tumor_event_type": "Distant Metastasis",
                    "new_tumor_event_site": "Bone",
                    "new_tumor_event_dx_days_to": days / 2,
                }
            )
        sheet.append([index, *(row[c] for c in CDR_COLUMNS)])
    book.create_sheet("TCGA-CDR_Notes").append(["notes"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), counts


def tcga_xena(root: Path, recipe_id: str, rows: list[str], seed: int = 30) -> dict[str, int]:
    """A Xena TCGA matrix (first header 'sample', sample barcodes '-01'/'-11') and the
    TCGA-CDR workbook at the GDC path."""
    rng = np.random.default_rng(seed)
    patients = [f"TCGA-A{i % 10}-A{i:03d}" for i in range(30)]
    columns = [f"{p}-01" for p in patients] + [f"{patients[0]}-11"]  # one normal sample
    lines = ["sample\t" + "\t".join(columns)]
    for name in rows:
        lines.append(name + "\t" + "\t".join(f"{v:.4f}" for v in rng.normal(6, 1, len(columns))))
    _write(
        root, recipe_id, "expression", gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    )
    workbook, counts = tcga_cdr_workbook(patients)
    _write(root, recipe_id, "survival", workbook)
    return {"patients": len(patients), **counts}


def geo_series(
    root: Path, recipe_id: str, accession: str, platform: str, columns: dict[str, list[str]]
) -> None:
    """A series matrix whose characteristics are ``key: value`` cells, one line per key."""
    rng = np.random.default_rng(len(recipe_id))
    n = len(next(iter(columns.values())))
    gsms = [f"GSM{900000 + i}" for i in range(n)]
    characteristics = [[f"{key}: {v}" for v in values] for key, values in columns.items()]
    _write(
        root,
        recipe_id,
        "series_matrix",
        series_matrix(accession, platform, gsms, characteristics, rng),
    )
    _write(root, recipe_id, "platform", annot(platform))


def gse7390(root: Path) -> dict[str, int]:
    """TRANSBIG: t./e. keys in days (genefu names), 198 patients."""
    rng = np.random.default_rng(7390)
    n = 198
    events = {k: _flags(rng, n, m) for k, m in (("dmfs", 51), ("os", 40), ("rfs", 70))}
    columns = {}
    for key, flags in events.items():
        columns[f"t.{key}"] = [str(int(d)) for d in rng.integers(100, 9000, n)]
        columns[f"e.{key}"] = [str(f) for f in flags]
    columns["er"] = [str(int(v)) for v in rng.random(n) < 0.7]
    geo_series(root, "gse7390", "GSE7390", "GPL96", columns)
    return {k: int(v.sum()) for k, v in events.items()}


def gse11121(root: Path) -> int:
    """Mainz: t.dmfs / e.dmfs (months), node, grade, size_in_cm; no ER."""
    rng = np.random.default_rng(11121)
    n = 200
    flags = _flags(rng, n, 46)
    columns = {
        "t.dmfs": [str(int(m)) for m in rng.integers(1, 240, n)],
        "e.dmfs": [str(f) for f in flags],
        "node": ["0"] * n,
        "grade": [str(g) for g in rng.integers(1, 4, n)],
        "size_in_cm": [f"{s:.1f}" for s in rng.uniform(0.5, 5, n)],
    }
    geo_series(root, "gse11121", "GSE11121", "GPL96", columns)
    return int(flags.sum())


def gse25066(root: Path) -> dict[str, int]:
    """MDACC: drfs keys in years, ER/PR IHC P/N/I; the characteristic lines of the two
    halves of the series list the keys in different orders (GEO's column drift)."""
    rng = np.random.default_rng(25066)
    n = 60
    flags = _flags(rng, n, 15)
    er = rng.choice(["P", "N", "I"], size=n, p=[0.55, 0.4, 0.05])
    values = {
        "drfs_even_time_years": [f"{y:.2f}" for y in rng.uniform(0.3, 9, n)],
        "drfs_1_event_0_censored": [str(f) for f in flags],
        "er_status_ihc": list(er),
        "pr_status_ihc": list(rng.choice(["P", "N"], size=n)),
        "her2_status": list(rng.choice(["P", "N"], size=n)),
        "pam50_class": list(rng.choice(["LumA", "LumB", "Basal", "Her2", "Normal"], size=n)),
    }
    keys = list(values)
    half = n // 2
    lines = []
    for line in range(len(keys)):
        first, second = keys[line], keys[(line + 2) % len(keys)]  # drift in the 2nd half
        lines.append(
            [f"{first}: {values[first][i]}" for i in range(half)]
            + [f"{second}: {values[second][i]}" for i in range(half, n)]
        )
    gsms = [f"GSM{615000 + i}" for i in range(n)]
    _write(root, "gse25066", "series_matrix", series_matrix("GSE25066", "GPL96", gsms, lines, rng))
    _write(root, "gse25066", "platform", annot("GPL96"))
    return {
        "events": int(flags.sum()),
        "er_pos": int((er == "P").sum()),
        "er_neg": int((er == "N").sum()),
    }


def tcga_xena_hub(root: Path) -> dict[str, int]:
    """UCSC Xena TCGA hub: HiSeqV2.gz, survival/BRCA_survival.txt (TCGA-CDR columns keyed by
    sample), TCGA.BRCA.sampleMap/BRCA_clinicalMatrix (sampleID, _OS, receptor fields)."""
    rng = np.random.default_rng(99)
    patients = [f"TCGA-B{i % 10}-B{i:03d}" for i in range(25)]
    samples = [f"{p}-01" for p in patients]
    lines = ["sample\t" + "\t".join(samples)]
    for gene in sorted(set(PROBES.values())):
        lines.append(gene + "\t" + "\t".join(f"{v:.4f}" for v in rng.normal(9, 1, len(samples))))
    _write(
        root,
        "tcga_brca_xena",
        "expression",
        gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0),
    )
    died = _flags(rng, len(samples), 6)
    days = rng.integers(30, 4000, len(samples))
    survival = [
        "sample\t_PATIENT\tOS\tOS.time\tDSS\tDSS.time\tDFI\tDFI.time\tPFI\tPFI.time\tRedaction"
    ]
    for s, p, d, t in zip(samples, patients, died, days, strict=True):
        survival.append(f"{s}\t{p}\t{d}\t{t}\t{d}\t{t}\t\t\t{d}\t{t}\t")
    _write(root, "tcga_brca_xena", "survival", ("\n".join(survival) + "\n").encode())
    er = rng.choice(["Positive", "Negative"], size=len(samples))
    clinical = ["sampleID\t_OS\t_OS_IND\tbreast_carcinoma_estrogen_receptor_status"]
    for s, d, t, e in zip(samples, died, days, er, strict=True):
        clinical.append(f"{s}\t{t}\t{d}\t{e}")
    _write(root, "tcga_brca_xena", "clinical", ("\n".join(clinical) + "\n").encode())
    return {"patients": len(patients), "os": int(died.sum())}
