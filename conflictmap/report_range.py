"""The report with ranges from confidence: where the figure from every row and the figure from the
confirmed changes only differ, the sentences say "79.0–84.0%" and the JSON rows carry `_low`/`_high`.

Both reports are built by conflictmap.report on the same dates; the percentages of the sentences
become Ranged floats, which text.percent() prints as a range. The md/html tables keep the figure from
every row (their columns are fixed); the JSON has both ends for every measure.
"""

from __future__ import annotations

import datetime as dt

PCTS = ("districts_pct", "area_pct", "population_pct")
AMOUNTS = ("districts", "area_km2", "population")
RANGE_NOTE = (
    "Ranges (low–high) are the lower and higher of the figure from every row of the log and the figure "
    "from the changes at least as sure as {level} only (a district's first rows always count)."
)


class Ranged(float):
    """A figure from every row that also carries the figure from the surer changes (`other`); text.percent
    prints low–high. Sums (a baseline group's members) add both figures, so their range stays right."""

    def __new__(cls, value: float, other: float):
        obj = super().__new__(cls, value)
        obj.other = float(other)
        obj.low, obj.high = sorted((float(value), obj.other))
        return obj

    def __add__(self, more):
        return Ranged(float(self) + float(more), self.other + getattr(more, "other", float(more)))

    __radd__ = __add__


def _widen(rows: list[dict], sure_rows: list[dict]) -> None:
    sure = {r["actor"]: r for r in sure_rows}
    for row in rows:
        other = sure.get(row["actor"], {})
        for key in PCTS + AMOUNTS:
            if row.get(key) is None:
                continue
            low, high = sorted((float(row[key]), float(other.get(key) or 0.0)))
            row[f"{key}_low"], row[f"{key}_high"] = low, high
            if key in PCTS:
                row[key] = Ranged(row[key], other.get(key) or 0.0)


def ranged_model(ds, sure, level: str, date=None, since=None, baseline=None, generated_at=None) -> dict:
    """report_model of `ds` with each share widened by the same model of `sure` (the surer changes only)."""
    from .report import report_model, sentences

    model = report_model(ds, date, since, baseline, generated_at)
    day = dt.date.fromisoformat(model["date"])
    since_day = dt.date.fromisoformat(model["since"]) if model["since"] else None
    other = report_model(sure, day, since_day, baseline, generated_at)
    _widen(model["shares"], other["shares"])
    if model["baseline"] and other["baseline"]:
        _widen(model["baseline"]["shares"], other["baseline"]["shares"])
    model["method"] = model["method"] + [RANGE_NOTE.format(level=level)]
    model["sentences"] = sentences(model)
    model["headline"] = model["sentences"][0]
    return model


def ranged_report(ds, sure, level: str, fmt: str, interactive: bool = False, **options) -> str:
    """make_report with ranges (md, html or json)."""
    from .errors import UsageError
    from .report_render import colours_of, interactive_parts, pictures, render_html, render_json, render_markdown

    if interactive and fmt != "html":
        raise UsageError(f"--interactive puts the interactive map in an HTML report; {fmt} has no place for it")
    model = ranged_model(ds, sure, level, **options)
    if fmt == "json":
        return render_json(model)
    if fmt == "md":
        return render_markdown(model)
    day = dt.date.fromisoformat(model["date"])
    live = interactive_parts(ds, day, options.get("baseline")) if interactive else None
    return render_html(model, pictures(ds, day, options.get("baseline")), colours_of(ds, model), live)
