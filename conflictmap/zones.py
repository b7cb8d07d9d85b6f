"""Dated zone polygons (DeepStateMap style): read, date, attribute to actors, check.

A zone is the area an actor holds on a date. Zones come as a file per date
(the date anywhere in the file name: deepstatemap_data_20240801.geojson,
2024-08-01.json, zones_2024_08_01.gpkg) or as files whose features carry a
date field. Each actor's features of one date are merged into one valid
(Multi)Polygon; invalid rings are repaired and reported; zones of different
actors that overlap are an error naming the date and the overlap in km²,
unless `allow_overlap` says who holds the overlap.

A FeatureCollection wrapped in another object (the NZZ map export,
`{"value": FeatureCollection}`) is refused with a message saying how to unwrap
it, rather than guessed at: its features mix gains, losses and unchanged area.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from . import geodesy
from .errors import InputError, Problem, UsageError
from .geometry import crosses_antimeridian, lonlat_problem, polygonal
from .io import label, read_vector
from .model import Actors, clean_label, closest, parse_date

ZONE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".parquet", ".geojsonl", ".geojsons")
ACTOR_FIELDS = ("actor", "controller", "holder", "side", "controlled_by")
DATE_FIELDS = ("date", "Date", "DATE", "as_of", "day")
# Overlaps up to this area (km², i.e. 1000 m²) are digitising slivers along a shared
# edge: reported as a warning, not an error.
OVERLAP_TOLERANCE_KM2 = 1e-3
# YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD (one separator used twice), not inside a longer run of digits.
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})([-_]?)(\d{2})\2(\d{2})(?!\d)")
_WRAPPED = re.compile(rb'^\s*\{\s*"([^"]+)"\s*:\s*\{')
_NAME_HINT = "put the date in the file name (e.g. zones_2024-08-01.geojson)"
_GEOJSON_KEYS = {"type", "features", "crs", "name", "bbox", "properties", "geometry", "id"}


@dataclass
class Snapshot:
    """The zones of one date: actor -> valid (Multi)Polygon in EPSG:4326."""

    date: dt.date
    zones: dict
    sources: list[str]


@dataclass
class ZoneSet:
    snapshots: list[Snapshot]
    actors: list[str]
    dates_from: str
    problems: list = field(default_factory=list)

    @property
    def dates(self) -> list[dt.date]:
        return [s.date for s in self.snapshots]


@dataclass
class _Options:
    actor: str | None
    actor_field: str | None
    date_fields: dict  # file -> the field holding its dates, None for the date in its name
    actors: Actors


def zone_files(sources) -> list[Path]:
    """The files named, with each folder expanded to its vector files (sorted by name)."""
    files = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ZONE_SUFFIXES)
            if not found:
                raise InputError(f"{path}: folder holds no zone files ({', '.join(ZONE_SUFFIXES)})")
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: zone file or folder not found; check the path")
    if not files:
        raise UsageError("no zone files given; name files or a folder, e.g. zones-deepstate/")
    return files


def date_from_name(path) -> dt.date | None:
    """The one date anywhere in a file's stem (YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD), None when it has none.

    Eight digits that are no valid date (an id, month 13) are not a date; the
    same date written twice is one date; two different dates are an error.
    """
    found = set()
    for m in _NAME_DATE.finditer(Path(path).stem):
        try:
            found.add(dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4))))
        except ValueError:
            continue
    if len(found) > 1:
        shown = ", ".join(d.isoformat() for d in sorted(found))
        raise InputError(f"{path}: file name holds different dates ({shown}); keep one date in the name, "
                         "or give --date-field F to take dates from the features")
    return found.pop() if found else None


def _check_wrapped(path: Path) -> None:
    """Refuse {"value": FeatureCollection} (NZZ) with a message on how to unwrap it."""
    if path.suffix.lower() not in (".json", ".geojson"):
        return
    with open(path, "rb") as fh:
        head = fh.read(512)
    m = _WRAPPED.match(head)
    if not m or m.group(1).decode("utf-8", "replace") in _GEOJSON_KEYS:
        return
    key = m.group(1).decode("utf-8", "replace")
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        return  # not JSON after all: read_vector gives the parse error
    inner = doc.get(key) if isinstance(doc, dict) and len(doc) == 1 else None
    if not isinstance(inner, dict) or inner.get("type") != "FeatureCollection":
        return
    raise InputError(
        f"{path}: a FeatureCollection wrapped in {{\"{key}\": ...}} (as the NZZ map exports it), not GeoJSON; "
        f"unwrap it first, e.g. jq '.{key}' {path.name} > {path.stem}.geojson{_field_hint(inner)}"
    )


def _field_hint(collection: dict) -> str:
    """Name a property whose few values look like zone kinds (NZZ: type = nochange/gains/losses)."""
    values = defaultdict(set)
    for feat in collection.get("features") or []:
        for k, v in ((feat or {}).get("properties") or {}).items():
            if isinstance(v, str) and not k.startswith("_") and not _NAME_DATE.search(v):
                values[k].add(v)
    kinds = {k: v for k, v in values.items() if len(v) <= 8}
    name = next((k for k in ("type", *ACTOR_FIELDS) if k in kinds), None)
    name = name or next((k for k, v in kinds.items() if len(v) > 1), None)
    if name is None:
        return ""
    found = kinds[name]
    return f"; its features carry {name!r} ({', '.join(sorted(found))}): keep them apart with --actor-field {name}"


def _to_lonlat(frame, name: str):
    """The frame in EPSG:4326; without a CRS, lon/lat only when the coordinates fit (as for districts)."""
    problem = lonlat_problem(frame.crs, frame.total_bounds)
    if problem:
        raise InputError(f"{name}: {problem}")
    if frame.crs is None:
        frame = frame.set_crs(4326)
    frame = frame if frame.crs.equals("EPSG:4326") else frame.to_crs(4326)
    crossing = np.flatnonzero(crosses_antimeridian(frame.geometry.values))  # a band round the globe to every planar step
    if len(crossing):
        raise InputError(f"{name} feature {crossing[0] + 1}: polygon crosses the antimeridian (180°) as one ring; "
                         "split it there, e.g. ogr2ogr -wrapdateline out.geojson in.geojson")
    return frame


def _geometries(frame, name: str, problems: list) -> np.ndarray:
    """Valid polygonal geometries (None for features without one, skipped with a warning)."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        problems.append(Problem("warning", name, f"{int(empty.sum())} feature(s) without geometry skipped (first: feature {int(np.flatnonzero(empty)[0]) + 1})"))
    kinds = shapely.get_type_id(geoms)
    wrong = ~empty & ~np.isin(kinds, (3, 6, 7))  # Polygon, MultiPolygon, GeometryCollection
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InputError(f"{name} feature {i + 1}: geometry is a {geoms[i].geom_type}; zones must be Polygons or MultiPolygons ({int(wrong.sum())} such features)")
    geoms = np.where(empty, None, geoms)
    coords = shapely.get_coordinates(geoms)
    if not np.isfinite(coords).all():
        at = int(np.flatnonzero(~np.isfinite(coords).all(axis=1))[0])
        i = int(np.searchsorted(np.cumsum(shapely.get_num_coordinates(geoms)), at, side="right"))
        raise InputError(f"{name} feature {i + 1}: NaN or infinite coordinates; fix or remove that feature")
    _repair(geoms, ~empty, name, problems)
    return geoms


