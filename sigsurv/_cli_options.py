"""What the CLI's commands share: the SOURCE options, the consoles and the run state.

Part of the command-line layer (only :mod:`sigsurv.cli` imports it). Heavy modules
(pandas, the loaders) are imported inside the functions that need them, so that
``sigsurv --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console, RenderableType

from sigsurv.errors import OptionError

if TYPE_CHECKING:
    from sigsurv.cohorts.model import Cohort
    from sigsurv.cohorts.options import LoadOptions

__all__ = [
    "APPLICABLE_OPTIONS",
    "SourceOptions",
    "assign_source_options",
    "check_count",
    "check_options_apply",
    "check_seed",
    "emit_json",
    "input_limit",
    "interactive",
    "load_source",
    "load_source_with_notes",
    "parse_covariates",
    "parse_event_codes",
    "show",
    "source_options",
    "state",
    "stderr",
    "stdout",
]

# stdout wraps at the terminal's width (COLUMNS when piped), at spaces: ids stay whole.
stdout = Console(soft_wrap=False)
stderr = Console(stderr=True, soft_wrap=True)
# Set by the top-level --debug / --quiet / --max-input-mib options (see sigsurv.cli);
# main() restores max_file_bytes after each invocation (None: the library's default).
state: dict[str, Any] = {"debug": False, "quiet": False, "max_file_bytes": None}


def input_limit() -> int:
    """The input limit of this invocation in bytes: ``--max-input-mib``, else the default.

    Examples
    --------
    >>> input_limit() // 1024**2
    512
    """
    from sigsurv.cohorts.readers import DEFAULT_MAX_FILE_BYTES

    limit = state["max_file_bytes"]
    return DEFAULT_MAX_FILE_BYTES if limit is None else int(limit)


F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class SourceOptions:
    """Options that tell sigsurv how to read a SOURCE (shared by every command).

    The reading options proper are a view of the library's
    :class:`~sigsurv.cohorts.options.LoadOptions` (:meth:`load_options`); the others
    name the files and columns of the source.

    Examples
    --------
    >>> SourceOptions(event_codes="yes=1,no=0").loader_kwargs()["options"].event_codes
    {'yes': 1, 'no': 0}
    """

    clinical: Path | None = None
    time: str | None = None
    event: str | None = None
    endpoint_name: str | None = None
    time_unit: str | None = None
    event_codes: str | None = None
    platform: Path | None = None
    orientation: str = "genes_x_samples"
    sample_column: str | None = None
    collapse: str = "max_mean"
    gene_columns: str | None = None
    clinical_columns: str | None = None
    keep_non_tumour: bool = False
    subgroup: str | None = None

    def load_options(self) -> LoadOptions:
        """The reading options as a :class:`~sigsurv.cohorts.options.LoadOptions`, with
        this invocation's input limit (``--max-input-mib``).

        Examples
        --------
        >>> options = SourceOptions(collapse="mean", keep_non_tumour=True).load_options()
        >>> options.collapse, options.non_tumour, options.max_file_bytes // 1024**2
        ('mean', 'keep', 512)
        """
        from sigsurv.cohorts.options import LoadOptions

        return LoadOptions(
            collapse=self.collapse,
            non_tumour="keep" if self.keep_non_tumour else "exclude",
            event_codes=parse_event_codes(self.event_codes),
            max_file_bytes=input_limit(),
        )

    def loader_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`sigsurv.cohorts.load_cohort`: the source's files
        and columns, and ``options`` (:meth:`load_options`)."""
        return {
            "clinical": self.clinical,
            "time": self.time,
            "event": self.event,
            # None: the loader names it from the --time column, or refuses (issue 20)
            "endpoint": self.endpoint_name,
            "time_unit": self.time_unit,
            "platform": self.platform,
            "orientation": self.orientation,
            "sample_column": self.sample_column,
            "options": self.load_options(),
        } | {
            name: _column_list(value, flag)
            for name, flag in (
                ("gene_columns", "--gene-columns"),
                ("clinical_columns", "--clinical-columns"),
            )
            if (value := getattr(self, name)) is not None
        }

    def given(self) -> dict[str, str]:
        """The reading options set away from their defaults: attribute -> command-line flag.

        Examples
        --------
        >>> SourceOptions(time="OS_MONTHS", collapse="max_mean").given()
        {'time': '--time'}
        """
        defaults = SourceOptions()
        return {
            name: flag
            for name, _annotation, _default, flag, _help in _SOURCE_PARAMETERS
            if name != "subgroup" and getattr(self, name) != getattr(defaults, name)
        }

    def to_dict(self) -> dict[str, Any]:
        """The options as given, JSON-ready (paths as text), for a run manifest.

        Examples
        --------
        >>> SourceOptions(clinical=Path("c.tsv")).to_dict()["clinical"]
        'c.tsv'
        """
        return {k: str(v) if isinstance(v, Path) else v for k, v in vars(self).items()}


