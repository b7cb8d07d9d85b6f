"""Low-level geometry helpers shared by districts, zones and the overlay: polygonal parts, lon/lat checks.

No file reading and no geopandas here: functions take shapely geometries,
bounds and CRS objects, so every layer above may use them.
"""

from __future__ import annotations

import numpy as np
import shapely

LONLAT_BOUNDS = (-180.0, -90.0, 180.0, 90.0)


def polygonal(geom):
    """The area part of a geometry as a Polygon or MultiPolygon (an empty Polygon when it has none).

    make_valid and intersections may return collections with stray lines or
    points; those have no area, and pyproj.Geod must not see them. None stays None.
    """
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = shapely.get_parts(shapely.get_parts(geom))  # collection -> members -> polygons
    polygons = parts[shapely.get_type_id(parts) == 3]
    if len(polygons) == 1:
        return polygons[0]
    return shapely.multipolygons(polygons) if len(polygons) else shapely.Polygon()


def clip_to_boxes(geoms, boxes) -> np.ndarray:
    """Each geometry clipped to its own box (rows of minx, miny, maxx, maxy, grown a hair);
    the geometry itself where that is not safe. Lets GEOS work on a few local vertices of a huge geometry.
    """
    geoms = np.asarray(geoms, dtype=object)
    x0, y0, x1, y1 = np.asarray(boxes, dtype=float).T
    pad = 1e-6 * np.maximum(x1 - x0, y1 - y0) + 1e-9  # far above float noise, far below any edge (degrees or metres)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    # shapely.clip_by_rect accepts one rectangle only; the ufunc beneath it
    # broadcasts, so every geometry is clipped to its own box in one C loop.
    with np.errstate(invalid="ignore"):
        cut = shapely.lib.clip_by_rect(geoms, x0, y0, x1, y1)
    # clip_by_rect is fast but may return an invalid polygon in degenerate cases,
    # and an empty box (NaN bounds) clips nothing: keep the whole geometry there.
    keep = ~shapely.is_valid(cut) | np.isnan(np.asarray(boxes, dtype=float)).any(axis=1)
    cut[keep] = geoms[keep]
    return cut


def fits_lonlat(bounds) -> bool:
    """Do (minx, miny, maxx, maxy) lie within the lon/lat range?"""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    lo = LONLAT_BOUNDS
    return minx >= lo[0] and miny >= lo[1] and maxx <= lo[2] and maxy <= lo[3]


def lonlat_problem(crs, bounds) -> str | None:
    """Why coordinates with these bounds cannot be read as lon/lat under `crs` (None: no CRS), or None when they can.

    Without a CRS, lon/lat is assumed only when the coordinates fit its range.
    A geographic CRS with coordinates outside that range is wrong too: GeoJSON is
    lon/lat by definition (RFC 7946), so GDAL reports EPSG:4326 even for metres.
    Bounds that are not finite (no coordinates) are not judged here.
    """
    if not np.isfinite(np.asarray(bounds, dtype=float)).all():
        return None
    if fits_lonlat(bounds):
        return degrees_problem(crs, bounds) or crs_problem(crs, bounds)
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    span = f"(x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f})"
    if crs is None:
        return (
            f"no CRS and coordinates outside lon/lat range {span} look projected; "
            "give the file a CRS (e.g. ogr2ogr -a_srs EPSG:32637 out.gpkg in.geojson)"
        )
    if crs.is_geographic:
        return (
            f"coordinates outside the lon/lat range {span} although the CRS is {crs.to_string()}; "
            "they look projected (metres): convert with the real CRS, e.g. "
            "ogr2ogr -s_srs EPSG:32637 -t_srs EPSG:4326 out.geojson in.geojson"
        )
    return crs_problem(crs, bounds)


def degrees_problem(crs, bounds) -> str | None:
    """Lon/lat degrees tagged with a projected CRS (QGIS "Set CRS" instead of "Reproject", a .prj copied from
    another layer): read as metres, every district lies within 180 m of the CRS's origin and measures ~1e-10 km².
    No real map of districts spans less than a few hundred metres, so such coordinates are refused."""
    if crs is None or not crs.is_projected:
        return None
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    span = f"{max(maxx - minx, maxy - miny):.2g} {'m' if unit == 'metre' else unit}"
    return (
        f"coordinates (x {minx:g}..{maxx:g}, y {miny:g}..{maxy:g}) look like lon/lat degrees, but the file says "
        f"its CRS is {crs.to_string()}, in which every polygon would lie within {span}; "
        "give it its real CRS (e.g. ogr2ogr -a_srs EPSG:4326 out.gpkg in.shp)"
    )


