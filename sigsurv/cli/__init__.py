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

# Importing the command modules registers their commands on ``app``; ``sigsurv --help``
# lists the commands in this order (score first), so it is kept out of import sorting.
from sigsurv.cli import score, survival, scan, reproduce, fetch  # isort: skip

# isort: split
from sigsurv.cli import claims, cohorts, signatures
from sigsurv.cli._app import (
    SCORING_METHODS,
    AsJson,
    BuiltinClaims,
    ClaimFiles,
    ClaimSignatures,
    Force,
    Seed,
    SignatureArgument,
    Source,
    app,
    claims_app,
    cohort_app,
    cohorts_app,
    signatures_app,
)
from sigsurv.cli._app import _complete_method as _complete_method
from sigsurv.cli._app import _complete_signature as _complete_signature
from sigsurv.cli._main import main
from sigsurv.cli.claims import claims_list, claims_new, claims_show, claims_validate
from sigsurv.cli.cohorts import cohort_info, cohorts_list
from sigsurv.cli.fetch import fetch_command
from sigsurv.cli.reproduce import reproduce_command
from sigsurv.cli.scan import scan_command
from sigsurv.cli.score import score_command
from sigsurv.cli.signatures import signatures_export, signatures_list, signatures_show
from sigsurv.cli.survival import survival_command

__all__ = [
    "SCORING_METHODS",
    "AsJson",
    "BuiltinClaims",
    "ClaimFiles",
    "ClaimSignatures",
    "Force",
    "Seed",
    "SignatureArgument",
    "Source",
    "app",
    "claims",
    "claims_app",
    "claims_list",
    "claims_new",
    "claims_show",
    "claims_validate",
    "cohort_app",
    "cohort_info",
    "cohorts",
    "cohorts_app",
    "cohorts_list",
    "fetch",
    "fetch_command",
    "main",
    "reproduce",
    "reproduce_command",
    "scan",
    "scan_command",
    "score",
    "score_command",
    "signatures",
    "signatures_app",
    "signatures_export",
    "signatures_list",
    "signatures_show",
    "survival",
    "survival_command",
]
