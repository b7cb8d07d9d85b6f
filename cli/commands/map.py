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
        typer.Option(
            "--title",
            help="Title of the picture (the date is added after it; default: 'Control on DATE'), or the heading "
            "of the interactive map.",
        ),
    ] = None,
    credit: Annotated[
        Optional[str],
        typer.Option(
            "--credit",
            help="A source line added to the footer (under the legend of the interactive map), e.g. 'Data: SOHR, ISW; map: conflictmap'.",
        ),
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

    With --baseline D0 --baseline-actor A the outline shows what A held on D0, and the line above the map the
    share of it each actor holds on the date.

    The interactive map (FILE.html) opens on --date, with --title as its heading, --credit and --confidence
    as for a picture; --range, --labels, --bbox, --inset and --basemap are for a picture file only.

    Example: conflictmap map -o map.png --date 2016-12-07

    Example: conflictmap map -o map.html --baseline 2016-11-15 --baseline-actor rebels
    """
    from conflictmap.plots import control_map, output_format

    base_day = baseline_date(baseline, baseline_actor)
    if interactive or output.lower().endswith((".html", ".htm")):
        static = {"--bbox": bbox is not None, "--inset": inset is not None, "--basemap": basemap is not None}
        refused = [name for name, given in {**static, "--range": range_, "--labels": labels > 0}.items() if given]
        if refused:
            from conflictmap.errors import UsageError

            raise UsageError(
                f"{', '.join(refused)}: for a picture file (FILE.png, .svg, .pdf) only, not the interactive map "
                "(which pans and zooms, names each district and gives its confidence in its tooltip)"
            )
        return _interactive(inputs, output, date, (base_day, baseline_actor), title, credit, confidence)
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


def _interactive(inputs, output: str, date, baseline, title, credit, confidence) -> None:
    """The HTML map: it opens on --date; --title is its heading, --credit a line under the legend, and
    --confidence filters the rows it shows (saying so on the page)."""
    from conflictmap.errors import UsageError
    from conflictmap.io import write_bytes_atomic
    from conflictmap.webmap import opens_on, page

    if not output.lower().endswith((".html", ".htm")):
        raise UsageError(f"--interactive writes an HTML page: name the output FILE.html, not {output}")
    check_output(output, inputs)
    ds = load(inputs)
    day = query_date(ds, date) if date else None
    notes = [credit]
    if confidence:
        from conflictmap.confidence import counted

        ds, keep, levels = confidence_filter(ds, confidence, False)
        notes.append(counted(keep, levels))
    if not title:
        title = f"Control by district, {ds.first_date} to {ds.last_date}" if ds.first_date else "Districts"
    text = page(ds, title, baseline_of(ds, *baseline), start=day, notes=tuple(notes))
    write_bytes_atomic(output, text.encode("utf-8"))
    shown = opens_on(ds, day)
    if day and shown != day:  # between two dates of the log: the slider shows the date of the state in force
        say(f"the page opens on {shown.isoformat()}, the last date of the log on or before {day.isoformat()}", "note")
    say(f"wrote {output}", "info")


def register(app):
    app.command("map")(map_command)
