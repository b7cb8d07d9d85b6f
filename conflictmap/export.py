"""GIS layers on a date and their writers: GeoJSON (RFC 7946), GeoJSONSeq (RFC 8142), GeoPackage, FlatGeobuf.

Layers:
- districts: every district with flat properties a GIS can style on
  (controller = single or largest holder, null for a tie; one share_<actor> column per actor);
- frontline: where areas of different controllers meet (conflictmap.frontline);
- changes: the districts that changed hands since a date (conflictmap.changes).

GeoJSON text is written here rather than by GDAL so that it streams feature by
feature to a pipe, and so that RFC 7946 holds whatever GDAL version is
installed: lon/lat WGS84, exterior rings counter-clockwise and holes clockwise,
no `crs` member, coordinates rounded to `precision` decimals (6 ≈ 0.1 m).
Properties are never rounded. GeoPackage and FlatGeobuf go through pyogrio,
at full precision, to a file only (they need to seek).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .errors import Problem, UsageError
from .districts import other_name_columns
from .figures import confidence_in_force, controller_labels, state_on
from .frontline import front_lines, sole_holder
from .io import _quiet_gdal, atomic_path, check_not_input, output_format
from .transfer import share_matrix
from .values import plain

__all__ = ["Request", "Layer", "make_request", "export", "export_zone_front", "build_layer"]

LAYERS = ("districts", "frontline", "changes", "gains")
EXPORT_FORMATS = ("geojson", "geojsonseq", "gpkg", "fgb")
TEXT_FORMATS = ("geojson", "geojsonseq")
DRIVERS = {"gpkg": "GPKG", "fgb": "FlatGeobuf"}
EXPORT_SUFFIXES = {
    ".gpkg": "gpkg",
    ".fgb": "fgb",
    ".geojsonseq": "geojsonseq",
    ".geojsons": "geojsonseq",
    ".geojsonl": "geojsonseq",
    ".ndjson": "geojsonseq",
    ".jsonl": "geojsonseq",
    ".geojson": "geojson",
    ".json": "geojson",
}
DEFAULT_PRECISION = 6
RS = b"\x1e"  # RFC 8142 record separator
CHUNK = 1000  # features serialised per vectorised step (bounds memory while streaming)
GEOMETRY_TYPES = dict.fromkeys(("districts", "changes", "gains"), "MultiPolygon") | {"frontline": "MultiLineString"}
LOG_TABLE = "control"
ACTORS_TABLE = "actors"


@dataclass
class Request:
    """What to export, checked before any data is loaded (usage errors come first)."""

    layer: str = "districts"
    fmt: str = "geojson"
    output: str = "-"
    precision: int = DEFAULT_PRECISION
    rs: bool = False
    since: dt.date | None = None
    gap_m: float | None = None  # the least bridging; None: detected (frontline.resolve_gap)


@dataclass
class Layer:
    name: str
    frame: object  # GeoDataFrame in EPSG:4326
    problems: list = field(default_factory=list)
    date: dt.date | None = None  # the date the layer shows


def make_request(layer="districts", fmt=None, output="-", precision=None, rs=False, since=None, gap_m=None) -> Request:
    """A checked Request; the format defaults to the output's suffix (geojson on stdout)."""
    output = output or "-"
    if layer not in LAYERS:
        raise UsageError(f"--layer {layer!r} is not a layer; choose one of {', '.join(LAYERS)}")
    fmt = _format(fmt, output)
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format {fmt!r} is not a geographic format; choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt in DRIVERS and output == "-":
        raise UsageError(f"--format {fmt} cannot stream to stdout; write it to a file with -o FILE.{fmt}")
    if precision is not None and fmt not in TEXT_FORMATS:
        raise UsageError(f"--precision applies to geojson and geojsonseq; {fmt} keeps full precision, drop --precision")
    if precision is not None and not 0 <= precision <= 15:
        raise UsageError(f"--precision {precision} is out of range; give 0 to 15 decimals (6 is about 0.1 m)")
    if rs and fmt != "geojsonseq":
        raise UsageError("--rs (RFC 8142 record separators) applies to --format geojsonseq only")
    if layer == "changes" and since is None:
        raise UsageError("--layer changes needs --since D0: the districts that changed hands after D0")
    if layer == "gains" and since is None:
        raise UsageError("--layer gains needs --since D0: the ground gained and lost after D0")
    if since is not None and layer not in ("changes", "gains"):
        raise UsageError("--since applies to --layer changes and gains only")
    if gap_m and layer not in ("frontline", "gains"):
        raise UsageError("--gap applies to --layer frontline and gains only")
    if output != "-" and Path(output).is_dir():
        raise UsageError(f"-o {output} is a folder; give a file name, e.g. {Path(output) / ('export.' + fmt)}")
    return Request(layer, fmt, output, DEFAULT_PRECISION if precision is None else precision, rs, since, gap_m)


