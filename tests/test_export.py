"""Export layers and writers: every format read back with pyogrio, RFC 7946 details checked with shapely.

Expected values come from the four-square fixture (tests/conftest.py): areas
from the closed-form cell_area_km2, controllers from SQUARES_LOG by hand.
"""

import datetime as dt
import io
import json
import re

import numpy as np
import pyogrio
import pytest
import shapely

from conflictmap import export as ex
from conflictmap.dataset import load_dataset
from conflictmap.errors import InputError, UsageError
from conflictmap.figures import status
from conflictmap.geodesy import area_km2, length_km
from conflictmap.project import Inputs
from tests.helpers import NAMES, POPULATION, squares_area

D = dt.date
DAY = D(2020, 2, 15)  # A contested; B government 0.5 / kurdish forces 0.5; C, D government


def written(ds, tmp_path, fmt, layer="districts", since=None, date=DAY, **options):
    out = tmp_path / ("out." + {"geojsonseq": "geojsons"}.get(fmt, fmt))
    request = ex.make_request(layer, fmt, str(out), since=since, **options)
    ex.export(ds, request, date)
    return out


def text_of(ds, fmt="geojson", layer="districts", date=DAY, **options) -> str:
    buf = io.BytesIO()
    ex.export(ds, ex.make_request(layer, fmt, "-", **options), date, buf)
    return buf.getvalue().decode("utf-8")


# ---------------------------------------------------------------- the districts layer


def test_district_layer_properties(ds):
    layer = ex.district_layer(ds, DAY).set_index("id")
    assert list(layer.loc["A", ["controller", "controller_share", "date_in_force", "source"]]) == [
        "contested",
        1.0,
        "2020-02-01",
        "s2",
    ]
    # B is split 0.5/0.5: a tie has no largest holder, so no controller (naming one would depend on spelling).
    b = layer.loc["B"]
    assert b["controller"] is None or np.isnan(b["controller"])
    assert b["controller_share"] == 0.5
    assert (b["share_government"], b["share_kurdish_forces"], b["share_rebels"]) == (0.5, 0.5, 0.0)
    assert b["controllers"] == "government 0.5; kurdish forces 0.5"
    assert layer.loc["C", "date_in_force"] == "2020-01-01"
    # Every actor of the log has a column (rebels lost everything: still there, all zero).
    shares = [c for c in layer.columns if c.startswith("share_")]
    assert shares == ["share_contested", "share_government", "share_kurdish_forces", "share_rebels", "share_unknown"]
    assert np.allclose(layer[shares].sum(axis=1), 1.0)
    for key in "ABCD":
        assert layer.loc[key, "area_km2"] == pytest.approx(squares_area(key), rel=1e-6)
        assert layer.loc[key, "population"] == POPULATION[key]
        assert layer.loc[key, "name"] == NAMES[key]


def test_district_layer_before_the_log_is_unknown(ds):
    layer = ex.district_layer(ds, D(2019, 1, 1))
    assert set(layer["controller"]) == {"unknown"}
    assert layer["date_in_force"].isna().all()


def map_legend_colours(ds, date) -> dict:
    """actor -> '#rrggbb' as the map of `date` draws it, read off its legend patches (short names: one line)."""
    from matplotlib.colors import to_hex

    from conflictmap.plots import map_picture

    _, handles = map_picture(ds, date, bare=True)
    return {h.get_label().split("\n")[0]: to_hex(h.get_facecolor()) for h in handles if h.get_gid() == "actor"}


def test_fill_is_the_colour_the_map_draws_without_an_actors_file(ds):
    # No actors file (the squares): fill was null everywhere while the map drew the conventional colours.
    from conflictmap.plots import CONTESTED_FACE, CONVENTIONAL

    layer = ex.district_layer(ds, DAY).set_index("id")
    assert layer.loc["C", "fill"] == layer.loc["D", "fill"] == CONVENTIONAL["government"]  # government
    assert layer.loc["B", "fill"] == CONTESTED_FACE  # a tie: the grey of ground no one actor holds
    assert layer.loc["A", "fill"] == CONTESTED_FACE
    legend = map_legend_colours(ds, DAY)
    for key in "ACD":
        assert layer.loc[key, "fill"] == legend[layer.loc[key, "controller"]]


