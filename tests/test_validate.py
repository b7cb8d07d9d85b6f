"""conflictmap.validate: every problem at once, each with file and line or feature."""

import csv
import datetime as dt
import json

import pytest

from conflictmap.control import DistrictIndex, load_control
from conflictmap.districts import load_districts
from conflictmap.errors import InputError
from conflictmap.actors import Actors, load_actors
from conflictmap.project import Inputs
from conflictmap.validate import validate
from tests.helpers import SQUARES_LOG, square, squares_geojson

ACTORS_TOML = '[actors.government]\naliases = ["regime"]\n[actors.rebels]\n[actors."kurdish forces"]\n'


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def found(result):
    """(level, location, message) per problem, files left out (each test has one bad file)."""
    return [(r["level"], r["location"], r["message"]) for r in result.rows()]


def test_clean_inputs_have_no_problem(squares):
    result = validate(Inputs(districts=squares["districts"], control=squares["control"]))
    assert result.problems == [] and result.errors == 0 and result.warnings == 0


# A log with five bad rows (lines 3, 5, 6, 7, 8) among good ones; line 6 has two faults.
MANY_BAD_ROWS = """date,district,controller,share
2020-01-01,A,rebels,
15/11/2016,B,rebels,
2020-01-01,C,government,
2020-01-01,Gamm,government,
2020-01-02,Beta,ISIS,1.5
2020-01-02,C,,
2020-01-03,D,regime,0.5
2020-01-03,D,rebels,0.7
"""


def test_every_bad_row_is_listed_with_its_line(squares, tmp_path):
    log = write(tmp_path, "log.csv", MANY_BAD_ROWS)
    actors = write(tmp_path, "actors.toml", ACTORS_TOML)
    result = validate(Inputs(districts=squares["districts"], control=log, actors=actors))
    problems = found(result)
    assert [p[:2] for p in problems] == [
        ("error", "line 3"),
        ("error", "line 5"),
        ("error", "line 6"),
        ("error", "line 6"),
        ("error", "line 7"),
        ("error", "line 8, line 9"),
    ]
    messages = " | ".join(p[2] for p in problems)
    for fragment in (
        "date '15/11/2016'",
        "unknown district 'Gamm'",
        "unknown actor 'ISIS'",
        "share '1.5'",
        "empty controller",
        "sum to 1.2",
    ):
        assert fragment in messages
    assert result.errors == 6 and all(r["file"] == log for r in result.rows())


def test_loading_raises_the_first_problem_validate_lists(squares, tmp_path):
    # One check, two modes: the loader's error is validate's first problem, word for word.
    log = write(tmp_path, "log.csv", MANY_BAD_ROWS)
    actors = write(tmp_path, "actors.toml", ACTORS_TOML)
    first = validate(Inputs(districts=squares["districts"], control=log, actors=actors)).problems[0]
    districts, _, _ = load_districts(squares["districts"])
    with pytest.raises(InputError) as raised:
        load_control(log, DistrictIndex(districts["id"], districts["name"]), load_actors(actors))
    assert str(raised.value) == str(first)


def bad_districts():
    """Features 2..5 each broken a different way; feature 1 (A) is fine."""
    data = squares_geojson()
    f = data["features"]
    f[1]["geometry"]["coordinates"][0][1] = [float("nan"), 0.0]
    f[2]["geometry"] = {"type": "Point", "coordinates": [0.0, 0.01]}
    f[3]["properties"]["id"] = "A"  # duplicate of feature 1
    f.append(
        {
            "type": "Feature",
            "properties": {"id": "E", "name": "Epsilon"},
            "geometry": {"type": "Polygon", "coordinates": [[[0.03, 0], [0.04, 0], [0.05, 0], [0.03, 0]]]},
        }
    )
    f.append({"type": "Feature", "properties": {"id": "", "name": "Nameless"}, "geometry": square(0.05, 0, 0.01)})
    return data


def test_every_bad_feature_is_listed_with_its_number(tmp_path):
    path = write(tmp_path, "d.geojson", json.dumps(bad_districts()))
    problems = found(validate(Inputs(districts=path)))
    locations = {p[1]: p for p in problems if p[0] == "error"}
    assert "NaN" in locations["feature 2 (id 'B')"][2]
    assert "Point" in locations["feature 3 (id 'C')"][2]
    assert "no area" in locations["feature 5 (id 'E')"][2]
    assert "empty id" in locations["feature 6"][2]
    assert "duplicate district id 'A'" in locations["features 1, 4"][2]
    assert len(locations) == 5
    # The repair of feature 5 is a warning of its own.
    assert [p for p in problems if p[0] == "warning" and "repaired" in p[2]]


