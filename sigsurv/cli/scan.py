"""``sigsurv scan``: genome-wide Cox, then preranked GSEA on the Cox z."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sigsurv._cli_options import (
    SourceOptions,
    check_count,
    check_seed,
    emit_json,
    load_source,
    show,
    source_options,
    state,
)
from sigsurv.cli._app import AsJson, Force, Seed, Source, app


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
