#!/usr/bin/env python3
"""Build conflictmap's bundled Aleppo 2016 sample (data/aleppo-2016/).

Run from the repository root:

    python data/make_aleppo_sample.py [--source-dir ../shared/data/aleppo]

Inputs (read only, never copied into the repository):

* ``neighbourhoods-csr.geojson``: the Columbia Center for Spatial Research
  "Conflict Urbanism: Aleppo" neighbourhood polygons (MIT licence).  Only one
  approximate position per neighbourhood name is taken from it.
* ``control-changes-2016.csv``: a hand-collected public record of the
  November-December 2016 offensive (one row per reported change).

Outputs:

* ``data/aleppo-2016/districts.geojson``: SCHEMATIC districts, a Voronoi
  tessellation of the neighbourhood positions clipped to an outline built
  here (concave hull of the positions buffered by 600 m).  Not real
  boundaries; areas are indicative only.
* ``data/aleppo-2016/control.csv``: the control log (15 November 2016
  baseline snapshot, then the reported changes).

The output is deterministic: running the script twice gives identical bytes.
See data/README.md for the method, the sources and every judgment call.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

# --------------------------------------------------------------------------
# Parameters of the schematic geometry
# --------------------------------------------------------------------------
LOCAL_CRS = "EPSG:32637"  # UTM zone 37N, metres
POSITION_DECIMALS = 4  # ~10 m: positions are approximate on purpose
OUTPUT_DECIMALS = 6  # ~0.1 m grid for the written coordinates
HULL_RATIO = 0.3  # shapely.concave_hull ratio (0 = tight, 1 = convex)
OUTLINE_BUFFER_M = 600.0

BASELINE_DATE = "2016-11-15"
EVACUATION_DATE = "2016-12-22"
LAST_FIGHTING_DATE = "2016-12-12"

# --------------------------------------------------------------------------
# Baseline: who held each neighbourhood when the offensive began (15 Nov 2016)
# --------------------------------------------------------------------------
SRC_MAPS = (
    "front-line maps of mid-November 2016, e.g. "
    "https://en.wikipedia.org/wiki/Aleppo_offensive_(November%E2%80%93December_2016)"
)
SRC_CITADEL = "https://arabstoday.net/en/amp/997/before-and-after-aleppo-shows-271216101202"
SRC_SAKAN = "http://kurdwatch.ezks.org/?e3917"
SRC_AYN_AT_TAL = "http://www.syriahr.com/?p=160728"
SRC_SULEIMAN = "http://en.chinagate.cn/2016-11/28/content_39804217.htm"
SRC_HANANO_BARRACK = "http://thepeninsulaqatar.com/news/middle-east/280284/rebels-attack-army-barracks-in-aleppo"
SRC_OLD_CITY_SOUTH = (
    "http://www.akhbarak.net/news/2016/12/07/9879419/articles/23833361/"
    "%D8%AD%D9%84%D8%A8-%D8%AA%D8%AD%D8%AA-%D8%B3%D9%8A%D8%B7%D8%B1%D8%A9-%D8%A7%D9%84%D8%AC%D9%8A%D8%B4-%D8%A7%D9%84%D8%B3%D9%88%D8%B1%D9%8A"
)
SRC_LAST_ENCLAVE = "https://almanar.com.lb/1149575"

GOV, REB, KRD, CON = "government", "rebels", "kurdish forces", "contested"

# name -> (controller, confidence, note, source); source None = SRC_MAPS.
# confidence "map": clear-cut on the mid-November maps; "judgment": a call
# made for this sample (the note says why).
_J = "judgment"
BASELINE: dict[str, tuple[str, str, str, str | None]] = {
    # --- Kurdish-held (YPG) enclave in the north -------------------------
    "ash-Sheikh Maqsoud": (KRD, "map", "", None),
    "as-Sakan ash-Shababi": (KRD, _J, "judgment: YPG/SDF took as-Sakan ash-Shababi from rebels on 27 Jul 2016 (KurdWatch); assumed still YPG-held on 15 Nov", SRC_SAKAN),
    # --- government-held west, north-west and outskirts ------------------
    "al-Ashrafiyeh": (GOV, _J, "judgment: Kurdish-majority quarter beside Sheikh Maqsoud with YPG presence reported; mid-November maps show it on the government side", None),
    "al-Belleramoon": (GOV, "map", "Layramoun, taken by the army in July 2016", None),
    "Rasafeh": (GOV, "map", "", None),
    "al-Khaldiyeh": (GOV, "map", "", None),
    "Nile Street": (GOV, "map", "", None),
    "az-Zuhour": (GOV, "map", "", None),
    "Tareq Ben Ziad": (GOV, "map", "", None),
    "as-Sabil": (GOV, "map", "", None),
    "Andalus": (GOV, "map", "", None),
    "az-Zahra’": (GOV, "map", "", None),
    "ash-Shahba'": (GOV, "map", "", None),
    "University of Aleppo": (GOV, "map", "", None),
    "New Aleppo": (GOV, "map", "", None),
    "al-Furqan": (GOV, "map", "", None),
    "al-Ghazali": (GOV, "map", "", None),
    "ash-Shuhada’": (GOV, "map", "", None),
    "al-A'azamiyeh": (GOV, "map", "", None),
    "al-Hamdaniyeh I": (GOV, "map", "", None),
    "al-Hamdaniyeh II": (GOV, "map", "", None),
    "al-Hamdaniyeh III": (GOV, "map", "", None),
    "al-Hamdaniyeh IV": (GOV, "map", "", None),
    "al-Hamdaniyeh V": (GOV, "map", "", None),
    "Tishreen": (GOV, "map", "", None),
    "al-Muhafaza": (GOV, "map", "", None),
    "al-Kawakbi": (GOV, "map", "", None),
    "al-Feid": (GOV, "map", "", None),
    "al-Masharqa": (GOV, "map", "west side of the Bustan al-Qasr crossing", None),
    "al-Jamiliyeh": (GOV, "map", "", None),
    "Jamal Abd an-Naser Park": (GOV, "map", "", None),
    "The Public Park": (GOV, "map", "", None),
    "al-'Aziziyeh": (GOV, "map", "", None),
    "as-Siryan (Syriac Quarter)": (GOV, "map", "", None),
    "ash-Sheikh Taha": (GOV, "map", "", None),
    "al-’Ourubeh": (GOV, "map", "", None),
    "al-Suleimaniyeh": (GOV, "map", "", None),
    "al-Midan": (GOV, "map", "front-line quarter, government side", None),
    "Beit Muheb / Jdeydeh": (GOV, "map", "Jdeideh, government side of the Old City front", None),
    "al-Hamidiyeh": (GOV, "map", "", None),
    "al-Jabriyeh": (GOV, _J, "judgment: front-line unit between al-Midan and Jdeideh; assigned to the government side", None),
    "al-Hazzazeh": (GOV, _J, "judgment: small unit beside Jdeideh; assigned to the government side", None),
    "al-Almaji": (GOV, _J, "judgment: small front-line unit north of Bab al-Nasr beside Jdeideh; assigned to the government side", None),
    "Sheikh Abu Bakr": (GOV, _J, "judgment: front-line unit between al-Midan/Hanano barracks (government) and Suleiman al-Halabi (rebels); assigned to the government side", None),
    "Hanano Barrack": (GOV, _J, "judgment: the Hanano barracks were reported government-held when a rebel assault was repelled in April 2014; later control less clear; assigned to the government side", SRC_HANANO_BARRACK),
    "Maysaloon Cemetery": (GOV, _J, "judgment: Maysaloon was a front line beside the Hanano barracks; assigned to the government side", None),
    "Aleppo Citadel": (GOV, "map", "the Citadel garrison held out throughout, surrounded on three sides by rebel-held quarters", SRC_CITADEL),
    "Sheikh Najjar": (GOV, "map", "industrial city, government-held since 2014", None),
    "Aleppo International Airport": (GOV, "map", "", None),
    "an-Nayrab": (GOV, "map", "Nayrab air base area", None),
    "Jibreen": (GOV, "map", "", None),
    "Industrial Area Jibreen": (GOV, "map", "", None),
    "Ad-Ramouseh Industrial District I": (GOV, _J, "judgment: Ramouseh industrial area, retaken by the army in September 2016; borders rebel-held al-Amiriyeh", None),
    "Ad-Ramouseh Industrial District II": (GOV, _J, "judgment: Ramouseh industrial area, retaken by the army in September 2016; borders rebel-held al-Amiriyeh", None),
    "Ad-Ramouseh Industrial District III": (GOV, _J, "judgment: Ramouseh industrial area, retaken by the army in September 2016", None),
    "Ad-Ramouseh Industrial District IV": (GOV, _J, "judgment: Ramouseh industrial area, retaken by the army in September 2016", None),
    # --- rebel-held east Aleppo: northern part -----------------------------
    "Ayn at-Tal": (REB, _J, "judgment: front-line area between YPG-held Sheikh Maqsoud and rebel-held Hellok, fought over by rebels and YPG in 2016; assigned to the rebels", SRC_AYN_AT_TAL),
    "Trab al-Hellok": (REB, "map", "Hellok", None),
    "Bustan al-Basha": (REB, "map", "", None),
    "ash-Sheikh Fares": (REB, "map", "", None),
    "Sheikh Kheder": (REB, "map", "Sheikh Khodr", None),
    "Ba'aiedeen": (REB, "map", "", None),
    "al-Haydariyeh": (REB, "map", "", None),
    "Hanano": (REB, "map", "Masaken Hanano", None),
    "as-Sakhour": (REB, "map", "", None),
    "as-Sakhour I": (REB, "map", "", None),
    "Jabal Badro": (REB, "map", "", None),
    "Suleiman al-Halabi": (REB, _J, "judgment: divided front-line quarter; the rebels held its pumping station until late November; assigned to the rebels", SRC_SULEIMAN),
    "al-‘Arqoub": (REB, _J, "judgment: between Suleiman al-Halabi and as-Sakhour, inside the rebel-held north-east", None),
    "al-Helwaniyeh": (REB, "map", "", None),
    "al-Besel": (REB, _J, "judgment: CSR unit without an Arabic name between Jabal Badro, al-Helwaniyeh and al-Ma'asaraniyeh, inside the rebel-held east", None),
    "al-Ma'asaraniyeh Youth Housing": (REB, "map", "", None),
    "Karm aj-Jazmati": (REB, "map", "", None),
    "ash-Sha'ar": (REB, "map", "", None),
    "Jouret ‘Awwad": (REB, "map", "", None),
    "Dahret ‘Awwad": (REB, "map", "", None),
    "Karm aj-Jabal": (REB, "map", "", None),
    "Karm al-Qaterji": (REB, "map", "", None),
    "Karm al-Myassar": (REB, "map", "", None),
    "Karm Homad": (REB, "map", "", None),
    "Qadi Askar": (REB, "map", "", None),
    "ash-Sheikh Yusef Cemetery": (REB, "map", "", None),
    "Karazdada Cemetery": (REB, "map", "", None),
    "Qarleq": (REB, "map", "Bab al-Hadid area", None),
    "ad-Dallaleen": (REB, "map", "Bab al-Hadid area", None),
    "Tatarlar": (REB, "map", "Bab al-Hadid area", None),
    "Ibn Ya'aqoub": (REB, "map", "Bab al-Hadid area", None),
    "Aghyor": (REB, "map", "Aqyul", None),
    # --- the Old City (the Citadel itself was government-held) -----------
    "al-Farafra": (REB, _J, "judgment: divided Old City front-line quarter north-west of the Citadel; reported taken by the army on 7 Dec; assigned to the rebels", None),
    "Qastal Mosht": (REB, _J, "judgment: Old City unit between al-Farafra and Bab al-Hadid; assigned to the rebels", None),
    "al-Bayyada": (REB, "map", "Old City", None),
    "Abraj": (REB, "map", "Old City", None),
    "Sajlikhan": (REB, "map", "Old City, east of the Citadel", None),
    "ad-Dudu": (REB, "map", "Old City, east of the Citadel", None),
    "Souq al-Madina": (REB, _J, "judgment: the souqs and the Umayyad Mosque were rebel-held, the government held the edge at the Citadel; assigned to the rebels", None),
    "al-‘Aqabeh": (REB, _J, "judgment: Old City quarter west of the souqs; activists still named it rebel-held on 7 Dec", SRC_OLD_CITY_SOUTH),
    "aj-Jalloum": (REB, "map", "Old City, south of the Citadel", None),
    "al-A'ajam": (REB, "map", "Old City, south of the Citadel", None),
    "Altunbogha": (REB, "map", "Old City, south of the Citadel", None),
    "al-Asileh": (REB, "map", "Old City, south of the Citadel", None),
    "Sahet Bizzeh": (REB, "map", "Old City, south of the Citadel", None),
    "Qal’et ash-Sharif": (REB, "map", "Old City, south of the Citadel", None),
    "Bab Qinnasrin": (REB, "map", "Old City, south-west gate", None),
    "Bab al-Maqam": (REB, "map", "south of the Old City", None),
    "al-Ballat": (REB, "map", "Bab al-Nairab area", None),
    "Muhammad Bek": (REB, "map", "Bab al-Nairab area", None),
    "The National Hospital": (REB, "map", "Bab al-Nairab area", None),
    # --- rebel-held east Aleppo: southern part -----------------------------
    "Maqar al-Anbiya'a": (REB, "map", "", None),
    "al-Marjeh": (REB, "map", "", None),
    "as-Salheen": (REB, "map", "", None),
    "Karm ad-Da'ada'a": (REB, "map", "", None),
    "Sheikh Sa’eed": (REB, "map", "southern tip of the rebel-held east", None),
    "as-Sukkari": (REB, "map", "", None),
    "al-Fardos": (REB, "map", "", None),
    "al-Kallaseh": (REB, "map", "", None),
    "Bustan al-Qaser": (REB, "map", "east side of the Bustan al-Qasr crossing", None),
    "Bustan az-Zahra": (REB, _J, "judgment: between rebel-held al-Ansari and Bustan al-Qasr; assigned to the rebels", None),
    "Ansari Sharqi": (REB, "map", "", None),
    "al-Ansari Mashhad": (REB, "map", "", None),
    "al-Ansari": (REB, _J, "judgment: the 22 Dec record places al-Ansari in the last rebel enclave; the western edge of Ansari may have been government-held", SRC_LAST_ENCLAVE),
    "az-Zebdiyeh": (REB, "map", "", None),
    "Salah ad-Deen": (REB, _J, "judgment: divided front-line quarter (rebels held its eastern part); assigned to the rebels", None),
    "Sayf ad-Dauleh": (REB, _J, "judgment: divided front-line quarter (fighting reported there in December); assigned to the rebels", None),
    "al-‘Amiriyeh": (REB, "map", "", None),
    "Ard As-Sabbagh": (REB, _J, "judgment: front-line unit between al-Hamdaniyeh (government) and al-Amiriyeh (rebels); assigned to the rebels", None),
    "Tal az-Zarazir": (REB, _J, "judgment: between rebel-held al-Amiriyeh and Sheikh Sa'eed; assigned to the rebels", None),
}

# --------------------------------------------------------------------------
# The change record: how its columns become control-log rows
# --------------------------------------------------------------------------
CONTROLLER_MAP: dict[str, list[tuple[str, str]]] = {
    # to_actor -> [(controller, share)], share "" unless split
    "government": [(GOV, "")],
    "government + YPG/SDF": [(GOV, "0.5"), (KRD, "0.5")],
    "Kurdish forces (YPG/SDF)": [(KRD, "")],
    "contested": [(CON, "")],
    # the 4 Dec Karm row: army advance, rebel counter-attack on 5 Dec
    "government (then rebel counter-attack 5 Dec)": [(CON, "")],
}

CONFIDENCE_MAP = {
    "confirmed (SOHR: 'most of the district'; army: full control)": "confirmed",
    "pro-government report": "pro-government report",
    "pro-government claim": "claim",
    "confirmed (state TV + SOHR)": "confirmed",
    "confirmed (SOHR)": "confirmed",
    "disputed: military claim; rebels deny; SOHR says rebels hold a third": "disputed",
    "contested": "disputed",
    "pro-government summary of 'a matter of days'": "pro-government report",
    "confirmed (SOHR + state media)": "confirmed",
    "pro-government (al-Manar) + regime claim": "claim",
    "confirmed (SOHR + state TV)": "confirmed",
    "state TV (AP)": "claim",
    "state TV claim (AP)": "claim",
    "pro-government TV claim (AP)": "claim",
    "reported (Euronews; SOHR said clashes)": "reported",
    "confirmed (army statement; ICRC; rebel official); enclave composition "
    "assembled from several reports, not one source": "confirmed",
}

PROBABLE_SUFFIX = " (probable match)"

# The record's "Old City (rebel-held parts)" row names no single polygon.
# Judgment: it applies to the Old City units (the walled city and the small
# quarters between Bab al-Nasr and Bab al-Hadid) that were rebel-held on
# 15 Nov and have no dated report of their own.  Not included: the Citadel
# (government), al-Farafra and Aghyor (own reports), the Bab al-Nairab area
# and Bab al-Maqam / al-Kallaseh south of the walls.
OLD_CITY_UNITS = [
    "Souq al-Madina", "al-‘Aqabeh", "aj-Jalloum", "Bab Qinnasrin",
    "Qal’et ash-Sharif", "Sahet Bizzeh", "al-Asileh", "al-A'ajam",
    "Altunbogha", "ad-Dudu", "Sajlikhan", "Abraj", "al-Bayyada",
    "Qastal Mosht", "Ibn Ya'aqoub", "Tatarlar", "ad-Dallaleen", "Qarleq",
]
OLD_CITY_MARK = "(several Old City units"

CONTROL_COLUMNS = ["date", "district", "controller", "share", "source", "confidence", "note"]


# --------------------------------------------------------------------------
def slugify(name: str) -> str:
    """Stable short id from an English name: 'Sheikh Sa’eed' -> 'sheikh-saeed'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[’‘'`ʿʾ]", "", s).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = re.sub(r"^(al|as|ash|ad|an|az|aj|at|ar)-", "", s)
    return s


def representative_points(src: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """One rounded lon/lat position per distinct NAME (key on NAME, not Id)."""
    local = src.to_crs(LOCAL_CRS)
    to_ll = Transformer.from_crs(LOCAL_CRS, "EPSG:4326", always_xy=True)
    out = {}
    for name in sorted(set(local["NAME"])):
        geom = shapely.union_all(local.geometry[local["NAME"] == name].values)
        p = shapely.point_on_surface(geom)
        lon, lat = to_ll.transform(p.x, p.y)
        out[name] = (round(lon, POSITION_DECIMALS), round(lat, POSITION_DECIMALS))
    return out


def tessellate(points: dict[str, tuple[float, float]]) -> dict[str, shapely.Polygon]:
    """Voronoi cells of the positions, clipped to a buffered concave hull, EPSG:4326."""
    names = list(points)
    to_local = Transformer.from_crs("EPSG:4326", LOCAL_CRS, always_xy=True)
    to_ll = Transformer.from_crs(LOCAL_CRS, "EPSG:4326", always_xy=True)
    lon = np.array([points[n][0] for n in names])
    lat = np.array([points[n][1] for n in names])
    x, y = to_local.transform(lon, lat)
    pts = shapely.points(np.column_stack([x, y]))
    mp = shapely.multipoints(pts)
    outline = shapely.concave_hull(mp, ratio=HULL_RATIO).buffer(OUTLINE_BUFFER_M)
    cells = shapely.voronoi_polygons(mp, extend_to=outline, ordered=True)
    cells = shapely.intersection(np.asarray(shapely.get_parts(cells)), outline)
    out = {}
    for name, pt, cell in zip(names, pts, cells):
        if not cell.contains(pt):
            raise RuntimeError(f"Voronoi cell does not contain its point: {name}")
        ll = shapely.transform(cell, lambda c: np.column_stack(to_ll.transform(c[:, 0], c[:, 1])))
        ll = shapely.set_precision(ll, 10.0 ** -OUTPUT_DECIMALS)
        ll = shapely.orient_polygons(ll, exterior_cw=False)  # RFC 7946: CCW exterior
        if ll.geom_type != "Polygon" or not ll.is_valid:
            raise RuntimeError(f"cell of {name} is not one valid Polygon: {ll.geom_type}")
        out[name] = ll
    return out


def districts_geojson(cells: dict[str, shapely.Polygon]) -> str:
    ids = {name: slugify(name) for name in cells}
    if len(set(ids.values())) != len(ids):
        dup = sorted(i for i in ids.values() if list(ids.values()).count(i) > 1)
        raise RuntimeError(f"id collision: {dup}")
    feats = []
    for name in sorted(cells, key=lambda n: ids[n]):
        geom = json.loads(shapely.to_geojson(cells[name]))
        geom["coordinates"] = [
            [[round(v, OUTPUT_DECIMALS) for v in xy] for xy in ring] for ring in geom["coordinates"]
        ]
        feats.append({
            "type": "Feature",
            "properties": {"id": ids[name], "name": name},
            "geometry": geom,
        })
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def baseline_rows(names: list[str]) -> list[dict]:
    missing = sorted(set(names) - set(BASELINE))
    extra = sorted(set(BASELINE) - set(names))
    if missing or extra:
        raise RuntimeError(f"baseline does not match the polygon names: missing={missing} extra={extra}")
    rows = []
    for name in names:
        controller, confidence, note, source = BASELINE[name]
        rows.append({
            "date": BASELINE_DATE, "district": name, "controller": controller, "share": "",
            "source": source or SRC_MAPS, "confidence": confidence, "note": note,
        })
    return rows


def change_rows(record_path: Path, names: list[str], baseline: list[dict]):
    """Rows from the change record; returns (rows, left_out) where left_out are
    the reported names without a polygon."""
    known = set(names)
    rows, left_out = [], []
    last = None
    with open(record_path, encoding="utf-8", newline="") as fh:
        record = list(csv.DictReader(fh))
    for rec in record:
        date, reported = rec["date"], rec["neighbourhood_as_reported"]
        if rec["to_actor"] not in CONTROLLER_MAP:
            raise RuntimeError(f"unknown to_actor {rec['to_actor']!r} ({date}, {reported})")
        if rec["status"] not in CONFIDENCE_MAP:
            raise RuntimeError(f"unknown status {rec['status']!r} ({date}, {reported})")
        confidence = CONFIDENCE_MAP[rec["status"]]
        poly = rec["polygon_names"].strip()
        if date == EVACUATION_DATE:
            last = rec
            continue
        if not poly:
            left_out.append((date, reported))
            continue
        if poly.startswith(OLD_CITY_MARK):
            targets = [(n, f"{reported} [judgment: applied to the Old City unit {n}; see data/README.md]")
                       for n in OLD_CITY_UNITS]
        else:
            targets = []
            for n in (p.strip() for p in poly.split(";")):
                note = reported
                if n.endswith(PROBABLE_SUFFIX):
                    n = n[: -len(PROBABLE_SUFFIX)]
                    note = f"{reported} [judgment: probable match accepted]"
                targets.append((n, note))
        for n, note in targets:
            if n not in known:
                raise RuntimeError(f"polygon name {n!r} not in the districts ({date}, {reported})")
            for controller, share in CONTROLLER_MAP[rec["to_actor"]]:
                rows.append({
                    "date": date, "district": n, "controller": controller, "share": share,
                    "source": rec["source_url"], "confidence": confidence, "note": note,
                })
    if last is None:
        raise RuntimeError(f"no {EVACUATION_DATE} row in the change record")

    # 22 Dec: the evacuation completed. Named districts go to the government;
    # so does every district still rebel-held or contested after 12 Dec.
    state = _state_on(baseline + rows, LAST_FIGHTING_DATE)
    named = [p.strip() for p in last["polygon_names"].split(";") if p.strip()]
    for n in named:
        if n not in known:
            raise RuntimeError(f"polygon name {n!r} not in the districts ({EVACUATION_DATE})")
    leftover = sorted(n for n, ctl in state.items()
                      if n not in named and any(c in (REB, CON) for c, _ in ctl))
    for n in named + leftover:
        note = last["neighbourhood_as_reported"]
        if n in leftover:
            was = "/".join(sorted({c for c, _ in state[n]}))
            note += f" [not named in the report: still {was} in this log after {LAST_FIGHTING_DATE}]"
        rows.append({
            "date": EVACUATION_DATE, "district": n, "controller": GOV, "share": "",
            "source": last["source_url"], "confidence": CONFIDENCE_MAP[last["status"]], "note": note,
        })
    return rows, left_out


def _state_on(rows: list[dict], date: str) -> dict[str, list[tuple[str, str]]]:
    """district -> [(controller, share)] from the rows of the latest date <= date."""
    latest: dict[str, str] = {}
    for r in rows:
        if r["date"] <= date and r["date"] >= latest.get(r["district"], ""):
            latest[r["district"]] = r["date"]
    state: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        if latest.get(r["district"]) == r["date"]:
            state[r["district"]].append((r["controller"], r["share"]))
    return dict(state)


def control_csv(rows: list[dict]) -> str:
    rows = sorted(rows, key=lambda r: (r["date"], r["district"], r["controller"]))
    seen = set()
    for r in rows:
        key = (r["date"], r["district"], r["controller"])
        if key in seen:
            raise RuntimeError(f"duplicate row {key}")
        seen.add(key)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CONTROL_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source-dir", type=Path, default=here.parent.parent / "shared" / "data" / "aleppo",
                    help="folder with neighbourhoods-csr.geojson and control-changes-2016.csv")
    ap.add_argument("--out-dir", type=Path, default=here / "aleppo-2016")
    args = ap.parse_args(argv)

    poly_path = args.source_dir / "neighbourhoods-csr.geojson"
    record_path = args.source_dir / "control-changes-2016.csv"
    for p in (poly_path, record_path):
        if not p.is_file():
            print(f"error: input not found: {p} (use --source-dir)", file=sys.stderr)
            return 1

    src = gpd.read_file(poly_path)
    points = representative_points(src)
    names = list(points)
    cells = tessellate(points)

    base = baseline_rows(names)
    changes, left_out = change_rows(record_path, names, base)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "districts.geojson").write_text(districts_geojson(cells), encoding="utf-8", newline="\n")
    (args.out_dir / "control.csv").write_text(control_csv(base + changes), encoding="utf-8", newline="\n")

    print(f"{len(cells)} districts, {len(base) + len(changes)} control rows "
          f"({len(base)} baseline, {len(changes)} changes)", file=sys.stderr)
    for date, reported in left_out:
        print(f"left out (no polygon): {date} {reported}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
