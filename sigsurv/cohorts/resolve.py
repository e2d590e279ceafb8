"""Any cohort spec to a :class:`Cohort`: bundled name, recipe id, recipe file or SOURCE.

``resolve_cohort`` is what ``reproduce --cohort`` and the other commands need: one
string, the usual source options, one cohort. A recipe is loaded from the files a
previous :func:`sigsurv.cohorts.fetch.fetch` put in the cache (fetched now when
``download=True``), with the loader, options, endpoints and standardisation it names.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from sigsurv.cohorts.build import EndpointSpec
from sigsurv.cohorts.examples import EXAMPLES
from sigsurv.cohorts.fetch import FetchResult, cached_recipe_path, fetch, user_recipe_path
from sigsurv.cohorts.model import Cohort
from sigsurv.cohorts.options import LoadOptions
from sigsurv.cohorts.recipe import Recipe, list_recipes, load_recipe
from sigsurv.errors import FileFormatError, OptionError

__all__ = ["load_cohort", "load_recipe_cohort", "resolve_cohort"]

# Recipe option names -> loader keyword names (the CLI's spelling is accepted too).
_OPTION_NAMES = {"endpoint_name": "endpoint", "platform": None}


def _loader_options(recipe: Recipe) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, value in recipe.options.items():
        name = _OPTION_NAMES.get(key, key)
        if name is not None:
            options[name] = value
    return options


def _specs(recipe: Recipe) -> list[EndpointSpec]:
    return [
        EndpointSpec(
            e.name,
            e.time,
            e.event,
            unit=e.unit,
            codes=e.codes,
            site_column=e.site_column,
            site=e.site,
        )
        for e in recipe.endpoints
    ]


def _study_folder(unpacked: Path) -> Path:
    """The cBioPortal study folder inside an unpacked bundle (it may be nested once)."""
    from sigsurv.cohorts.cbioportal import find_study_folder

    study = find_study_folder(unpacked)
    if study is None:
        raise FileFormatError(
            "the unpacked archive holds no single cBioPortal study folder",
            file=unpacked,
            expected="meta_study.txt with meta_clinical_*.txt, or data_clinical_*.txt",
        )
    return study


def load_recipe_cohort(fetched: FetchResult, **overrides: Any) -> Cohort:
    """Load the cohort a fetched recipe describes.

    Parameters
    ----------
    fetched
        The result of :func:`sigsurv.cohorts.fetch.fetch`.
    overrides
        Loader options that replace the recipe's (e.g. ``collapse``); ``options``, a
        :class:`~sigsurv.cohorts.options.LoadOptions`, whose fields the recipe's
        options and the other overrides replace (its input limit also bounds a
        workbook's unpacked size).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sigsurv.cohorts.recipe import parse_recipe
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "e.tsv").write_text("gene\\ta\\tb\\nTP53\\t1\\t2\\n")
    >>> _ = (folder / "c.tsv").write_text("id\\tm\\ts\\na\\t5\\t1\\nb\\t7\\t0\\n")
    >>> recipe = parse_recipe("id: toy\\nloader: table\\nfiles:\\n"
    ...     "  expression: {url: 'http://127.0.0.1/e.tsv'}\\n"
    ...     "  clinical: {url: 'http://127.0.0.1/c.tsv'}\\n"
    ...     "options: {time: m, event: s, time_unit: months, endpoint_name: os}\\n")
    >>> paths = {"expression": folder / "e.tsv", "clinical": folder / "c.tsv"}
    >>> load_recipe_cohort(FetchResult(recipe, paths)).n_samples
    2

    A cohort spec names local files (``path:``, relative to the YAML) and may name a
    ``strata`` column; :func:`resolve_cohort` loads it without fetching anything.
    """
    sheet_notes: list[str] = []
    paths = dict(fetched.paths)
    limit = (overrides.get("options") or LoadOptions()).max_file_bytes
    for role, remote in fetched.recipe.files.items():
        if remote.sheet and role in paths:  # a workbook: its sheet as a TSV beside it
            from sigsurv.cohorts.workbook import sheet_to_tsv

            paths[role] = sheet_to_tsv(
                paths[role], remote.sheet, messages=sheet_notes, max_file_bytes=limit
            )
    cohort = _load_from_recipe(dataclasses.replace(fetched, paths=paths), overrides)
    cohort.messages = (*cohort.messages, *sheet_notes)
    strata = fetched.recipe.strata
    if strata:
        # The user-named stratification (Cohort.strata, validated by the Cohort: the column
        # must be a clinical field with two levels or more), also offered to the claims as a
        # stratifying column.
        cohort = cohort.with_strata(strata)
        if strata not in cohort.strata_columns:
            cohort = dataclasses.replace(cohort, strata_columns=(*cohort.strata_columns, strata))
    note = f"recipe {fetched.recipe.id} ({fetched.recipe.source or 'in memory'})"
    unverified = fetched.recipe.unverified_fields()
    if unverified:
        note += f"; fields not verified when the recipe was written: {', '.join(unverified)}"
    cohort.messages = (*cohort.messages, note)
    return cohort


def _load_from_recipe(fetched: FetchResult, overrides: dict[str, Any]) -> Cohort:
    from sigsurv.cohorts.cbioportal import load_cbioportal
    from sigsurv.cohorts.geo import load_geo_series
    from sigsurv.cohorts.sources import load_anndata
    from sigsurv.cohorts.tables import load_tables
    from sigsurv.cohorts.tcga import load_tcga

    recipe, paths = fetched.recipe, fetched.paths
    options = {**_loader_options(recipe), **overrides}
    options.setdefault("name", recipe.id)
    common: dict[str, Any] = {"standardise": recipe.standardise or None}
    if recipe.loader == "geo":
        return load_geo_series(
            paths["series_matrix"],
            platform=paths.get("platform"),
            expression=paths.get("expression"),
            series_table=paths.get("clinical"),
            endpoints=_specs(recipe),
            **common,
            **options,
        )
    if recipe.loader == "table":
        return load_tables(
            paths["expression"],
            paths["clinical"],
            platform=paths.get("platform"),
            endpoints=_specs(recipe),
            **common,
            **options,
        )
    if recipe.loader == "tcga":
        clinical = [paths[r] for r in ("survival", "clinical", "phenotype") if r in paths]
        aliquots = [paths["aliquots"]] if "aliquots" in paths else []
        return load_tcga(
            paths["expression"],
            clinical,
            aliquot_tables=aliquots,
            extra_endpoints=_specs(recipe),
            **common,
            **options,
        )
    if recipe.loader == "cbioportal":
        return load_cbioportal(
            _study_folder(paths["archive"]),
            extra_endpoints=_specs(recipe),
            **common,
            **options,
        )
    return load_anndata(paths["expression"], **options)


def _looks_like_recipe(spec: str) -> bool:
    return spec.endswith((".yaml", ".yml")) and Path(spec).is_file()


def resolve_cohort(
    spec: str,
    *,
    cache_dir: str | Path | None = None,
    mirror: str | None = None,
    download: bool = False,
    **source_options: Any,
) -> Cohort:
    """Load a cohort from any spec: a bundled name, a fetched recipe id, a recipe file
    or a SOURCE (folder, series matrix, table...) with the usual options.

    Parameters
    ----------
    spec
        ``gse1992`` (bundled), ``gse2034`` (a recipe fetched before, found in the
        cache), ``my_cohort.yaml`` (a recipe file: its files are fetched or reused from
        the cache; a cohort spec whose files are local ``path:`` entries is loaded in
        place, without fetching), or any SOURCE accepted by
        :func:`sigsurv.cohorts.load_cohort`.
    cache_dir, mirror
        Passed to :func:`sigsurv.cohorts.fetch.fetch`.
    download
        Fetch a shipped recipe id that is not in the cache yet (otherwise an error
        tells the user to run ``sigsurv fetch ID``).
    source_options
        Options for a SOURCE (``clinical``, ``time``, ``event``, ``platform``,
        ``options``...), or overrides of a recipe's loader options (``collapse``,
        ``harmonise``, ``na_policy``, ``name``; of ``options``, a
        :class:`~sigsurv.cohorts.options.LoadOptions`, those fields when they differ
        from the defaults, and the input limit, which also bounds the archive members
        a fetch unpacks).

    Examples
    --------
    >>> resolve_cohort("gse4335").name
    'gse4335'
    """
    from sigsurv.cohorts.sources import load_cohort

    text = str(spec)
    if text.lower() in EXAMPLES and not Path(text).exists():
        return load_cohort(text, **source_options)
    given = source_options.get("options")
    limit = (given or LoadOptions()).max_file_bytes
    if _looks_like_recipe(text):
        recipe = load_recipe(text)
        fetched = fetch(recipe, cache_dir=cache_dir, mirror=mirror, max_file_bytes=limit)
        return load_recipe_cohort(fetched, **_recipe_overrides(source_options))
    if not Path(text).exists():
        cached = cached_recipe_path(text, cache_dir)
        if cached is not None:
            # The user's recipe file wins over the copy made at fetch time (it may be newer).
            current = user_recipe_path(text, cache_dir) or cached
            fetched = fetch(
                load_recipe(current), cache_dir=cache_dir, mirror=mirror, max_file_bytes=limit
            )
            return load_recipe_cohort(fetched, **_recipe_overrides(source_options))
        if user_recipe_path(text, cache_dir) is not None or text.lower() in list_recipes():
            if not download:
                raise OptionError(
                    f"cohort recipe {text!r} has not been fetched yet",
                    hint=f"run `sigsurv fetch {text}` first (or pass download=True)",
                )
            fetched = fetch(text, cache_dir=cache_dir, mirror=mirror, max_file_bytes=limit)
            return load_recipe_cohort(fetched, **_recipe_overrides(source_options))
    return load_cohort(text, **source_options)


# The SOURCE options a recipe cohort takes as overrides of the recipe's options.
_RECIPE_OVERRIDES = ("collapse", "harmonise", "na_policy", "name")


def _recipe_overrides(source_options: dict[str, Any]) -> dict[str, Any]:
    """Keep the SOURCE options a recipe cohort can take (set ones only).

    Of a :class:`LoadOptions`, the overridable fields set away from their defaults
    become overrides, and its input limit is kept (as ``options``).

    Examples
    --------
    >>> _recipe_overrides({"time": "t", "collapse": "mean",
    ...                    "options": LoadOptions(harmonise=False, max_file_bytes=2**20)})
    {'collapse': 'mean', 'harmonise': False, 'options': LoadOptions(..., max_file_bytes=1048576)}
    """
    overrides = {
        k: v for k, v in source_options.items() if k in _RECIPE_OVERRIDES and v is not None
    }
    given = source_options.get("options")
    if given is not None:
        defaults = LoadOptions()
        for field in _RECIPE_OVERRIDES:
            value = getattr(given, field, None)
            if value is not None and value != getattr(defaults, field):
                overrides.setdefault(field, value)
        overrides["options"] = LoadOptions(max_file_bytes=given.max_file_bytes)
    return overrides


def load_cohort(source: Any, **options: Any) -> Cohort:
    """Load a cohort from any supported source, or from a cohort spec / recipe file.

    A ``*.yaml`` file is a cohort spec (files named by local ``path:``, loaded in place)
    or a recipe (fetched, or reused from the cache) and is loaded by
    :func:`resolve_cohort`; anything else goes to
    :func:`sigsurv.cohorts.sources.load_cohort` with the same options.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "e.tsv").write_text("gene\\ta\\tb\\nTP53\\t1\\t2\\n")
    >>> _ = (folder / "c.tsv").write_text("id\\tm\\ts\\na\\t5\\t1\\nb\\t7\\t0\\n")
    >>> _ = (folder / "spec.yaml").write_text("id: mine\\nloader: table\\nfiles:\\n"
    ...     "  expression: {path: e.tsv}\\n  clinical: {path: c.tsv}\\n"
    ...     "options: {time: m, event: s, time_unit: months, endpoint: os}\\n")
    >>> load_cohort(folder / "spec.yaml").n_samples
    2
    >>> load_cohort("gse4335").name
    'gse4335'
    """
    from sigsurv.cohorts.sources import load_cohort as load_source

    if isinstance(source, (str, Path)):
        text = str(source)
        if text.endswith((".yaml", ".yml")) and Path(text).is_file():
            return resolve_cohort(text, **options)
    return load_source(source, **options)
