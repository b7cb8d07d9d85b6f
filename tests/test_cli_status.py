"""`conflictmap status` and `conflictmap info` through the CLI."""

import pytest

from tests.helpers import squares_area


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
    assert out.splitlines()[0] == "id,name,controller,date_in_force,area_km2,population,source"


def test_info(cli_json, squares_args, squares):
    info = cli_json("info", *squares_args)
    assert info["districts"]["count"] == 4
    total = sum(squares_area(k) for k in "ABCD")
    assert info["districts"]["area_km2"] == pytest.approx(total, rel=1e-6)
    assert info["districts"]["fields"] == {"id": "id", "name": "name", "population": "population"}
    assert info["control"]["first_date"] == "2020-01-01" and info["control"]["last_date"] == "2020-03-01"
    assert info["control"]["rows"] == 8
    assert set(info["actors"]) == {"rebels", "government", "contested", "kurdish forces"}
