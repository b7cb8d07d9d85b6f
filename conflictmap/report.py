"""The report: headline sentences, the share and changes tables, as Markdown, HTML or JSON.

report_model() gathers the figures (unrounded) and the sentences into a plain
dict (this module); render_markdown / render_html / render_json turn it into
text (report_render). Numbers are
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

import datetime as dt
from pathlib import Path

from . import __version__
from .dataset import Dataset
from .errors import InputError, UsageError
from .io import check_not_input, output_format, text_of_path, write_bytes_atomic
from .tolerance import EXACT, STALE_DAYS
from .model import CONTESTED, UNKNOWN
from . import text as show
from .baseline import Baseline
from .text import area, count, day_words, percent, signed
from .values import plain_rows
from .land import on_land

__all__ = [
    "report_model",
    "sentences",
    "make_report",
    "write_report",
    "report_format",
    "previous_date",
    "date_in_force",
]

REPORT_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}
CATEGORIES = (CONTESTED, UNKNOWN)

METHOD = [
    "Areas are geodesic, on the WGS84 ellipsoid (km²), never in square degrees.",
    "A district split between actors counts by share: half a district, half its area and people.",
    "Contested and unknown are categories of their own: reported, never dropped or merged.",
]
BASELINE_NOTE = (
    "The baseline universe is what {actor} held on {date}, each district weighted by the share {actor} held then."
)
ZONE_GAP_NOTE = (
    "Zone area that lies in no district (land the districts do not reach, e.g. a coast drawn differently) "
    "is in no figure here; the overlay that made the log says how much."
)
PICTURE_NOTE = (
    "The map and the timeline chart are in the HTML report (`-o report.html`), "
    "or run `conflictmap map` and `conflictmap timeline --plot`."
)


# ---------------------------------------------------------------------------------------------- model


def report_format(path, given: str | None = None) -> str:
    """md, html or json: `given`, else from the file suffix; anything else is a usage error."""
    if given and given not in ("md", "html", "json"):
        raise UsageError(f"--format {given!r} is not a report format; give md, html or json")
    if str(path) == "-" and not given:
        raise UsageError(
            "-: unknown report format; name the file .md, .html or .json; with -o - give --format md, html or json"
        )
    # Markdown in report.html or report.csv would be opened by the wrong program: -f and the suffix must agree.
    return output_format(path, given, REPORT_SUFFIXES)


def previous_date(ds: Dataset, date: dt.date) -> dt.date | None:
    """The last date of the log before `date` (None when the log starts on or after it)."""
    earlier = [d for d in ds.dates if d < date]
    return earlier[-1] if earlier else None


def date_in_force(ds: Dataset, date: dt.date) -> dt.date | None:
    """The log's last date on or before `date`: the figures on `date` are its state then (None: before the log).

    Between two snapshots of zones it is the older one, however long ago: the log has no observation after it.
    """
    earlier = [d for d in ds.dates if d <= date]
    return earlier[-1] if earlier else None


def report_model(
    ds: Dataset,
    date: dt.date | None = None,
    since: dt.date | None = None,
    baseline: Baseline | None = None,
    generated_at: str | None = None,
) -> dict:
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
    in_force = date_in_force(ds, date)
    fractional = _fractional(ds)
    model = {
        "title": f"Control on {day_words(date)}",
        "date": date.isoformat(),
        "in_force": in_force.isoformat() if in_force else None,
        "since": since.isoformat() if since else None,
        "days_since": (date - since).days if since else None,
        "headline": "",
        "sentences": [],
        "totals": _totals(ds),
        "shares": plain_rows(shares(ds, date)),
        "baseline": _baseline(ds, date, baseline) if baseline else None,
        **_changes(ds, since, date),
        "fractional": fractional,
        "display": display_names(ds),
        "inputs": {
            k: text_of_path(Path(v).name) if v and v != "-" else v
            for k, v in (
                ("districts", ds.inputs.districts),
                ("control", ds.inputs.control),
                ("actors", ds.inputs.actors),
                ("land", ds.inputs.land),
            )
        },
        "method": METHOD
        + ([BASELINE_NOTE.format(actor=the(baseline.label), date=day_words(baseline.date))] if baseline else [])
        + ([ZONE_GAP_NOTE] if fractional else []),
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
    from .io import read_toml
    from .model import clean_label

    if not path:
        return {}
    data = read_toml(Path(path), InputError(f"{path}: actors file not found"), "")
    out = {}
    for name, spec in (data.get("actors") or {}).items():
        shown = spec.get("display") if isinstance(spec, dict) else None
        if shown is not None:
            if not isinstance(shown, str) or not shown.strip():
                raise InputError(f'{path} [actors.{name}] display: give a name in quotes, e.g. display = "Ukraine"')
            out[clean_label(name)] = shown.strip()
    return out


def displayed(model: dict) -> dict:
    """The model with actor names as displayed (for the sentences; the tables and JSON keep canonical names)."""
    names = model.get("display") or {}

    def rows(items):
        return [{**r, **{k: names.get(r[k], r[k]) for k in ("actor", "from", "to") if k in r}} for r in items]

    out = {
        **model,
        "shares": rows(model["shares"]),
        "gains_losses": rows(model["gains_losses"]),
        "moved": rows(model.get("moved") or []),
    }
    if model["baseline"]:
        b = model["baseline"]
        out["baseline"] = {
            **b,
            "shares": rows(b["shares"]),
            "actor": names.get(b["actor"], b["actor"]),
            "members": [names.get(m, m) for m in b["members"]],
        }
    return out


def _totals(ds: Dataset) -> dict:
    d = ds.districts
    population = float(d["population"].fillna(0).sum()) if ds.has_population else None
    return {"districts": int(len(d)), "area_km2": float(d["area_km2"].sum()), "population": population}


def _baseline(ds: Dataset, date, baseline: Baseline) -> dict:
    from .figures import shares

    rows = plain_rows(shares(ds, date, "districts", baseline))
    universe = {m: sum(r[m] for r in rows) for m in ("districts", "area_km2", "population") if m in rows[0]}
    return {
        "date": baseline.date.isoformat(),
        "actor": baseline.label,
        "members": list(baseline.members),
        "universe": universe,
        "shares": rows,
    }


def _changes(ds: Dataset, since, date) -> dict:
    """The districts that changed hands in (since, date] and the gains and losses per actor."""
    from .changes import changes, gains_losses

    from .changes import moved_area, transition_matrix

    if since is None:
        return {"changes": [], "gains_losses": [], "moved": []}
    matrix = transition_matrix(ds, since, date)
    return {
        "changes": plain_rows(changes(ds, since, date)),
        "gains_losses": plain_rows(gains_losses(ds, since, date, matrix)),
        "moved": plain_rows(moved_area(ds, since, date, matrix)),
    }


# ------------------------------------------------------------------------------------------ sentences


# Names ending in one of these are groups of people ("the government", "the kurdish forces");
# any other name is taken as a proper name and gets no article ("ukraine held", never "the ukraine").
GROUP_NOUNS = {
    "government",
    "regime",
    "rebels",
    "opposition",
    "army",
    "military",
    "militia",
    "militias",
    "forces",
    "troops",
    "insurgents",
    "coalition",
    "fighters",
    "groups",
    "separatists",
    "loyalists",
    "authorities",
    "police",
    "guard",
    "factions",
    "jihadists",
    "kurds",
}


def the(actor: str) -> str:
    """'the government' for a common noun, 'ukraine' or 'Hezbollah' for a proper name.

    contested and unknown are categories, not actors: no article.
    """
    if actor in CATEGORIES or not actor[:1].islower() or actor.split()[-1] not in GROUP_NOUNS:
        return actor
    if actor.startswith("the "):  # a display name with its article ("the Kurdish forces")
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
    clauses = [
        f"{the(r['actor'])}{' held' if i == 0 else ''} {_area_figures(r, population, i == 0)}"
        for i, r in enumerate(holders)
    ]
    others = []
    for r in categories:
        figures = _area_figures(r, population, not clauses and not others)
        others.append(f"{figures} {'was contested' if r['actor'] == CONTESTED else 'was of unknown control'}")
    text = ", ".join(clauses) + (("; " if clauses else "") + " and ".join(others) if others else "")
    districts = on_land(f"the {count(totals['districts'])} districts", _land(model))
    size = f"{area(totals['area_km2'])} of {districts}"
    return f"{_on(model)}, of the {size}, {text}."


def _change_area_sentences(model: dict) -> list[str]:
    """'Between D0 and D1 (n days), 304.6 km² moved between actors (...); no district changed hands.' and the net."""
    if model["since"] is None:
        return [f"The log has no date before {day_words(model['date'])}: there are no earlier changes to report."]
    span = f"between {day_words(model['since'])} and {day_words(model['date'])} ({_days(model['days_since'])})"
    moved = model.get("moved") or []
    if not moved:  # a log of zones has rows only where they changed: none in the span is no observation either
        since, in_force = model["since"], model.get("in_force")
        unseen = "; it has no date in between" if in_force and in_force <= since else ""
        return [f"The log records no change {span}{unseen}."]
    pairs = ", ".join(f"{the(r['from'])} to {the(r['to'])} {area(r['area_km2'])}" for r in moved)
    n = len(model["changes"])
    hands = (
        f"{n} district{'s' if n != 1 else ''} changed hands (the largest holder changed)"
        if n
        else "no district changed hands (no largest holder changed)"
    )
    total = area(sum(r["area_km2"] for r in moved))
    if model.get("fractional"):  # a district's shares say how much moved, not where: within it, gains net losses
        moves = f"at least {total} moved between actors ({pairs}; net within each district)"
    else:
        moves = f"{total} moved between actors ({pairs})"
    first = f"{_cap(span)}, {moves}; {hands}."
    nets = [r for r in model["gains_losses"] if abs(r["net_area_km2"]) > EXACT]
    if not nets:
        return [first, "Gains and losses cancel out: no actor's area grew or shrank."]
    return [
        first,
        "Net change: " + ", ".join(f"{the(r['actor'])} {signed(r['net_area_km2'], area)}" for r in nets) + ".",
    ]


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
        return [
            f"Of the {universe} that {the(label)} held on {then}, on {when} {the(label)} still held "
            f"{percent(kept['area_pct'])} ({area(kept['area_km2'])})."
        ]
    top = others[0]
    rest = [f"{the(label)} still held {percent(kept['area_pct'])} ({area(kept['area_km2'])})"]
    rest += [f"{the(r['actor'])} {percent(r['area_pct'])} ({area(r['area_km2'])})" for r in others[1:] + categories]
    return [
        f"On {when} {the(top['actor'])} held {percent(top['area_pct'])} of the area that {the(label)} held on {then} "
        f"({area(top['area_km2'])} of {universe}).",
        _cap(", ".join(rest)) + ".",
    ]


def _has_population(rows) -> bool:
    return bool(rows) and rows[0].get("population_pct") is not None


def _held(rows) -> tuple[list[dict], list[dict]]:
    """Actors holding something, in table order, and the contested/unknown rows holding something."""
    holders = [r for r in rows if r["actor"] not in CATEGORIES and r["districts"] > EXACT]
    categories = [r for c in CATEGORIES for r in rows if r["actor"] == c and r["districts"] > EXACT]
    return holders, categories


def _figures(row: dict, population: bool, full: bool) -> str:
    """'76.2% of the districts, 79.1% of the area' (full) or '19.0%, 14.6%'."""
    parts = [percent(row["districts_pct"]), percent(row["area_pct"])] + (
        [percent(row["population_pct"])] if population else []
    )
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
    land = _land(model)
    size = area(totals["area_km2"]) + (f" of land inside {land}" if land else "")
    size += f", {show.people(totals['population'])} people" if population else ""
    return f"{_on(model)}, of the {count(totals['districts'])} districts ({size}), {text}."


def _land(model: dict) -> str | None:
    """The land mask's file name (the districts' km² are their land inside it), or None."""
    return (model.get("inputs") or {}).get("land")


def _on(model: dict) -> str:
    """'On 31 July 2024', and, for a log of measured shares (snapshots), the log's date whose state it is when
    that is more than STALE_DAYS before: the log has no observation after it. (A log of events asserts its
    state until the next row, so the date alone is right.)"""
    when = f"On {day_words(model['date'])}"
    force = model.get("in_force")
    if (
        model.get("fractional")
        and force
        and (dt.date.fromisoformat(model["date"]) - dt.date.fromisoformat(force)).days > STALE_DAYS
    ):
        when += f" (as the log stood on {day_words(force)}, its last date by then)"
    return when


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
        return [
            f"Of the districts that {the(label)} held on {then}, on {when} {the(label)} still held "
            f"{percent(kept['districts_pct'])} ({_of_their(kept, population)})."
            + (f" {_cap(_rest(categories, population))}." if categories else "")
        ]
    top = others[0]
    headline = (
        f"On {when} {the(top['actor'])} held {percent(top['districts_pct'])} of the districts that "
        f"{the(label)} held on {then} ({_of_their(top, population)})."
    )
    return [headline, _cap(_rest_of_baseline(label, kept, others[1:], categories, population)) + "."]


def _rest_of_baseline(label, kept, others, categories, population) -> str:
    """'the rebels still held 34.3% (33.2% of the area), the kurdish forces 2.9% (2.9%); 2.9% (3.1%) was contested'."""
    kept_any = kept["districts"] > EXACT
    clauses = (
        [f"{the(label)} still held {percent(kept['districts_pct'])} ({_of_the(kept, population)})"] if kept_any else []
    )
    for r in others:
        first = not clauses
        clauses.append(
            f"{the(r['actor'])}{' held' if first else ''} {percent(r['districts_pct'])} ({_of_the(r, population, first)})"
        )
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


# ---------------------------------------------------------------------------------------------- entry


def make_report(
    ds: Dataset,
    fmt: str,
    date=None,
    since=None,
    baseline: Baseline | None = None,
    generated_at=None,
    interactive: bool = False,
) -> str:
    """The report as text in `fmt` (md, html or json); `interactive` adds the interactive map to HTML."""
    if interactive and fmt != "html":
        raise UsageError(f"--interactive puts the interactive map in an HTML report; {fmt} has no place for it")
    from .report_render import colours_of, interactive_parts, pictures, render_html, render_json, render_markdown

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