def _format(given: str | None, output: str) -> str:
    """-f, else the format the -o suffix names; an unknown or contradicting suffix is a usage error
    (io.output_format): a GeoJSON text in x.csv, or a GeoPackage in x.shp, would be read wrongly by the next tool."""
    if output == "-" or Path(output).is_dir():  # a folder gets its own message below
        return given or "geojson"
    if given is None and Path(output).suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError(f"-o {output}: unknown output suffix; use .geojson, .geojsonl, .gpkg or .fgb, or give -f")
    return output_format(output, given, EXPORT_SUFFIXES)


# ---------------------------------------------------------------- layers


def district_layer(ds, date: dt.date | None = None):
    """One feature per district: id, name, controller, controller_share, controllers, share_<actor>...,
    date_in_force, area_km2, population, source, fill, confidence (of the rows in force) and the
    district's other names, each named as its field (name_ar, ...).

    `controller` is the single holder, or the largest holder of a split district, with its share in
    `controller_share`; `controllers` spells out a split ("government 0.5; kurdish forces 0.5"). A
    district tied for the largest share has no controller (null, with the tied share in
    `controller_share`) and the contested grey as `fill`: naming one of the tied would make the layer
    depend on how the actors are spelled (frontline.ties). The share_ columns
    cover every actor of the dataset, so a day-by-day series of exports keeps one
    schema. `fill` is the colour the map of that date gives the controller (plots.map_colours: the
    actors file's, else the conventional colour of a well-known actor, else a palette colour;
    simplestyle-spec, which GitHub and geojson.io render).
    """
    import geopandas as gpd

    d = ds.districts
    n = len(d)
    state = state_on(ds, date)
    holder, top_share = sole_holder(state, n)  # a tie has no controller
    out = pd.DataFrame(
        {
            "id": d["id"].to_numpy(),
            "name": d["name"].to_numpy(),
            "controller": holder,
            "controller_share": top_share,
            "controllers": controller_labels(state).reindex(range(n)).to_numpy(dtype=object),
        }
    )
    actors = sorted(set(ds.actors.names) | set(ds.log["controller"]) | set(state["controller"]) | {ds.initial})
    matrix = share_matrix(state, actors, n)
    for actor, column in share_columns(actors).items():
        out[column] = matrix[:, actors.index(actor)]
    dates = state.groupby("idx")["date"].first().reindex(range(n))
    out["date_in_force"] = [None if pd.isna(t) else t.date().isoformat() for t in dates]
    out["area_km2"] = d["area_km2"].to_numpy(dtype=float)
    out["population"] = d["population"].to_numpy(dtype=float) if ds.has_population else np.nan
    out["source"] = _sources(state, n)
    out["fill"] = _fills(ds, date, state, holder, top_share)
    out["confidence"] = confidence_in_force(state, n)
    for column, values in other_name_columns(d, ds.fields, set(out.columns)).items():
        out[column] = values
    return gpd.GeoDataFrame(out, geometry=d.geometry.to_numpy(), crs=4326)


