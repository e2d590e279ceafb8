"""``sigsurv fetch`` cannot be turned against its user (issue 24): the adversarial cases.

Every download comes from a local HTTP server on 127.0.0.1 (``localhost`` stands for
"another host" in the redirect cases); nothing reaches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import importlib
import io
import itertools
import json
import os
import tarfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sigsurv.cohorts.fetch import FetchError, fetch
from sigsurv.cohorts.recipe import Recipe, RemoteFile, load_recipe, parse_recipe
from sigsurv.errors import FileFormatError

fetch_module = importlib.import_module("sigsurv.cohorts.fetch")

GEO_TEXT = (
    '!Series_title\t"toy"\n!Sample_geo_accession\t"GSM1"\t"GSM2"\n'
    '!Sample_characteristics_ch1\t"t: 5"\t"t: 9"\n!Sample_characteristics_ch1\t"e: 1"\t"e: 0"\n'
    '!series_matrix_table_begin\n"ID_REF"\t"GSM1"\t"GSM2"\n"TP53"\t1.0\t2.0\n'
    "!series_matrix_table_end\n"
)
HTML_PAGE = b"<!DOCTYPE html>\n<html><body><h1>Service unavailable</h1></body></html>\n"
S3_DENIED = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code></Error>'


def tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, plus ``/redirect/<host>/<path>`` answering 302 to ``http://<host>:PORT/<path>``."""

    def do_GET(self) -> None:
        if self.path.startswith("/redirect/"):
            host, rest = self.path[len("/redirect/") :].split("/", 1)
            self.send_response(302)
            self.send_header("Location", f"http://{host}:{self.server.server_address[1]}/{rest}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def upstream(tmp_path, monkeypatch) -> Iterator[tuple[str, Path]]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv("SIGSURV_MIRROR", raising=False)
    monkeypatch.delenv("SIGSURV_DATA_DIR", raising=False)
    root = tmp_path / "upstream"
    root.mkdir()
    handler = lambda *a, **k: _Handler(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll: shutdown() waits for the next poll (0.5 s by default, per test).
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serve(root: Path, path: str, data: bytes) -> str:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(data)
    return path


def geo_recipe(recipe_id: str, url: str, sha: str | None = None) -> Recipe:
    sha_text = f", sha256: '{sha}'" if sha else ""
    return parse_recipe(
        f"id: {recipe_id}\nloader: geo\nfiles:\n  series_matrix: {{url: '{url}'{sha_text}}}\n",
        f"{recipe_id}.yaml",
    )


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# ------------------------------------------------------------------ recipe ids
@pytest.mark.parametrize(
    "recipe_id",
    ["../../x", "'/abs/x'", "'.'", "'..'", "recipes", "'a\\0b'", "A/B", "Upper", "manifest.json"],
)
def test_recipe_id_that_is_not_a_slug_is_refused_at_parse(recipe_id, tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(
        f"id: {recipe_id.replace(chr(39), chr(34))}\nloader: geo\nfiles:\n"
        "  series_matrix: {url: 'http://127.0.0.1:9/GSE1_series_matrix.txt.gz'}\n"
    )
    with pytest.raises(FileFormatError, match=r"r\.yaml:1: recipe id (must be a short slug|is a)"):
        load_recipe(path)


@pytest.mark.parametrize("recipe_id", ["../escape", "/abs", ".", "..", "recipes", "a\0b"])
def test_traversal_and_planting_ids_write_nothing_anywhere(recipe_id, upstream, tmp_path):
    """A Recipe built in Python skips the parser: fetch checks the id again."""
    base, root = upstream
    url = f"{base}/{serve(root, 'GSE1_series_matrix.txt.gz', gzip.compress(GEO_TEXT.encode()))}"
    cache = tmp_path / "deep" / "cache"
    cache.mkdir(parents=True)
    before = tree(tmp_path)
    recipe = Recipe(
        id=recipe_id, loader="geo", files={"series_matrix": RemoteFile("series_matrix", url)}
    )
    with pytest.raises(FetchError, match="recipe id"):
        fetch(recipe, cache_dir=cache, retries=0)
    assert tree(tmp_path) == before  # nothing written inside or outside the cache


def test_symlinked_recipe_folder_leading_out_of_the_cache_is_refused(upstream, tmp_path):
    base, root = upstream
    url = f"{base}/{serve(root, 'GSE1_series_matrix.txt.gz', gzip.compress(GEO_TEXT.encode()))}"
    cache, outside = tmp_path / "cache", tmp_path / "outside"
    cache.mkdir()
    outside.mkdir()
    (cache / "toy").symlink_to(outside)
    with pytest.raises(FetchError, match="not a plain folder inside the cache"):
        fetch(geo_recipe("toy", url), cache_dir=cache, retries=0)
    assert list(outside.iterdir()) == []


# ------------------------------------------------------------------ strict YAML
def alias_bomb_recipe() -> str:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for previous, name in itertools.pairwise(names):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    head = "id: bomb\nloader: geo\nfiles:\n  series_matrix: {url: 'http://127.0.0.1:9/x.gz'}\n"
    text = head + "notes:\n" + "".join(f"  {line}\n" for line in levels)
    return text + "#" * (632 - len(text) - 1) + "\n"


def test_632_byte_alias_recipe_is_refused_in_under_a_second(tmp_path):
    text = alias_bomb_recipe()
    assert len(text.encode()) == 632
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    started = time.perf_counter()
    with pytest.raises(FileFormatError, match=r"bomb\.yaml:\d+: YAML aliases expand to too many"):
        load_recipe(path)
    assert time.perf_counter() - started < 1.0


def test_oversized_and_duplicate_key_recipes_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("id: big\n" + "#" * 300_000 + "\n")
    with pytest.raises(FileFormatError, match="recipe file too large"):
        load_recipe(big)
    duplicated = tmp_path / "dup.yaml"
    duplicated.write_text("id: a\nid: b\nloader: geo\n")
    with pytest.raises(FileFormatError, match=r"dup\.yaml:2: duplicate key 'id'"):
        load_recipe(duplicated)


# ------------------------------------------------------------------ hostile fields
@pytest.mark.parametrize(
    ("field", "line", "message"),
    [
        ("files:\n  series_matrix: {url: 'gopher://h.org/x.gz'}\n", 4, "must be an http"),
        ("files:\n  series_matrix: {url: 'file:///etc/passwd'}\n", 4, "must be an http"),
        ("files:\n  series_matrix: {url: 'https://h.org/a/%2e%2e'}\n", 4, "usable file name"),
        ("files:\n  series_matrix: {url: 'https://h.org/a/%2e'}\n", 4, "usable file name"),
        ("files:\n  series_matrix: {url: 'https://h.org/a/'}\n", 4, "usable file name"),
        ("files:\n  series_matrix: {url: 'https://[::1/x.gz'}\n", 4, "not a valid URL"),
        (
            "files:\n  series_matrix: {url: 'https://h.org/x.gz'}\n"
            "endpoints:\n  bmfs: {time: t, event: e, codes: {yes: maybe}}\n",
            6,
            "code must be text",
        ),
        (
            "files:\n  series_matrix: {url: 'https://h.org/x.gz'}\n"
            "endpoints:\n  bmfs: {time: t, event: e, codes: {'yes': maybe}}\n",
            6,
            "must be 0 or 1",
        ),
        (
            "files:\n  series_matrix: {url: 'https://h.org/x.gz'}\n"
            "endpoints:\n  bmfs: {time: t, event: e, unit: 12}\n",
            6,
            "unknown time unit",
        ),
        ("files:\n  series_matrix: {url: 'https://h.org/x.gz'}\n~: x\n", 1, "must be text"),
        (
            "files:\n  series_matrix: {url: 'https://h.org/x.gz'}\n"
            "options: {time: t, event: e, time_unit: 12}\n",
            5,
            "unknown time unit",
        ),
    ],
)
def test_hostile_fields_are_refused_with_file_and_line(field, line, message, tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text("id: hostile\nloader: geo\n" + field)
    with pytest.raises(FileFormatError, match=message) as caught:
        load_recipe(path)
    assert f"hostile.yaml:{line}:" in str(caught.value)
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------ cache layout
def test_two_roles_with_the_same_file_name_never_share_a_download(upstream, tmp_path):
    base, root = upstream
    serve(root, "a/data.tsv", b"gene\tS1\tS2\nTP53\t1\t2\n")
    serve(root, "b/data.tsv", b"id\tt\te\nS1\t5\t1\nS2\t9\t0\n")
    recipe = parse_recipe(
        f"id: twins\nloader: table\nfiles:\n  expression: {{url: '{base}/a/data.tsv'}}\n"
        f"  clinical: {{url: '{base}/b/data.tsv'}}\noptions: {{time: t, event: e, "
        "time_unit: months}\n",
        "twins.yaml",
    )
    result = fetch(recipe, cache_dir=tmp_path / "cache", retries=0)
    assert result.paths["expression"] != result.paths["clinical"]
    assert result.paths["expression"].read_bytes().startswith(b"gene")
    assert result.paths["clinical"].read_bytes().startswith(b"id")
    records = json.loads((tmp_path / "cache" / "manifest.json").read_text())["files"]
    assert set(records) == {"twins/expression/data.tsv", "twins/clinical/data.tsv"}


def test_stale_temporary_files_of_a_killed_download_are_removed(upstream, tmp_path):
    base, root = upstream
    url = f"{base}/{serve(root, 'GSE1_series_matrix.txt.gz', gzip.compress(GEO_TEXT.encode()))}"
    role = tmp_path / "cache" / "toy" / "series_matrix"
    role.mkdir(parents=True)
    (role / "tmpk3j2x9aa").write_bytes(b"half a download")  # pooch's temporary name
    (role / ".unpack-abc").mkdir()
    fetch(geo_recipe("toy", url), cache_dir=tmp_path / "cache", retries=0)
    assert sorted(p.name for p in role.iterdir()) == ["GSE1_series_matrix.txt.gz"]


def test_concurrent_fetches_into_one_cache_are_all_recorded(upstream, tmp_path):
    base, root = upstream
    ids = [f"toy{i}" for i in range(8)]
    for recipe_id in ids:
        serve(root, f"{recipe_id}/GSE1_series_matrix.txt.gz", gzip.compress(GEO_TEXT.encode()))
    recipes = [geo_recipe(i, f"{base}/{i}/GSE1_series_matrix.txt.gz") for i in ids]
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda r: fetch(r, cache_dir=cache, retries=0), recipes))
    manifest = json.loads((cache / "manifest.json").read_text())
    assert set(manifest["recipes"]) == set(ids)
    assert len(manifest["files"]) == len(ids)


@pytest.mark.slow
def test_concurrent_fetch_processes_are_all_recorded(upstream, tmp_path):
    """Separate processes (the usual case: two terminals) share the manifest through its lock."""
    import subprocess
    import sys

    base, root = upstream
    ids = [f"proc{i}" for i in range(4)]
    for recipe_id in ids:
        serve(root, f"{recipe_id}/GSE1_series_matrix.txt.gz", gzip.compress(GEO_TEXT.encode()))
        (tmp_path / f"{recipe_id}.yaml").write_text(
            f"id: {recipe_id}\nloader: geo\nfiles:\n  series_matrix: "
            f"{{url: '{base}/{recipe_id}/GSE1_series_matrix.txt.gz'}}\n"
        )
    cache = tmp_path / "cache"
    code = (
        "import sys; from sigsurv.cohorts.fetch import fetch; "
        "fetch(sys.argv[1], cache_dir=sys.argv[2])"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    running = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path / f"{i}.yaml"), str(cache)], env=env
        )
        for i in ids
    ]
    assert [p.wait(timeout=120) for p in running] == [0] * len(ids)
    manifest = json.loads((cache / "manifest.json").read_text())
    assert set(manifest["recipes"]) == set(ids)
    assert len(manifest["files"]) == len(ids)


