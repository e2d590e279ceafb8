"""``main()``: the error policy (one-line errors, exit codes), warnings, SIGTERM, input limit."""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from typing import Any

import typer
from rich.markup import escape

from sigsurv._cli_options import state, stderr
from sigsurv.cli._app import app
from sigsurv.errors import SigsurvInputError, SigsurvWarning


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
    # --max-input-mib lasts one invocation (main() may run several times in a process).
    input_limit = state["max_file_bytes"]
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
        state["max_file_bytes"] = input_limit
