"""A cohort spec: a recipe whose files are local ``path:`` entries (issue 20, item 3)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from sigsurv.cohorts import load_cohort, resolve_cohort
from sigsurv.cohorts.fetch import FetchError, fetch
from sigsurv.cohorts.recipe import load_recipe
from sigsurv.errors import CohortValidationError, FileFormatError, SigsurvWarning

GENES = ["RPS6KA5", "ESR1", "GATA3", "FOXA1", "BCL2", "ERBB2", "MKI67", "TP53", "PGR", "KRT5"]


def two_study_tables(folder: Path, seed: int = 11) -> None:
    """A pooled two-study distant-relapse table: expression + clinical with a study column."""
    rng = np.random.default_rng(seed)
    samples = [f"A{i}" for i in range(40)] + [f"B{i}" for i in range(40)]
    values = rng.normal(8, 1, size=(len(GENES), len(samples)))
    lines = ["gene\t" + "\t".join(samples)]
    lines += [
        g + "\t" + "\t".join(f"{v:.3f}" for v in row) for g, row in zip(GENES, values, strict=True)
    ]
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "expression.tsv").write_text("\n".join(lines) + "\n")
    clinical = ["sample\tstudy\tdmfs_months\tdmfs_event\ter"]
    for i, sample in enumerate(samples):
        months = rng.uniform(3, 150)
        clinical.append(
            f"{sample}\t{sample[0]}\t{months:.1f}\t{int(rng.random() < 0.3)}\t{int(i % 3 != 0)}"
        )
    (folder / "data" / "clinical.tsv").write_text("\n".join(clinical) + "\n")


SPEC = """\
id: pooled_drfs
title: two studies, distant relapse
loader: table
files:
  expression: {path: data/expression.tsv}
  clinical: {path: data/clinical.tsv}
options: {time: dmfs_months, event: dmfs_event, time_unit: months, endpoint_name: dmfs}
standardise:
  er: {column: er, positive: ['1'], negative: ['0']}
strata: study
"""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch, tmp_path):
    # A spec must never download or write a cache: point the cache at a file.
    blocker = tmp_path / "not-a-cache"
    blocker.write_text("a cohort spec must not touch the cache")
    monkeypatch.setenv("SIGSURV_DATA_DIR", str(blocker))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        yield


def test_spec_with_local_paths_loads_in_place_with_its_strata(tmp_path):
    two_study_tables(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    for cohort in (resolve_cohort(str(spec)), load_cohort(spec), load_cohort(str(spec))):
        assert cohort.n_samples == 80
        assert cohort.strata_columns == ("study",)
        assert set(cohort.endpoints) == {"dmfs"}
    result = fetch(spec)  # nothing to download: checked and used in place
    assert {e["status"] for e in result.entries} == {"local"}
    assert result.paths["clinical"] == tmp_path / "data" / "clinical.tsv"


def test_spec_paths_are_relative_to_the_yaml_not_the_working_directory(tmp_path, monkeypatch):
    two_study_tables(tmp_path)
    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / "spec.yaml"
    spec.write_text(SPEC.replace("path: data/", "path: ../data/"))
    monkeypatch.chdir(tmp_path / "data")
    assert load_cohort(spec).n_samples == 80


def test_spec_refusals(tmp_path):
    two_study_tables(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("data/clinical.tsv", "data/missing.tsv"))
    with pytest.raises(FileFormatError, match=r"spec\.yaml:6: recipe field 'files.clinical.path'"):
        load_recipe(spec)
    spec.write_text(SPEC.replace("strata: study", "strata: batch"))
    with pytest.raises(CohortValidationError, match="strata column not found"):
        load_cohort(spec)
    spec.write_text(
        SPEC.replace("{path: data/clinical.tsv}", "{path: data/clinical.tsv, url: 'https://h/x'}")
    )
    with pytest.raises(FileFormatError, match="either url or path"):
        load_recipe(spec)
    spec.write_text(
        SPEC.replace(
            "{path: data/clinical.tsv}", "{path: data/clinical.tsv, sha256: '" + "0" * 64 + "'}"
        )
    )
    with pytest.raises(FetchError, match="does not match the SHA-256"):
        load_cohort(spec)


@pytest.mark.slow
def test_reproduce_takes_a_spec_and_stratifies_by_study(tmp_path):
    from sigsurv.cli import main

    two_study_tables(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    assert main(["reproduce", "--cohort", str(spec), "--null-random", "0", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    tests = [t for c in results["claims"] for t in c["tests"] if t["endpoint"] == "dmfs"]
    assert tests, "no claim was tested on dmfs"
    assert {t["cohort"] for t in tests} == {"pooled_drfs"}
    analysed = [t for t in tests if t["verdict"] not in ("not testable here", "not testable")]
    assert analysed and all(t["strata"] == "study" for t in analysed)