AREA_OF_USE_MARGIN = 10.0  # degrees: a UTM zone is often stretched over a country a little wider than its band


def crs_problem(crs, bounds) -> str | None:
    """Why coordinates with these bounds cannot be measured under `crs`, or None when they can.

    A CRS that is not a map CRS (geocentric x, y, z) or coordinates far outside
    the CRS's area of use (UTM in centimetres; Web Mercator beyond ±20,037,508 m,
    which PROJ wraps round the globe) would give NaN, 0 or wrapped areas.
    """
    if crs is None or not np.isfinite(np.asarray(bounds, dtype=float)).all():
        return None
    shown = crs.to_string()
    if not (crs.is_geographic or crs.is_projected):
        kind = "geocentric (x, y, z from the Earth's centre)" if crs.is_geocentric else crs.type_name
        return (
            f"CRS {shown} is {kind}, not a map CRS with areas; "
            "reproject the file to lon/lat, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.gpkg"
        )
    if crs.is_geographic:
        return None  # lon/lat ranges were checked by lonlat_problem
    native = _area_of_use_bounds(crs)
    if native is None:
        return None
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    x0, y0, x1, y1 = native
    aou = crs.area_of_use
    if minx >= x0 and miny >= y0 and maxx <= x1 and maxy <= y1:
        return None
    return (
        f"coordinates (x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f}) lie outside the area of use of its CRS {shown} "
        f"(lon {aou.west:g}..{aou.east:g}, lat {aou.south:g}..{aou.north:g}); wrong units (centimetres?) or a wrong CRS: "
        "give the file its real CRS (ogr2ogr -a_srs EPSG:XXXX)"
    )


def _area_of_use_bounds(crs):
    """The CRS's area of use grown by AREA_OF_USE_MARGIN degrees, in the CRS's own units (None when unknown)."""
    from pyproj import Transformer

    aou = crs.area_of_use
    if aou is None:
        return None
    m = AREA_OF_USE_MARGIN
    west, east = aou.west - m, aou.east + m
    if west < -180 or east > 180 or aou.east < aou.west:  # a band round the globe (or over the antimeridian)
        west, east = -180.0, 180.0
    south, north = max(aou.south - m, -89.9), min(aou.north + m, 89.9)
    try:
        box = Transformer.from_crs(4326, crs, always_xy=True).transform_bounds(west, south, east, north, densify_pts=21)
    except Exception:  # PROJ cannot say: do not judge
        return None
    box = np.asarray(box, dtype=float)
    return None if not np.isfinite(box).all() else box


CHUNK_VERTICES = 1 << 18  # vertices looked at in one go by the checks over every coordinate


def by_chunks(geoms, check) -> np.ndarray:
    """check(part) for consecutive slices of `geoms` of about CHUNK_VERTICES vertices, concatenated:
    the arrays of every coordinate are never all in memory at once (5M vertices are 120 MB each)."""
    geoms = np.asarray(geoms, dtype=object)
    ends = np.cumsum(shapely.get_num_coordinates(geoms))
    cuts = np.searchsorted(ends, np.arange(CHUNK_VERTICES, ends[-1] if len(ends) else 0, CHUNK_VERTICES), side="right")
    bounds = np.unique(np.r_[0, cuts, len(geoms)])
    parts = [check(geoms[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    return np.concatenate(parts) if parts else check(geoms)


def crosses_antimeridian(geoms) -> np.ndarray:
    """Per lon/lat geometry: does a ring jump more than 180° in longitude between two vertices?

    Such a ring is one polygon drawn across 180° (179° to -179°): geodesic
    measures see a small box, every planar step a band round the globe.
    """
    return by_chunks(geoms, _crosses_antimeridian)


def _crosses_antimeridian(geoms) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=bool)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    if not len(parts):
        return out
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    if len(coords) < 2:
        return out
    jump = (np.abs(np.diff(coords[:, 0])) > 180.0) & (ring_of[1:] == ring_of[:-1])
    owners = part_owner[ring_part[ring_of[1:][jump]]]
    out[np.unique(owners)] = True
    return out
