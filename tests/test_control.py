"""The control log reader: columns, duplicates, actor spellings, dates (hand-made logs on the four squares)."""

import json
import re

import pytest

from conflictmap.dataset import load_dataset
from conflictmap.errors import InputError, UsageError
from conflictmap.figures import status
from conflictmap.model import parse_date
from conflictmap.project import Inputs


def load(squares, tmp_path, text, name="log.csv", actors=None, initial=None):
    path = tmp_path / name
    path.write_text(text)
    return load_dataset(Inputs(districts=squares["districts"], control=str(path), actors=actors, initial=initial))


def controllers(ds):
    return dict(zip(status(ds)["id"], status(ds)["controller"]))


def test_ndjson_records_with_different_keys(squares, tmp_path):
    # The first record has no share key; the later ones do and must count.
    text = (
        "\n".join(
            json.dumps(r)
            for r in [
                {"date": "2020-01-10", "district": "A", "controller": "rebels"},
                {"date": "2020-01-10", "district": "B", "controller": "rebels", "share": 0.6},
            ]
        )
        + "\n"
    )
    ds = load(squares, tmp_path, text, "log.ndjson")
    assert controllers(ds)["B"] == "rebels 0.6; unknown 0.4"


@pytest.mark.parametrize(
    "rows",
    [
        ["2020-01-10,B,rebels,", "2020-01-10,B,rebels,0.5"],
        ["2020-01-10,B,rebels,0.5", "2020-01-10,B,rebels,"],
    ],
)
def test_rows_with_and_without_share_are_an_error_in_any_order(squares, tmp_path, rows):
    with pytest.raises(InputError, match="some without shares"):
        load(squares, tmp_path, "date,district,controller,share\n" + "\n".join(rows) + "\n")


def test_exact_duplicate_rows_are_kept_once_with_a_warning(squares, tmp_path):
    ds = load(squares, tmp_path, "date,district,controller,share\n2020-01-10,B,rebels,0.5\n2020-01-10,B,rebels,0.5\n")
    assert controllers(ds)["B"] == "rebels 0.5; unknown 0.5"  # not summed to 1
    # The district is named as the districts file names it, with its id (review F14: raions by their shapeID).
    assert any("duplicate rows for 'Beta' (id B)" in p.message for p in ds.problems)


def test_actor_spelling_does_not_depend_on_row_order(squares, tmp_path):
    # Two spellings once each: the smallest ("Rebels") wins, in either order.
    one = load(squares, tmp_path, "date,district,controller\n2020-01-10,A,rebels\n2020-01-10,B,Rebels \n")
    two = load(squares, tmp_path, "date,district,controller\n2020-01-10,B,Rebels\n2020-01-10,A,rebels\n")
    assert controllers(one)["A"] == controllers(two)["A"] == controllers(one)["B"] == "Rebels"
    # The most frequent spelling wins over a stray one.
    three = load(
        squares, tmp_path, "date,district,controller\n2020-01-10,A,REBELS\n2020-01-10,B,rebels\n2020-01-10,C,rebels\n"
    )
    assert set(controllers(three).values()) - {"unknown"} == {"rebels"}


def test_actor_spellings_merged_without_an_actors_file_are_noted_once(squares, tmp_path):
    # Review E9: 'alpha inc', 'alpha, inc.' and 'Alpha-Inc' share a match key, so they are one actor ('Alpha-Inc',
    # the smallest of three spellings used once each); one note names them. Case alone (Rebels, rebels) is not noted.
    ds = load(
        squares,
        tmp_path,
        'date,district,controller\n2020-01-10,A,alpha inc\n2020-01-10,B,"alpha, inc."\n2020-01-10,C,Alpha-Inc\n'
        "2020-01-10,D,Rebels\n2020-02-10,D,rebels\n",
    )
    assert set(controllers(ds).values()) == {"Alpha-Inc", "Rebels"}
    (note,) = [p for p in ds.problems if "read as one actor" in p.message]
    assert note.level == "note"
    assert "'Alpha-Inc', 'alpha inc', 'alpha, inc.' as 'Alpha-Inc'; if they are two actors" in note.message
    assert "Rebels" not in note.message


