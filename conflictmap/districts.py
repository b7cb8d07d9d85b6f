"""District polygons: read, detect fields, check and repair geometry, measure areas once."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from . import geodesy
from .errors import InputError, Problem, UsageError
from .io import label, read_vector
from .model import closest

ID_FIELDS = ("id", "Id", "ID", "shapeID", "district_id", "districtid", "code", "pcode", "fid")
NAME_FIELDS = ("name", "NAME", "Name", "shapeName", "district", "name_en", "NAME_EN", "ADM2_EN", "ADM1_EN", "neighbourhood")
POP_FIELDS = ("population", "pop", "Population", "POPULATION", "POP", "pop_total", "total_pop", "inhabitants")
LONLAT_BOUNDS = (-180.0, -90.0, 180.0, 90.0)


@dataclass
class Fields:
    """The attribute fields used for id, name and population (None when absent)."""

    id: str | None = None
    name: str | None = None
    population: str | None = None
    dissolved: int = 0
    problems: list = field(default_factory=list)


def detect_field(columns, wanted: str | None, candidates, role: str, option: str, source: str) -> str | None:
    """The column for a role: the one named by the user, else the first common name present."""
    if wanted:
        if wanted in columns:
            return wanted
        near = closest(wanted, columns)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise UsageError(f"{source}: no field {wanted!r} for {option}{hint}; fields: {', '.join(columns) or 'none'}")
    for cand in candidates:
        if cand in columns:
            return cand
    lowered = {c.lower(): c for c in columns}
    for cand in candidates:
        if cand.lower() in lowered:
            return lowered[cand.lower()]
    return None


def _as_text(values) -> list[str]:
    """Ids as plain strings: 16, 16.0 and '16' are the same id."""
    out = []
    for v in values:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append("" if v is None or (isinstance(v, float) and v != v) else str(v).strip())
    return out


def _check_geometry(gdf, source: str, ids) -> None:
    geoms = gdf.geometry.values
    missing = np.flatnonzero(shapely.is_missing(np.asarray(geoms)) | shapely.is_empty(np.asarray(geoms)))
    if len(missing):
        i = missing[0]
        raise InputError(f"{source} feature {i + 1} (id {ids[i]!r}): empty or missing geometry; give every district a polygon or remove the feature")
    kinds = shapely.get_type_id(np.asarray(geoms))
    bad = np.flatnonzero(~np.isin(kinds, (3, 6)))  # Polygon, MultiPolygon
    if len(bad):
        i = bad[0]
        kind = geoms[i].geom_type
        raise InputError(f"{source} feature {i + 1} (id {ids[i]!r}): geometry is a {kind}; districts must be Polygons or MultiPolygons ({len(bad)} such features)")
    coords = shapely.get_coordinates(np.asarray(geoms))
    if not np.isfinite(coords).all():
        counts = shapely.get_num_coordinates(np.asarray(geoms))
        bad_at = np.flatnonzero(~np.isfinite(coords).all(axis=1))[0]
        i = int(np.searchsorted(np.cumsum(counts), bad_at, side="right"))
        raise InputError(f"{source} feature {i + 1} (id {ids[i]!r}): NaN or infinite coordinates; fix or remove that feature")


def _set_crs(gdf, source: str):
    if gdf.crs is not None:
        return gdf
    minx, miny, maxx, maxy = gdf.total_bounds
    lo = LONLAT_BOUNDS
    if minx >= lo[0] and miny >= lo[1] and maxx <= lo[2] and maxy <= lo[3]:
        return gdf.set_crs(4326)
    raise InputError(
        f"{source}: no CRS and coordinates outside lon/lat range (x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f}) "
        "look projected; give the file a CRS (e.g. ogr2ogr -a_srs EPSG:32637 out.gpkg in.geojson)"
    )


def _repair(gdf, source: str, ids, problems: list) -> None:
    geoms = np.asarray(gdf.geometry.values)
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if not len(invalid):
        return
    fixed = shapely.make_valid(geoms[invalid])
    # make_valid may return collections with stray lines; keep the polygonal part.
    fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
    geoms = geoms.copy()
    geoms[invalid] = fixed
    gdf.geometry = geoms
    shown = ", ".join(repr(ids[i]) for i in invalid[:5]) + (" ..." if len(invalid) > 5 else "")
    problems.append(Problem("warning", source, f"{len(invalid)} invalid polygon(s) repaired with make_valid (ids {shown})"))


def _polygonal(geom):
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geom


def _dissolve(gdf, source: str, fields: Fields):
    groups = gdf.groupby("id", sort=False)
    merged = groups.agg({"name": "first", "population": "sum"} if "population" in gdf else {"name": "first"})
    names = groups["name"].nunique()
    for did in names[names > 1].index:
        fields.problems.append(Problem("warning", source, f"--dissolve merged features with id {did!r} but different names: {', '.join(sorted(set(gdf.loc[gdf.id == did, 'name'])))}"))
    merged["geometry"] = groups.geometry.agg(lambda s: shapely.union_all(np.asarray(s.values)))
    fields.dissolved = len(gdf) - len(merged)
    import geopandas as gpd

    return gpd.GeoDataFrame(merged.reset_index(), geometry="geometry", crs=gdf.crs)


def load_districts(source, id_field=None, name_field=None, population_field=None, dissolve=False):
    """Districts as a GeoDataFrame in EPSG:4326 with id, name, population, area_km2 (geodesic).

    Returns (districts, fields, source_crs_label).
    """
    import geopandas as gpd

    where = label(source)
    raw = read_vector(source)
    if len(raw) == 0:
        raise InputError(f"{where}: no features; expected district polygons")
    columns = [c for c in raw.columns if c != raw.geometry.name]
    fields = Fields()
    fields.id = detect_field(columns, id_field, ID_FIELDS, "id", "--id-field", where)
    fields.name = detect_field(columns, name_field, NAME_FIELDS, "name", "--name-field", where)
    fields.population = detect_field(columns, population_field, POP_FIELDS, "population", "--population-field", where)
    if fields.id is None and fields.name is None:
        raise InputError(f"{where}: no id field found (fields: {', '.join(columns) or 'none'}); name one with --id-field")
    if fields.id is None:
        fields.problems.append(Problem("warning", where, f"no id field; using {fields.name!r} as the id"))
    ids = _as_text(raw[fields.id or fields.name])
    names = _as_text(raw[fields.name]) if fields.name else list(ids)
    blank = [i for i, v in enumerate(ids) if not v]
    if blank:
        raise InputError(f"{where} feature {blank[0] + 1}: empty id in field {fields.id or fields.name!r}; give every district an id")
    gdf = gpd.GeoDataFrame({"id": ids, "name": names}, geometry=raw.geometry.values, crs=raw.crs)
    if fields.population:
        gdf["population"] = _population(raw[fields.population], where, fields.population)
    _check_geometry(gdf, where, ids)
    gdf = _set_crs(gdf, where)
    source_crs = gdf.crs.to_string()
    _repair(gdf, where, ids, fields.problems)
    dupes = gdf["id"][gdf["id"].duplicated()].unique().tolist()
    if dupes and not dissolve:
        shown = ", ".join(map(repr, dupes[:8])) + (" ..." if len(dupes) > 8 else "")
        raise InputError(f"{where}: {len(dupes)} duplicate district id(s): {shown}; fix the ids or pass --dissolve to merge features that share an id")
    if dupes:
        gdf = _dissolve(gdf, where, fields)
    gdf = gdf.to_crs(4326) if not gdf.crs.equals("EPSG:4326") else gdf
    gdf["area_km2"] = geodesy.area_km2(gdf.geometry.values)
    gdf = gdf.reset_index(drop=True)
    return gdf, fields, source_crs


def _population(column, where: str, name: str):
    import pandas as pd

    values = pd.to_numeric(column, errors="coerce")
    bad = values.isna() & column.notna() & (column.astype(str).str.strip() != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{where} feature {i + 1}: population {column.iloc[i]!r} in field {name!r} is not a number")
    return values.to_numpy(dtype=float)
