"""Gene-identifier harmonisation: the shipped table, symbol/alias/Entrez/Ensembl/miRBase
mapping, ambiguity, Excel-mangled symbols, duplicate collapsing and the real cohorts."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigsurv.cohorts import genes
from sigsurv.cohorts.genes import (
    GeneMapReport,
    collapse_duplicates,
    detect_identifier_type,
    find_excel_mangled,
    gene_table,
    gene_table_metadata,
    harmonise_expression,
    is_current_symbol,
    map_identifiers,
)
from sigsurv.errors import CohortValidationError, GeneIdentifierError, SigsurvWarning

REPO_ROOT = Path(__file__).resolve().parents[2]
TABLE_FILE = REPO_ROOT / "sigsurv" / "cohorts" / "data" / "human_genes.tsv.gz"


def one(identifier, id_type="auto"):
    """Map one identifier; return (symbol, report)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        mapped, report = map_identifiers([identifier], id_type)
    return mapped[0], report


def symbol_of_entrez(entrez_id: int) -> str:
    table = gene_table()
    return table.loc[table["entrez_id"] == entrez_id, "symbol"].item()


# ---------------------------------------------------------------- the table


class TestTable:
    def test_provenance_recorded(self):
        meta = gene_table_metadata()
        assert meta["source_package"] == "Debian r-bioc-org.hs.eg.db 3.16.0-1"
        assert meta["ncbi_gene_date"] == "2022-Sep12"
        assert meta["orgdb_version"].startswith("org.Hs.eg.db 3.16.0")
        table = gene_table()
        assert meta["rows"] == str(len(table))
        assert table.attrs["source"] == meta
        _, report = map_identifiers(["TP53"])
        assert "2022-Sep12" in report.gene_table and "3.16.0-1" in report.gene_table

    def test_shape_and_columns(self):
        table = gene_table()
        assert list(table.columns) == [
            "entrez_id",
            "symbol",
            "name",
            "locus_type",
            "chromosome",
            "aliases",
            "ensembl",
        ]
        assert len(table) == 77614
        assert table["entrez_id"].is_unique and table["entrez_id"].is_monotonic_increasing
        assert table["entrez_id"].dtype == np.int64
        assert TABLE_FILE.stat().st_size < 3_000_000
        tp53 = table.loc[table["symbol"] == "TP53"].iloc[0]
        assert tp53["entrez_id"] == 7157
        assert tp53["locus_type"] == "protein-coding"
        assert tp53["chromosome"] == "17"
        assert "ENSG00000141510" in tp53["ensembl"].split("|")
        # NA-like symbols survive parsing as strings
        assert not table["symbol"].eq("").any()

    def test_no_two_symbols_differ_only_by_case(self):
        symbols = gene_table()["symbol"]
        # exact duplicates exist (tRNA copies, phenotype records such as HBD); case-only ones
        # would make case-insensitive matching ambiguous
        assert symbols.str.upper().duplicated().sum() == symbols.duplicated().sum()

    def test_aliases_exclude_own_symbol(self):
        table = gene_table()
        own = [s in a.split("|") for s, a in zip(table["symbol"], table["aliases"], strict=True)]
        assert not any(own)

    def test_copy_returned(self):
        table = gene_table()
        table.loc[:, "symbol"] = "X"
        assert gene_table()["symbol"].iloc[0] == "A1BG"

    def test_is_current_symbol(self):
        assert is_current_symbol("ERBB2")
        assert is_current_symbol("C1orf112")
        assert is_current_symbol("MIR21")
        assert not is_current_symbol("HER2")
        assert not is_current_symbol("erbb2")
        assert not is_current_symbol(" ERBB2")
        assert not is_current_symbol(2064)  # type: ignore[arg-type]


