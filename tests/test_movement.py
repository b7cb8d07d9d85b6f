"""Front movement on a straight front that moves 1 km east in 10 days (hand-checkable strips)."""

import json
import math

import numpy as np
import pytest
import shapely
from pyproj import Geod

from conflictmap.movement import COLUMNS
from tests.helpers import ROOT, cell_area_km2

KM = 1000 / (6378137.0 * math.pi / 180)  # degrees of longitude per km on the equator (equatorial radius)
HEIGHT = 0.05  # degrees of latitude, about 5.5 km

# Four strips 1 km wide, west to east: W1 W2 E1 E2. On 2020-01-01 the west holds W1, W2 and the east E1, E2;
# on 2020-01-11 the west has taken E1: the front (the meridian between W2 and E1) moved 1 km east in 10 days.
STRIPS = ["W1", "W2", "E1", "E2"]
LOG = """date,district,controller
2020-01-01,W1,west
2020-01-01,W2,west
2020-01-01,E1,east
2020-01-01,E2,east
2020-01-11,E1,west
"""


def strip(i):
    x0, x1 = i * KM, (i + 1) * KM
    return {"type": "Polygon", "coordinates": [[[x0, 0], [x1, 0], [x1, HEIGHT], [x0, HEIGHT], [x0, 0]]]}