def test_fill_of_an_actor_with_no_conventional_colour_is_the_maps_palette_colour(squares, tmp_path):
    log = tmp_path / "militia.csv"
    log.write_text("date,district,controller\n2020-01-01,A,militia\n2020-01-01,B,militia\n2020-01-01,C,rebels\n")
    ds = load_dataset(Inputs(districts=squares["districts"], control=str(log)))
    layer = ex.district_layer(ds, D(2020, 1, 1)).set_index("id")
    legend = map_legend_colours(ds, D(2020, 1, 1))
    assert layer.loc["A", "fill"] == layer.loc["B", "fill"] == legend["militia"]
    assert layer.loc["C", "fill"] == legend["rebels"] and layer.loc["D", "fill"] == legend["unknown"]
    assert len({legend["militia"], legend["rebels"], legend["unknown"]}) == 3


def test_share_columns_are_slugs_and_unique():
    cols = ex.share_columns(["Kurdish forces", "kurdish-forces", "Ahrar al-Sham", "قوات"])
    assert cols["Kurdish forces"] == "share_kurdish_forces"
    assert cols["kurdish-forces"] == "share_kurdish_forces_2"
    assert cols["Ahrar al-Sham"] == "share_ahrar_al_sham"
    assert cols["قوات"] == "share_قوات"


# ---------------------------------------------------------------- GeoJSON (RFC 7946)


def test_geojson_reads_back_with_same_properties_and_areas(ds, tmp_path):
    out = written(ds, tmp_path, "geojson")
    back = pyogrio.read_dataframe(out).set_index("id")
    expected = ex.district_layer(ds, DAY).set_index("id")
    for column in ("name", "controller", "controllers", "source"):
        assert list(back[column]) == list(expected[column]), column
    # GDAL recognises the ISO dates and reads them as a Date field.
    assert [t.date().isoformat() for t in back["date_in_force"]] == list(expected["date_in_force"])
    for column in ("controller_share", "share_government", "area_km2", "population"):
        assert np.allclose(
            back[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float), rtol=0, atol=0
        ), column
    areas = area_km2(back.geometry.values)
    assert np.allclose(areas, [squares_area(k) for k in back.index], rtol=1e-6)


def test_geojson_is_rfc7946(ds):
    doc = json.loads(text_of(ds))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    assert len(doc["features"]) == 4
    assert all(set(f) == {"type", "properties", "geometry"} for f in doc["features"])


def holed_districts(tmp_path):
    """One district with a hole, written the 'wrong' way round: exterior clockwise, hole counter-clockwise."""
    outer = [[36.0, 36.0], [36.0, 36.1], [36.1, 36.1], [36.1, 36.0], [36.0, 36.0]]  # clockwise
    hole = [[36.04, 36.04], [36.06, 36.04], [36.06, 36.06], [36.04, 36.06], [36.04, 36.04]]  # counter-clockwise
    other = [[36.1, 36.0], [36.1, 36.1], [36.2, 36.1], [36.2, 36.0], [36.1, 36.0]]  # clockwise
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "ring"},
                "geometry": {"type": "Polygon", "coordinates": [outer, hole]},
            },
            {
                "type": "Feature",
                "properties": {"id": "east"},
                "geometry": {"type": "MultiPolygon", "coordinates": [[other]]},
            },
        ],
    }
    path = tmp_path / "holed.geojson"
    path.write_text(json.dumps(data))
    log = tmp_path / "holed.csv"
    log.write_text("date,district,controller\n2020-01-01,ring,rebels\n2020-01-01,east,government\n")
    return load_dataset(Inputs(districts=str(path), control=str(log)))


