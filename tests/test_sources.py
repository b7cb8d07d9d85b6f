"""Zone sources (conflictmap.sources): DeepState API exports and NZZ files read as their authors mean them.

Fixtures are 0.01° boxes at the equator, so every expected km² is a closed-form
cell area (tests/conftest.py), checked against the km² that `zones area` prints.
"""

import datetime as dt
import json

import pytest

from conflictmap.errors import InputError, UsageError
from conflictmap.sources import deepstate_class, parse_actor_map
from conflictmap.zones import load_zones
from tests.helpers import cell_area_km2
from tests.helpers import box_coords, write_zones

OCCUPIED = "Окуповано /// Occupied /// geoJSON.status.occupied"
LIBERATED = "Звільнено /// Liberated /// geoJSON.status.dismissed"
GREY = "Статус невідомий /// Unknown status /// geoJSON.status.unknown"
CRIMEA = "Окупований Крим /// Occupied Crimea /// geoJSON.territories.crimea"
ORDLO = "ОРДЛО /// CADR and CALR /// geoJSON.territories.ordlo"
ABKHAZIA = "Окупована Абхазія /// Occupied Abkhazia /// geoJSON.territories.abkhazia"


def test_deepstate_classes():
    assert [deepstate_class(n) for n in (OCCUPIED, LIBERATED, GREY, CRIMEA, ORDLO, ABKHAZIA)] == [
        "occupied",
        "liberated",
        "grey",
        "crimea",
        "ordlo",
        "other",
    ]
    # Without the geoJSON key, the words decide; "Звільнено" is liberated although nothing says occupied.
    assert deepstate_class("Звільнена територія") == "liberated"
    assert deepstate_class("Окупована територія///Occupied territory") == "occupied"
    assert deepstate_class("Аеродром Сакі /// Saki airfield /// geoJSON.airfield.saki") == "other"


def _feature(name, geometry):
    return {"type": "Feature", "properties": {"name": name, "description": ""}, "geometry": geometry}


def _box3d(x0, y0, x1, y1):  # DeepState writes z = 0
    return {"type": "Polygon", "coordinates": [[[x0, y0, 0], [x1, y0, 0], [x1, y1, 0], [x0, y1, 0], [x0, y0, 0]]]}


@pytest.fixture
def deepstate_export(tmp_path):
    """Occupied 0..0.01, Crimea 0.01..0.02, ORDLO 0.02..0.03 (held); liberated 0.03..0.04, grey 0.04..0.05,
    Abkhazia 0.05..0.06 (not held); a unit marker (Point) and an arrow (LineString) dropped."""
    features = [
        _feature(OCCUPIED, _box3d(0, 0, 0.01, 0.01)),
        _feature(CRIMEA, _box3d(0.01, 0, 0.02, 0.01)),
        _feature(ORDLO, _box3d(0.02, 0, 0.03, 0.01)),
        _feature(LIBERATED, _box3d(0.03, 0, 0.04, 0.01)),
        _feature(GREY, _box3d(0.04, 0, 0.05, 0.01)),
        _feature(ABKHAZIA, _box3d(0.05, 0, 0.06, 0.01)),
        _feature(
            "38-ма бригада /// 38th Brigade /// geoJSON.units.brigade",
            {"type": "Point", "coordinates": [0.005, 0.005, 0]},
        ),
        _feature(
            "Напрямок удару /// Direction of attack /// geoJSON.status.attack_direction",
            {"type": "LineString", "coordinates": [[0, 0, 0], [0.01, 0.01, 0]]},
        ),
    ]
    path = tmp_path / "deepstate_2024-08-01.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return path


def test_deepstate_export_is_detected_and_read(cli_json, cli, deepstate_export):
    done = cli("zones", "area", deepstate_export, "-f", "json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [(r["date"], r["actor"]) for r in rows] == [("2024-08-01", "russia")]
    assert rows[0]["area_km2"] == pytest.approx(cell_area_km2(0, 0, 0.03, 0.01), rel=1e-6)  # occupied+Crimea+ORDLO
    note = " ".join(done.stderr.split())
    assert "read as DeepStateMap API export" in note and "detected from the data" in note
    assert "points/lines dropped 2" in note and "grey 1" in note and "liberated 1" in note and "other 1" in note


def test_actor_map_changes_what_a_class_means(deepstate_export):
    zs = load_zones([deepstate_export], actor_map={"grey": "contested", "liberated": "ukraine"})
    assert zs.actors == ["contested", "russia", "ukraine"]
    assert zs.snapshots[0].zones["ukraine"].bounds == pytest.approx((0.03, 0, 0.04, 0.01))


def test_deepstate_without_a_status_is_a_data_error(tmp_path):
    path = tmp_path / "deepstate_2024-08-01.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature("Аеродром Сакі /// Saki airfield /// geoJSON.airfield.saki", _box3d(0, 0, 0.01, 0.01))
                ],
            },
            ensure_ascii=False,
        )
    )
    with pytest.raises(InputError, match="no feature carries a DeepState status"):
        load_zones([path])


