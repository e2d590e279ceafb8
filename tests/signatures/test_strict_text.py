"""Issue 15: ids match whole strings, symbols hold no whitespace, messages name the spot.

``re.match`` with ``$`` accepts a final newline ("abc\\n"); a symbol holding a tab or
a newline writes extra columns or lines into a GMT export. Both are refused where the
value is first built, so every reader (YAML, GMT, Python) refuses them the same way.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigsurv.errors import FileFormatError, SignatureError
from sigsurv.seeds import Claim, Comparison, EndpointMatch
from sigsurv.signatures import (
    Signature,
    SignatureGene,
    SignatureSource,
    dumps_gmt,
    loads_gmt,
    loads_yaml,
    read_gmt,
    read_yaml,
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize("bad_id", ["abc\n", "abc\r\n", "abc\t", "a b", "\nabc", "1abc", ""])
def test_signature_id_must_match_as_a_whole(bad_id: str) -> None:
    with pytest.raises(SignatureError, match="invalid signature id"):
        Signature(id=bad_id, name="x", genes=(SignatureGene("A"),))


def test_signature_id_with_final_newline_refused_from_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.yaml", 'id: "abc\\n"\ngenes: [A]\n')
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert excinfo.value.file == str(path) and excinfo.value.line == 1
    assert "invalid signature id" in str(excinfo.value)
    assert "found 'abc\\n'" in str(excinfo.value)  # shown escaped, on one line


def _claim(**change: object) -> Claim:
    fields: dict[str, object] = {
        "id": "c1",
        "seed_document": "x.txt",
        "citation": "A et al.",
        "statement": "s",
        "statistic": "qualitative",
        "endpoint": "overall survival",
        "endpoint_kind": "qualitative",
        "population": "all",
        "comparison": Comparison("high vs low", exposed="high", reference="low"),
        "expected_direction": "none",
        "signature_id": "sig",
    }
    fields.update(change)
    return Claim(**fields)  # type: ignore[arg-type]


def test_claim_id_and_endpoint_names_match_as_a_whole() -> None:
    assert _claim().id == "c1"
    with pytest.raises(FileFormatError, match="invalid claim id"):
        _claim(id="c1\n")
    with pytest.raises(FileFormatError, match="invalid endpoint name"):
        EndpointMatch(exact=("os\n",))
    with pytest.raises(FileFormatError, match="invalid endpoint name"):
        EndpointMatch(analogue=("rfs\n",))


def test_pmid_is_ascii_digits() -> None:
    assert SignatureSource(pmid="21234533").pmid == "21234533"
    for bad in ("١٢٣", "12³", "123\n", "12 3"):
        with pytest.raises(SignatureError, match="PMID must be digits"):
            SignatureSource(pmid=bad)


def test_doi_with_whitespace_refused() -> None:
    assert SignatureSource(doi="10.1038/nm.2830").doi == "10.1038/nm.2830"
    with pytest.raises(SignatureError, match=r"DOI contains a tab \(character 8\)"):
        SignatureSource(doi="10.1038\tnm.2830")


# --------------------------------------------------------------------------- gene symbols


@pytest.mark.parametrize(
    ("symbol", "described"),
    [
        ("TP53 BCL2", "a space (character 5)"),
        ("TP53\tBCL2", "a tab (character 5)"),
        ("TP53\nBCL2", "a line break (character 5)"),
        ("TP53\rBCL2", "a carriage return (character 5)"),
        ("TP\u00a053", "whitespace U+00A0 NO-BREAK SPACE (character 3)"),
        ("TP53\x0bX", "whitespace U+000B (character 5)"),
    ],
)
def test_symbol_with_inner_whitespace_refused(symbol: str, described: str) -> None:
    with pytest.raises(SignatureError) as excinfo:
        SignatureGene(symbol)
    message = str(excinfo.value)
    assert f"gene symbol contains {described}" in message
    assert "\n" not in message


def test_symbol_with_inner_whitespace_refused_from_yaml_with_line(tmp_path: Path) -> None:
    text = 'id: s\ngenes:\n  - BCL2\n  - "TP53\\tMDM2"\n  - {symbol: "A B"}\n'
    path = _write(tmp_path, "s.yaml", text)
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert (excinfo.value.file, excinfo.value.line) == (str(path), 4)
    assert "gene symbol contains a tab (character 5)" in str(excinfo.value)
    path = _write(tmp_path, "t.yaml", 'id: s\ngenes:\n  - BCL2\n  - {symbol: "A B"}\n')
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert excinfo.value.line == 4
    assert "contains a space (character 2)" in str(excinfo.value)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8),
        min_size=1,
        max_size=5,
        unique_by=str.upper,
    )
)
def test_every_accepted_signature_writes_well_formed_gmt(symbols: list[str]) -> None:
    """Whatever symbols are accepted, GMT export gives one line per set and one field per gene."""
    try:
        sig = Signature.from_genes("s", symbols)
    except SignatureError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = dumps_gmt(sig)
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 2
    assert lines[0].split("\t")[2:] == list(sig.symbols)
    assert loads_gmt(text)[0].symbols == sig.symbols


# --------------------------------------------------------------------------- GMT messages


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("A\tna\tBCL2\tTP53 MDM2\n", 1, 4, "gene field contains a space (character 5)"),
        ("A\tna\tBCL2\tTP\u00a053\n", 1, 4, "whitespace U+00A0 NO-BREAK SPACE"),
        ("A\tna\tBCL2\tPTEN\tBCL2\n", 1, 5, "first listed in column 3)"),
        ("A\tna\tBCL2\tPTEN\tbcl2\n", 1, 5, "as 'BCL2'; genes differ only by case"),
        ("A\tna\tBCL2\t\tPTEN\n", 1, 4, "empty gene field"),
    ],
)
def test_gmt_gene_errors_name_line_and_column(
    tmp_path: Path, text: str, line: int, column: int, fragment: str
) -> None:
    path = _write(tmp_path, "bad.gmt", text)
    with pytest.raises(SignatureError) as excinfo:
        read_gmt(path)
    err = excinfo.value
    assert (err.file, err.line, err.column) == (str(path), line, column)
    assert str(err).startswith(f"{path}:{line}: column {column}: ")
    assert fragment in str(err)


def test_gmt_pair_and_plain_set_with_one_id_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "two.gmt", "S\tna\tA\nOTHER\tna\tB\nS_UP\tna\tC\nS_DN\tna\tD\n")
    with pytest.raises(SignatureError) as excinfo:
        read_gmt(path)
    err = excinfo.value
    assert err.line == 3
    assert "two gene sets give signature id 'S'" in str(err)
    assert "the other is at line 1" in str(err)


# --------------------------------------------------------------------------- YAML messages


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        ("id: x\ngenes: [BCL2, 7157]\n", 2, "YAML reads it as a number: quote it"),
        ("id: x\ngenes:\n  - symbol: yes\n", 3, "YAML reads yes/no/on/off/true/false"),
        ("id: x\ngenes: [A]\nendpoint:\n", 3, "the value is empty"),
        ("id: x\ngenes: [A]\ncaveats: [ok, 12]\n", 3, "quote it"),
    ],
)
def test_yaml_says_why_a_value_is_not_text(text: str, line: int, hint: str) -> None:
    with pytest.raises(SignatureError) as excinfo:
        loads_yaml(text, file="s.yaml")
    assert excinfo.value.line == line
    assert hint in str(excinfo.value)
