"""conflictmap changes: the districts that changed hands between two dates, gains and losses, the transition matrix."""

from typing import Annotated

import typer

from conflictmap.cli.confidence import ConfidenceOpt, confidence_filter
from conflictmap.cli.options import date_option, dataset_command, load, warn_outside_log
from conflictmap.values import plain_rows
from conflictmap.cli.output import Format, emit, emit_rows, to_text

MATRIX_MEASURES = {"districts": "districts", "area_km2": "km²", "population": "people"}
MATRIX_KINDS = {"districts": "count", "area_km2": "km", "population": "people"}  # display rule of a matrix's cells


@dataset_command()
def changes(
    inputs,
    fmt,
    since: date_option("--since", "D0 (YYYY-MM-DD); default: the first date of the log.") = None,
    until: date_option("--until", "D1 (YYYY-MM-DD); default: the last date of the log.") = None,
    every_change: Annotated[
        bool, typer.Option("--all", help="List every change in (D0, D1], also those later reversed.")
    ] = False,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary", help="Per actor gains, losses and net (districts, km², people), and the transition matrix."
        ),
    ] = False,
    matrix: Annotated[
        bool,
        typer.Option(
            "--matrix", help="Only the transition matrix, long form: from, to, districts, area_km2, population."
        ),
    ] = False,
    shifts: Annotated[
        bool,
        typer.Option(
            "--shifts",
            help="Also list districts whose shares moved while their largest holder stayed (logs with shares, e.g. from overlay); changed_hands says which is which.",
        ),
    ] = False,
    confidence: ConfidenceOpt = None,
):
    """Districts that changed hands between D0 and D1 (their largest holder changed), with the date, from, to, km², the km² that moved, people, source.

    --summary adds gains, losses and net per actor and the transition matrix
    (rows: controller on D0, columns: controller on D1; split districts count by share).
    In csv/tsv --summary prints the per-actor table; use --matrix for the matrix.
    The screen table leaves out the source column; csv, json and markdown carry it.

    Example: conflictmap changes --since 2016-11-15 --until 2016-12-12
    Example: conflictmap changes --since 2016-11-15 --matrix
    """
    from conflictmap.changes import window

    # A bound left out stays None: the library defaults it to the log's first or last date and says so in errors.
    d0 = since
    d1 = until
    ds = load(inputs)
    if confidence:  # only the changes at least that sure (conflictmap.confidence)
        ds = confidence_filter(ds, confidence, False)[0]
    d0, d1 = window(ds, d0, d1)
    warn_outside_log(ds, d0, d1)
    if summary:
        _summary(ds, d0, d1, fmt)
    elif matrix:
        from conflictmap.changes import transition_matrix

        emit_rows(transition_matrix(ds, d0, d1), fmt, title=f"Transitions {d0} → {d1}")
    else:
        _list(ds, d0, d1, every_change, fmt, shifts)


def _list(ds, d0, d1, every_change, fmt, shifts=False) -> None:
    from conflictmap.changes import changes as compute
    from conflictmap.changes import is_fractional

    table = compute(ds, d0, d1, every_change, shifts)
    if is_fractional(ds):
        _say_moved(ds, d0, d1, table, shifts)
    machine = fmt in (Format.json, Format.ndjson)
    # Shares as objects only where they parse; sources (often long URLs) are left out of the screen table.
    hidden = () if machine else ("from_shares", "to_shares") + (("source",) if fmt == Format.table else ())
    columns = [c for c in table.columns if c not in hidden]
    what = "Every change" if every_change else "Changed hands"
    emit_rows(table, fmt, columns, title=f"{what} between {d0} and {d1}: {len(table)} row(s)")


def _say_moved(ds, d0, d1, table, shifts) -> None:
    """With shares in the log, the area that moved is the figure; say it (stderr: stdout carries the rows)."""
    from conflictmap.cli.errors import say
    from conflictmap.changes import moved_area

    moved = moved_area(ds, d0, d1)
    pairs = ", ".join(f"{r['from']} → {r['to']} {r['area_km2']:,.1f}" for r in plain_rows(moved))
    hands = int(table["changed_hands"].sum())
    text = (
        f"the log holds shares: at least {moved['area_km2'].sum():,.1f} km² moved between actors from {d0} to {d1}"
        f"{' (' + pairs + ' km²; net within each district)' if pairs else ''}; {hands} district(s) changed hands "
        "(largest holder changed)"
    )
    say(text + ("" if shifts else "; --shifts also lists districts whose shares moved"), "note")


def _summary(ds, d0, d1, fmt) -> None:
    from conflictmap.changes import change_summary, matrix_table
    from conflictmap.text import has_fraction

    result = change_summary(ds, d0, d1)
    if fmt in (Format.csv, Format.tsv):
        emit_rows(result["actors"], fmt)
        return
    if fmt in (Format.json, Format.ndjson):
        import json

        obj = {**result, "actors": plain_rows(result["actors"]), "matrix": plain_rows(result["matrix"])}
        emit(json.dumps(obj, ensure_ascii=False, indent=2 if fmt == Format.json else None) + "\n")
        return
    span = f"{d0} → {d1} ({result['days']} days)"
    text = to_text(plain_rows(result["actors"]), fmt, title=f"Gains and losses {span}")
    for measure, unit in MATRIX_MEASURES.items():
        if measure in result["matrix"].columns:
            grid = matrix_table(result["matrix"], measure).rename(columns={"from": "from \\ to"})
            kind = MATRIX_KINDS[measure]
            if kind == "count" and has_fraction(grid[grid.columns[1:]].to_numpy().ravel().tolist()):
                kind = "equivalents"  # a split district: every cell with its decimals, not 2 beside 3.50
            kinds = {c: kind for c in grid.columns}
            text += "\n" + to_text(
                plain_rows(grid), fmt, title=f"Transition matrix, {unit}: rows on {d0}, columns on {d1}", kinds=kinds
            )
    emit(text)


def register(app):
    app.command("changes")(changes)
