"""conflictmap overlay: dated zone polygons over districts -> a control log with shares."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import guarded, report_problems, say
from conflictmap.cli.options import COMMON, ActorsOpt, LogFormatOpt, ZoneReading, ZonesArg, check_output, read_zones, zone_options
from conflictmap.values import plain_rows
from conflictmap.cli.output import Format, emit, to_text
from conflictmap.cli.progress import ProgressBar
from conflictmap.errors import UsageError

LOG_SUFFIXES = {".csv": Format.csv, ".tsv": Format.tsv, ".json": Format.json, ".ndjson": Format.ndjson,
                  ".jsonl": Format.ndjson, ".md": Format.markdown}
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
    clip: Annotated[Optional[str], typer.Option("--clip", "--land", help="Land mask (e.g. national-boundary.geojson): each district is measured on its part inside it, so sea does not go to --rest; default: land in conflictmap.toml. Give the same mask to later commands (--land).")] = None,
    rest: Annotated[str, typer.Option("--rest", help="Who holds the area no zone covers (e.g. ukraine).")] = "unknown",
    rule: Annotated[Rule, typer.Option("--rule", help="fraction: area shares; majority: the whole district to the largest share; centroid: to whoever holds its centroid.", case_sensitive=False)] = Rule.fraction,
    min_share: Annotated[float, typer.Option("--min-share", help="fraction rule: a zone actor's share under X (e.g. 0.01 for slivers) is dropped and the district's other real actors (zone actors and a named --rest such as ukraine) are scaled up in proportion to fill it; unknown and contested are never dropped nor rescaled; a district with no real actor left to take the sliver stays as it is (see the note column).")] = 0.0,
    every_date: Annotated[bool, typer.Option("--every-date", help="Write every district on every date, not only when its shares change.")] = False,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Run dates on Dask: local[:N] workers on this machine, or a scheduler address (needs conflictmap\\[dask]; see the README).")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Output file (csv, tsv, json, ndjson by suffix), written atomically; '-' (default) for stdout.")] = "-",
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
    from conflictmap.distributed import runner
    from conflictmap.io import write_bytes_atomic
    from conflictmap.overlay import check_rule, overlay_result

    fmt = _format(fmt, output)
    check_rule(rule.value, min_share)  # usage errors before any data is read
    run = runner(scheduler)
    table_inputs = _district_inputs(districts, id_field, name_field, dissolve, project, actors, clip)
    check_output(output, list(zones) + table_inputs.paths())
    from conflictmap.actors import load_actors

    names = load_actors(table_inputs.actors)
    rest_name = names.canonical(rest, "--rest")
    with ProgressBar() as bar:
        zoneset = read_zones(zones, reading, names, bar)
        places, mask = _load_districts(table_inputs)
        result = overlay_result(places, zoneset, rule.value, rest_name, min_share, every_date, run=run,
                                progress=bar.stage("overlay"), mask=mask and mask.geometry)
    log = result.log
    text = to_text(plain_rows(log), fmt, OVERLAY_COLUMNS, title=f"Control log from zones (rule {rule.value})")
    if output == "-":
        emit(text)
    else:
        write_bytes_atomic(output, text.encode("utf-8"))
    outside = _report_coverage(result.coverage, mask)
    _report_breaks(result.coverage, places, zoneset)
    say(f"{len(log)} row(s), {len(zoneset.snapshots)} date(s), {len(places)} district(s), rule {rule.value}"
        + ("" if output == "-" else f", written to {output}") + f"; {outside}", "info")


def _report_breaks(coverage, places, zoneset) -> None:
    """A step of the series that looks like a change of definition is a warning naming both files."""
    from conflictmap.zones import series_breaks, sources_by_date

    table = coverage.rename(columns={"zone_km2": "area_km2"})[["date", "actor", "area_km2"]]
    report_problems(series_breaks(table, float(places["area_km2"].sum()), sources_by_date(zoneset)))


def _report_coverage(table, mask) -> str:
    """Say on stderr how much zone area fell in no district (and what the mask cut): never dropped silently."""
    parts = []
    for actor, rows in table.groupby("actor", sort=True):
        worst = rows.loc[rows["outside_km2"].idxmax()]
        pct = 100 * worst["outside_km2"] / worst["zone_km2"] if worst["zone_km2"] else 0.0
        where = " inside the land mask" if mask else ""
        parts.append(f"{actor}'s zone{where} in no district: up to {worst['outside_km2']:,.1f} km² "
                     f"({pct:.1f}% of it, {worst['date']}); not in any share")
    if mask:
        parts.append(f"district area outside the land mask: {mask.outside_km2:,.1f} km² (not counted)")
        parts.append(mask.uncovered())
    text = "; ".join(parts)
    if text:
        say(text, "note")
    return text


def _format(fmt, output: str):
    if fmt is not None:
        return fmt
    if output == "-":
        return Format.csv
    suffix = Path(output).suffix.lower()
    if suffix not in LOG_SUFFIXES:
        raise UsageError(f"-o {output}: cannot tell the format from {suffix or 'no suffix'!r}; "
                         f"use {', '.join(LOG_SUFFIXES)} or give --format")
    return LOG_SUFFIXES[suffix]


def _district_inputs(districts, id_field, name_field, dissolve, project, actors, land=None):
    """The districts (and actors, land mask) to use: options first, then a project file; never the bundled sample."""
    from conflictmap.project import Inputs, resolve

    given = Inputs(districts=districts, actors=actors, id_field=id_field, name_field=name_field,
                   dissolve=dissolve, project=project, land=land)
    resolved = resolve(given)
    if not resolved.districts or (not districts and resolved.project is None):
        raise UsageError("overlay needs the districts to measure: give --districts FILE (or name them in conflictmap.toml)")
    return resolved


def _load_districts(inputs):
    from conflictmap.districts import load_districts

    places, fields, _ = load_districts(inputs.districts, inputs.id_field, inputs.name_field, None, inputs.dissolve,
                                   layer=inputs.districts_layer)
    report_problems(fields.problems)
    if not inputs.land:
        return places, None
    from conflictmap.land import load_land

    places, mask, problems = load_land(places, inputs.land)
    report_problems([p for p in problems if p.level != "note"])  # the mask's note is part of the coverage note
    return places, mask


def register(app):
    app.command("overlay")(guarded(overlay))
