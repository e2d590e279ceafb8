"""The final table of ``sigsurv reproduce`` at 80 columns (issue 13)."""

from __future__ import annotations

import pytest
from report_inputs import *  # noqa: F403 - the shared fixtures
from rich.console import Console

from sigsurv.report.terminal import reproduction_view, verdict_count_lines


def printed(payload, width: int = 80) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    for item in reproduction_view(payload, "out/report.html"):
        console.print(item)
    return console.export_text()


@pytest.mark.slow
def test_fits_80_columns_with_whole_ids_and_counts(reproduction):
    result, _ = reproduction
    payload = result.to_dict()
    text = printed(payload)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    for claim in payload["claims"]:
        assert any(line.split()[1:2] == [claim["claim_id"]] for line in lines if line.strip())
    assert "…" not in text
    for row in payload["rows"]:
        if not row["verdict"].startswith("not testable"):
            assert row["signature_id"] in text
    counts = verdict_count_lines(payload)
    for line in counts:
        assert line in lines
    assert counts[-1].split() == [str(len(payload["rows"])), "tests"]
    assert lines[-1] == "report: out/report.html"


@pytest.mark.slow
def test_verdicts_wrap_at_spaces_only(reproduction):
    result, _ = reproduction
    payload = result.to_dict()
    words = set(printed(payload).split())
    tested = {r["verdict"] for r in payload["rows"] if not r["verdict"].startswith("not testable")}
    assert tested
    for verdict in tested:
        assert all(word in words for word in verdict.split()), verdict
