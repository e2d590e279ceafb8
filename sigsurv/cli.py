"""The ``sigsurv`` command line: a table of commands over the Python API.

Each command is one short function: read its inputs, call the library, hand the result
to a renderer (:mod:`sigsurv.report`). The shared SOURCE options, consoles and run state
live in :mod:`sigsurv._cli_options`; the terminal tables in :mod:`sigsurv.report.terminal`.
Heavy modules are imported inside the commands, so ``sigsurv --help`` starts quickly.

Error policy: errors in user input (:class:`~sigsurv.errors.SigsurvInputError`, and
running out of memory on an input) are printed as one red line and exit with code 2;
any other exception exits with code 1 and a pointer to ``--debug`` for the traceback.
SIGTERM unwinds like an exception, so a staged ``--out`` folder is removed.
Warnings are shown in yellow on stderr.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from sigsurv._cli_options import (
    SourceOptions,
    check_count,
    check_seed,
    emit_json,
    interactive,
    load_source,
    load_source_with_notes,
    parse_covariates,
    show,
    source_options,
    state,
    stderr,
    stdout,
)
from sigsurv.errors import OptionError, SigsurvInputError, SigsurvWarning

app = typer.Typer(
    name="sigsurv",
    help="Turn gene signatures from cancer papers into survival evidence on real cohorts.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
cohort_app = typer.Typer(help="Inspect one cohort.", no_args_is_help=True)
cohorts_app = typer.Typer(help="Bundled cohorts.", no_args_is_help=True)
signatures_app = typer.Typer(help="Built-in and user signatures.", no_args_is_help=True)
app.add_typer(cohort_app, name="cohort")
app.add_typer(cohorts_app, name="cohorts")
app.add_typer(signatures_app, name="signatures")

Source = Annotated[
    str,
    typer.Argument(
        help="Bundled name, fetched recipe id, recipe file, folder, series matrix or table."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
#: The built-in scoring methods, listed here so that ``--help`` shows them without
#: importing the scoring engine (tests/test_cli.py checks the list against the registry).
SCORING_METHODS = (
    "mean_z",
    "weighted",
    "zscore",
    "plage",
    "ssgsea",
    "gsva",
    "singscore",
    "single_gene",
)
_METHOD_HELP = "Scoring method: " + ", ".join(SCORING_METHODS) + "."
Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
SignatureArgument = Annotated[str, typer.Argument(help="Built-in id or a YAML/GMT file.")]
Force = Annotated[
    bool, typer.Option("--force", help="Replace an existing output (a sigsurv output folder).")
]


def _print_version(value: bool) -> None:
    if value:
        from sigsurv._version import __version__

        stdout.print(f"sigsurv {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
    max_input_mib: Annotated[
        int | None,
        typer.Option(
            "--max-input-mib",
            help="Largest input file read, in MiB once decompressed (default 512).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    state["debug"] = debug
    state["quiet"] = quiet
    if max_input_mib is not None:
        from sigsurv.cohorts import readers

        if max_input_mib < 1:
            raise OptionError("--max-input-mib must be >= 1", found=max_input_mib)
        readers.MAX_FILE_BYTES = max_input_mib * 1024**2


# --------------------------------------------------------------------------- cohorts
@cohorts_app.command("list")
def cohorts_list(as_json: AsJson = False) -> None:
    """List the bundled cohorts (SurvSet breast cancer)."""
    from sigsurv.cohorts import list_examples
    from sigsurv.report.terminal import cohorts_table

    rows = list_examples().reset_index().to_dict(orient="records")
    if as_json:
        emit_json(rows)
    else:
        show(cohorts_table(rows))


@cohort_app.command("info")
@source_options
def cohort_info(
    source: Source,
    as_json: AsJson = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Samples, genes, endpoints (events, median follow-up), clinical fields, identifiers."""
    from sigsurv.report.describe import describe_cohort, gene_report_text
    from sigsurv.report.terminal import cohort_info_view

    cohort = load_source(source, source_options)
    description = describe_cohort(cohort)
    if as_json:
        emit_json(description)
    else:
        show(*cohort_info_view(description, gene_report_text(cohort)))


