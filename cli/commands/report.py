"""conflictmap report: the headline sentences, the share and changes tables, as Markdown, HTML or JSON."""

from enum import Enum
from typing import Annotated, Optional

import typer

from cli.errors import say
from cli.options import DateOpt, dataset_command, load
from cli.output import emit
from conflictmap.errors import UsageError
from conflictmap.model import parse_option_date


class ReportFormat(str, Enum):
    md = "md"
    html = "html"
    json = "json"


@dataset_command(tabular=False)
def report(
    inputs,
    output: Annotated[str, typer.Option("--output", "-o", help="Report file: FILE.md, FILE.html or FILE.json, written atomically; '-' for stdout (with --format).")],
    date: DateOpt = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Report the changes since this date (YYYY-MM-DD); default: the previous date of the log before --date.")] = None,
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="Baseline date D0 for the headline: of what --baseline-actor held then, who holds it on --date.")] = None,
    baseline_actor: Annotated[Optional[str], typer.Option("--baseline-actor", help="Actor or group whose D0 holdings are the universe of the headline.")] = None,
    report_format: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="md, html or json; default: from the -o suffix.", case_sensitive=False)] = None,
    generated_at: Annotated[bool, typer.Option("--generated-at", help="Stamp the report with the time it was made (UTC). Off by default: the same inputs give the same bytes.")] = False,
):
    """A report to paste or mail: headline sentences, shares, changes since --since, gains and losses.

    HTML is one self-contained file (inline CSS, map and timeline chart embedded,
    no network); Markdown has the same text and tables without the pictures;
    JSON carries the same figures unrounded.
    Example: conflictmap report --baseline 2016-11-15 --baseline-actor rebels --date 2016-12-12 -o report.html
    """
    from conflictmap.report import make_report, report_format as check_format, write_report

    if (baseline is None) != (baseline_actor is None):
        raise UsageError("--baseline and --baseline-actor go together: give both (e.g. --baseline 2016-11-15 --baseline-actor rebels)")
    fmt = check_format(output, report_format.value if report_format else None)  # a bad name fails before any work
    day = parse_option_date(date, "--date") if date else None
    since_day = parse_option_date(since, "--since") if since else None
    base_day = parse_option_date(baseline, "--baseline") if baseline else None
    ds = load(inputs)
    members = ds.actors.resolve_query(baseline_actor, "--baseline-actor") if baseline_actor else None
    options = {"date": day, "since": since_day, "baseline": base_day, "baseline_actors": members,
               "baseline_label": baseline_actor, "generated_at": _now() if generated_at else None}
    if output == "-":
        emit(make_report(ds, fmt, **options))
        return
    write_report(ds, output, fmt, **options)
    say(f"wrote {output}", "info")


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def register(app):
    app.command("report")(report)
