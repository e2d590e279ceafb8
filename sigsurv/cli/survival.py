"""``sigsurv survival``: a signature (or a clinical column, or a competing risk) on a cohort."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from sigsurv._cli_options import (
    SourceOptions,
    emit_json,
    load_source_with_notes,
    show,
    source_options,
    state,
    stderr,
)
from sigsurv.cli._app import (
    _METHOD_HELP,
    Force,
    Seed,
    Source,
    _complete_method,
    _complete_signature,
    app,
)
from sigsurv.cli._survival_options import (
    _TIME_UNITS_HELP,
    _analysis_spec,
    _check_time_unit,
    _figure_options,
    _fixed_times,
    _refuse_options_that_do_not_apply,
)
from sigsurv.errors import OptionError


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
    if by is not None and (cause is not None or method is not None or not population):
        flag = "--cause" if cause is not None else "--method" if method else "--all-patients"
        raise OptionError(f"{flag} does not apply with --by (no signature is scored)")
    if times_unit is not None:
        _check_time_unit("--times-unit", times_unit)
    fixed_times = _fixed_times(times, horizons)
    figures = _figure_options(breaks, ylim, min_at_risk, ci, formats, times_unit)
    # --subgroup goes into the analysis (and its results.json), not into the loading.
    spec = _analysis_spec(
        endpoint=endpoint,
        cut=cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=source_options.subgroup,
        population=population,
        covariates=covariates,
        strata=strata,
        permutations=permutations,
        seed=seed,
        method=method,
        cause=cause,
    )
    writing: dict[str, Any] = {
        "source": source,
        "source_options": source_options,
        "times": (fixed_times, times_unit),
        "out": out,
        "force": force,
        "as_json": as_json,
        "figures": figures,
    }
    if by is not None:
        _survival_by(by, spec, **writing)
    elif cause is not None:
        assert signature is not None  # one of --signature and --by is given
        _survival_competing(signature, spec, **writing)
    else:
        assert signature is not None
        _survival_signature(signature, spec, **writing)


def _survival_signature(signature: str, spec: Any, **writing: Any) -> None:
    """``survival --signature``: score, analyse, write and show one signature."""
    from sigsurv.analysis.signature import analyse_signature
    from sigsurv.report.manifest import survival_manifest
    from sigsurv.report.outputs import write_survival_outputs
    from sigsurv.report.terminal import survival_view

    _analyse_and_write(
        lambda cohort: analyse_signature(cohort, signature, spec),
        (survival_manifest, write_survival_outputs, survival_view),
        **writing,
    )


def _analyse_and_write(
    analyse: Any,
    renderers: tuple[Any, Any, Any],
    *,
    source: str,
    source_options: SourceOptions,
    times: tuple[tuple[float, ...], str | None],
    out: Path | None,
    force: bool,
    as_json: bool,
    figures: dict[str, Any],
) -> None:
    """Load, analyse, add fixed times, write (manifest, outputs) and show one analysis.

    ``renderers`` are the analysis kind's ``(manifest, write_outputs, terminal_view)``.
    """
    from sigsurv._atomic import output_folder

    manifest_of, write_outputs, view_of = renderers
    with contextlib.ExitStack() as stack:
        # --out is validated and locked before anything is read (see sigsurv._atomic).
        folder = None if out is None else stack.enter_context(output_folder(out, force=force))
        cohort, notes = load_source_with_notes(source, source_options, apply_subgroup=False)
        result = analyse(cohort)
        if times[0] or times[1] is not None:
            result = result.with_times(*times)
        if folder is not None:
            manifest = manifest_of(
                result,
                source=source,
                cohort_files=cohort.provenance.files,
                source_options=source_options.to_dict(),
            )
            staged = write_outputs(result, folder.staging, manifest, cohort_notes=notes, **figures)
    if folder is not None and not as_json and not state["quiet"]:
        _say_written(folder.final, [folder.final_path(p) for p in staged.values()])
    payload = result.to_dict() | {"cohort_notes": notes}
    if as_json:
        emit_json(payload, sort_keys=True)
    else:
        show(*view_of(payload))


def _survival_by(column: str, spec: Any, **writing: Any) -> None:
    """``survival --by COLUMN``: the same outputs as a signature analysis, by a column."""
    from sigsurv.analysis.column import analyse_column
    from sigsurv.report.manifest import column_manifest
    from sigsurv.report.outputs import write_column_outputs
    from sigsurv.report.terminal import column_view

    _analyse_and_write(
        lambda cohort: analyse_column(cohort, column, spec),
        (column_manifest, write_column_outputs, column_view),
        **writing,
    )


def _survival_competing(
    signature: str,
    spec: Any,
    *,
    source: str,
    source_options: SourceOptions,
    times: tuple[tuple[float, ...], str | None],
    out: Path | None,
    force: bool,
    as_json: bool,
    figures: dict[str, Any],
) -> None:
    """``survival --cause``: results.json and the cumulative-incidence figure."""
    from sigsurv._atomic import output_folder
    from sigsurv.report.outputs import write_competing_outputs
    from sigsurv.report.terminal import competing_view

    with contextlib.ExitStack() as stack:
        # --out is validated and locked before anything is read (see sigsurv._atomic).
        folder = None if out is None else stack.enter_context(output_folder(out, force=force))
        cohort, notes = load_source_with_notes(source, source_options, apply_subgroup=False)
        result, record = _competing_result(cohort, signature, spec, times)
        record["cohort_notes"] = notes
        if folder is not None:
            written = write_competing_outputs(result, record, folder.staging, **figures)
    if folder is not None and not as_json and not state["quiet"]:
        _say_written(folder.final, [folder.final / name for name in written])
    if as_json:
        emit_json(record, sort_keys=True)
    else:
        show(*competing_view(record))


def _competing_result(
    cohort: Any, signature: str, spec: Any, times: tuple[tuple[float, ...], str | None]
) -> tuple[Any, dict[str, Any]]:
    from sigsurv.analysis.competing import analyse_signature_competing
    from sigsurv.signatures import get_signature

    definition = get_signature(signature)
    result = analyse_signature_competing(cohort, definition, spec)
    fixed_times, times_unit = times
    if fixed_times or times_unit is not None:
        result = result.with_times(fixed_times or None, times_unit)
    record = {
        "cohort": cohort.name,
        "signature_id": definition.id,
        "signature_name": definition.name,
        "subgroup": result.subgroup,
        **result.to_dict(),
        "analysis": spec.to_dict(),
    }
    return result, record


def _say_written(folder: Any, paths: list[Any]) -> None:
    """``wrote to FOLDER: a.png, b.json`` wrapped at the terminal's width (never cut)."""
    names = ", ".join(Path(path).name for path in paths)
    stderr.print(escape(f"wrote to {folder}: {names}"), soft_wrap=False)
