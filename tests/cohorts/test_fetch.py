"""``sigsurv.cohorts.fetch`` against a local HTTP server (127.0.0.1 only, never the network).

The server serves files in the upstream path layout (``/geo/series/GSE9nnn/...``), so
the same recipe works with its real URLs plus ``mirror`` and with 127.0.0.1 URLs.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import os
import tarfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from sigsurv.cohorts import resolve_cohort
from sigsurv.cohorts.fetch import FetchError, cached_recipe_path, fetch, mirror_url
from sigsurv.cohorts.recipe import bundled_recipe_path, list_recipes, load_recipe, parse_recipe
from sigsurv.errors import FileFormatError, OptionError, SigsurvWarning

MATRIX_PATH = "geo/series/GSE9nnn/GSE9999/matrix/GSE9999_series_matrix.txt.gz"
PLATFORM_PATH = "geo/platforms/GPLnnn/GPL96/annot/GPL96.annot.gz"
BUNDLE_PATH = "datahub/brca_toy.tar.gz"
RNG = np.random.default_rng(20240101)
# Relapse (i % 3 == 0) at: 0 bone, 3 lung, 6 "Lung, Bone", 9 brain; others did not relapse.
SITES = ["bone", "none", "none", "lung", "none", "none", "Lung, Bone", "none", "none", "brain"]
SITES += ["none", "none"]


def series_matrix_bytes() -> bytes:
    gsms = [f"GSM{i}" for i in range(1, 13)]
    months = RNG.uniform(5, 120, size=12).round(1)
    relapse = [i % 3 == 0 for i in range(12)]
    bone = [i % 6 == 0 for i in range(12)]

    def row(key, cells):
        return "\t".join([key, *(f'"{c}"' for c in cells)])

    lines = [
        '!Series_title\t"toy series"',
        '!Series_geo_accession\t"GSE9999"',
        row("!Sample_geo_accession", gsms),
        row("!Sample_characteristics_ch1", [f"time (months): {m}" for m in months]),
        row("!Sample_characteristics_ch1", [f"relapse: {int(r)}" for r in relapse]),
        row("!Sample_characteristics_ch1", [f"bone relapse: {int(b)}" for b in bone]),
        row("!Sample_characteristics_ch1", [f"er: {'1' if i % 2 else '0'}" for i in range(12)]),
        row("!Sample_characteristics_ch1", [f"relapse site: {SITES[i]}" for i in range(12)]),
        "!series_matrix_table_begin",
        row("ID_REF", gsms).replace('"ID_REF"', "ID_REF"),
    ]
    for probe in ("201_at", "202_at", "203_at"):
        lines.append("\t".join([f'"{probe}"', *(f"{v:.3f}" for v in RNG.normal(7, 1, 12))]))
    lines.append("!series_matrix_table_end")
    return ("\n".join(lines) + "\n").encode()


def platform_bytes() -> bytes:
    text = (
        "^Annotation\n#ID = probe\n!platform_table_begin\n"
        "ID\tGene symbol\tGO:Function\tGO:Function\n"
        "201_at\tESR1\ta\tb\n202_at\tESR1\ta\tb\n203_at\tMSK1\ta\tb\n!platform_table_end\n"
    )
    return gzip.compress(text.encode(), mtime=0)


def bundle_bytes() -> bytes:
    files = {
        "brca_toy/meta_study.txt": "cancer_study_identifier: brca_toy\nname: toy\n",
        "brca_toy/meta_clinical_patients.txt": "cancer_study_identifier: brca_toy\n"
        "genetic_alteration_type: CLINICAL\ndatatype: PATIENT_ATTRIBUTES\n"
        "data_filename: data_clinical_patients.txt\n",
        "brca_toy/meta_expression.txt": "cancer_study_identifier: brca_toy\n"
        "genetic_alteration_type: MRNA_EXPRESSION\ndatatype: CONTINUOUS\n"
        "data_filename: data_expression_median.txt\n",
        "brca_toy/data_clinical_patients.txt": "#a\tb\tc\n#a\tb\tc\n#STRING\tNUMBER\tSTRING\n"
        "#1\t1\t1\nPATIENT_ID\tOS_MONTHS\tOS_STATUS\n"
        + "".join(f"P{i}\t{10 + i}\t{'1:DECEASED' if i % 2 else '0:LIVING'}\n" for i in range(6)),
        "brca_toy/data_expression_median.txt": "Hugo_Symbol\tEntrez_Gene_Id\t"
        + "\t".join(f"P{i}" for i in range(6))
        + "\nESR1\t2099\t"
        + "\t".join(f"{v:.2f}" for v in RNG.normal(size=6))
        + "\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the upstream layout; ``/broken/...`` promises more bytes than it sends."""

    def do_GET(self) -> None:
        if self.path.startswith("/broken/"):
            body = b"x" * 5000
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) * 4))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


