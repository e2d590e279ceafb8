"""Hostile inputs are refused within a memory cap (``resource.setrlimit`` in a subprocess).

A 1 GiB gzip bomb (about 1 MB on disk) must be refused by the decompressed-size limit
(512 MiB by default) with exit 2 and one line, inside an address-space cap it would
blow through if it were expanded whole (the reader once held ~9.7x the file's size).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CAP_BYTES = 2 * 1024**3  # address space: Python + numpy + pandas + the 512 MiB limit
BOMB_BYTES = 1024**3


def _gzip_bomb(path: Path, expanded: int) -> Path:
    line = b"TP53\t" + b"1.0\t" * 7 + b"1.0\n"
    block = line * (1024**2 // len(line))
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b"gene\tS1\tS2\tS3\tS4\tS5\tS6\tS7\tS8\n")
        for _ in range(expanded // len(block) + 1):
            handle.write(block)
    return path


def _run_capped(arguments: list[str], cap: int) -> subprocess.CompletedProcess[str]:
    program = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))\n"
        "from sigsurv.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    environment = dict(
        os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"
    )
    return subprocess.run(
        [sys.executable, "-c", program, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("bomb")
    expression = _gzip_bomb(root / "expr.tsv.gz", BOMB_BYTES)
    clinical = root / "clin.tsv"
    clinical.write_text(
        "id\ttime\tstatus\n" + "".join(f"S{i}\t{10 * i}\t{i % 2}\n" for i in range(1, 9))
    )
    assert expression.stat().st_size < 8 * 1024**2
    return expression, clinical


def _assert_one_line_refusal(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_gzip_bomb_is_refused_within_a_memory_cap(bomb):
    expression, clinical = bomb
    arguments = ["cohort", "info", str(expression), "--clinical", str(clinical)]
    arguments += ["--time", "time", "--event", "status", "--endpoint-name", "os"]
    result = _run_capped(arguments, CAP_BYTES)
    _assert_one_line_refusal(result, "decompressed file is larger than sigsurv's limit")
    assert "512 MiB" in result.stderr and "--max-input-mib" in result.stderr


def test_a_lower_limit_refuses_under_a_lower_cap(bomb):
    expression, clinical = bomb
    arguments = ["--max-input-mib", "16", "cohort", "info", str(expression)]
    arguments += [
        "--clinical",
        str(clinical),
        "--time",
        "time",
        "--event",
        "status",
        "--endpoint-name",
        "os",
    ]
    result = _run_capped(arguments, 1024**3)
    _assert_one_line_refusal(result, "decompressed file is larger than sigsurv's limit")
    assert "16 MiB" in result.stderr


def test_running_out_of_memory_is_one_exit_2_line(tmp_path):
    """Raising the limit past the cap: the MemoryError is reported, not a traceback."""
    expression = _gzip_bomb(tmp_path / "expr.tsv.gz", 256 * 1024**2)
    clinical = tmp_path / "clin.tsv"
    clinical.write_text("id\ttime\tstatus\nS1\t1\t1\n")
    arguments = ["--max-input-mib", "100000", "cohort", "info", str(expression)]
    arguments += [
        "--clinical",
        str(clinical),
        "--time",
        "time",
        "--event",
        "status",
        "--endpoint-name",
        "os",
    ]
    result = _run_capped(arguments, 640 * 1024**2)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "memory" in result.stderr and "Traceback" not in result.stderr