def _fills(ds, date, state, holder, top_share) -> list:
    """Each district's controller's colour on the map of `date`; a tie (no controller, a share) gets the
    map's grey for ground no one actor holds, and a district no row covers None."""
    from .figures import shares
    from .plots import CONTESTED_FACE, map_colours

    colours = map_colours(ds, state, shares(ds, date))
    return [colours.get(h) if h is not None else CONTESTED_FACE if s > 0 else None for h, s in zip(holder, top_share)]


def _sources(state, count: int) -> np.ndarray:
    """Per district, the distinct sources of the rows in force, joined with '; ' (None when none)."""
    named = state[state["source"].fillna("").astype(str) != ""].drop_duplicates(["idx", "source"])
    return named.groupby("idx")["source"].agg("; ".join).reindex(range(count)).to_numpy(dtype=object)


def share_columns(actors) -> dict[str, str]:
    """share_<actor> column names: lower case, runs of other characters as '_', unique."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for actor in actors:
        base = "share_" + (re.sub(r"\W+", "_", actor.casefold()).strip("_") or "actor")
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names[actor] = name
    return names


# The columns of the changes layer and their types: one schema whatever the number of rows (an empty
# layer's columns would otherwise be typed Real by pandas, and a GeoPackage table appended to daily breaks).
CHANGES_SCHEMA = {
    "id": str,
    "name": str,
    "from": str,
    "to": str,
    "date": str,
    "area_km2": float,
    "moved_km2": float,
    "population": float,
    "source": str,
}


def typed(frame, schema: dict):
    """The frame with each column of `schema` as its type: str (text, missing as None), float or int."""
    for column, kind in schema.items():
        values = frame[column]
        if kind is str:
            frame[column] = pd.Series(values.to_numpy(dtype=object), index=frame.index, dtype=object).where(
                values.notna(), None
            )
        else:
            frame[column] = values.astype("float64" if kind is float else "int64")
    return frame


def changes_layer(ds, since: dt.date, date: dt.date | None = None):
    """The districts that changed hands after `since` up to `date`: CHANGES_SCHEMA, `moved_km2` the km² that
    moved by the log's shares (the whole district for a whole-district change), as `changes` gives it."""
    import geopandas as gpd

    from .changes import changes

    table = changes(ds, since, date)
    if "population" not in table.columns:
        table["population"] = np.nan  # the same schema as the districts layer
    table = typed(table.reindex(columns=list(CHANGES_SCHEMA)).reset_index(drop=True), CHANGES_SCHEMA)
    where = pd.Index(ds.districts["id"]).get_indexer(table["id"])
    return gpd.GeoDataFrame(table, geometry=ds.districts.geometry.to_numpy()[where], crs=4326)


def build_layer(ds, request: Request, date: dt.date | None) -> Layer:
    """The layer a request names, on `date` (None: the last date of the log)."""
    date = date or ds.last_date
    if request.layer == "frontline":
        result = front_lines(ds, date, request.gap_m)
        return Layer("frontline", result.lines, result.problems, date)
    if request.layer == "changes":
        if date is not None and request.since > date:
            raise UsageError(f"--since {request.since} is after --date {date}; give D0 on or before the export date")
        return Layer("changes", changes_layer(ds, request.since, date), date=date)
    if request.layer == "gains":  # the strips gained and lost (conflictmap.movement)
        from .frontline import resolve_gap
        from .movement import gains_layer

        gap, note = resolve_gap(ds.districts.geometry.values, request.gap_m)  # said as frontline says it
        return Layer("gains", gains_layer(ds, request.since, date, gap, resolved=True), [note] if note else [], date)
    return Layer("districts", district_layer(ds, date), date=date)


