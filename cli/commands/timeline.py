"""conflictmap timeline: shares per actor over time, as a table or a chart."""

from typing import Annotated, Optional

import typer

from cli.commands.share import MEASURE, By
from cli.errors import say
from cli.options import dataset_command, load
from cli.output import Format, emit_rows
from conflictmap.errors import UsageError
from conflictmap.model import parse_option_date


@dataset_command()
def timeline(
    inputs,
    fmt,
    start: Annotated[Optional[str], typer.Option("--start", help="First date (YYYY-MM-DD); default: the first date of the log.")] = None,
    end: Annotated[Optional[str], typer.Option("--end", help="Last date (YYYY-MM-DD); default: the last date of the log.")] = None,
    every: Annotated[Optional[str], typer.Option("--every", help="Fixed step: 1d, 7d, 2w, 1m, 1y; default: each date of the log.")] = None,
    by: Annotated[By, typer.Option("--by", help="Measure of the table (a column per actor) and of the chart; csv/json carry all.")] = By.count,
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="Baseline date D0: the universe is what --baseline-actor held then.")] = None,
    baseline_actor: Annotated[Optional[str], typer.Option("--baseline-actor", help="Actor or group whose D0 holdings are the universe.")] = None,
    plot: Annotated[Optional[str], typer.Option("--plot", help="Write a chart to FILE.png or FILE.svg instead of printing the table.")] = None,
):
    """Shares per actor on each date of the log (or at a fixed step): districts, km², people, absolute and percent.

    csv/tsv/json/ndjson: long form, one row per date and actor. table/markdown:
    a row per date and a column per actor, in percent of the --by measure.
    The value on any date is what `conflictmap share --date` prints for that date.
    """
    from conflictmap.timeline import timeline as compute

    if (baseline is None) != (baseline_actor is None):
        raise UsageError("--baseline and --baseline-actor go together: give both (e.g. --baseline 2016-11-15 --baseline-actor rebels)")
    if plot:
        from conflictmap.plots import output_format

        output_format(plot)  # a bad file name fails before any work
    ds = load(inputs)
    if by == By.population and not ds.has_population:
        raise UsageError("--by population needs a population field; name it with --population-field")
    first = parse_option_date(start, "--start") if start else None
    last = parse_option_date(end, "--end") if end else None
    base_day = parse_option_date(baseline, "--baseline") if baseline else None
    members = ds.actors.resolve_query(baseline_actor, "--baseline-actor") if baseline_actor else None
    table = compute(ds, first, last, every, base_day, members)
    if plot:
        from conflictmap.plots import timeline_chart

        timeline_chart(ds, table, plot, MEASURE[by], base_day, baseline_actor)
        say(f"wrote {plot}", "info")
        return
    _emit(table, fmt, MEASURE[by], base_day, baseline_actor)


def _emit(table, fmt, measure: str, base_day, actor) -> None:
    from conflictmap.timeline import wide

    iso = table.assign(date=[d.isoformat() for d in table["date"]])
    if fmt in (Format.table, Format.markdown):
        pct = "districts_pct" if measure == "districts" else measure.replace("_km2", "") + "_pct"
        unit = {"districts": "districts", "area_km2": "area (km²)", "population": "population"}[measure]
        title = f"% of {unit} held by each actor"
        if base_day:
            title = f"% of what {actor} held on {base_day} ({unit}), by who holds it"
        emit_rows(wide(iso, pct), fmt, title=title)
        return
    emit_rows(iso, fmt)


def register(app):
    app.command("timeline")(timeline)
