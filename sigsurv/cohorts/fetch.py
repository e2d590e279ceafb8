"""Download a cohort's files into a user cache, verified, once.

``fetch(recipe)`` downloads every file of a recipe with pooch (retries, optional
progress bar) into ``<cache>/<recipe id>/<role>/``. The cache is the platform's user
cache folder (platformdirs) unless ``cache_dir`` or ``SIGSURV_DATA_DIR`` says otherwise.

Integrity:

* the recipe id is a short slug (:func:`sigsurv.cohorts.recipe.check_recipe_id`) and
  its folder must resolve inside the cache: a recipe cannot write anywhere else;
* each file role has its own folder, so two roles whose URLs end in the same file
  name never share (or overwrite) one download;
* a file whose SHA-256 the recipe knows is verified; a mismatch is refused and
  nothing is left in the cache (pooch downloads to a temporary file in the same
  folder and renames it only once complete and verified);
* every download is sniffed before it is trusted: a ``.gz`` must start with the gzip
  magic, an archive must open as tar, an ``.xlsx`` as zip, and no file may be an
  HTML/XML page (a server's error page served with status 200);
* a file whose hash the recipe does not know is hashed at first download and the
  hash is recorded in the cache manifest (trust on first use); later fetches check
  the cached file against it. Such a file may not be redirected to another host
  (a hashed file may: its content is verified); the final URL after redirects is
  recorded in the manifest either way;
* the manifest is updated under a file lock (concurrent fetches keep each other's
  records) and one recipe is fetched by one process at a time (a lock per recipe
  folder), which also removes temporary files a killed download left behind;
* archives (``.tar.gz`` study bundles) are checked member by member before anything
  is written (regular files and folders only, inside the folder; each member at most
  the input limit, at most :data:`ARCHIVE_LIMIT_FACTOR` times it in all, at most
  :data:`MAX_ARCHIVE_MEMBERS` members), unpacked into a folder renamed into place when
  complete, and unpacked again when the archive's SHA-256 (recorded in the folder)
  changes.

``mirror`` (or ``SIGSURV_MIRROR``) replaces the scheme and host of every URL, for
institutional mirrors and offline copies.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES
from sigsurv.cohorts.recipe import (
    Recipe,
    RemoteFile,
    bundled_recipe_path,
    check_recipe_id,
    load_recipe,
)
from sigsurv.errors import FileFormatError, SigsurvInputError

__all__ = [
    "ARCHIVE_LIMIT_FACTOR",
    "MAX_ARCHIVE_MEMBERS",
    "FetchError",
    "FetchResult",
    "cache_root",
    "cached_recipe_path",
    "fetch",
    "local_files",
    "mirror_url",
    "user_recipe_path",
]

MANIFEST = "manifest.json"
MANIFEST_LOCK = "manifest.lock"
RECIPE_COPY = "recipe.yaml"
USER_RECIPES = "recipes"
#: Written into an unpacked archive's folder: the SHA-256 of the archive it came from.
ARCHIVE_MARKER = ".sigsurv-archive.sha256"
#: An archive may unpack to at most this many times the input limit in all (each member
#: at most the input limit itself: a larger one could not be read anyway).
ARCHIVE_LIMIT_FACTOR = 4
#: At most this many members in an archive (a cBioPortal study has a few dozen).
MAX_ARCHIVE_MEMBERS = 10_000
_MAX_REDIRECTS = 5
_TIMEOUT_SECONDS = 60
_RECIPE_LOCK = ".fetch.lock"


class FetchError(SigsurvInputError):
    """A download failed, was refused (wrong hash), or a cache entry does not verify.

    Examples
    --------
    >>> str(FetchError("cannot download http://h/x", file="/cache/x"))
    '/cache/x: cannot download http://h/x'
    """


class _RefusedError(Exception):
    """Carries a FetchError out of pooch (which retries, then re-raises, any ValueError)."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` produced: the recipe, the local path of each file role
    (an archive's role points at its unpacked folder) and one manifest entry per file.

    Examples
    --------
    >>> from sigsurv.cohorts.recipe import load_recipe, bundled_recipe_path
    >>> result = FetchResult(load_recipe(bundled_recipe_path("gse2034")), {})
    >>> result.recipe.id, dict(result.paths)
    ('gse2034', {})
    """

    recipe: Recipe
    paths: Mapping[str, Path]
    entries: tuple[Mapping[str, Any], ...] = field(default=())
    cache: Path = Path()


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """The cache folder: ``cache_dir``, else ``$SIGSURV_DATA_DIR``, else the user cache.

    Examples
    --------
    >>> str(cache_root("/tmp/sigsurv-cache"))
    '/tmp/sigsurv-cache'
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    override = os.environ.get("SIGSURV_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("sigsurv", appauthor=False))


def _usable_cache(root: Path) -> Path:
    """Create the cache folder, or say in one line why it cannot be used."""
    hint = "pass --cache FOLDER (cache_dir=) or set SIGSURV_DATA_DIR to a writable folder"
    try:
        root.mkdir(parents=True, exist_ok=True)
        usable = root.is_dir() and os.access(root, os.W_OK | os.X_OK)
        reason = "not a writable folder"
    except (OSError, ValueError) as exc:
        usable, reason = False, f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}"
    if not usable:
        raise FetchError("the cache folder is unusable", file=root, found=reason, hint=hint)
    return root


def _recipe_folder(root: Path, recipe_id: str) -> Path:
    """``<cache>/<id>``, created; refused unless it resolves to a folder inside the cache."""
    try:
        check_recipe_id(recipe_id)
    except FileFormatError as exc:
        raise FetchError(exc.message, expected=exc.expected, found=exc.found) from None
    folder = root / recipe_id
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise FetchError(
            "cannot create the recipe's cache folder", file=folder, found=exc.strerror
        ) from None
    if folder.is_symlink() or folder.resolve().parent != root.resolve() or not folder.is_dir():
        raise FetchError(
            "the recipe's cache folder is not a plain folder inside the cache",
            file=folder,
            hint="remove it; sigsurv creates it again",
        )
    return folder


def mirror_url(url: str, mirror: str | None) -> str:
    """Replace the scheme and host of ``url`` with the mirror's (a mirror path prefixes).

    Examples
    --------
    >>> mirror_url("https://ftp.ncbi.nlm.nih.gov/geo/series/GSE2nnn/x.gz", "http://127.0.0.1:8000")
    'http://127.0.0.1:8000/geo/series/GSE2nnn/x.gz'
    >>> mirror_url("https://a.org/b/c.txt", "http://m.local/copy/")
    'http://m.local/copy/b/c.txt'
    """
    if not mirror:
        return url
    target = urlsplit(mirror)
    if target.scheme.lower() not in ("http", "https") or not target.netloc:
        raise FetchError(
            "mirror must be an http:// or https:// URL with a host",
            expected="e.g. http://mirror.example.org",
            found=mirror,
        )
    original = urlsplit(url)
    path = target.path.rstrip("/") + original.path
    return urlunsplit((target.scheme, target.netloc, path, original.query, ""))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (waiting for it); the kernel frees it on exit."""
    import fcntl

    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.exists():
        return {"files": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.setdefault("files", {}), dict):
            raise ValueError("not a JSON object with a 'files' object")
    except (OSError, ValueError) as exc:
        raise FetchError(
            "cache manifest is unreadable", file=path, found=str(exc), hint="remove the cache"
        ) from None
    return data


def _write_manifest(root: Path, manifest: Mapping[str, Any]) -> None:
    # Atomic: a crash leaves the previous manifest, never half a JSON file.
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".manifest-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(manifest, stream, indent=2, sort_keys=True)
    os.replace(temporary, root / MANIFEST)


def _record_in_manifest(root: Path, records: Mapping[str, Any], recipe: Recipe) -> None:
    """Merge this fetch's records into the manifest under its lock (read, update, write)."""
    with _locked(root / MANIFEST_LOCK):
        manifest = _read_manifest(root)
        manifest["files"].update(records)
        manifest.setdefault("recipes", {})[recipe.id] = {
            "source": recipe.source,
            "unverified": recipe.unverified_fields(),
        }
        _write_manifest(root, manifest)


def user_recipe_path(recipe_id: str, cache_dir: str | Path | None = None) -> Path | None:
    """A user's own recipe ``<cache>/recipes/<id>.yaml``, if there is one.

    Users keep recipes there to refer to them by id, like the shipped ones (a user
    recipe with a shipped recipe's id takes precedence). Only a valid recipe id is
    looked up (an id is never a path).

    Examples
    --------
    >>> user_recipe_path("mine", cache_dir="/nonexistent") is None
    True
    >>> user_recipe_path("../../etc/x", cache_dir="/tmp") is None
    True
    """
    if not _is_recipe_id(recipe_id):
        return None
    path = cache_root(cache_dir) / USER_RECIPES / f"{recipe_id}.yaml"
    return path if path.is_file() else None


def _is_recipe_id(text: str) -> bool:
    try:
        check_recipe_id(text)
    except FileFormatError:
        return False
    return True


def _resolve_recipe(name_or_recipe: str | Path | Recipe, cache_dir: str | Path | None) -> Recipe:
    if isinstance(name_or_recipe, Recipe):
        return name_or_recipe
    text = str(name_or_recipe)
    if text.endswith((".yaml", ".yml")) or Path(text).is_file():
        return load_recipe(text)
    return load_recipe(user_recipe_path(text, cache_dir) or bundled_recipe_path(text))


def _progress_callback(progress: bool | Callable[[int, int], Any]) -> Any:
    """``(done, total)`` callback, a tqdm bar factory, or None."""
    if callable(progress):
        return progress
    if not progress:
        return None
    if importlib.util.find_spec("tqdm") is None:
        raise FetchError(
            "a progress bar needs the optional package tqdm",
            hint="pip install tqdm, or pass a callback progress(done, total)",
        )
    return "tqdm"


def _open_following_redirects(url: str, remote: RemoteFile, hops: list[str]) -> Any:
    """GET ``url`` (streamed), following at most a few redirects; a redirect to another
    host is refused for a file the recipe has no SHA-256 for (its content is unchecked)."""
    import requests

    current = url
    for _ in range(_MAX_REDIRECTS + 1):
        response = requests.get(
            current, stream=True, allow_redirects=False, timeout=_TIMEOUT_SECONDS
        )
        if not response.is_redirect:
            response.raise_for_status()
            return response
        target = urljoin(current, response.headers.get("location", ""))
        response.close()
        parts = urlsplit(target)
        if parts.scheme.lower() not in ("http", "https"):
            raise _RefusedError(FetchError("redirected to a non-http URL: refused", found=target))
        if parts.hostname != urlsplit(url).hostname and not remote.sha256:
            raise _RefusedError(
                FetchError(
                    f"{url} redirects to another host ({parts.hostname}): refused for a file "
                    "the recipe gives no SHA-256 for",
                    found=target,
                    hint="put the final URL in the recipe, or its sha256",
                )
            )
        hops.append(target)
        current = target
    raise _RefusedError(FetchError(f"{url}: more than {_MAX_REDIRECTS} redirects", found=current))


def _downloader(
    remote: RemoteFile, progress: Any, hops: list[str]
) -> Callable[[str, str, Any], None]:
    """A pooch downloader: streams into pooch's temporary file, then sniffs the content."""

    def download(url: str, output_file: str, _pooch: Any) -> None:
        response = _open_following_redirects(url, remote, hops)
        total = int(response.headers.get("content-length") or 0)
        bar = None
        if progress == "tqdm":
            from tqdm import tqdm

            bar = tqdm(total=total or None, unit="B", unit_scale=True, leave=True)
        done = 0
        with response, open(output_file, "wb") as out:
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)
                done += len(chunk)
                if bar is not None:
                    bar.update(len(chunk))
                elif progress is not None:
                    progress(done, max(total, done))
        if bar is not None:
            bar.close()
        _sniff(Path(output_file), remote, url)

    return download