# ------------------------------------------------------------- the builder


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_gene_table", REPO_ROOT / "scripts" / "build_gene_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mini_orgdb(root: Path) -> Path:
    """A tiny org.Hs.eg.db-shaped SQLite + Debian changelog, as dpkg -x lays them out."""
    sqlite_path = root / "usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite"
    sqlite_path.parent.mkdir(parents=True)
    changelog = root / "usr/share/doc/r-bioc-org.hs.eg.db/changelog.Debian.gz"
    changelog.parent.mkdir(parents=True)
    with gzip.open(changelog, "wt") as handle:
        handle.write("r-bioc-org.hs.eg.db (9.9.9-2) unstable; urgency=medium\n")
    con = sqlite3.connect(sqlite_path)
    con.executescript(
        """
        CREATE TABLE metadata (name TEXT, value TEXT);
        INSERT INTO metadata VALUES ('EGSOURCEDATE', '2099-Jan01'),
            ('EGSOURCEURL', 'ftp://example/gene'), ('ORGANISM', 'Homo sapiens'),
            ('TAXID', '9606');
        CREATE TABLE genes (_id INTEGER, gene_id TEXT);
        INSERT INTO genes VALUES (1, '7157'), (2, '2064'), (3, '10');
        CREATE TABLE gene_info (_id INTEGER, gene_name TEXT, symbol TEXT);
        INSERT INTO gene_info VALUES (1, 'tumor protein p53', 'TP53'),
            (2, 'erb-b2 receptor tyrosine kinase 2', 'ERBB2'), (3, 'N-acetyltransferase 2', 'NAT2');
        CREATE TABLE genetype (_id INTEGER, gene_type TEXT);
        INSERT INTO genetype VALUES (1, 'protein-coding'), (2, 'protein-coding'),
            (3, 'protein-coding');
        CREATE TABLE chromosomes (_id INTEGER, chromosome TEXT);
        INSERT INTO chromosomes VALUES (1, '17'), (2, '17'), (3, '8');
        CREATE TABLE alias (_id INTEGER, alias_symbol TEXT);
        INSERT INTO alias VALUES (1, 'TP53'), (1, 'P53'), (1, 'LFS1'), (2, 'ERBB2'),
            (2, 'NEU'), (2, 'HER2'), (2, 'HER2'), (3, 'NAT2');
        CREATE TABLE ensembl (_id INTEGER, ensembl_id TEXT);
        INSERT INTO ensembl VALUES (1, 'ENSG00000141510'), (2, 'ENSG00000141736');
        """
    )
    con.commit()
    con.close()
    return sqlite_path


def test_builder_writes_a_table_genes_reads(tmp_path):
    builder = _load_builder()
    sqlite_path = _mini_orgdb(tmp_path / "root")
    out1, out2 = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    assert builder.main([str(sqlite_path), "--output", str(out1)]) == 0
    assert builder.main([str(sqlite_path), "--output", str(out2)]) == 0
    assert out1.read_bytes() == out2.read_bytes()  # reproducible bytes
    table, meta = genes._parse_table(out1.read_bytes())
    assert meta["source_package"] == "Debian r-bioc-org.hs.eg.db 9.9.9-2"
    assert meta["ncbi_gene_date"] == "2099-Jan01"
    assert meta["rows"] == "3"
    assert table["entrez_id"].tolist() == [10, 2064, 7157]  # sorted by Entrez ID
    assert table["aliases"].tolist() == ["", "HER2|NEU", "LFS1|P53"]  # sorted, own symbol out
    assert table["ensembl"].tolist() == ["", "ENSG00000141736", "ENSG00000141510"]
    assert table["chromosome"].tolist() == ["8", "17", "17"]


# ---------------------------------------------------------- symbol mapping


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("MSK1", "RPS6KA5"),
        ("HER2", "ERBB2"),
        ("TMEM49", "VMP1"),
        ("PVRL1", "NECTIN1"),
    ],
)
def test_issue_examples(given, expected):
    symbol, report = one(given)
    assert symbol == expected
    assert report.renamed == {given: expected}
    assert report.mapped == 1 and report.unchanged == 0


def test_ddx58_maps_to_the_tables_current_symbol():
    symbol, _ = one("DDX58")
    assert symbol == symbol_of_entrez(23586)
    assert symbol == "RIGI"  # HGNC renamed it; NCBI Gene of 2022-Sep12 already has RIGI


# SIGNATURES.md section F: every row the table supports
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("MSK1", "RPS6KA5"),
        ("MSPK1", "RPS6KA5"),
        ("RLPK", "RPS6KA5"),
        ("HER2", "ERBB2"),
        ("HER-2/neu", "ERBB2"),
        ("H19X", "MIR503HG"),
        ("TMEM49", "VMP1"),
        ("maspin", "SERPINB5"),
        ("PI5", "SERPINB5"),
        ("PVRL1", "NECTIN1"),
        ("ZFHX1B", "ZEB2"),
        ("TCF8", "ZEB1"),
        ("HXB", "TNC"),
        ("G1P2", "ISG15"),
        ("G1P3", "IFI6"),
        ("DDX58", "RIGI"),
    ],
)
def test_signatures_section_f_aliases(given, expected):
    symbol, report = one(given)
    assert symbol == expected
    assert report.renamed == {given: expected}


@pytest.mark.parametrize(
    "current",
    [
        *("RPS6KA5", "ERBB2", "MIR503HG", "MIR424", "MIR503", "MIR21", "VMP1", "SERPINB5"),
        *("NECTIN1", "ZEB2", "ZEB1", "TNC", "ISG15", "IFI6", "RIGI", "IRF7"),
    ],
)
def test_signatures_section_f_current_symbols_unchanged(current):
    symbol, report = one(current)
    assert symbol == current
    assert report.unchanged == 1 and not report.renamed and not report.case_fixed