def test_winding_counter_clockwise_exterior_clockwise_holes(tmp_path):
    ds = holed_districts(tmp_path)
    for fmt in ("geojson", "geojsonseq"):
        text = text_of(ds, fmt, date=None)
        features = json.loads(text)["features"] if fmt == "geojson" else [json.loads(x) for x in text.splitlines()]
        polygons = [p for f in features for p in shapely.get_parts(shapely.from_geojson(json.dumps(f["geometry"])))]
        assert len(polygons) == 2
        for poly in polygons:
            assert poly.exterior.is_ccw
            assert all(not ring.is_ccw for ring in poly.interiors)
        assert sum(len(p.interiors) for p in polygons) == 1


def test_projected_input_is_written_as_lonlat(squares, tmp_path):
    # The same squares stored in UTM zone 31N: the export must be lon/lat again, within 1e-6°.
    import geopandas as gpd

    gdf = gpd.read_file(squares["districts"]).set_crs(4326, allow_override=True)
    projected = tmp_path / "utm.gpkg"
    gdf.to_crs(32631).to_file(projected, driver="GPKG")
    ds = load_dataset(Inputs(districts=str(projected), control=squares["control"]))
    doc = json.loads(text_of(ds))
    coords = np.concatenate([np.array(f["geometry"]["coordinates"][0]) for f in doc["features"]])
    assert coords[:, 0].min() >= -180 and coords[:, 0].max() <= 180
    assert coords[:, 1].min() >= -90 and coords[:, 1].max() <= 90
    # Corners were multiples of 0.01°.
    assert np.allclose(coords, np.round(coords / 0.01) * 0.01, atol=1e-6)


def test_precision_rounds_coordinates_only(tmp_path):
    ds = holed_districts(tmp_path)
    ds.districts.geometry = shapely.transform(np.asarray(ds.districts.geometry.values), lambda xy: xy + 1.23456e-3)
    doc = json.loads(text_of(ds, precision=2, date=None))
    coords = np.concatenate(
        [shapely.get_coordinates(shapely.from_geojson(json.dumps(f["geometry"]))) for f in doc["features"]]
    )
    assert np.allclose(coords, np.round(coords, 2), rtol=0, atol=1e-12)
    # The corners moved by 0.0012°, rounded back onto the 0.01° grid: the properties keep the unrounded area.
    (area,) = [f["properties"]["area_km2"] for f in doc["features"] if f["properties"]["id"] == "ring"]
    assert area == pytest.approx(ds.districts.set_index("id").loc["ring", "area_km2"], rel=0, abs=0)
    # At 1 decimal the hole's corners (36.04, 36.06) round onto the exterior's (36.0, 36.1): nothing is left.
    with pytest.raises(UsageError, match="rounds 1 of 2 feature.*'ring'"):
        text_of(ds, precision=1, date=None)


def test_a_precision_that_rounds_a_feature_away_is_refused_before_writing(ds):
    # The squares are 0.01° wide on a 0.01° grid: at 1 decimal every corner rounds to a multiple of 0.1,
    # so each square collapses to a point; 2 decimals keep them (by hand).
    buf = io.BytesIO()
    with pytest.raises(UsageError, match=r"--precision 1 rounds 4 of 4 feature\(s\) to nothing .*give --precision 2"):
        ex.export(ds, ex.make_request("districts", "geojsonseq", "-", precision=1), DAY, buf)
    assert buf.getvalue() == b""  # nothing on stdout, not half a FeatureCollection
    for fmt in ("geojson", "geojsonseq"):
        assert len(text_of(ds, fmt, precision=2)) > 0


