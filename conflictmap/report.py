"""The report: headline sentences, the share and changes tables, as Markdown, HTML or JSON.

report_model() gathers the figures (unrounded) and the sentences into a plain
dict; render_markdown / render_html / render_json turn it into text. Numbers are
rounded only in the sentences and the md/html tables; the JSON carries them as
computed. Nothing depends on the clock or the working folder (inputs are named
by file name), so the same inputs give the same bytes; a timestamp appears only
when the caller passes `generated_at`.

HTML is one self-contained file: inline CSS, the map and the timeline chart as
SVG data URIs, and a Content-Security-Policy that forbids any network fetch.
Markdown has the same text and tables but no pictures (a note says where to get
them): a second file next to it would make the report more than one file to
mail, diff and keep.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from pathlib import Path

from . import __version__
from .dataset import Dataset
from .errors import InputError, UsageError
from .escape import markdown_text
from .io import check_not_input, text_of_path, write_bytes_atomic
from .tolerance import EXACT
from .model import CONTESTED, UNKNOWN
from . import text as show
from .baseline import Baseline
from .plots import literal_text
from .text import area, count, day_words, percent, signed
from .values import plain_rows

REPORT_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}
CATEGORIES = (CONTESTED, UNKNOWN)

METHOD = [
    "Areas are geodesic, on the WGS84 ellipsoid (km²), never in square degrees.",
    "A district split between actors counts by share: half a district, half its area and people.",
    "Contested and unknown are categories of their own: reported, never dropped or merged.",
]
BASELINE_NOTE = ("The baseline universe is what {actor} held on {date}, each district weighted by "
                 "the share {actor} held then.")
PICTURE_NOTE = ("The map and the timeline chart are in the HTML report (`-o report.html`), "
                "or run `conflictmap map` and `conflictmap timeline --plot`.")


# ---------------------------------------------------------------------------------------------- model


def report_format(path, given: str | None = None) -> str:
    """md, html or json: `given`, else from the file suffix; anything else is a usage error."""
    if given:
        if given not in ("md", "html", "json"):
            raise UsageError(f"--format {given!r} is not a report format; give md, html or json")
        return given
    fmt = REPORT_SUFFIXES.get(Path(str(path)).suffix.lower())
    if not fmt:
        hint = "; with -o - give --format md, html or json" if str(path) == "-" else ""
        raise UsageError(f"{path}: unknown report format; name the file .md, .html or .json{hint}")
    return fmt


def previous_date(ds: Dataset, date: dt.date) -> dt.date | None:
    """The last date of the log before `date` (None when the log starts on or after it)."""
    earlier = [d for d in ds.dates if d < date]
    return earlier[-1] if earlier else None


def report_model(ds: Dataset, date: dt.date | None = None, since: dt.date | None = None,
                 baseline: Baseline | None = None, generated_at: str | None = None) -> dict:
    """The report's figures and sentences as a JSON-ready dict (keys in a fixed order).

    `since` defaults to the previous date of the log before `date`; with a
    baseline, the headline is "of what the baseline's actor held on its date,
    the share the leading other actor holds on `date`".
    """
    from .figures import shares

    if not len(ds.log):
        raise InputError("the control log is empty; give a log with --control")
    date = date or ds.last_date
    since = since if since is not None else previous_date(ds, date)
    if since is not None and since > date:
        raise UsageError(f"--since {since} is after --date {date}; give a date on or before --date")
    model = {
        "title": f"Control on {day_words(date)}",
        "date": date.isoformat(),
        "since": since.isoformat() if since else None,
        "days_since": (date - since).days if since else None,
        "headline": "",
        "sentences": [],
        "totals": _totals(ds),
        "shares": plain_rows(shares(ds, date)),
        "baseline": _baseline(ds, date, baseline) if baseline else None,
        **_changes(ds, since, date),
        "fractional": _fractional(ds),
        "display": display_names(ds),
        "inputs": {k: text_of_path(Path(v).name) if v and v != "-" else v
                   for k, v in (("districts", ds.inputs.districts), ("control", ds.inputs.control), ("actors", ds.inputs.actors))},
        "method": METHOD + ([BASELINE_NOTE.format(actor=the(baseline.label), date=day_words(baseline.date))] if baseline else []),
        "generated_by": f"conflictmap {__version__}",
        "generated_at": generated_at,
    }
    model["sentences"] = sentences(displayed(model))
    model["headline"] = model["sentences"][0]
    return model


def _fractional(ds: Dataset) -> bool:
    from .changes import is_fractional

    return is_fractional(ds)


def display_names(ds: Dataset) -> dict:
    """How each actor is named in sentences: `display` in the actors file, else a capitalised proper name.

    'ukraine' -> 'Ukraine', 'islamic state' -> 'Islamic State'; groups of people
    ('government', 'kurdish forces') and the categories keep their lower case,
    as they read "the government held ...".
    """
    names = set(ds.log["controller"]) | set(ds.actors.names) | {ds.initial}
    given = _display_from_file(ds.inputs.actors)
    out = {}
    for name in sorted(names):
        if name in given:
            out[name] = given[name]
        elif name in CATEGORIES or not name[:1].islower() or name.split()[-1] in GROUP_NOUNS:
            out[name] = name
        else:
            out[name] = " ".join(w[:1].upper() + w[1:] for w in name.split(" "))
    return out


def _display_from_file(path) -> dict:
    """{canonical name: display} from the `display` keys of an actors file ([actors.NAME] display = "...")."""
    from .model import clean_label, read_toml

    if not path:
        return {}
    data = read_toml(Path(path), InputError(f"{path}: actors file not found"), "")
    out = {}
    for name, spec in (data.get("actors") or {}).items():
        shown = spec.get("display") if isinstance(spec, dict) else None
        if shown is not None:
            if not isinstance(shown, str) or not shown.strip():
                raise InputError(f"{path} [actors.{name}] display: give a name in quotes, e.g. display = \"Ukraine\"")
            out[clean_label(name)] = shown.strip()
    return out


def displayed(model: dict) -> dict:
    """The model with actor names as displayed (for the sentences; the tables and JSON keep canonical names)."""
    names = model.get("display") or {}

    def rows(items):
        return [{**r, **{k: names.get(r[k], r[k]) for k in ("actor", "from", "to") if k in r}} for r in items]

    out = {**model, "shares": rows(model["shares"]), "gains_losses": rows(model["gains_losses"]),
           "moved": rows(model.get("moved") or [])}
    if model["baseline"]:
        b = model["baseline"]
        out["baseline"] = {**b, "shares": rows(b["shares"]), "actor": names.get(b["actor"], b["actor"]),
                           "members": [names.get(m, m) for m in b["members"]]}
    return out


def _totals(ds: Dataset) -> dict:
    d = ds.districts
    population = float(d["population"].fillna(0).sum()) if ds.has_population else None
    return {"districts": int(len(d)), "area_km2": float(d["area_km2"].sum()), "population": population}


def _baseline(ds: Dataset, date, baseline: Baseline) -> dict:
    from .figures import shares

    rows = plain_rows(shares(ds, date, "districts", baseline))
    universe = {m: sum(r[m] for r in rows) for m in ("districts", "area_km2", "population") if m in rows[0]}
    return {"date": baseline.date.isoformat(), "actor": baseline.label, "members": list(baseline.members),
            "universe": universe, "shares": rows}


def _changes(ds: Dataset, since, date) -> dict:
    """The districts that changed hands in (since, date] and the gains and losses per actor."""
    from .changes import changes, gains_losses

    from .changes import moved_area, transition_matrix

    if since is None:
        return {"changes": [], "gains_losses": [], "moved": []}
    matrix = transition_matrix(ds, since, date)
    return {"changes": plain_rows(changes(ds, since, date)), "gains_losses": plain_rows(gains_losses(ds, since, date, matrix)),
            "moved": plain_rows(moved_area(ds, since, date, matrix))}


# ------------------------------------------------------------------------------------------ sentences


# Names ending in one of these are groups of people ("the government", "the kurdish forces");
# any other name is taken as a proper name and gets no article ("ukraine held", never "the ukraine").
GROUP_NOUNS = {"government", "regime", "rebels", "opposition", "army", "military", "militia", "militias",
               "forces", "troops", "insurgents", "coalition", "fighters", "groups", "separatists",
               "loyalists", "authorities", "police", "guard", "factions", "jihadists", "kurds"}


def the(actor: str) -> str:
    """'the government' for a common noun, 'ukraine' or 'Hezbollah' for a proper name.

    contested and unknown are categories, not actors: no article.
    """
    if actor in CATEGORIES or not actor[:1].islower() or actor.split()[-1] not in GROUP_NOUNS:
        return actor
    return f"the {actor}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentences(model: dict) -> list[str]:
    """The headline first (the baseline sentence when there is a baseline), then control, then changes."""
    if model.get("fractional"):  # shares from an overlay: area leads, no fractional "districts"
        out = _baseline_area_sentences(model) if model["baseline"] else []
        return out + [_control_area_sentence(model)] + _change_area_sentences(model)
    out = _baseline_sentences(model) if model["baseline"] else []
    return out + [_control_sentence(model)] + _change_sentences(model)


def _held_area(rows) -> tuple[list[dict], list[dict]]:
    holders = [r for r in rows if r["actor"] not in CATEGORIES and r["area_km2"] > EXACT]
    categories = [r for c in CATEGORIES for r in rows if r["actor"] == c and r["area_km2"] > EXACT]
    return holders, categories


def _area_figures(row: dict, population: bool, full: bool) -> str:
    """'109,919.5 km² (18.7% of the area, 12.0% of the population)' (full) or '479,365.7 km² (81.3%)'."""
    parts = [percent(row["area_pct"])] + ([percent(row["population_pct"])] if population else [])
    if full:
        parts = [f"{parts[0]} of the area"] + [f"{p} of the population" for p in parts[1:]]
    return f"{area(row['area_km2'])} ({', '.join(parts)})"


def _control_area_sentence(model: dict) -> str:
    """'On D, of the 589,285.2 km² of the 495 districts, Russia held 109,919.5 km² (18.7% of the area), ...'."""
    rows, totals = model["shares"], model["totals"]
    population = _has_population(rows)
    holders, categories = _held_area(rows)
    clauses = [f"{the(r['actor'])}{' held' if i == 0 else ''} {_area_figures(r, population, i == 0)}"
               for i, r in enumerate(holders)]
    others = []
    for r in categories:
        figures = _area_figures(r, population, not clauses and not others)
        others.append(f"{figures} {'was contested' if r['actor'] == CONTESTED else 'was of unknown control'}")
    text = ", ".join(clauses) + (("; " if clauses else "") + " and ".join(others) if others else "")
    size = f"{area(totals['area_km2'])} of the {count(totals['districts'])} districts"
    return f"On {day_words(model['date'])}, of the {size}, {text}."


def _change_area_sentences(model: dict) -> list[str]:
    """'Between D0 and D1 (n days), 304.6 km² moved between actors (...); no district changed hands.' and the net."""
    if model["since"] is None:
        return [f"The log has no date before {day_words(model['date'])}: there are no earlier changes to report."]
    span = f"between {day_words(model['since'])} and {day_words(model['date'])} ({_days(model['days_since'])})"
    moved = model.get("moved") or []
    if not moved:
        return [f"No area changed hands {span}."]
    pairs = ", ".join(f"{the(r['from'])} to {the(r['to'])} {area(r['area_km2'])}" for r in moved)
    n = len(model["changes"])
    hands = (f"{n} district{'s' if n != 1 else ''} changed hands (the largest holder changed)" if n
             else "no district changed hands (no largest holder changed)")
    total = area(sum(r["area_km2"] for r in moved))
    first = f"{_cap(span)}, {total} moved between actors ({pairs}); {hands}."
    nets = [r for r in model["gains_losses"] if abs(r["net_area_km2"]) > EXACT]
    if not nets:
        return [first, "Gains and losses cancel out: no actor's area grew or shrank."]
    return [first, "Net change: " + ", ".join(f"{the(r['actor'])} {signed(r['net_area_km2'], area)}" for r in nets) + "."]


def _baseline_area_sentences(model: dict) -> list[str]:
    """'On D1 Russia held 12.3% of the area that Ukraine held on D0 (1,234.5 km²).' and the rest of it."""
    b = model["baseline"]
    rows, members, label = b["shares"], b["members"], b["actor"]
    holders, categories = _held_area(rows)
    others = [r for r in holders if r["actor"] not in members]
    kept = _sum_rows([r for r in rows if r["actor"] in members])
    when, then = day_words(model["date"]), day_words(b["date"])
    universe = area(b["universe"].get("area_km2", 0.0))
    if not others:
        return [f"Of the {universe} that {the(label)} held on {then}, on {when} {the(label)} still held "
                f"{percent(kept['area_pct'])} ({area(kept['area_km2'])})."]
    top = others[0]
    rest = [f"{the(label)} still held {percent(kept['area_pct'])} ({area(kept['area_km2'])})"]
    rest += [f"{the(r['actor'])} {percent(r['area_pct'])} ({area(r['area_km2'])})" for r in others[1:] + categories]
    return [f"On {when} {the(top['actor'])} held {percent(top['area_pct'])} of the area that {the(label)} held on {then} "
            f"({area(top['area_km2'])} of {universe}).", _cap(", ".join(rest)) + "."]


def _has_population(rows) -> bool:
    return bool(rows) and rows[0].get("population_pct") is not None


def _held(rows) -> tuple[list[dict], list[dict]]:
    """Actors holding something, in table order, and the contested/unknown rows holding something."""
    holders = [r for r in rows if r["actor"] not in CATEGORIES and r["districts"] > EXACT]
    categories = [r for c in CATEGORIES for r in rows if r["actor"] == c and r["districts"] > EXACT]
    return holders, categories


def _figures(row: dict, population: bool, full: bool) -> str:
    """'76.2% of the districts, 79.1% of the area' (full) or '19.0%, 14.6%'."""
    parts = [percent(row["districts_pct"]), percent(row["area_pct"])] + ([percent(row["population_pct"])] if population else [])
    if full:
        labels = ["of the districts", "of the area", "of the population"]
        parts = [f"{p} {lab}" for p, lab in zip(parts, labels)]
    return ", ".join(parts)


def _control_sentence(model: dict) -> str:
    """'On D, of the 126 districts (129.0 km²), the government held 96 (76.2% of the districts, ...), ...'."""
    rows, totals = model["shares"], model["totals"]
    population = _has_population(rows)
    holders, categories = _held(rows)
    clauses = []
    for i, r in enumerate(holders):
        verb = " held" if i == 0 else ""
        clauses.append(f"{the(r['actor'])}{verb} {count(r['districts'])} ({_figures(r, population, i == 0)})")
    others = []
    for r in categories:
        figures = f"{count(r['districts'])} ({_figures(r, population, not clauses and not others)})"
        if r["actor"] == CONTESTED:
            others.append(f"{figures} {'was' if r['districts'] == 1 else 'were'} contested")
        else:
            others.append(f"the control of {figures} was unknown")
    text = ", ".join(clauses)
    if others:
        text += ("; " if text else "") + " and ".join(others)
    size = area(totals["area_km2"]) + (f", {show.people(totals['population'])} people" if population else "")
    return f"On {day_words(model['date'])}, of the {count(totals['districts'])} districts ({size}), {text}."


def _baseline_sentences(model: dict) -> list[str]:
    """The headline and who holds the rest of the baseline universe."""
    b = model["baseline"]
    rows, members, label = b["shares"], b["members"], b["actor"]
    population = _has_population(rows) and b["universe"].get("population", 0) > 0
    holders, categories = _held(rows)
    others = [r for r in holders if r["actor"] not in members]
    kept = _sum_rows([r for r in rows if r["actor"] in members])
    when, then = day_words(model["date"]), day_words(b["date"])
    if not others:
        return [f"Of the districts that {the(label)} held on {then}, on {when} {the(label)} still held "
                f"{percent(kept['districts_pct'])} ({_of_their(kept, population)})."
                + (f" {_cap(_rest(categories, population))}." if categories else "")]
    top = others[0]
    headline = (f"On {when} {the(top['actor'])} held {percent(top['districts_pct'])} of the districts that "
                f"{the(label)} held on {then} ({_of_their(top, population)}).")
    return [headline, _cap(_rest_of_baseline(label, kept, others[1:], categories, population)) + "."]


def _rest_of_baseline(label, kept, others, categories, population) -> str:
    """'the rebels still held 34.3% (33.2% of the area), the kurdish forces 2.9% (2.9%); 2.9% (3.1%) was contested'."""
    kept_any = kept["districts"] > EXACT
    clauses = [f"{the(label)} still held {percent(kept['districts_pct'])} ({_of_the(kept, population)})"] if kept_any else []
    for r in others:
        first = not clauses
        clauses.append(f"{the(r['actor'])}{' held' if first else ''} {percent(r['districts_pct'])} ({_of_the(r, population, first)})")
    parts = ([] if kept_any else [f"{the(label)} held none of it"]) + ([", ".join(clauses)] if clauses else [])
    if categories:
        parts.append(_rest(categories, population))
    return "; ".join(parts)


def _sum_rows(rows: list[dict]) -> dict:
    """A group's members added up (a baseline actor may be a group of several)."""
    keys = ("districts", "districts_pct", "area_km2", "area_pct", "population", "population_pct")
    return {k: sum(r[k] for r in rows if r.get(k) is not None) for k in keys}


