"""The built-in signatures: required content, provenance and current gene symbols."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sigsurv.signatures import BUILTIN_DIR, EVIDENCE_TAGS, Signature, get_signature, list_signatures
from sigsurv.signatures.io import read_yaml

ALL = list_signatures(include_retracted=True)

REQUIRED = {
    "msk1_rps6ka5": ("RPS6KA5",),
    "msk1_luminal": ("RPS6KA5", "GATA3", "FOXA1"),
    "mir424_503_mirna": ("MIR424", "MIR503", "MIR503HG"),
    "mir424_503_targets": ("BCL2", "IGF1R", "CDC25A"),
    "mir21_mirna": ("MIR21", "VMP1"),
    "mir21_targets": ("PTEN", "PDCD4", "TPM1", "SERPINB5", "RECK", "TIMP3"),
}

# Outdated symbols (previous symbols or aliases) that must never appear in a built-in.
OUTDATED = {
    "TMEM49",
    "PVRL1",
    "MSK1",
    "HER2",
    "PI5",
    "G1P2",
    "G1P3",
    "TCF8",
    "ZFHX1B",
    "SIP1",
    "HXB",
    "DDX58",
    "H19X",
    "NEU",
}


def _all_symbols(sig: Signature) -> tuple[str, ...]:
    return sig.symbols + sig.mirnas


def test_required_signatures_and_genes() -> None:
    ids = {s.id for s in ALL}
    for sig_id, symbols in REQUIRED.items():
        assert sig_id in ids
        assert get_signature(sig_id).symbols == symbols
    assert get_signature("irf7_bone_proxy").symbols[0] == "IRF7"


def test_msk1_population_and_defaults() -> None:
    sig = get_signature("msk1_rps6ka5")
    assert sig.population_filter == "er == 'positive'"
    assert sig.expected_direction == "protective"
    assert sig.method_origin_resolved == "authors"
    assert sig.cut_origin_resolved == "sigsurv_default"
    assert sig.source.doi == "10.1038/s41556-017-0021-z"
    assert sig.source.seed_document == "004_5c88e53fffd63dd8.txt"


def test_irf7_is_a_clearly_marked_proxy() -> None:
    sig = get_signature("irf7_bone_proxy")
    assert sig.is_proxy
    assert "could not be found" in sig.description
    assert any("could not be found" in c for c in sig.caveats)
    assert sig.gene("IRF7").provenance == "literal"
    assert {g.provenance for g in sig.genes[1:]} == {"inferred"}
    assert len(sig.genes) >= 10


def test_mir424_503() -> None:
    mirna = get_signature("mir424_503_mirna")
    assert mirna.feature_type == "mirna"
    assert mirna.gene("MIR503HG").feature_type == "host_gene"
    assert mirna.gene("MIR424").mirbase_id == "hsa-mir-424"
    targets = get_signature("mir424_503_targets")
    assert targets.directions.tolist() == [-1, -1, -1]
    assert any("BCL2" in c and "ER" in c for c in targets.caveats)


def test_mir21() -> None:
    mirna = get_signature("mir21_mirna")
    assert mirna.population_filter == "her2 == 'positive'"
    assert mirna.expected_direction == "harmful"
    assert mirna.gene("MIR21").direction == 1
    assert mirna.gene("MIR21").mirbase_id == "hsa-mir-21"
    targets = get_signature("mir21_targets")
    assert targets.population_filter == "her2 == 'positive'"
    assert targets.gene("PTEN").provenance == "named_target"


def test_aigner_collection() -> None:
    sigs = [s for s in ALL if s.collection == "aigner2011_metastasis_mirnas"]
    assert {"aigner_mir10b_targets", "aigner_mir335_targets", "aigner_mir31_targets"} <= {
        s.id for s in sigs
    }
    for sig in sigs:
        assert sig.mirna_role in ("pro_metastatic", "anti_metastatic")
        assert sig.mirnas
        assert sig.source.pmid == "21234533"
        # Sign convention: targets of pro-metastatic miRNAs +1, of anti-metastatic -1.
        expected = 1 if sig.mirna_role == "pro_metastatic" else -1
        assert set(sig.directions.tolist()) == {expected}
        assert sig.expected_direction == "protective"
    mir661 = [s for s in sigs if "MIR661" in s.mirnas]
    assert len(mir661) == 1 and mir661[0].retracted
    assert any("RETRACTED" in c for c in mir661[0].caveats)
    assert all(not s.retracted for s in sigs if s is not mir661[0])


def _is_reference_covariate(sig: Signature) -> bool:
    return not sig.source.seed_document and sig.source.note.startswith("Not from a seed document")


@pytest.mark.parametrize("sig", ALL, ids=lambda s: s.id)
def test_every_builtin_has_provenance(sig: Signature) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9_]*", sig.id)
    assert sig.name and sig.description and sig.endpoint and sig.population
    assert sig.caveats
    # Claim signatures cite their seed document; reference covariates (proliferation)
    # come from no seed and must say so.
    assert sig.source.seed_document or _is_reference_covariate(sig)
    # A DOI or PMID, or a note explaining why none is given.
    assert sig.source.doi or sig.source.pmid or "not" in sig.source.note
    assert sig.method_origin_resolved in ("authors", "sigsurv_default")
    assert sig.cut_origin_resolved in ("authors", "sigsurv_default")
    for gene in sig.genes:
        assert gene.citation, gene.symbol
        assert gene.evidence and set(gene.evidence) <= set(EVIDENCE_TAGS), gene.symbol
        if gene.provenance == "inferred":
            assert set(gene.evidence) & {"INF", "MEM"}, gene.symbol
    for related in sig.related:
        get_signature(related)


@pytest.mark.parametrize("sig", ALL, ids=lambda s: s.id)
def test_builtin_symbols_have_current_form(sig: Signature) -> None:
    for symbol in _all_symbols(sig):
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(-[0-9]+)?", symbol), symbol
        assert symbol not in OUTDATED, symbol


def test_every_builtin_symbol_is_current_in_the_gene_table() -> None:
    genes = pytest.importorskip("sigsurv.cohorts.genes", reason="gene table module not merged yet")
    stale = sorted(
        {(s.id, sym) for s in ALL for sym in _all_symbols(s) if not genes.is_current_symbol(sym)}
    )
    assert stale == []


def test_seed_documents_exist(shared_dir: Path) -> None:
    seeds = {p.name for p in (shared_dir / "seeds").glob("*.txt")}
    for sig in ALL:
        if _is_reference_covariate(sig):
            continue
        assert sig.source.seed_document in seeds, sig.id


def test_builtin_files_each_parse_on_their_own() -> None:
    files = sorted(BUILTIN_DIR.glob("*.yaml"))
    assert len(files) >= 5
    total = sum(len(read_yaml(path)) for path in files)
    assert total == len(ALL)
