"""An interactive map in one HTML file that opens with no network: a date slider over every date of the log.

Leaflet (vendored in ``_vendor/leaflet``, BSD-2) and the data are inlined. The
data is what the other commands compute, not a second implementation: per
date, each district's state comes from ``figures.state_on`` (its label from
``figures.controller_labels``, as ``status`` prints it; its colour from
``frontline.main_holder``, as the static map draws it, hatched in the second
holder's colour when that one holds at least 5%), and the legend's shares from
``figures.shares``. Distinct states are stored once and referenced by index, and
coordinates are rounded to 5 decimals (about 1 m), so the sample's page stays
well under 1 MB.

Names, controller labels and sources show their control characters as tables do
(escape.visible_text: a bidi override U+202E as ``\u202e``, not a reversed tooltip).
Everything from the input data (names, sources, actors) reaches the page only as
JSON inside a ``<script type="application/json">`` with ``<``, ``>`` and ``&``
escaped, and is written into the page by ``textContent`` or an escaping
function, never as markup. The Content-Security-Policy fetches nothing and
lets only the page's own two scripts run, named by their SHA-256: an inline
script that got into the page any other way would not run.

The same pieces (``parts``) go into the HTML report (``report --interactive``):
the map in a box of the page, opening at the report's date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import shapely

from .dataset import Dataset
from .districts import other_name_columns
from .escape import visible_text
from .baseline import Baseline
from .figures import controller_labels, shares, state_on
from .frontline import main_holder
from .model import UNKNOWN

__all__ = ["page", "parts", "page_data", "opens_on"]

VENDOR = Path(__file__).resolve().parent / "_vendor" / "leaflet"
SECOND_MIN = 0.05  # as the static map: a second holder under 5% is a sliver, not a split worth hatching
DECIMALS = 5  # about 1.1 m at the equator: finer than any district boundary drawn on a screen


def page_data(ds: Dataset, baseline: Baseline | None = None, start: dt.date | None = None) -> dict:
    """Dates, actors, districts (GeoJSON), per-date states and shares, and the baseline outline.

    The dates are the log's; a `start` before the log's first date is a date of its own, first (every
    district as before its first row), so that a map asked for that date shows that date's state.
    """
    from .plots import legend_order

    dates = ds.dates or [None]
    if start is not None and ds.first_date is not None and start < ds.first_date:
        dates = [start, *dates]
    actors = list(shares(ds, dates[-1])["actor"])
    index = {a: i for i, a in enumerate(actors)}
    table: dict[tuple, int] = {}
    states, legends = [], []
    for day in dates:
        states.append([table.setdefault(key, len(table)) for key in _district_states(ds, day, index)])
        rows = shares(ds, day).set_index("actor", drop=False)
        legends.append(  # every row, in the static map's legend order
            [
                [index[r["actor"]], r["districts"], r["districts_pct"], r["area_km2"], r["area_pct"]]
                for r in rows.loc[legend_order(rows)].to_dict("records")
            ]
        )
    return {
        "dates": [d.isoformat() if d else "" for d in dates],
        "actors": [{"name": a} for a in actors],
        "districts": _features(ds),
        "states": states,
        "table": [list(key) for key in table],
        "legends": legends,
        "outline": _outline(ds, baseline),
        "outline_label": f"held by {baseline.label} on {baseline.date.isoformat()} (majority holder)"
        if baseline
        else "",
        "initial": ds.initial,
    }


def _district_states(ds: Dataset, day, index: dict) -> list[tuple]:
    """Per district: (main holder, second holder or -1, label, date in force, source, confidence)."""
    state = state_on(ds, day)
    n = len(ds.districts)
    holder, _, other = main_holder(state, n, second=True, second_min=SECOND_MIN)
    labels = controller_labels(state).reindex(range(n)).to_numpy(dtype=object)
    first = state.drop_duplicates("idx").set_index("idx").reindex(range(n))
    since = [d.date().isoformat() if isinstance(d, dt.datetime) and d == d else "" for d in first["date"]]
    sources = (
        state.groupby("idx")["source"].agg(lambda s: "; ".join(dict.fromkeys(x for x in s if x))).reindex(range(n))
    )
    confidence = (
        state.groupby("idx")["confidence"].agg(lambda s: "; ".join(dict.fromkeys(x for x in s if x))).reindex(range(n))
    )
    return [
        (
            index.get(h, index.get(UNKNOWN)),
            index[o] if o is not None and o in index else -1,
            visible_text(lab),
            s,
            visible_text(src),
            visible_text(c),
        )
        for h, o, lab, s, src, c in zip(holder, other, labels, since, sources.fillna(""), confidence.fillna(""))
    ]


def _features(ds: Dataset) -> dict:
    geoms = shapely.transform(np.asarray(ds.districts.geometry.values), lambda xy: np.round(xy, DECIMALS))
    others = _other_names(ds)
    # A district with no land inside a --land mask has no geometry: it stays in the data, undrawn.
    features = [
        {
            "type": "Feature",
            "properties": {"i": i, "id": str(did), "name": visible_text(name), "other": other},
            "geometry": json.loads(shapely.to_geojson(g)) if g is not None and not g.is_empty else None,
        }
        for i, (did, name, g, other) in enumerate(zip(ds.districts["id"], ds.districts["name"], geoms, others))
    ]
    return {"type": "FeatureCollection", "features": features}


def _other_names(ds: Dataset) -> list[list[str]]:
    """Each district's names in its other name fields (name_ar, ...), distinct and not its name, for the tooltip
    (control characters shown as in tables: escape.visible_text)."""
    columns = list(other_name_columns(ds.districts, ds.fields, set()).values())
    return [
        [visible_text(n) for n in dict.fromkeys(str(v) for v in values if v) if n != str(name)]
        for name, *values in zip(ds.districts["name"], *columns)
    ]


def _outline(ds: Dataset, baseline: Baseline | None):
    """The area the baseline actor held on D0: districts where one of its members was the majority holder."""
    if baseline is None or not baseline.members:
        return None
    holder, _ = main_holder(state_on(ds, baseline.date), len(ds.districts))
    held = np.isin(holder.astype(str), list(baseline.members))
    if not held.any():
        return None
    from .plots import held_area

    union = held_area(ds, held)  # as the static map draws it: the seams between neighbours closed
    return json.loads(shapely.to_geojson(shapely.transform(union, lambda xy: np.round(xy, DECIMALS))))


def _script_json(data: dict) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can close the element or start markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def parts(
    ds: Dataset,
    title: str,
    baseline: Baseline | None = None,
    start: dt.date | None = None,
    embedded: bool = False,
    notes: tuple[str, ...] = (),
) -> dict:
    """The map's pieces for a page: 'css', 'markup', 'scripts' (Leaflet and the app, to run in that order),
    'data' (the JSON of page_data, safe inside <script>) and 'hashes' (CSP sources of the two scripts).

    `start`: the date the map opens at (default the last; #date=YYYY-MM-DD in the address wins): the
    latest date of the log on or before it, whose state is the state on `start`;
    `embedded`: a box inside a longer page (the report) rather than the whole window, and the mouse wheel
    scrolls the page instead of zooming the map; `notes`: lines of text under the legend (a source
    credit, which rows were counted), written as text, never markup.
    """
    from matplotlib.colors import to_hex

    from .plots import actor_colours

    data = page_data(ds, baseline, start)
    colours = actor_colours(ds, [a["name"] for a in data["actors"]])
    for actor in data["actors"]:
        actor["colour"] = to_hex(colours[actor["name"]])
    data["title"] = title
    data["start"] = _start_index(data["dates"], start)
    data["embedded"] = embedded
    data["notes"] = [str(n) for n in notes if n]
    leaflet_js = (VENDOR / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    scripts = [leaflet_js, APP_JS]
    return {
        "css": (VENDOR / "leaflet.css").read_text(encoding="utf-8") + APP_CSS + (EMBED_CSS if embedded else PAGE_CSS),
        "markup": MARKUP,
        "scripts": scripts,
        "data": _script_json(data),
        "hashes": [script_hash(text) for text in scripts],
    }


def page(
    ds: Dataset,
    title: str,
    baseline: Baseline | None = None,
    start: dt.date | None = None,
    notes: tuple[str, ...] = (),
) -> str:
    """The HTML text of the interactive map (see the module docstring; `start` and `notes` as in parts)."""
    bits = parts(ds, title, baseline, start, notes=notes)
    return PAGE.format(
        csp=csp(bits["hashes"]),
        css=bits["css"],
        markup=bits["markup"],
        data=bits["data"],
        scripts="".join(f"<script>{text}</script>" for text in bits["scripts"]),
    )


def embed(bits: dict) -> str:
    """The map's markup, data and scripts for the body of another page (whose head holds bits['css'] and
    a CSP allowing bits['hashes'])."""
    return (
        bits["markup"]
        + f'<script id="data" type="application/json">{bits["data"]}</script>'
        + "".join(f"<script>{text}</script>" for text in bits["scripts"])
    )


def script_hash(text: str) -> str:
    """The CSP source of one inline script: only scripts with these exact bytes may run."""
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def csp(hashes: list[str], images: str = "data:") -> str:
    """No network at all; only the page's own scripts (by hash, not any inline script) run."""
    return f"default-src 'none'; script-src {' '.join(hashes)}; style-src 'unsafe-inline'; img-src {images}"


