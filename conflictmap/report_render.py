"""The report rendered: its tables, Markdown, JSON and the self-contained HTML page with its pictures.

Everything here turns report.report_model()'s dict into text; the figures and the sentences are made in
report.py. Anything from the data is escaped for the format it goes into (conflictmap.escape).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json

from . import text as show
from .baseline import Baseline
from .dataset import Dataset
from .escape import markdown_text
from .plots import literal_text
from .report import PICTURE_NOTE, _change_area_sentences, _change_sentences, displayed, the
from .text import area, count, day_words

__all__ = [
    "render_markdown",
    "render_json",
    "render_html",
    "pictures",
    "interactive_parts",
    "html_legend",
    "display_table",
    "sections",
]

# --------------------------------------------------------------------------------------------- tables

SHARE_COLUMNS = (
    ("actor", "actor", "text"),
    ("districts", "districts", "count"),
    ("districts_pct", "% of districts", "pct"),
    ("area_km2", "km²", "km2"),
    ("area_pct", "% of area", "pct"),
    ("population", "population", "people"),
    ("population_pct", "% of population", "pct"),
)
CHANGE_COLUMNS = (
    ("date", "date", "text"),
    ("id", "id", "text"),
    ("name", "name", "text"),
    ("from", "from", "text"),
    ("to", "to", "text"),
    ("area_km2", "km²", "km2"),
    ("population", "population", "people"),
    ("source", "source", "text"),
)
GAIN_COLUMNS = (
    ("actor", "actor", "text"),
    ("gained_districts", "gained", "count"),
    ("lost_districts", "lost", "count"),
    ("net_districts", "net", "signed"),
    ("gained_area_km2", "gained km²", "km2"),
    ("lost_area_km2", "lost km²", "km2"),
    ("net_area_km2", "net km²", "signed_km2"),
    ("net_area_km2_per_day", "net km²/day", "signed_km2"),
    ("gained_population", "gained population", "people"),
    ("lost_population", "lost population", "people"),
    ("net_population", "net population", "signed_people"),
)
# A report column's kind -> (conflictmap.text kind, signed): the report's tables show figures as the CLI's
# markdown tables do, one number format per column.
DISPLAY = {
    "count": ("count", False),
    "pct": ("pct", False),
    "km2": ("km", False),
    "people": ("people", False),
    "signed": ("count", True),
    "signed_km2": ("km", True),
    "signed_people": ("people", True),
}


def _flat(value) -> str:
    return " ".join(str(value).split())


def display_table(rows: list[dict], columns, flat=_flat) -> tuple[list[tuple], list[list[str]]]:
    """The (key, header, kind) of the columns the rows carry, and the rounded cells (`flat` shows a text)."""
    present = [c for c in columns if rows and c[0] in rows[0] and any(r.get(c[0]) is not None for r in rows)]
    texts = [
        [flat(r.get(key)) if r.get(key) is not None else "" for r in rows]
        if kind == "text"
        else show.column_texts([r.get(key) for r in rows], *DISPLAY[kind][:1], flat=flat, sign=DISPLAY[kind][1])
        for key, _, kind in present
    ]
    return present, [list(row) for row in zip(*texts)] if present else [[] for _ in rows]


def sections(model: dict) -> list[tuple[str, str, list[dict], tuple]]:
    """(heading, text above the table, rows, columns) for each table of the report."""
    when = day_words(model["date"])
    fractional = model.get("fractional")
    shares_cols, change_cols, gain_cols = (
        (_equivalents(c) for c in (SHARE_COLUMNS, CHANGE_COLUMNS, GAIN_COLUMNS))
        if fractional
        else (SHARE_COLUMNS, CHANGE_COLUMNS, GAIN_COLUMNS)
    )
    out = [(f"Who holds what on {when}", EQUIVALENTS_NOTE if fractional else "", model["shares"], shares_cols)]
    b = model["baseline"]
    if b:
        u = b["universe"]
        size = f"{area(u['area_km2'])}" if fractional else f"{count(u['districts'])} districts, {area(u['area_km2'])}"
        out.append(
            (
                f"What {the(b['actor'])} held on {day_words(b['date'])}: who holds it on {when}",
                f"The universe: {size}, held by {the(b['actor'])} on {day_words(b['date'])}.",
                b["shares"],
                shares_cols,
            )
        )
    if model["since"]:
        shown = displayed(model)
        change_text = (_change_area_sentences if fractional else _change_sentences)(shown)[0]
        out.append((f"Changes since {day_words(model['since'])}", change_text, model["changes"], change_cols))
        if model["changes"] or (fractional and model.get("moved")):
            out.append(
                (
                    "Gains and losses",
                    "Split districts count by share; net = holding on "
                    f"{when} minus holding on {day_words(model['since'])}.",
                    model["gains_losses"],
                    gain_cols,
                )
            )
    return out


EQUIVALENTS_NOTE = (
    "The log holds shares (e.g. from zones): a district split between actors counts by share, "
    "so district counts are district-equivalents; km² are the figure to read."
)


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
    """The report as Markdown: the sentences, the tables and the notes (pictures only in HTML)."""
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
    present, cells = display_table(rows, columns, flat=str)  # markdown_text shows a line break as <br>, as -f markdown
    escape = markdown_text
    out = [
        "| " + " | ".join(header for _, header, _ in present) + " |",
        "|" + "|".join("---" if kind == "text" else "---:" for _, _, kind in present) + "|",
    ]
    return out + ["| " + " | ".join(escape(c) for c in row) + " |" for row in cells]


def _provenance(model: dict) -> str:
    roles = {"districts": "districts", "control": "control log", "actors": "actors", "land": "land mask"}
    inputs = ", ".join(f"{v} ({roles[k]})" for k, v in model["inputs"].items() if v)
    stamp = f", {model['generated_at']}" if model["generated_at"] else ""
    return f"Inputs: {inputs}. Made by {model['generated_by']}{stamp}."


# ----------------------------------------------------------------------------------------------- json


def render_json(model: dict) -> str:
    """The report model as JSON: every figure unrounded, keys in the model's fixed order."""
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


