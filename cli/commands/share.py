"""conflictmap share: what share of districts, km² and people each actor holds."""

from typing import Annotated

import typer

from conflictmap.cli.errors import report_problems
from conflictmap.cli.options import (
    BaselineActorOpt,
    BaselineOpt,
    By,
    DateOpt,
    baseline_date,
    baseline_of,
    check_measure,
    dataset_command,
    load,
    query_date,
)
from conflictmap.cli.confidence import ConfidenceOpt, RangeOpt, confidence_filter, range_columns, range_kinds
from conflictmap.cli.errors import say
from conflictmap.cli.output import emit_rows


@dataset_command()
def share(
    inputs,
    fmt,
    date: DateOpt = None,
    by: Annotated[
        By, typer.Option("--by", help="Sort by this measure (all measures are printed).", case_sensitive=False)
    ] = By.count,
    baseline: BaselineOpt = None,
    baseline_actor: BaselineActorOpt = None,
    confidence: ConfidenceOpt = None,
    range_: RangeOpt = False,
):
    """One row per actor: districts, km² and population held, absolute and percent.

    With --baseline D0 --baseline-actor A: of what A held on D0, the share each actor holds on --date.

    Every actor of the log is a row on every date (0 when it holds nothing), and so are contested and unknown.

    With --confidence LEVEL only the changes at least that sure count; with --range each figure also gets
    `_low` and `_high`: the lower and higher of the figure from every row and from the confirmed changes only.

    Example: conflictmap share --baseline 2016-11-15 --baseline-actor rebels --date 2016-12-12
    Example: conflictmap share --by area -f json
    """
    from conflictmap.figures import population_gaps, shares

    base_day = baseline_date(baseline, baseline_actor)
    ds = load(inputs)
    report_problems(population_gaps(ds))  # population figures count them as 0 people
    measure = check_measure(ds, by)
    day = query_date(ds, date)
    base = baseline_of(ds, base_day, baseline_actor)
    title = _title(ds, day, base)
    if confidence or range_:
        ds, keep, levels = confidence_filter(ds, confidence, range_)
        if range_:
            from conflictmap.confidence import share_range

            table = share_range(ds, day, measure, base, keep, levels)
            emit_rows(
                table,
                fmt,
                range_columns(table, fmt),
                title + f" (range: every row / {levels.names[max(keep)]} or surer)",
                range_kinds(table),
            )
            return
    table = shares(ds, day, measure, base)
    emit_rows(table, fmt, title=title)


def _title(ds, day, base) -> str:
    """'Shares on D', and what the figures are of where the columns do not say it (figures.of_what), and the
    date whose state they are when far from D (in_force)."""
    from conflictmap.figures import of_what

    when = day.isoformat() if day else "(no log)"
    if base:
        title = f"Of what {base.label} held on {base.date.isoformat()}: share held on {when}"
    else:
        title = f"Shares on {when}"
    notes = of_what(ds) + in_force(ds, day)
    return title + (f" ({'; '.join(notes)})" if notes else "")


def in_force(ds, day) -> list[str]:
    """For a log of measured shares (zone snapshots), the log's date whose state `day` shows when more than
    STALE_DAYS before it, as a title's words (and a note between two dates of the log: after its last one
    the stale-date warning says it). A log of events asserts its state until its next row: nothing to say."""
    from conflictmap.changes import is_fractional
    from conflictmap.report import date_in_force
    from conflictmap.tolerance import STALE_DAYS

    force = date_in_force(ds, day) if day and is_fractional(ds) else None
    if force is None or (day - force).days <= STALE_DAYS:
        return []
    if day <= ds.last_date:
        say(
            f"{day.isoformat()} falls between two dates of the log: the figures are its state of "
            f"{force.isoformat()} ({(day - force).days} days before); it has no observation in between",
            "note",
        )
    return [f"the log's state of {force.isoformat()}"]


def register(app):
    app.command("share")(share)