# --------------------------------------------------------------------------- signatures
@signatures_app.command("list")
def signatures_list(as_json: AsJson = False) -> None:
    """List the built-in signatures with their source and seed document."""
    from sigsurv.report.terminal import signatures_table
    from sigsurv.signatures import list_signatures, signature_summary

    rows = [signature_summary(sig) for sig in list_signatures()]
    if as_json:
        emit_json(rows)
    else:
        show(signatures_table(rows))


@signatures_app.command("show")
def signatures_show(signature: SignatureArgument, as_json: AsJson = False) -> None:
    """Genes, directions, per-gene provenance, source and the claims a signature tests."""
    from sigsurv.report.terminal import signature_view
    from sigsurv.seeds import describe_signature

    record = describe_signature(signature)
    if as_json:
        emit_json(record)
    else:
        show(*signature_view(record))


@signatures_app.command("export")
def signatures_export(
    signature: SignatureArgument,
    format: Annotated[str, typer.Option("--format", "-f", help="gmt | yaml")] = "yaml",
) -> None:
    """Print a signature as YAML or GMT (MSigDB convention, signed sets as _UP/_DN)."""
    from sigsurv.signatures import export_signature

    sys.stdout.write(export_signature(signature, format))


# --------------------------------------------------------------------------- score
@app.command("score")
@source_options
def score_command(
    source: Source,
    signature: Annotated[
        list[str], typer.Option("--signature", "-s", help="Built-in id or file (repeatable).")
    ],
    method: Annotated[str, typer.Option("--method", "-m", help=_METHOD_HELP)] = "mean_z",
    min_coverage: Annotated[
        float, typer.Option("--min-coverage", help="Minimum fraction of genes found.")
    ] = 0.5,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write scores to .tsv or .parquet.")
    ] = None,
    force: Force = False,
    threads: Annotated[
        int | None,
        typer.Option("--threads", help="Threads for ssgsea, singscore, gsva (default: all cores)."),
    ] = None,
    as_json: AsJson = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Score signatures per sample (samples x signatures)."""
    from rich.progress import Progress

    from sigsurv._atomic import atomic_output_file, check_output_file
    from sigsurv.report.outputs import scores_tsv, write_scores
    from sigsurv.report.terminal import coverage_lines
    from sigsurv.scoring import score_signatures
    from sigsurv.signatures import get_signature

    if out is not None:
        check_output_file(out, force=force)  # before anything is read
    cohort = load_source(source, source_options)
    if not state["quiet"]:  # what loading changed (genes or samples removed) bears on scores
        for message in cohort.messages:
            stderr.print(f"[dim]note:[/dim] {escape(message)}", highlight=False)
    definitions = [get_signature(s) for s in signature]
    with Progress(console=stderr, disable=not interactive()) as progress:
        task = progress.add_task(f"scoring ({method})", total=None)
        result = score_signatures(
            cohort,
            definitions,
            method=method,
            min_coverage=min_coverage,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            **_thread_option(method, threads),
        )
    scores = result.scores
    if not state["quiet"]:
        for line in coverage_lines(result.coverage_records()):
            stderr.print(line)
    if out is not None:
        with atomic_output_file(out, force=force) as staged:
            write_scores(scores, staged)
    if as_json:
        emit_json(
            {
                "method": method,
                "scores": scores.rename_axis("sample").reset_index().to_dict(orient="records"),
                "coverage": result.coverage_records(),
                "not_scored": result.not_scored.to_dict(orient="records"),
            }
        )
    elif out is None:
        sys.stdout.write(scores_tsv(scores))


def _thread_option(method: str, threads: int | None) -> dict[str, Any]:
    """``threads`` for the methods that take it; refused (not ignored) for the others."""
    if threads is None:
        return {}
    from sigsurv.scoring.registry import get_method

    check_count("--threads", threads, minimum=1)
    if "threads" not in get_method(method).options:
        raise OptionError(
            f"--threads does not apply to method {method}",
            expected="ssgsea, singscore or gsva (the others run as one vectorised pass)",
        )
    return {"threads": threads}


# --------------------------------------------------------------------------- survival
@app.command("survival")
@source_options
def survival_command(
    source: Source,
    signature: Annotated[str, typer.Option("--signature", "-s", help="Built-in id or file.")],
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Endpoint name.")] = None,
    method: Annotated[str | None, typer.Option("--method", "-m", help=_METHOD_HELP)] = None,
    cut: Annotated[
        str | None, typer.Option("--cut", help="median | tertile | quartile | optimal | VALUE.")
    ] = None,
    horizon: Annotated[
        float | None, typer.Option("--horizon", help="Censor follow-up at this time.")
    ] = None,
    horizon_unit: Annotated[
        str | None, typer.Option("--horizon-unit", help="Unit of --horizon (default: endpoint's).")
    ] = None,
    covariates: Annotated[
        str | None, typer.Option("--covariates", help="Clinical columns, comma-separated.")
    ] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Stratify by a column.")] = None,
    population: Annotated[
        bool,
        typer.Option(
            "--population/--all-patients",
            help="Apply the signature's population filter (e.g. ER+).",
        ),
    ] = True,
    permutations: Annotated[
        int, typer.Option("--permutations", help="Permutations for the optimal-cut p.")
    ] = 0,
    seed: Seed = 20240101,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json.")] = False,
    cause: Annotated[
        str | None,
        typer.Option(
            "--cause",
            help="Competing risks: cause code or label of a competing-risk --endpoint "
            "(cause-specific Cox, Fine-Gray, cumulative incidence at --horizons).",
        ),
    ] = None,
    horizons: Annotated[
        str | None,
        typer.Option(
            "--horizons", help="With --cause: cumulative-incidence times, comma-separated."
        ),
    ] = None,
    force: Force = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Score a signature, split patients, run KM + log-rank + Cox + concordance + PH test."""
    if cause is not None:
        if horizon is not None or covariates:
            raise typer.BadParameter("--cause takes neither --horizon nor --covariates")
        _survival_competing(
            source,
            signature,
            endpoint,
            cause,
            method,
            cut,
            horizons,
            strata,
            population,
            out,
            as_json,
            source_options,
            force,
        )
        return
    from sigsurv._atomic import output_folder
    from sigsurv.analysis.signature import AnalysisSpec, analyse_signature
    from sigsurv.report.manifest import survival_manifest
    from sigsurv.report.outputs import write_survival_outputs
    from sigsurv.report.terminal import survival_view

    # --subgroup goes into the analysis (and its results.json), not into the loading.
    spec = AnalysisSpec(
        endpoint=endpoint,
        cut=cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=source_options.subgroup,
        population=population,
        covariates=parse_covariates(covariates),
        strata=strata,
        permutations=check_count("--permutations", permutations, minimum=0),
        seed=check_seed(seed),
    )
    with contextlib.ExitStack() as stack:
        # --out is validated and locked before anything is read (see sigsurv._atomic).
        folder = None if out is None else stack.enter_context(output_folder(out, force=force))
        cohort, notes = load_source_with_notes(source, source_options, apply_subgroup=False)
        result = analyse_signature(cohort, signature, spec, method=method)
        if folder is not None:
            manifest = survival_manifest(
                result,
                source=source,
                cohort_files=cohort.provenance.files,
                source_options=source_options.to_dict(),
            )
            staged = write_survival_outputs(result, folder.staging, manifest, cohort_notes=notes)
    if folder is not None and not as_json and not state["quiet"]:
        written = ", ".join(str(folder.final_path(p)) for p in staged.values())
        stderr.print("wrote " + escape(written))
    payload = result.to_dict() | {"cohort_notes": notes}
    if as_json:
        emit_json(payload, sort_keys=True)
    else:
        show(*survival_view(payload))