def _repair(geoms: np.ndarray, present: np.ndarray, name: str, problems: list) -> None:
    invalid = np.flatnonzero(present & ~shapely.is_valid(geoms))
    collections = np.flatnonzero(present & (shapely.get_type_id(geoms) == 7))
    if len(invalid):
        first = int(invalid[0])
        reason = shapely.is_valid_reason(geoms[first])
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        problems.append(Problem("warning", name, f"{len(invalid)} invalid zone polygon(s) repaired with make_valid (first: feature {first + 1}, {reason})"))
    for i in set(invalid.tolist()) | set(collections.tolist()):
        geoms[i] = polygonal(geoms[i])


def _actor_labels(frame, name: str, opts: _Options) -> list[str]:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if opts.actor:
        return [opts.actors.canonical(opts.actor, "--actor")] * len(frame)
    wanted = opts.actor_field or next((c for c in ACTOR_FIELDS if c in columns), None)
    if wanted is None:  # the data lacks what the options leave to it: a data error, exit 1
        raise InputError(f"{name}: zones carry no actor field ({', '.join(ACTOR_FIELDS)}; fields: {', '.join(columns) or 'none'}); "
                         "name the actor with --actor NAME (e.g. --actor russia) or a field with --actor-field F")
    if wanted not in columns:
        near = closest(wanted, columns)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise UsageError(f"{name}: no field {wanted!r} for --actor-field{hint}; fields: {', '.join(columns) or 'none'}")
    out = []
    for i, value in enumerate(frame[wanted].tolist()):
        text = "" if value is None or value != value else clean_label(value)
        where = f"{name} feature {i + 1}"
        if not text:
            raise InputError(f"{where}: empty {wanted!r}; give every zone an actor, or use --actor for files of one actor")
        out.append(opts.actors.canonical(text, where))
    return out


