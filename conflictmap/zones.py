"""Dated zone polygons (DeepStateMap style): read, date, attribute to actors, check.

A zone is the area an actor holds on a date. Zones come as a file per date
(the date anywhere in the file name: deepstatemap_data_20240801.geojson,
2024-08-01.json, zones_2024_08_01.gpkg) or as files whose features carry a
date field. Each actor's features of one date are merged into one valid
(Multi)Polygon; invalid rings are repaired and reported; zones of different
actors that overlap are an error naming the date and the overlap in km²,
unless `allow_overlap` says who holds the overlap.

Sources have semantics (conflictmap.sources): a DeepStateMap API export or an
NZZ map export (`{"value": FeatureCollection}`) is read as its authors mean it,
detected from the data or named with `source`; `where` filters features
(OGR SQL, pyogrio's `where`) and `actor_map` says which labels mean whom.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from . import geodesy, sources as zone_sources
from .errors import InputError, Problem, UsageError
from .geometry import crosses_antimeridian, lonlat_problem, polygonal
from .io import label, read_source_bytes, read_vector
from .model import clean_label, closest, no_such_day, parse_date
from .names import name_key
from .actors import Actors

__all__ = [
    "load_zones",
    "load_clip",
    "clip_note",
    "zone_areas",
    "area_series",
    "series_breaks",
    "sources_by_date",
    "total_for_breaks",
    "check_rest",
    "ZoneSet",
]

ZONE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".parquet", ".geojsonl", ".geojsons")
ACTOR_FIELDS = ("actor", "controller", "holder", "side", "controlled_by")
DATE_FIELDS = ("date", "Date", "DATE", "as_of", "day")
# Overlaps up to this area (km², i.e. 1000 m²) are digitising slivers along a shared
# edge: reported as a warning, not an error.
OVERLAP_TOLERANCE_KM2 = 1e-3
# YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD (one separator used twice), not inside a longer run of digits.
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})([-_]?)(\d{2})\2(\d{2})(?!\d)")
_NAME_HINT = "put the date in the file name (e.g. zones_2024-08-01.geojson)"


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
    sources: dict = field(default_factory=dict)  # file -> deepstate | nzz | generic
    where: str | None = None
    actor_map: dict = field(default_factory=dict)
    seen: set = field(default_factory=set)  # labels met in the features (for --actor-map checks)
    tally: Counter = field(default_factory=Counter)  # (source, label, actor or '-') -> features
    misdated: list = field(default_factory=list)  # (file, date in its name, dates of its features)
    frames: dict = field(default_factory=dict)  # file -> its frame (read_vector), or the error reading it gave


def _frame(path: Path, opts: _Options):
    """The file's features, read once (read_vector) for every question asked of them.

    A file that cannot be read keeps its error, raised where the reading was
    asked for: the same error, at the same step, as when each step read the file.
    """
    if path not in opts.frames:
        try:
            opts.frames[path] = read_vector(path)
        except (InputError, UsageError) as exc:
            opts.frames[path] = exc
    found = opts.frames[path]
    if isinstance(found, Exception):
        raise found
    return found


def zone_files(sources) -> list[Path]:
    """The files named, with each folder expanded to its vector files (sorted by name)."""
    files = []
    for source in sources:
        path = Path(source)
        if str(source) == "-":  # one GeoJSON on stdin (dated by a date field: it has no name)
            files.append(path)
        elif path.is_dir():
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
        raise InputError(
            f"{path}: file name holds different dates ({shown}); keep one date in the name, "
            "or give --date-field F to take dates from the features"
        )
    return found.pop() if found else None


def _not_a_date(path) -> str:
    """'the file name holds 20241308, which is not a date (month must be in 1..12)', or ''.

    Said where a file ends up with no date, so a typo in its name is not reported as a missing date.
    """
    for m in _NAME_DATE.finditer(Path(path).stem):
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
        try:
            dt.date(year, month, day)
        except ValueError as exc:  # 'November has 30 days' rather than Python's 'day is out of range for month'
            return f"the file name holds {m.group(0)}, which is not a date ({no_such_day(year, month, day) or exc})"
    return ""


def _no_name_date(path) -> tuple[str, str]:
    """What is wrong with a file's name date and how to fix it: an invalid date it holds, else none at all."""
    if str(path) == "-":  # stdin has no name to hold a date
        return "no file name to date it (stdin)", "save it as a file with the date in its name"
    wrong = _not_a_date(path)
    if wrong:
        return wrong, "correct the date in the file name (YYYY-MM-DD or YYYYMMDD)"
    return "no date in the file name", _NAME_HINT


