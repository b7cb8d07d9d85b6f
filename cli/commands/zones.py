"""conflictmap zones area / zones movement: km² per actor per date from dated zone polygons, and how the
zones' edges move. The zone options are declared once, in cli.options (ZONE_OPTIONS)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import guarded, report_problems, say
from conflictmap.cli.options import (
    ActorsOpt,
    ZoneReading,
    ZonesArg,
    check_output,
    read_zone_series,
    tabular_output,
    zone_options,
)
from conflictmap.cli.output import Format, emit_rows
from conflictmap.cli.progress import ProgressBar


zones_app = typer.Typer(
    help="Dated zone polygons (DeepStateMap style): km² per actor per date.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@zones_app.command("area")
@guarded
@tabular_output
@zone_options
def area(
    zones: ZonesArg,
    reading: ZoneReading,
    clip: Annotated[
        Optional[str],
        typer.Option(
            "--clip",
            "--land",
            help="Reference area (e.g. a national boundary; also spelt --land, as in overlay): zones are measured within it, and clip_pct is the % of its km².",
        ),
    ] = None,
    actors: ActorsOpt = None,
    fmt=None,  # -f and -o: @tabular_output
    population_raster: Annotated[
        Optional[str],
        typer.Option(
            "--population-raster",
            help="GeoTIFF of people per cell: also the people inside each zone (needs conflictmap[raster]).",
        ),
    ] = None,
    plot: Annotated[
        Optional[str],
        typer.Option(
            "--plot",
            help="Also draw the series to FILE.png or FILE.svg: km² per actor over the snapshots, and with --clip the % of it.",
        ),
    ] = None,
):
    """km² each actor's zones cover on each date (geodesic, WGS84), and the change since the previous date.

    Example: conflictmap zones area zones-deepstate/ --actor russia --clip national-boundary.geojson
    """
    check_output(plot, [*zones, clip, actors], "--plot")  # before the zones are read
    with ProgressBar() as bar:
        zoneset, reference, table = read_zone_series(zones, reading, actors, clip, bar)
    title = f"Zone areas (km²) within {Path(clip).name}" if clip else "Zone areas (km²)"
    if clip:
        from conflictmap.zones import clip_note

        say(clip_note(reference, Path(clip).name), "note")
    columns = ["date", "actor", "area_km2", "change_km2", "change_km2_per_day"] + (["clip_pct"] if clip else [])
    if population_raster:
        columns.append("population")
        table["population"] = with_people(table, zoneset, population_raster, reference)
    if plot:
        from conflictmap.actors import load_actors
        from conflictmap.plots import zones_chart

        zones_chart(table, plot, load_actors(actors), Path(clip).name if clip else None, [*zones, clip, actors])
        say(f"wrote {plot}", "info")
    emit_rows(table, fmt, columns, title)


def with_people(table, zoneset, raster, reference):
    """The people column of a zone-area table: 0 where an actor has no zone that day."""
    from conflictmap.raster import zone_population

    people = zone_population(zoneset, raster, reference)
    return [people.get((d, a), 0.0) for d, a in zip(table["date"], table["actor"])]


def register(app):
    app.add_typer(zones_app, name="zones")


@zones_app.command("movement")
@guarded
@tabular_output
@zone_options
def movement(
    zones: ZonesArg,
    reading: ZoneReading,
    clip: Annotated[
        Optional[str],
        typer.Option(
            "--clip",
            "--land",
            help="Reference area (e.g. a national boundary; also spelt --land): zones are measured within it, and the front is the zone edge facing land inside it that the zone does not hold (as frontline ZONES), so coasts and borders are not.",
        ),
    ] = None,
    rest: Annotated[
        str, typer.Option("--rest", help="Name of whoever holds the ground outside every zone (e.g. ukraine).")
    ] = "rest",
    actors: ActorsOpt = None,
    fmt=None,  # -f and -o: @tabular_output
):
    """Between consecutive dates, per actor: km² gained and lost, the front length on the earlier date, the
    mean advance depth (km² ÷ front km), the maximum advance (geodesic) and the rates in km/day.

    Example: conflictmap zones movement zones-deepstate/ --actor russia --rest ukraine --clip national-boundary.geojson
    """
    from conflictmap.movement import COLUMNS, zone_movement

    found: list = []
    with ProgressBar() as bar:
        zoneset, reference, _ = read_zone_series(zones, reading, actors, clip, bar)
        table = zone_movement(zoneset, reference, rest, progress=bar.stage("measuring"), problems=found)
    report_problems(found)
    if reference is None:
        say("no --clip: every edge of a zone counts as front, the border and the coast included", "warning")
    if len(zoneset.snapshots) == 1:  # the table is empty, and should say why
        only = zoneset.snapshots[0].date.isoformat()
        say(f"only one snapshot ({only}): movement needs two dates", "warning")
    emit_rows(
        table,
        fmt,
        COLUMNS if fmt not in (Format.table, Format.markdown) else COLUMNS[:2] + COLUMNS[3:-1],
        "Front movement of the zones",
    )
