"""Low-level geometry helpers: the polygonal part of a geometry, the lon/lat check shared by districts and zones."""

import shapely
from pyproj import CRS

from conflictmap.geometry import fits_lonlat, lonlat_problem, polygonal

LONLAT = (30.0, 48.0, 30.1, 48.1)
METRES = (500000.0, 5300000.0, 510000.0, 5310000.0)  # UTM-like eastings/northings


def test_polygonal_keeps_only_the_area_parts():
    square = shapely.box(0, 0, 1, 1)
    other = shapely.box(2, 0, 3, 1)
    stray = shapely.LineString([(1, 1), (2, 2)])
    assert polygonal(square) is square
    assert polygonal(shapely.GeometryCollection([square, stray])).equals(square)
    both = polygonal(shapely.GeometryCollection([shapely.MultiPolygon([square, other]), stray, shapely.Point(5, 5)]))
    assert both.geom_type == "MultiPolygon" and both.area == 2.0  # two unit squares, by hand
    assert polygonal(shapely.GeometryCollection([stray])).is_empty
    assert polygonal(None) is None


def test_make_valid_of_a_flat_ring_has_no_area():
    # A ring whose points lie on one line repairs to a line: no polygonal part (districts reports it).
    flat = shapely.make_valid(shapely.Polygon([(0, 0), (1, 1), (2, 2), (0, 0)]))
    assert polygonal(flat).is_empty


def test_lonlat_without_crs_is_assumed():
    assert fits_lonlat(LONLAT) and lonlat_problem(None, LONLAT) is None


def test_metres_without_crs_look_projected():
    message = lonlat_problem(None, METRES)
    assert "no CRS" in message and "projected" in message and "-a_srs" in message


def test_metres_under_a_geographic_crs_are_refused():
    # GeoJSON says EPSG:4326 whatever its coordinates are: metres there are a mistake.
    message = lonlat_problem(CRS.from_epsg(4326), METRES)
    assert "although the CRS is EPSG:4326" in message and "-s_srs" in message


def test_projected_crs_and_missing_coordinates_are_fine():
    assert lonlat_problem(CRS.from_epsg(32636), METRES) is None
    assert lonlat_problem(None, (float("nan"),) * 4) is None  # every geometry empty: nothing to judge


def test_lonlat_degrees_under_a_projected_crs_are_refused():
    # Degrees read as metres: every district within 0.03 m of the CRS origin (1e-10 km² each).
    for epsg in (3857, 32637, 22770, 3395):
        message = lonlat_problem(CRS.from_epsg(epsg), (37.10, 36.20, 37.13, 36.21))
        assert "look like lon/lat degrees" in message and f"EPSG:{epsg}" in message and "-a_srs EPSG:4326" in message


def test_real_projected_metres_are_not_taken_for_degrees():
    # The same place in real metres (pyproj's own transform) is fine in UTM 37N and in Web Mercator.
    from pyproj import Transformer

    for epsg in (32637, 3857):
        box = Transformer.from_crs(4326, epsg, always_xy=True).transform_bounds(37.10, 36.20, 37.13, 36.21)
        assert lonlat_problem(CRS.from_epsg(epsg), box) is None
