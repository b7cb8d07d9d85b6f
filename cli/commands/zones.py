"""conflictmap zones area: km² per actor per date from dated zone polygons.

Also holds the zone options shared with `conflictmap overlay`.
"""

import functools
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import guarded, report_problems, say
from conflictmap.cli.options import COMMON
from conflictmap.cli.output import Format, emit_rows
from conflictmap.cli.progress import ProgressBar

ZONE_PANEL = "Zones"

ZonesArg = Annotated[list[str], typer.Argument(
    help="Zone files or folders (GeoJSON, GeoPackage, FlatGeobuf, ...): a file per date, or features with a date field.",
    show_default=False)]
ActorOpt = Annotated[Optional[str], typer.Option(
    "--actor", help="Actor holding every zone read (e.g. russia for DeepStateMap files).", rich_help_panel=ZONE_PANEL)]
ActorFieldOpt = Annotated[Optional[str], typer.Option(
    "--actor-field", help="Field naming each zone's actor (default: actor, controller, holder or side when present).", rich_help_panel=ZONE_PANEL)]
DateFieldOpt = Annotated[Optional[str], typer.Option(
    "--date-field", help="Field holding each zone's date (default: the date in each file's name, else its 'date' field).", rich_help_panel=ZONE_PANEL)]
DateFromNameOpt = Annotated[bool, typer.Option(
    "--date-from-name", help="Take dates from file names: one date anywhere in the name, YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD (deepstatemap_data_20240801.geojson, zones_2024-08-01.json).", rich_help_panel=ZONE_PANEL)]
AllowOverlapOpt = Annotated[Optional[list[str]], typer.Option(
    "--allow-overlap", help="Where zones of two actors overlap, this actor holds the overlap (repeat to rank several); default: overlap is an error.", rich_help_panel=ZONE_PANEL)]
ActorsOpt = Annotated[Optional[str], COMMON["actors"][1]]
SourceOpt = Annotated[Optional[str], typer.Option(
    "--source", help="What the zone files are: deepstate (DeepStateMap API export: occupied, Crimea and ORDLO held; liberated and grey zone not), nzz (NZZ map: nochange and gains held, losses not; dates from the features) or generic; default: detected from the data (said in a note).", rich_help_panel=ZONE_PANEL)]
WhereOpt = Annotated[Optional[str], typer.Option(
    "--where", help="Read only the features matching this OGR SQL condition, e.g. \"type <> 'losses'\".", rich_help_panel=ZONE_PANEL)]
ActorMapOpt = Annotated[Optional[str], typer.Option(
    "--actor-map", help="What each label means: 'label=actor,...' ('-' for not held), e.g. 'nochange=russia,gains=russia,losses=-'; labels are the values of --actor-field, NZZ's type or DeepState's classes (occupied, crimea, ordlo, liberated, grey, other).", rich_help_panel=ZONE_PANEL)]


# How a command reads zone files, declared once: @zone_options adds these to a command (as
# @dataset_command adds the inputs) and hands them over as one ZoneReading.
ZONE_OPTIONS = {"actor": (ActorOpt, None), "actor_field": (ActorFieldOpt, None), "date_field": (DateFieldOpt, None),
                "date_from_name": (DateFromNameOpt, False), "allow_overlap": (AllowOverlapOpt, None),
                "source": (SourceOpt, None), "where": (WhereOpt, None), "actor_map": (ActorMapOpt, None)}


@dataclass(frozen=True)
class ZoneReading:
    """The zone options of a command (ZONE_OPTIONS), as given."""

    actor: str | None = None
    actor_field: str | None = None
    date_field: str | None = None
    date_from_name: bool = False
    allow_overlap: tuple = ()
    source: str | None = None
    where: str | None = None
    actor_map: str | None = None


def zone_options(fn):
    """Decorate `fn(..., reading: ZoneReading, ...)` into a command with the zone options of ZONE_OPTIONS."""
    own = [p for name, p in inspect.signature(fn).parameters.items() if name != "reading"]
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
             for name, (kind, default) in ZONE_OPTIONS.items()]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        given = {name: kwargs.pop(name) for name in ZONE_OPTIONS}
        given["allow_overlap"] = tuple(given["allow_overlap"] or ())
        return fn(*args, reading=ZoneReading(**given), **kwargs)

    wrapper.__signature__ = inspect.Signature(own + extra)
    del wrapper.__wrapped__  # Typer must read our signature, not fn's
    return wrapper