def test_rounding_that_would_make_a_polygon_invalid_snaps_it_valid():
    # A notch 0.02 wide from the top edge down to 0.02 above the bottom: rounded vertex by vertex to 1
    # decimal it becomes a slit touching the bottom edge (invalid); snapped to the 0.1 grid it is the
    # unit square (the notch is narrower than the grid), valid, and the frame says it was snapped.
    import geopandas as gpd

    notch = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0.52, 1), (0.51, 0.02), (0.49, 0.02), (0.48, 1), (0, 1)])
    assert not shapely.is_valid(shapely.transform(notch, lambda xy: np.round(xy, 1)))
    frame = gpd.GeoDataFrame({"id": ["n", "box"]}, geometry=[notch, shapely.box(2, 0, 3, 1)], crs=4326)
    buf = io.BytesIO()
    problems = ex.write_text(frame, buf, ex.make_request("districts", "geojson", "-", precision=1))
    doc = json.loads(buf.getvalue())
    geoms = [shapely.from_geojson(json.dumps(f["geometry"])) for f in doc["features"]]
    assert shapely.is_valid(geoms).all()
    assert shapely.area(geoms[0]) == pytest.approx(1.0, abs=1e-12)
    assert [p.level for p in problems] == ["warning"] and "1 feature(s) (first: 'n')" in problems[0].message


def test_default_precision_writes_the_sample_valid_and_unsnapped(cli):
    result = cli("export")
    assert result.exit_code == 0 and "snapped" not in result.stderr
    doc = json.loads(result.stdout)
    assert shapely.is_valid([shapely.from_geojson(json.dumps(f["geometry"])) for f in doc["features"]]).all()


def test_default_precision_is_six_decimals(tmp_path):
    ds = holed_districts(tmp_path)
    # Shift every corner off the 0.01° grid so that each coordinate has many decimals.
    ds.districts.geometry = shapely.transform(np.asarray(ds.districts.geometry.values), lambda xy: xy + 1.23456789e-5)
    text = text_of(ds, date=None)
    numbers = re.findall(r"\[(-?\d+\.\d+),(-?\d+\.\d+)\]", text)
    assert numbers
    assert max(len(x.split(".")[1]) for pair in numbers for x in pair) == 6


# ---------------------------------------------------------------- GeoJSONSeq (RFC 8142)


def test_geojsonseq_one_feature_per_line(ds):
    lines = text_of(ds, "geojsonseq").splitlines()
    assert len(lines) == 4
    features = [json.loads(line) for line in lines]
    assert [f["properties"]["id"] for f in features] == ["A", "B", "C", "D"]
    assert all(f["type"] == "Feature" for f in features)


def test_geojsonseq_record_separators(ds):
    raw = text_of(ds, "geojsonseq", rs=True)
    records = raw.split("\x1e")
    assert records[0] == ""
    assert len(records) == 5 and all(r.endswith("\n") and r.count("\n") == 1 for r in records[1:])
    assert [json.loads(r)["properties"]["controller"] for r in records[1:]] == [
        "contested",
        None,
        "government",
        "government",
    ]


def test_geojsonseq_file_reads_back(ds, tmp_path):
    out = written(ds, tmp_path, "geojsonseq")
    back = pyogrio.read_dataframe(out, driver="GeoJSONSeq")
    assert sorted(back["id"]) == ["A", "B", "C", "D"]
    assert np.allclose(area_km2(back.geometry.values), back["area_km2"].to_numpy(), rtol=1e-6)


# ---------------------------------------------------------------- GeoPackage and FlatGeobuf


@pytest.mark.parametrize("fmt", ["gpkg", "fgb"])
def test_binary_formats_read_back(ds, tmp_path, fmt):
    out = written(ds, tmp_path, fmt)
    # FlatGeobuf stores features in spatial-index order: compare by id.
    back = pyogrio.read_dataframe(out, layer="districts").set_index("id").sort_index()
    expected = ex.district_layer(ds, DAY).set_index("id").sort_index()
    assert back.crs.to_epsg() == 4326
    for column in ("name", "controller", "controllers", "date_in_force", "source"):
        assert list(back[column]) == list(expected[column]), column
    for column in ("controller_share", "share_kurdish_forces", "area_km2", "population"):
        assert np.array_equal(back[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float)), column
    assert np.allclose(area_km2(back.geometry.values), [squares_area(k) for k in back.index], rtol=1e-6)