def _of_their(row: dict, population: bool) -> str:
    text = f"{percent(row['area_pct'])} of their area"
    return text + (f" and {percent(row['population_pct'])} of their population" if population else "")


def _of_the(row: dict, population: bool, full: bool = True) -> str:
    """'33.2% of the area' (full) or '33.2%', and the population when there is one."""
    parts = [percent(row["area_pct"])] + ([percent(row["population_pct"])] if population else [])
    if full:
        parts = [f"{parts[0]} of the area"] + [f"{p} of the population" for p in parts[1:]]
    return ", ".join(parts)


def _rest(categories: list[dict], population: bool) -> str:
    parts = []
    for r in categories:
        figures = f"{percent(r['districts_pct'])} ({_of_the(r, population, False)})"
        parts.append(f"{figures} was contested" if r["actor"] == CONTESTED else f"the control of {figures} was unknown")
    return " and ".join(parts)


def _change_sentences(model: dict) -> list[str]:
    if model["since"] is None:
        return [f"The log has no date before {day_words(model['date'])}: there are no earlier changes to report."]
    span = f"between {day_words(model['since'])} and {day_words(model['date'])} ({_days(model['days_since'])})"
    if not model["changes"]:
        return [f"No district changed hands {span}."]
    gains = model["gains_losses"]
    moved = area(sum(r["gained_area_km2"] for r in gains))
    if gains and gains[0].get("gained_population") is not None:
        moved += f", {show.people(sum(r['gained_population'] for r in gains))} people"
    n = len(model["changes"])
    first = f"{_cap(span)}, control changed in {n} district{'s' if n != 1 else ''} ({moved} changed hands)."
    nets = [r for r in gains if abs(r["net_districts"]) > EXACT or abs(r["net_area_km2"]) > EXACT]
    if not nets:
        return [first, "Gains and losses cancel out: no actor's holding grew or shrank."]
    parts = [f"{the(r['actor'])} {signed(r['net_districts'], count)} ({signed(r['net_area_km2'], area)})" for r in nets]
    unit = " district (" if abs(nets[0]["net_districts"]) == 1 else " districts ("
    parts[0] = parts[0].replace(" (", unit, 1)
    return [first, "Net change: " + ", ".join(parts) + "."]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


