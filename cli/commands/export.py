"""conflictmap export: a GIS layer on a date as GeoJSON, GeoJSONSeq, GeoPackage or FlatGeobuf."""

import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import report_problems, say
from conflictmap.cli.options import GapOpt, date_option, DateOpt, check_output, dataset_command, load, warn_outside_log


class LayerName(str, Enum):
    districts = "districts"
    frontline = "frontline"
    changes = "changes"
    gains = "gains"


class GeoFormat(str, Enum):
    geojson = "geojson"
    geojsonseq = "geojsonseq"
    gpkg = "gpkg"
    fgb = "fgb"


@dataset_command(tabular=False)
def export(
    inputs,
    date: DateOpt = None,
    layer: Annotated[
        LayerName,
        typer.Option(
            "--layer",
            "-l",
            help="districts: control per district; frontline: lines between controllers; changes: districts that changed hands since --since; gains: the ground each actor gained from another since --since, with its km² (as front-movement).",
            case_sensitive=False,
        ),
    ] = LayerName.districts,
    since: date_option("--since", "D0 for --layer changes and gains (YYYY-MM-DD).") = None,
    geo_format: Annotated[
        Optional[GeoFormat],
        typer.Option(
            "--format",
            "-f",
            help="geojson (RFC 7946), geojsonseq (RFC 8142, streams), gpkg or fgb (to a file). Default: from the -o suffix (.geojson/.json, .geojsonl/.geojsons/.ndjson, .gpkg, .fgb); geojson on stdout.",
            case_sensitive=False,
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Output file, written atomically; '-' (default) for stdout.")
    ] = "-",
    precision: Annotated[
        Optional[int], typer.Option("--precision", help="Decimals of GeoJSON coordinates (default 6, about 0.1 m).")
    ] = None,
    rs: Annotated[
        bool, typer.Option("--rs", help="Start each GeoJSONSeq record with an RFC 8142 record separator (0x1E).")
    ] = False,
    gap: GapOpt = None,
    zones: Annotated[
        Optional[list[str]],
        typer.Option(
            "--zones",
            help="--layer frontline along the edges of these zone files (or folders) instead of between districts; needs --clip.",
            rich_help_panel="Zones",
        ),
    ] = None,
    clip: Annotated[
        Optional[str],
        typer.Option(
            "--clip",
            help="With --zones: the reference area; a zone's edge is a front where it faces land inside it.",
            rich_help_panel="Zones",
        ),
    ] = None,
    actor: Annotated[
        Optional[str],
        typer.Option("--actor", help="With --zones: the actor holding every zone read.", rich_help_panel="Zones"),
    ] = None,
    source: Annotated[
        Optional[str],
        typer.Option(
            "--source", help="With --zones: deepstate, nzz or generic (default: detected).", rich_help_panel="Zones"
        ),
    ] = None,
):
    """Write a layer for QGIS, ogr2ogr, mapshaper, kepler.gl or a web map.

    GeoJSON is RFC 7946: lon/lat WGS84, counter-clockwise exteriors, no crs member.
    A districts GeoPackage also holds the control log as the table `control`, so
    it reads back as --districts FILE.gpkg --control FILE.gpkg.
    Example: conflictmap export --date 2016-12-01 | ogr2ogr -f GPKG out.gpkg /vsistdin/
    """
    from conflictmap.export import export as write_layer
    from conflictmap.export import make_request

    request = make_request(layer.value, geo_format.value if geo_format else None, output, precision, rs, since, gap)
    if zones:
        return _zone_front(request, zones, clip, actor, source, date, inputs)
    check_output(request.output, inputs)  # a missing folder or an input as output fails before any work
    ds = load(inputs)
    day = date or ds.last_date
    if request.output == "-":
        result = _to_stdout(lambda stream: write_layer(ds, request, day, stream))
    else:
        result = write_layer(ds, request, day)
        say(f"wrote {len(result.frame)} feature(s) to {request.output}", "info")
    warn_outside_log(ds, since, day)  # after the layer was made: --since after --date is the error alone
    if result is not None:
        report_problems(result.problems)


def _zone_front(request, zones, clip, actor, source, date, inputs) -> None:
    from conflictmap.cli.options import ZoneReading, read_zones
    from conflictmap.cli.progress import ProgressBar
    from conflictmap.errors import UsageError
    from conflictmap.export import export_zone_front
    from conflictmap.actors import load_actors
    from conflictmap.zones import load_clip

    if not clip:
        raise UsageError(
            "--zones needs --clip FILE (e.g. national-boundary.geojson): the front is where a zone's edge "
            "faces land inside it"
        )
    if inputs.districts or inputs.control or request.gap_m is not None:
        raise UsageError("--zones exports the front along the zones' edges: drop --districts, --control and --gap")
    check_output(request.output, list(zones) + [clip])
    day = date
    with ProgressBar() as bar:
        zoneset = read_zones(zones, ZoneReading(actor=actor, source=source), load_actors(inputs.actors), bar)
        reference, problems = load_clip(clip)
    report_problems(problems)
    if request.output == "-":
        _to_stdout(lambda stream: export_zone_front(zoneset, reference, request, day, zones, stream))
    else:
        result = export_zone_front(zoneset, reference, request, day, list(zones) + [clip])
        say(f"wrote {len(result.frame)} feature(s) to {request.output}", "info")


def _to_stdout(write):
    """Stream to stdout's bytes; a reader that stops early (`| head`) ends the export quietly."""
    from conflictmap.cli.errors import StdoutBytes, writing_stdout

    with writing_stdout():
        sys.stdout.flush()
    stream = StdoutBytes(sys.stdout.buffer)
    try:
        result = write(stream)
        stream.flush()
        return result
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush cannot raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return None


def register(app):
    app.command("export")(export)
