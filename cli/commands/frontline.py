"""conflictmap frontline: actor pairs and the length of the front between them on a date, or along zones' edges."""

from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import report_problems
from conflictmap.cli.options import (
    GapOpt,
    DateOpt,
    ZoneReading,
    dataset_command,
    load,
    query_date,
    read_zone_series,
    zone_options,
)
from conflictmap.cli.output import emit_rows
from conflictmap.cli.progress import ProgressBar
from conflictmap.errors import UsageError

ZonesOpt = Annotated[
    Optional[list[str]],
    typer.Argument(
        help="Zone files or folders: measure the front along the zones' edges (needs --clip) instead of between districts.",
        show_default=False,
    ),
]
ClipOpt = Annotated[
    Optional[str],
    typer.Option(
        "--clip",
        help="With zones: the reference area (e.g. national-boundary.geojson); a zone's edge is a front where it faces land inside it that the zone does not hold, so coasts and borders are not.",
    ),
]


@dataset_command()
@zone_options
def frontline(
    inputs,
    fmt,
    reading: ZoneReading,
    zones: ZonesOpt = None,
    date: DateOpt = None,
    gap: GapOpt = None,
    clip: ClipOpt = None,
):
    """One row per actor pair: the geodesic length in km of the boundary between their districts.

    A split district counts for its largest holder; one tied for the largest
    share fronts each tied holder along its edges; contested and unknown
    ground are sides of their own. For the lines
    themselves: conflictmap export --layer frontline.
    With zone files (frontline ZONES --clip BOUNDARY): one row per date and
    actor, the length of the zone's edge that faces land inside the clip.

    Example: conflictmap frontline --date 2016-11-28
    Example: conflictmap frontline zones/ --actor russia --clip national-boundary.geojson
    """
    if zones:
        return _from_zones(inputs, fmt, zones, date, gap, clip, reading)
    from conflictmap.frontline import COLUMNS, front_lines

    ds = load(inputs)
    day = query_date(ds, date)
    result = front_lines(ds, day, gap)
    report_problems(result.problems)
    say_zone_log(ds, "for the zones' own front: conflictmap frontline ZONES --clip BOUNDARY")
    title = f"Front lines on {day.isoformat()}" if day else "Front lines (no log)"
    emit_rows(result.lines.drop(columns="geometry"), fmt, COLUMNS, title)


def _from_zones(inputs, fmt, zones, date, gap, clip, reading) -> None:
    from conflictmap.frontline import ZONE_COLUMNS, ZONE_PROBE_M, zone_front_lines

    if inputs.districts or inputs.control or gap is not None:
        raise UsageError("frontline ZONES measures the zones' edges: drop --districts, --control and --gap")
    if not clip:
        raise UsageError(
            "frontline ZONES needs --clip FILE (e.g. national-boundary.geojson): the front is where a "
            "zone's edge faces land inside it"
        )
    with ProgressBar() as bar:
        zoneset, reference, _ = read_zone_series(zones, reading, inputs.actors, clip, bar)
        lines = zone_front_lines(zoneset, reference)
    if date:
        lines = lines[lines["date"] == date.isoformat()]
    from conflictmap.cli.errors import say

    say(
        f"front = zone edges facing land inside {clip} that the zone does not hold (probed {ZONE_PROBE_M / 1000:g} km "
        "out at right angles); coasts and borders are not fronts",
        "info",
    )
    emit_rows(lines.drop(columns="geometry"), fmt, ZONE_COLUMNS, "Front lines along the zones' edges (km)")


def say_zone_log(ds, instead: str) -> None:
    """A note when the log holds shares an overlay measured from zones: the front measured between districts
    then runs along district boundaries (each district to its largest holder), not along the zones' edges
    (on the raions 955 km against the zones' 1,157 km on 8 July 2024), and `instead` says what measures those."""
    from conflictmap.cli.errors import say

    notes = ds.log["note"].dropna().astype(str) if "note" in ds.log.columns else []
    if len(notes) and notes.str.startswith("zones overlay").any():
        say(
            "this log holds shares measured from zones by overlay: the front here runs along the boundaries of "
            f"the districts, each counted for its largest holder, not along the zones' edges; {instead}",
            "note",
        )


def register(app):
    app.command("frontline")(frontline)
