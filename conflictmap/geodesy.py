"""Geodesic measures on the WGS84 ellipsoid: never square degrees."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod

WGS84 = Geod(ellps="WGS84")


def _ring_area(ring) -> float:
    lon, lat = shapely.get_coordinates(ring).T
    area, _ = WGS84.polygon_area_perimeter(lon, lat)
    return abs(area)


def _polygon_area(poly) -> float:
    return _ring_area(poly.exterior) - sum(_ring_area(r) for r in poly.interiors)


def area_km2(geometries) -> np.ndarray:
    """Geodesic area in km² of lon/lat (EPSG:4326) polygons; 0 for other or empty geometries.

    Rings are measured one by one with absolute values, so the result does not
    depend on ring orientation (input files get it wrong often).
    """
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        parts = shapely.get_parts(geom)
        out[i] = sum(_polygon_area(p) for p in parts if p.geom_type == "Polygon")
    return out / 1e6


def length_km(geometries) -> np.ndarray:
    """Geodesic length in km of lon/lat lines (polygon rings count as their boundary)."""
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is not None and not geom.is_empty:
            out[i] = WGS84.geometry_length(geom)
    return out / 1e3
