"""conflictmap share: what share of districts, km² and people each actor holds."""

from enum import Enum
from typing import Annotated, Optional

import typer

from cli.options import DateOpt, dataset_command, load
from cli.output import emit_rows
from conflictmap.errors import UsageError
from conflictmap.model import parse_option_date


class By(str, Enum):
    count = "count"
    area = "area"
    population = "population"


MEASURE = {By.count: "districts", By.area: "area_km2", By.population: "population"}


@dataset_command()
def share(
    inputs,
    fmt,
    date: DateOpt = None,
    by: Annotated[By, typer.Option("--by", help="Sort by this measure (all measures are printed).")] = By.count,
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="Baseline date D0: the universe is what --baseline-actor held then.")] = None,
    baseline_actor: Annotated[Optional[str], typer.Option("--baseline-actor", help="Actor or group whose D0 holdings are the universe.")] = None,
):
    """One row per actor: districts, km² and population held, absolute and percent.

    With --baseline D0 --baseline-actor A: of what A held on D0, the share each actor holds on --date.
    """
    from conflictmap.figures import shares

    if (baseline is None) != (baseline_actor is None):
        raise UsageError("--baseline and --baseline-actor go together: give both (e.g. --baseline 2016-11-15 --baseline-actor rebels)")
    ds = load(inputs)
    if by == By.population and not ds.has_population:
        raise UsageError("--by population needs a population field; name it with --population-field")
    day = parse_option_date(date, "--date") if date else ds.last_date
    base_day = parse_option_date(baseline, "--baseline") if baseline else None
    members = ds.actors.resolve_query(baseline_actor, "--baseline-actor") if baseline_actor else None
    table = shares(ds, day, MEASURE[by], base_day, members)
    emit_rows(table, fmt, title=_title(day, base_day, baseline_actor))


def _title(day, base_day, actor) -> str:
    when = day.isoformat() if day else "(no log)"
    if base_day:
        return f"Of what {actor} held on {base_day.isoformat()}: share held on {when}"
    return f"Shares on {when}"


def register(app):
    app.command("share")(share)
