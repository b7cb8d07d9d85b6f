"""How figures are shown to people: one rule per kind of number, for every place that shows one.

The tables (`cli.output`: table and markdown), the report (sentences and tables), the charts and the maps
all format numbers here, so that `share -f markdown` and `report -f md` print the same figure the same way.
Machine formats (csv, tsv, json, GeoJSON) never come here: they keep every figure unrounded.

Rules
-----
pct
    Percentages, one decimal always: ``50.0``; in prose and legends with the sign: ``50.0%``.
km
    km² and km, two decimals with thousands separators in tables: ``1,234.50``; one decimal in prose and
    legends: ``1,234.5 km²``.
people
    Population, whole people with separators: ``12,345``.
count
    District counts. A split district counts by its share, so a count may be a fraction. In a table column
    every cell has the decimals of the column: ``12`` when all are whole, else two decimals for all (``12.00``,
    ``2.50``), so that the column stays aligned; in prose ``2.5``.
share
    A district's share of one holder: up to four decimals, never ``1`` or ``0`` for a part (``>0.9999``).
"""

from __future__ import annotations

import datetime as dt

from .tolerance import WHOLE

__all__ = [
    "NUMBER_KINDS",
    "column_kind",
    "column_texts",
    "has_fraction",
    "count",
    "percent",
    "pct",
    "km2",
    "area",
    "people",
    "signed",
    "share",
    "day_words",
    "districts",
]

NUMBER_KINDS = ("pct", "km", "people", "count", "equivalents")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def column_kind(key: str) -> str:
    """The kind of a column from its name: *_pct, *_km2* / *_km, *population*, else count."""
    if key.endswith("_pct"):
        return "pct"
    if "_km2" in key or key.endswith("_km"):
        return "km"
    if "population" in key:
        return "people"
    return "count"


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def has_fraction(values) -> bool:
    """Does any number among `values` have a fractional part (a split district's share, not a whole count)?"""
    return any(isinstance(v, float) and abs(v - round(v)) > WHOLE for v in values if is_number(v))


def _column_spec(kind: str, values) -> str:
    """The format spec of a table column of this kind holding these values."""
    if kind == "pct":
        return ".1f"
    if kind == "km":
        return ",.2f"
    if kind == "people":
        return ",.0f"
    if kind == "equivalents":  # district-equivalents: a table of them reads alike in every column
        return ",.2f"
    return ",.2f" if has_fraction(values) else ",.0f"


def column_texts(values, kind: str, flat=str, sign: bool = False) -> list[str]:
    """The display text of one table column: one number format for all its cells.

    `flat` shows a value that is not a number (text, a list); None is an empty cell. An int in a count
    column is shown as given (ids, row numbers): no separators added. With `sign`, a gain is '+5' and a
    loss '-3' (a figure that rounds to zero has no sign).
    """
    spec = _column_spec(kind, values)
    texts = []
    for v in values:
        if v is None:
            texts.append("")
        elif not is_number(v):
            texts.append(flat(v))
        elif sign:
            texts.append(signed(v, lambda x: format(x, spec)))
        elif kind == "count" and isinstance(v, int):
            texts.append(str(v))
        else:
            texts.append(format(v, spec))
    return texts


def pct(value: float) -> str:
    """'50.0' (a table cell)."""
    return f"{value:.1f}"


def percent(value: float) -> str:
    """'50.0%'; a ranged figure (report_range.Ranged) whose ends differ once rounded: '48.2–51.0%'."""
    low, high = getattr(value, "low", value), getattr(value, "high", value)
    if pct(low) != pct(high):
        return f"{pct(low)}–{pct(high)}%"
    return f"{pct(value)}%"


def km2(value: float) -> str:
    """'1,234.50' (a table cell, km² or km)."""
    return f"{value:,.2f}"


def area(value: float) -> str:
    """'1,234.5 km²' (prose and legends)."""
    return f"{value:,.1f} km²"


def people(value: float) -> str:
    """'12,345'."""
    return f"{value:,.0f}"


def count(value: float) -> str:
    """'12', '1,234' or '2.5' (prose and legends: a split district counts by share)."""
    if abs(value - round(value)) <= WHOLE:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def districts(value: float) -> str:
    """'1 district', '12 districts', '2.5 districts'."""
    return f"{count(value)} district" if count(value) == "1" else f"{count(value)} districts"


def signed(value: float, fmt=count) -> str:
    """'+5', '-3.5 km²', '0' (no sign on a figure that rounds to zero)."""
    text = fmt(abs(value))
    if not any(ch in "123456789" for ch in text.split(" ")[0]):
        return text
    return ("+" if value > 0 else "-") + text


def share(value: float) -> str:
    """A share for people: up to 4 decimals, never an exponent, never a '1' or '0' for a part."""
    if 0 < value < 5e-5:
        return "<0.0001"
    if 1 - 5e-5 < value < 1:
        return ">0.9999"
    return f"{value:.4f}".rstrip("0").rstrip(".")


def day_words(day) -> str:
    """'12 December 2016' (English month names, whatever the machine's locale)."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
