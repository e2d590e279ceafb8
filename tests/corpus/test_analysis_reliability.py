"""Adversarial analysis cases (issue 24, "Analyses"): each must be flagged, listed,
warned or refused in one line, never silently accepted.

* a perfectly separating gene is flagged as R's coxph does ("coefficient may be
  infinite"), and a constant gene is listed with empty statistics;
* times that timefix would collapse (scaled by 1e-300) are warned;
* a bad Dask scheduler address fails fast, in one line naming it;
* a full disk (ENOSPC) or a file-size limit (EFBIG) while writing is one line, exit 2,
  with the previous output kept;
* ``--out`` is checked by a real write before the lock file is created;
* the API checks ``covariates`` as ``--covariates`` does.
"""

from __future__ import annotations

import errno
import json
import socket
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from corpus_cases import EVENTS, GENES, SAMPLES, TIMES, VALUES, clinical_text, expression_text

from sigsurv import _atomic
from sigsurv.analysis.signature import analyse_signature
from sigsurv.cli import main
from sigsurv.errors import OptionError, SigsurvInputError, SigsurvWarning
from sigsurv.survival.cox_scan import cox_scan
from sigsurv.survival.km import kaplan_meier

# High for the early events (12, 7.25) and the sample censored at 18, low for the rest:
# every event's risk set puts the dying sample at the maximum -> monotone likelihood.
SEPARATING = [5.0 if t < 20 else 1.0 for t in TIMES]


def _tables(root: Path) -> list[str]:
    genes = [*GENES, "MKI67", "PGR"]
    values = np.vstack([VALUES, SEPARATING, np.full(len(SAMPLES), 7.5)])
    (root / "expr.tsv").write_text(expression_text(genes, SAMPLES, values))
    (root / "clin.tsv").write_text(clinical_text())
    return [
        str(root / "expr.tsv"),
        "--clinical",
        str(root / "clin.tsv"),
        "--time",
        "time",
        "--event",
        "status",
        "--time-unit",
        "months",
        "--endpoint-name",  # a column named 'time' says no endpoint: named, never guessed
        "os",
    ]


def _one_error_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, out
    assert "Traceback" not in out
    return lines[0]


