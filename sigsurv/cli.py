"""The ``sigsurv`` command line: a thin typer shell over the Python API.

Errors in user input (:class:`~sigsurv.errors.SigsurvInputError`) are printed as one
red line and exit with code 2; any other exception exits with code 1 and a pointer
to ``--debug`` for the traceback. Warnings are shown in yellow on stderr.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sigsurv.errors import OptionError, SigsurvInputError, SigsurvWarning

app = typer.Typer(
    name="sigsurv",
    help="Turn gene signatures from cancer papers into survival evidence on real cohorts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cohort_app = typer.Typer(help="Inspect one cohort.", no_args_is_help=True)
cohorts_app = typer.Typer(help="Bundled cohorts.", no_args_is_help=True)
app.add_typer(cohort_app, name="cohort")
app.add_typer(cohorts_app, name="cohorts")

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)
_state = {"debug": False, "quiet": False}

F = TypeVar("F", bound=Callable[..., Any])


def _print_version(value: bool) -> None:
    if value:
        from sigsurv._version import __version__

        stdout.print(f"sigsurv {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    _state["debug"] = debug
    _state["quiet"] = quiet


# --------------------------------------------------------------------------- sources
@dataclass
class SourceOptions:
    """Options that tell sigsurv how to read a SOURCE (shared by every command)."""

    clinical: Path | None = None
    time: str | None = None
    event: str | None = None
    endpoint_name: str = "os"
    time_unit: str | None = None
    event_codes: str | None = None
    platform: Path | None = None
    orientation: str = "genes_x_samples"
    sample_column: str | None = None
    collapse: str = "max_mean"
    subgroup: str | None = None

    def loader_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`sigsurv.cohorts.load_cohort`."""
        return {
            "clinical": self.clinical,
            "time": self.time,
            "event": self.event,
            "endpoint": self.endpoint_name,
            "time_unit": self.time_unit,
            "event_codes": parse_event_codes(self.event_codes),
            "platform": self.platform,
            "orientation": self.orientation,
            "sample_column": self.sample_column,
            "collapse": self.collapse,
        }


_SOURCE_PARAMETERS = [
    ("clinical", Path | None, None, "--clinical", "Clinical table for an expression table."),
    ("time", str | None, None, "--time", "Clinical column (GEO key) with follow-up time."),
    ("event", str | None, None, "--event", "Clinical column (GEO key) with the event."),
    ("endpoint_name", str, "os", "--endpoint-name", "Name of the endpoint --time/--event define."),
    ("time_unit", str | None, None, "--time-unit", "days | months | years."),
    ("event_codes", str | None, None, "--event-codes", "Explicit codes, e.g. yes=1,no=0."),
    ("platform", Path | None, None, "--platform", "GEO platform table (probe -> gene)."),
    ("orientation", str, "genes_x_samples", "--orientation", "Expression table layout."),
    ("sample_column", str | None, None, "--sample-column", "Clinical sample ID column."),
    ("collapse", str, "max_mean", "--collapse", "Duplicate genes: max_mean|max_var|mean."),
    (
        "subgroup",
        str | None,
        None,
        "--subgroup",
        "Keep samples matching, e.g. \"er == 'positive'\".",
    ),
]


