"""The Typer apps, the option types the commands share, completion and the top-level options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sigsurv._cli_options import state, stdout
from sigsurv.errors import OptionError

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
        if max_input_mib < 1:
            raise OptionError("--max-input-mib must be >= 1", found=max_input_mib)
        # Read by SourceOptions.load_options() and fetch; main() restores it afterwards.
        state["max_file_bytes"] = max_input_mib * 1024**2
