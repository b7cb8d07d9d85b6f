"""Reading districts: formats, stdin, field detection, CRS handling, geodesic areas."""

import json

import geopandas as gpd
import pytest
import shapely

from conflictmap.districts import load_districts
from conflictmap.errors import InputError
from tests.helpers import square, squares_area, squares_geojson


@pytest.fixture
def frame(squares):
    return gpd.read_file(squares["districts"])


@pytest.mark.parametrize("driver, suffix", [("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp"), ("FlatGeobuf", ".fgb")])
def test_vector_formats(frame, tmp_path, driver, suffix):
    path = tmp_path / f"d{suffix}"
    frame.to_file(path, driver=driver)
    gdf, fields, _ = load_districts(path)
    assert sorted(gdf["id"]) == ["A", "B", "C", "D"]
    assert gdf.set_index("id").loc["C", "area_km2"] == pytest.approx(squares_area("C"), rel=1e-6)


def test_utm_and_lonlat_give_the_same_areas(frame, tmp_path):
    # The same squares stored in UTM zone 31N (EPSG:32631) and in lon/lat: areas within 0.01%.
    utm = tmp_path / "utm.gpkg"
    frame.to_crs(32631).to_file(utm)
    lonlat, _, _ = load_districts(frame_path(frame, tmp_path))
    projected, _, crs = load_districts(utm)
    assert "32631" in crs
    for a, b in zip(lonlat.sort_values("id")["area_km2"], projected.sort_values("id")["area_km2"]):
        assert b == pytest.approx(a, rel=1e-4)


def frame_path(frame, tmp_path):
    path = tmp_path / "ll.geojson"
    frame.to_file(path)
    return path


def test_reads_geojson_from_stdin(squares, monkeypatch):
    import io
    import sys

    data = open(squares["districts"], "rb").read()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    gdf, _, _ = load_districts("-")
    assert len(gdf) == 4


def test_detects_common_field_names(tmp_path):
    data = squares_geojson()
    for f in data["features"]:
        p = f["properties"]
        f["properties"] = {"shapeID": p["id"], "shapeName": p["name"], "pop": p["population"]}
    path = tmp_path / "gb.geojson"
    path.write_text(json.dumps(data))
    gdf, fields, _ = load_districts(path)
    assert (fields.id, fields.name, fields.population) == ("shapeID", "shapeName", "pop")
    assert gdf["population"].sum() == 10000


def test_empty_detected_population_field_is_ignored(tmp_path):
    data = squares_geojson()
    for f in data["features"]:
        f["properties"]["population"] = None
    path = tmp_path / "nopop.geojson"
    path.write_text(json.dumps(data))
    gdf, fields, _ = load_districts(path)
    assert fields.population is None and "population" not in gdf.columns


def test_numeric_ids_become_text(tmp_path):
    data = squares_geojson()
    for i, f in enumerate(data["features"]):
        f["properties"]["id"] = i + 1
    path = tmp_path / "n.geojson"
    path.write_text(json.dumps(data))
    gdf, _, _ = load_districts(path)
    assert list(gdf["id"]) == ["1", "2", "3", "4"]


def test_invalid_polygon_is_repaired_and_reported(tmp_path):
    data = squares_geojson()
    # A bow-tie: the ring crosses itself; make_valid turns it into two triangles.
    data["features"][0]["geometry"]["coordinates"] = [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]]
    path = tmp_path / "bow.geojson"
    path.write_text(json.dumps(data))
    gdf, fields, _ = load_districts(path)
    assert shapely.is_valid(gdf.geometry.values).all()
    assert any("repaired" in p.message and "'A'" in p.message for p in fields.problems)
    # Two triangles, each a quarter of the square.
    assert gdf.set_index("id").loc["A", "area_km2"] == pytest.approx(squares_area("A") / 2, rel=1e-3)


def test_dissolve_merges_features_sharing_an_id(tmp_path):
    data = squares_geojson()
    data["features"][1]["properties"]["id"] = "A"
    path = tmp_path / "dup.geojson"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="duplicate district id"):
        load_districts(path)
    gdf, fields, _ = load_districts(path, dissolve=True)
    assert len(gdf) == 3 and fields.dissolved == 1
    merged = gdf.set_index("id").loc["A"]
    assert merged["area_km2"] == pytest.approx(squares_area("A") + squares_area("B"), rel=1e-6)
    assert merged["population"] == 3000


