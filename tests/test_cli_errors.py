"""Bad input: one clear line on stderr (what, where, how to fix), exit 1 (data) or 2 (usage), no traceback."""

import json

import geopandas as gpd
import pytest
import shapely

from tests.helpers import SQUARES_LOG, box_coords, squares_geojson, write_zones


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def check(result, code, *fragments):
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""


def test_missing_districts_file(cli, tmp_path):
    check(cli("share", "--districts", tmp_path / "nope.geojson"), 1, "nope.geojson", "file not found")


def test_missing_control_file(cli, squares):
    check(cli("share", "--districts", squares["districts"], "--control", "nope.csv"), 1, "nope.csv", "file not found")


def test_truncated_geojson(cli, tmp_path):
    text = json.dumps(squares_geojson())[:-40]
    check(
        cli("info", "--districts", write(tmp_path, "cut.geojson", text)), 1, "cut.geojson", "invalid JSON", "truncated"
    )


def test_not_geojson(cli, tmp_path):
    check(
        cli("info", "--districts", write(tmp_path, "x.geojson", '{"rows": [1, 2]}')),
        1,
        "x.geojson",
        "FeatureCollection",
    )


def test_missing_id_field_lists_fields(cli, tmp_path):
    data = squares_geojson()
    for f in data["features"]:
        f["properties"] = {"code_x": 1, "label_y": "a"}
    check(
        cli("info", "--districts", write(tmp_path, "noid.geojson", json.dumps(data))),
        1,
        "noid.geojson",
        "no id field",
        "code_x",
        "label_y",
        "--id-field",
    )


def test_named_id_field_absent_is_usage_error(cli, squares):
    check(
        cli("info", "--districts", squares["districts"], "--id-field", "ids"), 2, "no field 'ids'", "did you mean 'id'"
    )


def test_duplicate_ids_listed(cli, tmp_path):
    data = squares_geojson()
    data["features"][1]["properties"]["id"] = "A"
    data["features"][3]["properties"]["id"] = "C"
    # The names are still unique (Alpha, Beta, Gamma, Delta): the hint names that field.
    check(
        cli("status", "--districts", write(tmp_path, "dup.geojson", json.dumps(data))),
        1,
        "2 duplicate district id(s)",
        "'A'",
        "'C'",
        "--id-field name",
    )


def test_invalid_polygon_repaired_with_warning(cli, tmp_path):
    data = squares_geojson()
    data["features"][0]["geometry"]["coordinates"] = [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]]
    result = cli("info", "--districts", write(tmp_path, "bow.geojson", json.dumps(data)), "--format", "json")
    assert result.exit_code == 0
    assert "warning" in result.stderr and "repaired with make_valid" in result.stderr and "'A'" in result.stderr
    assert json.loads(result.stdout)["districts"]["count"] == 4


def test_bad_date_names_the_row(cli, squares, tmp_path):
    log = SQUARES_LOG.replace("2020-01-01,B", "15/11/2016,B")
    check(
        cli("share", "--districts", squares["districts"], "--control", write(tmp_path, "log.csv", log)),
        1,
        "log.csv line 3",
        "'15/11/2016'",
        "2016-11-15",
    )


def test_unknown_district_suggests_closest(cli, squares, tmp_path):
    log = SQUARES_LOG.replace("2020-02-01,Alpha", "2020-02-01,Alfa")
    check(
        cli("share", "--districts", squares["districts"], "--control", write(tmp_path, "log.csv", log)),
        1,
        "line 6",
        "unknown district 'Alfa'",
        "closest: Alpha",
    )


def test_name_match_ignores_case_accents_and_punctuation(cli_json, tmp_path):
    data = squares_geojson()
    data["features"][0]["properties"]["name"] = "Sheikh Sa’eed"
    data["features"][1]["properties"]["name"] = "Bāb al-Nayrab"
    districts = write(tmp_path, "d.geojson", json.dumps(data))
    log = write(
        tmp_path,
        "l.csv",
        "date,district,controller\n2020-01-01,Sheikh Sa'eed,rebels\n2020-01-01,BAB AL NAYRAB,rebels\n",
    )
    rows = {r["id"]: r for r in cli_json("status", "--districts", districts, "--control", log)}
    assert rows["A"]["controller"] == "rebels" and rows["B"]["controller"] == "rebels"


