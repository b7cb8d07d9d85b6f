"""conflictmap validate: every problem in the inputs at once, each with file and row or feature."""

from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import say
from conflictmap.cli.options import date_option, check_output, dataset_command, resolve_inputs
from conflictmap.cli.output import emit_rows
from conflictmap.io import output_format


@dataset_command()
def validate(
    inputs,
    fmt,
    until: date_option("--until", "Last date of interest (YYYY-MM-DD): log rows after it are reported.") = None,
    write_aliases: Annotated[
        Optional[str],
        typer.Option(
            "--write-aliases",
            help="Write a suggested match for every unmatched (or loosely matched) district name to this CSV, to review and pass back with --aliases.",
        ),
    ] = None,
):
    """List every problem in the districts, control log and actors files: one row per problem.

    Errors are what other commands refuse (duplicate ids, bad geometry, unknown districts or
    actors, bad dates, shares over 1); warnings are what they accept but deserve a look
    (repaired polygons, overlapping districts, a log not sorted by date, rows after --until or after
    today).
    Exit code 1 when there is an error, 0 with warnings only: ready for cron.

    Example: conflictmap validate -d districts.geojson -c control.csv
    Example: conflictmap validate --write-aliases aliases.csv
    """
    from conflictmap.validate import COLUMNS
    from conflictmap.validate import validate as check

    day = until
    if write_aliases:  # CSV, which --aliases reads back: not in a file whose name says JSON
        output_format(write_aliases, None, {".csv": "csv"}, default="csv", option="--write-aliases")
    check_output(write_aliases, inputs, "--write-aliases")
    result = check(resolve_inputs(inputs), day)
    emit_rows(result.rows(), fmt, COLUMNS, title=f"Validation: {result.counts()}")
    if write_aliases:
        _write_aliases(write_aliases, result.aliases)
    if result.errors:
        say(result.summary())
        raise typer.Exit(1)
    if result.warnings:
        say(result.summary(), "warning")


def _write_aliases(path: str, rows: list[dict]) -> None:
    from conflictmap.aliases import aliases_csv
    from conflictmap.io import write_bytes_atomic

    write_bytes_atomic(path, aliases_csv(rows).encode("utf-8"))
    unsure = sum(r["district"] == "-" or r["match"].startswith(("close", "parts")) for r in rows)
    columns = [r["column"] for r in rows if r.get("column")]
    own = f" {len(columns)} from the change list's own {columns[0]} column (so marked in 'match')," if columns else ""
    say(
        f"wrote {len(rows)} suggested aliases to {path}:{own} {unsure} to review (close spellings, lists of places, "
        "names with no district '-'); check them all, then pass the file with --aliases",
        "note",
    )


def register(app):
    app.command("validate")(validate)
