"""Cohort recipes: where a public cohort's files live and how to read them (YAML).

A recipe names its files (``files: {role: {url, sha256}}``), the loader that reads
them (``table``, ``cbioportal``, ``geo``, ``tcga``, ``anndata``), the loader options,
extra endpoints and clinical standardisation overrides::

    id: gse2034
    title: Rotterdam lymph-node-negative breast cancer (Wang 2005)
    citation: Wang Y et al. Lancet 2005;365:671-9
    loader: geo
    files:
      series_matrix: {url: https://..., sha256: null, unverified: [url]}
      platform: {url: https://..., sha256: null}
    options: {time: ..., event: ..., time_unit: months, endpoint_name: rfs}
    endpoints: {bmfs: {time: ..., event: ..., unit: months, note: ...}}
    standardise: {er: {column: ..., positive: [...], negative: [...]}}

Any mapping may say ``unverified: true`` (all its fields) or ``unverified: [field, ...]``:
the fields that could not be checked against the real files when the recipe was
written (a URL never downloaded, a column name taken from documentation). They are
reported by :meth:`Recipe.unverified_fields` and in every fetch manifest.

Recipes shipped with sigsurv live in ``sigsurv/cohorts/recipes/``; users write their own
anywhere and pass the path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sigsurv.errors import FileFormatError

__all__ = [
    "LOADERS",
    "EndpointRecipe",
    "Recipe",
    "RemoteFile",
    "bundled_recipe_path",
    "check_recipe_id",
    "list_recipes",
    "load_recipe",
    "parse_recipe",
]

LOADERS = ("table", "cbioportal", "geo", "tcga", "anndata")
_ROLES = {
    "table": ({"expression", "clinical"}, {"platform"}),
    "cbioportal": ({"archive"}, set()),
    "geo": ({"series_matrix"}, {"platform", "expression", "clinical"}),
    "tcga": ({"expression"}, {"clinical", "survival", "phenotype", "aliquots"}),
    "anndata": ({"expression"}, set()),
}
_TOP_KEYS = {"id", "title", "citation", "loader", "files", "options", "endpoints", "standardise"}
_TOP_KEYS |= {"notes", "unverified", "license", "strata"}
LinePath = tuple[Any, ...]


@dataclass(frozen=True)
class RemoteFile:
    """One file of a recipe: its URL, SHA-256 when known, and how it is stored.

    Examples
    --------
    >>> RemoteFile("platform", "https://example.org/GPL96.annot.gz").filename
    'GPL96.annot.gz'
    """

    role: str
    url: str
    sha256: str | None = None
    unpack: bool = False
    unverified: tuple[str, ...] = ()
    #: A file on disk (a cohort spec's ``path:``, resolved against the recipe's folder)
    #: instead of a URL: used in place, never downloaded.
    path: Path | None = None
    #: For a workbook (``.xlsx``): the sheet read as the table.
    sheet: str | None = None

    @property
    def filename(self) -> str:
        """File name in the cache (the last part of the URL path), or the local name."""
        if self.path is not None:
            return self.path.name
        return cache_file_name(self.url) or self.role


@dataclass(frozen=True)
class EndpointRecipe:
    """An extra endpoint to decode from clinical columns.

    Examples
    --------
    >>> EndpointRecipe("bmfs", "t", "e", "months").unit
    'months'
    """

    name: str
    time: str
    event: str
    unit: str | None = None
    note: str = ""
    codes: Mapping[str, int] | None = None
    site_column: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class Recipe:
    """A parsed, validated cohort recipe.

    Examples
    --------
    >>> recipe = parse_recipe(
    ...     "id: toy\\nloader: table\\nfiles:\\n"
    ...     "  expression: {url: 'http://127.0.0.1/e.tsv'}\\n"
    ...     "  clinical: {url: 'http://127.0.0.1/c.tsv', unverified: [url]}\\n",
    ...     "toy.yaml")
    >>> recipe.id, sorted(recipe.files), recipe.unverified_fields()
    ('toy', ['clinical', 'expression'], ['files.clinical.url'])
    """

    id: str
    loader: str
    files: Mapping[str, RemoteFile]
    title: str = ""
    citation: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    endpoints: tuple[EndpointRecipe, ...] = ()
    standardise: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    notes: str = ""
    source: str = ""
    text: str = ""
    unverified: tuple[str, ...] = ()
    #: A clinical column the cohort's analyses stratify by (pooled studies: the study).
    strata: str | None = None

    def unverified_fields(self) -> list[str]:
        """Dotted paths of every field marked unverified in the recipe."""
        return list(self.unverified)

    @property
    def is_local(self) -> bool:
        """True for a cohort spec: every file is a local ``path:`` (nothing to fetch)."""
        return bool(self.files) and all(f.path is not None for f in self.files.values())


#: Largest recipe file read (a recipe is a few dozen lines; the largest shipped is 2 kB).
MAX_RECIPE_BYTES = 256 * 1024
#: A recipe id names a folder in the cache: a short slug, nothing a path could read.
_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
#: Names in the cache folder that an id may not take (the user-recipe folder, the
#: manifest and its lock).
RESERVED_IDS = frozenset({"recipes", "manifest.json", "manifest.lock", "con", "nul", "aux"})
_SCHEMES = ("http", "https")
_UNITS = ("days", "months", "years")


def check_recipe_id(recipe_id: str, *, file: str | None = None, line: int | None = None) -> str:
    """Refuse a recipe id that is not a short slug (it names a folder in the cache).

    An id is 1-64 characters: lower-case letters, digits, ``_``, ``-`` and ``.``,
    starting with a letter or digit; ``.``, ``..`` and reserved names such as
    ``recipes`` (the user-recipe folder) are refused.

    Examples
    --------
    >>> check_recipe_id("gse2034")
    'gse2034'
    >>> check_recipe_id("../../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: recipe id must be a short slug; ...
    """
    if not isinstance(recipe_id, str) or not _ID_PATTERN.fullmatch(recipe_id):
        raise FileFormatError(
            "recipe id must be a short slug",
            file=file,
            line=line,
            expected="1-64 of a-z 0-9 _ - . starting with a letter or digit",
            found=repr(recipe_id),
        )
    if recipe_id in RESERVED_IDS or set(recipe_id) == {"."}:
        raise FileFormatError(
            "recipe id is a reserved name",
            file=file,
            line=line,
            expected=f"not one of {', '.join(sorted(RESERVED_IDS))}",
            found=recipe_id,
        )
    return recipe_id


def _parse_yaml(text: str, file: str) -> tuple[Any, dict[LinePath, int]]:
    """Parse YAML through the strict reader (alias budget, depth, duplicate keys)."""
    from sigsurv._yaml import load_document
    from sigsurv.errors import SignatureError

    try:
        return load_document(text, file)
    except SignatureError as err:
        raise FileFormatError(
            err.message, file=err.file, line=err.line, expected=err.expected, hint=err.hint
        ) from None


class _Checker:
    """Schema checks that name the file and the line of the offending field."""

    def __init__(self, file: str, lines: dict[LinePath, int]) -> None:
        self.file = file
        self.lines = lines

    def line(self, path: LinePath) -> int | None:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def fail(self, path: LinePath, message: str, **details: Any) -> FileFormatError:
        where = ".".join(map(str, path))
        return FileFormatError(
            f"recipe field {where!r}: {message}" if where else message,
            file=self.file,
            line=self.line(path),
            **details,
        )

    def mapping(self, value: Any, path: LinePath) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, "must be a mapping", found=type(value).__name__)
        for key in value:
            if not isinstance(key, str):
                raise self.fail(
                    path,
                    "field names must be text",
                    found=repr(key),
                    hint="quote it: YAML reads unquoted ~, null, yes, no and numbers otherwise",
                )
        return value

    def text(self, value: Any, path: LinePath, *, required: bool = False) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(path, "must be a non-empty text", found=repr(value))
        return value

    def unverified(self, mapping: dict[str, Any], path: LinePath) -> list[str]:
        flag = mapping.pop("unverified", None)
        prefix = ".".join(map(str, path))
        if flag is None or flag is False:
            return []
        if flag is True:
            return [f"{prefix}.{key}" if prefix else key for key in mapping]
        if isinstance(flag, list) and all(isinstance(k, str) for k in flag):
            unknown = [k for k in flag if k not in mapping]
            if unknown:
                raise self.fail(
                    (*path, "unverified"),
                    "names a field that is not there",
                    found=", ".join(unknown),
                )
            return [f"{prefix}.{key}" if prefix else key for key in flag]
        raise self.fail(
            (*path, "unverified"), "must be true or a list of field names", found=repr(flag)
        )


def cache_file_name(url: str) -> str | None:
    """The file name a URL is cached under (the last part of its path, unquoted), or
    None when that name is unusable (empty, ``.``, ``..``, a control character).

    Examples
    --------
    >>> cache_file_name("https://h.org/TCGA.BRCA.sampleMap%2FHiSeqV2.gz")
    'TCGA.BRCA.sampleMap_HiSeqV2.gz'
    >>> cache_file_name("https://h.org/a/%2e%2e") is None
    True
    """
    from urllib.parse import unquote, urlsplit

    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).replace("/", "_").replace("\\", "_")
    if not name or set(name) == {"."} or len(name.encode()) > 200:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return None
    return name


def _check_url(check: _Checker, url: str, path: LinePath) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as err:
        raise check.fail(path, "is not a valid URL", found=f"{url} ({err})") from None
    if parts.scheme.lower() not in _SCHEMES or not host:
        raise check.fail(
            path,
            "must be an http:// or https:// URL with a host",
            found=url,
            hint="a file on disk is named with `path:` (relative to the recipe) instead of `url:`",
        )
    if cache_file_name(url) is None:
        raise check.fail(
            path,
            "URL does not end in a usable file name",
            expected="a file name after the last '/' (not '.', '..' or control characters)",
            found=url,
        )


def _is_tar_name(name: str) -> bool:
    """``.tar``, ``.tgz`` and ``.tar.<compression>`` (gz, bz2, xz...) archives."""
    return name.endswith((".tar", ".tgz")) or ".tar." in name


def _local_path(check: _Checker, value: Any, path: LinePath, base: Path | None) -> Path:
    """A ``path:`` entry: relative to the recipe's folder, and it must exist."""
    text = check.text(value, path, required=True)
    if "\0" in text or "://" in text:
        raise check.fail(path, "must be a file path (no URL)", found=text)
    local = Path(text).expanduser()
    if not local.is_absolute():
        if base is None:
            raise check.fail(path, "a relative path needs a recipe file to be relative to")
        local = base / local
    if not local.exists():
        raise check.fail(path, "file not found", found=str(local))
    return local


def _remote_file(
    check: _Checker, role: str, value: Any, unverified: list[str], base: Path | None = None
) -> RemoteFile:
    path: LinePath = ("files", role)
    entry = dict(check.mapping(value, path))
    unverified.extend(check.unverified(entry, path))
    local = None
    if "path" in entry and "url" in entry:
        raise check.fail((*path, "path"), "give either url or path, not both")
    if "path" in entry:
        local = _local_path(check, entry.pop("path"), (*path, "path"), base)
        url = ""
    else:
        url = check.text(entry.pop("url", None), (*path, "url"), required=True)
        _check_url(check, url, (*path, "url"))
    sha256 = entry.pop("sha256", None)
    if sha256 is not None:
        if not isinstance(sha256, str):  # YAML read an all-digit hash as a number
            raise check.fail((*path, "sha256"), "must be quoted text", found=repr(sha256))
        sha256 = sha256.lower().removeprefix("sha256:")
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise check.fail((*path, "sha256"), "must be 64 hexadecimal digits", found=sha256)
    sheet = check.text(entry.pop("sheet", None), (*path, "sheet")) or None
    name = url.lower() if local is None else local.name.lower()
    unpack = entry.pop("unpack", _is_tar_name(name))
    if entry:
        raise check.fail(
            (*path, next(iter(entry))),
            "unknown field",
            expected="url or path, sha256, unpack, sheet, unverified",
        )
    if local is not None and local.is_dir():
        unpack = False  # an unpacked study folder is used as it is
    return RemoteFile(role, url, sha256, bool(unpack), path=local, sheet=sheet)


def _event_codes(check: _Checker, value: Any, path: LinePath) -> dict[str, int] | None:
    """``{value as written: 0 or 1}``; YAML's unquoted yes/no/on/off (booleans) refused."""
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        raise check.fail(path, "must map values to 0/1", found=repr(value))
    codes: dict[str, int] = {}
    for key, code in value.items():
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise check.fail(
                (*path, str(key)),
                "code must be text",
                found=repr(key),
                hint="quote it: YAML reads unquoted yes/no/on/off as true/false",
            )
        if isinstance(code, bool) or code not in (0, 1):
            raise check.fail((*path, str(key)), "must be 0 or 1", found=repr(code))
        codes[str(key)] = int(code)
    return codes


def _endpoints(check: _Checker, value: Any, unverified: list[str]) -> list[EndpointRecipe]:
    out = []
    for name, spec in check.mapping(value, ("endpoints",)).items():
        path: LinePath = ("endpoints", name)
        entry = dict(check.mapping(spec, path))
        unverified.extend(check.unverified(entry, path))
        unknown = sorted(
            set(entry) - {"time", "event", "unit", "note", "codes", "site_column", "site"}
        )
        if unknown:
            raise check.fail(
                (*path, unknown[0]),
                "unknown field",
                expected="time, event, unit, note, codes, site_column, site",
            )
        codes = _event_codes(check, entry.get("codes"), (*path, "codes"))
        unit = entry.get("unit")
        if unit is not None and unit not in _UNITS:
            raise check.fail(
                (*path, "unit"), "unknown time unit", expected=" | ".join(_UNITS), found=repr(unit)
            )
        out.append(
            EndpointRecipe(
                name=str(name).lower(),
                time=check.text(entry.get("time"), (*path, "time"), required=True),
                event=check.text(entry.get("event"), (*path, "event"), required=True),
                unit=unit,
                note=check.text(entry.get("note"), (*path, "note")),
                codes=codes,
                site_column=check.text(entry.get("site_column"), (*path, "site_column")) or None,
                site=check.text(entry.get("site"), (*path, "site")) or None,
            )
        )
    return out


_TEXT_OPTIONS = ("time", "event", "endpoint_name", "expression_file", "transform", "platform")


def _check_options(check: _Checker, options: dict[str, Any]) -> None:
    """Options the recipe reader can check before any file is read: texts and the unit."""
    for key in _TEXT_OPTIONS:
        if key in options:
            check.text(options[key], ("options", key), required=True)
    unit = options.get("time_unit")
    if unit is not None and unit not in _UNITS:
        raise check.fail(
            ("options", "time_unit"),
            "unknown time unit",
            expected=" | ".join(_UNITS),
            found=repr(unit),
        )


def parse_recipe(text: str, source: str = "<recipe>", *, base: Path | None = None) -> Recipe:
    """Parse and validate recipe text; errors name the file and line of the field.

    Examples
    --------
    >>> parse_recipe("id: x\\nloader: nope\\nfiles: {}\\n", "x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: x.yaml:2: recipe field 'loader': unknown loader; ...
    """
    if len(text) > MAX_RECIPE_BYTES:  # characters <= bytes: a cheap first bound
        raise FileFormatError(
            "recipe too large", file=source, expected=f"at most {MAX_RECIPE_BYTES} bytes"
        )
    data, lines = _parse_yaml(text, source)
    check = _Checker(source, lines)
    top = dict(check.mapping(data, ()))
    unknown = sorted(set(top) - _TOP_KEYS)
    if unknown:
        raise check.fail((unknown[0],), "unknown field", expected=", ".join(sorted(_TOP_KEYS)))
    unverified = check.unverified(top, ())
    recipe_id = check.text(top.get("id"), ("id",), required=True)
    check_recipe_id(recipe_id, file=source, line=check.line(("id",)))
    loader = check.text(top.get("loader"), ("loader",), required=True)
    if loader not in LOADERS:
        raise check.fail(("loader",), "unknown loader", expected=" | ".join(LOADERS), found=loader)
    files = {
        str(role): _remote_file(check, str(role), value, unverified, base)
        for role, value in check.mapping(top.get("files"), ("files",)).items()
    }
    required, optional = _ROLES[loader]
    missing = sorted(required - set(files))
    if missing:
        raise check.fail(
            ("files",),
            f"loader {loader!r} needs file {missing[0]!r}",
            expected=", ".join(sorted(required | optional)),
        )
    extra = sorted(set(files) - required - optional)
    if extra:
        raise check.fail(
            ("files", extra[0]),
            f"not a file role of loader {loader!r}",
            expected=", ".join(sorted(required | optional)),
        )
    options = dict(check.mapping(top.get("options"), ("options",)))
    unverified.extend(check.unverified(options, ("options",)))
    _check_options(check, options)
    standardise: dict[str, Mapping[str, Any]] = {}
    for name, spec in check.mapping(top.get("standardise"), ("standardise",)).items():
        entry = dict(check.mapping(spec, ("standardise", name)))
        unverified.extend(check.unverified(entry, ("standardise", name)))
        standardise[str(name)] = entry
    return Recipe(
        id=recipe_id,
        loader=loader,
        files=files,
        title=check.text(top.get("title"), ("title",)),
        citation=check.text(top.get("citation"), ("citation",)),
        options=options,
        endpoints=tuple(_endpoints(check, top.get("endpoints"), unverified)),
        standardise=standardise,
        notes=check.text(top.get("notes"), ("notes",)),
        source=source,
        text=text,
        unverified=tuple(unverified),
        strata=check.text(top.get("strata"), ("strata",)) or None,
    )


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe file.

    Examples
    --------
    >>> load_recipe(bundled_recipe_path("gse2034")).loader
    'geo'
    """
    from sigsurv._yaml import read_small_text

    text = read_small_text(
        path, what="recipe file", max_bytes=MAX_RECIPE_BYTES, error=FileFormatError
    )
    return parse_recipe(text, str(path), base=Path(path).resolve().parent)


def _bundled_dir() -> Path:
    return Path(str(resources.files("sigsurv.cohorts") / "recipes"))


def list_recipes() -> list[str]:
    """Ids of the recipes shipped with sigsurv.

    Examples
    --------
    >>> "metabric" in list_recipes()
    True
    """
    return sorted(p.stem for p in _bundled_dir().glob("*.yaml"))


def bundled_recipe_path(recipe_id: str) -> Path:
    """Path of a shipped recipe by id.

    Examples
    --------
    >>> bundled_recipe_path("gse2603").name
    'gse2603.yaml'
    """
    valid = isinstance(recipe_id, str) and _ID_PATTERN.fullmatch(recipe_id.lower())
    path = _bundled_dir() / f"{recipe_id.lower()}.yaml"
    if not valid or not path.is_file():
        raise FileFormatError(
            "no shipped recipe with this id",
            found=recipe_id,
            expected=", ".join(list_recipes()),
        )
    return path