def test_mouse_case_irf7_is_a_visible_case_fix():
    symbol, report = one("Irf7")
    assert symbol == "IRF7"
    assert report.case_fixed == {"Irf7": "IRF7"}


def test_not_in_table_stays_unmapped():
    # free-text names are not symbols
    symbol, report = one("tenascin-C")
    assert symbol is None
    assert report.unmapped == ["tenascin-C"]


def test_mouse_mir322_is_a_synonym_of_mir424():
    # NCBI lists MIR322 (the mouse name) among human MIR424's synonyms
    symbol, report = one("Mir322")
    assert symbol == "MIR424"
    assert report.renamed == {"Mir322": "MIR424"}


def test_sip1_is_ambiguous_and_never_mapped():
    mapped, report = map_identifiers(["SIP1", "ZEB2"])
    assert mapped == [None, "ZEB2"]
    assert report.ambiguous == {"SIP1": ["GEMIN2", "SCAF11", "SLC9A3R2", "ZEB2"]}
    assert report.mapped == 1 and report.unmapped == []
    assert "SIP1: GEMIN2|SCAF11|SLC9A3R2|ZEB2" in report.to_text()


def test_neu_is_ambiguous():
    symbol, report = one("NEU")
    assert symbol is None
    assert report.ambiguous["NEU"] == ["ERBB2", "NEU1", "NEURL1"]


def test_current_symbol_wins_over_synonym_of_other_gene():
    # AR is a synonym of AKR1B1 and AREG, MET of RNMT: a current symbol maps to itself
    table = gene_table()
    assert "AR" in table.loc[table["symbol"] == "AKR1B1", "aliases"].item().split("|")
    assert "MET" in table.loc[table["symbol"] == "RNMT", "aliases"].item().split("|")
    mapped, report = map_identifiers(["AR", "MET"])
    assert mapped == ["AR", "MET"]
    assert report.unchanged == 2 and report.ambiguous == {}


def test_case_and_whitespace_fixes():
    mapped, report = map_identifiers([" TP53", "tp53\t", "C1ORF112", "c1orf112", "TP53"])
    assert mapped == ["TP53", "TP53", "C1orf112", "C1orf112", "TP53"]
    assert report.case_fixed == {
        " TP53": "TP53",
        "tp53\t": "TP53",
        "C1ORF112": "C1orf112",
        "c1orf112": "C1orf112",
    }
    assert report.unchanged == 1 and report.mapped == 5


def test_underscore_for_hyphen():
    mapped, report = map_identifiers(["HLA_A", "NKX2_5", "APOBEC3A_B"])
    assert mapped == ["HLA-A", "NKX2-5", "APOBEC3A_B"]  # a real '_' symbol is kept
    assert report.case_fixed == {"HLA_A": "HLA-A", "NKX2_5": "NKX2-5"}
    assert report.unchanged == 1


def test_missing_and_odd_values_are_unmapped():
    mapped, report = map_identifiers(["", "  ", None, float("nan"), "TP53"], "symbol")
    assert mapped == [None, None, None, None, "TP53"]
    assert report.unmapped == ["", "  ", "None", "nan"]
    assert report.n_input == 5 and report.mapped == 1 and report.n_not_mapped == 4


# ----------------------------------------------------------- Entrez, Ensembl


def test_entrez_ids():
    ids = [7157, "2064", np.int64(9252), 81671.0, " 5818 ", 999999999, -1, "7157.0"]
    mapped, report = map_identifiers(ids, "entrez")
    assert mapped == ["TP53", "ERBB2", "RPS6KA5", "VMP1", "NECTIN1", None, None, "TP53"]
    assert report.identifier_type == "entrez"
    assert report.renamed["7157"] == "TP53" and report.renamed["2064"] == "ERBB2"
    assert report.unmapped == ["999999999", "-1"]
    assert detect_identifier_type([7157, 2064, 9252]) == "entrez"
    assert map_identifiers(np.array([7157, 2064]))[0] == ["TP53", "ERBB2"]


def test_ensembl_ids_with_version():
    ids = ["ENSG00000141510.17", "ENSG00000141736", "ensg00000141510", "ENSG00000000000.1"]
    mapped, report = map_identifiers(ids)
    assert report.identifier_type == "ensembl"
    assert mapped == ["TP53", "ERBB2", "TP53", None]
    assert report.renamed["ENSG00000141510.17"] == "TP53"
    assert report.unmapped == ["ENSG00000000000.1"]