def _survival_competing(
    source: str,
    signature: str,
    endpoint: str | None,
    cause: str,
    method: str | None,
    cut: str | None,
    horizons: str | None,
    strata: str | None,
    population: bool,
    out: Path | None,
    as_json: bool,
    source_options: SourceOptions,
    force: bool = False,
) -> None:
    """``survival --cause``: results.json and the cumulative-incidence figure."""
    from sigsurv._atomic import output_folder
    from sigsurv.report.outputs import write_competing_outputs

    with contextlib.ExitStack() as stack:
        # --out is validated and locked before anything is read (see sigsurv._atomic).
        folder = None if out is None else stack.enter_context(output_folder(out, force=force))
        cohort, notes = load_source_with_notes(source, source_options, apply_subgroup=False)
        result, record = _competing_result(
            cohort, signature, endpoint, cause, method, cut, horizons, strata, population,
            source_options,
        )  # fmt: skip
        record["cohort_notes"] = notes
        if folder is not None:
            written = write_competing_outputs(result, record, folder.staging)
    if folder is not None and not as_json and not state["quiet"]:
        for name in written:
            stderr.print("wrote " + escape(str(folder.final / name)))
    if as_json:
        emit_json(record, sort_keys=True)
    else:
        _show_competing(cohort.name, result, record)