def log_table(ds):
    """The control log as a plain table (date, district id, controller, share, source, confidence, note).

    Written next to the districts in a GeoPackage, it reads back as --control:
    shares are explicit (a remainder is an `unknown` row), dates are ISO text.
    """
    log = ds.log
    return pd.DataFrame(
        {
            "date": log["date"].dt.strftime("%Y-%m-%d"),
            "district": log["district"].astype(str),
            "controller": log["controller"],
            "share": log["share"].astype(float),
            "source": log["source"],
            "confidence": log["confidence"],
            "note": log["note"],
        }
    )


def actors_table(ds):
    """The actors, their aliases, colours and groups, and the log's initial holder, as a plain table.

    With it a GeoPackage export reads back (-d x.gpkg -c x.gpkg) with the figures
    of the original inputs: the initial holder of districts before their first
    row, and the same actor names, is part of what the figures mean.
    """
    actors = ds.actors
    aliases = {n: [a for a in actors.labels(n) if a != n] for n in actors.names}
    rows = [
        {"kind": "actor", "name": n, "value": "; ".join(aliases[n]), "colour": actors.colours.get(n, "")}
        for n in actors.names
    ]
    rows += [{"kind": "group", "name": g, "value": "; ".join(m), "colour": ""} for g, m in actors.groups.items()]
    rows.append({"kind": "initial", "name": ds.initial, "value": "", "colour": ""})
    rows.append({"kind": "strict", "name": "true" if actors.strict else "false", "value": "", "colour": ""})
    return pd.DataFrame(rows, columns=["kind", "name", "value", "colour"])


# ---------------------------------------------------------------- writers


def export(ds, request: Request, date: dt.date | None, stream=None) -> Layer:
    """Build the layer and write it: to the binary `stream` when output is '-', else atomically to the file."""
    if request.output != "-":
        check_not_input(request.output, ds.inputs.paths())
    layer = build_layer(ds, request, date)
    if request.output == "-":
        layer.problems += write_text(layer.frame, stream, request)
    else:
        write_file(layer, request, ds)
    return layer


def export_zone_front(zoneset, clip, request: Request, date: dt.date | None, inputs=(), stream=None) -> Layer:
    """The front along the zones' edges (frontline.zone_front_lines) on the snapshot in force on `date`
    (default: the last), written like any layer: date, actor, length_km per zone actor."""
    from .frontline import zone_front_lines

    if request.layer != "frontline":
        raise UsageError(
            f"--zones gives --layer frontline only, not {request.layer}; drop --zones for districts layers"
        )
    if request.output != "-":
        check_not_input(request.output, list(inputs))
    dates = [s.date for s in zoneset.snapshots]
    day = max((d for d in dates if date is None or d <= date), default=None)
    if day is None:
        raise UsageError(f"--date {date} is before the first zone date ({dates[0]}); give a later date")
    snap = next(s for s in zoneset.snapshots if s.date == day)
    one = type(zoneset)([snap], zoneset.actors, zoneset.dates_from)
    layer = Layer("frontline", zone_front_lines(one, clip), date=day)
    if request.output == "-":
        layer.problems += write_text(layer.frame, stream, request)
    else:
        write_file(layer, request)
    return layer


def write_file(layer: Layer, request: Request, ds=None) -> None:
    """Write to a temporary file in the output's folder, then rename: a failure leaves the old file intact."""
    with atomic_path(request.output) as tmp:
        if request.fmt in TEXT_FORMATS:
            with open(tmp, "wb") as fh:
                layer.problems += write_text(layer.frame, fh, request)
                fh.flush()
                os.fsync(fh.fileno())
        else:
            write_ogr(layer, tmp, request.fmt, ds)


