"""``sigsurv cohorts`` and ``sigsurv cohort``: the bundled cohorts, and one cohort's contents."""

from __future__ import annotations

from sigsurv._cli_options import SourceOptions, emit_json, load_source, show, source_options
from sigsurv.cli._app import AsJson, Source, cohort_app, cohorts_app


@cohorts_app.command("list")
def cohorts_list(as_json: AsJson = False) -> None:
    """List the bundled cohorts (SurvSet breast cancer)."""
    from sigsurv.cohorts import list_examples
    from sigsurv.report.terminal import cohorts_table

    rows = list_examples().reset_index().to_dict(orient="records")
    if as_json:
        emit_json(rows)
    else:
        show(cohorts_table(rows))


@cohort_app.command("info")
@source_options
def cohort_info(
    source: Source,
    as_json: AsJson = False,
    source_options: SourceOptions = SourceOptions(),  # noqa: B008 - filled by the decorator
) -> None:
    """Samples, genes, endpoints (events, median follow-up), clinical fields, identifiers."""
    from sigsurv.report.describe import describe_cohort, gene_report_text
    from sigsurv.report.terminal import cohort_info_view

    cohort = load_source(source, source_options)
    description = describe_cohort(cohort)
    if as_json:
        emit_json(description)
    else:
        show(*cohort_info_view(description, gene_report_text(cohort)))
