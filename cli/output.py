"""Writers for tabular output: table (rich), csv, tsv, json, ndjson, markdown.

csv/tsv/json/ndjson are the stable interface for scripts: values unrounded,
floats in Python's shortest round-trip form, keys in a fixed order. table
and markdown are for people: rounded for display only.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from enum import Enum


class Format(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    markdown = "markdown"


def plain(value):
    """numpy/pandas scalars and NaN -> JSON-safe Python values."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def records(frame_or_rows) -> list[dict]:
    if hasattr(frame_or_rows, "to_dict"):
        frame_or_rows = frame_or_rows.to_dict("records")
    return [{k: plain(v) for k, v in row.items()} for row in frame_or_rows]


def _flat_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _display_cell(key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _flat_cell(value)
    if key.endswith("_pct"):
        return f"{value:.1f}"
    if key.endswith("_km2") or key.endswith("_km"):
        return f"{value:,.2f}"
    if key in ("population",) or key.startswith("population"):
        return f"{value:,.0f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return f"{value:,.0f}" if isinstance(value, float) else str(value)


def to_text(rows: list[dict], fmt: Format, columns: list[str] | None = None, title: str | None = None) -> str:
    """Rows as text in the requested format (the table format is rendered by rich)."""
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == Format.json:
        return json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == Format.ndjson:
        return "".join(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n" for r in rows)
    if fmt in (Format.csv, Format.tsv):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == Format.csv else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_flat_cell(r.get(c)) for c in columns] for r in rows])
        return buf.getvalue()
    if fmt == Format.markdown:
        lines = ([f"**{title}**", ""] if title else []) + ["| " + " | ".join(columns) + " |",
                                                           "|" + "|".join(_md_rule(r0_is_num(rows, c)) for c in columns) + "|"]
        lines += ["| " + " | ".join(_display_cell(c, r.get(c)).replace("|", "\\|") for c in columns) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    return _rich_table(rows, columns, title)


def r0_is_num(rows, column) -> bool:
    return any(isinstance(r.get(column), (int, float)) and not isinstance(r.get(column), bool) for r in rows)


def _md_rule(numeric: bool) -> str:
    return "---:" if numeric else "---"


def console(file=None):
    from rich.console import Console

    width = _width()
    return Console(file=file or sys.stdout, width=width, no_color="NO_COLOR" in os.environ or None,
                   highlight=False, soft_wrap=False)


def _width() -> int:
    """COLUMNS when set (tests pin it), the terminal's width, else a wide page for pipes."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size().columns
    return 160


def _rich_table(rows, columns, title) -> str:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(c, justify="right" if r0_is_num(rows, c) else "left", overflow="fold")
    for r in rows:
        table.add_row(*(_display_cell(c, r.get(c)) for c in columns))
    buf = io.StringIO()
    console(buf).print(table)
    return buf.getvalue()


def emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def emit_rows(rows, fmt: Format, columns=None, title=None) -> None:
    emit(to_text(records(rows), fmt, columns, title))


def emit_object(obj: dict, fmt: Format, title: str | None = None) -> None:
    """A nested object: as JSON for machines, as key/value rows otherwise."""
    obj = plain(obj)
    if fmt == Format.json:
        emit(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
    elif fmt == Format.ndjson:
        emit(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        emit(to_text(list(_flatten(obj)), fmt, ["item", "value"], title))


def _flatten(obj, prefix=""):
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, name + ".")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value, start=1):
                yield {"item": f"{name}[{i}]", "value": "; ".join(f"{k}={v}" for k, v in item.items() if v)}
        else:
            shown = ", ".join(f"{v:.6f}" if isinstance(v, float) else str(v) for v in value) if isinstance(value, list) else value
            yield {"item": name, "value": "" if shown is None else str(shown)}
