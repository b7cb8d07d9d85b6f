"""Reading districts: formats, stdin, field detection, CRS handling, geodesic areas."""

import json

import geopandas as gpd
import pytest
import shapely

from conflictmap.districts import load_districts
from conflictmap.errors import InputError
from tests.helpers import squares_area, squares_geojson


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
