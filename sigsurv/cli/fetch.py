"""``sigsurv fetch``: download a cohort recipe's files into the cache."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from sigsurv._cli_options import emit_json, input_limit, show, state
from sigsurv.cli._app import AsJson, app
from sigsurv.errors import SigsurvWarning


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

    result = fetch(
        name, cache_dir=cache, mirror=mirror, progress=False, max_file_bytes=input_limit()
    )
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