class LocalServer:
    def __init__(self, root: Path) -> None:
        handler = lambda *a, **k: _Handler(*a, directory=str(root), **k)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll: shutdown() waits for the next poll (0.5 s by default, per test).
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def served(tmp_path, monkeypatch) -> Iterator[tuple[LocalServer, Path]]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv("SIGSURV_MIRROR", raising=False)
    root = tmp_path / "upstream"
    for path, data in (
        (MATRIX_PATH, gzip.compress(series_matrix_bytes(), mtime=0)),
        (PLATFORM_PATH, platform_bytes()),
        (BUNDLE_PATH, bundle_bytes()),
    ):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    server = LocalServer(root)
    try:
        yield server, root
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SigsurvWarning)
        yield


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def geo_recipe(folder: Path, base: str, *, matrix_sha: str | None) -> Path:
    sha_line = f", sha256: '{matrix_sha}'" if matrix_sha else ""
    text = (
        "id: toy_geo\n"
        "title: toy GEO series\n"
        "loader: geo\n"
        "files:\n"
        f"  series_matrix: {{url: '{base}/{MATRIX_PATH}'{sha_line}}}\n"
        f"  platform: {{url: '{base}/{PLATFORM_PATH}'}}\n"
        "options: {time: time (months), event: relapse, time_unit: months, "
        "endpoint_name: rfs}\n"
        "endpoints:\n"
        "  bmfs: {time: time (months), event: bone relapse, unit: months}\n"
        "  bone_site: {time: time (months), event: relapse, unit: months,\n"
        "              site_column: relapse site, site: bone}\n"
        "standardise:\n"
        "  er: {column: er, positive: ['1'], negative: ['0']}\n"
    )
    path = folder / "toy_geo.yaml"
    path.write_text(text)
    return path


def test_recipe_fetched_verified_cached_and_reused_offline(served, tmp_path):
    server, root = served
    cache = tmp_path / "cache"
    recipe = geo_recipe(tmp_path, server.url, matrix_sha=sha256(root / MATRIX_PATH))
    result = fetch(recipe, cache_dir=cache, retries=0)
    assert sha256(result.paths["series_matrix"]) == sha256(root / MATRIX_PATH)
    manifest = json.loads((cache / "manifest.json").read_text())
    records = manifest["files"]
    assert (
        records["toy_geo/series_matrix/GSE9999_series_matrix.txt.gz"]["trust"]
        == "verified against the recipe"
    )
    platform_record = records["toy_geo/platform/GPL96.annot.gz"]
    assert platform_record["trust"] == "trust on first use"
    assert platform_record["sha256"] == sha256(root / PLATFORM_PATH)
    cohort = resolve_cohort(str(recipe), cache_dir=cache)
    assert cohort.n_samples == 12
    assert set(cohort.endpoints) == {"rfs", "bmfs", "bone_site"}
    # Site-specific endpoint: relapses at bone (samples 0 and 6) are events; the lung and
    # brain relapses (3, 9) are censored at their relapse time.
    events = cohort.clinical["bone_site_event"]
    assert [int(e) for e in events] == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert list(cohort.genes) == ["ESR1", "RPS6KA5"]  # MSK1 harmonised
    assert cohort.clinical["er"].value_counts().to_dict() == {"positive": 6, "negative": 6}

    server.stop()  # offline from here on
    server.stop = lambda: None  # the fixture's stop is now a no-op
    again = fetch(recipe, cache_dir=cache, retries=0)
    assert {e["status"] for e in again.entries} == {"cached"}
    assert cached_recipe_path("toy_geo", cache) is not None
    offline = resolve_cohort("toy_geo", cache_dir=cache)
    assert offline.n_samples == 12
    np.testing.assert_array_equal(offline.expression.to_numpy(), cohort.expression.to_numpy())


def test_progress_callback_sees_every_byte(served, tmp_path):
    server, root = served
    seen: list[tuple[int, int]] = []
    recipe = geo_recipe(tmp_path, server.url, matrix_sha=None)
    fetch(
        recipe, cache_dir=tmp_path / "cache", retries=0, progress=lambda d, t: seen.append((d, t))
    )
    sizes = {(root / MATRIX_PATH).stat().st_size, (root / PLATFORM_PATH).stat().st_size}
    assert {done for done, total in seen if done == total} >= sizes


