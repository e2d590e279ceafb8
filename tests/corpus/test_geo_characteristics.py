"""GEO characteristics and platform cells: NA spellings, repeated keys, channel 2, placeholders."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

from sigsurv.cohorts import load_cohort
from sigsurv.cohorts.geo import read_series_matrix
from sigsurv.cohorts.platforms import read_platform_table
from sigsurv.errors import SigsurvWarning

_spec = importlib.util.spec_from_file_location(
    "sigsurv_corpus_cases_geo", Path(__file__).with_name("corpus_cases.py")
)
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus
_spec.loader.exec_module(corpus)


def _matrix(tmp_path: Path, extra: list[list[str]], channel2: list[str] | None = None) -> Path:
    characteristics = [
        [f"months: {t}" for t in corpus.TIMES],
        [f"relapse: {e}" for e in corpus.EVENTS],
        *extra,
    ]
    text = corpus.series_matrix(characteristics=characteristics)
    if channel2 is not None:
        quoted = "\t".join(f'"{c}"' for c in channel2)
        text = text.replace(
            "!series_matrix_table_begin",
            f"!Sample_characteristics_ch2\t{quoted}\n!series_matrix_table_begin",
        )
    return corpus.write(tmp_path / "GSE99999_series_matrix.txt", text)


def test_na_spellings_are_missing_values_not_refusals(tmp_path):
    grades = ["grade: NA", "grade: n/a", "grade: 2", "grade: NaN", "grade: 3", "grade: null"]
    path = _matrix(tmp_path, [[*grades, "grade: 1", "grade: N/A"]])
    _, samples, _ = read_series_matrix(path)
    assert samples["grade"].tolist() == [None, None, "2", None, "3", None, "1", None]
    times = [f"months: {t}" for t in corpus.TIMES]
    times[3] = "months: NA"
    text = corpus.series_matrix(characteristics=[times, [f"relapse: {e}" for e in corpus.EVENTS]])
    path = corpus.write(tmp_path / "na" / "GSE99999_series_matrix.txt", text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        cohort = load_cohort(
            path, time="months", event="relapse", endpoint="rfs", time_unit="months"
        )
    assert cohort.n_samples >= 7  # the NA sample is excluded (with a message), not a refusal


def test_repeated_keys_become_separate_fields(tmp_path):
    path = _matrix(
        tmp_path,
        [
            [f"treatment: tamoxifen{i}" for i in range(8)],
            [f"treatment: chemo{i}" for i in range(8)],
        ],
    )
    _, samples, _ = read_series_matrix(path)
    assert samples["treatment"].tolist() == [f"tamoxifen{i}" for i in range(8)]
    assert samples["treatment.2"].tolist() == [f"chemo{i}" for i in range(8)]
    assert not any("; " in str(v) for v in samples["treatment"])


def test_channel_2_is_kept_apart(tmp_path):
    path = _matrix(tmp_path, [], channel2=["relapse: reference"] * 8)
    _, samples, _ = read_series_matrix(path)
    assert samples["relapse"].tolist() == [str(e) for e in corpus.EVENTS]
    assert samples["relapse_ch2"].tolist() == ["reference"] * 8


def test_platform_placeholders_never_become_genes(tmp_path):
    path = corpus.write(
        tmp_path / "GPL.txt",
        "ID\tGene Symbol\np1\tTP53\np2\t---\np3\t\np4\t--\np5\tNA\np6\tESR1 /// ESR2\n",
    )
    mapping, kind = read_platform_table(path)
    assert kind == "symbol"
    assert mapping.to_dict() == {
        "p1": "TP53",
        "p2": None,
        "p3": None,
        "p4": None,
        "p5": None,
        "p6": None,
    }
