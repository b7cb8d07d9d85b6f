"""conflictmap status: who holds each district on a date."""

from conflictmap.cli.confidence import ConfidenceOpt, confidence_filter
from conflictmap.cli.options import DateOpt, dataset_command, load, query_date
from conflictmap.cli.output import Format, emit_rows


@dataset_command()
def status(inputs, fmt, date: DateOpt = None, confidence: ConfidenceOpt = None):
    """One row per district: controller(s) with shares, date of the row in force, km², population, source.

    Example: conflictmap status --date 2016-12-07
    Example: conflictmap status --date 2016-12-07 -f csv | head
    """
    from conflictmap.figures import status as compute

    ds = load(inputs)
    if confidence:  # only the changes at least that sure (conflictmap.confidence)
        ds = confidence_filter(ds, confidence, False)[0]
    day = query_date(ds, date)
    table = compute(ds, day)
    columns = [c for c in table.columns if c != "shares" or fmt in (Format.json, Format.ndjson)]
    title = f"Control on {day.isoformat()}" if day else "Control (no log)"
    emit_rows(table, fmt, columns, title)


def register(app):
    app.command("status")(status)
