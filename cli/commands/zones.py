"""conflictmap zones area: km² per actor per date from dated zone polygons.

Also holds the zone options shared with `conflictmap overlay`.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.errors import guarded, report_problems, say
from cli.options import COMMON
from cli.output import Format, emit_rows
from cli.progress import ProgressBar

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
    "--source", help="What the zone files are: deepstate (DeepStateMap API export: occupied, Crimea and ORDLO held; liberated and grey zone not), nzz (NZZ map: nochange and gains held, losses not; dates from the features) or generic; default: detected from the data (said in a note).", rich_help_panel=ZONE_PANEL, metavar="deepstate|nzz|generic")]
WhereOpt = Annotated[Optional[str], typer.Option(
    "--where", help="Read only the features matching this OGR SQL condition, e.g. \"type <> 'losses'\".", rich_help_panel=ZONE_PANEL)]
ActorMapOpt = Annotated[Optional[str], typer.Option(
    "--actor-map", help="What each label means: 'label=actor,...' ('-' for not held), e.g. 'nochange=russia,gains=russia,losses=-'; labels are the values of --actor-field, NZZ's type or DeepState's classes (occupied, crimea, ordlo, liberated, grey, other).", rich_help_panel=ZONE_PANEL)]


def read_zones(zones, actor, actor_field, date_field, date_from_name, allow_overlap, actors, bar,
               source=None, where=None, actor_map=None):
    """The ZoneSet (actor names resolved by `actors`, a model.Actors), with its warnings on stderr."""
    from conflictmap.sources import parse_actor_map
    from conflictmap.zones import load_zones

    zoneset = load_zones(zones, actor, actor_field, date_field, date_from_name, allow_overlap or (), actors,
                         progress=bar.stage("reading zones"), source=source, where=where,
                         actor_map=parse_actor_map(actor_map))
    report_problems(zoneset.problems)
    say(f"{len(zoneset.snapshots)} date(s) from the {zoneset.dates_from}, actors: {', '.join(zoneset.actors)}", "info")
    return zoneset


zones_app = typer.Typer(
    help="Dated zone polygons (DeepStateMap style): km² per actor per date.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@zones_app.command("area")
@guarded
def area(
    zones: ZonesArg,
    clip: Annotated[Optional[str], typer.Option("--clip", help="Reference area (e.g. a national boundary): zones are measured within it.")] = None,
    actor: ActorOpt = None,
    actor_field: ActorFieldOpt = None,
    date_field: DateFieldOpt = None,
    date_from_name: DateFromNameOpt = False,
    allow_overlap: AllowOverlapOpt = None,
    source: SourceOpt = None,
    where: WhereOpt = None,
    actor_map: ActorMapOpt = None,
    actors: ActorsOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format: table for people; csv, tsv, json, ndjson, markdown for scripts.", case_sensitive=False)] = Format.table,
):
    """km² each actor's zones cover on each date (geodesic, WGS84), and the change since the previous date.

    Example: conflictmap zones area zones-deepstate/ --actor russia --clip national-boundary.geojson
    """
    from conflictmap import geodesy
    from conflictmap.zones import load_clip, series_breaks, sources_by_date, total_for_breaks, zone_areas

    from conflictmap.model import load_actors

    with ProgressBar() as bar:
        zoneset = read_zones(zones, actor, actor_field, date_field, date_from_name, allow_overlap,
                             load_actors(actors), bar, source, where, actor_map)
        reference = None
        if clip:
            reference, problems = load_clip(clip)
            report_problems(problems)
        table = zone_areas(zoneset, reference, progress=bar.stage("measuring"))
    total = total_for_breaks(zoneset, float(geodesy.area_km2([reference])[0]) if reference is not None else None)
    report_problems(series_breaks(table, total, sources_by_date(zoneset)))
    title = f"Zone areas (km²) within {Path(clip).name}" if clip else "Zone areas (km²)"
    columns = ["date", "actor", "area_km2", "change_km2", "change_km2_per_day"] + (["clip_pct"] if clip else [])
    emit_rows(table, fmt, columns, title)


def register(app):
    app.add_typer(zones_app, name="zones")
