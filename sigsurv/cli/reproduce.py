"""``sigsurv reproduce``: test the claims on every cohort that can, write report.html."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sigsurv._cli_options import (
    SourceOptions,
    assign_source_options,
    check_count,
    check_seed,
    emit_json,
    interactive,
    load_source,
    show,
    source_options,
    state,
    stderr,
)
from sigsurv.cli._app import BuiltinClaims, ClaimFiles, ClaimSignatures, Force, Seed, app
from sigsurv.cli._survival_options import _parse_formats


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
    from sigsurv.claims.spec import ReproduceSpec, parse_margins
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
    spec = ReproduceSpec(
        null_random=null_random,
        null_random_adjusted=null_random_adjusted,
        seed=seed,
        equivalence_margins=parse_margins(equivalence_margins),
        include_proxies=proxies,
        cohorts=tuple(sources),
        claim_ids=None if claim is None else tuple(claim),
        claim_files=tuple(str(p) for p in claims or []),
        builtin_claims=builtin_claims,
        signature_files=tuple(str(p) for p in signature or []),
        strata=strata,
        source_options=source_options.to_dict(),
        out=str(out),
        formats=formats,
    )
    with (
        using_signatures([*given, *inline]),  # the claims name them by id
        output_folder(out, force=force) as folder,  # validated and locked before reading
        reproduction_progress(stderr, len(sources), show=interactive() and not as_json) as bar,
    ):
        cohorts = [bar.loaded(_stratified(load_source(s, o), strata)) for s, o in reading]
        reproduction = reproduce_claims(cohorts, chosen_claims, spec=spec, progress=bar.testing)
        manifest = reproduction_manifest(
            reproduction, cohorts, options=spec.to_dict(), seed=spec.seed, claim_files=claim_files
        )
        del cohorts  # the expression matrices are not needed for the report: free them
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