def _to_lonlat(frame, name: str):
    """The frame in EPSG:4326; without a CRS, lon/lat only when the coordinates fit (as for districts)."""
    problem = lonlat_problem(frame.crs, frame.total_bounds)
    if problem:
        raise InputError(f"{name}: {problem}")
    if frame.crs is None:
        frame = frame.set_crs(4326)
    frame = frame if frame.crs.equals("EPSG:4326") else frame.to_crs(4326)
    crossing = np.flatnonzero(
        crosses_antimeridian(frame.geometry.values)
    )  # a band round the globe to every planar step
    if len(crossing):
        raise InputError(
            f"{name} feature {crossing[0] + 1}: polygon crosses the antimeridian (180°) as one ring; "
            "split it there, e.g. ogr2ogr -wrapdateline out.geojson in.geojson"
        )
    return frame


def _geometries(frame, name: str, problems: list) -> np.ndarray:
    """Valid polygonal geometries (None for features without one, skipped with a warning)."""
    geoms = shapely.force_2d(np.asarray(frame.geometry.values, dtype=object))  # DeepState exports carry z = 0
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        problems.append(
            Problem(
                "warning",
                name,
                f"{int(empty.sum())} feature(s) without geometry skipped (first: feature {int(np.flatnonzero(empty)[0]) + 1})",
            )
        )
    kinds = shapely.get_type_id(geoms)
    wrong = ~empty & ~np.isin(kinds, (3, 6, 7))  # Polygon, MultiPolygon, GeometryCollection
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InputError(
            f"{name} feature {i + 1}: geometry is a {geoms[i].geom_type}; zones must be Polygons or MultiPolygons ({int(wrong.sum())} such features)"
        )
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
        problems.append(
            Problem(
                "warning",
                name,
                f"{len(invalid)} invalid zone polygon(s) repaired with make_valid (first: feature {first + 1}, {reason})",
            )
        )
    for i in set(invalid.tolist()) | set(collections.tolist()):
        geoms[i] = polygonal(geoms[i])


def _actor_labels(frame, name: str, opts: _Options) -> list[str]:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if opts.actor:
        return [opts.actors.canonical(opts.actor, "--actor")] * len(frame)
    wanted = opts.actor_field or next((c for c in ACTOR_FIELDS if c in columns), None)
    if wanted is None:  # the data lacks what the options leave to it: a data error, exit 1
        raise InputError(
            f"{name}: zones carry no actor field ({', '.join(ACTOR_FIELDS)}; fields: {', '.join(columns) or 'none'}); "
            "name the actor with --actor NAME (e.g. --actor russia) or a field with --actor-field F"
        )
    if wanted not in columns:
        near = closest(wanted, columns)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise UsageError(f"{name}: no field {wanted!r} for --actor-field{hint}; fields: {', '.join(columns) or 'none'}")
    out = []
    for i, value in enumerate(frame[wanted].tolist()):
        text = "" if value is None or value != value else clean_label(value)
        where = f"{name} feature {i + 1}"
        if not text:
            raise InputError(
                f"{where}: empty {wanted!r}; give every zone an actor, or use --actor for files of one actor"
            )
        out.append(opts.actors.canonical(text, where))
    return out


def _dates(frame, path: Path, name: str, date_field: str | None) -> list[dt.date]:
    if date_field is None:
        day = date_from_name(path)
        if day is None:  # _date_source checks first; kept for callers that skip it
            wrong, fix = _no_name_date(path)
            raise InputError(f"{name}: {wrong}; {fix}, or give --date-field F")
        return [day] * len(frame)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if date_field not in columns:  # only a --date-field given by hand can be missing: the option is wrong
        near = closest(date_field, columns)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise UsageError(
            f"{name}: no field {date_field!r} for --date-field{hint}; fields: {', '.join(columns) or 'none'}"
        )
    out = []
    for i, value in enumerate(frame[date_field].tolist()):
        where = f"{name} feature {i + 1}"
        if value is None or value != value or str(value).strip() == "":
            raise InputError(f"{where}: empty {date_field!r}; give every zone a date")
        out.append(parse_date(value, where))
    return out


def _date_source(
    files: list[Path], date_field: str | None, from_name: bool, kinds=None, opts: _Options | None = None
) -> tuple[dict, str]:
    """Where each file's dates come from (file -> field, None for its name), and how to say it.

    With neither option, each file is dated by its name when the name holds a
    date, else by a date field (date, Date, as_of, ...) of its features. A file
    with neither is a data error naming that file, found before any file is read.
    """
    if date_field and from_name:
        raise UsageError("give --date-field or --date-from-name, not both")
    if date_field:
        return dict.fromkeys(files, date_field), f"field {date_field!r}"
    kinds = kinds or {}
    # NZZ: the features' own date (the file name's is 0-5 days later); --date-from-name keeps the name's.
    undated = [f for f in files if date_from_name(f) is None or (kinds.get(f) == "nzz" and not from_name)]
    if from_name and undated:
        wrong, fix = _no_name_date(undated[0])
        raise InputError(f"{label(undated[0])}: {wrong} (--date-from-name); {fix}, or give --date-field F")
    plan = dict.fromkeys(files)
    used: list[str] = []
    for path in undated:
        fields = _field_names(path, opts)
        found = next((c for c in DATE_FIELDS if c in fields), None)
        if found is None and date_from_name(path) is not None:
            continue  # an NZZ-like file without a date field: its name's date
        if found is None:
            wrong, fix = _no_name_date(path)
            raise InputError(
                f"{label(path)}: {wrong}{',' if fix != _NAME_HINT else ''} and no date field ({', '.join(DATE_FIELDS)}; "
                f"fields: {', '.join(fields) or 'none'}); {fix}, or give --date-field F"
            )
        plan[path] = found
        used += [] if found in used else [found]
    origin = (["file names"] if any(v is None for v in plan.values()) else []) + [f"field {f!r}" for f in used]
    return plan, " and ".join(origin)