def test_ensembl_par_y_suffix():
    table = gene_table()
    ensembl = table.loc[table["symbol"] == "CD99", "ensembl"].item().split("|")[0]
    assert one(f"{ensembl}.18_PAR_Y", "ensembl")[0] == "CD99"


def test_ensembl_shared_by_genes_is_ambiguous():
    table = gene_table()
    exploded = table.assign(ensembl=table["ensembl"].str.split("|")).explode("ensembl")
    exploded = exploded[exploded["ensembl"] != ""]
    shared = exploded.groupby("ensembl")["symbol"].nunique()
    ensembl_id = shared[shared > 1].index[0]
    symbol, report = one(ensembl_id, "ensembl")
    assert symbol is None
    expected = sorted(exploded.loc[exploded["ensembl"] == ensembl_id, "symbol"].unique())
    assert report.ambiguous == {ensembl_id: expected}


# ------------------------------------------------------------------ miRBase


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("hsa-mir-21", "MIR21"),
        ("hsa-mir-424", "MIR424"),
        ("hsa-mir-503", "MIR503"),
        ("hsa-let-7a-1", "MIRLET7A1"),
        ("hsa-mir-199a-1", "MIR199A1"),
        ("hsa-mir-1-1", "MIR1-1"),  # hyphen kept after a digit (HGNC)
        ("hsa-mir-103-1-as", "MIR103B1"),  # via NCBI's synonyms
        ("hsa-mir-1245", "MIR1245A"),
        ("hsa-miR-21-5p", "MIR21"),  # mature, one gene
        ("miR-21", "MIR21"),
        ("MIR21", "MIR21"),  # a symbol among miRNA names
    ],
)
def test_mirbase_names(given, expected):
    symbol, report = one(given, "mirbase")
    assert symbol == expected
    assert is_current_symbol(expected)
    assert report.mapped == 1


def test_mirbase_families_are_ambiguous():
    mapped, report = map_identifiers(["hsa-let-7a-5p", "hsa-miR-199a-3p", "mmu-mir-21"])
    assert report.identifier_type == "mirbase"
    assert mapped == [None, None, None]
    assert report.ambiguous == {
        "hsa-let-7a-5p": ["MIRLET7A1", "MIRLET7A2", "MIRLET7A3"],
        "hsa-miR-199a-3p": ["MIR199A1", "MIR199A2"],
    }
    assert report.unmapped == ["mmu-mir-21"]


# ------------------------------------------------------- Excel-mangled dates


@pytest.mark.parametrize(
    ("given", "repaired"),
    [
        ("9-Sep", "SEPTIN9"),
        ("09-Sep", "SEPTIN9"),
        ("Sep-09", "SEPTIN9"),
        ("9-sep", "SEPTIN9"),
        ("2019-09-09", "SEPTIN9"),
        ("15-Sep", "SELENOF"),  # SEP15
        ("11-Mar", "MARCHF11"),
    ],
)
def test_excel_mangled_repaired_when_unambiguous(given, repaired):
    with pytest.warns(SigsurvWarning, match="Excel"):
        mapped, report = map_identifiers([given, "TP53"], "symbol")
    assert mapped == [repaired, "TP53"]
    assert report.excel_mangled == {given: [repaired]}
    assert report.excel_repaired == {given: repaired}
    assert report.renamed == {given: repaired}


@pytest.mark.parametrize(
    ("given", "must_include"),
    [
        ("1-Mar", {"MARCHF1", "MTARC1"}),  # MARCH1 or MARC1
        ("2019-03-01", {"MARCHF1", "MTARC1"}),
        ("2-Mar", {"MARCHF2", "MTARC2"}),
        ("2-Sep", {"SEPTIN2"}),  # SEPT2, but SEP2 is a synonym of SEPTIN6 and SEPTIN8
        ("1-Dec", {"BHLHE40", "DELEC1"}),  # DEC1
    ],
)
def test_excel_mangled_ambiguous_not_repaired(given, must_include):
    with pytest.warns(SigsurvWarning, match="Excel"):
        mapped, report = map_identifiers([given], "symbol")
    assert mapped == [None]
    assert must_include <= set(report.excel_mangled[given])
    assert len(report.excel_mangled[given]) > 1
    assert report.ambiguous[given] == report.excel_mangled[given]
    assert report.excel_repaired == {}


def test_find_excel_mangled_without_mapping():
    ids = ["TP53", "9-Sep", "Sep-09", "1-Mar", "1-Dec", "2019-03-01", "9-Sep", "SEPT9", 7157]
    with warnings.catch_warnings():
        warnings.simplefilter("error", SigsurvWarning)  # detection alone does not warn
        found = find_excel_mangled(ids)
    assert list(found) == ["9-Sep", "Sep-09", "1-Mar", "1-Dec", "2019-03-01"]
    assert found["9-Sep"] == ["SEPTIN9"] and found["Sep-09"] == ["SEPTIN9"]
    assert found["1-Dec"] == ["BHLHE40", "DELEC1"]
    assert found["1-Mar"] == found["2019-03-01"]
    assert find_excel_mangled(["03/01/2019"])["03/01/2019"]  # month/day or day/month


