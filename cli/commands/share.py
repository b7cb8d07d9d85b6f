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
    title = _title(day, base)
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


def _title(day, base) -> str:
    when = day.isoformat() if day else "(no log)"
    if base:
        return f"Of what {base.label} held on {base.date.isoformat()}: share held on {when}"
    return f"Shares on {when}"


def register(app):
    app.command("share")(share)