def _field_names(path: Path, opts: _Options | None = None) -> list[str]:
    wrapped = zone_sources.wrapped_collection(path)
    if wrapped:
        keys: dict = {}
        for feat in wrapped[1].get("features") or []:
            keys.update(dict.fromkeys(((feat or {}).get("properties") or {})))
        return list(keys)
    frame = _frame(path, opts or _Options(None, None, {}, Actors()))  # an unreadable file: read_vector's message
    return [c for c in frame.columns if c != frame.geometry.name]


def load_zones(
    sources,
    actor: str | None = None,
    actor_field: str | None = None,
    date_field: str | None = None,
    from_name: bool = False,
    allow_overlap=(),
    actors: Actors | None = None,
    progress=None,
    source: str | None = None,
    where: str | None = None,
    actor_map=None,
) -> ZoneSet:
    """Read dated zones from files or folders: one merged, valid geometry per (date, actor).

    `source` (deepstate, nzz, generic; default: detected per file, see
    conflictmap.sources) gives the labels their meaning; `where` is an OGR SQL
    filter on the features; `actor_map` ({label: actor or '-'}) maps labels to
    actors, over the source's own meaning.
    """
    if actor and actor_field:
        raise UsageError("give --actor or --actor-field, not both")
    zone_sources.check_source(source)
    if actor_field and source in ("deepstate", "nzz"):
        raise UsageError(
            f"--actor-field reads actors from a field, which --source {source} does itself; "
            "drop --actor-field, or use --actor-map to change what a label means"
        )
    files = zone_files(sources)
    opts = _Options(actor, actor_field, {}, actors or Actors(), where=where, actor_map=dict(actor_map or {}))
    opts.sources = {f: _detect(f, source, actor_field, bool(actor), opts) for f in files}
    opts.date_fields, origin = _date_source(files, date_field, from_name, opts.sources, opts)
    problems: list = []
    read: dict = defaultdict(lambda: defaultdict(list))  # (date, actor) -> file -> its geometries
    for n, path in enumerate(files, start=1):
        for day, who, geom in _read_file(path, opts, problems):
            read[(day, who)][path].append(geom)
        if progress:
            progress(n, len(files))
    _check_actor_map(opts, files)
    problems += _source_notes(opts, source) + _misdated_warning(opts)
    if not read:
        raise InputError(_nothing_read(files, opts))
    groups, used = _one_file_each(read, opts, problems)
    problems += _mixed_sources(used, opts) + _nzz_gaps(used, opts)
    snapshots = _snapshots(
        groups, {day: [label(p) if str(p) == "-" else p.name for p in paths] for day, paths in used.items()}
    )
    names = sorted({who for _, who in groups})
    winners = _winners(allow_overlap, opts.actors, names)
    slivers: list = []
    for snap in snapshots:
        _settle_overlaps(snap, winners, problems, slivers)
    if slivers:
        km2, day, a, b = max(slivers)
        problems.append(
            Problem(
                "warning",
                "zones",
                f"overlap slivers under {OVERLAP_TOLERANCE_KM2 * 1e6:.0f} m² ignored on "
                f"{len({s[1] for s in slivers})} date(s); the largest {km2 * 1e6:.2g} m² ({a} and {b}, {day})",
            )
        )
    return ZoneSet(snapshots, names, origin, problems)


def _one_file_each(read: dict, opts: _Options, problems: list) -> tuple[dict, dict]:
    """The geometries of each (date, actor), from one file, and the files used on each date (in file order).

    Two files giving one actor's zones on one date would be merged into a
    union no source drew (a mis-dated copy of another date): an error naming
    both, unless they give the very same polygons (a copy), then one is used
    and a note says so. Files giving different actors on one date (a file per
    actor) complement each other.
    """
    order = {path: i for i, path in enumerate(opts.sources)}
    groups, used = {}, defaultdict(set)
    for (day, who), by_file in sorted(read.items(), key=lambda kv: kv[0]):
        first, *others = sorted(by_file, key=order.get)
        differ = [p for p in others if not _same_polygons(by_file[first], by_file[p])]
        if differ:
            raise InputError(_same_date_error(day, who, first, differ[0], opts))
        if others:
            names = _listed([p.name for p in [first, *others]])
            problems.append(
                Problem("note", day.isoformat(), f"{names} give the same zones of {who}; read once (from {first.name})")
            )
        groups[(day, who)] = by_file[first]
        used[day].add(first)
    return groups, {day: sorted(paths, key=order.get) for day, paths in used.items()}


