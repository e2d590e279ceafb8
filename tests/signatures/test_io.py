"""YAML and GMT input/output: round trips and one clear error per malformed file."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigsurv.errors import SignatureError, SigsurvWarning
from sigsurv.signatures import (
    Signature,
    SignatureGene,
    dumps_gmt,
    dumps_yaml,
    list_signatures,
    load_signatures,
    loads_gmt,
    loads_yaml,
    parse_direction,
    read_gmt,
    read_yaml,
    signature_from_dict,
    signature_to_dict,
    write_gmt,
    write_yaml,
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_line_error(excinfo: pytest.ExceptionInfo[SignatureError], path: Path, line: int) -> str:
    err = excinfo.value
    message = str(err)
    assert "\n" not in message
    assert err.file == str(path)
    assert err.line == line, message
    assert message.startswith(f"{path}:{line}: "), message
    return message


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("sig", list_signatures(include_retracted=True), ids=lambda s: s.id)
def test_builtin_yaml_round_trip_is_exact(sig: Signature, tmp_path: Path) -> None:
    path = write_yaml(sig, tmp_path / f"{sig.id}.yaml")
    assert read_yaml(path) == [sig]


@pytest.mark.parametrize(
    "sig",
    [s for s in list_signatures(include_retracted=True) if s.up_genes],
    ids=lambda s: s.id,
)
def test_builtin_yaml_to_gmt_round_trip_keeps_genes_and_directions(
    sig: Signature, tmp_path: Path
) -> None:
    from_yaml = read_yaml(write_yaml(sig, tmp_path / "s.yaml"))[0]
    back = read_gmt(write_gmt(from_yaml, tmp_path / "s.gmt"))
    assert len(back) == 1
    assert back[0].id == sig.id
    assert back[0].up_genes == sig.up_genes
    assert back[0].down_genes == sig.down_genes
    assert dict(zip(back[0].symbols, back[0].directions.tolist(), strict=True)) == dict(
        zip(sig.symbols, sig.directions.tolist(), strict=True)
    )


def test_signed_signature_becomes_up_dn_pair_and_back(tmp_path: Path) -> None:
    sig = Signature.from_genes("mixed", {"PTEN": 1.0, "BCL2": -1.0, "PDCD4": 1.0})
    lines = dumps_gmt(sig).splitlines()
    assert [line.split("\t")[0] for line in lines] == ["mixed_UP", "mixed_DN"]
    back = loads_gmt("\n".join(lines))[0]
    assert back.id == "mixed"
    assert back.up_genes == ("PTEN", "PDCD4")
    assert back.down_genes == ("BCL2",)


def test_weights_survive_yaml_but_gmt_warns_and_drops_them(tmp_path: Path) -> None:
    sig = Signature.from_genes("weighted", {"PTEN": 2.5, "BCL2": -0.125, "TPM1": 1.0})
    again = read_yaml(write_yaml(sig, tmp_path / "w.yaml"))[0]
    assert again.weights.tolist() == [2.5, 0.125, 1.0]
    assert again.directions.tolist() == [1, -1, 1]
    with pytest.warns(SigsurvWarning, match="cannot carry weights"):
        text = dumps_gmt(again)
    assert loads_gmt(text)[0].weights.tolist() == [1.0, 1.0, 1.0]


def test_all_down_signature_is_written_as_dn_line_with_warning() -> None:
    sig = Signature.from_genes("lost", {"BCL2": -1.0, "IGF1R": -1.0})
    with pytest.warns(SigsurvWarning, match="one-sided down set"):
        text = dumps_gmt(sig)
    back = loads_gmt(text)[0]
    assert back.id == "lost_DN"
    assert back.symbols == ("BCL2", "IGF1R")


def test_multi_signature_yaml_round_trip(tmp_path: Path) -> None:
    sigs = list_signatures()[:4]
    assert read_yaml(write_yaml(sigs, tmp_path / "many.yaml")) == sigs


def test_dict_round_trip_is_json_ready() -> None:
    import json

    for sig in list_signatures(include_retracted=True):
        d = signature_to_dict(sig)
        assert json.loads(json.dumps(d)) == d
        assert signature_from_dict(d) == sig


_symbols = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8).filter(
    lambda s: s[0].isalpha()
)


@settings(max_examples=60, deadline=None)
@given(
    genes=st.dictionaries(
        _symbols,
        st.tuples(
            st.sampled_from([1, -1]),
            st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_yaml_round_trip_property(genes: dict[str, tuple[int, float]]) -> None:
    keys = {}
    for symbol, value in genes.items():
        keys.setdefault(symbol.upper(), (symbol, value))
    members = tuple(SignatureGene(s, direction=d, weight=w) for s, (d, w) in keys.values())
    sig = Signature(id="prop", name="prop", genes=members)
    assert loads_yaml(dumps_yaml(sig)) == [sig]
    if sig.up_genes:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SigsurvWarning)
            back = loads_gmt(dumps_gmt(sig))[0]
        assert back.up_genes == sig.up_genes and back.down_genes == sig.down_genes


# --------------------------------------------------------------------------- directions


@pytest.mark.parametrize(
    ("given", "expected"),
    [(1, 1), (-1, -1), ("+1", 1), ("-1", -1), ("up", 1), ("DOWN", -1), ("+", 1), ("-", -1)],
)
def test_parse_direction_accepts(given: object, expected: int) -> None:
    assert parse_direction(given) == expected


@pytest.mark.parametrize("given", [0, 2, 1.0, -1.0, True, "sideways", "", None, "upregulated"])
def test_parse_direction_rejects(given: object) -> None:
    with pytest.raises(SignatureError, match="unknown direction"):
        parse_direction(given)


def test_yaml_directions_in_every_accepted_spelling(tmp_path: Path) -> None:
    text = (
        "id: spellings\n"
        "genes:\n"
        "  - {symbol: A, direction: +1}\n"
        "  - {symbol: B, direction: -1}\n"
        "  - {symbol: C, direction: up}\n"
        "  - {symbol: D, direction: down}\n"
        "  - {symbol: E, direction: '+'}\n"
        "  - {symbol: F, direction: '-'}\n"
        "  - G\n"
    )
    sig = read_yaml(_write(tmp_path, "s.yaml", text))[0]
    assert sig.directions.tolist() == [1, -1, 1, -1, 1, -1, 1]


# --------------------------------------------------------------------------- malformed YAML

_GOOD_HEAD = "id: demo\nname: Demo\ngenes:\n"


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.yaml", "id: demo\ngenes: [BCL2, IGF1R\nname: x\n")
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    message = _one_line_error(excinfo, path, excinfo.value.line or -1)
    assert excinfo.value.line in (3, 4)
    assert "invalid YAML" in message


def test_bad_yaml_indentation_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.yaml", _GOOD_HEAD + "  - symbol: BCL2\n   direction: up\n")
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert "invalid YAML" in _one_line_error(excinfo, path, 5)


def test_unknown_direction(tmp_path: Path) -> None:
    text = _GOOD_HEAD + "  - symbol: BCL2\n    direction: up\n  - symbol: PTEN\n    direction: 2\n"
    path = _write(tmp_path, "dir.yaml", text)
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    message = _one_line_error(excinfo, path, 7)
    assert "gene PTEN: unknown direction" in message and "found 2" in message


def test_duplicate_gene(tmp_path: Path) -> None:
    text = _GOOD_HEAD + "  - BCL2\n  - IGF1R\n  - symbol: bcl2\n    direction: down\n"
    path = _write(tmp_path, "dup.yaml", text)
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    message = _one_line_error(excinfo, path, 6)
    assert "duplicate gene" in message and "line 4" in message


@pytest.mark.parametrize("where", ["top", "gene", "source"])
def test_unknown_field(tmp_path: Path, where: str) -> None:
    if where == "top":
        text, line = _GOOD_HEAD + "  - BCL2\npopulaton: ER+\n", 5
    elif where == "gene":
        text, line = _GOOD_HEAD + "  - symbol: BCL2\n    weigth: 2\n", 5
    else:
        text, line = "id: demo\nsource:\n  doi: 10.1/x\n  jornal: Nature\ngenes: [A]\n", 4
    path = _write(tmp_path, "field.yaml", text)
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert "unknown field" in _one_line_error(excinfo, path, line)


@pytest.mark.parametrize("weight", [".nan", ".inf", "-.inf", "-1", "heavy", "true"])
def test_bad_weight(tmp_path: Path, weight: str) -> None:
    text = _GOOD_HEAD + f"  - BCL2\n  - symbol: IGF1R\n    weight: {weight}\n"
    path = _write(tmp_path, "w.yaml", text)
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    message = _one_line_error(excinfo, path, 6)
    assert "weight" in message


def test_empty_gene_list_and_missing_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.yaml", "id: demo\ngenes: []\n")
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert "gene list is empty" in _one_line_error(excinfo, path, 2)
    path = _write(tmp_path, "m.yaml", "id: demo\nname: x\n")
    with pytest.raises(SignatureError, match="no 'genes' field"):
        read_yaml(path)
    path = _write(tmp_path, "empty.yaml", "# nothing\n")
    with pytest.raises(SignatureError, match="empty"):
        read_yaml(path)


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "k.yaml", "id: demo\ngenes: [A]\nid: other\n")
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    message = _one_line_error(excinfo, path, 3)
    assert "duplicate key 'id'" in message and "line 1" in message


def test_wrong_types_are_refused_with_line(tmp_path: Path) -> None:
    cases = {
        "id: 12\ngenes: [A]\n": (1, "'id' must be text"),
        "id: x\ngenes: [A]\nis_proxy: yes please\n": (3, "true or false"),
        "id: x\ngenes: [A]\ncaveats: just one\n": (3, "list of text"),
        "id: x\ngenes: [A]\nversion: 1.10\n": (3, "version"),
        "id: bad id\ngenes: [A]\n": (1, "invalid signature id"),
        "id: x\ngenes:\n  - [A, B]\n": (3, "a gene must be"),
        "id: x\ngenes: [A]\nexpected_direction: good\n": (1, "expected direction"),
        "id: x\ngenes: [A]\npopulation_filter: __import__('os')\n": (3, "subgroup expression"),
    }
    for i, (text, (line, fragment)) in enumerate(cases.items()):
        path = _write(tmp_path, f"t{i}.yaml", text)
        with pytest.raises(SignatureError) as excinfo:
            read_yaml(path)
        assert fragment in _one_line_error(excinfo, path, line)


def test_multi_signature_yaml_duplicate_ids(tmp_path: Path) -> None:
    text = "signatures:\n  - id: a\n    genes: [X]\n  - id: a\n    genes: [Y]\n"
    path = _write(tmp_path, "multi.yaml", text)
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert "duplicate signature id" in _one_line_error(excinfo, path, 4)


def test_yaml_is_safe_load_only(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "evil.yaml", "id: !!python/object/apply:os.system ['true']\ngenes: [A]\n"
    )
    with pytest.raises(SignatureError) as excinfo:
        read_yaml(path)
    assert "invalid YAML" in _one_line_error(excinfo, path, 1)


# --------------------------------------------------------------------------- malformed GMT


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("A\tna\tBCL2\nEMPTY\tna\n", 2, "has no genes"),
        ("A\tna\tBCL2\nEMPTY\n", 2, "no tab-separated fields"),
        ("A\tna\tBCL2\tBCL2\n", 1, "duplicate gene"),
        ("A\tna\tBCL2\t\tPTEN\n", 1, "empty gene field"),
        ("A\tna\tBCL2 PTEN\n", 1, "contains a space"),
        ("A\tna\tBCL2\n\nA\tna\tPTEN\n", 3, "duplicate gene set name"),
        ("S_UP\tna\tBCL2\nS_DN\tna\tPTEN\tbcl2\n", 2, "gene in both"),
        ("my set\tna\tBCL2\n", 1, "invalid signature id"),
        ("\tna\tBCL2\n", 1, "empty set name"),
    ],
)
def test_malformed_gmt(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = _write(tmp_path, "bad.gmt", text)
    with pytest.raises(SignatureError) as excinfo:
        read_gmt(path)
    assert fragment in _one_line_error(excinfo, path, line)


def test_gmt_msigdb_conventions(tmp_path: Path) -> None:
    text = (
        "HALLMARK_X\thttp://www.gsea-msigdb.org/x\tIRF7\tISG15\t\n"  # trailing tab tolerated
        "LONE_UP\tna\tPTEN\n"  # no LONE_DN: stays an unsigned set named LONE_UP
        "# comment line\n"
        "PAIR_DN\tna\tBCL2\r\n"
        "PAIR_UP\tna\tPTEN\r\n"
    )
    sigs = read_gmt(_write(tmp_path, "m.gmt", text))
    assert [s.id for s in sigs] == ["HALLMARK_X", "LONE_UP", "PAIR"]
    assert sigs[0].description == "http://www.gsea-msigdb.org/x"
    assert sigs[1].description == ""
    assert sigs[2].up_genes == ("PTEN",) and sigs[2].down_genes == ("BCL2",)


def test_gmt_without_sets(tmp_path: Path) -> None:
    path = _write(tmp_path, "none.gmt", "\n\n")
    with pytest.raises(SignatureError, match="no gene sets"):
        read_gmt(path)


# --------------------------------------------------------------------------- format detection


def test_load_signatures_detects_format(tmp_path: Path) -> None:
    gmt = _write(tmp_path, "sets.txt", "A\tna\tBCL2\n")
    yml = _write(tmp_path, "sig.txt", "id: b\ngenes: [PTEN]\n")
    assert [s.id for s in load_signatures(gmt)] == ["A"]
    assert [s.id for s in load_signatures(yml)] == ["b"]
    assert [s.id for s in load_signatures(_write(tmp_path, "x.yml", "id: c\ngenes: [A]\n"))] == [
        "c"
    ]


def test_missing_file_and_encoding(tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="not found"):
        load_signatures(tmp_path / "nope.gmt")
    path = tmp_path / "latin1.gmt"
    path.write_bytes(b"A\tna\tBCL2\nB\tna\tCAF\xe9\n")
    with pytest.raises(SignatureError) as excinfo:
        read_gmt(path)
    assert "UTF-8" in _one_line_error(excinfo, path, 2)


def test_written_yaml_is_readable_text(tmp_path: Path) -> None:
    sig = list_signatures()[0]
    text = dumps_yaml(sig)
    assert re.search(r"^genes:$", text, flags=re.MULTILINE)
    assert not math.isnan(read_yaml(write_yaml(sig, tmp_path / "a.yaml"))[0].weights.sum())
