"""conflictmap log from-changes: a control log from a dated change list and a baseline."""

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import report_problems, say
from conflictmap.cli.options import date_option, check_output, dataset_command, resolve_inputs
from conflictmap.errors import UsageError

log_app = typer.Typer(
    help="Build and convert control logs.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataset_command(tabular=False)
def from_changes(
    inputs,
    changes: Annotated[
        str,
        typer.Argument(
            help="Change list: date, district (as reported), from, to (CSV, TSV, JSON, NDJSON; to may be called controller).",
            show_default=False,
        ),
    ],
    baseline: Annotated[
        Optional[str],
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="Snapshot of the state before the changes: district,controller rows (a row '*' covers every district not listed), with a date column or --baseline-date.",
        ),
    ] = None,
    baseline_date: date_option(
        "--baseline-date", "Date of the baseline (YYYY-MM-DD), when the snapshot has no date column."
    ) = None,
    default: Annotated[
        Optional[str],
        typer.Option("--default", help="Controller on the baseline date of every district the snapshot does not list."),
    ] = None,
    infer_baseline: Annotated[
        bool,
        typer.Option(
            "--infer-baseline", help="A district the baseline leaves open starts with the 'from' of its first change."
        ),
    ] = False,
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", help="Write the log to this CSV file (default: stdout).")
    ] = None,
):
    """Turn a dated from/to change list and a baseline into a control log (CSV) for --control.

    Every change's 'from' is checked against the state before it (a warning for each that disagrees),
    and kept in the log so that validate checks it again.

    Example: conflictmap log from-changes changes.csv -d districts.geojson --baseline baseline.csv --aliases aliases.csv -o control.csv
    """
    from conflictmap.changelist import from_changes as build, log_csv
    from conflictmap.io import write_bytes_atomic

    if not inputs.districts and not inputs.project:
        raise UsageError("from-changes needs the districts the changes name: give --districts FILE")
    if baseline and re.fullmatch(r"\d{4}-\d{2}-\d{2}", baseline) and not Path(baseline).exists():
        raise UsageError(
            f"--baseline takes a snapshot file (district,controller rows), not a date; "
            f"give the date with --baseline-date {baseline}"
        )
    day = baseline_date
    check_output(output, [*resolve_inputs(inputs).paths(), changes, baseline])
    log = build(resolve_inputs(inputs), changes, baseline, day, default, infer_baseline)
    report_problems(log.problems)
    text = log_csv(log)
    if output and output != "-":
        write_bytes_atomic(output, text.encode("utf-8"))
    else:
        from conflictmap.cli.errors import writing_stdout

        with writing_stdout():
            typer.echo(text, nl=False)
    inferred = f", {log.inferred} baselines inferred from the changes" if log.inferred else ""
    say(f"{len(log.rows)} log rows: baseline on {log.baseline_date}, {log.changes} change rows{inferred}", "info")


log_app.command("from-changes")(from_changes)


def register(app):
    app.add_typer(log_app, name="log")