def _same_polygons(a: list, b: list) -> bool:
    """Whether two files' geometries are the same polygons, in any order (a copy, a re-download)."""
    forms = [shapely.normalize(shapely.GeometryCollection(list(g))) for g in (a, b)]
    return bool(shapely.equals_exact(forms[0], forms[1], tolerance=0))


def _same_date_error(day: dt.date, who: str, a: Path, b: Path, opts: _Options) -> str:
    by_field = [opts.date_fields.get(p) for p in (a, b)]
    dated = "by their names" if by_field == [None, None] else f"by their features' {by_field[0] or by_field[1]!r}"
    names = {date_from_name(p) for p in (a, b)}
    hint = (
        ", or give --date-from-name to date them by their names" if any(by_field) and len(names - {None}) == 2 else ""
    )
    return (
        f"{label(a)} and {label(b)} both give {who}'s zones on {day.isoformat()} (dated {dated}) and differ "
        "(merged, they would be a zone neither drew); "
        f"keep one file per date: remove one, or correct the date of the other{hint}"
    )


def _mixed_sources(used: dict, opts: _Options) -> list:
    """A warning when the series mixes sources: each date's figure holds, a step from one source to another does not.

    NZZ leaves out Crimea (and from July 2024 the areas held since 2014), DeepState draws them: the km²
    between a date of one and a date of the other measure the change of map, not of the front.
    """
    kinds = {day: sorted({opts.sources[p] for p in paths}) for day, paths in sorted(used.items())}
    found = sorted({k for ks in kinds.values() for k in ks})
    if len(found) < 2:
        return []
    first = {k: next(p for paths in used.values() for p in sorted(paths) if opts.sources[p] == k) for k in found}
    count = Counter(opts.sources[p] for p in {p for paths in used.values() for p in paths})
    days = list(kinds)
    switches = [(a, b) for a, b in zip(days, days[1:]) if kinds[a] != kinds[b]]
    where = (
        f", switching between {switches[0][0].isoformat()} and {switches[0][1].isoformat()}"
        f"{f' (and at {len(switches) - 1} more step(s))' if len(switches) > 1 else ''}"
        if switches
        else ""
    )
    shown = _listed([f"{k} ({first[k].name}{f' and {count[k] - 1} more' if count[k] > 1 else ''})" for k in found])
    return [
        Problem(
            "warning",
            "zones",
            f"the files mix {len(found)} sources, {shown}{where}: sources draw different things, so a change "
            "across a switch is a change of map, not of the front; keep one source per folder",
        )
    ]


# NZZ's map stops drawing the areas held since 2014 in July 2024 (its 2024-02-16 map has them, 2024-07-05 not).
NZZ_WITHOUT_2014 = dt.date(2024, 7, 1)


def _nzz_gaps(used: dict, opts: _Options) -> list:
    """One warning when NZZ zones are read: NZZ does not draw Crimea and Sevastopol, nor, from July 2024,
    the areas held since 2014. That ground is in no zone, so it is not in the km², `--rest` gets it, and
    the zone's edge along it reads as front (on 2024-07-05, 725 of NZZ's 1,878 km lie inside the area
    DeepState shows held). The files say nothing of it (no class, no outline): it can only be said.
    """
    days = sorted(day for day, paths in used.items() if any(opts.sources[p] == "nzz" for p in paths))
    if not days:
        return []
    holder = opts.actors.canonical(opts.actor or zone_sources.DEFAULT_HOLDER, "--actor")
    later = sum(day >= NZZ_WITHOUT_2014 for day in days)
    since_2014 = f", nor on its {later} date(s) from July 2024 the areas held since 2014" if later else ""
    return [
        Problem(
            "warning",
            "zones",
            f"NZZ's map ({len(days)} date(s)) does not draw Crimea and Sevastopol{since_2014}, which {holder} "
            f"holds: that ground is in no zone, so the km² and % leave it out, --rest gives it to the rest, and "
            "the front along the zones' edges includes its edges; for the area held use DeepState's zones, "
            "which draw it, or read NZZ's figures as those of the area NZZ draws",
        )
    ]


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _nothing_read(files: list[Path], opts: _Options) -> str:
    where = f"{label(files[0])}{' ...' if len(files) > 1 else ''}"
    if opts.where:
        return (
            f"{where}: --where {opts.where!r} selects no feature in {len(files)} file(s); check the field "
            f"names and values (fields: {', '.join(_field_names(files[0], opts)) or 'none'})"
        )
    if opts.tally:
        return f"{where}: no feature is held by anyone ({_tally_text(opts.tally)}); check --source and --actor-map"
    return f"{where}: no zone polygons found"