def test_wrong_hash_is_refused_and_nothing_half_written_stays(served, tmp_path):
    server, _ = served
    cache = tmp_path / "cache"
    recipe = geo_recipe(tmp_path, server.url, matrix_sha="0" * 64)
    with pytest.raises(FetchError, match="does not match the recipe's SHA-256"):
        fetch(recipe, cache_dir=cache, retries=0)
    folder = cache / "toy_geo" / "series_matrix"
    assert sorted(p.name for p in folder.iterdir()) == []
    assert not (cache / "manifest.json").exists()


def test_interrupted_download_leaves_no_complete_looking_file(served, tmp_path):
    server, _ = served
    cache = tmp_path / "cache"
    url = f"{server.url}/broken/x.h5ad"
    recipe = parse_recipe(
        f"id: broken\nloader: anndata\nfiles:\n  expression: {{url: '{url}'}}\n", "broken.yaml"
    )
    with pytest.raises(FetchError, match="cannot download") as caught:
        fetch(recipe, cache_dir=cache, retries=1)
    assert str(cache / "broken") in str(caught.value)  # names the cache path
    assert f"{server.url}/broken/x.h5ad" in str(caught.value)  # and the URL
    assert sorted(p.name for p in (cache / "broken" / "expression").iterdir()) == []


def test_unreachable_server_gives_one_clear_error(tmp_path):
    recipe = parse_recipe(
        "id: gone\nloader: anndata\nfiles:\n  expression: {url: 'http://127.0.0.1:9/x.h5ad'}\n",
        "gone.yaml",
    )
    with pytest.raises(FetchError) as caught:
        fetch(recipe, cache_dir=tmp_path / "cache", retries=0)
    message = str(caught.value)
    assert "http://127.0.0.1:9/x.h5ad" in message
    assert str(tmp_path / "cache" / "gone") in message


def test_mirror_replaces_scheme_and_host(served, tmp_path, monkeypatch):
    server, _ = served
    recipe = geo_recipe(tmp_path, "https://ftp.ncbi.nlm.nih.gov", matrix_sha=None)
    result = fetch(recipe, cache_dir=tmp_path / "a", mirror=server.url, retries=0)
    assert result.entries[0]["fetched_from"].startswith(server.url)
    assert result.entries[0]["url"].startswith("https://ftp.ncbi.nlm.nih.gov/")
    monkeypatch.setenv("SIGSURV_MIRROR", server.url)
    assert fetch(recipe, cache_dir=tmp_path / "b", retries=0).paths["platform"].exists()
    assert mirror_url("https://x.org/a/b.gz", "http://127.0.0.1:1/pre") == (
        "http://127.0.0.1:1/pre/a/b.gz"
    )


def test_cached_file_changed_after_first_use_is_refused(served, tmp_path):
    server, _ = served
    cache = tmp_path / "cache"
    recipe = geo_recipe(tmp_path, server.url, matrix_sha=None)
    result = fetch(recipe, cache_dir=cache, retries=0)
    result.paths["platform"].write_bytes(b"tampered")
    with pytest.raises(FetchError, match="recorded SHA-256"):
        fetch(recipe, cache_dir=cache, retries=0)


def test_cbioportal_bundle_is_unpacked_once_and_loads(served, tmp_path, monkeypatch):
    server, _ = served
    monkeypatch.setenv("SIGSURV_DATA_DIR", str(tmp_path / "data"))
    recipe = tmp_path / "brca_toy.yaml"
    url = f"{server.url}/{BUNDLE_PATH}"
    recipe.write_text(f"id: brca_toy\nloader: cbioportal\nfiles:\n  archive: {{url: '{url}'}}\n")
    first = fetch(recipe, retries=0)
    unpacked = first.paths["archive"]
    assert unpacked.is_dir() and unpacked.parent == tmp_path / "data" / "brca_toy" / "archive"
    marker = unpacked / "marker"
    marker.write_text("kept")  # a second fetch must not unpack again
    fetch(recipe, retries=0)
    assert marker.exists()
    cohort = resolve_cohort(str(recipe))
    assert cohort.n_samples == 6
    assert cohort.endpoint("os").unit == "months"


def test_user_recipes_folder_resolves_by_id(served, tmp_path):
    server, _ = served
    cache = tmp_path / "cache"
    (cache / "recipes").mkdir(parents=True)
    geo_recipe(cache / "recipes", server.url, matrix_sha=None)  # recipes/toy_geo.yaml
    with pytest.raises(OptionError, match="sigsurv fetch toy_geo"):
        resolve_cohort("toy_geo", cache_dir=cache)
    fetch("toy_geo", cache_dir=cache, retries=0)
    assert resolve_cohort("toy_geo", cache_dir=cache).n_samples == 12


def test_shipped_recipe_ids_need_a_fetch_first(tmp_path):
    with pytest.raises(OptionError, match="sigsurv fetch gse2034"):
        resolve_cohort("gse2034", cache_dir=tmp_path)


