"""`conflictmap status` and `conflictmap info` through the CLI."""

import csv
import io
import json

import pytest

from tests.helpers import OTHER_NAMES, other_names_args, square, squares_area, squares_geojson


def test_status_rows(cli_json, squares_args):
    rows = {r["id"]: r for r in cli_json("status", *squares_args, "--date", "2020-02-15")}
    assert set(rows) == {"A", "B", "C", "D"}
    assert rows["A"]["controller"] == "contested"
    assert rows["A"]["date_in_force"] == "2020-02-01"
    assert rows["B"]["shares"] == {"government": 0.5, "kurdish forces": 0.5}
    assert rows["C"]["date_in_force"] == "2020-01-01"
    assert rows["D"]["area_km2"] == pytest.approx(squares_area("D"), rel=1e-6)
    assert rows["D"]["population"] == 4000
    assert rows["A"]["source"] == "s2"


def test_status_before_the_log_is_unknown_or_initial(cli_json, squares_args):
    rows = cli_json("status", *squares_args, "--date", "2019-06-01")
    assert {r["controller"] for r in rows} == {"unknown"}
    assert {r["date_in_force"] for r in rows} == {None}
    rows = cli_json("status", *squares_args, "--date", "2019-06-01", "--initial", "government")
    assert {r["controller"] for r in rows} == {"government"}


def test_status_csv_has_no_nested_shares(cli, squares_args):
    out = cli("status", *squares_args, "--format", "csv").stdout
    assert out.splitlines()[0] == "id,name,controller,date_in_force,area_km2,population,source,confidence"


def test_info(cli_json, squares_args, squares):
    info = cli_json("info", *squares_args)
    assert info["districts"]["count"] == 4
    total = sum(squares_area(k) for k in "ABCD")
    assert info["districts"]["area_km2"] == pytest.approx(total, rel=1e-6)
    assert info["districts"]["fields"] == {"id": "id", "name": "name", "population": "population"}
    assert info["control"]["first_date"] == "2020-01-01" and info["control"]["last_date"] == "2020-03-01"
    assert info["control"]["rows"] == 8
    assert set(info["actors"]) == {"rebels", "government", "contested", "kurdish forces"}


# -- the district's other names and the confidence of the rows in force (new columns after the old ones)

STATUS_COLUMNS = "id,name,controller,date_in_force,area_km2,population,source".split(",")


@pytest.fixture
def named(tmp_path):
    return other_names_args(tmp_path)


def expected_names(key: str) -> dict:
    return {field: names[key] or None for field, names in OTHER_NAMES.items()}


def test_status_json_carries_other_names_and_confidence(cli_json, named):
    rows = {r["id"]: r for r in cli_json("-q", "status", *named, "--date", "2020-02-15")}
    assert list(rows["A"]) == STATUS_COLUMNS[:3] + ["shares"] + STATUS_COLUMNS[3:] + [
        "confidence",
        "name_ar",
        "name_ku",
    ]
    confidence = {k: r["confidence"] for k, r in rows.items()}
    assert confidence == {"A": "claimed", "B": "confirmed; claimed", "C": "confirmed", "D": None}
    for key, row in rows.items():
        assert {f: row[f] for f in OTHER_NAMES} == expected_names(key)


def test_status_before_the_log_has_no_confidence(cli_json, named):
    rows = cli_json("-q", "status", *named, "--date", "2019-06-01")
    assert {r["confidence"] for r in rows} == {None}


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_status_csv_and_tsv_keep_the_arabic_byte_for_byte(cli, named, fmt, delimiter):
    result = cli("-q", "status", *named, "--date", "2020-02-15", "--format", fmt)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter=delimiter))
    assert list(rows[0]) == STATUS_COLUMNS + ["confidence", "name_ar", "name_ku"]
    for row in rows:
        assert {f: row[f] or None for f in OTHER_NAMES} == expected_names(row["id"])
    for name in OTHER_NAMES["name_ar"].values():  # the very bytes: harakat and the Arabic comma kept
        assert name.encode("utf-8") in result.stdout_bytes


@pytest.mark.parametrize("fmt", ["ndjson", "markdown"])
def test_status_ndjson_and_markdown_keep_the_arabic(cli, named, fmt):
    result = cli("-q", "status", *named, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "ndjson":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert {r["id"]: r["name_ar"] for r in rows} == {k: v or None for k, v in OTHER_NAMES["name_ar"].items()}
    for name in filter(None, [*OTHER_NAMES["name_ar"].values(), *OTHER_NAMES["name_ku"].values()]):
        assert name.encode("utf-8") in result.stdout_bytes


def test_a_dissolved_district_joins_its_other_names_as_its_names(cli_json, tmp_path):
    # Two features of id X named 'b' and 'a' with Arabic names: the district is 'a / b', and its name_ar the
    # Arabic names in the same (sorted) way; a feature without one adds nothing.
    features = [
        {"type": "Feature", "properties": {"id": "X", "name": n, "name_ar": ar}, "geometry": square(lon, 0, 0.01)}
        for n, ar, lon in [("b", "باء", 0.0), ("a", "ألف", 0.01), ("a", "", 0.02)]
    ]
    path = tmp_path / "split.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    rows = cli_json("-q", "status", "-d", path, "--dissolve")
    assert [(r["name"], r["name_ar"]) for r in rows] == [("a / b", " / ".join(sorted(["باء", "ألف"])))]


def test_an_other_name_field_called_like_a_column_is_prefixed(cli_json, tmp_path):
    # --alt-name-field source: the status already has a source column; the names come as other_source.
    data = squares_geojson()
    for feature in data["features"]:
        feature["properties"]["source"] = "alt " + feature["properties"]["id"]
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(data))
    rows = cli_json("-q", "status", "-d", path, "--alt-name-field", "source")
    assert [(r["source"], r["other_source"]) for r in rows] == [("", f"alt {k}") for k in "ABCD"]  # no log: no source
