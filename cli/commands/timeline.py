"""conflictmap timeline: shares per actor over time, as a table or a chart."""

from enum import Enum
from typing import Annotated, Optional

import typer

from conflictmap.cli.confidence import ConfidenceOpt, RangeOpt, confidence_filter, range_kinds
from conflictmap.cli.errors import report_problems, say
from conflictmap.cli.options import (
    date_option,
    BaselineActorOpt,
    BaselineOpt,
    By,
    baseline_date,
    baseline_of,
    check_measure,
    check_output,
    dataset_command,
    load,
    warn_outside_log,
)
from conflictmap.cli.output import Format, emit_rows, to_file
from conflictmap.errors import UsageError

UNITS = {"districts": "districts", "area_km2": "area (km²)", "population": "population"}


class Style(str, Enum):
    stacked = "stacked"
    lines = "lines"
    bars = "bars"
    changes = "changes"


@dataset_command()
def timeline(
    inputs,
    fmt,
    start: date_option("--start", "First date (YYYY-MM-DD); default: the first date of the log.", "--since") = None,
    end: date_option("--end", "Last date (YYYY-MM-DD); default: the last date of the log.", "--until") = None,
    every: Annotated[
        Optional[str],
        typer.Option(
            "--every",
            help="Fixed step: 1d, 7d, 2w, 1m, 1y, from --start; the end date is always the last point, even off the step. Default: each date of the log.",
        ),
    ] = None,
    by: Annotated[
        By,
        typer.Option(
            "--by",
            help="Measure of the table (a column per actor) and of the chart; csv/json carry all.",
            case_sensitive=False,
        ),
    ] = By.count,
    baseline: BaselineOpt = None,
    baseline_actor: BaselineActorOpt = None,
    plot: Annotated[
        Optional[str],
        typer.Option(
            "--plot",
            help="Write a chart to FILE.png or FILE.svg instead of printing the table (with -o FILE the table is written there too).",
        ),
    ] = None,
    style: Annotated[
        Style,
        typer.Option(
            "--style",
            help="Chart style: stacked (shares adding up to 100%), lines (one line per actor, the y axis fitted to the data: small changes show), bars (a stacked bar per date, for a few dates such as --every 1m) or changes (bars of what each actor gained and lost per period, in the --by measure; e.g. --every 1m).",
            case_sensitive=False,
        ),
    ] = "stacked",
    confidence: ConfidenceOpt = None,
    range_: RangeOpt = False,
):
    """Shares per actor on each date of the log (or at a fixed step): districts, km², people, absolute and percent.

    csv/tsv/json/ndjson: long form, one row per date and actor. table/markdown:
    a row per date and a column per actor, in percent of the --by measure.
    The value on any date is what `conflictmap share --date` prints for that date.

    Example: conflictmap timeline --every 7d --by area
    Example: conflictmap timeline --plot timeline.png --style lines
    """
    from conflictmap.timeline import timeline as compute

    base_day = baseline_date(baseline, baseline_actor)
    if plot:
        from conflictmap.plots import output_format

        output_format(plot)  # a bad file name, a missing folder or an input as output fails before any work
        check_output(plot, inputs, "--plot")
    from conflictmap.figures import population_gaps

    ds = load(inputs)
    report_problems(population_gaps(ds))  # population figures count them as 0 people
    if confidence or range_:  # only the changes at least that sure (conflictmap.confidence), or both readings
        ds, keep, levels = confidence_filter(ds, confidence, range_)
    measure = check_measure(ds, by)
    # A bound left out stays None: the library then knows it is the log's first or last date.
    first = start
    last = end
    if range_:
        if plot:
            raise UsageError("--range gives a table of ranges, not a chart; drop --plot or --range")
        from conflictmap.confidence import timeline_range

        table = timeline_range(ds, keep, levels, first, last, every, baseline_of(ds, base_day, baseline_actor))
        warn_outside_log(ds, first, last)  # after the span was checked: an inverted one is the error alone
        iso = table.assign(date=[d.isoformat() for d in table["date"]])
        emit_rows(
            iso,
            fmt,
            title=f"Shares over time (range: every row / {levels.names[max(keep)]} or surer)",
            kinds=range_kinds(iso),
        )
        return
    base = baseline_of(ds, base_day, baseline_actor)
    table = compute(ds, first, last, every, base)
    warn_outside_log(ds, first, last)
    if plot:
        from conflictmap.plots import timeline_chart

        timeline_chart(ds, table, plot, measure, base, Style(style).value)
        say(f"wrote {plot}", "info")
        if not to_file():  # the chart instead of the table on the screen; with -o FILE the table is written too
            return
    _emit(ds, table, fmt, measure, base_day, base.label if base else None)


def _emit(ds, table, fmt, measure: str, base_day, actor) -> None:
    from conflictmap.figures import of_what, pct_name
    from conflictmap.timeline import wide

    iso = table.assign(date=[d.isoformat() for d in table["date"]])
    if fmt in (Format.table, Format.markdown):
        title = f"% of {UNITS[measure]} held by each actor"
        if base_day:
            title = f"% of what {actor} held on {base_day} ({UNITS[measure]}), by who holds it"
        notes = of_what(ds, [measure])
        title += f" ({'; '.join(notes)})" if notes else ""
        grid = wide(iso, pct_name(measure))
        emit_rows(grid, fmt, title=title, kinds={c: "pct" for c in grid.columns if c != "date"})
        return
    emit_rows(iso, fmt)


def register(app):
    app.command("timeline")(timeline)