_SOURCE_PARAMETERS = [
    ("clinical", Path | None, None, "--clinical", "Clinical table for an expression table."),
    ("time", str | None, None, "--time", "Clinical column (GEO key) with follow-up time."),
    ("event", str | None, None, "--event", "Clinical column (GEO key) with the event."),
    (
        "endpoint_name",
        str | None,
        None,
        "--endpoint-name",
        "Endpoint --time/--event define: os|rfs|dfs|dmfs|mfs|bmfs|dss|pfi|pfs|dfi "
        "(needed unless the --time column says it: RFS_months, relapse_time -> rfs).",
    ),
    ("time_unit", str | None, None, "--time-unit", "days | months | years."),
    ("event_codes", str | None, None, "--event-codes", "Explicit codes, e.g. yes=1,no=0."),
    ("platform", Path | None, None, "--platform", "GEO platform table (probe -> gene)."),
    ("orientation", str, "genes_x_samples", "--orientation", "Expression table layout."),
    ("sample_column", str | None, None, "--sample-column", "Clinical sample ID column."),
    ("collapse", str, "max_mean", "--collapse", "Duplicate genes: max_mean|max_var|mean."),
    (
        "gene_columns",
        str | None,
        None,
        "--gene-columns",
        "One table with genes and clinical columns: its gene columns (a,b or prefix*).",
    ),
    (
        "clinical_columns",
        str | None,
        None,
        "--clinical-columns",
        "One table with genes and clinical columns: its clinical columns (a,b or prefix*).",
    ),
    (
        "keep_non_tumour",
        bool,
        False,
        "--keep-non-tumour",
        "Keep normal-tissue and cell-line samples (excluded from scoring by default).",
    ),
    (
        "subgroup",
        str | None,
        None,
        "--subgroup",
        "Keep samples matching, e.g. \"er == 'positive'\".",
    ),
]


