"""conflictmap share: what share of districts, km² and people each actor holds."""

from typing import Annotated

import typer

from cli.options import (BaselineActorOpt, BaselineOpt, By, DateOpt, baseline_date, baseline_label, baseline_members, check_measure, dataset_command,
                         load, query_date)
from cli.output import emit_rows


@dataset_command()
def share(
    inputs,
    fmt,
    date: DateOpt = None,
    by: Annotated[By, typer.Option("--by", help="Sort by this measure (all measures are printed).")] = By.count,
    baseline: BaselineOpt = None,
    baseline_actor: BaselineActorOpt = None,
):
    """One row per actor: districts, km² and population held, absolute and percent.

    With --baseline D0 --baseline-actor A: of what A held on D0, the share each actor holds on --date.

    Every actor of the log is a row on every date (0 when it holds nothing), and so are contested and unknown.
    """
    from conflictmap.figures import shares

    base_day = baseline_date(baseline, baseline_actor)
    ds = load(inputs)
    measure = check_measure(ds, by)
    day = query_date(ds, date)
    table = shares(ds, day, measure, base_day, baseline_members(ds, baseline_actor))
    emit_rows(table, fmt, title=_title(day, base_day, baseline_label(ds, baseline_actor)))


def _title(day, base_day, actor) -> str:
    when = day.isoformat() if day else "(no log)"
    if base_day:
        return f"Of what {actor} held on {base_day.isoformat()}: share held on {when}"
    return f"Shares on {when}"


def register(app):
    app.command("share")(share)
