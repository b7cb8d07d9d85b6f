"""Geodesic measures on the WGS84 ellipsoid: never square degrees.

Areas (`area_km2`) are those of polygons whose edges are geodesics between
their vertices, as `pyproj.Geod.polygon_area_perimeter` measures them
(`geod_area_km2`, a Python loop over rings). The same figure is computed for
all polygons at once with array operations, and pyproj.Geod is asked only for
the polygons where an error bound does not guarantee it to 1e-10 relative:

1. Every vertex goes to the ellipsoidal Lambert cylindrical equal-area plane
   (Snyder 1987, eq. 3-12): ``x = a·(λ - λ0)``, ``y = a·q(φ)/2`` with
   ``q(φ) = (1-e²)·(sin φ/(1-e² sin²φ) + atanh(e sin φ)/e)``. The map is
   exactly equal-area, so a region's area on the ellipsoid is its area in
   the plane.
2. A ring's area in the plane with straight edges is the trapezoid sum
   ``-Σ dx·(y1+y2)/2``.
3. A geodesic edge is not straight in the plane: the ellipsoid's metric there
   is ``ds² = u dx² + dy²/u`` with ``u = cos²φ/(1-e² sin²φ)`` and
   ``du/dy = -2 sin φ/a``. Its Christoffel symbols bend the geodesic from p
   to q by ``δ(t) = Γ(d,d)·t(1-t)/2`` (d = q - p), so the lens between the
   geodesic and the chord has the signed area ``Γ(d,d)×d/12``, which for this
   metric is ``-dx·sin φ·(3 dy²/u + u dx²)/(12 a)`` (φ: the edge's mean
   latitude). Each edge's lens is added to the trapezoid sum. With Γ taken at
   the edge's middle, the terms of order L⁴ cancel by symmetry; what is left
   is of order L⁵.
4. The error bound per edge is ``K·L⁵/(a³ cos⁴φ)`` for the lens (L: the edge's
   length, K = 0.1; sweeps over latitude, azimuth and edges of 10 to 400 km
   against pyproj.Geod never needed more than 0.009, tests/test_geodesy.py),
   plus rounding: each projected coordinate is within 8·ε·a (6 nm) of its
   exact value, which moves a ring's area by at most that times its
   perimeter, and the pairwise sums round by at most (22 + log2 n)·ε of their
   terms' magnitudes.

A geometry whose bound exceeds 1e-10 of its area (edges of tens of km at high
latitude, tiny slivers), that spans more than 180° of longitude (a ring round
a pole is not a region of the plane) or holds coordinates outside lon/lat is
measured by pyproj.Geod instead. The two agree to 1e-9 relative or better
(about 1e-12 on district grids; pyproj.Geod's own rounding is ~1e-9 on
polygons of a few hectares).
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod

from .geometry import by_chunks

WGS84 = Geod(ellps="WGS84")
A = WGS84.a
E2 = WGS84.es
E = float(np.sqrt(E2))
EPS = float(np.finfo(float).eps)
TOLERANCE = 1e-10  # the fast path's error bound must stay under this share of a geometry's area
LENS_K = 0.1  # the O(L⁵) remainder of the lens correction: K·L⁵/(a³ cos⁴φ), 10× the largest seen
VERTEX_ERROR = 8 * EPS * A  # metres: how far a projected coordinate may be from its exact value


def area_km2(geometries) -> np.ndarray:
    """Geodesic area in km² of lon/lat (EPSG:4326) polygons; 0 for other or empty geometries.

    Rings are measured one by one with absolute values, so the result does not
    depend on ring orientation (input files get it wrong often). Vectorised in
    the equal-area plane with a per-edge geodesic correction, pyproj.Geod where
    the error bound does not hold (see the module docstring for the maths).

    Parameters
    ----------
    geometries : array-like of shapely geometries (None allowed)

    Returns
    -------
    numpy.ndarray
        km² per geometry, equal to `geod_area_km2` within 1e-10 relative (its error bound).
    """
    geoms = np.asarray(geometries, dtype=object)
    area, sure = plane_areas_m2(geoms)
    if not sure.all():
        area[~sure] = geod_area_km2(geoms[~sure]) * 1e6
    return area / 1e6


def plane_areas_m2(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """m² of each geometry from the equal-area plane, and whether its error bound is under TOLERANCE."""
    both = by_chunks(geoms, lambda part: np.column_stack(_plane_areas_m2(part)))
    return both[:, 0].copy(), both[:, 1].astype(bool)


def _plane_areas_m2(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    area = np.zeros(len(geoms))
    if (shapely.get_type_id(geoms) == 3).all() and not shapely.is_empty(geoms).any():
        parts, owner = geoms, np.arange(len(geoms))  # polygons only: each its own part (get_parts would copy each)
    else:
        parts, owner = shapely.get_parts(geoms, return_index=True)
        polygon = shapely.get_type_id(parts) == 3
        parts, owner = parts[polygon], owner[polygon]
    if (shapely.get_num_interior_rings(parts) == 0).all() and not shapely.is_empty(parts).any():
        rings, ring_part = parts, np.arange(len(parts))  # a polygon without holes reads as its ring (no copies)
    else:
        rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_owner = owner[ring_part]
    exterior = np.r_[True, ring_part[1:] != ring_part[:-1]]  # get_rings: each polygon's exterior, then its holes
    signed, bound = _ring_sums(rings, _origin(shapely.bounds(rings)))
    np.add.at(area, ring_owner, np.where(exterior, np.abs(signed), -np.abs(signed)))
    total_bound = np.zeros(len(geoms))
    np.add.at(total_bound, ring_owner, bound)
    minx, miny, maxx, maxy = shapely.bounds(geoms).T
    with np.errstate(invalid="ignore"):
        sure = (total_bound <= TOLERANCE * area) & (maxx - minx <= 180) & (miny >= -90) & (maxy <= 90)
    sure[np.isin(np.arange(len(geoms)), owner, invert=True)] = True  # nothing polygonal: 0 km², as for Geod
    return area, sure


def _origin(bounds) -> tuple[float, float]:
    """(λ0 in degrees, y0 in metres): the middle of the rings' extent, so plane coordinates stay small."""
    with np.errstate(invalid="ignore"):
        lon = (np.nanmin(bounds[:, 0]), np.nanmax(bounds[:, 2])) if len(bounds) else (0.0, 0.0)
        lat = (np.nanmin(bounds[:, 1]), np.nanmax(bounds[:, 3])) if len(bounds) else (0.0, 0.0)
    lon0 = 0.5 * (lon[0] + lon[1]) if np.isfinite(lon).all() else 0.0
    y = _authalic_y(np.sin(np.radians(np.asarray(lat, dtype=float))))
    return lon0, (0.5 * (y[0] + y[1]) if np.isfinite(y).all() else 0.0)