def source_options(function: F) -> F:
    """Add the shared SOURCE-reading options to a command; pass them as ``source_options``.

    Examples
    --------
    >>> def command(source: str, source_options: SourceOptions = SourceOptions()) -> None: ...
    >>> "subgroup" in inspect.signature(source_options(command)).parameters
    True
    """
    signature = inspect.signature(function, eval_str=True)
    parameters = [p for p in signature.parameters.values() if p.name != "source_options"]
    for name, annotation, default, flag, help_text in _SOURCE_PARAMETERS:
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=Annotated[annotation, typer.Option(flag, help=help_text)],
            )
        )

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name, *_ in _SOURCE_PARAMETERS}
        return function(*args, source_options=SourceOptions(**values), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def endpoint_naming_note(time: str | None, given: str | None) -> str | None:
    """What to tell the user when the endpoint was named from the ``--time`` column.

    Examples
    --------
    >>> endpoint_naming_note("relapse_time", None)
    "endpoint 'rfs' named from the --time column 'relapse_time' (word 'relapse'); ..."
    >>> endpoint_naming_note("relapse_time", "dmfs") is None
    True
    """
    from sigsurv.cohorts.clinical import endpoint_named_by

    if time is None or given:
        return None
    named = endpoint_named_by(time)
    if named is None:
        return None
    return (
        f"endpoint {named[0]!r} named from the --time column {time!r} (word {named[1]!r}); "
        "--endpoint-name sets another"
    )


def _column_list(text: str, flag: str) -> list[str]:
    """``a, b,c*`` -> ``['a', 'b', 'c*']`` (no empty name).

    Examples
    --------
    >>> _column_list("MKI67, EGFR", "--gene-columns")
    ['MKI67', 'EGFR']
    """
    names = [name.strip() for name in text.split(",")]
    if "" in names:
        raise OptionError(f"{flag} has an empty column name", found=text)
    return names


def parse_event_codes(text: str | None) -> dict[str, int] | None:
    """Parse ``yes=1,no=0`` into a mapping.

    Examples
    --------
    >>> parse_event_codes("yes=1, no=0")
    {'yes': 1, 'no': 0}
    >>> parse_event_codes("yes=1,YES=0")
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --event-codes gives 'yes' two codes; ...
    """
    if text is None:
        return None
    codes: dict[str, int] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or value.strip() not in ("0", "1"):
            raise OptionError(
                "--event-codes not understood", expected="value=1,value=0", found=item.strip()
            )
        key = key.strip()
        if not key:
            raise OptionError("--event-codes has an empty value name", found=item.strip())
        for seen, code in codes.items():
            if seen.casefold() == key.casefold() and code != int(value.strip()):
                raise OptionError(
                    f"--event-codes gives {seen!r} two codes",
                    expected="each value once",
                    found=f"{seen}={code} and {item.strip()}",
                )
        codes[key] = int(value.strip())
    return codes


def parse_covariates(text: str | None) -> tuple[str, ...]:
    """Parse ``--covariates age,node`` into column names (no empty or repeated name).

    Examples
    --------
    >>> parse_covariates("age, node")
    ('age', 'node')
    >>> parse_covariates("age,age")
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --covariates names a column twice; found 'age'
    """
    if not text:
        return ()
    names = tuple(name.strip() for name in text.split(","))
    if "" in names:
        raise OptionError("--covariates has an empty column name", found=text)
    for index, name in enumerate(names):
        if name in names[:index]:
            raise OptionError("--covariates names a column twice", found=name)
    return names


def check_count(option: str, value: int, *, minimum: int) -> int:
    """Refuse a count below ``minimum`` (e.g. ``--permutations 0`` where >= 1 is needed).

    Examples
    --------
    >>> check_count("--null-random", -1, minimum=0)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --null-random must be >= 0; found -1
    """
    if value < minimum:
        raise OptionError(f"{option} must be >= {minimum}", found=value)
    return value


MAX_SEED = 2**32 - 1


def check_seed(value: int) -> int:
    """Refuse a seed outside 0 .. 2**32 - 1 (what every random generator used accepts).

    Examples
    --------
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --seed must be between 0 and 4294967295; found -1
    """
    if not 0 <= value <= MAX_SEED:
        raise OptionError(f"--seed must be between 0 and {MAX_SEED}", found=value)
    return value


_ENDPOINT_OPTIONS = {"time", "event", "endpoint_name", "time_unit", "event_codes"}
# The reading options each source kind uses (sigsurv.cohorts.load_cohort); any other
# option given for that kind would be silently ignored, so it is refused.
APPLICABLE_OPTIONS: dict[str, set[str]] = {
    "example": set(),
    "cbioportal": {"collapse", "keep_non_tumour"},
    "tcga": {"collapse", "keep_non_tumour"},
    "geo": _ENDPOINT_OPTIONS | {"platform", "collapse", "keep_non_tumour"},
    "anndata": _ENDPOINT_OPTIONS | {"collapse", "keep_non_tumour"},
    "gds": _ENDPOINT_OPTIONS | {"platform", "collapse", "keep_non_tumour"},
    "table": _ENDPOINT_OPTIONS
    | {
        "clinical",
        "orientation",
        "sample_column",
        "platform",
        "collapse",
        "gene_columns",
        "clinical_columns",
        "keep_non_tumour",
    },
}
_KIND_NAMES = {
    "example": "a bundled cohort",
    "cbioportal": "a cBioPortal study folder",
    "tcga": "a TCGA table folder",
    "geo": "a GEO series matrix",
    "gds": "a GEO DataSet (GDS) file",
    "anndata": "an AnnData (.h5ad) file",
    "table": "an expression table",
}


def _source_kind(source: str) -> str | None:
    """The kind of an existing SOURCE or bundled name; None for recipes and unknown paths
    (the loader then decides, and reports a missing source itself)."""
    from sigsurv.cohorts.sources import detect_source_kind
    from sigsurv.errors import SigsurvInputError

    if source.endswith((".yaml", ".yml")):
        return None  # a cohort recipe: its options are overrides of the recipe's
    try:
        return detect_source_kind(source)
    except SigsurvInputError:
        return None


def check_options_apply(source: str, kind: str | None, options: SourceOptions) -> None:
    """Refuse reading options that the detected source kind would ignore.

    Examples
    --------
    >>> check_options_apply("gse1992", "example", SourceOptions(time="OS_MONTHS"))
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --time does not apply to gse1992, a bundled cohort ...
    """
    applicable = None if kind is None else APPLICABLE_OPTIONS.get(kind)
    if (
        kind is None or applicable is None
    ):  # a kind this table does not know yet: the loader decides
        return
    refused = [flag for name, flag in options.given().items() if name not in applicable]
    if refused:
        usable = sorted(flag for name, _a, _d, flag, _h in _SOURCE_PARAMETERS if name in applicable)
        raise OptionError(
            f"{', '.join(refused)} {'does' if len(refused) == 1 else 'do'} not apply to "
            f"{source}, {_KIND_NAMES.get(kind, kind)} (source kind '{kind}'), and would be ignored",
            expected="options for this source: " + (", ".join(usable) or "none but --subgroup"),
        )


def assign_source_options(
    sources: list[str], options: SourceOptions
) -> list[tuple[str, SourceOptions]]:
    """Each cohort of a several-cohort command with the reading options it takes.

    The SOURCE options (``--clinical``, ``--time``...) go to the one cohort they apply
    to (a table, a GEO or AnnData file of the user's own); refused when none or
    several could take them. ``--subgroup`` applies to every cohort.

    Examples
    --------
    >>> assign_source_options(["gse1992"], SourceOptions(time="OS_MONTHS"))
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --time must apply to exactly one --cohort; ...
    >>> [o.subgroup for _, o in assign_source_options(["gse1992"], SourceOptions(subgroup="x"))]
    ['x']
    """
    given = options.given()
    if not given:
        return [(source, options) for source in sources]
    wanted = set(given)
    takers = [
        source
        for source in sources
        if (kind := _source_kind(source)) is not None
        and wanted <= APPLICABLE_OPTIONS.get(kind, set())
    ]
    if len(takers) != 1:
        raise OptionError(
            f"{', '.join(sorted(given.values()))} must apply to exactly one --cohort",
            expected="one expression table, GEO or AnnData file among the --cohort values",
            found=f"{len(takers)} of {len(sources)} cohorts could take them",
        )
    bare = SourceOptions(subgroup=options.subgroup)
    return [(source, options if source == takers[0] else bare) for source in sources]


def interactive() -> bool:
    """True when progress may be drawn: not --quiet and stderr is a terminal.

    Examples
    --------
    >>> interactive()  # doctests write to a pipe, not a terminal
    False
    """
    return not state["quiet"] and stderr.is_terminal


def load_source(source: str, options: SourceOptions, *, apply_subgroup: bool = True) -> Cohort:
    """Load a cohort for a command (with a spinner on a terminal), then apply --subgroup.

    Reading options that the source kind would ignore are refused first
    (:func:`check_options_apply`).

    A command that passes the subgroup on to its analysis (so that the results record
    it) loads with ``apply_subgroup=False``.

    Examples
    --------
    >>> load_source("gse1992", SourceOptions(subgroup="er == 'negative'")).n_samples
    50
    """
    from sigsurv.cohorts import resolve_cohort

    check_options_apply(source, _source_kind(source), options)
    spinner = stderr.status(f"Loading {source}...", spinner="dots")
    with spinner if interactive() else contextlib.nullcontext():
        cohort = resolve_cohort(source, **options.loader_kwargs())
    note = endpoint_naming_note(options.time, options.endpoint_name)
    if note is not None:
        cohort.messages = (*cohort.messages, note)
    if apply_subgroup and options.subgroup is not None:
        cohort = cohort.subset(options.subgroup)
    return cohort


def load_source_with_notes(
    source: str, options: SourceOptions, *, apply_subgroup: bool = True
) -> tuple[Cohort, list[str]]:
    """:func:`load_source`, plus what loading said: the cohort's messages (genes or
    samples removed, repairs) and every :class:`~sigsurv.errors.SigsurvWarning` (unit
    doubts...), in order and once each, for a command to record in its results.

    The warnings are still shown as they happen.

    Examples
    --------
    >>> cohort, notes = load_source_with_notes("gse1992", SourceOptions())
    >>> isinstance(notes, list)
    True
    """
    import warnings

    from sigsurv.errors import SigsurvWarning

    shown: list[str] = []
    previous = warnings.showwarning

    def record(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, SigsurvWarning):
            shown.append(str(message))
        previous(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("always", SigsurvWarning)
        warnings.showwarning = record
        cohort = load_source(source, options, apply_subgroup=apply_subgroup)
    notes: list[str] = []
    for note in [*cohort.messages, *shown]:
        if note not in notes:
            notes.append(note)
    return cohort, notes


def emit_json(payload: Any, *, sort_keys: bool = False) -> None:
    """Print strict JSON (NaN as null, see :mod:`sigsurv._json`) to stdout, no rich markup.

    Examples
    --------
    >>> emit_json({"hr": float("nan")})
    {
      "hr": null
    }
    """
    from sigsurv._json import dumps

    sys.stdout.write(dumps(payload, sort_keys=sort_keys))


def show(*items: RenderableType) -> None:
    """Print renderings (rich tables, markup lines) to stdout, one after the other.

    Examples
    --------
    >>> show("[bold]n = 3[/bold]", "done")
    n = 3
    done
    """
    for item in items:
        stdout.print(item)