@pytest.mark.parametrize("recipe_id", list_recipes())
def test_shipped_recipes_parse_and_flag_what_was_not_verified(recipe_id):
    recipe = load_recipe(bundled_recipe_path(recipe_id))
    assert recipe.id == recipe_id
    assert recipe.title and recipe.citation
    # No download was possible when they were written: every URL is marked.
    unverified = set(recipe.unverified_fields())
    assert {f"files.{role}.url" for role in recipe.files} <= unverified


def test_shipped_recipe_set_is_the_one_the_issue_asks_for():
    assert set(list_recipes()) == {
        "metabric",
        "tcga_brca_pancan",
        "tcga_brca_xena",
        "gse2034",
        "gse12276",
        "gse2603",
        "gse7390",
        "gse11121",
        "gse25066",
        "gse96058",
        "gse5327",
        "tcga_brca_cdr",
        "tcga_brca_mirna",
    }
    assert any(e.name == "bmfs" for e in load_recipe(bundled_recipe_path("gse2603")).endpoints) or (
        load_recipe(bundled_recipe_path("gse2603")).options["endpoint_name"] == "bmfs"
    )


def test_recipe_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\nloader: geo\nfiles:\n  series_matrix: {url: 'http://h/x', sha256: 12}\n"
    )
    with pytest.raises(FileFormatError) as caught:
        load_recipe(path)
    assert f"{path}:4" in str(caught.value)
    path.write_text("id: bad\nloader: [geo\n")
    with pytest.raises(FileFormatError, match=r"bad.yaml:\d+: invalid YAML"):
        load_recipe(path)


SHARED = Path(
    os.environ.get("SIGSURV_SHARED", Path(__file__).resolve().parents[2].parent / "shared")
)
SCANB = SHARED / "data" / "SCANB_GSE96058_cosinet_subset"


@pytest.mark.skipif(not SCANB.is_dir(), reason=f"{SCANB} not found (needs ../shared)")
def test_shipped_gse96058_recipe_through_a_mirror(tmp_path, monkeypatch):
    """The shipped recipe, its real URL paths served from 127.0.0.1, with the SCAN-B subset
    written in GEO's layout (empty matrix table + supplementary CSV of sample titles)."""
    import gzip

    import pandas as pd
    from scanb_layout import scanb_series_matrix

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    recipe = load_recipe(bundled_recipe_path("gse96058"))
    root = tmp_path / "upstream"
    for role, remote in recipe.files.items():
        target = root / remote.url.split("://", 1)[1].split("/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        if role == "series_matrix":
            text = scanb_series_matrix(tmp_path / "m.txt", SCANB / "clinical.tsv").read_bytes()
            target.write_bytes(gzip.compress(text, mtime=0))
        else:
            frame = pd.read_csv(SCANB / "expression.tsv.gz", sep="\t", index_col=0)
            target.write_bytes(gzip.compress(frame.to_csv().encode(), mtime=0))
    server = LocalServer(root)
    try:
        fetch("gse96058", cache_dir=tmp_path / "cache", mirror=server.url, retries=0)
    finally:
        server.stop()
    cohort = resolve_cohort("gse96058", cache_dir=tmp_path / "cache")  # offline, by id
    assert cohort.n_samples == 400
    _, event = cohort.survival("os")
    assert int(np.nansum(event)) == 48  # SOURCE.md: 48 events among 400
    raw = pd.read_csv(SCANB / "clinical.tsv", sep="\t")
    assert int((cohort.clinical["er"] == "positive").sum()) == int((raw["er_status"] == 1).sum())
    assert any("not verified" in m and "files.series_matrix.url" in m for m in cohort.messages)


def test_cli_fetch_then_reproduce_by_id_and_by_recipe_file(served, tmp_path, monkeypatch):
    from sigsurv.cli import main

    server, root = served
    monkeypatch.setenv("SIGSURV_DATA_DIR", str(tmp_path / "cache"))
    recipe = geo_recipe(tmp_path, server.url, matrix_sha=sha256(root / MATRIX_PATH))
    assert main(["fetch", str(recipe), "--json"]) == 0
    assert (tmp_path / "cache" / "manifest.json").is_file()
    server.stop()  # `--cohort ID` must now work offline, from the cache
    server.stop = lambda: None
    for spec, out in (("toy_geo", "by_id"), (str(recipe), "by_file")):
        code = main(
            ["reproduce", "--cohort", spec, "--null-random", "0", "--out", str(tmp_path / out)]
        )
        assert code == 0
        results = json.loads((tmp_path / out / "results.json").read_text())
        cohorts = {t["cohort"] for claim in results["claims"] for t in claim["tests"]}
        assert cohorts == {"toy_geo"}
