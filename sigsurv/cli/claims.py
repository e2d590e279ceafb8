"""``sigsurv claims``: list, show, validate and write claim records."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sigsurv._cli_options import emit_json, show
from sigsurv.cli._app import AsJson, BuiltinClaims, ClaimFiles, ClaimSignatures, claims_app
from sigsurv.errors import OptionError


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