def read_zones(zones, reading: ZoneReading, actors, bar):
    """The ZoneSet (actor names resolved by `actors`, a model.Actors), with its warnings on stderr."""
    from conflictmap.sources import parse_actor_map
    from conflictmap.zones import load_zones

    zoneset = load_zones(zones, reading.actor, reading.actor_field, reading.date_field, reading.date_from_name,
                         reading.allow_overlap, actors, progress=bar.stage("reading zones"), source=reading.source,
                         where=reading.where, actor_map=parse_actor_map(reading.actor_map))
    report_problems(zoneset.problems)
    say(f"{len(zoneset.snapshots)} date(s) from the {zoneset.dates_from}, actors: {', '.join(zoneset.actors)}", "info")
    return zoneset


def _zones_and_clip(zones, reading: ZoneReading, actors_file, clip, bar):
    """The zones (actor names by the actors file) and the clip geometry (None without --clip), warnings on stderr."""
    from conflictmap.model import load_actors
    from conflictmap.zones import load_clip

    zoneset = read_zones(zones, reading, load_actors(actors_file), bar)
    if not clip:
        return zoneset, None
    reference, problems = load_clip(clip)
    report_problems(problems)
    return zoneset, reference


zones_app = typer.Typer(
    help="Dated zone polygons (DeepStateMap style): km² per actor per date.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@zones_app.command("area")
@guarded
@zone_options
def area(
    zones: ZonesArg,
    reading: ZoneReading,
    clip: Annotated[Optional[str], typer.Option("--clip", help="Reference area (e.g. a national boundary): zones are measured within it.")] = None,
    actors: ActorsOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format: table for people; csv, tsv, json, ndjson, markdown for scripts.", case_sensitive=False)] = Format.table,
    population_raster: Annotated[Optional[str], typer.Option("--population-raster", help="GeoTIFF of people per cell: also the people inside each zone (needs conflictmap[raster]).")] = None,
    plot: Annotated[Optional[str], typer.Option("--plot", help="Also draw the series to FILE.png or FILE.svg: km² per actor over the snapshots, and with --clip the % of it.")] = None,
):
    """km² each actor's zones cover on each date (geodesic, WGS84), and the change since the previous date.

    Example: conflictmap zones area zones-deepstate/ --actor russia --clip national-boundary.geojson
    """
    from conflictmap import geodesy
    from conflictmap.zones import series_breaks, sources_by_date, total_for_breaks, zone_areas

    with ProgressBar() as bar:
        zoneset, reference = _zones_and_clip(zones, reading, actors, clip, bar)
        table = zone_areas(zoneset, reference, progress=bar.stage("measuring"))
    total = total_for_breaks(zoneset, float(geodesy.area_km2([reference])[0]) if reference is not None else None)
    report_problems(series_breaks(table, total, sources_by_date(zoneset)))
    title = f"Zone areas (km²) within {Path(clip).name}" if clip else "Zone areas (km²)"
    columns = ["date", "actor", "area_km2", "change_km2", "change_km2_per_day"] + (["clip_pct"] if clip else [])
    if population_raster:
        columns.append("population")
        table["population"] = with_people(table, zoneset, population_raster, reference)
    if plot:
        from conflictmap.model import load_actors
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
@zone_options
def movement(
    zones: ZonesArg,
    reading: ZoneReading,
    clip: Annotated[Optional[str], typer.Option("--clip", help="Reference area (e.g. a national boundary): zones are measured within it, and the zone edge outside it (the border, the coast) is no front.")] = None,
    rest: Annotated[str, typer.Option("--rest", help="Name of whoever holds the ground outside every zone (e.g. ukraine).")] = "rest",
    actors: ActorsOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format: table for people; csv, tsv, json, ndjson, markdown for scripts.", case_sensitive=False)] = Format.table,
):
    """Between consecutive dates, per actor: km² gained and lost, the front length on the earlier date, the
    mean advance depth (km² ÷ front km), the maximum advance (geodesic) and the rates in km/day.

    Example: conflictmap zones movement zones-deepstate/ --actor russia --rest ukraine --clip national-boundary.geojson
    """
    from conflictmap.movement import COLUMNS, zone_movement

    with ProgressBar() as bar:
        zoneset, reference = _zones_and_clip(zones, reading, actors, clip, bar)
        if reference is None:
            say("no --clip: every edge of a zone counts as front, the border and the coast included", "warning")
        table = zone_movement(zoneset, reference, rest, progress=bar.stage("measuring"))
    emit_rows(table, fmt, COLUMNS if fmt not in (Format.table, Format.markdown) else COLUMNS[:2] + COLUMNS[3:-1], "Front movement of the zones")
