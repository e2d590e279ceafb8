"""The published JSON Schema of claim records: generated, shipped, and true to the reader."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from sigsurv.seeds import load_claims
from sigsurv.seeds.jsonschema import (
    DOCS_SCHEMA_PATH,
    SCHEMA_PATH,
    claim_record_schema,
    schema_text,
)
from sigsurv.seeds.records import RECORDS_DIR
from sigsurv.seeds.user import TEMPLATE_PATH

HAND_WRITTEN = Path(__file__).resolve().parents[1] / "data" / "claims" / "proliferation_rfs.yaml"


def _validator() -> jsonschema.Draft202012Validator:
    schema = claim_record_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_shipped_schema_is_the_generated_one() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
    assert DOCS_SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()


@pytest.mark.parametrize("path", sorted(RECORDS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_builtin_records_validate(path: Path) -> None:
    errors = list(_validator().iter_errors(yaml.safe_load(path.read_text())))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize("path", [HAND_WRITTEN, TEMPLATE_PATH], ids=["hand_written", "template"])
def test_user_records_validate(path: Path) -> None:
    load_claims(path)  # the reader accepts it, and so does the schema
    assert list(_validator().iter_errors(yaml.safe_load(path.read_text()))) == []


def _refused_by_schema(data: dict) -> list[str]:
    return [e.message for e in _validator().iter_errors(data)]


def test_schema_refuses_what_the_reader_refuses() -> None:
    good = yaml.safe_load(HAND_WRITTEN.read_text())
    missing = yaml.safe_load(HAND_WRITTEN.read_text())
    del missing["claims"][0]["endpoint_match"]
    assert any("'endpoint_match' is a required property" in m for m in _refused_by_schema(missing))
    unknown = yaml.safe_load(HAND_WRITTEN.read_text())
    unknown["claims"][0]["pvalue"] = 0.01
    assert any("'pvalue' was unexpected" in m for m in _refused_by_schema(unknown))
    no_source = {k: v for k, v in good.items() if k != "source"}
    assert _refused_by_schema(no_source)
    bad_source = {**good, "source": "Smith 2020"}
    assert _refused_by_schema(bad_source)
    bad_direction = yaml.safe_load(HAND_WRITTEN.read_text())
    bad_direction["claims"][0]["expected_direction"] = "worse"
    assert _refused_by_schema(bad_direction)


def test_schema_carries_the_field_descriptions() -> None:
    claim = claim_record_schema()["$defs"]["Claim"]["properties"]
    assert "higher score" in claim["expected_direction"]["description"]
    assert claim["statistic"]["enum"] == ["hazard_ratio", "p_value", "counts_2x2", "qualitative"]
