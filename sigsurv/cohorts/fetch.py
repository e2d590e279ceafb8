"""Download a cohort's files into a user cache, verified, once.

``fetch(recipe)`` downloads every file of a recipe with pooch (retries, optional
progress bar) into ``<cache>/<recipe id>/``. The cache is the platform's user cache
folder (platformdirs) unless ``cache_dir`` or ``SIGSURV_DATA_DIR`` says otherwise.

Integrity:

* a file whose SHA-256 the recipe knows is verified; a mismatch is refused and
  nothing is left in the cache (pooch downloads to a temporary file in the same
  folder and renames it only once complete and verified);
* a file whose hash the recipe does not know is hashed at first download and the
  hash is recorded in the cache manifest (trust on first use); later fetches check
  the cached file against it;
* an interrupted download leaves only pooch's temporary file, removed on failure,
  never a file under the final name.

``mirror`` (or ``SIGSURV_MIRROR``) replaces the scheme and host of every URL, for
institutional mirrors and offline copies. Archives (``.tar.gz`` study bundles) are
unpacked once, into a folder renamed into place when complete.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sigsurv.cohorts.recipe import Recipe, RemoteFile, bundled_recipe_path, load_recipe
from sigsurv.errors import SigsurvInputError

__all__ = [
    "FetchError",
    "FetchResult",
    "cache_root",
    "cached_recipe_path",
    "fetch",
    "mirror_url",
    "user_recipe_path",
]

MANIFEST = "manifest.json"
RECIPE_COPY = "recipe.yaml"
USER_RECIPES = "recipes"


class FetchError(SigsurvInputError):
    """A download failed, was refused (wrong hash), or a cache entry does not verify.

    Examples
    --------
    >>> str(FetchError("cannot download http://h/x", file="/cache/x"))
    '/cache/x: cannot download http://h/x'
    """


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
    if not target.scheme or not target.netloc:
        raise FetchError(
            "mirror must be a URL with scheme and host",
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


def _read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.exists():
        return {"files": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FetchError(
            "cache manifest is unreadable", file=path, found=str(exc), hint="remove the cache"
        ) from None
    data.setdefault("files", {})
    return data


def _write_manifest(root: Path, manifest: Mapping[str, Any]) -> None:
    # Atomic: a crash leaves the previous manifest, never half a JSON file.
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".manifest-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(manifest, stream, indent=2, sort_keys=True)
    os.replace(temporary, root / MANIFEST)


def user_recipe_path(recipe_id: str, cache_dir: str | Path | None = None) -> Path | None:
    """A user's own recipe ``<cache>/recipes/<id>.yaml``, if there is one.

    Users keep recipes there to refer to them by id, like the shipped ones (a user
    recipe with a shipped recipe's id takes precedence).

    Examples
    --------
    >>> user_recipe_path("mine", cache_dir="/nonexistent") is None
    True
    """
    path = cache_root(cache_dir) / USER_RECIPES / f"{recipe_id}.yaml"
    return path if path.is_file() else None


def _resolve_recipe(name_or_recipe: str | Path | Recipe, cache_dir: str | Path | None) -> Recipe:
    if isinstance(name_or_recipe, Recipe):
        return name_or_recipe
    text = str(name_or_recipe)
    if text.endswith((".yaml", ".yml")) or Path(text).is_file():
        return load_recipe(text)
    return load_recipe(user_recipe_path(text, cache_dir) or bundled_recipe_path(text))


class _ProgressAdapter:
    """The progress-bar object pooch drives (``total``, ``update``, ``reset``, ``close``),
    reporting ``(bytes done, bytes total)`` to a callback (e.g. the CLI's rich bar)."""

    def __init__(self, callback: Callable[[int, int], Any]) -> None:
        self.callback = callback
        self.total = 0
        self.n = 0

    def update(self, n: int) -> None:
        self.n += int(n)
        self.callback(min(self.n, self.total or self.n), self.total)

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        return None


def _progress_bar(progress: bool | Callable[[int, int], Any]) -> Any:
    if callable(progress):
        return _ProgressAdapter(progress)
    if progress and importlib.util.find_spec("tqdm") is None:
        raise FetchError(
            "a progress bar needs the optional package tqdm",
            hint="pip install tqdm, or pass a callback progress(done, total)",
        )
    return bool(progress)


def _download(
    remote: RemoteFile,
    url: str,
    folder: Path,
    *,
    retries: int,
    progress: bool | Callable[[int, int], Any],
) -> Path:
    """Download through pooch: temporary file in ``folder``, verified, then renamed."""
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
    bar = _progress_bar(progress)  # outside the try: its own error is not a hash mismatch
    try:
        fetched = store.fetch(remote.filename, progressbar=bar)
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
    return Path(fetched)


def _unpack(archive: Path) -> Path:
    """Unpack a tar archive once, next to it; the folder appears only when complete."""
    target = archive.parent / (archive.name.split(".tar")[0].split(".tgz")[0] + "_unpacked")
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(dir=archive.parent, prefix=".unpack-"))
    try:
        with tarfile.open(archive) as bundle:
            _extract_safely(bundle, staging)
        os.replace(staging, target)
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise FetchError("cannot unpack archive", file=archive, found=str(exc)[:200]) from None
    return target


def _extract_safely(bundle: tarfile.TarFile, folder: Path) -> None:
    """Extract regular files and folders only, all inside ``folder`` (no links, no ..)."""
    root = folder.resolve()
    for member in bundle.getmembers():
        destination = (folder / member.name).resolve()
        if not (member.isfile() or member.isdir()) or root not in (
            destination,
            *destination.parents,
        ):
            raise tarfile.TarError(f"unsafe archive member {member.name!r}")
    if hasattr(tarfile, "data_filter"):
        bundle.extractall(folder, filter="data")
    else:  # Python without extraction filters: the members were checked above
        bundle.extractall(folder)


def _verify_cached(path: Path, remote: RemoteFile, record: Mapping[str, Any] | None) -> str:
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
    return digest


def fetch(
    name_or_recipe: str | Path | Recipe,
    *,
    cache_dir: str | Path | None = None,
    mirror: str | None = None,
    progress: bool | Callable[[int, int], Any] = False,
    retries: int = 2,
    clock: Callable[[], datetime] | None = None,
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
    root = cache_root(cache_dir)
    folder = root / recipe.id
    folder.mkdir(parents=True, exist_ok=True)
    mirror = mirror if mirror is not None else os.environ.get("SIGSURV_MIRROR") or None
    now = (clock or (lambda: datetime.now(timezone.utc)))().isoformat(timespec="seconds")
    manifest = _read_manifest(root)
    paths: dict[str, Path] = {}
    entries: list[dict[str, Any]] = []
    for role, remote in recipe.files.items():
        url = mirror_url(remote.url, mirror)
        key = f"{recipe.id}/{remote.filename}"
        record = manifest["files"].get(key)
        local = folder / remote.filename
        if local.exists():
            digest = _verify_cached(local, remote, record)
            how = "cached"
        else:
            local = _download(remote, url, folder, retries=retries, progress=progress)
            digest = _sha256(local)
            how = "downloaded"
        trust = "verified against the recipe" if remote.sha256 else "trust on first use"
        if record is None or how == "downloaded":
            record = {
                "url": remote.url,
                "fetched_from": url,
                "sha256": digest,
                "recorded": now,
                "trust": trust,
            }
            manifest["files"][key] = record
        paths[role] = _unpack(local) if remote.unpack else local
        entries.append(
            {"recipe": recipe.id, "role": role, "path": str(local), "status": how, **record}
        )
    if recipe.text:
        (folder / RECIPE_COPY).write_text(recipe.text, encoding="utf-8")
    manifest.setdefault("recipes", {})[recipe.id] = {
        "source": recipe.source,
        "unverified": recipe.unverified_fields(),
    }
    _write_manifest(root, manifest)
    return FetchResult(recipe=recipe, paths=paths, entries=tuple(entries), cache=folder)


def cached_recipe_path(recipe_id: str, cache_dir: str | Path | None = None) -> Path | None:
    """The copy of a fetched recipe in the cache, or None if it was never fetched.

    Examples
    --------
    >>> cached_recipe_path("never-fetched", cache_dir="/nonexistent") is None
    True
    """
    path = cache_root(cache_dir) / recipe_id / RECIPE_COPY
    return path if path.is_file() else None