def write_ogr(layer: Layer, path, fmt: str, ds=None) -> None:
    """GeoPackage or FlatGeobuf via pyogrio; a districts GeoPackage also carries the control log."""
    import pyogrio

    # GeoPackage 1.2: what GDAL 3.12 writes by default (1.4) makes older GDAL/QGIS warn.
    options = {"VERSION": "1.2"} if fmt == "gpkg" else None
    frame, layer_options = _null_empty_geometries(layer, fmt)
    # A polygon layer is MultiPolygon whatever its features are (as ogr2ogr -nlt PROMOTE_TO_MULTI): its type
    # must not depend on which districts a --land mask happened to empty.
    polygons = frame.geometry.dropna().geom_type.isin(["Polygon", "MultiPolygon"]).all()
    drawn = frame.geometry.notna().any()
    with _quiet_gdal(), _gpkg_timestamp(layer.date):
        pyogrio.write_dataframe(
            frame,
            path,
            layer=layer.name,
            driver=DRIVERS[fmt],
            dataset_options=options,
            layer_options=layer_options,
            promote_to_multi=True if polygons and drawn else None,
            # A layer with no geometry (a quiet day's changes) has the type it has on other days, not Unknown.
            geometry_type=None if drawn else GEOMETRY_TYPES[layer.name],
        )
        if fmt == "gpkg" and layer.name == "districts" and ds is not None and len(ds.log):
            pyogrio.write_dataframe(log_table(ds), path, layer=LOG_TABLE, driver="GPKG")
            pyogrio.write_dataframe(actors_table(ds), path, layer=ACTORS_TABLE, driver="GPKG")


def _null_empty_geometries(layer: Layer, fmt: str):
    """The frame with empty geometries (a district wholly outside --land) as NULL, as GeoJSON writes them.

    An empty GEOMETRYCOLLECTION in a MultiPolygon layer is a type mismatch for strict readers.
    FlatGeobuf's packed R-tree cannot hold a NULL geometry (GDAL refuses the feature), so such a
    layer is written without the index, and a note says so.
    """
    frame = layer.frame
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    if not empty.any():
        return frame, None
    frame = frame.copy()
    frame.loc[empty, frame.geometry.name] = None
    if fmt != "fgb":
        return frame, None
    first = f" (first: {frame['name'].iloc[int(np.argmax(empty))]})" if "name" in frame.columns else ""
    layer.problems.append(
        Problem(
            "note",
            "",
            f"{int(empty.sum())} feature(s) with no geometry{first} written as NULL, so the FlatGeobuf file "
            "has no spatial index (FlatGeobuf cannot index NULL geometries); export to .gpkg for an indexed file",
        )
    )
    return frame, {"SPATIAL_INDEX": "NO"}


@contextlib.contextmanager
def _gpkg_timestamp(date: dt.date | None):
    """Stamp the GeoPackage's last_change with the layer's date, not the clock: same data, same bytes."""
    import pyogrio

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    stamp = (date or dt.date(1970, 1, 1)).isoformat() + "T00:00:00.000Z"
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_text(frame, stream, request: Request) -> list:
    """GeoJSON or GeoJSONSeq to a binary stream, a chunk of features at a time; returns notes on the rounding.

    The geometry is rounded before anything is written, so that a --precision that would collapse a
    feature is refused with nothing on the stream (not half a FeatureCollection).
    """
    geometry, problems = rounded_geometry(frame, request.precision)
    features = feature_texts(frame, geometry)
    if request.fmt == "geojsonseq":
        prefix = RS if request.rs else b""
        for chunk in features:
            stream.write(b"".join(prefix + f + b"\n" for f in chunk))
        return problems
    # "name" is a foreign member (RFC 7946 §6.1) that GDAL and QGIS take as the layer name.
    stream.write(b'{"type":"FeatureCollection","name":' + json.dumps(request.layer).encode() + b',"features":[')
    sep = b"\n"
    for chunk in features:
        stream.write(sep + b",\n".join(chunk))
        sep = b",\n"
    stream.write(b"\n]}\n")
    return problems


