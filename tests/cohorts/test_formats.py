"""Small fixture files written in each real download format, built by the tests themselves."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigsurv.cohorts import (
    detect_source_kind,
    load_anndata,
    load_cbioportal,
    load_cohort,
    load_geo_series,
    load_tables,
    load_tcga_folder,
)
from sigsurv.errors import (
    CohortValidationError,
    FileFormatError,
    GeneIdentifierError,
    SampleJoinError,
    SigsurvWarning,
)

RNG = np.random.default_rng(20240101)
SAMPLES = [f"S{i:02d}" for i in range(12)]
GENES = ["TP53", "ESR1", "MSK1", "GATA3", "FOXA1", "BCL2"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def matrix_text(genes, samples, first="gene", values=None):
    values = RNG.normal(size=(len(genes), len(samples))) if values is None else values
    lines = ["\t".join([first, *samples])]
    lines += [
        "\t".join([g, *(f"{v:.6f}" for v in row)]) for g, row in zip(genes, values, strict=False)
    ]
    return "\n".join(lines) + "\n"


def survival_rows():
    times = RNG.uniform(1, 100, size=len(SAMPLES)).round(2)
    events = (np.arange(len(SAMPLES)) % 3 == 0).astype(int)
    return times, events


# ----------------------------------------------------------------------------- cBioPortal
def cbioportal_folder(root: Path) -> Path:
    folder = root / "brca_toy"
    times, events = survival_rows()
    status = ["1:DECEASED" if e else "0:LIVING" for e in events]
    rfs = ["1:Recurred/Progressed" if e else "0:DiseaseFree" for e in events]
    patients = [f"P{i:02d}" for i in range(len(SAMPLES))]
    patient_lines = [
        "#Patient Identifier\tOverall Survival (Months)\tOverall Survival Status\tDFS m\tDFS s",
        "#Identifier\tOS months\tOS status\tDFS months\tDFS status",
        "#STRING\tNUMBER\tSTRING\tNUMBER\tSTRING",
        "#1\t1\t1\t1\t1",
        "PATIENT_ID\tOS_MONTHS\tOS_STATUS\tDFS_MONTHS\tDFS_STATUS",
    ]
    patient_lines += [
        f"{p}\t{t}\t{s}\t{t / 2:.2f}\t{r}"
        for p, t, s, r in zip(patients, times, status, rfs, strict=False)
    ]
    write(folder / "data_clinical_patient.txt", "\n".join(patient_lines) + "\n")
    sample_lines = [
        "#Sample Identifier\tPatient Identifier\tER Status\tHER2 Status",
        "#d\td\td\td",
        "#STRING\tSTRING\tSTRING\tSTRING",
        "#1\t1\t1\t1",
        "SAMPLE_ID\tPATIENT_ID\tER_STATUS\tHER2_STATUS",
    ]
    sample_lines += [
        f"{s}\t{p}\t{'Positive' if i % 2 else 'Negative'}\t{'-' if i % 4 else '+'}"
        for i, (s, p) in enumerate(zip(SAMPLES, patients, strict=False))
    ]
    write(folder / "data_clinical_sample.txt", "\n".join(sample_lines) + "\n")
    values = RNG.normal(8, 2, size=(3, len(SAMPLES)))
    lines = ["Hugo_Symbol\tEntrez_Gene_Id\t" + "\t".join(SAMPLES)]
    for (symbol, entrez), row in zip(
        [("TP53", "7157"), ("MSK1", "9252"), ("", "2099")], values, strict=False
    ):
        lines.append(f"{symbol}\t{entrez}\t" + "\t".join(f"{v:.4f}" for v in row))
    write(folder / "data_mrna_agilent_microarray.txt", "\n".join(lines) + "\n")
    z_lines = ["Hugo_Symbol\tEntrez_Gene_Id\t" + "\t".join(SAMPLES)]
    z_lines.append("TP53\t7157\t" + "\t".join("0.1" for _ in SAMPLES))
    write(folder / "data_mrna_agilent_microarray_zscores_ref_all_samples.txt", "\n".join(z_lines))
    write(folder / "meta_study.txt", "type_of_cancer: brca\nname: toy\n")
    return folder


def test_cbioportal_folder(tmp_path):
    folder = cbioportal_folder(tmp_path)
    assert detect_source_kind(folder) == "cbioportal"
    cohort = load_cbioportal(folder)
    assert cohort.n_samples == len(SAMPLES)
    assert sorted(cohort.endpoints) == ["dfs", "os"]
    _, events = survival_rows()
    assert cohort.clinical["os_event"].tolist() == events.tolist()
    assert cohort.endpoint("dfs").unit == "months"
    # MSK1 is an alias: harmonised to RPS6KA5; the row without a symbol is named by Entrez.
    assert list(cohort.genes) == ["TP53", "RPS6KA5", "ESR1"]
    assert cohort.clinical["er"].tolist()[:2] == ["negative", "positive"]
    assert cohort.clinical["her2"].tolist()[:2] == ["positive", "negative"]
    assert any("zscores" in m for m in cohort.messages)  # the alternative file is named


def test_cbioportal_unknown_status_names_line(tmp_path):
    folder = cbioportal_folder(tmp_path)
    path = folder / "data_clinical_patient.txt"
    lines = path.read_text().splitlines()
    lines[7] = lines[7].replace("0:LIVING", "2:UNKNOWN").replace("1:DECEASED", "2:UNKNOWN")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        CohortValidationError, match=r"data_clinical_patient.txt:8: column 'OS_STATUS'"
    ):
        load_cbioportal(folder)


# ----------------------------------------------------------------------------- GEO
def series_matrix(root: Path, *, gz: bool = True, truncate: bool = False) -> Path:
    gsms = [f"GSM{100 + i}" for i in range(len(SAMPLES))]
    times, events = survival_rows()
    lines = [
        '!Series_title\t"Toy breast series"',
        '!Series_geo_accession\t"GSE999"',
        "!Sample_title\t" + "\t".join(f'"tumour {i}"' for i in range(len(gsms))),
        "!Sample_geo_accession\t" + "\t".join(f'"{g}"' for g in gsms),
        "!Sample_platform_id\t" + "\t".join('"GPL96"' for _ in gsms),
        "!Sample_characteristics_ch1\t" + "\t".join(f'"time (months): {t}"' for t in times),
        "!Sample_characteristics_ch1\t" + "\t".join(f'"relapse (1=true): {e}"' for e in events),
        "!Sample_characteristics_ch1\t"
        + "\t".join(f'"er: {"pos" if i % 2 else "neg"}"' for i in range(len(gsms))),
        "!series_matrix_table_begin",
        '"ID_REF"\t' + "\t".join(f'"{g}"' for g in gsms),
    ]
    probes = {"201_at": 5.0, "202_at": 7.0, "203_at": 6.0, "204_at": 4.0, "205_at": 3.0}
    for probe, level in probes.items():
        lines.append(
            f'"{probe}"\t' + "\t".join(f"{level + 0.01 * i:.3f}" for i in range(len(gsms)))
        )
    lines.append("!series_matrix_table_end")
    text = "\n".join(lines) + "\n"
    path = root / ("GSE999_series_matrix.txt.gz" if gz else "GSE999_series_matrix.txt")
    if gz:
        data = gzip.compress(text.encode())
        path.write_bytes(data[: len(data) // 2] if truncate else data)
    else:
        path.write_text(text)
    return path


def platform_table(root: Path) -> Path:
    text = (
        "# GPL96 annotation (toy)\n"
        "ID\tGene Title\tGene Symbol\tENTREZ_GENE_ID\n"
        "201_at\testrogen receptor 1\tESR1\t2099\n"
        "202_at\testrogen receptor 1\tESR1\t2099\n"
        "203_at\tMSK1 alias\tMSK1\t9252\n"
        "204_at\ttwo genes\tBRCA1 /// NBR2\t672 /// 4668\n"
        "205_at\t\t\t\n"
    )
    return write(root / "GPL96.annot.tsv", text)


def test_geo_series_matrix_with_platform(tmp_path):
    path = series_matrix(tmp_path)
    platform = platform_table(tmp_path)
    assert detect_source_kind(path) == "geo"
    cohort = load_geo_series(
        path, platform=platform, time="time (months)", event="relapse (1=true)", endpoint="rfs"
    )
    assert cohort.n_samples == len(SAMPLES)
    assert cohort.endpoint("rfs").unit == "months"
    # 201_at and 202_at both ESR1: the higher-mean probe (202_at, ~7) is kept.
    assert cohort.expression.loc["ESR1"].iloc[0] == pytest.approx(7.0)
    assert list(cohort.genes) == ["ESR1", "RPS6KA5"]
    assert any("2 probes" in m or "collapsed" in m for m in cohort.messages)
    assert cohort.clinical["er"].tolist()[:2] == ["neg", "pos"]


def test_geo_collapse_rules(tmp_path):
    path = series_matrix(tmp_path, gz=False)
    platform = platform_table(tmp_path)
    mean = load_geo_series(path, platform=platform, collapse="mean")
    assert mean.expression.loc["ESR1"].iloc[0] == pytest.approx(6.0)


def test_geo_truncated_gzip(tmp_path):
    path = series_matrix(tmp_path, truncate=True)
    with pytest.raises(FileFormatError, match="gzip stream is truncated"):
        load_geo_series(path, platform=platform_table(tmp_path))


def test_geo_probes_without_platform_are_refused(tmp_path):
    path = series_matrix(tmp_path)
    with pytest.raises(GeneIdentifierError, match="platform annotation table is needed"):
        load_geo_series(path)


# ----------------------------------------------------------------------------- TCGA / Xena
def tcga_folder(root: Path) -> Path:
    folder = root / "tcga_toy"
    patients = [f"TCGA-A1-A{i:03d}" for i in range(len(SAMPLES))]
    aliquots = [f"{p}-01A-11R-A085-13" for p in patients]
    normal = f"{patients[0]}-11A-11R-A085-13"
    duplicate = f"{patients[1]}-01B-11R-A085-13"
    columns = [*aliquots, normal, duplicate]
    values = RNG.uniform(0, 5000, size=(3, len(columns)))
    write(
        folder / "mirna_rpm.tsv",
        matrix_text(
            ["hsa-mir-21", "hsa-mir-424", "hsa-mir-503"], columns, first="miRNA", values=values
        ),
    )
    times, events = survival_rows()
    cdr = ["bcr_patient_barcode\ttype\tOS\tOS.time\tPFI\tPFI.time"]
    cdr += [
        f"{p}\tBRCA\t{e}\t{t * 30:.0f}\t{e}\t{t * 20:.0f}"
        for p, t, e in zip(patients, times, events, strict=False)
    ]
    write(folder / "survival_tcga_cdr_brca.tsv", "\n".join(cdr) + "\n")
    aliquot_lines = ["aliquot_barcode\tmachine"]
    aliquot_lines += [f"{a}\t{'GA' if i % 2 else 'HiSeq'}" for i, a in enumerate(columns)]
    write(folder / "mirna_samples.tsv", "\n".join(aliquot_lines) + "\n")
    return folder


def test_tcga_folder(tmp_path):
    folder = tcga_folder(tmp_path)
    assert detect_source_kind(folder) == "tcga"
    cohort = load_tcga_folder(folder)
    assert cohort.n_samples == len(SAMPLES)
    assert list(cohort.genes) == ["MIR21", "MIR424", "MIR503"]
    assert cohort.endpoint("os").unit == "days"
    assert cohort.provenance.scale == "log2(x+1)"
    assert cohort.clinical["machine"].tolist()[:2] == ["HiSeq", "GA"]
    # The normal aliquot and the second primary aliquot of patient 1 are excluded, reported.
    assert any("other sample types" in m for m in cohort.messages)
    assert any("extra aliquots" in m for m in cohort.messages)


# ----------------------------------------------------------------------------- plain tables
def plain_tables(root: Path, *, orientation: str = "genes_x_samples", sep: str = "\t") -> tuple:
    values = RNG.normal(size=(len(GENES), len(SAMPLES)))
    if orientation == "genes_x_samples":
        text = matrix_text(GENES, SAMPLES, values=values)
    else:
        text = matrix_text(SAMPLES, GENES, first="sample", values=values.T)
    suffix = ".csv" if sep == "," else ".tsv"
    expression = write(root / f"expression{suffix}", text.replace("\t", sep))
    times, events = survival_rows()
    lines = [sep.join(["sample_id", "os_months", "os_status", "er"])]
    lines += [
        sep.join([s, str(t), str(e), "positive" if i % 2 else "negative"])
        for i, (s, t, e) in enumerate(zip(SAMPLES, times, events, strict=False))
    ]
    clinical = write(root / f"clinical{suffix}", "\n".join(lines) + "\n")
    return expression, clinical, values


@pytest.mark.parametrize("sep", ["\t", ","])
@pytest.mark.parametrize("orientation", ["genes_x_samples", "samples_x_genes"])
def test_plain_tables(tmp_path, orientation, sep):
    expression, clinical, values = plain_tables(tmp_path, orientation=orientation, sep=sep)
    cohort = load_tables(
        expression, clinical, time="os_months", event="os_status", orientation=orientation
    )
    assert cohort.endpoint("os").unit == "months"
    np.testing.assert_allclose(cohort.expression.loc["TP53"].to_numpy(), values[0], atol=1e-6)
    assert "RPS6KA5" in cohort.genes  # MSK1 harmonised


def test_parquet_expression(tmp_path):
    _, clinical, values = plain_tables(tmp_path)
    frame = pd.DataFrame(values, index=pd.Index(GENES, name="gene"), columns=SAMPLES)
    frame.to_parquet(tmp_path / "expression.parquet")
    cohort = load_cohort(
        tmp_path / "expression.parquet", clinical=clinical, time="os_months", event="os_status"
    )
    np.testing.assert_allclose(cohort.expression.loc["ESR1"].to_numpy(), values[1])


def test_anndata(tmp_path):
    anndata = pytest.importorskip("anndata")
    times, events = survival_rows()
    obs = pd.DataFrame({"t": times, "e": events}, index=SAMPLES)
    values = RNG.normal(size=(len(SAMPLES), len(GENES)))
    adata = anndata.AnnData(values, obs=obs, var=pd.DataFrame(index=GENES))
    adata.write_h5ad(tmp_path / "cohort.h5ad")
    cohort = load_anndata(
        tmp_path / "cohort.h5ad", time="t", event="e", endpoint="os", time_unit="months"
    )
    np.testing.assert_allclose(cohort.expression.loc["TP53"].to_numpy(), values[:, 0])
    assert cohort.clinical["os_event"].tolist() == events.tolist()


# ----------------------------------------------------------------------------- bad input
def test_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="file not found"):
        load_tables(tmp_path / "nope.tsv", tmp_path / "clin.tsv", time="t", event="e")


def test_duplicated_sample_columns(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    text = expression.read_text().replace("\tS03\t", "\tS02\t", 1)
    expression.write_text(text)
    with pytest.raises(FileFormatError, match=r"expression.tsv:1: column 'S02': duplicated"):
        load_tables(expression, clinical, time="os_months", event="os_status")


def test_non_numeric_value(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    lines = expression.read_text().splitlines()
    fields = lines[3].split("\t")
    fields[4] = "high"
    lines[3] = "\t".join(fields)
    expression.write_text("\n".join(lines) + "\n")
    with pytest.raises(CohortValidationError, match=r"expression.tsv:4: column 'S03': non-numeric"):
        load_tables(expression, clinical, time="os_months", event="os_status")


def test_clinical_ids_match_nothing(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    clinical.write_text(clinical.read_text().replace("S", "X"))
    with pytest.raises(SampleJoinError, match="no clinical sample matches"):
        load_tables(expression, clinical, time="os_months", event="os_status")


def test_partial_join_is_reported(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    lines = clinical.read_text().splitlines()
    clinical.write_text("\n".join(lines[:-2]) + "\n")
    with pytest.warns(SigsurvWarning, match="10 samples matched"):
        cohort = load_tables(expression, clinical, time="os_months", event="os_status")
    assert cohort.join_report.n_expression_only == 2
    assert cohort.join_report.expression_only == ("S10", "S11")


def test_bad_event_codes(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    lines = clinical.read_text().splitlines()
    fields = lines[5].split("\t")
    fields[2] = "2"
    lines[5] = "\t".join(fields)
    clinical.write_text("\n".join(lines) + "\n")
    with pytest.raises(CohortValidationError, match=r"clinical.tsv:6: column 'os_status'"):
        load_tables(expression, clinical, time="os_months", event="os_status")


def test_negative_time(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    lines = clinical.read_text().splitlines()
    fields = lines[2].split("\t")
    fields[1] = "-3"
    lines[2] = "\t".join(fields)
    clinical.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        CohortValidationError, match=r"clinical.tsv:3: column 'os_months': negative"
    ):
        load_tables(expression, clinical, time="os_months", event="os_status")


def test_yes_no_events_need_explicit_codes(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    text = clinical.read_text()
    lines = text.splitlines()
    recoded = [lines[0]]
    for line in lines[1:]:
        fields = line.split("\t")
        fields[2] = "yes" if fields[2] == "1" else "no"
        recoded.append("\t".join(fields))
    clinical.write_text("\n".join(recoded) + "\n")
    with pytest.raises(CohortValidationError, match="ambiguous"):
        load_tables(expression, clinical, time="os_months", event="os_status")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cohort = load_tables(
            expression,
            clinical,
            time="os_months",
            event="os_status",
            event_codes={"yes": 1, "no": 0},
            time_unit="months",
        )
    _, events = survival_rows()
    assert cohort.clinical["os_event"].tolist() == events.tolist()


def test_wrong_orientation_hint(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path, orientation="samples_x_genes")
    with pytest.raises(SampleJoinError, match="transposed"):
        load_tables(expression, clinical, time="os_months", event="os_status")


def test_truncation_and_subset(tmp_path):
    expression, clinical, _ = plain_tables(tmp_path)
    cohort = load_tables(expression, clinical, time="os_months", event="os_status")
    truncated = cohort.truncate("os", 50)
    time, event = truncated.survival("os")
    original_time, original_event = cohort.survival("os")
    assert time.max() <= 50
    assert ((original_time > 50) & (event == 1)).sum() == 0
    assert np.array_equal(event[original_time <= 50], original_event[original_time <= 50])
    positive = cohort.subset("er == 'positive'")
    assert positive.n_samples == 6
    assert list(positive.samples) == SAMPLES[1::2]


def test_quoted_csv_clinical_table_as_r_writes_it(tmp_path):
    expression, _, _ = plain_tables(tmp_path)
    times, events = survival_rows()
    lines = ['"","os_months","os_status","menopause"']
    lines += [
        f'"{s}",{t},{e},"Pre (<6 months, no HRT)"'
        for s, t, e in zip(SAMPLES, times, events, strict=True)
    ]
    clinical = write(tmp_path / "clinical_r.csv", "\n".join(lines) + "\n")
    cohort = load_tables(
        expression, clinical, time="os_months", event="os_status", time_unit="months"
    )
    assert cohort.n_samples == len(SAMPLES)
    assert set(cohort.clinical["menopause"]) == {"Pre (<6 months, no HRT)"}


def test_tcga_duplicated_patient_rows(tmp_path):
    folder = tcga_folder(tmp_path)
    cdr = folder / "survival_tcga_cdr_brca.tsv"
    lines = cdr.read_text().splitlines()
    cdr.write_text("\n".join([*lines, lines[1]]) + "\n")  # an identical duplicate row
    cohort = load_tcga_folder(folder)
    assert any("identical survival data, first kept" in m for m in cohort.messages)
    fields = lines[1].split("\t")
    fields[3] = str(int(float(fields[3])) + 100)  # same patient, another OS time
    cdr.write_text("\n".join([*lines, "\t".join(fields)]) + "\n")
    with pytest.raises(
        CohortValidationError,
        match=r"survival_tcga_cdr_brca.tsv:14: column "
        r"'OS.time': patient TCGA-A1-A000 has several rows",
    ):
        load_tcga_folder(folder)