def test_dissolved_district_answers_to_every_merged_name(cli_json, tmp_path):
    data = squares_geojson()
    data["features"][1]["properties"]["id"] = "A"  # Beta merges into A (named Alpha)
    path = tmp_path / "dup.geojson"
    path.write_text(json.dumps(data))
    log = tmp_path / "log.csv"
    log.write_text("date,district,controller\n2020-01-01,Beta,rebels\n")
    rows = {r["id"]: r for r in cli_json("status", "--districts", path, "--control", log, "--dissolve")}
    # The merged district is named by both names in sorted order, whatever the order of the features.
    assert rows["A"]["controller"] == "rebels" and rows["A"]["name"] == "Alpha / Beta"


@pytest.mark.filterwarnings("ignore:'crs' was not provided")  # the fixture is written without a CRS on purpose
def test_lonlat_file_without_crs_is_taken_as_wgs84(tmp_path):
    # GeoJSON always has a CRS; a Shapefile without .prj does not.
    frame = gpd.GeoDataFrame(squares_geojson_frame(), crs=None)
    path = tmp_path / "nocrs.shp"
    frame.to_file(path)
    gdf, _, crs = load_districts(path)
    assert crs == "EPSG:4326" and len(gdf) == 4


def squares_geojson_frame():
    return gpd.GeoDataFrame.from_features(squares_geojson()["features"])


def test_real_aleppo_polygons(shared_data):
    path = shared_data / "aleppo" / "neighbourhoods-csr.geojson"
    with pytest.raises(InputError, match="duplicate district id"):
        load_districts(path)
    with pytest.raises(InputError, match="--id-field NAME --dissolve"):  # the parts of a neighbourhood lie 2-52 m
        load_districts(path)  # apart (Tishreen's three): still one unit, so --dissolve is still the advice
    gdf, fields, _ = load_districts(path, dissolve=True)
    assert len(gdf) == 123  # the data README: 123 distinct Ids for 133 features
    assert gdf["area_km2"].sum() == pytest.approx(126, rel=0.01)  # "about 126 km²"


def test_geoparquet_districts_and_parquet_log(frame, squares, tmp_path, cli_json):
    import pandas as pd

    districts = tmp_path / "d.parquet"
    frame.to_parquet(districts)
    log = tmp_path / "log.parquet"
    pd.read_csv(squares["control"], dtype=str, keep_default_na=False).to_parquet(log)
    rows = {
        r["actor"]: r for r in cli_json("share", "--districts", districts, "--control", log, "--date", "2020-02-15")
    }
    # The same hand figures as the CSV/GeoJSON fixture: 2.5 of 4 districts government.
    assert rows["government"]["districts"] == pytest.approx(2.5)
    assert rows["government"]["area_km2"] == pytest.approx(
        squares_area("C") + squares_area("D") + squares_area("B") / 2, rel=1e-6
    )


def test_name_collisions_as_the_loop_over_every_label():
    # name_collisions looks only at labels whose key another label shares: the same findings, in the same
    # order, as the loop over every label it replaced (written out here), on names that collide often.
    import random

    from conflictmap.matching import district_labels, name_collisions
    from conflictmap.names import name_key

    def every_label(ids, names, other_names):
        seen, found = {}, []
        for i, label in district_labels(names, other_names):
            if label == ids[i]:
                continue
            key = name_key(label)
            if key in seen and seen[key][1] != i and seen[key][0] != label:
                first, j = seen[key]
                found.append((first, ids[j], label, ids[i]))
            seen.setdefault(key, (label, i))
        return found

    rng = random.Random(5)
    for _ in range(300):
        n = rng.randrange(1, 30)
        ids = [f"d{i}" for i in range(n)]
        names = [rng.choice(["Bab", "bab", "B-ab", "Salah", "salah ", "d3", "", "Aziza"]) for _ in range(n)]
        other = [tuple(rng.sample(["Bab", "BAB", "x", "Salah", ""], rng.randrange(0, 3))) for _ in range(n)]
        for others in (other, [() for _ in range(n)]):
            assert name_collisions(ids, names, others) == every_label(ids, names, others)


def test_id_texts_as_id_text_of_each():
    # id_texts does a list of texts or of integers in passes over the list: the same as id_text one by one.
    from conflictmap.model import id_text, id_texts

    texts = ["16", " 16 ", "16.0", "-3.00", "04", "1.5", "a.0", "\u00a016.0\u2003", "", " ", "16.", ".0", "d1"]
    numbers = [0, 16, -3, 10**20]
    mixed = texts + numbers + [16.0, 1.5, None, float("nan"), True]
    for values in (texts, numbers, mixed, []):
        assert id_texts(values) == [id_text(v) for v in values]


