"""conflictmap front-movement: how far and how fast the front moved between dates, per actor pair."""

from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import report_problems, say
from conflictmap.cli.options import GapOpt, date_option, dataset_command, load, warn_outside_log
from conflictmap.cli.output import emit_rows

PEOPLE_COLUMNS = [
    "since",
    "until",
    "actor",
    "from",
    "area_km2",
    "front_km",
    "depth_km",
    "max_advance_km",
    "rate_km_per_day",
]


@dataset_command()
def front_movement(
    inputs,
    fmt,
    since: date_option("--since", "D0 (YYYY-MM-DD); default: the first date of the log.") = None,
    until: date_option("--until", "D1 (YYYY-MM-DD); default: the last date of the log.") = None,
    every: Annotated[
        Optional[str], typer.Option("--every", help="One row set per step between --since and --until: 1d, 7d, 2w, 1m.")
    ] = None,
    gap: GapOpt = None,
):
    """Per actor pair: km² that changed hands, the D0 front length, the mean advance depth (km² ÷ front km),
    the maximum advance (farthest gained point from the D0 front, geodesic) and the rates in km/day.

    Example: conflictmap front-movement --since 2016-11-26 --until 2016-12-12
    """
    from conflictmap.frontline import resolve_gap
    from conflictmap.movement import COLUMNS, front_movement as compute, stepped_movement
    from conflictmap.timeline import date_grid

    ds = load(inputs)
    gap, note = resolve_gap(ds.districts.geometry.values, gap)  # as frontline does, and said once
    report_problems([note] if note else [])
    from conflictmap.cli.commands.frontline import say_zone_log

    say_zone_log(
        ds,
        "depth and rates divide by that length; for the zones' own: conflictmap zones movement ZONES --clip BOUNDARY",
    )
    if every:
        table = stepped_movement(ds, date_grid(ds, since, until, every), gap, resolved=True)
    else:
        table = compute(ds, since, until, gap, resolved=True)
        _one_date(ds, since, until)
    warn_outside_log(ds, since, until)  # after the span was checked: an inverted one is the error alone
    if gap == 0 and note is None and len(table) and table["front_km"].eq(0).any():  # touching districts
        say(
            "a pair moved area but had no front on D0 (e.g. ground that became contested, an enclave taken from "
            "behind): its depth is empty",
            "warning",
        )
    columns = PEOPLE_COLUMNS if fmt.value in ("table", "markdown") else COLUMNS
    emit_rows(table, fmt, columns, "Front movement")


def _one_date(ds, since, until) -> None:
    """Say why the table is empty when D0 and D1 are one date."""
    from conflictmap.changes import window

    d0, d1 = window(ds, since, until)
    if d0 != d1:
        return
    day = d0.isoformat()
    if since is None and until is None:
        say(f"only one date in the log ({day}): movement needs two dates", "warning")
    else:
        say(f"--since and --until both come to {day}: movement needs two different dates", "warning")


def register(app):
    app.command("front-movement")(front_movement)