def _dates(frame, path: Path, name: str, date_field: str | None) -> list[dt.date]:
    if date_field is None:
        day = date_from_name(path)
        if day is None:  # _date_source checks first; kept for callers that skip it
            raise InputError(f"{name}: no date in the file name; {_NAME_HINT}, or give --date-field F")
        return [day] * len(frame)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if date_field not in columns:  # only a --date-field given by hand can be missing: the option is wrong
        near = closest(date_field, columns)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise UsageError(f"{name}: no field {date_field!r} for --date-field{hint}; fields: {', '.join(columns) or 'none'}")
    out = []
    for i, value in enumerate(frame[date_field].tolist()):
        where = f"{name} feature {i + 1}"
        if value is None or value != value or str(value).strip() == "":
            raise InputError(f"{where}: empty {date_field!r}; give every zone a date")
        out.append(parse_date(value, where))
    return out


def _date_source(files: list[Path], date_field: str | None, from_name: bool) -> tuple[dict, str]:
    """Where each file's dates come from (file -> field, None for its name), and how to say it.

    With neither option, each file is dated by its name when the name holds a
    date, else by a date field (date, Date, as_of, ...) of its features. A file
    with neither is a data error naming that file, found before any file is read.
    """
    if date_field and from_name:
        raise UsageError("give --date-field or --date-from-name, not both")
    if date_field:
        return dict.fromkeys(files, date_field), f"field {date_field!r}"
    undated = [f for f in files if date_from_name(f) is None]
    if from_name and undated:
        raise InputError(f"{undated[0]}: no date in the file name (--date-from-name); {_NAME_HINT}, "
                         "or give --date-field F")
    plan = dict.fromkeys(files)
    used: list[str] = []
    for path in undated:
        fields = _field_names(path)
        found = next((c for c in DATE_FIELDS if c in fields), None)
        if found is None:
            raise InputError(f"{path}: no date in the file name and no date field ({', '.join(DATE_FIELDS)}; "
                             f"fields: {', '.join(fields) or 'none'}); {_NAME_HINT}, or give --date-field F")
        plan[path] = found
        used += [] if found in used else [found]
    origin = (["file names"] if len(undated) < len(files) else []) + [f"field {f!r}" for f in used]
    return plan, " and ".join(origin)


def _field_names(path: Path) -> list[str]:
    import pyogrio

    _check_wrapped(path)
    try:
        return list(pyogrio.read_info(path)["fields"])
    except Exception:  # an unreadable file gets read_vector's message
        read_vector(path)
        raise


def load_zones(sources, actor: str | None = None, actor_field: str | None = None, date_field: str | None = None,
               from_name: bool = False, allow_overlap=(), actors: Actors | None = None, progress=None) -> ZoneSet:
    """Read dated zones from files or folders: one merged, valid geometry per (date, actor)."""
    if actor and actor_field:
        raise UsageError("give --actor or --actor-field, not both")
    files = zone_files(sources)
    date_fields, origin = _date_source(files, date_field, from_name)
    opts = _Options(actor, actor_field, date_fields, actors or Actors())
    problems: list = []
    groups: dict = defaultdict(list)
    sources_by_date: dict = defaultdict(list)
    for n, path in enumerate(files, start=1):
        for day, who, geom in _read_file(path, opts, problems):
            groups[(day, who)].append(geom)
            if path.name not in sources_by_date[day]:
                sources_by_date[day].append(path.name)
        if progress:
            progress(n, len(files))
    if not groups:
        raise InputError(f"{label(files[0])}{' ...' if len(files) > 1 else ''}: no zone polygons found")
    snapshots = _snapshots(groups, sources_by_date)
    names = sorted({who for _, who in groups})
    winners = _winners(allow_overlap, opts.actors, names)
    slivers: list = []
    for snap in snapshots:
        _settle_overlaps(snap, winners, problems, slivers)
    if slivers:
        km2, day, a, b = max(slivers)
        problems.append(Problem("warning", "zones", f"overlap slivers under {OVERLAP_TOLERANCE_KM2 * 1e6:.0f} m² ignored on "
                                f"{len({s[1] for s in slivers})} date(s); the largest {km2 * 1e6:.2g} m² ({a} and {b}, {day})"))
    return ZoneSet(snapshots, names, origin, problems)


def _read_file(path: Path, opts: _Options, problems: list):
    name = label(path)
    _check_wrapped(path)
    frame = read_vector(path)
    if len(frame) == 0:
        problems.append(Problem("warning", name, "no features; no zones read from this file"))
        return []
    frame = _to_lonlat(frame, name)
    geoms = _geometries(frame, name, problems)
    days = _dates(frame, path, name, opts.date_fields[path])
    who = _actor_labels(frame, name, opts)
    return [(d, a, g) for d, a, g in zip(days, who, geoms) if g is not None and not g.is_empty]