def _detect(path: Path, given: str | None, actor_field: str | None, actor_given: bool, opts: _Options) -> str:
    """The source of one file: as given, else from its data (conflictmap.sources)."""
    if given:
        return given
    if actor_field:
        return "generic"
    wrapped = zone_sources.wrapped_collection(path)
    if wrapped:
        return "nzz" if zone_sources.is_nzz(wrapped[1]) else "generic"
    try:
        frame = _frame(path, opts)
    except (InputError, UsageError):  # unreadable: the reader gives the error
        return "generic"
    if "name" not in frame.columns:
        return "generic"
    return "deepstate" if zone_sources.looks_deepstate(frame["name"].tolist()) else "generic"


def _check_actor_map(opts: _Options, files: list[Path]) -> None:
    missing = [k for k in opts.actor_map if k not in opts.seen]
    if missing:
        found = ", ".join(sorted(opts.seen)) or "none"
        raise InputError(
            f"--actor-map label {missing[0]!r} matches no feature of {label(files[0])}"
            f"{' ...' if len(files) > 1 else ''} (labels found: {found}); check its spelling"
        )


def _tally_text(tally: Counter) -> str:
    held: dict = defaultdict(list)
    for (_, lab, who), n in sorted(tally.items()):
        held["not held" if who == zone_sources.NOT_HELD else f"held by {who}"].append(f"{lab} {n}")
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(held.items(), key=lambda kv: kv[0] == "not held"))


def _source_notes(opts: _Options, given: str | None) -> list:
    """Say how each source's features were read (what is held, what not, what was dropped)."""
    out = []
    for kind in ("deepstate", "nzz"):
        files = [f for f, k in opts.sources.items() if k == kind]
        if not files:
            continue
        how = "--source" if given else "detected from the data; give --source to choose"
        tally = Counter({k: v for k, v in opts.tally.items() if k[0] == kind})
        out.append(
            Problem(
                "note",
                "zones",
                f"{len(files)} file(s) read as {zone_sources.describe(kind)} ({how}); features {_tally_text(tally)}",
            )
        )
    return out


def _read_frame(path: Path, name: str, opts: _Options):
    """The file's features (unwrapped from {"value": ...}), filtered by --where."""
    import io as _io

    wrapped = zone_sources.wrapped_collection(path)
    target = _io.BytesIO(json.dumps(wrapped[1]).encode("utf-8")) if wrapped else path
    # Dates as text (datetime_as_string): each feature keeps the day written, whatever its UTC offset.
    frame = _written_dates(_frame(path, opts), path, opts) if not wrapped else _read_text_dates(target)
    if not opts.where:
        return frame
    if wrapped:
        target.seek(0)
    try:
        return _read_text_dates(target, where=opts.where)
    except Exception as exc:  # the file read without it: the filter is what is wrong
        msg = " ".join(str(exc).split())[:200]
        raise UsageError(
            f"--where {opts.where!r} cannot filter {name} ({msg}); write an OGR SQL condition "
            f"on its fields ({', '.join(c for c in frame.columns if c != frame.geometry.name) or 'none'}), "
            "e.g. --where \"type <> 'losses'\""
        ) from None


def _read_text_dates(target, **kwargs):
    import pyogrio

    return pyogrio.read_dataframe(target, datetime_as_string=True, **kwargs)


def _written_dates(frame, path: Path, opts: _Options):
    """The frame with its date field as written: pyogrio turns a field of several UTC offsets (a summer and
    a winter time) into UTC times, whose day may be the one before (2024-02-29T00:00+02:00 is 02-28 in UTC);
    the field is read again as text, so each feature keeps its written day. (A field of one offset keeps
    it; GeoParquet stores instants, whose zone is the column's.)"""
    import io as _io

    import pandas as pd

    column = opts.date_fields.get(path)
    if column not in frame.columns or not isinstance(frame[column].dtype, pd.DatetimeTZDtype):
        return frame
    if str(frame[column].dtype.tz) != "UTC" or Path(path).suffix.lower() in (".parquet", ".shp"):
        return frame
    try:  # from the bytes read_vector read: also a name GDAL cannot open, and stdin
        text = _read_text_dates(_io.BytesIO(read_source_bytes(path)), columns=[column], read_geometry=False)
    except Exception as exc:  # pyogrio raises several types
        raise InputError(
            f"{label(path)}: cannot read its date field {column!r} as written ({' '.join(str(exc).split())[:120]}); "
            "write the dates as YYYY-MM-DD"
        ) from None
    return frame.assign(**{column: text[column].to_numpy()}) if len(text) == len(frame) else frame