def test_source_deepstate_on_archive_files_reads_the_occupied_area(tmp_path):
    # The DeepStateMap archive files have no properties: every polygon is the occupied area.
    path = write_zones(tmp_path / "deepstatemap_data_20240801.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    zs = load_zones([path], source="deepstate")
    assert zs.actors == ["russia"] and zs.dates == [dt.date(2024, 8, 1)]


@pytest.fixture
def nzz(tmp_path):
    """nochange 0..0.01, gains 0.01..0.02, losses 0.02..0.03, dated 2022-09-11 in a file named 2022-09-15."""
    return write_zones(
        tmp_path / "2022-09-15.json",
        [
            ({"type": "nochange", "date": "2022-09-11"}, box_coords(0, 0, 0.01, 0.01)),
            ({"type": "gains", "date": "2022-09-11"}, box_coords(0.01, 0, 0.02, 0.01)),
            ({"type": "losses", "date": "2022-09-11"}, box_coords(0.02, 0, 0.03, 0.01)),
        ],
        wrap="value",
    )


def test_nzz_holds_nochange_and_gains_on_the_features_date(cli, nzz):
    done = cli("zones", "area", nzz, "-f", "json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [(r["date"], r["actor"]) for r in rows] == [("2022-09-11", "russia")]
    assert rows[0]["area_km2"] == pytest.approx(cell_area_km2(0, 0, 0.02, 0.01), rel=1e-6)
    assert "4 day(s) from their features' date" in done.stderr


def test_nzz_date_from_name_when_asked(nzz):
    assert load_zones([nzz], from_name=True).dates == [dt.date(2022, 9, 15)]


def test_where_filters_features(nzz, tmp_path):
    zs = load_zones([nzz], where="type = 'nochange'")
    assert zs.snapshots[0].zones["russia"].bounds == pytest.approx((0, 0, 0.01, 0.01))
    with pytest.raises(InputError, match="selects no feature"):
        load_zones([nzz], where="type = 'none'")
    with pytest.raises(UsageError, match="--where"):
        load_zones([nzz], where="no_such_field = 1")


def test_actor_map_for_a_generic_field(tmp_path):
    path = write_zones(
        tmp_path / "zones_2024-08-01.geojson",
        [
            ({"side": "RU"}, box_coords(0, 0, 0.01, 0.01)),
            ({"side": "UA"}, box_coords(0.01, 0, 0.02, 0.01)),
            ({"side": "?"}, box_coords(0.02, 0, 0.03, 0.01)),
        ],
    )
    zs = load_zones([path], actor_map=parse_actor_map("RU=russia, UA=ukraine, ?=-"))
    assert zs.actors == ["russia", "ukraine"]
    with pytest.raises(InputError, match="label 'UA' has no meaning"):
        load_zones([path], actor_map={"RU": "russia", "?": "-"})
    with pytest.raises(InputError, match="--actor-map label 'RUS' matches no feature"):
        load_zones([path], actor_map={"RU": "russia", "UA": "ukraine", "?": "-", "RUS": "russia"})


def test_malformed_actor_map_is_a_usage_error():
    with pytest.raises(UsageError, match="label=actor"):
        parse_actor_map("russia")


def test_real_nzz_losses_are_not_held(shared_data, cli_json):
    # 11 Sep 2022 (Kharkiv counter-offensive): held = (nochange ∪ gains) ∩ Ukraine's land boundary,
    # measured here with pyproj.Geod; counting `losses` as held would add thousands of km².
    import shapely
    from pyproj import Geod

    ukraine = shared_data / "ukraine"
    path = ukraine / "zones-nzz" / "2022-09-15.json"
    rows = cli_json("zones", "area", path, "--clip", ukraine / "national-boundary.geojson")
    assert rows[0]["date"] == "2022-09-11"
    features = json.loads(path.read_text())["value"]["features"]
    geoms = {
        k: shapely.union_all(
            [
                shapely.make_valid(shapely.geometry.shape(f["geometry"]))
                for f in features
                if f["properties"]["type"] == k
            ]
        )
        for k in ("nochange", "gains", "losses")
    }
    land = shapely.make_valid(shapely.from_geojson((ukraine / "national-boundary.geojson").read_text()))
    geod = Geod(ellps="WGS84")
    held = (
        abs(geod.geometry_area_perimeter(shapely.union_all([geoms["nochange"], geoms["gains"]]).intersection(land))[0])
        / 1e6
    )
    assert rows[0]["area_km2"] == pytest.approx(held, rel=1e-6)
    lost = abs(geod.geometry_area_perimeter(geoms["losses"].intersection(land))[0]) / 1e6
    assert lost > 5000


def test_source_deepstate_on_another_source_is_a_data_error(nzz):
    # An NZZ file named as DeepState: its `type` is no DeepState status, and its losses must not be read as held.
    with pytest.raises(InputError, match="no 'name' with a DeepState status"):
        load_zones([nzz], source="deepstate")