def test_log_is_checked_against_ids_of_features_with_bad_geometry(tmp_path):
    # Feature 2 (B) has a NaN coordinate: an error, but a log row naming B is not "unknown district".
    path = write(tmp_path, "d.geojson", json.dumps(bad_districts()))
    log = write(tmp_path, "log.csv", "date,district,controller\n2020-01-01,B,rebels\n2020-01-01,Z,rebels\n")
    rows = validate(Inputs(districts=path, control=log)).rows()
    log_problems = [r for r in rows if r["file"] == log]
    assert [(r["location"], "unknown district 'Z'" in r["message"]) for r in log_problems] == [("line 3", True)]


def test_log_is_checked_even_when_the_districts_cannot_be_read(tmp_path):
    districts = write(tmp_path, "d.geojson", '{"type": "FeatureCollection", "features": [')
    log = write(tmp_path, "log.csv", "date,district,controller,share\n2020-13-01,A,rebels,\n2020-01-01,B,rebels,2\n")
    rows = validate(Inputs(districts=districts, control=log)).rows()
    assert [(r["file"], r["location"]) for r in rows] == [(districts, ""), (log, "line 2"), (log, "line 3")]
    assert "invalid JSON" in rows[0]["message"]


def test_broken_actors_file_is_an_error_and_the_log_is_still_checked(squares, tmp_path):
    actors = write(tmp_path, "actors.toml", "[actors.government\n")
    log = write(tmp_path, "log.csv", "date,district,controller\n2020-01-01,A,anyone\nnot a date,B,rebels\n")
    rows = validate(Inputs(districts=squares["districts"], control=log, actors=actors)).rows()
    assert [(r["file"], r["location"]) for r in rows] == [(actors, ""), (log, "line 3")]


def overlapping(tmp_path, width):
    """The four squares with B moved west so that it covers a strip `width` degrees wide of A."""
    data = squares_geojson()
    data["features"][1]["geometry"] = square(0.01 - width, 0.0, 0.01)
    return write(tmp_path, "d.geojson", json.dumps(data))


@pytest.mark.parametrize("width, warned", [(0.00002, True), (0.000005, False)])
def test_overlap_over_a_thousandth_of_the_smaller_district(tmp_path, width, warned):
    # A strip of A 0.00002° wide is 0.2% of A (0.01° wide): warned; 0.000005° is 0.05%: not.
    rows = validate(Inputs(districts=overlapping(tmp_path, width))).rows()
    overlaps = [r for r in rows if "overlap" in r["message"]]
    assert bool(overlaps) == warned
    if warned:
        assert overlaps[0]["level"] == "warning" and overlaps[0]["location"] == "features 1 and 2"
        assert "'A' and 'B'" in overlaps[0]["message"] and "0.2% of the smaller" in overlaps[0]["message"]


def test_neighbours_sharing_a_border_do_not_overlap(squares):
    # The fixture's squares touch along edges and at a corner: no overlap at all.
    assert validate(Inputs(districts=squares["districts"])).problems == []


def test_unsorted_log_is_one_warning(squares, tmp_path):
    log = write(
        tmp_path,
        "log.csv",
        "date,district,controller\n2020-03-01,A,government\n2020-01-01,A,rebels\n"
        "2020-01-01,B,rebels\n2020-04-01,B,government\n2020-02-01,C,rebels\n",
    )
    result = validate(Inputs(districts=squares["districts"], control=log))
    assert result.errors == 0
    [problem] = result.rows()
    # Lines 3, 4 and 6 are dated before an earlier line (2020-03-01 at line 2; 2020-04-01 at line 5).
    assert problem["level"] == "warning" and problem["location"] == "line 3"
    assert "not sorted by date" in problem["message"] and "3 rows" in problem["message"]


def test_rows_after_until_are_warnings(squares):
    result = validate(Inputs(districts=squares["districts"], control=squares["control"]), until=dt.date(2020, 1, 31))
    # SQUARES_LOG: lines 6, 7, 8 are dated 2020-02-01 and line 9 2020-03-01.
    assert [(r["level"], r["location"]) for r in result.rows()] == [("warning", f"line {n}") for n in (6, 7, 8, 9)]


def test_rows_after_today_are_one_warning(squares):
    inputs = Inputs(districts=squares["districts"], control=squares["control"])
    # SQUARES_LOG's last rows: lines 6-8 dated 2020-02-01, line 9 2020-03-01. "Today" is injected.
    result = validate(inputs, today=dt.date(2020, 1, 15))
    assert [(r["level"], r["location"]) for r in result.rows()] == [
        ("warning", "line 6, line 7, line 8 (and 1 more row)")
    ]
    message = result.rows()[0]["message"]
    assert message.startswith("4 rows are dated after today (2020-01-15): 2020-02-01 to 2020-03-01; typos?")
    assert "without --date they show 2020-03-01" in message
    one = validate(inputs, today=dt.date(2020, 2, 10)).rows()
    assert [(r["location"], r["message"].split(";")[0]) for r in one] == [
        ("line 9", "date 2020-03-01 is after today (2020-02-10)")
    ]
    # A row dated tomorrow is no typo (a log kept where it is already tomorrow): only the day after warns.
    assert validate(inputs, today=dt.date(2020, 2, 29)).problems == []
    assert validate(inputs, today=dt.date(2020, 2, 28)).warnings == 1


