"""conflictmap export through the CLI: stdout/file output, refusals, and pipes that close early."""

import json
import shutil
import subprocess
import sys

import pyogrio
import pytest

from tests.helpers import NAMES, ROOT, box_coords, squares_area, squares_geojson, write_zones


def test_geojson_to_stdout(cli, squares_args):
    result = cli("export", *squares_args, "--date", "2020-02-15")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    props = {f["properties"]["id"]: f["properties"] for f in doc["features"]}
    # SQUARES_LOG on 2020-02-15: A contested, B split 0.5/0.5 (a tie: no largest holder, so no controller).
    assert props["A"]["controller"] == "contested"
    assert (props["B"]["controller"], props["B"]["share_kurdish_forces"]) == (None, 0.5)
    assert props["D"]["area_km2"] == pytest.approx(squares_area("D"), rel=1e-6)


def test_geojsonseq_with_rs(cli, squares_args):
    result = cli("export", *squares_args, "-f", "geojsonseq", "--rs")
    assert result.exit_code == 0, result.output
    records = result.stdout.split("\x1e")[1:]
    assert len(records) == 4
    # Default date: the last of the log (2020-03-01): A government.
    assert json.loads(records[0])["properties"]["controller"] == "government"


def test_gpkg_file_round_trips_as_input(cli, cli_json, squares, squares_args):
    out = squares["dir"] / "all.gpkg"
    result = cli("export", *squares_args, "--date", "2020-02-15", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert [name for name, _ in pyogrio.list_layers(out)] == ["districts", "control", "actors"]
    for day in ("2020-01-01", "2020-02-15", "2020-03-01"):
        original = cli_json("status", *squares_args, "--date", day)
        again = cli_json("status", "--districts", out, "--control", out, "--date", day)
        assert again == original


def test_gpkg_keeps_initial_and_actors_of_the_bundled_sample(cli, cli_json, tmp_path):
    """The sample has an actors file (aliases such as 'regime') and the figures depend on them; a district
    with no row before a date is held by --initial: both must survive the GeoPackage round trip."""
    from conflictmap.project import sample_dir

    sample = sample_dir()
    given = [
        "--districts",
        sample / "districts.geojson",
        "--control",
        sample / "control.csv",
        "--actors",
        sample / "actors.toml",
        "--initial",
        "government",
    ]
    out = tmp_path / "sample.gpkg"
    assert cli("export", *given, "-o", out).exit_code == 0
    for command in (
        ["share", "--date", "2016-11-14"],
        ["share", "--baseline", "2016-11-15", "--baseline-actor", "regime", "--date", "2016-12-12", "--by", "area"],
    ):
        assert cli_json(*command, "-d", out, "-c", out) == cli_json(*command, *given)


def test_format_follows_suffix(cli, squares, squares_args):
    out = squares["dir"] / "lines.fgb"
    result = cli("export", *squares_args, "--layer", "frontline", "--date", "2020-01-01", "-o", out)
    assert result.exit_code == 0, result.output
    back = pyogrio.read_dataframe(out)
    assert list(zip(back["actor_a"], back["actor_b"])) == [("government", "rebels")]


def test_changes_layer(cli, squares_args):
    result = cli("export", *squares_args, "--layer", "changes", "--since", "2020-02-01", "--date", "2020-03-01")
    assert result.exit_code == 0, result.output
    (feature,) = json.loads(result.stdout)["features"]
    # Only A moved after 2020-02-01: contested -> government on 2020-03-01.
    assert {k: feature["properties"][k] for k in ("id", "from", "to", "date")} == {
        "id": "A",
        "from": "contested",
        "to": "government",
        "date": "2020-03-01",
    }


def test_output_equal_to_input_is_refused(cli, squares, squares_args):
    before = open(squares["districts"], "rb").read()
    result = cli("export", *squares_args, "-o", squares["districts"])
    assert result.exit_code == 2
    assert "also an input" in result.stderr
    assert open(squares["districts"], "rb").read() == before


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["-f", "gpkg"], "-o FILE"),
        (["--layer", "changes"], "--since"),
        (["--rs"], "geojsonseq"),
        (["--since", "2020-01-01"], "--layer changes"),
        (["--since", "15/01/2020", "--layer", "changes"], "--since '15/01/2020' is not an ISO 8601 date"),
        (["--precision", "1"], "give --precision 2 or more"),  # 0.01° squares round to points
        (["--precision", "0", "-f", "geojsonseq"], "rounds 4 of 4 feature(s) to nothing"),
    ],
)
def test_usage_errors_exit_2(cli, squares_args, args, fragment):
    result = cli("export", *squares_args, *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["o.shp", "o.txt", "o"])