def opens_on(ds: Dataset, start: dt.date | None) -> dt.date | None:
    """The date the page shows first for `start` (parts): the latest date of the log on or before it, or
    `start` itself before the log's first date (a date of its own)."""
    if start is None or not ds.dates or start < ds.dates[0]:
        return start if start is not None else ds.last_date
    return max(d for d in ds.dates if d <= start)


def _start_index(dates: list[str], start: dt.date | None) -> int:
    """The index of the latest date on or before `start` (the state in force on it); the last without one."""
    if start is None:
        return len(dates) - 1
    return max([i for i, d in enumerate(dates) if d and d <= start.isoformat()] or [0])


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>conflictmap</title>
<style>{css}</style></head>
<body>{markup}
<script id="data" type="application/json">{data}</script>
{scripts}</body></html>
"""

# Scoped to #cmap: inside the report, the report's own classes (.swatch, .legend) keep their looks.
APP_CSS = """
#cmap { font: 14px/1.35 system-ui, sans-serif; color: #222; }
#cmap #map { background: #f4f4f1; }
#cmap #panel { overflow-y: auto; padding: 12px 14px; box-sizing: border-box; background: #fff; }
#cmap #title { font-size: 17px; font-weight: 700; margin: 0 0 8px; }
#cmap #controls { display: flex; align-items: center; gap: 8px; margin: 8px 0; }
#cmap #slider { flex: 1; min-width: 0; }
#cmap #date { font-weight: 600; font-variant-numeric: tabular-nums; }
#cmap .row { display: flex; gap: 8px; margin: 6px 0; align-items: flex-start; }
#cmap .swatch { display: block; width: 16px; height: 12px; flex: none; margin: 3px 0 0; border: 1px solid #0003; }
#cmap .figures { color: #555; font-size: 12px; font-variant-numeric: tabular-nums; }
#cmap .note { color: #666; font-size: 12px; margin-top: 10px; }
#cmap .note:empty { display: none; }
#cmap .leaflet-tooltip { white-space: normal; width: max-content; max-width: 22rem; overflow-wrap: anywhere; }
"""
PAGE_CSS = """
html, body { margin: 0; height: 100%; }
#cmap { position: absolute; inset: 0; }
#cmap #map { position: absolute; inset: 0 340px 0 0; }
#cmap #panel { position: absolute; top: 0; right: 0; bottom: 0; width: 340px; border-left: 1px solid #ddd; }
@media (max-width: 700px) { #cmap #map { inset: 0 0 45% 0; } #cmap #panel { top: 55%; width: 100%; border-left: 0; border-top: 1px solid #ddd; } }
"""
EMBED_CSS = """
#cmap { display: flex; flex-wrap: wrap; border: 1px solid #ddd; margin: 1rem 0; }
#cmap #map { flex: 1 1 24rem; height: 30rem; min-width: 0; }
#cmap #panel { flex: 1 1 16rem; max-height: 30rem; border-left: 1px solid #ddd; }
@media (max-width: 700px) { #cmap #map { height: min(60vh, 26rem); } #cmap #panel { max-height: none; border-left: 0; border-top: 1px solid #ddd; } }
"""
MARKUP = """<div id="cmap"><div id="map" role="img" aria-label="map of control by district"></div>
<div id="panel"><div id="title"></div>
<div id="controls"><button id="play" type="button" aria-label="play">&#9654;</button>
<input id="slider" type="range" min="0" value="0" aria-label="date"><span id="date"></span></div>
<div id="legend"></div><div id="outline" class="note"></div><div id="notes" class="note"></div>
<div class="note">Split districts are hatched in the colour of a second holder with at least 5%.
Hover a district for its controller(s), date in force, source and confidence.
Made with conflictmap; map library: Leaflet (BSD-2).</div></div></div>"""
APP_JS = """"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const NS = "http://www.w3.org/2000/svg";
const esc = s => String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const colour = i => D.actors[i].colour;
const fmt = (x, d) => Number(x).toLocaleString("en", {minimumFractionDigits: d, maximumFractionDigits: d});
document.getElementById("title").textContent = D.title;
if (!D.embedded) document.title = D.title;
document.documentElement.classList.add("js");  // a page holding a static map for readers without scripts hides it
// Inside a longer page the wheel scrolls the page; the + and - buttons zoom.
const map = L.map("map", {renderer: L.svg(), attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: !D.embedded});
let current = 0;
const layers = [];
const shapes = L.geoJSON(D.districts, {
  style: () => ({color: "#ffffff", weight: 0.8, fillOpacity: 1}),
  onEachFeature: (feature, layer) => {
    layers[feature.properties.i] = layer;
    layer.bindTooltip(() => tip(feature.properties), {sticky: true});
  },
}).addTo(map);
map.fitBounds(shapes.getBounds(), {padding: [10, 10]});
if (D.outline) {
  L.geoJSON(D.outline, {interactive: false, style: {color: "#111", weight: 2.2, dashArray: "6 4", fill: false}}).addTo(map);
  document.getElementById("outline").textContent = "Dashed outline: " + D.outline_label;
}
for (const line of D.notes) {
  const note = document.createElement("div"); note.textContent = line;
  document.getElementById("notes").appendChild(note);
}
const svg = map.getPanes().overlayPane.querySelector("svg");
const defs = document.createElementNS(NS, "defs");
svg.insertBefore(defs, svg.firstChild);
const made = new Set();
function hatch(a, b) {
  const id = "split-" + a + "-" + b;
  if (!made.has(id)) {
    made.add(id);
    const p = document.createElementNS(NS, "pattern");
    p.setAttribute("id", id); p.setAttribute("patternUnits", "userSpaceOnUse");
    p.setAttribute("width", "8"); p.setAttribute("height", "8"); p.setAttribute("patternTransform", "rotate(45)");
    const base = document.createElementNS(NS, "rect");
    base.setAttribute("width", "8"); base.setAttribute("height", "8"); base.setAttribute("fill", colour(a));
    const stripe = document.createElementNS(NS, "rect");
    stripe.setAttribute("width", "3"); stripe.setAttribute("height", "8"); stripe.setAttribute("fill", colour(b));
    p.appendChild(base); p.appendChild(stripe); defs.appendChild(p);
  }
  return "url(#" + id + ")";
}
function tip(props) {
  const s = D.table[D.states[current][props.i]];
  const rows = [["controller", s[2]], ["in force since", s[3] || "before the log (" + D.initial + ")"],
                ["source", s[4]], ["confidence", s[5]]].filter(r => r[1]);
  // <bdi>: an Arabic name beside Latin text keeps its own direction and leaves the rest's order alone.
  const names = [props.name, ...props.other].map(n => "<bdi>" + esc(n) + "</bdi>");
  return "<b>" + names[0] + "</b>" + names.slice(1).map(n => "<br>" + n).join("") +
    rows.map(r => "<br>" + esc(r[0]) + ": " + esc(r[1])).join("");
}
function show(k) {
  current = k;
  const states = D.states[k];
  layers.forEach((layer, i) => {
    const s = D.table[states[i]];
    const path = layer.getElement();
    const name = D.actors[s[0]].name;
    path.setAttribute("fill", s[1] >= 0 && name !== "contested" ? hatch(s[0], s[1]) : colour(s[0]));
    path.setAttribute("data-id", layer.feature.properties.id);
    path.setAttribute("data-controller", name);
    path.setAttribute("data-label", s[2]);
  });
  document.getElementById("date").textContent = D.dates[k];
  document.getElementById("slider").value = k;
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  for (const [a, n, npct, km2, kpct] of D.legends[k]) {
    const row = document.createElement("div"); row.className = "row";
    const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = colour(a);
    const text = document.createElement("div");
    const title = document.createElement("div"); title.textContent = D.actors[a].name;
    const figures = document.createElement("div"); figures.className = "figures";
    figures.textContent = fmt(n, Number.isInteger(n) ? 0 : 2) + (n === 1 ? " district (" : " districts (") + fmt(npct, 1) + "%), " +
                          fmt(km2, 1) + " km\\u00b2 (" + fmt(kpct, 1) + "%)";
    text.appendChild(title); text.appendChild(figures); row.appendChild(sw); row.appendChild(text);
    row.setAttribute("data-actor", D.actors[a].name); row.setAttribute("data-districts", n);
    legend.appendChild(row);
  }
}
const slider = document.getElementById("slider");
slider.max = D.dates.length - 1;
slider.addEventListener("input", () => show(Number(slider.value)));
let timer = null;
document.getElementById("play").addEventListener("click", () => {
  if (timer) { clearInterval(timer); timer = null; return; }
  if (current >= D.dates.length - 1) show(0);
  timer = setInterval(() => {
    if (current >= D.dates.length - 1) { clearInterval(timer); timer = null; return; }
    show(current + 1);
  }, 700);
});
function fromHash() {
  const m = /date=(\\d{4}-\\d{2}-\\d{2})/.exec(location.hash);
  if (!m) return D.start;
  let k = 0;
  D.dates.forEach((d, i) => { if (d <= m[1]) k = i; });
  return k;
}
show(fromHash());
window.addEventListener("hashchange", () => show(fromHash()));
"""
