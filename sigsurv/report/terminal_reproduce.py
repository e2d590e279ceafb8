"""What ``sigsurv reproduce`` prints: claims with their summary lines, the tested rows,
the verdict counts, and the progress bars (re-exported by :mod:`sigsurv.report.terminal`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from sigsurv.plots._text import p_text
from sigsurv.report._report_context import (
    claim_card,
    estimate_of,
    headline,
    hr_text,
    verdict_counts,
)

__all__ = [
    "VERDICT_COLOURS",
    "ReproductionProgress",
    "reproduction_progress",
    "reproduction_table",
    "reproduction_view",
    "verdict_count_lines",
]

VERDICT_COLOURS = {
    "reproduced": "green",
    "consistent": "green",
    "equivalent": "green",
    "equivalent and different": "green",
    "consistent, not better than random signatures": "yellow",
    "same direction, not significant": "yellow",
    "inconclusive": "yellow",
    "neither equivalent nor different": "yellow",
    "opposite direction": "red",
    "contradicted": "red",
    "effect of the claimed size excluded": "red",
    "different": "red",
    "not equivalent": "red",
    "not informative": "blue",
    "confounded, not adjusted": "blue",
    "not testable here": "dim",
    "not testable": "dim",
    "published table recomputed": "dim",
}
_UNTESTABLE = ("not testable here", "not testable")


def _claim_numbers(payload: dict[str, Any]) -> dict[str, int]:
    claims = [c["claim_id"] for c in payload.get("claims", [])]
    claims += [r["claim_id"] for r in payload.get("rows", []) if r["claim_id"] not in claims]
    return {claim: index for index, claim in enumerate(dict.fromkeys(claims), start=1)}


def reproduction_table(payload: dict[str, Any]) -> Table:
    """The tested claim x cohort x signature rows: HR, p and the coloured verdict.

    Claims are numbered (the legend of :func:`reproduction_view` gives their ids whole);
    ids never break, verdicts wrap at spaces, and the table fits 80 columns. Untestable
    rows are counted, not listed (report.html says why each was not tested).

    Examples
    --------
    >>> table = reproduction_table({"rows": [
    ...     {"claim_id": "c", "cohort": "k", "signature_id": "s", "verdict": "reproduced",
    ...      "estimate": {"hr_grouped": {"hr": 0.5, "ci_lower": 0.3, "ci_upper": 0.9,
    ...                                  "p_wald": 0.01}}},
    ...     {"claim_id": "c", "cohort": "k2", "signature_id": "s", "estimate": None,
    ...      "verdict": "not testable here"}]})
    >>> table.row_count
    1
    """
    numbers = _claim_numbers(payload)
    rows = [r for r in payload["rows"] if r["verdict"] not in _UNTESTABLE]
    scales = {estimate_of(r)[1] for r in rows} - {""}
    title = "Tested claims x cohorts" + (f" (HR {scales.pop()})" if len(scales) == 1 else "")
    proxies = any(r.get("signature_role") == "proxy" for r in rows)
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        caption="* proxy signature" if proxies else None,
        caption_justify="left",
    )
    for name, options in (
        ("#", {"justify": "right", "no_wrap": True}),
        ("cohort", {"no_wrap": True}),
        ("signature", {"no_wrap": True}),
        ("HR (95% CI)", {"no_wrap": True}),
        ("p", {"no_wrap": True, "justify": "right"}),
        ("verdict", {"min_width": 15}),
    ):
        table.add_column(name, **options)
    previous = None
    for row in sorted(rows, key=lambda r: numbers.get(r["claim_id"], 0)):
        estimate, _ = estimate_of(row)
        p_value = None if estimate is None else estimate.get("p_wald")
        colour = VERDICT_COLOURS.get(row["verdict"], "white")
        number = numbers.get(row["claim_id"], 0)
        table.add_row(
            str(number) if number != previous else "",
            escape(row["cohort"]),
            escape(row["signature_id"]) + ("*" if row.get("signature_role") == "proxy" else ""),
            hr_text(estimate),
            "" if p_value is None else p_text(p_value),
            f"[{colour}]{escape(row['verdict'])}[/{colour}]",
            end_section=False,
        )
        previous = number
    return table


def verdict_count_lines(payload: dict[str, Any]) -> list[str]:
    """One line per verdict with its count, then the total.

    Examples
    --------
    >>> verdict_count_lines({"rows": [{"verdict": "reproduced"}, {"verdict": "reproduced"},
    ...                               {"verdict": "not testable here"}]})
    ['   2  reproduced', '   1  not testable here', '   3  tests']
    """
    counts = verdict_counts(payload.get("rows", []))
    lines = [f"{c['n']:>4}  {c['verdict']}" for c in counts]
    return [*lines, f"{sum(c['n'] for c in counts):>4}  tests"]


def reproduction_view(payload: dict[str, Any], report: Path | str | None) -> list[RenderableType]:
    """What ``sigsurv reproduce`` prints: numbered claims with their summary, the table of
    tested rows, one count per verdict and the report's path.

    Examples
    --------
    >>> view = reproduction_view({"rows": [], "claims": [{"claim_id": "c", "tests": []}]},
    ...                          "out/report.html")
    >>> view[-1]
    'report: out/report.html'
    """
    view: list[RenderableType] = []
    numbers = _claim_numbers(payload)
    claims = {c["claim_id"]: c for c in payload.get("claims", [])}
    for claim_id, number in numbers.items():
        summary = claim_card(claims[claim_id])["summary"] if claim_id in claims else ""
        view.append(f"[bold]{number}[/bold] {escape(claim_id)}")
        if summary:  # wrapped with a hanging indent, under its claim id
            view.append(Padding(f"[dim]{escape(summary)}[/dim]", (0, 0, 0, 2)))
    view.append(reproduction_table(payload))
    colours = {
        line: VERDICT_COLOURS.get(line[6:], "white") for line in verdict_count_lines(payload)
    }
    view.extend(f"[{colour}]{escape(line)}[/{colour}]" for line, colour in colours.items())
    if payload.get("claims"):
        view.append(f"[bold]{escape(headline(payload))}[/bold]")
        view.append(
            "[dim]HR < 1: a higher score goes with a lower risk; HR > 1: with a higher "
            "risk (report.html explains each verdict).[/dim]"
        )
    if report is not None:
        view.append(f"report: {escape(str(report))}")
    return view


class ReproductionProgress:
    """Progress bars of ``sigsurv reproduce``: cohorts loaded, claims tested, report written."""

    def __init__(self, progress: Progress, n_cohorts: int) -> None:
        self._progress = progress
        self._loading = progress.add_task("loading cohorts", total=n_cohorts)
        self._testing: TaskID | None = None

    def loaded(self, cohort: Any) -> Any:
        """Count one cohort as loaded; return it unchanged."""
        self._progress.advance(self._loading)
        return cohort

    def testing(self, done: int, total: int, label: str) -> None:
        """Progress callback of :func:`sigsurv.claims.reproduce_claims`."""
        if self._testing is None:
            self._testing = self._progress.add_task("testing claims x cohorts", total=total)
        self._progress.update(
            self._testing, completed=done, total=total, description=f"testing {label[:48]:<48}"
        )

    def written(self) -> None:
        """Mark the report as written."""
        if self._testing is not None:
            self._progress.update(self._testing, description="testing claims x cohorts")
        self._progress.add_task("writing report", total=1, completed=1)


@contextmanager
def reproduction_progress(
    console: Console, n_cohorts: int, *, show: bool
) -> Iterator[ReproductionProgress]:
    """Draw the progress of ``sigsurv reproduce`` on ``console`` (nothing when not ``show``).

    Examples
    --------
    >>> from rich.console import Console
    >>> with reproduction_progress(Console(), 1, show=False) as bar:
    ...     bar.loaded("cohort")
    'cohort'
    """
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        disable=not show,
        transient=False,
    ) as progress:
        yield ReproductionProgress(progress, n_cohorts)