def test_unknown_suffix_without_format_is_refused(cli, squares_args, tmp_path, name):
    # GeoJSON text in a file named .shp would be unreadable as a Shapefile: refuse before writing anything.
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / name
    result = cli("export", *squares_args, "-o", out)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"conflictmap: error: -o {out}: unknown output suffix; use .geojson, .geojsonl, .gpkg or .fgb, or give -f"
    ]
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize("name, fmt", [("o.gpkg", "geojson"), ("o.geojson", "fgb"), ("o.ndjson", "geojson")])
def test_suffix_contradicting_format_is_refused(cli, squares_args, tmp_path, name, fmt):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / name
    result = cli("export", *squares_args, "-o", out, "-f", fmt)
    assert result.exit_code == 2, result.output
    assert f"-o {out}: the suffix" in result.stderr and f"not -f {fmt}" in result.stderr
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize(
    "name, kind",
    [
        ("o.geojson", "geojson"),
        ("o.json", "geojson"),
        ("o.geojsonl", "geojsonseq"),
        ("o.geojsons", "geojsonseq"),
        ("o.ndjson", "geojsonseq"),
        ("o.gpkg", "gpkg"),
        ("o.fgb", "fgb"),
    ],
)
def test_format_is_inferred_from_the_suffix(cli, squares_args, tmp_path, name, kind):
    out = tmp_path / name
    result = cli("export", *squares_args, "-o", out)
    assert result.exit_code == 0, result.output
    if kind == "geojson":
        assert json.loads(out.read_text())["type"] == "FeatureCollection"
    elif kind == "geojsonseq":
        lines = out.read_text().splitlines()
        assert len(lines) == 4 and all(json.loads(line)["type"] == "Feature" for line in lines)  # the four squares
    else:  # a districts GeoPackage also holds the log as the table `control`: name the layer
        layer = {"layer": "districts"} if kind == "gpkg" else {}
        assert sorted(pyogrio.read_dataframe(out, **layer)["id"]) == ["A", "B", "C", "D"]


def test_an_unknown_suffix_with_format_is_what_was_asked(cli, squares_args, tmp_path):
    out = tmp_path / "o.txt"
    result = cli("export", *squares_args, "-o", out, "-f", "geojson")
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())["features"]) == 4


def grid_districts(path, n=40):
    """n x n squares of 0.001°: a GeoJSON big enough (several 100 KB) to overflow a pipe buffer."""
    features = []
    for i in range(n):
        for j in range(n):
            x, y = 30 + i * 0.001, 50 + j * 0.001
            ring = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"id": f"g{i}-{j}"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.mark.parametrize("fmt", ["geojson", "geojsonseq"])
def test_reader_closing_early_ends_quietly(tmp_path, fmt):
    # Like `conflictmap export ... | head -c 100`: a real process and a real pipe that closes.
    districts = grid_districts(tmp_path / "grid.geojson")
    # -q: districts without a log warn on stderr; this test wants stderr to show only a BrokenPipe trace, if any.
    writer = subprocess.Popen(
        [sys.executable, "-m", "conflictmap", "export", "-q", "--districts", districts, "-f", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    head = writer.stdout.read(100)
    writer.stdout.close()
    err = writer.stderr.read()
    assert writer.wait(timeout=60) == 0
    assert err == b""
    assert head.startswith(b'{"type":"Feature')


def test_pipe_into_ogr2ogr(tmp_path, squares_args):
    if not shutil.which("ogr2ogr"):
        pytest.skip("ogr2ogr (gdal-bin) is not installed")
    out = tmp_path / "from-pipe.gpkg"
    command = [sys.executable, "-m", "conflictmap", "export", *squares_args, "--date", "2020-02-15"]
    export = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    done = subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(out), "/vsistdin/", "-nln", "districts"], stdin=export.stdout, capture_output=True
    )
    export.stdout.close()
    assert export.wait(timeout=60) == 0
    assert done.returncode == 0, done.stderr
    back = pyogrio.read_dataframe(out).set_index("id")
    assert back.loc["A", "controller"] == "contested"
    assert len(back) == 4


# -- a district with no land inside --land: a NULL geometry in every format (review items 4 and 7)