def test_shares_over_one(cli, squares, tmp_path):
    log = SQUARES_LOG.replace("kurdish forces,0.5", "kurdish forces,0.7")
    check(
        cli("share", "--districts", squares["districts"], "--control", write(tmp_path, "log.csv", log)),
        1,
        "log.csv line 7",
        "line 8",
        "sum to 1.2",
        "at most 1",
    )


@pytest.mark.parametrize("validate", [False, True])
def test_shares_over_one_name_their_lines_in_order(cli, squares, tmp_path, validate):
    # Line 7 is the rebels', line 8 the government's: sorted by controller they were "line 8, line 7".
    log = SQUARES_LOG.replace(
        "2020-02-01,B,government,0.5,s2\n2020-02-01,B,kurdish forces,0.5,s2",
        "2020-02-01,B,rebels,0.7,s2\n2020-02-01,B,government,0.5,s2",
    )
    path = write(tmp_path, "log.csv", log)
    if not validate:
        check(
            cli("share", "-d", squares["districts"], "-c", path), 1, "log.csv line 7, line 8: shares of 'Beta' (id B)"
        )
        return
    result = cli("validate", "-d", squares["districts"], "-c", path, "--format", "json")
    assert result.exit_code == 1, result.output
    (error,) = [p for p in json.loads(result.stdout) if p["level"] == "error"]
    assert error["location"] == "line 7, line 8" and "sum to 1.2" in error["message"]


def test_share_outside_zero_one(cli, squares, tmp_path):
    log = SQUARES_LOG.replace("kurdish forces,0.5", "kurdish forces,1.5")
    check(
        cli("share", "--districts", squares["districts"], "--control", write(tmp_path, "log.csv", log)),
        1,
        "line 8",
        "share '1.5'",
        "between 0 and 1",
    )


@pytest.mark.filterwarnings("ignore:'crs' was not provided")  # the fixture is written without a CRS on purpose
def test_projected_coordinates_without_crs(cli, tmp_path):
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.box(350000, 4000000, 351000, 4001000)], crs=None)
    path = tmp_path / "metres.shp"
    frame.to_file(path)
    check(cli("info", "--districts", path), 1, "metres.shp", "no CRS", "projected", "-a_srs")


def test_unknown_actor_with_actors_file(cli, squares, tmp_path):
    actors = write(
        tmp_path,
        "actors.toml",
        '[actors.government]\naliases = ["regime"]\n[actors.rebels]\n[actors."kurdish forces"]\n',
    )
    log = SQUARES_LOG.replace("2020-03-01,A,government", "2020-03-01,A,ISIS")
    check(
        cli(
            "share",
            "--districts",
            squares["districts"],
            "--control",
            write(tmp_path, "log.csv", log),
            "--actors",
            actors,
        ),
        1,
        "line 9",
        "unknown actor 'ISIS'",
        "known actors:",
        "government",
    )


def test_aliases_map_to_canonical_actor(cli_json, squares, tmp_path):
    actors = write(
        tmp_path,
        "actors.toml",
        '[actors.government]\naliases = ["regime", "SAA"]\n[actors.rebels]\n[actors."kurdish forces"]\n',
    )
    log = SQUARES_LOG.replace("2020-01-01,C,government", "2020-01-01,C,Regime").replace(
        "2020-01-01,D,government", "2020-01-01,D,saa "
    )
    rows = cli_json(
        "share",
        "--districts",
        squares["districts"],
        "--control",
        write(tmp_path, "log.csv", log),
        "--actors",
        actors,
        "--date",
        "2020-01-15",
    )
    assert {r["actor"]: r["districts"] for r in rows}["government"] == 2


def test_control_without_districts_is_usage_error(cli, squares):
    check(cli("share", "--control", squares["control"]), 2, "--control needs --districts")


def test_debug_shows_traceback(cli, tmp_path):
    result = cli("--debug", "info", "--districts", tmp_path / "nope.geojson")
    assert result.exit_code != 0
    assert result.exception is not None and "file not found" in str(result.exception)


# -- a file with no geometry where polygons are expected (review item 5; was "unexpected AttributeError")


