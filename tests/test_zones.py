"""Reading dated zones: dates from names or fields, actors, repairs, overlaps, NZZ wrapping, areas."""

import datetime as dt
import json
import math
import re

import pytest
import shapely

from conflictmap.errors import InputError, UsageError
from conflictmap.actors import Actors
from conflictmap.zones import date_from_name, load_clip, load_zones, zone_areas
from tests.helpers import cell_area_km2, box_coords, write_zones


@pytest.mark.parametrize(
    "name, expected",
    [
        ("deepstatemap_data_20240801.geojson", dt.date(2024, 8, 1)),
        ("2024-08-01.json", dt.date(2024, 8, 1)),
        ("zones_2024-08-01_v2.gpkg", dt.date(2024, 8, 1)),
        ("a_2026-08-22.geojson", dt.date(2026, 8, 22)),  # QA: a date after a prefix
        ("zones_2024_08_01.geojson", dt.date(2024, 8, 1)),
        ("map20240801final.fgb", dt.date(2024, 8, 1)),  # letters either side
        ("2024-08-01_20240801.geojson", dt.date(2024, 8, 1)),  # the same date twice is one date
        ("zones.geojson", None),
        ("deepstatemap_data_20241301.geojson", None),  # month 13: not a date
        ("layer_12345678.geojson", None),  # 8 digits that are no date (month 56)
        ("zones_2024-08_01.geojson", None),  # mixed separators: not one of the three forms
        ("id_120240801.geojson", None),  # 9 digits: an id, not a date
    ],
)
def test_date_from_name(name, expected):
    assert date_from_name(name) == expected


@pytest.mark.parametrize("name", ["from_20240801_to_20240901.geojson", "2024-08-01_2024_09_01.geojson"])
def test_two_different_dates_in_a_name_is_an_error(name):
    with pytest.raises(InputError) as err:
        date_from_name(name)
    message = str(err.value)
    assert name in message and "2024-08-01, 2024-09-01" in message and "--date-field" in message