@pytest.fixture
def no_land_args(squares, tmp_path):
    """The squares with D as a MultiPolygon (as raions files mix both: the layer is MultiPolygon), the
    squares log, and a land mask lat < 0.01: A and B lie wholly inside it, C and D wholly outside."""
    doc = squares_geojson()
    d = doc["features"][3]["geometry"]
    doc["features"][3]["geometry"] = {"type": "MultiPolygon", "coordinates": [d["coordinates"]]}
    districts = tmp_path / "mixed.geojson"
    districts.write_text(json.dumps(doc))
    south = write_zones(tmp_path / "south.geojson", [({}, box_coords(-0.01, -0.01, 0.03, 0.01))])
    return ["-d", districts, "-c", squares["control"], "--land", south]


def read_districts(path):
    layer = "districts" if path.suffix == ".gpkg" else None  # the GeoPackage also holds the log
    return pyogrio.read_info(path, layer=layer)["geometry_type"], pyogrio.read_dataframe(path, layer=layer)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".fgb"])
def test_district_with_no_land_is_a_null_geometry_in_every_format(cli, no_land_args, tmp_path, suffix):
    out = tmp_path / ("out" + suffix)
    result = cli("export", *no_land_args, "-o", out)
    assert result.exit_code == 0, result.output
    kind, back = read_districts(out)
    # GeoPackage and FlatGeobuf store a layer type: MultiPolygon (D, the one MultiPolygon, is NULL here, so the
    # type cannot come from the features); a GeoJSON file has none (GDAL reports what the features are).
    assert kind == ("Polygon" if suffix == ".geojson" else "MultiPolygon")
    assert len(back) == 4  # every district is there
    assert sorted(back.loc[back.geometry.isna(), "id"]) == ["C", "D"]
    assert back.loc[back["id"] == "C", "area_km2"].item() == 0
    assert not back.geometry.dropna().is_empty.any()  # no empty geometry stands in for NULL
    if suffix == ".fgb":  # FlatGeobuf cannot index NULL geometries: the file has no index, and a note says so
        assert "2 feature(s) with no geometry (first: Gamma)" in result.stderr
        assert "no spatial index" in result.stderr
    else:
        assert "spatial index" not in result.stderr


def test_fgb_without_null_geometries_keeps_its_spatial_index(cli, squares_args, tmp_path):
    out = tmp_path / "all.fgb"
    result = cli("export", *squares_args, "-o", out)
    assert result.exit_code == 0, result.output
    assert "spatial index" not in result.stderr
    # The FlatGeobuf header flags an index by a non-zero index_node_size; GDAL reports it as a fast spatial filter.
    assert pyogrio.read_info(out)["capabilities"]["fast_spatial_filter"]


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
@pytest.mark.parametrize("suffix", [".gpkg", ".fgb"])
def test_ogrinfo_reads_the_null_geometry(cli, no_land_args, tmp_path, suffix):
    out = tmp_path / ("out" + suffix)
    assert cli("export", *no_land_args, "-o", out).exit_code == 0
    done = subprocess.run(
        ["ogrinfo", "-ro", "-where", "id = 'D'", str(out), "districts"], capture_output=True, text=True, check=True
    )
    assert "Geometry: Multi Polygon" in done.stdout
    feature = done.stdout.split("OGRFeature(")[1]
    # A NULL geometry prints no geometry line; an empty one prints "MULTIPOLYGON EMPTY" or "GEOMETRYCOLLECTION EMPTY".
    assert "id (String) = D" in feature
    assert "EMPTY" not in feature and "POLYGON" not in feature and "GEOMETRYCOLLECTION" not in feature


# -- the district's other names and the confidence of the rows in force, in every format


def _by_id(records) -> dict:
    return {r["id"]: r for r in records}


def _text(value) -> str:
    """A text property as read back: None, or NaN from pandas, is no text."""
    return "" if value is None or value != value else value


def _read_layer(path) -> dict:
    frame = pyogrio.read_dataframe(path, layer="districts" if str(path).endswith(".gpkg") else None)
    return _by_id(frame.drop(columns="geometry").to_dict("records"))