def _authalic_y(s):
    """y = a·q(φ)/2 of the cylindrical equal-area plane, from s = sin φ."""
    return 0.5 * A * (1 - E2) * (s / (1 - E2 * s * s) + np.arctanh(E * s) / E)


# Vertices measured at once: the twenty arrays of a chunk (128 KiB each) stay in the CPU's cache and are
# reused by the allocator (at 1 << 17 a fresh process took twice as long on 1M vertices, page faults of its
# first megabyte arrays included). Each ring is whole in one chunk, so a chunk's length stays >= the number
# of terms summed for any of its rings, as the rounding term of the bound needs.
CHUNK = 1 << 14


def _ring_sums(rings: np.ndarray, origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Per ring: the signed area in m² (trapezoids + geodesic lenses) and its error bound in m², in chunks of rings."""
    signed, bound = np.zeros(len(rings)), np.zeros(len(rings))
    counts = shapely.get_num_coordinates(rings)
    ends = np.cumsum(counts)
    first = 0
    while first < len(rings):
        last = max(int(np.searchsorted(ends, ends[first] - counts[first] + CHUNK, side="right")), first + 1)
        xy, ring_of = shapely.get_coordinates(rings[first:last], return_index=True)
        if len(xy) > 1:
            # ring_of runs up (coordinates come ring by ring): each ring starts where it changes.
            starts = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
            filled = ring_of[starts]  # empty rings have no vertex and keep 0
            signed[first + filled], bound[first + filled] = _chunk_sums(xy, ring_of, starts, origin)
        first = last
    return signed, bound


def _chunk_sums(xy, ring_of, starts, origin):
    lon0, y0 = origin
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        s = np.sin(np.radians(xy[:, 1]))
        x = A * np.radians(xy[:, 0] - lon0)
        y = _authalic_y(s) - y0
        # Edge i runs from vertex i to i+1; where i is the last vertex of a ring, it is no edge (weight 0).
        edge = ring_of[1:] == ring_of[:-1]
        dx, dy = np.diff(x), np.diff(y)
        dx[~edge] = 0.0
        dy[~edge] = 0.0
        sm = 0.5 * (s[1:] + s[:-1])
        cos2 = 1 - sm * sm
        u = cos2 / (1 - E2 * sm * sm)
        dx2, dy2u = dx * dx, dy * dy / u
        # Heights from each ring's first vertex: the trapezoids then sum terms as small as the ring itself.
        base = np.zeros(int(ring_of[-1]) + 1)
        base[ring_of[starts]] = y[starts]
        height = 0.5 * (y[1:] + y[:-1]) - base[ring_of[:-1]]
        terms = -dx * (height + sm * (3 * dy2u + u * dx2) / (12 * A))
        length2 = u * dx2 + dy2u
        bound = LENS_K * length2 * length2 * np.sqrt(length2) / (A**3 * cos2 * cos2)
        terms[~edge] = 0.0
        bound[~edge] = 0.0
        bound += VERTEX_ERROR * (np.abs(dx) + np.abs(dy)) + (22 + np.log2(len(xy))) * EPS * np.abs(terms)
        return np.add.reduceat(terms, starts), np.add.reduceat(bound, starts)


def geod_area_km2(geometries) -> np.ndarray:
    """area_km2 by pyproj.Geod.polygon_area_perimeter, ring by ring (the reference, and the fallback)."""
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        parts = shapely.get_parts(geom)
        out[i] = sum(_polygon_area(p) for p in parts if p.geom_type == "Polygon")
    return out / 1e6


def _ring_area(ring) -> float:
    lon, lat = shapely.get_coordinates(ring).T
    area, _ = WGS84.polygon_area_perimeter(lon, lat)
    return abs(area)


def _polygon_area(poly) -> float:
    return _ring_area(poly.exterior) - sum(_ring_area(r) for r in poly.interiors)


def length_km(geometries) -> np.ndarray:
    """Geodesic length in km of lon/lat lines (polygon rings count as their boundary)."""
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is not None and not geom.is_empty:
            out[i] = WGS84.geometry_length(geom)
    return out / 1e3
