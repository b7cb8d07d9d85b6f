"""`conflictmap share` through the CLI, on the four-square fixture (hand figures in conftest)."""

import csv
import io
import json

import pytest

from tests.helpers import squares_area

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
    rows = cli_json(
        "share", *squares_args, "--date", "2020-03-01", "--baseline", "2020-01-01", "--baseline-actor", "Rebels"
    )
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


@pytest.mark.parametrize(
    "args, message",
    [
        (["--baseline", "2020-01-01"], "--baseline-actor"),
        (["--baseline", "2020-01-01", "--baseline-actor", "nobody"], "nobody"),
        (["--date", "15/02/2020"], "--date"),
        (["--format", "xml"], "xml"),
    ],
)
def test_usage_errors_exit_2(cli, squares_args, args, message):
    result = cli("share", *squares_args, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_baseline_actor_that_held_nothing_is_a_data_error(cli, squares_args):
    result = cli("share", *squares_args, "--baseline", "2019-01-01", "--baseline-actor", "rebels")
    assert result.exit_code == 1
    assert "held no district on 2019-01-01" in result.stderr


def test_csv_rows_are_stable_across_dates(cli, squares_args):
    # Scripts diffing daily output: the same actors every day, contested and unknown included (0 when nobody).
    actors = set()
    for day in ("2019-12-31", "2020-01-01", "2020-02-01", "2020-03-01"):
        result = cli("share", *squares_args, "--date", day, "--format", "csv")
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        actors.add(frozenset(r["actor"] for r in rows))
    assert actors == {frozenset({"rebels", "government", "kurdish forces", "contested", "unknown"})}


def test_share_and_timeline_have_the_same_rows(cli_json, squares_args):
    timeline = cli_json("timeline", *squares_args, "--initial", "ukraine")
    for day in ("2020-01-01", "2020-02-01", "2020-03-01"):
        shares = cli_json("share", *squares_args, "--initial", "ukraine", "--date", day)
        assert sorted(r["actor"] for r in shares) == sorted(r["actor"] for r in timeline if r["date"] == day)
        assert {r["actor"] for r in shares} >= {"ukraine", "unknown", "contested"}


def test_title_uses_the_canonical_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the bundled sample: its actors file makes 'regime' an alias of government
    result = cli("share", "--baseline", "2016-11-15", "--baseline-actor", "regime", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "**Of what government held on 2016-11-15: share held on 2016-12-22**"


def test_unknown_baseline_actor_lists_the_categories_too(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("share", "--baseline", "2016-11-15", "--baseline-actor", "nobody")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "conflictmap: error: --baseline-actor 'nobody' is not an actor of "
        "this dataset; known: contested, government, kurdish forces, "
        "rebels, unknown"
    )


MEASURED = (  # shares no reporter writes (an overlay's), on two zone snapshot dates 24 days apart
    "date,district,controller,share\n"
    "2024-07-08,A,russia,1\n2024-07-08,B,russia,0.6123\n2024-07-08,B,ukraine,0.3877\n"
    "2024-07-08,C,ukraine,1\n2024-07-08,D,ukraine,1\n"
    "2024-08-01,B,russia,1\n"
)


@pytest.fixture
def measured_on_land(squares, tmp_path):
    """-d squares -c a log of measured shares --land lat < 0.015 (A and B whole, the south half of C and D)."""
    from tests.helpers import box_coords, write_zones

    mask = write_zones(tmp_path / "land.geojson", [({}, box_coords(-0.01, -0.01, 0.03, 0.015))])
    log = tmp_path / "measured.csv"
    log.write_text(MEASURED)
    return ["-d", squares["districts"], "-c", log, "--land", mask]


def test_title_says_of_what_and_which_date_it_shows(cli, measured_on_land):
    # 31 July lies 23 days after the 8 July snapshot and before the 1 August one: the figures are 8 July's.
    done = cli("share", *measured_on_land, "--date", "2024-07-31", "-f", "markdown")
    assert done.exit_code == 0, done.output
    title = done.stdout.splitlines()[0]
    assert "km² of the 4 districts' land inside land.geojson" in title
    assert "districts are district-equivalents" in title and "the log's state of 2024-07-08" in title
    assert "note: 2024-07-31 falls between two dates of the log" in done.stderr
    # The machine columns stay the same (the README promises daily outputs keep their columns)...
    rows = json.loads(cli("share", *measured_on_land, "--date", "2024-07-31", "-f", "json").stdout)
    assert all(list(r) == KEYS for r in rows)
    # ...and within a week of the date in force (or on it) no date is named.
    near = cli("share", *measured_on_land, "--date", "2024-07-12", "-f", "markdown")
    assert "state of" not in near.stdout and "falls between" not in near.stderr


def test_a_log_of_events_names_no_date_in_force(cli, squares_args):
    # The squares' log is of events (whole and half districts): its state holds until its next row.
    done = cli("share", *squares_args, "--date", "2020-02-28", "-f", "markdown")
    assert done.stdout.splitlines()[0] == "**Shares on 2020-02-28**"


def test_a_district_without_population_is_named_and_left_out_of_the_denominator(cli, squares, tmp_path):
    # C (3000 people) has no population: on 2020-02-15 (by hand, SQUARES_LOG) government holds D (4000) and half
    # of B (1000) of the 1000 + 2000 + 4000 = 7000 people counted.
    from tests.helpers import squares_geojson

    data = squares_geojson()
    data["features"][2]["properties"]["population"] = None
    path = tmp_path / "gap.geojson"
    path.write_text(json.dumps(data))
    for command in ("share", "timeline"):
        result = cli(command, "-d", path, "-c", squares["control"], "-f", "json")
        assert result.exit_code == 0, result.output
        assert "no population for 1 district ('C')" in result.stderr and "7,000 people" in result.stderr
    result = cli("share", "-d", path, "-c", squares["control"], "--date", "2020-02-15", "-f", "json")
    government = {r["actor"]: r for r in json.loads(result.stdout)}["government"]
    assert government["population"] == pytest.approx(5000)
    assert government["population_pct"] == pytest.approx(5000 / 7000 * 100)
    clean = cli("share", "-d", squares["districts"], "-c", squares["control"], "-f", "json")
    assert "no population" not in clean.stderr
