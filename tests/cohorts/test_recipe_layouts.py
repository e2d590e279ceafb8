"""Every shipped recipe loads a small file in its real layout (issue 20).

Files are written at the paths of the recipes' real URLs and served from 127.0.0.1 as a
``--mirror``; the shipped recipe is fetched and loaded unchanged, so a wrong key in a
recipe fails here, not for a user.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import recipe_layouts as layouts
from test_fetch import LocalServer

from sigsurv.cohorts import resolve_cohort
from sigsurv.cohorts.fetch import fetch
from sigsurv.errors import SigsurvWarning


@pytest.fixture
def mirror(tmp_path, monkeypatch) -> Iterator[tuple[str, Path]]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv("SIGSURV_MIRROR", raising=False)
    monkeypatch.setenv("SIGSURV_DATA_DIR", str(tmp_path / "cache"))
    root = tmp_path / "upstream"
    root.mkdir()
    server = LocalServer(root)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            yield server.url, root
    finally:
        server.stop()


def fetched_cohort(recipe_id: str, url: str):
    fetch(recipe_id, mirror=url, retries=0)
    return resolve_cohort(recipe_id)  # offline, by id, from the cache


def test_gse2034_series_table_and_matrix_give_the_published_counts(mirror):
    url, root = mirror
    truth = layouts.gse2034(root)
    cohort = fetched_cohort("gse2034", url)
    assert cohort.n_samples == 286
    _, relapse = cohort.survival("rfs")
    _, bone = cohort.survival("bmfs")
    _, brain = cohort.survival("brain_mfs")
    assert int(np.nansum(relapse)) == 107
    assert int(np.nansum(bone)) == 69
    assert int(np.nansum(brain)) == 10
    assert cohort.clinical["er"].value_counts().to_dict() == {"positive": 209, "negative": 77}
    assert cohort.endpoint("rfs").unit == "months"
    time, _ = cohort.survival("rfs")
    assert (np.nanmin(time), np.nanmax(time)) == (2, 171)
    # Per-sample agreement with what was written, joined by accession (not by row order).
    bone_by_sample = dict(zip(cohort.clinical.index, bone, strict=True))
    assert [int(bone_by_sample[f"GSM{36777 + i}"]) for i in range(286)] == list(truth["bone"])
    assert any("series table" in m for m in cohort.messages)


def test_gse2603_dashes_are_missing_and_cell_lines_excluded(mirror):
    url, root = mirror
    truth = layouts.gse2603(root)
    cohort = fetched_cohort("gse2603", url)
    assert cohort.n_samples == 99  # 121 samples, 22 cell lines excluded
    assert any("22 samples excluded" in m for m in cohort.messages)
    time, event = cohort.survival("bmfs")
    evaluable = np.isfinite(time) & np.isfinite(event)
    assert int(evaluable.sum()) == 82
    assert int(np.nansum(event)) == 14 == int(truth["bm"].sum())
    assert cohort.endpoint("bmfs").unit == "years"
    assert {"mfs", "lmfs"} <= set(cohort.endpoints)
    assert set(cohort.clinical["er"].dropna()) == {"positive", "negative"}


def test_gse12276_is_a_brain_relapse_case_series_with_no_bone_endpoint(mirror):
    url, root = mirror
    truth = layouts.gse12276(root)
    cohort = fetched_cohort("gse12276", url)
    assert set(cohort.endpoints) == {"brain_mfs"}  # never an exact bmfs
    _, event = cohort.survival("brain_mfs")
    assert int(np.nansum(event)) == int(np.isin(truth["sites"], ["brain", "brain+other"]).sum())


def test_gse5327_loads_in_the_layout_it_assumes_and_says_it_is_unverified(mirror):
    url, root = mirror
    truth = layouts.gse5327(root)
    cohort = fetched_cohort("gse5327", url)
    assert cohort.n_samples == 58
    _, lung = cohort.survival("lmfs")
    assert int(np.nansum(lung)) == int(truth["lung"].sum())
    note = next(m for m in cohort.messages if "not verified" in m)
    assert "options.time" in note and "files.clinical.url" in note


@pytest.mark.parametrize(
    ("recipe_id", "study", "expression_file"),
    [
        ("metabric", "brca_metabric", "data_mrna_illumina_microarray.txt"),
        ("tcga_brca_pancan", "brca_tcga_pan_can_atlas_2018", "data_mrna_seq_v2_rsem.txt"),
    ],
)
def test_cbioportal_recipes_use_the_assets_host(recipe_id, study, expression_file, mirror):
    url, root = mirror
    n = layouts.cbioportal_study(root, recipe_id, study, expression_file)
    assert layouts.served_path(recipe_id, "archive") == f"{study}.tar.gz"
    result = fetch(recipe_id, mirror=url, retries=0)
    assert result.recipe.files["archive"].url.startswith("https://datahub.assets.cbioportal.org/")
    cohort = resolve_cohort(recipe_id)
    assert cohort.n_samples == n
    assert "os" in cohort.endpoints


@pytest.mark.parametrize(
    ("recipe_id", "rows", "gene"),
    [
        ("tcga_brca_cdr", sorted(set(layouts.PROBES.values())), "RPS6KA5"),
        ("tcga_brca_mirna", ["hsa-mir-21", "hsa-let-7a-1", "hsa-mir-424", "hsa-mir-503"], "MIR21"),
    ],
)
def test_tcga_recipes_read_the_cdr_workbook_sheet(recipe_id, rows, gene, mirror):
    url, root = mirror
    truth = layouts.tcga_xena(root, recipe_id, rows)
    cohort = fetched_cohort(recipe_id, url)
    assert cohort.n_samples == truth["patients"]  # primary tumours of BRCA patients only
    assert gene in cohort.genes
    assert {"os", "dss", "dfi", "pfi", "bmfs"} <= set(cohort.endpoints)
    assert cohort.endpoint("os").unit == "days"
    assert int(np.nansum(cohort.survival("os")[1])) == truth["os"]
    assert int(np.nansum(cohort.survival("bmfs")[1])) == truth["bone"]
    assert any("unnamed first column" in m for m in cohort.messages)


def test_a_page_instead_of_the_workbook_is_refused(mirror, tmp_path):
    from sigsurv.cohorts.fetch import FetchError

    url, root = mirror
    layouts.tcga_xena(root, "tcga_brca_cdr", ["TP53"])
    path = root / layouts.served_path("tcga_brca_cdr", "survival")
    path.write_bytes(b"<html><body>GDC maintenance</body></html>")
    with pytest.raises(FetchError, match="HTML/XML page"):
        fetch("tcga_brca_cdr", mirror=url, retries=0)


def test_gse7390_gse11121_gse25066_keys_load(mirror):
    url, root = mirror
    transbig = layouts.gse7390(root)
    cohort = fetched_cohort("gse7390", url)
    assert cohort.n_samples == 198 and cohort.endpoint("dmfs").unit == "days"
    for name, events in transbig.items():
        assert int(np.nansum(cohort.survival(name)[1])) == events
    mainz = layouts.gse11121(root)
    cohort = fetched_cohort("gse11121", url)
    assert int(np.nansum(cohort.survival("dmfs")[1])) == mainz
    assert cohort.endpoint("dmfs").unit == "months"
    mdacc = layouts.gse25066(root)
    cohort = fetched_cohort("gse25066", url)
    assert int(np.nansum(cohort.survival("dmfs")[1])) == mdacc["events"]
    assert cohort.endpoint("dmfs").unit == "years"
    er = cohort.clinical["er"].value_counts().to_dict()
    assert (er.get("positive"), er.get("negative")) == (mdacc["er_pos"], mdacc["er_neg"])


def test_tcga_brca_xena_hub_layout_loads(mirror):
    url, root = mirror
    truth = layouts.tcga_xena_hub(root)
    cohort = fetched_cohort("tcga_brca_xena", url)
    assert cohort.n_samples == truth["patients"]
    assert int(np.nansum(cohort.survival("os")[1])) == truth["os"]
    assert "RPS6KA5" in cohort.genes


@pytest.mark.slow
def test_reproduce_tests_the_msk1_bone_claim_on_exact_bmfs_in_er_positive(mirror, tmp_path):
    from sigsurv.cli import main

    url, root = mirror
    layouts.gse2034(root)
    layouts.gse2603(root)
    for recipe_id in ("gse2034", "gse2603"):
        assert main(["fetch", recipe_id, "--mirror", url, "--json"]) == 0
    out = tmp_path / "out"
    code = main(
        [
            "reproduce",
            "--cohort",
            "gse2034",
            "--cohort",
            "gse2603",
            "--null-random",
            "0",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    claim = next(
        c for c in results["claims"] if c["claim_id"] == "gawrzak2018_msk1_bone_relapse_5y_er_pos"
    )
    tests = {t["cohort"]: t for t in claim["tests"] if t["signature_role"] != "proxy"}
    assert set(tests) == {"gse2034", "gse2603"}, claim["tests"]
    for test in tests.values():
        assert test["endpoint"] == "bmfs" and test["endpoint_exactness"] == "exact", test
        assert test["population"]["exactness"] == "exact", test
        assert "positive" in str(test["population"]["expression"]), test
        assert test["verdict"] != "not testable here", test
