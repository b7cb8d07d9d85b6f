"""Options shared by every command, added by one decorator (as sqlite-utils does).

`@dataset_command` gives a command the input options (--districts, --control,
--actors, --initial, field names, --dissolve, --project) and --format, packs
them into an `Inputs` and a `Format`, and routes errors through cli.errors.
"""

from __future__ import annotations

import functools
import inspect
from typing import Annotated, Optional

import typer

from cli.errors import guarded
from cli.output import Format
from conflictmap.project import Inputs

INPUT_PANEL = "Inputs"

COMMON = {
    "districts": (Optional[str], typer.Option("--districts", "-d", help="District polygons: any vector file GDAL reads, or '-' for GeoJSON on stdin.", rich_help_panel=INPUT_PANEL)),
    "control": (Optional[str], typer.Option("--control", "-c", help="Control log (CSV, TSV, JSON, NDJSON, Parquet or GeoPackage table), or '-' for stdin.", rich_help_panel=INPUT_PANEL)),
    "actors": (Optional[str], typer.Option("--actors", help="Actors TOML file: canonical names, aliases, colours, groups.", rich_help_panel=INPUT_PANEL)),
    "initial": (Optional[str], typer.Option("--initial", help="Controller of a district before its first log row (default: unknown).", rich_help_panel=INPUT_PANEL)),
    "id_field": (Optional[str], typer.Option("--id-field", help="District id field (default: detected, e.g. id, shapeID).", rich_help_panel=INPUT_PANEL)),
    "name_field": (Optional[str], typer.Option("--name-field", help="District name field (default: detected, e.g. name, shapeName).", rich_help_panel=INPUT_PANEL)),
    "population_field": (Optional[str], typer.Option("--population-field", help="Population field (default: detected, e.g. population, pop).", rich_help_panel=INPUT_PANEL)),
    "dissolve": (bool, typer.Option("--dissolve", help="Merge features that share an id into one district instead of failing.", rich_help_panel=INPUT_PANEL)),
    "project": (Optional[str], typer.Option("--project", help="Project file (default: ./conflictmap.toml when present; else the bundled sample).", rich_help_panel=INPUT_PANEL)),
}
FORMAT = (Format, typer.Option("--format", "-f", help="Output format: table for people; csv, tsv, json, ndjson, markdown for scripts.", case_sensitive=False))


def _param(name: str, spec, default=None) -> inspect.Parameter:
    kind, info = spec
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, info])


def dataset_command(tabular: bool = True):
    """Decorate `fn(inputs: Inputs, fmt: Format, **own_options)` into a Typer command function."""

    def decorate(fn):
        own = [p for name, p in inspect.signature(fn).parameters.items() if name not in ("inputs", "fmt")]
        extra = [_param(name, spec, False if spec[0] is bool else None) for name, spec in COMMON.items()]
        if tabular:
            extra.append(_param("fmt", FORMAT, Format.table))

        @functools.wraps(fn)
        @guarded
        def wrapper(**kwargs):
            given = {name: kwargs.pop(name) for name in COMMON}
            fmt = kwargs.pop("fmt", None)
            return fn(inputs=Inputs(**given), fmt=fmt, **kwargs) if tabular else fn(inputs=Inputs(**given), **kwargs)

        wrapper.__signature__ = inspect.Signature(own + extra)
        wrapper.__annotations__ = {p.name: p.annotation for p in own + extra}
        del wrapper.__wrapped__  # Typer must read our signature, not fn's
        return wrapper

    return decorate


def load(inputs: Inputs):
    """Resolve (project file / sample) and load the dataset; warnings go to stderr."""
    from cli.errors import report_problems, say
    from conflictmap.dataset import load_dataset
    from conflictmap.project import resolve

    resolved = resolve(inputs)
    if not inputs.districts and not inputs.project and resolved.districts:
        say(f"using districts {resolved.districts}", "info")
    ds = load_dataset(resolved)
    report_problems(ds.problems)
    return ds


DateOpt = Annotated[Optional[str], typer.Option("--date", help="Date (YYYY-MM-DD); default: the last date of the log.")]
