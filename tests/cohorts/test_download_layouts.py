"""Real download layouts (``../shared/data/formats`` and friends) load through the CLI
with the counts their SOURCE.md gives (issue 10).

Skipped with a reason when ``../shared`` (or ``SIGSURV_SHARED``) is absent; the
fixtures written here copy real rows and headers byte for byte.
"""

from __future__ import annotations

import gzip
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scanb_layout import scanb_series_matrix
from typer.testing import CliRunner

from sigsurv.cli import app
from sigsurv.cohorts import load_cohort, read_platform_table
from sigsurv.cohorts.clinical import standardise_clinical
from sigsurv.cohorts.readers import read_text_table
from sigsurv.cohorts.tcga import classify_tcga_file
from sigsurv.errors import SigsurvWarning

DATA_DIR = (
    Path(os.environ.get("SIGSURV_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
    / "data"
)
pytestmark = pytest.mark.skipif(
    not (DATA_DIR / "formats").is_dir(),
    reason=f"{DATA_DIR / 'formats'} not found: needs ../shared beside the clone "
    "(or SIGSURV_SHARED)",
)
FORMATS = DATA_DIR / "formats"
SMALL_TCGA = FORMATS / "TCGA_BRCA_small_fixtures"
CDR = DATA_DIR / "TCGA_BRCA" / "survival_tcga_cdr_brca.tsv"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _quiet_join_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        yield


def cohort_info(*args: str | Path) -> dict:
    result = runner.invoke(app, ["cohort", "info", *map(str, args), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout[result.stdout.index("{") :])


def endpoint_counts(summary: dict, name: str) -> tuple[int, int]:
    info = summary["endpoints"][name]
    return info["n"], info["events"]


# ----------------------------------------------------------------------------- cBioPortal
def test_cbioportal_example_study_loads_through_meta_files():
    study = FORMATS / "cBioPortal_study_es_0" / "study_es_0"
    summary = cohort_info(study)
    assert cohort_info(study.parent)["samples"] == 526  # the folder holding the study
    # SOURCE.md: 6 genes x 526 samples in data_expression_median.txt (named by its meta file).
    assert (summary["samples"], summary["genes"]) == (526, 6)
    assert set(summary["endpoints"]) == {"os", "dfs"}
    patients = read_text_table(study / "data_clinical_patients.txt", comment="#").data
    assert len(patients) == 841
    assert patients["OS_STATUS"].value_counts().to_dict() == {"0:LIVING": 721, "1:DECEASED": 87}
    cohort = load_cohort(study)
    # SUBTYPE (Luminal A, basal-like, Claudin low...) standardised to PAM50 labels.
    assert {"LumA", "LumB", "Basal", "Her2", "Claudin-low"} <= set(
        cohort.clinical["pam50"].dropna()
    )


# ----------------------------------------------------------------------------- TCGA variants
def test_gsalightning_aliquot_table_joins_patient_level_cdr():
    expression = DATA_DIR / "TCGA_BRCA_GSALightning" / "expression_rsem_normalized.tsv.gz"
    summary = cohort_info(expression, "--clinical", CDR)
    assert summary["samples"] == 1095  # SOURCE.md: 1095 primary-tumour patients in TCGA-CDR
    # SOURCE.md: events among those 1095: OS 151, PFI 145, DSS 83, DFI 84; bone 34.
    assert endpoint_counts(summary, "os")[1] == 151
    assert endpoint_counts(summary, "pfi")[1] == 145
    assert endpoint_counts(summary, "dss")[1] == 83
    assert endpoint_counts(summary, "dfi")[1] == 84
    assert endpoint_counts(summary, "bmfs")[1] == 34
    assert summary["endpoints"]["bmfs"]["unit"] == "days"


def test_dotted_r_barcodes_with_entrez_rows_join_cdr():
    expression = SMALL_TCGA / "hipathia_brca_expression_entrez.tsv.gz"
    assert classify_tcga_file(expression) == "expression"
    cohort = load_cohort(expression, clinical=CDR)
    # SOURCE.md: all 20 tumour patients are in TCGA-CDR, OS events 6.
    assert cohort.n_samples == 20
    assert int(np.nansum(cohort.survival("os")[1])) == 6
    assert {"IRF7", "RPS6KA5", "STAT1", "ERBB2", "ESR1"} <= set(cohort.genes)
    assert any("dotted barcodes" in m for m in cohort.messages)


def test_xena_gdc_survival_table_counts_and_negative_times():
    survival = SMALL_TCGA / "original" / "TCGA-BRCA.survival.tsv.gz"
    raw = read_text_table(survival).data
    # SOURCE.md: 1268 samples, 1084 patients, _OS_IND 1 = 214, negative times present.
    assert len(raw) == 1268
    assert raw["_PATIENT"].nunique() == 1084
    assert int((raw["_OS_IND"] == "1").sum()) == 214
    assert classify_tcga_file(survival) == "clinical"
    counts = SMALL_TCGA / "tcgabiolinks_dataBRCA_firehose_rnaseqv2_raw_counts.tsv.gz"
    cohort = load_cohort(counts, clinical=survival)
    assert cohort.n_samples == 5  # dataBRCA: 5 tumour (01A) aliquots
    assert cohort.endpoint("os").unit == "days"
    assert any("negative _OS times" in m for m in cohort.messages)
    # SYMBOL|ENTREZ rows are read by Entrez ID and harmonised to current symbols.
    assert {"ERBB2", "ESR1", "STAT1"} <= set(cohort.genes)
    assert any("SYMBOL|ENTREZ" in m for m in cohort.messages)


def test_gdc_phenotype_table_is_patient_clinical_with_receptor_status():
    phenotype = SMALL_TCGA / "original" / "TCGA-BRCA.GDC_phenotype.tsv.gz"
    assert len(read_text_table(phenotype).data) == 1283  # SOURCE.md: 1283 x 187
    assert classify_tcga_file(phenotype) == "clinical"
    hipathia = SMALL_TCGA / "hipathia_brca_expression_entrez.tsv.gz"
    cohort = load_cohort(hipathia, clinical=phenotype)
    assert cohort.n_samples == 20
    assert set(cohort.clinical["er"].dropna()) <= {"positive", "negative"}
    assert cohort.clinical["er"].notna().sum() > 15


def test_firehose_merged_clinical_gives_receptors_age_and_trastuzumab():
    expression = DATA_DIR / "TCGA_BRCA_GSALightning" / "expression_rsem_normalized.tsv.gz"
    firehose = DATA_DIR / "TCGA_BRCA" / "clinical_firehose_merged.tsv.gz"
    cohort = load_cohort(expression, clinical=firehose)
    clinical = cohort.clinical
    assert set(clinical["er"].dropna()) == {"positive", "negative"}
    assert clinical["age"].between(20, 95).sum() > 1000
    # Drug records name trastuzumab for some patients; patients without any drug record
    # stay missing rather than 'no'.
    counts = clinical["trastuzumab"].value_counts(dropna=False)
    assert counts["yes"] > 50 and counts["no"] > 500 and clinical["trastuzumab"].isna().sum() > 0


def test_tcga_small_fixtures_folder_loads_through_the_cli():
    summary = cohort_info(SMALL_TCGA)
    # hipathia (normalised) is preferred over raw counts; Xena survival in original/.
    assert summary["samples"] == 20
    assert endpoint_counts(summary, "os") == (20, 6)


def test_firehose_layout_with_second_header_line(tmp_path):
    source = SMALL_TCGA / "tcgabiolinks_dataBRCA_firehose_rnaseqv2_raw_counts.tsv.gz"
    lines = gzip.decompress(source.read_bytes()).decode().splitlines()
    header = lines[0].split("\t")
    # The Broad Firehose file as downloaded: 'Hybridization REF', then 'gene_id raw_count...'.
    firehose = ["\t".join(["Hybridization REF", *header[1:]])]
    firehose.append("\t".join(["gene_id", *(["raw_count"] * (len(header) - 1))]))
    firehose += lines[1:]
    path = tmp_path / "BRCA.rnaseqv2__illuminahiseq_rnaseqv2__raw_counts.data.txt"
    path.write_text("\n".join(firehose) + "\n")
    cohort = load_cohort(path, clinical=SMALL_TCGA / "original" / "TCGA-BRCA.survival.tsv.gz")
    assert cohort.n_samples == 5
    assert any("second header line" in m for m in cohort.messages)
    assert {"ERBB2", "ESR1"} <= set(cohort.genes)


def test_extensionless_xena_files_in_a_folder(tmp_path):
    expression = DATA_DIR / "TCGA_BRCA_GSALightning" / "expression_rsem_normalized.tsv.gz"
    frame = pd.read_csv(expression, sep="\t", index_col=0).iloc[:40, :60]
    frame.columns = [c[:15] for c in frame.columns]  # Xena sample barcodes TCGA-xx-xxxx-01
    frame = frame.loc[:, ~frame.columns.duplicated()]
    folder = tmp_path / "xena"
    folder.mkdir()
    np.log2(frame + 1).round(4).to_csv(folder / "HiSeqV2", sep="\t", index_label="sample")
    cdr = pd.read_csv(CDR, sep="\t").set_index("bcr_patient_barcode")
    patients = [c[:12] for c in frame.columns]
    matrix = pd.DataFrame(
        {
            "sampleID": frame.columns,
            "_OS": cdr.reindex(patients)["OS.time"].to_numpy(),
            "_OS_IND": cdr.reindex(patients)["OS"].to_numpy(),
            "_PATIENT": patients,
            "breast_carcinoma_estrogen_receptor_status": ["Positive", "Negative"] * 30,
        }
    )
    matrix.to_csv(folder / "BRCA_clinicalMatrix", sep="\t", index=False, na_rep="")
    assert classify_tcga_file(folder / "BRCA_clinicalMatrix") == "clinical"
    cohort = load_cohort(folder)
    assert cohort.endpoint("os").unit == "days"
    known = cdr.reindex(cohort.samples)
    assert np.nansum(cohort.survival("os")[1]) == known["OS"].sum()
    assert set(cohort.clinical["er"]) == {"positive", "negative"}


# ----------------------------------------------------------------------------- GEO
def test_geo_annot_with_repeated_go_columns():
    annot = FORMATS / "GEO_format_fixtures_nonbreast" / "original" / "GPL97.annot.gz"
    mapping, kind = read_platform_table(annot)
    assert kind == "symbol"
    assert len(mapping) == 22645  # HG-U133B probes (GDS507 feature count)
    assert mapping["200000_s_at"] == "PRPF8"


def test_gds_soft_with_annot_platform_through_the_cli():
    folder = FORMATS / "GEO_format_fixtures_nonbreast" / "original"
    source = (folder / "GDS507.soft.gz", "--platform", folder / "GPL97.annot.gz")
    kept = cohort_info(*source, "--keep-non-tumour")
    assert kept["samples"] == 17  # !dataset_sample_count = 17
    assert kept["endpoints"] == {}  # kidney, no survival: a parser fixture only
    assert kept["clinical_fields"]["disease state"]["levels"] == {"RCC": 9, "normal": 8}
    # By default the 8 normal kidneys are not tumours: excluded, and said so.
    summary = cohort_info(*source)
    assert summary["samples"] == 9
    assert any("8 non-tumour samples excluded" in m for m in summary["messages"])


@pytest.mark.parametrize(
    ("platform", "rows"),
    [("GPL96", 19812), ("GPL97", 15482), ("GPL570", 41937), ("GPL571", 19812), ("GPL8300", 11460)],
)
def test_probe_maps_read_as_platform_tables(platform, rows):
    mapping, kind = read_platform_table(
        FORMATS / "probe_maps_idmap1" / f"{platform}_probe2symbol.tsv"
    )
    assert (len(mapping), kind) == (rows, "symbol")


def test_platform_option_maps_a_plain_probe_table():
    transbig = DATA_DIR / "TRANSBIG_GSE7390_76gene"
    summary = cohort_info(
        transbig / "expression_76probes.tsv",
        "--clinical",
        transbig / "clinical.tsv",
        "--time",
        "t.tdm",
        "--event",
        "e.tdm",
        "--time-unit",
        "days",
        "--endpoint-name",
        "dmfs",
        "--platform",
        FORMATS / "probe_maps_idmap1" / "GPL96_probe2symbol.tsv",
    )
    # SOURCE.md: 76 probes x 198 samples, 51 events; probe IDs are now gene symbols.
    assert summary["samples"] == 198
    assert endpoint_counts(summary, "dmfs") == (198, 51)
    assert 0 < summary["genes"] <= 76
    cohort = load_cohort(
        transbig / "expression_76probes.tsv",
        clinical=transbig / "clinical.tsv",
        time="t.tdm",
        event="e.tdm",
        endpoint="dmfs",
        time_unit="days",
        platform=FORMATS / "probe_maps_idmap1" / "GPL96_probe2symbol.tsv",
    )
    assert not any(g.endswith("_at") for g in cohort.genes)


def test_rna_seq_series_with_empty_matrix_table_and_supplementary_expression(tmp_path):
    matrix = scanb_series_matrix(
        tmp_path / "GSE96058-GPL11154_series_matrix.txt",
        DATA_DIR / "SCANB_GSE96058_cosinet_subset" / "clinical.tsv",
    )
    summary = cohort_info(
        DATA_DIR / "SCANB_GSE96058_cosinet_subset" / "expression.tsv.gz",
        "--clinical",
        matrix,
        "--time",
        "overall survival days",
        "--event",
        "overall survival event",
        "--time-unit",
        "days",
    )
    assert summary["samples"] == 400
    assert endpoint_counts(summary, "os") == (400, 48)  # SOURCE.md: 48 events of 400


def test_er_status_coded_0_1_in_a_plain_table_is_standardised():
    folder = DATA_DIR / "SCANB_GSE96058_cosinet_subset"
    cohort = load_cohort(
        folder / "expression.tsv.gz",
        clinical=folder / "clinical.tsv",
        sample_column="title",
        time="overall_survival_days",
        event="overall_survival_event",
        time_unit="days",
    )
    raw = pd.read_csv(folder / "clinical.tsv", sep="\t")
    er = cohort.clinical["er"]
    assert int((er == "positive").sum()) == int((raw["er_status"] == 1).sum())
    assert int((er == "negative").sum()) == int((raw["er_status"] == 0).sum())
    assert set(cohort.clinical["pam50"].dropna()) <= {"LumA", "LumB", "Her2", "Basal", "Normal"}
    assert set(cohort.clinical["grade"].dropna()) <= {1.0, 2.0, 3.0}
    assert set(cohort.clinical["chemotherapy"].dropna()) == {"yes", "no"}


# ----------------------------------------------------------------------------- METABRIC
def test_metabric_dss_therapy_and_claudin_subtype(tmp_path):
    study = tmp_path / "brca_metabric"
    study.mkdir()
    metabric = DATA_DIR / "METABRIC"
    (study / "data_clinical_patient.txt").write_bytes(
        (metabric / "cbioportal2018_data_clinical_patient.tsv").read_bytes()
    )
    (study / "data_clinical_sample.txt").write_bytes(
        (metabric / "cbioportal2018_data_clinical_sample.tsv").read_bytes()
    )
    deepsurv = pd.read_csv(metabric / "deepsurv_metabric_4genes_os.tsv", sep="\t")
    samples = read_text_table(study / "data_clinical_sample.txt", comment="#").data["SAMPLE_ID"]
    values = deepsurv[["MKI67", "EGFR", "PGR", "ERBB2"]].iloc[:200].T.to_numpy()
    frame = pd.DataFrame(values, index=["MKI67", "EGFR", "PGR", "ERBB2"], columns=samples[:200])
    frame.iloc[2, 7] = np.nan  # one NA in one sample
    frame.to_csv(study / "data_mrna_illumina_microarray.txt", sep="\t", index_label="Hugo_Symbol")
    cohort = load_cohort(study)
    # The gene with one NA is kept (sample-level policy), and the cohort says so.
    assert "PGR" in cohort.genes
    assert int(cohort.expression.isna().to_numpy().sum()) == 1
    assert any("PGR (1 samples)" in m for m in cohort.messages)
    # DSS: SOURCE.md counts 646 'Died of Disease' in the full patient table.
    assert any("646 died of disease" in m for m in cohort.messages)
    assert cohort.endpoint("dss").unit == "months"
    assert set(cohort.clinical["chemotherapy"].dropna()) == {"yes", "no"}
    assert "Claudin-low" in set(cohort.clinical["pam50"].dropna())
    # Scoring uses the genes each sample has (issue 20 item 6): the sample with the NA is
    # scored from MKI67 alone (1 of 2 genes, at min_coverage 0.5), and its count says so.
    from sigsurv.scoring import score_signatures

    result = score_signatures(cohort, {"proliferation": ["MKI67", "PGR"]}, min_coverage=0.5)
    counts = result.gene_counts["proliferation"]
    with_na = frame.columns[7]
    assert counts[with_na] == 1 and (counts.drop(with_na) == 2).all()
    assert result.scores["proliferation"].notna().all() and result.not_scored.empty


def test_standardisation_reports_unrecognised_values():
    frame = pd.DataFrame({"ER_STATUS": ["+", "-", "Positive", "equivocal"], "node": [0, 1, 2, 0]})
    out, notes = standardise_clinical(frame)
    assert out["er"].tolist() == ["positive", "negative", "positive", None]
    assert out["node"].tolist() == [0, 1, 2, 0]  # a field already named 'node' is kept
    assert any("equivocal" in note for note in notes)
