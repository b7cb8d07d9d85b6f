"""The overlay engine: hand-checkable squares, equality with full overlays, rules, change-only logs."""

import datetime as dt
import re

import numpy as np
import pytest
import shapely

from conflictmap import geodesy
from conflictmap.errors import UsageError
from conflictmap.geometry import polygonal
from conflictmap.overlay import AreaMeasure, Overlay, apply_rule, changed_rows, overlay_zones
from conflictmap.zones import Snapshot, ZoneSet
from tests.helpers import SIZE, SQUARES, cell_area_km2, jagged_zone, voronoi_districts


def square_geoms():
    return np.array([shapely.box(x, y, x + SIZE, y + SIZE) for x, y in SQUARES.values()], dtype=object)


# --- hand-checkable squares (see tests/conftest.py: A B bottom row, C D top row, 0.01° each) ---


def test_squares_shares_by_hand():
    # Zone: lon -0.01..0.016, lat -0.01..0.01 -> A whole, B's western 0.006° of 0.01°,
    # C and D only touched along an edge or a corner. Expected km² from the closed-form cell area.
    engine = Overlay(square_geoms())
    covered = engine.covered_km2(shapely.box(-0.01, -0.01, 0.016, 0.01))
    expected = [cell_area_km2(0, 0, 0.01, 0.01), cell_area_km2(0.01, 0, 0.016, 0.01), 0.0, 0.0]
    assert covered == pytest.approx(expected, rel=1e-6)


def test_zone_inside_a_district_and_empty_zone():
    engine = Overlay(square_geoms())
    hole_in_a = shapely.box(0.002, 0.002, 0.004, 0.005)
    assert engine.covered_km2(hole_in_a) == pytest.approx(
        [cell_area_km2(0.002, 0.002, 0.004, 0.005), 0, 0, 0], rel=1e-6
    )
    assert engine.covered_km2(shapely.Polygon()).tolist() == [0, 0, 0, 0]


def test_district_areas_agree_with_closed_form():
    engine = Overlay(square_geoms())
    expected = [cell_area_km2(x, y, x + SIZE, y + SIZE) for x, y in SQUARES.values()]
    assert engine.area_km2 == pytest.approx(expected, rel=1e-6)


# --- equality with independent full computations ---


def relative_gap(a, b):
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.where(scale > 0, np.abs(a - b) / np.where(scale > 0, scale, 1), 0).max()


def test_equals_plain_shapely_intersection_of_every_district():
    # Independent: intersect every district with the whole zone (no index, no fast path, no clip).
    districts, zone = voronoi_districts(), jagged_zone()
    engine = Overlay(districts)
    full = engine.measure.km2(shapely.intersection(districts, zone))
    ours = engine.covered_km2(zone)
    assert (ours > 0).sum() > 50 and (ours < engine.area_km2 * 0.999).sum() > 20  # both paths exercised
    assert relative_gap(ours, full) < 1e-9


def test_equals_geopandas_overlay():
    import geopandas as gpd

    districts, zone = voronoi_districts(seed=11), jagged_zone(seed=12)
    engine = Overlay(districts)
    left = gpd.GeoDataFrame({"d": np.arange(len(districts))}, geometry=districts, crs=4326)
    right = gpd.GeoDataFrame({"z": [1]}, geometry=[zone], crs=4326)
    pieces = gpd.overlay(left, right, how="intersection", keep_geom_type=True)
    theirs = np.zeros(len(districts))
    np.add.at(theirs, pieces["d"].to_numpy(), engine.measure.km2(pieces.geometry.values))
    assert relative_gap(engine.covered_km2(zone), theirs) < 1e-9


def test_equal_area_measure_agrees_with_geod():
    # The engine's equal-area projection against pyproj.Geod (geodesy.area_km2): within 0.1%.
    districts, zone = voronoi_districts(), jagged_zone()
    engine = Overlay(districts)
    pieces = shapely.intersection(districts, zone)
    geod = geodesy.area_km2([polygonal(p) for p in pieces])
    ours = engine.measure.km2(pieces)
    mask = geod > 1e-3
    assert np.abs(ours[mask] / geod[mask] - 1).max() < 1e-3


