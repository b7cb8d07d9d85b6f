"""conflictmap animate: an animated GIF or an MP4 video of the control map, one frame per date."""

from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import say
from conflictmap.cli.options import (
    date_option,
    BaselineActorOpt,
    BaselineOpt,
    BasemapOpt,
    BboxOpt,
    InsetOpt,
    LabelsOpt,
    map_view,
    baseline_date,
    baseline_of,
    check_output,
    dataset_command,
    load,
    warn_outside_log,
)


@dataset_command(tabular=False)
def animate(
    inputs,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="The animation: FILE.gif, or FILE.mp4 (needs pip install 'conflictmap[video]')."
        ),
    ],
    every: Annotated[
        Optional[str],
        typer.Option("--every", help="One frame per step (1d, 7d, 2w, 1m) instead of per date of the log."),
    ] = None,
    start: date_option("--start", "First date (YYYY-MM-DD); default: the log's first.", "--since") = None,
    end: date_option("--end", "Last date (YYYY-MM-DD); default: the log's last.", "--until") = None,
    fps: Annotated[float, typer.Option("--fps", help="Frames a second (default 1.5).")] = 1.5,
    width: Annotated[
        int, typer.Option("--width", help="Frame width in pixels (default 800; the height follows the map's shape).")
    ] = 800,
    baseline: BaselineOpt = None,
    baseline_actor: BaselineActorOpt = None,
    labels: LabelsOpt = 0,
    bbox: BboxOpt = None,
    inset: InsetOpt = None,
    basemap: BasemapOpt = None,
):
    """The control map as an animated GIF or MP4 video: each frame is `map --date` of one date (title, legend with that date's shares).

    Frames render in parallel worker processes; the same data gives the same bytes.
    MP4 (H.264) needs the video extra: pip install 'conflictmap[video]'.

    Example: conflictmap animate -o offensive.gif --baseline 2016-11-15 --baseline-actor rebels
    """
    from conflictmap.animate import animation, animation_format, frame_dates

    base_day = baseline_date(baseline, baseline_actor)
    first, last = start, end
    animation_format(output)  # a bad name or a missing video extra fails before any work
    view = map_view(bbox, inset, basemap)  # a bad box or tile source too
    check_output(output, inputs)
    ds = load(inputs)
    days = frame_dates(ds, every, first, last)
    warn_outside_log(ds, first, last)
    count = animation(
        ds, output, days, fps, baseline_of(ds, base_day, baseline_actor), width=width, labels=labels, **view
    )
    say(f"wrote {output}: {count} frames", "info")


def register(app):
    app.command("animate")(animate)
