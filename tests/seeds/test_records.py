"""Seed records: coverage of the seed documents, claim values, links to signatures."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest
from scipy.stats import fisher_exact

from sigsurv.errors import FileFormatError
from sigsurv.seeds import (
    Claim,
    claims_for_signature,
    get_claim,
    get_seed_record,
    list_claims,
    load_seed_records,
    read_seed_record,
)
from sigsurv.seeds.records import RECORDS_DIR
from sigsurv.signatures import BUILTIN_DIR, get_signature, list_signatures

BUILTIN_IDS = {s.id for s in list_signatures(include_retracted=True)}


def test_records_cover_every_seed_document(shared_dir: Path) -> None:
    seeds = sorted(p.name for p in (shared_dir / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    assert [r.seed_document for r in load_seed_records()] == seeds
    for rec in load_seed_records():
        assert (RECORDS_DIR / f"{Path(rec.seed_document).stem}.yaml").is_file()
        assert rec.summary and rec.document_kind and rec.citation.journal


def test_every_claim_names_existing_signatures() -> None:
    claims = list_claims()
    assert len(claims) >= 6
    for claim in claims:
        assert claim.signature_id in BUILTIN_IDS, claim.id
        for proxy in claim.proxy_signature_ids:
            assert proxy in BUILTIN_IDS, (claim.id, proxy)
    for rec in load_seed_records():
        for sig_id in rec.signature_ids:
            assert sig_id in BUILTIN_IDS, (rec.seed_document, sig_id)


def test_claim_population_matches_its_signature() -> None:
    for claim in list_claims():
        sig = get_signature(claim.signature_id)
        if claim.expected_direction != "none":
            assert claim.expected_direction == sig.expected_direction, claim.id
            assert claim.population_filter == sig.population_filter, claim.id


def test_population_filters_parse() -> None:
    from sigsurv.cohorts.subgroup import parse_subgroup

    filters = {c.population_filter for c in list_claims()} | {
        s.population_filter for s in list_signatures(include_retracted=True)
    }
    assert filters >= {"er == 'positive'", "er == 'negative'", "her2 == 'positive'"}
    for expression in filters - {""}:
        assert parse_subgroup(expression)[0] == "cmp"


def test_msk1_bone_relapse_claim() -> None:
    claim = get_claim("gawrzak2018_msk1_bone_relapse_5y_er_pos")
    assert claim.statistic == "hazard_ratio"
    assert (claim.value, claim.p_value, claim.p_value_text) == (0.41, 0.01, "P = .01")
    assert claim.ci_lower is None and claim.ci_upper is None
    assert claim.horizon is not None
    assert (claim.horizon.value, claim.horizon.unit) == (60.0, "months")
    assert claim.endpoint_kind == "time_to_event"
    assert claim.endpoint_match.exact == ("bmfs",)
    assert claim.endpoint_match.kind_of("dmfs") == "analogue"
    assert claim.population_filter == "er == 'positive'"
    assert claim.signature_id == "msk1_rps6ka5"
    assert claim.expected_direction == "protective"


def test_msk1_hr_orientation_records_known_and_assumed() -> None:
    for claim_id in ("gawrzak2018_msk1_bone_relapse_5y_er_pos", "gawrzak2018_msk1_mfs_er_pos"):
        claim = get_claim(claim_id)
        # HR < 1 with low MSK1 the reference: high MSK1 does better, i.e. protective.
        assert claim.value is not None and claim.value < 1
        assert claim.comparison.reference.startswith("low")
        assert claim.comparison.exposed.startswith("high")
        assert claim.comparison.scale == "unknown"
        assert "INF" in claim.comparison.orientation_evidence
        note = claim.comparison.orientation_note
        assert "KNOWN" in note and "ASSUMED" in note and "UNKNOWN" in note


def test_msk1_other_claims() -> None:
    mfs = get_claim("gawrzak2018_msk1_mfs_er_pos")
    assert (mfs.value, mfs.p_value, mfs.horizon) == (0.48, 0.01, None)
    assert "mfs" in mfs.endpoint_match.exact
    er_neg = get_claim("gawrzak2018_msk1_no_difference_er_neg")
    assert er_neg.statistic == "qualitative" and er_neg.value is None
    assert er_neg.expected_direction == "none"
    assert er_neg.population_filter == "er == 'negative'"


def test_mir21_table_and_derived_numbers() -> None:
    claim = get_claim("aacr2010_mir21_trastuzumab_her2_pos")
    assert claim.statistic == "counts_2x2" and claim.endpoint_kind == "binary"
    assert claim.table is not None
    assert claim.table.rows == ("high", "low_medium")
    assert claim.table.columns == ("progressed", "not_progressed")
    assert claim.table.counts == ((6, 1), (8, 22))
    assert claim.table.total == claim.cohort_size == 37
    assert claim.population_filter == "her2 == 'positive'"
    assert claim.expected_direction == "harmful"
    assert claim.value is None and claim.p_value is None  # nothing was published
    # The DER numbers must be what the table gives (to the precision stored).
    (a, b), (c, d) = claim.table.counts
    odds_ratio, p = fisher_exact([[a, b], [c, d]], alternative="two-sided")
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = 1.959963984540054
    derived = claim.derived
    assert derived["odds_ratio"] == pytest.approx(odds_ratio, rel=1e-12)
    assert derived["fisher_p_two_sided"] == pytest.approx(p, abs=5e-6)
    assert derived["odds_ratio_ci_lower_woolf_95"] == pytest.approx(
        math.exp(math.log(odds_ratio) - z * se), abs=5e-3
    )
    assert derived["odds_ratio_ci_upper_woolf_95"] == pytest.approx(
        math.exp(math.log(odds_ratio) + z * se), abs=5e-2
    )
    assert derived["proportion_progressed_high"] == pytest.approx(a / (a + b), abs=5e-4)
    assert derived["proportion_progressed_low_medium"] == pytest.approx(c / (c + d), abs=5e-4)


def test_direction_only_claims() -> None:
    irf7 = get_claim("bidwell2012_irf7_bmfs")
    assert irf7.statistic == "qualitative" and irf7.value is None
    assert irf7.expected_direction == "protective"
    assert irf7.endpoint_match.exact == ("bmfs",)
    assert (irf7.cohort_size, irf7.cohort_size_qualifier) == (800, "more_than")
    mir = get_claim("rodriguez_barrueco2017_mir424_503_loss")
    assert mir.statistic == "qualitative" and mir.value is None and mir.p_value is None
    assert mir.signature_id == "mir424_503_mirna"
    assert mir.proxy_signature_ids == ("mir424_503_targets",)
    assert not mir.is_quantitative


def test_review_record_has_no_claims_and_lists_the_collection() -> None:
    rec = get_seed_record("003_05836eed4c824ca8.txt")
    assert rec.claims == ()
    collection = {s.id for s in list_signatures(collection="aigner2011_metastasis_mirnas")}
    assert collection <= set(rec.signature_ids)


def test_claims_are_json_ready() -> None:
    for claim in list_claims():
        d = claim.to_dict()
        assert json.loads(json.dumps(d)) == d
        assert set(d) >= {
            "id",
            "seed_document",
            "citation",
            "statement",
            "statistic",
            "value",
            "ci_lower",
            "ci_upper",
            "p_value",
            "endpoint",
            "endpoint_kind",
            "endpoint_match",
            "horizon",
            "population",
            "population_filter",
            "comparison",
            "expected_direction",
            "cohort_size",
            "signature_id",
            "evidence",
            "table",
            "notes",
        }
    for rec in load_seed_records():
        assert json.dumps(rec.to_dict())


def test_claim_lookups() -> None:
    assert {c.id for c in claims_for_signature("msk1_luminal")} == {
        "gawrzak2018_msk1_bone_relapse_5y_er_pos",
        "gawrzak2018_msk1_mfs_er_pos",
    }
    assert [c.id for c in list_claims(signature_id="irf7_bone_proxy")] == ["bidwell2012_irf7_bmfs"]
    with pytest.raises(FileFormatError, match="unknown claim id"):
        get_claim("nope")
    with pytest.raises(FileFormatError, match="unknown seed document"):
        get_seed_record("999_x.txt")


def _copy_record(tmp_path: Path, stem: str) -> Path:
    target = tmp_path / f"{stem}.yaml"
    shutil.copy(RECORDS_DIR / f"{stem}.yaml", target)
    return target


def test_record_reader_is_strict(tmp_path: Path) -> None:
    path = _copy_record(tmp_path, "004_5c88e53fffd63dd8")
    text = path.read_text()
    path.write_text(text.replace("    p_value: 0.01\n", "    p_value: 0.01\n    pvalue: 0.01\n", 1))
    line = path.read_text().splitlines().index("    pvalue: 0.01") + 1
    with pytest.raises(FileFormatError) as excinfo:
        read_seed_record(path)
    assert excinfo.value.line == line
    assert "unknown field 'pvalue'" in str(excinfo.value)

    path.write_text(text.replace("value: 0.41", "value: .nan", 1))
    with pytest.raises(FileFormatError, match="must be finite"):
        read_seed_record(path)

    path = _copy_record(tmp_path, "001_bda596df1d0ad88b")
    path.write_text(path.read_text().replace("[[6, 1], [8, 22]]", "[[6, 1], [8, 21]]"))
    with pytest.raises(FileFormatError, match="table total differs"):
        read_seed_record(path)


def test_claim_validation() -> None:
    base = get_claim("gawrzak2018_msk1_mfs_er_pos")
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    with pytest.raises(FileFormatError, match="unknown statistic"):
        Claim(**{**fields, "statistic": "odds"})
    with pytest.raises(FileFormatError, match="both CI bounds"):
        Claim(**{**fields, "ci_lower": 0.2})
    with pytest.raises(FileFormatError, match="outside"):
        Claim(**{**fields, "p_value": 1.5})
    with pytest.raises(FileFormatError, match="unknown expected_direction"):
        Claim(**{**fields, "expected_direction": "up"})


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _shingles(words: list[str], window: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + window]) for i in range(len(words) - window + 1)}


def test_records_and_builtins_do_not_paste_seed_text(shared_dir: Path) -> None:
    """No run of 12 words from a seed document (titles aside) appears in our files."""
    window = 12
    titles = [r.citation.title for r in load_seed_records() if r.citation.title]
    ours: set[tuple[str, ...]] = set()
    for path in [*RECORDS_DIR.glob("*.yaml"), *BUILTIN_DIR.glob("*.yaml")]:
        ours |= _shingles(_words(path.read_text()), window)
    checked = 0
    for seed in sorted((shared_dir / "seeds").glob("*.txt")):
        text = " ".join(_words(seed.read_text()))
        for title in titles:
            text = text.replace(" ".join(_words(title)), " | ")
        theirs = {s for s in _shingles(text.split(), window) if "|" not in s}
        checked += len(theirs)
        pasted = sorted(" ".join(s) for s in theirs & ours)
        assert pasted == [], (seed.name, pasted[:3])
    assert checked > 1000


def test_unreadable_record_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="seed record file not found"):
        read_seed_record(tmp_path / "missing.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"seed_document: latin1.txt\nsummary: caf\xe9\n")
    with pytest.raises(FileFormatError) as excinfo:
        read_seed_record(latin1)
    assert (excinfo.value.line, excinfo.value.message) == (2, "file is not UTF-8 text")
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 200_000)
    with pytest.raises(FileFormatError, match="seed record file too large"):
        read_seed_record(big)


def test_yaml_refusals_keep_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError) as excinfo:
        read_seed_record(path)
    assert "expected at most 100000 nodes reached through aliases" in str(excinfo.value)