@pytest.fixture
def strips(tmp_path):
    features = [{"type": "Feature", "properties": {"id": name}, "geometry": strip(i)} for i, name in enumerate(STRIPS)]
    (tmp_path / "strips.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    (tmp_path / "strips.csv").write_text(LOG)
    return ["--districts", str(tmp_path / "strips.geojson"), "--control", str(tmp_path / "strips.csv")]


def test_a_straight_front_moving_1_km_in_10_days(cli_json, strips):
    rows = cli_json("front-movement", *strips)
    assert len(rows) == 1
    row = rows[0]
    assert (row["actor"], row["from"], row["days"]) == ("west", "east", 10)
    # Independently: the area of strip E1 (authalic formula) and the geodesic length of the old front.
    area = cell_area_km2(2 * KM, 0, 3 * KM, HEIGHT)
    front = Geod(ellps="WGS84").inv(2 * KM, 0, 2 * KM, HEIGHT)[2] / 1000
    assert row["area_km2"] == pytest.approx(area, rel=1e-6)
    assert row["front_km"] == pytest.approx(front, rel=1e-6)
    assert row["depth_km"] == pytest.approx(1.0, rel=0.01)
    assert row["depth_km"] == pytest.approx(area / front, rel=1e-6)
    assert row["rate_km_per_day"] == pytest.approx(0.1, rel=0.01)
    # The farthest point of E1 from the old front is its east edge: 1 km along the equator.
    assert row["max_advance_km"] == pytest.approx(Geod(ellps="WGS84").inv(2 * KM, 0, 3 * KM, 0)[2] / 1000, rel=1e-6)
    assert row["max_rate_km_per_day"] == pytest.approx(0.1, rel=0.01)


def test_every_step_gives_a_row_set_per_step(cli_json, strips):
    rows = cli_json("front-movement", *strips, "--every", "5d")
    # Steps 01-01..01-06 (nothing moved), 01-06..01-11 (E1 moved, 5 days: 0.2 km/day).
    assert [(r["since"], r["until"]) for r in rows] == [("2020-01-06", "2020-01-11")]
    assert rows[0]["rate_km_per_day"] == pytest.approx(0.2, rel=0.01)


def test_squares_split_district_moves_area_not_vertices(cli_json, squares_args):
    # 2020-01-01 -> 2020-02-01: B (rebels) split government 0.5 / kurdish forces 0.5, A rebels -> contested.
    rows = {(r["actor"], r["from"]): r for r in cli_json("front-movement", *squares_args, "--until", "2020-02-01")}
    from tests.helpers import squares_area

    assert rows[("government", "rebels")]["area_km2"] == pytest.approx(squares_area("B") / 2, rel=1e-6)
    assert rows[("contested", "rebels")]["area_km2"] == pytest.approx(squares_area("A"), rel=1e-6)
    assert rows[("contested", "rebels")]["front_km"] == 0.0 and rows[("contested", "rebels")]["depth_km"] is None


def test_readme_shows_what_the_command_prints(cli):
    from tests.helpers import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- front-movement:start -->", 1)[1].split("<!-- front-movement:end -->", 1)[0]
    result = cli("-q", "front-movement", "--since", "2016-11-15", "--until", "2016-12-12", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.split("\n", 2)[2].strip() == block.strip()


def test_zones_moving_1_km_in_10_days(cli_json, tmp_path):
    # A zone of 'north' covering the two west strips, then three; the clip is eight strips, so the
    # zone's west, south and north edges lie on the clip's boundary and only its east edge is front
    # (the land it faces reaches 6 km east, past the 2 km probe of frontline.ZoneFront).
    folder = tmp_path / "zones"
    folder.mkdir()
    for day, cols in (("2020-01-01", 2), ("2020-01-11", 3)):
        ring = [[0, 0], [cols * KM, 0], [cols * KM, HEIGHT], [0, HEIGHT], [0, 0]]
        feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        (folder / f"{day}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    clip = tmp_path / "clip.geojson"
    box = [[0, 0], [8 * KM, 0], [8 * KM, HEIGHT], [0, HEIGHT], [0, 0]]
    clip.write_text(
        json.dumps({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [box]}})
    )
    rows = cli_json("zones", "movement", folder, "--actor", "north", "--rest", "south", "--clip", clip)
    assert len(rows) == 1
    row = rows[0]
    area = cell_area_km2(2 * KM, 0, 3 * KM, HEIGHT)
    front = Geod(ellps="WGS84").inv(2 * KM, 0, 2 * KM, HEIGHT)[2] / 1000
    assert (row["actor"], row["from"], row["days"]) == ("north", "south", 10)
    assert row["area_km2"] == pytest.approx(area, rel=1e-6)
    assert row["front_km"] == pytest.approx(front, rel=1e-6)
    assert row["depth_km"] == pytest.approx(1.0, rel=0.01) and row["rate_km_per_day"] == pytest.approx(0.1, rel=0.01)
    assert row["max_advance_km"] == pytest.approx(1.0, rel=0.01)


def test_a_new_area_apart_from_the_zone_is_no_advance(cli, tmp_path):
    # As test_zones_moving_1_km_in_10_days, and on the second date a small box at the clip's north edge,
    # 7-7.5 km east, apart from the old zone (a new area entered across the border). Its km² count; the
    # maximum advance stays the strip's 1 km (measured to the box it would be about 5.5 km).
    folder = tmp_path / "zones"
    folder.mkdir()
    top = HEIGHT - 0.002
    far = [[7 * KM, top], [7.5 * KM, top], [7.5 * KM, HEIGHT], [7 * KM, HEIGHT], [7 * KM, top]]
    for day, cols, extra in (("2020-01-01", 2, []), ("2020-01-11", 3, [[far]])):
        ring = [[0, 0], [cols * KM, 0], [cols * KM, HEIGHT], [0, HEIGHT], [0, 0]]
        geometry = {"type": "MultiPolygon", "coordinates": [[ring], *extra]}
        feature = {"type": "Feature", "properties": {}, "geometry": geometry}
        (folder / f"{day}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    clip = tmp_path / "clip.geojson"
    box = [[0, 0], [8 * KM, 0], [8 * KM, HEIGHT], [0, HEIGHT], [0, 0]]
    clip.write_text(
        json.dumps({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [box]}})
    )
    done = cli("zones", "movement", folder, "--actor", "north", "--rest", "south", "--clip", clip, "-f", "json")
    assert done.exit_code == 0, done.output
    (row,) = json.loads(done.stdout)
    apart = cell_area_km2(7 * KM, top, 7.5 * KM, HEIGHT)
    assert row["area_km2"] == pytest.approx(cell_area_km2(2 * KM, 0, 3 * KM, HEIGHT) + apart, rel=1e-6)
    assert row["max_advance_km"] == pytest.approx(1.0, rel=0.01)
    assert "leaves out 1 piece(s) of ground that touch no zone of the actor before" in done.stderr
    assert f"the largest {apart:,.2f} km² for north, to 2020-01-11" in done.stderr


def test_ukraine_deepstate_movement_agrees_with_zone_areas_and_frontline(cli_json, shared_data):
    # Two DeepState snapshots: net km² gained = the change of `zones area` (both clipped to the boundary),
    # and the front is the one `frontline ZONES` measures on the first date (coasts and border left out).
    ukraine = shared_data / "ukraine"
    folder = ukraine / "zones-deepstate"
    files = sorted(folder.glob("deepstatemap_data_*.geojson"))[:2]
    clip = ["--clip", ukraine / "national-boundary.geojson"]
    rows = cli_json("zones", "movement", *files, "--actor", "russia", "--rest", "ukraine", *clip)
    areas = cli_json("zones", "area", *files, "--actor", "russia", *clip)
    gained = sum(r["area_km2"] for r in rows if r["actor"] == "russia")
    lost = sum(r["area_km2"] for r in rows if r["actor"] == "ukraine")
    assert gained - lost == pytest.approx(areas[1]["change_km2"], rel=1e-4, abs=0.05)
    (line,) = cli_json("frontline", files[0], "--actor", "russia", *clip)
    assert line["date"] == rows[0]["since"]
    assert all(r["front_km"] == pytest.approx(line["length_km"], rel=1e-12) for r in rows)
    assert 1000 < line["length_km"] < 1600  # not the ~2,000 km of the zone's whole edge inside the boundary


def test_ukraine_december_2024_advance_is_measured_from_the_front(cli, shared_data):
    # DeepState 2024-12-01 -> 2025-01-02: review G measured 82.4 km, to 0.69 km² new on the Sumy border that
    # touches no old zone (81.6 km from it). Independently (shapely + pyproj on the raw files): the gain's
    # pieces within the boundary, split into those touching the old zone and the rest. The max advance lies
    # between the touching pieces' farthest vertex from the old zone's edge (the front is part of that
    # edge) and 15 km, far below the detached piece; review G's own front gives 7.93 km.
    from pyproj import CRS, Transformer

    ukraine = shared_data / "ukraine"
    files = [ukraine / "zones-deepstate" / f"deepstatemap_data_{d}.geojson" for d in ("20241201", "20250102")]
    z1, z2, land = (
        shapely.union_all(
            shapely.from_geojson([json.dumps(f["geometry"]) for f in json.loads(p.read_text())["features"]])
        )
        for p in (*files, ukraine / "national-boundary.geojson")
    )
    z1, z2 = shapely.force_2d(z1), shapely.force_2d(z2)
    gain = shapely.get_parts(shapely.intersection(shapely.difference(z2, z1), land))
    touching = shapely.dwithin(gain, z1, 1e-7)
    aeqd = CRS.from_proj4("+proj=aeqd +lat_0=48.5 +lon_0=36 +datum=WGS84 +units=m")
    to_m = Transformer.from_crs(4326, aeqd, always_xy=True)
    edge = shapely.transform(z1.boundary, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])))
    xy = np.column_stack(to_m.transform(*shapely.get_coordinates(gain[touching]).T))
    lower = shapely.distance(shapely.points(xy), edge).max() / 1000
    apart = [
        shapely.distance(shapely.transform(g, lambda c: np.column_stack(to_m.transform(*c.T))), edge) / 1000
        for g in gain[~touching]
    ]
    assert max(apart) > 75  # the piece review G found
    done = cli(
        "zones",
        "movement",
        *files,
        "--actor",
        "russia",
        "--rest",
        "ukraine",
        "--clip",
        ukraine / "national-boundary.geojson",
        "-f",
        "json",
    )
    assert done.exit_code == 0, done.output
    (row,) = [r for r in json.loads(done.stdout) if r["actor"] == "russia"]
    assert lower - 0.01 <= row["max_advance_km"] < 15
    assert "touch no zone of the actor before" in done.stderr