@pytest.mark.parametrize(
    "command",
    [
        ["share", "-d", "{log}"],
        ["info", "-d", "{log}"],
        ["export", "-d", "{log}"],
        ["share", "-d", "{districts}", "-c", "{log}", "--land", "{log}"],
        ["zones", "area", "{log}", "--actor", "russia"],
        ["zones", "area", "{zone}", "--actor", "russia", "--clip", "{log}"],
    ],
    ids=["share", "info", "export", "land", "zones", "clip"],
)
def test_a_table_where_polygons_are_expected(cli, squares, tmp_path, command):
    zone = write_zones(tmp_path / "zone_2020-01-01.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    given = [a.format(log=squares["control"], districts=squares["districts"], zone=zone) for a in command]
    result = cli(*given)
    check(result, 1, "squares.csv: no geometry (it is a table, columns: date, district, controller", "--control")
    assert "give polygons here (GeoJSON, GeoPackage" in result.stderr
    assert "AttributeError" not in result.stderr


def test_a_geopackage_table_layer_is_named(cli, squares, tmp_path):
    out = tmp_path / "all.gpkg"  # a districts GeoPackage export also holds the log as the table 'control'
    assert cli("export", "-d", squares["districts"], "-c", squares["control"], "-o", out).exit_code == 0
    check(cli("share", "-d", out, "--districts-layer", "control"), 1, "all.gpkg layer 'control': no geometry")


def test_validate_reports_a_table_as_districts(cli, squares):
    result = cli("validate", "-d", squares["control"], "--format", "json")
    assert result.exit_code == 1, result.output
    (error,) = [p for p in json.loads(result.stdout) if p["level"] == "error"]
    assert error["file"] == squares["control"] and "no geometry" in error["message"]


# -- GeoJSON (or other JSON that is no log) given as the control log (review item 9a)


@pytest.mark.parametrize(
    "name, text, fragment",
    [
        # pretty-printed: read line by line as NDJSON, it was "line 1: invalid JSON"
        ("d.geojson", json.dumps(squares_geojson(), indent=2), "this is GeoJSON (a FeatureCollection)"),
        ("d.json", json.dumps(squares_geojson()), "this is GeoJSON (a FeatureCollection)"),  # one line
        ("f.json", json.dumps(squares_geojson()["features"][0]), "this is GeoJSON (a Feature)"),
        ("t.json", '{"type": "Topology", "objects": {}, "arcs": []}', "this is TopoJSON"),
        ("v.json", json.dumps({"value": squares_geojson()}), "this is GeoJSON (a FeatureCollection)"),  # NZZ
    ],
)
def test_geojson_given_as_the_log(cli, squares, tmp_path, name, text, fragment):
    log = write(tmp_path, name, text)
    check(cli("share", "-d", squares["districts"], "-c", log), 1, f"{name}: {fragment}", "not a control log")
    check(cli("share", "-d", squares["districts"], "-c", "-", input=text), 1, f"<stdin>: {fragment}")


def test_a_json_object_without_rows_is_not_a_log(cli, squares, tmp_path):
    log = write(tmp_path, "o.json", '{"a": 1}')
    check(cli("share", "-d", squares["districts"], "-c", log), 1, "o.json: a JSON object holding 0 lists", "NDJSON")


def test_a_json_log_with_a_type_column_is_still_a_log(cli_json, squares, tmp_path):
    rows = [{"date": "2020-01-01", "district": k, "controller": "rebels", "type": "Feature"} for k in "ABCD"]
    log = write(tmp_path, "rows.json", json.dumps(rows))
    share = {r["actor"]: r["districts"] for r in cli_json("share", "-d", squares["districts"], "-c", log)}
    assert share["rebels"] == 4  # every square held by the rebels, as written


def test_known_actors_are_listed_once(tmp_path):
    # An actors file that declares contested (a built-in category) listed it twice: "contested, contested".
    from conflictmap.actors import load_actors
    from conflictmap.errors import InputError

    path = tmp_path / "actors.toml"
    path.write_text('[actors.government]\n[actors.contested]\ncolour = "#999999"\n')
    with pytest.raises(InputError) as err:
        load_actors(str(path)).canonical("goverment", "log.csv line 2")
    known = str(err.value).split("known actors: ")[1].split(";")[0].split(", ")
    assert len(known) == len(set(known)) and "contested" in known and "government" in known