def render_html(
    model: dict,
    pictures: dict[str, dict] | None = None,
    colours: dict[str, str] | None = None,
    interactive: dict | None = None,
) -> str:
    """One self-contained page; `pictures` as report_render.pictures gives them, `colours` actor -> '#rrggbb',
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
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(model['title'])} · conflictmap report</title>",
            f"<style>{style}</style>",
            "</head>",
            "<body><main>",
            *body,
            "</main></body>",
            "</html>",
            "",
        ]
    )


def _html_figures(model: dict, pictures: dict[str, dict], interactive: dict | None = None) -> list[str]:
    measure = "area" if model.get("fractional") else "districts"  # as pictures() draws the chart
    captions = {
        "map": (
            "Map of control on " + day_words(model["date"]),
            "Districts coloured by controller; split districts hatched in the colour of their second controller, "
            "contested cross-hatched." + (" The dashed line outlines the baseline." if model["baseline"] else ""),
        ),
        "timeline": (
            f"Timeline chart of shares by {measure}",
            f"Share of {'the area' if model.get('fractional') else 'districts'} held by each actor at each date of the log"
            + (", of the baseline universe." if model["baseline"] else "."),
        ),
    }
    out = []
    for name in ("map", "timeline"):
        if name in pictures:
            picture = pictures[name]
            data = base64.b64encode(picture["svg"]).decode("ascii")
            alt, caption = captions[name]
            out.append(
                f'<figure class="picture {name}"><img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">'
                f"{html_legend(picture['legend'], picture['legend_title'])}"
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
        if name == "map" and interactive:
            from .webmap import embed

            out.append(
                f'<section class="interactive">{embed(interactive)}<p class="caption">{html.escape(INTERACTIVE_NOTE)}</p></section>'
            )
    return out


INTERACTIVE_NOTE = (
    "Interactive map: move the slider or press play to see each date of the log; hover a district for "
    "its controller(s), date in force, source and confidence. On paper, and where scripts do not run, the static map "
    "takes its place."
)
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
    return (
        f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>' + "".join(lines) + "</tbody></table></div>"
    )


# ------------------------------------------------------------------------------------------- pictures


def pictures(ds: Dataset, date: dt.date, baseline: Baseline | None = None) -> dict[str, dict]:
    """The map and the timeline chart (shares up to the report's date): each as SVG bytes drawn bare (no
    legend, title or footer inside: at a phone's width those would be unreadably small) and its legend as
    data ('legend', 'legend_title'), which the page writes as text beside the picture.

    The chart is by area for a log of measured shares (an overlay's), as the headline then leads with
    km² (changes.is_fractional decides both), else by districts.
    """
    from .changes import is_fractional
    from .plots import _legend_title, legend_entries, map_picture, timeline_picture
    from .timeline import timeline

    start = min(ds.first_date, date)
    table = timeline(ds, start, date, None, baseline)
    fig, handles = map_picture(ds, date, baseline, bare=True)
    by = "area_km2" if is_fractional(ds) else "districts"
    chart, chart_handles, chart_title = timeline_picture(ds, table, by, baseline, bare=True)
    return {
        "map": {"svg": _svg(fig), "legend": legend_entries(handles), "legend_title": _legend_title(ds)},
        "timeline": {"svg": _svg(chart), "legend": legend_entries(chart_handles), "legend_title": chart_title},
    }


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
