"""`conflictmap share` through the CLI, on the four-square fixture (hand figures in conftest)."""

import csv
import io
import json

import pytest

from tests.conftest import squares_area

KEYS = ["actor", "districts", "districts_pct", "area_km2", "area_pct", "population", "population_pct"]


def test_json_keys_and_figures(cli_json, squares_args):
    rows = cli_json("share", *squares_args, "--date", "2020-02-15")
    assert all(list(r) == KEYS for r in rows)
    t = {r["actor"]: r for r in rows}
    assert t["government"]["districts"] == pytest.approx(2.5)
    assert t["government"]["districts_pct"] == pytest.approx(62.5)
    assert t["contested"]["districts_pct"] == pytest.approx(25)
    assert t["kurdish forces"]["districts_pct"] == pytest.approx(12.5)
    assert t["rebels"]["districts"] == 0
    assert sum(r["area_pct"] for r in rows) == pytest.approx(100)


def test_without_population_field_keys_stop_at_area(cli_json, squares, tmp_path):
    data = json.loads(open(squares["districts"]).read())
    for f in data["features"]:
        del f["properties"]["population"]
    path = tmp_path / "nopop.geojson"
    path.write_text(json.dumps(data))
    rows = cli_json("share", "--districts", path, "--control", squares["control"])
    assert all(list(r) == KEYS[:5] for r in rows)


def test_default_date_is_last_of_log(cli_json, squares_args):
    # Last date 2020-03-01: A, C, D government, B split -> 3.5 of 4 districts.
    t = {r["actor"]: r for r in cli_json("share", *squares_args)}
    assert t["government"]["districts"] == pytest.approx(3.5)


def test_baseline(cli_json, squares_args):
    rows = cli_json("share", *squares_args, "--date", "2020-03-01", "--baseline", "2020-01-01", "--baseline-actor", "Rebels")
    t = {r["actor"]: r for r in rows}
    # Rebels held A and B; now A government, B half government: 1.5 of 2.
    assert t["government"]["districts_pct"] == pytest.approx(75)
    a, b = squares_area("A"), squares_area("B")
    assert t["government"]["area_pct"] == pytest.approx(100 * (a + b / 2) / (a + b), rel=1e-6)


def test_ndjson_and_csv_are_unrounded(cli, squares_args):
    nd = cli("share", *squares_args, "--date", "2020-02-15", "--format", "ndjson")
    rows = [json.loads(line) for line in nd.stdout.splitlines()]
    gov = next(r for r in rows if r["actor"] == "government")
    got = cli("share", *squares_args, "--date", "2020-02-15", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(got.stdout)))
    gov_csv = next(r for r in table if r["actor"] == "government")
    assert float(gov_csv["area_km2"]) == gov["area_km2"]  # full precision in both
    assert len(gov_csv["area_km2"].split(".")[1]) > 6


def test_table_and_markdown_render(cli, squares_args):
    table = cli("share", *squares_args, "--date", "2020-02-15")
    assert table.exit_code == 0 and "government" in table.stdout and "62.5" in table.stdout
    md = cli("share", *squares_args, "--date", "2020-02-15", "--format", "markdown")
    assert md.stdout.count("\n| ") >= 4 and "| government |" in md.stdout


@pytest.mark.parametrize("args, message", [
    (["--baseline", "2020-01-01"], "--baseline-actor"),
    (["--baseline", "2020-01-01", "--baseline-actor", "nobody"], "nobody"),
    (["--date", "15/02/2020"], "--date"),
    (["--format", "xml"], "xml"),
])
def test_usage_errors_exit_2(cli, squares_args, args, message):
    result = cli("share", *squares_args, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_baseline_actor_that_held_nothing_is_a_data_error(cli, squares_args):
    result = cli("share", *squares_args, "--baseline", "2019-01-01", "--baseline-actor", "rebels")
    assert result.exit_code == 1
    assert "held no district on 2019-01-01" in result.stderr
