"""conflictmap frontline: actor pairs and the length of the front between them on a date."""

from typing import Annotated

import typer

from cli.errors import report_problems
from cli.options import DateOpt, dataset_command, load
from cli.output import emit_rows
from conflictmap.model import parse_option_date


@dataset_command()
def frontline(
    inputs,
    fmt,
    date: DateOpt = None,
    gap: Annotated[float, typer.Option("--gap", help="Bridge gaps (e.g. streets) up to this many metres between districts: the front is then the part of a boundary facing the other side across the gap; default 0: shared boundaries only.")] = 0.0,
):
    """One row per actor pair: the geodesic length in km of the boundary between their districts.

    A split district counts for its largest holder (ties: alphabetical);
    contested and unknown ground are sides of their own. For the lines
    themselves: conflictmap export --layer frontline.
    """
    from conflictmap.frontline import COLUMNS, front_lines

    ds = load(inputs)
    day = parse_option_date(date, "--date") if date else ds.last_date
    result = front_lines(ds, day, gap)
    report_problems(result.problems)
    title = f"Front lines on {day.isoformat()}" if day else "Front lines (no log)"
    emit_rows(result.lines.drop(columns="geometry"), fmt, COLUMNS, title)


def register(app):
    app.command("frontline")(frontline)
