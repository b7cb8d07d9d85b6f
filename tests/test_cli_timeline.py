"""`conflictmap timeline` through the CLI: long form for scripts, a column per actor for people, charts."""

import csv
import io

import pytest

KEYS = ["date", "actor", "districts", "districts_pct", "area_km2", "area_pct", "population", "population_pct"]


def by_date(rows):
    out = {}
    for r in rows:
        out.setdefault(r["date"], {})[r["actor"]] = r
    return out


def test_long_form_json_by_hand(cli_json, squares_args):
    rows = cli_json("timeline", *squares_args)
    assert all(list(r) == KEYS for r in rows)
    days = by_date(rows)
    assert list(days) == ["2020-01-01", "2020-02-01", "2020-03-01"]  # the dates of the log
    # conftest.SQUARES_LOG by hand: 02-01 government C, D and half of B; kurdish the other half; A contested.
    assert days["2020-02-01"]["government"]["districts"] == pytest.approx(2.5)
    assert days["2020-02-01"]["contested"]["districts_pct"] == pytest.approx(25)
    assert days["2020-03-01"]["government"]["population_pct"] == pytest.approx(90)


def test_value_on_every_date_equals_share(cli_json, squares_args):
    rows = cli_json("timeline", *squares_args, "--start", "2019-12-31", "--end", "2020-03-02", "--every", "1d")
    days = by_date(rows)
    assert len(days) == 31 + 29 + 2 + 1
    for day in ("2019-12-31", "2020-01-01", "2020-01-31", "2020-02-01", "2020-02-29", "2020-03-01", "2020-03-02"):
        for r in cli_json("share", *squares_args, "--date", day):
            got = days[day][r["actor"]]
            for key in KEYS[2:]:
                assert got[key] == pytest.approx(r[key], abs=1e-9), (day, r["actor"], key)


def test_baseline_timeline_equals_baseline_share(cli_json, squares_args):
    base = ["--baseline", "2020-01-01", "--baseline-actor", "rebels"]
    days = by_date(cli_json("timeline", *squares_args, *base))
    for day in days:
        for r in cli_json("share", *squares_args, "--date", day, *base):
            assert days[day][r["actor"]]["districts_pct"] == pytest.approx(r["districts_pct"], abs=1e-9)
    # By hand: of A and B, on 02-01 A is contested and B split: 50 / 25 / 25.
    assert days["2020-02-01"]["contested"]["districts_pct"] == pytest.approx(50)