def test_excel_date_without_candidates_reported_unmapped():
    with pytest.warns(SigsurvWarning):
        mapped, report = map_identifiers(["30-Jan"], "symbol")
    assert mapped == [None]
    assert report.excel_mangled == {"30-Jan": []}
    assert report.unmapped == ["30-Jan"]


def test_real_symbols_are_not_taken_for_dates():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SigsurvWarning)
        mapped, report = map_identifiers(["SEPTIN9", "SEPT9", "MARCHF1", "NKX2-1", "HLA-A"])
    assert mapped == ["SEPTIN9", "SEPTIN9", "MARCHF1", "NKX2-1", "HLA-A"]
    assert report.excel_mangled == {}


def test_excel_rows_kept_in_harmonised_matrix():
    expr = pd.DataFrame({"s1": [1.0, 2.0, 3.0]}, index=["1-Mar", "9-Sep", "TP53"])
    with pytest.warns(SigsurvWarning, match="Excel"):
        out, report = harmonise_expression(expr)
    assert out.index.tolist() == ["1-Mar", "SEPTIN9", "TP53"]
    assert "Excel-mangled" in report.to_text()


# ----------------------------------------------------------- type detection


def test_detect_identifier_type():
    assert detect_identifier_type(["TP53", "ERBB2", "SIP1"]) == "symbol"
    assert detect_identifier_type(pd.Index(["7157", "2064", "TP53"])) == "entrez"
    assert detect_identifier_type(["ENSG00000141510.17", "TP53"]) == "symbol"  # no majority
    assert detect_identifier_type(["ENSG00000141510.17", "ENSG00000141736", "x"]) == "ensembl"
    assert detect_identifier_type(["hsa-mir-21", "hsa-let-7a-1"]) == "mirbase"
    assert detect_identifier_type(["1007_s_at", "AFFX-BioB-5_at", "ILMN_1651199"]) == "probe"
    assert detect_identifier_type(["A_23_P100001", "A_23_P100011"]) == "probe"
    assert detect_identifier_type(["TP53", "9-Sep", "1-Mar"]) == "symbol"
    with pytest.raises(GeneIdentifierError, match="no gene identifiers"):
        detect_identifier_type([None, float("nan")])
    with pytest.raises(GeneIdentifierError, match="no gene identifiers"):
        detect_identifier_type([])


def test_bad_id_type_and_probes_refused():
    with pytest.raises(GeneIdentifierError, match="unknown identifier type"):
        map_identifiers(["TP53"], "hgnc")
    with pytest.raises(GeneIdentifierError, match="platform annotation"):
        map_identifiers(["1007_s_at", "1053_at"])
    with pytest.raises(GeneIdentifierError, match="sequence"):
        map_identifiers("TP53")
    assert map_identifiers([], "symbol")[1].n_input == 0


# ------------------------------------------------------------ the report


def test_report_json_and_summary():
    with pytest.warns(SigsurvWarning):
        _, report = map_identifiers(["TP53", "tp53", "HER2", "SIP1", "NOTAGENE", "1-Mar"])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["identifier_type"] == "symbol"
    assert data["n_input"] == 6 and data["mapped"] == 3 and data["n_not_mapped"] == 3
    assert data["unchanged"] == 1
    assert data["case_fixed"] == {"tp53": "TP53"}
    assert data["renamed"] == {"HER2": "ERBB2"}
    assert set(data["ambiguous"]) == {"SIP1", "1-Mar"}
    assert data["unmapped"] == ["NOTAGENE"]
    assert data["collapsed"] == {} and data["collapse_rule"] is None
    text = report.to_text()
    assert "\n" not in text
    assert text.startswith("6 symbol identifiers: 3 mapped")
    for fragment in ("HER2->ERBB2", "tp53->TP53", "SIP1", "NOTAGENE", "1-Mar"):
        assert fragment in text
    assert isinstance(report, GeneMapReport)


def test_mapping_is_deterministic():
    ids = ["SIP1", "HER2", "TP53", "1-Mar", "MSK1", "hsa-mir-21"] * 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        first = map_identifiers(ids, "symbol")
        second = map_identifiers(ids, "symbol")
    assert first[0] == second[0]
    assert json.dumps(first[1].to_dict()) == json.dumps(second[1].to_dict())