def test_loading_warns_of_rows_after_today_by_both_readers(squares, tmp_path):
    from conflictmap.control import future_problem, parse_rows, read_log_records, settle

    districts, _, _ = load_districts(squares["districts"])
    index = DistrictIndex(districts["id"], districts["name"])
    log, problems = load_control(squares["control"], index, Actors(), today=dt.date(2020, 2, 10))
    assert [str(p).split(";")[0] for p in problems] == [
        f"{squares['control']} line 9: date 2020-03-01 is after today (2020-02-10)"
    ]
    # The row-by-row reader's frame gives the same warning.
    rows = parse_rows(read_log_records(squares["control"]), squares["control"], index, Actors())
    assert str(future_problem(settle(rows), dt.date(2020, 2, 10))) == str(problems[0])
    assert load_control(squares["control"], index, Actors())[1] == []  # by the clock, 2020 is past


def test_dissolve_turns_duplicate_ids_into_merges(tmp_path):
    data = squares_geojson()
    data["features"][1]["properties"]["id"] = "A"
    path = write(tmp_path, "d.geojson", json.dumps(data))
    assert validate(Inputs(districts=path)).errors == 1
    merged = validate(Inputs(districts=path, dissolve=True))
    # Alpha and Beta now share id A: merged, with a warning about the two names.
    assert merged.errors == 0 and "different names: Alpha, Beta" in merged.problems[0].message


def test_unknown_initial_actor_with_actors_file(squares, tmp_path):
    actors = write(tmp_path, "actors.toml", ACTORS_TOML)
    result = validate(
        Inputs(districts=squares["districts"], control=squares["control"], actors=actors, initial="nobody")
    )
    assert [(r["location"], "'nobody'" in r["message"]) for r in result.rows()] == [("--initial", True)]


def test_summary_counts_and_names_files(squares, tmp_path):
    log = write(tmp_path, "log.csv", SQUARES_LOG + "2020-04-01,Z,rebels,,s4\n")
    result = validate(Inputs(districts=squares["districts"], control=log))
    assert result.summary() == f"1 error, 0 warnings in {squares['districts']}, {log}"


def test_real_aleppo_duplicate_ids(shared_data):
    path = shared_data / "aleppo" / "neighbourhoods-csr.geojson"
    result = validate(Inputs(districts=str(path)))
    duplicates = [r for r in result.rows() if "duplicate district id" in r["message"]]
    # The data README: 133 features for 123 distinct Ids, so 10 features repeat an Id.
    repeats = sum(len(r["location"].removeprefix("features ").split(", ")) - 1 for r in duplicates)
    assert repeats == 133 - 123 and result.errors == len(duplicates)
    dissolved = validate(Inputs(districts=str(path), dissolve=True))
    # "Id 120 is used by two different names": merging them is a warning, not an error.
    assert dissolved.errors == 0 and any("id '120' but different names" in p.message for p in dissolved.problems)


def test_real_aleppo_reported_names(shared_data, tmp_path):
    """The hand-collected 2016 record as a log: names without a polygon are listed, each with its line."""
    folder = shared_data / "aleppo"
    polygons = json.loads((folder / "neighbourhoods-csr.geojson").read_text(encoding="utf-8"))
    # --dissolve keeps every NAME of the features it merges as a name of the district (as-Sakhour and as-Sakhour I).
    names = {f["properties"]["NAME"] for f in polygons["features"]}
    lines, exact_misses = ["date,district,controller"], set()
    with open(folder / "control-changes-2016.csv", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            for name in rec["polygon_names"].split("; "):
                lines.append(f'{rec["date"]},"{name}",{rec["to_actor"]}')
                if name not in names:
                    exact_misses.add(len(lines))  # the line number of this row
    log = write(tmp_path, "log.csv", "\n".join(lines) + "\n")
    rows = validate(Inputs(districts=str(folder / "neighbourhoods-csr.geojson"), control=log, dissolve=True)).rows()
    unknown = {
        int(r["location"].split()[1])
        for r in rows
        if "unknown district" in r["message"] or "empty district" in r["message"]
    }
    # Matching forgives case, accents and quotes, so it finds at most the rows an exact match misses,
    # and it cannot find a polygon for an empty name or the "(several Old City units ...)" note.
    assert unknown <= exact_misses
    empty_or_note = {n for n in exact_misses if lines[n - 1].split(",", 1)[1].startswith(('"",', '"('))}
    assert empty_or_note and empty_or_note <= unknown


def test_actors_without_file_accept_any_name():
    # Without an actors file no actor is unknown: the stand-in used after a broken actors file.
    assert Actors().canonical("Anyone At All ") == "Anyone At All"