def test_wide_extent_falls_back_to_geodesic():
    # Districts a continent apart: no single local projection, so pyproj.Geod itself.
    geoms = np.array([shapely.box(-70, -10, -69, -9), shapely.box(100, 40, 101, 41)], dtype=object)
    engine = Overlay(geoms)
    assert engine.measure.transformer is None
    assert engine.area_km2 == pytest.approx(geodesy.area_km2(geoms), rel=1e-12)


def test_measure_ignores_lines_in_collections():
    measure = AreaMeasure((0, 0, 1, 1))
    square = shapely.box(0, 0, 0.01, 0.01)
    collection = shapely.GeometryCollection([square, shapely.LineString([(0.5, 0.5), (0.6, 0.6)])])
    assert measure.km2([collection])[0] == pytest.approx(measure.km2([square])[0], rel=1e-12)


def test_ukraine_raions_equal_geopandas_overlay(shared_data):
    import geopandas as gpd

    from conflictmap.districts import load_districts
    from conflictmap.zones import load_zones

    ukraine = shared_data / "ukraine"
    raions, _, _ = load_districts(ukraine / "adm2-raions.geojson")
    zone = (
        load_zones([ukraine / "zones-deepstate" / "deepstatemap_data_20240801.geojson"], actor="russia")
        .snapshots[0]
        .zones["russia"]
    )
    engine = Overlay(raions.geometry.values)
    pieces = gpd.overlay(
        raions[["id", "geometry"]].assign(d=np.arange(len(raions))),
        gpd.GeoDataFrame(geometry=[zone], crs=4326),
        how="intersection",
        keep_geom_type=True,
    )
    theirs = np.zeros(len(raions))
    np.add.at(theirs, pieces["d"].to_numpy(), engine.measure.km2(pieces.geometry.values))
    assert relative_gap(engine.covered_km2(zone), theirs) < 1e-9


# --- rules ---


def test_fraction_rule_gives_the_rest_its_share():
    shares = apply_rule(np.array([[0.25, 0.5], [0.0, 0.0]]), "fraction")
    # columns: actor 0, actor 1, rest, contested
    assert shares.tolist() == [[0.25, 0.5, 0.25, 0.0], [0.0, 0.0, 1.0, 0.0]]


def test_min_share_drops_zone_slivers_and_rescales_among_zones():
    # Three zone actors 0.6 / 0.3 / 0.05, the rest 0.05. At 0.1 the third actor's 0.05 goes to the other
    # two in proportion (their 0.9 becomes the zones' 0.95); the rest keeps its 0.05.
    shares = apply_rule(np.array([[0.6, 0.3, 0.05]]), "fraction", min_share=0.1)
    assert shares[0] == pytest.approx([0.6 * 0.95 / 0.9, 0.3 * 0.95 / 0.9, 0.0, 0.05, 0.0], rel=1e-12)


def test_min_share_never_drops_the_rest():
    # The review's case: actor 0.96, the rest (unknown) 0.04. At 0.3 the rest is not a sliver to drop.
    shares = apply_rule(np.array([[0.96]]), "fraction", min_share=0.3)
    assert shares[0] == pytest.approx([0.96, 0.04, 0.0], rel=1e-12)
    # Nor the other way round: a lone zone share under min_share has no other zone to go to; it stays.
    shares = apply_rule(np.array([[0.04]]), "fraction", min_share=0.3)
    assert shares[0] == pytest.approx([0.04, 0.96, 0.0], rel=1e-12)


def test_min_share_never_drops_exempt_actors():
    # Zones of russia 0.9 and of an actor named unknown 0.05 (column 1, exempt), the rest 0.05.
    shares = apply_rule(np.array([[0.9, 0.05]]), "fraction", min_share=0.1, exempt=[1])
    assert shares[0] == pytest.approx([0.9, 0.05, 0.05, 0.0], rel=1e-12)


# The brief's hand cases for --min-share 0.05. Columns: zone actors..., rest, contested.