# --------------------------------------------------------------------------------------------- tables

SHARE_COLUMNS = (("actor", "actor", "text"), ("districts", "districts", "count"), ("districts_pct", "% of districts", "pct"),
                 ("area_km2", "km²", "km2"), ("area_pct", "% of area", "pct"),
                 ("population", "population", "people"), ("population_pct", "% of population", "pct"))
CHANGE_COLUMNS = (("date", "date", "text"), ("id", "id", "text"), ("name", "name", "text"), ("from", "from", "text"),
                  ("to", "to", "text"), ("area_km2", "km²", "km2"), ("population", "population", "people"),
                  ("source", "source", "text"))
GAIN_COLUMNS = (("actor", "actor", "text"), ("gained_districts", "gained", "count"), ("lost_districts", "lost", "count"),
                ("net_districts", "net", "signed"), ("gained_area_km2", "gained km²", "km2"), ("lost_area_km2", "lost km²", "km2"),
                ("net_area_km2", "net km²", "signed_km2"), ("net_area_km2_per_day", "net km²/day", "signed_km2"),
                ("gained_population", "gained population", "people"), ("lost_population", "lost population", "people"),
                ("net_population", "net population", "signed_people"))
# A report column's kind -> (conflictmap.text kind, signed): the report's tables show figures as the CLI's
# markdown tables do, one number format per column.
DISPLAY = {"count": ("count", False), "pct": ("pct", False), "km2": ("km", False), "people": ("people", False),
           "signed": ("count", True), "signed_km2": ("km", True), "signed_people": ("people", True)}


