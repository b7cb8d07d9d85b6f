"""Writers for tabular output: table (rich), csv, tsv, json, ndjson, markdown.

csv/tsv/json/ndjson are the stable interface for scripts: values unrounded,
floats in Python's shortest round-trip form, keys in a fixed order. table
and markdown are for people: rounded for display only, one rule per kind of
column (conflictmap.text), the same for every row of a column.
"""

from __future__ import annotations

import contextlib
import io
import re
import json
import os
import sys
from enum import Enum

from conflictmap import text
from conflictmap.escape import csv_line, markdown_text, visible_text
from conflictmap.values import plain, plain_rows


class Format(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    markdown = "markdown"
    md = "md"  # read as markdown (cli/convert.py: SAME_AS), as report -f md is


SAME_AS = {Format.md: Format.markdown}  # a choice spelled two ways: the commands see one


def _flat_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _csv_cell(value) -> str:
    """A CSV/TSV cell: _flat_cell, with booleans as JSON spells them (Python's True/False is no reader's boolean)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _flat_cell(value)


# How people see each kind of number (csv/json keep them unrounded): conflictmap.text, one rule per kind.
column_kind = text.column_kind


def _display_rows(rows, columns, kinds) -> list[list[str]]:
    """Rows of display text; `kinds` maps a column to its kind when its name does not tell (an actor column)."""
    kinds = kinds or {}
    cells = [text.column_texts([r.get(c) for r in rows], kinds.get(c) or column_kind(c), _flat_cell) for c in columns]
    return [list(row) for row in zip(*cells)] if columns else [[] for _ in rows]


def to_text(
    rows: list[dict],
    fmt: Format,
    columns: list[str] | None = None,
    title: str | None = None,
    kinds: dict[str, str] | None = None,
) -> str:
    """Rows as text in the requested format (the table format is rendered by rich).

    `kinds` (column -> pct, km, people or count) sets the display rule of columns whose
    name does not tell it, e.g. a column per actor holding percentages.
    """
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == Format.json:
        return json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == Format.ndjson:
        return "".join(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n" for r in rows)
    if fmt in (Format.csv, Format.tsv):
        delimiter = "," if fmt == Format.csv else "\t"
        return csv_line(columns, delimiter) + "".join(
            csv_line([_csv_cell(r.get(c)) for c in columns], delimiter) for r in rows
        )
    if fmt == Format.markdown:
        # Column names can be actor names and cells names from the data: escaped, never Markdown or HTML.
        lines = ([f"**{markdown_text(title)}**", ""] if title else []) + [
            "| " + " | ".join(map(markdown_text, columns)) + " |",
            "|" + "|".join(_md_rule(r0_is_num(rows, c)) for c in columns) + "|",
        ]
        lines += [
            "| " + " | ".join(markdown_text(cell) for cell in row) + " |" for row in _display_rows(rows, columns, kinds)
        ]
        return "\n".join(lines) + "\n"
    return _rich_table(rows, columns, title, kinds)


def r0_is_num(rows, column) -> bool:
    return any(isinstance(r.get(column), (int, float)) and not isinstance(r.get(column), bool) for r in rows)


def _md_rule(numeric: bool) -> str:
    return "---:" if numeric else "---"


def console(file=None, at_least: int = 0):
    from rich.console import Console

    width = max(_width(), at_least)
    return Console(
        file=file or sys.stdout,
        width=width,
        no_color="NO_COLOR" in os.environ or None,
        highlight=False,
        soft_wrap=False,
    )


def _width() -> int:
    """COLUMNS when set (tests pin it), the terminal's width, else a wide page for pipes."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if _collected is None and sys.stdout.isatty():  # a file (-o) is as wide as a pipe, whatever the terminal
        import shutil

        return shutil.get_terminal_size().columns
    return 160


DATE_CELL = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rich_table(rows, columns, title, kinds=None) -> str:
    """A rich table that fits the terminal by shortening text (names, sources) with an ellipsis: a number or a
    date is never cut or folded across lines, whatever the width (a header may fold)."""
    from rich.table import Table
    from rich.text import Text

    # Text, never markup: a name like 'kurdish forces [ypg]' or '[/i]' is data, shown as it is.
    display = [[visible_text(cell) for cell in row] for row in _display_rows(rows, columns, kinds)]
    cells = [[row[i] for row in display] for i in range(len(columns))]
    numeric = [r0_is_num(rows, c) for c in columns]
    whole = [n or bool(col) and all(DATE_CELL.match(x) or not x for x in col) for n, col in zip(numeric, cells)]
    widths = _column_widths(columns, cells, whole, _width())
    table = Table(title=Text(visible_text(title)) if title else None, title_justify="left")
    for c, n, w, width in zip(columns, numeric, whole, widths):
        table.add_column(
            Text(visible_text(c)),
            justify="right" if n else "left",
            width=width,
            no_wrap=not w,
            overflow="fold" if w else "ellipsis",
        )
    for row in display:
        table.add_row(*map(Text, row))
    buf = io.StringIO()
    console(buf, sum(widths) + 3 * len(widths) + 1).print(table)
    return buf.getvalue()


def _column_widths(columns, cells, whole, width: int) -> list[int]:
    """Each column's width: its widest cell or header. While the table is wider than `width`: text columns
    are cut to their header (at least 12 characters), the widest first; then the headers of number and date
    columns fold down to their widest cell; then text is cut down to 2. A number or a date is never cut."""
    widths = [max([len(x) for x in col] + [len(c)]) for c, col in zip(columns, cells)]
    cell_floor = [max([len(x) for x in col] + [4]) for col in cells]
    phases = [
        [None if w else min(widths[i], max(len(c), 12)) for i, (c, w) in enumerate(zip(columns, whole))],
        [cell_floor[i] if w else None for i, w in enumerate(whole)],
        [None if w else 2 for w in whole],
    ]  # a letter and the ellipsis: the narrowest text still says a row differs
    room = width - 3 * len(columns) - 1  # the borders: one left, then " │ " around every cell
    for floors in phases:
        while sum(widths) > room:
            movable = [i for i, f in enumerate(floors) if f is not None and widths[i] > f]
            if not movable:
                break
            widths[max(movable, key=lambda i: widths[i] - floors[i])] -= 1
    return widths


# The text of a command run with -o FILE (cli.options.tabular_output), written when the command is done;
# None while a command writes to stdout.
_collected: list[str] | None = None

# The suffixes of the tabular formats: -o shares.csv writes csv; a name that says nothing (.txt) the table.
SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".md": "markdown",
    ".markdown": "markdown",
}