def _drop_points_and_lines(frame, name: str, opts: _Options):
    """DeepState exports mix unit markers (points) and arrows (lines) with the areas: dropped, counted."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    kinds = shapely.get_type_id(geoms)
    other = ~(shapely.is_missing(geoms) | np.isin(kinds, (3, 6, 7)))
    if other.any():
        opts.tally[("deepstate", "points/lines dropped", zone_sources.NOT_HELD)] += int(other.sum())
    return frame[~other]


def _read_file(path: Path, opts: _Options, problems: list):
    name = label(path)
    kind = opts.sources[path]
    frame = _read_frame(path, name, opts)
    if len(frame) == 0:
        why = "no feature matches --where" if opts.where else "no features"
        problems.append(Problem("warning", name, f"{why}; no zones read from this file"))
        return []
    frame = _to_lonlat(frame, name)
    if kind == "deepstate":
        frame = _drop_points_and_lines(frame, name, opts)
    geoms = _geometries(frame, name, problems)
    days = _dates(frame, path, name, opts.date_fields[path])
    if kind == "nzz":
        _check_name_date(path, name, days, opts)
    who = (
        _actor_labels(frame, name, opts)
        if kind == "generic" and not opts.actor_map
        else _mapped(frame, name, kind, opts)
    )
    return [(d, a, g) for d, a, g in zip(days, who, geoms) if a is not None and g is not None and not g.is_empty]


def _check_name_date(path: Path, name: str, days: list, opts: _Options) -> None:
    """NZZ names a file some days after its features' date: the features' date is used, and the difference said."""
    named = date_from_name(path)
    found = sorted(set(days))
    if named is not None and found and named not in found:
        opts.misdated.append((name, named, found))


def _misdated_warning(opts: _Options) -> list:
    """One warning for every file whose name's date differs from its features' date."""
    if not opts.misdated:
        return []
    gaps = [(named - found[0]).days for _, named, found in opts.misdated]
    name, named, found = opts.misdated[0]
    span = f"{min(gaps)}" if min(gaps) == max(gaps) else f"{min(gaps)} to {max(gaps)}"
    return [
        Problem(
            "warning",
            "zones",
            f"{len(opts.misdated)} file(s) have a name dated {span} day(s) from their "
            f"features' date (first: {name}, features {found[0].isoformat()}); the features' date is used "
            "(--date-from-name for the names')",
        )
    ]


def _mapped(frame, name: str, kind: str, opts: _Options) -> list:
    """Each feature's actor (None: not held) from its label, by the source's meaning and --actor-map."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    holder = opts.actors.canonical(opts.actor or zone_sources.DEFAULT_HOLDER, "--actor")
    meaning = zone_sources.default_map(kind, holder)
    meaning.update(opts.actor_map)
    labels = _labels(frame, columns, name, kind, opts)
    out = []
    for i, lab in enumerate(labels):
        opts.seen.add(lab)
        target = meaning.get(lab)
        if target is None:
            hint = (
                f"add {lab}=ACTOR (or {lab}=- for not held) to --actor-map"
                if kind == "generic"
                else f"map it with --actor-map '{lab}=ACTOR' (or '{lab}=-')"
            )
            raise InputError(
                f"{name} feature {i + 1}: label {lab!r} has no meaning for {kind} zones "
                f"(known: {', '.join(sorted(meaning)) or 'none'}); {hint}"
            )
        who = None if target == zone_sources.NOT_HELD else opts.actors.canonical(target, "--actor-map")
        opts.tally[(kind, lab, who or zone_sources.NOT_HELD)] += 1
        out.append(who)
    if (
        kind == "deepstate"
        and labels
        and all(lab == zone_sources.DEEPSTATE_OTHER for lab in labels)
        and zone_sources.DEEPSTATE_OTHER not in opts.actor_map
    ):
        first = frame["name"].iloc[0] if "name" in columns else None
        raise InputError(
            f"{name}: no feature carries a DeepState status in 'name' (first: {str(first)[:60]!r}); "
            "for other files give --source generic with --actor or --actor-field"
        )
    return out


