"""conflictmap map: a picture of who holds what on a date."""

from typing import Annotated, Optional

import typer

from conflictmap.cli.confidence import ConfidenceOpt, confidence_filter
from conflictmap.cli.errors import say
from conflictmap.cli.options import (
    BasemapOpt,
    BboxOpt,
    InsetOpt,
    LabelsOpt,
    map_view,
    BaselineActorOpt,
    BaselineOpt,
    DateOpt,
    baseline_date,
    baseline_of,
    check_output,
    dataset_command,
    load,
    query_date,
)


@dataset_command(tabular=False)
def map_command(
    inputs,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="Picture file: FILE.png or FILE.svg (or .pdf); FILE.html for the interactive map."
        ),
    ],
    date: DateOpt = None,
    baseline: BaselineOpt = None,
    baseline_actor: BaselineActorOpt = None,
    title: Annotated[
        Optional[str],
        typer.Option("--title", help="Title of the picture (the date is added after it); default: 'Control on DATE'."),
    ] = None,
    credit: Annotated[
        Optional[str],
        typer.Option("--credit", help="A source line added to the footer, e.g. 'Data: SOHR, ISW; map: conflictmap'."),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            help="One HTML file that opens with no network: a date slider and play button over every date of the log, tooltips, pan and zoom (implied by -o FILE.html).",
        ),
    ] = False,
    confidence: ConfidenceOpt = None,
    range_: Annotated[
        bool,
        typer.Option(
            "--range",
            help="Dot the districts whose holder on --date rests on a row less sure than --confidence (default: confirmed).",
        ),
    ] = False,
    labels: LabelsOpt = 0,
    bbox: BboxOpt = None,
    inset: InsetOpt = None,
    basemap: BasemapOpt = None,
):
    """Districts coloured by controller on a date: split districts hatched, contested and unknown distinct, shares in the legend.

    With --baseline D0 --baseline-actor A the outline shows what A held on D0.

    Example: conflictmap map -o map.png --date 2016-12-07

    Example: conflictmap map -o map.html --baseline 2016-11-15 --baseline-actor rebels
    """
    from conflictmap.plots import control_map, output_format

    base_day = baseline_date(baseline, baseline_actor)
    if interactive or output.lower().endswith((".html", ".htm")):
        static = [
            name for name, given in (("--bbox", bbox), ("--inset", inset), ("--basemap", basemap)) if given is not None
        ]
        if static:
            from conflictmap.errors import UsageError

            raise UsageError(
                f"{', '.join(static)}: for a picture file (FILE.png, .svg, .pdf), not the interactive map, "
                "which pans and zooms"
            )
        return _interactive(inputs, output, base_day, baseline_actor)
    output_format(output)  # a bad file name, a missing folder or an input as output fails before any work
    view = map_view(bbox, inset, basemap)
    check_output(output, inputs)
    ds = load(inputs)
    day = query_date(ds, date)
    unsure = None
    if confidence or range_:
        from conflictmap.confidence import depends_on_unsure

        ds, keep, levels = confidence_filter(ds, confidence, range_)
        unsure = (depends_on_unsure(ds, day, keep, levels), levels.names[max(keep)]) if range_ else None
    control_map(ds, day, output, baseline_of(ds, base_day, baseline_actor), title, credit, labels, unsure, **view)
    say(f"wrote {output}", "info")


def _interactive(inputs, output: str, base_day, baseline_actor) -> None:
    from conflictmap.errors import UsageError
    from conflictmap.io import write_bytes_atomic
    from conflictmap.webmap import page

    if not output.lower().endswith((".html", ".htm")):
        raise UsageError(f"--interactive writes an HTML page: name the output FILE.html, not {output}")
    check_output(output, inputs)
    ds = load(inputs)
    title = f"Control by district, {ds.first_date} to {ds.last_date}" if ds.first_date else "Districts"
    write_bytes_atomic(output, page(ds, title, baseline_of(ds, base_day, baseline_actor)).encode("utf-8"))
    say(f"wrote {output}", "info")


def register(app):
    app.command("map")(map_command)
