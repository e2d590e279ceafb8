"""``sigsurv score``: signature scores per sample."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from sigsurv._cli_options import (
    SourceOptions,
    check_count,
    emit_json,
    interactive,
    load_source,
    source_options,
    state,
    stderr,
)
from sigsurv.cli._app import (
    _METHOD_HELP,
    AsJson,
    Force,
    Source,
    _complete_method,
    _complete_signature,
    app,
)
from sigsurv.errors import OptionError


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