def source_options(function: F) -> F:
    """Add the shared SOURCE-reading options to a command; pass them as ``source_options``."""
    signature = inspect.signature(function, eval_str=True)
    parameters = [p for p in signature.parameters.values() if p.name != "source_options"]
    for name, annotation, default, flag, help_text in _SOURCE_PARAMETERS:
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=Annotated[annotation, typer.Option(flag, help=help_text)],
            )
        )

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name, *_ in _SOURCE_PARAMETERS}
        return function(*args, source_options=SourceOptions(**values), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def parse_event_codes(text: str | None) -> dict[str, int] | None:
    """Parse ``yes=1,no=0`` into a mapping.

    Examples
    --------
    >>> parse_event_codes("yes=1, no=0")
    {'yes': 1, 'no': 0}
    """
    if text is None:
        return None
    codes: dict[str, int] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or value.strip() not in ("0", "1"):
            raise OptionError(
                "--event-codes not understood", expected="value=1,value=0", found=item.strip()
            )
        codes[key.strip()] = int(value.strip())
    return codes


def load_source(source: str, options: SourceOptions) -> Any:
    """Load a cohort for a command, with a spinner on the terminal."""
    from sigsurv.cohorts import load_cohort

    with (
        stderr.status(f"Loading {source}...", spinner="dots")
        if _interactive()
        else contextlib.nullcontext()
    ):
        cohort = load_cohort(source, **options.loader_kwargs())
    if options.subgroup is not None:
        cohort = cohort.subset(options.subgroup)
    return cohort


def _interactive() -> bool:
    return not _state["quiet"] and stderr.is_terminal


def emit_json(payload: Any) -> None:
    """Print JSON to stdout (no rich markup)."""
    sys.stdout.write(json.dumps(payload, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# --------------------------------------------------------------------------- cohorts
@cohorts_app.command("list")
def cohorts_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the bundled cohorts (SurvSet breast cancer)."""
    from sigsurv.cohorts import list_examples

    table = list_examples().reset_index()
    if as_json:
        emit_json(table.to_dict(orient="records"))
        return
    view = Table(title="Bundled cohorts")
    for column in ("name", "title", "endpoint", "unit", "platform"):
        view.add_column(column)
    for row in table.itertuples():
        view.add_row(row.name, row.title, row.endpoint, row.unit, row.platform)
    stdout.print(view)


@cohort_app.command("info")
@source_options
def cohort_info(
    source: Annotated[str, typer.Argument(help="Bundled name, folder, series matrix or table.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Samples, genes, endpoints (events, median follow-up), clinical fields, identifiers."""
    cohort = load_source(source, source_options)
    summary = cohort.summary()
    if as_json:
        emit_json(summary)
        return
    stdout.print(
        f"[bold]{escape(summary['name'])}[/bold]: {summary['samples']} samples x "
        f"{summary['genes']} genes"
    )
    # User data (file names, values, messages) is escaped: rich would read "[...]" as markup.
    stdout.print(f"source: {escape(summary['provenance']['source'])}")
    stdout.print(
        f"platform: {escape(summary['provenance']['platform'])}; "
        f"scale: {escape(summary['provenance']['scale'])}"
    )
    endpoints = Table(title="Endpoints")
    for column in ("name", "label", "n", "events", "median follow-up", "unit"):
        endpoints.add_column(column)
    for name, info in summary["endpoints"].items():
        follow_up = info["median_follow_up"]
        endpoints.add_row(
            escape(name),
            escape(info["label"]),
            str(info["n"]),
            str(info["events"]),
            "not reached" if follow_up is None else f"{follow_up:.1f}",
            info["unit"],
        )
    stdout.print(endpoints)
    fields = Table(title="Clinical fields")
    for column in ("field", "type", "missing", "levels"):
        fields.add_column(column)
    shown = list(summary["clinical_fields"].items())
    if len(shown) > 40:
        stdout.print(
            f"[dim]{len(shown)} clinical fields; the first 40 are listed (--json for all)[/dim]"
        )
    for name, info in shown[:40]:
        levels = ", ".join(f"{k}: {v}" for k, v in info.get("levels", {}).items())
        fields.add_row(escape(str(name)), info["type"], str(info["missing"]), escape(levels[:80]))
    stdout.print(fields)
    if cohort.gene_report is not None:
        stdout.print("[bold]Gene identifiers[/bold]: " + escape(cohort.gene_report.summary()))
    for message in summary["messages"]:
        stdout.print(f"[dim]note:[/dim] {escape(message)}")


# --------------------------------------------------------------------------- signatures
signatures_app = typer.Typer(help="Built-in and user signatures.", no_args_is_help=True)
app.add_typer(signatures_app, name="signatures")


@signatures_app.command("list")
def signatures_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the built-in signatures with their source and seed document."""
    from sigsurv.signatures import list_signatures, signature_summary

    rows = [signature_summary(sig) for sig in list_signatures()]
    if as_json:
        emit_json(rows)
        return
    table = Table(title="Built-in signatures")
    for column in ("id", "genes", "population", "source", "seed document"):
        table.add_column(column)
    for row in rows:
        source = (
            f"doi:{row['doi']}"
            if row.get("doi")
            else (f"PMID {row['pmid']}" if row.get("pmid") else "")
        )
        table.add_row(
            escape(row["id"]),
            str(row["n_genes"]),
            escape(row.get("population") or "all"),
            escape(source),
            escape(row.get("seed_document") or ""),
        )
    stdout.print(table)


@signatures_app.command("show")
def signatures_show(
    signature: Annotated[str, typer.Argument(help="Built-in id or a YAML/GMT file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Genes, directions, per-gene provenance, source and the claims a signature tests."""
    from sigsurv.signatures import describe_signature

    record = describe_signature(signature)
    if as_json:
        emit_json(record)
        return
    stdout.print(f"[bold]{escape(record['id'])}[/bold] · {escape(record.get('name', ''))}")
    for key in ("description", "endpoint", "population", "expected_direction"):
        if record.get(key):
            stdout.print(f"{key.replace('_', ' ')}: {escape(str(record[key]))}")
    genes = Table(title="Genes")
    for column in ("symbol", "direction", "weight", "provenance", "citation"):
        genes.add_column(column)
    for gene in record.get("genes", []):
        genes.add_row(
            escape(gene["symbol"]),
            f"{gene['direction']:+d}",
            f"{gene['weight']:g}",
            gene.get("provenance", ""),
            escape((gene.get("citation") or "")[:70]),
        )
    stdout.print(genes)
    for caveat in record.get("caveats", []):
        stdout.print(f"[yellow]caveat:[/yellow] {escape(caveat)}")
    for claim in record.get("claims", []):
        stdout.print(f"claim ({claim.get('role', '')}): {claim.get('id')}")


@signatures_app.command("export")
def signatures_export(
    signature: Annotated[str, typer.Argument(help="Built-in id or a YAML/GMT file.")],
    format: Annotated[str, typer.Option("--format", "-f", help="gmt | yaml")] = "yaml",
) -> None:
    """Print a signature as YAML or GMT (MSigDB convention, signed sets as _UP/_DN)."""
    from sigsurv.signatures import export_signature

    sys.stdout.write(export_signature(signature, format))


# --------------------------------------------------------------------------- score
@app.command("score")
@source_options
def score_command(
    source: Annotated[str, typer.Argument(help="Bundled name, folder, series matrix or table.")],
    signature: Annotated[
        list[str], typer.Option("--signature", "-s", help="Built-in id or file (repeatable).")
    ],
    method: Annotated[str, typer.Option("--method", "-m", help="Scoring method.")] = "mean_z",
    min_coverage: Annotated[
        float, typer.Option("--min-coverage", help="Minimum fraction of genes found.")
    ] = 0.5,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write scores to .tsv or .parquet.")
    ] = None,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Score signatures per sample (samples x signatures)."""
    from rich.progress import Progress

    from sigsurv.scoring import score
    from sigsurv.signatures import get_signature

    cohort = load_source(source, source_options)
    definitions = [get_signature(s) for s in signature]
    with Progress(console=stderr, disable=_state["quiet"] or not stderr.is_terminal) as progress:
        task = progress.add_task(f"scoring ({method})", total=None)
        scores = score(
            cohort,
            definitions,
            method=method,
            min_coverage=min_coverage,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    coverage = scores.attrs.get("coverage", {})
    for name, info in coverage.items():
        if not _state["quiet"]:
            stderr.print(
                f"[dim]{escape(str(name))}: {info['n_found']} of {info['n_genes']} genes found"
                + (f"; missing {escape(', '.join(info['missing']))}" if info["missing"] else "")
                + "[/dim]"
            )
    scores.index.name = "sample"
    if out is None:
        sys.stdout.write(scores.to_csv(sep="\t", float_format="%.10g"))
    elif out.suffix.lower() in (".parquet", ".pq"):
        frame = scores.copy()
        frame.attrs = {}
        frame.to_parquet(out)
    else:
        scores.to_csv(out, sep="\t", float_format="%.10g")


# --------------------------------------------------------------------------- survival
@app.command("survival")
@source_options
def survival_command(
    source: Annotated[str, typer.Argument(help="Bundled name, folder, series matrix or table.")],
    signature: Annotated[str, typer.Option("--signature", "-s", help="Built-in id or file.")],
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Endpoint name.")] = None,
    method: Annotated[str | None, typer.Option("--method", "-m", help="Scoring method.")] = None,
    cut: Annotated[
        str | None, typer.Option("--cut", help="median | tertile | quartile | optimal | VALUE.")
    ] = None,
    horizon: Annotated[
        float | None, typer.Option("--horizon", help="Censor follow-up at this time.")
    ] = None,
    horizon_unit: Annotated[
        str | None, typer.Option("--horizon-unit", help="Unit of --horizon (default: endpoint's).")
    ] = None,
    covariates: Annotated[
        str | None, typer.Option("--covariates", help="Clinical columns, comma-separated.")
    ] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Stratify by a column.")] = None,
    population: Annotated[
        bool,
        typer.Option(
            "--population/--all-patients",
            help="Apply the signature's population filter (e.g. ER+).",
        ),
    ] = True,
    permutations: Annotated[
        int, typer.Option("--permutations", help="Permutations for the optimal-cut p.")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20240101,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json.")] = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Score a signature, split patients, run KM + log-rank + Cox + concordance + PH test."""
    from sigsurv.report.outputs import build_manifest, dump_json, write_survival_outputs
    from sigsurv.signatures import get_signature
    from sigsurv.survival.analysis import analyse_signature

    cohort = load_source(source, source_options)
    definition = get_signature(signature)
    subgroup: str | None = "default" if population else None
    if source_options.subgroup and population and definition.population_filter:
        stderr.print(
            f"[dim]note: --subgroup given; the signature's population filter "
            f"({definition.population_filter}) is also applied[/dim]"
        )
    result = analyse_signature(
        cohort,
        definition,
        endpoint=endpoint,
        method=method,
        cut=cut,
        horizon=horizon,
        horizon_unit=horizon_unit,
        subgroup=subgroup,
        covariates=[c.strip() for c in covariates.split(",")] if covariates else None,
        strata=strata,
        n_permutations=permutations,
        seed=seed,
    )
    payload = result.to_dict()
    if out is not None:
        options = {
            "source": source,
            "signature": signature,
            "endpoint": endpoint,
            "method": method,
            "cut": cut,
            "horizon": horizon,
            "horizon_unit": horizon_unit,
            "covariates": covariates,
            "strata": strata,
            "population": population,
            "permutations": permutations,
            **{k: str(v) if isinstance(v, Path) else v for k, v in vars(source_options).items()},
        }
        manifest = build_manifest(
            command="survival",
            options=options,
            input_files=list(cohort.provenance.files) + _signature_files(signature),
            signatures=[{"id": definition.id, "version": definition.version}],
            seed=seed,
        )
        files = write_survival_outputs(result, out, manifest)
        if not as_json and not _state["quiet"]:
            stderr.print("wrote " + escape(", ".join(str(p) for p in files.values())))
    if as_json:
        sys.stdout.write(dump_json(payload))
        return
    _print_survival(payload)


def _signature_files(signature: str) -> list[str]:
    path = Path(signature.split("::")[0])
    return [str(path)] if path.is_file() else []


def _print_survival(payload: dict[str, Any]) -> None:
    from sigsurv.plots import format_p

    endpoint = payload["endpoint"]
    stdout.print(
        f"[bold]{escape(payload['cohort'])}[/bold] · {escape(payload['signature']['id'])} "
        f"({payload['method']}) · {escape(endpoint['label'])} · n = {payload['n']}, "
        f"{payload['events']} events"
    )
    groups = Table(title=f"Groups ({payload['cut']['rule']} cut)")
    for column in ("group", "n", "events", f"median survival ({endpoint['unit']})"):
        groups.add_column(column)
    for row in payload["groups"]:
        median = row["median_survival"]
        groups.add_row(
            row["group"],
            str(row["n"]),
            str(row["events"]),
            "not reached" if median is None else f"{median:.1f}",
        )
    stdout.print(groups)
    models = Table(title="Hazard ratios")
    for column in ("model", "HR", "95% CI", "p"):
        models.add_column(column)
    levels = payload["cut"]["levels"]
    for label, key in (
        (f"grouped ({levels[-1]} vs {levels[0]})", "cox_grouped"),
        ("continuous, per SD", "cox_continuous_per_sd"),
    ):
        row = payload[key]
        if row["hr"] is None:
            models.add_row(label, "not estimable", "", "; ".join(row["problems"]))
        else:
            models.add_row(
                label,
                f"{row['hr']:.3f}",
                f"{row['ci_lower']:.3f}–{row['ci_upper']:.3f}",
                format_p(row["p_wald"]),
            )
    stdout.print(models)
    stdout.print(
        f"log-rank χ² = {payload['logrank']['chisq']:.3f}, "
        f"{format_p(payload['logrank']['p'])}; concordance "
        f"{payload['concordance']['c_index']:.3f}"
    )
    if payload.get("ph_test"):
        stdout.print(f"proportional hazards (Schoenfeld): {format_p(payload['ph_test']['p'])}")
    if "maxstat" in payload:
        maxstat = payload["maxstat"]
        stdout.print(
            f"optimal cut {maxstat['cutpoint']:.4g}: naive {format_p(maxstat['naive_logrank_p'])}"
            f", selection-adjusted Lau92 {format_p(maxstat['p_lau92'])}, Lau94 "
            f"{format_p(min(1.0, maxstat['p_lau94']))}"
        )
    for note in payload["notes"]:
        stdout.print(f"[dim]note:[/dim] {escape(note)}")


# --------------------------------------------------------------------------- scan
@app.command("scan")
@source_options
def scan_command(
    source: Annotated[str, typer.Argument(help="Bundled name, folder, series matrix or table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Endpoint name.")] = None,
    gmt: Annotated[
        Path | None, typer.Option("--gmt", help="Gene sets (GMT); default: built-in signatures.")
    ] = None,
    permutations: Annotated[int, typer.Option("--permutations", help="GSEA permutations.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20240101,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Genome-wide univariate Cox, then preranked GSEA of gene sets on the Cox z."""
    import numpy as np

    from sigsurv.signatures import list_signatures, load_signatures
    from sigsurv.survival.cox_scan import cox_scan
    from sigsurv.survival.endpoints import prepare_survival
    from sigsurv.survival.enrichment import gene_sets_from_signatures, survival_set_enrichment

    cohort = load_source(source, source_options)
    data, survival = prepare_survival(cohort, endpoint)
    expression = data.expression
    spread = np.ptp(expression.to_numpy(), axis=1)
    constant = int((spread == 0).sum())
    if constant and not _state["quiet"]:
        stderr.print(f"[dim]{constant} constant genes left out of the scan[/dim]")
    scan = cox_scan(expression.loc[spread > 0], survival.time, survival.event)
    signatures = load_signatures(gmt) if gmt is not None else list_signatures()
    enrichment = survival_set_enrichment(
        scan, gene_sets_from_signatures(signatures), permutations=permutations, seed=seed
    )
    out.mkdir(parents=True, exist_ok=True)
    scan.to_csv(out / "cox_scan.tsv", sep="\t", float_format="%.10g", index_label="gene")
    enrichment.to_csv(out / "enrichment.tsv", sep="\t", float_format="%.10g")
    if not _state["quiet"]:
        stdout.print(
            f"{len(scan)} genes scanned ({survival.label}, n = {survival.n}, "
            f"{survival.events} events); wrote {out / 'cox_scan.tsv'} and "
            f"{out / 'enrichment.tsv'}"
        )
        table = Table(title="Gene sets tracking survival (positive NES = harmful genes)")
        for column in ("set", "genes", "NES", "p", "FDR"):
            table.add_column(column)
        for name, row in enrichment[enrichment["tested"]].head(15).iterrows():
            table.add_row(
                escape(str(name)),
                str(row["n_genes"]),
                f"{row['nes']:.2f}",
                f"{row['p']:.3g}",
                f"{row['fdr']:.3g}",
            )
        stdout.print(table)


# --------------------------------------------------------------------------- reproduce
@app.command("reproduce")
def reproduce_command(
    cohort: Annotated[
        list[str] | None,
        typer.Option("--cohort", "-c", help="Cohort SOURCE (repeatable); default: bundled."),
    ] = None,
    claim: Annotated[
        list[str] | None, typer.Option("--claim", help="Only these claim ids (repeatable).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("report"),
    null_random: Annotated[
        int, typer.Option("--null-random", help="Random signatures for the null (0 = skip).")
    ] = 200,
    proxies: Annotated[
        bool, typer.Option("--proxies/--no-proxies", help="Also test proxy signatures.")
    ] = True,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20240101,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json.")] = False,
) -> None:
    """Test every seed claim on every cohort that can test it; write report.html."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from sigsurv.claims.reproduce import reproduce_claims
    from sigsurv.cohorts import EXAMPLES
    from sigsurv.report.html import write_reproduction
    from sigsurv.report.outputs import build_manifest, dump_json
    from sigsurv.seeds import get_claim
    from sigsurv.signatures import get_signature

    sources = list(cohort) if cohort else list(EXAMPLES)
    chosen_claims = [get_claim(c) for c in claim] if claim else None
    cohorts = []
    show = not _state["quiet"] and not as_json
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=stderr,
        disable=not show,
        transient=False,
    ) as progress:
        loading = progress.add_task("loading cohorts", total=len(sources))
        for source in sources:
            cohorts.append(load_source(source, SourceOptions()))
            progress.advance(loading)
        testing = progress.add_task("testing claims x cohorts", total=None)

        def advance(done: int, total: int, label: str) -> None:
            progress.update(
                testing, completed=done, total=total, description=f"testing {label[:48]:<48}"
            )

        reproduction = reproduce_claims(
            cohorts,
            chosen_claims,
            include_proxies=proxies,
            null_random=null_random,
            seed=seed,
            progress=advance,
        )
        progress.update(testing, description="testing claims x cohorts")
        writing = progress.add_task("writing report", total=1)
        manifest = build_manifest(
            command="reproduce",
            options={
                "cohort": sources,
                "claim": claim,
                "out": str(out),
                "null_random": null_random,
                "proxies": proxies,
            },
            input_files=[f for c in cohorts for f in c.provenance.files],
            signatures=[
                {"id": sig.id, "version": sig.version}
                for sig in map(
                    get_signature,
                    sorted({t.signature_id for r in reproduction.claims for t in r.tests}),
                )
            ],
            seed=seed,
        )
        files = write_reproduction(reproduction, out, manifest)
        progress.advance(writing)
    payload = reproduction.to_dict()
    if as_json:
        sys.stdout.write(dump_json(payload))
        return
    table = Table(title="Claims x cohorts")
    for column in ("claim", "cohort", "signature", "HR (95% CI)", "p", "verdict"):
        table.add_column(column)
    colours = {
        "reproduced": "green",
        "same direction, not significant": "yellow",
        "opposite direction": "red",
        "not testable here": "dim",
    }
    for row in payload["rows"]:
        estimate = row["estimate"]
        grouped = estimate["hr_grouped"] if estimate else None
        hr_text = p_text = ""
        if grouped and grouped["hr"] is not None:
            hr_text = f"{grouped['hr']:.2f} ({grouped['ci_lower']:.2f}–{grouped['ci_upper']:.2f})"
            p_text = f"{grouped['p_wald']:.3g}"
        colour = colours.get(row["verdict"], "white")
        table.add_row(
            escape(row["claim_id"]),
            escape(row["cohort"]),
            escape(row["signature_id"]),
            hr_text,
            p_text,
            f"[{colour}]{row['verdict']}[/{colour}]",
        )
    if not _state["quiet"]:
        stdout.print(table)
        stdout.print(f"report: {escape(str(files['report.html']))}")


# --------------------------------------------------------------------------- entry point
def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    if _state["quiet"] and category is not SigsurvWarning:
        return
    prefix = "warning" if category is SigsurvWarning else category.__name__
    stderr.print(f"[yellow]{prefix}:[/yellow] {escape(str(message))}", highlight=False)


def _is_usage_error(error: Exception) -> bool:
    # typer vendors click; its ClickException classes live in typer's namespace.
    return any(cls.__name__ == "ClickException" for cls in type(error).__mro__)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 unexpected error, 2 input error).

    Examples
    --------
    >>> main(["signatures", "export", "msk1_rps6ka5", "--format", "gmt"])
    msk1_rps6ka5	https://doi.org/10.1038/s41556-017-0021-z	RPS6KA5
    0
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    _state["debug"] = "--debug" in arguments
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", SigsurvWarning)
            warnings.showwarning = _show_warning
            app(args=arguments, prog_name="sigsurv", standalone_mode=False)
        return 0
    except SigsurvInputError as error:
        if _state["debug"]:
            stderr.print_exception()
        stderr.print(f"[bold red]error:[/bold red] {escape(str(error))}", highlight=False)
        return 2
    except typer.Exit as done:
        return int(done.exit_code or 0)
    except typer.Abort:
        stderr.print("[red]aborted[/red]")
        return 1
    except Exception as error:  # the CLI must never show a raw traceback
        if _is_usage_error(error):
            error.show()  # type: ignore[attr-defined]
            return int(getattr(error, "exit_code", 2))
        if _state["debug"]:
            stderr.print_exception()
        stderr.print(
            f"[bold red]unexpected error:[/bold red] {type(error).__name__}: {escape(str(error))} "
            "(run again with --debug for the traceback, and please report it)",
            highlight=False,
        )
        return 1
    finally:
        warnings.showwarning = previous