def test_geopackage_holds_the_log_and_reads_back_as_input(ds, tmp_path):
    out = written(ds, tmp_path, "gpkg")
    layers = [name for name, _ in pyogrio.list_layers(out)]
    assert layers == ["districts", "control", "actors"]
    back = load_dataset(Inputs(districts=str(out), control=str(out)))
    assert len(back.log) == len(ds.log)
    for day in (D(2019, 12, 1), D(2020, 1, 1), DAY, D(2020, 3, 1)):
        before, after = status(ds, day), status(back, day)
        assert after.drop(columns="area_km2").equals(before.drop(columns="area_km2")), day
        assert np.allclose(after["area_km2"], before["area_km2"], rtol=1e-12)


def test_frontline_layer_lengths(ds, tmp_path):
    out = written(ds, tmp_path, "gpkg", layer="frontline", date=D(2020, 1, 1))
    back = pyogrio.read_dataframe(out)
    assert list(zip(back["actor_a"], back["actor_b"])) == [("government", "rebels")]
    # The stored length is the geodesic length of the stored line (lat 0.01°, lon 0..0.02°).
    assert back["length_km"][0] == pytest.approx(length_km(back.geometry.values)[0], rel=1e-12)
    assert shapely.get_coordinates(back.geometry.values)[:, 1] == pytest.approx(0.01)


def test_changes_layer(ds):
    features = [
        json.loads(x)
        for x in text_of(ds, "geojsonseq", layer="changes", since=D(2020, 1, 1), date=D(2020, 3, 1)).splitlines()
    ]
    got = {f["properties"]["id"]: f["properties"] for f in features}
    # From SQUARES_LOG: A rebels -> (contested) -> government on 2020-03-01; B rebels -> split on 2020-02-01.
    assert set(got) == {"A", "B"}
    assert (got["A"]["from"], got["A"]["to"], got["A"]["date"]) == ("rebels", "government", "2020-03-01")
    assert (got["B"]["from"], got["B"]["to"], got["B"]["date"]) == (
        "rebels",
        "government 0.5; kurdish forces 0.5",
        "2020-02-01",
    )
    assert got["A"]["area_km2"] == pytest.approx(squares_area("A"), rel=1e-6)


def test_changes_since_after_date_is_usage_error(ds):
    with pytest.raises(UsageError, match="--since"):
        text_of(ds, layer="changes", since=D(2020, 3, 1), date=D(2020, 1, 1))


# ---------------------------------------------------------------- safe writes


def test_failure_mid_write_keeps_previous_file(ds, tmp_path, monkeypatch):
    out = written(ds, tmp_path, "geojson")
    before = out.read_bytes()

    def broken(frame, precision):
        yield [b'{"type":"Feature"']  # a first chunk is written ...
        raise OSError("disk full")  # ... then the writer fails

    monkeypatch.setattr(ex, "feature_texts", broken)
    # A write error is one line naming the output (io.atomic_path), not a bare OSError.
    with pytest.raises(InputError, match="out.geojson: cannot write the output: disk full"):
        written(ds, tmp_path, "geojson", date=D(2020, 3, 1))
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_failure_mid_write_gpkg(ds, tmp_path, monkeypatch):
    out = written(ds, tmp_path, "gpkg")
    before = out.read_bytes()
    real = pyogrio.write_dataframe

    def fail_on_log(frame, path, layer=None, **kw):
        if layer == "control":  # the districts layer is already in the temporary file
            raise RuntimeError("killed")
        return real(frame, path, layer=layer, **kw)

    monkeypatch.setattr(pyogrio, "write_dataframe", fail_on_log)
    with pytest.raises(RuntimeError):
        written(ds, tmp_path, "gpkg", date=D(2020, 3, 1))
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_output_equal_to_input_is_refused(ds, squares):
    request = ex.make_request("districts", "geojson", squares["districts"])
    with pytest.raises(UsageError, match="also an input"):
        ex.export(ds, request, DAY)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"fmt": "gpkg"}, "cannot stream"),
        ({"fmt": "geojson", "rs": True}, "--rs"),
        ({"fmt": "gpkg", "output": "x.gpkg", "precision": 3}, "--precision"),
        ({"precision": 16}, "--precision"),
        ({"layer": "changes"}, "--since"),
        ({"layer": "frontline", "since": D(2020, 1, 1)}, "--since"),
        ({"fmt": "shp"}, "geographic format"),
        ({"gap_m": 10.0}, "--gap"),
    ],
)
def test_bad_requests_are_usage_errors(kwargs, fragment):
    with pytest.raises(UsageError, match=re.escape(fragment)):
        ex.make_request(**kwargs)