# --------------------------------------------------------------- collapsing


def test_collapse_rules_exact_values():
    expr = pd.DataFrame(
        {"s1": [4.0, 6.0, 2.0, 1.0, 9.0], "s2": [4.0, 0.0, 2.0, 1.0, np.nan]},
        index=["p1", "p2", "p3", "p4", "p5"],
    )
    keys = ["ESR1", "ESR1", "ERBB2", "ERBB2", "ESR1"]
    frame, collapsed = collapse_duplicates(expr, keys, "max_mean")
    # p5's mean over its non-missing value is 9: it wins for ESR1
    assert frame.index.tolist() == ["ESR1", "ERBB2"]
    assert frame.loc["ESR1"].tolist()[0] == 9.0 and np.isnan(frame.loc["ESR1", "s2"])
    assert frame.loc["ERBB2"].tolist() == [2.0, 2.0]
    assert collapsed == {"ESR1": ["p1", "p2", "p5"], "ERBB2": ["p3", "p4"]}
    # max_var: p5 has one value (variance undefined) and is never preferred
    frame, _ = collapse_duplicates(expr, keys, "max_var")
    assert frame.loc["ESR1"].tolist() == [6.0, 0.0]
    assert frame.loc["ERBB2"].tolist() == [2.0, 2.0]  # tie (both 0): first row
    frame, _ = collapse_duplicates(expr, keys, "mean")
    assert frame.loc["ESR1"].tolist() == [pytest.approx(19 / 3), 2.0]
    assert frame.loc["ERBB2"].tolist() == [1.5, 1.5]


def test_collapse_ties_go_to_first_row():
    expr = pd.DataFrame({"s1": [1.0, 3.0, 2.0], "s2": [3.0, 1.0, 2.0]}, index=["a", "b", "c"])
    frame, _ = collapse_duplicates(expr, ["G", "G", "G"], "max_mean")
    assert frame.loc["G"].tolist() == [1.0, 3.0]
    frame, _ = collapse_duplicates(expr, ["G", "G", "G"], "max_var")
    assert frame.loc["G"].tolist() == [1.0, 3.0]


def test_collapse_without_duplicates_is_identity():
    expr = pd.DataFrame({"s1": [1, 2]}, index=["a", "b"])  # integers allowed, untouched
    frame, collapsed = collapse_duplicates(expr, ["X", "Y"])
    assert collapsed == {}
    assert frame.index.tolist() == ["X", "Y"] and frame["s1"].tolist() == [1, 2]


def test_collapse_errors():
    expr = pd.DataFrame({"s1": [1.0, 2.0]}, index=["a", "b"])
    with pytest.raises(GeneIdentifierError, match="collapse rule"):
        collapse_duplicates(expr, ["X", "X"], "median")
    with pytest.raises(GeneIdentifierError, match="one key per expression row"):
        collapse_duplicates(expr, ["X"])
    text = pd.DataFrame({"s1": ["1", "2"]}, index=["a", "b"])
    with pytest.raises(CohortValidationError, match="not numeric"):
        collapse_duplicates(text, ["X", "X"])
    with pytest.raises(GeneIdentifierError, match="collapse rule"):
        harmonise_expression(expr, collapse="first")


