"""``sigsurv signatures``: list, show and export signatures."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sigsurv._cli_options import emit_json, show
from sigsurv.cli._app import AsJson, SignatureArgument, signatures_app


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