def test_string_aliases_are_refused(squares, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text('[actors.rebels]\naliases = "opposition"\n')
    with pytest.raises(InputError, match="give a list of names"):
        load(squares, tmp_path, "date,district,controller\n2020-01-10,A,rebels\n", actors=str(actors))


def test_initial_cannot_be_a_group(squares, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text('[actors.f1]\n[actors.f2]\n[groups]\nrebels = ["f1", "f2"]\n')
    with pytest.raises(UsageError, match="is a group"):
        load(squares, tmp_path, "date,district,controller\n2020-01-10,A,f1\n", actors=str(actors), initial="rebels")


@pytest.mark.parametrize(
    "text, message",
    [
        ("2020-01-1022", "not an ISO 8601 date"),
        ("2020-01-10 junk", "not an ISO 8601 date"),
        ("0216-11-15", "out of range"),
        ("2300-01-01", "out of range"),
    ],
)
def test_bad_dates(text, message):
    with pytest.raises(InputError, match=message):
        parse_date(text, "log.csv line 2")


@pytest.mark.parametrize(
    "text, message",
    [
        # Written as YYYY-MM-DD, so "not an ISO 8601 date; write dates as YYYY-MM-DD" would send the user
        # looking for a format error: the message says which part names no day (calendar by hand).
        ("2016-11-31", "November has 30 days; correct the day"),
        ("2016-04-31", "April has 30 days"),
        ("2017-02-29", "February 2017 has 28 days"),
        ("2016-02-30", "February 2016 has 29 days"),
        ("2016-11-00", "there is no day 00"),
        ("2016-11-31T10:00Z", "November has 30 days"),
        ("2016-13-05", "there is no month 13; correct the month; if it is year-day-month, write 2016-05-13"),
    ],
)
def test_an_impossible_day_is_said_so(text, message):
    with pytest.raises(InputError, match=re.escape(f"log.csv line 2: date '{text}' does not exist: {message}")):
        parse_date(text, "log.csv line 2")


def test_a_real_day_and_other_forms_are_not_called_impossible():
    assert parse_date("2016-02-29").isoformat() == "2016-02-29"  # 2016 is a leap year
    # Another form, naming no day either way (November has 30 days; there is no month 31): no date is proposed
    # (the hint was 'e.g. 2016-11-31').
    with pytest.raises(InputError, match=r"names no day as day/month/year \(November has 30 days\) nor as month"):
        parse_date("31/11/2016")
    with pytest.raises(InputError, match="2016-00-10' does not exist: there is no month 00; correct the month$"):
        parse_date("2016-00-10")  # 2016-10-00 is no day either: no swap is offered


def test_an_impossible_day_names_the_row_in_every_reader(cli, squares, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("date,district,controller\n2020-01-10,A,rebels\n2020-11-31,B,rebels\n")
    wanted = "log.csv line 3: date '2020-11-31' does not exist: November has 30 days; correct the day"
    result = cli("share", "--districts", squares["districts"], "--control", log)
    assert result.exit_code == 1 and wanted in result.stderr
    checked = cli("validate", "--districts", squares["districts"], "--control", log, "--format", "json")
    assert checked.exit_code == 1
    assert [p["message"] for p in json.loads(checked.stdout)] == [wanted.split(": ", 1)[1]]
    claims = tmp_path / "claims.csv"
    claims.write_text("date,actor,measure,value\n2020-02-30,rebels,area_pct,50\n")
    claimed = cli("claims", "check", claims, "--districts", squares["districts"], "--control", squares["control"])
    assert claimed.exit_code == 1
    assert "claims.csv line 2: date '2020-02-30' does not exist: February 2020 has 29 days" in claimed.stderr


@pytest.mark.parametrize("option", ["--date", "--since"])
def test_an_impossible_day_given_as_an_option_is_said_so(cli, option):
    command = "changes" if option == "--since" else "share"
    result = cli(command, option, "2016-11-31")
    assert result.exit_code == 2
    assert f"conflictmap: error: {option} '2016-11-31' does not exist: November has 30 days; correct the day" in (
        result.stderr
    )


def test_dates_with_a_time_part():
    assert parse_date("2016-11-15T10:30:00Z").isoformat() == "2016-11-15"
    assert parse_date("2016-11-15 10:30").isoformat() == "2016-11-15"


def test_out_of_range_log_date_names_the_row(cli, squares, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("date,district,controller\n2020-01-10,A,rebels\n2300-01-01,B,rebels\n")
    result = cli("share", "--districts", squares["districts"], "--control", path)
    assert result.exit_code == 1 and "line 3" in result.stderr and "out of range" in result.stderr
    checked = cli("validate", "--districts", squares["districts"], "--control", path, "--format", "json")
    assert checked.exit_code == 1 and "out of range" in checked.stdout


@pytest.mark.parametrize(
    "line, message", [("districts = 5", "must be a string"), ('dissolve = "no"', "must be true or false")]
)
def test_project_values_have_types(tmp_path, cli, line, message):
    (tmp_path / "p.toml").write_text(line + "\n")
    result = cli("info", "--project", tmp_path / "p.toml")
    assert result.exit_code == 1 and message in result.stderr


def test_alias_naming_another_actor_is_an_error(squares, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text('[actors.x]\n[actors.y]\naliases = ["X "]\n')
    with pytest.raises(InputError, match="'X ' also names 'x'"):
        load(squares, tmp_path, "date,district,controller\n2020-01-10,A,x\n", actors=str(actors))


@pytest.mark.parametrize("colour, ok", [('"#b2182b"', True), ('"darkred"', True), ('"reddish"', False)])
def test_actor_colours_are_checked(squares, tmp_path, colour, ok):
    actors = tmp_path / "actors.toml"
    actors.write_text(f"[actors.rebels]\ncolour = {colour}\n")
    text = "date,district,controller\n2020-01-10,A,rebels\n"
    if ok:
        assert load(squares, tmp_path, text, actors=str(actors)).actors.colours["rebels"] == colour.strip('"')
    else:
        with pytest.raises(InputError, match="is not a colour"):
            load(squares, tmp_path, text, actors=str(actors))


def test_every_missing_column_is_named(squares, tmp_path):
    with pytest.raises(InputError, match="no 'district' or 'controller' column"):
        load(squares, tmp_path, "date,place,who\n2020-01-10,A,rebels\n")


def test_a_zero_share_is_no_holder(squares, tmp_path):
    ds = load(squares, tmp_path, "date,district,controller,share\n2020-01-10,A,rebels,0\n")
    assert controllers(ds)["A"] == "unknown"


def test_negative_population_is_an_error(tmp_path):
    from conflictmap.districts import load_districts
    from tests.helpers import squares_geojson

    data = squares_geojson()
    data["features"][2]["properties"]["population"] = -5
    path = tmp_path / "neg.geojson"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="feature 3.*negative"):
        load_districts(path)


def test_a_polygon_column_of_examples_agrees_with_any_reading_that_includes_them():
    """A change list's polygon_names cell 'e.g. Alpha' lists examples: an alias for Alpha and Beta agrees with
    it, one for Beta alone does not (control.column_problems); the names are the squares' Alpha..Delta."""
    from conflictmap.actors import Actors
    from conflictmap.control import parse_rows
    from conflictmap.errors import Checks
    from conflictmap.matching import DistrictIndex, listed_districts

    records = [
        {
            "date": "2020-02-01",
            "district": "north",
            "controller": "rebels",
            "polygon_names": "e.g. Alpha",
            "_where": "c.csv line 2",
        }
    ]
    for target, warned in (("Alpha; Beta", False), ("Beta", True)):
        index = DistrictIndex(["A", "B", "C", "D"], ["Alpha", "Beta", "Gamma", "Delta"])
        index.add_alias("north", target, "aliases.csv line 2")
        problems = []
        parse_rows([dict(r) for r in records], "c.csv", index, Actors(), Checks(problems))
        assert [p.where for p in problems if p.level == "warning"] == (["c.csv line 2"] if warned else [])
    listed = listed_districts(index, ["e.g. Alpha", "Gamma (probable match)"])
    assert (listed.found, listed.missing, listed.examples) == ([0, 2], ["probable match"], True)


@pytest.mark.parametrize("share, held", [("0,5", 0.5), ("50,5%", 0.505), (",25", 0.25)])
def test_a_decimal_comma_in_a_share_is_read(share, held):
    from conflictmap.actors import Actors
    from conflictmap.control import parse_rows
    from conflictmap.matching import DistrictIndex

    record = {"date": "2020-02-01", "district": "A", "controller": "rebels", "share": share, "_where": "c.csv line 2"}
    (row,) = parse_rows([record], "c.csv", DistrictIndex(["A"], ["Alpha"]), Actors())
    assert row["share"] == pytest.approx(held)


def test_a_share_over_one_with_a_comma_is_still_refused():
    from conflictmap.control import _share

    # 1,5 has one reading that is a number (1.5, over 1); 1,000 is 1.0 (a thousand would be no share either).
    with pytest.raises(InputError, match="share '1,5' is not between 0 and 1"):
        _share("1,5", "c.csv line 2")
    assert _share("1,000", "c.csv line 2") == 1.0


def test_a_repeated_header_is_skipped_with_one_warning_when_collecting():
    from conflictmap.actors import Actors
    from conflictmap.control import parse_rows
    from conflictmap.errors import Checks
    from conflictmap.matching import DistrictIndex

    header = {"date": "Date", "district": "DISTRICT", "controller": "controller", "note": "note"}
    records = [
        {"date": "2020-01-01", "district": "A", "controller": "rebels", "note": "", "_where": "c.csv line 2"},
        {**header, "_where": "c.csv line 3"},
        {"date": "2020-02-01", "district": "A", "controller": "army", "note": "", "_where": "c.csv line 4"},
        {**header, "_where": "c.csv line 5"},
    ]
    problems = []
    actors = Actors()
    rows = parse_rows(records, "c.csv", DistrictIndex(["A"], ["Alpha"]), actors, Checks(problems, collect=True))
    assert [r["where"] for r in rows] == ["c.csv line 2", "c.csv line 4"]
    assert [(p.level, p.where) for p in problems] == [("warning", "c.csv line 3 (and 1 more line)")]
    assert actors.names == ["rebels", "army"]  # the header's 'controller' is no actor