def test_export_gains_layer_draws_the_strip(cli, strips, tmp_path):
    result = cli("export", *strips, "--layer", "gains", "--since", "2020-01-01", "-o", "-")
    assert result.exit_code == 0, result.output
    features = json.loads(result.stdout)["features"]
    assert len(features) == 1
    props = features[0]["properties"]
    area = cell_area_km2(2 * KM, 0, 3 * KM, HEIGHT)
    assert (props["actor"], props["from"], props["districts"]) == ("west", "east", 1)
    assert props["area_km2"] == pytest.approx(area, rel=1e-6) and props["moved_km2"] == pytest.approx(area, rel=1e-6)
    lon = [x for x, _ in features[0]["geometry"]["coordinates"][0]]
    assert (min(lon), max(lon)) == (pytest.approx(2 * KM, abs=1e-6), pytest.approx(3 * KM, abs=1e-6))


def test_a_tied_district_is_no_ones_strip(cli, squares_args):
    # B goes from the rebels to government 0.5 / kurdish forces 0.5: half its km² moves to each (in
    # front-movement), but a tie has no main holder, so neither side gets B as a strip or a max advance:
    # whichever it went to would depend on how the actors are spelled. A (rebels -> contested) is whole.
    from tests.helpers import squares_area

    args = [*squares_args, "--since", "2020-01-01"]
    result = cli("export", *args, "--date", "2020-02-01", "--layer", "gains", "-o", "-")
    assert result.exit_code == 0, result.output
    rows = {
        (f["properties"]["actor"], f["properties"]["from"]): f["properties"]
        for f in json.loads(result.stdout)["features"]
    }
    assert set(rows) == {("contested", "rebels")}
    assert rows[("contested", "rebels")]["area_km2"] == pytest.approx(squares_area("A"), rel=1e-6)
    moved = cli("front-movement", *args, "--until", "2020-02-01", "-f", "json")
    assert moved.exit_code == 0, moved.output
    table = {(r["actor"], r["from"]): r for r in json.loads(moved.stdout)}
    for actor in ("government", "kurdish forces"):
        assert table[(actor, "rebels")]["area_km2"] == pytest.approx(squares_area("B") / 2, rel=1e-6)
        assert table[(actor, "rebels")]["max_advance_km"] is None  # no whole district moved to it