@pytest.mark.parametrize("suffix", [".geojson", ".geojsonl", ".gpkg", ".fgb"])
def test_other_names_and_confidence_in_every_format(cli, tmp_path, suffix):
    from tests.helpers import OTHER_NAMES, other_names_args

    out = tmp_path / f"out{suffix}"
    result = cli("-q", "export", *other_names_args(tmp_path), "--date", "2020-02-15", "-o", out)
    assert result.exit_code == 0, result.output
    if suffix in (".geojson", ".geojsonl"):
        text = out.read_bytes()
        lines = text.splitlines() if suffix == ".geojsonl" else None
        features = [json.loads(line) for line in lines] if lines else json.loads(text)["features"]
        props = _by_id(f["properties"] for f in features)
        columns = list(features[0]["properties"])
        for name in filter(None, OTHER_NAMES["name_ar"].values()):  # the very bytes, short vowels and all
            assert name.encode("utf-8") in text
    else:
        props = _read_layer(out)
        columns = list(next(iter(props.values())))
    # The old properties keep their order; the new ones follow.
    assert columns[columns.index("fill") + 1 :] == ["confidence", "name_ar", "name_ku"]
    for key, row in props.items():
        for field, names in OTHER_NAMES.items():
            assert _text(row[field]) == names[key], (suffix, key, field)
    confidence = {k: _text(r["confidence"]) for k, r in props.items()}
    assert confidence == {"A": "claimed", "B": "confirmed; claimed", "C": "confirmed", "D": ""}


@pytest.mark.parametrize("suffix", [".gpkg", ".fgb"])
def test_an_other_name_field_with_no_names_still_writes(cli, tmp_path, suffix):
    # A name_ar field with no name at all: a column of nulls, which GDAL must still write.
    data = squares_geojson()
    for feature in data["features"]:
        feature["properties"]["name_ar"] = ""
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(data))
    out = tmp_path / f"x{suffix}"
    result = cli("-q", "export", "-d", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert [_text(row["name_ar"]) for row in _read_layer(out).values()] == ["", "", "", ""]


@pytest.mark.parametrize("suffix", [".gpkg", ".fgb", ".geojson"])
def test_an_other_name_field_named_like_a_property_in_another_case_gets_other(cli, squares, tmp_path, suffix):
    # NAME, Fill and SHARE_REBELS differ from the properties name, fill and share_rebels only in case:
    # GeoPackage column names are case-insensitive, so GDAL failed adding NAME; every format now has other_.
    data = squares_geojson()
    for feature in data["features"]:
        key = feature["properties"]["id"]
        feature["properties"].update({"NAME": f"N{key}", "Fill": f"F{key}", "SHARE_REBELS": f"S{key}"})
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(data))
    out = tmp_path / f"x{suffix}"
    result = cli(
        "-q", "export", "-d", path, "-c", squares["control"], "--alt-name-field", "NAME,Fill,SHARE_REBELS", "-o", out
    )
    assert result.exit_code == 0, result.output
    rows = _read_layer(out)
    got = {k: (r["name"], r["other_NAME"], r["other_Fill"], r["other_SHARE_REBELS"]) for k, r in rows.items()}
    assert got == {k: (NAMES[k], f"N{k}", f"F{k}", f"S{k}") for k in "ABCD"}


@pytest.mark.parametrize("name, fmt", [("e.csv", "geojson"), ("x.shp", "gpkg"), ("x.md", "gpkg"), ("e.csv", "gpkg")])
def test_a_suffix_that_names_another_format_than_f_is_refused(cli, squares_args, tmp_path, name, fmt):
    # GeoJSON was written into e.csv and a GeoPackage into x.shp, exit 0; e.csv -f gpkg crashed in GDAL.
    out = tmp_path / name
    result = cli("export", *squares_args, "-o", out, "-f", fmt)
    assert result.exit_code == 2 and not out.exists()
    assert f"the suffix {out.suffix} means" in result.stderr and f"not -f {fmt}" in result.stderr


@pytest.mark.parametrize("suffix", [".gpkg", ".fgb"])
@pytest.mark.parametrize("layer", ["changes", "gains"])
def test_an_empty_layer_has_the_schema_of_a_full_one(cli, squares_args, tmp_path, suffix, layer):
    # SQUARES_LOG: from 2020-01-01 to 2020-03-01 A and B changed hands (A wholly, rebels -> government);
    # from 2020-03-01 to itself nothing did. A quiet day's file must have the same field names and types
    # (a table appended to daily, or a project styled on it, breaks otherwise) and the same geometry type.
    infos = []
    for since in ("2020-01-01", "2020-03-01"):
        out = tmp_path / f"{layer}{since}{suffix}"
        result = cli(
            "-q", "export", *squares_args, "--layer", layer, "--since", since, "--date", "2020-03-01", "-o", out
        )
        assert result.exit_code == 0, result.output
        info = pyogrio.read_info(out)
        infos.append(
            (len(pyogrio.read_dataframe(out)), list(info["fields"]), list(info["dtypes"]), info["geometry_type"])
        )
    (full, *schema_full), (empty, *schema_empty) = infos
    assert full > 0 and empty == 0
    assert schema_empty == schema_full
    if layer == "changes":
        assert schema_full[0][-4:] == ["area_km2", "moved_km2", "population", "source"]
