"""`conflictmap zones area` through the CLI: squares by hand, output formats, progress, DeepState."""

import csv
import io
import json

import pytest

from tests.helpers import cell_area_km2
from tests.helpers import box_coords, write_zones

KEYS = ["date", "actor", "area_km2", "change_km2", "change_km2_per_day"]


@pytest.fixture
def zones_dir(tmp_path):
    """russia holds lon 0..0.02 (lat 0..0.01) on 2024-08-01, lon 0..0.03 on 2024-09-01."""
    folder = tmp_path / "zones"
    folder.mkdir()
    write_zones(folder / "2024-08-01.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    write_zones(folder / "2024-09-01.geojson", [({}, box_coords(0, 0, 0.03, 0.01))])
    return folder


def test_json_keys_and_areas(cli_json, zones_dir):
    rows = cli_json("zones", "area", zones_dir, "--actor", "russia")
    assert all(list(r) == KEYS for r in rows)
    first, second = cell_area_km2(0, 0, 0.02, 0.01), cell_area_km2(0, 0, 0.03, 0.01)
    assert [r["date"] for r in rows] == ["2024-08-01", "2024-09-01"]
    assert [r["area_km2"] for r in rows] == pytest.approx([first, second], rel=1e-6)
    assert rows[0]["change_km2"] is None
    assert rows[1]["change_km2"] == pytest.approx(second - first, rel=1e-6)
    # The two snapshots are 31 days apart (1 August to 1 September): the rate is the change over 31 days.
    assert rows[0]["change_km2_per_day"] is None
    assert rows[1]["change_km2_per_day"] == pytest.approx((second - first) / 31, rel=1e-6)


def test_clip(cli_json, zones_dir, tmp_path):
    clip = write_zones(tmp_path / "reference.geojson", [({}, box_coords(0.01, -1, 1, 1))])
    rows = cli_json("zones", "area", zones_dir, "--actor", "russia", "--clip", clip)
    assert [r["area_km2"] for r in rows] == pytest.approx(
        [cell_area_km2(0.01, 0, 0.02, 0.01), cell_area_km2(0.01, 0, 0.03, 0.01)], rel=1e-6
    )


def test_land_is_another_spelling_of_clip_and_the_clip_km2_are_said(cli, zones_dir, tmp_path):
    # As overlay, --land is --clip (review G8). The note gives the clip's km², what clip_pct is a % of,
    # so a clip holding sea is not read as land (review G10).
    clip = write_zones(tmp_path / "reference.geojson", [({}, box_coords(0.01, -1, 1, 1))])
    runs = [
        cli("zones", "area", zones_dir, "--actor", "russia", flag, clip, "-f", "json") for flag in ("--clip", "--land")
    ]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    assert runs[0].stdout == runs[1].stdout
    from pyproj import Geod

    lons, lats = zip(*box_coords(0.01, -1, 1, 1)[0])  # a geodesic polygon, as the tool measures it
    km2 = abs(Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)[0]) / 1e6
    assert f"note: clip_pct is the % of the {km2:,.1f} km² of reference.geojson" in runs[1].stderr
    assert "sea included if it holds sea" in runs[1].stderr


@pytest.mark.parametrize("fmt", ["csv", "tsv", "ndjson", "markdown", "table"])
def test_every_format(cli, zones_dir, fmt):
    done = cli("zones", "area", zones_dir, "--actor", "russia", "--format", fmt)
    assert done.exit_code == 0, done.output
    if fmt in ("csv", "tsv"):
        rows = list(csv.DictReader(io.StringIO(done.stdout), delimiter="," if fmt == "csv" else "\t"))
        assert list(rows[0]) == KEYS and float(rows[0]["area_km2"]) == pytest.approx(
            cell_area_km2(0, 0, 0.02, 0.01), rel=1e-6
        )
    elif fmt == "ndjson":
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        assert [list(r) for r in rows] == [KEYS, KEYS]
    else:
        assert "2024-09-01" in done.stdout and "russia" in done.stdout


