"""A user's claim record runs through reproduce_claims like a built-in claim."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

from sigsurv import load_claims, load_example
from sigsurv.claims import reproduce_claims
from sigsurv.claims.reproduce import VERDICTS, Reproduction
from sigsurv.errors import SignatureError
from sigsurv.seeds import get_claim

HAND_WRITTEN = Path(__file__).resolve().parents[1] / "data" / "claims" / "proliferation_rfs.yaml"


@pytest.fixture(scope="module")
def reproduction() -> Reproduction:
    builtin = get_claim("gawrzak2018_msk1_mfs_er_pos")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return reproduce_claims(
            [load_example("gse1992")],
            [builtin, load_claims(HAND_WRITTEN)],
            include_proxies=False,
            null_random=100,
            null_random_adjusted=10,
        )


@pytest.mark.slow
def test_user_claim_gets_a_verdict_with_hr_power_and_null(reproduction: Reproduction) -> None:
    rows = {row["claim_id"]: row for row in reproduction.rows()}
    assert set(rows) == {"gawrzak2018_msk1_mfs_er_pos", "example2024_proliferation_rfs"}
    row = rows["example2024_proliferation_rfs"]
    assert row["verdict"] in VERDICTS and row["verdict"] != "not testable"
    assert (row["cohort"], row["endpoint"], row["signature_id"]) == (
        "gse1992",
        "rfs",
        "example_proliferation",
    )
    assert row["endpoint_exactness"] == "exact"
    hr = row["hr_per_sd"]
    assert hr["ci_lower"] < hr["hr"] < hr["ci_upper"] and 0 < hr["p_wald"] < 1
    assert row["power"]["target_hr"] == 1.5 and 0 < row["power"]["power"] < 1
    assert row["null"]["n_random"] == 100 and 0 <= row["null"]["p_empirical"] <= 1
    assert row["paper"]["value"] == 1.5 and row["paper"]["expected_direction"] == "harmful"
    assert not math.isnan(row["adjusted"]["proliferation"]["hr"])
    # the built-in claim beside it is tested as before
    assert rows["gawrzak2018_msk1_mfs_er_pos"]["verdict"] in VERDICTS


@pytest.mark.slow
def test_user_claim_is_marked_with_its_source(reproduction: Reproduction) -> None:
    records = {r["claim_id"]: r for r in reproduction.to_dict()["claims"]}
    assert records["example2024_proliferation_rfs"]["source"] == "10.1000/182"
    assert records["example2024_proliferation_rfs"]["seed_document"] == ""
    assert records["gawrzak2018_msk1_mfs_er_pos"]["source"] == ""


def test_a_claim_without_its_file_cannot_find_an_inline_signature() -> None:
    claim = load_claims(HAND_WRITTEN).claims[0]
    with pytest.raises(SignatureError, match="unknown signature 'example_proliferation'"):
        reproduce_claims([load_example("gse1992")], [claim], null_random=0)


def test_a_claim_given_twice_is_refused() -> None:
    loaded = load_claims(HAND_WRITTEN)
    with pytest.raises(ValueError, match="a claim id is given twice"):
        reproduce_claims([load_example("gse1992")], [loaded, loaded.claims[0]], null_random=0)


def test_tutorial_shows_the_record_the_tests_run() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "user-claim.md"
    blocks = page.read_text(encoding="utf-8").split("```yaml\n")[1:]
    assert blocks and blocks[0].split("```")[0] == HAND_WRITTEN.read_text(encoding="utf-8")


def test_a_claim_file_naming_a_signature_file_runs_on_its_own(tmp_path: Path) -> None:
    from sigsurv.seeds import read_signature_files
    from sigsurv.signatures import Signature, write_yaml

    mine = Signature.from_genes("my_prolif", ["MKI67", "TOP2A", "CCNB1", "AURKA"])
    given = read_signature_files([write_yaml(mine, tmp_path / "mine.yaml")])
    text = HAND_WRITTEN.read_text().replace(
        "signature_id: example_proliferation", "signature_id: my_prolif"
    )
    path = tmp_path / "claims.yaml"
    path.write_text(text)
    loaded = load_claims(path, signatures=given)
    assert [s.id for s in loaded.given_signatures] == ["my_prolif"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = reproduce_claims([load_example("gse1992")], loaded, null_random=0)
    row = result.rows()[0]
    assert row["signature_id"] == "my_prolif" and row["hr_per_sd"]["hr"] > 0
