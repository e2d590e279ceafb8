"""Fuzz sigsurv's file parsers for a fixed time and record every crash.

Usage::

    python fuzz/run.py --parser table --seconds 600          # atheris (libFuzzer)
    python fuzz/run.py --parser yaml --seconds 60 --engine random
    python fuzz/run.py --parser geo --replay                  # re-run saved crashes
    python fuzz/run.py --parser gmt --reproduce some_input.bin

Parsers: ``table``, ``geo`` (series matrix + platform table), ``cbioportal``,
``gmt``, ``yaml`` (see ``fuzz/targets.py``).

A clean refusal is a :class:`sigsurv.errors.SigsurvInputError` (or subclass).
Any other exception is a crash: the input is saved once per distinct crash site
(exception type + innermost sigsurv frame) under ``fuzz/crashes/<parser>/`` with
its traceback, and fuzzing continues, so one run reports every distinct crash it
reaches. ``--stop-on-crash`` re-raises instead (libFuzzer then writes the input
and stops). An input taking longer than ``--timeout`` seconds is reported by
libFuzzer as a timeout (a hang), which also counts as a crash.

Engines: ``atheris`` (coverage-guided libFuzzer, the default when atheris is
installed: ``pip install atheris``) and ``random`` (a seeded mutation fuzzer
needing nothing else, used when atheris is unavailable). The run ends with a
JSON summary on stdout (parser, engine, seconds, executions, crashes) that is
also written to ``fuzz/results/<parser>.json``; ``fuzz/README.md`` records runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
CRASHES = HERE / "crashes"
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))


def _scratch_folder() -> Path:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="sigsurv-fuzz-", dir=base))


class Recorder:
    """Runs a target on one input, classifies the outcome, saves distinct crashes."""

    def __init__(self, parser: str, stats_file: Path | None, stop_on_crash: bool) -> None:
        from targets import PARSERS

        from sigsurv.errors import SigsurvInputError

        self.parser = parser
        self.target = PARSERS[parser]
        self.refusal = SigsurvInputError
        self.folder = _scratch_folder()
        self.crash_dir = CRASHES / parser
        self.stats_file = stats_file
        self.stop_on_crash = stop_on_crash
        self.executions = 0
        self.refusals = 0
        self.crash_count = 0
        self.crash_sites: dict[str, str] = {}
        self.slowest = 0.0
        self.started = time.monotonic()
        self._last_write = 0.0

    @staticmethod
    def crash_site(error: BaseException) -> str:
        frames = traceback.extract_tb(error.__traceback__)
        own = [f for f in frames if "sigsurv" in f.filename and "/fuzz/" not in f.filename]
        frame = (own or frames or [None])[-1]
        where = "?" if frame is None else f"{Path(frame.filename).name}:{frame.lineno}"
        return f"{type(error).__name__} at {where}"

    def run(self, data: bytes) -> str | None:
        """Run one input; return None (ok or refusal) or the crash site."""
        self.executions += 1
        begin = time.perf_counter()
        site = None
        try:
            self.target(data, self.folder)
        except self.refusal:
            self.refusals += 1
        except Exception as error:  # everything else is a crash
            if self.stop_on_crash:
                raise
            site = self.crash_site(error)
            self.crash_count += 1
            if site not in self.crash_sites:
                digest = hashlib.sha1(site.encode()).hexdigest()[:12]
                self.crash_dir.mkdir(parents=True, exist_ok=True)
                (self.crash_dir / f"{digest}.input").write_bytes(data)
                (self.crash_dir / f"{digest}.txt").write_text(
                    site + "\n\n" + "".join(traceback.format_exception(error))
                )
                self.crash_sites[site] = digest
        elapsed = time.perf_counter() - begin
        self.slowest = max(self.slowest, elapsed)
        now = time.monotonic()
        if self.stats_file is not None and now - self._last_write > 2.0:
            self.write_stats()
            self._last_write = now
        return site

    def write_stats(self) -> None:
        if self.stats_file is None:
            return
        self.stats_file.write_text(
            json.dumps(
                {
                    "executions": self.executions,
                    "refusals": self.refusals,
                    "crash_count": self.crash_count,
                    "crash_sites": self.crash_sites,
                    "slowest_seconds": round(self.slowest, 3),
                    "elapsed": round(time.monotonic() - self.started, 1),
                }
            )
        )


def _seed_corpus(parser: str, corpus: Path) -> None:
    from targets import SEEDS

    corpus.mkdir(parents=True, exist_ok=True)
    for data in SEEDS[parser]:
        name = "seed-" + hashlib.sha1(data).hexdigest()[:12]
        (corpus / name).write_bytes(data)


# ----------------------------------------------------------------------------- engines
def _worker_atheris(args: argparse.Namespace, stats_file: Path) -> None:
    import atheris

    # Instrument sigsurv (not numpy/pandas) for coverage feedback.
    with atheris.instrument_imports(include=["sigsurv"]):
        import sigsurv.cohorts
        import sigsurv.signatures  # noqa: F401
    recorder = Recorder(args.parser, stats_file, args.stop_on_crash)

    def test_one_input(data: bytes) -> None:
        recorder.run(data)

    corpus = WORK / args.parser / "corpus"
    _seed_corpus(args.parser, corpus)
    libfuzzer_args = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        f"-seed={args.seed}",
        "-rss_limit_mb=4096",
        "-max_len=16384",
        "-print_final_stats=1",
        f"-artifact_prefix={CRASHES / args.parser}/libfuzzer-",
    ]
    (CRASHES / args.parser).mkdir(parents=True, exist_ok=True)
    atheris.Setup(libfuzzer_args, test_one_input)
    atheris.Fuzz()


_TOKENS = [
    b"\t", b"\n", b",", b'"', b"#", b"NA", b"", b"-1", b"1e400", b"inf", b"nan", b"1,5",
    b"\x00", b"\x1f\x8b", b"\r", b"1:DECEASED", b"yes", b"2", b"9-Sep", b"!Sample_",
    b"!series_matrix_table_begin\n", b"!series_matrix_table_end\n", b"PATIENT_ID", b"SAMPLE_ID",
    b"NUMBER", b"_MONTHS", b"_STATUS", b": ", b"///", b"- ", b"{", b"[", b"&a", b"*a", b"<<: ",
    b"!!python/object", b"\xff\xfe", b"\xc3", b"ID_REF", b"Hugo_Symbol", b"Entrez_Gene_Id",
]  # fmt: skip


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        position = rng.randint(0, len(buffer)) if buffer else 0
        if choice < 0.3:
            token = rng.choice(_TOKENS)
            buffer[position:position] = token
        elif choice < 0.5 and buffer:
            end = min(len(buffer), position + rng.randint(1, 16))
            del buffer[position:end]
        elif choice < 0.7 and buffer:
            index = rng.randrange(len(buffer))
            buffer[index] = rng.randrange(256)
        elif choice < 0.85:
            lines = bytes(buffer).split(b"\n")
            if lines:
                line = rng.choice(lines)
                lines.insert(rng.randrange(len(lines) + 1), line)
                buffer = bytearray(b"\n".join(lines))
        else:
            lines = bytes(buffer).split(b"\n")
            if len(lines) > 1:
                del lines[rng.randrange(len(lines))]
                buffer = bytearray(b"\n".join(lines))
    return bytes(buffer)


def _worker_random(args: argparse.Namespace, stats_file: Path) -> None:
    from targets import SEEDS

    recorder = Recorder(args.parser, stats_file, args.stop_on_crash)
    rng = random.Random(args.seed)
    pool = list(SEEDS[args.parser])
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        data = _mutate(rng.choice(pool), rng)
        if recorder.run(data) is None and len(pool) < 500 and rng.random() < 0.05:
            pool.append(data)  # keep some accepted/refused mutants as new parents
    recorder.write_stats()
    print(f"Done {recorder.executions} runs in {args.seconds} second(s)", file=sys.stderr)


# ----------------------------------------------------------------------------- driver
def _run(args: argparse.Namespace) -> int:
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "random"
    WORK.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    stats_file = WORK / f"{args.parser}.stats.json"
    stats_file.unlink(missing_ok=True)
    log_file = WORK / f"{args.parser}.log"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--worker", "--parser", args.parser,
        "--seconds", str(args.seconds), "--engine", engine, "--seed", str(args.seed),
        "--timeout", str(args.timeout),
    ] + (["--stop-on-crash"] if args.stop_on_crash else [])  # fmt: skip
    started = time.monotonic()
    with open(log_file, "w") as log:
        process = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    log_text = log_file.read_text(errors="replace")
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    done = re.findall(r"Done (\d+) runs in (\d+) second", log_text)
    hangs = re.findall(r"ALARM: working on the last Unit for (\d+) seconds", log_text)
    summary = {
        "parser": args.parser,
        "engine": engine,
        "seconds_requested": args.seconds,
        "seconds_elapsed": round(elapsed, 1),
        "executions": int(done[-1][0]) if done else stats.get("executions"),
        "recorded_executions": stats.get("executions"),
        "refusals": stats.get("refusals"),
        "crash_count": stats.get("crash_count"),
        "distinct_crashes": stats.get("crash_sites", {}),
        "timeouts": len(hangs),
        "slowest_input_seconds": stats.get("slowest_seconds"),
        "worker_exit_code": process.returncode,
        "seed": args.seed,
        "log": str(log_file.relative_to(HERE.parent)),
    }
    (RESULTS / f"{args.parser}.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    clean = process.returncode == 0 and not summary["distinct_crashes"] and not hangs
    return 0 if clean else 1


def _replay(args: argparse.Namespace, files: list[Path]) -> int:
    recorder = Recorder(args.parser, None, stop_on_crash=False)
    still = 0
    for file in files:
        site = recorder.run(file.read_bytes())
        status = "ok/refused" if site is None else f"CRASH {site}"
        still += site is not None
        print(f"{file.name}: {status}")
    print(f"{len(files)} inputs replayed, {still} still crash")
    return 1 if still else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--parser",
        required=True,
        choices=["table", "geo", "cbioportal", "gmt", "yaml", "subgroup", "recipe"],
    )
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--engine", choices=["auto", "atheris", "random"], default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=30, help="seconds per input (hang)")
    parser.add_argument("--stop-on-crash", action="store_true")
    parser.add_argument("--replay", action="store_true", help="re-run saved crash inputs")
    parser.add_argument("--reproduce", nargs="+", type=Path, help="run these input files")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reproduce:
        return _replay(args, args.reproduce)
    if args.replay:
        return _replay(args, sorted((CRASHES / args.parser).glob("*.input")))
    if args.worker:
        stats_file = WORK / f"{args.parser}.stats.json"
        if args.engine == "atheris":
            _worker_atheris(args, stats_file)
        else:
            _worker_random(args, stats_file)
        return 0
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