def test_format_from_suffix():
    assert ex.make_request(output="a.gpkg").fmt == "gpkg"
    assert ex.make_request(output="a.fgb").fmt == "fgb"
    assert ex.make_request(output="a.geojsons").fmt == "geojsonseq"
    assert ex.make_request(output="a.geojson").fmt == "geojson"
    assert ex.make_request().fmt == "geojson"


def test_controllers_label_matches_figures(ds):
    # The layer's fast path for single holders must give what figures.controller_labels gives.
    from conflictmap.figures import controller_labels, state_on

    for day in (D(2019, 1, 1), D(2020, 1, 1), DAY, D(2020, 3, 1)):
        expected = controller_labels(state_on(ds, day)).reindex(range(4)).tolist()
        assert ex.district_layer(ds, day)["controllers"].tolist() == expected


def test_geopackage_bytes_do_not_depend_on_the_clock(ds, tmp_path):
    # GDAL stamps gpkg_contents.last_change; the export pins it to the layer's date.
    import time

    runs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        runs.append(written(ds, tmp_path / name, "gpkg").read_bytes())
        time.sleep(0.05)
    first, second = runs
    assert first == second


def test_share_columns_use_transfer_share_matrix(ds):
    # One share matrix for the whole library; the layer's share_ columns by hand on 2020-02-15:
    # B is government 0.5 / kurdish forces 0.5 (SQUARES_LOG).
    from conflictmap import transfer

    assert ex.share_matrix is transfer.share_matrix and not hasattr(ex, "_share_matrix")
    b = ex.district_layer(ds, D(2020, 2, 15)).set_index("id").loc["B"]
    assert (b["share_government"], b["share_kurdish_forces"], b["share_rebels"]) == (0.5, 0.5, 0.0)


@pytest.mark.parametrize(
    "output, fmt, message",
    [
        ("o.shp", None, "unknown output suffix"),
        ("o.gpkg", "geojson", "the suffix .gpkg means gpkg"),
    ],
)
def test_make_request_refuses_wrong_suffixes(tmp_path, output, fmt, message):
    # The library itself refuses, not only the CLI: a GeoJSON text in a .shp file helps nobody.
    from conflictmap.errors import UsageError
    from conflictmap.export import make_request

    with pytest.raises(UsageError, match=message):
        make_request(fmt=fmt, output=str(tmp_path / output))
    assert make_request(output=str(tmp_path / "o.fgb")).fmt == "fgb"


def test_rounding_drops_the_vertices_it_makes_equal():
    # Two vertices 1e-8° apart become one point at 6 decimals: no zero-length segment is written.
    import shapely

    from conflictmap.export import rfc7946_geometry

    line = shapely.LineString([(0, 0), (0.1, 0.1), (0.1 + 1e-8, 0.1), (0.2, 0.2)])
    (rounded,) = rfc7946_geometry(np.array([line], dtype=object), 6)
    assert shapely.get_coordinates(rounded).tolist() == [[0, 0], [0.1, 0.1], [0.2, 0.2]]
