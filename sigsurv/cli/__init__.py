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
    assign_source_options,
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
claims_app = typer.Typer(help="Built-in and user claim records.", no_args_is_help=True)
app.add_typer(cohort_app, name="cohort")
app.add_typer(cohorts_app, name="cohorts")
app.add_typer(signatures_app, name="signatures")
app.add_typer(claims_app, name="claims")

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


def _complete_signature(incomplete: str) -> list[str]:
    """Shell completion of ``--signature``: the built-in ids starting with the text."""
    from sigsurv.signatures import list_signatures

    return [s.id for s in list_signatures() if s.id.startswith(incomplete)]


def _complete_method(incomplete: str) -> list[str]:
    """Shell completion of ``--method``: the scoring methods starting with the text."""
    return [m for m in SCORING_METHODS if m.startswith(incomplete)]


Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
SignatureArgument = Annotated[
    str, typer.Argument(help="Built-in id or a YAML/GMT file.", autocompletion=_complete_signature)
]
Force = Annotated[
    bool, typer.Option("--force", help="Replace an existing output (a sigsurv output folder).")
]
ClaimFiles = Annotated[
    list[Path] | None,
    typer.Option("--claims", help="A claim record file (repeatable); see 'sigsurv claims new'."),
]
BuiltinClaims = Annotated[
    bool,
    typer.Option("--builtin-claims/--no-builtin-claims", help="Include the built-in claims."),
]
ClaimSignatures = Annotated[
    list[Path] | None,
    typer.Option(
        "--signature", "-s", help="Signature file whose ids claims may name (repeatable)."
    ),
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


# --------------------------------------------------------------------------- claims
@claims_app.command("list")
def claims_list(
    claims: ClaimFiles = None,
    signature: ClaimSignatures = None,
    builtin_claims: BuiltinClaims = True,
    as_json: AsJson = False,
) -> None:
    """List the built-in claims and those of --claims files."""
    from sigsurv.report.claims_view import claims_table
    from sigsurv.seeds import load_claim_files, read_signature_files
    from sigsurv.seeds.user import available_claims, claim_row

    files = load_claim_files(claims or [], signatures=read_signature_files(signature or []))
    rows = [claim_row(c) for c in available_claims(files, builtin=builtin_claims)]
    if as_json:
        emit_json(rows)
    else:
        show(claims_table(rows))


@claims_app.command("show")
def claims_show(
    claim_id: Annotated[str, typer.Argument(help="Claim id.")],
    claims: ClaimFiles = None,
    signature: ClaimSignatures = None,
    as_json: AsJson = False,
) -> None:
    """Every field of one claim (built-in, or of a --claims file)."""
    from sigsurv.report.claims_view import claim_text
    from sigsurv.seeds import load_claim_files, read_signature_files
    from sigsurv.seeds.user import available_claims, find_claim

    files = load_claim_files(claims or [], signatures=read_signature_files(signature or []))
    record = find_claim(claim_id, available_claims(files)).to_dict()
    if as_json:
        emit_json(record)
    else:
        sys.stdout.write(claim_text(record))


@claims_app.command("validate")
def claims_validate(
    files: Annotated[list[Path], typer.Argument(help="Claim record files.")],
    signature: ClaimSignatures = None,
    as_json: AsJson = False,
) -> None:
    """Check claim record files strictly (exit 2 and file:line:column on the first problem)."""
    from sigsurv.report.claims_view import validated_lines
    from sigsurv.seeds import load_claim_files, read_signature_files

    loaded = load_claim_files(files, signatures=read_signature_files(signature or []))
    infos = [f.to_dict() for f in loaded]
    if as_json:
        emit_json(infos)
    else:
        show(*(escape(line) for line in validated_lines(infos)))


@claims_app.command("new")
def claims_new(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here (default: print).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented claim record template (valid as it is; edit its values)."""
    from sigsurv.seeds import claim_template

    if out is None:
        sys.stdout.write(claim_template())
        return
    if out.exists() and not force:
        raise OptionError("the file exists", found=str(out), hint="use --force to replace it")
    out.write_text(claim_template(), encoding="utf-8")


# --------------------------------------------------------------------------- score
@app.command("score")
@source_options
def score_command(
    source: Source,
    signature: Annotated[
        list[str],
        typer.Option(
            "--signature",
            "-s",
            help="Built-in id or file (repeatable).",
            autocompletion=_complete_signature,
        ),
    ],
    method: Annotated[
        str, typer.Option("--method", "-m", help=_METHOD_HELP, autocompletion=_complete_method)
    ] = "mean_z",
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
_TIME_UNITS_HELP = "days | months | years"


@app.command("survival")
@source_options
def survival_command(
    source: Source,
    signature: Annotated[
        str | None,
        typer.Option(
            "--signature", "-s", help="Built-in id or file.", autocompletion=_complete_signature
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Survival by a clinical column's levels (no --signature)."),
    ] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Endpoint name.")] = None,
    method: Annotated[
        str | None,
        typer.Option("--method", "-m", help=_METHOD_HELP, autocompletion=_complete_method),
    ] = None,
    cut: Annotated[
        str | None, typer.Option("--cut", help="median | tertile | quartile | optimal | VALUE.")
    ] = None,
    horizon: Annotated[
        float | None, typer.Option("--horizon", help="Censor follow-up at this time.")
    ] = None,
    horizon_unit: Annotated[
        str | None, typer.Option("--horizon-unit", help="Unit of --horizon (default: endpoint's).")
    ] = None,
    times: Annotated[
        str | None,
        typer.Option(
            "--times",
            help="Survival (with --cause: cumulative incidence) per group at these times, "
            "comma-separated, with 95% CI.",
        ),
    ] = None,
    times_unit: Annotated[
        str | None,
        typer.Option(
            "--times-unit",
            help=f"Unit of --times and of every time shown ({_TIME_UNITS_HELP}; "
            "default: months up to 15 years of follow-up, else years).",
        ),
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
            "(cause-specific Cox, Fine-Gray, cumulative incidence at --times).",
        ),
    ] = None,
    horizons: Annotated[
        str | None,
        typer.Option("--horizons", help="Deprecated alias of --times (with --cause)."),
    ] = None,
    breaks: Annotated[
        float | None,
        typer.Option("--breaks", help="Figure: interval between time ticks, in the display unit."),
    ] = None,
    ylim: Annotated[
        str | None, typer.Option("--ylim", help="Figure: y-axis limits LOW,HIGH (e.g. 0.5,1).")
    ] = None,
    min_at_risk: Annotated[
        int,
        typer.Option("--min-at-risk", help="Figure: end curves when fewer remain at risk."),
    ] = 0,
    ci: Annotated[
        bool | None,
        typer.Option("--ci/--no-ci", help="Figure: confidence bands (default: up to 2 groups)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--formats", help="Figure formats written: png, pdf, svg.")
    ] = "png,pdf,svg",
    force: Force = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Score a signature, split patients, run KM + log-rank + Cox + concordance + PH test.

    With --by COLUMN instead of --signature: KM, log-rank and Cox by the column's levels.
    """
    from sigsurv.analysis.signature import AnalysisSpec, parse_times

    if (signature is None) == (by is None):
        raise OptionError("give either --signature or --by COLUMN (one of them)")

    given = {
        "--horizon": horizon is not None,
        "--horizon-unit": horizon_unit is not None,
        "--covariates": bool(covariates),
        "--permutations": permutations != 0,
        "--horizons": horizons is not None,
        "--times-unit": times_unit is not None,
        "--times": times is not None,
    }
    _refuse_options_that_do_not_apply(given, cause=cause, cut=cut)
    if times_unit is not None:
        _check_time_unit("--times-unit", times_unit)
    if horizons is not None:
        if times is not None:
            raise OptionError("give --times or its deprecated alias --horizons, not both")
        warnings.warn(
            "--horizons is deprecated: use --times (both are read in --times-unit, "
            "else in months up to 15 years of follow-up, else years)",
            SigsurvWarning,
            stacklevel=1,
        )
    fixed_times = parse_times(
        times if horizons is None else horizons, "--times" if horizons is None else "--horizons"
    )
    figures = _figure_options(breaks, ylim, min_at_risk, ci, formats, times_unit)
    if by is not None:
        if cause is not None or method is not None or not population:
            flag = "--cause" if cause is not None else "--method" if method else "--all-patients"
            raise OptionError(f"{flag} does not apply with --by (no signature is scored)")
        spec = AnalysisSpec(
            endpoint=endpoint,
            cut=cut,
            horizon=horizon,
            horizon_unit=horizon_unit,
            subgroup=source_options.subgroup,
            covariates=parse_covariates(covariates),
            strata=strata,
            permutations=permutations,
            seed=check_seed(seed),
        )
        _survival_by(
            source, by, spec, fixed_times, times_unit, out, as_json, source_options, force, figures
        )
        return
    assert signature is not None  # one of --signature and --by is given
    if cause is not None:
        _survival_competing(
            source,
            signature,
            endpoint,
            cause,
            method,
            cut,
            fixed_times or None,
            times_unit,
            strata,
            population,
            out,
            as_json,
            source_options,
            force,
            figures,
        )
        return
    from sigsurv._atomic import output_folder
    from sigsurv.analysis.signature import analyse_signature
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
        if fixed_times or times_unit is not None:
            result = result.with_times(fixed_times, times_unit)
        if folder is not None:
            manifest = survival_manifest(
                result,
                source=source,
                cohort_files=cohort.provenance.files,
                source_options=source_options.to_dict(),
            )
            staged = write_survival_outputs(
                result, folder.staging, manifest, cohort_notes=notes, **figures
            )
    if folder is not None and not as_json and not state["quiet"]:
        written = ", ".join(str(folder.final_path(p)) for p in staged.values())
        stderr.print("wrote " + escape(written))
    payload = result.to_dict() | {"cohort_notes": notes}
    if as_json:
        emit_json(payload, sort_keys=True)
    else:
        show(*survival_view(payload))


def _survival_by(
    source: str,
    column: str,
    spec: Any,
    times: tuple[float, ...],
    times_unit: str | None,
    out: Path | None,
    as_json: bool,
    source_options: SourceOptions,
    force: bool,
    figures: dict[str, Any],
) -> None:
    """``survival --by COLUMN``: the same outputs as a signature analysis, by a column."""
    from sigsurv._atomic import output_folder
    from sigsurv.analysis.column import analyse_column
    from sigsurv.report.manifest import column_manifest
    from sigsurv.report.outputs import write_column_outputs
    from sigsurv.report.terminal import column_view

    with contextlib.ExitStack() as stack:
        folder = None if out is None else stack.enter_context(output_folder(out, force=force))
        cohort, notes = load_source_with_notes(source, source_options, apply_subgroup=False)
        result = analyse_column(cohort, column, spec)
        if times or times_unit is not None:
            result = result.with_times(times, times_unit)
        if folder is not None:
            manifest = column_manifest(
                result,
                source=source,
                cohort_files=cohort.provenance.files,
                source_options=source_options.to_dict(),
            )
            staged = write_column_outputs(
                result, folder.staging, manifest, cohort_notes=notes, **figures
            )
    if folder is not None and not as_json and not state["quiet"]:
        stderr.print(
            "wrote " + escape(", ".join(str(folder.final_path(p)) for p in staged.values()))
        )
    payload = result.to_dict() | {"cohort_notes": notes}
    if as_json:
        emit_json(payload, sort_keys=True)
    else:
        show(*column_view(payload))


def _figure_options(
    breaks: float | None,
    ylim: str | None,
    min_at_risk: int,
    ci: bool | None,
    formats: str,
    times_unit: str | None,
) -> dict[str, Any]:
    """``style`` and ``formats`` of the figure writers, from the figure options."""
    from sigsurv.plots.km import KMStyle

    limits = None
    if ylim is not None:
        try:
            low, high = (float(part) for part in ylim.split(","))
        except ValueError:
            raise OptionError("--ylim must be two numbers LOW,HIGH", found=ylim) from None
        limits = (low, high)
    if breaks is not None and not breaks > 0:
        raise OptionError("--breaks must be > 0", found=breaks)
    style = KMStyle(
        display_unit=times_unit,
        breaks=breaks,
        ylim=limits,
        min_at_risk=check_count("--min-at-risk", min_at_risk, minimum=0),
        show_ci=ci,
    )
    return {"style": style, "formats": _parse_formats(formats)}


def _parse_formats(text: str) -> tuple[str, ...]:
    """``png,pdf`` -> ("png", "pdf"); anything else refused in one line."""
    from sigsurv.plots.save import FORMATS

    chosen = tuple(part.strip().lower() for part in text.split(","))
    if not chosen or any(f not in FORMATS for f in chosen):
        raise OptionError("--formats not understood", expected="png, pdf, svg", found=text)
    return tuple(dict.fromkeys(chosen))


def _check_time_unit(option: str, unit: str) -> None:
    from sigsurv.cohorts.model import TIME_UNITS

    if unit not in TIME_UNITS:
        raise OptionError(f"{option} is not a time unit", expected=_TIME_UNITS_HELP, found=unit)


def _refuse_options_that_do_not_apply(
    given: dict[str, bool], *, cause: str | None, cut: str | None
) -> None:
    """Options the chosen path would ignore are refused in one line (issue 24)."""
    from sigsurv.analysis.spec import parse_cut

    refusals = []
    if cause is not None:
        refusals += [
            (flag, "with --cause (a competing-risk analysis)")
            for flag in ("--horizon", "--horizon-unit", "--covariates", "--permutations")
            if given[flag]
        ]
    elif given["--horizons"]:
        refusals.append(("--horizons", "without --cause (use --times)"))
    if given["--horizon-unit"] and not given["--horizon"]:
        refusals.append(("--horizon-unit", "without --horizon"))
    if given["--permutations"] and (cut is None or parse_cut(cut) != "optimal"):
        refusals.append(("--permutations", "without --cut optimal"))
    if refusals:
        flag, reason = refusals[0]
        raise OptionError(f"{flag} does not apply {reason}, and would be ignored")


def _survival_competing(
    source: str,
    signature: str,
    endpoint: str | None,
    cause: str,
    method: str | None,
    cut: str | None,
    times: tuple[float, ...] | None,
    times_unit: str | None,
    strata: str | None,
    population: bool,
    out: Path | None,
    as_json: bool,
    source_options: SourceOptions,
    force: bool = False,
    figures: dict[str, Any] | None = None,
) -> None:
    """``survival --cause``: results.json and the cumulative-incidence figure."""
    from sigsurv._atomic import output_folder
    from sigsurv.report.outputs import write_competing_outputs
    from sigsurv.report.terminal import competing_view

    with contextlib.ExitStack() as stack:
        # --out is validated and locked before anything is read (see sigsurv._atomic).
        folder = None if out is None else stack.enter_context(output_folder(out, force=force))
        cohort, notes = load_source_with_notes(source, source_options, apply_subgroup=False)
        result, record = _competing_result(
            cohort,
            signature,
            endpoint,
            cause,
            method,
            cut,
            times,
            times_unit,
            strata,
            population,
            source_options,
        )
        record["cohort_notes"] = notes
        if folder is not None:
            written = write_competing_outputs(result, record, folder.staging, **(figures or {}))
    if folder is not None and not as_json and not state["quiet"]:
        for name in written:
            stderr.print("wrote " + escape(str(folder.final / name)))
    if as_json:
        emit_json(record, sort_keys=True)
    else:
        show(*competing_view(record))


def _competing_result(
    cohort: Any,
    signature: str,
    endpoint: str | None,
    cause: str,
    method: str | None,
    cut: str | None,
    times: tuple[float, ...] | None,
    times_unit: str | None,
    strata: str | None,
    population: bool,
    source_options: SourceOptions,
) -> tuple[Any, dict[str, Any]]:
    from sigsurv.analysis.competing import analyse_signature_competing
    from sigsurv.signatures import get_signature

    definition = get_signature(signature)
    result, _, chosen = analyse_signature_competing(
        cohort,
        definition,
        endpoint,
        cause,
        method=method,
        cut=cut,
        horizons=times,
        strata=strata,
        subgroup=source_options.subgroup,
        population=population,
        times_unit=times_unit,
    )
    record = {
        "cohort": cohort.name,
        "signature_id": definition.id,
        "signature_name": definition.name,
        "subgroup": chosen,
        **result.to_dict(),
    }
    return result, record


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
                "constant_gene_names": result.constant_gene_names,
                "infinite_coefficient_genes": result.infinite_coefficient_genes,
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
@source_options
def reproduce_command(
    cohort: Annotated[
        list[str] | None,
        typer.Option("--cohort", "-c", help="Cohort SOURCE (repeatable); default: bundled."),
    ] = None,
    claim: Annotated[
        list[str] | None, typer.Option("--claim", help="Only these claim ids (repeatable).")
    ] = None,
    claims: ClaimFiles = None,
    builtin_claims: BuiltinClaims = True,
    signature: ClaimSignatures = None,
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
    formats: Annotated[
        str,
        typer.Option(
            "--formats", help="Figure files written: png (always, the report embeds it), pdf, svg."
        ),
    ] = "png",
    force: Force = False,
    strata: Annotated[
        str | None,
        typer.Option("--strata", help="Stratify every cohort by this clinical column."),
    ] = None,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Test the seed claims (and --claims files') on every cohort that can; write report.html.

    The SOURCE options (--clinical, --time, --event, --endpoint-name...) read the one
    --cohort that is a table (or GEO/AnnData file) of the user's own."""
    from sigsurv._atomic import output_folder
    from sigsurv.claims import reproduce_claims
    from sigsurv.cohorts import EXAMPLES
    from sigsurv.report.html import write_reproduction
    from sigsurv.report.manifest import reproduction_manifest
    from sigsurv.report.terminal import reproduction_progress, reproduction_view
    from sigsurv.seeds import load_claim_files, read_signature_files
    from sigsurv.seeds.user import choose_claims
    from sigsurv.signatures import using_signatures

    check_count("--null-random", null_random, minimum=0)
    check_count("--null-random-adjusted", null_random_adjusted, minimum=0)
    figure_formats = _parse_formats(formats)
    check_seed(seed)
    sources = list(cohort) if cohort else list(EXAMPLES)
    reading = assign_source_options(sources, source_options)
    given = read_signature_files(signature or [])
    claim_files = load_claim_files(claims or [], signatures=given)
    inline = [sig for file in claim_files for sig in file.signatures]
    chosen_claims = choose_claims(claim, claim_files, builtin=builtin_claims)
    with (
        using_signatures([*given, *inline]),  # the report and run.json look them up too
        output_folder(out, force=force) as folder,  # validated and locked before reading
        reproduction_progress(stderr, len(sources), show=interactive() and not as_json) as bar,
    ):
        cohorts = [bar.loaded(_stratified(load_source(s, o), strata)) for s, o in reading]
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
        options |= {"strata": strata, "source_options": source_options.to_dict()}
        options |= {"claims": [str(p) for p in claims or []], "builtin_claims": builtin_claims}
        options |= {"signature": [str(p) for p in signature or []]}
        options |= {"null_random": null_random, "proxies": proxies, "formats": formats}
        options |= {
            "null_random_adjusted": null_random_adjusted,
            "equivalence_margins": equivalence_margins,
        }
        manifest = reproduction_manifest(
            reproduction, cohorts, options=options, seed=seed, claim_files=claim_files
        )
        staged = write_reproduction(reproduction, folder.staging, manifest, formats=figure_formats)
        bar.written()
    files = {name: folder.final_path(path) for name, path in staged.items()}
    if as_json:
        emit_json(reproduction.to_dict(), sort_keys=True)
    elif not state["quiet"]:
        show(*reproduction_view(reproduction.to_dict(), files["report.html"]))


def _stratified(cohort: Any, strata: str | None) -> Any:
    """--strata on a loaded cohort (validated: the column must exist)."""
    return cohort if strata is None else cohort.with_strata(strata)


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