def _labels(frame, columns: list, name: str, kind: str, opts: _Options) -> list[str]:
    """The label of every feature: DeepState's status class, NZZ's type, or the actor field's value."""
    if kind == "deepstate":
        if not columns:  # the DeepStateMap archive files: the occupied area, no properties at all
            return ["occupied"] * len(frame)
        if "name" not in columns:
            raise InputError(
                f"{name}: --source deepstate, but the features have no 'name' with a DeepState status "
                f"(fields: {', '.join(columns)}); leave --source out to detect the source, or give --source generic"
            )
        return [zone_sources.deepstate_class(v) for v in frame["name"].tolist()]
    wanted = "type" if kind == "nzz" else (opts.actor_field or next((c for c in ACTOR_FIELDS if c in columns), None))
    if wanted is None or wanted not in columns:
        what = "'type'" if kind == "nzz" else f"actor field ({', '.join(ACTOR_FIELDS)})"
        raise InputError(
            f"{name}: zones carry no {what} (fields: {', '.join(columns) or 'none'}); "
            "name the field with --actor-field F"
        )
    out = []
    for i, value in enumerate(frame[wanted].tolist()):
        text = "" if value is None or value != value else clean_label(value)
        if not text:
            raise InputError(f"{name} feature {i + 1}: empty {wanted!r}; every zone needs a status")
        out.append(text)
    return out


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
    """Geodesic km² shared by two zones (0 when they only touch).

    The whole zones are intersected: cutting each part to the other's box first (the overlay
    engine's path) measures the same real overlaps but other float-noise slivers where zones
    touch (4.8e-5 m² where this gives 0), which the sliver warning would print, and is no faster
    for two zones touching along a whole front (bench/floor.py).
    """
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
                problems.append(
                    Problem(
                        "warning",
                        day,
                        f"zones of {w} and {other} overlap by {shared:.3f} km²; given to {w} (--allow-overlap)",
                    )
                )
    names = list(zones)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = overlap_km2(zones[a], zones[b])
            if shared > OVERLAP_TOLERANCE_KM2:
                raise InputError(
                    f"{day} ({', '.join(snap.sources)}): zones of {a} and {b} overlap by {shared:.3f} km²; "
                    f"fix the zones, or pass --allow-overlap {a} (or {b}) to say who holds the overlap"
                )
            if shared > 0:
                slivers.append((shared, day, a, b))


def check_rest(rest: str, zone_actors) -> None:
    """--rest names who holds the ground no zone covers: a zone's own actor cannot be it (every
    district would go to that actor, the gains of the zone would be from itself)."""
    if name_key(rest) in {name_key(actor) for actor in zone_actors}:  # 'Russia' is russia, as in an actors file
        which = "the zone actor" if len(zone_actors) == 1 else "a zone actor"
        raise UsageError(f"--rest {rest} is {which}; --rest names who holds the area no zone covers")


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


def clip_note(clip, name: str) -> str:
    """What `zones area`'s clip_pct is a percentage of: the clip's geodesic km², whatever they hold.

    The clip cannot say whether it is land: districts drawn out to sea (the oblasts: 640,027 km², the
    land boundary 601,214 km²) make a land-and-sea denominator.
    """
    from .text import area

    km2 = float(geodesy.area_km2([clip])[0])
    return (
        f"clip_pct is the % of the {area(km2)} of {name} (all its polygons, geodesic), sea included if it "
        "holds sea; for the % of land give a land boundary as --clip"
    )


def clipped(zone, clip):
    """zone ∩ clip, the clip first cut to the zone's box (a national boundary has 100k+ vertices).

    `clip` is a geometry, or a Clip that keeps its cuts for the next dates.
    """
    if clip is None:
        return zone
    cut = clip.cut(zone.bounds) if isinstance(clip, Clip) else _cut(clip, zone.bounds)
    return polygonal(shapely.intersection(zone, cut))


def _cut(clip, box):
    cut = shapely.clip_by_rect(clip, *box)
    return cut if shapely.is_valid(cut) else clip  # clip_by_rect may be invalid in degenerate cases


class Clip:
    """A reference area (a national boundary) cut to zones' boxes, each cut made and checked once.

    A zone's box is widened to a coarse grid over the clip (CLIP_GRID steps a
    side), so the zones of a series share a few cuts: the validity check of a
    100k-vertex cut is made once, not on every date. The cut only has to hold
    the zone's box: the intersection is the same (tests compare it with the
    cut to the zone's own box, geometry for geometry).
    """

    def __init__(self, geom):
        self.geom = geom
        x0, y0, x1, y1 = geom.bounds
        self.origin = np.array([x0, y0, x0, y0])
        self.step = max(x1 - x0, y1 - y0) / CLIP_GRID or 1.0
        self.cuts: dict = {}

    def cut(self, bounds):
        cells = (np.asarray(bounds, dtype=float) - self.origin) / self.step
        key = (*np.floor(cells[:2]).astype(int), *np.ceil(cells[2:]).astype(int))
        if key not in self.cuts:
            self.cuts[key] = _cut(self.geom, self.origin + np.asarray(key, dtype=float) * self.step)
        return self.cuts[key]


CLIP_GRID = 8