@pytest.mark.parametrize("variable", ["file", "under_a_file"])
def test_unusable_data_dir_is_one_line(variable, upstream, tmp_path, monkeypatch):
    base, root = upstream
    url = f"{base}/{serve(root, 'GSE1_series_matrix.txt.gz', gzip.compress(GEO_TEXT.encode()))}"
    plain = tmp_path / "plain"
    plain.write_text("not a folder")
    target = plain if variable == "file" else plain / "cache"
    monkeypatch.setenv("SIGSURV_DATA_DIR", str(target))
    with pytest.raises(FetchError, match="the cache folder is unusable") as caught:
        fetch(geo_recipe("toy", url), retries=0)
    assert str(target) in str(caught.value)


# ------------------------------------------------------------------ content sniff
@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("GSE1_series_matrix.txt.gz", HTML_PAGE, "HTML/XML page"),
        ("GSE1_series_matrix.txt.gz", S3_DENIED, "HTML/XML page"),
        ("GSE1_series_matrix.txt.gz", GEO_TEXT.encode(), "not gzip data"),
    ],
)
def test_a_page_or_wrong_content_is_never_trusted(name, body, message, upstream, tmp_path):
    base, root = upstream
    url = f"{base}/{serve(root, name, body)}"
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match=message):
        fetch(geo_recipe("toy", url), cache_dir=cache, retries=0)
    assert list((cache / "toy" / "series_matrix").iterdir()) == []
    assert not (cache / "manifest.json").exists()