def test_min_share_sliver_goes_to_a_named_rest():
    # russia 0.03 / ukraine (the rest, a real actor: holders=[rest column]) 0.97 -> ukraine 1.0.
    shares = apply_rule(np.array([[0.03]]), "fraction", min_share=0.05, holders=[1])
    assert shares[0].tolist() == [0.0, 1.0, 0.0]


def test_min_share_sliver_never_goes_to_unknown():
    # russia 0.03 / unknown (the rest) 0.97: no real actor to take the sliver -> unchanged.
    shares = apply_rule(np.array([[0.03]]), "fraction", min_share=0.05)
    assert shares[0] == pytest.approx([0.03, 0.97, 0.0], rel=1e-12)


def test_min_share_sliver_goes_to_other_zones_not_unknown():
    # A 0.02 / B 0.48 / unknown 0.5 -> B 0.5 / unknown 0.5 (unknown neither dropped nor rescaled).
    shares = apply_rule(np.array([[0.02, 0.48]]), "fraction", min_share=0.05)
    assert shares[0] == pytest.approx([0.0, 0.5, 0.5, 0.0], rel=1e-12)


def test_min_share_slivers_with_no_real_actor_left_stay():
    # A 0.02 / B 0.03 / unknown 0.95: both are slivers, nobody real remains -> unchanged.
    shares = apply_rule(np.array([[0.02, 0.03]]), "fraction", min_share=0.05)
    assert shares[0] == pytest.approx([0.02, 0.03, 0.95, 0.0], rel=1e-12)


def test_min_share_named_rest_is_never_dropped_but_takes_its_part():
    # russia 0.9 / wagner 0.04 / ukraine (rest) 0.06 at 0.1: ukraine's 0.06 is under 0.1 but the rest is
    # never dropped; wagner's 0.04 is shared by russia and ukraine in proportion 0.9 : 0.06.
    shares = apply_rule(np.array([[0.9, 0.04]]), "fraction", min_share=0.1, holders=[2])
    assert shares[0] == pytest.approx([0.9 / 0.96, 0.0, 0.06 / 0.96, 0.0], rel=1e-12)


