"""geodesy.area_km2 (equal-area plane + geodesic lens per edge, pyproj.Geod where its bound fails)
against geodesy.geod_area_km2 (pyproj.Geod.polygon_area_perimeter ring by ring, the old measure).

Every comparison is to 1e-9 relative, on the bad-input corpus, the bundled sample, the real data
in ../shared/data and synthetic grids; the lens constant of the error bound is checked against
pyproj.Geod on single long edges.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod, Transformer

from conflictmap import geodesy
from tests.helpers import ROOT

BAD = Path(__file__).resolve().parent / "bad_inputs"
WGS84 = Geod(ellps="WGS84")


def assert_same_areas(geoms, rel=1e-9):
    geoms = np.asarray(geoms, dtype=object)
    ours, theirs = geodesy.area_km2(geoms), geodesy.geod_area_km2(geoms)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rel, atol=0)
    return ours


def grid(lon0, lat0, side, size, jitter=0.05, seed=1):
    """side × side cells of `size` degrees with 25 jittered points per edge (ragged, like real districts)."""
    rng = np.random.default_rng(seed)
    cells = []
    t = np.linspace(0, 1, 25)
    for i in range(side):
        for j in range(side):
            x0, y0 = lon0 + j * size, lat0 + i * size
            wobble = rng.uniform(-jitter, jitter, 4 * 24) * size * np.tile(np.sin(np.pi * t[:-1]), 4)
            ring = np.concatenate(
                [
                    np.column_stack([x0 + t[:-1] * size, y0 + wobble[:24]]),
                    np.column_stack([x0 + size + wobble[24:48], y0 + t[:-1] * size]),
                    np.column_stack([x0 + size - t[:-1] * size, y0 + size + wobble[48:72]]),
                    np.column_stack([x0 + wobble[72:], y0 + size - t[:-1] * size]),
                ]
            )
            cells.append(shapely.Polygon(ring))
    return np.array(cells, dtype=object)


@pytest.mark.parametrize("lat0", [-60.0, -12.5, 0.0, 36.2, 48.0, 70.0])
def test_grids_take_the_plane_and_match_geod(lat0):
    cells = grid(30.0, lat0, 8, 0.05)
    _, sure = geodesy.plane_areas_m2(cells)
    assert sure.all()  # the fast path, not the fallback, is what is compared
    assert_same_areas(cells)


def test_holes_multipolygons_orientation_and_empties():
    outer = shapely.box(35.0, 36.0, 35.1, 36.08)
    holed = shapely.Polygon(outer.exterior.coords, [shapely.box(35.02, 36.02, 35.04, 36.05).exterior.coords])
    multi = shapely.MultiPolygon([holed, shapely.box(35.2, 36.0, 35.25, 36.03)])
    reversed_rings = shapely.Polygon(holed.exterior.coords[::-1], [holed.interiors[0].coords[::-1]])
    collection = shapely.GeometryCollection([outer, shapely.Point(35, 36), shapely.LineString([(35, 36), (36, 37)])])
    geoms = [holed, multi, reversed_rings, collection, None, shapely.Polygon(), shapely.Point(1, 2), outer]
    ours = assert_same_areas(geoms)
    assert ours[0] == pytest.approx(ours[2], rel=1e-12) and ours[4] == ours[5] == ours[6] == 0.0
    assert ours[0] < ours[7]  # the hole is taken out


def test_fallback_where_the_bound_fails_gives_geod_exactly():
    long_edges = shapely.box(20.0, 60.0, 24.0, 62.0)  # 200 km edges at 60°N: the lens remainder is too large
    pole = shapely.box(-10.0, 80.0, 10.0, 90.0)  # touches the pole
    wide = shapely.box(-170.0, 10.0, 170.0, 10.5)  # more than 180° of longitude
    nan = shapely.Polygon([(0, 0), (1, 0), (float("nan"), 1), (0, 0)])
    geoms = np.array([long_edges, pole, wide, nan], dtype=object)
    _, sure = geodesy.plane_areas_m2(geoms)
    assert not sure.any()
    ours, theirs = geodesy.area_km2(geoms), geodesy.geod_area_km2(geoms)
    assert np.array_equal(ours[:3], theirs[:3]) and np.isnan(ours[3]) == np.isnan(theirs[3])


def test_plane_y_is_proj_cylindrical_equal_area():
    # Independent check of the closed form for y (Snyder eq. 3-12) against PROJ's ellipsoidal cea.
    lat = np.linspace(-89.0, 89.0, 357)
    cea = Transformer.from_crs("EPSG:4326", "+proj=cea +ellps=WGS84 +units=m +no_defs", always_xy=True)
    _, y = cea.transform(np.zeros_like(lat), lat)
    np.testing.assert_allclose(geodesy._authalic_y(np.sin(np.radians(lat))), y, rtol=0, atol=1e-6)


def _one_long_edge(p, az, length, side):
    """A triangle whose edge p→q is long; the other two edges densified along geodesics (their remainders ≈ 0)."""
    qx, qy, _ = WGS84.fwd(p[0], p[1], az, length)
    rx, ry, _ = WGS84.fwd(p[0], p[1], az + side, length)
    back = [(qx, qy), *WGS84.npts(qx, qy, rx, ry, 600), (rx, ry), *WGS84.npts(rx, ry, p[0], p[1], 600)]
    return shapely.Polygon([p, *back, p]), (p, (qx, qy))


def test_lens_remainder_stays_ten_times_under_the_bound():
    # The documented constant: the remainder after the lens correction is K·L⁵/(a³ cos⁴φ) at most, K = 0.1,
    # while pyproj.Geod never measures more than a tenth of it (0.009 in a 1,500-case sweep).
    rng = np.random.default_rng(5)
    worst = 0.0
    for _ in range(60):
        lat, az = rng.uniform(-80, 80), rng.uniform(0, 360)
        length = float(np.exp(rng.uniform(np.log(30e3), np.log(300e3))))
        poly, (p, q) = _one_long_edge((rng.uniform(-170, 170), lat), az, length, rng.choice([-60, 60]))
        lon, lat_ = shapely.get_coordinates(poly).T
        exact = abs(WGS84.polygon_area_perimeter(lon, lat_)[0])
        plane, _ = geodesy.plane_areas_m2(np.array([poly], dtype=object))
        sm = 0.5 * (np.sin(np.radians(p[1])) + np.sin(np.radians(q[1])))
        model = length**5 / (geodesy.A**3 * (1 - sm * sm) ** 2)
        worst = max(worst, abs(plane[0] - exact) / model)
    assert 0 < worst < geodesy.LENS_K / 10


def test_bad_input_corpus_districts():
    measured = 0
    for path in sorted(BAD.glob("d_*")) + sorted(BAD.glob("z_*")):
        try:
            frame = pyogrio.read_dataframe(path)
        except Exception:  # not readable by GDAL at all: no geometry to measure
            continue
        if getattr(frame, "geometry", None) is None or not len(frame):  # a table (d_control_log_as_districts.csv)
            continue
        assert_same_areas(frame.geometry.values)
        measured += 1
    assert measured >= 10


def test_bundled_sample():
    frame = pyogrio.read_dataframe(ROOT / "data" / "aleppo-2016" / "districts.geojson")
    assert assert_same_areas(frame.geometry.values).sum() == pytest.approx(126, rel=0.05)


def test_real_data(shared_data):
    files = [
        "aleppo/neighbourhoods-csr.geojson",
        "ukraine/adm2-raions.geojson",
        "ukraine/adm1-oblasts.geojson",
        "ukraine/national-boundary.geojson",
    ]
    files += [
        str(p.relative_to(shared_data))
        for p in sorted((shared_data / "ukraine" / "zones-deepstate").glob("*.geojson"))[::5]
    ]
    for name in files:
        geoms = pyogrio.read_dataframe(shared_data / name).geometry.values
        assert_same_areas(geoms)
    # a zone cut to the national boundary, as zones area --clip measures it
    zone = pyogrio.read_dataframe(shared_data / files[-1]).geometry.values[0]
    boundary = pyogrio.read_dataframe(shared_data / files[3]).geometry.values[0]
    assert_same_areas([shapely.intersection(zone, boundary), boundary])