def test_geos_finds_every_nan_or_infinite_coordinate_invalid():
    # load_districts looks for NaN/infinite coordinates only in the geometries shapely.is_valid rejects:
    # that holds only while GEOS rejects each of them, wherever it stands (shell, hole, second part).
    import struct

    import shapely

    def polygon(*rings):
        body = b"".join(struct.pack("<I", len(r)) + b"".join(struct.pack("<dd", *p) for p in r) for r in rings)
        return shapely.from_wkb(struct.pack("<BII", 1, 3, len(rings)) + body)

    square = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    assert not shapely.is_valid(polygon([(float("inf"), 0), (10, 0), (10, 10), (float("inf"), 0)]))  # first = last
    for bad in (float("nan"), float("inf"), -float("inf")):
        for k in range(1, 4):
            for x_or_y in (0, 1):
                ring = [p if i != k else ((bad, p[1]) if x_or_y == 0 else (p[0], bad)) for i, p in enumerate(square)]
                hole = [(2, 2), (3, 2), (3, 3), (2, 3), (2, 2)]
                hole[k] = (bad, 2) if x_or_y == 0 else (2, bad)
                geoms = [polygon(ring), polygon(square, hole), shapely.MultiPolygon([polygon(square), polygon(hole)])]
                assert not shapely.is_valid(geoms).any(), (bad, k, x_or_y)


def test_district_index_tables_as_the_loops_they_replace():
    # DistrictIndex keys ids and names in bulk (names.name_keys, matching.positions_by_key): the same tables
    # as adding each district to the set of its key one by one (written out here).
    import random
    from collections import defaultdict

    from conflictmap.matching import DistrictIndex
    from conflictmap.names import name_key

    rng = random.Random(3)
    for _ in range(200):
        n = rng.randrange(1, 25)
        ids = [rng.choice(["d1", "D1", "d-1", "16", "16.0", "x", "y2"]) + str(rng.randrange(3)) for _ in range(n)]
        names = [rng.choice(["Bab", "bab", "B-ab", "Salah", "", "Łódź", "Lodz"]) for _ in range(n)]
        other = [tuple(rng.sample(["Bab", "BAB", "x", "Salah", "", "حلب"], rng.randrange(0, 3))) for _ in range(n)]
        index = DistrictIndex(ids, names, other)
        by_key, by_name = defaultdict(set), defaultdict(set)
        for i, d in enumerate(ids):
            by_key[name_key(d)].add(i)
        for i, (name, more) in enumerate(zip(names, other)):
            for text in dict.fromkeys((name, *more)):
                if text:
                    by_name[name_key(text)].add(i)
        assert (index.by_key, index.by_name, index.exact) == (by_key, by_name, {d: i for i, d in enumerate(ids)})


def test_features_sharing_an_id_far_apart_are_not_offered_dissolve(tmp_path):
    data = squares_geojson()
    for f, name in zip(data["features"], ["Alpha", "Beta", "Alpha", "Beta"]):  # A, B, C, D; no id field
        f["properties"] = {"name": name}
    # Beta is B (lon 0.01-0.02) and D moved to lon 1.00-1.01: a gap of 0.98 degrees on the equator,
    # 0.98 * 111.32 = 109.1 km. Alpha is A and C, which share an edge: parts of one unit.
    data["features"][3]["geometry"] = square(1.0, 0.0, 0.01)
    path = tmp_path / "apart.geojson"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as error:
        load_districts(path)
    message = str(error.value)
    assert "'Beta' (features 2, 4)" in message and "'Alpha' (features 1, 3)" in message
    assert "'Beta' names different places (features 2 and 4 do not touch: 109 km apart)" in message
    assert "--dissolve would merge them" in message and "pass --dissolve" not in message
    _, fields, _ = load_districts(path, describe=True)
    assert fields.apart == {"Beta": (2, 4, pytest.approx(109.09, abs=0.01))}


def test_features_sharing_an_id_that_touch_are_offered_dissolve(tmp_path):
    data = squares_geojson()
    for f in data["features"]:
        f["properties"] = {"name": "One"}  # four squares sharing edges: one unit in four features
    path = tmp_path / "touch.geojson"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="pass --dissolve to merge features that share an id"):
        load_districts(path)


def test_the_reviewers_raions_without_ids(shared_data, tmp_path):
    # Review B, finding 6: the raions with only their names; the two Mykolaivs are in Lviv and Mykolaiv oblasts.
    import geopandas as gpd

    raions = gpd.read_file(shared_data / "ukraine" / "adm2-raions.geojson")[["shapeName", "geometry"]]
    path = tmp_path / "noid.geojson"
    raions.rename(columns={"shapeName": "name"}).to_file(path)
    with pytest.raises(InputError) as error:
        load_districts(path)
    message = str(error.value)
    assert "10 duplicate district id(s)" in message and "10 of the ids name different places" in message
    assert "--dissolve would merge them" in message and "pass --dissolve" not in message
    _, fields, _ = load_districts(path, describe=True)
    mykolaiv = fields.apart["Mykolaiv"]
    assert mykolaiv[2] > 500  # centroids 47.10N 31.69E and 49.58N 24.11E: about 600 km apart, nearest edges less