def test_gains_do_not_depend_on_how_actors_are_spelled(cli, tmp_path):
    # The review's case on the sample: four districts go from the rebels to government 0.5 / kurdish 0.5.
    # Renaming the government "regime" (sorting after "kurdish forces") must change no figure.
    control = tmp_path / "regime.csv"
    sample = ROOT / "data" / "aleppo-2016"
    control.write_text((sample / "control.csv").read_text().replace(",government,", ",regime,"))
    outputs = []
    for c in (sample / "control.csv", control):
        result = cli(
            "export", "-d", str(sample / "districts.geojson"), "-c", str(c), "--layer", "gains", "--since", "2016-11-15"
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout.replace('"regime"', '"government"'))
    assert outputs[0] == outputs[1]


def test_a_gap_narrower_than_the_samples_streets_is_widened_to_them(cli):
    # The sample's avenues are up to 60 m wide (tests/test_frontline.py): --gap 10 would leave them out of the
    # D0 front, so it is widened to the detected 60 m, and the rows are those of the detected bridging.
    args = ["front-movement", "--since", "2016-11-15", "--until", "2016-12-12", "-f", "csv"]
    narrow, detected, wide = cli(*args, "--gap", "10"), cli(*args), cli(*args, "--gap", "60")
    assert narrow.exit_code == detected.exit_code == wide.exit_code == 0
    assert narrow.stdout == detected.stdout == wide.stdout
    assert "--gap 10 would leave out" in narrow.stderr and "never narrows it" in narrow.stderr
    assert "would leave out" not in wide.stderr and "warning" not in wide.stderr


def test_one_date_says_why_the_table_is_empty(cli, strips, tmp_path):
    # LOG without its last row: one date, nothing to compare; exit 0 with the empty table and a warning.
    one = tmp_path / "one.csv"
    one.write_text("\n".join(LOG.splitlines()[:5]) + "\n")
    done = cli("front-movement", "--districts", strips[1], "--control", one, "-f", "csv")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip().splitlines() == [",".join(COLUMNS)]
    assert "warning: only one date in the log (2020-01-01): movement needs two dates" in done.stderr
    same = cli("front-movement", *strips, "--since", "2020-01-11", "--until", "2020-01-11", "-f", "csv")
    assert same.exit_code == 0 and len(same.stdout.strip().splitlines()) == 1
    assert "--since and --until both come to 2020-01-11: movement needs two different dates" in same.stderr


def test_one_snapshot_says_why_the_table_is_empty(cli, tmp_path):
    folder = tmp_path / "zones"
    folder.mkdir()
    ring = [[0, 0], [KM, 0], [KM, HEIGHT], [0, HEIGHT], [0, 0]]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    (folder / "2020-01-01.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    done = cli("zones", "movement", folder, "--actor", "north", "--rest", "south", "-f", "csv")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip().splitlines() == [",".join(COLUMNS)]
    assert "warning: only one snapshot (2020-01-01): movement needs two dates" in done.stderr