def _competing_result(
    cohort: Any,
    signature: str,
    endpoint: str | None,
    cause: str,
    method: str | None,
    cut: str | None,
    horizons: str | None,
    strata: str | None,
    population: bool,
    source_options: SourceOptions,
) -> tuple[Any, dict[str, Any]]:
    from sigsurv.analysis.competing import analyse_signature_competing

    result, _, _ = analyse_signature_competing(
        cohort,
        signature,
        endpoint,
        cause,
        method=method,
        cut=cut,
        horizons=[float(h) for h in horizons.split(",")] if horizons else None,
        strata=strata,
        subgroup=source_options.subgroup,
        population=population,
    )
    return result, {"cohort": cohort.name, "signature_id": signature, **result.to_dict()}


def _show_competing(cohort_name: str, result: Any, record: dict[str, Any]) -> None:
    primary, secondary = record["cause_specific_per_sd"], record["fine_gray_per_sd"]

    def number(value: float | None) -> str:
        return "NA" if value is None else f"{value:.3g}"

    show(
        escape(
            f"{cohort_name} {record['endpoint']}: cause {result.cause} "
            f"({result.cause_label}), n = {result.n}, events {result.events}"
        ),
        f"cause-specific HR per SD {number(primary['hr'])} (95% CI "
        f"{number(primary['ci_lower'])}-{number(primary['ci_upper'])}, "
        f"p {number(primary['p'])})",
        f"Fine-Gray subdistribution HR per SD {number(secondary['hr'])} "
        f"(p {number(secondary['p'])})",
    )


