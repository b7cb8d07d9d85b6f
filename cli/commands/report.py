"""conflictmap report: the headline sentences, the share and changes tables, as Markdown, HTML or JSON."""

from enum import Enum
from typing import Annotated, Optional

import typer

from conflictmap.cli.confidence import ConfidenceOpt, confidence_filter
from conflictmap.cli.errors import report_problems, say
from conflictmap.cli.options import (
    date_option,
    BaselineActorOpt,
    BaselineOpt,
    DateOpt,
    baseline_date,
    baseline_of,
    check_output,
    dataset_command,
    load,
    warn_outside_log,
)
from conflictmap.cli.output import emit


class ReportFormat(str, Enum):
    md = "md"
    markdown = "markdown"  # the name every other command's --format uses
    html = "html"
    json = "json"


@dataset_command(tabular=False)
def report(
    inputs,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="Report file: FILE.md, FILE.html or FILE.json, written atomically; '-' for stdout (with --format).",
        ),
    ],
    date: DateOpt = None,
    since: date_option(
        "--since",
        "Report the changes since this date (YYYY-MM-DD); default: the previous date of the log before --date.",
    ) = None,
    baseline: BaselineOpt = None,
    baseline_actor: BaselineActorOpt = None,
    report_format: Annotated[
        Optional[ReportFormat],
        typer.Option(
            "--format", "-f", help="md (or markdown), html or json; default: from the -o suffix.", case_sensitive=False
        ),
    ] = None,
    generated_at: Annotated[
        bool,
        typer.Option(
            "--generated-at",
            help="Stamp the report with the time it was made (UTC). Off by default: the same inputs give the same bytes.",
        ),
    ] = False,
    confidence: ConfidenceOpt = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            help="HTML: add the interactive map (date slider, tooltips, pan and zoom; Leaflet inlined, still no network) under the static map, which stays for print and for mail clients without scripts. Adds about 0.4 MB for the sample.",
        ),
    ] = False,
    range_: Annotated[
        bool,
        typer.Option(
            "--range",
            help="Where the figure from every row and from the changes of --confidence (default: confirmed) differ, the sentences give the range (79.0–84.0%) and the JSON _low/_high.",
        ),
    ] = False,
):
    """A report to paste or mail: headline sentences, shares, changes since --since, gains and losses.

    HTML is one self-contained file (inline CSS, map and timeline chart embedded,
    no network); Markdown has the same text and tables without the pictures;
    JSON carries the same figures unrounded.
    Example: conflictmap report --baseline 2016-11-15 --baseline-actor rebels --date 2016-12-12 -o report.html
    """
    from conflictmap.report import make_report, report_format as check_format, write_report

    base_day = baseline_date(baseline, baseline_actor)
    given = {ReportFormat.markdown: "md"}.get(report_format, report_format.value if report_format else None)
    fmt = check_format(output, given)  # a bad name fails before any work
    if interactive and fmt != "html":
        from conflictmap.errors import UsageError

        raise UsageError(
            f"--interactive puts the interactive map in an HTML report; name the output FILE.html or give --format html, not {fmt}"
        )
    check_output(output, inputs)  # a missing folder or an input as output fails before any work
    from conflictmap.figures import population_gaps

    ds = load(inputs)
    report_problems(population_gaps(ds))  # population figures count them as 0 people
    day = date or ds.last_date
    if not (since and day and since > day):  # --since after --date is the error alone (make_report says it)
        warn_outside_log(ds, since, day)
    options = {
        "date": date,
        "since": since,
        "baseline": baseline_of(ds, base_day, baseline_actor),
        "generated_at": _now() if generated_at else None,
        "interactive": interactive,
    }
    if confidence or range_:
        ds, keep, levels = confidence_filter(ds, confidence, range_)
        if range_:
            _ranged(ds, keep, levels, output, fmt, options)
            return
    if output == "-":
        emit(make_report(ds, fmt, **options))
        return
    write_report(ds, output, fmt, **options)
    say(f"wrote {output}", "info")


def _ranged(ds, keep, levels, output, fmt, options) -> None:
    from conflictmap.confidence import filtered
    from conflictmap.io import check_not_input, write_bytes_atomic
    from conflictmap.report_range import ranged_report

    text = ranged_report(ds, filtered(ds, keep, levels), levels.names[max(keep)], fmt, **options)
    if output == "-":
        emit(text)
        return
    check_not_input(output, ds.inputs.paths())
    write_bytes_atomic(output, text.encode("utf-8"))
    say(f"wrote {output}", "info")


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def register(app):
    app.command("report")(report)
