"""conflictmap map: a picture of who holds what on a date."""

from typing import Annotated

import typer

from cli.confidence import ConfidenceOpt, confidence_filter
from cli.errors import say
from cli.options import (BaselineActorOpt, BaselineOpt, DateOpt, baseline_date, baseline_label, baseline_members, check_output, dataset_command, load,
                         query_date)


@dataset_command(tabular=False)
def map_command(
    inputs,
    output: Annotated[str, typer.Option("--output", "-o", help="Picture file: FILE.png or FILE.svg (or .pdf).")],
    date: DateOpt = None,
    baseline: BaselineOpt = None,
    baseline_actor: BaselineActorOpt = None,
    confidence: ConfidenceOpt = None,
    range_: Annotated[bool, typer.Option("--range", help="Dot the districts whose holder on --date rests on a row less sure than --confidence (default: confirmed).")] = False,
):
    """Districts coloured by controller on a date: split districts hatched, contested and unknown distinct, shares in the legend.

    With --baseline D0 --baseline-actor A the outline shows what A held on D0.
    """
    from conflictmap.plots import control_map, output_format

    base_day = baseline_date(baseline, baseline_actor)
    output_format(output)  # a bad file name, a missing folder or an input as output fails before any work
    check_output(output, inputs)
    ds = load(inputs)
    day = query_date(ds, date)
    unsure = None
    if confidence or range_:
        from conflictmap.confidence import depends_on_unsure

        ds, keep, levels = confidence_filter(ds, confidence, range_)
        unsure = (depends_on_unsure(ds, day, keep, levels), levels.names[max(keep)]) if range_ else None
    control_map(ds, day, output, base_day, baseline_members(ds, baseline_actor), baseline_label(ds, baseline_actor), unsure)
    say(f"wrote {output}", "info")


def register(app):
    app.command("map")(map_command)
