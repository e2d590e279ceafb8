"""Users' claim record files: the strict reader, its one-line refusals, the template."""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigsurv.errors import FileFormatError, SigsurvInputError, SigsurvWarning
from sigsurv.seeds import (
    ClaimRecordError,
    claim_template,
    get_claim,
    load_claim_files,
    load_claims,
)
from sigsurv.seeds.user import TEMPLATE_PATH, read_signature_files
from sigsurv.signatures import Signature, write_yaml

HAND_WRITTEN = Path(__file__).resolve().parents[1] / "data" / "claims" / "proliferation_rfs.yaml"


def _write(tmp_path: Path, text: str, name: str = "claims.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _one_line(err: pytest.ExceptionInfo[ClaimRecordError]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def test_hand_written_record_reads() -> None:
    loaded = load_claims(HAND_WRITTEN)
    claim = loaded.claims[0]
    assert claim.id == "example2024_proliferation_rfs"
    assert (claim.statistic, claim.value, claim.expected_direction) == (
        "hazard_ratio",
        1.5,
        "harmful",
    )
    assert claim.source == "10.1000/182" and claim.seed_document == ""
    assert claim.endpoint_match.exact == ("rfs",)
    assert claim.citation.startswith("Example A et al.")  # the record's short citation
    assert [s.id for s in loaded.signatures] == ["example_proliferation"]
    assert loaded.signatures[0].definition_file == str(HAND_WRITTEN)
    assert len(loaded.sha256) == 64
    assert loaded.to_dict()["claims"] == [claim.id]
    assert "example2024_proliferation_rfs" in loaded.to_text()
    assert list(loaded.summary.index) == [claim.id]


def test_template_is_a_valid_record() -> None:
    assert claim_template() == TEMPLATE_PATH.read_text()
    assert load_claims(TEMPLATE_PATH).claims[0].signature_id == "pam50_proliferation"


def test_missing_endpoint_match_names_file_line_and_key(tmp_path: Path) -> None:
    text = HAND_WRITTEN.read_text()
    start = text.index("    endpoint_match:")
    end = text.index("    population: all")
    path = _write(tmp_path, text[:start] + text[end:])
    with pytest.raises(ClaimRecordError) as err:
        load_claims(path)
    line = _line_of(path, "- id: example2024_proliferation_rfs")
    message = _one_line(err)
    assert message.startswith(f"{path}:{line}:5: ")
    assert "misses the required key 'endpoint_match'" in message
    assert err.value.line == line and err.value.column_number == 5


def test_unknown_key_names_line_column_and_did_you_mean(tmp_path: Path) -> None:
    text = HAND_WRITTEN.read_text().replace(
        "    value: 1.5\n", "    value: 1.5\n    pvalue: 0.01\n"
    )
    path = _write(tmp_path, text)
    with pytest.raises(ClaimRecordError) as err:
        load_claims(path)
    message = _one_line(err)
    line = _line_of(path, "pvalue: 0.01")
    assert message.startswith(f"{path}:{line}:5: unknown field 'pvalue'")
    assert "did you mean 'p_value'?" in message


def test_unknown_nested_and_top_level_keys(tmp_path: Path) -> None:
    text = HAND_WRITTEN.read_text()
    nested = text.replace("      exact: [rfs]\n", "      exact: [rfs]\n      analog: [dfs]\n")
    with pytest.raises(ClaimRecordError, match=r":\d+:7: unknown field 'analog'.*'analogue'"):
        load_claims(_write(tmp_path, nested))
    top = text.replace("summary: >-", "summry: x\nsummary: >-")
    with pytest.raises(ClaimRecordError, match=r":\d+:1: unknown field 'summry'.*'summary'"):
        load_claims(_write(tmp_path, top))


def test_duplicated_claim_id_in_one_file(tmp_path: Path) -> None:
    text = HAND_WRITTEN.read_text()
    start, end = text.index("  - id: example2024"), text.index("signatures:")
    path = _write(tmp_path, text[:end] + text[start:end] + text[end:])
    with pytest.raises(ClaimRecordError) as err:
        load_claims(path)
    message = _one_line(err)
    second = [i for i, s in enumerate(path.read_text().splitlines(), 1) if "- id: example2024" in s]
    assert message.startswith(f"{path}:{second[1]}:5: duplicate claim id")
    assert f"first given at line {second[0]}" in message


def test_claim_id_unique_across_files_and_builtins(tmp_path: Path) -> None:
    first = _write(tmp_path, HAND_WRITTEN.read_text(), "a.yaml")
    second = _write(tmp_path, HAND_WRITTEN.read_text(), "b.yaml")
    with pytest.raises(ClaimRecordError) as err:
        load_claim_files([first, second])
    line = _line_of(second, "- id: example2024")
    assert _one_line(err).startswith(f"{second}:{line}:5: duplicate claim id")
    assert f"first given at {first}:{line}" in str(err.value)

    builtin = get_claim("gawrzak2018_msk1_mfs_er_pos").id
    clash = _write(
        tmp_path, HAND_WRITTEN.read_text().replace("example2024_proliferation_rfs", builtin)
    )
    with pytest.raises(ClaimRecordError, match="already a built-in claim's"):
        load_claims(clash)


def test_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = _write(tmp_path, "\n".join(lines) + "\nsource: 10.1000/182\n")
    start = time.perf_counter()
    with pytest.raises(ClaimRecordError) as err:
        load_claims(path)
    assert time.perf_counter() - start < 1.0
    assert re.match(rf"{re.escape(str(path))}:\d+: YAML aliases expand to too many", str(err.value))


def test_oversized_file_and_bad_yaml(tmp_path: Path) -> None:
    big = _write(tmp_path, "summary: " + "x" * (1024 * 1024 + 10) + "\n")
    with pytest.raises(ClaimRecordError, match="claim record file too large"):
        load_claims(big)
    with pytest.raises(ClaimRecordError, match="claim record file not found"):
        load_claims(tmp_path / "missing.yaml")
    with pytest.raises(ClaimRecordError, match="duplicate key 'summary'"):
        load_claims(_write(tmp_path, HAND_WRITTEN.read_text() + "summary: again\n"))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("source: 10.1000/182", "source: Smith et al 2020", "source is not a DOI, PMID or URL"),
        ("source: 10.1000/182\n", "", "misses the required key 'source'"),
        ("value: 1.5", "value: high", "bad value of 'value'"),
        ("statement: >-", "statement: 3\n    note: >-", "unknown field 'note'"),
        (
            "signature_id: example_proliferation",
            "signature_id: example_proliferaton",
            "unknown signature id; found 'example_proliferaton' (did you mean",
        ),
        (
            'population_filter: ""',
            "population_filter: \"__import__('os')\"",
            "invalid subgroup expression",
        ),
        ("expected_direction: harmful", "expected_direction: worse", "expected protective"),
        ("scale: continuous", "scale: per_sd", "bad value of 'scale'; expected dichotomised"),
    ],
)
def test_bad_values_are_refused_with_their_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    text = HAND_WRITTEN.read_text()
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ClaimRecordError) as err:
        load_claims(path)
    message = _one_line(err)
    assert expected in message
    assert re.match(rf"{re.escape(str(path))}:\d+(:\d+)?: ", message), message