def _reference_collapse(expr: pd.DataFrame, keys: list[str], rule: str) -> pd.DataFrame:
    """Slow, obviously-correct reference implementation."""
    order = list(dict.fromkeys(keys))
    rows = []
    for key in order:
        members = [i for i, k in enumerate(keys) if k == key]
        block = expr.iloc[members]
        if rule == "mean":
            rows.append(block.mean(axis=0, skipna=True).to_numpy())
            continue
        stats = block.mean(axis=1) if rule == "max_mean" else block.var(axis=1, ddof=1)
        stats = stats.fillna(-np.inf).to_numpy()
        rows.append(block.iloc[int(np.argmax(stats))].to_numpy())  # argmax: first of ties
    return pd.DataFrame(rows, index=order, columns=expr.columns)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=n, max_size=n),
            st.lists(
                st.lists(
                    st.one_of(st.sampled_from([0.0, 1.0, 2.0]), st.just(np.nan)),
                    min_size=3,
                    max_size=3,
                ),
                min_size=n,
                max_size=n,
            ),
        )
    ),
    st.sampled_from(["max_mean", "max_var", "mean"]),
)
def test_collapse_matches_reference(data, rule):
    keys, values = data
    expr = pd.DataFrame(values, columns=["s1", "s2", "s3"])
    expr.index = [f"r{i}" for i in range(len(keys))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = _reference_collapse(expr, keys, rule)
    frame, collapsed = collapse_duplicates(expr, keys, rule)
    assert frame.index.tolist() == list(dict.fromkeys(keys))  # first-occurrence order
    np.testing.assert_array_equal(frame.to_numpy(), expected.to_numpy())
    for key, rows in collapsed.items():
        assert rows == [f"r{i}" for i, k in enumerate(keys) if k == key]
        assert len(rows) > 1


# ------------------------------------------------------------ harmonising


def test_harmonise_keeps_unmapped_and_ambiguous_rows():
    expr = pd.DataFrame(
        {"s1": [1.0, 2.0, 3.0, 4.0, 5.0], "s2": [1.0, 9.0, 3.0, 4.0, 5.0]},
        index=pd.Index(["ERBB2", "HER2", "SIP1", "NOTAGENE", "TMEM49"], name="gene"),
    )
    out, report = harmonise_expression(expr, collapse="max_mean")
    assert out.index.tolist() == ["ERBB2", "SIP1", "NOTAGENE", "VMP1"]
    assert out.index.name == "gene"
    assert out.loc["ERBB2"].tolist() == [2.0, 9.0]  # HER2 row has the higher mean
    assert out.loc["VMP1"].tolist() == [5.0, 5.0]
    assert report.collapsed == {"ERBB2": ["ERBB2", "HER2"]}
    assert report.collapse_kept == {"ERBB2": "HER2"}
    assert report.collapse_rule == "max_mean" and report.n_output == 4
    assert report.ambiguous == {"SIP1": ["GEMIN2", "SCAF11", "SLC9A3R2", "ZEB2"]}
    assert report.unmapped == ["NOTAGENE"]
    assert "2 rows collapsed by rule max_mean (4 rows remain)" in report.to_text()
    assert list(out.columns) == ["s1", "s2"]
    # the input is not modified
    assert expr.index.tolist() == ["ERBB2", "HER2", "SIP1", "NOTAGENE", "TMEM49"]


def test_harmonise_entrez_and_mirbase_frames():
    expr = pd.DataFrame({"s": [1.0, 2.0]}, index=[7157, 2064])
    out, report = harmonise_expression(expr)
    assert out.index.tolist() == ["TP53", "ERBB2"] and report.identifier_type == "entrez"
    expr = pd.DataFrame({"s": [1.0, 2.0]}, index=["hsa-mir-21", "hsa-mir-1270-1"])
    out, report = harmonise_expression(expr, "mirbase")
    assert out.index.tolist() == ["MIR21", "MIR1270"]


def test_harmonise_warns_when_little_maps():
    expr = pd.DataFrame({"s": [1.0, 2.0, 3.0]}, index=["foo1", "foo2", "TP53"])
    with pytest.warns(SigsurvWarning, match="only 1 of 3"):
        out, _ = harmonise_expression(expr)
    assert out.index.tolist() == ["foo1", "foo2", "TP53"]


def test_harmonise_rejects_non_frames():
    with pytest.raises(GeneIdentifierError, match="DataFrame"):
        harmonise_expression(np.zeros((2, 2)))  # type: ignore[arg-type]


def test_harmonise_round_trip_deterministic():
    rng = np.random.default_rng(20240611)
    index = ["ERBB2", "HER2", "NEU", "TP53", "tp53", "MSK1", "RPS6KA5", "SIP1", "1-Dec"]
    expr = pd.DataFrame(rng.normal(size=(len(index), 5)), index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        out1, rep1 = harmonise_expression(expr)
        out2, rep2 = harmonise_expression(expr.copy())
        # harmonising an already harmonised matrix changes nothing more
        out3, rep3 = harmonise_expression(out1)
    pd.testing.assert_frame_equal(out1, out2)
    assert json.dumps(rep1.to_dict()) == json.dumps(rep2.to_dict())
    pd.testing.assert_frame_equal(out3, out1)
    assert rep3.collapsed == {} and rep3.renamed == {} and rep3.case_fixed == {}
    assert out1.index.tolist() == ["ERBB2", "NEU", "TP53", "RPS6KA5", "SIP1", "1-Dec"]


# ------------------------------------------------------------ large input


def test_mapping_60k_identifiers():
    # The time it takes is measured by benchmarks/bench_gene_mapping.py, not here.
    table = gene_table()
    aliases = table["aliases"].str.split("|").explode()
    ids = (table["symbol"].tolist()[:40_000] + aliases[aliases != ""].tolist()[:20_000])[:60_000]
    _, report = map_identifiers(ids, "symbol")
    assert report.n_input == 60_000 and report.mapped > 55_000


# ---------------------------------------------------------- real cohorts


@pytest.fixture(scope="module")
def gse1992(data_dir):
    path = data_dir / "GSE1992_UNC_Hu2006" / "expression.tsv.gz"
    expr = pd.read_csv(path, sep="\t", index_col=0)
    return expr, *harmonise_expression(expr)


@pytest.fixture(scope="module")
def gse4335(data_dir):
    path = data_dir / "GSE4335_NorwayStanford" / "expression.tsv.gz"
    expr = pd.read_csv(path, sep="\t", index_col=0)
    return expr, *harmonise_expression(expr)


@pytest.mark.parametrize("cohort", ["gse1992", "gse4335"])
def test_real_cohort_counts(cohort, request):
    expr, out, report = request.getfixturevalue(cohort)
    n = expr.shape[0]
    assert report.identifier_type == "symbol" and report.n_input == n
    assert report.renamed["TMEM49"] == "VMP1"
    assert report.renamed["PVRL1"] == "NECTIN1"
    assert "SIP1" in report.ambiguous and "SIP1" in out.index
    assert report.mapped / n > 0.99
    assert len(report.unmapped) / n < 0.005
    assert len(report.ambiguous) / n < 0.01
    assert report.excel_mangled == {}
    assert out.index.is_unique
    removed = sum(len(rows) - 1 for rows in report.collapsed.values())
    assert out.shape == (n - removed, expr.shape[1])
    assert report.n_output == out.shape[0]
    pd.testing.assert_series_equal(
        out.loc["NECTIN1"], expr.loc["PVRL1"], check_names=False
    )  # values untouched
    # every output row is an input row (max_mean keeps rows whole)
    assert set(map(tuple, out.to_numpy())) <= set(map(tuple, expr.to_numpy()))


def test_gse1992_exact_counts(gse1992):
    expr, out, report = gse1992
    assert expr.shape == (15528, 124)
    assert (report.unchanged, len(report.renamed), len(report.ambiguous)) == (13435, 2010, 74)
    assert len(report.unmapped) == 9
    assert out.shape == (15514, 124)
    assert report.collapsed["MICAL2"] == ["MICAL2", "MICALCL"]
    kept = report.collapse_kept["MICAL2"]
    means = expr.loc[["MICAL2", "MICALCL"]].mean(axis=1)
    assert kept == means.idxmax()
    pd.testing.assert_series_equal(out.loc["MICAL2"], expr.loc[kept], check_names=False)
    # symbols named in the cohort's SOURCE.md are present
    for gene in ("IRF7", "RPS6KA5", "BCL2", "IGF1R", "PTEN", "ERBB2", "ESR1", "STAT1", "ISG15"):
        assert gene in out.index


def test_gse4335_underscore_hla(gse4335):
    _, out, report = gse4335
    assert report.case_fixed["HLA_A"] == "HLA-A"
    assert "HLA-A" in out.index and "HLA_A" not in out.index


def test_tcga_mirna_matrix_rows(data_dir):
    path = data_dir / "TCGA_BRCA" / "mirna_rpm.tsv.gz"
    expr = pd.read_csv(path, sep="\t", index_col=0, usecols=[0, 1, 2])
    out, report = harmonise_expression(expr)
    assert report.identifier_type == "mirbase" and report.n_input == 1046
    assert report.mapped == 1030
    for name, symbol in [
        ("hsa-mir-21", "MIR21"),
        ("hsa-mir-424", "MIR424"),
        ("hsa-mir-503", "MIR503"),
        ("hsa-let-7a-1", "MIRLET7A1"),
        ("hsa-mir-199a-1", "MIR199A1"),
    ]:
        assert report.renamed[name] == symbol
        pd.testing.assert_series_equal(out.loc[symbol], expr.loc[name], check_names=False)
    # miRNAs withdrawn from miRBase / without an NCBI gene stay as given
    assert "hsa-mir-720" in report.unmapped and "hsa-mir-720" in out.index
    assert report.collapsed == {
        "MIR1270": ["hsa-mir-1270-1", "hsa-mir-1270-2"],
        "MIR511": ["hsa-mir-511-1", "hsa-mir-511-2"],
    }


def test_summary_is_a_deprecated_alias_of_to_text():
    _, report = one("HER2")
    with pytest.warns(DeprecationWarning, match=r"use GeneMapReport\.to_text\(\)"):
        text = report.summary()
    assert text == report.to_text()


def test_only_ascii_digits_make_numeric_identifiers():
    """Arabic-Indic digits are not silently read as the Entrez ID they spell."""
    assert one(7157, "entrez")[0] == "TP53"
    assert one("\u0667\u0661\u0665\u0667", "entrez")[0] is None
    assert (
        detect_identifier_type(["\u0667\u0661\u0665\u0667", "\u0662\u0660\u0666\u0664"]) == "symbol"
    )
    assert find_excel_mangled(["\u0669-Sep"]) == {}