def _is_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<error"))


def _sniff(path: Path, remote: RemoteFile, url: str) -> None:
    """Refuse content that cannot be the file the URL names (before it is trusted)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    name = remote.filename.lower()
    problem = None
    if _is_markup(head) and not name.endswith((".html", ".htm", ".xml")):
        problem = "the server sent an HTML/XML page, not the data file"
    elif name.endswith((".gz", ".tgz")) and head[:2] != b"\x1f\x8b":
        problem = "the file is not gzip data (no gzip magic bytes)"
    elif (name.endswith((".xlsx", ".zip")) or remote.sheet) and head[:4] != b"PK\x03\x04":
        problem = "the file is not a zip/xlsx container"
    elif remote.unpack or name.endswith((".tar", ".tgz")) or ".tar." in name:
        try:
            with tarfile.open(path) as bundle:
                bundle.next()
        except (tarfile.TarError, OSError, EOFError) as exc:
            problem = f"the archive does not open as tar ({type(exc).__name__})"
    if problem:
        raise _RefusedError(
            FetchError(
                f"{problem}: refused",
                file=remote.filename,
                found=head[:60].decode("latin-1").replace("\n", " "),
                hint=f"check {url} in a browser; nothing was written to the cache",
            )
        )


def _download(
    remote: RemoteFile,
    url: str,
    folder: Path,
    *,
    retries: int,
    progress: bool | Callable[[int, int], Any],
) -> tuple[Path, str]:
    """Download through pooch (temporary file in ``folder``, sniffed, verified, renamed);
    return the local path and the final URL after redirects."""
    import pooch
    import requests

    target = folder / remote.filename
    store = pooch.create(
        path=folder,
        base_url="",
        registry={remote.filename: f"sha256:{remote.sha256}" if remote.sha256 else None},
        urls={remote.filename: url},
        retry_if_failed=retries,
    )
    hops: list[str] = []
    download = _downloader(remote, _progress_callback(progress), hops)
    try:
        fetched = store.fetch(remote.filename, downloader=download)
    except _RefusedError as refused:
        raise refused.error from None
    except ValueError as exc:  # pooch: hash mismatch (the temporary file is removed)
        raise FetchError(
            "downloaded file does not match the recipe's SHA-256: refused",
            file=target,
            expected=remote.sha256,
            found=str(exc).split("\n")[0][:160],
            hint=f"{url} changed upstream or the download was altered",
        ) from None
    except (requests.exceptions.RequestException, OSError) as exc:
        raise FetchError(
            f"cannot download {url} into {folder}: {type(exc).__name__}",
            file=target,
            found=str(exc)[:200],
            hint="check the network, or pass --mirror URL / set SIGSURV_MIRROR",
        ) from None
    return Path(fetched), hops[-1] if hops else url


def _remove_stale_temporaries(folder: Path, keep: str) -> None:
    """Temporary files of killed downloads and unpackings (called under the recipe lock)."""
    for leftover in folder.iterdir():
        name = leftover.name
        # pooch's temporary files are tempfile names: 'tmp' and eight random characters.
        pooch_temporary = re.fullmatch(r"tmp[a-z0-9_]{8}", name) is not None
        if name == keep or not (pooch_temporary or name.startswith((".unpack-", ".old-"))):
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                leftover.unlink()


def _unpack(archive: Path, digest: str, into: Path, max_file_bytes: int) -> Path:
    """Unpack a tar archive into ``into``, again when its SHA-256 changed; the folder
    appears (or is replaced) only when complete."""
    target = into / (archive.name.split(".tar")[0].split(".tgz")[0] + "_unpacked")
    marker = target / ARCHIVE_MARKER
    if target.is_dir() and marker.is_file() and marker.read_text().strip() == digest:
        return target
    staging = Path(tempfile.mkdtemp(dir=into, prefix=".unpack-"))
    try:
        with tarfile.open(archive) as bundle:
            members = _checked_members(bundle, archive, max_file_bytes)
            _extract(bundle, members, staging)
        (staging / ARCHIVE_MARKER).write_text(digest + "\n")
        if target.exists():
            old = into / f".old-unpacked-{secrets.token_hex(4)}"
            os.rename(target, old)
            os.rename(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, target)
    except (tarfile.TarError, OSError, EOFError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise FetchError("cannot unpack archive", file=archive, found=str(exc)[:200]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _checked_members(
    bundle: tarfile.TarFile, archive: Path, member_limit: int
) -> list[tarfile.TarInfo]:
    """Every member, checked from its header before anything is written: regular files
    and folders only, relative paths inside the folder, sizes and count within limits."""
    total_limit = ARCHIVE_LIMIT_FACTOR * member_limit
    members: list[tarfile.TarInfo] = []
    total = 0
    for member in bundle:
        name = member.name
        parts = Path(name).parts
        if not (member.isfile() or member.isdir()) or name.startswith("/") or ".." in parts:
            raise FetchError("unsafe archive member: refused", file=archive, found=name)
        total += member.size
        members.append(member)
        problem = None
        if member.size > member_limit:
            problem = f"member larger than the input limit ({member_limit} bytes)"
        elif total > total_limit:
            problem = f"members larger than {ARCHIVE_LIMIT_FACTOR} x the input limit in all"
        elif len(members) > MAX_ARCHIVE_MEMBERS:
            problem = f"more than {MAX_ARCHIVE_MEMBERS} members"
        if problem:
            raise FetchError(
                f"archive refused before unpacking: {problem}",
                file=archive,
                found=f"{name} ({member.size} bytes; {total} bytes so far)",
                hint="raise the limit with --max-input-mib if the archive is genuine",
            )
    return members


def _extract(bundle: tarfile.TarFile, members: list[tarfile.TarInfo], folder: Path) -> None:
    root = folder.resolve()
    for member in members:
        destination = (folder / member.name).resolve()
        if root not in (destination, *destination.parents):
            raise tarfile.TarError(f"unsafe archive member {member.name!r}")
    if hasattr(tarfile, "data_filter"):
        bundle.extractall(folder, members=members, filter="data")
    else:  # Python without extraction filters: the members were checked above
        bundle.extractall(folder, members=members)


def _verify_cached(path: Path, remote: RemoteFile, record: Mapping[str, Any] | None) -> str:
    if not path.is_file() or path.is_symlink():
        raise FetchError(
            "cache entry is not a regular file", file=path, hint="delete it to download again"
        )
    digest = _sha256(path)
    expected = remote.sha256 or (record or {}).get("sha256")
    if expected and digest != expected:
        raise FetchError(
            "cached file does not match its recorded SHA-256",
            file=path,
            expected=expected,
            found=digest,
            hint="delete the file to download it again",
        )
    if expected is None:  # a file nobody recorded: sniff it before trusting it
        try:
            _sniff(path, remote, remote.url)
        except _RefusedError as refused:
            raise refused.error from None
    return digest


def fetch(
    name_or_recipe: str | Path | Recipe,
    *,
    cache_dir: str | Path | None = None,
    mirror: str | None = None,
    progress: bool | Callable[[int, int], Any] = False,
    retries: int = 2,
    clock: Callable[[], datetime] | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> FetchResult:
    """Download (or reuse from the cache) every file of a cohort recipe.

    Parameters
    ----------
    name_or_recipe
        A recipe id (the user's ``<cache>/recipes/<id>.yaml``, else a shipped recipe
        such as ``gse2034``), a recipe file, or a :class:`Recipe`.
    cache_dir
        Cache folder (default ``$SIGSURV_DATA_DIR`` or the user cache folder).
    mirror
        Replace the scheme and host of every URL (default ``$SIGSURV_MIRROR``).
    progress
        ``True`` shows pooch's progress bar (needs ``tqdm``); a callable is called
        with ``(bytes done, bytes total)`` as the download proceeds.
    retries
        Further download attempts after a failure.
    max_file_bytes
        The input limit (see :class:`sigsurv.cohorts.options.LoadOptions`): an archive
        member larger than it, or members larger than ``ARCHIVE_LIMIT_FACTOR`` times it
        in all, are refused before anything is unpacked.

    Returns
    -------
    FetchResult
        The local path of each file role; the recipe is copied into the cache so
        that its id resolves offline later.

    Raises
    ------
    FetchError
        Unreachable URL (naming it and the cache path), hash mismatch (nothing is
        left in the cache), or a cached file that no longer matches its hash.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> recipe = folder / "toy.yaml"
    >>> _ = recipe.write_text("id: toy\\nloader: anndata\\nfiles:\\n"
    ...                       "  expression: {url: 'http://127.0.0.1:9/x.h5ad'}\\n")
    >>> fetch(recipe, cache_dir=folder / "cache", retries=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.cohorts.fetch.FetchError: ...cannot download http://127.0.0.1:9/x.h5ad into ...
    """
    recipe = _resolve_recipe(name_or_recipe, cache_dir)
    if recipe.is_local and not any(f.unpack for f in recipe.files.values()):
        return local_files(recipe)  # a cohort spec: nothing to download or cache
    root = _usable_cache(cache_root(cache_dir))
    folder = _recipe_folder(root, recipe.id)
    mirror = mirror if mirror is not None else os.environ.get("SIGSURV_MIRROR") or None
    now = (clock or (lambda: datetime.now(timezone.utc)))().isoformat(timespec="seconds")
    paths: dict[str, Path] = {}
    entries: list[dict[str, Any]] = []
    records: dict[str, Any] = {}
    with _locked(folder / _RECIPE_LOCK):  # one fetch of this recipe at a time
        known = _read_manifest(root)["files"]
        for role, remote in recipe.files.items():
            key = f"{recipe.id}/{role}/{remote.filename}"
            local, record, how = _fetch_file(
                remote,
                folder / role,
                known.get(key),
                mirror_url(remote.url, mirror),
                now=now,
                retries=retries,
                progress=progress,
            )
            records[key] = record
            unpacked = (
                _unpack(local, record["sha256"], folder / role, max_file_bytes)
                if remote.unpack
                else local
            )
            paths[role] = unpacked
            entries.append(
                {"recipe": recipe.id, "role": role, "path": str(local), "status": how, **record}
            )
        if recipe.text:
            _write_atomically(folder / RECIPE_COPY, recipe.text)
    _record_in_manifest(root, records, recipe)
    return FetchResult(recipe=recipe, paths=paths, entries=tuple(entries), cache=folder)


def _fetch_file(
    remote: RemoteFile,
    folder: Path,
    record: Mapping[str, Any] | None,
    url: str,
    *,
    now: str,
    retries: int,
    progress: bool | Callable[[int, int], Any],
) -> tuple[Path, Mapping[str, Any], str]:
    """One role: reuse (verified) or download into its own folder; return the path, the
    manifest record and ``"cached"``/``"downloaded"``."""
    folder.mkdir(exist_ok=True)
    _remove_stale_temporaries(folder, keep=remote.filename)
    if remote.path is not None:  # a local file of a cohort spec: used in place
        digest = _verify_local(remote)
        record = {"path": str(remote.path), "sha256": digest, "recorded": now, "trust": "local"}
        return remote.path, record, "local"
    local = folder / remote.filename
    if remote.sha256 and local.is_file() and not local.is_symlink():
        if _sha256(local) != remote.sha256:
            # The recipe pins a new release: download it (verified) over the old one.
            local.unlink()
    if local.exists() or local.is_symlink():
        digest = _verify_cached(local, remote, record)
        if record is not None:
            return local, record, "cached"
        how, final_url = "cached", url
    else:
        local, final_url = _download(remote, url, folder, retries=retries, progress=progress)
        digest, how = _sha256(local), "downloaded"
    return (
        local,
        {
            "url": remote.url,
            "fetched_from": url,
            "final_url": final_url,
            "sha256": digest,
            "recorded": now,
            "trust": "verified against the recipe" if remote.sha256 else "trust on first use",
        },
        how,
    )


def _verify_local(remote: RemoteFile) -> str | None:
    """A spec's local file: it must exist; its SHA-256 must match when the spec gives one."""
    path = remote.path
    assert path is not None
    if not path.exists():
        raise FetchError(f"file of role {remote.role!r} not found", file=path)
    if path.is_dir():
        return None
    digest = _sha256(path)
    if remote.sha256 and digest != remote.sha256:
        raise FetchError(
            "local file does not match the SHA-256 the spec gives",
            file=path,
            expected=remote.sha256,
            found=digest,
        )
    return digest


def local_files(recipe: Recipe) -> FetchResult:
    """The files of a cohort spec (every file a local ``path:``), checked, used in place.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sigsurv.cohorts.recipe import load_recipe
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "GSE1_series_matrix.txt").write_text("x")
    >>> _ = (folder / "spec.yaml").write_text("id: mine\\nloader: geo\\nfiles:\\n"
    ...     "  series_matrix: {path: GSE1_series_matrix.txt}\\n")
    >>> result = local_files(load_recipe(folder / "spec.yaml"))
    >>> result.paths["series_matrix"].name, result.entries[0]["status"]
    ('GSE1_series_matrix.txt', 'local')
    """
    paths: dict[str, Path] = {}
    entries = []
    for role, remote in recipe.files.items():
        if remote.path is None:
            raise FetchError(f"file of role {role!r} has a url: fetch the recipe", found=remote.url)
        digest = _verify_local(remote)
        paths[role] = remote.path
        entries.append(
            {
                "recipe": recipe.id,
                "role": role,
                "path": str(remote.path),
                "status": "local",
                "sha256": digest,
                "trust": "local file",
            }
        )
    return FetchResult(recipe=recipe, paths=paths, entries=tuple(entries))


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".recipe-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


def cached_recipe_path(recipe_id: str, cache_dir: str | Path | None = None) -> Path | None:
    """The copy of a fetched recipe in the cache, or None if it was never fetched.

    Examples
    --------
    >>> cached_recipe_path("never-fetched", cache_dir="/nonexistent") is None
    True
    """
    if not _is_recipe_id(recipe_id):
        return None
    path = cache_root(cache_dir) / recipe_id / RECIPE_COPY
    return path if path.is_file() else None