def feature_texts(frame, geometry):
    """Lists of UTF-8 Feature texts, CHUNK at a time (`geometry`: rounded_geometry's, serialised by GEOS, vectorised)."""
    props = frame.drop(columns=frame.geometry.name)
    for start in range(0, len(frame), CHUNK):
        part = geometry[start : start + CHUNK]
        part = np.where(shapely.is_empty(part), None, part)  # a district with no land in the mask: null geometry
        geoms = shapely.to_geojson(part)
        records = _json_records(props.iloc[start : start + CHUNK])
        yield [
            b'{"type":"Feature","properties":' + r + b',"geometry":' + (g.encode() if g else b"null") + b"}"
            for r, g in zip(records, geoms)
        ]


def rounded_geometry(frame, precision: int) -> tuple[np.ndarray, list]:
    """The frame's geometry as rfc7946_geometry writes it, checked: a feature that rounding empties is a
    usage error (naming the least precision that keeps every feature), and a note says how many had to
    be snapped (set_precision) to stay valid, losing what is narrower than the grid."""
    original = frame.geometry.to_numpy()
    geometry, snapped = rfc7946_geometry(original, precision, snapped=True)
    had = ~(shapely.is_empty(original) | shapely.is_missing(original))
    lost = np.flatnonzero(had & shapely.is_empty(geometry))
    if len(lost):
        least = next(
            (p for p in range(precision + 1, 16) if not shapely.is_empty(rfc7946_geometry(original[lost], p)).any()), 15
        )
        raise UsageError(
            f"--precision {precision} rounds {len(lost)} of {len(frame)} feature(s) to nothing "
            f"(first: {_feature_name(frame, lost[0])}); give --precision {least} or more (6 is about 0.1 m)"
        )
    if not snapped.any():
        return geometry, []
    first = _feature_name(frame, int(np.argmax(snapped)))
    text = (
        f"--precision {precision}: {int(snapped.sum())} feature(s) (first: {first}) would be invalid rounded "
        f"vertex by vertex, so were snapped to the {10.0**-precision:g}° grid (shapely.set_precision), "
        "which drops the parts narrower than it; area_km2 stays that of the full geometry"
    )
    return geometry, [Problem("warning", "", text)]


def _feature_name(frame, i: int) -> str:
    """How a message names feature i: its district id, else its actor (pair), else its number."""
    named = [k for k in (["id"], ["actor_a", "actor_b"], ["actor", "from"], ["actor"]) if set(k) <= set(frame.columns)]
    keys = named[0] if named else []
    return " / ".join(repr(str(frame[k].iloc[i])) for k in keys) if keys else f"feature {i + 1}"


def rfc7946_geometry(geoms, precision: int, snapped: bool = False):
    """Coordinates rounded to `precision` decimals, then exteriors counter-clockwise and holes clockwise.

    Rounding can make neighbouring vertices equal: those repeats are dropped (a GIS reads
    [p, p] as a zero-length segment). Where rounding each vertex makes a geometry invalid (a ring
    crossing itself, or of under 3 points), it is snapped to the grid by GEOS instead, which keeps it
    valid (possibly empty). With `snapped`, also says which were.
    """
    geoms = np.asarray(geoms, dtype=object)
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, precision))
    bad = ~shapely.is_valid(rounded) & ~shapely.is_missing(rounded)
    rounded[bad] = shapely.set_precision(geoms[bad], 10.0**-precision)
    oriented = shapely.orient_polygons(shapely.remove_repeated_points(rounded), exterior_cw=False)
    return (oriented, bad) if snapped else oriented


def _json_records(props) -> list[bytes]:
    """Each row as a JSON object: NaN as null, numpy scalars as plain numbers, values unrounded."""
    columns = list(props.columns)
    rows = props.astype(object).where(props.notna(), None).itertuples(index=False, name=None)
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
    return [dumps(dict(zip(columns, map(plain, row)))).encode("utf-8") for row in rows]