# --------------------------------------------------------------------------- scan
@app.command("scan")
@source_options
def scan_command(
    source: Source,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Endpoint name.")] = None,
    gmt: Annotated[
        Path | None, typer.Option("--gmt", help="Gene sets (GMT); default: built-in signatures.")
    ] = None,
    permutations: Annotated[int, typer.Option("--permutations", help="GSEA permutations.")] = 1000,
    seed: Seed = 20240101,
    force: Force = False,
    as_json: AsJson = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Genome-wide univariate Cox, then preranked GSEA of gene sets on the Cox z."""
    from sigsurv._atomic import output_folder
    from sigsurv.analysis.enrichment import scan_cohort
    from sigsurv.report.outputs import write_scan_outputs
    from sigsurv.report.terminal import scan_view
    from sigsurv.signatures import list_signatures, load_signatures

    check_count("--permutations", permutations, minimum=1)
    check_seed(seed)
    with output_folder(out, force=force) as folder:  # validated and locked before reading
        cohort = load_source(source, source_options)
        signatures = load_signatures(gmt) if gmt is not None else list_signatures()
        result = scan_cohort(
            cohort, signatures, endpoint=endpoint, permutations=permutations, seed=seed
        )
        staged = write_scan_outputs(result, folder.staging)
    files = {name: folder.final_path(p) for name, p in staged.items()}
    if as_json:
        emit_json(
            {
                "genes": len(result.scan),
                "constant_genes": result.constant_genes,
                "enrichment": result.enrichment.reset_index().to_dict(orient="records"),
                "files": {name: str(path) for name, path in files.items()},
            }
        )
    elif not state["quiet"]:
        show(*scan_view(result, files))


# --------------------------------------------------------------------------- reproduce
def _margins(text: str) -> tuple[float, float]:
    """``"0.8,1.25"`` -> (0.8, 1.25); the verdict rules check the values."""
    parts = text.split(",")
    try:
        low, high = (float(part) for part in parts)
    except ValueError:
        raise OptionError("equivalence margins must be two numbers LOW,HIGH", found=text) from None
    return low, high


@app.command("reproduce")
def reproduce_command(
    cohort: Annotated[
        list[str] | None,
        typer.Option("--cohort", "-c", help="Cohort SOURCE (repeatable); default: bundled."),
    ] = None,
    claim: Annotated[
        list[str] | None, typer.Option("--claim", help="Only these claim ids (repeatable).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("report"),
    null_random: Annotated[
        int, typer.Option("--null-random", help="Random signatures per test (0 = no null).")
    ] = 1000,
    null_random_adjusted: Annotated[
        int,
        typer.Option(
            "--null-random-adjusted",
            help="Random signatures for nulls fitted one Cox model at a time "
            "(proliferation-adjusted, stratified).",
        ),
    ] = 100,
    equivalence_margins: Annotated[
        str,
        typer.Option(
            "--equivalence-margins", help="HR margins LOW,HIGH of claims of no association."
        ),
    ] = "0.8,1.25",
    proxies: Annotated[
        bool, typer.Option("--proxies/--no-proxies", help="Also test proxy signatures.")
    ] = True,
    seed: Seed = 20240101,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json.")] = False,
    force: Force = False,
) -> None:
    """Test every seed claim on every cohort that can test it; write report.html."""
    from sigsurv._atomic import output_folder
    from sigsurv.claims import reproduce_claims
    from sigsurv.cohorts import EXAMPLES
    from sigsurv.report.html import write_reproduction
    from sigsurv.report.manifest import reproduction_manifest
    from sigsurv.report.terminal import reproduction_progress, reproduction_view
    from sigsurv.seeds import get_claim

    check_count("--null-random", null_random, minimum=0)
    check_count("--null-random-adjusted", null_random_adjusted, minimum=0)
    check_seed(seed)
    sources = list(cohort) if cohort else list(EXAMPLES)
    chosen_claims = [get_claim(c) for c in claim] if claim else None
    with (
        output_folder(out, force=force) as folder,  # validated and locked before reading
        reproduction_progress(stderr, len(sources), show=interactive() and not as_json) as bar,
    ):
        cohorts = [bar.loaded(load_source(s, SourceOptions())) for s in sources]
        reproduction = reproduce_claims(
            cohorts,
            chosen_claims,
            include_proxies=proxies,
            null_random=null_random,
            null_random_adjusted=null_random_adjusted,
            equivalence_margins=_margins(equivalence_margins),
            seed=seed,
            progress=bar.testing,
        )
        options: dict[str, Any] = {"cohort": sources, "claim": claim, "out": str(out)}
        options |= {"null_random": null_random, "proxies": proxies}
        options |= {
            "null_random_adjusted": null_random_adjusted,
            "equivalence_margins": equivalence_margins,
        }
        manifest = reproduction_manifest(reproduction, cohorts, options=options, seed=seed)
        staged = write_reproduction(reproduction, folder.staging, manifest)
        bar.written()
    files = {name: folder.final_path(path) for name, path in staged.items()}
    if as_json:
        emit_json(reproduction.to_dict(), sort_keys=True)
    elif not state["quiet"]:
        show(*reproduction_view(reproduction.to_dict(), files["report.html"]))


# --------------------------------------------------------------------------- fetch
@app.command("fetch")
def fetch_command(
    name: Annotated[str, typer.Argument(help="Shipped recipe id (e.g. gse2034) or a recipe file.")],
    mirror: Annotated[
        str | None, typer.Option("--mirror", help="Replace scheme and host of every URL.")
    ] = None,
    cache: Annotated[
        Path | None, typer.Option("--cache", help="Cache folder (default: user cache).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Download a cohort recipe's files into the cache (verified, reused offline)."""
    from sigsurv.cohorts.fetch import fetch
    from sigsurv.report.terminal import fetch_table

    result = fetch(name, cache_dir=cache, mirror=mirror, progress=False)
    unverified = result.recipe.unverified_fields()
    if unverified:
        warnings.warn(
            f"recipe {result.recipe.id}: {len(unverified)} field(s) not verified against the "
            f"real download: {', '.join(unverified)}",
            SigsurvWarning,
            stacklevel=1,
        )
    if as_json:
        emit_json({"recipe": result.recipe.id, "cache": str(result.cache), "files": result.entries})
    elif not state["quiet"]:
        show(fetch_table(result))


# --------------------------------------------------------------------------- error policy
def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    if state["quiet"] and category is not SigsurvWarning:
        return
    prefix = "warning" if category is SigsurvWarning else category.__name__
    stderr.print(f"[yellow]{prefix}:[/yellow] {escape(str(message))}", highlight=False)


def _is_usage_error(error: Exception) -> bool:
    # typer vendors click; its ClickException classes live in typer's namespace.
    return any(cls.__name__ == "ClickException" for cls in type(error).__mro__)


def _show_usage_error(error: Exception) -> int:
    """A command-line usage error as one line (click prints usage, hint and error in three)."""
    if type(error).__name__ == "NoArgsIsHelpError":  # a bare command: show its help
        error.show()  # type: ignore[attr-defined]
        return int(getattr(error, "exit_code", 2))
    message = " ".join(str(error.format_message()).split())  # type: ignore[attr-defined]
    context = getattr(error, "ctx", None)
    where = f" (see '{context.command_path} --help')" if context is not None else ""
    stderr.print(f"[bold red]error:[/bold red] {escape(message)}{where}", highlight=False)
    return int(getattr(error, "exit_code", 2))


def _input_limit() -> int | None:
    module = sys.modules.get("sigsurv.cohorts.readers")
    return None if module is None else int(module.MAX_FILE_BYTES)


def _restore_input_limit(limit: int | None) -> None:
    # --max-input-mib lasts one invocation (main() may run several times in a process).
    module = sys.modules.get("sigsurv.cohorts.readers")
    if module is not None:
        default = module.DEFAULT_MAX_FILE_BYTES
        module.MAX_FILE_BYTES = default if limit is None else limit  # type: ignore[attr-defined]


def _terminated(signum: int, frame: Any) -> None:
    # SIGTERM unwinds like an exception, so that a staged output folder is removed.
    raise SystemExit(128 + signum)


def _catch_sigterm() -> Any:
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminated)


