"""conflictmap.clip_area: a zone series measured within a clip from the date before.

Every figure is compared with the plain computation done here, independently: shapely's zone ∩ the whole
clip, measured by pyproj.Geod. The synthetic clip and zones have edges of degrees, slanted, at 47-52°N, so
an edge cut at a point of its lon/lat line would move an area by far more than 1e-9 (each case that needs
the careful path checks that the simple identity would be wrong there).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, box

from conflictmap import geodesy
from conflictmap.clip_area import SeriesAreas, changed_edges, held_in_boxes
from conflictmap.geometry import polygonal
from conflictmap.zones import load_clip, load_zones, zone_areas

GEOD = Geod(ellps="WGS84")
# A hole of the clip, with edges of 0.01° (so that only the tests meant for it refuse a change round it);
# (32, 49.5) is its first vertex.
LAKE = shapely.segmentize(Polygon([(32.0, 49.5), (32.6, 49.5), (32.6, 50.0), (32.0, 50.0)]), 0.01).exterior


def plain_km2(zone, clip) -> float:
    """The independent figure: shapely's zone ∩ clip, pyproj.Geod's area (shells counter-clockwise)."""
    return GEOD.geometry_area_perimeter(shapely.orient_polygons(shapely.intersection(zone, clip)))[0] / 1e6


def own_km2(zone) -> float:
    return float(geodesy.area_km2([zone])[0])


def country():
    """A jagged south coast (0.01° steps), a north border of three long edges (3°), a lake, an island."""
    xs = np.arange(30, 36.0001, 0.01)
    coast = list(zip(xs, 48 + 0.02 * np.sin(xs * 40)))
    main = Polygon(coast + [(36, 51), (33, 51.5), (30, 51)], [LAKE])
    return MultiPolygon([main, box(33, 47.3, 33.4, 47.6)])


ZONE = Polygon([(30.7, 47.4), (35.3, 47.6), (34.8, 50.6), (31.2, 50.4)])  # slanted sides across the coast


def series(zones, clip=None):
    """The figures of SeriesAreas for the zones in turn, and how each was found."""
    clip = country() if clip is None else clip
    measure = SeriesAreas(clip, lambda zone: plain_km2(zone, clip))
    return [measure.km2("russia", z) for z in zones], measure.used


def naive_km2(zones, clip=None):
    """The simple identity km²(Z ∩ C) = km²(R ∩ C) + km²(Z) - km²(R), where it does not hold."""
    clip = country() if clip is None else clip
    first, second = zones
    return plain_km2(first, clip) + own_km2(second) - own_km2(first)


def check(zones, clip=None):
    got, used = series(zones, clip)
    clip = country() if clip is None else clip
    assert got == pytest.approx([plain_km2(z, clip) for z in zones], rel=1e-9, abs=0)
    return used


def test_an_identical_zone_is_the_figure_before():
    again = Polygon(list(ZONE.exterior.coords))
    assert check([ZONE, again]) == {"full": 1, "same": 1}


def test_a_change_inside_the_clip_comes_from_the_date_before():
    # The top edge (inside the country) is split by a triangle: every changed edge lies inside.
    grown = ZONE.union(Polygon([(33, 50.3), (34, 50.3), (33.5, 50.8)]))
    assert check([ZONE, grown]) == {"full": 1, "previous": 1}


def test_a_change_across_the_coast_is_measured_in_a_box():
    bitten = ZONE.difference(Polygon([(32.5, 47.8), (33.5, 47.8), (33, 48.4)]))
    assert check([ZONE, bitten]) == {"full": 1, "boxes": 1}
    assert naive_km2([ZONE, bitten]) != pytest.approx(plain_km2(bitten, country()), rel=1e-6)


def test_a_vertex_added_on_an_edge_across_the_coast_is_measured_in_a_box():
    # The same region, one more vertex: the edge is cut there, which moves its geodesic (and the area).
    xy = list(ZONE.exterior.coords)[:-1]
    middle = tuple((np.array(xy[3]) + np.array(xy[0])) / 2)  # the west side, across the coast
    split = Polygon(xy + [middle])
    assert check([ZONE, split]) == {"full": 1, "boxes": 1}
    assert naive_km2([ZONE, split]) != pytest.approx(plain_km2(split, country()), rel=1e-9)


def test_a_change_round_a_hole_of_the_clip_intersects_the_whole_clip():
    # The zone had a hole round the lake, then holds it: every changed edge is inside the country, but
    # the lake (not in the country) lies inside the change.
    holed = ZONE.difference(box(31.9, 49.4, 32.7, 50.1))
    assert check([holed, ZONE]) == {"full": 2}
    assert naive_km2([holed, ZONE]) == pytest.approx(plain_km2(ZONE, country()) + own_km2(Polygon(LAKE)), rel=1e-9)


def test_a_box_inside_a_change_intersects_the_whole_clip():
    # A small zone across the lake shore (holding the lake's first vertex), then a large one round it: the
    # box round the small one lies inside the change, and the lake's vertex is in both zones.
    small = Polygon([(31.8, 49.3), (32.2, 49.32), (32.21, 49.7), (31.79, 49.68)])
    large = Polygon([(31.5, 49.0), (33.0, 49.05), (33.02, 50.3), (31.48, 50.28)])
    assert check([small, large]) == {"full": 2}


def test_a_long_edge_of_the_clip_across_a_box_side_intersects_the_whole_clip():
    # A change across the north border, whose edges are 3° long: a box's side would cut one.
    over = ZONE.union(Polygon([(32.5, 51.0), (33.5, 51.0), (33, 51.8)]))
    assert check([ZONE, over]) == {"full": 2}


def test_clip_parts_meeting_at_two_points_intersect_the_whole_clip():
    # Two L-shaped parts touching at (30.5, 50) and (32, 48.5) enclose ground that is no hole of either.
    a = Polygon([(30, 48), (32, 48), (32, 48.5), (30.5, 48.5), (30.5, 50), (30, 50)])
    b = Polygon([(30.5, 50), (32.5, 50), (32.5, 48.5), (32, 48.5), (32, 49.8), (30.7, 49.8)])
    clip = MultiPolygon(shapely.segmentize([a, b], 0.01))  # short edges: only the touching points refuse
    assert clip.is_valid
    before = Polygon([(30.1, 48.1), (30.4, 48.1), (30.4, 49.9), (30.1, 49.9)])  # in part a
    after = Polygon([(30.1, 48.1), (32.4, 48.1), (32.4, 49.9), (30.1, 49.9)])  # over the enclosed ground
    assert check([before, after], clip) == {"full": 2}


def test_random_changes_equal_the_plain_intersection():
    # Fixed seeds, a quick spread of the cases above (the property test below draws more).
    for seed in range(6):
        check(random_zones(np.random.default_rng(seed)))


@given(st.integers(0, 2**32 - 1))
def test_random_series_equal_the_plain_intersection(seed):
    check(random_zones(np.random.default_rng(seed)))


def random_zones(rng, dates=4):
    """A random zone, then changes: blobs added or cut anywhere round the country, or a vertex added."""
    zones = [_blob(rng, rng.uniform(30.5, 35.5), rng.uniform(47.5, 51), rng.uniform(0.5, 2))]
    while len(zones) < dates:
        before = zones[-1]
        other = _blob(rng, rng.uniform(30, 36), rng.uniform(47.3, 51.5), rng.uniform(0.05, 1))
        after = polygonal(before.union(other) if rng.random() < 0.5 else before.difference(other))
        if rng.random() < 0.3 and after.geom_type == "Polygon":
            xy = np.asarray(after.exterior.coords)
            i = int(rng.integers(0, len(xy) - 1))
            after = Polygon(np.insert(xy[:-1], i + 1, (xy[i] + xy[i + 1]) / 2, axis=0), after.interiors)
        zones.append(after if after.is_valid and not after.is_empty else before)
    return zones


def _blob(rng, x, y, size):
    angle = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(3, 30))))
    radius = size * rng.uniform(0.5, 1.0, len(angle))
    return polygonal(shapely.make_valid(Polygon(np.c_[x + 1.5 * radius * np.cos(angle), y + radius * np.sin(angle)])))


def test_changed_edges_ignore_where_a_ring_starts_and_which_way_it_runs():
    turned = Polygon(list(ZONE.exterior.coords)[::-1][1:] + [list(ZONE.exterior.coords)[::-1][1]])
    assert len(changed_edges(ZONE, turned)) == 0
    moved = Polygon([(30.7, 47.4), (35.3, 47.6), (34.8, 50.6), (31.3, 50.4)])
    assert len(changed_edges(ZONE, moved)) == 4  # two edges leave (31.2, 50.4), two reach (31.3, 50.4)


def test_boxes_hold_what_reaches_them_and_merge():
    # Items as boxes: one outside the clip (0), one touching its box (1), one far away (2).
    bounds = np.array([[0, 0, 1, 1], [1.05, 0, 2, 1], [5, 5, 6, 6]], dtype=float)
    boxes = held_in_boxes(bounds, np.array([False, True, True]), 0.1)
    assert boxes.tolist() == [[-0.1, -0.1, 2.1, 1.1]]
    assert len(held_in_boxes(bounds, np.array([True, True, True]), 0.1)) == 0


@pytest.mark.parametrize("folder", ["zones-deepstate", "zones-nzz"])
def test_real_series_equal_the_plain_intersection(shared_data, monkeypatch, folder):
    # DeepState and NZZ snapshots about three months apart (every third file, for time) within the national
    # boundary, as `zones area --clip` measures them: each date from the date before, or in boxes where the
    # zone changed along the border; equal to the plain intersection on every date.
    import conflictmap.clip_area

    made = []
    monkeypatch.setattr(conflictmap.clip_area, "SeriesAreas", lambda *a: made.append(SeriesAreas(*a)) or made[-1])
    ukraine = shared_data / "ukraine"
    zs = load_zones(sorted((ukraine / folder).glob("*.*json"))[::3], actor="russia")
    clip, _ = load_clip(ukraine / "national-boundary.geojson")
    plain = [plain_km2(s.zones["russia"], clip) for s in zs.snapshots]
    table = zone_areas(zs, clip)
    assert table["area_km2"].tolist() == pytest.approx(plain, rel=1e-9, abs=0)
    # A change is a difference of two areas: equal to the plain one within 1e-9 of the areas.
    assert table["change_km2"].iloc[1:].tolist() == pytest.approx(np.diff(plain), rel=0, abs=1e-9 * max(plain))
    used = made[0].used
    # The first date in full; after it, boxes where a change meets the border (a date whose boxes would hold a
    # quarter of the clip is intersected whole, which costs less).
    assert used["full"] >= 1 and used["boxes"] >= 1 and used.total() == len(plain)


def test_an_invalid_zone_intersects_the_whole_clip():
    bowtie = Polygon([(31, 48.5), (33, 50), (33, 48.5), (31, 50)])
    assert not bowtie.is_valid
    measure = SeriesAreas(country(), lambda zone: -1.0)  # a marker: the figure of the whole intersection
    assert [measure.km2("russia", z) for z in (ZONE, bowtie)] == [-1.0, -1.0] and measure.used == {"full": 2}
