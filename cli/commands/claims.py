"""conflictmap claims check: published claims beside the figures the data gives on the same date."""

from typing import Annotated

import typer

from conflictmap.cli.errors import say
from conflictmap.cli.confidence import ConfidenceOpt, RangeOpt, confidence_filter
from conflictmap.cli.options import dataset_command, load, warn_outside_log
from conflictmap.cli.output import Format, emit_rows

SCRIPT_FORMATS = (Format.csv, Format.tsv, Format.json, Format.ndjson)
# table and markdown are read by people: the columns that say what was claimed and what the data gives.
PEOPLE_COLUMNS = ["line", "date", "who", "actor", "measure", "baseline", "claimed", "figure", "difference", "verdict"]

ClaimsArg = Annotated[
    str,
    typer.Argument(
        help="Claims table (CSV, TSV, JSON, NDJSON): date, actor, measure, value; optionally baseline_date, "
        "baseline_actor, tolerance, who, source, claim.",
        show_default=False,
    ),
]

claims_app = typer.Typer(
    help='Published claims ("the army holds 85% of east Aleppo") checked against the data.',
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@claims_app.command("check")
@dataset_command()
def check(
    inputs,
    fmt,
    claims: ClaimsArg,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            min=0,
            help="Allowed distance from a claim: percentage points for percent measures, "
            "percent of the claimed value for districts, km² and people (a row's tolerance column overrides it).",
        ),
    ] = 5.0,
    fail_on_mismatch: Annotated[
        bool,
        typer.Option(
            "--fail-on-mismatch", help="Exit 1 when any claim is outside its tolerance (the table is printed first)."
        ),
    ] = False,
    confidence: ConfidenceOpt = None,
    range_: RangeOpt = False,
):
    """One row per claim: the data's figure on the claim's date, its distance from the claimed value or
    range, the tolerance used and a verdict: consistent, higher (the data gives more than the claim) or lower.

    measure is districts, districts_pct, area_km2, area_pct, population or population_pct; value is 85,
    80-90, >70 or <30. With baseline_date and baseline_actor a percent is of what that actor held then.
    actor may be a group, or 'not rebels' for everyone but the rebels (contested and unknown included).
    With --range each figure is a range (figure_low, figure_high: every row, and the confirmed changes only)
    and a claim is consistent when the range comes within the tolerance of it.

    Example: conflictmap claims check data/aleppo-2016/claims.csv
    """
    from conflictmap.claims import check_claims, read_claims
    from conflictmap.confidence import filtered

    rows = read_claims(claims, inputs.encoding)
    ds = load(inputs)
    sure = None
    if confidence or range_:
        ds, keep, levels = confidence_filter(ds, confidence, range_)
        sure = filtered(ds, keep, levels) if range_ else None
    table = check_claims(ds, rows, tolerance, sure)
    for claim in rows:  # a claim the log cannot speak to: its figure is the initial holder's, or the log's last
        warn_outside_log(ds, claim.date, label=f"{claim.where}: ")
        warn_outside_log(ds, claim.baseline_date, label=f"{claim.where}: baseline_date ")
    columns = None if fmt in SCRIPT_FORMATS else [c for c in PEOPLE_COLUMNS if c != "figure" or not range_]
    if columns and range_:
        columns.insert(columns.index("difference"), "figure_low")
        columns.insert(columns.index("difference"), "figure_high")
    emit_rows(table, fmt, columns, title=f"Claims in {claims} (tolerance {tolerance:g})")
    off = [r for r in table if r["verdict"] != "consistent"]
    if off:
        say(f"{len(off)} of {len(table)} claims are outside their tolerance", "error" if fail_on_mismatch else "note")
    if off and fail_on_mismatch:
        raise typer.Exit(1)


def register(app):
    app.add_typer(claims_app, name="claims")