def test_html_for_a_file_without_extension_and_a_non_tar_archive_are_refused(upstream, tmp_path):
    base, root = upstream
    serve(root, "BRCA_clinicalMatrix", HTML_PAGE)
    serve(root, "HiSeqV2", b"sample\tTCGA-A\nTP53\t1\n")
    serve(root, "study.tar.gz", gzip.compress(b"not a tar archive at all" * 40))
    text = (
        f"id: xena\nloader: tcga\nfiles:\n  expression: {{url: '{base}/HiSeqV2'}}\n"
        f"  clinical: {{url: '{base}/BRCA_clinicalMatrix'}}\n"
    )
    with pytest.raises(FetchError, match="HTML/XML page"):
        fetch(parse_recipe(text, "x.yaml"), cache_dir=tmp_path / "a", retries=0)
    bundle = parse_recipe(
        f"id: study\nloader: cbioportal\nfiles:\n  archive: {{url: '{base}/study.tar.gz'}}\n", "s"
    )
    with pytest.raises(FetchError, match="does not open as tar"):
        fetch(bundle, cache_dir=tmp_path / "b", retries=0)


def test_a_tar_bz2_that_is_not_tar_is_refused_and_a_real_one_unpacks(upstream, tmp_path):
    import bz2

    base, root = upstream
    serve(root, "fake.tar.bz2", bz2.compress(b"plain text, no tar"))
    with pytest.raises(FetchError, match="does not open as tar"):
        fetch(archive_recipe(base, "fake.tar.bz2"), cache_dir=tmp_path / "a", retries=0)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as bundle:
        for name, data in study_files("v1").items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    serve(root, "real.tar.bz2", buffer.getvalue())
    unpacked = fetch(archive_recipe(base, "real.tar.bz2"), cache_dir=tmp_path / "b").paths[
        "archive"
    ]
    assert (unpacked / "study" / "meta_study.txt").is_file()