def _snapshots(groups: dict, sources_by_date: dict) -> list[Snapshot]:
    by_date: dict = defaultdict(dict)
    for (day, who), geoms in groups.items():
        merged = geoms[0] if len(geoms) == 1 else polygonal(shapely.union_all(np.asarray(geoms, dtype=object)))
        by_date[day][who] = merged
    return [Snapshot(day, dict(sorted(by_date[day].items())), sources_by_date[day]) for day in sorted(by_date)]


def _winners(allow_overlap, actors: Actors, names: list[str]) -> list[str]:
    out = []
    for text in allow_overlap or ():
        who = actors.canonical(text, "--allow-overlap")
        if who not in names:
            raise UsageError(f"--allow-overlap {text!r} is not an actor of the zones; actors: {', '.join(names)}")
        out.append(who)
    return out


def overlap_km2(a, b) -> float:
    """Geodesic km² shared by two zones (0 when they only touch)."""
    if not shapely.intersects(a, b):
        return 0.0
    return float(geodesy.area_km2([polygonal(shapely.intersection(a, b))])[0])


def _settle_overlaps(snap: Snapshot, winners: list[str], problems: list, slivers: list) -> None:
    """Give overlaps to the --allow-overlap actors in their order; any other overlap is an error.

    Overlaps under the tolerance are digitising slivers: collected in `slivers`
    as (km², date, actor, actor) for one summary warning.
    """
    day = snap.date.isoformat()
    zones = snap.zones
    for w in winners:
        for other in zones:
            if other == w or other in winners[: winners.index(w)]:
                continue
            shared = overlap_km2(zones[w], zones[other])
            if shared > OVERLAP_TOLERANCE_KM2:
                zones[other] = polygonal(shapely.difference(zones[other], zones[w]))
                problems.append(Problem("warning", day, f"zones of {w} and {other} overlap by {shared:.3f} km²; given to {w} (--allow-overlap)"))
    names = list(zones)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = overlap_km2(zones[a], zones[b])
            if shared > OVERLAP_TOLERANCE_KM2:
                raise InputError(f"{day} ({', '.join(snap.sources)}): zones of {a} and {b} overlap by {shared:.3f} km²; "
                                 f"fix the zones, or pass --allow-overlap {a} (or {b}) to say who holds the overlap")
            if shared > 0:
                slivers.append((shared, day, a, b))


def load_clip(source):
    """The reference area for `zones area --clip`: all polygons of a file merged into one."""
    name = label(source)
    frame = read_vector(source)
    if len(frame) == 0:
        raise InputError(f"{name}: no features; --clip needs the polygon(s) of the reference area")
    frame = _to_lonlat(frame, name)
    problems: list = []
    geoms = _geometries(frame, name, problems)
    geoms = [g for g in geoms if g is not None]
    if not geoms:
        raise InputError(f"{name}: no polygons; --clip needs the polygon(s) of the reference area")
    merged = geoms[0] if len(geoms) == 1 else polygonal(shapely.union_all(np.asarray(geoms, dtype=object)))
    return merged, problems


def clipped(zone, clip):
    """zone ∩ clip, the clip first cut to the zone's box (a national boundary has 100k+ vertices)."""
    if clip is None:
        return zone
    cut = shapely.clip_by_rect(clip, *zone.bounds)
    if not shapely.is_valid(cut):  # clip_by_rect may be invalid in degenerate cases
        cut = clip
    return polygonal(shapely.intersection(zone, cut))


def zone_areas(zoneset: ZoneSet, clip=None, progress=None):
    """km² per actor per date (geodesic, within `clip` when given) and the change since the previous date.

    Every actor has a row on every date (0 when it has no zone that day), so a
    change is never lost to a missing row; the first date's change is None.
    """
    import pandas as pd

    rows, previous = [], {}
    total = len(zoneset.snapshots)
    for n, snap in enumerate(zoneset.snapshots, start=1):
        for who in zoneset.actors:
            zone = snap.zones.get(who)
            area = float(geodesy.area_km2([clipped(zone, clip)])[0]) if zone is not None else 0.0
            change = area - previous[who] if who in previous else None
            rows.append({"date": snap.date.isoformat(), "actor": who, "area_km2": area, "change_km2": change})
            previous[who] = area
        if progress:
            progress(n, total)
    table = pd.DataFrame(rows, columns=["date", "actor", "area_km2", "change_km2"])
    # Floats always (0.0, not 0; a missing change is NaN, null in JSON): one type per key for consumers.
    return table.astype({"area_km2": float, "change_km2": float})