def test_no_actor_is_a_data_error(cli, zones_dir):
    # The files carry no actor field: a data problem (exit 1), one line naming the file and the fix.
    done = cli("zones", "area", zones_dir)
    assert done.exit_code == 1
    assert "2024-08-01.geojson: zones carry no actor field" in done.stderr
    assert "--actor NAME" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_no_date_is_a_data_error(cli, zones_dir):
    write_zones(zones_dir / "latest.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    done = cli("zones", "area", zones_dir, "--actor", "russia")
    assert done.exit_code == 1
    assert "latest.geojson: no date in the file name" in done.stderr and "--date-field F" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_impossible_date_in_a_name_is_said(cli, zones_dir):
    write_zones(zones_dir / "deepstatemap_data_20241308.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    done = cli("zones", "area", zones_dir, "--actor", "russia")
    assert done.exit_code == 1
    lines = done.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and "deepstatemap_data_20241308.geojson: the file name holds 20241308, which is not a date" in lines[0]
    )
    assert "correct the date in the file name" in lines[0] and "Traceback" not in done.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--actor", "russia", "--actor-field", "side"], "not both"),
        (["--actor", "russia", "--date-field", "date", "--date-from-name"], "not both"),
    ],
)
def test_conflicting_options_are_usage_errors(cli, zones_dir, args, message):
    done = cli("zones", "area", zones_dir, *args)
    assert done.exit_code == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_dates_anywhere_in_the_name(cli_json, tmp_path):
    # QA: `zones area two/` with a_2026-08-22.geojson; the other forms alongside. Areas by the closed form.
    folder = tmp_path / "two"
    folder.mkdir()
    write_zones(folder / "a_2026-08-22.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    write_zones(folder / "b_2026_09_01.geojson", [({}, box_coords(0, 0, 0.03, 0.01))])
    write_zones(folder / "c20261001.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    rows = cli_json("zones", "area", folder, "--actor", "russia")
    assert [r["date"] for r in rows] == ["2026-08-22", "2026-09-01", "2026-10-01"]
    assert [r["area_km2"] for r in rows] == pytest.approx(
        [cell_area_km2(0, 0, x, 0.01) for x in (0.02, 0.03, 0.01)], rel=1e-6
    )


@pytest.fixture
def absent_actor(tmp_path):
    """wagner holds lon 0.01..0.02 on 2024-08-01 and nothing on 2024-09-01 (area 0)."""
    return write_zones(
        tmp_path / "z.geojson",
        [
            ({"date": "2024-08-01", "actor": "russia"}, box_coords(0, 0, 0.01, 0.01)),
            ({"date": "2024-08-01", "actor": "wagner"}, box_coords(0.01, 0, 0.02, 0.01)),
            ({"date": "2024-09-01", "actor": "russia"}, box_coords(0, 0, 0.02, 0.01)),
        ],
    )


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_areas_are_always_floats(cli, absent_actor, fmt):
    # QA: "area_km2": 0 next to floats. Every area and change is a JSON float (0.0), or null for no change.
    done = cli("zones", "area", absent_actor, "-f", fmt)
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout) if fmt == "json" else [json.loads(line) for line in done.stdout.splitlines()]
    wagner = [r for r in rows if r["actor"] == "wagner" and r["date"] == "2024-09-01"]
    assert wagner[0]["area_km2"] == 0.0 and '"area_km2": 0.0' in done.stdout
    assert all(type(r["area_km2"]) is float for r in rows)
    assert all(type(r["change_km2"]) is float for r in rows if r["change_km2"] is not None)


def test_csv_areas_are_floats(cli, absent_actor):
    done = cli("zones", "area", absent_actor, "-f", "csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    wagner = [r for r in rows if r["actor"] == "wagner" and r["date"] == "2024-09-01"]
    assert wagner[0]["area_km2"] == "0.0"
    assert all("." in r["area_km2"] for r in rows)


def test_progress_goes_to_stderr_only(cli, zones_dir, monkeypatch):
    # As if stderr were a terminal: the bar is drawn there, and stdout stays plain JSON.
    monkeypatch.setattr("conflictmap.cli.progress._stderr_is_terminal", lambda: True)
    done = cli("zones", "area", zones_dir, "--actor", "russia", "-f", "json")
    assert done.exit_code == 0, done.output
    assert len(json.loads(done.stdout)) == 2
    assert "reading zones" in done.stderr or "measuring" in done.stderr


def test_no_progress_when_stderr_is_not_a_terminal(cli, zones_dir):
    done = cli("zones", "area", zones_dir, "--actor", "russia", "-f", "json")
    assert done.exit_code == 0 and done.stderr == ""


def test_deepstate_within_ukraine(cli_json, shared_data):
    # Public figures: Russia held about 18% of Ukraine in mid-2024 and under 20% through 2026;
    # independent check of the first date: pyproj.Geod on a plain shapely intersection.
    import shapely
    from pyproj import Geod

    ukraine = shared_data / "ukraine"
    first_file = ukraine / "zones-deepstate" / "deepstatemap_data_20240708.geojson"
    last_file = ukraine / "zones-deepstate" / "deepstatemap_data_20260822.geojson"
    rows = cli_json(
        "zones", "area", first_file, last_file, "--actor", "russia", "--clip", ukraine / "national-boundary.geojson"
    )
    geod = Geod(ellps="WGS84")
    boundary = shapely.union_all(
        shapely.get_parts(shapely.from_geojson((ukraine / "national-boundary.geojson").read_text()))
    )
    national = abs(geod.geometry_area_perimeter(boundary)[0]) / 1e6
    zone = shapely.union_all(shapely.get_parts(shapely.from_geojson(first_file.read_text())))
    assert rows[0]["area_km2"] == pytest.approx(
        abs(geod.geometry_area_perimeter(zone.intersection(boundary))[0]) / 1e6, rel=1e-6
    )
    assert all(17.5 < r["area_km2"] / national * 100 < 20 for r in rows)
    assert rows[1]["change_km2"] == pytest.approx(rows[1]["area_km2"] - rows[0]["area_km2"])


def test_plot_draws_the_series_it_prints(cli, cli_json, zones_dir, tmp_path):
    from conflictmap.actors import Actors
    from conflictmap.plots import _pct_axis, zones_figure

    clip = write_zones(tmp_path / "reference.geojson", [({}, box_coords(0.01, -1, 1, 1))])
    out = tmp_path / "zones.png"
    result = cli("zones", "area", zones_dir, "--actor", "russia", "--clip", clip, "--plot", out, "-f", "json")
    assert result.exit_code == 0 and out.stat().st_size > 10_000
    import pandas as pd

    table = pd.DataFrame(json.loads(result.stdout))
    fig = zones_figure(table, Actors(), "reference.geojson")
    step = fig.axes[0].lines[0]
    assert list(step.get_ydata()) == pytest.approx(list(table["area_km2"]))
    to_pct, _ = _pct_axis(table)
    assert to_pct(table["area_km2"].iloc[-1]) == pytest.approx(
        table["clip_pct"].iloc[-1]
    )  # the right axis reads the % printed


def test_two_files_of_one_date_are_one_error_line(cli, tmp_path):
    # Review item 3: zones area printed one row, the union of both files; frontline likewise.
    folder = tmp_path / "z3"
    folder.mkdir()
    write_zones(folder / "a_20240708.geojson", [({}, box_coords(0, 0, 0.01, 0.01))])
    write_zones(folder / "b_2024-07-08.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    clip = write_zones(tmp_path / "clip.geojson", [({}, box_coords(0, 0, 0.04, 0.02))])
    for command in (["zones", "area"], ["frontline"]):
        done = cli(*command, folder, "--actor", "russia", "--clip", clip)
        assert done.exit_code == 1, done.output
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("conflictmap: error: ")
        assert (
            "a_20240708.geojson and " in lines[0]
            and "b_2024-07-08.geojson both give russia's zones on 2024-07-08" in lines[0]
        )
        assert done.stdout == ""


def test_mixed_sources_warn_once_and_still_give_each_date(cli, tmp_path):
    # Review item 8: an NZZ file and a plain file, 27 days apart: +44,210 km² on the real files, no word.
    folder = tmp_path / "z5"
    folder.mkdir()
    write_zones(
        folder / "2024-07-05.json",
        [({"type": "nochange", "date": "2024-07-05"}, box_coords(0, 0, 0.01, 0.01))],
        wrap="value",
    )
    write_zones(folder / "deepstatemap_data_20240801.geojson", [({}, box_coords(0, 0, 0.02, 0.01))])
    done = cli("zones", "area", folder, "--actor", "russia", "-f", "json")
    assert done.exit_code == 0, done.output
    warnings = [line for line in done.stderr.splitlines() if line.startswith("conflictmap: warning:")]
    # The mix once, and once that the NZZ date lacks Crimea and the areas held since 2014 (review G1).
    assert len(warnings) == 2
    assert "mix 2 sources, generic (deepstatemap_data_20240801.geojson) and nzz (2024-07-05.json)" in warnings[0]
    assert "NZZ's map (1 date(s)) does not draw Crimea" in warnings[1]
    areas = [r["area_km2"] for r in json.loads(done.stdout)]
    assert areas == pytest.approx([cell_area_km2(0, 0, 0.01, 0.01), cell_area_km2(0, 0, 0.02, 0.01)], rel=1e-6)


def test_a_plot_in_a_missing_folder_is_refused_before_work_naming_the_option(cli, zones_dir, tmp_path):
    done = cli("zones", "area", zones_dir, "--plot", tmp_path / "nope" / "x.png")
    assert done.exit_code == 2 and done.stderr.startswith("conflictmap: error: --plot ") and "nope" in done.stderr
