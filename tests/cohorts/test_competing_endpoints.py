"""Competing-risk endpoints in the cohort model: TCGA-CDR bone relapse and recipe sites."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigsurv.cohorts.build import EndpointSpec, decode_endpoint, decode_site_competing
from sigsurv.cohorts.model import Cohort, Endpoint
from sigsurv.cohorts.tables import load_tables
from sigsurv.cohorts.tcga import load_tcga
from sigsurv.errors import CohortValidationError, OptionError


@pytest.fixture(scope="module")
def tcga_cdr_cohort(data_dir, tmp_path_factory):
    """Every CDR patient with a one-gene expression table (the loader needs one)."""
    cdr = data_dir / "TCGA_BRCA" / "survival_tcga_cdr_brca.tsv"
    barcodes = pd.read_csv(cdr, sep="\t", usecols=["bcr_patient_barcode"])["bcr_patient_barcode"]
    folder = tmp_path_factory.mktemp("tcga_cr")
    values = np.arange(len(barcodes), dtype=float).reshape(1, -1)
    expression = pd.DataFrame(values, index=["MIR21"], columns=[f"{b}-01A" for b in barcodes])
    expression.index.name = "gene"
    expression.to_csv(folder / "expression.tsv", sep="\t")
    return load_tcga(folder / "expression.tsv", [cdr], harmonise=False, transform="none")


def test_tcga_bone_relapse_competing_endpoint(tcga_cdr_cohort, data_dir):
    cohort = tcga_cdr_cohort
    assert "bone_relapse_cr" not in cohort.endpoints  # 0/1 analyses never see cause codes
    endpoint = cohort.competing_endpoint("bone_relapse_cr")
    assert endpoint.causes[0] == "bone relapse" and endpoint.unit == "days"
    time, cause = cohort.competing_risks("bone_relapse_cr")
    codes, counts = np.unique(cause[np.isfinite(cause)], return_counts=True)
    found = dict(zip(codes.astype(int).tolist(), counts.tolist(), strict=True))
    cdr = pd.read_csv(data_dir / "TCGA_BRCA" / "survival_tcga_cdr_brca.tsv", sep="\t")
    site = cdr["new_tumor_event_site"].fillna("")
    other = ((site != "") | cdr["new_tumor_event_type"].notna()) & (site != "Bone")
    relapse = (site == "Bone") | other
    died_first = (cdr["OS"] == 1) & ~relapse
    # SOURCE.md: 34 bone events, the same as the 0/1 bmfs endpoint.
    assert found[1] == 34 == int((site == "Bone").sum())
    assert int(np.nansum(cohort.survival("bmfs")[1])) == 34
    assert found[2] == int(other.sum())
    assert found[3] == int(died_first.sum())
    # Bone relapse times are the new-tumour-event days, the same as bmfs.
    bmfs_time, bmfs_event = cohort.survival("bmfs")
    np.testing.assert_array_equal(time[cause == 1], bmfs_time[bmfs_event == 1])
    assert cohort.competing_endpoint("bone_relapse_cr").cause_code("bone relapse") == 1


def test_recipe_site_endpoint_gets_a_competing_version(tmp_path):
    (tmp_path / "e.tsv").write_text("gene\ta\tb\tc\td\nTP53\t1\t2\t3\t4\n")
    (tmp_path / "c.tsv").write_text(
        "id\tm\ts\tsite\na\t5\t1\tbone\nb\t7\t1\tliver, lung\nc\t9\t0\t\nd\t3\t1\t\n"
    )
    spec = EndpointSpec("bmfs", "m", "s", unit="months", site_column="site", site="bone")
    cohort = load_tables(tmp_path / "e.tsv", tmp_path / "c.tsv", endpoints=[spec], harmonise=False)
    assert list(cohort.competing_endpoints) == ["bmfs_cr"]
    time, cause = cohort.competing_risks("bmfs_cr")
    np.testing.assert_array_equal(time, [5.0, 7.0, 9.0, 3.0])
    # d relapsed at an unrecorded site: no cause rather than a guess.
    np.testing.assert_array_equal(cause, [1.0, 2.0, 0.0, np.nan])
    assert cohort.competing_endpoint("bmfs_cr").causes == ("bone", "other site")


def test_cause_codes_are_validated():
    expr = pd.DataFrame([[1.0, 2.0]], index=["G"], columns=["a", "b"])
    clinical = pd.DataFrame({"t": [3.0, 5.0], "c": [3, 0]}, index=expr.columns)
    two_causes = Endpoint("cr", "t", "c", causes=("bone", "other"))
    with pytest.raises(CohortValidationError, match=r"0\.\.2"):
        Cohort("toy", expr, clinical, competing_endpoints={"cr": two_causes})
    with pytest.raises(CohortValidationError, match="has causes"):
        Cohort("toy", expr, clinical, endpoints={"cr": two_causes})
    with pytest.raises(CohortValidationError, match="no causes"):
        Cohort("toy", expr, clinical, competing_endpoints={"cr": Endpoint("cr", "t", "c")})
    with pytest.raises(OptionError, match="unknown cause"):
        two_causes.cause_code("lung")
    with pytest.raises(OptionError):
        two_causes.cause_code(3)


def test_site_competing_needs_a_site():
    clinical = pd.DataFrame({"t": ["4"], "e": ["1"]})
    spec = EndpointSpec("rfs", "t", "e", unit="months")
    clinical, decoded = decode_endpoint(clinical, spec)
    with pytest.raises(OptionError, match="site_column"):
        decode_site_competing(clinical, spec, decoded)


def test_cbioportal_recipe_site_endpoint_gets_a_competing_version(tmp_path):
    from sigsurv.cohorts.cbioportal import load_cbioportal

    (tmp_path / "data_clinical_patient.txt").write_text(
        "#a\tb\tc\td\n#a\tb\tc\td\n#STRING\tNUMBER\tSTRING\tSTRING\n#1\t1\t1\t1\n"
        "PATIENT_ID\tRFS_MONTHS\tRFS_STATUS\tRELAPSE_SITE\n"
        "P1\t10\t1:Recurred\tBone\nP2\t20\t0:Not Recurred\t\nP3\t7\t1:Recurred\tLiver\n"
    )
    (tmp_path / "data_mrna_illumina_microarray.txt").write_text(
        "Hugo_Symbol\tEntrez_Gene_Id\tP1\tP2\tP3\nTP53\t7157\t5.1\t6.2\t7.0\n"
    )
    spec = EndpointSpec(
        "bmfs", "RFS_MONTHS", "RFS_STATUS", unit="months", site_column="RELAPSE_SITE", site="bone"
    )
    cohort = load_cbioportal(tmp_path, extra_endpoints=[spec], harmonise=False)
    assert cohort.survival("bmfs")[1].tolist() == [1.0, 0.0, 0.0]
    assert cohort.competing_risks("bmfs_cr")[1].tolist() == [1.0, 0.0, 2.0]
    assert cohort.competing_endpoint("bmfs_cr").unit == "months"
