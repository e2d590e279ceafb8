"""Benchmark: CPU time of starting the command line and of ``import sigsurv``.

Each command runs in a fresh Python process, ``--repeat`` times; the CPU time
(user + system) of the child is read with ``resource.getrusage(RUSAGE_CHILDREN)``
before and after, so other processes on a busy machine do not inflate it the way
wall-clock time would. Prints the median, minimum and maximum per command, and
the interpreter's own start-up (``python -c pass``) as the floor.

Target: ``sigsurv --help`` well under 0.5 s CPU (nothing heavy is imported before a
command runs). There is no assertion here: tests never time things.

Run: ``python benchmarks/bench_cli_startup.py [--repeat 7]`` from the repository root.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS: dict[str, list[str]] = {
    "python -c pass (floor)": ["-c", "pass"],
    "import sigsurv": ["-c", "import sigsurv"],
    "sigsurv --version": ["-m", "sigsurv", "--version"],
    "sigsurv --help": ["-m", "sigsurv", "--help"],
}


def child_cpu_seconds(arguments: list[str], environment: dict[str, str]) -> float:
    """CPU seconds (user + system) one child process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, *arguments],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command")
    args = parser.parse_args()
    # Run this checkout's code, whatever is installed in the environment.
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"CPU seconds per process (user + system), {args.repeat} runs each, {sys.executable}")
    print(f"{'command':<26} {'median':>8} {'min':>8} {'max':>8}")
    for label, arguments in COMMANDS.items():
        child_cpu_seconds(arguments, environment)  # warm the file cache and .pyc files
        times = [child_cpu_seconds(arguments, environment) for _ in range(args.repeat)]
        print(f"{label:<26} {statistics.median(times):8.3f} {min(times):8.3f} {max(times):8.3f}")


if __name__ == "__main__":
    main()