_GLOBAL_OPTIONS = ("--debug", "--quiet", "-q")


def _global_options_first(arguments: list[str]) -> list[str]:
    """Accept ``--debug`` / ``--quiet`` anywhere (``sigsurv score ... -q``), not only first.

    Examples
    --------
    >>> _global_options_first(["score", "gse1992", "-q", "--", "-q"])
    ['-q', 'score', 'gse1992', '--', '-q']
    """
    end = arguments.index("--") if "--" in arguments else len(arguments)
    moved = [a for a in arguments[:end] if a in _GLOBAL_OPTIONS]
    kept = [a for a in arguments[:end] if a not in _GLOBAL_OPTIONS]
    return moved + kept + arguments[end:]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 unexpected error, 2 input error).

    Examples
    --------
    >>> main(["signatures", "export", "msk1_rps6ka5", "--format", "gmt"])
    msk1_rps6ka5	https://doi.org/10.1038/s41556-017-0021-z	RPS6KA5
    0
    """
    arguments = _global_options_first(list(sys.argv[1:] if argv is None else argv))
    state["debug"] = "--debug" in arguments
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    previous_sigterm = _catch_sigterm()
    input_limit = _input_limit()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", SigsurvWarning)
            warnings.showwarning = _show_warning
            app(args=arguments, prog_name="sigsurv", standalone_mode=False)
        return 0
    except SigsurvInputError as error:
        if state["debug"]:
            stderr.print_exception()
        stderr.print(f"[bold red]error:[/bold red] {escape(str(error))}", highlight=False)
        return 2
    except MemoryError:
        stderr.print(
            "[bold red]error:[/bold red] out of memory while reading or analysing the input "
            "(a file larger than it looks, e.g. a compressed file that expands hugely?)",
            highlight=False,
        )
        return 2
    except typer.Exit as done:
        return int(done.exit_code or 0)
    except typer.Abort:
        stderr.print("[red]aborted[/red]")
        return 1
    except Exception as error:  # the CLI must never show a raw traceback
        if _is_usage_error(error):
            return _show_usage_error(error)
        if state["debug"]:
            stderr.print_exception()
        stderr.print(
            f"[bold red]unexpected error:[/bold red] {type(error).__name__}: {escape(str(error))} "
            "(run again with --debug for the traceback, and please report it)",
            highlight=False,
        )
        return 1
    finally:
        warnings.showwarning = previous
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
        _restore_input_limit(input_limit)
