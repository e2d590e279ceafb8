"""Every real cohort under ../shared/data loads with the shapes, events and units of SOURCE.md."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sigsurv.cohorts import (
    EndpointSpec,
    load_example,
    load_tables,
    load_tcga_folder,
    read_cbioportal_clinical,
    read_clinical_table,
    read_expression_table,
)
from sigsurv.errors import SigsurvWarning


def events(cohort, name):
    time, event = cohort.survival(name)
    known = np.isfinite(event) & np.isfinite(time)
    return int(known.sum()), int(event[known].sum())


@pytest.fixture(autouse=True)
def _quiet_join_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        yield


@pytest.mark.parametrize(
    ("name", "n", "n_events", "endpoint", "unit"),
    [
        ("gse1992", 124, 35, "rfs", "months"),
        ("gse3143", 158, 50, "os", "months"),
        ("gse4335", 115, 38, "os", "months"),
        ("nki70", 144, 48, "mfs", "years"),
    ],
)
def test_bundled_examples(name, n, n_events, endpoint, unit):
    cohort = load_example(name)
    assert cohort.n_samples == n
    assert cohort.endpoint().name == endpoint
    assert cohort.endpoint().unit == unit
    assert events(cohort, endpoint) == (n, n_events)
    assert cohort.expression.dtypes.unique().tolist() == [np.dtype(float)]


def test_gse1992_clinical_factors_typed_and_genes_renamed():
    cohort = load_example("gse1992")
    clinical = cohort.clinical
    assert clinical["er"].value_counts().to_dict() == {"positive": 72, "negative": 50}
    assert clinical["er"].isna().sum() == 2
    assert clinical["grade"].value_counts().sort_index().to_dict() == {1.0: 12, 2.0: 44, 3.0: 64}
    assert clinical["age"].dtype == float
    # 2007-era symbols are harmonised: TMEM49 -> VMP1, PVRL1 -> NECTIN1.
    assert "VMP1" in cohort.genes and "TMEM49" not in cohort.genes
    assert "NECTIN1" in cohort.genes and "PVRL1" not in cohort.genes
    assert cohort.gene_report.renamed["TMEM49"] == "VMP1"


def test_gse1992_files_match_the_bundled_cohort(data_dir):
    folder = data_dir / "GSE1992_UNC_Hu2006"
    cohort = load_tables(
        folder / "expression.tsv.gz",
        folder / "clinical.tsv",
        time="RFS_months",
        event="RFS_event_.0.no_relapse.1.relapsed_at_any_site_or_died_of_disease.",
        endpoint="rfs",
        time_unit="months",
        endpoints=[
            EndpointSpec(
                "os",
                "Overall_suvival_months",
                "Overall_Survival_Event_.0.alive.1.DOD_or_DOC.",
                unit="months",
            )
        ],
    )
    assert (cohort.n_samples, cohort.join_report.n_matched) == (124, 124)
    assert events(cohort, "rfs") == (124, 35)
    assert events(cohort, "os") == (124, 26)
    bundled = load_example("gse1992")
    shared = cohort.expression.loc[bundled.genes, bundled.samples]
    # The shared TSV stores 4 significant digits: relative rounding error <= 5e-4.
    np.testing.assert_allclose(shared.to_numpy(), bundled.expression.to_numpy(), rtol=5.01e-4)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "shape", "time", "event", "n_events"),
    [
        (
            "GSE3143_Duke_Bild2006",
            (8659, 158),
            "Survival_Time(months)",
            "Status(0=alive,1=dead)",
            50,
        ),
        ("GSE4335_NorwayStanford", (12793, 115), "survset_time", "survset_event", 38),
        (
            "SCANB_GSE96058_cosinet_subset",
            (10000, 400),
            "overall_survival_days",
            "overall_survival_event",
            48,
        ),
    ],
)
def test_gene_level_cohort_folders(data_dir, folder, shape, time, event, n_events):
    path = data_dir / folder
    expression, _ = read_expression_table(path / "expression.tsv.gz")
    assert expression.shape == shape
    sample_column = "title" if folder.startswith("SCANB") else None
    cohort = load_tables(
        path / "expression.tsv.gz",
        path / "clinical.tsv",
        time=time,
        event=event,
        endpoint="os",  # "Survival_Time(months)", "survset_time" do not say it (issue 20)
        sample_column=sample_column,
        time_unit="days" if "days" in time else "months",
    )
    assert cohort.n_samples == shape[1]
    assert events(cohort, "os") == (shape[1], n_events)


@pytest.mark.slow
def test_scanb_time_unit_is_inferred_as_days_with_a_warning(data_dir):
    path = data_dir / "SCANB_GSE96058_cosinet_subset"
    with pytest.warns(SigsurvWarning, match="suggests days"):
        cohort = _scanb_without_unit(path)
    assert cohort.endpoint("os").unit == "days"


def _scanb_without_unit(path):
    # The column is named "..._days", so the unit comes from its name; copy the clinical
    # table with a neutral column name to exercise the inference from the values.
    import tempfile
    from pathlib import Path

    clinical, _ = read_clinical_table(path / "clinical.tsv")
    clinical = clinical.rename(columns={"overall_survival_days": "follow_up"})
    folder = Path(tempfile.mkdtemp())
    clinical.reset_index().to_csv(folder / "clinical.tsv", sep="\t", index=False)
    return load_tables(
        path / "expression.tsv.gz",
        folder / "clinical.tsv",
        time="follow_up",
        event="overall_survival_event",
        endpoint="os",
        sample_column="title",
    )


@pytest.mark.slow
def test_tcga_brca_folder(data_dir):
    cohort = load_tcga_folder(data_dir / "TCGA_BRCA")
    # 1079 primary-tumour aliquots cover 1078 patients (SOURCE.md).
    assert cohort.n_samples == 1078
    assert cohort.endpoint("os").unit == "days"
    assert {"MIR21", "MIR424", "MIR503"} <= set(cohort.genes)
    assert cohort.provenance.scale == "log2(x+1)"
    assert set(cohort.clinical["machine"].dropna()) == {
        "Illumina Genome Analyzer",
        "Illumina HiSeq 2000",
    }
    assert set(cohort.clinical["er"].dropna()) == {"positive", "negative"}
    assert cohort.clinical["her2"].notna().sum() > 800
    # 1077 of the 1078 patients have a CDR row; all CDR OS events among them are kept.
    n_os, os_events = events(cohort, "os")
    assert n_os == 1077 - 1 or n_os == 1077
    assert 140 <= os_events <= 151


def test_tcga_cdr_counts_match_source(data_dir):
    table, _ = read_clinical_table(data_dir / "TCGA_BRCA" / "survival_tcga_cdr_brca.tsv")
    assert table.shape[0] == 1097
    counts = {}
    for endpoint in ("OS", "PFI", "DSS", "DFI"):
        values = table[endpoint].dropna().astype(float)
        counts[endpoint] = (int(values.sum()), len(values))
    assert counts == {"OS": (151, 1097), "PFI": (145, 1097), "DSS": (83, 1078), "DFI": (84, 953)}


def test_metabric_cbioportal_2018_clinical(data_dir):
    clinical, endpoints, datatypes = read_cbioportal_clinical(
        data_dir / "METABRIC" / "cbioportal2018_data_clinical_patient.tsv"
    )
    assert clinical.shape[0] == 2509
    assert [e.name for e in endpoints] == ["os"]
    assert endpoints[0].unit == "months"
    event = clinical["os_event"].dropna()
    assert len(event) == 1980
    assert datatypes["OS_MONTHS"] == "NUMBER"
    assert clinical["OS_MONTHS"].dtype == float


def test_metabric_cbioportal_with_rfs_csv(data_dir):
    clinical, endpoints, _ = read_cbioportal_clinical(
        data_dir / "METABRIC" / "clinical_patient_cbioportal_with_RFS.csv"
    )
    assert sorted(e.name for e in endpoints) == ["os", "rfs"]
    assert int(clinical["os_event"].sum()) == 1144
    assert int((clinical["os_event"] == 0).sum()) == 837
    assert int(clinical["rfs_event"].sum()) == 1002
    assert int((clinical["rfs_event"] == 0).sum()) == 1486


def test_metabric_sample_file(data_dir):
    samples, endpoints, _ = read_cbioportal_clinical(
        data_dir / "METABRIC" / "cbioportal2018_data_clinical_sample.tsv"
    )
    assert samples.shape == (2509, 9)
    assert endpoints == []


def test_metabric_deepsurv_table(data_dir):
    table, _ = read_clinical_table(data_dir / "METABRIC" / "deepsurv_metabric_4genes_os.tsv")
    assert table.shape[0] == 1904


@pytest.mark.parametrize(
    ("subset", "n", "n_probes", "n_dmfs", "dmfs_events"),
    [("vdxs", 150, 966, 150, 47), ("nkis", 150, 922, 146, 53)],
)
def test_genefu_subsets(data_dir, subset, n, n_probes, n_dmfs, dmfs_events):
    folder = data_dir / "genefu_VDXs_NKIs_subsets"
    expression, _ = read_expression_table(folder / f"{subset}_expression.tsv.gz")
    assert expression.shape == (n_probes, n)
    clinical, _ = read_clinical_table(folder / f"{subset}_clinical.tsv")
    assert clinical.shape[0] == n
    dmfs = clinical["e.dmfs"].dropna().astype(float)
    assert (len(dmfs), int(dmfs.sum())) == (n_dmfs, dmfs_events)


@pytest.mark.parametrize(
    ("cohort", "n"),
    [
        ("mainz7g", 200),
        ("transbig7g", 198),
        ("unt7g", 137),
        ("upp7g", 251),
        ("vdx7g", 344),
        ("nki7g", 337),
    ],
)
def test_survcomp_seven_gene_cohorts(data_dir, cohort, n):
    folder = data_dir / "survcomp_breastCancerData_7genes"
    expression, _ = read_expression_table(folder / f"{cohort}_expression.tsv")
    assert expression.shape == (7, n)
    clinical, _ = read_clinical_table(folder / f"{cohort}_clinical.tsv")
    assert clinical.shape[0] == n


def test_transbig_76_gene(data_dir):
    folder = data_dir / "TRANSBIG_GSE7390_76gene"
    cohort = load_tables(
        folder / "expression_76probes.tsv",
        folder / "clinical.tsv",
        time="t.tdm",
        event="e.tdm",
        endpoint="dmfs",
        time_unit="days",
        harmonise=False,
    )
    assert (cohort.n_genes, cohort.n_samples) == (76, 198)
    assert events(cohort, "dmfs") == (198, 51)