def zone_areas(zoneset: ZoneSet, clip=None, progress=None):
    """km² per actor per date (geodesic, within `clip` when given) and the change since the previous date.

    Every actor has a row on every date (0 when it has no zone that day), so a
    change is never lost to a missing row; the first date's change is None.
    Within a clip, a zone is measured from the actor's zone before it wherever
    that gives the figure of zone ∩ clip (conflictmap.clip_area).
    """
    import pandas as pd

    from .clip_area import SeriesAreas

    rows, previous, before = [], {}, None
    total = len(zoneset.snapshots)
    clip = Clip(clip) if clip is not None else None
    within = SeriesAreas(clip.geom, lambda zone: float(geodesy.area_km2([clipped(zone, clip)])[0])) if clip else None
    for n, snap in enumerate(zoneset.snapshots, start=1):
        days = (snap.date - before).days if before else None
        for who in zoneset.actors:
            zone = snap.zones.get(who)
            if zone is None:
                area = 0.0
            else:
                area = within.km2(who, zone) if within else float(geodesy.area_km2([zone])[0])
            change = area - previous[who] if who in previous else None
            # Snapshots are irregular (a week, a month apart): the rate is what compares across steps.
            per_day = change / days if change is not None and days else None
            rows.append(
                {
                    "date": snap.date.isoformat(),
                    "actor": who,
                    "area_km2": area,
                    "change_km2": change,
                    "change_km2_per_day": per_day,
                }
            )
            previous[who] = area
        before = snap.date
        if progress:
            progress(n, total)
    table = pd.DataFrame(rows, columns=["date", "actor", "area_km2", "change_km2", "change_km2_per_day"])
    if clip is not None:  # the share of the reference area held: the figure people quote ("18% of Ukraine")
        table["clip_pct"] = table["area_km2"] / float(geodesy.area_km2([clip.geom])[0]) * 100
    # Floats always (0.0, not 0; a missing change is NaN, null in JSON): one type per key for consumers.
    return table.astype({"area_km2": float, "change_km2": float, "change_km2_per_day": float})


# A step is flagged when it moves more than this share of the reference area (the clip, the districts,
# else the largest zone of the series) and more than the neighbouring steps together.
BREAK_SHARE = 0.02


def series_breaks(table, total_km2: float, sources: dict) -> list:
    """Warnings for steps of a zone series that look like a change of definition, not of the front.

    `table` has date, actor, area_km2 (dates in order); `sources` maps an ISO date
    to its file names. A step is implausible when its change exceeds
    BREAK_SHARE of `total_km2` *and* the absolute changes of the steps before and
    after it together (a series of two dates has no step to compare with): a map that stops drawing the areas held since 2014 drops
    by thousands of km² between two small steps. The warning names both files.
    """
    out = []
    for actor, rows in table.groupby("actor", sort=True):
        dates, area = rows["date"].tolist(), rows["area_km2"].to_numpy(dtype=float)
        step = np.diff(area)
        if len(step) < 2:  # one step has nothing to be compared with
            continue
        for i, change in enumerate(step):
            around = (abs(step[i - 1]) if i > 0 else 0.0) + (abs(step[i + 1]) if i + 1 < len(step) else 0.0)
            if abs(change) <= BREAK_SHARE * total_km2 or abs(change) <= around:
                continue
            before, after = "; ".join(sources.get(dates[i], [])), "; ".join(sources.get(dates[i + 1], []))
            out.append(
                Problem(
                    "warning",
                    "zones",
                    (
                        f"{actor} {change:+,.0f} km² from {dates[i]} ({before}) to {dates[i + 1]} ({after}): more than "
                        f"{BREAK_SHARE:.0%} of {total_km2:,.0f} km² and more than the steps before and after it together "
                        f"({around:,.0f} km²); check that both files draw the same thing (a source that stops drawing an area "
                        "reads as a battlefield change)"
                    ),
                )
            )
    return out


def area_series(zoneset: ZoneSet, clip=None, progress=None):
    """(zone_areas of the series, the warnings of its breaks): what every command reading a zone series checks.

    The breaks are measured on the areas `zones area` prints (within `clip` when
    given) against the clip's area, else the largest zone (total_for_breaks), so
    `zones area`, `zones movement` and `frontline ZONES` flag the same steps.
    """
    table = zone_areas(zoneset, clip, progress=progress)
    reference = float(geodesy.area_km2([clip])[0]) if clip is not None else None
    return table, series_breaks(table, total_for_breaks(zoneset, reference), sources_by_date(zoneset))


def total_for_breaks(zoneset: ZoneSet, reference_km2: float | None = None) -> float:
    """The area a step is compared with: the reference (clip, districts), else the largest zone of the series."""
    if reference_km2:
        return float(reference_km2)
    largest = [float(geodesy.area_km2([z])[0]) for snap in zoneset.snapshots for z in snap.zones.values()]
    return max(largest, default=0.0)


def sources_by_date(zoneset: ZoneSet) -> dict:
    """The files each snapshot came from, by ISO date."""
    return {snap.date.isoformat(): list(snap.sources) for snap in zoneset.snapshots}