def _flat(value) -> str:
    return " ".join(str(value).split())


def display_table(rows: list[dict], columns) -> tuple[list[tuple], list[list[str]]]:
    """The (key, header, kind) of the columns the rows carry, and the rounded cells."""
    present = [c for c in columns if rows and c[0] in rows[0] and any(r.get(c[0]) is not None for r in rows)]
    texts = [[_flat(r.get(key)) if r.get(key) is not None else "" for r in rows] if kind == "text"
             else show.column_texts([r.get(key) for r in rows], *DISPLAY[kind][:1], flat=_flat, sign=DISPLAY[kind][1])
             for key, _, kind in present]
    return present, [list(row) for row in zip(*texts)] if present else [[] for _ in rows]


def sections(model: dict) -> list[tuple[str, str, list[dict], tuple]]:
    """(heading, text above the table, rows, columns) for each table of the report."""
    when = day_words(model["date"])
    fractional = model.get("fractional")
    shares_cols, change_cols, gain_cols = (_equivalents(c) for c in (SHARE_COLUMNS, CHANGE_COLUMNS, GAIN_COLUMNS)) \
        if fractional else (SHARE_COLUMNS, CHANGE_COLUMNS, GAIN_COLUMNS)
    out = [(f"Who holds what on {when}", EQUIVALENTS_NOTE if fractional else "", model["shares"], shares_cols)]
    b = model["baseline"]
    if b:
        u = b["universe"]
        size = (f"{area(u['area_km2'])}" if fractional else f"{count(u['districts'])} districts, {area(u['area_km2'])}")
        out.append((f"What {the(b['actor'])} held on {day_words(b['date'])}: who holds it on {when}",
                    f"The universe: {size}, held by {the(b['actor'])} on {day_words(b['date'])}.", b["shares"], shares_cols))
    if model["since"]:
        shown = displayed(model)
        change_text = (_change_area_sentences if fractional else _change_sentences)(shown)[0]
        out.append((f"Changes since {day_words(model['since'])}", change_text, model["changes"], change_cols))
        if model["changes"] or (fractional and model.get("moved")):
            out.append(("Gains and losses", "Split districts count by share; net = holding on "
                        f"{when} minus holding on {day_words(model['since'])}.", model["gains_losses"], gain_cols))
    return out


