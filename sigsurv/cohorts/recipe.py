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
    "list_recipes",
    "load_recipe",
    "parse_recipe",
]

LOADERS = ("table", "cbioportal", "geo", "tcga", "anndata")
_ROLES = {
    "table": ({"expression", "clinical"}, {"platform"}),
    "cbioportal": ({"archive"}, set()),
    "geo": ({"series_matrix"}, {"platform", "expression"}),
    "tcga": ({"expression"}, {"clinical", "survival", "phenotype", "aliquots"}),
    "anndata": ({"expression"}, set()),
}
_TOP_KEYS = {"id", "title", "citation", "loader", "files", "options", "endpoints", "standardise"}
_TOP_KEYS |= {"notes", "unverified", "license"}
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

    @property
    def filename(self) -> str:
        """File name in the cache (the last part of the URL path)."""
        from urllib.parse import unquote, urlsplit

        name = unquote(urlsplit(self.url).path.rsplit("/", 1)[-1])
        return name.replace("/", "_") or self.role


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

    def unverified_fields(self) -> list[str]:
        """Dotted paths of every field marked unverified in the recipe."""
        return list(self.unverified)


def _parse_yaml(text: str, file: str) -> tuple[Any, dict[LinePath, int]]:
    """Parse YAML text; return the data and the 1-based line of every node path.

    The one place recipes meet YAML: same contract as ``sigsurv._yaml.load_document``
    (data, ``{path: line}``), so the strict helper can replace it.
    """
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise FileFormatError(
            f"invalid YAML: {err.problem or err}",
            file=file,
            line=None if mark is None else mark.line + 1,
        ) from None
    except yaml.YAMLError as err:
        raise FileFormatError(f"invalid YAML: {err}", file=file) from None
    lines: dict[LinePath, int] = {}

    def walk(item: Any, path: LinePath) -> None:
        lines[path] = item.start_mark.line + 1
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                key_path = (*path, str(key.value))
                walk(value, key_path)
                lines[key_path] = key.start_mark.line + 1
        elif isinstance(item, yaml.SequenceNode):
            for index, value in enumerate(item.value):
                walk(value, (*path, index))

    if node is not None:
        walk(node, ())
    return data, lines


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


def _remote_file(check: _Checker, role: str, value: Any, unverified: list[str]) -> RemoteFile:
    path: LinePath = ("files", role)
    entry = dict(check.mapping(value, path))
    unverified.extend(check.unverified(entry, path))
    url = check.text(entry.pop("url", None), (*path, "url"), required=True)
    if "://" not in url:
        raise check.fail((*path, "url"), "must be an absolute URL", found=url)
    sha256 = entry.pop("sha256", None)
    if sha256 is not None:
        if not isinstance(sha256, str):  # YAML read an all-digit hash as a number
            raise check.fail((*path, "sha256"), "must be quoted text", found=repr(sha256))
        sha256 = sha256.lower().removeprefix("sha256:")
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise check.fail((*path, "sha256"), "must be 64 hexadecimal digits", found=sha256)
    unpack = entry.pop("unpack", url.lower().endswith((".tar.gz", ".tgz", ".tar")))
    if entry:
        raise check.fail(
            (*path, next(iter(entry))), "unknown field", expected="url, sha256, unpack, unverified"
        )
    return RemoteFile(role, url, sha256, bool(unpack))


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
        codes = entry.get("codes")
        if codes is not None and not isinstance(codes, dict):
            raise check.fail((*path, "codes"), "must map values to 0/1", found=repr(codes))
        out.append(
            EndpointRecipe(
                name=str(name).lower(),
                time=check.text(entry.get("time"), (*path, "time"), required=True),
                event=check.text(entry.get("event"), (*path, "event"), required=True),
                unit=entry.get("unit"),
                note=check.text(entry.get("note"), (*path, "note")),
                codes={str(k): int(v) for k, v in codes.items()} if codes else None,
                site_column=check.text(entry.get("site_column"), (*path, "site_column")) or None,
                site=check.text(entry.get("site"), (*path, "site")) or None,
            )
        )
    return out


def parse_recipe(text: str, source: str = "<recipe>") -> Recipe:
    """Parse and validate recipe text; errors name the file and line of the field.

    Examples
    --------
    >>> parse_recipe("id: x\\nloader: nope\\nfiles: {}\\n", "x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sigsurv.errors.FileFormatError: x.yaml:2: recipe field 'loader': unknown loader; ...
    """
    data, lines = _parse_yaml(text, source)
    check = _Checker(source, lines)
    top = dict(check.mapping(data, ()))
    unknown = sorted(set(top) - _TOP_KEYS)
    if unknown:
        raise check.fail((unknown[0],), "unknown field", expected=", ".join(sorted(_TOP_KEYS)))
    unverified = check.unverified(top, ())
    recipe_id = check.text(top.get("id"), ("id",), required=True)
    loader = check.text(top.get("loader"), ("loader",), required=True)
    if loader not in LOADERS:
        raise check.fail(("loader",), "unknown loader", expected=" | ".join(LOADERS), found=loader)
    files = {
        str(role): _remote_file(check, str(role), value, unverified)
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
    )


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe file.

    Examples
    --------
    >>> load_recipe(bundled_recipe_path("gse2034")).loader
    'geo'
    """
    file = Path(path)
    if not file.is_file():
        raise FileFormatError("recipe file not found", file=file)
    return parse_recipe(file.read_text(encoding="utf-8"), str(file))


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
    path = _bundled_dir() / f"{recipe_id.lower()}.yaml"
    if not path.is_file():
        raise FileFormatError(
            "no shipped recipe with this id",
            found=recipe_id,
            expected=", ".join(list_recipes()),
        )
    return path