@pytest.mark.parametrize(
    "rule, min_share, message",
    [
        ("fractoin", 0.0, "--rule 'fractoin' is not a rule"),
        ("fraction", 1.5, "--min-share 1.5 is outside 0..1"),
        ("fraction", -0.1, "outside 0..1"),
        ("fraction", float("nan"), "outside 0..1"),
        ("majority", 0.1, "--min-share applies to --rule fraction only"),
    ],
)
def test_bad_rule_or_min_share_is_usage_error(rule, min_share, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        apply_rule(np.array([[0.5]]), rule, min_share)
    with pytest.raises(UsageError, match="--rule|--min-share"):
        overlay_zones(squares_frame(), two_dates(), rule=rule, min_share=min_share)


def test_majority_rule_and_ties():
    shares = apply_rule(np.array([[0.6, 0.0], [0.2, 0.3], [0.5, 0.0]]), "majority")
    # 0.6 -> actor 0; 0.2/0.3/rest 0.5 -> rest; 0.5 vs rest 0.5 -> contested
    assert shares.argmax(axis=1).tolist() == [0, 2, 3]
    assert shares.sum(axis=1).tolist() == [1.0, 1.0, 1.0]


def test_centroid_rule():
    engine = Overlay(square_geoms())
    # Zone over lon -0.01..0.016: holds A's centroid (0.005) and B's (0.015), not C's or D's.
    held = engine.holds_point(shapely.box(-0.01, -0.01, 0.016, 0.0101))
    assert held.tolist() == [True, True, False, False]
    shares = apply_rule(held[:, None].astype(float), "centroid")
    assert shares[:, 0].tolist() == [1, 1, 0, 0] and shares[:, 1].tolist() == [0, 0, 1, 1]


def test_changed_rows():
    before = np.array([[1.0, 0.0], [0.5, 0.5]])
    after = np.array([[1.0, 0.0], [0.4, 0.6]])
    assert changed_rows(after, None).tolist() == [True, True]
    assert changed_rows(after, before).tolist() == [False, True]


# --- the log ---


def squares_frame():
    import geopandas as gpd

    return gpd.GeoDataFrame({"id": list(SQUARES)}, geometry=square_geoms(), crs=4326)


def two_dates():
    first = Snapshot(dt.date(2024, 1, 1), {"russia": shapely.box(-0.01, -0.01, 0.016, 0.01)}, ["a.geojson"])
    second = Snapshot(dt.date(2024, 2, 1), {"russia": shapely.box(-0.01, -0.01, 0.02, 0.01)}, ["b.geojson"])
    return ZoneSet([first, second], ["russia"], "file names")


def test_log_rows_only_when_shares_change():
    log = overlay_zones(squares_frame(), two_dates(), rest="ukraine")
    first = log[log["date"] == "2024-01-01"]
    assert set(first["district"]) == {"A", "B", "C", "D"}
    b_share = cell_area_km2(0.01, 0, 0.016, 0.01) / cell_area_km2(0.01, 0, 0.02, 0.01)  # 0.6 by the formula
    b = first[first["district"] == "B"].set_index("controller")["share"]
    assert b["russia"] == pytest.approx(b_share, rel=1e-9) and b["ukraine"] == pytest.approx(1 - b_share, rel=1e-9)
    second = log[log["date"] == "2024-02-01"]
    assert second[["district", "controller", "share"]].values.tolist() == [["B", "russia", 1.0]]  # only B changed
    assert log["note"].str.contains("rule fraction").all()
    assert set(second["source"]) == {"b.geojson"}


def sliver_date():
    """One date, russia over lon -0.01..0.0103: A whole, B's western 0.0003° (about 3%)."""
    snap = Snapshot(dt.date(2024, 1, 1), {"russia": shapely.box(-0.01, -0.01, 0.0103, 0.01)}, ["s.geojson"])
    return ZoneSet([snap], ["russia"], "file names")


def test_min_share_sliver_in_the_log_goes_to_the_rest_actor():
    # B: russia 0.03 by the cell-area formula, under --min-share 0.05: with --rest ukraine, B is ukraine's
    # whole; with the rest unknown, nobody real takes it and B stays russia 0.03 / unknown 0.97.
    sliver = cell_area_km2(0.01, 0, 0.0103, 0.01) / cell_area_km2(0.01, 0, 0.02, 0.01)
    assert 0.029 < sliver < 0.031
    log = overlay_zones(squares_frame(), sliver_date(), rest="ukraine", min_share=0.05)
    b = log[log["district"] == "B"]
    assert b[["controller", "share"]].values.tolist() == [["ukraine", 1.0]]
    assert "given to the district's other zone actors and ukraine" in b["note"].iloc[0]
    log = overlay_zones(squares_frame(), sliver_date(), min_share=0.05)
    b = log[log["district"] == "B"].set_index("controller")["share"]
    assert b.to_dict() == pytest.approx({"russia": sliver, "unknown": 1 - sliver}, rel=1e-9)


def test_log_shares_are_floats():
    # Whole shares are 1.0, not 1, for every rule (one type per key for json/csv consumers).
    for rule in ("fraction", "majority", "centroid"):
        log = overlay_zones(squares_frame(), two_dates(), rule=rule, rest="ukraine")
        assert log["share"].dtype == float
        assert all(type(v) is float for v in log.to_dict("list")["share"])


def test_min_share_keeps_the_rest_in_the_log():
    # 2024-01-01: B is russia 0.6 / ukraine (the rest) 0.4 by the cell-area formula. At --min-share 0.5
    # the rest's 0.4 stays; the note says what min_share did.
    log = overlay_zones(squares_frame(), two_dates(), rest="ukraine", min_share=0.5)
    b = log[(log["date"] == "2024-01-01") & (log["district"] == "B")].set_index("controller")
    b_share = cell_area_km2(0.01, 0, 0.016, 0.01) / cell_area_km2(0.01, 0, 0.02, 0.01)
    assert b["share"].to_dict() == pytest.approx({"russia": b_share, "ukraine": 1 - b_share}, rel=1e-9)
    assert log["note"].str.contains("zone shares under 0.5").all()
    assert b.loc["ukraine", "note"].endswith("area no zone covers")


def test_overlay_does_not_import_distributed():
    # Layering: distributed runs overlay's per-date work, so overlay must not import distributed.
    import ast
    import inspect

    import conflictmap.overlay

    tree = ast.parse(inspect.getsource(conflictmap.overlay))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and "distributed" in m}


