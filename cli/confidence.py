"""--confidence and --range: the options, and the filtered dataset they give (conflictmap.confidence)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from conflictmap.cli.errors import report_problems
from conflictmap.cli.output import Format

ConfidenceOpt = Annotated[
    Optional[str],
    typer.Option(
        "--confidence",
        help="Count only changes at least this sure (e.g. confirmed; default order confirmed > reported > "
        "claimed > inferred), or a comma-separated list of levels. A district's first rows always count.",
    ),
]
RangeOpt = Annotated[
    bool,
    typer.Option(
        "--range",
        help="Give each figure a range: _low and _high, from every row and from the changes of --confidence "
        "(default: confirmed) only.",
    ),
]


def confidence_filter(ds, confidence: str | None, with_range: bool):
    """(dataset, kept ranks, levels): filtered by --confidence unless --range, which needs both versions."""
    from conflictmap.confidence import allowed, check_labels, filtered, load_levels

    levels = load_levels(ds.inputs)
    report_problems(check_labels(ds.log, levels))
    keep = allowed(confidence or levels.names[0], levels)
    return (ds if with_range else filtered(ds, keep, levels)), keep, levels


def range_columns(table, fmt: Format) -> list[str] | None:
    """People see the percent figures with their ranges; scripts get every column."""
    if fmt not in (Format.table, Format.markdown):
        return None
    return ["actor"] + [c for c in table.columns if "_pct" in c]


def range_kinds(table) -> dict[str, str]:
    """A _low/_high column is shown like its figure (area_pct_low as a percent)."""
    from conflictmap.cli.output import column_kind

    return {c: column_kind(c.rsplit("_", 1)[0]) for c in table.columns if c.endswith(("_low", "_high"))}
