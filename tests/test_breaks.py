"""Breaks in a zone series (zones.series_breaks): a step that looks like a change of definition is flagged.

Rule (zones.BREAK_SHARE): a step moving more than 2% of the reference area and more than the steps
before and after it together. Hand figures below; the squares fixture for the CLI.
"""

import json

import pandas as pd
import pytest

from conflictmap.zones import series_breaks
from tests.helpers import cell_area_km2
from tests.helpers import box_coords, write_zones


def table(areas):
    dates = [f"2024-0{i + 1}-01" for i in range(len(areas))]
    return pd.DataFrame({"date": dates, "actor": "russia", "area_km2": areas})


def test_a_drop_between_small_steps_is_flagged():
    # Steps +10, -500, +12 on a reference of 1000 km²: 500 > 20 (2%) and > 10 + 12.
    found = series_breaks(table([600, 610, 110, 122]), 1000, {"2024-02-01": ["b.json"], "2024-03-01": ["c.json"]})
    assert len(found) == 1
    assert "-500 km² from 2024-02-01 (b.json) to 2024-03-01 (c.json)" in str(found[0])


def test_a_steady_advance_is_not_flagged():
    # Steps +10, +30, +25: 30 > 20 but not more than 10 + 25.
    assert series_breaks(table([100, 110, 140, 165]), 1000, {}) == []


@pytest.fixture
def series(tmp_path):
    """Five dates over the squares' bottom row: A and a growing sliver of B, then all of B at once (a jump), then on."""
    folder = tmp_path / "zones"
    folder.mkdir()
    boxes = [(0, 0, 0.01, 0.01), (0, 0, 0.0105, 0.01), (0, 0, 0.011, 0.01), (0, 0, 0.02, 0.01), (0, 0, 0.0205, 0.01)]
    for day, box in zip(("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"), boxes):
        write_zones(folder / f"zones_{day}.geojson", [({}, box_coords(*box))])
    return folder


def test_zones_area_flags_the_break_and_gives_the_clip_share(cli, series, tmp_path):
    clip = write_zones(tmp_path / "clip.geojson", [({}, box_coords(0, 0, 0.02, 0.02))])
    done = cli("zones", "area", series, "--actor", "russia", "--clip", clip, "-f", "json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    # The step 0.011 -> 0.02 (0.009° of the row) exceeds 2% of the clip and the steps around it (0.0005° + 0.0005°).
    assert "from 2024-03-01 (zones_2024-03-01.geojson) to 2024-04-01 (zones_2024-04-01.geojson)" in done.stderr
    assert done.stderr.count("check that both files draw the same thing") == 1
    assert rows[3]["clip_pct"] == pytest.approx(
        cell_area_km2(0, 0, 0.02, 0.01) / cell_area_km2(0, 0, 0.02, 0.02) * 100, rel=1e-6
    )


def test_overlay_flags_the_break(cli, squares, series):
    done = cli("overlay", series, "--actor", "russia", "-d", squares["districts"], "-f", "csv")
    assert done.exit_code == 0, done.output
    assert "from 2024-03-01 (zones_2024-03-01.geojson) to 2024-04-01" in done.stderr


def test_nzz_stops_drawing_the_areas_held_since_2014(cli, shared_data):
    # NZZ's July 2024 map leaves out the areas held since 2014: about -15,600 km² between two small steps.
    nzz = shared_data / "ukraine" / "zones-nzz"
    files = [nzz / f"{d}.json" for d in ("2023-10-01", "2024-02-17", "2024-07-08", "2024-10-01")]
    done = cli("zones", "area", *files, "-f", "csv")  # no clip: 2% of the largest zone (~80,000 km²)
    assert done.exit_code == 0, done.output
    assert done.stderr.count("check that both files draw the same thing") == 1
    assert "from 2024-02-16 (2024-02-17.json) to 2024-07-05 (2024-07-08.json)" in done.stderr


def _break_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "check that both files draw the same thing" in line]


def test_movement_and_frontline_flag_the_break_as_zones_area_does(cli, series, tmp_path):
    clip = write_zones(tmp_path / "clip.geojson", [({}, box_coords(0, 0, 0.02, 0.02))])
    args = [series, "--actor", "russia", "--clip", clip, "-f", "json"]
    area = cli("zones", "area", *args)
    movement = cli("zones", "movement", *args, "--rest", "ukraine")
    front = cli("frontline", *args)
    for done in (area, movement, front):
        assert done.exit_code == 0, done.output
    # One warning, word for word the one zones area gives, naming both files of the step.
    expected = _break_lines(area.stderr)
    assert len(expected) == 1 and "(zones_2024-03-01.geojson) to 2024-04-01 (zones_2024-04-01.geojson)" in expected[0]
    assert _break_lines(movement.stderr) == expected
    assert _break_lines(front.stderr) == expected
    # The step itself: the row grows from 0.011° to 0.02° of longitude, 0.01° high (hand-checkable boxes).
    gained = cell_area_km2(0, 0, 0.02, 0.01) - cell_area_km2(0, 0, 0.011, 0.01)
    step = next(r for r in json.loads(movement.stdout) if r["since"] == "2024-03-01" and r["actor"] == "russia")
    assert step["area_km2"] == pytest.approx(gained, rel=1e-6)


def test_movement_without_clip_flags_the_break_against_the_largest_zone(cli, series):
    # No clip: 2% of the largest zone (0.0205° x 0.01°) is the bar; the jump of 0.009° clears it.
    done = cli("zones", "movement", series, "--actor", "russia", "--rest", "ukraine", "-f", "csv")
    assert done.exit_code == 0, done.output
    assert len(_break_lines(done.stderr)) == 1
    assert "from 2024-03-01 (zones_2024-03-01.geojson) to 2024-04-01" in done.stderr


def test_movement_and_frontline_on_nzz_warn_about_the_july_2024_map(cli, shared_data):
    # NZZ stops drawing the areas held since 2014: movement read it as Ukraine gaining ~16,600 km², frontline
    # as the front growing from 1,394 to 1,878 km, with no warning (review, item 2).
    u = shared_data / "ukraine"
    files = [u / "zones-nzz" / f"{d}.json" for d in ("2024-02-17", "2024-07-08", "2024-10-01")]  # 3 dates, for time
    clip = u / "national-boundary.geojson"
    expected = _break_lines(cli("zones", "area", *files, "--clip", clip, "-f", "csv").stderr)
    assert len(expected) == 1 and "from 2024-02-16 (2024-02-17.json) to 2024-07-05 (2024-07-08.json)" in expected[0]
    for command in (["zones", "movement", "--rest", "ukraine"], ["frontline"]):
        done = cli(*command, *files, "--clip", clip, "-f", "csv")
        assert done.exit_code == 0, done.output
        assert _break_lines(done.stderr) == expected
