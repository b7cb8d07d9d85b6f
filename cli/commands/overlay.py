"""conflictmap overlay: dated zone polygons over districts -> a control log with shares."""

from enum import Enum
from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import guarded, report_problems, say
from conflictmap.cli.options import (
    COMMON,
    ActorsOpt,
    LogFormatOpt,
    ZoneReading,
    ZonesArg,
    check_output,
    say_zones,
    zone_options,
)
from conflictmap.values import plain_rows
from conflictmap.cli.output import Format, emit, output_format, to_text
from conflictmap.cli.progress import ProgressBar
from conflictmap.errors import UsageError

# The formats --control reads back: a control log file is one of these (Markdown is for the screen, -o -).
LOG_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson"}
OVERLAY_COLUMNS = ["date", "district", "controller", "share", "source", "note"]


class Rule(str, Enum):
    fraction = "fraction"
    majority = "majority"
    centroid = "centroid"


def _opt(name):
    return Annotated[COMMON[name][0], COMMON[name][1]]


@zone_options
def overlay(
    zones: ZonesArg,
    reading: ZoneReading,
    districts: _opt("districts") = None,
    clip: Annotated[
        Optional[str],
        typer.Option(
            "--clip",
            "--land",
            help="Land mask (e.g. national-boundary.geojson): each district is measured on its part inside it, so sea does not go to --rest; default: land in conflictmap.toml. Give the same mask to later commands (--land).",
        ),
    ] = None,
    rest: Annotated[str, typer.Option("--rest", help="Who holds the area no zone covers (e.g. ukraine).")] = "unknown",
    rule: Annotated[
        Rule,
        typer.Option(
            "--rule",
            help="fraction: area shares; majority: the whole district to the largest share; centroid: to whoever holds its centroid.",
            case_sensitive=False,
        ),
    ] = Rule.fraction,
    min_share: Annotated[
        float,
        typer.Option(
            "--min-share",
            help="fraction rule: a zone actor's share under X (e.g. 0.01 for slivers) is dropped and the district's other real actors (zone actors and a named --rest such as ukraine) are scaled up in proportion to fill it; unknown and contested are never dropped nor rescaled; a district with no real actor left to take the sliver stays as it is (see the note column).",
        ),
    ] = 0.0,
    every_date: Annotated[
        bool, typer.Option("--every-date", help="Write every district on every date, not only when its shares change.")
    ] = False,
    scheduler: Annotated[
        Optional[str],
        typer.Option(
            "--scheduler",
            help="Run dates on Dask: local[:N] workers on this machine, or a scheduler address (needs conflictmap\\[dask]; see the README).",
        ),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="Output file (csv, tsv, json, ndjson by suffix: a log --control reads back), written atomically; '-' (default) for stdout.",
        ),
    ] = "-",
    fmt: LogFormatOpt = None,
    actors: ActorsOpt = None,
    id_field: _opt("id_field") = None,
    name_field: _opt("name_field") = None,
    dissolve: _opt("dissolve") = False,
    project: _opt("project") = None,
):
    """Overlay dated zones on districts and write the control log (date, district, controller, share).

    Each district gets, per date, the share of its area in each actor's zone;
    the rest goes to --rest. Rows are written on the first date and whenever a
    district's shares change. The rule (and --min-share) is recorded in the note column. The log
    feeds every other command: conflictmap share --districts D --control log.csv

    Example: conflictmap overlay zones-deepstate/ --actor russia --rest ukraine -d raions.geojson -o log.csv
    """
    from conflictmap.io import write_bytes_atomic
    from conflictmap.project import Inputs
    from conflictmap.zone_log import OverlayRequest, check_request, make_log

    fmt = _format(fmt, output)
    given = Inputs(
        districts=districts,
        actors=actors,
        id_field=id_field,
        name_field=name_field,
        dissolve=dissolve,
        project=project,
        land=clip,
    )
    request = OverlayRequest(
        tuple(zones), given, rule.value, rest, min_share, every_date, scheduler, reading.load_options()
    )
    resolved, run = check_request(request)  # usage errors before any data is read
    check_output(output, list(zones) + resolved.paths())
    with ProgressBar() as bar:
        made = make_log(request, resolved, run, progress=bar.stage)
    report_problems(made.problems)
    say_zones(made.zoneset)
    text = to_text(plain_rows(made.log), fmt, OVERLAY_COLUMNS, title=f"Control log from zones (rule {rule.value})")
    if output == "-":
        emit(text)
    else:
        write_bytes_atomic(output, text.encode("utf-8"))
    if made.note:
        say(made.note, "note")
    say(
        f"{len(made.log)} row(s), {len(made.zoneset.snapshots)} date(s), {len(made.districts)} district(s), rule {rule.value}"
        + ("" if output == "-" else f", written to {output}")
        + f"; {made.note}",
        "info",
    )


def _format(fmt, output: str):
    """-f, else the -o suffix's format, else csv on stdout; a file is a log --control reads back."""
    if output == "-":
        return fmt or Format.csv
    fmt = output_format(fmt, output, default=None, formats=LOG_SUFFIXES)
    if fmt in (Format.table, Format.markdown):
        raise UsageError(
            f"-o {output}: a control log file is csv, tsv, json or ndjson, which --control reads back; "
            f"-f {fmt.value} is for the screen (-o -)"
        )
    return fmt


def register(app):
    app.command("overlay")(guarded(overlay))