def test_a_cached_page_nobody_recorded_is_not_trusted_either(upstream, tmp_path):
    base, _ = upstream
    role = tmp_path / "cache" / "toy" / "series_matrix"
    role.mkdir(parents=True)
    (role / "GSE1_series_matrix.txt.gz").write_bytes(HTML_PAGE)
    with pytest.raises(FetchError, match="HTML/XML page"):
        fetch(geo_recipe("toy", f"{base}/GSE1_series_matrix.txt.gz"), cache_dir=tmp_path / "cache")


# ------------------------------------------------------------------ redirects
def test_cross_host_redirect_of_an_unhashed_file_is_refused(upstream, tmp_path):
    base, root = upstream
    serve(root, "real/GSE1_series_matrix.txt.gz", gzip.compress(GEO_TEXT.encode()))
    url = f"{base}/redirect/localhost/real/GSE1_series_matrix.txt.gz"
    with pytest.raises(FetchError, match=r"redirects to another host \(localhost\)"):
        fetch(geo_recipe("toy", url), cache_dir=tmp_path / "cache", retries=0)
    assert list((tmp_path / "cache" / "toy" / "series_matrix").iterdir()) == []


def test_redirects_that_are_followed_record_the_final_url(upstream, tmp_path):
    base, root = upstream
    data = gzip.compress(GEO_TEXT.encode())
    serve(root, "real/GSE1_series_matrix.txt.gz", data)
    port = base.rsplit(":", 1)[1]
    # Same host: followed even without a hash.
    same = f"{base}/redirect/127.0.0.1/real/GSE1_series_matrix.txt.gz"
    entry = fetch(geo_recipe("same", same), cache_dir=tmp_path / "c", retries=0).entries[0]
    assert entry["final_url"] == f"{base}/real/GSE1_series_matrix.txt.gz"
    assert entry["url"] == same
    # Another host, but the recipe pins the hash: followed, and the manifest names it.
    other = f"{base}/redirect/localhost/real/GSE1_series_matrix.txt.gz"
    sha = hashlib.sha256(data).hexdigest()
    fetch(geo_recipe("pinned", other, sha), cache_dir=tmp_path / "c", retries=0)
    record = json.loads((tmp_path / "c" / "manifest.json").read_text())["files"]
    final = record["pinned/series_matrix/GSE1_series_matrix.txt.gz"]["final_url"]
    assert final == f"http://localhost:{port}/real/GSE1_series_matrix.txt.gz"


