"""The proliferation reference signatures: genes, current symbols and tagged provenance."""

from __future__ import annotations

import pytest

from sigsurv.signatures import get_signature

PAM50_PROLIFERATION = (
    "BIRC5",
    "CCNB1",
    "CDC20",
    "NUF2",
    "CEP55",
    "NDC80",
    "MKI67",
    "PTTG1",
    "RRM2",
    "TYMS",
    "UBE2C",
)
ONCOTYPE_PROLIFERATION = ("MKI67", "AURKA", "BIRC5", "CCNB1", "MYBL2")
LEGACY = {"CDCA1", "KNTC2", "STK15", "SURVIVIN", "KI67", "BIRC5L"}


@pytest.mark.parametrize(
    ("sig_id", "genes"),
    [
        ("pam50_proliferation", PAM50_PROLIFERATION),
        ("oncotype_proliferation", ONCOTYPE_PROLIFERATION),
    ],
)
def test_genes_directions_and_direction_of_effect(sig_id: str, genes: tuple[str, ...]) -> None:
    sig = get_signature(sig_id)
    assert sig.symbols == genes
    assert set(sig.directions.tolist()) == {1} and set(sig.weights.tolist()) == {1.0}
    assert sig.expected_direction == "harmful" and not sig.is_proxy
    assert not set(sig.symbols) & LEGACY


def test_symbols_are_current_in_the_gene_table() -> None:
    genes = pytest.importorskip("sigsurv.cohorts.genes")
    for symbol in set(PAM50_PROLIFERATION) | set(ONCOTYPE_PROLIFERATION):
        assert genes.is_current_symbol(symbol), symbol
    for legacy in ("CDCA1", "KNTC2", "STK15"):
        assert not genes.is_current_symbol(legacy), legacy


def test_provenance_is_tagged_where_not_verified() -> None:
    pam50 = get_signature("pam50_proliferation")
    assert pam50.source.doi == "10.1158/1078-0432.CCR-10-1282"
    assert all(g.evidence == ("MEM",) for g in pam50.genes)  # list from memory
    assert any("from memory" in c for c in pam50.caveats)
    assert "CDCA1" in pam50.gene("NUF2").note and "KNTC2" in pam50.gene("NDC80").note
    oncotype = get_signature("oncotype_proliferation")
    assert oncotype.source.doi == "10.1056/NEJMoa041588"
    assert all(g.evidence == ("SRC",) for g in oncotype.genes)
    assert "genefu" in oncotype.source.note
    assert any("not in the original paper" in c for c in oncotype.caveats)
    for sig in (pam50, oncotype):
        # not curated from a seed document, and saying so
        assert sig.source.seed_document == ""
        assert "Not from a seed document" in sig.source.note
        assert "not consulted" in sig.source.note and sig.source.pmid == ""
        assert sig.method_origin_resolved == "sigsurv_default"
        assert all(g.citation for g in sig.genes)
        assert sig.related
