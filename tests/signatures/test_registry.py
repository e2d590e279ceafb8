"""Built-in registry, user files anywhere an id is accepted, harmonisation, CLI views."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

from sigsurv.errors import SignatureError, SigsurvWarning
from sigsurv.seeds import describe_signature
from sigsurv.signatures import (
    Signature,
    export_signature,
    get_signature,
    harmonise_signature,
    list_signatures,
    loads_gmt,
    loads_yaml,
    registry,
    signature_summary,
)


def test_get_builtin_and_passthrough() -> None:
    sig = get_signature("msk1_rps6ka5")
    assert sig.symbols == ("RPS6KA5",)
    assert get_signature(sig) is sig


def test_unknown_id_is_one_clear_error() -> None:
    with pytest.raises(SignatureError) as excinfo:
        get_signature("msk2")
    assert "not a built-in id and no such file" in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_user_yaml_and_gmt_accepted_anywhere_an_id_is(tmp_path: Path) -> None:
    yml = tmp_path / "mine.yaml"
    yml.write_text("id: mine\ngenes: [BCL2, {symbol: PTEN, direction: down}]\n")
    gmt = tmp_path / "sets.gmt"
    gmt.write_text("S_UP\tna\tPTEN\nS_DN\tna\tBCL2\nT\tna\tIRF7\n")
    assert get_signature(yml, harmonise=False).down_genes == ("PTEN",)
    assert get_signature(str(yml), harmonise=False).id == "mine"
    with pytest.raises(SignatureError) as excinfo:
        get_signature(gmt, harmonise=False)
    assert "holds 2 signatures" in str(excinfo.value) and "S, T" in str(excinfo.value)
    assert get_signature(f"{gmt}::S", harmonise=False).down_genes == ("BCL2",)
    assert get_signature(f"{gmt}::T", harmonise=False).symbols == ("IRF7",)
    with pytest.raises(SignatureError, match="no signature named 'U'"):
        get_signature(f"{gmt}::U", harmonise=False)


def test_retracted_signature_is_listed_only_on_request_and_warns() -> None:
    assert "aigner_mir661_targets" not in {s.id for s in list_signatures()}
    assert "aigner_mir661_targets" in {s.id for s in list_signatures(include_retracted=True)}
    with pytest.warns(SigsurvWarning, match="retracted"):
        sig = get_signature("aigner_mir661_targets")
    assert sig.retracted and sig.symbols == ("NECTIN1", "STARD10")


def test_collection_filter() -> None:
    sigs = list_signatures(collection="aigner2011_metastasis_mirnas")
    assert len(sigs) >= 15
    assert all(s.id.startswith("aigner_") and s.mirna_role for s in sigs)


# --------------------------------------------------------------------------- harmonisation


def _fake_mapper(table: dict[str, str | None], ambiguous: dict[str, list[str]]):
    def mapper(symbols: list[str]):
        mapped = [table.get(s, s if s.isupper() and s not in ambiguous else None) for s in symbols]
        return mapped, SimpleNamespace(ambiguous=ambiguous, renamed={}, unmapped=[])

    return mapper


def test_harmonise_renames_reports_and_never_maps_ambiguous(monkeypatch) -> None:
    table = {"MSK1": "RPS6KA5", "TMEM49": "VMP1", "FOO9": None, "gata3": "GATA3"}
    ambiguous = {"SIP1": ["GEMIN2", "SCAF11", "SLC9A3R2", "ZEB2"]}
    monkeypatch.setattr(registry, "_map_symbols", _fake_mapper(table, ambiguous))
    sig = Signature.from_genes("user", {"MSK1": 1.0, "gata3": 2.0, "SIP1": -1.0, "FOO9": 1.0})
    new, report = harmonise_signature(sig)
    assert new.symbols == ("RPS6KA5", "GATA3", "SIP1", "FOO9")
    assert new.weights.tolist() == [1.0, 2.0, 1.0, 1.0]
    assert new.directions.tolist() == [1, 1, -1, 1]
    assert report.renamed == (("MSK1", "RPS6KA5"), ("gata3", "GATA3"))
    assert report.ambiguous == ("SIP1",)
    assert report.unmapped == ("FOO9",)
    assert "given as MSK1" in new.gene("RPS6KA5").note
    assert not report.clean
    assert json.dumps(report.to_dict())
    assert report.to_text() == (
        "signature user: 2 renamed (MSK1->RPS6KA5, gata3->GATA3), "
        "1 ambiguous (SIP1: GEMIN2/SCAF11/SLC9A3R2/ZEB2), 1 unknown (FOO9)"
    )
    assert report.to_dict()["ambiguous"] == [
        {"given": "SIP1", "candidates": ["GEMIN2", "SCAF11", "SLC9A3R2", "ZEB2"]}
    ]


def test_harmonise_refuses_two_names_of_one_gene(monkeypatch) -> None:
    monkeypatch.setattr(registry, "_map_symbols", _fake_mapper({"TMEM49": "VMP1"}, {}))
    with pytest.raises(SignatureError, match=r"VMP1 and TMEM49"):
        harmonise_signature(Signature.from_genes("u", ["VMP1", "TMEM49"]))


def test_harmonise_clean_returns_same_object(monkeypatch) -> None:
    monkeypatch.setattr(registry, "_map_symbols", _fake_mapper({}, {}))
    sig = get_signature("msk1_luminal")
    new, report = harmonise_signature(sig)
    assert new is sig and report.clean


def test_user_file_is_harmonised_with_the_report_shown(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(registry, "_map_symbols", _fake_mapper({"HER2": "ERBB2"}, {}))
    path = tmp_path / "u.gmt"
    path.write_text("U\tna\tHER2\tPTEN\n")
    with pytest.warns(SigsurvWarning, match=r"1 renamed \(HER2->ERBB2\)"):
        sig = get_signature(path)
    assert sig.symbols == ("ERBB2", "PTEN")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_signature(path, harmonise=False).symbols == ("HER2", "PTEN")


def test_harmonise_with_the_real_gene_table() -> None:
    genes = pytest.importorskip("sigsurv.cohorts.genes", reason="gene table module not merged yet")
    assert hasattr(genes, "map_identifiers")
    sig = Signature.from_genes("aliases", ["MSK1", "TMEM49", "PVRL1", "PTEN"])
    new, report = harmonise_signature(sig)
    assert new.symbols == ("RPS6KA5", "VMP1", "NECTIN1", "PTEN")
    assert dict(report.renamed) == {"MSK1": "RPS6KA5", "TMEM49": "VMP1", "PVRL1": "NECTIN1"}
    amb, amb_report = harmonise_signature(Signature.from_genes("amb", ["SIP1", "BCL2"]))
    assert amb.symbols == ("SIP1", "BCL2")
    assert amb_report.ambiguous == ("SIP1",)


# --------------------------------------------------------------------------- CLI views


def test_signature_summaries_for_list_json() -> None:
    rows = [signature_summary(s) for s in list_signatures()]
    assert json.loads(json.dumps(rows)) == rows
    for row in rows:
        assert set(row) >= {"id", "n_genes", "doi", "pmid", "seed_document"}
        assert row["n_genes"] >= 1
        assert row["file"].endswith(".yaml")
    by_id = {r["id"]: r for r in rows}
    assert by_id["irf7_bone_proxy"]["pmid"] == "22820642"
    assert by_id["irf7_bone_proxy"]["n_genes"] == 16
    assert by_id["mir424_503_targets"]["doi"] == "10.1101/gad.292318.116"


def test_describe_signature_has_genes_provenance_and_claims() -> None:
    for sig in list_signatures(include_retracted=True):
        info = describe_signature(sig)
        assert json.loads(json.dumps(info)) == info
        assert len(info["genes"]) == info["n_genes"]
        for gene in info["genes"]:
            assert gene["provenance"] in ("literal", "named_target", "inferred")
            assert gene["direction"] in (1, -1)
            assert gene["citation"]
    mir21 = describe_signature("mir21_targets")
    assert [(c["id"], c["role"]) for c in mir21["claims"]] == [
        ("aacr2010_mir21_trastuzumab_her2_pos", "proxy")
    ]


def test_export_formats() -> None:
    yaml_text = export_signature("msk1_luminal", "yaml")
    assert loads_yaml(yaml_text) == [get_signature("msk1_luminal")]
    gmt_text = export_signature("msk1_luminal", "gmt")
    assert loads_gmt(gmt_text)[0].symbols == ("RPS6KA5", "GATA3", "FOXA1")
    with pytest.raises(SignatureError, match="unknown export format"):
        export_signature("msk1_luminal", "xml")


def test_harmonisation_summary_is_a_deprecated_alias_of_to_text() -> None:
    from sigsurv.signatures import SignatureHarmonisation

    report = SignatureHarmonisation("s", renamed=(("MSK1", "RPS6KA5"),))
    with pytest.warns(DeprecationWarning, match=r"use SignatureHarmonisation\.to_text\(\)"):
        text = report.summary()
    assert (
        text == report.to_text() == "signature s: 1 renamed (MSK1->RPS6KA5), 0 ambiguous, 0 unknown"
    )