# ------------------------------------------------------------------ archives
def archive_recipe(base: str, name: str = "study.tar.gz", sha: str | None = None) -> Recipe:
    sha_text = f", sha256: '{sha}'" if sha else ""
    return parse_recipe(
        f"id: study\nloader: cbioportal\nfiles:\n  archive: {{url: '{base}/{name}'{sha_text}}}\n",
        "study.yaml",
    )


def declared_size_bomb() -> bytes:
    """A 1 GiB member declared in its tar header, followed by a few bytes only: the
    header alone must stop it (nothing is decompressed or written)."""
    info = tarfile.TarInfo("study/data_mrna.txt")
    info.size = 1024**3
    return gzip.compress(info.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 4096, mtime=0)


def test_a_1_gib_tar_member_is_refused_before_unpacking(upstream, tmp_path):
    base, root = upstream
    serve(root, "study.tar.gz", declared_size_bomb())
    cache = tmp_path / "cache"
    started = time.perf_counter()
    with pytest.raises(FetchError, match="archive refused before unpacking: member larger"):
        fetch(archive_recipe(base), cache_dir=cache, retries=0)
    assert time.perf_counter() - started < 5
    assert sorted(p.name for p in (cache / "study" / "archive").iterdir()) == ["study.tar.gz"]


def test_archive_totals_and_member_counts_are_limited(upstream, tmp_path, monkeypatch):
    base, root = upstream
    # Five real 900 kB members of zeros (a few kB compressed): 4.5 MB > 4 x 1 MiB in all.
    zeros = {f"study/data_{i}.txt": b"\0" * 900_000 for i in range(5)}
    serve(root, "big.tar.gz", tar_gz(zeros))
    with pytest.raises(FetchError, match=r"4 x the input limit in all"):
        fetch(
            archive_recipe(base, "big.tar.gz"),
            cache_dir=tmp_path / "a",
            retries=0,
            max_file_bytes=1024**2,
        )
    monkeypatch.setattr(fetch_module, "MAX_ARCHIVE_MEMBERS", 3)
    serve(root, "many.tar.gz", tar_gz({f"study/f{i}.txt": b"x" for i in range(5)}))
    with pytest.raises(FetchError, match="more than 3 members"):
        fetch(archive_recipe(base, "many.tar.gz"), cache_dir=tmp_path / "b", retries=0)
    for cache in (tmp_path / "a", tmp_path / "b"):
        leftovers = [p for p in cache.rglob("*") if "unpack" in p.name]
        assert leftovers == []