EQUIVALENTS_NOTE = ("The log holds shares (e.g. from zones): a district split between actors counts by share, "
                    "so district counts are district-equivalents; km² are the figure to read.")


def _equivalents(columns) -> tuple:
    """Column headers for a log with shares: district counts are district-equivalents, and moved km² are shown."""
    out = []
    for key, header, kind in columns:
        if key == "districts":
            header = "district-equivalents"
        elif key.endswith("_districts"):
            header = f"{header} (district-eq.)"
        out.append((key, header, kind))
        if key == "area_km2" and any(k == "from" for k, _, _ in columns):
            out.append(("moved_km2", "moved km²", "km2"))
    return tuple(out)


# ------------------------------------------------------------------------------------------- markdown


def render_markdown(model: dict) -> str:
    # Every text that may carry names, sources or paths from the inputs is escaped (escape.markdown_text):
    # a '<script>' or '[x](y)' in a name is shown as written, never run or linked.
    md = markdown_text
    lines = [f"# {md(model['title'])}", "", f"**{md(model['headline'])}**", ""]
    for text in model["sentences"][1:]:
        lines += [md(text), ""]
    for heading, text, rows, columns in sections(model):
        lines += [f"## {md(heading)}", ""]
        if text:
            lines += [md(text), ""]
        if rows:
            lines += _markdown_table(rows, columns) + [""]
    lines += ["## Notes", ""] + [f"- {md(note)}" for note in model["method"]] + [f"- {PICTURE_NOTE}"]
    lines += [f"- {md(_provenance(model))}", ""]
    return "\n".join(lines)