def test_every_date_writes_all_districts():
    log = overlay_zones(squares_frame(), two_dates(), rest="ukraine", every_date=True)
    assert log.groupby("date")["district"].nunique().tolist() == [4, 4]


def test_rest_that_is_also_a_zone_actor_is_one_holding():
    log = overlay_zones(squares_frame(), two_dates(), rest="russia")
    assert set(log["controller"]) == {"russia"}
    assert log["share"].tolist() == pytest.approx([1.0] * len(log))


def test_rest_actor_with_zones_counts_before_the_majority_rule():
    # B: russia 0.4, ukraine's own zone 0.3, uncovered 0.3 -> with --rest ukraine, ukraine holds 0.6: the majority.
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"id": ["B"]}, geometry=[shapely.box(0.01, 0, 0.02, 0.01)], crs=4326)
    zones = {"russia": shapely.box(0.01, 0, 0.014, 0.01), "ukraine": shapely.box(0.014, 0, 0.017, 0.01)}
    zoneset = ZoneSet([Snapshot(dt.date(2024, 1, 1), zones, ["z.geojson"])], ["russia", "ukraine"], "file names")
    log = overlay_zones(frame, zoneset, rule="majority", rest="ukraine")
    assert log[["controller", "share"]].values.tolist() == [["ukraine", 1.0]]


def test_min_share_rest_actor_with_zones_is_one_holder():
    # B (lon 0.01..0.02): russia lon 0.01..0.0103 (about 0.03), ukraine's own zone lon 0.0103..0.013,
    # the rest uncovered. With --rest ukraine, ukraine holds about 0.97 (zone + uncovered, one holding):
    # russia's sliver goes to ukraine -> ukraine 1.0.
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"id": ["B"]}, geometry=[shapely.box(0.01, 0, 0.02, 0.01)], crs=4326)
    zones = {"russia": shapely.box(0.01, 0, 0.0103, 0.01), "ukraine": shapely.box(0.0103, 0, 0.013, 0.01)}
    zoneset = ZoneSet([Snapshot(dt.date(2024, 1, 1), zones, ["z.geojson"])], ["russia", "ukraine"], "file names")
    log = overlay_zones(frame, zoneset, rest="ukraine", min_share=0.05)
    assert log[["controller", "share"]].values.tolist() == [["ukraine", 1.0]]
    # The other way round: ukraine's holding (about 0.03) is under 0.05, but the --rest actor is never dropped.
    zones = {"russia": shapely.box(0.01, 0, 0.0197, 0.01), "ukraine": shapely.box(0.0197, 0, 0.0199, 0.01)}
    zoneset = ZoneSet([Snapshot(dt.date(2024, 1, 1), zones, ["z.geojson"])], ["russia", "ukraine"], "file names")
    shares = overlay_zones(frame, zoneset, rest="ukraine", min_share=0.05).set_index("controller")["share"]
    ukraine = cell_area_km2(0.0197, 0, 0.02, 0.01) / cell_area_km2(0.01, 0, 0.02, 0.01)
    # rel 1e-6: the engine's equal-area projection against the closed-form cell area
    assert shares.to_dict() == pytest.approx({"russia": 1 - ukraine, "ukraine": ukraine}, rel=1e-6)


def test_share_noise_writes_no_new_row():
    # A boundary share moving by 2e-8 between dates (re-digitised zones) is not a change; 2e-6 is.
    from conflictmap.overlay import changed_rows

    previous = np.array([[0.9974647228, 0.0025352772]])
    assert not changed_rows(previous + [[2e-8, -2e-8]], previous).any()
    assert changed_rows(previous + [[2e-6, -2e-6]], previous).all()