def study_files(release: str) -> dict[str, bytes]:
    return {
        "study/meta_study.txt": b"cancer_study_identifier: study\n",
        "study/data_clinical_patient.txt": b"PATIENT_ID\tOS_MONTHS\tOS_STATUS\nP1\t5\t1:DECEASED\n",
        f"study/only_in_{release}.txt": release.encode(),
    }


def test_a_new_archive_release_is_unpacked_again(upstream, tmp_path):
    base, root = upstream
    first = tar_gz(study_files("v1"))
    serve(root, "study.tar.gz", first)
    cache = tmp_path / "cache"
    unpacked = fetch(archive_recipe(base), cache_dir=cache, retries=0).paths["archive"]
    assert (unpacked / "study" / "only_in_v1.txt").is_file()
    marker = unpacked / fetch_module.ARCHIVE_MARKER
    assert marker.read_text().strip() == hashlib.sha256(first).hexdigest()
    second = tar_gz(study_files("v2"))
    serve(root, "study.tar.gz", second)
    # The recipe now pins the new release: the stale cached archive is replaced.
    new_sha = hashlib.sha256(second).hexdigest()
    again = fetch(archive_recipe(base, sha=new_sha), cache_dir=cache, retries=0)
    assert again.entries[0]["status"] == "downloaded"
    assert (unpacked / "study" / "only_in_v2.txt").is_file()
    assert not (unpacked / "study" / "only_in_v1.txt").exists()
    assert marker.read_text().strip() == new_sha
    assert [p.name for p in unpacked.parent.iterdir() if p.name.startswith(".")] == []


# ------------------------------------------------------------------ command line
@pytest.mark.parametrize(
    ("recipe_text", "fragment"),
    [
        ("id: x\nloader: geo\nfiles:\n  series_matrix: {url: 'gopher://h.org/a.gz'}\n", "http"),
        ("id: '../x'\nloader: geo\nfiles: {}\n", "short slug"),
        (
            "id: x\nloader: geo\nfiles:\n  series_matrix: {url: 'https://h/x.gz'}\n"
            "endpoints:\n  bmfs: {time: t, event: e, codes: {yes: maybe}}\n",
            "code must be text",
        ),
        ('id: "a\\0b"\nloader: geo\nfiles: {}\n', "short slug"),
        (
            "id: x\nloader: geo\nfiles:\n  series_matrix: {url: 'https://h/x.gz'}\n"
            "endpoints:\n  bmfs: {time: t, event: e, unit: 12}\n",
            "unknown time unit",
        ),
        ("id: x\nloader: geo\nfiles:\n  series_matrix: {url: 'https://h/%2e%2e'}\n", "file name"),
    ],
)
def test_cli_fetch_refusals_are_one_line_with_exit_2(recipe_text, fragment, tmp_path, capsys):
    from sigsurv.cli import main

    path = tmp_path / "r.yaml"
    path.write_text(recipe_text)
    assert main(["fetch", str(path), "--cache", str(tmp_path / "cache")]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1, err


def test_cli_unusable_data_dir_is_one_line_with_exit_2(tmp_path, capsys, monkeypatch):
    from sigsurv.cli import main

    plain = tmp_path / "plain"
    plain.write_text("x")
    monkeypatch.setenv("SIGSURV_DATA_DIR", str(plain / "sub"))
    path = tmp_path / "r.yaml"
    path.write_text(
        "id: x\nloader: geo\nfiles:\n  series_matrix: {url: 'http://127.0.0.1:9/a.gz'}\n"
    )
    assert main(["fetch", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "cache folder is unusable" in err and len(err.splitlines()) == 1, err
    assert os.path.isfile(plain)


def test_recipe_fuzz_target_seeds_run_clean(tmp_path):
    """The fetch/recipe fuzz target: its seeds load or are refused cleanly (no crash)."""
    import sys

    from sigsurv.errors import SigsurvInputError

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
    try:
        from targets import PARSERS, SEEDS
    finally:
        sys.path.pop(0)
    outcomes = []
    for seed in SEEDS["recipe"]:
        try:
            PARSERS["recipe"](seed, tmp_path)
            outcomes.append("ok")
        except SigsurvInputError:
            outcomes.append("refused")
    assert outcomes == ["ok", "ok", "ok", "ok", "refused"]