GEO_FORMATS = ("geojson", "geojsonseq", "gpkg", "fgb")  # conflictmap.export.EXPORT_FORMATS, without importing it
# Where a table command's geometry is: the export that writes it.
GEO_EXPORTS = {
    "frontline": "export --layer frontline",
    "changes": "export --layer changes --since D0",
    "status": "export",
    "front-movement": "export --layer gains --since D0",
    "front_movement": "export --layer gains --since D0",
}


def geo_hint(command: str | None, fmt: str | None, output: str | None = None) -> str:
    """'; for the geometry as geojson use conflictmap export --layer frontline -f geojson' (or -o OUTPUT) when a
    table command is asked for a geographic format."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in GEO_FORMATS:
        return ""
    export = GEO_EXPORTS.get(command or "", "export")
    return f"; for the geometry as {fmt} use conflictmap {export} " + (f"-o {output}" if output else f"-f {fmt}")


def output_format(given: Format | None, output: str, default: Format | None = Format.table, formats=None) -> Format:
    """-f, else the format the -o suffix names (-o x.csv: csv), else `default`; a suffix that says the file
    is something else (-o x.csv -f json, -o x.html) is a usage error (conflictmap.io.output_format)."""
    from conflictmap.io import output_format as checked

    given = SAME_AS.get(given, given)
    name = checked(
        output, given.value if given else None, formats or SUFFIX_FORMATS, default.value if default else None
    )
    return Format(name) if name else None


def emit(text: str) -> None:
    if _collected is not None:
        _collected.append(text)
        return
    from conflictmap.cli.errors import writing_stdout

    with writing_stdout():
        sys.stdout.write(text)
        sys.stdout.flush()


def to_file() -> bool:
    """Whether this command's output goes to an -o file (not stdout)."""
    return _collected is not None


@contextlib.contextmanager
def writing_to(path: str):
    """What the block emits goes to `path` ('-': stdout as it comes), written atomically at the end.

    The file is written when the block ends, or when it exits on purpose after its data (validate's exit 1
    for an error in the inputs, claims check --fail-on-mismatch): the data is complete. A block that fails
    writes nothing, so yesterday's file stays as it was.
    """
    global _collected
    if path == "-":
        yield
        return
    _collected = collected = []
    try:
        yield
    except BaseException as exc:
        _collected = None
        if _deliberate_exit(exc) and collected:
            _write(path, collected)
        raise
    _collected = None
    _write(path, collected)


def _deliberate_exit(exc: BaseException) -> bool:
    import typer

    return isinstance(exc, typer.Exit)


def _write(path: str, parts: list[str]) -> None:
    from conflictmap.cli.errors import say
    from conflictmap.io import write_bytes_atomic

    write_bytes_atomic(path, "".join(parts).encode("utf-8"))
    say(f"wrote {path}", "info")


def emit_rows(rows, fmt: Format, columns=None, title=None, kinds: dict[str, str] | None = None) -> None:
    emit(to_text(plain_rows(rows), fmt, columns, title, kinds))


def emit_object(obj: dict, fmt: Format, title: str | None = None) -> None:
    """A nested object: as JSON for machines, as key/value rows otherwise."""
    obj = plain(obj)
    if fmt == Format.json:
        emit(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
    elif fmt == Format.ndjson:
        emit(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        for_people = fmt in (Format.table, Format.markdown)
        emit(to_text(list(_flatten(obj, rounded=for_people)), fmt, ["item", "value"], title))


def _flatten(obj, prefix="", rounded=False):
    """Key/value rows of a nested object; floats rounded to 2 decimals for people, unrounded for csv/tsv."""
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, name + ".", rounded)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value, start=1):
                yield {"item": f"{name}[{i}]", "value": "; ".join(f"{k}={v}" for k, v in item.items() if v)}
        else:
            shown = (
                ", ".join(f"{v:.6f}" if isinstance(v, float) else str(v) for v in value)
                if isinstance(value, list)
                else value
            )
            if isinstance(shown, float):
                shown = f"{shown:,.2f}" if rounded else repr(shown)
            yield {"item": name, "value": "" if shown is None else str(shown)}