def test_statement_must_be_text(tmp_path: Path) -> None:
    path = _write(
        tmp_path, HAND_WRITTEN.read_text().replace("statement: >-", "statement: 3\n    x: >-")
    )
    with pytest.raises(ClaimRecordError):
        load_claims(path)
    text = HAND_WRITTEN.read_text()
    start = text.index("    statement: >-")
    end = text.index("    statistic:")
    path = _write(tmp_path, text[:start] + "    statement: 3\n" + text[end:])
    with pytest.raises(ClaimRecordError, match=r"bad value of 'statement'; expected text, found 3"):
        load_claims(path)


def test_signatures_from_files_and_inline_ids(tmp_path: Path) -> None:
    mine = Signature.from_genes("my_prolif", ["MKI67", "TOP2A"])
    sig_file = write_yaml(mine, tmp_path / "mine.yaml")
    text = HAND_WRITTEN.read_text().replace(
        "signature_id: example_proliferation", "signature_id: my_prolif"
    )
    path = _write(tmp_path, text)
    with pytest.raises(ClaimRecordError, match="unknown signature id"):
        load_claims(path)
    given = read_signature_files([sig_file])
    assert load_claims(path, signatures=given).claims[0].signature_id == "my_prolif"
    inline_builtin = HAND_WRITTEN.read_text().replace(
        "  - id: example_proliferation", "  - id: pam50_proliferation"
    )
    with pytest.raises(ClaimRecordError, match="reuses a built-in id"):
        load_claims(_write(tmp_path, inline_builtin))