# ----------------------------------------------------------------------------- scan
@pytest.mark.filterwarnings("ignore::sigsurv.errors.SigsurvWarning")
def test_scan_lists_constant_and_flags_separating_genes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _tables(tmp_path)
    code = main(["scan", *args, "--out", str(tmp_path / "out"), "--permutations", "10", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    record = json.loads(out)
    assert record["constant_gene_names"] == ["PGR"]
    assert record["infinite_coefficient_genes"] == ["MKI67"]
    table = pd.read_csv(tmp_path / "out" / "cox_scan.tsv", sep="\t", index_col="gene")
    assert len(table) == len(GENES) + 2  # nothing dropped
    assert table.loc["PGR", "status"] == "constant"
    assert table.loc["PGR", ["coef", "se", "hr", "p_wald"]].isna().all()  # empty statistics
    assert table.loc["MKI67", "status"] == "infinite coefficient"
    assert table.loc["MKI67", "infinite_coefficient"]


@pytest.mark.filterwarnings("ignore:only 4 events:sigsurv.errors.SigsurvWarning")
def test_cox_scan_warns_naming_the_infinite_coefficient_gene() -> None:
    expr = pd.DataFrame([SEPARATING, VALUES[0]], index=["MKI67", "TP53"], columns=SAMPLES)
    with pytest.warns(SigsurvWarning, match=r"1 may have infinite coefficients.*MKI67"):
        res = cox_scan(expr, np.array(TIMES), np.array(EVENTS))
    assert res.loc["MKI67", "converged"] and res.loc["MKI67", "infinite_coefficient"]
    assert not res.loc["TP53", "infinite_coefficient"]


# ----------------------------------------------------------------------------- timefix
def test_times_collapsing_under_timefix_are_warned() -> None:
    times = np.array(TIMES) * 1e-300
    with pytest.warns(SigsurvWarning, match="timefix ties 7 pair"):
        kaplan_meier(times, np.array(EVENTS))
    with warnings.catch_warnings():  # rounding near-ties are merged quietly, as R does
        warnings.simplefilter("error", SigsurvWarning)
        near = np.array(TIMES)
        near[1] = near[0] * (1 + 1e-15)
        kaplan_meier(near, np.array(EVENTS))
        kaplan_meier(times, np.array(EVENTS), timefix=False)


# ----------------------------------------------------------------------------- Dask
def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _garbage_server() -> tuple[int, socket.socket]:
    """A 127.0.0.1 server that answers every connection with non-Dask bytes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 64)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return int(server.getsockname()[1]), server


@pytest.mark.filterwarnings("ignore::sigsurv.errors.SigsurvWarning")
def test_bad_dask_scheduler_address_fails_fast_in_one_line() -> None:
    pytest.importorskip("distributed")
    expr = pd.DataFrame(VALUES, index=GENES, columns=SAMPLES)
    port, server = _garbage_server()
    try:
        for address in (f"tcp://127.0.0.1:{_closed_port()}", f"tcp://127.0.0.1:{port}"):
            start = time.perf_counter()
            with pytest.raises(SigsurvInputError) as info:
                cox_scan(expr, TIMES, EVENTS, backend="dask", scheduler=address)
            assert time.perf_counter() - start < 15  # Dask's default: 30 s, then OSError
            message = str(info.value)
            assert address in message and "\n" not in message
            assert message.startswith("cannot connect to the Dask scheduler")
    finally:
        server.close()


# ----------------------------------------------------------------------------- outputs
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG])
@pytest.mark.filterwarnings("ignore::sigsurv.errors.SigsurvWarning")
def test_disk_full_while_writing_is_one_line_and_keeps_previous_output(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
) -> None:
    args = _tables(tmp_path)
    out_dir = tmp_path / "out"
    command = ["scan", *args, "--out", str(out_dir), "--permutations", "10", "--force"]
    assert main(["--quiet", *command]) == 0
    before = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    capsys.readouterr()

    def full_disk(result: object, folder: Path) -> None:
        (Path(folder) / "cox_scan.tsv").write_text("partial")
        raise OSError(code, "simulated")

    monkeypatch.setattr("sigsurv.report.outputs.write_scan_outputs", full_disk)
    assert main(command) == 2
    out, err = capsys.readouterr()
    line = _one_error_line(out + err)
    assert "could not be written" in line and "previous output is kept" in line
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == before
    assert not list(tmp_path.glob(".out.*"))  # no staging folder or lock left behind


def test_out_is_probed_before_the_lock_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    # As root, os.access says yes to everything: only a real write tells.
    monkeypatch.setattr(_atomic.tempfile, "mkstemp", read_only)
    with pytest.raises(OptionError, match="cannot be written") as info:
        with _atomic.output_folder(tmp_path / "out"):
            pytest.fail("the block must not run")
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []  # no lock file, no staging folder


def test_atomic_file_disk_full_is_an_option_error(tmp_path: Path) -> None:
    target = tmp_path / "scores.tsv"
    target.write_text("previous\n")
    with pytest.raises(OptionError, match="No space left on device; the previous output"):
        with _atomic.atomic_output_file(target, force=True) as staged:
            staged.write_text("partial")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.tsv"]


# ----------------------------------------------------------------------------- covariates
@pytest.mark.filterwarnings("ignore::sigsurv.errors.SigsurvWarning")
def test_api_validates_covariates_as_the_cli_does() -> None:
    from sigsurv import load_example

    cohort = load_example("gse1992")
    # the keywords are deprecated (spec=AnalysisSpec(...)) but validated while they last
    with pytest.warns(DeprecationWarning):
        as_text = analyse_signature(cohort, "msk1_luminal", covariates="age")
    with pytest.warns(DeprecationWarning):
        as_list = analyse_signature(cohort, "msk1_luminal", covariates=["age"])
    assert as_text.spec.covariates == as_list.spec.covariates == ("age",)
    with pytest.warns(DeprecationWarning), pytest.raises(OptionError, match="twice"):
        analyse_signature(cohort, "msk1_luminal", covariates=["age", "age"])
    with pytest.warns(DeprecationWarning), pytest.raises(OptionError, match="empty column"):
        analyse_signature(cohort, "msk1_luminal", covariates="age,")