def test_folder_with_each_date_form(tmp_path):
    # The QA case: names with a prefix and dates in any of the three forms, in one folder.
    folder = tmp_path / "two"
    folder.mkdir()
    write_zones(folder / "a_2026-08-22.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    write_zones(folder / "b_2026_08_23.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    write_zones(folder / "c20260824.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    zs = load_zones([folder], actor="russia")
    assert zs.dates == [dt.date(2026, 8, 22), dt.date(2026, 8, 23), dt.date(2026, 8, 24)]
    assert zs.dates_from == "file names"


def test_each_file_dated_by_its_name_else_its_field(tmp_path):
    named = write_zones(tmp_path / "zones_2024-08-01.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    fielded = write_zones(tmp_path / "later.geojson", [({"date": "2024-09-01"}, box_coords(0, 0, 0.02, 0.01))])
    zs = load_zones([named, fielded], actor="russia")
    assert zs.dates == [dt.date(2024, 8, 1), dt.date(2024, 9, 1)]
    assert zs.dates_from == "file names and field 'date'"


def test_undated_file_among_dated_ones_is_named(tmp_path):
    # The error names the file without a date, not the first file of the folder.
    write_zones(tmp_path / "a_2026-08-22.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    write_zones(tmp_path / "b.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    with pytest.raises(InputError) as err:
        load_zones([tmp_path], actor="russia")
    message = str(err.value)
    assert "b.geojson: no date in the file name and no date field" in message
    assert "a_2026" not in message and "--date-field F" in message


def test_folder_of_dated_files(tmp_path):
    folder = tmp_path / "zones"
    folder.mkdir()
    write_zones(folder / "deepstatemap_data_20240901.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    write_zones(folder / "deepstatemap_data_20240801.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    (folder / "README.txt").write_text("not a zone file")
    zs = load_zones([folder], actor="russia")
    assert zs.dates == [dt.date(2024, 8, 1), dt.date(2024, 9, 1)]
    assert zs.actors == ["russia"] and zs.dates_from == "file names"
    assert zs.snapshots[0].sources == ["deepstatemap_data_20240801.geojson"]


def test_date_and_actor_fields_in_one_file(tmp_path):
    path = write_zones(
        tmp_path / "all.geojson",
        [
            ({"date": "2024-08-01", "side": "russia"}, box_coords(0, 0, 0.01, 0.01)),
            ({"date": "2024-08-01", "side": "russia"}, box_coords(0.01, 0, 0.02, 0.01)),  # merged with the first
            ({"date": "2024-08-01", "side": "ukraine"}, box_coords(0, 0.01, 0.02, 0.02)),
            ({"date": "2024-09-01", "side": "russia"}, box_coords(0, 0, 0.02, 0.02)),
        ],
    )
    zs = load_zones([path])  # no options: 'date' and 'side' are found by name
    assert zs.dates_from == "field 'date'" and zs.actors == ["russia", "ukraine"]
    first = zs.snapshots[0].zones
    assert first["russia"].equals(shapely.box(0, 0, 0.02, 0.01))
    assert set(zs.snapshots[1].zones) == {"russia"}


def test_actor_field_names_are_canonical(tmp_path):
    path = write_zones(tmp_path / "2024-08-01.geojson", [({"who": "RF"}, box_coords(0, 0, 0.01, 0.01))])
    actors = Actors(strict=True)
    actors.add("russia", ["RF", "Russian forces"])
    assert load_zones([path], actor_field="who", actors=actors).actors == ["russia"]
    actors.add("ukraine")
    path2 = write_zones(tmp_path / "2024-08-02.geojson", [({"who": "wagner"}, box_coords(0, 0, 0.01, 0.01))])
    with pytest.raises(InputError, match="unknown actor 'wagner'"):
        load_zones([path2], actor_field="who", actors=actors)


def test_no_actor_field_is_a_data_error(tmp_path):
    # The zones lack an actor: the data's problem (exit 1), with the options that fix it.
    path = write_zones(tmp_path / "2024-08-01.geojson", [({"kind": "x"}, box_coords(0, 0, 0.01, 0.01))])
    with pytest.raises(
        InputError,
        match=r"2024-08-01.geojson: zones carry no actor field .*fields: kind.*--actor NAME.*--actor-field F",
    ):
        load_zones([path])


def test_wrong_or_conflicting_options_are_usage_errors(tmp_path):
    path = write_zones(tmp_path / "2024-08-01.geojson", [({"kind": "x"}, box_coords(0, 0, 0.01, 0.01))])
    with pytest.raises(UsageError, match="not both"):
        load_zones([path], actor="a", actor_field="b")
    with pytest.raises(UsageError, match="not both"):
        load_zones([path], actor="a", date_field="kind", from_name=True)
    with pytest.raises(UsageError, match="no field 'who' for --actor-field"):
        load_zones([path], actor_field="who")
    with pytest.raises(UsageError, match="no field 'day' for --date-field"):
        load_zones([path], actor="a", date_field="day")


def test_no_date_anywhere_is_a_data_error(tmp_path):
    path = write_zones(tmp_path / "zones.geojson", [({"kind": "x"}, box_coords(0, 0, 0.01, 0.01))])
    with pytest.raises(
        InputError, match=r"zones.geojson: no date in the file name and no date field .*fields: kind.*--date-field F"
    ):
        load_zones([path], actor="russia")
    with pytest.raises(
        InputError, match=r"zones.geojson: no date in the file name \(--date-from-name\).*--date-field F"
    ):
        load_zones([path], actor="russia", from_name=True)


def test_bad_date_value_names_the_feature(tmp_path):
    path = write_zones(tmp_path / "z.geojson", [({"day": "01/08/2024"}, box_coords(0, 0, 0.01, 0.01))])
    with pytest.raises(InputError, match=r"feature 1.*2024-08-01"):
        load_zones([path], actor="russia", date_field="day")


def test_invalid_ring_is_repaired_and_reported(tmp_path):
    # A bow tie: two triangles meeting at (0.005, 0.005); make_valid keeps both, area of each by hand.
    bowtie = [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]]
    path = write_zones(tmp_path / "2024-08-01.geojson", [({}, bowtie)])
    zs = load_zones([path], actor="russia")
    zone = zs.snapshots[0].zones["russia"]
    assert zone.is_valid and zone.area == pytest.approx(2 * 0.5 * 0.01 * 0.005)
    assert any("repaired" in str(p) and "feature 1" in str(p) for p in zs.problems)


def test_overlap_is_an_error_naming_date_and_km2(tmp_path):
    # russia: lon 0..0.016; wagner: lon 0.012..0.03 (lat 0..0.01): they share lon 0.012..0.016.
    path = write_zones(
        tmp_path / "2024-08-01.geojson",
        [
            ({"actor": "russia"}, box_coords(0, 0, 0.016, 0.01)),
            ({"actor": "wagner"}, box_coords(0.012, 0, 0.03, 0.01)),
        ],
    )
    with pytest.raises(InputError) as err:
        load_zones([path])
    message = str(err.value)
    assert "2024-08-01" in message and "--allow-overlap" in message
    km2 = float(re.search(r"overlap by ([0-9.]+) km²", message).group(1))
    assert km2 == pytest.approx(cell_area_km2(0.012, 0, 0.016, 0.01), abs=1e-3)


def test_allow_overlap_gives_the_overlap_to_the_winner(tmp_path):
    path = write_zones(
        tmp_path / "2024-08-01.geojson",
        [
            ({"actor": "russia"}, box_coords(0, 0, 0.016, 0.01)),
            ({"actor": "wagner"}, box_coords(0.012, 0, 0.03, 0.01)),
        ],
    )
    zs = load_zones([path], allow_overlap=["russia"])
    zones = zs.snapshots[0].zones
    assert zones["russia"].equals(shapely.box(0, 0, 0.016, 0.01))
    assert shapely.equals(zones["wagner"], shapely.box(0.016, 0, 0.03, 0.01))
    assert any("given to russia" in str(p) for p in zs.problems)
    with pytest.raises(UsageError, match="not an actor of the zones"):
        load_zones([path], allow_overlap=["nobody"])


def test_touching_zones_are_not_an_overlap(tmp_path):
    path = write_zones(
        tmp_path / "2024-08-01.geojson",
        [
            ({"actor": "russia"}, box_coords(0, 0, 0.01, 0.01)),
            ({"actor": "ukraine"}, box_coords(0.01, 0, 0.02, 0.01)),
        ],
    )
    zs = load_zones([path])
    assert zs.actors == ["russia", "ukraine"] and not zs.problems


def test_nzz_wrapped_collection_is_read_as_nzz(tmp_path):
    # The NZZ export: {"value": FeatureCollection}; nochange and gains held, losses not; the features' date.
    path = write_zones(
        tmp_path / "2024-07-08.json",
        [
            ({"type": "nochange", "date": "2024-07-05"}, box_coords(0, 0, 0.01, 0.01)),
            ({"type": "gains", "date": "2024-07-05"}, box_coords(0.01, 0, 0.02, 0.01)),
            ({"type": "losses", "date": "2024-07-05"}, box_coords(0.02, 0, 0.03, 0.01)),
        ],
        wrap="value",
    )
    zs = load_zones([path])
    assert zs.dates == [dt.date(2024, 7, 5)] and zs.actors == ["russia"]
    assert zs.snapshots[0].zones["russia"].bounds == pytest.approx((0, 0, 0.02, 0.01))
    text = " ".join(str(p) for p in zs.problems)
    assert "NZZ" in text and "detected" in text and "not held: losses 1" in text and "features' date is used" in text


def test_nzz_files_unwrapped_read_with_actor_field(tmp_path):
    path = write_zones(
        tmp_path / "2024-07-08.geojson",
        [
            ({"type": "nochange", "date": "2024-07-05"}, box_coords(0, 0, 0.01, 0.01)),
            ({"type": "gains", "date": "2024-07-05"}, box_coords(0.01, 0, 0.02, 0.01)),
        ],
    )
    zs = load_zones([path], actor_field="type")
    assert zs.dates == [dt.date(2024, 7, 8)]  # the file name wins over the features' 'date'
    assert zs.actors == ["gains", "nochange"]


def test_line_geometry_is_an_error(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}
        ],
    }
    path = tmp_path / "2024-08-01.geojson"
    path.write_text(json.dumps(fc))
    with pytest.raises(InputError, match="feature 1: geometry is a LineString"):
        load_zones([path], actor="russia")


def test_projected_zones_are_reprojected(tmp_path):
    import geopandas as gpd

    lonlat = gpd.GeoDataFrame(geometry=[shapely.box(30, 48, 30.1, 48.1)], crs=4326)
    path = tmp_path / "2024-08-01.gpkg"
    lonlat.to_crs(32636).to_file(path)
    zone = load_zones([path], actor="russia").snapshots[0].zones["russia"]
    assert zone.bounds == pytest.approx((30, 48, 30.1, 48.1), abs=1e-6)


def test_metres_in_a_geojson_are_refused(tmp_path):
    # GeoJSON is lon/lat by definition, so GDAL reports EPSG:4326 even for UTM metres: the same
    # check as for districts (conflictmap.geometry.lonlat_problem) refuses them.
    path = write_zones(tmp_path / "2024-08-01.geojson", [({}, box_coords(500000, 5300000, 510000, 5310000))])
    with pytest.raises(InputError, match="2024-08-01.geojson: coordinates outside the lon/lat range"):
        load_zones([path], actor="russia")


def test_zones_do_not_import_the_overlay():
    # Layering: zones feed the overlay, so they must not import it (shared helpers live in geometry.py).
    import ast
    import inspect

    import conflictmap.zones

    tree = ast.parse(inspect.getsource(conflictmap.zones))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "overlay" not in imported


def test_missing_path():
    with pytest.raises(InputError, match="not found"):
        load_zones(["/no/such/zones"], actor="russia")


# --- zone areas ---


def test_zone_areas_by_hand(tmp_path):
    write_zones(tmp_path / "2024-08-01.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    write_zones(tmp_path / "2024-09-01.geojson", [({}, box_coords(0, 0, 0.03, 0.01))])
    zs = load_zones([tmp_path], actor="russia")
    table = zone_areas(zs)
    first, second = cell_area_km2(0, 0, 0.02, 0.01), cell_area_km2(0, 0, 0.03, 0.01)
    assert table["area_km2"].tolist() == pytest.approx([first, second], rel=1e-6)
    assert math.isnan(table["change_km2"].iloc[0])  # no previous date (null in JSON)
    assert table["change_km2"].iloc[1] == pytest.approx(second - first, rel=1e-6)


def test_zone_areas_clipped(tmp_path):
    # Zone lon 0..0.02, clip lon 0.01..0.05: the km² of lon 0.01..0.02.
    write_zones(tmp_path / "2024-08-01.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    clip_file = write_zones(tmp_path / "boundary.geojson", [({}, box_coords(0.01, -1, 0.05, 1))])
    zs = load_zones([tmp_path / "2024-08-01.geojson"], actor="russia")
    clip, _ = load_clip(clip_file)
    table = zone_areas(zs, clip)
    assert table["area_km2"].tolist() == pytest.approx([cell_area_km2(0.01, 0, 0.02, 0.01)], rel=1e-6)


def test_actor_absent_on_a_date_has_zero_area(tmp_path):
    path = write_zones(
        tmp_path / "z.geojson",
        [
            ({"date": "2024-08-01", "actor": "russia"}, box_coords(0, 0, 0.01, 0.01)),
            ({"date": "2024-08-01", "actor": "wagner"}, box_coords(0.01, 0, 0.02, 0.01)),
            ({"date": "2024-09-01", "actor": "russia"}, box_coords(0, 0, 0.02, 0.01)),
        ],
    )
    table = zone_areas(load_zones([path])).set_index(["date", "actor"])
    assert table.loc[("2024-09-01", "wagner"), "area_km2"] == 0.0
    assert table["area_km2"].dtype == float and table["change_km2"].dtype == float  # 0.0, never 0
    assert table.loc[("2024-09-01", "wagner"), "change_km2"] == pytest.approx(
        -cell_area_km2(0.01, 0, 0.02, 0.01), rel=1e-6
    )


def test_deepstate_in_ukraine_is_18_to_20_percent(shared_data):
    # Public figures: Russia held about 18% of Ukraine in mid-2024 and under 20% through 2026.
    # Independent check: pyproj.Geod on a plain shapely intersection with the national boundary.
    from pyproj import Geod

    ukraine = shared_data / "ukraine"
    zs = load_zones([ukraine / "zones-deepstate"], actor="russia")
    clip, _ = load_clip(ukraine / "national-boundary.geojson")
    table = zone_areas(zs, clip)
    geod = Geod(ellps="WGS84")
    national = abs(geod.geometry_area_perimeter(clip)[0]) / 1e6
    first = zs.snapshots[0].zones["russia"]
    independent = abs(geod.geometry_area_perimeter(first.intersection(clip))[0]) / 1e6
    assert table["area_km2"].iloc[0] == pytest.approx(independent, rel=1e-6)
    pct = table["area_km2"] / national * 100
    assert len(table) == 26 and pct.between(17.5, 20).all()
    assert table["area_km2"].iloc[-1] > table["area_km2"].iloc[0]  # Russian gains 2024 -> 2026


def test_overlap_sliver_is_one_warning(tmp_path):
    # Two zones sharing a strip 1e-6° wide (about 0.1 m x 1.1 km, ~120 m²): under the 1000 m² tolerance.
    path = write_zones(
        tmp_path / "2024-08-01.geojson",
        [
            ({"actor": "russia"}, box_coords(0, 0, 0.010001, 0.01)),
            ({"actor": "ukraine"}, box_coords(0.01, 0, 0.02, 0.01)),
        ],
    )
    zs = load_zones([path])
    slivers = [str(p) for p in zs.problems if "sliver" in str(p)]
    assert len(slivers) == 1 and "2024-08-01" in slivers[0]
    m2 = cell_area_km2(0.01, 0, 0.010001, 0.01) * 1e6
    assert f"{m2:.2g} m²" in slivers[0]


def test_each_zone_file_is_read_once(tmp_path, monkeypatch):
    # The source is detected from the features' 'name', the dates come from a field: one read of each file
    # answers all three questions (no pyogrio.read_info, no second read_dataframe).
    import pyogrio

    import conflictmap.zones as zones_module

    for day in ("2024-08-01", "2024-09-01"):
        write_zones(
            tmp_path / f"zones_{day.replace('-', '')[:6]}.geojson",
            [
                ({"name": "Occupied ///", "date": day}, box_coords(0, 0, 0.01, 0.01)),
                ({"name": "ORDLO", "date": day}, box_coords(0.01, 0, 0.02, 0.01)),
            ],
        )
    calls = []
    real = zones_module.read_vector
    monkeypatch.setattr(zones_module, "read_vector", lambda path, *a: calls.append(path) or real(path, *a))
    monkeypatch.setattr(pyogrio, "read_info", lambda *a, **k: pytest.fail("read_info parses the file again"))
    zs = load_zones([tmp_path], actor="russia")
    assert sorted(calls) == sorted(tmp_path.glob("*.geojson"))
    assert [s.date for s in zs.snapshots] == [dt.date(2024, 8, 1), dt.date(2024, 9, 1)] and zs.actors == ["russia"]
    assert zs.snapshots[0].zones["russia"].area == pytest.approx(
        0.02 * 0.01
    )  # occupied + ORDLO (degrees², a shape check)


def test_a_kept_clip_cut_gives_the_same_geometry(shared_data):
    # Clip cuts the boundary to a coarse grid box around each zone, made and checked once for the series;
    # the intersection is the same geometry, vertex for vertex, as with the cut to the zone's own box.
    from conflictmap.zones import Clip, clipped, load_clip

    ukraine = shared_data / "ukraine"
    boundary, _ = load_clip(ukraine / "national-boundary.geojson")
    files = sorted((ukraine / "zones-deepstate").glob("*.geojson"))[::4]
    kept = Clip(boundary)
    for snap in load_zones(files, actor="russia").snapshots:
        zone = snap.zones["russia"]
        assert shapely.equals_exact(clipped(zone, kept), clipped(zone, boundary), 0)
    assert 1 <= len(kept.cuts) < len(files)


def test_a_name_with_an_impossible_date_says_so(tmp_path):
    # 20241308 looks like a date but has month 13: "no date in the file name" would send the user looking
    # for a missing date; the message names the number and the fix.
    path = write_zones(tmp_path / "deepstatemap_data_20241308.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    wanted = r"deepstatemap_data_20241308.geojson: the file name holds 20241308, which is not a date \(there is no month 13\)"
    with pytest.raises(InputError, match=wanted + r", and no date field .*correct the date in the file name"):
        load_zones([path], actor="russia")
    with pytest.raises(InputError, match=wanted + r" \(--date-from-name\); correct the date in the file name"):
        load_zones([path], actor="russia", from_name=True)
    feb = write_zones(tmp_path / "zones_2024-02-30.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    with pytest.raises(InputError, match=r"holds 2024-02-30, which is not a date \(February 2024 has 29 days\)"):
        load_zones([feb], actor="russia")


def test_an_impossible_name_date_beside_a_date_field_is_an_id(tmp_path):
    # Eight digits that are no date may be an id: a file with a date field is dated by it, as before.
    path = write_zones(tmp_path / "zones_20241308.geojson", [({"date": "2024-08-13"}, box_coords(0, 0, 0.01, 0.01))])
    assert load_zones([path], actor="russia").dates == [dt.date(2024, 8, 13)]


# -- one file per date (review item 3) and one source per folder (item 8)


def test_two_different_files_of_one_date_are_an_error_naming_both(tmp_path):
    # The 2024-07-08 file and a mis-named copy of a later map were merged into one snapshot (their union).
    write_zones(tmp_path / "a_20240708.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    write_zones(tmp_path / "b_2024-07-08.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    with pytest.raises(InputError) as err:
        load_zones([tmp_path], actor="russia")
    message = str(err.value)
    assert (
        "a_20240708.geojson and " in message
        and "b_2024-07-08.geojson both give russia's zones on 2024-07-08" in message
    )
    assert "(dated by their names)" in message and "keep one file per date" in message


def test_a_copy_of_a_file_is_read_once_with_a_note(tmp_path):
    write_zones(tmp_path / "zones_2024-07-08.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    (tmp_path / "zones_2024-07-08 (1).geojson").write_bytes((tmp_path / "zones_2024-07-08.geojson").read_bytes())
    zs = load_zones([tmp_path], actor="russia")
    notes = [str(p) for p in zs.problems if p.level == "note" and "read once" in str(p)]
    assert len(notes) == 1 and "2024-07-08: zones_2024-07-08 (1).geojson and zones_2024-07-08.geojson" in notes[0]
    assert zs.snapshots[0].sources == ["zones_2024-07-08 (1).geojson"]
    # One 0.01° square, not counted twice.
    assert zone_areas(zs)["area_km2"].tolist() == pytest.approx([cell_area_km2(0, 0, 0.01, 0.01)], rel=1e-6)


def test_the_same_polygons_in_another_order_are_a_copy(tmp_path):
    left, right = box_coords(0, 0, 0.01, 0.01), box_coords(0.01, 0, 0.02, 0.01)
    write_zones(tmp_path / "a_2024-07-08.geojson", [({}, left), ({}, right)])
    write_zones(tmp_path / "b_2024-07-08.geojson", [({}, right), ({}, left)])
    assert len(load_zones([tmp_path], actor="russia").snapshots) == 1


def test_files_of_different_actors_on_one_date_complement_each_other(tmp_path):
    # A file per actor (ISW-style layers) is one snapshot of two actors, as before.
    write_zones(tmp_path / "russia_2024-07-08.geojson", [({"actor": "russia"}, box_coords(0, 0, 0.01, 0.01))])
    write_zones(tmp_path / "ukraine_2024-07-08.geojson", [({"actor": "ukraine"}, box_coords(0.01, 0, 0.02, 0.01))])
    zs = load_zones([tmp_path])
    assert zs.dates == [dt.date(2024, 7, 8)] and sorted(zs.snapshots[0].zones) == ["russia", "ukraine"]
    assert zs.snapshots[0].sources == ["russia_2024-07-08.geojson", "ukraine_2024-07-08.geojson"]


def _nzz(path, day, box):
    return write_zones(path, [({"type": "nochange", "date": day}, box_coords(*box))], wrap="value")


def test_two_nzz_files_with_one_features_date_point_to_the_names(tmp_path):
    # NZZ dates come from the features: two maps whose features say the same day collide, and the names can tell them apart.
    _nzz(tmp_path / "2024-07-08.json", "2024-07-05", (0, 0, 0.01, 0.01))
    _nzz(tmp_path / "2024-07-09.json", "2024-07-05", (0, 0, 0.02, 0.01))
    with pytest.raises(
        InputError, match=r"both give russia's zones on 2024-07-05 \(dated by their features' 'date'\)"
    ) as err:
        load_zones([tmp_path])
    assert "--date-from-name" in str(err.value)
    assert load_zones([tmp_path], from_name=True).dates == [dt.date(2024, 7, 8), dt.date(2024, 7, 9)]


def test_a_folder_mixing_sources_is_warned_about_and_each_date_still_measured(tmp_path):
    nzz = _nzz(tmp_path / "2024-07-05.json", "2024-07-05", (0, 0, 0.01, 0.01))
    write_zones(tmp_path / "deepstatemap_data_20240801.geojson", [({}, box_coords(0, 0, 0.03, 0.01))])
    write_zones(tmp_path / "deepstatemap_data_20240901.geojson", [({}, box_coords(0, 0, 0.04, 0.01))])
    zs = load_zones([tmp_path], actor="russia")
    mixed = [str(p) for p in zs.problems if "mix" in str(p)]
    assert len(mixed) == 1
    assert (
        "the files mix 2 sources, generic (deepstatemap_data_20240801.geojson and 1 more) and nzz (2024-07-05.json)"
        in mixed[0]
    )
    assert "switching between 2024-07-05 and 2024-08-01:" in mixed[0] and "keep one source per folder" in mixed[0]
    # Each date's figure is that of its own file.
    expected = [cell_area_km2(0, 0, x, 0.01) for x in (0.01, 0.03, 0.04)]
    assert zone_areas(zs)["area_km2"].tolist() == pytest.approx(expected, rel=1e-6)
    # One source: no warning.
    nzz.unlink()
    assert not [p for p in load_zones([tmp_path], actor="russia").problems if "mix" in str(p)]


@pytest.mark.parametrize("folder, count", [("zones-deepstate", 26), ("zones-nzz", 23)])
def test_real_folders_have_one_file_per_date_and_one_source(shared_data, folder, count):
    # The real folders still read whole: NZZ's features' dates are 0-5 days before the names' and all distinct.
    path = shared_data / "ukraine" / folder
    zs = load_zones([path], actor="russia")
    assert len(zs.dates) == len(list(path.glob("*.*json"))) == count
    assert all(len(s.sources) == 1 for s in zs.snapshots)
    assert not [p for p in zs.problems if "mix" in str(p) or "read once" in str(p)]


@pytest.mark.parametrize(
    "first, second",
    [
        ("2024-02-29T00:00:00+02:00", "2024-07-08T00:00:00+03:00"),  # Kyiv midnights, winter and summer time
        ("2024-02-29T23:30:00-05:00", "2024-03-01T01:00:00+03:00"),  # in UTC these two swap order
    ],
)
def test_dates_of_several_utc_offsets_keep_the_written_day(tmp_path, first, second):
    # The shape of review G's dst.geojson: one feature per date, each a local midnight with its own offset.
    # pyogrio reads a field of mixed offsets as UTC times (02-28 22:00, 07-07 21:00); the written day is kept.
    small, large = box_coords(0, 0, 0.01, 0.01), box_coords(0, 0, 0.02, 0.01)
    path = write_zones(tmp_path / "dst.geojson", [({"date": first}, small), ({"date": second}, large)])
    zs = load_zones([path], actor="russia")
    assert [d.isoformat() for d in zs.dates] == [first[:10], second[:10]]
    table = zone_areas(zs)
    # The second date holds the larger box: the change is + (by hand: the second cell of 0.01° x 0.01°).
    assert table["change_km2"].iloc[1] == pytest.approx(cell_area_km2(0.01, 0, 0.02, 0.01), rel=1e-6)
    # --where reads through pyogrio itself: the same days.
    assert load_zones([path], actor="russia", where="date IS NOT NULL").dates == zs.dates


def test_nzz_zones_warn_once_that_crimea_and_from_july_2024_the_2014_areas_are_not_drawn(tmp_path):
    # Review G1: NZZ draws neither Crimea nor, from July 2024, the areas held since 2014; that ground is in
    # no zone (--rest gets it), and the files carry nothing to tell. One warning says so, counting the dates.
    _nzz(tmp_path / "2024-02-17.json", "2024-02-16", (0, 0, 0.01, 0.01))
    problems = [str(p) for p in load_zones([tmp_path]).problems if "Crimea" in str(p)]
    assert problems == [
        "zones: NZZ's map (1 date(s)) does not draw Crimea and Sevastopol, which russia holds: that ground is in "
        "no zone, so the km² and % leave it out, --rest gives it to the rest, and the front along the zones' edges "
        "includes its edges; for the area held use DeepState's zones, which draw it, or read NZZ's figures as "
        "those of the area NZZ draws"
    ]
    _nzz(tmp_path / "2024-07-08.json", "2024-07-05", (0, 0, 0.02, 0.01))
    write_zones(tmp_path / "deepstatemap_data_20240801.geojson", [({}, box_coords(0, 0, 0.03, 0.01))])
    zs = load_zones([tmp_path], actor="russia")
    (problem,) = [p for p in zs.problems if "Crimea" in str(p)]
    assert problem.level == "warning"
    assert (
        "NZZ's map (2 date(s)) does not draw Crimea and Sevastopol, nor on its 1 date(s) from July 2024 the areas held since 2014"
        in str(problem)
    )
    for path in tmp_path.glob("*.json"):
        path.unlink()
    assert not [p for p in load_zones([tmp_path], actor="russia").problems if "Crimea" in str(p)]