def test_builtin_records_still_refuse_like_before(tmp_path: Path) -> None:
    # a built-in record has no 'source' and may not define signatures inline
    from sigsurv.seeds import read_seed_record
    from sigsurv.seeds.records import RECORDS_DIR

    text = (RECORDS_DIR / "004_5c88e53fffd63dd8.yaml").read_text()
    path = _write(tmp_path, text + "signatures: []\n", "004_5c88e53fffd63dd8.yaml")
    with pytest.raises(FileFormatError, match="unknown field 'signatures'"):
        read_seed_record(path)


def test_inline_signature_errors_keep_their_line(tmp_path: Path) -> None:
    text = HAND_WRITTEN.read_text().replace(
        "    default_method: mean_z\n", "    default_method: mean_z\n    gnes: [A]\n"
    )
    path = _write(tmp_path, text)
    with pytest.raises(ClaimRecordError) as err:
        load_claims(path)
    line = _line_of(path, "gnes: [A]")
    assert _one_line(err).startswith(f"{path}:{line}: ")
    assert "unknown field 'gnes'" in str(err.value) and "did you mean 'genes'?" in str(err.value)


def test_claim_level_citation_must_be_text(tmp_path: Path) -> None:
    text = HAND_WRITTEN.read_text().replace(
        "    statistic: hazard_ratio\n", "    statistic: hazard_ratio\n    citation: [a, b]\n"
    )
    path = _write(tmp_path, text)
    with pytest.raises(ClaimRecordError, match=r":\d+:5: claim .*bad value of 'citation'"):
        load_claims(path)


def test_a_required_record_may_not_be_null(tmp_path: Path) -> None:
    text = HAND_WRITTEN.read_text()
    start, end = text.index("    comparison:\n"), text.index("    expected_direction:")
    path = _write(tmp_path, text[:start] + "    comparison: null\n" + text[end:])
    line = _line_of(path, "comparison: null")
    with pytest.raises(ClaimRecordError, match=rf":{line}:5: .*'comparison' may not be empty"):
        load_claims(path)
    horizon = text.replace("    population: all", "    horizon: null\n    population: all")
    assert load_claims(_write(tmp_path, horizon)).claims[0].horizon is None


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "replace"]),
            st.integers(min_value=0, max_value=10_000),
            st.sampled_from([":", "-", " ", "[", "]", "{", "&a", "*a", "null", "1e999", "x", "\t"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mangled_records_fail_only_with_input_errors(tmp_path: Path, edits: list) -> None:
    lines = HAND_WRITTEN.read_text().splitlines()
    for action, where, text in edits:
        i = where % len(lines)
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        else:
            column = where % (len(lines[i]) + 1)
            lines[i] = lines[i][:column] + text + lines[i][column + 1 :]
    path = _write(tmp_path, "\n".join(lines) + "\n", "mangled.yaml")
    try:
        with warnings.catch_warnings():
            # A mangled gene symbol (e.g. 'CDC:0') still makes a valid record: it warns
            # that the symbol is unknown, which is an answer, not a crash.
            warnings.simplefilter("ignore", SigsurvWarning)
            load_claims(path)
    except SigsurvInputError as err:
        assert "\n" not in str(err)
        assert str(err).startswith(f"{path}:")