def test_csv_is_long_form_with_unrounded_values(cli, squares_args):
    result = cli("timeline", *squares_args, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == KEYS
    gov = [r for r in rows if r["actor"] == "government" and r["date"] == "2020-02-01"][0]
    assert float(gov["districts_pct"]) == 62.5
    assert len(gov["area_km2"]) > 8  # unrounded: full float repr, not 2 decimals


def test_table_has_a_column_per_actor(cli, squares_args):
    result = cli("timeline", *squares_args, "--format", "markdown", "--by", "area")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header == ["date", "government", "rebels", "kurdish forces", "contested", "unknown"]
    assert len(lines) == 2 + 3  # header, rule, three dates
    assert "% of area (km²) held by each actor" in result.stdout


def test_every_month(cli_json, squares_args):
    rows = cli_json("timeline", *squares_args, "--start", "2020-01-15", "--end", "2020-04-30", "--every", "1m")
    # Monthly from the 15th, and the end date (off the step) as the last point.
    assert list(by_date(rows)) == ["2020-01-15", "2020-02-15", "2020-03-15", "2020-04-15", "2020-04-30"]


def test_plot_writes_a_chart_and_no_table(cli, squares_args, tmp_path):
    out = tmp_path / "timeline.png"
    result = cli(
        "timeline",
        *squares_args,
        "--every",
        "1d",
        "--plot",
        out,
        "--baseline",
        "2020-01-01",
        "--baseline-actor",
        "rebels",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.stat().st_size > 20_000
    from matplotlib.image import imread

    image = imread(out)
    assert image.shape[0] > 500 and image.shape[1] > 1000
    assert image[:, :, :3].std() > 0.1  # not a blank canvas


def test_plot_svg(cli, squares_args, tmp_path):
    out = tmp_path / "timeline.svg"
    result = cli("timeline", *squares_args, "--plot", out, "--by", "population")
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "<svg" in text and "% of population" in text


@pytest.mark.parametrize(
    "args,message",
    [
        (["--baseline", "2020-01-01"], "go together"),
        (["--every", "fortnightly"], "--every"),
        (["--start", "2020-03-01", "--end", "2020-01-01"], "after"),
        (["--plot", "chart.jpg"], ".png or .svg"),
        (["--baseline", "2020-01-01", "--baseline-actor", "nobody"], "not an actor"),
    ],
)
def test_usage_errors_exit_2(cli, squares_args, args, message):
    result = cli("timeline", *squares_args, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


@pytest.mark.parametrize(
    "args, said, unsaid",
    [
        # SQUARES_LOG runs from 2020-01-01 to 2020-03-01; the bound not given is the log's date, not an option.
        (["--end", "2019-01-01"], "--end 2019-01-01 is before the first date of the log (2020-01-01)", "--start"),
        (["--start", "2020-04-01"], "--start 2020-04-01 is after the last date of the log (2020-03-01)", "--end"),
    ],
)
def test_errors_name_only_the_options_given(cli, squares_args, args, said, unsaid):
    result = cli("timeline", *squares_args, *args)
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert said in line
    assert unsaid not in line.split(";")[0]


def test_population_needs_a_population_field(cli, squares, tmp_path):
    import json

    data = json.loads(open(squares["districts"]).read())
    for f in data["features"]:
        del f["properties"]["population"]
    path = tmp_path / "nopop.geojson"
    path.write_text(json.dumps(data))
    result = cli("timeline", "--districts", path, "--control", squares["control"], "--by", "population")
    assert result.exit_code == 2
    assert "population" in result.stderr


def test_runs_on_the_bundled_sample(cli_json):
    rows = cli_json("timeline")
    days = by_date(rows)
    last = max(days)
    for r in cli_json("share", "--date", last):
        assert days[last][r["actor"]]["area_km2"] == pytest.approx(r["area_km2"], abs=1e-9)


def test_shared_aleppo_neighbourhoods(cli_json, shared_data, tmp_path):
    # The real CSR polygons (split features merged with --dissolve) and a small log by name.
    log = tmp_path / "log.csv"
    log.write_text(
        "date,district,controller\n"
        "2016-11-15,Hanano,rebels\n2016-11-15,Jabal Badro,rebels\n2016-11-15,al-Haydariyeh,rebels\n"
        "2016-11-26,Hanano,government\n2016-11-28,al-Haydariyeh,government\n"
    )
    args = [
        "--districts",
        shared_data / "aleppo" / "neighbourhoods-csr.geojson",
        "--dissolve",
        "--control",
        log,
        "--initial",
        "government",
    ]
    days = by_date(cli_json("timeline", *args, "--every", "1d"))
    assert len(days) == 14  # 2016-11-15 .. 2016-11-28
    for day in ("2016-11-15", "2016-11-27", "2016-11-28"):
        for r in cli_json("share", *args, "--date", day):
            assert days[day][r["actor"]]["area_km2"] == pytest.approx(r["area_km2"], abs=1e-9)
    assert days["2016-11-15"]["rebels"]["districts"] == 3
    assert days["2016-11-28"]["rebels"]["districts"] == 1


def test_every_step_ends_on_the_last_date_of_the_log(cli_json, squares_args):
    # Weekly from 2020-01-01: ..., 19 Feb, 26 Feb; then the log's last date, 1 Mar (--end's default), off the step.
    days = list(by_date(cli_json("timeline", *squares_args, "--every", "7d")))
    assert days[-3:] == ["2020-02-19", "2020-02-26", "2020-03-01"]
    assert len(days) == 9 + 1


def test_help_says_the_end_is_always_included(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line per option's help
    result = cli("timeline", "--help")
    assert "the end date is always the last point" in result.stdout


def test_every_date_has_the_same_actors(cli_json, squares_args):
    rows = cli_json("timeline", *squares_args, "--start", "2019-12-31")
    actors = {day: sorted(by_actor) for day, by_actor in by_date(rows).items()}
    assert set(map(tuple, actors.values())) == {("contested", "government", "kurdish forces", "rebels", "unknown")}


def test_table_percentages_have_one_decimal(cli, squares_args):
    result = cli("timeline", *squares_args, "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # Actors by total holding over the dates (government 2 + 2.5 + 3.5, rebels 2, kurdish 1), categories last.
    assert lines[2] == "| date | government | rebels | kurdish forces | contested | unknown |"
    # By hand (conftest.SQUARES_LOG): 02-01 government C, D and half of B = 2.5/4; kurdish 0.5/4; A contested.
    assert "| 2020-01-01 | 50.0 | 50.0 | 0.0 | 0.0 | 0.0 |" in lines
    assert "| 2020-02-01 | 62.5 | 0.0 | 12.5 | 25.0 | 0.0 |" in lines
    assert "| 2020-03-01 | 87.5 | 0.0 | 12.5 | 0.0 | 0.0 |" in lines


def test_titles_and_chart_use_the_canonical_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the bundled sample: 'regime' is an alias of government
    baseline = ["--baseline", "2016-11-15", "--baseline-actor", "regime"]
    table = cli("timeline", "-q", *baseline, "--format", "markdown")
    assert table.stdout.splitlines()[0] == "**% of what government held on 2016-11-15 (districts), by who holds it**"
    out = tmp_path / "t.svg"
    assert cli("timeline", "-q", *baseline, "--plot", out).exit_code == 0
    text = out.read_text()
    assert "What government held on 2016-11-15" in text and "regime" not in text


def test_since_and_until_are_start_and_end(cli):
    # changes, front-movement, report and export spell a range --since/--until: timeline takes both spellings.
    start = cli("-q", "timeline", "--start", "2016-12-01", "--end", "2016-12-10", "-f", "csv")
    since = cli("-q", "timeline", "--since", "2016-12-01", "--until", "2016-12-10", "-f", "csv")
    assert start.exit_code == since.exit_code == 0, since.output
    assert since.stdout == start.stdout and "2016-12-01" in start.stdout and "2016-12-22" not in start.stdout


def test_title_says_of_what_on_land_and_district_equivalents(cli, squares, tmp_path):
    from tests.helpers import box_coords, write_zones

    mask = write_zones(tmp_path / "land.geojson", [({}, box_coords(-0.01, -0.01, 0.03, 0.015))])
    log = tmp_path / "measured.csv"
    log.write_text("date,district,controller,share\n2024-07-08,A,russia,0.6123\n2024-07-08,A,ukraine,0.3877\n")
    args = ["timeline", "-d", squares["districts"], "-c", log, "--land", mask, "-f", "markdown"]
    area = cli(*args, "--by", "area").stdout.splitlines()[0]
    assert area == "**% of area (km²) held by each actor (km² of the 4 districts' land inside land.geojson)**"
    count = cli(*args).stdout.splitlines()[0]
    assert count == "**% of districts held by each actor (districts are district-equivalents, sums of shares)**"