# -- a Shapefile's DBF without a .cpg (tests/bad_inputs/d_dbf_*_no_cpg.zip: the squares with these other names)

NAMES_AR = {"A": "الأعجام", "B": "بستان الباشا", "C": "الشيخ مقصود", "D": "الصاخور"}  # written as cp1256
NAMES_UK = {"A": "Київ", "B": "Харків", "C": "Львів", "D": "Одеса"}  # written as UTF-8


def _bad(name):
    from tests.helpers import BAD

    return BAD / name


def test_cp1256_dbf_without_cpg_warns_and_reads_with_districts_encoding():
    gdf, fields, _ = load_districts(_bad("d_dbf_cp1256_no_cpg.zip"))
    warning = " ".join(p.message for p in fields.problems)
    assert "looks wrongly decoded" in warning and "--districts-encoding cp1256" in warning
    assert gdf["other name:name_ar"].tolist() != list(NAMES_AR.values())  # the mojibake GDAL gives
    gdf, fields, _ = load_districts(_bad("d_dbf_cp1256_no_cpg.zip"), encoding="cp1256")
    assert dict(zip(gdf["id"], gdf["other name:name_ar"])) == NAMES_AR and fields.problems == []


def test_utf8_dbf_without_cpg_is_read_as_utf8():
    gdf, fields, _ = load_districts(_bad("d_dbf_utf8_no_cpg.zip"))
    assert dict(zip(gdf["id"], gdf["other name:name_uk"])) == NAMES_UK
    assert ["its text is UTF-8" in p.message for p in fields.problems] == [True]


def test_latin1_dbf_without_cpg_is_left_alone(tmp_path):
    # A Latin-1 DBF is what GDAL assumes: no warning, names as written.
    gdf = gpd.GeoDataFrame.from_features(squares_geojson()["features"], crs=4326)
    gdf["name"] = ["Alpha", "Bêta", "Gamma", "Délta"]
    gdf.to_file(tmp_path / "d.shp", encoding="ISO-8859-1")
    (tmp_path / "d.cpg").unlink(missing_ok=True)
    out, fields, _ = load_districts(tmp_path / "d.shp")
    assert sorted(out["name"]) == ["Alpha", "Bêta", "Délta", "Gamma"] and fields.problems == []


def test_districts_encoding_is_refused_for_geojson(tmp_path):
    from conflictmap.errors import UsageError

    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(squares_geojson()))
    with pytest.raises(UsageError, match="--districts-encoding is for Shapefiles"):
        load_districts(path, encoding="cp1256")


def test_json_list_and_boolean_names_and_ids_are_errors(tmp_path):
    data = squares_geojson()
    data["features"][1]["properties"]["name"] = ["Be", "ta"]
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r'feature 2: name \["Be", "ta"\] .* is a list, not text'):
        load_districts(path)
    data = squares_geojson()
    data["features"][0]["properties"]["id"] = True
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="feature 1: id true .* is a boolean, not text"):
        load_districts(path)


def test_a_repair_that_changes_the_area_says_by_how_much(tmp_path):
    # Square A with a "hole" drawn wholly outside it: make_valid makes the hole land. The areas before and after
    # come from pyproj.Geod here: the ring formula (shell minus hole) and the shell plus the hole's square.
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    shell, hole = shapely.box(0, 0, 0.01, 0.01), shapely.box(0.02, 0, 0.025, 0.005)
    before = abs(geod.geometry_area_perimeter(shell)[0]) - abs(geod.geometry_area_perimeter(hole)[0])
    after = abs(geod.geometry_area_perimeter(shell)[0]) + abs(geod.geometry_area_perimeter(hole)[0])
    data = squares_geojson()
    data["features"] = data["features"][:1]
    data["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [list(shell.exterior.coords), list(hole.exterior.coords)[::-1]],
    }
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(data))
    gdf, fields, _ = load_districts(path)
    assert gdf["area_km2"].iloc[0] == pytest.approx(after / 1e6, rel=1e-9)
    (message,) = [p.message for p in fields.problems]
    assert f"area {before / 1e6:,.2f} → {after / 1e6:,.2f} km² (+{(after - before) / before:.0%})" in message