def _markdown_table(rows, columns) -> list[str]:
    present, cells = display_table(rows, columns)
    escape = markdown_text
    out = ["| " + " | ".join(header for _, header, _ in present) + " |",
           "|" + "|".join("---" if kind == "text" else "---:" for _, _, kind in present) + "|"]
    return out + ["| " + " | ".join(escape(c) for c in row) + " |" for row in cells]


def _provenance(model: dict) -> str:
    roles = {"districts": "districts", "control": "control log", "actors": "actors"}
    inputs = ", ".join(f"{v} ({roles[k]})" for k, v in model["inputs"].items() if v)
    stamp = f", {model['generated_at']}" if model["generated_at"] else ""
    return f"Inputs: {inputs}. Made by {model['generated_by']}{stamp}."


# ----------------------------------------------------------------------------------------------- json


def render_json(model: dict) -> str:
    return json.dumps(model, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# ----------------------------------------------------------------------------------------------- html

CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #222; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.8rem; margin: 0 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.headline { font-size: 1.2rem; font-weight: 600; background: #f4f6f8; border-left: 4px solid #4a6a8a; padding: 0.75rem 1rem; margin: 0 0 1rem; }
figure { margin: 1.5rem 0; break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; margin-top: 0.3rem; }
figure.picture { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: flex-start; }
figure.picture img { flex: 1 1 22rem; min-width: 0; max-width: 34rem; }
figure.picture figcaption { flex: 1 1 100%; }
.legend { flex: 1 1 14rem; font-size: 0.9rem; line-height: 1.35; }
.legend p { margin: 0 0 0.4rem; font-weight: 600; }
.legend ul { list-style: none; margin: 0; padding: 0; }
.legend li { display: flex; gap: 0.5rem; margin: 0 0 0.45rem; }
.legend .key { flex: none; width: 1.1rem; height: 0.8rem; margin-top: 0.2rem; border: 1px solid #999; box-sizing: border-box; }
.legend .name { font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.text { overflow-wrap: break-word; }
td.date { white-space: nowrap; }
td.source { overflow-wrap: anywhere; font-size: 0.8rem; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em; border: 1px solid #999; vertical-align: -0.05em; }
footer { margin-top: 2.5rem; font-size: 0.85rem; color: #555; }
.table { overflow-x: auto; max-width: 100%; }
@media (max-width: 520px) {
  main { padding: 1rem 0.75rem 2rem; }
  h1 { font-size: 1.4rem; }
  .headline { font-size: 1.05rem; padding: 0.6rem 0.75rem; }
  table { font-size: 0.8rem; }
  th, td { padding: 0.25rem 0.35rem; }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .headline { background: none; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  figure img { border: none; }
}
"""
# No network, even if someone later adds a remote image or script: the browser refuses to fetch it.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def render_html(model: dict, pictures: dict[str, dict] | None = None, colours: dict[str, str] | None = None,
                interactive: dict | None = None) -> str:
    """One self-contained page; `pictures` as report.pictures gives them, `colours` actor -> '#rrggbb',
    `interactive` the interactive map's pieces (webmap.parts, embedded) to place under the static map."""
    e = html.escape
    body = [f"<h1>{e(model['title'])}</h1>", f'<p class="headline">{e(model["headline"])}</p>']
    body += [f"<p>{e(text)}</p>" for text in model["sentences"][1:]]
    body += _html_figures(model, pictures or {}, interactive)
    for heading, text, rows, columns in sections(model):
        body.append(f"<h2>{e(heading)}</h2>")
        if text:
            body.append(f"<p>{e(text)}</p>")
        if rows:
            body.append(_html_table(rows, columns, colours or {}))
    notes = "".join(f"<li>{e(n)}</li>" for n in model["method"])
    body.append(f"<footer><h2>Notes</h2><ul>{notes}</ul><p>{e(_provenance(model))}</p></footer>")
    policy, style = CSP, CSS
    if interactive:  # the map's two scripts may run (by hash: nothing else can); still nothing is fetched
        from .webmap import csp

        policy, style = csp(interactive["hashes"]), CSS + INTERACTIVE_CSS + interactive["css"]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(model['title'])} · conflictmap report</title>", f"<style>{style}</style>", "</head>",
        "<body><main>", *body, "</main></body>", "</html>", "",
    ])


def _html_figures(model: dict, pictures: dict[str, dict], interactive: dict | None = None) -> list[str]:
    captions = {
        "map": ("Map of control on " + day_words(model["date"]),
                "Districts coloured by controller; split districts hatched in the colour of their second controller, "
                "contested cross-hatched." + (" The dashed line outlines the baseline." if model["baseline"] else "")),
        "timeline": ("Timeline chart of shares by districts", "Share of districts held by each actor at each date of the log"
                     + (", of the baseline universe." if model["baseline"] else ".")),
    }
    out = []
    for name in ("map", "timeline"):
        if name in pictures:
            picture = pictures[name]
            data = base64.b64encode(picture["svg"]).decode("ascii")
            alt, caption = captions[name]
            out.append(f'<figure class="picture {name}"><img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">'
                       f'{html_legend(picture["legend"], picture["legend_title"])}'
                       f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        if name == "map" and interactive:
            from .webmap import embed

            out.append(f'<section class="interactive">{embed(interactive)}<p class="caption">{html.escape(INTERACTIVE_NOTE)}</p></section>')
    return out


INTERACTIVE_NOTE = ("Interactive map: move the slider or press play to see each date of the log; hover a district for "
                    "its controller(s), date in force, source and confidence. On paper, and where scripts do not run, the static map "
                    "takes its place.")
# With scripts, the interactive map replaces the static one on screen; without (a mail client), the static one stays;
# on paper the static one is printed.
INTERACTIVE_CSS = """
.js figure.picture.map { display: none; }
html:not(.js) .interactive { display: none; }
.interactive .caption { font-size: 0.85rem; color: #555; margin-top: 0.3rem; }
@media print { .interactive { display: none; } .js figure.picture.map { display: flex; } }
"""


def interactive_parts(ds: Dataset, date: dt.date, baseline: Baseline | None = None) -> dict:
    """The interactive map (webmap.parts) for the report: in a box of the page, opening at the report's date."""
    from .webmap import parts

    title = f"Control by district, {ds.first_date} to {ds.last_date}"
    return parts(ds, title, baseline, start=date, embedded=True)


def html_legend(entries: list[dict], title: str) -> str:
    """A picture's legend as HTML text (plots.legend_entries): a swatch and the escaped label per entry.

    Beside the picture on a wide screen, under it on a phone, at the page's own type size: text inside
    a picture scaled to 400 px would be 4 px high.
    """
    e = html.escape
    rows = []
    for entry in entries:
        if entry["actor"]:  # the name (wrapped by the picture's legend, one line here), then the figures
            lines = str(entry["label"]).split("\n")
            text = f'<span class="name">{e(lines[0])}</span>' + "".join(f"<br>{e(line)}" for line in lines[1:])
        else:  # a note: its line breaks were for the picture's narrow column
            text = e(" ".join(str(entry["label"]).split()))
        rows.append(f'<li><span class="key" style="{_swatch_style(entry)}"></span><span>{text}</span></li>')
    return f'<div class="legend"><p>{e(title)}</p><ul>' + "".join(rows) + "</ul></div>"


HATCHES = {  # matplotlib hatch -> CSS background drawing the same pattern in the edge colour
    "xxx": "repeating-linear-gradient(45deg, {edge} 0 1px, transparent 1px 4px), "
           "repeating-linear-gradient(-45deg, {edge} 0 1px, transparent 1px 4px), {face}",
    "////": "repeating-linear-gradient(-45deg, {edge} 0 1.5px, {face} 1.5px 4.5px)",
    "...": "radial-gradient({edge} 0.8px, transparent 1.2px) 0 0 / 4px 4px, {face}",
}


def _swatch_style(entry: dict) -> str:
    """Inline CSS of a legend key; colours are '#rrggbb' from matplotlib's to_hex, never text from a file."""
    face, edge = entry["face"] or "transparent", entry["edge"] or "transparent"
    if entry["line"]:
        return f"height: 0; border: 0; border-top: 2.5px dashed {edge}; margin-top: 0.6em"
    if not entry["face"] and not entry["edge"]:
        return "visibility: hidden"  # a note (the initial holder's districts): text alone
    pattern = HATCHES.get(entry["hatch"])
    background = pattern.format(edge=edge, face=face) if pattern else face
    return f"background: {background}; border-color: {edge if not pattern else '#999999'}"


def _html_table(rows, columns, colours) -> str:
    e = html.escape
    present, cells = display_table(rows, columns)
    # Long source addresses may break anywhere; words and dates do not.
    classes = ["num" if kind != "text" else key if key in ("date", "source") else "text" for key, _, kind in present]
    head = "".join(f'<th class="{c}">{e(header)}</th>' for c, (_, header, _) in zip(classes, present))
    lines = []
    for row, cell_row in zip(rows, cells):
        tds = []
        for (key, _, _), c, text in zip(present, classes, cell_row):
            swatch = ""
            if key == "actor" and row.get("actor") in colours:
                swatch = f'<span class="swatch" style="background:{e(colours[row["actor"]])}"></span>'
            tds.append(f'<td class="{c}">{swatch}{e(text)}</td>')
        lines.append("<tr>" + "".join(tds) + "</tr>")
    # In a box of its own: a wide table scrolls sideways on a phone instead of widening the page.
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>' + "".join(lines) + "</tbody></table></div>"


# ------------------------------------------------------------------------------------------- pictures


def pictures(ds: Dataset, date: dt.date, baseline: Baseline | None = None) -> dict[str, dict]:
    """The map and the timeline chart (shares by districts, up to the report's date): each as SVG bytes
    drawn bare (no legend, title or footer inside: at a phone's width those would be unreadably small) and
    its legend as data ('legend', 'legend_title'), which the page writes as text beside the picture."""
    from .plots import _legend_title, legend_entries, map_picture, timeline_picture
    from .timeline import timeline

    start = min(ds.first_date, date)
    table = timeline(ds, start, date, None, baseline)
    fig, handles = map_picture(ds, date, baseline, bare=True)
    chart, chart_handles, chart_title = timeline_picture(ds, table, "districts", baseline, bare=True)
    return {"map": {"svg": _svg(fig), "legend": legend_entries(handles), "legend_title": _legend_title(ds)},
            "timeline": {"svg": _svg(chart), "legend": legend_entries(chart_handles), "legend_title": chart_title}}


def _svg(fig) -> bytes:
    """The figure as SVG bytes, with no date and fixed ids (as plots.save writes files: same data, same bytes)."""
    import matplotlib

    buffer = io.BytesIO()
    literal_text(fig)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "conflictmap"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    return buffer.getvalue()


def colours_of(ds: Dataset, model: dict) -> dict[str, str]:
    from .plots import actor_colours

    actors = [r["actor"] for r in model["shares"]] + [r["actor"] for r in (model["baseline"] or {}).get("shares", [])]
    return actor_colours(ds, list(dict.fromkeys(actors)))


# ---------------------------------------------------------------------------------------------- entry


def make_report(ds: Dataset, fmt: str, date=None, since=None, baseline: Baseline | None = None, generated_at=None,
                interactive: bool = False) -> str:
    """The report as text in `fmt` (md, html or json); `interactive` adds the interactive map to HTML."""
    if interactive and fmt != "html":
        raise UsageError(f"--interactive puts the interactive map in an HTML report; {fmt} has no place for it")
    model = report_model(ds, date, since, baseline, generated_at)
    if fmt == "json":
        return render_json(model)
    if fmt == "md":
        return render_markdown(model)
    day = dt.date.fromisoformat(model["date"])
    live = interactive_parts(ds, day, baseline) if interactive else None
    return render_html(model, pictures(ds, day, baseline), colours_of(ds, model), live)


def write_report(ds: Dataset, path, fmt: str | None = None, **options) -> None:
    """Write the report atomically to `path` (format from its suffix unless given); never over an input."""
    fmt = report_format(path, fmt)
    check_not_input(path, ds.inputs.paths())
    write_bytes_atomic(path, make_report(ds, fmt, **options).encode("utf-8"))
