"""conflictmap map: a picture of who holds what on a date."""

from typing import Annotated, Optional

import typer

from cli.errors import say
from cli.options import DateOpt, dataset_command, load
from conflictmap.errors import UsageError
from conflictmap.model import parse_option_date


@dataset_command(tabular=False)
def map_command(
    inputs,
    output: Annotated[str, typer.Option("--output", "-o", help="Picture file: FILE.png or FILE.svg (or .pdf).")],
    date: DateOpt = None,
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="Outline what --baseline-actor held on this date (YYYY-MM-DD).")] = None,
    baseline_actor: Annotated[Optional[str], typer.Option("--baseline-actor", help="Actor or group whose holdings on --baseline are outlined.")] = None,
):
    """Districts coloured by controller on a date: split districts hatched, contested and unknown distinct, shares in the legend.

    With --baseline D0 --baseline-actor A the outline shows what A held on D0.
    """
    from conflictmap.plots import control_map, output_format

    if (baseline is None) != (baseline_actor is None):
        raise UsageError("--baseline and --baseline-actor go together: give both (e.g. --baseline 2016-11-15 --baseline-actor rebels)")
    output_format(output)  # a bad file name fails before any work
    ds = load(inputs)
    day = parse_option_date(date, "--date") if date else ds.last_date
    base_day = parse_option_date(baseline, "--baseline") if baseline else None
    members = ds.actors.resolve_query(baseline_actor, "--baseline-actor") if baseline_actor else None
    control_map(ds, day, output, base_day, members, baseline_actor)
    say(f"wrote {output}", "info")


def register(app):
    app.command("map")(map_command)
